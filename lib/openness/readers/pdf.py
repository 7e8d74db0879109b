"""PDF with a text layer -> grids: Camelot finds the tables, every character is placed by where it stands.

Two steps, each done by what does it best:

1. **Where the tables are.** Only the pages whose text layer prints the tables'
   own words are read (pypdfium2, milliseconds a page). The ruled lines are
   taken from pypdfium2's path objects (`page_rules`) and Camelot's lattice
   code (its vector engine's joints, anchors and cell edges) makes each
   table's rows, columns and merged cells (`lattice_tables`): Camelot's own
   grids without its page layout analysis, which interprets every glyph of
   the page and was half of a report's time. A page whose lines the reader
   cannot vouch for, or where pdfium may have lost a glyph of a figure, is
   read by Camelot itself (`ruled_tables`). The grids are right for every
   producer seen (WPS, LibreOffice Writer and Calc, Chromium).
2. **What each cell says.** Camelot assigns pdfminer's text *lines* to cells,
   and a line is often wrong for a table: LibreOffice Writer prints a row's
   label and its three figures as one line ("行政规范性文件 109 489 597"), and a
   label's second line can land in the row below. So the text of each cell is
   rebuilt from the PDF's own characters (pypdfium2's character boxes): a
   character belongs to the cell its centre stands in (pdfplumber's rule), and
   a cell's characters are read in lines, top to bottom, left to right.
   A gap of more than a character's height inside a line becomes a space, so
   two figures printed in one cell stay two ("12 5", refused by the number
   parser) instead of fusing into a wrong figure ("125").

When a table still comes out incomplete, `read_pages` reads its pages again
with Camelot's `combined` engine (rendering plus vector lines) for a PDF whose
rules are images, and the caller keeps the more complete reading.
"""

from __future__ import annotations

import bisect
import unicodedata
import warnings
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..labels import label_key
from ..model import Grid, Problem
from ..vocabulary import APPEALS_HEADER, REPORT_WORDS, TABLE1_ROW_WORDS, TABLE_WORDS
from . import Reading

ENGINE = "vector"
FALLBACK_ENGINE = "combined"
# pdfminer's text-box ordering (boxes_flow) is the slowest part of Camelot's
# page layout and tables do not need it: cell text comes from the characters.
LAYOUT = {"boxes_flow": None}
MIN_TEXT_CHARS = 50  # fewer characters of text than this over all pages: a scanned PDF


class InputError(Exception):
    """An input that cannot be read at all, with a reason in plain words."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Char:
    """One printed character and its box (PDF points, origin bottom-left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def open_pdf(path: str | Path):
    """The pypdfium2 document of a PDF, or an InputError saying why it cannot be opened."""
    import pypdfium2 as pdfium

    p = Path(path)
    if not p.exists():
        raise InputError("missing", "file not found")
    if p.stat().st_size == 0:
        raise InputError("unreadable", "empty file (0 bytes)")
    with open(p, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        raise InputError("unreadable", "not a PDF (no %PDF header)")
    try:
        return pdfium.PdfDocument(str(p))
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise InputError("encrypted", "encrypted PDF: needs a password") from exc
        raise InputError("unreadable", f"corrupt or truncated PDF ({msg})") from exc


def page_texts(path: str | Path, pages: int | None = None) -> list[str]:
    """The text layer of every page (or of the first `pages`), or an InputError saying why there is none.

    The one loop over pdfium's text pages: the reader, the metadata guess from a
    report's first page and the benchmark's floor all read text through it.
    """
    doc = open_pdf(path)
    try:
        texts = []
        for i in range(min(len(doc), pages) if pages is not None else len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            texts.append(tp.get_text_range())
            tp.close()
            page.close()
        return texts
    finally:
        doc.close()


@dataclass
class PageChars:
    """A page's printed characters in PDF user space, with what places them on the page as shown."""

    chars: list[Char]
    mediabox: tuple[float, float, float, float]
    rotate: int  # the page's /Rotate, degrees clockwise
    text: str = ""  # the page's whole text layer (spaces and line breaks included)
    order: list[int] = field(default_factory=list)  # for each character of `text`: its index in `chars`, or -1
    rules: PageRules | None = None  # the page's ruled lines, read with its characters (`page_rules`)
    words: list[int] = field(default_factory=list)  # for each character: the printed word it belongs to (an id)

    def in_page_space(self, turn: int = 0) -> list[Char]:
        """The characters where Camelot sees them: the page turned by /Rotate (plus `turn`), origin at its bottom left.

        Camelot (through playa's "page" space) rotates a page by its /Rotate and moves
        the MediaBox's corner to the origin; pdfium's boxes are in user space. Without
        this a rotated page, or one whose MediaBox does not start at 0 0, would put
        every character in the wrong cell.
        """
        rotate = (self.rotate + turn) % 360
        x0, y0, x1, y1 = self.mediabox
        width, height = x1 - x0, y1 - y0
        a, b, c, d, e, f = {
            0: (1, 0, 0, 1, 0, 0),
            90: (0, -1, 1, 0, 0, width),
            180: (-1, 0, 0, -1, width, height),
            270: (0, 1, -1, 0, height, 0),
        }.get(rotate, (1, 0, 0, 1, 0, 0))

        def move(x: float, y: float) -> tuple[float, float]:
            return a * x + c * y + e, b * x + d * y + f

        corners = [move(x, y) for x in (x0, x1) for y in (y0, y1)]
        dx, dy = min(x for x, _ in corners), min(y for _, y in corners)
        if (a, b, c, d, e, f) == (1, 0, 0, 1, 0, 0) and dx == 0 and dy == 0:
            return self.chars
        out = []
        for ch in self.chars:
            (p, q), (r, s) = move(ch.x0, ch.y0), move(ch.x1, ch.y1)
            out.append(Char(ch.text, min(p, r) - dx, min(q, s) - dy, max(p, r) - dx, max(q, s) - dy))
        return out


UNREADABLE = "\ufffd"  # a printed glyph whose character the PDF does not say


def _readable(code: int) -> str:
    """A printed glyph's character, or U+FFFD when its font maps it to none (a damaged or missing ToUnicode).

    Dropping such a glyph would silently turn a printed 195 into 15; kept as U+FFFD, the cell
    reads as no number and is reported (bad_number), never as a different figure.
    """
    ch = chr(code)
    if code == 0 or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or code in (0xFFFE, 0xFFFF):
        return UNREADABLE
    return ch


WORD_JOIN = 0.05  # points: a character set where the one before it ends (its advance) is in the same word


def page_chars(path: str | Path, pages: list[int]) -> dict[int, PageChars]:
    """The printed (non-space) characters of some pages (1-based), with their boxes, words and the page's geometry.

    A word is a run of characters in the text layer with no space between, each set
    exactly where the one before it ends (pdfium's loose box: the font's advance), on
    one baseline: a figure as the program set it, however its glyphs stand in the grid.
    In a tagged PDF a word also stays within one marked-content sequence: Chromium
    tags each table cell's text apart, so two figures that overflow their columns
    and touch by chance (18758 then 3893, printed 187583893) are two words.
    """
    import pypdfium2.raw as raw

    doc = open_pdf(path)
    out: dict[int, PageChars] = {}
    try:
        for number in pages:
            page = doc[number - 1]
            tp = page.get_textpage()
            chars, text, order, words = [], [], [], []
            loose, right, tag = raw.FS_RECTF(), None, -1  # the character before: its advance box and marked content
            for i in range(tp.count_chars()):
                code = raw.FPDFText_GetUnicode(tp, i)
                text.append(chr(code))
                order.append(-1)
                if chr(code).isspace():
                    right = None
                    continue
                x0, y0, x1, y1 = tp.get_charbox(i)
                if x1 <= x0 and y1 <= y0:
                    continue  # a character with no box is not printed
                order[-1] = len(chars)
                chars.append(Char(_readable(code), x0, y0, x1, y1))
                raw.FPDFText_GetLooseCharBox(tp, i, loose)
                mark = raw.FPDFPageObj_GetMarkedContentID(raw.FPDFText_GetTextObject(tp, i))
                follows = (
                    right is not None
                    and mark == tag
                    and abs(loose.left - right[0]) < WORD_JOIN
                    and abs(loose.bottom - right[1]) < WORD_JOIN
                )
                words.append(words[-1] if follows else len(words))
                right, tag = (loose.right, loose.bottom), mark
            out[number] = PageChars(
                chars, tuple(page.get_mediabox()), page.get_rotation(), "".join(text), order, rules=page_rules(page), words=words
            )
            tp.close()
            page.close()
    finally:
        doc.close()
    return out


def prose_texts(texts: list[str], grids: list[Grid], chars: dict[int, PageChars]) -> list[tuple[int | None, str]]:
    """(page, text) of every page without the tables: the characters whose centre stands in a grid's box are dropped.

    Pages without a grid keep their text layer as read; on a table page each
    character of the text layer (in its order, line breaks included) is kept
    unless it stands inside a table, so the headings and prose around a table
    stay. `chars` are the table pages' characters the grids were read with.
    """
    import numpy as np

    boxes: dict[int, list[tuple[float, float, float, float]]] = {}
    for g in grids:
        if g.page is not None and g.bbox is not None:
            boxes.setdefault(g.page, []).append(g.bbox)
    out: list[tuple[int | None, str]] = [(i + 1, t) for i, t in enumerate(texts)]
    for number, page_boxes in sorted(boxes.items()):
        if number not in chars or not chars[number].text:
            continue
        layer = chars[number]
        placed = layer.in_page_space()
        cx = np.fromiter((c.cx for c in placed), float, len(placed))
        cy = np.fromiter((c.cy for c in placed), float, len(placed))
        inside = np.zeros(len(placed), bool)
        for x0, y0, x1, y1 in page_boxes:
            inside |= (cx >= x0) & (cx <= x1) & (cy >= y0) & (cy <= y1)
        out[number - 1] = (number, "".join(ch for ch, k in zip(layer.text, layer.order) if k < 0 or not inside[k]))
    return out


def is_report(texts: list[str]) -> bool:
    """Whether the text says it is an annual report (a PDF with none of these words is not one)."""
    key = label_key("".join(texts))
    return any(w in key for w in REPORT_WORDS)


def table_pages(texts: list[str]) -> list[int]:
    """1-based numbers of the pages that hold the tables, judged from their text.

    A page printing two table words holds a table; the page after one is read
    too when it prints one, or a row label of table 1 (the last rows of a table
    cut by a page break), and so is the page before one when it prints one (the
    top of a table whose header row the break cut: 第二十条第（一）项 and 信息 |
    本年制发 at the foot of a page, 内容 | 件数 on the next). The page after the last such page is read when that
    page prints table 3's header but not its figures: a browser print may leave
    the header at the foot of a page and put the rest of it, printed one
    character a line, and the figures on the next, where no table word can be
    recognised. So is the page after it when its first line prints figures only: the
    rest of the table's last row, cut by the break.
    """
    keys = [label_key(t) for t in texts]
    hits = [sum(1 for w in TABLE_WORDS if w in k) for k in keys]
    rows = [any(w in k for w in TABLE1_ROW_WORDS) for k in keys]
    pages = [
        i + 1
        for i, h in enumerate(hits)
        if h >= 2 or ((h >= 1 or rows[i]) and i > 0 and hits[i - 1] >= 2) or (h >= 1 and i + 1 < len(hits) and hits[i + 1] >= 2)
    ]
    if pages and pages[-1] < len(texts):
        if _appeals_header_without_figures(texts[pages[-1] - 1]) or _opens_with_figures(texts[pages[-1]]):
            pages.append(pages[-1] + 1)
    return pages


def _opens_with_figures(text: str) -> bool:
    """Whether a page's first line prints figures only: the rest of a table row a page break cut (Writer)."""
    first = next((line.split() for line in text.splitlines() if line.strip()), [])
    return bool(first) and all(w.replace(".", "", 1).lstrip("-").isdigit() for w in first)


MIN_APPEAL_FIGURES = 5  # the figures of table 3's narrowest band


def _appeals_header_without_figures(text: str) -> bool:
    """Whether a page prints table 3's header and fewer figures after it than one band holds."""
    lines = text.splitlines()
    last = max((i for i, line in enumerate(lines) if any(w in label_key(line) for w in APPEALS_HEADER)), default=None)
    if last is None:
        return False
    figures = [w for line in lines[last + 1 :] for w in line.split() if w.replace(".", "", 1).lstrip("-").isdigit()]
    return len(figures) < MIN_APPEAL_FIGURES


# ------------------------------------------------------------------ grids


def _merged_spans(cells) -> list[list[int]]:
    """Merged-cell ids of a Camelot table, rebuilt from the cells' missing edges."""
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            cell = cells[r][c]
            if c + 1 < n_cols and not cell.right and not cells[r][c + 1].left:
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not cell.bottom and not cells[r + 1][c].top:
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)
    return [[find(r * n_cols + c) for c in range(n_cols)] for r in range(n_rows)]


def cell_texts(table, span: list[list[int]], chars: list[Char], words: list[int] | None = None) -> dict[int, str]:
    """The text of every merged cell of a Camelot table, from the characters whose centre stands in it.

    A word (`words[k]`: the printed word character k belongs to) that runs over a
    cell's border is placed whole by its own centre (`_words_whole`).
    """
    xs = [x0 for x0, _ in table.cols] + [table.cols[-1][1]]
    ys = sorted([y0 for y0, _ in table.rows] + [table.rows[-1][1]])  # ascending
    n_rows = len(table.rows)

    def cell(x: float, y: float) -> int | None:
        c = bisect.bisect_right(xs, x) - 1
        k = bisect.bisect_right(ys, y) - 1
        inside = 0 <= c < len(table.cols) and 0 <= k < n_rows
        return span[n_rows - 1 - k][c] if inside else None  # Camelot's rows run top to bottom

    at, doubtful = [cell(ch.cx, ch.cy) for ch in chars], set()
    if words is not None:
        at, doubtful = _words_whole(chars, at, words, xs, cell)
    at = _foot_overflow(chars, at, xs, ys[0], [span[n_rows - 1][c] for c in range(len(table.cols))])
    found: dict[int, list[Char]] = {}
    for ch, root in zip(chars, at):
        if root is not None:
            found.setdefault(root, []).append(ch)
    return {root: _read_lines(cs) + (UNREADABLE if root in doubtful else "") for root, cs in found.items()}


FOOT_GAP = 0.8  # of a line's height: the most space between a cell's last line and its next, below the grid


def _foot_overflow(
    chars: list[Char], at: list[int | None], xs: list[float], bottom: float, last_row: list[int]
) -> list[int | None]:
    """The cells of the characters, with the lines a cut row prints below the grid's foot given back to their cells.

    Chromium cuts a table row at a page break but keeps drawing its cells' text:
    the header 结果维持, two lines in a cell, prints 结果 inside the grid at the foot
    of the page and 维持 below its last rule. Those lines belong to the last row's
    cells only when nothing else on the page stands below the grid, every character
    below it stands inside one cell's column, and each line follows its cell's text
    at a line's distance. Otherwise nothing is moved.
    """
    below = sorted((k for k, ch in enumerate(chars) if at[k] is None and ch.cy < bottom), key=lambda k: -chars[k].y1)
    if not below:
        return at
    lines: list[list[int]] = []
    for k in below:
        if lines and chars[k].cy >= min(chars[j].y0 for j in lines[-1]):
            lines[-1].append(k)
        else:
            lines.append([k])
    foot: dict[int, float] = {}  # each last-row cell: the bottom of its text so far
    for k, root in enumerate(at):
        if root is not None and root in last_row:
            foot[root] = min(foot.get(root, chars[k].y0), chars[k].y0)
    out = list(at)
    for line in lines:
        placed: dict[int, int] = {}
        prev: int | None = None  # the character before on the line
        line.sort(key=lambda k: chars[k].x0)
        for k in line:
            ch = chars[k]
            c = bisect.bisect_right(xs, ch.cx) - 1
            if not 0 <= c < len(last_row):
                return at
            root = last_row[c]
            columns = [i for i, r in enumerate(last_row) if r == root]
            if ch.x0 < xs[columns[0]] or ch.x1 > xs[columns[-1] + 1] or root not in foot:
                return at
            height = max(ch.y1 - ch.y0, 1.0)
            if foot[root] - ch.y1 > FOOT_GAP * height:
                return at
            if prev is not None and placed[prev] != root and ch.x0 - chars[prev].x1 < height / 4:
                return at  # a line running over a column's border: a paragraph, not a cell's
            placed[k], prev = root, k
        for k, root in placed.items():
            out[k] = root
            foot[root] = min(foot[root], chars[k].y0)
    return out


WORD_MIDDLE = 0.2  # of a cell's width: a word's middle nearer a border than this could be either cell's


def _words_whole(
    chars: list[Char], at: list[int | None], words: list[int], xs: list[float], cell
) -> tuple[list[int | None], set[int]]:
    """The cells of the characters, a word that runs over a cell's border placed whole by its middle; and the doubtful cells.

    Chromium lays a web page's table out with fixed column widths: a figure too
    wide for its column starts at the cell's left and runs over its right border,
    117149's last digit outside the table; placed one by one, the characters would
    read 11714 (a wrong figure). A printed word is a run of characters set one after
    another by the font's advance (`PageChars.words`), and a figure a little too
    wide starts in its own cell and has its middle well inside it. Two figures overflowing towards each other can touch by
    chance (24001 and 48420 read as one word, its middle on the border between
    them; three such, its middle in the cell of the second): a word whose middle
    stands near a border, or in another cell than its start, cannot be told from that, and
    the cells it touches are returned as doubtful (read as unreadable), its
    characters left where their centres stand.
    """
    members: dict[int, list[int]] = {}
    for k, w in enumerate(words):
        members.setdefault(w, []).append(k)
    out, doubtful = list(at), set()
    for ks in members.values():
        touched = {at[k] for k in ks}
        if len(touched) < 2:
            continue
        x0, x1 = min(chars[k].x0 for k in ks), max(chars[k].x1 for k in ks)
        y0, y1 = min(chars[k].y0 for k in ks), max(chars[k].y1 for k in ks)
        middle = (x0 + x1) / 2
        home = cell(middle, (y0 + y1) / 2)
        if home is None:
            continue
        c = bisect.bisect_right(xs, middle) - 1
        left, right = xs[c], xs[c + 1]
        starts = at[min(ks, key=lambda k: chars[k].x0)]
        if starts != home or min(middle - left, right - middle) < WORD_MIDDLE * (right - left):
            doubtful |= touched - {None}
            continue
        for k in ks:
            out[k] = home
    return out, doubtful


def _read_lines(chars: list[Char]) -> str:
    """Characters of one cell as text: lines top to bottom, each left to right.

    A character joins a line when its centre lies within the line's height (a
    full stop sits low but inside its digits' height); a stacked vertical label
    (三、\\n本\\n年\\n度) is one character a line.
    """
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: -c.y1):
        for line in lines:
            if min(c.y0 for c in line) <= ch.cy <= max(c.y1 for c in line):
                line.append(ch)
                break
        else:
            lines.append([ch])
    out = []
    for line in lines:
        line.sort(key=lambda c: c.x0)
        text = line[0].text
        for prev, ch in zip(line, line[1:]):
            height = max(ch.y1 - ch.y0, prev.y1 - prev.y0, 1.0)
            text += (" " if ch.x0 - prev.x1 > height else "") + ch.text
        out.append(text)
    return "\n".join(out)


# Camelot turns a page whose text runs sideways before reading it (Table.rotation).
_CAMELOT_TURN = {"clockwise": -90, "anticlockwise": 90}


def grids_from_camelot(tables, source: str, method: str, chars: dict[int, PageChars] | None = None) -> list[Grid]:
    """Camelot tables -> grids: merged cells from the cells' edges, text from `chars` when given.

    Without characters (a caller that has none) the cell text is Camelot's own.
    """
    grids = []
    for index, table in enumerate(tables):
        cells = table.cells
        span = _merged_spans(cells)
        page = int(table.page)
        own = {}  # Camelot's (pdfminer's) text of each merged cell
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                if cell.text.strip():
                    prev = own.get(span[r][c])
                    own[span[r][c]] = cell.text.strip() if prev is None else prev + "\n" + cell.text.strip()
        if chars is not None:
            layer = chars.get(page)
            placed = layer.in_page_space(_CAMELOT_TURN.get(getattr(table, "rotation", ""), 0)) if layer else []
            texts = _digits_lost(cell_texts(table, span, placed, layer.words if layer else None), own)
        else:
            texts = own
        boxes: dict[int, list[float]] = {}
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                b = boxes.setdefault(span[r][c], [cell.x1, cell.y1, cell.x2, cell.y2])
                b[0], b[1] = min(b[0], cell.x1), min(b[1], cell.y1)
                b[2], b[3] = max(b[2], cell.x2), max(b[3], cell.y2)
        grid_text = [[texts.get(root, "") for root in row] for row in span]
        grid_boxes = [[tuple(round(v, 2) for v in boxes[root]) for root in row] for row in span]
        bbox = tuple(round(v, 2) for v in table._bbox) if getattr(table, "_bbox", None) else None
        grids.append(Grid(source, page, grid_text, span, grid_boxes, method, bbox, index))
    return grids


def _digits_lost(texts: dict[int, str], own: dict[int, str]) -> dict[int, str]:
    """Cells whose digits pdfium lost, marked unreadable: a damaged font must not turn 4119 into 411.

    pdfminer (Camelot's text) and pdfium decode a PDF's fonts separately. Camelot may put a
    digit in the wrong cell (a Writer print), but over a whole table it sees the same digits;
    when it sees more than pdfium, pdfium dropped glyphs, and every cell that lacks one of
    Camelot's digits gets U+FFFD: it reads as no number and is reported, never as a figure.
    """

    def digits(text: str) -> Counter:
        return Counter(ch for ch in text if ch.isdigit())

    if not digits("".join(own.values())) - digits("".join(texts.values())):
        return texts
    out = dict(texts)
    for root, theirs in own.items():
        if digits(theirs) - digits(texts.get(root, "")):
            out[root] = texts.get(root, "") + UNREADABLE
    return out


# ------------------------------------------------------------------ ruled lines


@dataclass
class PageRules:
    """A page's ruled lines as Camelot's vector engine sees them (page space), or why they cannot be vouched for."""

    horizontal: list[tuple[float, float, float, float]]
    vertical: list[tuple[float, float, float, float]]
    unsure: str = ""  # why this page goes to Camelot's own reading instead (empty: the lines are sure)
    blanks: list[tuple[float, float, float, float]] = field(default_factory=list)  # zero-wide text objects (user space)


def _f32(value: float) -> float:
    """A coordinate pdfium holds as a 32-bit float, back to the decimal the PDF printed (45.349998 -> 45.35).

    pypdfium2 gives path points and matrices as single-precision floats; playa (Camelot) parses
    the same numbers as doubles. Seven significant digits are all a single float holds.
    """
    return float(f"{value:.7g}")


def _matrix(obj, exact: bool = True) -> tuple[float, float, float, float, float, float]:
    """A page object's matrix (a, b, c, d, e, f), as the PDF printed it when `exact`."""
    import pypdfium2.raw as raw

    m = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, m)
    if not exact:
        return (m.a, m.b, m.c, m.d, m.e, m.f)
    return (_f32(m.a), _f32(m.b), _f32(m.c), _f32(m.d), _f32(m.e), _f32(m.f))


def _times(m, n) -> tuple[float, float, float, float, float, float]:
    """The matrix m then n (PDF row-vector order, as playa's mult_matrix)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _subpaths(obj, m) -> list[tuple[str, list[tuple[float, float]]]]:
    """A path object's subpaths as playa writes them: operators ('m', 'l', 'c', 'h') and points in user space.

    pdfium keeps `re` and `h` as a closing flag on the last point (m l l l l*); playa as m l l l h.
    A bezier is three pdfium points and one playa operator. The points are moved by `m` as
    playa's apply_matrix_pt does.
    """
    import ctypes

    import pypdfium2.raw as raw

    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    segment, kind_of, point_of, closes = (
        raw.FPDFPath_GetPathSegment,
        raw.FPDFPathSegment_GetType,
        raw.FPDFPathSegment_GetPoint,
        raw.FPDFPathSegment_GetClose,
    )
    out: list[tuple[str, list[tuple[float, float]]]] = []
    ops: list[str] = []
    pts: list[tuple[float, float]] = []
    bezier = 0
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = segment(obj, i)
        kind = kind_of(seg)
        if not point_of(seg, x, y):
            raise ValueError("a path point pdfium cannot give")
        px, py = float(f"{x.value:.7g}"), float(f"{y.value:.7g}")  # _f32, inline: the reader's busiest loop
        point = (a * px + c * py + e, b * px + d * py + f)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if ops:
                out.append(("".join(ops), pts))
            ops, pts, bezier = ["m"], [point], 0
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier == 3:
                ops.append("c")
                pts.append(point)
                bezier = 0
        elif kind == raw.FPDF_SEGMENT_LINETO:
            ops.append("l")
            pts.append(point)
        else:
            raise ValueError("a path segment of unknown kind")
        if closes(seg) and ops:
            ops.append("h")
            pts.append(pts[0])
    if ops:
        out.append(("".join(ops), pts))
    return out


def _ruled_segments(
    shape: str, pts: list[tuple[float, float]], stroke: bool, fill: bool
) -> list[tuple[float, float, float, float]]:
    """The ruled segments one subpath gives Camelot: playa's LTLine / LTRect rule, then Camelot's.

    playa (`process_path`): a two-point path is a line, a closed four-sided path with square
    corners a rectangle, anything else a curve (no rule). Camelot (`_ruled_lines_from_layout`):
    a stroked line; a stroked rectangle's four edges; a filled rectangle thinner than 1.5 pt
    its long axis.
    """
    from camelot.image_processing import _LINE_AS_THIN_RECT_TOL

    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape, pts = shape[:-2] + "h", pts[:-1]
    if shape in ("mlh", "ml"):
        (x0, y0), (x1, y1) = pts[0], pts[1]
        return [(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))] if stroke else []
    if shape not in ("mlllh", "mllll"):
        return []
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts
    square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
    if last != pts[0] or not square:
        return []
    left, right, bottom, top = min(x0, x2), max(x0, x2), min(y0, y2), max(y0, y2)
    if stroke:
        return [(left, bottom, right, bottom), (left, top, right, top), (left, bottom, left, top), (right, bottom, right, top)]
    width, height = right - left, top - bottom
    if fill and min(width, height) <= _LINE_AS_THIN_RECT_TOL < max(width, height):
        if width >= height:
            return [(left, (bottom + top) / 2, right, (bottom + top) / 2)]
        return [((left + right) / 2, bottom, (left + right) / 2, top)]
    return []


MAX_PAGE_SIDE = 14400.0  # PDF's largest page side in points; a larger MediaBox is a damaged one
BAD_BOX = "MediaBox out of bounds"  # such a page is never left to Camelot: its layout of a 1e38-point page never ends


def _page_objects(page, matrices: bool = True):
    """Every object of a pypdfium2 page, form XObjects opened: (handle, kind, matrix to user space or None)."""
    import pypdfium2.raw as raw

    def walk(count, get, parent, outer):
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = raw.FPDFPageObj_GetType(obj)
            m = None
            if matrices:  # exact where it places lines; a text object's only says whether it is turned
                m = _matrix(obj, exact=kind != raw.FPDF_PAGEOBJ_TEXT)
                m = _times(m, outer) if outer else m
            yield obj, kind, m
            if kind == raw.FPDF_PAGEOBJ_FORM:
                yield from walk(raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, obj, m)

    yield from walk(raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, page.raw, None)


def page_rules(page) -> PageRules:
    """A pypdfium2 page's ruled lines, from its path objects (forms included), as Camelot's vector engine would read them.

    Camelot's vector engine reads the same lines through playa's page layout, which also
    interprets every glyph of the page (the slow part). A page this reading cannot vouch
    for (turned by /Rotate, text printed sideways, a MediaBox out of bounds, a path pdfium
    cannot give) says so in `unsure`, and is left to Camelot.
    """
    import ctypes

    import pypdfium2.raw as raw
    from camelot.image_processing import _LINE_ORTHOGONAL_TOL, coalesce_collinear_lines

    x0, y0, x1, y1 = page.get_mediabox()
    if page.get_rotation():
        return PageRules([], [], "page turned by /Rotate")
    if not all(abs(v) <= MAX_PAGE_SIDE for v in (x0, y0, x1, y1)) or x1 == x0 or y1 == y0:  # pdfium: 0 0 0 0 for ±1e38
        return PageRules([], [], BAD_BOX)
    if x1 < x0 or y1 < y0:
        return PageRules([], [], "MediaBox inverted")
    segments: list[tuple[float, float, float, float]] = []
    blanks: list[tuple[float, float, float, float]] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    try:
        for obj, kind, m in _page_objects(page):
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                if m[1] != 0 or m[2] != 0:
                    return PageRules([], [], "text printed sideways")  # Camelot may turn such a page; it reads it
                raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
                if right.value - left.value <= ZERO_WIDE:
                    blanks.append((left.value, bottom.value, right.value, top.value))
            elif kind == raw.FPDF_PAGEOBJ_PATH:
                raw.FPDFPath_GetDrawMode(obj, fill, stroke)
                filled = fill.value != raw.FPDF_FILLMODE_NONE
                if not stroke.value:
                    if not filled:
                        continue  # a clip: no rule
                    if raw.FPDFPath_CountSegments(obj) <= 5:  # at most one rectangle, the whole path
                        raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
                        if min(right.value - left.value, top.value - bottom.value) > THIN_FILL:
                            continue  # a filled box, not a rule drawn as a thin rectangle
                for shape, pts in _subpaths(obj, m):
                    segments.extend(_ruled_segments(shape, pts, bool(stroke.value), filled))
    except ValueError as exc:
        return PageRules([], [], str(exc))
    dx, dy = _f32(x0), _f32(y0)
    lines: dict[str, list[tuple[float, float, float, float]]] = {"horizontal": [], "vertical": []}
    for a, b, c, d in segments:  # Camelot's find_lines_from_layout
        a, b, c, d = a - dx, b - dy, c - dx, d - dy
        if abs(d - b) <= _LINE_ORTHOGONAL_TOL and abs(c - a) > 0:
            lines["horizontal"].append((min(a, c), b, max(a, c), b))
        elif abs(c - a) <= _LINE_ORTHOGONAL_TOL and abs(d - b) > 0:
            lines["vertical"].append((a, min(b, d), a, max(b, d)))
    return PageRules(*(coalesce_collinear_lines(lines[k], k) for k in ("horizontal", "vertical")), blanks=blanks)


FIGURE_MARKS = set("0123456789.-")  # what a figure is printed with: a lost one changes the figure
ZERO_WIDE = 0.01  # points: a text object this narrow prints nothing pdfium can measure
THIN_FILL = 1.6  # points: a filled rectangle wider both ways than Camelot's 1.5 (plus pdfium's rounding) is no rule


def glyphs_unseen(blanks, chars: PageChars, boxes: list[tuple[float, float, float, float]]) -> bool:
    """Whether pdfium may have lost a printed glyph of a figure inside a table (then Camelot's text is asked).

    pdfium leaves out of its text layer a text object it measures as zero wide (`blanks`: a
    glyph of a damaged font, 4119 read as 411), and `page_chars` drops a character without a
    box. Blank glyphs (spaces) are zero wide too; one is trusted only when it stands beside
    characters that are no part of a figure. `boxes` are the tables' boxes in user space.
    """
    if any(k < 0 and not ch.isspace() for ch, k in zip(chars.text, chars.order)):
        return True  # a character without a box, dropped by page_chars
    for x, y, x_end, _ in blanks:
        if not any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes):
            continue
        near = [
            c.text
            for c in chars.chars
            if c.y0 - 1 <= y <= c.y1 + 1 and (0 <= x - c.x1 <= c.y1 - c.y0 + 1 or 0 <= c.x0 - x_end <= c.y1 - c.y0 + 1)
        ]
        if not near or FIGURE_MARKS.intersection(near):
            return True
    return False


def lattice_tables(rules: PageRules, page: int) -> list:
    """Camelot's lattice tables of a page from its ruled lines: Camelot's own joints, anchors and cell edges, without its text."""
    from camelot.core import Table
    from camelot.image_processing import find_joints_from_lines
    from camelot.parsers.lattice import Lattice
    from camelot.utils import segments_in_bbox

    parser = Lattice(engine="vector")
    found = find_joints_from_lines(rules.horizontal, rules.vertical)
    parser.table_bbox_parses = {bbox: {"joints": joints} for bbox, joints in found.items()}
    parser._compute_table_anchors()
    tables = []
    for index, bbox in enumerate(parser.table_bboxes()):
        parse = parser.table_bbox_parses[bbox]
        cols = list(zip(parse["col_anchors"], parse["col_anchors"][1:]))
        rows = list(zip(parse["row_anchors"], parse["row_anchors"][1:]))
        v_s, h_s = segments_in_bbox(bbox, rules.vertical, rules.horizontal)
        table = Table(cols, rows).set_edges(v_s, h_s, joint_tol=parser.joint_tol).set_border()
        table.page, table.order, table._bbox = page, index + 1, bbox
        tables.append(table)
    return tables


@contextmanager
def _every_ruled_grid():
    """Let Camelot keep the ruled grids its own text makes look empty; the characters judge them.

    Camelot drops a grid whose cells its text lines leave 90% blank (noise rules). Its
    text lines miss whole rows printed by LibreOffice Calc: the last row of table 2
    alone at the top of a page came back empty and was dropped. Grids are kept here
    and `grids_from_camelot` drops those in which no character stands.
    """
    from camelot.parsers import lattice

    saved = getattr(lattice, "_GRID_WHITESPACE_REJECT", None)
    lattice._GRID_WHITESPACE_REJECT = float("inf")
    try:
        yield
    finally:
        if saved is None:
            del lattice._GRID_WHITESPACE_REJECT
        else:
            lattice._GRID_WHITESPACE_REJECT = saved


def ruled_tables(chars: dict[int, PageChars]) -> tuple[list, dict[int, str]]:
    """Camelot's lattice tables of the pages read by `page_chars`, from their ruled lines, and the pages left to Camelot with why.

    A page is left to Camelot when its lines cannot be vouched for (`PageRules.unsure`) or
    when pdfium may have lost a glyph of a figure in one of its tables (`glyphs_unseen`):
    Camelot's own text then checks pdfium's digits (`_digits_lost`).
    """
    tables, left = [], {}
    for number, page in sorted(chars.items()):
        rules = page.rules if page.rules is not None else PageRules([], [], "no ruled lines read")
        found = [] if rules.unsure else lattice_tables(rules, number)
        x0, y0 = (_f32(v) for v in page.mediabox[:2])
        boxes = [(a + x0, b + y0, c + x0, d + y0) for a, b, c, d in (t._bbox for t in found)]
        if rules.unsure or (found and glyphs_unseen(rules.blanks, page, boxes)):
            left[number] = rules.unsure or "a glyph pdfium may have lost in a table"
        else:
            tables += found
    return tables, left


def read_pages(path: str | Path, pages: list[int], engine: str = ENGINE, chars: dict[int, PageChars] | None = None) -> list[Grid]:
    """The grids of some pages: Camelot's lattice tables with one line engine, text from the characters (read here unless given).

    With the vector engine the ruled lines come from pdfium's path objects and Camelot's
    lattice code makes the tables (`lattice_tables`); a page whose lines cannot be vouched
    for (`PageRules.unsure`) is read by Camelot itself, as every page is with another engine.
    """
    import camelot

    if not pages:
        return []
    chars = chars if chars is not None else page_chars(path, pages)
    tables, rest = [], list(pages)
    if engine == ENGINE:
        tables, left = ruled_tables({p: chars[p] for p in pages if p in chars})
        rest = sorted(set(left) | {p for p in pages if p not in chars})
    if rest:
        with warnings.catch_warnings(), _every_ruled_grid():
            warnings.simplefilter("ignore")
            tables += camelot.read_pdf(
                str(path), pages=",".join(map(str, rest)), flavor="lattice", engine=engine, layout_kwargs=LAYOUT
            )
    tables.sort(key=lambda t: (int(t.page), t.order))
    grids = grids_from_camelot(tables, str(path), f"camelot-lattice-{engine}+chars", chars)
    return [g for g in grids if any(t for row in g.text for t in row)]


def read(path: str | Path) -> Reading:
    """The grids of a report PDF's table pages (a scan without a text layer goes to the OCR reader), or the problem that stops reading it."""
    try:
        texts = page_texts(path)
    except InputError as exc:
        return Reading(problems=[Problem(str(path), exc.kind, str(exc))])
    total = sum(len(t.strip()) for t in texts)
    if total < MIN_TEXT_CHARS:
        from .ocr import read as read_scan  # no text layer: a scan, read by OCR

        return read_scan(path)
    pages = table_pages(texts)
    if not pages or not is_report(texts):
        message = "not an annual report: none of its pages holds the statistical tables"
        return Reading(problems=[Problem(str(path), "not_a_report", message)])
    chars = page_chars(path, pages)  # read once: for the grids' cells and for the prose around them
    damaged = [n for n, page in sorted(chars.items()) if page.rules is not None and page.rules.unsure == BAD_BOX]
    if damaged:  # Camelot, the reader of such pages, took minutes and gigabytes on a box of ±1e38 points
        pages_said = f"page {damaged[0]}" if len(damaged) == 1 else f"pages {', '.join(map(str, damaged))}"
        message = f"damaged PDF: the page box (MediaBox) of {pages_said} is out of bounds; not read"
        return Reading(problems=[Problem(str(path), "unreadable", message)])
    grids = read_pages(path, pages, chars=chars)
    return Reading(
        grids=grids,
        prose=prose_texts(texts, grids, chars),
        method=f"camelot-lattice-{ENGINE}+chars",
        pages=pages,
        printed="".join(texts[p - 1] for p in pages),
        again=lambda again_pages: read_pages(path, again_pages, FALLBACK_ENGINE),
        again_method=f"camelot-lattice-{FALLBACK_ENGINE}+chars",
    )
