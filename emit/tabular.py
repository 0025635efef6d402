"""The appendix as text: one CSV per table, and one Markdown document with both tables.

A CSV holds the table alone (STT, the name heading, Điểm), so that a strict reader gets exactly
one header row and one row per unit. For made-up figures a fourth column, "Ghi chú", carries the
label DỮ LIỆU GIẢ LẬP on every row: a comment line would break strict readers, a note row would
put a blank STT among the numbers, and a column stays with each row however the file is sorted,
filtered or pasted. A name that a spreadsheet would read as a formula gets a leading apostrophe.
An appendix built with the score groups adds their six columns and the weakest group after Điểm.

The Markdown document repeats the notice's title blocks, then each table and its small print.
"""

import csv
import io
import re

from transform.appendix import SYNTHETIC_LABEL, Appendix, AppendixTable, table_notes

SYNTHETIC_HEADING = "Ghi chú"
# Cells a spreadsheet may evaluate when they open with one of these (OWASP, CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def csv_cell(text: str) -> str:
    """A cell as a spreadsheet should see it: text that looks like a formula stays text."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render_csv(table: AppendixTable, *, synthetic: bool) -> str:
    """One appendix table as CSV text, header first; the caller chooses the encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    headings = [*table.headings, *table.group_headings]
    writer.writerow([*headings, SYNTHETIC_HEADING] if synthetic else headings)
    for row in table.rows:
        cells = [str(row.stt), csv_cell(row.name), row.score_text, *row.group_cells]
        writer.writerow([*cells, SYNTHETIC_LABEL] if synthetic else cells)
    return buffer.getvalue()


def render_markdown(appendix: Appendix) -> str:
    """Both appendices as one Markdown document: title block, table, small print."""
    lines = [f"# {_escape(appendix.document_title)}", ""]
    if appendix.synthetic:
        lines += [f"**{_escape(SYNTHETIC_LABEL)}**", ""]

    for table in appendix.tables:
        heading, *titles = table.title_lines
        lines += [f"## {_escape(heading)}", ""]
        if appendix.synthetic:
            lines += [f"**{_escape(SYNTHETIC_LABEL)}**", ""]
        for title in titles:
            # The notice sets the titles in bold and its "(Kèm theo …)" reference in italics.
            mark = "*" if title_emphasis(title) == "italic" else "**"
            lines += [f"{mark}{_escape(title)}{mark}", ""]

        headings = [_escape(text) for text in (*table.headings, *table.group_headings)]
        alignments = [":---:", ":---", *[":---:"] * (len(headings) - 2)]
        lines += [_markdown_row(headings), "|" + "|".join(alignments) + "|"]
        lines += [
            _markdown_row([str(row.stt), _escape(row.name), row.score_text, *row.group_cells])
            for row in table.rows
        ]
        lines.append("")
        for note in table_notes(appendix, table):
            lines += [f"*{_escape(note)}*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def title_emphasis(line: str) -> str:
    """How the notice sets a title line: "italic" for its "(Kèm theo …)" reference, else "bold"."""
    return "italic" if line.startswith("(") or line.endswith(")") else "bold"


def _escape(text: str) -> str:
    """Text that Markdown prints as written in a table cell or between emphasis marks.

    Every paragraph of the document opens with a mark ("#", "*", "|"), so text never starts a
    line and cannot turn into a list item or a heading of its own.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
