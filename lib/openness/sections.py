"""A report's text -> its six numbered sections, recognised by their headings as printed.

A heading is a line that starts with a section number in one numbering style
(一、 / 第一部分 / （一） / 1., `wording.HEADING_MARKERS`) and whose title
carries its section's words (`wording.SECTIONS`) within its first characters;
a title cut over two or three lines is joined up to the word that ends it.
Sections come in order, each once; of the numbering styles, the one that finds
the most sections is the report's (so the subsections （一）… of a report
numbered 一、… are never taken for sections). Text before the first heading is
the preamble (title and foreword). The text given is the report's prose
without its tables (what the readers return); plain text, which has no layout
to tell a table from prose, is cleaned by `plain_prose`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Section
from .wording import (
    HEADING_ENDS,
    HEADING_MARKERS,
    MAX_HEADING_CHARS,
    PAGE_FURNITURE,
    PREAMBLE,
    SECTIONS,
    TABLE_ROW_FIGURES,
    TABLE_SECTIONS,
    SectionWords,
)

_MARKERS = {style: re.compile(r"^\s*" + pattern) for style, pattern in HEADING_MARKERS.items()}
_FURNITURE = re.compile(r"^\s*(?:" + "|".join(PAGE_FURNITURE) + r")\s*$")
_WS = re.compile(r"\s+")
_ENDS = re.compile("|".join(map(re.escape, HEADING_ENDS)))
_FIGURE = re.compile(r"(?<![\d.])[-+]?\d+(?:\.\d+)?(?![\d.])")
NUMERALS = "一二三四五六"


@dataclass(frozen=True)
class Line:
    """One line of a report's text and the page it is printed on (None without pages)."""

    text: str
    page: int | None


@dataclass(frozen=True)
class Heading:
    """A section heading found: the section, the heading as printed, where it starts and the text after it on its last line."""

    section: SectionWords
    text: str
    start: int  # index of its first line
    end: int  # index of the line after it
    rest: str  # text after the heading on its last line (the section's first words)
    numeral: int


def lines_of(pieces: list[tuple[int | None, str]]) -> list[Line]:
    """The non-blank lines of (page, text) pieces, without page numbers and running headers."""
    out = []
    for page, text in pieces:
        for raw in text.splitlines():
            line = raw.strip()
            if line and not _FURNITURE.match(line):
                out.append(Line(line, page))
    return out


def _numeral(text: str) -> int:
    """A heading's number: 一…六 or 1…6 (full-width too)."""
    return NUMERALS.index(text) + 1 if text in NUMERALS else int(text.translate(str.maketrans("１２３４５６", "123456")))


def _title_end(title: str, keyword_at: int, limit: int) -> int | None:
    """Where a heading's title ends: after the last ending word from its keyword on, within `limit` characters."""
    ends = [m.end() for m in _ENDS.finditer(title[:limit], keyword_at)]
    return ends[-1] if ends else None


def heading_at(lines: list[Line], i: int, style: str, candidates: list[SectionWords]) -> Heading | None:
    """The heading starting at line i in one numbering style for one of the candidate sections, or None.

    The title must print a section word within MAX_HEADING_CHARS; it is joined
    with the next line(s) when cut (no full stop, the word or its ending not yet
    printed), and ends at the first ending word (情况, 事项 …) or at the line's
    end or first full stop.
    """
    m = _MARKERS[style].match(lines[i].text)
    if not m:
        return None
    numeral = _numeral(m.group("n"))
    first = _WS.sub("", lines[i].text[m.end() :])
    title, used = first, 1
    for extra in range(3):
        if extra:
            if (
                i + extra >= len(lines)
                or "。" in title
                or len(title) >= MAX_HEADING_CHARS
                or _MARKERS[style].match(lines[i + extra].text)
            ):
                return None  # not cut: a sentence, too long, or the next line is a heading of its own
            before = len(title)
            title += _WS.sub("", lines[i + extra].text)
            used = extra + 1
        else:
            before = len(title)
        head = title[:MAX_HEADING_CHARS]
        found = [(head.find(w), s) for s in candidates for w in s.keywords if w in head]
        if not found:
            continue
        at, section = min(found, key=lambda f: (f[0], f[1].number))
        stop = re.search(r"[。；;：:，,]", title[at:])
        limit = at + stop.start() if stop else len(title)
        end = _title_end(title, at, min(limit, MAX_HEADING_CHARS, (before + 6) if extra else len(title)))
        if end is None and not stop and extra < 2 and len(title) < MAX_HEADING_CHARS and i + used < len(lines):
            # the ending word may be on the next line: look there, else the title is the line
            nxt = _WS.sub("", lines[i + used].text)
            joined = _title_end(title + nxt, at, len(title) + min(6, len(nxt)))
            if joined is not None:
                cut = joined - len(title)
                return Heading(section, _printed(lines, i, m.end(), used) + nxt[:cut], i, i + used + 1, nxt[cut:], numeral)
        if end is None:
            end = limit
        printed = lines[i].text[: m.end()].strip() + title[:end]
        return Heading(section, printed, i, i + used, title[end:].lstrip("。.：: "), numeral)
    return None


def _printed(lines: list[Line], i: int, marker_end: int, used: int) -> str:
    """A heading's marker and title as printed over `used` lines, whitespace inside the title removed."""
    return lines[i].text[:marker_end].strip() + "".join(
        _WS.sub("", lines[i + k].text[marker_end if k == 0 else 0 :]) for k in range(used)
    )


def find_headings(lines: list[Line], style: str) -> list[Heading]:
    """The section headings in one numbering style: in order, each section once, numbers rising."""
    found: list[Heading] = []
    i = 0
    while i < len(lines):
        last = found[-1].section.number if found else 0
        last_numeral = found[-1].numeral if found else 0
        heading = heading_at(lines, i, style, [s for s in SECTIONS if s.number > last])
        if heading is not None and heading.numeral > last_numeral:
            found.append(heading)
            i = heading.end
        else:
            i += 1
    return found


def split_sections(pieces: list[tuple[int | None, str]]) -> list[Section]:
    """A report's prose (page, text pieces) -> its preamble and numbered sections, in order."""
    lines = lines_of(pieces)
    headings = max((find_headings(lines, style) for style in _MARKERS), key=len)
    if not headings:  # no heading recognised: the whole text is kept, as one preamble, for copying
        return [_section(PREAMBLE, 0, "", "", lines)] if lines else []
    out = []
    bounds = [h.start for h in headings] + [len(lines)]
    if headings[0].start > 0:
        out.append(_section(PREAMBLE, 0, "", "", lines[: headings[0].start]))
    for k, h in enumerate(headings):
        body = lines[h.end : bounds[k + 1]]
        out.append(_section(h.section.code, h.section.number, h.text, h.rest, body, lines[h.start].page))
    return out


def _section(code: str, number: int, heading: str, first: str, body: list[Line], page: int | None = None) -> Section:
    """A Section from its heading and its lines; its pages are those its heading and text are printed on."""
    texts = ([first] if first else []) + [line.text for line in body]
    pages = sorted({p for p in [page] + [line.page for line in body] if p is not None})
    return Section(code, number, heading, "\n".join(texts), pages)


def plain_prose(text: str) -> list[tuple[int | None, str]]:
    """Plain text (a report's text layer with its tables in it) -> its prose: table rows and labels dropped.

    Without boxes a table is told from prose by its lines: a line printing
    TABLE_ROW_FIGURES figures or more is a table row wherever it stands, and in
    the sections that hold the tables only sentences (lines with a full stop)
    are kept. Pages are not known (blank lines are not page breaks in every text).
    """
    lines = lines_of([(None, text)])
    kept: list[str] = []
    style_headings = max((find_headings(lines, style) for style in _MARKERS), key=len)
    in_table: dict[int, bool] = {}
    current = False
    starts = {h.start: h for h in style_headings}
    heading_lines = {k for h in style_headings for k in range(h.start, h.end)}
    for i in range(len(lines)):
        if i in starts:
            current = starts[i].section.code in TABLE_SECTIONS
        in_table[i] = current and i not in heading_lines  # a heading itself is kept
    for i, line in enumerate(lines):
        if len(_FIGURE.findall(line.text)) >= TABLE_ROW_FIGURES and "。" not in line.text:
            continue
        if in_table[i] and "。" not in line.text:
            continue
        kept.append(line.text)
    return [(None, "\n".join(kept))]


def flat(text: str) -> str:
    """A section's text as one run of characters: line breaks and spaces removed (prose lines are cut by layout)."""
    return _WS.sub("", text)
