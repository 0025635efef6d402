"""The warehouse's tables.

- ``province`` and ``unit``: identities. A commune-level unit is its official five-digit code; a
  department is an entry of its province's register, whose display name the office may edit.
- ``unit_alias``: every spelling the portal used for a unit, with where it was first seen.
- ``capture``: one raw answer of the portal, immutable, identified by its SHA-256.
- ``observation``: one province × period × capture of the ranking; ``score``: its rows, exactly
  as the portal gave them (rows the matcher could not place keep ``unit_id`` empty, never dropped).
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints keep migrations portable (Alembic's batch mode on SQLite needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProvinceRow(Base):
    __tablename__ = "province"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    portal_code: Mapped[str] = mapped_column(String(10), unique=True)
    portal_id: Mapped[str] = mapped_column(String(40), unique=True)


class UnitRow(Base):
    __tablename__ = "unit"
    __table_args__ = (
        Index(
            "uq_unit_department_name",
            "province_code",
            "name",
            unique=True,
            sqlite_where=text("kind = 'department'"),
            postgresql_where=text("kind = 'department'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    # department | xa | phuong | dac_khu (xã, phường, đặc khu: the commune-level kinds)
    kind: Mapped[str] = mapped_column(String(12))
    official_code: Mapped[str | None] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    portal_id: Mapped[str | None] = mapped_column(String(40))
    portal_code: Mapped[str | None] = mapped_column(String(20))
    # official_list | seed | portal: where the identity came from
    origin: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UnitAliasRow(Base):
    __tablename__ = "unit_alias"
    __table_args__ = (UniqueConstraint("unit_id", "spelling", name="uq_unit_alias_spelling"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    spelling: Mapped[str] = mapped_column(String(300))
    endpoint: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(10))
    first_capture_id: Mapped[int] = mapped_column(ForeignKey("capture.id"))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaptureRow(Base):
    __tablename__ = "capture"
    __table_args__ = (
        UniqueConstraint("sha256", "endpoint", "scope", "period", "captured_at", name="uq_capture"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(10))  # a province code, or "national"
    period: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(Text)
    request_body: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    bytes: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    archive_path: Mapped[str | None] = mapped_column(Text)


class ObservationRow(Base):
    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("province_code", "period", "content_sha256", name="uq_observation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"))
    period: Mapped[str] = mapped_column(String(10))  # 2026-01, 2026-Q1, 2026
    period_kind: Mapped[str] = mapped_column(String(7))  # month | quarter | year
    capture_id: Mapped[int] = mapped_column(ForeignKey("capture.id"))
    # The hash of the ranking's content: an identical answer on another day is the same
    # observation, seen again, not a new one.
    content_sha256: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    departments: Mapped[int] = mapped_column(Integer)
    communes: Mapped[int] = mapped_column(Integer)
    synthetic: Mapped[bool] = mapped_column(Boolean)
    source_note: Mapped[str] = mapped_column(Text, default="")


class ScoreRow(Base):
    __tablename__ = "score"
    __table_args__ = (
        Index(
            "uq_score_unit",
            "observation_id",
            "unit_id",
            unique=True,
            sqlite_where=text("unit_id IS NOT NULL"),
            postgresql_where=text("unit_id IS NOT NULL"),
        ),
        # The analyst views rank units within an observation by score: this index answers
        # those counts without reading the table.
        Index("ix_score_rank", "observation_id", "total_score", "kind", "position"),
    )

    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # the portal's order, 1..N
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    raw_name: Mapped[str] = mapped_column(String(300))
    portal_id: Mapped[str] = mapped_column(String(40))
    portal_code: Mapped[str | None] = mapped_column(String(20))
    total_score: Mapped[float | None] = mapped_column(Double)
    ratio: Mapped[float | None] = mapped_column(Double)
    score_delta: Mapped[float | None] = mapped_column(Double)
    # exact | loose | portal_id | portal_code | new_department | review
    match: Mapped[str] = mapped_column(String(20))
    corrected: Mapped[bool] = mapped_column(Boolean)
    review_reason: Mapped[str | None] = mapped_column(Text)
