"""The ``chiso766`` command: a thin shell over ``chiso766.jobs`` and the flows.

Every error a user can cause ends in one sentence on standard error and a non-zero exit code:
2 for bad input, 3 for an unreachable portal, 4 for a block by its firewall, 5 for an answer
that cannot be used, 6 for a warehouse that cannot be opened. ``--debug`` shows tracebacks.
"""

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from chiso766 import __version__
from chiso766.errors import Chiso766Error, InputError
from chiso766.quiet import quiet_flow_runs

logger = logging.getLogger("chiso766")

DEFAULT_FORMATS = "csv,md,xlsx,docx"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return int(args.run(args) or 0)
    except Chiso766Error as error:
        if args.debug:
            raise
        print(f"chiso766: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(
            "chiso766: stopped by the user; everything stored so far is complete.", file=sys.stderr
        )
        return 130
    except Exception as error:  # a defect of chiso766, not of the input
        if args.debug:
            raise
        print(
            f"chiso766: internal error ({type(error).__name__}: {error}); "
            "run again with --debug for the details and report it.",
            file=sys.stderr,
        )
        return 70


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chiso766",
        description="Capture the national portal's Bộ chỉ số 766 rankings, keep them in a "
        "warehouse and write the appendix tables of the monthly notice.",
    )
    parser.add_argument("--version", action="version", version=f"chiso766 {__version__}")
    parser.set_defaults(run=lambda _args: parser.print_help(), verbose=False, debug=False)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    common.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="the main job offline: stand-in portal, Hải Phòng 2026-01, appendix files",
    )
    demo.add_argument("--out", type=Path, default=Path("chiso766-demo"), help="output folder")
    demo.set_defaults(run=_demo)

    standin = commands.add_parser(
        "standin", parents=[common], help="run the stand-in portal in the foreground"
    )
    standin.add_argument("--host", default="127.0.0.1")
    standin.add_argument("--port", type=int, default=8766)
    standin.add_argument(
        "--today", help="the simulated date in Vietnam, 2026-10-15 (default: the clock)"
    )
    standin.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[=PROBABILITY]",
        help="fail requests on purpose: timeout, reset, 503, waf, missing-field… (repeatable)",
    )
    standin.add_argument("--seed", type=int, help="seed of the faults' random draws")
    standin.add_argument(
        "--fault-delay", type=float, default=50.0, help="seconds a timeout or hang lasts (50)"
    )
    standin.set_defaults(run=_standin)

    capture = commands.add_parser(
        "capture", parents=[common], help="capture one province and period into the warehouse"
    )
    _where_and_when(capture)
    capture.add_argument("--portal", help="portal base URL (default: CHISO766_PORTAL_URL)")
    capture.add_argument("--db", help="warehouse URL (default: CHISO766_DATABASE_URL)")
    capture.add_argument(
        "--min-interval", type=float, help="seconds between two requests (default 1)"
    )
    capture.add_argument(
        "--detail", action="store_true", help="also capture the six score groups and metrics"
    )
    capture.set_defaults(run=_capture)

    appendix = commands.add_parser(
        "appendix", parents=[common], help="write Phụ lục I and II from the warehouse"
    )
    _where_and_when(appendix)
    appendix.add_argument("--db", help="warehouse URL (default: CHISO766_DATABASE_URL)")
    appendix.add_argument("--out", type=Path, default=Path("."), help="output folder")
    appendix.add_argument(
        "--format", default=DEFAULT_FORMATS, help=f"comma-separated (default {DEFAULT_FORMATS})"
    )
    appendix.add_argument(
        "--as-of", help="YYYY-MM-DD: the tables as they stood at the end of that day (Vietnam)"
    )
    appendix.add_argument(
        "--groups",
        action="store_true",
        help="add the six score groups and each unit's weakest (needs capture --detail)",
    )
    appendix.set_defaults(run=_appendix)

    db = commands.add_parser("db", parents=[common], help="manage the warehouse's schema")
    db_commands = db.add_subparsers(title="db commands", metavar="ACTION")
    db.set_defaults(run=lambda _args: db.print_help())
    upgrade = db_commands.add_parser(
        "upgrade", parents=[common], help="migrate the warehouse to the newest schema"
    )
    upgrade.add_argument("--db", help="warehouse URL (default: CHISO766_DATABASE_URL)")
    upgrade.set_defaults(run=_db_upgrade)

    replay = commands.add_parser(
        "replay",
        parents=[common],
        help="store every ranking answer of a raw archive again, oldest first",
    )
    replay.add_argument("--archive", required=True, type=Path, help="the raw archive's folder")
    replay.add_argument("--db", help="warehouse URL (default: CHISO766_DATABASE_URL)")
    replay.set_defaults(run=_replay)

    departments = commands.add_parser(
        "departments", parents=[common], help="list or rename a province's registered departments"
    )
    departments.add_argument("--province", required=True, help='e.g. "Hải Phòng" or 31')
    departments.add_argument("--db", help="warehouse URL (default: CHISO766_DATABASE_URL)")
    departments.add_argument(
        "--rename", nargs=2, metavar=("ID", "NAME"), help="give department ID a display name"
    )
    departments.set_defaults(run=_departments)

    from chiso766.cli_runs import add_run_commands  # nightly run|serve, backfill

    add_run_commands(commands, common)
    return parser


def _where_and_when(command: argparse.ArgumentParser) -> None:
    command.add_argument("--province", required=True, help='e.g. "Hải Phòng", "hai phong", 31')
    command.add_argument("--period", required=True, help="2026-01, 2026-Q1 or 2026")


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    # Prefect's own defaults, set before it is imported: no telemetry, a patient start of the
    # temporary server, and no traceback of a failed run on the console (the CLI says it once).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")


def _settings(args: argparse.Namespace):
    from chiso766.settings import Settings

    return Settings.from_env().with_overrides(
        portal_url=getattr(args, "portal", None),
        database_url=getattr(args, "db", None),
        min_interval=getattr(args, "min_interval", None),
    )


def _place_and_period(args: argparse.Namespace):
    from chiso766.periods import Period, today_in_vietnam
    from chiso766.provinces import find_province

    province = find_province(args.province)
    period = Period.parse(args.period)
    period.ensure_started(today_in_vietnam())
    return province, period


def _formats(text: str) -> tuple[str, ...]:
    from emit import check_formats

    return tuple(check_formats([part for part in text.split(",") if part.strip()]))


def _standin(args: argparse.Namespace) -> int:
    from datetime import date

    from chiso766.standin import create_app, serve

    today = None
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            raise InputError(
                f"--today {args.today!r} is not a date; write it as 2026-10-15."
            ) from None
    faults = _fault_plan(args)
    logging.getLogger("chiso766.standin").setLevel(logging.INFO)
    as_of = f", believing it is {today.isoformat()}" if today else ""
    with_faults = f", with faults {', '.join(args.fault)}" if faults else ""
    print(
        f"stand-in portal on http://{args.host}:{args.port}{as_of}{with_faults} (Ctrl-C to stop)",
        flush=True,
    )
    serve(args.host, args.port, app=create_app(today=today, faults=faults))
    return 0


def _fault_plan(args: argparse.Namespace):
    """The stand-in's fault plan from ``--fault``, ``--seed`` and ``--fault-delay``; or None."""
    if not args.fault:
        return None
    from chiso766.standin.faults import Fault, FaultPlan

    if args.fault_delay < 0:
        raise InputError("--fault-delay must not be negative.")
    faults = [Fault.parse(text) for text in args.fault]
    return FaultPlan(faults, seed=args.seed, delay=args.fault_delay)


def _capture(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.min_interval < 0:
        raise InputError("--min-interval must not be negative.")
    province, period = _place_and_period(args)
    from load.engine import parse_database_url

    parse_database_url(settings.database_url)
    from flows.capture import capture_period

    detail = getattr(args, "detail", False)
    with quiet_flow_runs(args.verbose):
        report, _, *details = capture_period(settings, province.code, period.label, detail=detail)
    from chiso766.summary import capture_summary

    print(capture_summary(report, settings))
    if details:
        print(_detail_summary(details[0]))
    return 0


def _detail_summary(report) -> str:
    """The score groups' lines of the capture summary: figures, then what disagrees."""
    stored = report.stored
    lines = [
        f"Score groups stored with observation {stored.observation_id}: {report.summary}; "
        f"{stored.metrics} metrics; {stored.unplaced} rows without a unit"
        + (f"; already held: {', '.join(stored.skipped)}" if stored.skipped else "")
        + "."
    ]
    lines += [f"  {group} lacks {name} (rank {pos})" for group, pos, name in report.missing]
    lines += [
        f"  {group} has {name}, which the ranking lacks" for group, name in report.not_in_ranking
    ]
    lines += [
        f"  {name}: six group scores add up to {summed}, ranking total {total}"
        for name, total, summed in report.sum_mismatches
    ]
    return "\n".join(lines)


def _appendix(args: argparse.Namespace) -> int:
    settings = _settings(args)
    province, period = _place_and_period(args)
    formats = _formats(args.format)
    from chiso766 import jobs
    from chiso766.summary import appendix_summary

    as_of = _as_of(args.as_of)
    warehouse = jobs.open_warehouse(settings)
    try:
        result = jobs.emit(
            warehouse, province, period, args.out, formats, as_of=as_of, groups=args.groups
        )
    finally:
        warehouse.close()
    print(appendix_summary(result))
    return 0


def _as_of(text: str | None):
    """The end of day ``YYYY-MM-DD`` in Vietnam, in UTC; None without ``--as-of``."""
    if text is None:
        return None
    from datetime import date

    from transform.history import end_of_day

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--as-of {text!r} is not a date; write it as YYYY-MM-DD.") from None
    return end_of_day(day)


def _db_upgrade(args: argparse.Namespace) -> int:
    from chiso766 import jobs
    from load.migrate import current_revision

    warehouse = jobs.open_warehouse(_settings(args))
    try:
        from load.views import create_views

        revision = current_revision(warehouse.engine)
        views = create_views(warehouse.engine)
        print(
            f"The warehouse at {warehouse.display_url} is at schema revision {revision}, "
            f"with {len(views)} analyst views."
        )
    finally:
        warehouse.close()
    return 0


def _replay(args: argparse.Namespace) -> int:
    from chiso766 import jobs

    if not args.archive.is_dir():
        raise InputError(f"The archive folder {args.archive} does not exist.")
    warehouse = jobs.open_warehouse(_settings(args))
    try:
        stored = jobs.replay_archive(warehouse, args.archive)
    finally:
        warehouse.close()
    created = sum(report.stored.created for report in stored)
    print(
        f"Replayed {len(stored)} ranking answers from {args.archive} into "
        f"{warehouse.display_url}: {created} new observations, "
        f"{len(stored) - created} already stored."
    )
    return 0


def _departments(args: argparse.Namespace) -> int:
    from chiso766 import jobs
    from chiso766.provinces import find_province

    province = find_province(args.province)
    warehouse = jobs.open_warehouse(_settings(args))
    try:
        if args.rename:
            raw_id, name = args.rename
            if not raw_id.isdigit() or not name.strip():
                raise InputError("--rename takes a department's number and a non-empty name.")
            old = warehouse.rename_department(province.code, int(raw_id), name.strip())
            print(f"Department {raw_id} of {province.short_name}: {old!r} is now {name.strip()!r}.")
            return 0
        for department in warehouse.department_register(province.code):
            spellings = ", ".join(a for a in department.aliases if a != department.display_name)
            print(
                f"{department.id:>6}  {department.display_name}"
                + (f"  [{spellings}]" if spellings else "")
            )
    finally:
        warehouse.close()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from chiso766.demo import run_demo

    print(run_demo(args.out.resolve(), verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
