"""Print a report's figures through other programs than the project's typesetter: Writer, Calc, Chromium.

Offices make their reports in Word or WPS and in Excel, and readers save web
pages as PDF; a reader must be right on what those programs print. This lays a
report out once (the same tables, label variants and section headings as
`typeset`, from the same figures) and writes it three ways:

- `writer`: a Word document (python-docx), printed to PDF by LibreOffice Writer;
- `calc`: a spreadsheet (openpyxl), numbers typed as numbers, printed by LibreOffice Calc;
- `chromium`: a web page (HTML), saved as PDF by headless Chromium.

The layout choices are drawn from a seed (`random_look`): table 1 as one grid
with merged section rows or one small table per section, table 2's header
repeated on each page, column widths, fonts and sizes, table 3 in one band or in
two (review, then litigation; always two in Calc, whose page is ten columns wide).
The programs come from Debian (libreoffice-writer-nogui, libreoffice-calc-nogui,
chromium, fonts-noto-cjk); they are tools for making test files, not
dependencies of the project.

    python -m openness.tooling.producers fixtures   # remake tests/fixtures/producers
"""

from __future__ import annotations

import argparse
import html
import math
import random
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from openness import labels, paths
from openness.fonts import cjk_font_path
from openness.tooling import typeset
from openness.tooling.typeset import SECTIONS, SPECIMEN_NOTE, Layout, _Grid, _Printer

ROOT = paths.project_root()
RAW = paths.raw(ROOT)
FIXTURES = ROOT / "tests" / "fixtures" / "producers"
PRODUCERS = ("writer", "calc", "chromium")
FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")  # Debian's fonts-noto-cjk (Debian's Chromium embeds them as Type 3 glyphs)
WEB_FONT = "Noto Sans SC"  # the project's TrueType font, which a web page links (@font-face): Chromium embeds a subset
WEB_FONT_FILE = "NotoSansSC.ttf"  # beside the page
WIDE = 10_000.0  # points: wide enough that the typesetter's grids break no label or figure into lines
CALC_COLUMNS = 10  # the sheet's columns: table 2's ten


@dataclass(frozen=True)
class Look:
    """The layout choices of one print; the same Look and figures give the same document."""

    producer: str
    seed: int = 0
    font: str = FONTS[0]
    font_size: float = 10.5  # table text, points
    margin_cm: float = 2.5
    label_share: float = 0.3  # table 1: share of the width for the label column
    request_shares: tuple[float, float, float] = (0.05, 0.1, 0.25)  # table 2: its three label columns
    repeat_header: bool = False  # table 2's header rows repeated on each page it runs over
    vertical: bool = True  # 三、本年度办理结果 printed one character a line (else wrapped by the program)
    bands: bool = False  # table 3 in two bands, review then litigation (Calc: always)
    prose: int = 2  # placeholder paragraphs per prose section (Writer, Chromium)
    gap: int = 1  # empty rows between tables (Calc)
    typeset: Layout = field(default_factory=Layout)  # label variants, table 1 split, table 3 leaf spans


def random_look(producer: str, seed: int) -> Look:
    """A plausible look for `producer`, drawn from `seed`."""
    if producer not in PRODUCERS:
        raise ValueError(f"unknown producer {producer!r}; expected one of {PRODUCERS}")
    rng = random.Random(f"{producer}:{seed}")
    return Look(
        producer=producer,
        seed=seed,
        font=rng.choice(FONTS + ((WEB_FONT,) if producer == "chromium" else ())),
        font_size=rng.choice((9.0, 10.0, 10.5, 12.0) if producer != "calc" else (9.0, 10.0, 11.0)),
        margin_cm=rng.choice((1.8, 2.2, 2.54, 3.0)),
        label_share=rng.uniform(0.25, 0.4),
        request_shares=(rng.uniform(0.04, 0.07), rng.uniform(0.08, 0.14), rng.uniform(0.2, 0.3)),
        repeat_header=rng.random() < 0.5,
        vertical=rng.random() < 0.5,
        bands=producer == "calc" or rng.random() < 0.2,
        prose=rng.randint(0, 6),
        gap=rng.randint(0, 2),
        typeset=Layout(
            seed=seed,
            variant_rate=rng.choice((0.0, 0.2, 0.4)),
            proactive_split=rng.random() < 0.5,
            review_leaf_span=rng.random() < 0.6,
            yuan_suffix=rng.random() < 0.3,
        ),
    )


def adjust(look: Look, **changes) -> Look:
    """The look with `changes`; a name that is not the Look's own (proactive_split, variant_rate ...) goes to its typeset Layout."""
    layout = {k: changes.pop(k) for k in list(changes) if k not in Look.__dataclass_fields__}
    return replace(look, typeset=replace(look.typeset, **layout), **changes)


# ---------------------------------------------------------------- the report, laid out once


@dataclass
class Block:
    """One piece of the report in reading order: a title, heading, paragraph or table."""

    kind: str  # 'title', 'heading', 'text' or 'table'
    text: str = ""
    grid: _Grid | None = None
    role: str = ""  # a table's: 'proactive', 'requests', 'appeals'
    widths: list[float] = field(default_factory=list)  # a table's column widths, shares of the line


class _Labels(_Printer):
    """The typesetter's label variants, without its line breaks: the program wraps the text."""

    def __init__(self, layout: Layout, vertical: bool):
        super().__init__(layout)
        self.one_char_lines = vertical

    def wrapped(self, width: float, size: float, path: str, text: str | None = None) -> str:
        """The printed label at `path`, unbroken."""
        return self(path, text)

    def vertical(self, path: str) -> str:
        """三、本年度办理结果 one character a line, or as one string the program wraps."""
        if self.one_char_lines or path in self.layout.labels:
            return super().vertical(path)
        self.printed[path] = "三、本年度办理结果"
        return self.printed[path]


def compose(figures: pd.DataFrame, template: str, body: str, year: int, look: Look, partial: bool = False) -> list[Block]:
    """The report as blocks: title, note, the six sections, the three tables (table 3 in bands if the look says)."""
    values, shape = typeset.prepare(figures, template, partial)
    typeset._font()
    pr = _Labels(look.typeset, look.vertical)
    size = look.font_size
    blocks = [
        Block("title", body),
        Block("title", f"{year}年政府信息公开工作年度报告"),
        Block("text", SPECIMEN_NOTE.format(body=body, year=year)),
    ]

    def heading(i: int) -> None:
        blocks.append(Block("heading", pr(f"section:{i + 1}", SECTIONS[i]).replace("\n", "")))

    def prose() -> None:
        blocks.extend(Block("text", p) for p in pr.filler(look.prose))

    heading(0)
    prose()
    heading(1)
    for grid in typeset._proactive_grids(values, shape, pr, WIDE, size, look.typeset):
        blocks.append(Block("table", grid=grid, role="proactive", widths=[look.label_share] + [(1 - look.label_share) / 6] * 6))
    heading(2)
    if shape.requests_rows:
        shares = list(look.request_shares)
        grid = typeset._requests_grid(values, shape, pr, WIDE, size)
        blocks.append(Block("table", grid=grid, role="requests", widths=shares + [(1 - sum(shares)) / 7] * 7))
    heading(3)
    if shape.appeals_cols:
        grid = typeset._appeals_grid(values, shape, pr, WIDE, size, look.typeset)
        if look.bands or look.producer == "calc":
            blocks += [
                Block("table", grid=band, role="appeals", widths=[1 / 10] * len(band.widths)) for band in bands(grid, (0, 5, 15))
            ]
        else:
            blocks.append(Block("table", grid=grid, role="appeals", widths=[1 / 15] * 15))
    heading(4)
    prose()
    heading(5)
    prose()
    return blocks


def bands(grid: _Grid, cuts: tuple[int, ...]) -> list[_Grid]:
    """The grid cut into bands of columns [cuts[i], cuts[i+1]), each band with its own rows; a span crossing a cut is refused."""
    out = []
    for lo, hi in zip(cuts, cuts[1:]):
        spans = []
        for c0, r0, c1, r1 in grid.spans:
            if lo <= c0 and c1 < hi:
                spans.append((c0 - lo, r0, c1 - lo, r1))
            elif c0 < hi and c1 >= lo:
                raise ValueError(f"span {(c0, r0, c1, r1)} crosses the band [{lo}, {hi})")
        text = [row[lo:hi] for row in grid.text]
        out.append(
            _Grid(
                text,
                spans,
                grid.header,
                grid.widths[lo:hi],
                list(grid.shaded),
                {r: c - lo for r, c in grid.label_cells.items() if lo <= c < hi},
            )
        )
    return out


def cells(grid: _Grid) -> list[tuple[int, int, int, int, str]]:
    """Each cell that prints, once: (row, column, rows spanned, columns spanned, text); covered cells left out."""
    roots = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for c0, r0, c1, r1 in grid.spans}
    covered = {(r, c) for c0, r0, c1, r1 in grid.spans for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(roots)
    return [
        (r, c, *roots.get((r, c), (1, 1)), text)
        for r, row in enumerate(grid.text)
        for c, text in enumerate(row)
        if (r, c) not in covered
    ]


def _is_label(grid: _Grid, r: int, c: int) -> bool:
    return grid.label_cells.get(r) == c


# ---------------------------------------------------------------- Word, for LibreOffice Writer


def to_docx(blocks: list[Block], look: Look, path: Path) -> Path:
    """Write the report as a Word document, tables as Word tables with merged cells."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt
    from docx.table import _Cell

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = look.font
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), look.font)
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(look.margin_cm)
    line_cm = 21.0 - 2 * look.margin_cm
    previous = ""
    for block in blocks:
        if block.kind != "table":
            p = doc.add_paragraph()
            run = p.add_run(block.text)
            run.bold = block.kind in ("title", "heading")
            if block.kind == "title":
                run.font.size = Pt(16)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            previous = block.kind
            continue
        if previous == "table":  # two tables with nothing between are one table to Word
            doc.add_paragraph()
        grid = block.grid
        table = doc.add_table(rows=len(grid.text), cols=len(grid.text[0]))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        # the cells by row and column before any merge (table.cell() rebuilds the whole grid on each call)
        at = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
        for c, (column, share) in enumerate(zip(table.columns, block.widths)):  # Writer reads the grid's widths, Word each cell's
            column.width = Cm(line_cm * share)
            for row in at:
                row[c].width = Cm(line_cm * share)
        if block.role == "requests" and look.repeat_header:
            for row in table.rows[: grid.header]:
                mark = OxmlElement("w:tblHeader")
                mark.set(qn("w:val"), "true")
                row._tr.get_or_add_trPr().append(mark)
        for r, c, rows, cols, text in cells(grid):
            cell = at[r][c]
            if rows > 1 or cols > 1:
                cell = cell.merge(at[r + rows - 1][c + cols - 1])
            cell.vertical_alignment = 1  # WD_ALIGN_VERTICAL.CENTER
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if _is_label(grid, r, c) else WD_ALIGN_PARAGRAPH.CENTER
            if text:
                p.add_run(text).font.size = Pt(look.font_size)
        previous = "table"
    doc.save(path)
    return path


# ---------------------------------------------------------------- Excel, for LibreOffice Calc


def _number(text: str) -> tuple[object, str]:
    """A figure as a spreadsheet cell holds it: a number with the format that prints it as given, or the text."""
    try:
        if text.lstrip("-").isdigit():
            return int(text), "0"
        whole, _, decimals = text.partition(".")
        if decimals.isdigit() and whole.lstrip("-").isdigit():
            return float(text), "0." + "0" * len(decimals)
    except ValueError:
        pass
    return text, "General"


def _sheet_columns(block: Block) -> list[tuple[int, int]]:
    """The sheet columns (first, last; 1-based) each grid column covers: the first column widens to fill ten."""
    n = len(block.grid.text[0])
    if block.role == "appeals" or n >= CALC_COLUMNS:
        return [(c + 1, c + 1) for c in range(n)]
    extra = CALC_COLUMNS - n
    return [(1, 1 + extra)] + [(c + 1 + extra, c + 1 + extra) for c in range(1, n)]


def _text_width(text: str, size: float) -> float:
    """Points a line of text takes (CJK one em, other characters about half)."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in text)


def to_xlsx(blocks: list[Block], look: Look, path: Path) -> Path:
    """Write the report's tables on one sheet of ten columns, numbers typed as numbers, fitted to the page width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    rng = random.Random(f"calc-widths:{look.seed}")
    wb = Workbook()
    ws = wb.active
    ws.title = "年报表格"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name=look.font, size=look.font_size)
    # column widths in points: table 2's three label columns, then seven figure columns
    widths = [w * rng.uniform(0.85, 1.2) for w in (32, 48, 120)] + [44 * rng.uniform(0.9, 1.25)] * 7
    placed: list[tuple[int, int, int, int, str, bool]] = []  # row, col0, col1, rows, text, boxed
    row = 1
    for block in blocks:
        if block.kind == "text":
            continue  # a spreadsheet holds the tables and their titles, not the prose
        if block.kind in ("title", "heading"):
            ws.cell(row, 1, block.text).font = Font(name=look.font, size=look.font_size + 2, bold=True)
            row += 1
            continue
        grid, columns = block.grid, _sheet_columns(block)
        for r, c, rows, cols, text in cells(grid):
            first, last = columns[c][0], columns[c + cols - 1][1]
            cell = ws.cell(row + r, first)
            value, number_format = (
                _number(text) if text and r >= grid.header and not _is_label(grid, r, c) else (text or None, "General")
            )
            cell.value = value
            cell.number_format = number_format
            if rows > 1 or last > first:
                ws.merge_cells(start_row=row + r, start_column=first, end_row=row + r + rows - 1, end_column=last)
            for rr in range(row + r, row + r + rows):
                for cc in range(first, last + 1):
                    x = ws.cell(rr, cc)
                    x.border, x.font = box, font
                    x.alignment = Alignment(
                        horizontal="left" if _is_label(grid, r, c) else "center", vertical="center", wrap_text=True
                    )
            placed.append((row + r, first, last, rows, text, number_format != "General"))
        if block.role == "requests" and look.repeat_header:
            ws.print_title_rows = f"{row}:{row + grid.header - 1}"
        row += len(grid.text) + look.gap
    for _, first, last, _, text, is_number in placed:  # a number too wide for its cell prints as ###
        need = _text_width(text, look.font_size) + 8
        have = sum(widths[first - 1 : last])
        if is_number and need > have:
            for c in range(first - 1, last):
                widths[c] += (need - have) / (last - first + 1)
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[chr(64 + c)].width = round(w / 5.6, 2)  # points -> Excel's character units
    heights: dict[int, float] = {}
    for r, first, last, rows, text, _ in placed:  # Calc keeps an .xlsx's row heights: give each its wrapped lines
        if rows > 1:
            continue
        room = sum(widths[first - 1 : last]) - 6
        lines = sum(max(1, math.ceil(_text_width(part, look.font_size) / room)) for part in (text or " ").split("\n"))
        heights[r] = max(heights.get(r, 0), lines * look.font_size * 1.3 + 4)
    for r, h in heights.items():
        ws.row_dimensions[r].height = h
    margin = look.margin_cm / 2.54
    ws.page_margins.left = ws.page_margins.right = ws.page_margins.top = ws.page_margins.bottom = margin
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)
    return path


# ---------------------------------------------------------------- a web page, for Chromium


def to_html(blocks: list[Block], look: Look) -> str:
    """The report as a web page: tables with rowspan/colspan, table 2's header in <thead> when it repeats."""
    out = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(blocks[0].text + blocks[1].text)}</title><style>",
        f"@page {{ size: A4; margin: {look.margin_cm}cm; }}",
        f'@font-face {{ font-family: "{WEB_FONT}"; src: url("{WEB_FONT_FILE}"); }} h1, h2 {{ font-weight: normal; }}'
        if look.font == WEB_FONT
        else "",  # one weight only: Chromium draws a made-up bold as Type 3 glyphs
        f'body {{ font-family: "{look.font}"; font-size: 12pt; line-height: 1.6; }}',
        "h1 { font-size: 16pt; text-align: center; margin: 4pt 0; } h2 { font-size: 13pt; margin: 10pt 0 4pt; }",
        "p { text-indent: 2em; margin: 2pt 0; }",
        f"table {{ border-collapse: collapse; width: 100%; table-layout: fixed; margin: 6pt 0; font-size: {look.font_size}pt; }}",
        "td { border: 1px solid #000; padding: 2px 3px; text-align: center; vertical-align: middle; line-height: 1.3; }",
        "td.label { text-align: left; }",
        "</style></head><body>",
    ]
    for block in blocks:
        if block.kind != "table":
            tag = {"title": "h1", "heading": "h2", "text": "p"}[block.kind]
            out.append(f"<{tag}>{html.escape(block.text)}</{tag}>")
            continue
        grid = block.grid
        out.append("<table><colgroup>" + "".join(f'<col style="width:{100 * w:.2f}%">' for w in block.widths) + "</colgroup>")
        head = grid.header if block.role == "requests" and look.repeat_header else 0
        rows: dict[int, list[str]] = {r: [] for r in range(len(grid.text))}
        for r, c, nrows, ncols, text in cells(grid):
            attrs = (f' rowspan="{nrows}"' if nrows > 1 else "") + (f' colspan="{ncols}"' if ncols > 1 else "")
            attrs += ' class="label"' if _is_label(grid, r, c) else ""
            rows[r].append(f"<td{attrs}>{html.escape(text).replace(chr(10), '<br>')}</td>")
        body = [f"<tr>{''.join(rows[r])}</tr>" for r in range(len(grid.text))]
        out.append((f"<thead>{''.join(body[:head])}</thead>" if head else "") + f"<tbody>{''.join(body[head:])}</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out)


# ---------------------------------------------------------------- the programs


def missing(producer: str) -> str | None:
    """Why `producer` cannot print on this machine (None: it can)."""
    program = "chromium" if producer == "chromium" else "soffice"
    if shutil.which(program) is None:
        return f"{program} is not installed (Debian: libreoffice-writer-nogui, libreoffice-calc-nogui, chromium, fonts-noto-cjk)"
    module = {"writer": "docx", "calc": "openpyxl"}.get(producer)
    if module:
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install 'openness[tooling]')"
    return None


def soffice(sources: list[Path], outdir: Path, batch: int = 25) -> list[Path]:
    """Print documents or spreadsheets to PDF with LibreOffice, `batch` to a run (its start-up costs seconds).

    LibreOffice exits 0 when a file did not convert, and a long run can stop
    half-way: each batch is checked, and a file missing is tried once more on its own.
    """

    def run(files: list[Path]) -> str:
        with tempfile.TemporaryDirectory(prefix="openness-soffice-") as profile:  # its own profile: another soffice may run
            done = subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation={Path(profile).as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(outdir),
                    *map(str, files),
                ],
                capture_output=True,
                text=True,
                timeout=120 + 30 * len(files),
            )
        return done.stdout[-500:] + done.stderr[-500:]

    def pdf(source: Path) -> Path:
        return outdir / f"{source.stem}.pdf"

    for i in range(0, len(sources), batch):
        run(sources[i : i + batch])
    said = {s: run([s]) for s in sources if not pdf(s).exists()}  # once more, on its own
    if failed := [s for s in said if not pdf(s).exists()]:
        raise RuntimeError(f"LibreOffice printed no PDF for {[s.name for s in failed[:5]]}: {said[failed[0]]}")
    return [pdf(s) for s in sources]


def chromium(page: Path, pdf: Path) -> Path:
    """Save a web page as PDF with headless Chromium, without the header and footer a browser adds."""
    with tempfile.TemporaryDirectory(prefix="openness-chromium-") as profile:
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={profile}",
                "--allow-file-access-from-files",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf.resolve()}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return pdf


@dataclass
class PrintJob:
    """One report to print: its figures, what it is, and how it looks."""

    name: str
    figures: pd.DataFrame
    template: str
    look: Look
    body: str = "某某县人民政府"
    year: int = 2024
    partial: bool = False


def print_reports(jobs: list[PrintJob], outdir: Path, workers: int = 2) -> dict[str, Path]:
    """Print every job to outdir/<name>.pdf through its producer (LibreOffice runs once per producer); name -> PDF."""
    outdir.mkdir(parents=True, exist_ok=True)
    done: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="openness-print-") as tmp:
        sources: dict[str, list[Path]] = {p: [] for p in PRODUCERS}
        for job in jobs:
            blocks = compose(job.figures, job.template, job.body, job.year, job.look, job.partial)
            source = Path(tmp) / f"{job.name}{ {'writer': '.docx', 'calc': '.xlsx', 'chromium': '.html'}[job.look.producer] }"
            if job.look.producer == "writer":
                to_docx(blocks, job.look, source)
            elif job.look.producer == "calc":
                to_xlsx(blocks, job.look, source)
            else:
                source.write_text(to_html(blocks, job.look), encoding="utf-8")
                if job.look.font == WEB_FONT and not (Path(tmp) / WEB_FONT_FILE).exists():
                    (Path(tmp) / WEB_FONT_FILE).symlink_to(cjk_font_path())
            sources[job.look.producer].append(source)
        office = sources["writer"] + sources["calc"]
        if office:
            for pdf in soffice(office, outdir):
                done[pdf.stem] = pdf
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for pdf in pool.map(lambda s: chromium(s, outdir / f"{s.stem}.pdf"), sources["chromium"]):
                done[pdf.stem] = pdf
    missing_pdfs = [j.name for j in jobs if not done.get(j.name, Path("/nonexistent")).exists()]
    if missing_pdfs:
        raise RuntimeError(f"no PDF came out for {missing_pdfs[:5]}")
    return done


# ---------------------------------------------------------------- the committed fixtures


@dataclass(frozen=True)
class Fixture:
    """A committed print: its name, the figures it prints (a data/raw report, or random for a template) and its look."""

    name: str
    figures: str  # a report of data/raw/figures, 'random:<template>:<seed>', or 'print:<seed>' (random_print_figures)
    look: Look


def _fixture(name: str, figures: str, producer: str, seed: int, **changes) -> Fixture:
    return Fixture(name, figures, adjust(random_look(producer, seed), **changes))


FIXTURE_SET: tuple[Fixture, ...] = (
    _fixture("hongze-2023-writer", "hongze-2023", "writer", 1, proactive_split=False, repeat_header=True, vertical=False),
    _fixture("pingtan-2019-writer", "pingtan-2019", "writer", 2, proactive_split=True, repeat_header=False),
    _fixture("random-2021-writer", "random:2021:3", "writer", 3, proactive_split=True, bands=True, font=FONTS[1]),
    _fixture("pingtan-gonganju-2024-writer", "pingtan-gonganju-2024", "writer", 4, proactive_split=False),
    _fixture("fenyang-2023-calc", "fenyang-2023", "calc", 1, proactive_split=False, repeat_header=False),
    _fixture("pingtan-2020-calc", "pingtan-2020", "calc", 2, proactive_split=True, font=FONTS[1]),
    _fixture("random-mixed-calc", "random:mixed:5", "calc", 5, proactive_split=False, repeat_header=True),
    _fixture(
        "pingtan-2024-chromium",
        "pingtan-2024",
        "chromium",
        1,
        proactive_split=False,
        repeat_header=True,
        bands=False,
        font=WEB_FONT,
    ),
    _fixture(
        "random-2019-chromium", "random:2019:7", "chromium", 7, proactive_split=True, bands=True, vertical=True, font=WEB_FONT
    ),
    _fixture(
        "hongze-2024-chromium",
        "hongze-2024",
        "chromium",
        8,
        proactive_split=True,
        repeat_header=False,
        bands=False,
        font=FONTS[0],
    ),
    # prints of the long round trip (make roundtrip-long) that the reader once misread, each as printed
    _fixture("print-100002-writer", "print:100002", "writer", 100002),  # a row cut by a page break: 31744 as 3174 | 4
    _fixture("print-100012-writer", "print:100012", "writer", 100012),  # table 2's header cut by a page break
    _fixture("print-944303-writer", "print:944303", "writer", 944303),  # table 1's row cut by a page break: 行政 | 处罚
    _fixture("print-875044-calc", "print:875044", "calc", 875044),  # table 2's print titles over table 3's band
    _fixture("print-673888-calc", "print:673888", "calc", 673888),  # print titles over table 3's figures cut from their header
    _fixture("print-465567-chromium", "print:465567", "chromium", 465567),  # figures run over their cells' borders
    _fixture("print-465628-chromium", "print:465628", "chromium", 465628),  # a cut header's lines below the grid's foot
    _fixture("print-200776-writer", "print:200776", "writer", 200776),  # table 1's header row cut: 信息 | 内容 on two pages
    _fixture("print-586578-calc", "print:586578", "calc", 586578),  # print titles over the rest of a band's cut header
    _fixture("print-977849-chromium", "print:977849", "chromium", 977849),  # overflowing figures touching: 18758 | 3893
    _fixture("print-977797-chromium", "print:977797", "chromium", 977797),  # a blank row under a header at the page's foot
)


def random_print_figures(seed: int, raw: Path = RAW) -> tuple[pd.DataFrame, str, str, int, bool]:
    """(figures, template, body, year, partial) of the random print `seed`: 3 in 10 a data/raw report's, else random ones of any template.

    What the long round trip (`make roundtrip-long`) prints for each seed, so that a
    print it failed on can be committed as a fixture (`print:<seed>`).
    """
    rng = random.Random(seed)
    if rng.random() < 0.3:
        return fixture_figures(rng.choice(sorted(p.stem for p in (raw / "figures").glob("*.csv"))), raw)
    template = rng.choice(labels.TEMPLATES)
    figures, _ = typeset.random_figures(template, rng)
    return figures, template, "某某县人民政府", 2024, False


def fixture_figures(spec: str, raw: Path = RAW) -> tuple[pd.DataFrame, str, str, int, bool]:
    """(figures, template, body, year, partial) for a fixture's figures: a data/raw report, random ones, or a random print's."""
    if spec.startswith("print:"):
        return random_print_figures(int(spec.split(":")[1]), raw)
    if spec.startswith("random:"):
        _, template, seed = spec.split(":")
        figures, _ = typeset.random_figures(template, random.Random(int(seed)))
        return figures, template, "某某县人民政府", 2024, False
    manifest = pd.read_csv(raw / "manifest.csv", dtype=str, keep_default_na=False).set_index("report")
    meta = manifest.loc[spec]
    figures = pd.read_csv(raw / "figures" / f"{spec}.csv", dtype=str, keep_default_na=False)
    partial = bool(typeset.check_template(figures, meta["template"]))
    return figures[["table", "row", "column", "value"]], meta["template"], meta["body"], int(meta["year"]), partial


def make_fixtures(out: Path = FIXTURES, only: list[str] | None = None, log=print) -> pd.DataFrame:
    """Print the fixture set to `out`: <name>.pdf, <name>.csv (its figures) and manifest.csv (how each was made)."""
    out.mkdir(parents=True, exist_ok=True)
    jobs, rows = [], []
    for fx in FIXTURE_SET:
        if only and fx.name not in only:
            continue
        figures, template, body, year, partial = fixture_figures(fx.figures)
        figures.to_csv(out / f"{fx.name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        jobs.append(PrintJob(fx.name, figures, template, fx.look, body, year, partial))
        rows.append(
            {
                "file": f"{fx.name}.pdf",
                "producer": fx.look.producer,
                "figures": fx.figures,
                "template": template,
                "look": repr(fx.look),
            }
        )
    for name, pdf in print_reports(jobs, out).items():
        log(f"{name}: {pdf.stat().st_size // 1024} KB")
    manifest = pd.DataFrame(rows)
    path = out / "manifest.csv"
    if only and path.exists():
        old = pd.read_csv(path, dtype=str, keep_default_na=False)
        manifest = pd.concat([old[~old["file"].isin(manifest["file"])], manifest]).sort_values("file")
    manifest.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    """Command line: remake the committed fixtures, or print one report's figures through a producer."""
    parser = argparse.ArgumentParser(prog="python -m openness.tooling.producers", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fx = sub.add_parser("fixtures", help="print the fixture set to tests/fixtures/producers")
    fx.add_argument("names", nargs="*", help="only these fixtures")
    fx.add_argument("--out", type=Path, default=FIXTURES)
    one = sub.add_parser("print", help="print a data/raw report (or random:<template>:<seed>) through a producer")
    one.add_argument("producer", choices=PRODUCERS)
    one.add_argument("figures")
    one.add_argument("--seed", type=int, default=0)
    one.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    producers = {f.look.producer for f in FIXTURE_SET} if args.command == "fixtures" else {args.producer}
    for producer in producers:
        if why := missing(producer):
            print(f"{producer}: {why}", file=sys.stderr)
            return 2
    if args.command == "fixtures":
        make_fixtures(args.out, args.names or None)
    else:
        figures, template, body, year, partial = fixture_figures(args.figures)
        name = f"{args.figures.replace(':', '-')}-{args.producer}-{args.seed}"
        job = PrintJob(name, figures, template, random_look(args.producer, args.seed), body, year, partial)
        print(print_reports([job], args.out)[name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
