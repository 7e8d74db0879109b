"""The records that flow through the pipeline: grids, cells, problems, extractions.

A `Grid` is one table as found on one page (or in one HTML <table>), before any
meaning is attached. A `Cell` is one official figure of one report, with the
provenance needed to find it again on the page. A `Problem` is anything a reader
of the data must know about: a missing table, a label that could not be placed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

TABLES = ("proactive", "requests", "appeals")
UNPROVEN = ("doubtful", "unchecked")  # problems that keep a report from `ok`: OCR'd figures not confirmed
UNREAD = ("bad_number",)  # a printed figure that could not be read surely (published blank, its text kept)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, origin bottom-left


@dataclass
class Grid:
    """One table region as extracted, merged cells expanded.

    `text[r][c]` is the text of the (possibly merged) cell covering row r,
    column c: a merged cell's text is repeated at every position it covers,
    and `span[r][c]` is an id shared by all positions of the same merged cell.
    `boxes[r][c]` is that merged cell's box on the page (None for HTML).
    """

    source: str
    page: int | None
    text: list[list[str]]
    span: list[list[int]]
    boxes: list[list[Box | None]]
    method: str
    bbox: Box | None = None  # the whole table's box on the page
    index: int = 0  # order of this table region within the document (0-based)

    @property
    def n_rows(self) -> int:
        return len(self.text)

    @property
    def n_cols(self) -> int:
        return len(self.text[0]) if self.text else 0


@dataclass
class Cell:
    """One official figure of one report, as printed, with where it came from."""

    report: str
    table: str  # proactive | requests | appeals
    row: str  # official label path ('' for appeals)
    column: str  # official label path
    row_code: str
    column_code: str
    value: str  # canonical plain number ('7730.28', '-15', '0'), '' when printed blank
    text: str  # the cell's text as printed
    page: int | None
    bbox: Box | None
    method: str
    locator: str = ""  # where in the source, for inputs without pages: 'table 2, row 6, column 4'
    confidence: float | None = None  # OCR engine's confidence in the reading (its weakest character), None if not OCR'd
    proof: str = ""  # OCR'd figures only: confirmed | unchecked | doubtful | repaired (see openness.proof)
    proof_note: str = ""  # why a figure is doubtful or was repaired

    def as_dict(self) -> dict:
        """The cell's fields as a dict (shallow: dataclasses.asdict deep-copies, 10x slower)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Problem:
    """Something wrong or missing in one input, said in plain words."""

    file: str
    kind: str  # unreadable | encrypted | no_text | not_a_report | missing_table | missing_row | missing_cell | unplaced_label | bad_number | ...
    message: str
    table: str | None = None
    label: str | None = None
    page: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.page is not None:
            where += f", page {self.page}"
        if self.table:
            where += f", table {self.table}"
        return f"{where}: {self.message}"


@dataclass
class Section:
    """One numbered section of a report's prose (or its preamble), without the tables' text."""

    code: str  # preamble | overview | proactive | requests | appeals | problems | other (wording.SECTIONS)
    number: int  # 1-6 as in the template; 0 for the preamble
    heading: str  # as printed, whitespace inside the title removed
    text: str  # the section's text, its lines as printed
    pages: list[int] = field(default_factory=list)  # pages it is printed on (empty without pages)


@dataclass
class Extraction:
    """Everything extracted from one input file."""

    report: str
    file: str
    template: str | None = None  # '2019' | '2021' | 'mixed'
    cells: list[Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    complete: dict[str, bool] = field(default_factory=dict)  # table -> every official cell found
    method: str = ""
    seconds: float = 0.0
    sections: list[Section] = field(default_factory=list)  # the report's prose by section (openness.sections)

    @property
    def status(self) -> str:
        """ok: every table complete, every figure read (and every OCR'd one confirmed); partial: some figures; failed: none."""
        if not self.cells:
            return "failed"
        if any(p.kind in UNPROVEN for p in self.problems):
            return "partial"  # an OCR'd figure that no identity confirms
        if any(p.kind in UNREAD for p in self.problems):
            return "partial"  # a figure printed but not read: its cell is not complete
        if all(self.complete.get(t, False) for t in TABLES):
            return "ok"
        return "partial"

    @property
    def reason(self) -> str:
        """The problems in plain words, for logs ('' when there are none)."""
        return "; ".join(p.message if p.table is None else f"{p.table}: {p.message}" for p in self.problems)


def stamp(extraction: Extraction, report: str, file: str) -> Extraction:
    """Name an extraction, its cells and its problems by the report id and file listed for it, once.

    Readers and mappers know only what they read; the caller that knows which
    report a file is (the CLI, the build) stamps the result.
    """
    extraction.report, extraction.file = report, file
    for cell in extraction.cells:
        cell.report = report
    for problem in extraction.problems:
        problem.file = file
    return extraction
