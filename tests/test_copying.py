"""openness.copying: how much each section repeats the same body's report of the year before, on the real series."""

from __future__ import annotations

import pytest

from conftest import CORPUS, need
from openness.copying import ALL, compare, longest_common, mask, repeated_chars, repeats
from openness.model import Section
from openness.readers import reader_for
from openness.sections import split_sections


def sections(name: str) -> list[Section]:
    path = need(CORPUS / name)
    return split_sections(reader_for(path).read(path).prose)


def shares(after: str, before: str) -> dict[str, float]:
    return {r.section: round(r.share, 2) for r in repeats(sections(after), sections(before))}


def test_hongze_2024_repeats_2023():
    found = {r.section: r for r in repeats(sections("hongze-2024.pdf"), sections("hongze-2023.pdf"))}
    assert {k: round(r.share, 2) for k, r in found.items()} == {
        "preamble": 0.99,
        "overview": 0.49,
        "problems": 0.41,
        "other": 1.0,
        ALL: 0.55,
    }
    # the improvement plan's first item is word for word last year's
    assert "一是扎实推进依申请公开工作，全面梳理和优化工作流程、健全工作机制、强化部门协同配合" in found["problems"].longest
    # the fee sentence changed only its year: masked, it is all repeated
    assert found["other"].longest.startswith("2024年，区政府严格落实")


PINGTAN = {  # year -> share of the whole prose, of 总体情况 and of 存在的主要问题及改进情况 repeated from the year before
    2020: (0.19, 0.11, 0.05),
    2021: (0.25, 0.09, 0.07),
    2022: (0.09, 0.03, 0.03),
    2023: (0.27, 0.23, 0.10),
    2024: (0.17, 0.15, 0.0),
    2025: (0.31, 0.19, 0.05),
}


@pytest.mark.parametrize("year", sorted(PINGTAN))
def test_pingtan_series(year):
    found = shares(f"html/pingtan-{year}.html", f"html/pingtan-{year - 1}.html")
    assert (found[ALL], found["overview"], found["problems"]) == PINGTAN[year]
    # 平潭 rewrites its problems section each year, unlike 洪泽 (0.41)
    assert found["problems"] < 0.15


def test_different_bodies_share_little():
    """The baseline: 洪泽 2024 against 平潭 2024 shares only stock phrases of the template."""
    found = shares("hongze-2024.pdf", "html/pingtan-2024.html")
    assert found[ALL] < 0.1 and found["problems"] == 0.0


def test_mask_keeps_a_sentence_that_changed_only_its_year_and_figures():
    assert mask("2023 年受理申请 21 件").text == mask("2024年受理申请１７件").text == "#年受理申请#件"
    assert mask("甲，乙").text == "甲,乙"


def test_repeated_chars_counts_runs_of_ten():
    assert repeated_chars("一二三四五六七八九十甲", "一二三四五六七八九十乙") == 10
    assert repeated_chars("一二三四五六七八九乙", "一二三四五六七八九十") == 0
    assert repeated_chars("", "一二三") == 0


def test_sections_missing_last_year_are_not_compared():
    now = [Section("overview", 1, "一、总体情况", "甲" * 20), Section("problems", 5, "五、", "乙" * 20)]
    before = [Section("overview", 1, "一、总体情况", "甲" * 20)]
    assert [(r.section, r.share) for r in repeats(now, before)] == [("overview", 1.0), (ALL, 0.5)]


def test_longest_common_is_difflibs_longest_match_on_real_texts_and_random_ones():
    """The linear-time longest run gives what difflib's find_longest_match gives (the earliest in the current text)."""
    import random
    from difflib import SequenceMatcher

    texts = [mask("\n".join(s.text for s in sections(f"html/pingtan-{y}.html"))).text for y in (2023, 2024)]
    texts += [mask("\n".join(s.text for s in sections(f"hongze-{y}.pdf"))).text for y in (2023, 2024)]
    rng = random.Random(7)
    pairs = [(a, b) for a in texts for b in texts]  # a text against itself too: all of it repeated
    pairs += [tuple("".join(rng.choice("ab#") for _ in range(rng.randrange(30))) for _ in "ab") for _ in range(500)]
    for a, b in pairs:
        m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
        assert longest_common(a, b) == ((m.a, m.size) if m.size else (0, 0))
    assert longest_common(texts[3], texts[3]) == (0, len(texts[3]))


def test_a_character_that_folds_to_several_stays_where_it_was_printed():
    """㈠ is masked as (一), three characters: each keeps the position of the ㈠ printed (the passage ran off its end)."""
    text = "㈠本机关2023年收到申请17件，全部按时办结。"
    r = compare("all", "新增一句。" + text, "㈠本机关2022年收到申请21件，全部按时办结。")
    assert (r.chars, r.repeated, r.longest, r.longest_chars) == (27, 22, text, 22)
    masked = mask("㈠本")
    assert masked.text == "(一)本" and masked.where == [0, 0, 0, 1]
