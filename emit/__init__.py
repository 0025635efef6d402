"""Emit: the appendix of a notice written out as CSV, Markdown, Excel and Word files."""

from emit.docx import render_docx
from emit.files import (
    FORMATS,
    check_formats,
    ensure_writable_folder,
    province_slug,
    write_appendix,
)
from emit.tabular import render_csv, render_markdown
from emit.xlsx import render_xlsx

__all__ = [
    "FORMATS",
    "check_formats",
    "ensure_writable_folder",
    "province_slug",
    "render_csv",
    "render_docx",
    "render_markdown",
    "render_xlsx",
    "write_appendix",
]
