"""The ``nightly`` and ``backfill`` commands: their arguments and thin handlers over the flows."""

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from chiso766.errors import InputError
from chiso766.quiet import quiet_flow_runs

EXIT_BLOCKED = 4


def add_run_commands(commands, common: argparse.ArgumentParser) -> None:
    """Register ``nightly run``, ``nightly serve`` and ``backfill`` on the CLI's subcommands."""
    nightly = commands.add_parser(
        "nightly", parents=[common], help="the nightly capture: once now, or served on a schedule"
    )
    nightly.set_defaults(run=lambda _args: nightly.print_help())
    actions = nightly.add_subparsers(title="nightly actions", metavar="ACTION")

    run = actions.add_parser("run", parents=[common], help="one nightly cycle, at once")
    run.add_argument("--date", help="run as if on this day in Vietnam, 2026-10-15 (default today)")
    _provinces_and_fetching(run)
    run.add_argument("--out", type=Path, help="appendix folder (default <data dir>/appendix)")
    run.set_defaults(run=_nightly_run)

    serve = actions.add_parser(
        "serve", parents=[common], help="serve the nightly run on a daily schedule (Prefect API)"
    )
    serve.add_argument("--hour", type=int, help="hour of the run in Vietnam (default 3)")
    _provinces_and_fetching(serve)
    serve.add_argument("--out", type=Path, help="appendix folder (default <data dir>/appendix)")
    serve.set_defaults(run=_nightly_serve)

    backfill = commands.add_parser(
        "backfill", parents=[common], help="capture every month of a range, skipping final ones"
    )
    _provinces_and_fetching(backfill, required=True)
    backfill.add_argument("--from", dest="first", required=True, help="first month, 2026-01")
    backfill.add_argument("--to", dest="last", required=True, help="last month, 2026-10")
    backfill.add_argument(
        "--refresh", action="store_true", help="fetch months already final in the warehouse too"
    )
    backfill.add_argument(
        "--detail", action="store_true", help="also capture the six score groups of new months"
    )
    backfill.set_defaults(run=_backfill)


def _provinces_and_fetching(command: argparse.ArgumentParser, *, required: bool = False) -> None:
    command.add_argument(
        "--province",
        required=required,
        help='"Hải Phòng", a comma-separated list, or all (default CHISO766_NIGHTLY_PROVINCES)',
    )
    command.add_argument("--portal", help="portal base URL (default: CHISO766_PORTAL_URL)")
    command.add_argument("--db", help="warehouse URL (default: CHISO766_DATABASE_URL)")
    command.add_argument(
        "--min-interval", type=float, help="seconds between two requests (default 1)"
    )


def _checked_settings(args: argparse.Namespace):
    from chiso766.cli import _settings
    from load.engine import parse_database_url

    settings = _settings(args)
    if settings.min_interval < 0:
        raise InputError("--min-interval must not be negative.")
    parse_database_url(settings.database_url)
    return settings


def _province_names(args: argparse.Namespace, settings) -> list[str]:
    from chiso766.schedule import provinces_of

    return [p.short_name for p in provinces_of(args.province or settings.nightly_provinces)]


def _nightly_run(args: argparse.Namespace) -> int:
    settings = _checked_settings(args)
    day = _day(args.date)
    names = _province_names(args, settings)
    from flows.nightly import nightly

    out = str(args.out) if args.out else None
    with quiet_flow_runs(args.verbose):
        report = nightly(day=day, provinces=names, out_dir=out, settings=settings)
    return _finish(report, f"Night of {day or 'today'}")


def _nightly_serve(args: argparse.Namespace) -> int:
    settings = _checked_settings(args)
    hour = settings.nightly_hour if args.hour is None else args.hour
    if not 0 <= hour <= 23:
        raise InputError(f"--hour {hour} is not an hour; choose one from 0 to 23.")
    names = _province_names(args, settings)
    # The served runs read their settings from this process's environment.
    for name, value in (
        ("CHISO766_PORTAL_URL", args.portal),
        ("CHISO766_DATABASE_URL", args.db),
        ("CHISO766_MIN_INTERVAL", args.min_interval),
    ):
        if value is not None:
            os.environ[name] = str(value)
    from prefect.schedules import Cron

    from flows.nightly import nightly

    print(
        f"Serving the nightly run of {', '.join(names)} at {hour:02d}:00 Asia/Ho_Chi_Minh "
        "(needs a Prefect API: 'prefect server start' and PREFECT_API_URL; Ctrl-C to stop).",
        flush=True,
    )
    nightly.serve(
        name="chiso766-nightly",
        schedule=Cron(f"0 {hour} * * *", timezone="Asia/Ho_Chi_Minh"),
        parameters={"provinces": names, "out_dir": str(args.out) if args.out else None},
        pause_on_shutdown=False,
    )
    return 0


def _backfill(args: argparse.Namespace) -> int:
    from chiso766.periods import Period, months_between, today_in_vietnam

    settings = _checked_settings(args)
    first, last = Period.parse(args.first), Period.parse(args.last)
    months_between(first, last)  # refuses a range that is not months, or runs backwards
    last.ensure_started(today_in_vietnam())
    names = _province_names(args, settings)
    from flows.backfill import backfill

    with quiet_flow_runs(args.verbose):
        report = backfill(
            settings,
            names,
            first.label,
            last.label,
            refresh=args.refresh,
            detail=args.detail,
            show_progress=sys.stderr.isatty(),
        )
    return _finish(report, f"Backfill {first} to {last}")


def _finish(report, what: str) -> int:
    """Print the summary table; exit 4 after a block, 3 or 5 after failed periods, else 0."""
    from chiso766.runs import summary_table

    print(summary_table(report))
    if report.files:
        print(f"Wrote {len(report.files)} appendix files of months final today:")
        print("\n".join(f"  {path}" for path in report.files))
    if report.blocked:
        print(f"chiso766: {what} stopped: {report.blocked}", file=sys.stderr)
        return EXIT_BLOCKED
    failed = report.counts()["failed"]
    if failed:
        print(f"chiso766: {what}: {failed} periods failed; run it again later.", file=sys.stderr)
        return 3
    if report.nothing_new:
        print(f"{what}: nothing new.")
    return 0


def _day(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InputError(f"--date {text!r} is not a date; write it as 2026-10-15.") from None
