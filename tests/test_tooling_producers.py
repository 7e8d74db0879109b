"""The producers generator (openness.tooling.producers) on its own: the documents it hands to Writer,
Calc and Chromium, and the committed fixtures it made. Needs python-docx and openpyxl (the test
extra), not the programs: what the programs print is scored in test_roundtrip.py."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from openness.extract import extract_report
from openness.tooling.producers import (
    FIXTURE_SET,
    FIXTURES,
    Look,
    _number,
    adjust,
    bands,
    compose,
    fixture_figures,
    random_look,
    to_docx,
    to_html,
    to_xlsx,
)
from openness.tooling.typeset import Layout, random_figures

FEE = ("proactive", "第二十条第（八）项 / 行政事业性收费", "本年收费金额（单位：万元）")


@pytest.fixture(scope="module")
def hongze():
    """洪泽区 2023 (mixed template) as committed in data/raw, with its body and year."""
    figures, template, body, year, partial = fixture_figures("hongze-2023")
    assert (template, partial) == ("mixed", False)
    return figures, template, body, year


def look(producer: str, **changes) -> Look:
    """A plain look (official wording, no split, no repeated header), with `changes`."""
    return adjust(Look(producer, typeset=Layout(variant_rate=0.0)), **changes)


def tables(blocks, role):
    return [b for b in blocks if b.kind == "table" and b.role == role]


def test_table_1_one_grid_with_section_rows_or_one_table_per_section(hongze):
    figures, template, body, year = hongze
    one = tables(compose(figures, template, body, year, look("writer")), "proactive")
    split = tables(compose(figures, template, body, year, look("writer", proactive_split=True)), "proactive")
    assert len(one) == 1 and len(split) == 4
    sections = [row[0] for row in one[0].grid.text if row[0].startswith("第二十条")]
    assert sections == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    assert (0, 0, 6, 0) in one[0].grid.spans  # the section row is one cell across the table
    assert [b.grid.text[0][0] for b in split] == sections


def test_table_3_in_two_bands_review_then_litigation(hongze):
    figures, template, body, year = hongze
    review, litigation = tables(compose(figures, template, body, year, look("writer", bands=True)), "appeals")
    assert [len(review.grid.text[0]), len(litigation.grid.text[0])] == [5, 10]
    assert review.grid.text[0][0] == "行政复议" and litigation.grid.text[0][0] == "行政诉讼"
    values = dict(zip(figures["column"], figures["value"]))
    assert review.grid.text[-1] == [values[f"行政复议 / {x}"] for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
    assert review.grid.text[-1] == ["10", "1", "0", "0", "0"]  # as 洪泽区 printed it: the total left at 0
    assert litigation.grid.text[-1][5] == "5"  # 复议后起诉 / 结果维持
    # Calc's page is ten columns wide: always two bands there
    assert len(tables(compose(figures, template, body, year, look("calc", bands=False)), "appeals")) == 2


def test_a_span_across_a_band_cut_is_refused(hongze):
    figures, template, body, year = hongze
    (whole,) = tables(compose(figures, template, body, year, look("writer")), "appeals")
    with pytest.raises(ValueError, match="crosses"):
        bands(whole.grid, (0, 7, 15))


def test_word_document_tables_spans_and_repeated_header(hongze, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    figures, template, body, year = hongze
    blocks = compose(figures, template, body, year, look("writer", proactive_split=True, repeat_header=True))
    doc = Document(to_docx(blocks, look("writer", repeat_header=True), tmp_path / "r.docx"))
    assert len(doc.tables) == 4 + 1 + 1  # table 1 in four, table 2, table 3 in one band
    requests = doc.tables[4]
    repeated = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None for row in requests.rows]
    assert repeated[:4] == [True, True, True, False]
    assert requests.cell(0, 3).text == "申请人情况" and requests.cell(0, 9).text == "申请人情况"  # merged over seven columns
    assert doc.tables[3].cell(2, 1).text == "7730.28"  # 行政事业性收费, as printed
    assert [p.text for p in doc.paragraphs if p.text.startswith("四、")] == ["四、政府信息公开行政复议、行政诉讼情况"]


def test_spreadsheet_numbers_typed_as_numbers_that_print_as_given(hongze, tmp_path):
    from openpyxl import load_workbook

    figures, template, body, year = hongze
    blocks = compose(figures, template, body, year, look("calc", repeat_header=True))
    ws = load_workbook(to_xlsx(blocks, look("calc", repeat_header=True), tmp_path / "r.xlsx")).active
    found = {
        ws.cell(r, c).value: (r, c) for r in range(1, ws.max_row + 1) for c in range(1, 11) if ws.cell(r, c).value is not None
    }
    r, c = found[7730.28]
    assert ws.cell(r, c).number_format == "0.00"
    assert ws.cell(r, 1).value == "行政事业性收费"
    assert "第二十条第（八）项" in found and "行政复议" in found and "行政诉讼" in found
    review, litigation = found["行政复议"][0], found["行政诉讼"][0]
    assert litigation > review + 3  # two bands, one under the other
    assert [ws.cell(review + 3, c).value for c in range(1, 6)] == [10, 1, 0, 0, 0]
    header = found["申请人情况"][0]
    assert ws.print_title_rows == f"${header}:${header + 2}"


@pytest.mark.parametrize(
    "text, value, number_format",
    [
        ("7730.28", 7730.28, "0.00"),
        ("-15", -15, "0"),
        ("0", 0, "0"),
        ("12.5000", 12.5, "0.0000"),
        ("251000元", "251000元", "General"),
    ],
)
def test_a_figure_as_a_spreadsheet_holds_it(text, value, number_format):
    assert _number(text) == (value, number_format)


def read_back(page: str, figures: pd.DataFrame, tmp_path: Path) -> list[tuple]:
    """The cells the project's HTML reader gets wrong or misses on `page`: (cell, printed, read)."""
    (tmp_path / "r.html").write_text(page, encoding="utf-8")
    ex = extract_report(tmp_path / "r.html", "r")
    want = {(t, r, c): v for t, r, c, v in figures.itertuples(index=False)}
    got = {(c.table, c.row, c.column): c.value for c in ex.cells}
    return sorted((k, want.get(k), got.get(k)) for k in set(want) | set(got) if want.get(k) != got.get(k))


def test_web_page_reads_back_to_the_figures(hongze, tmp_path):
    """The page handed to Chromium, read by the project's HTML reader: every figure comes back."""
    figures, template, body, year = hongze
    plain = look("chromium", repeat_header=True, proactive_split=True)
    page = to_html(compose(figures, template, body, year, plain), plain)
    soup = BeautifulSoup(page, "lxml")
    assert len(soup.find_all("thead")) == 1  # table 2's header, repeated on each printed page
    assert soup.find("td", string="申请人情况")["colspan"] == "7"
    assert len(soup.find_all("table")) == 4 + 1 + 1
    assert read_back(page, figures, tmp_path) == []


def test_web_page_with_table_3_in_two_bands_reads_back(hongze, tmp_path):
    figures, template, body, year = hongze
    two = look("chromium", bands=True)
    assert read_back(to_html(compose(figures, template, body, year, two), two), figures, tmp_path) == []


def test_random_looks_vary_and_repeat():
    looks = [random_look("writer", s) for s in range(40)]
    assert random_look("writer", 7) == looks[7]
    assert {x.typeset.proactive_split for x in looks} == {True, False}
    assert {x.repeat_header for x in looks} == {True, False}
    assert {x.font for x in looks} == {"Noto Serif CJK SC", "Noto Sans CJK SC"}
    assert all(random_look("calc", s).bands for s in range(10))
    with pytest.raises(ValueError):
        random_look("word", 0)


def test_random_figures_keep_their_identities_unless_broken():
    for seed in range(20):
        figures, broken = random_figures("2021", random.Random(seed))
        v = {(r, c): x for t, r, c, x in figures.itertuples(index=False) if t == "requests"}
        if broken or "" in v.values():
            continue
        for col in ("自然人", "总计"):
            new, carried_in = int(v[("一、本年新收政府信息公开申请数量", col)]), int(v[("二、上年结转政府信息公开申请数量", col)])
            handled, out = int(v[("三、本年度办理结果 / （七）总计", col)]), int(v[("四、结转下年度继续办理", col)])
            assert new + carried_in == handled + out


@pytest.mark.parametrize("fixture", FIXTURE_SET, ids=lambda f: f.name)
def test_each_fixture_is_committed_with_the_figures_it_prints(fixture):
    pdf, csv = FIXTURES / f"{fixture.name}.pdf", FIXTURES / f"{fixture.name}.csv"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    committed = pd.read_csv(csv, dtype=str, keep_default_na=False)
    figures = fixture_figures(fixture.figures)[0].reset_index(drop=True)
    pd.testing.assert_frame_equal(committed, figures)
    manifest = pd.read_csv(FIXTURES / "manifest.csv", dtype=str, keep_default_na=False).set_index("file")
    assert manifest.loc[pdf.name, "producer"] == fixture.look.producer
    assert manifest.loc[pdf.name, "look"] == repr(fixture.look)


def test_fixtures_stay_small():
    # 19 prints of 90 to 165 KB each (Chromium embeds a font subset; hongze-2024-chromium Type 3 glyphs, 480 KB):
    # a fixture is kept for a layout the reader once misread, not for its size; a print past 500 KB is a mistake
    sizes = {p.name: p.stat().st_size for p in Path(FIXTURES).iterdir()}
    assert max(sizes.values()) < 500_000, max(sizes, key=sizes.get)
    assert sum(sizes.values()) < 4_000_000
