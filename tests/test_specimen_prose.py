"""The specimens in data/raw carry their reports' own prose: read back, each specimen's sections are
its original's (汾阳's text layer, 洪泽's PDFs, 平潭's pages); the department specimens carry none;
the build writes their sections, prose checks and copying, the same as the originals give."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT, SHARED, need
from openness.copying import repeats
from openness.extract import extract_report
from openness.model import Section
from openness.sections import flat
from openness.tooling import rebuild_raw
from openness.tooling.typeset import Layout, Prose, render_report

RAW = ROOT / "data" / "raw"
CLEAN = ROOT / "data" / "clean"
CODES = ["overview", "proactive", "requests", "appeals", "problems", "other"]


def manifest() -> pd.DataFrame:
    return pd.read_csv(RAW / "manifest.csv", dtype=str, keep_default_na=False)


def with_prose(kind: str) -> list[str]:
    m = manifest()
    return sorted(m.loc[m["prose"] == kind, "report"])


def committed_prose(report: str) -> pd.DataFrame:
    return pd.read_csv(RAW / "prose" / f"{report}.csv", dtype=str, keep_default_na=False).set_index("section")


def read_back(report: str) -> dict[str, Section]:
    return {s.code: s for s in extract_report(RAW / f"{report}.pdf", report).sections}


def test_the_whole_reports_carry_prose_the_department_tables_none():
    assert with_prose("original") == ["fenyang-2023", "hongze-2023", "hongze-2024"] + [f"pingtan-{y}" for y in range(2019, 2026)]
    assert len(with_prose("none")) == 30 and all(r.count("-") == 2 for r in with_prose("none"))
    assert sorted(p.stem for p in (RAW / "prose").glob("*.csv")) == with_prose("original")
    m = manifest().set_index("report")
    assert m.loc["hongze-2024", "provenance"] == "specimen re-typeset from the published figures and text"
    assert m.loc["pingtan-caizhengju-2024", "provenance"] == "specimen re-typeset from the published figures"


@pytest.mark.parametrize("report", with_prose("original"))
def test_a_specimen_reads_back_as_its_committed_prose(report):
    """Headings as printed and every section's text, whitespace aside; the foreword after the title."""
    prose, secs = committed_prose(report), read_back(report)
    assert [c for c in secs if c != "preamble"] == CODES
    for code in CODES:
        assert secs[code].heading == prose.loc[code, "heading"], code
        assert flat(secs[code].text) == flat(prose.loc[code, "text"]), code
    preamble = "".join(prose.loc[c, "text"] for c in ("title", "preamble") if c in prose.index)
    assert flat(secs["preamble"].text) == flat(preamble) if preamble else "preamble" not in secs


@pytest.mark.parametrize("report", with_prose("original"))
def test_a_specimens_sections_are_its_originals(report):
    """The specimen read back against the original read the same way (../shared), section by section."""
    need(SHARED / "corpus")
    [original] = [o for o in rebuild_raw.originals() if o.report == report]
    want = {s.code: s for s in rebuild_raw.original_sections(original)}
    got = read_back(report)
    assert list(got) == list(want)
    for code, section in want.items():
        assert (got[code].heading, flat(got[code].text)) == (section.heading, flat(section.text)), code
    # and data/raw is up to date with the originals
    fresh = rebuild_raw.collect_prose(original)
    pd.testing.assert_frame_equal(fresh.set_index("section"), committed_prose(report))


def test_long_sections_run_over_pages():
    """平潭 2019's 一、总体情况 (3,800 characters) runs over five pages; its tables come after it."""
    secs = read_back("pingtan-2019")
    assert len(secs["overview"].pages) >= 5
    assert secs["overview"].pages[-1] <= secs["proactive"].pages[0] < secs["appeals"].pages[0] <= secs["problems"].pages[0]


def test_department_specimens_print_headings_and_no_prose():
    secs = read_back("pingtan-caizhengju-2024")
    assert [c for c in secs if c != "preamble"] == CODES
    assert all(secs[c].text == "" for c in CODES)
    assert "所据原件只有统计表" in flat(secs["preamble"].text)


def test_the_page_header_is_no_part_of_the_prose():
    secs = read_back("hongze-2023")
    assert not any("样本" in s.text for s in secs.values())
    assert flat(secs["preamble"].text).startswith("洪泽区人民政府2023年政府信息公开工作年度报告本报告由")


def test_prose_with_markup_characters_and_a_long_paragraph(tmp_path):
    """<, > and & print as text; a paragraph longer than a page runs over pages; the tables still round-trip."""
    figures = pd.read_csv(RAW / "figures" / "hongze-2023.csv", dtype=str, keep_default_na=False)
    long = "".join(f"第{i}句，依据《条例》<第二十条>规定&公开信息{i * 7}条。" for i in range(400))
    headings = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况")
    headings += ("四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
    texts = ((long,), (), ("本年度收到申请如下表。",), (), ("一是……", "二是……"), ("无。",))
    prose = Prose(("某区人民政府", "2023年政府信息公开工作年度报告"), ("本报告依《条例》编制。",), tuple(zip(headings, texts)))
    r = render_report(figures, tmp_path / "p.pdf", template="mixed", body="某区人民政府", year=2023, layout=Layout(), prose=prose)
    ex = extract_report(r.path, "p")
    secs = {s.code: s for s in ex.sections}
    assert [s.heading for s in ex.sections if s.number] == list(headings)
    for code, text in zip(CODES, texts):
        assert flat(secs[code].text) == flat("".join(text)), code
    assert len(secs["overview"].pages) >= 3
    want = {(t, r_, c): v for t, r_, c, v in figures[["table", "row", "column", "value"]].itertuples(index=False)}
    assert {(c.table, c.row, c.column): c.value for c in ex.cells} == want


def test_prose_needs_six_sections(tmp_path):
    figures = pd.read_csv(RAW / "figures" / "hongze-2023.csv", dtype=str, keep_default_na=False)
    with pytest.raises(ValueError, match="six sections"):
        render_report(
            figures, tmp_path / "p.pdf", template="mixed", body="某区", year=2023, prose=Prose(sections=(("一、总体情况", ()),))
        )


def test_paragraphs_of_a_printed_page_are_joined_up_to_a_short_line():
    """汾阳's text layer: lines cut by the page width; a short line ends a paragraph (a subheading too)."""
    text = (
        "2023 年，我市坚持以习近平新时代中国特色社会主义思想\n"
        "为指导，全面贯彻党的二十大精神，认真落实国家、省、吕梁市\n"
        "关于全面推进政府信息公开工作的一系列部署要求，紧紧围绕党\n"
        "和政府中心工作及群众关注关切，深入推进政府信息公开工作。\n"
        "（一）丰富公开渠道，打造阳光服务政府\n"
        "一是强化信息公开。深入完善政府网站内容发布、安全保障\n"
        "办理留言数量 114 条。"
    )
    full = rebuild_raw.full_width([text])
    assert rebuild_raw.paragraphs(text, full) == [
        "2023 年，我市坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，认真落实国家、省、吕梁市"
        "关于全面推进政府信息公开工作的一系列部署要求，紧紧围绕党和政府中心工作及群众关注关切，深入推进政府信息公开工作。",
        "（一）丰富公开渠道，打造阳光服务政府",
        "一是强化信息公开。深入完善政府网站内容发布、安全保障办理留言数量 114 条。",
    ]
    assert rebuild_raw.paragraphs("第一段。\n第二段。", None) == ["第一段。", "第二段。"]  # a web page's lines are paragraphs


# ------------------------------------------------------------ the build's files from the specimens


def clean(name: str) -> pd.DataFrame:
    return pd.read_csv(CLEAN / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_data_clean_has_the_sections_of_the_ten_reports_and_none_of_the_departments():
    sections = clean("sections.csv")
    assert sorted(set(sections["report"])) == with_prose("original")
    for report in with_prose("original"):
        prose = committed_prose(report)
        got = sections[sections["report"] == report].set_index("section")
        for code in CODES:
            assert flat(got.loc[code, "text"]) == flat(prose.loc[code, "text"]), (report, code)


def test_data_clean_prose_checks_find_the_originals_stories():
    checks = clean("prose_checks.csv").set_index(["report", "statement"])
    assert tuple(checks.loc[("hongze-2024", "requests_new"), ["stated", "table_value", "result"]]) == (
        "17",
        "95",
        "different_scope",
    )
    assert tuple(checks.loc[("pingtan-2022", "requests_new"), ["stated", "table_value", "result"]]) == ("75", "74", "disagree")
    assert tuple(checks.loc[("pingtan-2023", "documents_in_force"), ["stated", "table_value", "result"]]) == (
        "393",
        "470",
        "disagree",
    )


def _pairs() -> list[tuple[str, str]]:
    return [("hongze-2023", "hongze-2024")] + [(f"pingtan-{y - 1}", f"pingtan-{y}") for y in range(2020, 2026)]


def test_data_clean_copying_pairs_the_series():
    copying = clean("copying.csv")
    assert sorted(set(zip(copying["previous_report"], copying["report"]))) == sorted(_pairs())
    problems = copying[(copying["report"] == "hongze-2024") & (copying["section"] == "problems")].iloc[0]
    assert (problems["share_repeated"], problems["longest_chars"]) == ("0.4098", "77")


@pytest.mark.parametrize("pair", _pairs(), ids=lambda p: f"{p[0]}->{p[1]}")
def test_data_clean_copying_is_the_originals(pair):
    """Every copying figure of data/clean equals the one the originals in ../shared give."""
    need(SHARED / "corpus")
    originals = {o.report: o for o in rebuild_raw.originals()}
    before, after = (rebuild_raw.original_sections(originals[r]) for r in pair)
    want = {r.section: (r.chars, r.repeated, round(r.share, 4), r.longest) for r in repeats(after, before)}
    copying = clean("copying.csv")
    rows = copying[copying["report"] == pair[1]]
    got = {
        r.section: (int(r.chars), int(r.repeated_chars), float(r.share_repeated), r.longest_repeated) for r in rows.itertuples()
    }
    assert got == want
