"""openness.sections: the six numbered sections of the real reports' prose, and heading variants."""

from __future__ import annotations

import pytest

from conftest import CORPUS, SHARED, need
from openness.extract import extract_report
from openness.readers import reader_for
from openness.sections import lines_of, plain_prose, split_sections

CODES = ["overview", "proactive", "requests", "appeals", "problems", "other"]


def sections_of(path):
    return split_sections(reader_for(path).read(path).prose)


def by_code(sections):
    return {s.code: s for s in sections}


@pytest.mark.parametrize("year", [2023, 2024])
def test_hongze_pdfs_six_sections_with_pages_and_no_table_text(year):
    path = need(CORPUS / f"hongze-{year}.pdf")
    secs = by_code(extract_report(path).sections)
    assert [c for c in secs if c != "preamble"] == CODES
    assert secs["overview"].heading == "一、总体情况"
    assert secs["problems"].heading == "五、存在的主要问题及改进情况"
    assert secs["appeals"].heading == "四、政府信息公开行政复议、行政诉讼情况"
    assert secs["overview"].pages == [1, 2] and secs["other"].pages == [5]
    # the table sections hold no text once their tables' characters are dropped
    assert secs["proactive"].text == secs["requests"].text == secs["appeals"].text == ""
    assert "洪泽区人民政府" in secs["preamble"].text
    assert "全年收取政府信息公开信息处理费 0 元" in secs["other"].text
    # page numbers (- 2 -) are furniture, not text
    assert "- 2 -" not in secs["overview"].text
    if year == 2024:
        assert "受理政府\n信息公开申请 17 件" in secs["overview"].text


@pytest.mark.parametrize("year", range(2019, 2026))
def test_pingtan_pages_six_sections(year):
    path = need(CORPUS / "html" / f"pingtan-{year}.html")
    secs = by_code(sections_of(path))
    assert [c for c in secs if c != "preamble"] == CODES
    assert all(s.pages == [] for s in secs.values())
    assert secs["other"].heading == "六、其他需要报告的事项"
    # no table text: the tables' labels are nowhere in the prose
    assert not any("本年新收" in s.text or "结果维持" in s.text for s in secs.values())
    assert secs["problems"].text and secs["overview"].text


def test_pingtan_headings_as_printed():
    """2022 prints its fourth heading with a stray 法; the heading is kept as printed."""
    secs = by_code(sections_of(need(CORPUS / "html" / "pingtan-2022.html")))
    assert secs["appeals"].heading == "四、政府信息公开行政法复议、行政诉讼情况"
    assert by_code(sections_of(need(CORPUS / "html" / "pingtan-2019.html")))["other"].text == "无其他需要报告的事项"


def test_fenyang_seed_text():
    secs = by_code(split_sections(plain_prose(need(SHARED / "reports" / "fenyang-2023.txt").read_text(encoding="utf-8"))))
    assert list(secs) == CODES  # the text starts at its first heading: no preamble
    assert secs["overview"].text.startswith("2023 年，我市坚持")
    # table rows, and table 3's row that landed in section 五, are dropped; the prose around them stays
    assert "1 3 1 0 5" not in secs["problems"].text
    assert "二是进一步加大创新探索力度" in secs["problems"].text
    assert secs["appeals"].text == "" and secs["requests"].text == ""
    assert secs["other"].text.startswith("无。")


# ------------------------------------------------------------------ heading variants


def test_heading_cut_over_two_lines_is_joined():
    text = "一、总体\n情况\n今年收到申请5件。\n五、政府信息公开工作存在的主要问\n题及改进情况\n问题是……\n六、其他需要报告的事项\n无。"
    secs = split_sections([(3, text)])
    assert [(s.code, s.heading) for s in secs] == [
        ("overview", "一、总体情况"),
        ("problems", "五、政府信息公开工作存在的主要问题及改进情况"),
        ("other", "六、其他需要报告的事项"),
    ]
    assert secs[1].text == "问题是……" and secs[0].pages == [3]


def test_heading_and_text_on_one_line():
    secs = split_sections([(None, "一、总体情况。本年度我局共受理申请3件。\n六、其他需要报告的事项：无。")])
    assert [(s.heading, s.text) for s in secs] == [
        ("一、总体情况", "本年度我局共受理申请3件。"),
        ("六、其他需要报告的事项", "无。"),
    ]


def test_part_numbering_and_bracket_numbering():
    parts = "第一部分 总体情况\n正文\n第二部分 主动公开政府信息情况\n第五部分 存在的主要问题及改进情况\n正文"
    assert [s.heading for s in split_sections([(None, parts)])] == [
        "第一部分总体情况",
        "第二部分主动公开政府信息情况",
        "第五部分存在的主要问题及改进情况",
    ]
    brackets = "（一）总体情况\n正文\n(二)主动公开政府信息情况\n（六）其他需要报告的事项\n无"
    assert [s.number for s in split_sections([(None, brackets)])] == [1, 2, 6]


def test_subsections_are_not_sections():
    """A report numbered 一、 has subsections （一）…; （一）主动公开情况 is not section 二."""
    text = "一、总体情况\n（一）主动公开情况。公开信息10条。\n（二）依申请公开情况。受理申请2件。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况"
    secs = split_sections([(None, text)])
    assert [s.code for s in secs] == ["overview", "proactive", "requests"]
    assert "（一）主动公开情况" in secs[0].text


def test_page_furniture_dropped():
    assert [line.text for line in lines_of([(1, "- 1 -\n正文\n第 2 页 共 5 页\n  \n3/5")])] == ["正文"]


def test_text_without_headings_is_kept_whole():
    [only] = split_sections([(2, "本单位全年公开信息10条。\n- 3 -")])
    assert (only.code, only.number, only.text, only.pages) == ("preamble", 0, "本单位全年公开信息10条。", [2])
    assert split_sections([(1, "  \n")]) == []


def test_html_prose_is_the_article_without_its_tables_or_the_site(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(
        "<html><body><div class=nav>首页 政务公开 主动公开 依申请公开</div><div class=article>"
        "<p>某县2024年政府信息公开工作年度报告</p><p>一、总体情况</p><p>全年收到申请3件。</p>"
        "<p>三、收到和处理政府信息公开申请情况</p>"
        "<table><tr><td>申请人情况</td><td>自然人</td></tr><tr><td>一、本年新收政府信息公开申请数量</td><td>3</td></tr></table>"
        "<p>六、其他需要报告的事项</p><p>无。</p></div><div class=footer>版权所有</div></body></html>",
        encoding="utf-8",
    )
    secs = split_sections(reader_for(page).read(page).prose)
    assert [(s.code, s.text) for s in secs] == [
        ("preamble", "某县2024年政府信息公开工作年度报告"),
        ("overview", "全年收到申请3件。"),
        ("requests", ""),
        ("other", "无。"),
    ]
