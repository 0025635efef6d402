"""Time a backfill of all 34 provinces over ten months against the local stand-in.

    uv run python benchmarks/bench_backfill.py [--interval 0.05] [--first 2026-01] [--last 2026-10]

Starts the stand-in (believing it is 20 October 2026) on a free port, then runs the backfill flow
into a fresh SQLite warehouse in a temporary folder, with ``--interval`` seconds between request
starts. Prints the requests sent, the wall time of the flow (the Prefect server is started by a
warm-up flow first and not counted), the politeness floor (requests × interval: no run can be
faster) and the ratio of the wall time to that floor.
"""

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--first", default="2026-01")
    parser.add_argument("--last", default="2026-10")
    args = parser.parse_args()

    from prefect import flow

    from chiso766.provinces import all_provinces
    from chiso766.settings import Settings
    from chiso766.standin import create_app, running_standin
    from extract.politeness import politeness_for
    from flows.backfill import backfill

    flow(lambda: None, name="warm-up")()  # start Prefect's temporary server outside the timing
    provinces = [p.short_name for p in all_provinces()]
    with (
        tempfile.TemporaryDirectory() as folder,
        running_standin(app=create_app(today=date(2026, 10, 20))) as url,
    ):
        settings = Settings.from_env({}).with_overrides(
            portal_url=url,
            database_url=f"sqlite:///{Path(folder) / 'warehouse.sqlite'}",
            data_dir=Path(folder),
            archive_dir=Path(folder) / "archive",
            min_interval=args.interval,
        )
        budget = politeness_for(url.split("//", 1)[1], args.interval, 1)
        started = time.perf_counter()
        report = backfill(settings, provinces, args.first, args.last, show_progress=True)
        wall = time.perf_counter() - started

    floor = budget.requests * args.interval
    counts = report.counts()
    print(
        f"{len(provinces)} provinces × {args.first}..{args.last}: "
        + ", ".join(
            f"{counts[name]} {name}" for name in ("captured", "final", "identical", "failed")
        )
    )
    print(f"requests       {budget.requests}")
    print(f"wall time      {wall:.1f} s ({wall / max(1, budget.requests):.3f} s per request)")
    print(f"floor          {floor:.1f} s (requests × {args.interval} s)")
    print(f"ratio          {wall / floor:.2f}" if floor else "ratio          n/a")


if __name__ == "__main__":
    main()
