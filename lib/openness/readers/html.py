"""Read an annual report published as an HTML page or fragment into grids.

A page holds the report's three statistical tables as <table>s among the site's
navigation, layout tables and scripts. `read_html` returns one `Grid` per
statistical table (merged cells expanded, as the PDF side does) and the
report's metadata (title, publication date, URL, body, year) read from the page.
It attaches no meaning to labels: mapping them to the official schema is
`openness.tables`' work.

How the grid is built, and what is normalised (nothing else is changed):

- Layout: the HTML table model. A cell with rowspan/colspan covers every
  position it spans; its text is repeated at each one and `span[r][c]` is an
  id shared by all of them (every cell has an id; a row shorter than the
  table is padded with blank cells of their own). Rows and cells of nested
  tables belong to the inner table only.
- Text of a cell: its visible text (no scripts, styles, comments or elements
  hidden with display:none / visibility:hidden / `hidden`), with <br> and block
  boundaries as '\n', &nbsp; and every whitespace run as one space, each line
  stripped and empty lines dropped. Full-width digits, stray spaces inside
  numbers and odd labels are left as printed for the label and number parsers.
- Hidden rows are skipped. Then a row or a column is dropped when it holds no
  cell of its own: every cell touching it either also covers another remaining
  row/column or is blank (one line at a time, so no text is ever lost). This
  removes empty rows, spacer columns and the misaligned header of 平潭 2021's
  table 2, where 自然人 spans two columns over a blank cell and 商业企业 spans
  the second of them and the next, as do all the 商业企业 figures: that middle
  column has no cell of its own in any row, so it goes and seven applicant
  columns remain.
- Only the report's tables are kept, recognised by content: 第二十条 (table 1),
  申请人情况 / 本年新收 / 本年度办理结果 / 结转下年度 (table 2), 行政复议 /
  行政诉讼 (table 3). Which label means what is left to `openness.tables`.
  A layout table that holds the report's tables is not itself read (the
  nested tables are); a small table nested in a report table's cell is part
  of that cell's text.
- A table split over several <table>s is joined back: a <table> that directly
  follows a report table, without a header of its own and either with report
  words or mostly numbers (a data row cut off), is appended below it when the
  widths agree (first as laid out, else after dropping empty lines).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, CData, Comment, NavigableString, Tag

from ..model import Grid, Problem
from ..vocabulary import TABLE_HEADERS, TABLE_MARKERS
from ..wording import SECTIONS
from . import Reading

METHOD = "html"
MAX_BYTES = 32 * 2**20  # a report page is well under 1 MB: a larger file is not read

# Elements whose boundaries are line breaks in the rendered text.
_BLOCKS = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "address",
    "center",
    "hr",
    "form",
    "fieldset",
}
_INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "meta", "link"}
_WS = re.compile(r"\s+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


_TITLE_RE = re.compile(r"^(?P<body>.*?)\s*(?P<year>(?:19|20)\d\d)\s*年(?:度)?.*?报告")


@dataclass
class HtmlReport:
    """The statistical tables and metadata of one report read from an HTML file."""

    source: str
    grids: list[Grid] = field(default_factory=list)
    title: str | None = None
    published: str | None = None  # 'YYYY-MM-DD' as the page states it
    url: str | None = None
    body: str | None = None  # the publishing body, parsed from the title
    year: int | None = None  # the year reported on, parsed from the title
    prose: str = ""  # the article's text without the statistical tables


def read_html(path: str | Path) -> HtmlReport:
    """Read the report tables and metadata of one HTML page or fragment."""
    path = Path(path)
    soup = BeautifulSoup(path.read_bytes(), "lxml")
    title = _title(soup)
    body, year = parse_title(title)
    grids = report_grids(soup, str(path))
    return HtmlReport(
        source=str(path),
        grids=grids,
        prose=report_prose(soup, grids),
        title=title,
        published=_published(soup),
        url=_url(soup),
        body=body,
        year=year,
    )


def read(path: str | Path) -> Reading:
    """The grids and prose of a report page (its metadata is not needed here), or the problem that stops reading it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            message = f"too large for a report page: {size / 2**20:.0f} MB (a report page is well under {MAX_BYTES // 2**20} MB)"
            return Reading(problems=[Problem(str(path), "too_large", message)])
        with open(path, "rb") as f:
            soup = BeautifulSoup(f.read(MAX_BYTES + 1), "lxml")
        grids = report_grids(soup, str(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Reading(problems=[Problem(str(path), "unreadable", f"cannot read the HTML page ({exc})")])
    if not grids:
        message = "not an annual report: the page holds none of the statistical tables"
        return Reading(problems=[Problem(str(path), "not_a_report", message)])
    prose = report_prose(soup, grids)
    return Reading(grids=grids, method=METHOD, prose=[(None, prose)] if prose else [])


# --- metadata ---------------------------------------------------------------


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    """The content of the first non-empty <meta name=…> or property=… among `names`."""
    for name in names:
        for attr in ("name", "property", "itemprop"):
            tag = soup.find("meta", attrs={attr: re.compile(f"^{re.escape(name)}$", re.I)})
            if tag and tag.get("content", "").strip():
                return _WS.sub(" ", tag["content"]).strip()
    return None


def _title(soup: BeautifulSoup) -> str | None:
    """The report's title: article-title meta, the article heading, <h1>, or <title>."""
    found = _meta(soup, "ArticleTitle", "og:title")
    if not found:
        for tag in (soup.select_one(".article_title"), soup.find("h1")):
            if tag is not None and cell_text(tag):
                found = cell_text(tag).replace("\n", "")
                break
    if not found and soup.title and soup.title.string:
        # Site titles read '<article>_<column>_<site>': keep the article's part.
        parts = [p.strip() for p in soup.title.string.split("_") if p.strip()]
        found = next((p for p in parts if "报告" in p), parts[0] if parts else None)
    return found or None


def parse_title(title: str | None) -> tuple[str | None, int | None]:
    """Body name and report year from a title like '平潭综合实验区财政金融局2024年度…报告'."""
    if not title:
        return None, None
    m = _TITLE_RE.search(unicodedata.normalize("NFKC", title))
    if not m:
        return None, None
    body = _WS.sub("", m.group("body")) or None
    return body, int(m.group("year"))


_DATE_RE = re.compile(r"((?:19|20)\d\d)\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


def _date(text: str | None) -> str | None:
    """The first date in `text` as 'YYYY-MM-DD'."""
    if not text:
        return None
    m = _DATE_RE.search(unicodedata.normalize("NFKC", text))
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def _published(soup: BeautifulSoup) -> str | None:
    """The publication date: PubDate meta, else the article's '时间：' line."""
    found = _date(_meta(soup, "PubDate", "article:published_time", "publishdate"))
    if found:
        return found
    for tag in soup.select(".article_time, .pubtime, .date"):
        found = _date(tag.get_text())
        if found:
            return found
    for s in soup.find_all(string=re.compile(r"(发布时间|发布日期|时间)[:：]")):
        found = _date(s)
        if found:
            return found
    return None


def _url(soup: BeautifulSoup) -> str | None:
    """The page's own URL where the page states it (Url meta, og:url, canonical link)."""
    found = _meta(soup, "Url", "og:url")
    if found:
        return found
    link = soup.find("link", rel=lambda v: v and "canonical" in v)
    return link.get("href") if link and link.get("href") else None


# --- text of a cell ---------------------------------------------------------


def _hidden(tag: Tag) -> bool:
    """Whether a tag is not rendered."""
    if tag.name in _INVISIBLE or tag.has_attr("hidden"):
        return True
    return bool(_HIDDEN_STYLE.search(tag.get("style", "")))


def cell_text(tag: Tag) -> str:
    """Visible text of an element: <br> and blocks as '\\n', whitespace runs as one space."""
    out: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not CData, Doctype, …
                    out.append(_WS.sub(" ", str(child)))
                continue
            if not isinstance(child, Tag) or _hidden(child):
                continue
            if child.name == "br":
                out.append("\n")
                continue
            block = child.name in _BLOCKS
            if block:
                out.append("\n")
            walk(child)
            if block:
                out.append("\n")

    walk(tag)
    lines = (_WS.sub(" ", line).strip() for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


# --- table layout -------------------------------------------------------------


def _span_attr(cell: Tag, name: str) -> int:
    """A rowspan/colspan value (1 when missing or malformed, 0 kept for rowspan=0)."""
    m = re.match(r"\s*(\d+)", str(cell.get(name, "1")))
    return int(m.group(1)) if m else 1


def _own_rows(table: Tag) -> list[Tag]:
    """The visible <tr>s of this table, not of tables nested in it."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table and not _hidden(tr)]


# A report table has under 1,000 cells; a <table> a hundred times larger is not one, and
# expanding its merged cells (colspan=1000 rowspan=65534) would take gigabytes.
MAX_CELLS = 100_000


class GridTooLarge(ValueError):
    """A <table> too large to be a report's, once its merged cells are expanded."""


def layout(table: Tag) -> tuple[list[list[str]], list[list[int]]]:
    """Texts and span ids of a <table>, merged cells expanded (HTML table model)."""
    rows = _own_rows(table)
    n_rows = len(rows)
    if n_rows > MAX_CELLS:
        raise GridTooLarge(f"a table of {n_rows} rows")
    texts: dict[tuple[int, int], str] = {}
    spans: dict[tuple[int, int], int] = {}
    next_id = 0
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in spans:
                c += 1
            rowspan = _span_attr(cell, "rowspan")
            rowspan = n_rows - r if rowspan == 0 else min(max(rowspan, 1), n_rows - r)
            colspan = min(max(_span_attr(cell, "colspan"), 1), 1000)
            if len(spans) + rowspan * colspan > MAX_CELLS:
                raise GridTooLarge(f"a table of more than {MAX_CELLS} cells once merged cells are expanded")
            text = cell_text(cell)
            for dr in range(rowspan):
                for dc in range(colspan):
                    if (r + dr, c + dc) not in spans:
                        texts[(r + dr, c + dc)] = text
                        spans[(r + dr, c + dc)] = next_id
            next_id += 1
            c += colspan
    n_cols = max((c for _, c in spans), default=-1) + 1
    if n_rows * n_cols > MAX_CELLS:
        raise GridTooLarge(f"a table of {n_rows} rows and {n_cols} columns")
    text_grid: list[list[str]] = []
    span_grid: list[list[int]] = []
    for r in range(n_rows):
        text_row, span_row = [], []
        for c in range(n_cols):
            if (r, c) not in spans:  # a short row: an empty filler cell of its own
                spans[(r, c)] = next_id
                texts[(r, c)] = ""
                next_id += 1
            text_row.append(texts[(r, c)])
            span_row.append(spans[(r, c)])
        text_grid.append(text_row)
        span_grid.append(span_row)
    return text_grid, span_grid


def simplify(text: list[list[str]], span: list[list[int]]) -> tuple[list[list[str]], list[list[int]]]:
    """Drop, one at a time, the first row (else the first column) that holds no cell of its own, until none is left.

    A row holds a cell of its own when one of its non-blank cells belongs to a merged cell (span id)
    found in no other remaining row; likewise for columns. Counts per span id are kept up to date as
    lines go, so the work grows with the grid's size, not with its square (an 8,000-row table).
    """
    n_rows, n_cols = len(text), len(text[0]) if text else 0
    if not n_rows or not n_cols:
        return [], []
    lines = {"row": _Lines(n_rows), "col": _Lines(n_cols)}
    for r in range(n_rows):
        for c in range(n_cols):
            lines["row"].add(span[r][c], r, bool(text[r][c]))
            lines["col"].add(span[r][c], c, bool(text[r][c]))
    for r in range(n_rows):
        for c in range(n_cols):
            if text[r][c]:
                lines["row"].block(span[r][c], r)
                lines["col"].block(span[r][c], c)
    lines["row"].start()
    lines["col"].start()
    while lines["row"].left and lines["col"].left:
        for axis in ("row", "col"):
            index = lines[axis].first_droppable()
            if index is not None:
                break
        else:
            break
        other = "col" if axis == "row" else "row"
        lines[axis].alive[index] = False
        lines[axis].left -= 1
        for k in range(n_cols if axis == "row" else n_rows):
            if not lines[other].alive[k]:
                continue
            r, c = (index, k) if axis == "row" else (k, index)
            lines[axis].remove(span[r][c], index, bool(text[r][c]))
            lines[other].remove(span[r][c], k, bool(text[r][c]))
    if not lines["row"].left or not lines["col"].left:
        return [], []
    rows = [r for r in range(n_rows) if lines["row"].alive[r]]
    cols = [c for c in range(n_cols) if lines["col"].alive[c]]
    return [[text[r][c] for c in cols] for r in rows], [[span[r][c] for c in cols] for r in rows]


class _Lines:
    """The rows (or the columns) of a grid being simplified: which are left, and which hold a cell of their own."""

    def __init__(self, n: int):
        self.alive = [True] * n
        self.left = n
        self.blockers = [0] * n  # non-blank cells of this line whose span id is in no other line
        self.where: dict[int, dict[int, int]] = {}  # span id -> line -> cells of it there
        self.filled: dict[int, dict[int, int]] = {}  # span id -> line -> non-blank cells of it there
        self.heap: list[int] = []

    def add(self, sid: int, line: int, filled: bool) -> None:
        self.where.setdefault(sid, {}).setdefault(line, 0)
        self.where[sid][line] += 1
        if filled:
            self.filled.setdefault(sid, {}).setdefault(line, 0)
            self.filled[sid][line] += 1

    def block(self, sid: int, line: int) -> None:
        """Count a non-blank cell of `line` as its own when its span id is in this line alone."""
        if len(self.where[sid]) == 1:
            self.blockers[line] += 1

    def start(self) -> None:
        self.heap = [i for i, n in enumerate(self.blockers) if n == 0]
        heapq.heapify(self.heap)

    def first_droppable(self) -> int | None:
        """The first line left that holds no cell of its own (None when every line does)."""
        while self.heap:
            i = self.heap[0]
            if self.alive[i] and self.blockers[i] == 0:
                return heapq.heappop(self.heap)
            heapq.heappop(self.heap)
        return None

    def remove(self, sid: int, line: int, filled: bool) -> None:
        """Take one cell (of span `sid`, in `line`) out of the grid, updating which lines hold a cell of their own."""
        where = self.where[sid]
        if filled and self.alive[line] and len(where) == 1:
            self._unblock(line, 1)
        where[line] -= 1
        if filled:
            self.filled[sid][line] -= 1
        if where[line]:
            return
        del where[line]
        if len(where) == 1:  # the span's last line: its non-blank cells there are now that line's own
            (last,) = where
            self.blockers[last] += self.filled.get(sid, {}).get(last, 0)

    def _unblock(self, line: int, n: int) -> None:
        self.blockers[line] -= n
        if self.blockers[line] == 0:
            heapq.heappush(self.heap, line)


# --- which tables are the report's -------------------------------------------


def _squeeze(text: str) -> str:
    """Text with all whitespace removed and compatibility forms folded, for matching."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


def table_kind(text: list[list[str]]) -> str | None:
    """Which statistical table a grid is by content: proactive, requests, appeals, or None."""
    flat = _squeeze("".join(t for row in text for t in row))
    kinds = [k for k, words in TABLE_MARKERS.items() if any(_squeeze(w) in flat for w in words)]
    if not kinds:
        return None
    # Words of several tables (a note under table 2 may mention 行政复议, or one
    # <table> may hold all three): the word read first decides.
    return min(kinds, key=lambda k: min(flat.find(_squeeze(w)) for w in TABLE_MARKERS[k] if _squeeze(w) in flat))


def _has_header(text: list[list[str]], kind: str) -> bool:
    """Whether a grid starts a table of `kind` (holds its column header)."""
    flat = _squeeze("".join(t for row in text for t in row))
    return any(_squeeze(w) in flat for w in TABLE_HEADERS[kind])


_NUMBERISH = re.compile(r"^[-−+]?[\d,.，．]+(?:元|万元|件|个|%)?$")


def _mostly_numbers(text: list[list[str]]) -> bool:
    """Whether most non-blank cells of a grid are numbers (a table's body without labels)."""
    cells = [_squeeze(t) for row in text for t in row if t.strip()]
    return bool(cells) and sum(bool(_NUMBERISH.match(t)) for t in cells) * 2 >= len(cells)


def _has_markers(tag: Tag) -> bool:
    """Whether an element's text holds any word of the report's tables."""
    flat = _squeeze(tag.get_text())
    return any(_squeeze(w) in flat for words in TABLE_MARKERS.values() for w in words)


def _candidate_tables(soup: BeautifulSoup) -> list[tuple[int, Tag]]:
    """(order among all the page's <table>s, table) for the tables that can be report tables.

    Skipped: hidden tables (or inside hidden elements); layout containers, i.e.
    tables holding a nested table with report words (the nested ones are read);
    and tables nested in a cell of a table that is read (their text is part of
    that cell's text).
    """
    tables, enclosing, hidden, text = _tables_in(soup)
    words = [_squeeze(w) for ws in TABLE_MARKERS.values() for w in ws]
    container: set[int] = set()
    for i in range(len(tables)):
        joined = "".join(text[i])
        if any(w in joined for w in words):
            container.update(enclosing[i])  # every table around one with report words is a layout container
    return [
        (i, t) for i, t in enumerate(tables) if i not in container and not hidden[i] and all(a in container for a in enclosing[i])
    ]


def _tables_in(soup: BeautifulSoup) -> tuple[list[Tag], list[tuple[int, ...]], list[bool], list[list[str]]]:
    """In one walk over the page: its <table>s in order, the tables around each, whether each is hidden, and the text of each.

    One pass, so that a page of thousands of nested tables is read in time linear in its size
    (asking each table for its nested tables and their text was quadratic).
    """
    tables: list[Tag] = []
    enclosing: list[tuple[int, ...]] = []
    hidden: list[bool] = []
    text: list[list[str]] = []
    stack: list[tuple[object, tuple[int, ...], bool]] = [(soup, (), False)]
    while stack:
        node, around, unseen = stack.pop()
        if isinstance(node, Tag):
            unseen = unseen or (node is not soup and _hidden(node))
            if node.name == "table":
                tables.append(node)
                enclosing.append(around)
                hidden.append(unseen)
                text.append([])
                around = around + (len(tables) - 1,)
            stack.extend((child, around, unseen) for child in reversed(node.contents))
        elif type(node) in (NavigableString, CData):  # what get_text() reads
            squeezed = _squeeze(node)
            if squeezed:
                for i in around:
                    text[i].append(squeezed)
    return tables, enclosing, hidden, text


@dataclass
class _Piece:
    """One report table being assembled from one or more <table>s."""

    order: int
    kind: str
    text: list[list[str]]
    span: list[list[int]]


def _stack(top: tuple[list[list[str]], list[list[int]]], bottom: tuple[list[list[str]], list[list[int]]]):
    """Two grids of equal width one above the other, span ids kept distinct."""
    offset = max((s for row in top[1] for s in row), default=-1) + 1
    return top[0] + bottom[0], top[1] + [[s + offset for s in row] for row in bottom[1]]


def report_grids(soup: BeautifulSoup, source: str) -> list[Grid]:
    """One Grid per statistical table of the report, in page order (index: the <table>'s order in the page)."""
    pieces: list[_Piece] = []
    previous_kept = False  # whether the <table> just before this one belongs to the report
    for order, table in _candidate_tables(soup):
        try:
            raw = layout(table)
        except GridTooLarge:  # not a report table: skipped like any other
            previous_kept = False
            continue
        text, span = simplify(*raw)
        if not text:
            previous_kept = False  # an empty table still separates two tables
            continue
        kind = table_kind(text)
        last = pieces[-1] if pieces and previous_kept else None
        if (
            last is not None
            and kind in (None, last.kind)
            and not _has_header(text, last.kind)
            and (kind is not None or _mostly_numbers(text))
        ):
            # A continuation: join the raw layouts when they line up (so a column
            # blank in one part alone is not lost), else the simplified ones.
            if len(raw[0][0]) == len(last.text[0]):
                last.text, last.span = _stack((last.text, last.span), raw)
                continue
            last_text, last_span = simplify(last.text, last.span)
            if len(text[0]) == len(last_text[0]):
                last.text, last.span = _stack((last_text, last_span), (text, span))
                continue
        if kind is None:
            previous_kept = False
            continue
        pieces.append(_Piece(order, kind, raw[0], raw[1]))
        previous_kept = True
    grids = []
    for piece in pieces:
        text, span = simplify(piece.text, piece.span)
        if not text:
            continue
        grids.append(
            Grid(
                source=source,
                page=None,
                text=text,
                span=span,
                boxes=[[None] * len(text[0]) for _ in text],
                method=METHOD,
                index=piece.order,
            )
        )
    return grids


# --- the report's prose ---------------------------------------------------------


def _section_words(tag: Tag) -> int:
    """How many of the six sections' heading words an element's text prints (its tables left out)."""
    flat = _squeeze(
        "".join(s for s in tag.find_all(string=True) if not s.find_parent("table") or s.find_parent("table") in tag.parents)
    )
    return sum(any(w in flat for w in s.keywords) for s in SECTIONS)


def report_prose(soup: BeautifulSoup, grids: list[Grid]) -> str:
    """The article's visible text without the report's tables: the element holding the tables, widened while that finds more section headings.

    The statistical tables (and any <table> printing their words or mostly
    figures: a table's cut-off part) become a line break; the rest of the
    article (title, foreword, the six sections' prose) is kept. Changes `soup`.
    """
    tables = soup.find_all("table")
    mine = [tables[g.index] for g in grids if 0 <= g.index < len(tables)]
    if not mine:
        return ""
    common = [a for a in mine[0].parents if isinstance(a, Tag) and all(a in m.parents for m in mine[1:])]
    if not common:
        return ""
    article = common[0]
    while article.parent is not None and article.parent.name not in ("body", "html", "[document]"):
        if _section_words(article.parent) <= _section_words(article):
            break
        article = article.parent
    for table in article.find_all("table"):
        if table.find("table") is not None:
            continue  # a layout table: its nested tables are judged one by one
        try:
            text, _ = layout(table)
        except GridTooLarge:  # no report table: its text stays in the prose
            text = []
        if table in mine or _has_markers(table) or _mostly_numbers(text):
            table.replace_with(soup.new_string("\n"))
    return cell_text(article)
