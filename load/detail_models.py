"""The drill-down tables: the six score groups and their metrics, per unit of an observation.

A detail capture is attached to the ranking observation of the same province × period taken in
the same run; each page the portal sent stays a row of ``capture``. ``position`` is the row's
place in the group's answer, pages merged (1..N); position 0 is the province's own row.
``null`` stays NULL, never 0: the portal sends null where a denominator is zero.

- ``group_score``: one unit's score in one group (``unit_id`` empty when the unit could not be
  placed, never dropped);
- ``metric``: one metric of a unit's group, numerator and denominator as sent;
- ``group_gap``: a unit of the ranking that a group's answer lacks.
"""

from sqlalchemy import Double, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from load.models import Base


class GroupScoreRow(Base):
    __tablename__ = "group_score"
    __table_args__ = (
        Index("ix_group_score_unit", "unit_id", "group_code"),
        Index("ix_group_score_capture", "capture_id"),
    )

    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), primary_key=True)
    # CKMB | TDGQ | CLGQ | TTTT | MDHL | MDSH
    group_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: the province itself
    capture_id: Mapped[int] = mapped_column(ForeignKey("capture.id"))  # the page it came on
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(12))  # province | department | xa | phuong | …
    raw_name: Mapped[str] = mapped_column(String(300))
    portal_id: Mapped[str] = mapped_column(String(40))
    portal_code: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Double)
    max_score: Mapped[float | None] = mapped_column(Double)
    ratio: Mapped[float | None] = mapped_column(Double)
    score_delta: Mapped[float | None] = mapped_column(Double)
    # exact | loose | portal_id | portal_code | new_department | review | province
    match: Mapped[str] = mapped_column(String(20))


class MetricRow(Base):
    __tablename__ = "metric"
    __table_args__ = (
        ForeignKeyConstraint(
            ["observation_id", "group_code", "position"],
            ["group_score.observation_id", "group_score.group_code", "group_score.position"],
            name="fk_metric_group_score",
        ),
        Index("ix_metric_code", "group_code", "metric_code"),
    )

    observation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    numerator: Mapped[float | None] = mapped_column(Double)
    denominator: Mapped[float | None] = mapped_column(Double)
    ratio: Mapped[float | None] = mapped_column(Double)
    score: Mapped[float | None] = mapped_column(Double)
    max_score: Mapped[float | None] = mapped_column(Double)
    # TEMP_NATIONAL_REPORT_DENOMINATOR | NO_NATIONAL_REPORT_DATA | …, as the portal flags a figure
    data_quality_status: Mapped[str | None] = mapped_column(String(60))
    data_quality_message: Mapped[str | None] = mapped_column(Text)


class GroupGapRow(Base):
    __tablename__ = "group_gap"

    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"), primary_key=True)
    group_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    # The unit's position in the ranking (score.position) of the same observation.
    ranking_position: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    raw_name: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
