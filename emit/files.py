"""Writing an appendix to a folder in the chosen formats, one whole file at a time.

Every file is written under a temporary name in the target folder and then renamed over its
final name, so a crash or a full disk never leaves half a file where a finished one is expected.
Names follow the province and period: ``phu-luc-I_hai-phong_2026-01.csv``,
``phu-luc_hai-phong_2026-01.xlsx``.
"""

import contextlib
import logging
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

from chiso766.errors import InputError
from emit.docx import render_docx
from emit.tabular import render_csv, render_markdown
from emit.xlsx import render_xlsx
from transform.appendix import Appendix
from transform.names import strip_diacritics

logger = logging.getLogger(__name__)

FORMATS = ("csv", "md", "xlsx", "docx")
# Excel opens a CSV as UTF-8 only when it starts with a byte-order mark.
CSV_ENCODING = "utf-8-sig"


def province_slug(name: str) -> str:
    """An ASCII slug of a province's short name: "Hải Phòng" → "hai-phong"."""
    words = "".join(ch if ch.isalnum() else " " for ch in strip_diacritics(name).casefold())
    return "-".join(words.encode("ascii", "ignore").decode().split())


def check_formats(formats: Sequence[str]) -> list[str]:
    """The formats asked for, lower-cased and without repeats; an unknown one is an input error."""
    if isinstance(formats, str):
        formats = [formats]
    wanted = list(dict.fromkeys(str(name).strip().lower() for name in formats))
    unknown = [name for name in wanted if name not in FORMATS]
    if unknown:
        raise InputError(
            f"The format {unknown[0]!r} is not known; choose among {', '.join(FORMATS)}."
        )
    if not wanted:
        raise InputError(f"No output format was chosen; choose among {', '.join(FORMATS)}.")
    return wanted


def write_appendix(
    appendix: Appendix, out_dir: Path, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Write the appendix into ``out_dir`` in each format; the paths written, in format order."""
    wanted = check_formats(formats)
    out_dir = Path(out_dir)
    stem = f"{province_slug(appendix.province.short_name)}_{appendix.period.label}"

    # Render everything before touching the folder: a failure then leaves no file at all.
    contents = [
        (out_dir / file_name, data)
        for name in wanted
        for file_name, data in _render(appendix, name, stem)
    ]

    ensure_writable_folder(out_dir)
    for path, data in contents:
        _write_whole(path, data)

    # Debug only: the caller (jobs.emit) reports the files written at INFO level.
    logger.debug(
        "wrote the appendix of %s %s: %d files in %s%s",
        appendix.province.short_name,
        appendix.period.label,
        len(contents),
        out_dir,
        " (synthetic figures)" if appendix.synthetic else "",
    )
    return [path for path, _ in contents]


def _render(appendix: Appendix, name: str, stem: str) -> list[tuple[str, bytes]]:
    """The files of one format, each as its name and its bytes."""
    if name == "csv":
        return [
            (
                f"phu-luc-{table.numeral}_{stem}.csv",
                render_csv(table, synthetic=appendix.synthetic).encode(CSV_ENCODING),
            )
            for table in appendix.tables
        ]
    if name == "md":
        return [(f"phu-luc_{stem}.md", render_markdown(appendix).encode("utf-8"))]
    if name == "xlsx":
        return [(f"phu-luc_{stem}.xlsx", render_xlsx(appendix))]
    return [(f"phu-luc_{stem}.docx", render_docx(appendix))]


def ensure_writable_folder(out_dir: Path) -> None:
    """Create ``out_dir`` if needed and make sure a file can be written in it."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _cannot_write(out_dir, "it is a file, not a folder") from None
    except OSError as error:
        raise _cannot_write(out_dir, _reason(error)) from None
    if not out_dir.is_dir():
        raise _cannot_write(out_dir, "it is a file, not a folder")

    # Asking os.access() would trust the permission bits; only a real file proves the folder
    # takes one (read-only mounts, full disks, ACLs).
    probe = _temporary_beside(out_dir / "write-test")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as error:
        raise _cannot_write(out_dir, _reason(error)) from None
    with contextlib.suppress(OSError):
        probe.unlink()


def _temporary_beside(path: Path) -> Path:
    """A hidden, unique name in the folder of ``path``, for a file not yet finished."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it to ``path``."""
    temporary = _temporary_beside(path)
    try:
        # os.open with 0o666 lets the umask decide the mode, as for any file the user creates.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise _cannot_write(path, _reason(error)) from None


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _cannot_write(place: Path, reason: str) -> InputError:
    return InputError(f"Cannot write to {place}: {reason}; choose another --out folder.")
