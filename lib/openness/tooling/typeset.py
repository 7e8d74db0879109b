"""Typeset one report's figures as a PDF laid out like a real 政府信息公开工作年度报告.

The specimens in data/raw/ and the round-trip tests are made with this: the
official cells of a template, a body name and a year go in; an A4 PDF comes out
with a real text layer, the six section headings, ruled tables (vector lines)
with the template's merged header cells, and the label variants real reports
print. The figures are printed exactly as given, broken identities included.
The text around the tables is a report's own prose when given (`Prose`: its
title, foreword, and six sections with their headings as printed; each table
after its section's text), else placeholder paragraphs. Every page carries a
running header saying the file is a specimen (`PAGE_HEADER`), which the
readers drop as page furniture, so the prose read back is the report's alone.
The layout choices (label variants, where table 2 breaks over a page, spacing)
come from a small `Layout` record so a rendering can be reproduced exactly.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from openness import labels
from openness.fonts import cjk_font_path

FONT = "NotoSansSC"
TEMPLATES = ("2019", "2021", "mixed")
SPECIMEN_NOTE = (
    "说明：本文件是样本，不是原件。它依据{body}公开发布的{year}年政府信息公开工作年度报告中的统计数字重新排版生成，"
    "表格中的数字照原报告所印录入（包括与勾稽关系不符之处）；各节正文为占位文字，不代表原报告的表述。"
)
NO_PROSE_NOTE = (
    "说明：本文件是样本，不是原件。它依据{body}公开发布的{year}年政府信息公开工作年度报告中的统计数字重新排版生成，"
    "表格中的数字照原报告所印录入（包括与勾稽关系不符之处）；所据原件只有统计表，故各节只印标题，不附正文。"
)
# Printed at the top of every page; openness.wording.PAGE_FURNITURE drops it from the prose read back.
PAGE_HEADER = "样本，非原件：{body}{year}年政府信息公开工作年度报告，依原报告重新排版"
FILLER = (
    "本节为占位文字，原报告的正文未随样本收录。",
    "样本只保留统计表中的数字，表格以外的文字均为排版用的填充内容。",
    "如需了解原报告的具体表述，请查阅发布机关网站上的原件。",
    "此段文字用于模拟正文篇幅，使表格在页面上的位置与真实报告相近。",
)

TOP_LEFT = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)

# Wordings real reports print instead of the official one (references/template.md; the 平潭 pages; 洪泽区).
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "行政规范性文件": ("规范性文件",),
    "现行有效件数": ("先行有效件数",),
    "本年废止件数": ("本年废止件",),
    "本年收费金额（单位：万元）": ("本年收费金额(单位:万元)", "本年收费金额\n（单位：万元）"),
    "本年增/减": ("本年增／减",),
    "2.其他法律行政法规禁止公开": ("2.其他法律行政止公开", "2.其他法律和行政法规禁止公开"),
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": (
        "1.逾期不补正",
        "1.申请人无正当理由逾期不补正、行政机关不再受理其政府信息公开申请",
    ),
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": (
        "2.申请人逾期未按收费通知要求缴纳费用",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再受理其政府信息公开申请",
    ),
    TOP_LEFT: ("（本列数据的钩稽关系为：第一项加第二项之和，等于第三项加第四项之和）",),
    "五、存在的主要问题及改进情况": ("五、政府信息公开工作存在的主要问题及改进情况",),
}


@dataclass(frozen=True)
class Layout:
    """The layout choices of one rendering; the same Layout and figures give the same bytes.

    `seed` draws the label variants and the prose; the other fields are the
    structural choices, explicit so that a failing round-trip can be pinned down.
    `labels` overrides the printed text of single labels (official path -> text).
    """

    seed: int = 0
    variant_rate: float = 0.3  # share of labels printed in a variant form (0: official wording)
    font_size: float = 10.5  # table text
    body_size: float = 14.0  # prose
    margin: float = 72.0
    line_width: float = 0.5
    shade: bool = False  # light fill behind header rows, as WPS templates have
    proactive_split: bool = False  # table 1 as one table per 第二十条 section
    table2_break: int | None = None  # body row of table 2 that starts the next page (None: no break)
    cut_row: bool = False  # the last row before the break is cut in two (label lines on both pages)
    cut_figures: str = "first"  # where the figures of a cut row go: 'first' or 'second' page
    span_text: str = "first"  # text of a merged label cell cut by the break: 'first', 'second' or 'cut'
    repeat_header: bool = False  # repeat table 2's header rows after the break
    fill_page: bool = True  # stretch the rows before the break so table 2 runs to the foot of the page
    review_leaf_span: bool = True  # table 3: 行政复议's leaf labels span two header rows
    prose: int = 2  # placeholder paragraphs per prose section
    yuan_suffix: bool = False  # print 采购总金额 with its unit (251000元), as 2019 reports do
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=True)


@dataclass(frozen=True)
class Prose:
    """A report's own text, to print around its tables instead of placeholder paragraphs.

    `title` holds the title lines the report prints above its foreword (none when
    its prose starts with the foreword); `sections` the six numbered sections in
    order, each (heading as printed, paragraphs). A paragraph is printed as one
    ReportLab paragraph, wrapped to the page and over page breaks.
    """

    title: tuple[str, ...] = ()
    preamble: tuple[str, ...] = ()
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass
class Rendering:
    """What was typeset: the file, its page count, and the label texts as printed."""

    path: Path
    pages: int
    labels: dict[str, str]  # label (official path, or section:N) -> text as printed, '\n' a line break
    table2_pages: tuple[int, ...]  # pages the parts of table 2 landed on
    layout: Layout


@dataclass
class _Shape:
    """Which rows and columns the figures fill, in the official order."""

    proactive: list[tuple[str, list[str], list[str]]]  # (section, row leaves, columns)
    requests_rows: list[str]
    requests_cols: list[str]
    appeals_cols: list[str]


def _shape(values: dict[tuple[str, str, str], str]) -> _Shape:
    """The tables' layout from the cells present, ordered as in the codebook."""
    order = {(e.table, e.kind, e.label): i for i, e in enumerate(labels.codebook())}

    def ordered(items, table, kind):
        unknown = [x for x in items if (table, kind, x) not in order]
        if unknown:
            raise ValueError(f"not an official {kind} of table {table}: {unknown[:3]}")
        return sorted(items, key=lambda x: order[(table, kind, x)])

    t1 = [(r, c) for t, r, c in values if t == "proactive"]
    sections: dict[str, tuple[set[str], set[str]]] = {}
    for row in ordered({r for r, _ in t1}, "proactive", "row"):
        sec, leaf = row.split(" / ")
        sections.setdefault(sec, (set(), set()))[0].add(row)
    proactive = []
    for sec, (rows, _) in sections.items():
        rows_o = ordered(rows, "proactive", "row")
        cols = ordered({c for r, c in t1 if r in rows}, "proactive", "column")
        missing = [(r, c) for r in rows_o for c in cols if ("proactive", r, c) not in values]
        if missing:
            raise ValueError(f"table 1: cells missing from printed rows: {missing[:3]}")
        proactive.append((sec, [r.split(" / ")[1] for r in rows_o], cols))
    t2 = [(r, c) for t, r, c in values if t == "requests"]
    rows2 = ordered({r for r, _ in t2}, "requests", "row")
    cols2 = ordered({c for _, c in t2}, "requests", "column")
    missing = [(r, c) for r in rows2 for c in cols2 if ("requests", r, c) not in values]
    if missing:
        raise ValueError(f"table 2: cells missing from printed rows: {missing[:3]}")
    cols3 = ordered({c for t, _, c in values if t == "appeals"}, "appeals", "column")
    return _Shape(proactive, rows2, cols2, cols3)


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(cjk_font_path())))
    return FONT


# ---------------------------------------------------------------- label variants


class _Printer:
    """Chooses the printed form of each label, from the layout's seed."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.rng = random.Random(layout.seed)
        self.printed: dict[str, str] = {}

    def __call__(self, path: str, text: str | None = None) -> str:
        """The printed text of the label at official `path` (its last segment unless `text`)."""
        text = path.split(" / ")[-1] if text is None else text
        if path in self.layout.labels:
            out = self.layout.labels[path]
        else:
            out = self._vary(text)
        self.printed[path] = out
        return out

    def wrapped(self, width: float, size: float, path: str, text: str | None = None) -> str:
        """The printed label at `path`, broken into lines no wider than `width` (recorded so)."""
        out = _wrap(self(path, text), width, size)
        self.printed[path] = out
        return out

    def _vary(self, text: str) -> str:
        rng, rate = self.rng, self.layout.variant_rate
        if text in ALTERNATIVES and rng.random() < rate:
            text = rng.choice(ALTERNATIVES[text])
        if rng.random() < rate:  # half-width brackets
            text = text.replace("（", "(").replace("）", ")")
        if re.match(r"\d\.", text) and rng.random() < rate:
            text = text[0] + rng.choice("、．") + text[2:]
        if rng.random() < rate / 2 and len(text) >= 2:  # spaces between characters
            if len(text) <= 4:
                text = " ".join(text)
            else:
                pos = rng.randrange(1, len(text))
                if text[pos - 1] not in "\n " and text[pos] not in "\n ":
                    text = text[:pos] + " " + text[pos:]
        if rng.random() < rate / 2 and len(text) >= 4 and "\n" not in text:  # a line break inside
            pos = rng.randrange(2, len(text) - 1)
            if text[pos - 1] != " " and text[pos] != " ":
                text = text[:pos] + "\n" + text[pos:]
        return text

    def vertical(self, path: str) -> str:
        """The vertical label 三、本年度办理结果, one character a line (三、 sometimes together)."""
        if path in self.layout.labels:
            text = self.layout.labels[path]
        else:
            chars = list("三、本年度办理结果")
            if self.rng.random() < self.layout.variant_rate:
                chars[0:2] = ["三、"]
            text = "\n".join(chars)
        self.printed[path] = text
        return text

    def filler(self, n: int) -> list[str]:
        """`n` placeholder paragraphs."""
        return ["".join(self.rng.sample(FILLER, k=self.rng.randint(2, len(FILLER)))) for _ in range(n)]


def _wrap(text: str, width: float, size: float) -> str:
    """Break `text` into lines no wider than `width` points (keeping its own breaks)."""
    lines = []
    for part in text.split("\n"):
        line = ""
        for ch in part:
            if line and pdfmetrics.stringWidth(line + ch, FONT, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------- tables


@dataclass
class _Grid:
    """A table before it becomes a ReportLab Table: cell texts, spans, header row count."""

    text: list[list[str]]
    spans: list[tuple[int, int, int, int]]  # (col0, row0, col1, row1), inclusive
    header: int  # rows of header at the top
    widths: list[float]
    shaded: list[int] = field(default_factory=list)  # rows with a fill
    label_cells: dict[int, int] = field(default_factory=dict)  # row -> column holding its row label


def _table(grid: _Grid, layout: Layout, size: float, row_heights: list[float] | None = None) -> Table:
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.25),
        ("GRID", (0, 0), (-1, -1), layout.line_width, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for c0, r0, c1, r1 in grid.spans:
        if (c0, r0) != (c1, r1):
            style.append(("SPAN", (c0, r0), (c1, r1)))
    for r, c in grid.label_cells.items():
        style.append(("ALIGN", (c, r), (c, r), "LEFT"))
    if layout.shade:
        for r in grid.shaded:
            style.append(("BACKGROUND", (0, r), (-1, r), colors.Color(0.86, 0.9, 0.96)))
    return Table(grid.text, colWidths=grid.widths, rowHeights=row_heights, style=style, repeatRows=0, hAlign="CENTER")


class _FillPage(Flowable):
    """The part of a table before a page break, its body rows stretched to end at the foot of
    the page as a table running over a break does (by at most its own height)."""

    def __init__(self, grid: _Grid, layout: Layout, size: float):
        super().__init__()
        self.grid, self.layout, self.size = grid, layout, size
        self.hAlign = "CENTER"
        self.table = _table(grid, layout, size)

    def wrap(self, avail_width, avail_height):
        natural = _table(self.grid, self.layout, self.size)
        _, height = natural.wrap(avail_width, avail_height)
        rows = list(natural._rowHeights)
        body = len(rows) - self.grid.header
        extra = min(max(0.0, avail_height - height - 2), height)
        if body > 0 and extra > 0:
            rows = rows[: self.grid.header] + [h + extra / body for h in rows[self.grid.header :]]
        self.table = _table(self.grid, self.layout, self.size, rows)
        return self.table.wrap(avail_width, avail_height)

    def draw(self):
        self.table.drawOn(self.canv, 0, 0)


def _proactive_grids(values: dict, shape: _Shape, pr: _Printer, width: float, size: float, layout: Layout) -> list[_Grid]:
    label_w = width * 0.3
    sub_w = (width - label_w) / 6
    grids, g = [], None
    for section, rows, cols in shape.proactive:
        if g is None or layout.proactive_split:
            g = _Grid(text=[], spans=[], header=0, widths=[label_w] + [sub_w] * 6)
            grids.append(g)
        r = len(g.text)
        g.text.append([pr.wrapped(width - 6, size, section)] + [""] * 6)
        g.spans.append((0, r, 6, r))
        g.shaded.append(r)
        per = 6 // len(cols)
        head = [pr.wrapped(label_w - 6, size, f"{section} / 信息内容", "信息内容")] + [""] * 6
        for i, col in enumerate(cols):
            head[1 + i * per] = pr.wrapped(sub_w * per - 6, size, f"{section} / {col}", col)
            g.spans.append((1 + i * per, r + 1, per * (i + 1), r + 1))
        g.text.append(head)
        for row in rows:
            path = f"{section} / {row}"
            line = [pr.wrapped(label_w - 6, size, path)] + [""] * 6
            g.label_cells[len(g.text)] = 0
            for i, col in enumerate(cols):
                value = values[("proactive", path, col)]
                if col == "采购总金额" and layout.yuan_suffix and value != "":
                    value += "元"
                line[1 + i * per] = _wrap(value, sub_w * per - 6, size)
                g.spans.append((1 + i * per, len(g.text), per * (i + 1), len(g.text)))
            g.text.append(line)
    return grids


def _requests_grid(values: dict, shape: _Shape, pr: _Printer, width: float, size: float) -> _Grid:
    w0, w1 = size * 1.6 + 4, size * 5.5 + 4
    w2 = width * 0.42 - w0 - w1
    wv = (width - w0 - w1 - w2) / 7
    cols = shape.requests_cols
    text = [[""] * 10 for _ in range(3)]
    spans = [(0, 0, 2, 2), (3, 0, 9, 0), (3, 1, 3, 2), (4, 1, 8, 1), (9, 1, 9, 2)]
    text[0][0] = pr.wrapped(w0 + w1 + w2 - 6, size, "requests:top-left", TOP_LEFT)
    text[0][3] = pr("申请人情况")
    text[1][3] = pr.wrapped(wv - 4, size, "自然人")
    text[1][4] = pr("法人或其他组织")
    text[1][9] = pr.wrapped(wv - 4, size, "总计")
    for i, col in enumerate(cols[1:6]):
        text[2][4 + i] = pr.wrapped(wv - 4, size, col)
    grid = _Grid(text=text, spans=spans, header=3, widths=[w0, w1, w2] + [wv] * 7, shaded=[0, 1, 2])
    rows = shape.requests_rows
    third = [i for i, r in enumerate(rows) if r.startswith("三、")]
    groups: dict[str, list[int]] = {}
    for row in rows:
        parts = row.split(" / ")
        line = [""] * 10
        r = len(grid.text)
        if len(parts) == 1:  # 一、 二、 四、
            line[0] = pr.wrapped(w0 + w1 + w2 - 6, size, row)
            grid.spans.append((0, r, 2, r))
            grid.label_cells[r] = 0
        elif len(parts) == 2:  # （一） （二） （七） and the one-row （六）
            line[1] = pr.wrapped(w1 + w2 - 6, size, row)
            grid.spans.append((1, r, 2, r))
            grid.label_cells[r] = 1
        else:
            group = " / ".join(parts[:2])
            if group not in groups:
                groups[group] = []
                line[1] = pr.wrapped(w1 - 4, size, group)
            groups[group].append(r)
            line[2] = pr.wrapped(w2 - 6, size, row)
            grid.label_cells[r] = 2
        for j, col in enumerate(cols):
            line[3 + j] = values[("requests", row, col)]
        grid.text.append(line)
    first, last = 3 + third[0], 3 + third[-1]
    grid.text[first][0] = pr.vertical("三、本年度办理结果")
    grid.spans.append((0, first, 0, last))
    for members in groups.values():
        grid.spans.append((1, members[0], 1, members[-1]))
    return grid


def _appeals_grid(values: dict, shape: _Shape, pr: _Printer, width: float, size: float, layout: Layout) -> _Grid:
    cols = shape.appeals_cols
    w = width / 15
    text = [[""] * 15 for _ in range(4)]
    spans = [(5, 0, 14, 0), (5, 1, 9, 1), (10, 1, 14, 1)]
    text[0][0] = pr("行政复议")
    text[0][5] = pr("行政诉讼")
    text[1][5] = pr.wrapped(5 * w - 4, size, "行政诉讼 / 未经复议直接起诉")
    text[1][10] = pr.wrapped(5 * w - 4, size, "行政诉讼 / 复议后起诉")
    if layout.review_leaf_span:
        spans.append((0, 0, 4, 0))
        spans += [(c, 1, c, 2) for c in range(5)]
        leaf_row = {c: 1 for c in range(5)}
    else:
        spans += [(0, 0, 4, 1)]
        leaf_row = {c: 2 for c in range(5)}
    for c, col in enumerate(cols):
        text[leaf_row.get(c, 2)][c] = pr.wrapped(w - 4, size, col)
        text[3][c] = _wrap(values[("appeals", "", col)], w - 2, size)
    return _Grid(text=text, spans=spans, header=3, widths=[w] * 15, shaded=[0, 1, 2])


def _split(grid: _Grid, k: int, layout: Layout, size: float) -> tuple[_Grid, _Grid]:
    """Cut table 2 before body row `k` (optionally cutting the row above in two)."""
    text = [list(r) for r in grid.text]
    spans = list(grid.spans)
    labels = dict(grid.label_cells)
    cut = grid.header + k  # first row of the second part
    if layout.cut_row:
        r = cut - 1
        c = labels[r]
        lines = text[r][c].split("\n")
        if len(lines) < 2:  # give the label a second line to cut
            s = lines[0]
            lines = [s[: max(1, len(s) // 2)], s[max(1, len(s) // 2) :]] if len(s) > 1 else [s, ""]
        m = max(1, len(lines) // 2)
        top, bottom = list(text[r]), [""] * len(text[r])
        top[c], bottom[c] = "\n".join(lines[:m]), "\n".join(lines[m:])
        if layout.cut_figures == "second":
            for j in range(3, len(top)):
                bottom[j], top[j] = top[j], ""
        text[r : r + 1] = [top, bottom]
        labels = {(q + 1 if q > r else q): v for q, v in labels.items()}
        labels[r + 1] = c
        moved = []
        for c0, r0, c1, r1 in spans:
            if r1 < r:
                moved.append((c0, r0, c1, r1))
            elif r0 > r:
                moved.append((c0, r0 + 1, c1, r1 + 1))
            elif r0 == r1 == r:  # the cut row's own cells: one copy in each piece
                moved += [(c0, r, c1, r), (c0, r + 1, c1, r + 1)]
            else:
                moved.append((c0, r0, c1, r1 + 1))
        spans = moved  # the bottom piece (row r + 1 = cut) opens the second part
    a_spans, b_spans = [], []
    a_text = text[:cut]
    b_text = [list(x) for x in (text[: grid.header] if layout.repeat_header else [])] + text[cut:]
    off = cut - (grid.header if layout.repeat_header else 0)
    if layout.repeat_header:
        b_spans += [s for s in spans if s[3] < grid.header]
    for c0, r0, c1, r1 in spans:
        if r1 < cut:
            a_spans.append((c0, r0, c1, r1))
        elif r0 >= cut:
            b_spans.append((c0, r0 - off, c1, r1 - off))
        else:  # a merged cell cut by the page break
            a_spans.append((c0, r0, c1, cut - 1))
            b_spans.append((c0, cut - off, c1, r1 - off))
            label = a_text[r0][c0]
            a_text[r0][c0] = ""
            if layout.span_text == "first":
                a_text[r0][c0] = label
            elif layout.span_text == "second":
                b_text[cut - off][c0] = label
            else:
                lines = label.split("\n")
                n_a = cut - r0
                m = max(1, min(len(lines) - 1, round(len(lines) * n_a / (r1 - r0 + 1)))) if len(lines) > 1 else 1
                a_text[r0][c0] = "\n".join(lines[:m])
                b_text[cut - off][c0] = "\n".join(lines[m:])
    a = _Grid(a_text, a_spans, grid.header, grid.widths, grid.shaded, {r: c for r, c in labels.items() if r < cut})
    b = _Grid(
        b_text,
        b_spans,
        grid.header if layout.repeat_header else 0,
        grid.widths,
        grid.shaded if layout.repeat_header else [],
        {r - off: c for r, c in labels.items() if r >= cut},
    )
    return a, b


# ---------------------------------------------------------------- document


class _Doc(SimpleDocTemplate):
    """Records the page each tagged flowable lands on."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.tag_pages: dict[str, list[int]] = {}

    def afterFlowable(self, flowable):
        tag = getattr(flowable, "_specimen_tag", None)
        if tag:
            self.tag_pages.setdefault(tag, []).append(self.page)


def _furniture(header: str):
    """The page's running header (the specimen's notice) and its page number, drawn in the margins."""

    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 10)
        canvas.drawCentredString(A4[0] / 2, doc.bottomMargin / 2, f"- {doc.page} -")
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(A4[0] / 2, A4[1] - doc.topMargin / 2, header)
        canvas.restoreState()

    return draw


def _values(figures: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    """(table, row, column) -> value as given; '' is a blank cell."""
    got: dict[tuple[str, str, str], str] = {}
    for t, r, c, v in figures[["table", "row", "column", "value"]].itertuples(index=False):
        r = "" if pd.isna(r) else str(r)
        v = "" if pd.isna(v) else str(v)
        key = (str(t), r, str(c))
        if key in got and got[key] != v:
            raise ValueError(f"two values for {key}: {got[key]!r} and {v!r}")
        got[key] = v
    return got


def check_template(figures: pd.DataFrame, template: str) -> list[str]:
    """What keeps the figures from being exactly the official cells of a template ([] if nothing)."""
    need = {(c.table, c.row, c.column) for c in labels.official_cells(template)}
    got = set(_values(figures))
    return [f"missing {k}" for k in sorted(need - got)] + [f"not in the {template} template: {k}" for k in sorted(got - need)]


def prepare(figures: pd.DataFrame, template: str, partial: bool = False) -> tuple[dict[tuple[str, str, str], str], _Shape]:
    """The figures as a lookup and the tables' shape, refusing figures no report of `template` prints."""
    if template not in labels.TEMPLATES:
        raise ValueError(f"unknown template {template!r}; expected one of {labels.TEMPLATES}")
    if not partial and (wrong := check_template(figures, template)):
        raise ValueError(f"figures are not the official cells of the {template} template: {wrong[:5]}")
    values = _values(figures)
    shape = _shape(values)
    if shape.requests_rows and len(shape.requests_cols) != 7:
        raise ValueError(f"table 2 needs its seven applicant columns, the figures have {shape.requests_cols}")
    if shape.appeals_cols and len(shape.appeals_cols) != 15:
        raise ValueError(f"table 3 needs its fifteen columns, the figures have {shape.appeals_cols}")
    return values, shape


def render_report(
    figures: pd.DataFrame,
    path: str | Path,
    *,
    template: str,
    body: str,
    year: int,
    layout: Layout | None = None,
    note: str | None = None,
    partial: bool = False,
    prose: Prose | None = None,
) -> Rendering:
    """Write the figures of one report (long format: table,row,column,value) as a specimen PDF.

    The figures must be exactly the official cells of `template`, unless
    `partial`: then the tables print the rows the figures have (a report that
    leaves out a row, or prints 规范性文件 under the 2021 template), in the
    official order; a cell missing from a printed row is still an error.
    With `prose`, the report's own title, foreword and sections are printed
    (headings as printed, no note: the running header says what the file is);
    without it, a note (`note`, else SPECIMEN_NOTE) and `layout.prose`
    placeholder paragraphs in sections 一, 五 and 六.
    """
    layout = layout or Layout()
    values, shape = prepare(figures, template, partial)
    if prose is not None and len(prose.sections) != len(SECTIONS):
        raise ValueError(f"prose needs the six sections, got {len(prose.sections)}")
    _font()
    pr = _Printer(layout)
    path = Path(path)
    width = A4[0] - 2 * layout.margin
    frame_h = A4[1] - 2 * layout.margin - 12
    body_style = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=layout.body_size,
        leading=layout.body_size * 1.6,
        firstLineIndent=layout.body_size * 2,
        alignment=TA_JUSTIFY,
        wordWrap="CJK",
    )
    head_style = ParagraphStyle(
        "head",
        parent=body_style,
        fontSize=layout.body_size + 1,
        firstLineIndent=layout.body_size * 2,
        spaceBefore=layout.body_size * 0.5,
        spaceAfter=layout.body_size * 0.3,
    )
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=30, alignment=TA_CENTER, wordWrap="CJK")
    note_style = ParagraphStyle("note", parent=body_style, fontSize=10.5, leading=16, firstLineIndent=0)

    def paragraphs(texts, style) -> list:
        return [Paragraph(escape(t), style) for t in texts if t.strip()]

    story: list = []
    if prose is None:
        story += [Paragraph(body, title_style), Paragraph(f"{year}年政府信息公开工作年度报告", title_style), Spacer(1, 12)]
        story += [Paragraph(note or SPECIMEN_NOTE.format(body=body, year=year), note_style), Spacer(1, 8)]
    else:
        story += paragraphs(prose.title, title_style) + ([Spacer(1, 12)] if prose.title else [])
        story += paragraphs(prose.preamble, body_style)

    def heading(i: int):
        if prose is None:
            text = pr(f"section:{i + 1}", SECTIONS[i]).replace("\n", "")
        else:
            text = pr.printed[f"section:{i + 1}"] = prose.sections[i][0]
        story.append(Paragraph(escape(text), head_style))

    def text(i: int):
        """Section i's paragraphs: the report's own, else placeholders in the sections without a table."""
        if prose is not None:
            story.extend(paragraphs(prose.sections[i][1], body_style))
        elif i in (0, 4, 5):
            story.extend(Paragraph(p, body_style) for p in pr.filler(layout.prose))

    heading(0)
    text(0)
    heading(1)
    text(1)
    size = layout.font_size
    for grid in _proactive_grids(values, shape, pr, width, size, layout):
        t = _table(grid, layout, size)
        t._specimen_tag = "proactive"
        story += [t, Spacer(1, 6)]

    # Table 2: shrink the type until it fits.
    tables: list[Table] = []
    heights = [0.0]
    while shape.requests_rows:
        grid = _requests_grid(values, shape, pr, width, size)
        parts = [grid] if layout.table2_break is None else list(_split(grid, _check_break(layout, grid), layout, size))
        tables = [_table(p, layout, size) for p in parts]
        heights = [t.wrap(width, frame_h)[1] for t in tables]
        widest = max(pdfmetrics.stringWidth(v, FONT, size) for (t, _, _), v in values.items() if t == "requests")
        if (max(heights) + 60 <= frame_h and widest <= grid.widths[3] - 4) or size <= 6:
            break  # each part fits on a page, each figure in its column
        size -= 0.5
    story.append(CondPageBreak(heights[0] + 60))
    heading(2)
    text(2)
    for i, t in enumerate(tables):
        if i + 1 < len(tables) and layout.fill_page:
            t = _FillPage(parts[i], layout, size)
        t._specimen_tag = "requests"
        story.append(t)
        if i + 1 < len(tables):
            story.append(PageBreak())
    story.append(Spacer(1, 6))

    if shape.appeals_cols:
        small = min(layout.font_size, 9.0)
        t = _table(_appeals_grid(values, shape, pr, width, small, layout), layout, small)
        t._specimen_tag = "appeals"
        story.append(CondPageBreak(t.wrap(width, frame_h)[1] + 60))
        heading(3)
        text(3)
        story.append(t)
    else:
        heading(3)
        text(3)
    heading(4)
    text(4)
    heading(5)
    text(5)

    doc = _Doc(
        str(path),
        pagesize=A4,
        leftMargin=layout.margin,
        rightMargin=layout.margin,
        topMargin=layout.margin,
        bottomMargin=layout.margin,
        invariant=1,
        title=f"{body}{year}年政府信息公开工作年度报告（样本）",
        author="openness specimen",
        subject="specimen re-typeset from the published figures" + (" and text" if prose is not None else ""),
        creator="openness.specimen",
    )
    furniture = _furniture(PAGE_HEADER.format(body=body, year=year))
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return Rendering(
        path=path, pages=doc.page, labels=dict(pr.printed), table2_pages=tuple(doc.tag_pages.get("requests", [])), layout=layout
    )


def _check_break(layout: Layout, grid: _Grid) -> int:
    n = len(grid.text) - grid.header
    k = layout.table2_break
    if k is None or not 1 <= k < n:
        raise ValueError(f"table2_break must be between 1 and {n - 1}, got {k}")
    return k


def random_layout(seed: int) -> Layout:
    """A plausible layout drawn from `seed` (the specimens' layouts): table 2 usually breaks over a page."""
    rng = random.Random(seed)
    return Layout(
        seed=seed,
        variant_rate=rng.choice((0.0, 0.2, 0.4)),
        font_size=rng.choice((9.0, 10.0, 10.5)),
        body_size=rng.choice((12.0, 14.0, 15.0)),
        margin=rng.choice((56.0, 64.0, 72.0)),
        line_width=rng.choice((0.5, 0.75, 1.0)),
        shade=rng.random() < 0.4,
        proactive_split=rng.random() < 0.3,
        table2_break=rng.randint(1, 22) if rng.random() < 0.8 else None,
        cut_row=rng.random() < 0.4,
        cut_figures=rng.choice(("first", "second")),
        span_text=rng.choice(("first", "second", "cut")),
        repeat_header=rng.random() < 0.2,
        review_leaf_span=rng.random() < 0.6,
        prose=rng.randint(1, 3),
        yuan_suffix=rng.random() < 0.5,
    )


# ---------------------------------------------------------------- random figures

APPLICANTS = (
    "自然人",
    "法人或其他组织 / 商业企业",
    "法人或其他组织 / 科研机构",
    "法人或其他组织 / 社会公益组织",
    "法人或其他组织 / 法律服务机构",
    "法人或其他组织 / 其他",
)
NEW, CARRIED_IN = "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"
HANDLED, CARRIED_OUT = "三、本年度办理结果 / （七）总计", "四、结转下年度继续办理"


def plain(d: Decimal) -> str:
    """A number as the extractor writes it: no exponent, no trailing zeros."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _count(rng: random.Random) -> int:
    """A count as reports print them: often 0, often small, sometimes in the thousands."""
    return rng.choice((lambda: 0, lambda: rng.randint(0, 9), lambda: rng.randint(10, 9999)))()


def random_figures(template: str, rng: random.Random) -> tuple[pd.DataFrame, bool]:
    """The official cells of a template with random values; identities hold unless broken (the flag).

    As printed reports do, a broken report has a few totals off; any report may
    print up to three cells blank.
    """
    values: dict[tuple[str, str, str], str] = {}
    for spec in labels.official_cells(template):
        if spec.table != "proactive":
            continue
        col = spec.column
        if col == "本年收费金额（单位：万元）":
            v = plain(Decimal(rng.randint(0, 10**8)) / 10 ** rng.randint(0, 4))
        elif col == "采购总金额":
            v = plain(Decimal(rng.randint(0, 10**11)) / 100)
        elif col == "本年增/减":
            v = str(rng.randint(-500, 500))
        else:
            v = str(rng.randint(10000, 999999) if rng.random() < 0.25 else _count(rng))
        values[("proactive", spec.row, col)] = v
    rows = [e.label for e in labels.entries("row", "requests", template)]
    leaves = [r for r in rows if r not in (NEW, CARRIED_IN, HANDLED, CARRIED_OUT)]
    for col in APPLICANTS:
        busy = rng.random() < 0.5
        leaf = {r: (_count(rng) if busy else rng.choice((0, 0, 0, 1, 2))) for r in leaves}
        handled = sum(leaf.values())
        out = rng.randint(0, 20)
        carried_in = rng.randint(0, handled + out)
        for r, v in leaf.items():
            values[("requests", r, col)] = str(v)
        values[("requests", HANDLED, col)] = str(handled)
        values[("requests", CARRIED_OUT, col)] = str(out)
        values[("requests", CARRIED_IN, col)] = str(carried_in)
        values[("requests", NEW, col)] = str(handled + out - carried_in)
    for r in rows:
        values[("requests", r, "总计")] = str(sum(int(values[("requests", r, c)]) for c in APPLICANTS))
    for group in ("行政复议", "行政诉讼 / 未经复议直接起诉", "行政诉讼 / 复议后起诉"):
        small = [rng.choice((0, rng.randint(0, 5), rng.randint(6, 300))) for _ in range(4)]
        for name, v in zip(("结果维持", "结果纠正", "其他结果", "尚未审结"), small):
            values[("appeals", "", f"{group} / {name}")] = str(v)
        values[("appeals", "", f"{group} / 总计")] = str(sum(small))
    keys = sorted(k for k in values if k[0] != "proactive")
    broken = rng.random() < 0.5
    if broken:  # as printed reports do: a total off, two figures swapped, a total left at 0
        for k in rng.sample(keys, rng.randint(1, 4)):
            values[k] = str(int(values[k]) + rng.randint(1, 50))
    for k in rng.sample(sorted(values), rng.randint(0, 3)):
        values[k] = ""  # printed blank
    frame = pd.DataFrame([(t, r, c, v) for (t, r, c), v in values.items()], columns=["table", "row", "column", "value"])
    return frame, broken
