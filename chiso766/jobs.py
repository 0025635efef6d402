"""The steps of the pipeline as plain functions: the flows' tasks and the CLI call these.

``fetch`` talks to the portal, ``match`` is pure, ``store`` writes the warehouse, ``emit`` reads
it and writes files. None of them needs Prefect; the flows only put them in order.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from chiso766.periods import VIETNAM, Period
from chiso766.provinces import Province, find_province
from chiso766.settings import Settings
from extract.archive import Archive, RawAnswer
from extract.client import Answer, PortalClient
from extract.detail import fetch_details as fetch_all
from extract.global_limit import global_slot_taker
from extract.ranking import fetch_province_ranking
from extract.replay import REPLAY_BASE_URL, ReplayTransport, archive_root, archived_answers
from load.detail_store import StoredDetails, observation_groups
from load.detail_store import store_details as store_all
from load.exceptions import WarehouseError
from load.warehouse import StoredObservation, Warehouse, aware_utc
from transform.appendix import Appendix, build_appendix
from transform.detail import match_details, parse_details
from transform.exceptions import TransformError
from transform.history import FINAL, PROVISIONAL, observation_status
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
    status: str = "provisional"  # or "final": see transform.history
    # The observation this one follows, and the units that moved since (for a new observation).
    previous: tuple[int, datetime] | None = None
    changes: pd.DataFrame | None = None


@dataclass(frozen=True)
class AppendixReport:
    appendix: Appendix
    files: list[Path] = field(default_factory=list)
    observation_id: int = 0
    status: str = "provisional"


def client_for(settings: Settings) -> PortalClient:
    """A portal client with the settings' politeness, archiving into the settings' archive.

    A portal URL ``replay:DIR`` answers from the raw archive in DIR instead of the network.
    """
    replay_root = archive_root(settings.portal_url)
    if replay_root is not None:
        return PortalClient(
            REPLAY_BASE_URL,
            archive=Archive(None),
            min_interval=0.0,
            max_retries=0,
            transport=ReplayTransport(replay_root),
        )
    return PortalClient(
        settings.portal_url,
        archive=Archive(settings.archive_dir),
        min_interval=settings.min_interval,
        max_concurrency=settings.max_concurrency,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_retries=settings.max_retries,
        backoff_base=settings.backoff_base,
        backoff_cap=settings.backoff_cap,
        global_slot=global_slot_taker(settings.global_limit),
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
    """Parse the ranking and give every row its canonical unit (or a place on the review list).

    An answer that cannot be used raises a ``TransformError`` naming the field and the unit, and
    where its raw body is kept for inspection.
    """
    try:
        table = parse_ranking(answer.payload, province)
    except TransformError as error:
        raise TransformError(f"{error}{_kept_at(answer)}") from None
    departments = warehouse.department_register(province.code)
    return match_units(table, province, official_communes(province.code), departments)


def _kept_at(answer: Answer) -> str:
    """Where the raw body of a refused answer is kept, as the end of the error's sentence."""
    where = answer.raw.path or "no archive"
    return f" The raw answer is kept at {where}."


def store(
    warehouse: Warehouse, answer: Answer, province: Province, period: Period, result: MatchResult
) -> CaptureReport:
    """Store the matched ranking as one observation and describe what happened."""
    synthetic, note = provenance(answer.data)
    stored = warehouse.store_ranking(
        answer.raw, province, period, result, synthetic=synthetic, source_note=note
    )
    table = result.table
    previous, changes = None, None
    if stored.created:
        before = warehouse.previous_observation(stored.observation_id)
        if before is not None:
            previous = (before.id, before.captured_at)
            changes = warehouse.compare_observations(before.id, stored.observation_id)
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
        status=observation_status(period, answer.raw.captured_at),
        previous=previous,
        changes=changes,
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


def replay_archive(warehouse: Warehouse, root: Path) -> list[CaptureReport]:
    """Store every province ranking kept in the raw archive at ``root`` again, oldest first.

    Answers the warehouse already holds change nothing; after a fix in ``transform/``, replaying
    into a fresh warehouse rebuilds every observation with it. Unusable answers (errors, blocks)
    are skipped, as they were when captured.
    """
    from extract.client import _validated
    from extract.exceptions import PortalAnswerError
    from extract.ranking import RANKING_ENDPOINT

    reports = []
    for archived in archived_answers(root, RANKING_ENDPOINT):
        meta = archived.meta
        if meta.get("scope") == "national" or not meta.get("period"):
            continue
        province, period = find_province(meta["scope"]), Period.parse(meta["period"])
        raw = RawAnswer(
            endpoint=meta["endpoint"],
            url=meta["url"],
            request_body=meta["request_body"],
            status=meta["status"],
            content_type=meta["content_type"],
            body=archived.read(),
            sha256=meta["sha256"],
            captured_at=archived.captured_at,
            scope=meta["scope"],
            period=meta["period"],
            path=archived.body_path,
        )
        try:
            answer = _validated(raw, f"{RANKING_ENDPOINT} for {province.code} {period}")
        except PortalAnswerError as error:
            logger.info("skipped %s: %s", archived.body_path, error)
            continue
        reports.append(
            store(warehouse, answer, province, period, match(answer, province, warehouse))
        )
    return reports


def emit(
    warehouse: Warehouse,
    province: Province,
    period: Period,
    out_dir: Path,
    formats: tuple[str, ...],
    *,
    as_of: datetime | None = None,
    groups: bool = False,
) -> AppendixReport:
    """Write the appendix tables of the latest observation (or the one current ``as_of``).

    ``groups`` adds the six score groups and each unit's weakest (see ``appendix_of``).
    """
    from emit import write_appendix

    appendix, observation_id = appendix_of(warehouse, province, period, as_of=as_of, groups=groups)
    files = write_appendix(appendix, out_dir, formats)
    status = PROVISIONAL if appendix.provisional else FINAL
    logger.info(
        "wrote the appendix of %s %s (observation %d): %s",
        province.short_name, period, observation_id, ", ".join(f.name for f in files),
    )  # fmt: skip
    return AppendixReport(
        appendix=appendix, files=files, observation_id=observation_id, status=status
    )


def appendix_of(
    warehouse: Warehouse,
    province: Province,
    period: Period,
    *,
    as_of: datetime | None = None,
    groups: bool = False,
) -> tuple[Appendix, int]:
    """The appendix built from the warehouse alone, with the observation it came from.

    With ``groups`` it also holds the six score groups stored by ``capture --detail``; an
    observation without them is a WarehouseError that says how to capture them.
    """
    observation = warehouse.latest_observation(province.code, period.label, as_of=as_of)
    if observation is None:
        when = f" as of {as_of:%Y-%m-%d}" if as_of else ""
        raise WarehouseError(
            f"The warehouse at {warehouse.display_url} holds no ranking of "
            f"{province.short_name} for {period}{when}; run 'chiso766 capture --province "
            f'"{province.short_name}" --period {period}\' first.'
        )
    scores = warehouse.observation_scores(observation.id)
    drill_down = observation_groups(warehouse, observation.id) if groups else None
    if groups and drill_down is None:
        raise WarehouseError(
            f"The ranking of {province.short_name} for {period} (observation {observation.id}) "
            f"has no score groups stored; run 'chiso766 capture --province "
            f'"{province.short_name}" --period {period} --detail\' first.'
        )
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
    extracted_on = aware_utc(captured_at).astimezone(VIETNAM).date()
    provisional = observation_status(period, captured_at) == PROVISIONAL
    appendix = build_appendix(
        scores,
        province,
        period,
        extracted_on=extracted_on,
        synthetic=observation.synthetic,
        source_note=observation.source_note,
        corrections=corrections,
        provisional=provisional,
        groups=None if drill_down is None else drill_down[0],
        metrics=None if drill_down is None else drill_down[1],
    )
    return appendix, observation.id


@dataclass(frozen=True)
class DetailReport:
    """What capturing the six score groups of a province and period did."""

    summary: str
    stored: StoredDetails
    missing: list[tuple[str, int, str]]
    not_in_ranking: list[tuple[str, str]]
    sum_mismatches: list[tuple[str, float, float]]


def fetch_details(
    settings: Settings, province: Province, period: Period, formality_id: str | None = None
) -> list[Answer]:
    """Every page of the six detail endpoints (each archived before it is parsed)."""
    with client_for(settings) as client:
        return fetch_all(client, province, period, formality_id)


def store_details(
    warehouse: Warehouse,
    answers: list[Answer],
    ranking: Answer,
    province: Province,
    report: CaptureReport,
) -> DetailReport:
    """Parse and match the six groups like the ranking, and attach them to its observation."""
    details = parse_details([(a.raw.endpoint, a.payload) for a in answers], province)
    ranked = match(ranking, province, warehouse).table  # against the register as stored now
    departments = warehouse.department_register(province.code)
    matched = match_details(
        details, province, official_communes(province.code), departments, ranked
    )
    raws = [a.raw for a in answers]
    stored = store_all(warehouse, report.stored.observation_id, matched, raws)
    logger.info(
        "captured the score groups of %s %s: %s",
        province.short_name, report.period, matched.summary(),
    )  # fmt: skip
    for name, total, summed in matched.sum_mismatches:
        logger.warning(
            "%s %s: the six group scores of %s add up to %s, its ranking total is %s",
            province.short_name, report.period, name, summed, total,
        )  # fmt: skip
    return DetailReport(
        matched.summary(),
        stored,
        matched.missing,
        matched.not_in_ranking,
        matched.sum_mismatches,
    )
