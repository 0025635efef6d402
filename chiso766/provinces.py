"""The 34 provinces, found from whatever a person types: a name, with or without its prefix and
diacritics, the official two-digit code or the portal's ``H``-code."""

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from chiso766.errors import InputError
from transform.names import blind_key, nfc

_PREFIXES = ("thành phố ", "tỉnh ")
# What people type before a province's name, diacritics and spaces removed ("TP.", "tỉnh").
_TYPED_PREFIXES = ("thanhpho", "tinh", "tp")


@dataclass(frozen=True)
class Province:
    code: str  # official two-digit code, "31"
    name: str  # official name, "Thành phố Hải Phòng"
    portal_code: str  # the current API's departmentCode, "H24"
    portal_id: str  # the current API's departmentId (a UUID)

    @property
    def short_name(self) -> str:
        """The name without "Tỉnh"/"Thành phố": "Hải Phòng"."""
        lowered = self.name.casefold()
        for prefix in _PREFIXES:
            if lowered.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name

    @property
    def is_city(self) -> bool:
        return self.name.casefold().startswith("thành phố")


@cache
def all_provinces() -> tuple[Province, ...]:
    """The 34 provinces in the order of their official codes."""
    text = resources.files("chiso766").joinpath("data/provinces.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        Province(
            code=row["province_code"],
            name=nfc(row["province_name"]),
            portal_code=row["portal_department_code"],
            portal_id=row["portal_department_id"],
        )
        for row in rows
    )


def _lookup_keys(province: Province) -> set[str]:
    return {
        blind_key(province.short_name),
        province.code,
        province.code.lstrip("0"),
        province.portal_code.casefold(),
        province.portal_id,
    }


def _query_key(wanted: str) -> str:
    if wanted.isdigit() or wanted.count("-") == 4:  # an official code or a portal UUID
        return wanted.casefold()
    if wanted[:1] in "hH" and wanted[1:].isdigit():  # the portal's code, "H24"
        return wanted.casefold()
    key = blind_key(wanted)
    for prefix in _TYPED_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def find_province(text: str) -> Province:
    """The province a person means by ``text``, or an input error naming the closest ones."""
    wanted = (text or "").strip()
    key = _query_key(wanted)
    for province in all_provinces():
        if key and key in _lookup_keys(province):
            return province

    if wanted.casefold() == "all":
        raise InputError("This command takes one province, not 'all'.")
    names = {blind_key(p.short_name): p.short_name for p in all_provinces()}
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.5)
    hint = ", ".join(names[c] for c in close) if close else "none close"
    raise InputError(
        f"No province is called {wanted!r}; the closest are: {hint}. "
        "Name it as in 'Hải Phòng' or give its two-digit code."
    )
