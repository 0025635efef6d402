"""The nightly flow: observe the periods that still move, for one province or all 34.

On day D (Vietnam) it captures the month, quarter and year containing D − 1 and the months
still in their grace days (``chiso766.schedule.plan_night``), then writes the appendix files of
each month that becomes final on D into ``<out>/<D>/<province slug>/``. A block by the portal's
firewall stops the night at once, without retrying, and is recorded in ``<data dir>/runs.jsonl``;
the next night starts afresh. A night that finds nothing new adds no rows and says so.

Served on a schedule, the flow takes only plain parameters; its settings come from the
environment of the process that serves it.
"""

import logging
from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from chiso766 import jobs, runs
from chiso766.periods import today_in_vietnam
from chiso766.schedule import plan_night, provinces_of
from chiso766.settings import Settings
from emit.files import province_slug
from extract.exceptions import PortalBlocked, PortalError
from load.exceptions import WarehouseError

logger = logging.getLogger(__name__)

FORMATS = ("csv", "md", "xlsx", "docx")


@task(name="capture period", cache_policy=NO_CACHE)
def capture_task(settings, warehouse, province, period):
    return runs.capture_unless_final(settings, warehouse, province, period)


@task(name="emit final appendix", cache_policy=NO_CACHE)
def emit_task(warehouse, province, period, out_dir: Path, formats: tuple[str, ...]):
    return jobs.emit(warehouse, province, period, out_dir, formats)


@flow(name="nightly", log_prints=False, validate_parameters=False)
def nightly(
    day: str | None = None,
    provinces: list[str] | None = None,
    out_dir: str | None = None,
    settings: Settings | None = None,
    formats: tuple[str, ...] = FORMATS,
) -> runs.RunReport:
    """One nightly cycle as if on ``day`` (default: today in Vietnam)."""
    settings = settings or Settings.from_env()
    on = date.fromisoformat(day) if day else today_in_vietnam()
    places = provinces_of(",".join(provinces) if provinces else settings.nightly_provinces)
    plan = plan_night(on)
    folder = Path(out_dir) if out_dir else settings.data_dir / "appendix"
    report = runs.RunReport(flow="nightly")
    logger.info(
        "night of %s for %d provinces: observing %s; final today: %s",
        on, len(places), ", ".join(p.label for p in plan.observe),
        ", ".join(p.label for p in plan.becoming_final) or "none",
    )  # fmt: skip

    warehouse = jobs.open_warehouse(settings)
    try:
        for province in places:
            for period in plan.observe:
                try:
                    report.results.append(capture_task(settings, warehouse, province, period))
                except PortalBlocked as error:
                    report.blocked = str(error)
                    break
                except PortalError as error:
                    logger.warning("night of %s: %s %s failed: %s", on, province.short_name,
                                   period, error)  # fmt: skip
                    report.results.append(
                        runs.PeriodResult(
                            province.short_name, period.label, "failed", None, str(error)
                        )  # fmt: skip
                    )
            if report.blocked:
                logger.warning("night of %s stopped at %s: %s", on, province.short_name,
                               report.blocked)  # fmt: skip
                break
            target = folder / on.isoformat() / province_slug(province.short_name)
            for month in plan.becoming_final:
                try:
                    written = emit_task(warehouse, province, month, target, tuple(formats))
                except WarehouseError as error:  # the month could not be captured at all
                    logger.warning("night of %s: no appendix of %s %s: %s", on,
                                   province.short_name, month, error)  # fmt: skip
                    continue
                report.files.extend(written.files)
    finally:
        warehouse.close()

    if report.nothing_new:
        logger.info("night of %s: nothing new for %d provinces", on, len(places))
    runs.record_run(settings, report, day=on, provinces=",".join(p.short_name for p in places))
    return report
