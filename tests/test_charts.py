"""openness.charts: Chinese labels without missing glyphs, the house frame, deterministic files."""

from __future__ import annotations

import io
import logging
import re
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.patches import Rectangle
from PIL import Image

from openness import charts
from openness.fonts import cjk_font_path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LABELS = ["平潭综合实验区自然资源与生态环境局", "淮安市洪泽区人民政府", "汾阳市人民政府办公室"]


def rates_table() -> pd.DataFrame:
    # 3/5 (汾阳 2023 reviews, a small count), 4/21 (洪泽 2023 disclosure), and a rate with no cases
    return pd.DataFrame({
        "label": ["汾阳 行政复议纠错率", "洪泽 公开率", "洪泽 行政诉讼纠错率"],
        "numerator": [3.0, 4.0, 0.0], "denominator": [5.0, 21.0, 0.0], "rate": [0.6, 4 / 21, float("nan")],
        "small_count": [True, False, False], "flag": ["small count — a lead, not a rate to rank by", "",
                                                      "denominator 0 as printed: no rate"],
    })


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
        fig = charts.bars(pd.Series([19, 69, 5], index=LABELS), "新收政府信息公开申请（件）—— 测试", 2024,
                          xlabel="件数 −1 ＋2 “三安全一稳定”")
        render_everywhere(fig)
        fig2 = charts.rate_bars(rates_table(), "公开率与纠错率", "2023")
        render_everywhere(fig2)
    assert glyph_problems(caught, caplog.records) == []
    # the CJK text really is set in Noto Sans SC from the pip package, not a system font
    family = matplotlib.rcParams["font.family"]
    assert family[0] == "Noto Sans SC"
    assert Path(font_manager.findfont(font_manager.FontProperties(family=family))) == cjk_font_path()


def test_the_check_catches_tofu(caplog):
    """Control: the same labels in DejaVu Sans alone do raise the warning the test above looks for."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}), caplog.at_level(logging.INFO, logger="matplotlib"), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = matplotlib.figure.Figure()
        fig.text(0.1, 0.5, LABELS[0])
        fig.savefig(io.BytesIO(), format="png")
    assert any("missing from font" in m for m in glyph_problems(caught, caplog.records))


def test_every_chart_has_title_source_and_year():
    frame = pd.DataFrame({"新收申请": [7, 28]}, index=[2023, 2024])
    made = [
        charts.bars(frame["新收申请"], "行政审批局：新收申请", "2023–2024"),
        charts.series(frame, "行政审批局：新收申请", "2023–2024"),
        charts.grouped(frame.T, "新收申请", "2023–2024"),
        charts.stacked(frame, "新收申请", "2023–2024"),
        charts.rate_bars(rates_table(), "公开率与纠错率", "2023–2024"),
    ]
    for fig in made:
        assert fig.get_suptitle()
        assert fig.get_supxlabel().startswith("来源：") and "数据年份：2023–2024" in fig.get_supxlabel()


def test_small_counts_are_hatched_and_missing_rates_explained():
    fig = charts.rate_bars(rates_table(), "公开率与纠错率", "2023")
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [bool(p.get_hatch()) for p in bars] == [True, False]  # 3/5 hatched, 4/21 plain; no bar for 0/0
    texts = [t.get_text() for t in ax.texts]
    assert "60%（3/5） 小样本，仅作线索" in texts and "19%（4/21）" in texts
    assert "无比率：分母为 0" in texts


def test_series_marks_the_2021_template_change():
    frame = pd.DataFrame({"公开率": [0.5, 0.6, 0.7]}, index=[2020, 2021, 2022])
    fig = charts.series(frame, "平潭：公开率", "2020–2022", as_percent=True)
    ax = fig.axes[0]
    assert [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"] == [2020.5]
    assert any("2021 起启用新模板" in t.get_text() for t in ax.texts)


def test_save_is_deterministic_and_dateless(tmp_path):
    paths = []
    for run in ("a", "b"):
        fig = charts.rate_bars(rates_table(), "公开率与纠错率", "2023")
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
    svg, png = charts.save(charts.bars(pd.Series([1], index=["甲"]), "测试", 2024), "one")
    assert svg == tmp_path / "figures" / "one.svg" and png.exists()


def test_short_name():
    assert charts.short_name("平潭综合实验区公安局") == "公安局"
    assert charts.short_name("淮安市洪泽区人民政府") == "淮安市洪泽区人民政府"


@pytest.mark.skipif(not (CORPUS / "hongze-2023.pdf").exists(), reason="../shared/corpus not available")
def test_page_proof_draws_the_box_in_pdf_points():
    box = (300.0, 400.0, 340.0, 420.0)
    fig = charts.page_proof(CORPUS / "hongze-2023.pdf", 3, box, "洪泽区 2023：一个数字的出处", 2023)
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
    fig = charts.series(frame, "平潭：申请", "2021–2022", annotate=["新收申请"])
    values = [t.get_text() for t in fig.axes[0].texts]
    assert "70" in values and "74" in values and "69" not in values and "75" not in values


def test_report_labels():
    reports = pd.DataFrame({"report": ["pingtan-gonganju-2024", "hongze-2023"],
                            "body": ["平潭综合实验区公安局", "淮安市洪泽区人民政府"], "year": [2024, 2023]})
    assert charts.report_labels(reports).to_dict() == {"pingtan-gonganju-2024": "公安局 2024",
                                                       "hongze-2023": "淮安市洪泽区人民政府 2023"}
