"""The house style for charts: Chinese labels without tofu, a title, a source line and the data's year.

The font is Noto Sans SC Regular from openness.fonts (the PyPI package justmytype-intl-cjk,
instantiated once as Regular), registered with matplotlib at import, with DejaVu Sans
(shipped with matplotlib) as the fallback for any glyph it lacks. There is no Bold
file, so bold texts (titles) are drawn with a thin stroke of their own colour. `save`
writes figures/<name>.svg and .png byte for byte the same on every run: a fixed SVG
hash salt, no dates and no software versions in the metadata.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager, patheffects
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from . import metrics, paths
from .fonts import FAMILY, cjk_font_path

SOURCE = "来源：各机关政府信息公开工作年度报告，openness 项目整理（data/clean）"
FALLBACK = "DejaVu Sans"
HASHSALT = "openness"
TEMPLATE_CHANGE = 2021  # 国办公开办函〔2021〕30号: the 2021 template, used from the 2021 reports on

INK = "#222222"
MUTED = "#777777"
COLOURS = ["#1f5a91", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#a0522d", "#4d4d4d",
           "#9fc5e8", "#f4a6b0", "#f7d08a", "#7fc6cf"]
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
    "svg.fonttype": "path",  # glyphs as outlines: the SVG needs no font on the reader's machine
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


def _embolden(fig: Figure) -> None:
    """Draw bold texts with a stroke of their own colour: the font has no Bold file."""
    for ax in fig.axes:  # tick labels that exist only once the locator has run
        ax.xaxis.get_major_ticks()
        ax.yaxis.get_major_ticks()
    for text in fig.findobj(Text):
        if not text.get_text() or (text.get_path_effects() and not getattr(text, "_house_stroke", False)):
            continue
        weight = text.get_fontweight()
        bold = weight in ("bold", "heavy", "black", "semibold", "demibold", "extra bold") or (
            isinstance(weight, (int, float)) and weight >= 600)
        if bold:
            width = text.get_fontsize() * _STROKE_BOLD
            text.set_path_effects([patheffects.Stroke(linewidth=width, foreground=text.get_color())])
            text._house_stroke = True


class HouseFigure(Figure):
    """A Figure that draws its bold texts with the house stroke each time it is drawn."""

    def draw(self, renderer):
        _embolden(self)
        return super().draw(renderer)


def new(title: str, year: str | int, source: str = SOURCE, *, nrows: int = 1, ncols: int = 1,
        size: tuple[float, float] = (8.0, 4.5), **kwargs) -> tuple[Figure, object]:
    """A figure in the house style with its title and a source line stating the data's year."""
    style()
    fig, axes = plt.subplots(nrows, ncols, figsize=size, FigureClass=HouseFigure, layout="constrained", **kwargs)
    fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    fig.supxlabel(f"{source}　数据年份：{year}", x=0.01, ha="left", fontsize=8, color=MUTED)
    return fig, axes


def save(fig: Figure, name: str, directory: str | Path | None = None) -> tuple[Path, Path]:
    """Write <directory>/<name>.svg and .png (default: the project's figures/), deterministically."""
    out = Path(directory) if directory is not None else paths.figures()
    out.mkdir(parents=True, exist_ok=True)
    svg, png = out / f"{name}.svg", out / f"{name}.png"
    with matplotlib.rc_context({"svg.hashsalt": HASHSALT}):
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        fig.savefig(png, format="png", metadata={"Software": None})
    return svg, png


def percent(value: float, digits: int = 0) -> str:
    """'60%' for 0.6; '—' for a missing rate."""
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}%}"


def rate_bars(table: pd.DataFrame, title: str, year: str | int, *, label: str = "label",
              source: str = SOURCE, xlabel: str = "", size: tuple[float, float] | None = None) -> Figure:
    """Horizontal bars of one rate per label, each annotated 'rate (numerator/denominator)'.

    `table` has the columns of metrics.indicators (numerator, denominator, rate, small_count,
    flag) and a `label` column. Small counts are hatched and say so; missing rates say why.
    """
    rows = table.reset_index(drop=True)
    fig, ax = new(title, year, source, size=size or (8.0, 1.2 + 0.42 * len(rows)))
    ypos = list(range(len(rows)))[::-1]
    for y, (_, row) in zip(ypos, rows.iterrows()):
        if pd.isna(row["rate"]):
            why = why_no_rate(str(row.get("flag", "")))
            ax.text(0.005, y, why, va="center", fontsize=8, color=MUTED)
            continue
        small = bool(row.get("small_count", False))
        ax.barh(y, row["rate"], color=COLOURS[8] if small else COLOURS[0], hatch=SMALL_HATCH if small else None,
                edgecolor=COLOURS[0], linewidth=0.6)
        note = f"{percent(row['rate'])}（{row['numerator']:g}/{row['denominator']:g}）"
        if small:
            note += " 小样本，仅作线索"
        ax.text(row["rate"] + 0.01, y, note, va="center", fontsize=8)
    ax.set_yticks(ypos, rows[label].tolist())
    ax.set_xlim(0, 1.35)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def why_no_rate(flag: str) -> str:
    """A short Chinese reason for a missing rate, from a metrics flag."""
    if "parts add up" in flag:
        return "无比率：印制的总计与分项之和不符"
    if metrics.NO_CASES_FLAG in flag:
        return "无比率：分母为 0"
    if metrics.MISSING_FLAG in flag:
        return "无比率：缺少数字（空白或缺表）"
    return "无比率"


def series(frame: pd.DataFrame, title: str, year: str | int, *, source: str = SOURCE, ylabel: str = "",
           as_percent: bool = False, template_change: int | None = TEMPLATE_CHANGE,
           annotate: Iterable[str] | None = None, size: tuple[float, float] = (8.0, 4.2)) -> Figure:
    """Lines over years (index: year; one column per line), with the 2021 template change marked.

    Points are labelled with their values, for the columns in `annotate` (default: all).
    """
    fig, ax = new(title, year, source, size=size)
    labelled = set(frame.columns if annotate is None else annotate)
    span = float(frame.max().max()) or 1.0
    for i, column in enumerate(frame.columns):
        ax.plot(frame.index, frame[column], marker="o", color=COLOURS[i % len(COLOURS)], label=str(column))
        for x, y in (frame[column].dropna().items() if column in labelled else ()):
            others = frame.loc[x, [c for c in labelled if c != column]].dropna()
            # a label just under another one at the same year goes to the right of its point
            aside = len(others) > 0 and y < others.min() and others.min() - y < 0.1 * span
            ax.annotate(percent(y) if as_percent else f"{y:g}", (x, y), textcoords="offset points",
                        xytext=(7, 0) if aside else (0, 6), va="center" if aside else "baseline",
                        ha="left" if aside else "center", fontsize=8)
    if template_change is not None and frame.index.min() < template_change <= frame.index.max():
        ax.axvline(template_change - 0.5, color=MUTED, linestyle="--", linewidth=1)
        ax.text(template_change - 0.45, 0.98, f"{template_change} 起启用新模板", transform=ax.get_xaxis_transform(),
                va="top", fontsize=8, color=MUTED)
    ax.set_xticks(list(frame.index))
    ax.set_ylabel(ylabel)
    if as_percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.12)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    if len(frame.columns) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def stacked(frame: pd.DataFrame, title: str, year: str | int, *, source: str = SOURCE, xlabel: str = "",
            totals: bool = True, size: tuple[float, float] | None = None) -> Figure:
    """Horizontal stacked bars: one bar per row label, one segment per column (zero columns dropped)."""
    frame = frame.loc[:, (frame.fillna(0) != 0).any(axis=0)]
    fig, ax = new(title, year, source, size=size or (8.5, 1.4 + 0.38 * len(frame)))
    ypos = list(range(len(frame)))[::-1]
    left = pd.Series(0.0, index=frame.index)
    for i, column in enumerate(frame.columns):
        values = frame[column].fillna(0)
        ax.barh(ypos, values, left=left, color=COLOURS[i % len(COLOURS)], label=str(column), height=0.7)
        left = left + values
    if totals:
        for y, (name, total) in zip(ypos, left.items()):
            missing = frame.loc[name].isna().any()
            ax.text(total, y, f" {total:g}" + ("（含空白）" if missing else ""), va="center", fontsize=8)
    ax.set_yticks(ypos, [str(i) for i in frame.index])
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(float(left.max()), 1.0) * 1.1)  # room for the totals (zero-width segments pin autoscaling)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def grouped(frame: pd.DataFrame, title: str, year: str | int, *, source: str = SOURCE, xlabel: str = "",
            size: tuple[float, float] | None = None) -> Figure:
    """Horizontal grouped bars: one group per row label, one bar per column (e.g. 2023 and 2024)."""
    n = len(frame.columns)
    fig, ax = new(title, year, source, size=size or (8.5, 1.5 + 0.2 * n * len(frame)))
    height = 0.8 / max(n, 1)
    base = list(range(len(frame)))[::-1]
    for i, column in enumerate(frame.columns):
        ys = [b + 0.4 - height * (i + 0.5) for b in base]
        values = frame[column]
        ax.barh(ys, values.fillna(0), height=height, color=COLOURS[i % len(COLOURS)], label=str(column))
        for y, v in zip(ys, values):
            ax.text(0 if pd.isna(v) else v, y, " —" if pd.isna(v) else f" {v:g}", va="center", fontsize=7,
                    color=MUTED if pd.isna(v) else INK)
    ax.set_yticks(base, [str(i) for i in frame.index])
    ax.set_xlabel(xlabel)
    ax.margins(x=0.06)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="lower right")
    return fig


def bars(values: pd.Series, title: str, year: str | int, *, source: str = SOURCE, xlabel: str = "",
         colour: str = COLOURS[1], size: tuple[float, float] | None = None) -> Figure:
    """Horizontal bars of one number per label, each labelled with its value."""
    fig, ax = new(title, year, source, size=size or (8.0, 1.3 + 0.36 * len(values)))
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


def page_proof(pdf: str | Path, page: int, box: Iterable[float], title: str, year: str | int, *,
               source: str = SOURCE, caption: str = "", scale: float = 2.0, margin: float = 60.0) -> Figure:
    """The page image with one cell's box drawn on it, and a close-up: the proof for one figure.

    `page` is 1-based; `box` is (x0, y0, x1, y1) in PDF points with the origin bottom-left, as in
    cells.csv. The image is drawn in PDF points, so the box needs no conversion.
    """
    import pypdfium2

    x0, y0, x1, y1 = (float(v) for v in box)
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        pdf_page = doc[page - 1]
        width, height = pdf_page.get_size()
        image = pdf_page.render(scale=scale).to_pil()
    finally:
        doc.close()
    fig, (whole, close) = new(title, year, source, ncols=2, size=(9.0, 6.2), width_ratios=[1, 1.25])
    for ax in (whole, close):
        ax.imshow(image, extent=(0, width, 0, height), origin="upper", interpolation="antialiased")
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=COLOURS[1], linewidth=2))
    whole.set_title(f"第 {page} 页（PDF 坐标，单位：点，原点在左下角）", fontsize=9)
    close.set_xlim(max(0, x0 - 3 * margin), min(width, x1 + 3 * margin))
    close.set_ylim(max(0, y0 - margin), min(height, y1 + margin))
    close.set_title(caption or f"单元格边框 ({x0:.1f}, {y0:.1f}) – ({x1:.1f}, {y1:.1f})", fontsize=9)
    for ax in (whole, close):
        ax.tick_params(labelsize=7)
    return fig


def report_labels(reports: pd.DataFrame) -> pd.Series:
    """A short display label per report id, from reports.csv: '公安局 2024', '淮安市洪泽区人民政府 2023'."""
    return pd.Series([f"{short_name(b)} {y}" for b, y in zip(reports["body"], reports["year"])],
                     index=pd.Index(reports["report"], name="report"), name="label")


def short_name(body: str, prefixes: Iterable[str] = ("平潭综合实验区",)) -> str:
    """A body's name without the umbrella prefix, for axis labels ('平潭综合实验区公安局' -> '公安局')."""
    for prefix in prefixes:
        if body.startswith(prefix) and len(body) > len(prefix):
            return body[len(prefix):].strip()
    return body


style()
