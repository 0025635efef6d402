"""The main job on the embedded default: the bundled stand-in portal and a SQLite file.

It starts the stand-in on 127.0.0.1, captures Hải Phòng for January 2026 from it over HTTP
through the Prefect flow, stores the result in ``<out>/warehouse.sqlite`` (raw answers under
``<out>/archive``) and writes Phụ lục I and II in every format into ``<out>``.
"""

from pathlib import Path

from chiso766.quiet import quiet_flow_runs
from chiso766.settings import Settings
from chiso766.summary import appendix_summary, capture_summary

DEMO_PROVINCE = "31"  # Hải Phòng, whose published notice of January 2026 the stand-in holds
DEMO_PERIOD = "2026-01"


def run_demo(out_dir: Path, *, verbose: bool = False) -> str:
    """Run the demo into ``out_dir`` and return its summary."""
    from chiso766.standin import running_standin
    from emit import FORMATS
    from emit.files import ensure_writable_folder
    from flows.capture import capture_period

    ensure_writable_folder(out_dir)
    with running_standin() as portal_url:
        settings = Settings.from_env().with_overrides(
            portal_url=portal_url,
            database_url=f"sqlite:///{out_dir / 'warehouse.sqlite'}",
            archive_dir=out_dir / "archive",
            data_dir=out_dir,
        )
        with quiet_flow_runs(verbose):
            report, appendix = capture_period(
                settings, DEMO_PROVINCE, DEMO_PERIOD, out_dir=out_dir, formats=FORMATS
            )
    return "\n".join(
        [
            capture_summary(report, settings),
            appendix_summary(appendix),
            f"Query the warehouse: sqlite3 {out_dir / 'warehouse.sqlite'}",
        ]
    )
