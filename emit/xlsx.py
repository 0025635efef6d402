"""The appendix as an Excel workbook: one sheet per table, "Phụ lục I" and "Phụ lục II".

Each sheet opens with the notice's title block (merged across the table, centred), then holds
the table as a real Excel table with a frozen header row, then the small print. Scores are
numbers in the General format, which shows them as the notice prints them ("95", "89.2"); the
number stored is the displayed one, rounded to two decimals, so a copied cell matches its look.
Names are always written as text, so none is ever evaluated as a formula. An appendix built with
the score groups adds their columns to both tables and one sheet per group with every unit's
metrics (``emit.xlsx_groups``).
"""

import io

import xlsxwriter

from emit.tabular import title_emphasis
from emit.xlsx_groups import write_group_cells, write_metric_sheets
from transform.appendix import SYNTHETIC_LABEL, Appendix, AppendixTable, table_notes

FONT = "Times New Roman"
TABLE_STYLE = "Table Style Light 15"
STT_WIDTH = 6
SCORE_WIDTH = 9
GROUP_WIDTH = 11
# Characters of a bold capital title are wider than the column-width unit of Excel.
TITLE_WIDTH_FACTOR = 1.2


def render_xlsx(appendix: Appendix) -> bytes:
    """The workbook's bytes; nothing is written to disk here."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties(
        {
            "title": appendix.document_title,
            "author": "chiso766",
            "comments": SYNTHETIC_LABEL if appendix.synthetic else appendix.source_note,
        }
    )
    formats = _formats(workbook)
    for table in appendix.tables:
        _write_sheet(workbook, formats, appendix, table)
    if appendix.metrics is not None:
        write_metric_sheets(workbook, formats, appendix)
    workbook.close()
    return buffer.getvalue()


def _formats(workbook) -> dict:
    def make(**properties):
        return workbook.add_format({"font_name": FONT, "font_size": 12, **properties})

    return {
        "synthetic": make(bold=True, font_color="#C00000", align="center"),
        "bold": make(bold=True, align="center", valign="vcenter"),
        "italic": make(italic=True, align="center", valign="vcenter"),
        "stt": make(align="center", num_format="0"),
        "name": make(),
        "score": make(align="center"),
        "note": make(italic=True, font_size=10),
        "number": make(align="right"),
    }


def _write_sheet(workbook, formats: dict, appendix: Appendix, table: AppendixTable) -> None:
    sheet = workbook.add_worksheet(f"Phụ lục {table.numeral}")
    last_column = 2 + len(table.group_headings)
    titles = [(SYNTHETIC_LABEL, "synthetic")] if appendix.synthetic else []
    titles += [(line, title_emphasis(line)) for line in table.title_lines]
    for row, (line, style) in enumerate(titles):
        sheet.merge_range(row, 0, row, last_column, line, formats[style])

    header = len(titles) + 1  # one empty row between the title block and the table
    for offset, unit in enumerate(table.rows, start=1):
        sheet.write_number(header + offset, 0, unit.stt, formats["stt"])
        sheet.write_string(header + offset, 1, unit.name, formats["name"])
        if unit.score_text:
            sheet.write_number(header + offset, 2, float(unit.score_text), formats["score"])
        else:
            sheet.write_blank(header + offset, 2, None, formats["score"])
        write_group_cells(sheet, header + offset, 3, unit, formats["score"])

    # Excel wants at least one data row; a table with no unit keeps one empty row.
    last = header + max(len(table.rows), 1)
    stt, name, score = table.headings
    columns = [
        {"header": stt, "format": formats["stt"], "header_format": formats["bold"]},
        {"header": name, "format": formats["name"], "header_format": formats["bold"]},
        {"header": score, "format": formats["score"], "header_format": formats["bold"]},
    ]
    columns += [
        {"header": heading, "format": formats["score"], "header_format": formats["bold"]}
        for heading in table.group_headings
    ]
    sheet.add_table(
        header,
        0,
        last,
        last_column,
        {
            "name": f"PhuLuc{table.numeral}",
            "style": TABLE_STYLE,
            "autofilter": False,
            "columns": columns,
        },
    )
    sheet.freeze_panes(header + 1, 0)

    for row, note in enumerate(table_notes(appendix, table), start=last + 2):
        sheet.write_string(row, 0, note, formats["note"])

    longest_name = max([len(name), *(len(unit.name) for unit in table.rows)])
    longest_title = max(len(line) for line, _ in titles)
    group_room = GROUP_WIDTH * len(table.group_headings)
    title_room = int(longest_title * TITLE_WIDTH_FACTOR) - STT_WIDTH - SCORE_WIDTH - group_room
    sheet.set_column(0, 0, STT_WIDTH)
    sheet.set_column(1, 1, max(longest_name + 4, title_room))
    sheet.set_column(2, 2, SCORE_WIDTH)
    if table.group_headings:
        sheet.set_column(3, last_column, GROUP_WIDTH)
        sheet.set_landscape()

    sheet.set_paper(9)  # A4, as the notice is printed
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header)
    sheet.center_horizontally()
