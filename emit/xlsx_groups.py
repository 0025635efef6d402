"""The score groups in the Excel workbook: their cells in the appendix sheets, and their metrics.

Group scores are numbers, stored as printed (rounded to two decimals) like the totals; a group
the portal gave no score for is a blank cell, never 0. Each of the six groups gets a sheet named
after its code that holds every unit's metrics as a real Excel table: the unit's name as the
appendix prints it, the metric's code and name, numerator, denominator, ratio, score, maximum and
the portal's data-quality flag. The three tree groups (TDGQ, CLGQ, TTTT) have no metrics in the
portal's answer; their sheets hold an empty table and say so.
"""

from transform.appendix import Appendix, AppendixRow, format_score
from transform.appendix_groups import GROUPS, METRIC_HEADINGS

NAME_WIDTH = 40
METRIC_NAME_WIDTH = 50
FIGURE_WIDTH = 12
STATUS_WIDTH = 24
NO_METRICS_NOTE = "Cổng không trả về chỉ tiêu thành phần cho nhóm này."


def write_group_cells(sheet, row: int, first_column: int, unit: AppendixRow, score_format):
    """A unit's six group scores from ``first_column`` on, then its weakest group."""
    if unit.groups is None:
        return
    for offset, score in enumerate(unit.groups.scores):
        text = format_score(score)
        if text:
            sheet.write_number(row, first_column + offset, float(text), score_format)
        else:
            sheet.write_blank(row, first_column + offset, None, score_format)
    weakest_column = first_column + len(unit.groups.scores)
    sheet.write_string(row, weakest_column, unit.groups.weakest or "", score_format)


def write_metric_sheets(workbook, formats: dict, appendix: Appendix) -> None:
    """One sheet per group, in the groups' order, each with its metrics as an Excel table."""
    metrics = appendix.metrics or {}
    for code, (name, _) in GROUPS.items():
        lines = metrics.get(code, [])
        sheet = workbook.add_worksheet(code)
        sheet.merge_range(0, 0, 0, len(METRIC_HEADINGS) - 1, f"{code} — {name}", formats["bold"])
        header = 2
        for offset, line in enumerate(lines, start=1):
            row = header + offset
            sheet.write_string(row, 0, line.unit_name, formats["name"])
            sheet.write_string(row, 1, line.metric_code, formats["name"])
            sheet.write_string(row, 2, line.name, formats["name"])
            figures = (line.numerator, line.denominator, line.ratio, line.score, line.max_score)
            for column, value in enumerate(figures, start=3):
                if value is None:
                    sheet.write_blank(row, column, None, formats["number"])
                else:
                    sheet.write_number(row, column, value, formats["number"])
            sheet.write_string(row, 8, line.data_quality_status, formats["name"])

        last = header + max(len(lines), 1)
        sheet.add_table(
            header,
            0,
            last,
            len(METRIC_HEADINGS) - 1,
            {
                "name": f"ChiTieu{code}",
                "style": "Table Style Light 15",
                "columns": [
                    {"header": heading, "header_format": formats["bold"]}
                    for heading in METRIC_HEADINGS
                ],
            },
        )
        sheet.freeze_panes(header + 1, 0)
        if not lines:
            sheet.write_string(last + 2, 0, NO_METRICS_NOTE, formats["note"])
        sheet.set_column(0, 0, NAME_WIDTH)
        sheet.set_column(1, 1, FIGURE_WIDTH * 2)
        sheet.set_column(2, 2, METRIC_NAME_WIDTH)
        sheet.set_column(3, 7, FIGURE_WIDTH)
        sheet.set_column(8, 8, STATUS_WIDTH)
