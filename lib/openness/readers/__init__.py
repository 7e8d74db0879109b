"""Readers: one module per kind of input, each turning a file into the same grids.

The registry picks the reader for a file; every reader returns a `Reading`
(grids, or problems saying why there are none), with the report's prose
without its tables (`prose`, split into sections by `openness.sections`). Readers attach no meaning to
labels: mapping grids to the official cells is `openness.tables`' work. This is
Camelot's split of parsers (how a kind of file is read) from handlers (which
pages) and from output.

| reader | inputs | module |
| --- | --- | --- |
| `pdf` | PDFs with a text layer (WPS, Word/Writer, Excel/Calc, browser prints) | `readers/pdf.py` |
| `html` | reports published as web pages, or fragments of them | `readers/html.py` |
| `ocr` | image-only PDFs (scans), handed over by the `pdf` reader | `readers/ocr.py` |

A new kind of input is a module here with a `read(path) -> Reading` and one
line in `READERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Extraction, Grid, Problem


@dataclass
class Reading:
    """What a reader found in one file: grids, or the problems that stopped it.

    `again(pages)` reads some pages once more another way (the PDF reader's
    rendering engine), for the caller to keep whichever reading maps better;
    `printed` is the text of the pages read (what the report prints at all);
    `prose` is the report's own text without its tables, as (page, text) pieces
    in reading order (page None where the input has no pages), for `openness.sections`;
    `verify` is the reader's last word on the mapped cells (the OCR reader
    proves or doubts each figure with the identities).
    """

    grids: list[Grid] = field(default_factory=list)
    method: str = ""
    problems: list[Problem] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    printed: str = ""
    prose: list[tuple[int | None, str]] = field(default_factory=list)
    again: Callable[[list[int]], list[Grid]] | None = None
    again_method: str = ""
    verify: Callable[[Extraction], Extraction] | None = None


@dataclass(frozen=True)
class Reader:
    name: str
    suffixes: tuple[str, ...]
    read: Callable[[Path], Reading]


def _read_pdf(path: Path) -> Reading:
    from .pdf import read

    return read(path)


def _read_html(path: Path) -> Reading:
    from .html import read

    return read(path)


READERS = (
    Reader("html", (".html", ".htm"), _read_html),
    Reader("pdf", (".pdf",), _read_pdf),
)


def reader_for(path: str | Path) -> Reader:
    """The reader of a file: by its suffix, else by its first bytes (a PDF says %PDF); PDF by default."""
    p = Path(path)
    by_name = {s: r for r in READERS for s in r.suffixes}
    if p.suffix.lower() in by_name:
        return by_name[p.suffix.lower()]
    try:
        with open(p, "rb") as fh:
            head = fh.read(1024).lstrip().lower()
    except OSError:
        head = b""
    if head.startswith((b"<!doctype html", b"<html")) or b"<table" in head:
        return by_name[".html"]
    return by_name[".pdf"]
