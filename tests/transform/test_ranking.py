"""Reading the province-scoped ranking: a real Gia Lai answer, and answers that must be refused."""

import copy
import json
import unicodedata
from pathlib import Path

import pytest

from chiso766.provinces import find_province
from transform.exceptions import TransformError
from transform.ranking import COLUMNS, parse_overview, parse_ranking

FIXTURES = Path(__file__).parent.parent / "fixtures"
GIA_LAI = find_province("Gia Lai")


@pytest.fixture
def payload() -> dict:
    return json.loads((FIXTURES / "gia-lai-2026-ranking-excerpt.json").read_text("utf-8"))


def _row(name: str, group: str = "COMMUNE", score=80.5, **extra) -> dict:
    return {
        "departmentId": f"id-{name}",
        "departmentName": name,
        "departmentCode": None,
        "totalScore": score,
        "ratio": score,
        "scoreDelta": None,
        "childGroup": group,
        **extra,
    }


def _envelope(rows: list[dict], code: str = "H21") -> dict:
    overview = {"departmentName": "UBND tỉnh", "departmentCode": code, "totalScore": 60}
    return {"code": "OK", "data": {"overview": overview, "evaluation": rows}, "message": "OK"}


def test_real_answer_keeps_the_portals_order_names_and_scores(payload):
    table = parse_ranking(payload, GIA_LAI)

    assert tuple(table.columns) == COLUMNS
    assert len(table) == 16
    assert table["position"].tolist() == list(range(1, 17))
    first = table.iloc[0]
    assert first["raw_name"] == "Sở Văn hóa, Thể thao và Du lịch - tỉnh Gia Lai"
    assert first["portal_id"] == "019d2be3-6a85-74ec-a347-77b9087c81c4"
    assert first["portal_code"] == "H21.17"
    assert (first["child_group"], first["kind"]) == ("AGENCY", "department")
    assert first["total_score"] == 79.16
    assert first["score_delta"] is None
    assert table["total_score"].tolist() == sorted(table["total_score"], reverse=True)


def test_integer_score_arrives_as_the_same_float(payload):
    table = parse_ranking(payload, GIA_LAI)

    krai = table[table["raw_name"] == "UBND xã Ia Krái"].iloc[0]
    assert krai["total_score"] == 73.0
    assert type(krai["total_score"]) is float


def test_split_by_group_gives_the_two_appendix_tables(payload):
    table = parse_ranking(payload, GIA_LAI)

    departments = table[table["child_group"] == "AGENCY"]
    communes = table[table["child_group"] == "COMMUNE"]
    assert departments["raw_name"].tolist() == [
        "Sở Văn hóa, Thể thao và Du lịch - tỉnh Gia Lai",
        "Sở Khoa học và Công nghệ - tỉnh Gia Lai",
        "Ban Quản lý Khu kinh tế - tỉnh Gia Lai",
        "Sở Xây dựng - tỉnh Gia Lai",
        "Thanh tra tỉnh - tỉnh Gia Lai",
    ]
    assert len(communes) == 11
    assert set(communes["kind"]) == {"xa", "phuong"}
    kinds = dict(zip(table["raw_name"], table["kind"], strict=True))
    assert kinds["UBND Xã Chơ Long"] == "xa"
    assert kinds["UBND phường An Phú"] == "phuong"
    assert kinds["UBND xã Kông Bơ La - Gia Lai"] == "xa"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("UBND Phường Việt Trì", "phuong"),
        ("Ủy ban nhân dân phường Lê Chân", "phuong"),
        ("Uỷ ban nhân dân xã Tiên Lãng", "xa"),
        ("UBND Đặc khu Cát Hải", "dac_khu"),
        ("UBND đặc khu Bạch Long Vĩ", "dac_khu"),
        (unicodedata.normalize("NFD", "UBND xã Kẻ Sặt"), "xa"),
        ("Kẻ Sặt", "commune"),  # a commune row whose name does not say xã or phường
    ],
)
def test_kind_is_read_from_the_name(name, kind):
    table = parse_ranking(_envelope([_row(name)]), GIA_LAI)

    assert table.at[0, "kind"] == kind
    assert table.at[0, "raw_name"] == name  # exactly as sent, even decomposed


def test_null_score_stays_null_and_extra_keys_are_ignored():
    rows = [_row("UBND xã Ia Le", score=None, groupScores={"CKMB": 1.0}, novelty=True)]

    table = parse_ranking(_envelope(rows), GIA_LAI)

    assert table.at[0, "total_score"] is None
    assert table.at[0, "ratio"] is None


def test_overview_is_the_province(payload):
    assert parse_overview(payload) == {
        "name": "UBND tỉnh Gia Lai",
        "code": "H21",
        "total_score": 62.74,
        "ratio": 62.74,
    }


def test_answer_for_another_province_is_refused(payload):
    with pytest.raises(TransformError, match=r"departmentCode H21 .*Tỉnh Phú Thọ is H44"):
        parse_ranking(payload, find_province("Phú Thọ"))


def test_answer_that_is_not_ok_is_refused(payload):
    payload["code"] = "ERROR"
    payload["message"] = "Internal error"

    with pytest.raises(TransformError, match="code 'ERROR'.*Internal error"):
        parse_ranking(payload, GIA_LAI)


def test_missing_score_names_the_row_and_the_unit(payload):
    del payload["data"]["evaluation"][10]["totalScore"]

    with pytest.raises(TransformError) as raised:
        parse_ranking(payload, GIA_LAI)
    assert str(raised.value) == "The portal's row 11 (UBND xã Albá) has no totalScore."


def test_missing_name_names_the_row_and_its_id(payload):
    payload["data"]["evaluation"][1]["departmentName"] = " "

    with pytest.raises(TransformError, match=r"row 2 \(departmentId 019d2be3-6a95-76bf-9a13-bc37"):
        parse_ranking(payload, GIA_LAI)


def test_duplicated_id_names_both_units(payload):
    rows = payload["data"]["evaluation"]
    rows[15]["departmentId"] = rows[3]["departmentId"]

    with pytest.raises(TransformError) as raised:
        parse_ranking(payload, GIA_LAI)
    message = str(raised.value)
    assert "rows 4 (UBND xã Kông Bơ La - Gia Lai) and 16 (Thanh tra tỉnh - tỉnh Gia Lai)" in message
    assert rows[3]["departmentId"] in message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"childGroup": "PROVINCE"}, "row 1 (X) has childGroup 'PROVINCE'"),
        ({"childGroup": None}, "row 1 (X) has childGroup None"),
        ({"totalScore": 100.5}, "row 1 (X) has a totalScore outside 0..100"),
        ({"totalScore": -1}, "row 1 (X) has a totalScore outside 0..100"),
        ({"totalScore": "97.5"}, "row 1 (X) has a totalScore that is not a number"),
        ({"totalScore": True}, "row 1 (X) has a totalScore that is not a number"),
        ({"departmentId": None}, "row 1 (X) has no departmentId"),
        ({"departmentCode": 21}, "row 1 (X) has a departmentCode that is not text"),
    ],
)
def test_malformed_row_is_refused(change, message):
    row = {**_row("X"), **change}

    with pytest.raises(TransformError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_ranking(_envelope([row]), GIA_LAI)


def test_evaluation_that_is_not_a_list_is_refused(payload):
    broken = copy.deepcopy(payload)
    broken["data"]["evaluation"] = {"rows": []}

    with pytest.raises(TransformError, match="Tỉnh Gia Lai has no data.evaluation list"):
        parse_ranking(broken, GIA_LAI)


def test_missing_overview_is_refused(payload):
    del payload["data"]["overview"]

    with pytest.raises(TransformError, match="no data.overview"):
        parse_ranking(payload, GIA_LAI)
