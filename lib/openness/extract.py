"""One report file -> an Extraction of official cells: reader -> grids -> cells.

The reader is chosen by `openness.readers` from the file; its grids are
mapped to the template's cells by `openness.tables`. When a table comes out
incomplete and the reader can read pages another way (the PDF reader's
rendering engine), only the pages of the incomplete tables are read again,
and the more complete reading is kept.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from .labels import label_key
from .model import TABLES, Extraction, stamp
from .readers import Reading, reader_for
from .sections import split_sections
from .tables import grids_to_extraction

log = logging.getLogger(__name__)


def _score(ex: Extraction) -> tuple[int, int]:
    """Complete tables first, then figures found: which of two readings to keep."""
    return sum(ex.complete.get(t, False) for t in TABLES), len(ex.cells)


def _worth_reading_again(ex: Extraction, reading: Reading) -> bool:
    """Whether an incomplete reading may be the reader's fault, not the report's.

    A missing table, a missing cell, or a label that placed nowhere may be a
    misread; a missing row whose label the table pages do not print at all is
    the report's own gap (many departments leave out 规章), and reading the
    pages again would only cost time.
    """
    printed = label_key(reading.printed)
    for problem in ex.problems:
        if problem.kind == "missing_row":
            if label_key((problem.label or "").split(" / ")[-1]) in printed:
                return True
        elif problem.kind in ("missing_table", "missing_cell", "unplaced_label", "duplicate"):
            return True
    return False


def extract_reading(reading: Reading) -> Extraction:
    """Map a reader's grids to official cells, reading incomplete tables' pages again if the reader can."""
    if reading.problems and not reading.grids:
        return Extraction("", "", problems=list(reading.problems))
    ex = grids_to_extraction(reading.grids, reading.method)
    incomplete = [t for t in TABLES if not ex.complete.get(t, False)]
    if incomplete and reading.again is not None and _worth_reading_again(ex, reading):
        # Only the pages of the incomplete tables (every table page when a table was not
        # found at all): a report that really leaves a row out costs a page, not the report.
        found = {c.page for c in ex.cells if c.table in incomplete}
        every_found = all(any(c.table == t for c in ex.cells) for t in incomplete)
        pages = sorted(found) if every_found else reading.pages
        log.info("%s incomplete, reading pages %s again", incomplete, pages)
        kept = [g for g in reading.grids if g.page not in pages]
        again = grids_to_extraction(kept + reading.again(pages), reading.again_method)
        if _score(again) > _score(ex):
            ex = again
    ex.sections = split_sections(reading.prose)
    return reading.verify(ex) if reading.verify is not None else ex


def extract_report(path: str | Path, report: str | None = None) -> Extraction:
    """Extract one report file with the reader its kind needs; `report` defaults to the file stem."""
    p = Path(path)
    start = time.perf_counter()
    reading = reader_for(p).read(p)
    ex = stamp(extract_reading(reading), report or p.stem, str(p))
    ex.seconds = round(time.perf_counter() - start, 3)
    return ex
