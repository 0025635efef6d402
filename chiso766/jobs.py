"""The steps of the pipeline as plain functions: the flows' tasks and the CLI call these.

``fetch`` talks to the portal, ``match`` is pure, ``store`` writes the warehouse, ``emit`` reads
it and writes files. None of them needs Prefect; the flows only put them in order.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chiso766.periods import VIETNAM, Period
from chiso766.provinces import Province
from chiso766.settings import Settings
from extract.archive import Archive
from extract.client import Answer, PortalClient
from extract.ranking import fetch_province_ranking
from load.exceptions import WarehouseError
from load.warehouse import StoredObservation, Warehouse
from transform.appendix import Appendix, build_appendix
from transform.provenance import provenance
from transform.ranking import parse_ranking
from transform.units import (
    MatchResult,
    match_units,
    official_communes,
    split_unit_name,
    unit_label,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaptureReport:
    """What one capture of a province and period did, with figures for the summary."""

    province: Province
    period: Period
    departments: int
    communes: int
    corrections: list[tuple[str, str]]
    review: list[tuple[str, str]]
    new_departments: tuple[str, ...]
    stored: StoredObservation
    synthetic: bool
    archive_path: str | None


@dataclass(frozen=True)
class AppendixReport:
    appendix: Appendix
    files: list[Path] = field(default_factory=list)
    observation_id: int = 0


def client_for(settings: Settings) -> PortalClient:
    """A portal client with the settings' politeness, archiving into the settings' archive."""
    return PortalClient(
        settings.portal_url,
        archive=Archive(settings.archive_dir),
        min_interval=settings.min_interval,
        max_concurrency=settings.max_concurrency,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_retries=settings.max_retries,
    )


def open_warehouse(settings: Settings) -> Warehouse:
    warehouse = Warehouse(settings.database_url)
    warehouse.initialise()
    return warehouse


def fetch(settings: Settings, province: Province, period: Period) -> Answer:
    """Ask the portal for the province's ranking in ``period`` (archived before it is parsed)."""
    with client_for(settings) as client:
        return fetch_province_ranking(client, province, period)


def match(answer: Answer, province: Province, warehouse: Warehouse) -> MatchResult:
    """Parse the ranking and give every row its canonical unit (or a place on the review list)."""
    table = parse_ranking(answer.payload, province)
    departments = warehouse.department_register(province.code)
    return match_units(table, province, official_communes(province.code), departments)


def store(
    warehouse: Warehouse, answer: Answer, province: Province, period: Period, result: MatchResult
) -> CaptureReport:
    """Store the matched ranking as one observation and describe what happened."""
    synthetic, note = provenance(answer.data)
    stored = warehouse.store_ranking(
        answer.raw, province, period, result, synthetic=synthetic, source_note=note
    )
    table = result.table
    report = CaptureReport(
        province=province,
        period=period,
        departments=int((table["kind"] == "department").sum()),
        communes=int((table["kind"] != "department").sum()),
        corrections=[
            (c.raw_name, unit_label(c.kind, c.canonical_name)) for c in result.corrections
        ],
        review=[(r.raw_name, r.reason) for r in result.review],
        new_departments=tuple(d.name for d in result.new_departments),
        stored=stored,
        synthetic=synthetic,
        archive_path=str(answer.raw.path) if answer.raw.path else None,
    )
    logger.info(
        "captured %s %s: %d departments, %d communes, %d names corrected, %d for review%s",
        province.short_name, period, report.departments, report.communes,
        len(report.corrections), len(report.review),
        "" if stored.created else " (identical to an observation already stored)",
    )  # fmt: skip
    return report


def capture(settings: Settings, province: Province, period: Period) -> CaptureReport:
    """Fetch, match and store one province and period, without Prefect."""
    answer = fetch(settings, province, period)
    warehouse = open_warehouse(settings)
    try:
        return store(warehouse, answer, province, period, match(answer, province, warehouse))
    finally:
        warehouse.close()


def emit(
    warehouse: Warehouse,
    province: Province,
    period: Period,
    out_dir: Path,
    formats: tuple[str, ...],
    *,
    as_of: datetime | None = None,
) -> AppendixReport:
    """Write the appendix tables of the latest observation (or the one current ``as_of``)."""
    from emit import write_appendix

    appendix, observation_id = appendix_of(warehouse, province, period, as_of=as_of)
    files = write_appendix(appendix, out_dir, formats)
    logger.info(
        "wrote the appendix of %s %s (observation %d): %s",
        province.short_name, period, observation_id, ", ".join(f.name for f in files),
    )  # fmt: skip
    return AppendixReport(appendix=appendix, files=files, observation_id=observation_id)


def appendix_of(
    warehouse: Warehouse, province: Province, period: Period, *, as_of: datetime | None = None
) -> tuple[Appendix, int]:
    """The appendix built from the warehouse alone, with the observation it came from."""
    observation = warehouse.latest_observation(province.code, period.label, as_of=as_of)
    if observation is None:
        when = f" as of {as_of:%Y-%m-%d}" if as_of else ""
        raise WarehouseError(
            f"The warehouse at {warehouse.display_url} holds no ranking of "
            f"{province.short_name} for {period}{when}; run 'chiso766 capture --province "
            f'"{province.short_name}" --period {period}\' first.'
        )
    scores = warehouse.observation_scores(observation.id)
    unmatched = scores["canonical_name"].isna()
    scores.loc[unmatched, "canonical_name"] = [
        split_unit_name(raw, province)[1] for raw in scores.loc[unmatched, "raw_name"]
    ]
    corrections = [
        (raw, unit_label(kind, name))
        for raw, kind, name, corrected in zip(
            scores["raw_name"],
            scores["kind"],
            scores["canonical_name"],
            scores["corrected"],
            strict=True,
        )
        if corrected
    ]
    captured_at = observation.captured_at
    extracted_on = (
        (captured_at if captured_at.tzinfo else captured_at.replace(tzinfo=_utc()))
        .astimezone(VIETNAM)
        .date()
    )
    appendix = build_appendix(
        scores,
        province,
        period,
        extracted_on=extracted_on,
        synthetic=observation.synthetic,
        source_note=observation.source_note,
        corrections=corrections,
    )
    return appendix, observation.id


def _utc():
    from datetime import UTC

    return UTC
