"""Store the six score groups of a province and period beside its ranking observation.

Everything is written in one transaction: the captures of every page, the group scores, the
metrics and the gaps, or nothing. An observation keeps the first drill-down stored for it: a group
already stored for the observation is left as it is and reported, because an observation is
immutable once written (a ranking with new content is a new observation, with its own groups).
"""

import logging
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from extract.archive import RawAnswer
from load.detail_models import GroupGapRow, GroupScoreRow, MetricRow
from load.exceptions import WarehouseError
from load.models import CaptureRow, ObservationRow, ScoreRow, UnitRow
from load.warehouse import Warehouse, _capture_row, _none
from transform.detail import METRIC_COLUMNS, DetailMatch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredDetails:
    observation_id: int
    groups: tuple[str, ...]  # the groups written now
    skipped: tuple[str, ...]  # the groups the observation already had
    group_scores: int
    metrics: int
    gaps: int
    unplaced: int  # group rows stored without a unit


def store_details(
    warehouse: Warehouse, observation_id: int, details: DetailMatch, raws: list[RawAnswer]
) -> StoredDetails:
    """Store matched groups (from ``match_details``) and the raw pages they were parsed from.

    ``raws`` are the pages in the order they were fetched, each endpoint's pages in page order.
    """
    with Session(warehouse.engine) as session, session.begin():
        observation = session.get(ObservationRow, observation_id)
        if observation is None:
            raise WarehouseError(
                f"The warehouse at {warehouse.display_url} has no observation {observation_id} "
                "to attach the score groups to."
            )
        done = set(
            session.scalars(
                select(GroupScoreRow.group_code)
                .where(GroupScoreRow.observation_id == observation_id)
                .distinct()
            )
        )
        captures = _store_captures(session, raws)
        resolve = _UnitResolver(session, observation.province_code)

        groups = details.groups
        codes = [*details.provinces.get("group_code", []), *groups["group_code"]]
        wanted = [code for code in dict.fromkeys(codes) if code not in done]
        counts = {"scores": 0, "metrics": 0, "gaps": 0, "unplaced": 0}
        for row in details.provinces.to_dict("records"):
            if row["group_code"] in done:
                continue
            session.add(_score_row(observation_id, row, None, "province", captures))
            counts["scores"] += 1
        for row in groups.to_dict("records"):
            if row["group_code"] in done:
                continue
            unit_id = resolve(row)
            counts["unplaced"] += unit_id is None
            session.add(_score_row(observation_id, row, unit_id, row["match"], captures))
            counts["scores"] += 1
        session.flush()

        for row in details.metrics.to_dict("records"):
            if row["group_code"] in done:
                continue
            session.add(
                MetricRow(
                    observation_id=observation_id,
                    **{k: _none(row[k]) for k in _METRIC_FIELDS},
                )
            )
            counts["metrics"] += 1

        ranked = dict(
            session.execute(
                select(ScoreRow.position, ScoreRow.unit_id).where(
                    ScoreRow.observation_id == observation_id
                )
            ).all()
        )
        for group_code, position, raw_name in details.missing:
            if group_code in done:
                continue
            session.add(
                GroupGapRow(
                    observation_id=observation_id,
                    group_code=group_code,
                    ranking_position=position,
                    unit_id=ranked.get(position),
                    raw_name=raw_name,
                    reason=f"The {group_code} answer has no row for this unit of the ranking.",
                )
            )
            counts["gaps"] += 1

    stored = StoredDetails(
        observation_id,
        tuple(wanted),
        tuple(sorted(done)),
        counts["scores"],
        counts["metrics"],
        counts["gaps"],
        counts["unplaced"],
    )
    logger.info(
        "stored the score groups of observation %d: %s; %d metrics, %d gaps, %d rows unplaced%s",
        observation_id, ", ".join(stored.groups) or "none", stored.metrics, stored.gaps,
        stored.unplaced,
        f" (already held: {', '.join(stored.skipped)})" if stored.skipped else "",
    )  # fmt: skip
    return stored


def observation_groups(
    warehouse: Warehouse, observation_id: int
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The group scores and metrics stored with an observation; None when it has no drill-down.

    Both frames carry ``unit_id`` (None for a row left unplaced) and ``raw_name`` to join them to
    the observation's ranking rows; the province's own rows (position 0) are left out. Group
    rows come in group and portal order, metrics in group, portal and metric order.
    """
    groups_query = (
        select(
            GroupScoreRow.group_code,
            GroupScoreRow.position,
            GroupScoreRow.unit_id,
            GroupScoreRow.raw_name,
            GroupScoreRow.score,
            GroupScoreRow.max_score,
        )
        .where(GroupScoreRow.observation_id == observation_id, GroupScoreRow.position > 0)
        .order_by(GroupScoreRow.group_code, GroupScoreRow.position)
    )
    metrics_query = (
        select(
            MetricRow.group_code,
            MetricRow.position,
            GroupScoreRow.unit_id,
            GroupScoreRow.raw_name,
            MetricRow.metric_code,
            MetricRow.name,
            MetricRow.numerator,
            MetricRow.denominator,
            MetricRow.ratio,
            MetricRow.score,
            MetricRow.max_score,
            MetricRow.data_quality_status,
        )
        .join(
            GroupScoreRow,
            and_(
                GroupScoreRow.observation_id == MetricRow.observation_id,
                GroupScoreRow.group_code == MetricRow.group_code,
                GroupScoreRow.position == MetricRow.position,
            ),
        )
        .where(MetricRow.observation_id == observation_id, MetricRow.position > 0)
        .order_by(MetricRow.group_code, MetricRow.position, MetricRow.metric_code)
    )
    with warehouse.engine.connect() as connection:
        groups = connection.execute(groups_query).mappings().all()
        if not groups:
            return None
        metrics = connection.execute(metrics_query).mappings().all()
    return (
        pd.DataFrame(groups, columns=list(groups_query.selected_columns.keys())),
        pd.DataFrame(metrics, columns=list(metrics_query.selected_columns.keys())),
    )


# The parser's metric columns that the metric table keeps (the unit is keyed by position).
_METRIC_FIELDS = tuple(column for column in METRIC_COLUMNS if column != "portal_id")


def _store_captures(session: Session, raws: list[RawAnswer]) -> dict[tuple[str, int], int]:
    """Each page's capture row, keyed by (endpoint, page number)."""
    ids: dict[tuple[str, int], int] = {}
    pages: dict[str, int] = {}
    for raw in raws:
        pages[raw.endpoint] = pages.get(raw.endpoint, 0) + 1
        known = session.scalar(  # the same page stored before is the same capture
            select(CaptureRow.id).where(
                CaptureRow.sha256 == raw.sha256,
                CaptureRow.endpoint == raw.endpoint,
                CaptureRow.scope == raw.scope,
                CaptureRow.period == raw.period,
                CaptureRow.captured_at == raw.captured_at,
            )
        )
        if known is None:
            capture = _capture_row(raw)
            session.add(capture)
            session.flush()
            known = capture.id
        ids[raw.endpoint, pages[raw.endpoint]] = known
    return ids


def _score_row(observation_id, row, unit_id, match, captures) -> GroupScoreRow:
    key = (row["endpoint"], int(row["page"]))
    if key not in captures:
        raise WarehouseError(
            f"No raw answer was given for page {key[1]} of {key[0]}, where "
            f"{row['raw_name']} was read; the score groups were not stored."
        )
    return GroupScoreRow(
        observation_id=observation_id,
        group_code=row["group_code"],
        position=int(row["position"]),
        capture_id=captures[key],
        unit_id=unit_id,
        kind=row["kind"],
        raw_name=row["raw_name"],
        portal_id=row["portal_id"],
        portal_code=_none(row["portal_code"]),
        score=_none(row["score"]),
        max_score=_none(row["max_score"]),
        ratio=_none(row["ratio"]),
        score_delta=_none(row["score_delta"]),
        match=match,
    )


class _UnitResolver:
    """The warehouse unit of a matched row: by official code, register id, portal id, name."""

    def __init__(self, session: Session, province_code: str):
        units = session.execute(
            select(UnitRow.id, UnitRow.kind, UnitRow.official_code, UnitRow.portal_id, UnitRow.name)
            .where(UnitRow.province_code == province_code)
        ).all()  # fmt: skip
        self.codes = {u.official_code: u.id for u in units if u.official_code}
        departments = [u for u in units if u.kind == "department"]
        self.ids = {u.id for u in departments}
        self.portal_ids = {u.portal_id: u.id for u in departments if u.portal_id}
        self.names = {u.name: u.id for u in departments}

    def __call__(self, row: dict) -> int | None:
        if row["match"] == "review":
            return None
        if row["kind"] != "department":
            return self.codes.get(row.get("official_code"))
        department_id = _none(row.get("department_id"))
        if department_id is not None and int(department_id) in self.ids:
            return int(department_id)
        return self.portal_ids.get(row["portal_id"]) or self.names.get(row.get("canonical_name"))
