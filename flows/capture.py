"""The flow for one province and one period: extract → transform → load → emit.

The tasks wrap the plain functions of ``chiso766.jobs``; nothing here decides anything. Fetches
are never cached (a cached fetch would return last month's answer) and retried by the HTTP
client alone, so the tasks themselves do not retry.
"""

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import find_province
from chiso766.settings import Settings


@task(name="extract ranking", cache_policy=NO_CACHE)
def extract_task(settings: Settings, province, period):
    return jobs.fetch(settings, province, period)


@task(name="transform ranking", cache_policy=NO_CACHE)
def transform_task(answer, province, warehouse):
    return jobs.match(answer, province, warehouse)


@task(name="load observation", cache_policy=NO_CACHE)
def load_task(warehouse, answer, province, period, result):
    return jobs.store(warehouse, answer, province, period, result)


@task(name="emit appendix", cache_policy=NO_CACHE)
def emit_task(warehouse, province, period, out_dir: Path, formats: tuple[str, ...]):
    return jobs.emit(warehouse, province, period, out_dir, formats)


@task(name="extract score groups", cache_policy=NO_CACHE)
def extract_details_task(settings: Settings, province, period):
    return jobs.fetch_details(settings, province, period)


@task(name="load score groups", cache_policy=NO_CACHE)
def load_details_task(warehouse, answers, ranking, province, report):
    return jobs.store_details(warehouse, answers, ranking, province, report)


@flow(name="capture-period", log_prints=False, validate_parameters=False)
def capture_period(
    settings: Settings,
    province: str,
    period: str,
    out_dir: Path | None = None,
    formats: tuple[str, ...] = ("csv", "md", "xlsx", "docx"),
    detail: bool = False,
):
    """Capture one province and period; with ``out_dir``, also write its appendix files.

    With ``detail``, the six score groups are captured too and attached to the observation,
    and the flow returns their report as a third value.
    """
    where, when = find_province(province), Period.parse(period)
    answer = extract_task(settings, where, when)
    warehouse = jobs.open_warehouse(settings)
    try:
        result = transform_task(answer, where, warehouse)
        report = load_task(warehouse, answer, where, when, result)
        if detail:
            answers = extract_details_task(settings, where, when)
            details = load_details_task(warehouse, answers, answer, where, report)
        appendix = emit_task(warehouse, where, when, out_dir, formats) if out_dir else None
    finally:
        warehouse.close()
    return (report, appendix, details) if detail else (report, appendix)
