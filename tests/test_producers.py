"""The PDF reader on the same real figures printed by other programs (../shared/corpus/producers).

LibreOffice Writer prints of Word documents, LibreOffice Calc prints of spreadsheets and
Chromium prints of the real 平潭 web pages: every cell scored against that folder's
truth.csv, plus one test per producer quirk, each on the file that shows it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from conftest import CORPUS, need
from openness.extract import extract_report
from openness.readers.pdf import Char, cell_texts, page_chars, page_texts, read_pages, table_pages
from openness.tables import classify

PRODUCERS = CORPUS / "producers"
# The PDFs with a text layer (the scans are the OCR reader's).
TEXT_PDFS = sorted(p.stem for p in PRODUCERS.glob("*.pdf") if "-scan-" not in p.stem) if PRODUCERS.exists() else []


@pytest.fixture(scope="module")
def producer_truth() -> pd.DataFrame:
    return pd.read_csv(need(PRODUCERS / "truth.csv"), dtype=str, keep_default_na=False)


def _number(value: str):
    return Decimal(value).normalize() if value else ""


def test_the_corpus_is_what_the_issue_counts(producer_truth):
    """30 text-layer PDFs, 5,950 printed cells: the scoring below covers all of them."""
    assert len(TEXT_PDFS) == 30
    assert len(producer_truth[producer_truth.report.isin(TEXT_PDFS)]) == 5950


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_every_cell_right(name, producer_truth):
    ex = extract_report(need(PRODUCERS / f"{name}.pdf"))
    got = {(c.table, c.row, c.column): _number(c.value) for c in ex.cells}
    truth = producer_truth[producer_truth.report == name]
    wrong = [
        (r.table, r.row, r.column, r.value, got.get((r.table, r.row, r.column), "<missing>"))
        for r in truth.itertuples()
        if got.get((r.table, r.row, r.column), "<missing>") != _number(r.value)
    ]
    assert len(truth) >= 190
    assert wrong == []
    # nothing reported as a figure where the report prints none (in the tables the truth covers)
    keys = {(r.table, r.row, r.column) for r in truth.itertuples()}
    assert [k for k in got if k[0] in set(truth.table) and k not in keys] == []


def _grid_rows(path: Path, page: int) -> list[list[str]]:
    return [row for g in read_pages(path, [page]) for row in g.text]


def test_writer_one_line_of_label_and_figures_is_four_cells():
    """Writer prints a row as one text line ('行政规范性文件 109 489 597'); each character goes to its own cell."""
    path = need(PRODUCERS / "pingtan-2021-writer-v0.pdf")
    rows = [r for page in table_pages(page_texts(path)) for r in _grid_rows(path, page)]
    row = next(r for r in rows if r[0] == "行政规范性文件")
    truth = pd.read_csv(PRODUCERS / "truth.csv", dtype=str, keep_default_na=False)
    want = truth[(truth.report == "pingtan-2021-writer-v0") & (truth.row == "第二十条第（一）项 / 行政规范性文件")].value.tolist()
    assert [Decimal(v) for v in row[1:]] == [Decimal(v) for v in want]


def test_writer_decimal_point_sits_low_but_in_its_line():
    """The full stop of 1760.1263 stands below its digits' centres; it is read in their line."""
    ex = extract_report(need(PRODUCERS / "fenyang-2023-writer-v1.pdf"))
    fee = next(c for c in ex.cells if c.column_code == "fee_amount")
    assert (fee.value, fee.text) == ("1760.1263", "1760.1263")


def test_calc_last_row_alone_on_a_page_is_kept():
    """Calc puts 四、结转下年度继续办理 alone at the top of page 2: a one-row grid Camelot would drop."""
    ex = extract_report(need(PRODUCERS / "fenyang-2023-calc.pdf"))
    carried = [c for c in ex.cells if c.row_code == "carried_out"]
    assert len(carried) == 7 and {c.page for c in carried} == {2}
    assert ex.status == "ok"


def test_calc_table_3_in_two_bands():
    """Review and litigation printed as two bands, each under its own header: 15 figures."""
    ex = extract_report(need(PRODUCERS / "fenyang-2023-calc.pdf"))
    appeals = {c.column: c.value for c in ex.cells if c.table == "appeals"}
    assert len(appeals) == 15
    assert [appeals[f"行政复议 / {k}"] for k in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")] == [
        "1",
        "3",
        "1",
        "0",
        "5",
    ]
    path = need(PRODUCERS / "fenyang-2023-calc.pdf")
    assert [classify(g) for g in read_pages(path, [2])] == [None, "appeals", "appeals"]


def test_chromium_header_cut_by_a_page_break():
    """平潭 2019: table 3's header ends page 10 as 结/果 and goes on as 维/持 on page 11 with the figures."""
    path = need(PRODUCERS / "pingtan-2019-chromium.pdf")
    assert table_pages(page_texts(path))[-1] == 11
    ex = extract_report(path)
    appeals = [c for c in ex.cells if c.table == "appeals"]
    assert len(appeals) == 15 and {c.page for c in appeals} == {11}
    assert ex.status == "ok"


def test_chromium_header_row_alone_at_the_foot_of_a_page():
    """平潭 2023: 行政复议 | 行政诉讼 alone on page 6, the rest of the header and the figures on page 7."""
    ex = extract_report(need(PRODUCERS / "pingtan-2023-chromium.pdf"))
    appeals = {c.column: c.value for c in ex.cells if c.table == "appeals"}
    assert appeals["行政复议 / 总计"] == "2" and appeals["行政诉讼 / 未经复议直接起诉 / 总计"] == "5"
    fee = next(c for c in ex.cells if c.column_code == "fee_amount")
    assert fee.value == "5949.088667"
    assert ex.status == "ok" and ex.problems == []


FIXTURES = Path(__file__).parent / "fixtures" / "producers"  # prints of the project's generator (committed)


def test_chromium_figure_over_its_cell_border_is_read_whole():
    """A browser's fixed columns: 108274 runs over its cell's right border, its last digit outside the table."""
    path = FIXTURES / "print-465567-chromium.pdf"
    ex = extract_report(path)
    total = next(c for c in ex.cells if (c.row_code, c.column_code) == ("total_handled", "total"))
    assert total.value == "108274"
    chars = page_chars(path, [total.page])[total.page].chars
    outside = [ch.text for ch in chars if total.bbox[1] <= ch.cy <= total.bbox[3] and ch.cx > total.bbox[2]]
    assert outside == ["4"]  # placed by its centre alone, the cell would read 10827
    assert ex.status == "ok"


def test_chromium_cut_header_prints_its_second_lines_below_the_grid():
    """Chromium cuts table 3's header row at the page break and prints 维持, 纠正 … below the grid's last rule."""
    path = FIXTURES / "print-465628-chromium.pdf"
    grid = read_pages(path, [2])[-1]
    below = "".join(ch.text for ch in page_chars(path, [2])[2].chars if ch.cy < grid.bbox[1])
    assert below == "维持纠正结果审结"
    assert grid.text[-1][:4] == ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结"]
    ex = extract_report(path)
    review = {c.column_code: c.value for c in ex.cells if c.table == "appeals" and c.column_code.startswith("review")}
    assert review == {
        "review_upheld": "4",
        "review_corrected": "25",
        "review_other": "121",
        "review_pending": "4",
        "review_total": "129",
    }


# Two columns, two rows: x 0-40-80, y 100-80-60 (Camelot's rows run top to bottom).
_TABLE = SimpleNamespace(cols=[(0.0, 40.0), (40.0, 80.0)], rows=[(100.0, 80.0), (80.0, 60.0)])
_SPAN = [[0, 1], [2, 3]]


def _set(text: str, x: float, y: float, size: float = 8.0) -> list[Char]:
    """Characters set one after another by their advance (half an em each), the baseline at y."""
    return [Char(ch, x + i * size / 2, y, x + (i + 1) * size / 2, y + size) for i, ch in enumerate(text)]


def test_a_word_over_a_cell_border_is_placed_by_its_middle_and_two_words_never_fuse():
    word = _set("117149", 58.0, 64.0)  # from x 58 to 82: starts in column 1, its last digit outside the table
    near = _set("29833", 18.0, 64.0)  # its own word in column 0
    chars, words = near + word, [0] * 5 + [1] * 6
    assert cell_texts(_TABLE, _SPAN, chars, words) == {2: "29833", 3: "117149"}
    # placed character by character (no words known), the last digit would be lost: a shorter figure
    assert cell_texts(_TABLE, _SPAN, chars) == {2: "29833", 3: "11714"}
    # two figures that touch by chance read as one word whose middle stands near the border: neither is read
    fused = cell_texts(_TABLE, _SPAN, _set("24001", 18.0, 64.0) + _set("48420", 38.0, 64.0), [0] * 10)
    assert fused == {2: "24001\ufffd", 3: "48420\ufffd"}


def test_lines_below_the_grid_go_to_the_last_row_only_at_the_foot_of_the_page():
    cells = _set("结果", 42.0, 62.0) + _set("其他", 2.0, 62.0)
    cut = _set("维持", 42.0, 51.0)  # the next line of 结果, under the grid's last rule (y 60)
    assert cell_texts(_TABLE, _SPAN, cells + cut) == {3: "结果\n维持", 2: "其他"}
    # anything else below the grid (a page number, a paragraph) and nothing is moved
    assert cell_texts(_TABLE, _SPAN, cells + cut + _set("3", 40.0, 20.0))[3] == "结果"
    # a line below that runs over a column's border is no cell's
    assert cell_texts(_TABLE, _SPAN, cells + _set("三、收到和处理", 20.0, 51.0))[3] == "结果"
    # a line far below its cell's text is not its next line
    assert cell_texts(_TABLE, _SPAN, cells + _set("维持", 42.0, 40.0))[3] == "结果"


def _moved(src: Path, out: Path, change) -> Path:
    """A copy of a PDF with every page changed by `change` (a pypdf page -> None)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(src).pages:
        change(page)
        writer.add_page(page)
    writer.write(out)
    return out


def test_a_page_whose_mediabox_does_not_start_at_zero(tmp_path):
    """Camelot measures from the MediaBox's corner, pdfium from user space: the characters are moved to match."""
    from pypdf.generic import RectangleObject

    src = need(PRODUCERS / "fenyang-2023-writer-v0.pdf")

    def shift(page):
        box = page.mediabox
        page.mediabox = RectangleObject([box.left - 100, box.bottom - 50, box.right - 100, box.top - 50])

    want = {(c.table, c.row_code, c.column_code): c.value for c in extract_report(src).cells}
    ex = extract_report(_moved(src, tmp_path / "shifted.pdf", shift))
    assert {(c.table, c.row_code, c.column_code): c.value for c in ex.cells} == want
    assert ex.status == "ok"


def test_a_page_shown_sideways_gives_no_wrong_figure(tmp_path):
    """Pages turned by /Rotate 90 show the tables sideways: what is read is right, the rest is reported missing."""
    src = need(PRODUCERS / "fenyang-2023-writer-v0.pdf")
    want = {(c.table, c.row_code, c.column_code): c.value for c in extract_report(src).cells}
    ex = extract_report(_moved(src, tmp_path / "turned.pdf", lambda page: page.rotate(90)))
    got = {(c.table, c.row_code, c.column_code): c.value for c in ex.cells}
    assert [k for k in got if got[k] != want.get(k)] == []
    assert ex.status != "ok" and any(p.kind in ("missing_table", "missing_row", "missing_cell") for p in ex.problems)


def test_a_digit_whose_glyph_pdfium_cannot_decode_is_no_figure(tmp_path):
    """A damaged font (found by the fuzz test, seed 20261204, input 306): pdfium drops the 9s of 4119 and 195.

    pdfminer still reads them, so the cells are marked unreadable: reported, never published as 411 and 15.
    """
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import test_fuzz

    names = test_fuzz.make_inputs(tmp_path, random.Random(20261204), 307)
    ex = extract_report(tmp_path / next(n for n in names if n.startswith("m306-")))
    figures = {c.row_code: (c.value, c.text) for c in ex.cells if c.column_code == "decisions"}
    assert figures["penalties"] == ("", "411\ufffd") and figures["coercion"] == ("", "15\ufffd")
    assert sum(p.kind == "bad_number" for p in ex.problems) == 3
    assert ex.status == "partial"  # a figure printed but not read keeps the report from ok
