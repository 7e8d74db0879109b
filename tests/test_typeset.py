"""The specimen renderer on its own (text layer, pages, page breaks, determinism) and the
specimen corpus in data/raw (manifest, figures, files)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest

from openness import labels
from openness.labels import label_key
from openness.tooling.typeset import Layout, check_template, render_report

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
TRUTH = ROOT.parent / "shared" / "corpus" / "truth.csv"
FIGURES = RAW / "figures"


def page_texts(path: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


@pytest.fixture(scope="module")
def hongze() -> pd.DataFrame:
    """洪泽区 2023 as committed in data/raw/figures (mixed template, a broken table-3 total)."""
    return pd.read_csv(FIGURES / "hongze-2023.csv", dtype=str, keep_default_na=False)


def render(figures, tmp_path, name="r.pdf", template="mixed", **layout):
    return render_report(
        figures, tmp_path / name, template=template, body="淮安市洪泽区人民政府", year=2023, layout=Layout(**layout)
    )


def test_text_layer_holds_every_label_and_figure(hongze, tmp_path):
    r = render(hongze, tmp_path, variant_rate=0.0)
    text = "".join(page_texts(r.path)).replace(" ", "").replace("\r", "").replace("\n", "")
    for spec in labels.official_cells("mixed"):  # every row and column label was typeset...
        assert spec.table == "appeals" or spec.row in r.labels, spec.row
        assert spec.table == "proactive" or spec.column in r.labels, spec.column
    for key, printed in r.labels.items():  # ...and each of its printed lines is in the text layer
        if " / " in key:  # no variants asked for: the official wording, wrapped to the cell
            assert printed.replace("\n", "") == key.split(" / ")[-1], key
        for line in printed.split("\n"):
            assert line.replace(" ", "") in text, (key, line)
    assert "淮安市洪泽区人民政府" in text
    assert "本文件是样本" in text  # the specimen says what it is, on its first page
    assert all("样本，非原件：淮安市洪泽区人民政府2023年" in t for t in page_texts(r.path))  # and atop every page
    for heading in ("一、总体情况", "四、政府信息公开行政复议、行政诉讼情况", "六、其他需要报告的事项"):
        assert heading in text
    assert "7730.28" in text and "4119" in text


def test_page_count_matches_the_pdf(hongze, tmp_path):
    r = render(hongze, tmp_path, prose=4)
    assert r.pages == len(page_texts(r.path)) >= 3


def test_table2_breaks_over_a_page_when_asked(hongze, tmp_path):
    rows = [e.leaf for e in labels.entries("row", "requests", "mixed")]
    r = render(hongze, tmp_path, variant_rate=0.0, table2_break=10)
    first, second = r.table2_pages
    assert second == first + 1
    pages = [label_key(t) for t in page_texts(r.path)]
    assert label_key(rows[9]) in pages[first - 1] and label_key(rows[9]) not in pages[second - 1]
    assert label_key(rows[10]) in pages[second - 1] and label_key(rows[10]) not in pages[first - 1]
    unbroken = render(hongze, tmp_path, "u.pdf", variant_rate=0.0)
    assert len(unbroken.table2_pages) == 1


def test_a_cut_row_prints_its_label_on_both_pages(hongze, tmp_path):
    label = "三、本年度办理结果 / （四）无法提供 / 2.没有现成信息需要另行制作"
    k = [e.label for e in labels.entries("row", "requests", "mixed")].index(label) + 1
    r = render(hongze, tmp_path, table2_break=k, cut_row=True, labels={label: "2.没有现成信息\n需要另行制作"})
    first, second = r.table2_pages
    pages = page_texts(r.path)
    assert "2.没有现成信息" in pages[first - 1] and "需要另行制作" not in pages[first - 1]
    assert "需要另行制作" in pages[second - 1]


def test_rendering_is_deterministic(hongze, tmp_path):
    layout = dict(seed=7, variant_rate=0.5, table2_break=12, cut_row=True, span_text="cut", shade=True)
    a = render(hongze, tmp_path, "a.pdf", **layout)
    b = render(hongze, tmp_path, "b.pdf", **layout)
    assert a.path.read_bytes() == b.path.read_bytes()
    c = render(hongze, tmp_path, "c.pdf", **{**layout, "seed": 8})
    assert c.path.read_bytes() != a.path.read_bytes()


def test_label_variants_are_printed(hongze, tmp_path):
    misprint = "三、本年度办理结果 / （三）不予公开 / 2.其他法律行政法规禁止公开"
    r = render(hongze, tmp_path, labels={misprint: "2.其他法律行政止公开", "第二十条第（一）项": "第二十条 第（一）项"})
    text = "".join(page_texts(r.path))
    assert "2.其他法律行政止公开" in text and "其他法律行政法规禁止公开" not in text
    assert "第二十条 第（一）项" in text
    varied = render(hongze, tmp_path, "v.pdf", seed=3, variant_rate=1.0)
    changed = [k for k, v in varied.labels.items() if v != k.split(" / ")[-1] and not k.startswith(("section:", "requests:"))]
    assert len(changed) > 20


def test_tables_are_ruled_with_vector_lines(hongze, tmp_path):
    """Camelot's lattice flavor with the vector engine finds the three tables."""
    import camelot

    r = render(hongze, tmp_path, table2_break=8)
    tables = camelot.read_pdf(str(r.path), pages="all", flavor="lattice", engine="vector")
    shapes = sorted(t.shape for t in tables)
    assert (4, 15) in shapes  # table 3: three header rows and the figures
    assert sum(1 for s in shapes if s[1] == 10) == 2  # table 2 in two parts, ten columns


def test_figures_must_be_the_templates_cells(hongze, tmp_path):
    with pytest.raises(ValueError, match="missing"):
        render(hongze.iloc[1:], tmp_path)
    with pytest.raises(ValueError):
        render(hongze, tmp_path, template="2021")  # mixed figures lack the （六） sub-rows
    assert check_template(hongze, "mixed") == []


def test_partial_figures_print_only_their_rows(hongze, tmp_path):
    rules = "第二十条第（一）项 / 规章"
    partial = hongze[hongze["row"] != rules]
    with pytest.raises(ValueError):
        render(partial, tmp_path)
    r = render_report(
        partial, tmp_path / "p.pdf", template="mixed", body="某区", year=2023, layout=Layout(variant_rate=0.0), partial=True
    )
    text = "".join(page_texts(r.path))
    assert "规范性文件" in text and "规章" not in text
    one_missing = hongze.drop(index=hongze.index[hongze["row"] == rules][:1])
    with pytest.raises(ValueError, match="missing from printed rows"):
        render_report(one_missing, tmp_path / "q.pdf", template="mixed", body="某区", year=2023, partial=True)


def test_blank_figures_stay_blank(hongze, tmp_path):
    figures = hongze.copy()
    fee = (figures["table"] == "proactive") & figures["row"].str.endswith("行政事业性收费")
    figures.loc[fee, "value"] = ""
    r = render(figures, tmp_path, variant_rate=0.0)
    assert "7730.28" not in "".join(page_texts(r.path))


# ------------------------------------------------------------------ data/raw


def manifest() -> pd.DataFrame:
    return pd.read_csv(RAW / "manifest.csv", dtype=str, keep_default_na=False)


def test_manifest_lists_every_specimen_with_its_hash():
    m = manifest()
    assert list(m.columns[:12]) == [
        "report",
        "file",
        "body",
        "level",
        "province",
        "city",
        "year",
        "template",
        "source_url",
        "published",
        "provenance",
        "sha256",
    ]
    assert m["report"].is_unique and len(m) == 40
    for row in m.to_dict("records"):
        pdf = RAW / row["file"]
        assert pdf.is_file(), row["file"]
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == row["sha256"], row["report"]
        assert row["provenance"] == "specimen re-typeset from the published figures" + (
            " and text" if row["prose"] == "original" else ""
        )
        assert row["prose"] in ("original", "none")
        assert row["template"] in labels.TEMPLATES
        assert (FIGURES / f"{row['report']}.csv").is_file()
    assert set(m["report"]) == {p.stem for p in FIGURES.glob("*.csv")}
    assert set(m["file"]) == {p.name for p in RAW.glob("*.pdf")}
    pt = m[m["report"] == "pingtan-2019"].iloc[0]
    assert (pt["body"], pt["year"], pt["template"]) == ("平潭综合实验区", "2019", "2019")
    assert pt["source_url"] == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202001/t20200120_80576.htm"
    hz = m[m["report"] == "hongze-2024"].iloc[0]
    assert (hz["body"], hz["level"], hz["province"], hz["city"], hz["template"]) == (
        "淮安市洪泽区人民政府",
        "district",
        "江苏省",
        "淮安市",
        "mixed",
    )


def test_figures_files_carry_their_source():
    for path in sorted(FIGURES.glob("*.csv")):
        f = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(f.columns) == ["report", "table", "row", "column", "value", "source"], path.name
        assert (f["report"] == path.stem).all()
        assert (f["source"] != "").all(), path.name
        assert not f.duplicated(["table", "row", "column"]).any(), path.name
    hz = pd.read_csv(FIGURES / "hongze-2023.csv", dtype=str, keep_default_na=False)
    assert set(hz["source"].str.extract(r"page (\d)")[0]) == {"2", "3", "4"}


@pytest.mark.skipif(not TRUTH.exists(), reason="needs ../shared/corpus/truth.csv")
def test_figures_of_the_pdf_reports_are_truth():
    """汾阳 2023 and 洪泽 2023/2024: the committed figures are the hand-checked ones."""
    truth = pd.read_csv(TRUTH, dtype=str, keep_default_na=False)
    for report in ("fenyang-2023", "hongze-2023", "hongze-2024"):
        f = pd.read_csv(FIGURES / f"{report}.csv", dtype=str, keep_default_na=False)
        want = truth[truth["report"] == report].set_index(["table", "row", "column"])["value"].sort_index()
        got = f.set_index(["table", "row", "column"])["value"].sort_index()
        pd.testing.assert_series_equal(got, want, check_names=False)


def test_pingtan_2020_keeps_its_broken_total():
    """平潭 2020 prints （七）总计 21 (自然人 20) although its rows add up to 27 (26): kept as printed."""
    f = pd.read_csv(FIGURES / "pingtan-2020.csv", dtype=str, keep_default_na=False)
    t2 = f[f["table"] == "requests"].set_index(["row", "column"])["value"]
    assert t2[("三、本年度办理结果 / （七）总计", "总计")] == "21"
    assert t2[("三、本年度办理结果 / （七）总计", "自然人")] == "20"
    leaves = [
        r
        for r in t2.index.get_level_values(0).unique()
        if r.count(" / ") == 2
        or r.endswith(("（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（六）其他处理"))
    ]
    assert sum(int(t2[(r, "总计")]) for r in leaves) == 27
