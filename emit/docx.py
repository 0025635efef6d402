"""The appendix as a Word document: Phụ lục I, a page break, Phụ lục II.

Each appendix is laid out as the notice attaches it: a centred title block ("Phụ lục I:" and the
capitalised titles in bold, the "(Kèm theo …)" reference in italics), then a bordered table whose
header row repeats on every page, then the small print (period, extraction date, source, names
corrected). Made-up figures carry a red line DỮ LIỆU GIẢ LẬP above each title block. With the
score groups the tables gain seven columns and the pages turn to landscape to hold them.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from emit.tabular import title_emphasis
from transform.appendix import SYNTHETIC_LABEL, Appendix, AppendixTable, table_notes

FONT = "Times New Roman"
FONT_SIZE = Pt(13)
NOTE_SIZE = Pt(11)
# STT, name, score: the widths of A4 portrait with the margins of an administrative document.
COLUMN_WIDTHS = (Cm(1.5), Cm(11.5), Cm(2.5))
CENTRED = (True, False, True)
# STT, name, score, six groups, weakest group: the widths of A4 landscape.
GROUP_COLUMN_WIDTHS = (Cm(1.2), Cm(8), Cm(1.7), *[Cm(1.8)] * 6, Cm(2.2))
GROUP_FONT_SIZE = Pt(11)


def render_docx(appendix: Appendix) -> bytes:
    """The document's bytes; nothing is written to disk here."""
    document = Document()
    _set_up(document, appendix)
    for index, table in enumerate(appendix.tables):
        _write_appendix(document, appendix, table, new_page=index > 0)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_up(document, appendix: Appendix) -> None:
    """A4 pages, the usual margins, Times New Roman, and the document's properties."""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if appendix.group_columns:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = FONT_SIZE
    # Word takes the font of Vietnamese letters from several attributes, not only w:ascii.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    properties = document.core_properties
    properties.title = appendix.document_title
    properties.subject = appendix.period_text
    properties.author = "chiso766"
    properties.comments = SYNTHETIC_LABEL if appendix.synthetic else appendix.source_note


def _write_appendix(document, appendix: Appendix, table: AppendixTable, *, new_page: bool):
    titles = [(SYNTHETIC_LABEL, "synthetic")] if appendix.synthetic else []
    titles += [(line, title_emphasis(line)) for line in table.title_lines]
    for index, (line, style) in enumerate(titles):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.page_break_before = new_page and index == 0
        run = paragraph.add_run(line)
        run.bold = style in ("bold", "synthetic")
        run.italic = style == "italic"
        if style == "synthetic":
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    paragraph.paragraph_format.space_after = Pt(12)  # some air between the titles and the table

    wide = bool(table.group_headings)
    headings = [*table.headings, *table.group_headings]
    widths = GROUP_COLUMN_WIDTHS if wide else COLUMN_WIDTHS
    size = GROUP_FONT_SIZE if wide else None
    grid = document.add_table(rows=1, cols=len(headings))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _fill_row(grid.rows[0], headings, bold=True, size=size)
    _repeat_as_header(grid.rows[0])
    for unit in table.rows:
        cells = (str(unit.stt), unit.name, unit.score_text, *unit.group_cells)
        _fill_row(grid.add_row(), cells, bold=False, size=size)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width  # Word reads the width of each cell, not of the column

    for index, note in enumerate(table_notes(appendix, table)):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(6 if index == 0 else 0)
        run = paragraph.add_run(note)
        run.italic = True
        run.font.size = NOTE_SIZE


def _fill_row(row, texts, *, bold: bool, size=None) -> None:
    centred = CENTRED + (True,) * (len(texts) - len(CENTRED))
    for cell, text, centre in zip(row.cells, texts, centred, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centre or bold else None
        run = paragraph.add_run(text)
        run.bold = bold
        if size is not None:
            run.font.size = size


def _repeat_as_header(row) -> None:
    """Mark the row as the table's header, which Word repeats at the top of every page."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)
