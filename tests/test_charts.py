"""openness.charts: Chinese labels without missing glyphs, the house frame, deterministic files."""

from __future__ import annotations

import io
import logging
import re
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.patches import Rectangle
from PIL import Image

from openness import charts, stories
from openness.charts import Words
from openness.fonts import cjk_font_path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LABELS = ["平潭综合实验区自然资源与生态环境局", "淮安市洪泽区人民政府", "汾阳市人民政府办公室"]


def words(headline: str = "公开率与纠错率", lang: str = "zh") -> Words:
    return Words(headline, "测量的是什么", "注释", "来源：测试报告", lang)


def rates_table() -> pd.DataFrame:
    # 3/5 (汾阳 2023 reviews, a small count), 4/21 (洪泽 2023 disclosure), and a rate with no cases
    return pd.DataFrame(
        {
            "label": ["汾阳 行政复议纠错率", "洪泽 公开率", "洪泽 行政诉讼纠错率"],
            "numerator": [3.0, 4.0, 0.0],
            "denominator": [5.0, 21.0, 0.0],
            "rate": [0.6, 4 / 21, float("nan")],
            "small_count": [True, False, False],
            "flag": ["small count — a lead, not a rate to rank by", "", "denominator 0 as printed: no rate"],
        }
    )


def render_everywhere(fig) -> None:
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)


def glyph_problems(caught, records) -> list[str]:
    found = [str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]
    found += [r.getMessage() for r in records if r.name.startswith("matplotlib") and r.levelno >= logging.WARNING]
    return found


def test_chinese_labels_render_without_missing_glyph_warnings(caplog):
    with caplog.at_level(logging.INFO, logger="matplotlib"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = charts.bars(
            pd.Series([19, 69, 5], index=LABELS), words("新收政府信息公开申请（件）—— 测试"), xlabel="件数 −1 ＋2 “三安全一稳定”"
        )
        render_everywhere(fig)
        fig2 = charts.rate_bars(rates_table(), words())
        render_everywhere(fig2)
    assert glyph_problems(caught, caplog.records) == []
    # the CJK text really is set in Noto Sans SC from the pip package, not a system font
    family = matplotlib.rcParams["font.family"]
    assert family[0] == "Noto Sans SC"
    assert Path(font_manager.findfont(font_manager.FontProperties(family=family))) == cjk_font_path()


def test_the_check_catches_tofu(caplog):
    """Control: the same labels in DejaVu Sans alone do raise the warning the test above looks for."""
    with (
        matplotlib.rc_context({"font.family": ["DejaVu Sans"]}),
        caplog.at_level(logging.INFO, logger="matplotlib"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        fig = matplotlib.figure.Figure()
        fig.text(0.1, 0.5, LABELS[0])
        fig.savefig(io.BytesIO(), format="png")
    assert any("missing from font" in m for m in glyph_problems(caught, caplog.records))


def test_small_counts_are_hatched_and_missing_rates_explained():
    fig = charts.rate_bars(rates_table(), words())
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [bool(p.get_hatch()) for p in bars] == [True, False]  # 3/5 hatched, 4/21 plain; no bar for 0/0
    texts = [t.get_text() for t in ax.texts]
    assert "60%（3/5） 小样本，仅作线索" in texts and "19%（4/21）" in texts
    assert "无比率：分母为 0" in texts


def test_series_marks_the_2021_template_change():
    frame = pd.DataFrame({"公开率": [0.5, 0.6, 0.7]}, index=[2020, 2021, 2022])
    fig = charts.series(frame, words("平潭：公开率"), as_percent=True)
    ax = fig.axes[0]
    assert [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"] == [2020.5]
    assert any("2021 起启用新模板" in t.get_text() for t in ax.texts)


def test_save_is_deterministic_and_dateless(tmp_path):
    paths = []
    for run in ("a", "b"):
        fig = charts.rate_bars(rates_table(), words())
        paths.append(charts.save(fig, "rates", tmp_path / run))
    (svg_a, png_a), (svg_b, png_b) = paths
    assert svg_a.read_bytes() == svg_b.read_bytes()
    assert png_a.read_bytes() == png_b.read_bytes()
    svg = svg_a.read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and not re.search(r"20\d\d-\d\d-\d\dT", svg)
    png = Image.open(png_a)
    assert not any(key.lower() in ("creation time", "date", "software") for key in png.info)
    assert b"tIME" not in png_a.read_bytes()


def test_save_defaults_to_the_project_figures_folder(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    svg, png = charts.save(charts.bars(pd.Series([1], index=["甲"]), words("测试")), "one")
    assert svg == tmp_path / "figures" / "one.svg" and png.exists()


def test_short_name():
    assert charts.short_name("平潭综合实验区公安局") == "公安局"
    assert charts.short_name("淮安市洪泽区人民政府") == "淮安市洪泽区人民政府"


@pytest.mark.skipif(not (CORPUS / "hongze-2023.pdf").exists(), reason="../shared/corpus not available")
def test_page_proof_draws_the_box_in_pdf_points():
    box = (300.0, 400.0, 340.0, 420.0)
    fig = charts.page_proof(CORPUS / "hongze-2023.pdf", 3, box, words("洪泽区 2023：一个数字的出处"))
    whole, close = fig.axes
    rects = [p for p in whole.patches if isinstance(p, Rectangle)]
    assert len(rects) == 1 and rects[0].get_xy() == (300.0, 400.0)
    assert (rects[0].get_width(), rects[0].get_height()) == (40.0, 20.0)
    # the image spans the page in points (A4: 595 x 842), so the box needs no conversion
    left, right, bottom, top = whole.images[0].get_extent()
    assert (left, bottom) == (0, 0) and round(right) == 595 and round(top) == 842
    assert close.get_xlim()[0] < 300 < 340 < close.get_xlim()[1]


def test_series_annotates_only_the_chosen_columns():
    frame = pd.DataFrame({"新收申请": [70, 74], "办结申请": [69, 75]}, index=[2021, 2022])
    fig = charts.series(frame, words("平潭：申请"), annotate=["新收申请"])
    values = [t.get_text() for t in fig.axes[0].texts]
    assert "新收申请" in values and "办结申请" in values  # each line named at its end
    assert "70" in values and "74" in values and "69" not in values and "75" not in values


def test_report_labels():
    reports = pd.DataFrame(
        {
            "report": ["pingtan-gonganju-2024", "hongze-2023"],
            "body": ["平潭综合实验区公安局", "淮安市洪泽区人民政府"],
            "year": [2024, 2023],
        }
    )
    assert charts.report_labels(reports).to_dict() == {
        "pingtan-gonganju-2024": "公安局 2024",
        "hongze-2023": "淮安市洪泽区人民政府 2023",
    }


# ---------------------------------------------------------------- the notebooks' charts, from data/clean

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def data():
    return stories.load()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    matplotlib.pyplot.close("all")


def svg_texts(path: Path) -> dict[str, str]:
    """The text of each of the SVG's groups headline, subtitle, notes, source; and of every <text> as 'all'."""
    import xml.etree.ElementTree as ET

    ns = "{http://www.w3.org/2000/svg}"
    root = ET.parse(path).getroot()
    out = {"all": " ".join(t.text or "" for t in root.iter(f"{ns}text"))}
    for g in root.iter(f"{ns}g"):
        if g.get("id") in ("headline", "subtitle", "notes", "source"):
            out[g.get("id")] = " ".join(t.text or "" for t in g.iter(f"{ns}text"))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(stories.CHARTS))
def test_every_chart_has_headline_subtitle_notes_and_source_as_svg_text(name, lang, data, tmp_path):
    fig = stories.CHARTS[name](data, lang)
    svg, _ = charts.save(fig, name, tmp_path)
    texts = svg_texts(svg)
    assert texts["headline"] == fig.words.headline and any(
        ch.isdigit() for ch in fig.words.headline
    )  # a finding, with its figure
    assert texts["subtitle"] and texts["notes"]
    assert texts["source"].startswith("来源：" if lang == "zh" else "Source:")
    assert "data/clean" not in texts["source"] and "annual report" in texts["source"] or "年度报告" in texts["source"]
    assert "font-family: 'Noto Sans SC'" in svg.read_text(encoding="utf-8")
    assert "<path" in svg.read_text(encoding="utf-8")  # the bars and lines are still drawn
    renderer = fig.canvas.get_renderer()
    for text in fig.texts:  # headline, subtitle, notes and source stay inside the figure
        assert text.get_window_extent(renderer).x1 <= fig.bbox.width + 1, text.get_text()
    if lang == "en":  # drawn from the codebook's English and bodies.csv: no Chinese left but the quoted official terms
        assert not CJK.search(texts["headline"]), texts["headline"]


def test_english_names_come_from_bodies_csv_and_the_codebook():
    assert charts.short_name("平潭综合实验区社会事业局", lang="en") == "Social Affairs Bureau"
    assert charts.english("淮安市洪泽区人民政府").startswith("Hongze District")
    assert set(charts.bodies().index) >= set(stories.load().reports.body)  # every body in the data has an English name
    assert stories.group_english("予以公开") == "Disclosed in full"
    assert stories.group_english("无法提供：其他") == "Unable to provide: other"


def test_pingtan_2020_is_drawn_hollow_and_its_gap_is_noted(data):
    """平潭 2020's 62% rests on a printed total of 21 where its rows add to 27: a hollow point, and the note says so."""
    fig = stories.pingtan_rates(data, "en")
    ax = fig.axes[0]
    hollow = [
        (x, y) for line in ax.lines if line.get_markerfacecolor() == "white" for x, y in zip(line.get_xdata(), line.get_ydata())
    ]
    assert (2020, pytest.approx(13 / 21)) in [(int(x), y) for x, y in hollow]
    assert all(int(x) == 2020 for x, _ in hollow)
    assert "printed total handled is 21, its rows add up to 27" in fig.words.notes
    assert "52% (2023)" in fig.words.headline and "62%" not in fig.words.headline
    assert ax.get_ylim()[1] <= 1.0  # a rate axis stops at 100%


def test_a_lawsuit_total_that_does_not_add_up_is_hatched(data):
    """社会事业局 2024 prints 15 lawsuits after review whose parts add to 19: its lawsuit bar is hatched and noted."""
    fig = stories.departments_appeals(data, "zh")
    ax = fig.axes[0]
    hatched = [p.get_width() for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert hatched == [15]
    assert "社会事业局 2024 行政诉讼 / 复议后起诉：印制总计 15，各项相加 19" in fig.words.notes
    assert fig.words.headline == "社会事业局 2024的复议与诉讼最多：行政复议 2 件，行政诉讼 15 件"


def test_outcomes_split_by_year_and_most_refusals_ranked_by_count(data):
    fig = stories.departments_outcomes(data, "en")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["2023", "2024"]
    assert fig.words.headline == "Transport and Construction Bureau 2024 refused the most requests: 36 of 58 handled"
    assert all(ax.get_xlim() == fig.axes[0].get_xlim() for ax in fig.axes)  # one scale


def test_rate_bars_stop_at_100_percent_and_mark_a_broken_table():
    table = rates_table().assign(broken=[False, True, False])
    fig = charts.rate_bars(table, words(lang="en"))
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, 1)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [p.get_facecolor()[:3] == (1, 1, 1) for p in bars] == [False, True]  # 4/21 from a broken table: hollow
    assert "19% (4/21) table does not add up" in [t.get_text() for t in ax.texts]


def test_review_correction_rates_are_a_table_not_a_chart(data):
    table = stories.review_correction_table(data, "en")
    assert len(table) == 12 and (table["small count"] == "yes").sum() == 11
    assert table.set_index("report").loc["Fenyang 2023", "correction rate"] == "60%"
    assert "03-review-correction" not in stories.CHARTS


@pytest.mark.skipif(not (CORPUS / "hongze-2023.pdf").exists(), reason="../shared/corpus not available")
def test_the_proof_close_up_shows_whole_lines():
    box = (300.0, 400.0, 340.0, 420.0)
    fig = charts.page_proof(CORPUS / "hongze-2023.pdf", 3, box, words())
    close = fig.axes[1]
    import pypdfium2

    page = pypdfium2.PdfDocument(str(CORPUS / "hongze-2023.pdf"))[2]
    text = page.get_textpage()
    left, right = close.get_xlim()
    bottom, top = close.get_ylim()
    for x0, b, r, t in (text.get_rect(i) for i in range(text.count_rects())):
        if b < top and t > bottom:  # a line shown at all is shown whole
            assert left <= x0 and r <= right and bottom <= b + 0.01 and t <= top + 0.01


def test_notebook_findings_are_computed(data):
    found = stories.findings("02", data)
    assert "Pingtan 2020: the disclosure rate is 62% on the printed total of 21, but 48% on the sum of its rows (27)." in found
    assert stories.findings("03", data)[-1].startswith("11 of the 12 review correction rates")
