"""The house style for charts a desk can publish: headline, subtitle, notes and source, in Chinese or English.

Every chart states its finding in a headline, what is measured in a subtitle, its caveats (the
basis of a rate, small counts, printed totals that do not add up) in a notes line, and the reports
it comes from in a source line (`Words`). Each is a text of its own (SVG ids headline, subtitle,
notes, source) so a desk can edit or translate it. The font is Noto Sans SC Regular from
openness.fonts (the PyPI package justmytype-intl-cjk), registered with matplotlib at import, with
DejaVu Sans (shipped with matplotlib) as the fallback. SVGs keep text as text (`svg.fonttype` none,
the font named in each text's style); PNGs draw bold texts with a thin stroke of their own colour,
as there is no Bold file. `save` writes figures/<name>.svg and .png byte for byte the same on every
run: a fixed SVG hash salt, no dates and no software versions in the metadata.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import re
import textwrap
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager, patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text

from . import metrics, paths
from .fonts import FAMILY, cjk_font_path

SOURCE = "来源：各机关政府信息公开工作年度报告，openness 项目整理（data/clean）"
LANGUAGES = ("zh", "en")

# The words the chart functions draw themselves, in each language.
PHRASES = {
    "small": ("小样本，仅作线索", "small count: a lead"),
    "broken": ("表格自相矛盾", "table does not add up"),
    "no_rate_parts": ("无比率：印制的总计与分项之和不符", "no rate: printed total differs from its parts"),
    "no_rate_zero": ("无比率：分母为 0", "no rate: denominator 0"),
    "no_rate_missing": ("无比率：缺少数字（空白或缺表）", "no rate: a figure is blank or missing"),
    "no_rate": ("无比率", "no rate"),
    "template": ("{year} 起启用新模板", "new template from {year}"),
    "with_blanks": ("（含空白）", " (blanks)"),
}


def phrase(key: str, lang: str = "zh", **values) -> str:
    """One of the chart functions' own words, in Chinese or English."""
    return PHRASES[key][LANGUAGES.index(lang)].format(**values)


@dataclasses.dataclass(frozen=True)
class Words:
    """The texts around a chart: the finding, what is measured, the caveats, and the reports it comes from."""

    headline: str
    subtitle: str
    notes: str
    source: str
    lang: str = "zh"


FALLBACK = "DejaVu Sans"
HASHSALT = "openness"
TEMPLATE_CHANGE = 2021  # 国办公开办函〔2021〕30号: the 2021 template, used from the 2021 reports on

INK = "#222222"
MUTED = "#777777"
COLOURS = [
    "#1f5a91",
    "#d1495b",
    "#edae49",
    "#00798c",
    "#66a182",
    "#8d6a9f",
    "#a0522d",
    "#4d4d4d",
    "#9fc5e8",
    "#f4a6b0",
    "#f7d08a",
    "#7fc6cf",
]
SMALL_HATCH = "///"

# The stroke width, as a fraction of the font size, that makes Regular read as bold (checked by eye
# on the saved PNGs).
_STROKE_BOLD = 0.04

_RC = {
    "font.family": [FAMILY, FALLBACK],
    "font.size": 10,
    "axes.unicode_minus": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.prop_cycle": matplotlib.cycler(color=COLOURS),
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "svg.hashsalt": HASHSALT,
    "svg.fonttype": "none",  # text stays text (font named in its style): a desk can edit and translate it
    "path.simplify": True,
}


def _register_font() -> None:
    """Add Noto Sans SC to matplotlib's font list as both regular and bold (same file, once)."""
    path = str(cjk_font_path())
    if any(entry.fname == path for entry in font_manager.fontManager.ttflist):
        return
    font_manager.fontManager.addfont(path)
    added = [e for e in font_manager.fontManager.ttflist if e.fname == path and e.name == FAMILY]
    font_manager.fontManager.ttflist = [e for e in font_manager.fontManager.ttflist if e.fname != path]
    for entry in added[:1]:
        for weight in (400, 700):
            font_manager.fontManager.ttflist.append(dataclasses.replace(entry, weight=weight))
    font_manager.fontManager._findfont_cached.cache_clear()


def style() -> None:
    """Apply the house style to matplotlib (font, colours, deterministic SVG); safe to call again."""
    _register_font()
    matplotlib.rcParams.update(_RC)


def _embolden(fig: Figure, on: bool = True) -> None:
    """Draw bold texts with a stroke of their own colour (the font has no Bold file); off for SVG text."""
    for ax in fig.axes:  # tick labels that exist only once the locator has run
        ax.xaxis.get_major_ticks()
        ax.yaxis.get_major_ticks()
    for text in fig.findobj(Text):
        if not text.get_text() or (text.get_path_effects() and not getattr(text, "_house_stroke", False)):
            continue
        weight = text.get_fontweight()
        bold = weight in ("bold", "heavy", "black", "semibold", "demibold", "extra bold") or (
            isinstance(weight, (int, float)) and weight >= 600
        )
        if bold and not on:
            text.set_path_effects([])  # a path effect would turn an SVG text into outlines
            text._house_stroke = False
        elif bold:
            width = text.get_fontsize() * _STROKE_BOLD
            text.set_path_effects([patheffects.Stroke(linewidth=width, foreground=text.get_color())])
            text._house_stroke = True


class HouseFigure(Figure):
    """A Figure that draws its bold texts with the house stroke each time it is drawn."""

    as_text = False  # set while an SVG is written: bold stays a font weight, text stays text

    def draw(self, renderer):
        _embolden(self, on=not self.as_text)
        return super().draw(renderer)


HEADER_IN, SUBTITLE_IN, LINE_IN = 0.34, 0.26, 0.17  # heights of the headline, the subtitle and one small line


def _lines(text: str, width: float, lang: str) -> list[str]:
    """A notes or source text wrapped to the figure's width (in inches) at 8 points."""
    per_line = int(width * (8.5 if lang == "zh" else 15))
    out = []
    for para in text.split("\n"):
        if lang == "en":
            out.extend(textwrap.wrap(para, per_line) or [""])
            continue
        while len(para) > per_line:
            out.append(para[:per_line])
            para = para[per_line:]
        out.append(para)
    return out


def new(
    words: Words, *, nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (8.0, 4.5), **kwargs
) -> tuple[Figure, object]:
    """A figure in the house style: headline and subtitle above the plot, notes and source below it."""
    style()
    width = size[0]
    notes = _lines(words.notes, width, words.lang) if words.notes else []
    source = _lines(words.source, width, words.lang)
    top_in = HEADER_IN + SUBTITLE_IN + 0.12
    bottom_in = LINE_IN * (len(notes) + len(source)) + 0.15
    height = size[1] + top_in + bottom_in - 0.8
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), FigureClass=HouseFigure, layout="constrained", **kwargs)
    fig.get_layout_engine().set(rect=(0, bottom_in / height, 1, 1 - (top_in + bottom_in) / height))
    y = 1 - 0.08 / height
    fig.text(0.01, y, words.headline, ha="left", va="top", fontsize=13, fontweight="bold", gid="headline")
    fig.text(0.01, y - HEADER_IN / height, words.subtitle, ha="left", va="top", fontsize=9.5, color=INK, gid="subtitle")
    y = (0.06 + LINE_IN * (len(notes) + len(source))) / height
    if notes:
        fig.text(0.01, y, "\n".join(notes), ha="left", va="top", fontsize=8, color=INK, gid="notes", linespacing=1.3)
        y -= LINE_IN * len(notes) / height
    fig.text(0.01, y, "\n".join(source), ha="left", va="top", fontsize=8, color=MUTED, gid="source", linespacing=1.3)
    fig.words = words
    return fig, axes


def save(fig: Figure, name: str, directory: str | Path | None = None) -> tuple[Path, Path]:
    """Write <directory>/<name>.svg and .png (default: the project's figures/), deterministically."""
    out = Path(directory) if directory is not None else paths.figures()
    out.mkdir(parents=True, exist_ok=True)
    svg, png = out / f"{name}.svg", out / f"{name}.png"
    with matplotlib.rc_context({"svg.hashsalt": HASHSALT, "svg.fonttype": "none"}):
        fig.as_text = True
        try:
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            fig.as_text = False
        fig.savefig(png, format="png", metadata={"Software": None})
    _number_clip_ids(svg)
    return svg, png


def _number_clip_ids(svg: Path) -> None:
    """Name the SVG's clip paths clip1, clip2 … in order: matplotlib hashes their float bounds, whose last bits vary between runs."""
    text = svg.read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for found in re.finditer(r'(?:<clipPath id="|url\(#)(p[0-9a-f]{10})', text):
        names.setdefault(found.group(1), f"clip{len(names) + 1}")
    text = re.sub(r"\b(p[0-9a-f]{10})\b", lambda m: names.get(m.group(1), m.group(1)), text)
    svg.write_text(text, encoding="utf-8")


def percent(value: float, digits: int = 0) -> str:
    """'60%' for 0.6; '—' for a missing rate."""
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}%}"


BROKEN_EDGE = COLOURS[1]  # a figure from a table that does not add up: hollow or hatched, in this colour


def rate_bars(
    table: pd.DataFrame, words: Words, *, label: str = "label", xlabel: str = "", size: tuple[float, float] | None = None
) -> Figure:
    """Horizontal bars of one rate per label, each annotated 'rate (numerator/denominator)'.

    `table` has the columns of metrics.indicators (numerator, denominator, rate, small_count,
    flag), a `label` column and optionally `broken` (the table the rate comes from does not add
    up: a hollow bar, said beside it). Small counts are hatched and say so; missing rates say why.
    The axis stops at 100%.
    """
    rows = table.reset_index(drop=True)
    lang = words.lang
    fig, ax = new(words, size=size or (8.0, 1.2 + 0.42 * len(rows)))
    ypos = list(range(len(rows)))[::-1]
    for y, (_, row) in zip(ypos, rows.iterrows()):
        broken = bool(row.get("broken", False))
        if pd.isna(row["rate"]):
            ax.text(0.005, y, why_no_rate(str(row.get("flag", "")), lang), va="center", fontsize=8, color=MUTED)
            continue
        small = bool(row.get("small_count", False))
        ax.barh(
            y,
            row["rate"],
            color="white" if broken else COLOURS[8] if small else COLOURS[0],
            hatch=SMALL_HATCH if small else None,
            edgecolor=BROKEN_EDGE if broken else COLOURS[0],
            linewidth=1.2 if broken else 0.6,
            linestyle="--" if broken else "-",
        )
        note = f"{percent(row['rate'])}" + ("（{:g}/{:g}）" if lang == "zh" else " ({:g}/{:g})").format(
            row["numerator"], row["denominator"]
        )
        if small:
            note += " " + phrase("small", lang)
        if broken:
            note += " " + phrase("broken", lang)
        ax.text(row["rate"] + 0.01, y, note, va="center", fontsize=8, color=BROKEN_EDGE if broken else INK)
    ax.set_yticks(ypos, rows[label].tolist())
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def why_no_rate(flag: str, lang: str = "zh") -> str:
    """A short reason for a missing rate, from a metrics flag."""
    if "parts add up" in flag:
        return phrase("no_rate_parts", lang)
    if metrics.NO_CASES_FLAG in flag:
        return phrase("no_rate_zero", lang)
    if metrics.MISSING_FLAG in flag:
        return phrase("no_rate_missing", lang)
    return phrase("no_rate", lang)


def _spread(ys: dict[str, float], gap: float) -> dict[str, float]:
    """Label heights at least `gap` apart, each as near its own value as that allows (bottom up)."""
    placed: dict[str, float] = {}
    last = -math.inf
    for name, y in sorted(ys.items(), key=lambda kv: kv[1]):
        placed[name] = max(y, last + gap)
        last = placed[name]
    return placed


def series(
    frame: pd.DataFrame,
    words: Words,
    *,
    ylabel: str = "",
    as_percent: bool = False,
    template_change: int | None = TEMPLATE_CHANGE,
    annotate: Iterable[str] | None = None,
    broken: Iterable[int] = (),
    size: tuple[float, float] = (8.0, 4.2),
) -> Figure:
    """Lines over years (index: year; one column per line), the 2021 template change marked.

    Points are labelled with their values, for the columns in `annotate` (default: all); each
    line is named at its end, the names set apart where lines overlap. A point of a year in
    `broken` (its table does not add up) is drawn hollow.
    """
    lang = words.lang
    fig, ax = new(words, size=size)
    labelled = set(frame.columns if annotate is None else annotate)
    broken = set(broken)
    span = float(frame.max().max()) or 1.0
    for i, column in enumerate(frame.columns):
        colour = COLOURS[i % len(COLOURS)]
        ax.plot(frame.index, frame[column], color=colour, label=str(column))
        values = frame[column].dropna()
        solid = values[[x not in broken for x in values.index]]
        hollow = values[[x in broken for x in values.index]]
        ax.plot(solid.index, solid, "o", color=colour)
        ax.plot(hollow.index, hollow, "o", markerfacecolor="white", markeredgecolor=colour, markeredgewidth=1.5)
        for x, y in values.items() if column in labelled else ():
            others = frame.loc[x, [c for c in labelled if c != column]].dropna()
            # a label just under another one at the same year goes to the right of its point
            aside = len(others) > 0 and y < others.min() and others.min() - y < 0.1 * span
            ax.annotate(
                percent(y) if as_percent else f"{y:g}",
                (x, y),
                textcoords="offset points",
                xytext=(7, 0) if aside else (0, 6),
                va="center" if aside else "baseline",
                ha="left" if aside else "center",
                fontsize=8,
            )
    if template_change is not None and frame.index.min() < template_change <= frame.index.max():
        ax.axvline(template_change - 0.5, color=MUTED, linestyle="--", linewidth=1)
        ax.text(
            template_change - 0.45,
            0.98,
            phrase("template", lang, year=template_change),
            transform=ax.get_xaxis_transform(),
            va="top",
            fontsize=8,
            color=MUTED,
        )
    ax.set_xticks(list(frame.index))
    ax.set_ylabel(ylabel)
    if as_percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    top = ax.get_ylim()[1] * 1.12
    ax.set_ylim(bottom=0, top=min(top, 1.0) if as_percent else top)
    ax.set_xlim(frame.index.min() - 0.3, frame.index.max() + 0.3)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ends = {str(c): float(frame[c].dropna().iloc[-1]) for c in frame.columns if frame[c].notna().any()}
    for name, y in _spread(ends, 0.07 * (ax.get_ylim()[1])).items():
        colour = COLOURS[list(map(str, frame.columns)).index(name) % len(COLOURS)]
        ax.annotate(
            name,
            (frame.index.max(), ends[name]),
            xytext=(frame.index.max() + 0.35, y),
            textcoords="data",
            va="center",
            fontsize=9,
            color=colour,
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.5} if abs(y - ends[name]) > 1e-9 else None,
        )
    return fig


def stacked(
    frames: pd.DataFrame | dict[str, pd.DataFrame],
    words: Words,
    *,
    xlabel: str = "",
    totals: bool = True,
    broken: Iterable[str] = (),
    size: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal stacked bars: one bar per row label, one segment per column (zero columns dropped).

    Several frames (e.g. one per year) are drawn as panels one above the other on one scale,
    with one legend. A row in `broken` ((panel title, row label), its table does not add up; the
    panel title is "" for a single frame) is hatched and said so.
    """
    panels = frames if isinstance(frames, dict) else {"": frames}
    union = pd.concat(list(panels.values()))
    keep = [c for c in union.columns if (union[c].fillna(0) != 0).any()]
    colour = {c: COLOURS[i % len(COLOURS)] for i, c in enumerate(keep)}
    broken = set(broken)
    heights = [len(f) + 1.2 for f in panels.values()]
    fig, axes = new(words, nrows=len(panels), sharex=True, height_ratios=heights, size=size or (8.5, 1.2 + 0.36 * sum(heights)))
    axes = [axes] if len(panels) == 1 else list(axes)
    xmax = max(float(union[keep].fillna(0).sum(axis=1).max()) if keep else 0.0, 1.0) * 1.15
    for ax, (title, frame) in zip(axes, panels.items()):
        frame = frame.reindex(columns=keep)
        ypos = list(range(len(frame)))[::-1]
        left = pd.Series(0.0, index=frame.index)
        for column in keep:
            values = frame[column].fillna(0)
            bars_ = ax.barh(ypos, values, left=left, color=colour[column], height=0.7)
            for bar, name in zip(bars_, frame.index):
                if (title, name) in broken:
                    bar.set_hatch("xxx")
                    bar.set_edgecolor("white")
            left = left + values
        if totals:
            for y, (name, total) in zip(ypos, left.items()):
                note = f" {total:g}" + (phrase("with_blanks", words.lang) if frame.loc[name].isna().any() else "")
                if (title, name) in broken:
                    note += "  " + phrase("broken", words.lang)
                ax.text(total, y, note, va="center", fontsize=8, color=BROKEN_EDGE if (title, name) in broken else INK)
        ax.set_yticks(ypos, [str(i) for i in frame.index])
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_xlim(0, xmax)  # room for the totals (zero-width segments pin autoscaling)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    axes[-1].set_xlabel(xlabel)
    axes[-1].legend([Patch(color=colour[c]) for c in keep], [str(c) for c in keep], loc="lower right", fontsize=8)
    return fig


def grouped(
    frame: pd.DataFrame,
    words: Words,
    *,
    xlabel: str = "",
    broken: Iterable[tuple[str, str]] = (),
    size: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal grouped bars: one group per row label, one bar per column (e.g. 2023 and 2024).

    A bar in `broken` ((row label, column) whose table does not add up) is hatched and said so.
    """
    n = len(frame.columns)
    broken = set(broken)
    fig, ax = new(words, size=size or (8.5, 1.5 + 0.2 * n * len(frame)))
    height = 0.8 / max(n, 1)
    base = list(range(len(frame)))[::-1]
    for i, column in enumerate(frame.columns):
        ys = [b + 0.4 - height * (i + 0.5) for b in base]
        values = frame[column]
        flags = [(name, column) in broken for name in frame.index]
        bars_ = ax.barh(ys, values.fillna(0), height=height, color=COLOURS[i % len(COLOURS)], label=str(column))
        for bar, flag in zip(bars_, flags):
            if flag:
                bar.set_hatch("xxx")
                bar.set_edgecolor("white")
        for y, v, flag in zip(ys, values, flags):
            text = " —" if pd.isna(v) else f" {v:g}" + ("  " + phrase("broken", words.lang) if flag else "")
            ax.text(
                0 if pd.isna(v) else v,
                y,
                text,
                va="center",
                fontsize=7,
                color=MUTED if pd.isna(v) else BROKEN_EDGE if flag else INK,
            )
    ax.set_yticks(base, [str(i) for i in frame.index])
    ax.set_xlabel(xlabel)
    ax.margins(x=0.06)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend([Patch(color=COLOURS[i % len(COLOURS)]) for i in range(n)], [str(c) for c in frame.columns], loc="lower right")
    return fig


def bars(
    values: pd.Series, words: Words, *, xlabel: str = "", colour: str = COLOURS[1], size: tuple[float, float] | None = None
) -> Figure:
    """Horizontal bars of one number per label, each labelled with its value."""
    fig, ax = new(words, size=size or (8.0, 1.3 + 0.36 * len(values)))
    ypos = list(range(len(values)))[::-1]
    ax.barh(ypos, values.fillna(0), color=colour, height=0.65)
    for y, v in zip(ypos, values):
        ax.text(0 if pd.isna(v) else v, y, " —" if pd.isna(v) else f" {v:g}", va="center", fontsize=8)
    ax.set_yticks(ypos, [str(i) for i in values.index])
    ax.set_xlabel(xlabel)
    ax.margins(x=0.06)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def page_proof(
    pdf: str | Path,
    page: int,
    box: Iterable[float],
    words: Words,
    *,
    captions: tuple[str, str] = ("", ""),
    scale: float = 2.0,
    margin: float = 40.0,
) -> Figure:
    """The page image with one cell's box drawn on it, and a close-up of the whole lines around it.

    `page` is 1-based; `box` is (x0, y0, x1, y1) in PDF points with the origin bottom-left, as in
    cells.csv. The image is drawn in PDF points, so the box needs no conversion. The close-up
    spans, left to right, every text line of the page within `margin` points of the box.
    """
    import pypdfium2

    x0, y0, x1, y1 = (float(v) for v in box)
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        pdf_page = doc[page - 1]
        width, height = pdf_page.get_size()
        image = pdf_page.render(scale=scale).to_pil()
        text = pdf_page.get_textpage()
        rects = [text.get_rect(i) for i in range(text.count_rects())]
    finally:
        doc.close()
    low, high = max(0.0, y0 - margin), min(height, y1 + margin)
    near = [r for r in rects if r[1] < high and r[3] > low]  # (left, bottom, right, top)
    low = max(0.0, min([low] + [r[1] for r in near]) - 3)  # every line the band touches, whole
    high = min(height, max([high] + [r[3] for r in near]) + 3)
    left = min([x0] + [r[0] for r in near]) - 6
    right = max([x1] + [r[2] for r in near]) + 6
    fig, (whole, close) = new(words, nrows=2, size=(9.0, 7.5), height_ratios=[2.5, 1])
    for ax in (whole, close):
        ax.imshow(image, extent=(0, width, 0, height), origin="upper", interpolation="antialiased")
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=COLOURS[1], linewidth=2))
    whole.set_title(captions[0], fontsize=9)
    close.set_xlim(max(0.0, left), min(width, right))
    close.set_ylim(low, high)
    close.set_title(captions[1] or f"({x0:.1f}, {y0:.1f}) – ({x1:.1f}, {y1:.1f})", fontsize=9)
    for ax in (whole, close):
        ax.tick_params(labelsize=7)
    return fig


PROOF_COLOURS = {"confirmed": COLOURS[3], "unchecked": COLOURS[2], "doubtful": COLOURS[1], "repaired": COLOURS[5]}


def ocr_page(pdf: str | Path, page: int, cells: Iterable, words: Words, *, scale: float = 1.5) -> Figure:
    """A scanned page with each figure read by OCR drawn on it: its box coloured by its proof, its value beside it."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        pdf_page = doc[page - 1]
        width, height = pdf_page.get_size()
        image = pdf_page.render(scale=scale, grayscale=True).to_pil()
    finally:
        doc.close()
    fig, ax = new(words, size=(7.0, 9.0))
    ax.imshow(image, extent=(0, width, 0, height), origin="upper", cmap="gray", interpolation="antialiased")
    seen = set()
    for cell in cells:
        if cell.page != page or cell.bbox is None:
            continue
        x0, y0, x1, y1 = cell.bbox
        colour = PROOF_COLOURS.get(cell.proof, COLOURS[7])
        label = cell.proof if cell.proof not in seen else None
        seen.add(cell.proof)
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=colour, linewidth=1.2, label=label))
        ax.text(x1 - 2, y1 - 2, cell.value or "空", fontsize=6, color=colour, ha="right", va="top", fontweight="bold")
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.legend(loc="lower right", fontsize=7, title="proof", title_fontsize=7)
    ax.tick_params(labelsize=7)
    return fig


def report_labels(reports: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """A short display label per report id, from reports.csv: '公安局 2024', 'Public Security Bureau 2024'; the report id
    when its body or year is not known."""
    return pd.Series(
        [
            f"{short_name(b, lang=lang)} {y}" if b and not pd.isna(y) else r
            for r, b, y in zip(reports["report"], reports["body"], reports["year"])
        ],
        index=pd.Index(reports["report"], name="report"),
        name="label",
    )


@functools.lru_cache(maxsize=1)
def bodies() -> pd.DataFrame:
    """The English name of each body (lib/openness/bodies.csv), and its short names for axis labels."""
    path = resources.files("openness").joinpath("bodies.csv")
    return pd.read_csv(io.StringIO(path.read_text(encoding="utf-8")), dtype=str, keep_default_na=False).set_index("body")


def english(body: str) -> str:
    """A body's English name from bodies.csv; the Chinese name where it has none yet."""
    table = bodies()
    return table.at[body, "english"] if body in table.index and table.at[body, "english"] else body


def short_name(body: str, prefixes: Iterable[str] = ("平潭综合实验区",), lang: str = "zh") -> str:
    """A body's name without the umbrella prefix, for axis labels ('平潭综合实验区公安局' -> '公安局' or 'Public Security Bureau')."""
    table = bodies()
    if lang == "en":
        return table.at[body, "short_english"] if body in table.index and table.at[body, "short_english"] else english(body)
    for prefix in prefixes:
        if body.startswith(prefix) and len(body) > len(prefix):
            return body[len(prefix) :].strip()
    return body


style()
