"""Writing the appendix as CSV, Markdown, XLSX and DOCX, and reading every file back."""

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from notice_fixture import load_notice_tables
from openpyxl.utils import range_boundaries

from chiso766.errors import InputError
from chiso766.periods import Period
from chiso766.provinces import find_province
from emit import FORMATS, ensure_writable_folder, write_appendix
from transform.appendix import REQUIRED_COLUMNS, SYNTHETIC_LABEL, build_appendix

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")
EXTRACTION_NOTE = "Dữ liệu trích xuất trên Cổng dịch vụ công quốc gia, ngày 31/01/2026."
KIND_PREFIXES = {"UBND xã ": "xa", "UBND phường ": "phuong", "UBND Đặc khu ": "dac_khu"}

# Portal order: position. Sở Tư pháp and Sở Nội vụ tie at 89.2 and keep that order.
UNITS = [
    (1, "department", "Sở Tư pháp", 89.2),
    (2, "department", "Sở Ngoại vụ", 95.0),
    (3, "department", "=1+2", 97.5),
    (4, "department", "Sở Nội vụ", 89.20),
    (5, "department", "Sở Y tế", None),
    (6, "department", "@SUM(A1)", 80.0),
    (7, "xa", "Kẻ Sặt", 93.21),
    (8, "dac_khu", "Cát Hải", 96.58),
    (9, "phuong", "Hòa Bình", 97.62),
]
TABLE_I = [
    (1, "=1+2", "97.5"),
    (2, "Sở Ngoại vụ", "95"),
    (3, "Sở Tư pháp", "89.2"),
    (4, "Sở Nội vụ", "89.2"),
    (5, "@SUM(A1)", "80"),
    (6, "Sở Y tế", ""),
]
TABLE_II = [
    (1, "UBND phường Hòa Bình", "97.62"),
    (2, "UBND Đặc khu Cát Hải", "96.58"),
    (3, "UBND xã Kẻ Sặt", "93.21"),
]


def small_appendix(*, synthetic: bool, extracted_on: date | None = date(2026, 1, 31)):
    scores = pd.DataFrame(
        [
            {
                "position": position,
                "kind": kind,
                "canonical_name": name,
                "official_code": None,
                "total_score": score,
            }
            for position, kind, name, score in UNITS
        ],
        columns=list(REQUIRED_COLUMNS),
    )
    return build_appendix(
        scores,
        HAI_PHONG,
        JANUARY,
        extracted_on=extracted_on,
        synthetic=synthetic,
        source_note="Nguồn: bản sao thử nghiệm",
        corrections=[("Kê Sặt", "Kẻ Sặt")],
    )


def notice_appendix():
    notice = load_notice_tables()
    rows = [(stt, "department", name, score) for stt, name, score in notice["I"]]
    for stt, name, score in notice["II"]:
        prefix = next(prefix for prefix in KIND_PREFIXES if name.startswith(prefix))
        rows.append((stt, KIND_PREFIXES[prefix], name[len(prefix) :], score))
    scores = pd.DataFrame(
        [
            {
                "position": position,
                "kind": kind,
                "canonical_name": name,
                "official_code": None,
                "total_score": float(score),
            }
            for position, kind, name, score in rows
        ]
    )
    appendix = build_appendix(
        scores, HAI_PHONG, JANUARY, extracted_on=date(2026, 1, 31), synthetic=False
    )
    return appendix, notice


def read_csv(path: Path) -> list[tuple[str, ...]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [tuple(row) for row in csv.reader(handle)]


def xlsx_table(path: Path, sheet_name: str):
    """The sheet, its Excel table, and the table's data rows as (STT, name, score) cells."""
    sheet = openpyxl.load_workbook(path)[sheet_name]
    (table,) = sheet.tables.values()
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    rows = list(
        sheet.iter_rows(min_row=min_row + 1, max_row=max_row, min_col=min_col, max_col=max_col)
    )
    return sheet, table, min_row, rows


def docx_rows(table) -> list[tuple[str, ...]]:
    return [tuple(cell.text for cell in row.cells) for row in table.rows]


def as_text(rows) -> list[tuple[str, str, str]]:
    return [(str(stt), name, score) for stt, name, score in rows]


def test_every_format_is_written_under_its_name(tmp_path):
    paths = write_appendix(small_appendix(synthetic=False), tmp_path / "out" / "2026-01")

    assert [path.name for path in paths] == [
        "phu-luc-I_hai-phong_2026-01.csv",
        "phu-luc-II_hai-phong_2026-01.csv",
        "phu-luc_hai-phong_2026-01.md",
        "phu-luc_hai-phong_2026-01.xlsx",
        "phu-luc_hai-phong_2026-01.docx",
    ]
    assert sorted(path.name for path in (tmp_path / "out" / "2026-01").iterdir()) == sorted(
        path.name for path in paths
    )
    assert FORMATS == ("csv", "md", "xlsx", "docx")


def test_only_the_formats_asked_for_are_written(tmp_path):
    paths = write_appendix(small_appendix(synthetic=False), tmp_path, ["XLSX", "md", "md"])

    assert [path.name for path in paths] == [
        "phu-luc_hai-phong_2026-01.xlsx",
        "phu-luc_hai-phong_2026-01.md",
    ]


def test_csv_holds_the_ranked_table_with_a_byte_order_mark(tmp_path):
    write_appendix(small_appendix(synthetic=False), tmp_path, ["csv"])
    first = tmp_path / "phu-luc-I_hai-phong_2026-01.csv"

    assert first.read_bytes().startswith(b"\xef\xbb\xbf")
    header, *rows = read_csv(first)
    assert header == ("STT", "Các Sở, ban, ngành", "Điểm")
    # Formula-looking names are defused with an apostrophe; ordinary names are left alone.
    assert rows == as_text(
        [
            (1, "'=1+2", "97.5"),
            *TABLE_I[1:4],
            (5, "'@SUM(A1)", "80"),
            TABLE_I[5],
        ]
    )
    header, *rows = read_csv(tmp_path / "phu-luc-II_hai-phong_2026-01.csv")
    assert header == ("STT", "Các xã, phường, đặc khu", "Điểm")
    assert rows == as_text(TABLE_II)


def test_synthetic_csv_marks_every_row_and_real_csv_does_not(tmp_path):
    write_appendix(small_appendix(synthetic=True), tmp_path / "fake", ["csv"])
    write_appendix(small_appendix(synthetic=False), tmp_path / "real", ["csv"])

    header, *rows = read_csv(tmp_path / "fake" / "phu-luc-II_hai-phong_2026-01.csv")
    assert header == ("STT", "Các xã, phường, đặc khu", "Điểm", "Ghi chú")
    assert {row[3] for row in rows} == {SYNTHETIC_LABEL}
    assert [row[:3] for row in rows] == as_text(TABLE_II)
    real = (tmp_path / "real" / "phu-luc-II_hai-phong_2026-01.csv").read_text("utf-8-sig")
    assert "GIẢ LẬP" not in real and "synthetic" not in real


def test_markdown_has_both_title_blocks_tables_and_notes(tmp_path):
    appendix = small_appendix(synthetic=False)
    (path,) = write_appendix(appendix, tmp_path, ["md"])
    text = path.read_text("utf-8")

    for table in appendix.tables:
        for line in table.title_lines:
            assert line in text
    assert text.index("Phụ lục I:") < text.index("Sở Ngoại vụ") < text.index("Phụ lục II:")
    assert "| STT | Các Sở, ban, ngành | Điểm |" in text
    assert "| 2 | Sở Ngoại vụ | 95 |" in text
    assert "| 3 | Sở Tư pháp | 89.2 |\n| 4 | Sở Nội vụ | 89.2 |" in text
    assert "| 6 | Sở Y tế |  |" in text
    assert "| 3 | UBND xã Kẻ Sặt | 93.21 |" in text
    assert EXTRACTION_NOTE in text
    assert "Nguồn: bản sao thử nghiệm" in text
    assert "Kê Sặt → Kẻ Sặt" in text
    assert "GIẢ LẬP" not in text


def test_markdown_says_synthetic_and_leaves_out_an_unknown_extraction_date(tmp_path):
    appendix = small_appendix(synthetic=True, extracted_on=None)
    (path,) = write_appendix(appendix, tmp_path, ["md"])
    text = path.read_text("utf-8")

    assert SYNTHETIC_LABEL in text
    assert text.index(SYNTHETIC_LABEL) < text.index("Phụ lục I:")
    assert "trích xuất" not in text


def test_xlsx_has_a_real_table_per_appendix_with_numbers_and_a_frozen_header(tmp_path):
    appendix = small_appendix(synthetic=False)
    (path,) = write_appendix(appendix, tmp_path, ["xlsx"])

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Phụ lục I", "Phụ lục II"]
    sheet, table, header_row, rows = xlsx_table(path, "Phụ lục I")
    assert table.name == "PhuLucI"
    assert [cell.value for cell in sheet[header_row]] == ["STT", "Các Sở, ban, ngành", "Điểm"]
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert [(a.value, b.value, c.value) for a, b, c in rows] == [
        (1, "=1+2", 97.5),
        (2, "Sở Ngoại vụ", 95),
        (3, "Sở Tư pháp", 89.2),
        (4, "Sở Nội vụ", 89.2),
        (5, "@SUM(A1)", 80),
        (6, "Sở Y tế", None),
    ]
    formula_like = rows[0][1]
    assert formula_like.data_type == "s" and isinstance(formula_like.value, str)
    assert all(isinstance(stt.value, int) for stt, _, _ in rows)
    assert all(score.data_type == "n" for _, _, score in rows[:5])
    assert {score.number_format for _, _, score in rows} == {"General"}

    titles = [sheet.cell(row, 1).value for row in range(1, header_row)]
    assert [line for line in titles if line] == appendix.tables[0].title_lines
    below = [sheet.cell(row, 1).value for row in range(header_row + 7, sheet.max_row + 1)]
    assert EXTRACTION_NOTE in below
    assert "Nguồn: bản sao thử nghiệm" in below
    assert sheet.column_dimensions["B"].width >= len("Các Sở, ban, ngành")

    sheet, table, header_row, rows = xlsx_table(path, "Phụ lục II")
    assert table.name == "PhuLucII"
    assert [(a.value, b.value, c.value) for a, b, c in rows] == [
        (1, "UBND phường Hòa Bình", 97.62),
        (2, "UBND Đặc khu Cát Hải", 96.58),
        (3, "UBND xã Kẻ Sặt", 93.21),
    ]


def test_xlsx_says_synthetic_above_each_table_only_when_it_is(tmp_path):
    write_appendix(small_appendix(synthetic=True), tmp_path / "fake", ["xlsx"])
    write_appendix(small_appendix(synthetic=False), tmp_path / "real", ["xlsx"])

    for sheet_name in ("Phụ lục I", "Phụ lục II"):
        sheet, _, header_row, _ = xlsx_table(
            tmp_path / "fake" / "phu-luc_hai-phong_2026-01.xlsx", sheet_name
        )
        assert sheet["A1"].value == SYNTHETIC_LABEL
    workbook = openpyxl.load_workbook(tmp_path / "real" / "phu-luc_hai-phong_2026-01.xlsx")
    values = [
        cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value
    ]
    assert not any("GIẢ LẬP" in str(value) for value in values)


def test_docx_has_title_blocks_tables_notes_and_a_page_break(tmp_path):
    appendix = small_appendix(synthetic=False)
    (path,) = write_appendix(appendix, tmp_path, ["docx"])
    document = Document(str(path))

    paragraphs = document.paragraphs
    texts = [paragraph.text for paragraph in paragraphs]
    first_titles, second_titles = (table.title_lines for table in appendix.tables)
    start_two = texts.index("Phụ lục II:")
    assert texts[: len(first_titles)] == first_titles
    assert texts[start_two : start_two + len(second_titles)] == second_titles
    assert paragraphs[start_two].paragraph_format.page_break_before
    heading = paragraphs[0]
    assert heading.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run.bold for run in heading.runs)
    assert all(run.italic for run in paragraphs[3].runs)  # "(Kèm theo Thông báo …"
    assert EXTRACTION_NOTE in texts
    assert "Kê Sặt → Kẻ Sặt" in texts[-1]
    assert not any("GIẢ LẬP" in text for text in texts)

    first, second = document.tables
    assert docx_rows(first)[0] == ("STT", "Các Sở, ban, ngành", "Điểm")
    assert docx_rows(first)[1:] == as_text(TABLE_I)
    assert docx_rows(second) == [("STT", "Các xã, phường, đặc khu", "Điểm"), *as_text(TABLE_II)]


def test_docx_says_synthetic_above_each_title_block(tmp_path):
    (path,) = write_appendix(small_appendix(synthetic=True), tmp_path, ["docx"])
    texts = [paragraph.text for paragraph in Document(str(path)).paragraphs]

    assert texts.count(SYNTHETIC_LABEL) == 2
    assert texts[0] == SYNTHETIC_LABEL and texts[1] == "Phụ lục I:"
    assert texts[texts.index("Phụ lục II:") - 1] == SYNTHETIC_LABEL


def test_the_notice_comes_back_unchanged_from_every_format(tmp_path):
    appendix, notice = notice_appendix()
    write_appendix(appendix, tmp_path)
    expected = {numeral: as_text(rows) for numeral, rows in notice.items()}

    for numeral in ("I", "II"):
        rows = read_csv(tmp_path / f"phu-luc-{numeral}_hai-phong_2026-01.csv")[1:]
        assert rows == expected[numeral]
    first, second = Document(str(tmp_path / "phu-luc_hai-phong_2026-01.docx")).tables
    assert docx_rows(first)[1:] == expected["I"]
    assert docx_rows(second)[1:] == expected["II"]
    _, _, _, rows = xlsx_table(tmp_path / "phu-luc_hai-phong_2026-01.xlsx", "Phụ lục II")
    assert [(a.value, b.value, str(c.value).removesuffix(".0")) for a, b, c in rows] == [
        (stt, name, score) for stt, name, score in notice["II"]
    ]
    text = (tmp_path / "phu-luc_hai-phong_2026-01.md").read_text("utf-8")
    assert "| 114 | UBND Đặc khu Bạch Long Vĩ | 71.2 |" in text


def test_an_unknown_format_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(InputError, match="'pdf'.*csv, md, xlsx, docx"):
        write_appendix(small_appendix(synthetic=False), tmp_path / "out", ["csv", "pdf"])

    assert not (tmp_path / "out").exists()


def test_no_format_at_all_is_refused(tmp_path):
    with pytest.raises(InputError, match="No output format"):
        write_appendix(small_appendix(synthetic=False), tmp_path, [])


def test_a_folder_that_cannot_be_made_is_an_input_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")

    with pytest.raises(InputError, match=r"^Cannot write to .*not-a-folder.*--out folder\.$"):
        write_appendix(small_appendix(synthetic=False), blocker / "out")
    with pytest.raises(InputError, match="it is a file, not a folder"):
        write_appendix(small_appendix(synthetic=False), blocker)


def test_a_file_that_cannot_be_replaced_leaves_no_partial_file(tmp_path):
    (tmp_path / "phu-luc_hai-phong_2026-01.docx").mkdir()  # a folder squats the file's name

    with pytest.raises(InputError, match="phu-luc_hai-phong_2026-01.docx"):
        write_appendix(small_appendix(synthetic=False), tmp_path, ["md", "docx"])

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "phu-luc_hai-phong_2026-01.docx",
        "phu-luc_hai-phong_2026-01.md",
    ]


def test_writing_again_replaces_the_files(tmp_path):
    write_appendix(small_appendix(synthetic=True), tmp_path, ["md"])
    write_appendix(small_appendix(synthetic=False), tmp_path, ["md"])

    (path,) = tmp_path.iterdir()
    assert SYNTHETIC_LABEL not in path.read_text("utf-8")


def test_a_folder_is_made_ready_without_leaving_a_trace(tmp_path):
    ensure_writable_folder(tmp_path / "a" / "b")

    assert (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="it is a file, not a folder"):
        ensure_writable_folder(tmp_path / "file")
