"""Keys for comparing Vietnamese names whatever their Unicode form, case or tone-mark placement.

Two keys serve matching. ``canonical_key`` keeps every diacritic, so "Cẩm Giang" and "Cẩm Giàng"
stay apart, but folds what carries no meaning: NFC/NFD, case, spacing, and the two placements of
the tone mark on the rhymes oa, oe and uy ("Hoà"/"Hòa", "Thuỷ"/"Thủy"), which NFC does not merge.
``blind_key`` also drops diacritics, spaces and punctuation ("Albá" = "Al Bá"); it is only ever
used to confirm a single candidate, never to choose between several.
"""

import re
import unicodedata

# The "old" placement (mark on the second vowel of oa/oe/uy) mapped to the "new" one that the
# official unit list uses. Lower case only: keys are case-folded before this is applied.
_TONE_PLACEMENT = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
_TONE_RE = re.compile("|".join(_TONE_PLACEMENT))
_SPACE_RE = re.compile(r"\s+")
_DASH_RE = re.compile(r"\s*[-–—]\s*")
_NOT_ALNUM_RE = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    """The text in Unicode NFC with its spacing collapsed and trimmed."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def canonical_key(text: str) -> str:
    """A key equal for spellings that differ only in form, case, spacing or tone placement."""
    key = nfc(text).casefold()
    key = _DASH_RE.sub(" - ", key)
    return _TONE_RE.sub(lambda m: _TONE_PLACEMENT[m.group(0)], key)


def strip_diacritics(text: str) -> str:
    """The text without tone marks or vowel marks, with đ written d."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def blind_key(text: str) -> str:
    """A key blind to diacritics, case, spaces and punctuation: for confirming, not choosing."""
    return _NOT_ALNUM_RE.sub("", strip_diacritics(nfc(text)).casefold())
