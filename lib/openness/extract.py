"""PDF (or HTML page) -> grids -> an Extraction of official cells.

Only the pages that hold the tables are handed to Camelot: they are found from
the text layer (pypdfium2, milliseconds a page). Camelot runs the lattice flavor
with its vector engine, which reads the ruled lines straight from the PDF's
drawing operators without rendering a page; when a table comes out incomplete
the pages are read again with the `combined` engine (rendering plus vector
lines), and the more complete reading is kept.
"""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path

from .labels import label_key
from .model import TABLES, Extraction, Grid, Problem
from .tables import grids_to_extraction

log = logging.getLogger(__name__)

# Words printed in the three tables and seldom in prose, as label keys. A page
# with two of them holds a table; so may the page after it (a table's tail).
_TABLE_WORDS = (
    "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
    "本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量", "采购总金额",
    "申请人情况", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量", "本年度办理结果", "属于国家秘密", "三安全一稳定", "保护第三方合法权益",
    "三类内部事务信息", "四类过程性信息", "属于行政执法案卷", "属于行政查询事项", "本机关不掌握相关政府信息",
    "没有现成信息需要另行制作", "补正后申请内容仍不明确", "信访举报投诉类申请", "要求提供公开出版物",
    "无正当理由大量反复申请", "重新出具已获取信息", "逾期不补正", "结转下年度继续办理",
    "结果维持", "结果纠正", "其他结果", "尚未审结", "未经复议直接起诉", "复议后起诉",
)
_TABLE1_ROW_WORDS = ("行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费", "政府集中采购")
# A report says what it is in its text; a PDF with none of these is not one.
_REPORT_WORDS = ("政府信息公开", "申请人情况", "行政复议")
MIN_TEXT_CHARS = 50  # fewer characters of text than this over all pages: a scanned PDF

ENGINE = "vector"
FALLBACK_ENGINE = "combined"
# pdfminer's text-box ordering (boxes_flow) is the slowest part of Camelot's
# page layout and tables do not need it: cells take the text lines inside them.
LAYOUT = {"boxes_flow": None}


class InputError(Exception):
    """An input that cannot be read at all, with a reason in plain words."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def page_texts(path: str | Path) -> list[str]:
    """The text layer of every page, or an InputError saying why there is none."""
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
        doc = pdfium.PdfDocument(str(p))
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise InputError("encrypted", "encrypted PDF: needs a password") from exc
        raise InputError("unreadable", f"corrupt or truncated PDF ({msg})") from exc
    try:
        texts = []
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            texts.append(tp.get_text_range())
            tp.close()
            page.close()
        return texts
    finally:
        doc.close()


def table_pages(texts: list[str]) -> list[int]:
    """1-based numbers of the pages that hold the tables, judged from their text.

    A page printing two table words holds a table; the page after one is read
    too when it prints one (the last rows of a table cut by a page break).
    """
    keys = [label_key(t) for t in texts]
    hits = [sum(1 for w in _TABLE_WORDS if w in k) for k in keys]
    # the last rows of table 1 alone on a page print only row labels (行政强制, 行政事业性收费)
    rows = [any(w in k for w in _TABLE1_ROW_WORDS) for k in keys]
    return [i + 1 for i, h in enumerate(hits) if h >= 2 or ((h >= 1 or rows[i]) and i > 0 and hits[i - 1] >= 2)]


def grids_from_camelot(tables, source: str, method: str) -> list[Grid]:
    """Camelot tables -> grids, merged cells rebuilt from the cells' missing edges."""
    grids = []
    for index, table in enumerate(tables):
        cells = table.cells
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
        span = [[find(r * n_cols + c) for c in range(n_cols)] for r in range(n_rows)]
        texts: dict[int, list[str]] = {}
        boxes: dict[int, list[float]] = {}
        for r in range(n_rows):
            for c in range(n_cols):
                root, cell = span[r][c], cells[r][c]
                if cell.text.strip():
                    texts.setdefault(root, []).append(cell.text.strip())
                b = boxes.setdefault(root, [cell.x1, cell.y1, cell.x2, cell.y2])
                b[0], b[1] = min(b[0], cell.x1), min(b[1], cell.y1)
                b[2], b[3] = max(b[2], cell.x2), max(b[3], cell.y2)
        grid_text = [["\n".join(texts.get(root, [])) for root in row] for row in span]
        grid_boxes = [[tuple(round(v, 2) for v in boxes[root]) for root in row] for row in span]
        bbox = tuple(round(v, 2) for v in table._bbox) if getattr(table, "_bbox", None) else None
        grids.append(Grid(source, int(table.page), grid_text, span, grid_boxes, method, bbox, index))
    return grids


def camelot_grids(path: str | Path, pages: list[int], engine: str) -> list[Grid]:
    """Run Camelot's lattice flavor on some pages with one line engine."""
    import camelot

    if not pages:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # split_text: two labels that just fit their narrow cells sit close enough for pdfminer
        # to read them as one line ('商业企业 科研机构'); cut such lines at the ruled cell edges.
        tables = camelot.read_pdf(str(path), pages=",".join(map(str, pages)), flavor="lattice", engine=engine, layout_kwargs=LAYOUT, split_text=True)
    return grids_from_camelot(tables, str(path), f"camelot-lattice-{engine}")


def _score(ex: Extraction) -> tuple[int, int]:
    """Complete tables first, then figures found: which of two readings to keep."""
    return sum(ex.complete.get(t, False) for t in TABLES), len(ex.cells)


def _worth_reading_again(ex: Extraction, texts: list[str], pages: list[int]) -> bool:
    """Whether an incomplete reading may be the extractor's fault, not the report's.

    A missing table, a missing cell, or a label that placed nowhere may be a
    misread; a missing row whose label the table pages do not print at all is
    the report's own gap (many departments leave out 规章), and reading the
    pages again would only cost time.
    """
    printed = label_key("".join(texts[p - 1] for p in pages))
    for problem in ex.problems:
        if problem.kind == "missing_row":
            if label_key((problem.label or "").split(" / ")[-1]) in printed:
                return True
        elif problem.kind in ("missing_table", "missing_cell", "unplaced_label", "duplicate"):
            return True
    return False


def extract_pdf(path: str | Path, report: str) -> Extraction:
    """Every figure of a report PDF's three tables, with problems and provenance."""
    try:
        texts = page_texts(path)
    except InputError as exc:
        return Extraction(report, str(path), problems=[Problem(str(path), exc.kind, str(exc))])
    total = sum(len(t.strip()) for t in texts)
    if total < MIN_TEXT_CHARS:
        return Extraction(
            report, str(path),
            problems=[Problem(str(path), "no_text", f"no text layer ({total} characters in {len(texts)} pages): a scanned PDF needs OCR first")],
        )
    pages = table_pages(texts)
    if not pages or not any(w in label_key("".join(texts)) for w in _REPORT_WORDS):
        return Extraction(report, str(path), problems=[Problem(str(path), "not_a_report", "not an annual report: none of its pages holds the statistical tables")])
    grids = camelot_grids(path, pages, ENGINE)
    ex = grids_to_extraction(grids, report, str(path), f"camelot-lattice-{ENGINE}")
    incomplete = [t for t in TABLES if not ex.complete.get(t, False)]
    if incomplete and _worth_reading_again(ex, texts, pages):
        # Read again, with the rendering engine, only the pages of the incomplete
        # tables (all table pages when a table was not found at all), and keep
        # the reading that is more complete. A report that really leaves a row
        # out costs one page more, not the whole report again.
        found = {c.page for c in ex.cells if c.table in incomplete}
        again_pages = sorted(found) if all(any(c.table == t for c in ex.cells) for t in incomplete) else pages
        log.info("%s: %s incomplete with engine %s, reading pages %s with %s", path, incomplete, ENGINE, again_pages, FALLBACK_ENGINE)
        kept = [g for g in grids if g.page not in again_pages]
        again = grids_to_extraction(kept + camelot_grids(path, again_pages, FALLBACK_ENGINE), report, str(path), f"camelot-lattice-{FALLBACK_ENGINE}")
        if _score(again) > _score(ex):
            ex = again
    return ex


def extract_html(path: str | Path, report: str) -> Extraction:
    """Every figure of a report published as a web page (or a fragment of one)."""
    from .html import read_html

    try:
        page = read_html(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Extraction(report, str(path), problems=[Problem(str(path), "unreadable", f"cannot read the HTML page ({exc})")])
    if not page.grids:
        return Extraction(report, str(path), problems=[Problem(str(path), "not_a_report", "not an annual report: the page holds none of the statistical tables")])
    return grids_to_extraction(page.grids, report, str(path), "html")


def extract_report(path: str | Path, report: str | None = None) -> Extraction:
    """Extract one report file (PDF, or HTML by its suffix); `report` defaults to the file stem."""
    p = Path(path)
    report = report or p.stem
    start = time.perf_counter()
    if p.suffix.lower() in (".html", ".htm"):
        ex = extract_html(p, report)
    else:
        ex = extract_pdf(p, report)
    ex.seconds = round(time.perf_counter() - start, 3)
    return ex
