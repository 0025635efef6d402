"""The six detail answers as tidy tables: one row per unit × group, one per unit × group × metric.

Two shapes come in. The metric groups (``transparency``, ``handling-satisfaction``,
``dossier-digitized``) give the province in ``data.overview`` and its units in
``data.evaluation[]``, each with ``metrics[]``, over one or more pages; the tree groups give the
province in ``data.parent`` and every unit in ``data.children[]``. Scores are kept as sent:
``null`` stays None, never 0, and nothing is recomputed. The first thing wrong in an answer ends
the parse with one sentence naming the field and the unit.

``match_details`` then gives every row the same canonical unit as the ranking (through
``transform.units.match_units``) and reports what the groups and the ranking disagree on: units a
group lacks, units the ranking lacks, and units whose six group scores do not add up to their
ranking total.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from chiso766.provinces import Province
from extract.detail import DETAIL_ENDPOINTS
from transform.exceptions import TransformError
from transform.names import canonical_key
from transform.ranking import is_number
from transform.ranking import read_number as _number
from transform.units import Commune, Department, MatchResult, match_units, split_unit_name

GROUP_COLUMNS = (
    "group_code",
    "endpoint",
    "page",
    "position",
    "portal_id",
    "portal_code",
    "raw_name",
    "department_type",
    "level",
    "kind",
    "score",
    "max_score",
    "ratio",
    "score_delta",
)
METRIC_COLUMNS = (
    "group_code",
    "position",
    "portal_id",
    "metric_code",
    "name",
    "numerator",
    "denominator",
    "ratio",
    "score",
    "max_score",
    "data_quality_status",
    "data_quality_message",
)
SUM_TOLERANCE = 0.01  # six group scores rounded to the cent may drift this far from the total


@dataclass
class GroupDetail:
    """One group's answer: the province's own row, its units, and their metrics."""

    endpoint: str
    group_code: str
    province_row: dict[str, Any]
    units: pd.DataFrame  # GROUP_COLUMNS, the portal's order across pages
    metrics: pd.DataFrame  # METRIC_COLUMNS; empty for the tree groups
    synthetic: bool = False


def _text(record: dict, key: str, where: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise TransformError(f"{where} has no {key}.")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TransformError(f"{where} has a {key} that is not text: {value!r}.")
    return str(value)


def _kind(record: dict, name: str, province: Province) -> str:
    kind, _ = split_unit_name(name, province)
    levels = {record.get("departmentType"), record.get("departmentLevel"), record.get("level")}
    if levels & {"PROVINCIAL_DEPARTMENT", "PROVINCE"}:
        return "department"
    if kind == "department":  # a commune whose name lacks its kind word: left for review
        return "commune"
    return kind


def _unit_row(
    record, position: int, page: int, endpoint: str, province: Province, *, own: bool = False
) -> dict:
    spec = DETAIL_ENDPOINTS[endpoint]
    label = f"The {endpoint} row {position}"
    if not isinstance(record, dict):
        raise TransformError(f"{label} is not an object.")
    name = _text(record, "departmentName", f"{label} (departmentId {record.get('departmentId')})",
                 required=True)  # fmt: skip
    where = f"{label} ({name})"
    # dvc-progress-tree's children say score/maxScore; its parent and every other record
    # say totalScore/totalMaxScore.
    tree_child = endpoint == "dvc-progress-tree" and not own
    score_key, max_key = ("score", "maxScore") if tree_child else ("totalScore", "totalMaxScore")
    score = _number(record, score_key, where, required=True)
    max_score = _number(record, max_key, where)
    if score is not None and not 0 <= score <= (max_score or spec.max_score) + 1e-9:
        raise TransformError(f"{where} has {score_key} {score} outside 0..{spec.max_score}.")
    return {
        "group_code": spec.group_code,
        "endpoint": endpoint,
        "page": page,
        "position": position,
        "portal_id": _text(record, "departmentId", where, required=True),
        "portal_code": _text(record, "departmentCode", where),
        "raw_name": name,
        "department_type": _text(record, "departmentType", where),
        "level": _text(record, "departmentLevel", where) or _text(record, "level", where),
        "kind": _kind(record, name, province),
        "score": score,
        "max_score": max_score,
        "ratio": _number(record, "ratio", where),
        "score_delta": _number(record, "scoreDelta", where),
    }


def _metric_rows(record: dict, unit: dict, endpoint: str) -> list[dict]:
    where = f"The {endpoint} row {unit['position']} ({unit['raw_name']})"
    metrics = record.get("metrics")
    if not isinstance(metrics, list):
        raise TransformError(f"{where} has no metrics list.")
    rows, seen = [], set()
    for metric in metrics:
        if not isinstance(metric, dict):
            raise TransformError(f"{where} has a metric that is not an object.")
        code = _text(metric, "code", f"{where}'s metric", required=True)
        if code in seen:
            raise TransformError(f"{where} lists metric {code} twice.")
        seen.add(code)
        at = f"{where}'s metric {code}"
        rows.append(
            {
                "group_code": unit["group_code"],
                "position": unit["position"],
                "portal_id": unit["portal_id"],
                "metric_code": code,
                "name": _text(metric, "name", at),
                "numerator": _number(metric, "numerator", at),
                "denominator": _number(metric, "denominator", at),
                "ratio": _number(metric, "ratio", at),
                "score": _number(metric, "score", at),
                "max_score": _number(metric, "maxScore", at),
                "data_quality_status": _text(metric, "dataQualityStatus", at),
                "data_quality_message": _text(metric, "dataQualityMessage", at),
            }
        )
    return rows


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    # Object columns keep None as None (a float column would turn it into NaN).
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})
    for column in ("page", "position"):
        if column in frame:
            frame[column] = frame[column].astype("int64")
    return frame


def _data(payload, endpoint: str, page: int) -> dict:
    if not isinstance(payload, dict) or payload.get("code") != "OK":
        code = payload.get("code") if isinstance(payload, dict) else None
        raise TransformError(f"The {endpoint} answer (page {page}) has code {code!r}, not 'OK'.")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise TransformError(f"The {endpoint} answer (page {page}) has no data object.")
    return data


def parse_detail(endpoint: str, payloads: list[dict], province: Province) -> GroupDetail:
    """One endpoint's answer, all its pages merged, checked to be about ``province``."""
    if endpoint not in DETAIL_ENDPOINTS:
        raise TransformError(f"{endpoint!r} is not one of the six detail endpoints.")
    if not payloads:
        raise TransformError(f"The {endpoint} answer has no page.")
    spec = DETAIL_ENDPOINTS[endpoint]
    own_key, list_key = ("parent", "children") if spec.shape == "tree" else (
        "overview", "evaluation")  # fmt: skip

    units, metrics, own, synthetic, announced = [], [], None, False, None
    for page, payload in enumerate(payloads, 1):
        data = _data(payload, endpoint, page)
        synthetic = synthetic or data.get("synthetic") is True
        if own is None:
            own = data.get(own_key)
            if not isinstance(own, dict):
                raise TransformError(f"The {endpoint} answer has no data.{own_key} object.")
        records = data.get(list_key)
        if not isinstance(records, list):
            raise TransformError(
                f"The {endpoint} answer (page {page}) has no data.{list_key} list."
            )
        if spec.shape == "metrics":
            pagination = data.get("pagination")
            if not isinstance(pagination, dict) or not is_number(pagination.get("total")):
                raise TransformError(
                    f"The {endpoint} answer (page {page}) has no pagination.total."
                )
            announced = int(pagination["total"])
        for record in records:
            row = _unit_row(record, len(units) + 1, page, endpoint, province)
            units.append(row)
            if spec.shape == "metrics":
                metrics.extend(_metric_rows(record, row, endpoint))

    own_id = own.get("departmentId")
    if own_id != province.portal_id:
        raise TransformError(
            f"The {endpoint} answer's {own_key} has departmentId {own_id!r} "
            f"({own.get('departmentName')}), but {province.name} is {province.portal_id}."
        )
    province_row = _unit_row(
        {**own, "departmentType": "PROVINCE"}, 0, 1, endpoint, province, own=True
    )
    province_row["kind"] = "province"
    province_metrics = _metric_rows(own, province_row, endpoint) if spec.shape == "metrics" else []

    seen: dict[str, dict] = {}
    for row in units:
        earlier = seen.setdefault(row["portal_id"], row)
        if earlier is not row:
            raise TransformError(
                f"The {endpoint} rows {earlier['position']} and {row['position']} "
                f"({row['raw_name']}) share departmentId {row['portal_id']}."
            )
    if announced is not None and announced != len(units):
        raise TransformError(
            f"The {endpoint} answer announces {announced} units in data.pagination.total but its "
            f"{len(payloads)} page(s) hold {len(units)}; fetch it again."
        )
    province_row["metrics"] = province_metrics
    return GroupDetail(
        endpoint,
        spec.group_code,
        province_row,
        _frame(units, GROUP_COLUMNS),
        _frame(metrics, METRIC_COLUMNS),
        synthetic,
    )


def parse_details(answers: Iterable[tuple[str, dict]], province: Province) -> list[GroupDetail]:
    """Every endpoint's pages, given as (endpoint, payload) in page order, parsed per group."""
    pages: dict[str, list[dict]] = {}
    for endpoint, payload in answers:
        pages.setdefault(endpoint, []).append(payload)
    return [parse_detail(endpoint, payloads, province) for endpoint, payloads in pages.items()]


@dataclass
class DetailMatch:
    """The groups matched to canonical units, and what disagrees with the ranking."""

    groups: pd.DataFrame  # GROUP_COLUMNS + match columns + unit_key, every group
    metrics: pd.DataFrame  # METRIC_COLUMNS, every group
    provinces: pd.DataFrame  # the province's own row of each group
    matches: dict[str, MatchResult] = field(default_factory=dict)  # group code → its matching
    not_in_ranking: list[tuple[str, str]] = field(default_factory=list)  # (group, raw name)
    missing: list[tuple[str, int, str]] = field(default_factory=list)  # (group, rank pos, name)
    sum_mismatches: list[tuple[str, float, float]] = field(default_factory=list)
    synthetic: bool = False

    def summary(self) -> str:
        per_group = self.groups.groupby("group_code", sort=False).size()
        counted = ", ".join(f"{code} {count}" for code, count in per_group.items())
        return (
            f"{counted} units; {len(self.missing)} missing from a group, "
            f"{len(self.not_in_ranking)} not in the ranking, "
            f"{len(self.sum_mismatches)} whose six groups differ from their total"
        )


def unit_key(row: dict) -> str:
    """The identity a matched row resolves to, comparable between the ranking and the groups."""
    if row.get("match") == "review":
        return f"portal:{row.get('portal_id')}"
    if isinstance(row.get("official_code"), str):
        return f"commune:{row['official_code']}"
    department_id = row.get("department_id")
    if department_id is not None and not pd.isna(department_id):
        return f"department:{int(department_id)}"
    return f"department:{canonical_key(str(row.get('canonical_name') or row.get('raw_name')))}"


def match_details(
    details: list[GroupDetail],
    province: Province,
    communes: list[Commune],
    departments: list[Department],
    ranking: pd.DataFrame | None = None,
) -> DetailMatch:
    """Each group's rows with their canonical unit; ``ranking`` is a matched ranking table."""
    matched, matches = [], {}
    for detail in details:
        result = match_units(detail.units, province, communes, departments)
        table = result.table
        table["unit_key"] = [unit_key(r) for r in table.to_dict("records")]
        matches[detail.group_code] = result
        matched.append(table)
    groups = pd.concat(matched, ignore_index=True) if matched else _frame([], GROUP_COLUMNS)
    # The province's own metrics come first in each group, at position 0.
    frames = [
        frame
        for d in details
        for frame in (_frame(d.province_row["metrics"], METRIC_COLUMNS), d.metrics)
        if len(frame)
    ]
    metrics = pd.concat(frames, ignore_index=True) if frames else None
    provinces = pd.DataFrame(
        [{k: v for k, v in d.province_row.items() if k != "metrics"} for d in details]
    )
    out = DetailMatch(
        groups=groups,
        metrics=metrics if metrics is not None else _frame([], METRIC_COLUMNS),
        provinces=provinces,
        matches=matches,
        synthetic=any(d.synthetic for d in details),
    )
    if ranking is not None:
        _compare_with_ranking(out, details, ranking)
    return out


def _compare_with_ranking(out: DetailMatch, details: list[GroupDetail], ranking) -> None:
    ranked = ranking.to_dict("records")
    ranked_keys = {unit_key(r): r for r in ranked}
    by_group: dict[str, dict[str, float | None]] = {}
    for detail in details:
        rows = out.groups[out.groups["group_code"] == detail.group_code]
        scores = dict(zip(rows["unit_key"], rows["score"], strict=True))
        by_group[detail.group_code] = scores
        out.not_in_ranking.extend(
            (detail.group_code, name)
            for key, name in zip(rows["unit_key"], rows["raw_name"], strict=True)
            if key not in ranked_keys
        )
        out.missing.extend(
            (detail.group_code, int(r.get("position", i + 1)), r["raw_name"])
            for i, (key, r) in enumerate(ranked_keys.items())
            if key not in scores
        )

    if len(by_group) < len(DETAIL_ENDPOINTS):
        return  # a sum over fewer than six groups says nothing about the total
    for key, row in ranked_keys.items():
        parts = [scores.get(key) for scores in by_group.values()]
        total = row.get("total_score")
        if total is None or any(p is None for p in parts) or pd.isna(total):
            continue
        summed = round(sum(parts), 2)
        if abs(summed - total) > SUM_TOLERANCE + 1e-9:
            out.sum_mismatches.append((row["raw_name"], float(total), summed))
