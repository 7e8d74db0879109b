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

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..model import Grid, Problem
from ..vocabulary import TABLE_HEADERS, TABLE_MARKERS
from ..wording import SECTIONS
from . import Reading

METHOD = "html"

# Elements whose boundaries are line breaks in the rendered text.
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "section", "article",
    "header", "footer", "blockquote", "pre", "address", "center", "hr", "form", "fieldset",
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
    """The grids of a report page, or the problem that stops reading it."""
    try:
        page = read_html(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Reading(problems=[Problem(str(path), "unreadable", f"cannot read the HTML page ({exc})")])
    if not page.grids:
        message = "not an annual report: the page holds none of the statistical tables"
        return Reading(problems=[Problem(str(path), "not_a_report", message)])
    return Reading(grids=page.grids, method=METHOD, prose=[(None, page.prose)] if page.prose else [])


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


def layout(table: Tag) -> tuple[list[list[str]], list[list[int]]]:
    """Texts and span ids of a <table>, merged cells expanded (HTML table model)."""
    rows = _own_rows(table)
    n_rows = len(rows)
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
            text = cell_text(cell)
            for dr in range(rowspan):
                for dc in range(colspan):
                    if (r + dr, c + dc) not in spans:
                        texts[(r + dr, c + dc)] = text
                        spans[(r + dr, c + dc)] = next_id
            next_id += 1
            c += colspan
    n_cols = max((c for _, c in spans), default=-1) + 1
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


def _droppable(text: list[list[str]], span: list[list[int]], r: int | None, c: int | None) -> bool:
    """Whether row r (or column c) holds no cell of its own: each is blank or reaches beyond it."""
    n_rows, n_cols = len(text), len(text[0])
    line = [(r, j) for j in range(n_cols)] if r is not None else [(i, c) for i in range(n_rows)]
    inside = set(line)
    for i, j in line:
        if not text[i][j]:
            continue
        sid = span[i][j]
        beyond = any(
            span[a][b] == sid and (a, b) not in inside for a in range(n_rows) for b in range(n_cols)
        )
        if not beyond:
            return False
    return True


def simplify(text: list[list[str]], span: list[list[int]]) -> tuple[list[list[str]], list[list[int]]]:
    """Drop, one at a time, rows then columns that hold no cell of their own."""
    text = [row[:] for row in text]
    span = [row[:] for row in span]
    changed = True
    while changed and text and text[0]:
        changed = False
        for r in range(len(text)):
            if _droppable(text, span, r, None):
                del text[r], span[r]
                changed = True
                break
        if changed or not text:
            continue
        for c in range(len(text[0])):
            if _droppable(text, span, None, c):
                for row in text:
                    del row[c]
                for row in span:
                    del row[c]
                changed = True
                break
    if not text or not text[0]:
        return [], []
    return text, span


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
    tables = soup.find_all("table")
    container = {id(t) for t in tables if any(_has_markers(n) for n in t.find_all("table"))}
    out = []
    for i, t in enumerate(tables):
        if id(t) in container or _hidden(t) or any(_hidden(a) for a in t.parents if isinstance(a, Tag)):
            continue
        if any(id(a) not in container for a in t.find_parents("table")):
            continue
        out.append((i, t))
    return out


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
        raw = layout(table)
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
    flat = _squeeze("".join(s for s in tag.find_all(string=True) if not s.find_parent("table") or s.find_parent("table") in tag.parents))
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
        text, _ = layout(table)
        if table in mine or _has_markers(table) or _mostly_numbers(text):
            table.replace_with(soup.new_string("\n"))
    return cell_text(article)
