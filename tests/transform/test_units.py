"""Matching the portal's unit names to official communes and to the department register."""

import json
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from notice_fixture import load_notice_tables

from chiso766.provinces import find_province
from transform.ranking import parse_ranking
from transform.units import (
    Department,
    match_units,
    official_communes,
    seed_departments,
    split_unit_name,
    unit_label,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
HAI_PHONG = find_province("Hải Phòng")
PHU_THO = find_province("Phú Thọ")
GIA_LAI = find_province("Gia Lai")


def _fixture(name: str):
    return json.loads((FIXTURES / name).read_text("utf-8"))


def _table(province, communes=(), departments=()) -> pd.DataFrame:
    """A parsed ranking of the given names, departments first, as the portal would send it."""
    rows = [(name, "AGENCY") for name in departments] + [(name, "COMMUNE") for name in communes]
    evaluation = [
        {"departmentId": f"id-{i}", "departmentName": name, "totalScore": 90, "childGroup": group}
        for i, (name, group) in enumerate(rows)
    ]
    overview = {"departmentName": province.name, "departmentCode": province.portal_code}
    payload = {"code": "OK", "data": {"overview": {**overview, "totalScore": 90}}}
    payload["data"]["evaluation"] = evaluation
    return parse_ranking(payload, province)


def _match(province, communes=(), departments=(), register=None):
    table = _table(province, communes, departments)
    register = seed_departments(province.code) if register is None else register
    return match_units(table, province, official_communes(province.code), register)


def _by_name(result) -> dict[str, dict]:
    return {row["raw_name"]: row for row in result.table.to_dict("records")}


# --- the official list -----------------------------------------------------------------------


def test_official_communes_drop_the_kind_word():
    communes = {c.name: c for c in official_communes("31")}

    assert len(communes) == 114
    assert communes["Kẻ Sặt"].kind == "xa"
    assert communes["Cát Hải"].kind == "dac_khu"
    assert communes["Hòa Bình"].official_code == "11533"
    assert "Văn Miếu - Quốc Tử Giám" in {c.name for c in official_communes("01")}
    assert official_communes("99") == []


# --- splitting a name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "province", "expected"),
    [
        ("UBND xã Bình Phú - Tỉnh Phú Thọ", "Phú Thọ", ("xa", "Bình Phú")),
        ("UBND xã Vĩnh Tường - tỉnh Phú Thọ", "Phú Thọ", ("xa", "Vĩnh Tường")),
        ("UBND Phường Việt Trì", "Phú Thọ", ("phuong", "Việt Trì")),
        ("UBND xã Kông Bơ La - Gia Lai", "Gia Lai", ("xa", "Kông Bơ La")),
        ("UBND Đặc khu Kiên Hải - tỉnh An Giang", "An Giang", ("dac_khu", "Kiên Hải")),
        ("UBND xã Kẻ Sặt - Thành phố Hải Phòng", "Hải Phòng", ("xa", "Kẻ Sặt")),
        ("UBND xã Kẻ Sặt - TP Hải Phòng", "Hải Phòng", ("xa", "Kẻ Sặt")),
        ("UBND xã Kẻ Sặt - TP. Hải Phòng", "Hải Phòng", ("xa", "Kẻ Sặt")),
        ("UBND xã Kẻ Sặt-TP Hải Phòng", "Hải Phòng", ("xa", "Kẻ Sặt")),
        ("Ủy ban nhân dân phường Văn Miếu - Quốc Tử Giám", "Hà Nội",
         ("phuong", "Văn Miếu - Quốc Tử Giám")),
        ("UBND phường Lâm Viên - Đà Lạt", "Lâm Đồng", ("phuong", "Lâm Viên - Đà Lạt")),
        ("Văn phòng UBND Tỉnh - Tỉnh Phú Thọ", "Phú Thọ", ("department", "Văn phòng UBND Tỉnh")),
        ("Thanh tra tỉnh - Tỉnh Phú Thọ", "Phú Thọ", ("department", "Thanh tra tỉnh")),
        ("Thanh tra tỉnh An Giang", "An Giang", ("department", "Thanh tra tỉnh An Giang")),
        # A suffix naming another province is part of the name, not a label to drop.
        ("UBND xã Kẻ Sặt - Tỉnh Phú Thọ", "Hải Phòng", ("xa", "Kẻ Sặt - Tỉnh Phú Thọ")),
    ],
)  # fmt: skip
def test_split_unit_name(raw, province, expected):
    assert split_unit_name(raw, find_province(province)) == expected


def test_split_unit_name_composes_decomposed_input():
    kind, name = split_unit_name(unicodedata.normalize("NFD", "UBND Đặc khu Cát Hải"), HAI_PHONG)

    assert (kind, name) == ("dac_khu", "Cát Hải")
    assert unicodedata.is_normalized("NFC", name)


def test_unit_label_is_the_notices_form():
    assert unit_label("xa", "Kẻ Sặt") == "UBND xã Kẻ Sặt"
    assert unit_label("phuong", "Hòa Bình") == "UBND phường Hòa Bình"
    assert unit_label("dac_khu", "Cát Hải") == "UBND Đặc khu Cát Hải"
    assert unit_label("department", "Sở Y tế") == "Sở Y tế"


# --- real names ------------------------------------------------------------------------------


def test_every_real_phu_tho_name_finds_its_unit():
    names = _fixture("phu-tho-2026-08-names.json")
    communes = [n["departmentName"] for n in names if n["level"] == "COMMUNE"]
    departments = [n["departmentName"] for n in names if n["level"] == "PROVINCE"]

    result = _match(PHU_THO, communes, departments)

    table = result.table
    matched = table[table["kind"] != "department"]
    assert len(matched) == 148
    assert set(matched["match"]) == {"exact"}
    assert set(matched["official_code"]) == {c.official_code for c in official_communes("25")}
    assert result.review == [] and result.corrections == []
    by_name = _by_name(result)
    assert by_name["UBND xã Bình Phú - Tỉnh Phú Thọ"]["canonical_name"] == "Bình Phú"
    assert by_name["UBND Phường Việt Trì"]["kind"] == "phuong"
    # Phú Thọ has no bundled register: its 15 departments are new, under their bare names.
    assert len(result.new_departments) == 15
    assert "Văn phòng UBND Tỉnh" in {d.name for d in result.new_departments}
    assert "Sở Nông Nghiệp và Môi Trường" in {d.name for d in result.new_departments}


def test_every_commune_of_the_gia_lai_excerpt_matches():
    payload = _fixture("gia-lai-2026-ranking-excerpt.json")
    table = parse_ranking(payload, GIA_LAI)

    result = match_units(table, GIA_LAI, official_communes("52"), [])

    by_name = _by_name(result)
    assert by_name["UBND xã Albá"]["canonical_name"] == "Al Bá"
    assert by_name["UBND xã Albá"]["match"] == "loose"
    assert by_name["UBND xã Ia Chía"]["canonical_name"] == "Ia Chia"
    assert by_name["UBND xã Kông Bơ La - Gia Lai"]["official_code"] == "23674"
    assert by_name["UBND Xã Chơ Long"]["match"] == "exact"
    assert [(c.raw_name, c.canonical_name, c.official_code) for c in result.corrections] == [
        ("UBND xã Albá", "Al Bá", "23954"),
        ("UBND xã Ia Chía", "Ia Chia", "23788"),
    ]
    assert result.review == []
    assert [d.name for d in result.new_departments] == [
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Khoa học và Công nghệ",
        "Ban Quản lý Khu kinh tế",
        "Sở Xây dựng",
        "Thanh tra tỉnh",
    ]
    assert result.new_departments[0].portal_code == "H21.17"
    assert result.table["position"].tolist() == table["position"].tolist()


def test_the_hai_phong_notice_matches_with_exactly_its_four_misspellings():
    notice = load_notice_tables()
    departments = [name for _, name, _ in notice["I"]]
    communes = [name for _, name, _ in notice["II"]]

    result = _match(HAI_PHONG, communes, departments)

    assert result.review == [] and result.new_departments == []
    assert set(result.table["official_code"].dropna()) == {
        c.official_code for c in official_communes("31")
    }
    assert {(c.raw_name, c.canonical_name) for c in result.corrections} == {
        ("UBND phường Nguyễn Đại Nãng", "Nguyễn Đại Năng"),
        ("UBND xã Kê Sặt", "Kẻ Sặt"),
        ("UBND phường Bắc An Phú", "Bắc An Phụ"),
        ("UBND xã Nguyễn Bình Khiêm", "Nguyễn Bỉnh Khiêm"),
    }
    departments_table = result.table[result.table["kind"] == "department"]
    assert departments_table["canonical_name"].tolist() == departments
    assert not departments_table["corrected"].any()


# --- pairs that look alike -------------------------------------------------------------------


def test_cam_giang_and_cam_giang_with_a_grave_are_two_communes():
    result = _match(HAI_PHONG, ["UBND xã Cẩm Giang", "UBND xã Cẩm Giàng"])

    by_name = _by_name(result)
    assert by_name["UBND xã Cẩm Giang"]["official_code"] == "10888"
    assert by_name["UBND xã Cẩm Giàng"]["official_code"] == "10903"
    assert set(result.table["match"]) == {"exact"}


def test_a_name_between_cam_giang_and_cam_giang_is_not_guessed():
    result = _match(HAI_PHONG, ["UBND xã Cam Giang"])

    assert result.table.at[0, "match"] == "review"
    assert result.table.at[0, "official_code"] is None
    assert result.review[0].candidates == ("Xã Cẩm Giang (10888)", "Xã Cẩm Giàng (10903)")
    assert "Thành phố Hải Phòng has 2 xã that could be Cam Giang" in result.review[0].reason


def test_an_phu_and_bac_an_phu_stay_apart():
    result = _match(HAI_PHONG, ["UBND xã An Phú", "UBND phường Bắc An Phụ"])

    codes = result.table["official_code"].tolist()
    assert codes == ["10645", "10678"]
    assert result.corrections == []


def test_a_ward_the_official_list_calls_a_commune_goes_to_review():
    result = _match(HAI_PHONG, ["UBND phường An Phú"])

    assert result.table.at[0, "match"] == "review"
    assert result.review[0].candidates == ("Xã An Phú (10645)",)
    assert "calls An Phú a phường" in result.review[0].reason


def test_an_unknown_name_goes_to_review_with_close_names():
    result = _match(HAI_PHONG, ["UBND xã Kẻ Sắt Mới", "Kẻ Sặt"])

    assert result.table["match"].tolist() == ["review", "review"]
    unknown, kindless = result.review
    assert "No official xã of Thành phố Hải Phòng is called Kẻ Sắt Mới" in unknown.reason
    assert "does not say whether Kẻ Sặt is a xã" in kindless.reason
    assert kindless.candidates == ("Xã Kẻ Sặt (10945)",)


def test_decomposed_and_old_tone_placement_match_exactly():
    names = [unicodedata.normalize("NFD", "UBND xã Kẻ Sặt"), "UBND phường Hoà Bình"]

    result = _match(HAI_PHONG, names + ["UBND Phường Thuỷ Nguyên", "UBND Phường VIỆT HOÀ"])

    assert result.table["official_code"].tolist() == ["10945", "11533", "11560", "10543"]
    assert set(result.table["match"]) == {"exact"}
    assert not result.table["corrected"].any()
    assert result.table.at[1, "canonical_name"] == "Hòa Bình"


def test_two_rows_on_one_commune_both_go_to_review():
    result = _match(HAI_PHONG, ["UBND xã Kẻ Sặt", "UBND xã Kê Sặt", "UBND xã An Phú"])

    assert result.table["match"].tolist() == ["review", "review", "exact"]
    assert result.table["official_code"].tolist()[:2] == [None, None]
    assert result.corrections == []
    assert [item.candidates for item in result.review] == [("Xã Kẻ Sặt (10945)",)] * 2
    assert result.review[0].reason == (
        "row 1 (UBND xã Kẻ Sặt), row 2 (UBND xã Kê Sặt) both resolve to Xã Kẻ Sặt (10945); "
        "only one of them can be that unit."
    )


# --- departments -----------------------------------------------------------------------------


def test_hai_phong_seed_register():
    register = seed_departments("31")

    assert len(register) == 12
    assert register[0].display_name == "Sở Ngoại vụ"
    assert all(d.id is None and d.province_code == "31" for d in register)
    assert seed_departments("25") == []


def test_departments_match_by_id_then_code_then_name_then_loosely():
    register = [
        Department(1, "31", "Sở Ngoại vụ", portal_id="id-0"),
        Department(2, "31", "Sở Y tế", portal_code="H24.19"),
        Department(3, "31", "Ban quản lý khu kinh tế Hải Phòng", aliases=("Ban Quản lý KKT",)),
        Department(4, "31", "Sở Văn hoá, Thể thao và Du lịch"),
        Department(5, "31", "Sở Tài chính"),
        Department(6, "01", "Sở Tư pháp"),  # another province's
    ]
    table = _table(
        HAI_PHONG,
        departments=[
            "Sở Ngoại Vụ - TP Hải Phòng",
            "Sở Y Tế thành phố",
            "Ban Quản lý KKT - Thành phố Hải Phòng",
            "Sở Văn hóa, Thể thao và Du lịch - Thành phố Hải Phòng",
            "So Tai Chinh",
            "Sở Tư pháp - Thành phố Hải Phòng",
        ],
    )
    table.loc[1, "portal_code"] = "H24.19"

    result = match_units(table, HAI_PHONG, [], register)

    out = result.table
    assert out["match"].tolist() == [
        "portal_id", "portal_code", "exact", "exact", "loose", "new_department",
    ]  # fmt: skip
    assert out["department_id"].tolist() == [1, 2, 3, 4, 5, None]
    assert out["canonical_name"].tolist()[3:] == [
        "Sở Văn hoá, Thể thao và Du lịch", "Sở Tài chính", "Sở Tư pháp",
    ]  # fmt: skip
    assert out["corrected"].tolist() == [False, True, True, False, True, False]
    assert [(d.name, d.portal_id) for d in result.new_departments] == [("Sở Tư pháp", "id-5")]
    assert result.review == []


def test_a_department_two_register_entries_could_be_goes_to_review():
    register = [
        Department(1, "31", "Sở Y tế"),
        Department(2, "31", "Sở Ý Tế", aliases=("Sở Y tế",)),
        Department(3, "31", "Sở Nội vụ"),
        Department(4, "31", "Sở Nội Vũ"),
    ]

    result = _match(HAI_PHONG, departments=["Sở Y tế", "So Noi Vu"], register=register)

    assert result.table["match"].tolist() == ["review", "review"]
    assert [item.candidates for item in result.review] == [
        ("Sở Y tế", "Sở Ý Tế"),
        ("Sở Nội vụ", "Sở Nội Vũ"),
    ]
    assert result.new_departments == []


def test_two_rows_on_one_department_both_go_to_review():
    result = _match(HAI_PHONG, departments=["Sở Y tế", "Sở Y Tế - Thành phố Hải Phòng"])

    assert result.table["match"].tolist() == ["review", "review"]
    assert result.review[0].candidates == ("Sở Y tế",)


def test_match_keeps_the_input_table_and_its_index():
    table = _table(HAI_PHONG, communes=["UBND xã An Phú", "UBND xã Kẻ Sặt"]).set_index(
        pd.Index([10, 20])
    )

    result = match_units(table, HAI_PHONG, official_communes("31"), [])

    assert result.table["official_code"].tolist() == ["10645", "10945"]
    assert "official_code" not in table.columns
    assert result.summary() == (
        "0 departments, 2 communes, 0 names corrected, 0 new departments, 0 to review"
    )
