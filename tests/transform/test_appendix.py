"""Building the notice's two appendix tables from one period's scores."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from notice_fixture import load_notice_tables

from chiso766.periods import Period
from chiso766.provinces import find_province
from transform.appendix import (
    REQUIRED_COLUMNS,
    build_appendix,
    describe_period,
    format_score,
    table_notes,
)
from transform.exceptions import TransformError

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")
KIND_PREFIXES = {"UBND xã ": "xa", "UBND phường ": "phuong", "UBND Đặc khu ": "dac_khu"}


def unit(position, kind, name, score, code=None):
    return {
        "position": position,
        "kind": kind,
        "canonical_name": name,
        "official_code": code,
        "total_score": score,
    }


def build(rows, province=HAI_PHONG, period=JANUARY, **options):
    options = {"extracted_on": None, "synthetic": False, **options}
    scores = pd.DataFrame(rows, columns=list(REQUIRED_COLUMNS))
    return build_appendix(scores, province, period, **options)


def printed(table):
    return [(row.stt, row.name, row.score_text) for row in table.rows]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (95.0, "95"),
        (89.20, "89.2"),
        (97.5, "97.5"),
        (93.37, "93.37"),
        (100.0, "100"),
        (0.0, "0"),
        (2.675, "2.68"),  # round() gives 2.67: the float is a hair below 2.675
        (91.004, "91"),
        (np.float64(91.5), "91.5"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_format_score_prints_like_the_notice(value, text):
    assert format_score(value) == text


def test_departments_go_to_table_one_and_communes_to_table_two():
    appendix = build(
        [
            unit(1, "xa", "Kẻ Sặt", 93.21, "10945"),
            unit(2, "department", "Sở Y tế", 91.09),
            unit(3, "phuong", "Hòa Bình", 97.62, "11533"),
            unit(4, "dac_khu", "Cát Hải", 96.58, "11914"),
        ]
    )

    first, second = appendix.tables
    assert (first.numeral, second.numeral) == ("I", "II")
    assert printed(first) == [(1, "Sở Y tế", "91.09")]
    assert printed(second) == [
        (1, "UBND phường Hòa Bình", "97.62"),
        (2, "UBND Đặc khu Cát Hải", "96.58"),
        (3, "UBND xã Kẻ Sặt", "93.21"),
    ]
    assert [row.official_code for row in second.rows] == ["11533", "11914", "10945"]
    assert [row.unit_kind for row in second.rows] == ["phuong", "dac_khu", "xa"]


def test_equal_scores_keep_the_portals_order_whatever_the_row_order():
    rows = [
        unit(12, "xa", "Thái Tân", 97.62),
        unit(30, "xa", "Ninh Giang", None),
        unit(13, "phuong", "Hòa Bình", 97.62),
        unit(11, "phuong", "Lê Đại Hành", 97.62),
        unit(2, "xa", "Vĩnh Hòa", 97.86),
        unit(29, "xa", "Vĩnh Am", None),
    ]

    table = build(rows).tables[1]

    assert printed(table) == [
        (1, "UBND xã Vĩnh Hòa", "97.86"),
        (2, "UBND phường Lê Đại Hành", "97.62"),
        (3, "UBND xã Thái Tân", "97.62"),
        (4, "UBND phường Hòa Bình", "97.62"),
        (5, "UBND xã Vĩnh Am", ""),
        (6, "UBND xã Ninh Giang", ""),
    ]
    assert table.rows[-1].score is None


def test_scores_equal_once_rounded_keep_the_portals_order():
    table = build(
        [unit(1, "department", "Sở A", 90.001), unit(2, "department", "Sở B", 90.004)]
    ).tables[0]

    assert printed(table) == [(1, "Sở A", "90"), (2, "Sở B", "90")]


def test_a_kind_word_already_in_the_name_is_not_written_twice():
    table = build([unit(1, "xa", "Xã Kẻ Sặt", 93.21)]).tables[1]

    assert table.rows[0].name == "UBND xã Kẻ Sặt"


def test_title_blocks_and_headings_follow_the_notice():
    first, second = build([]).tables

    assert first.title_lines == [
        "Phụ lục I:",
        "KẾT QUẢ ĐÁNH GIÁ CÁC SỞ, BAN, NGÀNH",
        "THEO BỘ CHỈ SỐ 766 TRÊN CỔNG DỊCH VỤ CÔNG QUỐC GIA",
        "(Kèm theo Thông báo số /TB-VP ngày /02/2026",
        "của Văn phòng Ủy ban nhân dân thành phố)",
    ]
    assert second.title_lines[:2] == [
        "Phụ lục II:",
        "KẾT QUẢ ĐÁNH GIÁ UBND CÁC XÃ, PHƯỜNG, ĐẶC KHU",
    ]
    assert first.headings == ("STT", "Các Sở, ban, ngành", "Điểm")
    assert second.headings == ("STT", "Các xã, phường, đặc khu", "Điểm")
    assert first.rows == [] and second.rows == []


def test_a_province_and_a_december_get_their_own_title_words():
    appendix = build([], province=find_province("Phú Thọ"), period=Period.parse("2025-12"))

    assert appendix.tables[0].title_lines[3:] == [
        "(Kèm theo Thông báo số /TB-VP ngày /01/2026",
        "của Văn phòng Ủy ban nhân dân tỉnh)",
    ]


def test_period_is_described_in_the_notices_words():
    assert describe_period(JANUARY) == "từ ngày 01/01/2026 đến ngày 31/01/2026"
    assert describe_period(Period.parse("2026-Q1")) == "từ ngày 01/01/2026 đến ngày 31/03/2026"
    assert build([]).period_text == "từ ngày 01/01/2026 đến ngày 31/01/2026"


def test_notes_give_the_extraction_date_source_and_corrections_under_their_table():
    appendix = build(
        [unit(1, "department", "Sở Y tế", 91.09), unit(2, "xa", "Kẻ Sặt", 93.21)],
        extracted_on=date(2026, 1, 31),
        source_note="Nguồn: dichvucong.gov.vn",
        corrections=[("Kê Sặt", "Kẻ Sặt"), ("Vĩnh Am cũ", "Vĩnh Am")],
    )
    first, second = appendix.tables

    notes_one, notes_two = table_notes(appendix, first), table_notes(appendix, second)

    assert notes_one == [
        "Kỳ đánh giá: từ ngày 01/01/2026 đến ngày 31/01/2026.",
        "Dữ liệu trích xuất trên Cổng dịch vụ công quốc gia, ngày 31/01/2026.",
        "Nguồn: dichvucong.gov.vn",
    ]
    # Vĩnh Am is in neither table, so its correction goes under the last one.
    assert notes_two[-1] == (
        "Tên ghi trên Cổng đã sửa theo danh mục chính thức: Kê Sặt → Kẻ Sặt; Vĩnh Am cũ → Vĩnh Am."
    )


def test_the_published_notice_is_reproduced_from_its_own_figures():
    notice = load_notice_tables()
    rows = [unit(stt, "department", name, float(score)) for stt, name, score in notice["I"]]
    for stt, name, score in notice["II"]:
        prefix = next(prefix for prefix in KIND_PREFIXES if name.startswith(prefix))
        rows.append(unit(100 + stt, KIND_PREFIXES[prefix], name[len(prefix) :], float(score)))
    shuffled = pd.DataFrame(rows).sample(frac=1.0, random_state=766)

    appendix = build_appendix(
        shuffled, HAI_PHONG, JANUARY, extracted_on=date(2026, 1, 31), synthetic=False
    )

    assert (len(notice["I"]), len(notice["II"])) == (12, 114)
    assert printed(appendix.tables[0]) == notice["I"]
    assert printed(appendix.tables[1]) == notice["II"]


def test_a_commune_row_whose_kind_is_unknown_is_printed_in_table_two_as_the_portal_wrote_it():
    appendix = build([unit(1, "xa", "Kẻ Sặt", 93.21), unit(2, "commune", "-1", 92.0)])

    assert printed(appendix.tables[1]) == [(1, "UBND xã Kẻ Sặt", "93.21"), (2, "-1", "92")]
    assert appendix.tables[0].rows == []


def test_an_unknown_kind_of_unit_is_refused():
    with pytest.raises(TransformError, match="huyen"):
        build([unit(1, "huyen", "Thủy Nguyên", 90.0)])


def test_missing_columns_are_named():
    with pytest.raises(TransformError, match="total_score"):
        build_appendix(
            pd.DataFrame([{"position": 1, "kind": "xa", "canonical_name": "A"}]),
            HAI_PHONG,
            JANUARY,
            extracted_on=None,
            synthetic=False,
        )


def test_a_unit_without_name_is_refused():
    with pytest.raises(TransformError, match="no name"):
        build([unit(7, "xa", None, 90.0)])
