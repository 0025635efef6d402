"""The six score groups beside the appendix tables: a column per group, and each unit's weakest.

The groups are those of the drill-down (``transform.detail``): CKMB, TDGQ, CLGQ, TTTT, MDHL,
MDSH, always in that order. A group's heading names its code and its maximum, "CKMB (18)"; the
legend under each table gives the Vietnamese names. A group the portal's answer lacks for a unit
is an empty cell, never 0. A unit's weakest group is the one with the lowest score against its
maximum; equal shares go to the first group in the order above.
"""

from dataclasses import dataclass

import pandas as pd

# Group code → (its name in the notice's words, the maximum the index gives it).
GROUPS: dict[str, tuple[str, float]] = {
    "CKMB": ("Công khai, minh bạch", 18),
    "TDGQ": ("Tiến độ giải quyết", 20),
    "CLGQ": ("Dịch vụ công trực tuyến", 12),
    "TTTT": ("Thanh toán trực tuyến", 10),
    "MDHL": ("Mức độ hài lòng", 18),
    "MDSH": ("Số hóa hồ sơ", 22),
}
WEAKEST_HEADING = "Nhóm yếu nhất"
METRIC_HEADINGS = (
    "Đơn vị",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Tử số",
    "Mẫu số",
    "Tỷ lệ",
    "Điểm",
    "Điểm tối đa",
    "Chất lượng dữ liệu",
)


@dataclass(frozen=True)
class GroupColumn:
    code: str  # CKMB, TDGQ, …
    name: str  # "Công khai, minh bạch"
    max_score: float  # the group's maximum, as the portal gives it

    @property
    def heading(self) -> str:
        """ "CKMB (18)": the code and the maximum, printed like a score."""
        from transform.appendix import format_score

        return f"{self.code} ({format_score(self.max_score)})"


@dataclass(frozen=True)
class UnitGroups:
    """One unit's six group scores (None where the portal gave none) and its weakest group."""

    scores: tuple[float | None, ...]
    weakest: str | None


@dataclass(frozen=True)
class MetricLine:
    """One metric of one unit, as the per-group sheet prints it."""

    unit_name: str
    metric_code: str
    name: str
    numerator: float | None
    denominator: float | None
    ratio: float | None
    score: float | None
    max_score: float | None
    data_quality_status: str


def group_columns(groups: pd.DataFrame) -> tuple[GroupColumn, ...]:
    """The six columns, each with the maximum most units of the answer have (else the index's)."""
    columns = []
    for code, (name, default) in GROUPS.items():
        maxima = groups.loc[groups["group_code"] == code, "max_score"].dropna()
        maximum = float(maxima.mode().iloc[0]) if not maxima.empty else float(default)
        columns.append(GroupColumn(code, name, maximum))
    return tuple(columns)


def unit_key(unit_id, raw_name) -> tuple:
    """How a group row finds its ranking row: by unit, or by the portal's spelling if unplaced."""
    if unit_id is not None and not pd.isna(unit_id):
        return ("unit", int(unit_id))
    return ("raw", str(raw_name))


def groups_by_unit(groups: pd.DataFrame, columns: tuple[GroupColumn, ...]) -> dict:
    """Each unit's scores in the columns' order and its weakest group, keyed by ``unit_key``."""
    found: dict[tuple, dict[str, tuple[float | None, float | None]]] = {}
    for row in groups.to_dict("records"):
        key = unit_key(row["unit_id"], row["raw_name"])
        found.setdefault(key, {})[row["group_code"]] = (
            _number(row["score"]),
            _number(row["max_score"]),
        )

    result = {}
    for key, by_code in found.items():
        scores = tuple(by_code.get(column.code, (None, None))[0] for column in columns)
        result[key] = UnitGroups(scores, weakest_group(by_code, columns))
    return result


def weakest_group(by_code: dict, columns: tuple[GroupColumn, ...]) -> str | None:
    """The code of the group with the lowest score / maximum; None when no group has a share."""
    weakest, lowest = None, None
    for column in columns:  # in the fixed order, so the first of equal shares stays
        score, maximum = by_code.get(column.code, (None, None))
        maximum = maximum or column.max_score
        if score is None or not maximum:
            continue
        share = score / maximum
        if lowest is None or share < lowest:
            weakest, lowest = column.code, share
    return weakest


def metric_lines(metrics: pd.DataFrame, names: dict[tuple, str]) -> dict[str, list[MetricLine]]:
    """Every unit's metrics per group, units in the appendix's order (``names``' order).

    A metric of a unit the appendix does not print keeps the portal's spelling and comes last.
    """
    order = {key: index for index, key in enumerate(names)}
    lines: dict[str, list[tuple[int, MetricLine]]] = {code: [] for code in GROUPS}
    for row in metrics.to_dict("records"):
        key = unit_key(row["unit_id"], row["raw_name"])
        line = MetricLine(
            unit_name=names.get(key, str(row["raw_name"])),
            metric_code=str(row["metric_code"]),
            name=_text(row["name"]),
            numerator=_number(row["numerator"]),
            denominator=_number(row["denominator"]),
            ratio=_number(row["ratio"]),
            score=_number(row["score"]),
            max_score=_number(row["max_score"]),
            data_quality_status=_text(row["data_quality_status"]),
        )
        lines.setdefault(row["group_code"], []).append((order.get(key, len(order)), line))
    # sorted() is stable: within a unit the metrics keep the order they were read in.
    return {
        code: [line for _, line in sorted(found, key=lambda item: item[0])]
        for code, found in lines.items()
    }


def legend_note(columns: tuple[GroupColumn, ...]) -> str:
    """The note that names the groups under a table with group columns."""
    names = "; ".join(f"{column.code}: {column.name}" for column in columns)
    return (
        f"Nhóm chỉ số (điểm tối đa trong ngoặc): {names}. {WEAKEST_HEADING}: nhóm có tỷ lệ điểm "
        "trên điểm tối đa thấp nhất. Ô trống: Cổng không trả điểm nhóm đó cho đơn vị."
    )


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)
