"""The extractor scored cell by cell against truth.csv on the real hongze PDFs."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from openness.extract import extract_report
from openness.model import TABLES
from openness.readers.pdf import page_texts, table_pages


def _score(ex, truth: pd.DataFrame) -> list[tuple]:
    got = {(c.table, c.row, c.column): c.value for c in ex.cells}
    rows = truth[truth.report == ex.report]
    assert len(rows) > 0
    return [
        (r.table, r.row, r.column, r.value, got.get((r.table, r.row, r.column)))
        for r in rows.itertuples()
        if got.get((r.table, r.row, r.column)) != r.value
    ]


@pytest.mark.parametrize("name", ["hongze-2023", "hongze-2024"])
def test_every_cell_matches_truth(name, truth, request):
    path = request.getfixturevalue(name.replace("-", "_"))
    ex = extract_report(path)
    assert ex.report == name
    wrong = _score(ex, truth)
    assert wrong == [], wrong
    assert len(ex.cells) == len(truth[truth.report == name]) == 186
    assert ex.template == "mixed"  # 2021 layout with the one-row （六）其他处理
    assert ex.complete == {t: True for t in TABLES}
    assert ex.status == "ok"
    assert ex.problems == []


def test_hongze_2023_table3_kept_as_printed(hongze_2023):
    """The review totals do not add up as printed (10 + 1 ≠ 0); the figures stay as printed."""
    cells = {c.column: c for c in extract_report(hongze_2023).cells if c.table == "appeals"}
    assert cells["行政复议 / 结果维持"].value == "10"
    assert cells["行政复议 / 结果纠正"].value == "1"
    assert cells["行政复议 / 总计"].value == "0"
    assert cells["行政诉讼 / 复议后起诉 / 结果维持"].value == "5"
    assert cells["行政诉讼 / 复议后起诉 / 总计"].value == "0"


def test_provenance_page_and_box(hongze_2023):
    ex = extract_report(hongze_2023)
    by = {(c.table, c.row_code, c.column_code): c for c in ex.cells}
    fee = by[("proactive", "fees", "fee_amount")]
    assert (fee.value, fee.text, fee.page) == ("7730.28", "7730.28", 3)
    # table 2 runs over pages 3-4: its last rows come from page 4
    assert by[("requests", "new", "total")].page == 3
    assert by[("requests", "carried_out", "total")].page == 4
    assert by[("requests", "unable_unclear", "natural_person")].page == 4  # the row after the break
    for c in ex.cells:
        x0, y0, x1, y1 = c.bbox
        assert 0 <= x0 < x1 <= 600 and 0 <= y0 < y1 <= 850, c
        assert c.method == "camelot-lattice-vector+chars"


def test_only_table_pages_are_read(hongze_2023):
    texts = page_texts(hongze_2023)
    assert len(texts) == 5
    assert table_pages(texts) == [2, 3, 4]


def test_cli_prints_csv_and_reports_bad_files(hongze_2024, tmp_path):
    bogus = tmp_path / "notes.pdf"
    bogus.write_text("not a pdf at all", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "openness", "extract", str(bogus), str(hongze_2024)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert f"{bogus}: not a PDF" in run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("report,table,row,column,value,page")
    assert len(lines) == 1 + 186
    assert "hongze-2024,appeals,,行政复议 / 总计," in run.stdout


def test_fallback_rereads_pages_of_a_table_the_fast_engine_missed(hongze_2024, monkeypatch):
    """When the vector engine loses a table, its pages are read again with the rendering engine."""
    import openness.extract as extract
    from openness.readers import pdf

    real = pdf.read_pages
    calls = []

    def lossy(path, pages, engine=pdf.ENGINE, chars=None):
        calls.append((engine, list(pages)))
        grids = real(path, pages, engine, chars)
        if engine == pdf.ENGINE:  # simulate lines the vector engine could not see
            grids = [g for g in grids if "行政复议" not in "".join(g.text[0])]
        return grids

    monkeypatch.setattr(pdf, "read_pages", lossy)
    ex = extract.extract_report(hongze_2024)
    assert calls == [("vector", [2, 3, 4]), ("combined", [2, 3, 4])]
    assert ex.status == "ok" and len(ex.cells) == 186
    assert {c.method for c in ex.cells if c.table == "appeals"} == {"camelot-lattice-combined+chars"}


def test_no_second_reading_for_a_row_the_report_does_not_print(monkeypatch):
    """Departments leave out the 规章 row: reported missing, and not read again for nothing."""
    import openness.extract as extract
    from conftest import ROOT
    from openness.readers import pdf

    path = ROOT / "data" / "raw" / "pingtan-shehuishiyeju-2023.pdf"
    engines = []
    real = pdf.read_pages
    monkeypatch.setattr(
        pdf, "read_pages", lambda p, pages, engine=pdf.ENGINE, chars=None: engines.append(engine) or real(p, pages, engine, chars)
    )
    ex = extract.extract_report(path)
    assert engines == ["vector"]
    assert ex.status == "partial"
    assert [(p.kind, p.label) for p in ex.problems] == [("missing_row", "第二十条第（一）项 / 规章")]


def test_cli_goes_on_when_the_parser_fails_on_one_file(hongze_2024, tmp_path, monkeypatch, capsys):
    import openness.cli as cli

    real = cli.extract_report

    def flaky(path, report=None):
        if str(path).endswith("boom.pdf"):
            raise RuntimeError("unexpected operator")
        return real(path, report)

    monkeypatch.setattr(cli, "extract_report", flaky)
    status = cli.main(["extract", str(tmp_path / "boom.pdf"), str(hongze_2024)])
    out, err = capsys.readouterr()
    assert status == 1
    assert "boom.pdf: the parser failed (RuntimeError: unexpected operator)" in err
    assert len(out.splitlines()) == 1 + 186


def test_cli_exits_non_zero_on_an_incomplete_report(capsys):
    """A department that leaves out the 规章 row: figures printed, the gap on stderr, status 1."""
    import openness.cli as cli
    from conftest import ROOT

    path = ROOT / "data" / "raw" / "pingtan-shehuishiyeju-2023.pdf"
    status = cli.main(["extract", str(path)])
    out, err = capsys.readouterr()
    assert status == 1
    assert "row 第二十条第（一）项 / 规章 not found" in err
    assert len(out.splitlines()) > 100


def test_cli_says_a_problem_repeated_by_a_hostile_page_once_with_its_count(tmp_path, capsys):
    """平潭 2023's web page with one row of table 1 printed 51 times: three lines on stderr, not 150 (8,000 rows: 24,000)."""
    import re

    import openness.cli as cli
    from conftest import CORPUS, need

    page = need(CORPUS / "html" / "pingtan-2023.html").read_text(encoding="utf-8")
    row = next(m for m in re.finditer(r"<tr[^>]*>.*?</tr>", page, re.S) if "行政规范性文件" in m.group(0))
    (tmp_path / "rows.html").write_text(page[: row.end()] + row.group(0) * 50 + page[row.end() :], encoding="utf-8")
    status = cli.main(["extract", str(tmp_path / "rows.html")])
    out, err = capsys.readouterr()
    assert status == 0  # the first printing of each figure is kept: complete
    assert len(err.splitlines()) == 3
    assert all(line.endswith("printed twice; the first is kept (50 times)") for line in err.splitlines())
    assert "行政规范性文件 × 本年制发件数" in err


def test_cli_excel_begins_with_a_bom_that_excel_reads_as_utf8(hongze_2024, tmp_path):
    """`extract --excel > cells.csv` opens in Excel with the Chinese right: the file starts with a UTF-8 BOM."""
    out = tmp_path / "cells.csv"
    for flag, bom in (["--excel"], True), ([], False):
        with out.open("wb") as stdout:
            subprocess.run([sys.executable, "-m", "openness", "extract", *flag, str(hongze_2024)], stdout=stdout, check=True)
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") is bom
        rows = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert list(rows.columns[:5]) == ["report", "table", "row", "column", "value"]
        assert len(rows) == 186
        assert "三、本年度办理结果 / （七）总计" in set(rows.row)


def test_a_page_box_of_1e38_points_is_refused_as_damaged_not_left_to_camelot(tmp_path):
    """Camelot's layout of such a page took a minute and 5.5 GB before the memory limit stopped it: refused at once."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    from conftest import CORPUS, need

    writer = PdfWriter()
    for page in PdfReader(need(CORPUS / "hongze-2023.pdf")).pages:
        page.mediabox = RectangleObject([-1e38, -1e38, 1e38, 1e38])
        writer.add_page(page)
    writer.write(tmp_path / "huge-box.pdf")
    ex = extract_report(tmp_path / "huge-box.pdf")
    assert ex.status == "failed"
    assert ex.cells == []
    assert ex.reason == "damaged PDF: the page box (MediaBox) of pages 2, 3, 4 is out of bounds; not read"
