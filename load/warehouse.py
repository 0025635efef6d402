"""The warehouse API: identities, captures and observations in, appendix rows out.

Every write is one transaction: an observation is stored with all its scores, new departments
and aliases, or not at all. Storing an answer the warehouse already holds (same province, period
and content) changes nothing but the time it was last seen.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from chiso766.periods import Period
from chiso766.provinces import Province, all_provinces
from extract.archive import RawAnswer, utc_now
from load.engine import open_engine, safe_url
from load.exceptions import WarehouseError
from load.migrate import current_revision, upgrade
from load.models import (
    Base,
    CaptureRow,
    ObservationRow,
    ProvinceRow,
    ScoreRow,
    UnitAliasRow,
    UnitRow,
)
from load.views import create_views, missing_views
from transform.history import compare_scores
from transform.units import Department, MatchResult, official_communes, seed_departments

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredObservation:
    observation_id: int
    created: bool  # False when the warehouse already held this very answer
    new_departments: tuple[str, ...]
    new_aliases: int


class Warehouse:
    """The warehouse at ``url``; ``initialise()`` makes its tables and seeds the identities."""

    def __init__(self, url: str, engine: Engine | None = None):
        self.url = url
        self.engine = engine or open_engine(url)

    @property
    def display_url(self) -> str:
        return safe_url(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def initialise(self) -> None:
        """Migrate the schema to the newest revision and seed provinces, communes, departments."""
        try:
            before = current_revision(self.engine)
            upgrade(self.engine)
            # Views are re-created only when the schema moved or one is missing: re-creating
            # them drops an analyst role's grants and takes locks analysts would wait on.
            if current_revision(self.engine) != before or missing_views(self.engine):
                create_views(self.engine)
            with Session(self.engine) as session, session.begin():
                self._seed(session)
        except OperationalError as error:
            raise WarehouseError(
                f"Cannot open the warehouse at {self.display_url}: {_first_line(error)}; "
                "check --db or CHISO766_DATABASE_URL."
            ) from None

    def _seed(self, session: Session) -> None:
        known = set(session.scalars(select(ProvinceRow.code)))
        now = utc_now()
        for province in all_provinces():
            if province.code in known:
                continue
            session.add(
                ProvinceRow(
                    code=province.code,
                    name=province.name,
                    portal_code=province.portal_code,
                    portal_id=province.portal_id,
                )
            )
            session.flush()
            for commune in official_communes(province.code):
                session.add(
                    UnitRow(
                        province_code=province.code,
                        kind=commune.kind,
                        official_code=commune.official_code,
                        name=commune.name,
                        origin="official_list",
                        created_at=now,
                    )
                )
            for department in seed_departments(province.code):
                session.add(
                    _department_row(
                        province.code,
                        department.display_name,
                        department.portal_id,
                        department.portal_code,
                        origin="seed",
                        now=now,
                    )
                )

    def department_register(self, province_code: str) -> list[Department]:
        """The province's registered departments with every spelling seen of each."""
        with Session(self.engine) as session:
            units = session.scalars(
                select(UnitRow)
                .where(UnitRow.province_code == province_code, UnitRow.kind == "department")
                .order_by(UnitRow.id)
            ).all()
            aliases: dict[int, list[str]] = {}
            for unit_id, spelling in session.execute(
                select(UnitAliasRow.unit_id, UnitAliasRow.spelling).where(
                    UnitAliasRow.unit_id.in_([u.id for u in units])
                )
            ):
                aliases.setdefault(unit_id, []).append(spelling)
            return [
                Department(
                    id=u.id,
                    province_code=u.province_code,
                    display_name=u.name,
                    portal_id=u.portal_id,
                    portal_code=u.portal_code,
                    aliases=tuple(aliases.get(u.id, ())),
                )
                for u in units
            ]

    def rename_department(self, province_code: str, department_id: int, display_name: str) -> str:
        """Give a registered department the display name the office wants; return the old one."""
        with Session(self.engine) as session, session.begin():
            unit = session.get(UnitRow, department_id)
            if unit is None or unit.kind != "department" or unit.province_code != province_code:
                raise WarehouseError(
                    f"No department {department_id} is registered for province {province_code}; "
                    "list them with 'chiso766 departments'."
                )
            old, unit.name = unit.name, display_name
            return old

    def store_ranking(
        self,
        raw: RawAnswer,
        province: Province,
        period: Period,
        match: MatchResult,
        *,
        synthetic: bool,
        source_note: str = "",
    ) -> StoredObservation:
        """Store one ranking answer as an observation, in a single transaction."""
        try:
            return self._store_ranking(raw, province, period, match, synthetic, source_note)
        except IntegrityError:
            # Another process stored the same answer between our look and our write: theirs is
            # the observation; ours would only be a duplicate.
            existing = self._find_observation(province.code, period.label, raw.sha256)
            if existing is None:
                raise
            return StoredObservation(existing, False, (), 0)

    def _find_observation(self, province_code: str, period: str, sha256: str) -> int | None:
        with Session(self.engine) as session:
            return session.scalar(
                select(ObservationRow.id).where(
                    ObservationRow.province_code == province_code,
                    ObservationRow.period == period,
                    ObservationRow.content_sha256 == sha256,
                )
            )

    def _store_ranking(self, raw, province, period, match, synthetic, source_note):
        with Session(self.engine) as session, session.begin():
            existing = session.scalar(
                select(ObservationRow).where(
                    ObservationRow.province_code == province.code,
                    ObservationRow.period == period.label,
                    ObservationRow.content_sha256 == raw.sha256,
                )
            )
            if existing is not None:
                if raw.captured_at > aware_utc(existing.last_seen_at):
                    existing.last_seen_at = raw.captured_at
                return StoredObservation(existing.id, False, (), 0)

            capture = _capture_row(raw)
            session.add(capture)
            session.flush()
            department_ids, new_departments = _register_departments(
                session, province, match, raw.captured_at
            )
            unit_ids = _resolve_unit_ids(session, province, match, department_ids)
            table = match.table
            observation = ObservationRow(
                province_code=province.code,
                period=period.label,
                period_kind=period.kind,
                capture_id=capture.id,
                content_sha256=raw.sha256,
                captured_at=raw.captured_at,
                last_seen_at=raw.captured_at,
                departments=int((table["kind"] == "department").sum()),
                communes=int((table["kind"] != "department").sum()),
                synthetic=synthetic,
                source_note=source_note,
            )
            session.add(observation)
            session.flush()
            for row, unit_id in zip(table.itertuples(index=False), unit_ids, strict=True):
                session.add(
                    ScoreRow(
                        observation_id=observation.id,
                        position=int(row.position),
                        unit_id=unit_id,
                        kind=row.kind,
                        raw_name=row.raw_name,
                        portal_id=row.portal_id,
                        portal_code=_none(row.portal_code),
                        total_score=_none(row.total_score),
                        ratio=_none(row.ratio),
                        score_delta=_none(row.score_delta),
                        match=row.match,
                        corrected=bool(row.corrected),
                        review_reason=None,
                    )
                )
            for item in match.review:
                session.execute(
                    ScoreRow.__table__.update()
                    .where(
                        ScoreRow.observation_id == observation.id,
                        ScoreRow.raw_name == item.raw_name,
                        ScoreRow.unit_id.is_(None),
                    )
                    .values(review_reason=item.reason)
                )
            new_aliases = _record_aliases(session, table, unit_ids, capture, period)
            return StoredObservation(observation.id, True, tuple(new_departments), new_aliases)

    def latest_observation(
        self, province_code: str, period: str, as_of: datetime | None = None
    ) -> ObservationRow | None:
        """The newest observation of a province and period, or the newest taken by ``as_of``."""
        with Session(self.engine) as session:
            query = select(ObservationRow).where(
                ObservationRow.province_code == province_code, ObservationRow.period == period
            )
            if as_of is not None:
                query = query.where(ObservationRow.captured_at <= self._db_time(as_of))
            query = query.order_by(ObservationRow.captured_at.desc(), ObservationRow.id.desc())
            return session.scalars(query.limit(1)).first()

    def _db_time(self, moment: datetime) -> datetime:
        """``moment`` as the database compares it: UTC, naive on SQLite (which keeps no zone)."""
        moment = aware_utc(moment).astimezone(UTC)
        return moment.replace(tzinfo=None) if self.engine.dialect.name == "sqlite" else moment

    def previous_observation(self, observation_id: int) -> ObservationRow | None:
        """The observation of the same province and period captured just before this one."""
        with Session(self.engine) as session:
            current = session.get(ObservationRow, observation_id)
            if current is None:
                return None
            query = (
                select(ObservationRow)
                .where(
                    ObservationRow.province_code == current.province_code,
                    ObservationRow.period == current.period,
                    ObservationRow.id != current.id,
                    (ObservationRow.captured_at < current.captured_at)
                    | (
                        (ObservationRow.captured_at == current.captured_at)
                        & (ObservationRow.id < current.id)
                    ),
                )
                .order_by(ObservationRow.captured_at.desc(), ObservationRow.id.desc())
            )
            return session.scalars(query.limit(1)).first()

    def compare_observations(self, old_id: int, new_id: int) -> pd.DataFrame:
        """The units whose score or rank differs between two observations, largest move first.

        Columns: unit_id, kind, name, old_score, new_score, delta, old_rank, new_rank (the rank
        within the unit's kind, 1 for the highest score; ties share the better rank).
        """
        return compare_scores(self.observation_scores(old_id), self.observation_scores(new_id))

    def observation_scores(self, observation_id: int) -> pd.DataFrame:
        """An observation's rows with canonical names, in the portal's order."""
        query = (
            select(
                ScoreRow.position,
                ScoreRow.unit_id,
                ScoreRow.kind,
                UnitRow.name.label("canonical_name"),
                UnitRow.official_code,
                ScoreRow.total_score,
                ScoreRow.raw_name,
                ScoreRow.match,
                ScoreRow.corrected,
                ScoreRow.review_reason,
            )
            .outerjoin(UnitRow, UnitRow.id == ScoreRow.unit_id)
            .where(ScoreRow.observation_id == observation_id)
            .order_by(ScoreRow.position)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return pd.DataFrame(rows, columns=list(query.selected_columns.keys()))

    def count_rows(self) -> dict[str, int]:
        """How many rows each table holds (for summaries and tests)."""
        with Session(self.engine) as session:
            return {
                table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
            }


def _department_row(
    province_code: str,
    name: str,
    portal_id: str | None,
    portal_code: str | None,
    *,
    origin: str,
    now: datetime,
) -> UnitRow:
    """A new entry of a province's department register."""
    return UnitRow(
        province_code=province_code,
        kind="department",
        name=name,
        portal_id=portal_id,
        portal_code=portal_code,
        origin=origin,
        created_at=now,
    )


def _capture_row(raw: RawAnswer) -> CaptureRow:
    return CaptureRow(
        endpoint=raw.endpoint,
        scope=raw.scope,
        period=raw.period,
        url=raw.url,
        request_body=json.dumps(raw.request_body, ensure_ascii=False, sort_keys=True),
        status=raw.status,
        content_type=raw.content_type,
        sha256=raw.sha256,
        bytes=len(raw.body),
        captured_at=raw.captured_at,
        archive_path=str(raw.path) if raw.path else None,
    )


def _register_departments(session, province, match, now) -> tuple[dict[str, int], list[str]]:
    """Register the departments seen for the first time; learn portal ids of known ones."""
    ids: dict[str, int] = {}
    new_names: list[str] = []
    for new in match.new_departments:
        unit = session.scalar(
            select(UnitRow).where(
                UnitRow.province_code == province.code,
                UnitRow.kind == "department",
                UnitRow.name == new.name,
            )
        )
        if unit is None:
            unit = _department_row(
                province.code, new.name, new.portal_id, new.portal_code, origin="portal", now=now
            )
            session.add(unit)
            session.flush()
            new_names.append(new.name)
        ids[new.portal_id] = unit.id
    table = match.table
    known = table[(table["kind"] == "department") & table["department_id"].notna()]
    for row in known.itertuples(index=False):
        unit = session.get(UnitRow, int(row.department_id))
        if unit is not None and unit.portal_id is None:
            unit.portal_id, unit.portal_code = row.portal_id, _none(row.portal_code)
    return ids, new_names


def _resolve_unit_ids(session, province, match, department_ids) -> list[int | None]:
    codes = {
        code: unit_id
        for code, unit_id in session.execute(
            select(UnitRow.official_code, UnitRow.id).where(
                UnitRow.province_code == province.code, UnitRow.official_code.is_not(None)
            )
        )
    }
    ids: list[int | None] = []
    for row in match.table.itertuples(index=False):
        if row.match == "review":
            ids.append(None)
        elif row.kind == "department":
            department_id = _none(row.department_id)
            ids.append(
                int(department_id)
                if department_id is not None
                else department_ids.get(row.portal_id)
            )
        else:
            ids.append(codes.get(row.official_code))
    return ids


def _record_aliases(session, table, unit_ids, capture, period) -> int:
    seen = {
        (unit_id, spelling)
        for unit_id, spelling in session.execute(
            select(UnitAliasRow.unit_id, UnitAliasRow.spelling).where(
                UnitAliasRow.unit_id.in_([u for u in unit_ids if u is not None])
            )
        )
    }
    added = 0
    for raw_name, unit_id in zip(table["raw_name"], unit_ids, strict=True):
        if unit_id is None or (unit_id, raw_name) in seen:
            continue
        seen.add((unit_id, raw_name))
        session.add(
            UnitAliasRow(
                unit_id=unit_id,
                spelling=raw_name,
                endpoint=capture.endpoint,
                period=period.label,
                first_capture_id=capture.id,
                first_seen_at=capture.captured_at,
            )
        )
        added += 1
    return added


def _none(value):
    """None for a missing value however pandas spells it (None, NaN, NA)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def aware_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for UTC values; make them comparable again."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", error)) or type(error).__name__
    return text.strip().splitlines()[0]
