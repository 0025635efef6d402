"""The two appendix tables of the monthly notice, built from one period's scores of a province.

Phụ lục I ranks the departments (Sở, ban, ngành), Phụ lục II the communes: xã (rural commune),
phường (ward) and đặc khu (special zone). Each table is sorted by score, highest first; units
with the same displayed score keep the portal's order, and units without a score come last.
Titles, headings and names are written as the provincial office writes them in its notice.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from chiso766.periods import Period
from chiso766.provinces import Province
from transform.appendix_groups import (
    WEAKEST_HEADING,
    GroupColumn,
    MetricLine,
    UnitGroups,
    group_columns,
    groups_by_unit,
    legend_note,
    metric_lines,
    unit_key,
)
from transform.exceptions import TransformError
from transform.names import nfc

# Shown in every emitted file of an appendix built from made-up figures.
SYNTHETIC_LABEL = "DỮ LIỆU GIẢ LẬP (synthetic) — not published figures"
# Shown under the tables of an observation whose figures the portal may still revise.
PROVISIONAL_NOTE = (
    "Số liệu TẠM TÍNH (provisional): kỳ đánh giá chưa chốt, số liệu còn có thể thay đổi"
)

DEPARTMENT = "department"
# The word the notice puts after "UBND" for each kind of commune-level unit.
COMMUNE_WORDS = {"xa": "xã", "phuong": "phường", "dac_khu": "Đặc khu"}
# A commune-level row whose kind the portal's name did not say: it stays on the review list and
# is printed in Phụ lục II under the portal's own spelling, never dropped.
UNKNOWN_COMMUNE = "commune"
UNIT_KINDS = (DEPARTMENT, *COMMUNE_WORDS, UNKNOWN_COMMUNE)

REQUIRED_COLUMNS = ("position", "kind", "canonical_name", "official_code", "total_score")
SCORE_HEADING = "Điểm"
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class AppendixRow:
    stt: int  # the row number in the published table, 1..N
    name: str  # as printed: "Sở Tư pháp", "UBND xã Kẻ Sặt"
    score: float | None
    score_text: str  # as printed: "95", "89.2"; empty for a unit without score
    official_code: str | None
    unit_kind: str  # one of UNIT_KINDS
    groups: UnitGroups | None = None  # the six group scores, in an appendix built with groups

    @property
    def group_cells(self) -> list[str]:
        """The group scores as printed ("" where the portal gave none), then the weakest group."""
        if self.groups is None:
            return []
        return [format_score(score) for score in self.groups.scores] + [self.groups.weakest or ""]


@dataclass(frozen=True)
class AppendixTable:
    numeral: str  # "I" or "II"
    title_lines: list[str]
    name_heading: str
    rows: list[AppendixRow]
    group_columns: tuple[GroupColumn, ...] = ()  # empty unless built with the score groups

    @property
    def headings(self) -> tuple[str, str, str]:
        return ("STT", self.name_heading, SCORE_HEADING)

    @property
    def group_headings(self) -> list[str]:
        """ "CKMB (18)" … "MDSH (22)", then "Nhóm yếu nhất"; empty without the score groups."""
        if not self.group_columns:
            return []
        return [column.heading for column in self.group_columns] + [WEAKEST_HEADING]


@dataclass(frozen=True)
class Appendix:
    province: Province
    period: Period
    extracted_on: date | None  # the day the ranking was read off the portal
    tables: list[AppendixTable]
    corrections: list[tuple[str, str]]  # (the portal's spelling, the official name)
    synthetic: bool  # made-up figures, never to be taken for published ones
    source_note: str
    provisional: bool = False  # figures that may still change (transform.history's rule)
    group_columns: tuple[GroupColumn, ...] = ()  # the six score groups, when asked for
    metrics: dict[str, list[MetricLine]] | None = None  # group code → every unit's metrics

    @property
    def period_text(self) -> str:
        """The period as the notice words it: "từ ngày 01/01/2026 đến ngày 31/01/2026"."""
        return describe_period(self.period)

    @property
    def document_title(self) -> str:
        """One line naming the whole document: index, province and period."""
        return f"Kết quả Bộ chỉ số 766 — {self.province.name} — {self.period_text}"

    @property
    def extraction_text(self) -> str:
        """The notice's footnote on the extraction date, or "" when the date is unknown."""
        if self.extracted_on is None:
            return ""
        day = self.extracted_on.strftime("%d/%m/%Y")
        return f"Dữ liệu trích xuất trên Cổng dịch vụ công quốc gia, ngày {day}."


def format_score(value: float | None) -> str:
    """A score as the notice prints it: at most two decimals, no trailing zeros ("95", "89.2")."""
    rounded = _rounded(value)
    if rounded is None:
        return ""
    if rounded == 0:
        return "0"  # never "-0"
    return format(rounded.normalize(), "f")


def describe_period(period: Period) -> str:
    """The period in the notice's words: "từ ngày 01/01/2026 đến ngày 31/01/2026"."""
    first, last = period.first_day.strftime("%d/%m/%Y"), period.last_day.strftime("%d/%m/%Y")
    return f"từ ngày {first} đến ngày {last}"


def build_appendix(
    scores: pd.DataFrame,
    province: Province,
    period: Period,
    *,
    extracted_on: date | None,
    synthetic: bool,
    source_note: str = "",
    corrections: Iterable[tuple[str, str]] = (),
    provisional: bool = False,
    groups: pd.DataFrame | None = None,
    metrics: pd.DataFrame | None = None,
) -> Appendix:
    """Both appendix tables of ``province`` for ``period`` from one row of ``scores`` per unit.

    With ``groups`` (and ``metrics``) as ``load.detail_store.observation_groups`` reads them, each
    table gains the six group columns and the weakest group; ``scores`` then needs ``unit_id`` and
    ``raw_name`` to find each unit's groups.
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in scores.columns]
    if missing:
        raise TransformError(
            f"The scores of {province.short_name} {period.label} lack the columns "
            f"{', '.join(missing)}; they cannot be turned into the appendix."
        )

    units = [_unit(record, province, period) for record in scores.to_dict("records")]
    columns: tuple[GroupColumn, ...] = ()
    if groups is not None:
        columns = group_columns(groups)
        found = groups_by_unit(groups, columns)
        empty = UnitGroups((None,) * len(columns), None)
        for unit, record in zip(units, scores.to_dict("records"), strict=True):
            key = unit_key(record.get("unit_id"), record.get("raw_name"))
            unit["groups"] = found.get(key, empty)
            unit["key"] = key
    departments = [unit for unit in units if unit["kind"] == DEPARTMENT]
    communes = [unit for unit in units if unit["kind"] != DEPARTMENT]

    notice_month = period.last_day + timedelta(days=1)
    office_of = "thành phố" if province.is_city else "tỉnh"
    tail = [
        "THEO BỘ CHỈ SỐ 766 TRÊN CỔNG DỊCH VỤ CÔNG QUỐC GIA",
        f"(Kèm theo Thông báo số /TB-VP ngày /{notice_month:%m/%Y}",
        f"của Văn phòng Ủy ban nhân dân {office_of})",
    ]
    tables = [
        AppendixTable(
            numeral="I",
            title_lines=["Phụ lục I:", "KẾT QUẢ ĐÁNH GIÁ CÁC SỞ, BAN, NGÀNH", *tail],
            name_heading="Các Sở, ban, ngành",
            rows=_ranked(departments),
            group_columns=columns,
        ),
        AppendixTable(
            numeral="II",
            title_lines=["Phụ lục II:", "KẾT QUẢ ĐÁNH GIÁ UBND CÁC XÃ, PHƯỜNG, ĐẶC KHU", *tail],
            name_heading="Các xã, phường, đặc khu",
            rows=_ranked(communes),
            group_columns=columns,
        ),
    ]
    names = {unit["key"]: row.name for unit, row in _printed(units, tables)} if columns else {}
    return Appendix(
        province=province,
        period=period,
        extracted_on=extracted_on,
        tables=tables,
        corrections=[(str(portal), str(official)) for portal, official in corrections],
        synthetic=synthetic,
        source_note=(source_note or "").strip(),
        provisional=provisional,
        group_columns=columns,
        metrics=None if groups is None else metric_lines(_metrics(metrics), names),
    )


def table_notes(appendix: Appendix, table: AppendixTable) -> list[str]:
    """The small print under a table: period, extraction date, source, corrected names."""
    notes = [f"Kỳ đánh giá: {appendix.period_text}."]
    if table.group_columns:
        notes.append(legend_note(table.group_columns))
    if appendix.provisional:
        notes.append(f"{PROVISIONAL_NOTE}.")
    if appendix.extraction_text:
        notes.append(appendix.extraction_text)
    if appendix.source_note:
        notes.append(appendix.source_note)

    # A correction is listed under the table that prints the corrected name; one that matches no
    # row (the unit may have no score this period) goes under the last table, so none is lost.
    here = [row.name for row in table.rows]
    anywhere = [row.name for other in appendix.tables for row in other.rows]
    is_last = table is appendix.tables[-1]
    corrections = [
        (portal, official)
        for portal, official in appendix.corrections
        if _prints(here, official) or (is_last and not _prints(anywhere, official))
    ]
    if corrections:
        pairs = "; ".join(f"{portal} → {official}" for portal, official in corrections)
        notes.append(f"Tên ghi trên Cổng đã sửa theo danh mục chính thức: {pairs}.")
    return notes


def _prints(names: list[str], official: str) -> bool:
    """Whether one of the printed names is ``official``, with or without "UBND xã" in front."""
    return any(name == official or name.endswith(" " + official) for name in names)


def _rounded(value: float | None) -> Decimal | None:
    """The score rounded half away from zero to two decimals; None for a missing score."""
    if value is None or pd.isna(value):
        return None
    number = float(value)  # repr() of a NumPy scalar is "np.float64(...)", not the digits
    if not math.isfinite(number):
        raise ValueError(f"A score must be a finite number, not {value!r}.")
    return Decimal(repr(number)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _unit(record: dict, province: Province, period: Period) -> dict:
    """One input row checked and turned into the fields a table row needs."""
    kind = str(record["kind"]).strip()
    raw_name = record["canonical_name"]
    if raw_name is None or pd.isna(raw_name) or not str(raw_name).strip():
        raise TransformError(
            f"A unit of {province.short_name} {period.label} at the portal's position "
            f"{record['position']} has no name; the appendix cannot print it."
        )
    name = nfc(str(raw_name))
    if kind not in UNIT_KINDS:
        raise TransformError(
            f"The unit {name!r} of {province.short_name} {period.label} has the kind {kind!r}; "
            f"expected one of {', '.join(UNIT_KINDS)}."
        )
    try:
        rounded = _rounded(record["total_score"])
    except (TypeError, ValueError):
        raise TransformError(
            f"The unit {name!r} of {province.short_name} {period.label} has the score "
            f"{record['total_score']!r}, which is not a number."
        ) from None

    code = record["official_code"]
    return {
        "kind": kind,
        "name": name if kind == DEPARTMENT else _commune_name(kind, name),
        "position": int(record["position"]),
        "score": None if rounded is None else float(record["total_score"]),
        "rounded": rounded,
        "official_code": None if code is None or pd.isna(code) else str(code),
    }


def _commune_name(kind: str, name: str) -> str:
    """ "UBND xã Kẻ Sặt" from "Kẻ Sặt"; a kind word already in front is not written twice."""
    if kind == UNKNOWN_COMMUNE:
        return name
    word = COMMUNE_WORDS[kind]
    if name.casefold().startswith(word.casefold() + " "):
        name = name[len(word) + 1 :]
    return f"UBND {word} {name}"


def _ranked(units: list[dict]) -> list[AppendixRow]:
    """The units numbered from 1 by score, highest first.

    Scores are compared as displayed (two decimals), so two units the notice shows with the same
    score keep the portal's order rather than an order decided by digits nobody sees.
    """
    scored = sorted(
        (unit for unit in units if unit["rounded"] is not None),
        key=lambda unit: (-unit["rounded"], unit["position"]),
    )
    unscored = sorted(
        (unit for unit in units if unit["rounded"] is None), key=lambda unit: unit["position"]
    )
    return [
        AppendixRow(
            stt=number,
            name=unit["name"],
            score=unit["score"],
            score_text=format_score(unit["score"]),
            official_code=unit["official_code"],
            unit_kind=unit["kind"],
            groups=unit.get("groups"),
        )
        for number, unit in enumerate(scored + unscored, start=1)
    ]


def _printed(units: list[dict], tables: list[AppendixTable]):
    """Each unit with its printed row, in the appendix's order (Phụ lục I, then II)."""
    by_name = {}
    for unit in units:
        by_name.setdefault((unit["kind"] == DEPARTMENT, unit["name"]), []).append(unit)
    for table in tables:
        for row in table.rows:
            candidates = by_name[(row.unit_kind == DEPARTMENT, row.name)]
            yield candidates.pop(0), row


def _metrics(metrics: pd.DataFrame | None) -> pd.DataFrame:
    """The metrics frame, or an empty one with the columns ``metric_lines`` reads."""
    if metrics is not None:
        return metrics
    columns = ["group_code", "unit_id", "raw_name", "metric_code", "name", "numerator"]
    columns += ["denominator", "ratio", "score", "max_score", "data_quality_status"]
    return pd.DataFrame(columns=columns)
