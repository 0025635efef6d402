"""The two name keys: what they fold together and what they must keep apart."""

import unicodedata

import pytest

from transform.names import blind_key, canonical_key, nfc, strip_diacritics


def test_nfc_composes_and_collapses_spacing():
    decomposed = unicodedata.normalize("NFD", "  Kẻ   Sặt ")
    assert nfc(decomposed) == "Kẻ Sặt"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hoà Bình", "Hòa Bình"),  # tone mark on the second vowel of "oa", or on the first
        ("Thuỷ Nguyên", "Thủy Nguyên"),
        ("Khoẻ", "Khỏe"),
        ("VĨNH HÒA", "vĩnh hoà"),
        ("Cẩm  Giàng", unicodedata.normalize("NFD", "Cẩm Giàng")),
        ("Văn Miếu-Quốc Tử Giám", "Văn Miếu – Quốc Tử Giám"),
    ],
)
def test_canonical_key_folds_form_case_spacing_and_tone_placement(one, other):
    assert canonical_key(one) == canonical_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Cẩm Giang", "Cẩm Giàng"),
        ("Kê Sặt", "Kẻ Sặt"),
        ("Bắc An Phú", "Bắc An Phụ"),
        ("Nguyễn Bình Khiêm", "Nguyễn Bỉnh Khiêm"),
        ("Albá", "Al Bá"),
    ],
)
def test_canonical_key_keeps_real_spelling_differences(one, other):
    assert canonical_key(one) != canonical_key(other)
    assert blind_key(one) == blind_key(other)


def test_blind_key_ignores_diacritics_spaces_and_punctuation():
    assert blind_key("Đặc khu Bạch Long Vĩ") == "dackhubachlongvi"
    assert blind_key("Văn Miếu - Quốc Tử Giám") == "vanmieuquoctugiam"
    assert blind_key("An Phú") != blind_key("Bắc An Phụ")


def test_strip_diacritics_writes_d_for_the_crossed_d():
    assert strip_diacritics("Đồng Đăng") == "Dong Dang"
