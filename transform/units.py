"""Who each row of the ranking is: the official commune or the registered department behind a name.

The portal names units loosely ("UBND Phường Việt Trì", "UBND xã Bình Phú - Tỉnh Phú Thọ",
"UBND xã Albá"); the notice must show them as the official list and the province's department
register write them. A commune is matched among the official communes of its own kind and
province, first on ``canonical_key`` (form, case, spacing, tone placement), then on ``blind_key``
(diacritics and spaces ignored) only when that loose key points at exactly one commune. Anything
less certain goes to review with its candidates: a name is never guessed and a row never dropped.
A department is matched on the register's portal id, then portal code, then name; a department
the register does not know yet is reported as new, to be registered under its portal name.
"""

import csv
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import pandas as pd

from chiso766.provinces import Province
from transform.names import blind_key, canonical_key, nfc

CommuneKind = Literal["xa", "phuong", "dac_khu"]
MatchKind = Literal["portal_id", "portal_code", "exact", "loose", "new_department", "review"]

# The kind word of a commune-level unit as the portal and the official list write it.
_KIND_WORDS: dict[str, CommuneKind] = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}
_OFFICIAL_PREFIX = {"xa": "Xã", "phuong": "Phường", "dac_khu": "Đặc khu"}
_KIND_NOUN = {"xa": "xã", "phuong": "phường", "dac_khu": "đặc khu"}  # Vietnamese has no plural
_LABEL_PREFIX = {"xa": "UBND xã", "phuong": "UBND phường", "dac_khu": "UBND Đặc khu"}
_COMMUNE_RE = re.compile(
    r"^(?:(?:ubnd|ủy ban nhân dân|uỷ ban nhân dân)\s+)?(xã|phường|đặc khu)\s+(\S.*)$",
    re.IGNORECASE,
)
# The last " - " part of a name; it is dropped only when it names the province itself.
_SUFFIX_RE = re.compile(r"^(.*\S)\s*[-–—]\s*(\S[^-–—]*)$")
# How the portal writes the province's own kind before its name, diacritics and spaces removed.
_PROVINCE_WORDS = ("thanhpho", "tinh", "tp")


@dataclass(frozen=True)
class Commune:
    """An official commune-level unit after the 2025 reorganisation."""

    official_code: str  # five digits, "10528"
    province_code: str
    kind: CommuneKind
    name: str  # without the kind word: "Kẻ Sặt"


@dataclass(frozen=True)
class Department:
    """An entry of a province's department register (Sở, ban, ngành) as the warehouse keeps it."""

    id: int | None
    province_code: str
    display_name: str  # as the province's notice writes it
    portal_id: str | None = None
    portal_code: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Correction:
    """A name whose portal spelling differs from the canonical one by more than form or case."""

    raw_name: str
    canonical_name: str
    kind: str
    official_code: str | None


@dataclass(frozen=True)
class ReviewItem:
    """A row no rule could match with certainty; a person must decide."""

    raw_name: str
    kind: str
    reason: str
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewDepartment:
    """A department the register does not know yet, to be registered under its portal name."""

    name: str
    portal_id: str | None
    portal_code: str | None
    raw_name: str


@dataclass
class MatchResult:
    table: pd.DataFrame
    corrections: list[Correction] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    new_departments: list[NewDepartment] = field(default_factory=list)

    def summary(self) -> str:
        """Figures for a log line: "12 departments, 114 communes, 4 names corrected, ..."."""
        departments = int((self.table["kind"] == "department").sum())
        communes = len(self.table) - departments
        return (
            f"{departments} departments, {communes} communes, "
            f"{len(self.corrections)} names corrected, "
            f"{len(self.new_departments)} new departments, {len(self.review)} to review"
        )


@cache
def _all_official_communes() -> dict[str, tuple[Commune, ...]]:
    """Every bundled commune-level unit, read once, grouped by province code."""
    text = resources.files("chiso766").joinpath("data/admin_units_2025.csv").read_text("utf-8")
    grouped: dict[str, list[Commune]] = defaultdict(list)
    for row in csv.DictReader(text.splitlines()):
        kind = row["unit_kind"]
        prefix = _OFFICIAL_PREFIX[kind] + " "
        name = nfc(row["unit_name"])
        if not name.startswith(prefix):
            raise ValueError(f"The bundled unit {row['unit_code']} ({name}) lacks its kind word.")
        grouped[row["province_code"]].append(
            Commune(row["unit_code"], row["province_code"], kind, name[len(prefix) :])
        )
    return {code: tuple(communes) for code, communes in grouped.items()}


def _official_communes(province_code: str) -> tuple[Commune, ...]:
    return _all_official_communes().get(province_code, ())


def official_communes(province_code: str) -> list[Commune]:
    """The official communes, wards and special zones of a province, from the bundled list."""
    return list(_official_communes(province_code))


def seed_departments(province_code: str) -> list[Department]:
    """The bundled seed of a province's department register, or [] when none is bundled."""
    path = resources.files("chiso766").joinpath(f"data/departments/{province_code}.csv")
    if not path.is_file():
        return []

    departments = []
    for row in csv.DictReader(path.read_text("utf-8").splitlines()):
        aliases = tuple(nfc(a) for a in (row.get("aliases") or "").split("|") if a.strip())
        departments.append(
            Department(None, province_code, nfc(row["display_name"]), aliases=aliases)
        )
    return departments


def _strip_province_suffix(name: str, province: Province) -> str:
    match = _SUFFIX_RE.match(name)
    if not match:
        return name

    tail, wanted = blind_key(match.group(2)), blind_key(province.short_name)
    for word in _PROVINCE_WORDS:
        if tail.startswith(word) and tail[len(word) :] == wanted:
            return match.group(1)
    return match.group(1) if tail == wanted else name


def split_unit_name(raw_name: str, province: Province) -> tuple[str, str]:
    """(kind, bare name): "UBND xã Bình Phú - Tỉnh Phú Thọ" gives ("xa", "Bình Phú").

    Without a kind word the unit is taken for a department: ("department", name without the
    province suffix). A " - " part is dropped only when it names ``province``, so
    "Văn Miếu - Quốc Tử Giám" keeps its dash.
    """
    name = _strip_province_suffix(nfc(raw_name), province)
    match = _COMMUNE_RE.match(name)
    if match:
        return _KIND_WORDS[match.group(1).casefold()], match.group(2)
    return "department", name


def unit_label(kind: str, name: str) -> str:
    """The notice's form of a unit: "UBND xã Kẻ Sặt", "UBND Đặc khu Cát Hải"; departments as is."""
    prefix = _LABEL_PREFIX.get(kind)
    return f"{prefix} {name}" if prefix else name


def _text_or_none(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _official_label(commune: Commune) -> str:
    return f"{_OFFICIAL_PREFIX[commune.kind]} {commune.name} ({commune.official_code})"


@dataclass
class _Outcome:
    match: MatchKind
    canonical_name: str | None = None
    official_code: str | None = None
    department_id: int | None = None
    target: tuple | None = None  # what the row resolved to, to catch two rows on one unit
    label: str = ""  # the target as a person reads it, for the review of duplicates
    reason: str = ""
    candidates: tuple[str, ...] = ()


class _CommuneIndex:
    """The province's communes keyed for the exact and the loose rule, per kind."""

    def __init__(self, communes: list[Commune], province: Province):
        self.communes = [c for c in communes if c.province_code == province.code]
        self.exact: dict[tuple[str, str], list[Commune]] = defaultdict(list)
        self.blind: dict[tuple[str, str], list[Commune]] = defaultdict(list)
        for commune in self.communes:
            self.exact[commune.kind, canonical_key(commune.name)].append(commune)
            self.blind[commune.kind, blind_key(commune.name)].append(commune)

    def close_names(self, name: str) -> tuple[str, ...]:
        labels = {canonical_key(c.name): _official_label(c) for c in self.communes}
        close = difflib.get_close_matches(canonical_key(name), list(labels), n=3, cutoff=0.75)
        return tuple(labels[key] for key in close)


def _found(commune: Commune, match: MatchKind) -> _Outcome:
    return _Outcome(
        match,
        commune.name,
        commune.official_code,
        target=("commune", commune.official_code),
        label=_official_label(commune),
    )


def _match_commune(kind: str, name: str, index: _CommuneIndex, province: Province) -> _Outcome:
    exact_key, loose_key = canonical_key(name), blind_key(name)
    if kind not in _OFFICIAL_PREFIX:  # "commune": the portal's name gave no kind word
        hits = [c for k in _OFFICIAL_PREFIX for c in index.blind[k, loose_key]]
        return _Outcome(
            "review",
            reason=f"The portal's name does not say whether {name} is a xã, phường or đặc khu.",
            candidates=tuple(_official_label(c) for c in hits) or index.close_names(name),
        )

    exact = index.exact[kind, exact_key]
    if len(exact) == 1:
        return _found(exact[0], "exact")
    loose = index.blind[kind, loose_key]
    if not exact and len(loose) == 1:
        return _found(loose[0], "loose")
    if exact or len(loose) > 1:
        listed = exact or loose
        return _Outcome(
            "review",
            reason=f"{province.name} has {len(listed)} {_KIND_NOUN[kind]} that could be {name}; "
            "their names differ only in diacritics.",
            candidates=tuple(_official_label(c) for c in listed),
        )

    other = [c for k in _OFFICIAL_PREFIX if k != kind for c in index.blind[k, loose_key]]
    if other:
        return _Outcome(
            "review",
            reason=f"The portal calls {name} a {_KIND_NOUN[kind]}, but the official list of "
            f"{province.name} has it as another kind of unit.",
            candidates=tuple(_official_label(c) for c in other),
        )
    return _Outcome(
        "review",
        reason=f"No official {_KIND_NOUN[kind]} of {province.name} is called {name}, "
        "even ignoring diacritics.",
        candidates=index.close_names(name),
    )


def _match_department(
    row: dict, name: str, departments: list[Department], province: Province
) -> _Outcome:
    def found(position: int, match: MatchKind) -> _Outcome:
        department = departments[position]
        return _Outcome(
            match,
            department.display_name,
            department_id=department.id,
            target=("department", position),
            label=department.display_name,
        )

    for attribute, match in (("portal_id", "portal_id"), ("portal_code", "portal_code")):
        value = row.get(attribute)
        if isinstance(value, str) and value:
            for position, department in enumerate(departments):
                if getattr(department, attribute) == value:
                    return found(position, match)

    def named(key) -> list[int]:
        return [
            position
            for position, department in enumerate(departments)
            if key(name) in {key(n) for n in (department.display_name, *department.aliases)}
        ]

    exact = named(canonical_key)
    if len(exact) == 1:
        return found(exact[0], "exact")
    candidates = exact or named(blind_key)
    if len(candidates) == 1:
        return found(candidates[0], "loose")
    if candidates:
        return _Outcome(
            "review",
            reason=f"{province.name} has {len(candidates)} registered departments that could be "
            f"{name}; their names or aliases are alike.",
            candidates=tuple(departments[p].display_name for p in candidates),
        )
    return _Outcome("new_department", name, target=("new", canonical_key(name)), label=name)


def _mark_duplicates(outcomes: list[_Outcome], raw_names: list[str], positions: list) -> None:
    rows_by_target = defaultdict(list)
    for i, outcome in enumerate(outcomes):
        if outcome.target is not None:
            rows_by_target[outcome.target].append(i)

    for rows in rows_by_target.values():
        if len(rows) < 2:
            continue
        listed = ", ".join(f"row {positions[i]} ({raw_names[i]})" for i in rows)
        label, which = outcomes[rows[0]].label, "both" if len(rows) == 2 else "all"
        for i in rows:
            outcomes[i] = _Outcome(
                "review",
                reason=f"{listed} {which} resolve to {label}; only one of them can be that unit.",
                candidates=(label,),
            )


def match_units(
    table: pd.DataFrame,
    province: Province,
    communes: list[Commune],
    departments: list[Department],
) -> MatchResult:
    """The ranking table with each row's official identity, and what needs a person's attention.

    ``table`` needs ``raw_name`` and ``kind`` (as ``parse_ranking`` gives them); ``portal_id``,
    ``portal_code`` and ``position`` are used when present.
    """
    index = _CommuneIndex(communes, province)
    register = [d for d in departments if d.province_code == province.code]
    records = table.to_dict("records")
    raw_names = [str(r["raw_name"]) for r in records]
    positions = [r.get("position", i + 1) for i, r in enumerate(records)]

    outcomes, bare_names = [], []
    for record in records:
        _, bare = split_unit_name(record["raw_name"], province)
        bare_names.append(bare)
        if record["kind"] == "department":
            outcomes.append(_match_department(record, bare, register, province))
        else:
            outcomes.append(_match_commune(record["kind"], bare, index, province))
    _mark_duplicates(outcomes, raw_names, positions)

    result = MatchResult(table=table.copy())
    corrected = []
    for record, bare, outcome in zip(records, bare_names, outcomes, strict=True):
        changed = outcome.match != "review" and canonical_key(bare) != canonical_key(
            outcome.canonical_name
        )
        corrected.append(changed)
        if changed:
            correction = Correction(
                record["raw_name"], outcome.canonical_name, record["kind"], outcome.official_code
            )
            result.corrections.append(correction)
        if outcome.match == "review":
            result.review.append(
                ReviewItem(record["raw_name"], record["kind"], outcome.reason, outcome.candidates)
            )
        elif outcome.match == "new_department":
            portal_id, portal_code = record.get("portal_id"), record.get("portal_code")
            result.new_departments.append(
                NewDepartment(
                    bare, _text_or_none(portal_id), _text_or_none(portal_code), record["raw_name"]
                )
            )

    out = result.table
    for column in ("official_code", "department_id", "canonical_name", "match"):
        values = [getattr(outcome, column) for outcome in outcomes]
        out[column] = pd.Series(values, index=out.index, dtype=object)
    out["corrected"] = pd.Series(corrected, index=out.index, dtype=bool)
    return result
