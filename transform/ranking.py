"""The province-scoped ``service-results`` answer as a table: one row per department and commune.

The portal sends one list of every department (childGroup AGENCY) and commune-level unit
(COMMUNE), highest score first; the two appendix tables of the notice are this list split by
group, in the portal's order. Nothing is rounded or recomputed: the portal's score is the score.
The answer is checked before it is trusted, and the first thing wrong ends the parse with one
sentence that names the field and the unit. A field the parser does not know is ignored, and
logged once per field name and process, so that a change of the portal's answer is noticed.
"""

import logging
import math
import threading

import pandas as pd

from chiso766.provinces import Province
from transform.exceptions import TransformError
from transform.units import split_unit_name

COLUMNS = (
    "position",
    "portal_id",
    "portal_code",
    "raw_name",
    "child_group",
    "kind",
    "total_score",
    "ratio",
    "score_delta",
)
CHILD_GROUPS = {"AGENCY", "COMMUNE"}  # a department (Sở, ban, ngành); a xã, phường or đặc khu
# The fields of a unit row the portal is known to send; any other is ignored and logged once.
ROW_FIELDS = frozenset(
    {"departmentId", "departmentName", "departmentCode", "totalScore", "ratio", "scoreDelta",
     "childGroup", "totalMaxScore", "groupScores"}
)  # fmt: skip

logger = logging.getLogger(__name__)
_unknown_fields_logged: set[str] = set()
_unknown_fields_lock = threading.Lock()


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _data(payload) -> dict:
    if not isinstance(payload, dict):
        raise TransformError("The portal's answer is not a JSON object.")
    if payload.get("code") != "OK":
        raise TransformError(
            f"The portal answered code {payload.get('code')!r} instead of 'OK' "
            f"(message: {payload.get('message')!r})."
        )
    data = payload.get("data")
    if not isinstance(data, dict):
        raise TransformError("The portal's answer has no data object.")
    if not isinstance(data.get("overview"), dict):
        raise TransformError("The portal's answer has no data.overview object.")
    return data


def read_number(record: dict, key: str, where: str, *, required: bool = False) -> float | None:
    """``record[key]`` as a float, None when absent or null; anything else is a TransformError."""
    if key not in record:
        if required:
            raise TransformError(f"{where} has no {key}{_renamed_hint(record, key)}.")
        return None
    value = record[key]
    if value is None:
        return None
    if not is_number(value):
        raise TransformError(f"{where} has a {key} that is not a number: {value!r}.")
    return float(value)


def _renamed_hint(record: dict, key: str) -> str:
    """`` (it has total_score instead)`` when a field of another spelling stands in its place."""
    wanted = key.replace("_", "").lower()
    for other in record:
        if isinstance(other, str) and other != key and other.replace("_", "").lower() == wanted:
            return f" (it has {other!r} instead: was the field renamed?)"
    return ""


def note_unknown_fields(record: dict, known: frozenset[str], where: str) -> None:
    """Log each field of ``record`` not in ``known``, once per field name for the process."""
    for name in record:
        if name in known or not isinstance(name, str):
            continue
        with _unknown_fields_lock:
            if name in _unknown_fields_logged:
                continue
            _unknown_fields_logged.add(name)
        logger.info(
            "%s has the field %r, which chiso766 does not know and ignores; "
            "later answers with it are not reported again",
            where, name,
        )  # fmt: skip


def _score(record: dict, key: str, where: str, *, required: bool, bounded: bool) -> float | None:
    value = read_number(record, key, where, required=required)
    if bounded and value is not None and not 0 <= value <= 100:
        raise TransformError(f"{where} has a {key} outside 0..100: {record[key]!r}.")
    return value


def parse_overview(payload: dict) -> dict:
    """The province as the answer's overview gives it: name, code, total_score, ratio."""
    overview = _data(payload)["overview"]
    where = "The portal's overview"
    name = overview.get("departmentName")
    if not isinstance(name, str) or not name.strip():
        raise TransformError(f"{where} has no departmentName.")
    code = overview.get("departmentCode")
    if not isinstance(code, str) or not code.strip():
        raise TransformError(f"{where} ({name}) has no departmentCode.")

    return {
        "name": name,
        "code": code,
        "total_score": _score(overview, "totalScore", where, required=True, bounded=True),
        "ratio": _score(overview, "ratio", where, required=False, bounded=False),
    }


def _row(position: int, record, province: Province) -> dict:
    if not isinstance(record, dict):
        raise TransformError(f"The portal's row {position} is not an object.")

    name = record.get("departmentName")
    portal_id = record.get("departmentId")
    if not isinstance(name, str) or not name.strip():
        raise TransformError(
            f"The portal's row {position} (departmentId {portal_id}) has no departmentName."
        )
    where = f"The portal's row {position} ({name})"
    if isinstance(portal_id, bool) or not isinstance(portal_id, str | int) or portal_id == "":
        raise TransformError(f"{where} has no departmentId.")
    group = record.get("childGroup")
    if group not in CHILD_GROUPS:
        raise TransformError(f"{where} has childGroup {group!r}, not AGENCY or COMMUNE.")
    code = record.get("departmentCode")
    if code is not None and not isinstance(code, str):
        raise TransformError(f"{where} has a departmentCode that is not text: {code!r}.")

    note_unknown_fields(record, ROW_FIELDS, f"The portal's row {position} ({name})")
    kind, _ = split_unit_name(name, province)
    if group == "AGENCY":
        kind = "department"
    elif kind == "department":  # a commune whose name lacks its kind word: left for review
        kind = "commune"

    return {
        "position": position,
        "portal_id": str(portal_id),
        "portal_code": code or None,
        "raw_name": name,
        "child_group": group,
        "kind": kind,
        "total_score": _score(record, "totalScore", where, required=True, bounded=True),
        "ratio": _score(record, "ratio", where, required=False, bounded=False),
        "score_delta": _score(record, "scoreDelta", where, required=False, bounded=False),
    }


def parse_ranking(payload: dict, province: Province) -> pd.DataFrame:
    """The ranking of ``province``'s units in the portal's order, checked against the request.

    Scores are floats exactly as sent, or None where the portal sent null; ``kind`` is
    "department", "xa", "phuong", "dac_khu", or "commune" for a commune whose kind the name
    does not tell.
    """
    data = _data(payload)
    overview = parse_overview(payload)
    if overview["code"] != province.portal_code:
        raise TransformError(
            f"The portal's overview has departmentCode {overview['code']} ({overview['name']}), "
            f"but {province.name} is {province.portal_code}: the answer is for another province."
        )
    evaluation = data.get("evaluation")
    if not isinstance(evaluation, list):
        raise TransformError(
            f"The portal's answer for {province.name} has no data.evaluation list."
        )

    if not evaluation:
        # The portal answers a period it has not computed (or failed to) with an empty list;
        # storing that as an observation would make every unit vanish from the appendix.
        raise TransformError(
            f"The portal's answer for {province.name} lists no department or commune "
            "(data.evaluation is empty): it has no figures for this period yet; nothing was "
            "stored, try again later."
        )
    rows = [_row(position, record, province) for position, record in enumerate(evaluation, 1)]

    first_seen: dict[str, dict] = {}
    for row in rows:
        earlier = first_seen.setdefault(row["portal_id"], row)
        if earlier is not row:
            raise TransformError(
                f"The portal's rows {earlier['position']} ({earlier['raw_name']}) and "
                f"{row['position']} ({row['raw_name']}) share departmentId {row['portal_id']}."
            )

    # Object columns keep None as None (a float column would turn it into NaN) and text as given.
    columns = {column: pd.Series([row[column] for row in rows], dtype=object) for column in COLUMNS}
    columns["position"] = columns["position"].astype("int64")
    return pd.DataFrame(columns)
