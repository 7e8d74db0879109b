"""Grids -> official cells: find which table a grid is, map its cells by label.

Every figure is placed by its row and column labels as printed, matched to the
codebook (see labels.py), never by a fixed position. Tables that run over a
page break are read as one: a continuation grid without a header takes its
columns from the header grid by their position on the page, and a row whose
label the break cut in two is joined again. Whatever cannot be placed is
reported as a Problem with file and page; whatever the template requires and
was not found is reported missing, never filled in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from . import labels
from .labels import Entry, label_key
from .model import TABLES, Box, Cell, Extraction, Grid, Problem
from .numbers import NotANumber, parse_number
from .vocabulary import APPEAL_HEADER_WORDS, REQUEST_HEADER_WORDS, SECTION_HEADINGS, TABLE_KEYWORDS


@dataclass
class Span:
    """One merged cell within one grid row."""

    first: int  # first grid column it covers (in this row)
    last: int
    text: str
    box: Box | None
    row: int
    grid: Grid

    @property
    def locator(self) -> str:
        if self.grid.page is not None:
            return ""
        return f"table {self.grid.index + 1}, row {self.row + 1}, column {self.first + 1}"


@dataclass
class ColumnRef:
    """Where an official column sits: grid columns of its header, and its x range."""

    entry: Entry
    grid: Grid
    cols: list[int]
    x0: float | None = None
    x1: float | None = None


@dataclass
class _Mapped:
    cells: list[Cell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ------------------------------------------------------------------- grids


def row_spans(grid: Grid, r: int, cols: range | None = None) -> list[Span]:
    """The distinct merged cells of row r (optionally within some columns), left to right."""
    out: list[Span] = []
    cols = cols if cols is not None else range(grid.n_cols)
    for c in cols:
        sid = grid.span[r][c]
        if out and grid.span[r][out[-1].first] == sid:
            out[-1].last = c
            continue
        out.append(Span(c, c, grid.text[r][c], grid.boxes[r][c], r, grid))
    return out


def column_path(grid: Grid, c: int, header_rows: range) -> list[str]:
    """The header texts above column c, top to bottom, one per merged cell."""
    path: list[str] = []
    last = None
    for r in header_rows:
        sid = grid.span[r][c]
        if sid != last and grid.text[r][c].strip():
            path.append(grid.text[r][c])
        last = sid
    return path


def _grid_key(grid: Grid) -> str:
    seen, parts = set(), []
    for r in range(grid.n_rows):
        for c in range(grid.n_cols):
            if grid.span[r][c] not in seen:
                seen.add(grid.span[r][c])
                parts.append(label_key(grid.text[r][c]))
    return "|".join(parts)


def classify(grid: Grid) -> str | None:
    """Which statistical table a grid holds, judged by its words; None if none."""
    key = _grid_key(grid)
    scores = {t: sum(1 for w in words if w in key) for t, words in TABLE_KEYWORDS.items()}
    best = max(scores, key=lambda t: scores[t])
    return best if scores[best] >= 2 else None


def _x_range(grid: Grid, cols: list[int]) -> tuple[float | None, float | None]:
    xs = [b for r in range(grid.n_rows) for c in cols if (b := grid.boxes[r][c]) is not None]
    if not xs:
        return None, None
    # the narrowest box in these columns is the column itself, not a wider merged cell
    narrow = min(xs, key=lambda b: b[2] - b[0])
    return narrow[0], narrow[2]


def _locate(ref: ColumnRef, grid: Grid) -> list[int]:
    """The columns of `grid` under an official column found in another grid."""
    if grid is ref.grid:
        return ref.cols
    if ref.x0 is not None:
        found = []
        for c in range(grid.n_cols):
            x0, x1 = _x_range(grid, [c])
            if x0 is not None and ref.x0 - 1 <= (x0 + x1) / 2 <= ref.x1 + 1:
                found.append(c)
        return found
    if grid.n_cols == ref.grid.n_cols:
        return ref.cols
    # no positions (HTML): align on the right edge, where the value columns are
    shift = grid.n_cols - ref.grid.n_cols
    return [c + shift for c in ref.cols if 0 <= c + shift < grid.n_cols]


def column_refs(
    grid: Grid, table: str, header_rows: range, skip: tuple[str, ...] = (), above: Grid | None = None, head: tuple[str, ...] = ()
) -> list[ColumnRef]:
    """The official columns a grid's header rows name, each with its grid columns and x range.

    Header texts whose key contains a word of `skip` (申请人情况 above all applicant
    columns) are left out of the paths. `above` is a header-only grid printed just
    before (the top header row left alone at the foot of the previous page): its
    cells over a column, by x position, head that column's path, and so do the texts of `head`.
    """
    refs: dict[str, ColumnRef] = {}
    for c in range(grid.n_cols):
        upper, lower = _path_above(above, grid, c), column_path(grid, c, header_rows)
        if upper and lower and _cut_cell(above, grid, c):
            upper, lower = upper[:-1] + [upper[-1] + lower[0]], lower[1:]  # one cell cut by the break: 自然 | 人
        path = list(head) + upper + lower
        path = [p for p in path if not any(w in label_key(p) for w in skip)]
        col = labels.match_column(table, path) if path else None
        if col is not None:
            refs.setdefault(col.code, ColumnRef(col, grid, [])).cols.append(c)
    for ref in refs.values():
        ref.x0, ref.x1 = _x_range(grid, ref.cols)
    return list(refs.values())


def _cut_cell(above: Grid, grid: Grid, c: int, tolerance: float = 2.0) -> bool:
    """Whether column c's top cell in `grid` is the rest of the cell over it at the foot of `above` (same left and right edges)."""
    top = grid.boxes[0][c] if grid.n_rows else None
    if top is None or not above.n_rows:
        return False
    middle = (top[0] + top[2]) / 2
    for s in row_spans(above, above.n_rows - 1):
        if s.box is not None and s.box[0] <= middle <= s.box[2]:
            return abs(s.box[0] - top[0]) <= tolerance and abs(s.box[2] - top[2]) <= tolerance
    return False


def _path_above(above: Grid | None, grid: Grid, c: int) -> list[str]:
    """The header texts of `above` standing over column c of `grid` (by x position), top to bottom."""
    if above is None:
        return []
    x0, x1 = _x_range(grid, [c])
    if x0 is None:
        return []
    middle = (x0 + x1) / 2
    path: list[str] = []
    for r in range(above.n_rows):
        for s in row_spans(above, r):
            if s.box is not None and s.box[0] <= middle <= s.box[2] and s.text.strip():
                path.append(s.text)
    return path


def _value_span(grid: Grid, r: int, cols: list[int]) -> tuple[Span | None, bool]:
    """The merged cell of row r under these columns; (None, True) if several differ."""
    spans = {grid.span[r][c]: c for c in cols}
    if not spans:
        return None, False
    nonblank = [c for sid, c in spans.items() if grid.text[r][c].strip()]
    if len(nonblank) > 1:
        return None, True
    c = nonblank[0] if nonblank else next(iter(spans.values()))
    return Span(c, c, grid.text[r][c], grid.boxes[r][c], r, grid), False


# ------------------------------------------------------------------ cells


def _cell(table: str, row: Entry | None, col: Entry, span: Span, problems: list[Problem]) -> Cell:
    """The official cell under a printed span; a text that is no number is kept, with a problem."""
    text = span.text.strip()
    try:
        value = parse_number(text)
    except NotANumber:
        problems.append(
            Problem(
                "",
                "bad_number",
                f"{row.label + ' × ' if row else ''}{col.label}: cannot read a number in {text!r}",
                table,
                col.label,
                span.grid.page,
            )
        )
        value = ""
    return Cell(
        report="",
        table=table,
        row=row.label if row else "",
        column=col.label,
        row_code=row.code if row else "",
        column_code=col.code,
        value=value,
        text=text,
        page=span.grid.page,
        bbox=span.box,
        method=span.grid.method,
        locator=span.locator,
    )


# --------------------------------------------------------------- table 1


def map_proactive(grids: list[Grid]) -> _Mapped:
    """Table 1: sections, each with its own 信息内容 header row, then data rows."""
    out = _Mapped()
    section: str | None = None
    header: list[ColumnRef] = []
    found: set[tuple[str, str]] = set()
    for grid in _join_cut_rows(grids):
        for r in range(grid.n_rows):
            spans = [s for s in row_spans(grid, r) if s.text.strip()]
            if not spans:
                continue
            first = spans[0]
            sec = labels.match_section(first.text)
            if sec and len({label_key(s.text) for s in spans}) == 1:
                section, header = sec, []
                continue
            if label_key(first.text).startswith("信息内容"):
                header = []
                for s in row_spans(grid, r)[1:]:
                    if not s.text.strip():
                        continue
                    col = labels.match_column("proactive", [s.text])
                    if col is None:
                        out.problems.append(
                            Problem(
                                "",
                                "unplaced_label",
                                f"column header {s.text!r} matches no official column",
                                "proactive",
                                s.text,
                                grid.page,
                            )
                        )
                        continue
                    cols = list(range(s.first, s.last + 1))
                    header.append(ColumnRef(col, grid, cols, *_header_x(s, grid, cols)))
                continue
            row = labels.match_row("proactive", first.text, section, _header_template(header))
            if row is None and section is not None:
                # the section's own header row stayed alone on the page before and was not
                # read as a table: `section` is still the previous one
                row = labels.match_row("proactive", first.text, None, _header_template(header))
            if row is None:
                out.problems.append(
                    Problem(
                        "",
                        "unplaced_label",
                        f"row label {first.text!r} matches no official row",
                        "proactive",
                        first.text,
                        grid.page,
                    )
                )
                continue
            if not header:
                out.problems.append(
                    Problem(
                        "",
                        "unplaced_label",
                        f"row {first.text!r} has no column header above it",
                        "proactive",
                        first.text,
                        grid.page,
                    )
                )
                continue
            for ref in header:
                cols = [c for c in _locate(ref, grid) if c > first.last]
                span, clash = _value_span(grid, r, cols)
                if span is None:
                    if clash:
                        out.problems.append(
                            Problem(
                                "",
                                "unplaced_label",
                                f"{row.label} × {ref.entry.label}: two different figures under one header",
                                "proactive",
                                row.label,
                                grid.page,
                            )
                        )
                    continue
                if (row.code, ref.entry.code) in found:
                    out.problems.append(
                        Problem(
                            "",
                            "duplicate",
                            f"{row.label} × {ref.entry.label} printed twice; the first is kept",
                            "proactive",
                            row.label,
                            grid.page,
                        )
                    )
                    continue
                found.add((row.code, ref.entry.code))
                out.cells.append(_cell("proactive", row, ref.entry, span, out.problems))
    return out


def _join_cut_rows(grids: list[Grid]) -> list[Grid]:
    """Table 1's grids with a row cut by a page break made one again (行政 | 处罚, Writer).

    The last row before the break and the first after it are one row when neither
    label is a row of table 1 exactly and the two together are (`_run_on` joins them).
    """
    out = list(grids)
    for i in range(1, len(out)):
        a, b = out[i - 1], out[i]
        if a.page is None or b.page != a.page + 1 or not a.n_rows or not b.n_rows:
            continue
        head, tail = row_spans(a, a.n_rows - 1)[0], row_spans(b, 0)[0]
        score = lambda t: labels.match_row_scored("proactive", t)[1]  # noqa: E731
        if not head.text.strip() or score(head.text) == 1.0 or (tail.text.strip() and score(tail.text) == 1.0):
            continue
        if score(head.text.strip() + tail.text.strip()) == 1.0 and (joined := _run_on(a, b, label=True)) is not None:
            out[i - 1], out[i] = joined, _rows_of(b, range(1, b.n_rows))
    return [g for g in out if g.n_rows]


def _run_on(a: Grid, b: Grid, label: bool = False) -> Grid | None:
    """`a` with its last row's cells run on by the first row of `b` (the same row, cut by a page break).

    Each printed cell of b's row goes on the cell above it (by x position) in a's
    last row: a figure wrapped in its cell and cut (3174 | 4) reads 31744; with
    `label` the first cells are the row's label, joined without a break (行政 | 处罚).
    None when a cell of b's row has no single cell above it.
    """
    head, tail = row_spans(a, a.n_rows - 1), row_spans(b, 0)
    if any(s.box is None for s in head + tail):
        return None
    rest: dict[int, str] = {}  # span id in `a` -> the text it runs on with
    for t in tail[1:] if label else tail:
        if not t.text.strip():
            continue
        under = [h for h in head if min(h.box[2], t.box[2]) - max(h.box[0], t.box[0]) > 0.5 * (t.box[2] - t.box[0])]
        if len(under) != 1 or (label and under[0] is head[0]):
            return None
        rest[a.span[a.n_rows - 1][under[0].first]] = t.text.strip()
    first = a.span[a.n_rows - 1][head[0].first] if label else None
    if label:
        rest[first] = tail[0].text.strip()
    last = a.n_rows - 1
    row = [
        t.rstrip() + ("\n" if sid != first and t.strip() else "") + rest[sid] if sid in rest else t
        for sid, t in zip(a.span[last], a.text[last])
    ]
    return replace(a, text=a.text[:last] + [row])


def _header_x(span: Span, grid: Grid, cols: list[int]) -> tuple[float | None, float | None]:
    """The x range of a table-1 column: its header cell's own width (本年处理决定数量 spans
    the three columns of 第二十条第（一）项's figures, and a page break may leave its
    figures in a grid of their own)."""
    return (span.box[0], span.box[2]) if span.box else _x_range(grid, cols)


def _header_template(header: list[ColumnRef]) -> str | None:
    """'2019' or '2021' when a table-1 header's columns belong to one template only.

    A 2021 table that prints 规范性文件 (without 行政) means the 2021 row.
    """
    for template in ("2019", "2021"):
        if header and all(template in ref.entry.templates for ref in header):
            return template
    return None


# --------------------------------------------------------------- table 2


@dataclass
class _Line:
    """One printed row of table 2: its label cells and its value cells."""

    labels: list[Span]
    values: dict[str, Span]  # column code -> span
    grid: Grid

    @property
    def leaf(self) -> str:
        return self.labels[-1].text if self.labels else ""

    @property
    def blank(self) -> bool:
        return not any(s.text.strip() for s in self.values.values())


MIN_HEADER_COLUMNS = 4  # of the seven applicant columns, for a header to count as one


def _request_header_rows(grid: Grid) -> int:
    """How many rows at the top of a grid print table 2's applicant headings.

    Blank rows before them count with them: the sliver of a row a page break
    cut, printed above the repeated header by Chromium.
    """
    n_header, blank = 0, 0
    for r in range(grid.n_rows):
        keys = {label_key(t) for t in grid.text[r]}
        if not any(keys - {""}) and not n_header:
            blank = r + 1
            continue
        if not any(w in k for k in keys for w in REQUEST_HEADER_WORDS):
            break
        n_header = r + 1
    return n_header if n_header > blank else 0


def _request_header(grid: Grid, above: Grid | None = None) -> tuple[list[ColumnRef], int] | None:
    """The applicant columns of a grid that prints table 2's header, and its first data row.

    Header rows are the rows at the top that print the applicant headings
    (a continuation page may repeat them); the first other row is data. `above`
    is the top of the header left alone at the foot of the page before (a page
    break cutting the header): its cells head this grid's columns by x position.
    """
    n_header = _request_header_rows(grid)
    if not n_header and above is None:
        return None
    refs = column_refs(grid, "requests", range(n_header), skip=("申请人情况", "稽关系"), above=above)
    if len(refs) < MIN_HEADER_COLUMNS:
        return None  # a stray word at the top, not the applicant header
    return refs, n_header


def _header_only(grid: Grid) -> bool:
    """Whether a grid prints nothing but table 2's header rows (the header's top, cut off by a page break)."""
    return grid.n_rows > 0 and _request_header_rows(grid) == grid.n_rows


def map_requests(grids: list[Grid]) -> _Mapped:
    """Table 2: rows by their printed labels, columns by the applicant header."""
    out = _Mapped()
    header: list[ColumnRef] = []
    col_entries: dict[str, Entry] = {}
    lines: list[_Line] = []
    above: Grid | None = None  # the header's top, alone at the foot of the page before
    for grid in grids:
        start = 0
        if above is not None and grid.page != (above.page or 0) + 1:
            above = None
        parsed = _request_header(grid)
        if above is not None and (joined := _request_header(grid, above)) is not None:
            if parsed is None or len(joined[0]) > len(parsed[0]):
                parsed = joined
        if parsed:
            header, start = parsed
            col_entries.update({ref.entry.code: ref.entry for ref in header})
        if _header_only(grid):
            above = grid  # no figures: the rest of the header may be on the next page
            continue
        above = None
        if not header:
            out.problems.append(
                Problem("", "unplaced_label", "a part of table 2 has no applicant header before it", "requests", None, grid.page)
            )
            continue
        located = {ref.entry.code: _locate(ref, grid) for ref in header}
        first_value = min((c for cols in located.values() for c in cols), default=grid.n_cols)
        for r in range(start, grid.n_rows):
            lab = [s for s in row_spans(grid, r, range(0, first_value)) if s.text.strip()]
            values = {}
            for ref in header:
                span, clash = _value_span(grid, r, located[ref.entry.code])
                if clash:
                    out.problems.append(
                        Problem(
                            "",
                            "unplaced_label",
                            f"two different figures under {ref.entry.label}",
                            "requests",
                            ref.entry.label,
                            grid.page,
                        )
                    )
                if span is not None:
                    values[ref.entry.code] = span
            line = _Line(lab, values, grid)
            if not lab and line.blank:
                continue
            lines.append(line)
    seen: set[str] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        row, score = _match(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        unsure: list[str] = []  # columns whose figure a page break may have cut, not joined surely
        if nxt is not None:
            cut = _across_break(line, nxt)
            clash = _clashes(line, nxt)
            joined = _join(line, nxt, cut=cut and bool(clash))
            if joined is not None:
                # A row cut by a page break (or a label wrapped onto a row of its
                # own) reads as one row when joined: the joined label places, and
                # neither half places elsewhere. An exact label is not extended.
                nrow, nscore = _match(nxt)
                jrow, jscore = _match(joined)
                if _joins(row, score, nrow, nscore, jrow, jscore) and (not clash or _completes(line, nxt, score, jrow, jscore)):
                    line, row = joined, jrow
                    i += 1
                elif clash and nrow is None:
                    unsure = clash  # the next row places nowhere: it may be the rest of these figures
        i += 1
        if row is None:
            out.problems.append(
                Problem(
                    "",
                    "unplaced_label",
                    f"row label {line.leaf!r} matches no official row",
                    "requests",
                    line.leaf,
                    line.grid.page,
                )
            )
            continue
        if row.code in seen:
            out.problems.append(
                Problem(
                    "", "duplicate", f"row {row.label} printed twice; the first is kept", "requests", row.label, line.grid.page
                )
            )
            continue
        seen.add(row.code)
        for code, span in line.values.items():
            if code in unsure:
                out.problems.append(
                    Problem(
                        "",
                        "bad_number",
                        f"{row.label} × {col_entries[code].label}: the page break after {span.text.strip()!r} may cut "
                        f"the figure, and the row after it places nowhere; not read",
                        "requests",
                        col_entries[code].label,
                        span.grid.page,
                    )
                )
                span = replace(span, text="")
            out.cells.append(_cell("requests", row, col_entries[code], span, out.problems))
    return out


def _across_break(a: _Line, b: _Line) -> bool:
    """Whether b is the first row printed on the page after a's, and a the last on its page: a row the break may cut."""
    return a.grid is not b.grid and a.grid.page is not None and b.grid.page == a.grid.page + 1


def _clashes(a: _Line, b: _Line) -> list[str]:
    """The columns in which both rows print something."""
    return [k for k in a.values if k in b.values and a.values[k].text.strip() and b.values[k].text.strip()]


def _completes(head: _Line, tail: _Line, score: float, jrow, jscore: float) -> bool:
    """Whether a row after a page break surely finishes the row before it, figures included (Writer cuts a row's cells).

    A printed row of table 2 always prints its own label: a row with figures but
    nothing in the label cell of the row above (at most the rest of a group label
    such as 三、本年度办理结果) is the rest of that row. A row whose label fragment
    completes the label above (the joined label places better than the head alone)
    is too. Then a figure wrapped in its cell and cut by the break (3174 | 4) reads
    as the whole figure (31744).
    """
    if jrow is None:
        return False
    return not _leaf_tail(head, tail).strip() or jscore > score


def _leaf_tail(head: _Line, tail: _Line) -> str:
    """What `tail` prints in the label cell of `head`'s leaf (by x position on the page; by column without boxes)."""
    if not head.labels:
        return tail.leaf
    leaf = head.labels[-1]
    parts = []
    for s in tail.labels:
        if leaf.box is not None and s.box is not None:
            inside = min(leaf.box[2], s.box[2]) - max(leaf.box[0], s.box[0]) > 2.0  # overlapping it, however wide
        else:
            inside = s.first <= leaf.last and s.last >= leaf.first
        if inside:
            parts.append(s.text)
    return "".join(parts)


def _joins(row, score: float, nrow, nscore: float, jrow, jscore: float) -> bool:
    """Whether two printed rows are one: the joined label places, better than the halves.

    `row`/`nrow` are what each printed row places as on its own (None: nowhere),
    `jrow` what the joined label places as; scores are the match scores.
    """
    if jrow is None or row not in (None, jrow):
        return False
    if score == 1.0 and jscore < 1.0:
        return False  # an exact label is not extended by a stray fragment
    if nrow is None:
        return True  # a tail that places nowhere on its own
    if row is None:
        return nrow == jrow and jscore > nscore  # a head, only if it completes the next label
    if nrow == jrow:
        return jscore >= max(score, nscore)
    return nscore < 1.0 and jscore > nscore  # a tail that looked like another row (复申请)


def _match(line: _Line) -> tuple[Entry | None, float]:
    return labels.match_row_scored("requests", line.leaf) if line.leaf else (None, 0.0)


def _join(a: _Line, b: _Line, cut: bool = False) -> _Line | None:
    """Two printed rows that are one row cut by a page break (or a wrapped label).

    None when both print a figure in the same column: then they are two rows,
    unless `cut` (a page break between them): then each such cell's text runs
    on from a's part to b's, as a cell cut by the break prints it.
    """
    if not cut and _clashes(a, b):
        return None
    text = a.leaf + (_leaf_tail(a, b) if cut else b.leaf) if b.labels else a.leaf
    if a.labels:
        last = a.labels[-1]
        lab = a.labels[:-1] + [Span(last.first, last.last, text, last.box, last.row, a.grid)]
    else:
        lab = list(b.labels)
    values = {}
    for code in set(a.values) | set(b.values):
        sa, sb = a.values.get(code), b.values.get(code)
        if sa is not None and sb is not None and sa.text.strip() and sb.text.strip():
            values[code] = replace(sa, text=sa.text.rstrip() + "\n" + sb.text.strip())
        else:
            values[code] = sa if sa is not None and sa.text.strip() else (sb if sb is not None else sa)
    return _Line(lab, values, a.grid)


# --------------------------------------------------------------- table 3


def _appeal_header_row(grid: Grid, r: int) -> bool:
    """Whether row r prints table 3's header words (行政复议, 结果维持 …) rather than figures."""
    return any(w in label_key(t) for t in grid.text[r] for w in APPEAL_HEADER_WORDS)


def _rows_of(grid: Grid, rows: range) -> Grid:
    """The grid cut down to some of its rows."""
    return replace(
        grid,
        text=grid.text[rows.start : rows.stop],
        span=grid.span[rows.start : rows.stop],
        boxes=grid.boxes[rows.start : rows.stop],
    )


def map_appeals(grids: list[Grid]) -> _Mapped:
    """Table 3: 15 figures under a three-level header, in one band or several.

    Read row by row: header rows (行政复议, 行政诉讼, 结果维持 …) make a band's
    header, and the next row of figures is read under it. A page too narrow for
    15 columns prints the table in bands, review then litigation, each with its
    own header, in one grid or in two (Calc, Writer, Chromium). A header left
    at the foot of a page without its figures heads the next grid: its figures,
    or the rest of the header, are there (columns matched by x position).
    """
    out = _Mapped()
    found: set[str] = set()
    above: Grid | None = None  # a band's header printed without its figures, at the foot of the grid before
    for grid in _join_cut_figures(grids, out):
        band: list[int] = []
        for r in range(grid.n_rows):
            if not any(t.strip() for t in grid.text[r]):
                continue
            if _appeal_header_row(grid, r):
                band.append(r)
                continue
            if band:
                header = column_refs(grid, "appeals", range(band[0], band[-1] + 1), above=above)
                if not header and above is None:
                    header = _review_band(grid, range(band[0], band[-1] + 1), found, out)
            elif above is not None:
                header = column_refs(above, "appeals", range(above.n_rows))
            else:
                if found:
                    out.problems.append(
                        Problem(
                            "",
                            "unplaced_label",
                            "a row of figures in table 3 has no header above it; not read",
                            "appeals",
                            None,
                            grid.page,
                        )
                    )
                continue
            _read_band(grid, r, header, found, out)
            band, above = [], None
        if band:
            above = _rows_of(grid, range(band[0], grid.n_rows))
    return out


def _join_cut_figures(grids: list[Grid], out: _Mapped) -> list[Grid]:
    """Table 3's grids with a row of figures cut by a page break made one again (22 | 7 reads 227, Writer).

    A band's figures are its last row: a row of figures alone at the top of the next
    page, after a grid that ends with figures, is their rest (no band prints figures
    without its header). Each goes on the figure above it; when one cannot be placed
    so, or the grid after the break has other columns (the rest, or another band's
    figures whose header was not read: it cannot be told), the figures before the
    break are reported unreadable, never read short.
    """
    result = list(grids)
    for i in range(1, len(result)):
        a, b = result[i - 1], result[i]
        if a.page is None or b.page != a.page + 1 or not a.n_rows or not b.n_rows:
            continue
        if not _figures_only(_rows_of(a, range(a.n_rows - 1, a.n_rows))) or not _figures_only(_rows_of(b, range(1))):
            continue
        joined = _run_on(a, b) if _same_columns(a, b) else None  # other columns: maybe another band's figures
        if joined is None:
            last = a.n_rows - 1
            out.problems.append(
                Problem(
                    "",
                    "bad_number",
                    "table 3: figures cut by a page break could not be joined; not read",
                    "appeals",
                    None,
                    a.page,
                )
            )
            joined = replace(a, text=a.text[:last] + [[t + "\ufffd" if t.strip() else t for t in a.text[last]]])
        result[i - 1], result[i] = joined, _rows_of(b, range(1, b.n_rows))
    return [g for g in result if g.n_rows]


REVIEW = "review"  # the codebook's group of 行政复议's columns


def _review_band(grid: Grid, rows: range, found: set[str], out: _Mapped) -> list[ColumnRef]:
    """A band that prints only the five results, its group label lost, read as 行政复议's.

    行政复议's label spans its band alone on a row; a page break, or a one-cell
    row too small for Camelot to see as a table, can leave it behind. The two
    litigation groups print their labels (未经复议直接起诉, 复议后起诉) right above
    their results, so a band of exactly five results with no group can only be
    行政复议's, and only while its figures are still missing. Said in a problem.
    """
    if any(labels.entry("appeals", "column", code).group == REVIEW for code in found):
        return []
    head = (labels.group_label("appeals", REVIEW),)
    refs = column_refs(grid, "appeals", rows, head=head)
    if len(refs) != len(labels.codes("column", "appeals", group=REVIEW)):
        return []
    out.problems.append(
        Problem(
            "",
            "inferred_label",
            f"table 3: a band printing only the five results, with no group label above them, is read as {head[0]}'s",
            "appeals",
            head[0],
            grid.page,
        )
    )
    return refs


def _read_band(grid: Grid, r: int, header: list[ColumnRef], found: set[str], out: _Mapped) -> None:
    """The figures of row r under a band's header columns (each official column once)."""
    for ref in header:
        span, _ = _value_span(grid, r, _locate(ref, grid))
        if span is None:
            continue
        if ref.entry.code in found:
            out.problems.append(
                Problem(
                    "", "duplicate", f"{ref.entry.label} printed twice; the first is kept", "appeals", ref.entry.label, grid.page
                )
            )
            continue
        found.add(ref.entry.code)
        out.cells.append(_cell("appeals", None, ref.entry, span, out.problems))


# ------------------------------------------------------------- a report


_MAPPERS = {"proactive": map_proactive, "requests": map_requests, "appeals": map_appeals}


def completeness(cells: list[Cell], template: str | None) -> tuple[dict[str, bool], list[Problem]]:
    """Whether every official cell of the template was found, and what is missing."""
    if template is None:
        return {t: False for t in TABLES}, [
            Problem("", "missing_table", f"table {t} not found", t) for t in TABLES if not any(c.table == t for c in cells)
        ]
    have = {(c.table, c.row_code, c.column_code) for c in cells}
    missing = defaultdict(list)
    for spec in labels.official_cells(template):
        if (spec.table, spec.row_code, spec.column_code) not in have:
            missing[spec.table].append(spec)
    problems, complete = [], {}
    for table in TABLES:
        miss = missing.get(table, [])
        complete[table] = not miss
        if not miss:
            continue
        if not any(c.table == table for c in cells):
            problems.append(Problem("", "missing_table", f"table {table} not found", table))
            continue
        by_row = defaultdict(list)
        for spec in miss:
            by_row[spec.row].append(spec)
        expected_cols = defaultdict(int)
        for spec in labels.official_cells(template):
            if spec.table == table:
                expected_cols[spec.row] += 1
        for row, specs in by_row.items():
            if table != "appeals" and len(specs) == expected_cols[row]:
                problems.append(
                    Problem("", "missing_row", f"row {row} not found (not printed, or under a label not recognised)", table, row)
                )
            else:
                for s in specs:
                    label = f"{s.row} × {s.column}" if s.row else s.column
                    problems.append(Problem("", "missing_cell", f"cell {label} not found", table, label))
    return complete, problems


def _prints_figure(texts: list[str]) -> bool:
    """Whether any of these cell texts reads as a figure."""
    for text in texts:
        try:
            if text.strip() and parse_number(text.strip()):
                return True
        except NotANumber:
            pass
    return False


def _same_columns(a: Grid, b: Grid, tolerance: float = 2.0) -> bool:
    """Whether two grids have the same columns at the same x positions (one table over a page break)."""
    if a.n_cols != b.n_cols:
        return False
    for c in range(a.n_cols):
        xa, xb = _x_range(a, [c]), _x_range(b, [c])
        if None in xa or None in xb or abs(xa[0] - xb[0]) > tolerance or abs(xa[1] - xb[1]) > tolerance:
            return False
    return True


def _same_cells(a: list[Span], b: list[Span], tolerance: float = 2.0) -> bool:
    """Whether two rows have the same merged cells at the same x positions."""
    if len(a) != len(b) or any(s.box is None for s in a + b):
        return False
    return all(abs(x.box[0] - y.box[0]) <= tolerance and abs(x.box[2] - y.box[2]) <= tolerance for x, y in zip(a, b))


def drop_headings(grid: Grid) -> Grid:
    """A grid without the report's section headings caught inside it (a spreadsheet's title rows).

    A spreadsheet printed by LibreOffice Calc or Excel may rule its title row
    (二、主动公开政府信息情况) into the table. Such a row is one cell across the
    whole width naming a section of the report; read as a table row it would
    head the columns below it or place nowhere.
    """
    keep = [
        r
        for r in range(grid.n_rows)
        if not (len(row_spans(grid, r)) == 1 and any(h in label_key(grid.text[r][0]) for h in SECTION_HEADINGS))
    ]
    if len(keep) == grid.n_rows:
        return grid
    return replace(
        grid, text=[grid.text[r] for r in keep], span=[grid.span[r] for r in keep], boxes=[grid.boxes[r] for r in keep]
    )


def drop_print_titles(grid: Grid) -> Grid:
    """A grid without table 2's header repeated at its top over the rows of table 3 (Calc's print titles).

    A spreadsheet whose table 2 header rows are set to repeat on every page
    (print titles) prints them at the top of each later page, whatever follows:
    above table 3's second band they touch its ruled rows and come out as one grid,
    which would read as table 2. Header rows followed by table 3's header or by a
    row of its figures (the rest being table 3 by its words), or by rows of figures
    without a label (no row of table 2 prints none: table 3's figures under a header
    on the page before), are dropped: they print no figure.
    """
    n = _request_header_rows(grid)
    if not n or n >= grid.n_rows:
        return grid
    rest = _rows_of(grid, range(n, grid.n_rows))
    opens = _appeal_header_row(grid, n) or _figures_only(_rows_of(grid, range(n, n + 1)))  # table 3's header, or its figures
    if opens and (classify(rest) == "appeals" or _appeal_rows_only(rest)):
        return rest
    return rest if _figures_only(rest) else grid


def _appeal_rows_only(grid: Grid) -> bool:
    """Whether every printed row of a grid is table 3's: header words or figures alone, none labelled as a row of table 2.

    What is left of a band's header cut by a page break (维持 | 结果 | 审结, its top at
    the foot of the page before) prints too few of table 3's words to be known by them.
    """
    rows = [r for r in range(grid.n_rows) if any(t.strip() for t in grid.text[r])]
    for r in rows:
        first = next(s.text for s in row_spans(grid, r) if s.text.strip())
        if _labels_a_row(first) or not (_appeal_header_row(grid, r) or _figures_only(_rows_of(grid, range(r, r + 1)))):
            return False
    return bool(rows)


def _appeals_header_only(grid: Grid) -> bool:
    """Whether a grid prints nothing but table 3's header rows, naming 行政复议 or 行政诉讼 (a band's header cut by a break)."""
    rows = [r for r in range(grid.n_rows) if any(t.strip() for t in grid.text[r])]
    named = any(w in label_key(t) for row in grid.text for t in row for w in ("行政复议", "行政诉讼"))
    return bool(rows) and named and all(_appeal_header_row(grid, r) for r in rows)


def _ends_in_header(grid: Grid | None) -> bool:
    """Whether the last printed row of a grid is a row of table 3's header (its figures still to come)."""
    rows = [r for r in range(grid.n_rows) if any(t.strip() for t in grid.text[r])] if grid is not None else []
    return bool(rows) and _appeal_header_row(grid, rows[-1])


def _figures_only(grid: Grid) -> bool:
    """Whether every printed cell of a grid is a figure (no label at all)."""
    texts = [t for row in grid.text for t in row if t.strip()]
    return bool(texts) and all(_is_number(t) for t in texts)


def _is_number(text: str) -> bool:
    try:
        parse_number(text.strip())
        return True
    except NotANumber:
        return False


def join_cut_header(grids: list[Grid]) -> list[Grid]:
    """Put back the bottom halves of header cells that a page break cut off (Chromium prints).

    A browser printing a table breaks a row across pages: table 3's header
    结果维持, printed one character a line, ends the page as 结/果 and the
    next page starts with 维/持. When the first row of a grid on the next page
    has the same merged cells, at the same x positions, as the last row before
    the break, and neither prints a figure nor opens with a row label of table 1
    or 2 (行政处罚 with its figure left blank, under its section's header at the
    foot of the page before), that first row is the rest of those cells: its text
    is joined to theirs and the row removed.
    """
    out: list[Grid] = []
    for grid in grids:
        before = out[-1] if out else None
        if before is None or before.page is None or grid.page != before.page + 1 or not grid.n_rows or not before.n_rows:
            out.append(grid)
            continue
        top, bottom = row_spans(before, before.n_rows - 1), row_spans(grid, 0)
        if (
            not _same_cells(top, bottom)
            or _prints_figure(before.text[-1])
            or _prints_figure(grid.text[0])
            or _labels_a_row(top[0].text)
            or _labels_a_row(bottom[0].text)
        ):
            out.append(grid)
            continue
        joined = {
            before.span[upper.row][upper.first]: upper.text + lower.text
            for upper, lower in zip(top, bottom)
            if lower.text.strip()
        }
        text = [[joined.get(sid, t) for sid, t in zip(sids, texts)] for sids, texts in zip(before.span, before.text)]
        out[-1] = replace(before, text=text)
        if grid.n_rows > 1:
            out.append(replace(grid, text=grid.text[1:], span=grid.span[1:], boxes=grid.boxes[1:]))
    return out


def _labels_a_row(text: str) -> bool:
    """Whether a cell's text is, exactly, the label of a row of table 1 or 2 (a data row, not a header's half)."""
    return bool(text.strip()) and any(labels.match_row_scored(t, text)[1] == 1.0 for t in ("proactive", "requests"))


def _continues(grid: Grid, before: Grid | None, table: str) -> bool:
    """Whether an unclassified grid is the end of `table` cut off by a page break.

    Only a grid on the page right after the table's last grid, and only when a
    row label in it is one of that table's rows (行政强制, 四、结转下年度继续办理).
    """
    if before is None or grid.page is None or before.page is None or grid.page != before.page + 1:
        return False
    for r in range(grid.n_rows):
        lead = [s for s in row_spans(grid, r) if s.text.strip()]
        if lead and labels.match_row(table, lead[0].text) is not None:
            return True
    return False


def grids_to_extraction(grids: list[Grid], method: str = "") -> Extraction:
    """Map the grids of one document to official cells, with problems and completeness.

    The extraction names no report and no file: the caller stamps them once (`model.stamp`).
    """
    by_table: dict[str, list[Grid]] = defaultdict(list)
    last: Grid | None = None  # the grid read just before, and its table
    last_table: str | None = None
    in_order = sorted((drop_print_titles(drop_headings(g)) for g in grids), key=lambda g: (g.page or 0, g.index))
    for grid in join_cut_header([g for g in in_order if g.n_rows]):
        table = classify(grid)
        if table is None and by_table.get("appeals") and grid.n_cols == by_table["appeals"][-1].n_cols:
            table = "appeals"  # figures of table 3 pushed onto the next page
        if table is None and last_table == "appeals" and _appeal_rows_only(grid) and _ends_in_header(last):
            table = "appeals"  # the figures (or the rest of the header) of a band whose header is at the foot of the page before
        if table is None and last_table in ("proactive", "requests") and _continues(grid, last, last_table):
            table = last_table  # the last row or two of a table pushed onto the next page
        if table is None and _header_only(grid):
            table = "requests"  # the top of table 2's header, the rest of it on the next page
        if table is None and _appeals_header_only(grid):
            table = "appeals"  # the top of a band's header (行政复议 | 结果维), the rest of it on the next page
        if table is not None:
            by_table[table].append(grid)
        last, last_table = grid, table
    ex = Extraction(report="", file="", method=method)
    for table in TABLES:
        mapped = _MAPPERS[table](by_table.get(table, []))
        ex.cells.extend(mapped.cells)
        ex.problems.extend(mapped.problems)
    ex.template = labels.detect_template({(c.table, c.row_code, c.column_code) for c in ex.cells})
    ex.complete, missing = completeness(ex.cells, ex.template)
    ex.problems.extend(missing)
    return ex
