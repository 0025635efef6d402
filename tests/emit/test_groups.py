"""The appendix with the six score groups (``appendix --groups``), read back from every format."""

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from openpyxl.utils import range_boundaries

from chiso766 import jobs
from chiso766.cli import main
from chiso766.periods import Period
from chiso766.provinces import find_province
from transform.appendix_groups import GROUPS, METRIC_HEADINGS, GroupColumn, weakest_group

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")
HEADINGS = ["CKMB (18)", "TDGQ (20)", "CLGQ (12)", "TTTT (10)", "MDHL (18)", "MDSH (22)"]


def capture(settings, *, detail: bool, drop_clgq: int | None = None) -> str | None:
    """Capture Hải Phòng 2026-01 from the stand-in; with ``drop_clgq``, CLGQ lacks that child."""
    answer = jobs.fetch(settings, HAI_PHONG, JANUARY)
    warehouse = jobs.open_warehouse(settings)
    report = jobs.store(
        warehouse, answer, HAI_PHONG, JANUARY, jobs.match(answer, HAI_PHONG, warehouse)
    )
    dropped = None
    if detail:
        pages = jobs.fetch_details(settings, HAI_PHONG, JANUARY)
        if drop_clgq is not None:
            tree = next(p for p in pages if p.raw.endpoint == "provide-online-tree")
            dropped = tree.payload["data"]["children"].pop(drop_clgq)["departmentName"]
        jobs.store_details(warehouse, pages, answer, HAI_PHONG, report)
    warehouse.close()
    return dropped


def run_appendix(settings, out: Path, *extra: str) -> int:
    return main(
        ["appendix", "--province", "31", "--period", "2026-01", "--out", str(out),
         "--db", settings.database_url, *extra]
    )  # fmt: skip


def group_scores(settings) -> dict[str, dict[str, float]]:
    """Each unit's stored group scores by its printed name, from the warehouse."""
    warehouse = jobs.open_warehouse(settings)
    appendix, _ = jobs.appendix_of(warehouse, HAI_PHONG, JANUARY, groups=True)
    warehouse.close()
    return {
        row.name: dict(zip(GROUPS, row.groups.scores, strict=True))
        for table in appendix.tables
        for row in table.rows
    }


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def with_groups(settings, tmp_path):
    """A warehouse with Hải Phòng 2026-01 and its groups, the CLGQ of one commune missing."""
    dropped = capture(settings, detail=True, drop_clgq=20)
    out = tmp_path / "out"
    assert run_appendix(settings, out, "--groups") == 0
    return out, dropped


def test_csv_has_the_six_groups_and_the_weakest_after_the_score(with_groups, settings):
    out, dropped = with_groups
    stored = group_scores(settings)

    for numeral in ("I", "II"):
        rows = read_csv(out / f"phu-luc-{numeral}_hai-phong_2026-01.csv")
        assert rows[0][3:] == [*HEADINGS, "Nhóm yếu nhất"]
        for row in rows[1:]:
            scores = stored[row[1]]
            expected = ["" if s is None else format(round(s, 2), "g") for s in scores.values()]
            assert row[3:9] == expected
            shares = {c: s / GROUPS[c][1] for c, s in scores.items() if s is not None}
            lowest = min(shares.values())
            assert row[9] == next(c for c in GROUPS if c in shares and shares[c] == lowest)

    rows = [row for numeral in ("I", "II")
            for row in read_csv(out / f"phu-luc-{numeral}_hai-phong_2026-01.csv")[1:]]  # fmt: skip
    [gap] = [row for row in rows if "" in row[3:9]]
    assert gap[5] == "" and "" not in gap[3:5] + gap[6:9]  # CLGQ empty, never 0
    assert gap[9] and gap[9] != "CLGQ"
    assert dropped.split(" - ")[0].endswith(gap[1].split(" ", 2)[-1][-4:])


def test_markdown_has_the_group_columns_and_the_legend(with_groups):
    out, _ = with_groups
    text = (out / "phu-luc_hai-phong_2026-01.md").read_text(encoding="utf-8")

    header = (
        "| STT | Các xã, phường, đặc khu | Điểm | " + " | ".join(HEADINGS) + " | Nhóm yếu nhất |"
    )
    assert header in text
    assert "CKMB: Công khai, minh bạch; TDGQ: Tiến độ giải quyết; CLGQ: Dịch vụ công trực " in text
    assert "TTTT: Thanh toán trực tuyến; MDHL: Mức độ hài lòng; MDSH: Số hóa hồ sơ" in text


def test_xlsx_tables_gain_the_groups_and_each_group_has_a_metric_sheet(with_groups, settings):
    out, _ = with_groups
    stored = group_scores(settings)
    workbook = openpyxl.load_workbook(out / "phu-luc_hai-phong_2026-01.xlsx")

    assert workbook.sheetnames == ["Phụ lục I", "Phụ lục II", *GROUPS]
    blanks = 0
    for name, units in (("Phụ lục I", 12), ("Phụ lục II", 114)):
        sheet = workbook[name]
        (table,) = sheet.tables.values()
        assert [c.name for c in table.tableColumns][3:] == [*HEADINGS, "Nhóm yếu nhất"]
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        assert max_col - min_col + 1 == 10 and max_row - min_row == units
        for row in sheet.iter_rows(min_row=min_row + 1, max_row=max_row, values_only=True):
            scores = stored[row[1]]
            for cell, score in zip(row[3:9], scores.values(), strict=True):
                assert cell == (None if score is None else round(score, 2))
            assert row[9] in GROUPS
            blanks += row[3:9].count(None)
    assert blanks == 1  # the unit CLGQ lacks

    names = {name for name in stored}
    for code in GROUPS:
        sheet = workbook[code]
        (table,) = sheet.tables.values()
        assert [c.name for c in table.tableColumns] == list(METRIC_HEADINGS)
        _, min_row, _, max_row = range_boundaries(table.ref)
        rows = list(sheet.iter_rows(min_row=min_row + 1, max_row=max_row, values_only=True))
        if code in ("CKMB", "MDHL", "MDSH"):
            assert {row[0] for row in rows} == names
            assert all(row[1] and row[2] for row in rows)
            assert all(row[6] is None or row[6] <= row[7] for row in rows)
        else:  # the tree groups give no metrics
            assert rows == [(None,) * len(METRIC_HEADINGS)]


def test_docx_is_landscape_with_the_wide_tables(with_groups, settings):
    out, _ = with_groups
    stored = group_scores(settings)
    document = Document(out / "phu-luc_hai-phong_2026-01.docx")

    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    first, second = document.tables
    header = [cell.text for cell in second.rows[0].cells]
    assert header[3:] == [*HEADINGS, "Nhóm yếu nhất"]
    for row in second.rows[1:]:
        cells = [cell.text for cell in row.cells]
        scores = stored[cells[1]]
        assert cells[3:9] == [
            "" if s is None else format(round(s, 2), "g") for s in scores.values()
        ]
    assert len(first.rows) == 13


def test_without_groups_the_files_are_as_before(settings, tmp_path):
    capture(settings, detail=True)
    assert run_appendix(settings, tmp_path / "plain") == 0

    rows = read_csv(tmp_path / "plain" / "phu-luc-I_hai-phong_2026-01.csv")
    assert rows[0] == ["STT", "Các Sở, ban, ngành", "Điểm"]
    assert openpyxl.load_workbook(
        tmp_path / "plain" / "phu-luc_hai-phong_2026-01.xlsx"
    ).sheetnames == ["Phụ lục I", "Phụ lục II"]
    document = Document(tmp_path / "plain" / "phu-luc_hai-phong_2026-01.docx")
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT


def test_groups_without_a_drill_down_ends_in_one_sentence(settings, tmp_path, capsys):
    capture(settings, detail=False)

    code = run_appendix(settings, tmp_path / "none", "--groups")

    error = capsys.readouterr().err
    assert code == 6
    assert error.count("\n") == 1 and "Traceback" not in error
    assert "has no score groups stored" in error
    assert "--period 2026-01 --detail" in error
    assert not (tmp_path / "none").exists()


def test_the_weakest_group_ties_to_the_first_in_the_notice_order():
    columns = tuple(GroupColumn(code, name, maximum) for code, (name, maximum) in GROUPS.items())

    tie = {"MDSH": (11.0, 22.0), "CKMB": (9.0, 18.0), "TDGQ": (20.0, 20.0)}
    assert weakest_group(tie, columns) == "CKMB"
    assert weakest_group({"CLGQ": (None, 12.0)}, columns) is None
    assert weakest_group({}, columns) is None


def test_a_group_score_of_zero_is_printed_and_a_missing_one_is_not():
    from datetime import date

    from transform.appendix import build_appendix

    scores = pd.DataFrame(
        [
            {"position": 1, "kind": "xa", "canonical_name": "Kẻ Sặt", "official_code": "1",
             "total_score": 50.0, "unit_id": 7, "raw_name": "UBND xã Kê Sặt"},
            {"position": 2, "kind": "xa", "canonical_name": "Không Có", "official_code": None,
             "total_score": 40.0, "unit_id": None, "raw_name": "UBND xã Không Có"},
        ]
    )  # fmt: skip
    groups = pd.DataFrame(
        [
            {"group_code": "CKMB", "position": 1, "unit_id": 7, "raw_name": "x", "score": 0.0,
             "max_score": 18.0},
            {"group_code": "TDGQ", "position": 2, "unit_id": None, "raw_name": "UBND xã Không Có",
             "score": 5.0, "max_score": 20.0},
        ]
    )  # fmt: skip

    appendix = build_appendix(
        scores, HAI_PHONG, JANUARY, extracted_on=date(2026, 2, 6), synthetic=False, groups=groups
    )

    first, second = appendix.tables[1].rows
    assert first.group_cells == ["0", "", "", "", "", "", "CKMB"]
    assert second.group_cells == ["", "5", "", "", "", "", "TDGQ"]  # matched by its raw name
    assert appendix.metrics == {code: [] for code in GROUPS}
