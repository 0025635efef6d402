"""The backfill flow: every month of a range, for one province or many, one task per month.

Each month is fetched and stored in its own task and its own transaction, so a backfill stopped
at any point (Ctrl-C, a kill, a block) keeps every month stored before it; run again, it skips
what the warehouse holds final and stores nothing twice. A block by the portal's firewall stops
the whole backfill at once; any other portal error fails that month only and the loop goes on.
"""

import logging

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from chiso766 import jobs, runs
from chiso766.periods import Period, months_between
from chiso766.progress import progress_bar
from chiso766.provinces import find_province
from chiso766.schedule import months_to_capture
from chiso766.settings import Settings
from extract.exceptions import PortalBlocked, PortalError

logger = logging.getLogger(__name__)


@task(name="capture month", cache_policy=NO_CACHE)
def capture_month_task(settings, warehouse, province, month, refresh: bool, detail: bool):
    return runs.capture_unless_final(
        settings, warehouse, province, month, refresh=refresh, detail=detail
    )


@flow(name="backfill", log_prints=False, validate_parameters=False)
def backfill(
    settings: Settings,
    provinces: list[str],
    first: str,
    last: str,
    refresh: bool = False,
    detail: bool = False,
    show_progress: bool = False,
) -> runs.RunReport:
    """Capture every month from ``first`` to ``last`` for each province, oldest month first."""
    places = [find_province(name) for name in provinces]
    months = months_between(Period.parse(first), Period.parse(last))
    report = runs.RunReport(flow="backfill")
    warehouse = jobs.open_warehouse(settings)
    try:
        todo = []
        for province in places:
            final = {m for m in months if runs.is_final(warehouse, province, m)}
            wanted = set(months_to_capture(months, final, refresh=refresh))
            for month in months:
                if month in wanted:
                    todo.append((province, month))
                else:
                    report.results.append(
                        runs.PeriodResult(province.short_name, month.label, "final")
                    )
        logger.info(
            "backfill %s to %s for %d provinces: %d months to fetch, %d already final",
            first, last, len(places), len(todo), len(report.results),
        )  # fmt: skip
        with progress_bar(len(todo), enabled=show_progress) as bar:
            for province, month in todo:
                bar.fetching(province.short_name, month.label)
                try:
                    result = capture_month_task(
                        settings, warehouse, province, month, refresh, detail
                    )
                except PortalBlocked as error:
                    report.blocked = str(error)
                    logger.warning(
                        "backfill stopped at %s %s: %s", province.short_name, month, error
                    )
                    break
                except PortalError as error:
                    result = runs.PeriodResult(
                        province.short_name, month.label, "failed", reason=str(error)
                    )
                    logger.warning(
                        "backfill of %s %s failed: %s", province.short_name, month, error
                    )
                report.results.append(result)
                bar.advance()
    finally:
        warehouse.close()
    runs.record_run(settings, report, first=first, last=last, provinces=",".join(provinces))
    return report
