"""openness.checks on real printed figures: truth.csv (洪泽 2023/2024, 汾阳 2023) and 平潭's HTML pages."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import CORPUS, need
from openness.checks import COLUMNS, consecutive_pairs, periods, run_checks
from openness.labels import entries

HONGZE = {
    "hongze-2023": ("淮安市洪泽区人民政府", 2023),
    "hongze-2024": ("淮安市洪泽区人民政府", 2024),
    "fenyang-2023": ("汾阳市人民政府", 2023),
}


def with_codes(truth: pd.DataFrame) -> pd.DataFrame:
    """truth.csv as tidy cells: official label paths mapped to codes with the codebook."""
    cells = truth.copy()
    rows = {(e.table, e.label): e.code for t in ("proactive", "requests") for e in entries("row", t)}
    cols = {(e.table, e.label): e.code for t in ("proactive", "requests", "appeals") for e in entries("column", t)}
    cells["row_code"] = [rows[(t, r)] if r else "" for t, r in zip(cells.table, cells.row)]
    cells["column_code"] = [cols[(t, c)] for t, c in zip(cells.table, cells.column)]
    return cells


@pytest.fixture(scope="module")
def cells(truth: pd.DataFrame) -> pd.DataFrame:
    return with_codes(truth)


@pytest.fixture(scope="module")
def checks(cells: pd.DataFrame) -> pd.DataFrame:
    return run_checks(cells, HONGZE)


def of(checks: pd.DataFrame, report: str, identity: str | None = None, scope: str | None = None) -> pd.DataFrame:
    sel = checks[checks.report == report]
    if identity is not None:
        sel = sel[sel.identity == identity]
    if scope is not None:
        sel = sel[sel.scope == scope]
    return sel


def test_columns_and_counts(checks):
    assert list(checks.columns) == COLUMNS
    # 7 columns x identities 1 and 2, one identity-3 row per printed row, 3 appeal groups
    assert len(of(checks, "hongze-2023")) == 7 + 7 + 23 + 3  # 2019 single row for （六）其他处理
    assert len(of(checks, "hongze-2024")) == 7 + 7 + 23 + 3
    assert len(of(checks, "fenyang-2023")) == 7 + 7 + 25 + 3  # 2021 three sub-rows


def test_hongze_2023_breaks_exactly_twice_in_table_3(checks):
    fails = of(checks, "hongze-2023")
    fails = fails[fails.status == "fail"]
    assert list(zip(fails.identity, fails.scope)) == [
        ("appeals_group_total", "review"),
        ("appeals_group_total", "suit_after_review"),
    ]
    review, after = fails.iloc[0], fails.iloc[1]
    # 行政复议: 10 + 1 + 0 + 0 printed with 总计 0
    assert (review.left, review.right, review.difference) == (0, 11, -11)
    assert review.right_terms == "review_upheld=10 + review_corrected=1 + review_other=0 + review_pending=0"
    assert review.scope_label == "行政复议"
    # 复议后起诉: 5 + 0 + 0 + 0 printed with 总计 0
    assert (after.left, after.right, after.difference) == (0, 5, -5)
    assert after.scope_label == "行政诉讼 / 复议后起诉"
    # the figures are kept as printed: the other group adds up
    direct = of(checks, "hongze-2023", "appeals_group_total", "suit_direct").iloc[0]
    assert direct.status == "pass" and direct.left == 0


@pytest.mark.parametrize("report", ["hongze-2024", "fenyang-2023"])
def test_reports_that_add_up_pass_everything(checks, report):
    assert set(of(checks, report).status) == {"pass"}


def test_hongze_2023_table_2_adds_up(checks):
    mine = of(checks, "hongze-2023")
    assert set(mine[mine.table == "requests"].status) == {"pass"}
    total = of(checks, "hongze-2023", "requests_balance", "total").iloc[0]
    assert total.left == total.right == 21


def test_other_handling_rows_follow_the_report(checks):
    """（六）其他处理: the single 2019 row for 洪泽 (mixed), the three 2021 sub-rows for 汾阳."""
    hongze = of(checks, "hongze-2024", "requests_handled_total", "total").iloc[0]
    assert "other_handling.total=" in hongze.right_terms and "other_other" not in hongze.right_terms
    fenyang = of(checks, "fenyang-2023", "requests_handled_total", "total").iloc[0]
    assert "other_handling" not in fenyang.right_terms
    for code in ("other_no_correction", "other_no_fee", "other_other"):
        assert f"{code}.total=" in fenyang.right_terms
    assert fenyang.left == fenyang.right == 5


def test_hongze_carry_over_and_documents_in_force(checks):
    pair = of(checks, "hongze-2023→hongze-2024")
    carry = pair[pair.identity == "carry_over"]
    assert len(carry) == 7 and set(carry.status) == {"pass"}
    docs = pair[pair.identity == "documents_in_force"].set_index("scope")
    # 行政规范性文件: 5 in force at the end of 2023, 3 issued and 0 repealed in 2024, 8 in force
    row = docs.loc["admin_normative_docs"]
    assert (row.left, row.right, row.status, row.rough) == (8, 8, "pass", True)
    assert row.left_terms == "admin_normative_docs.in_force=5 + admin_normative_docs.issued=3 − admin_normative_docs.repealed=0"
    assert not pair[pair.identity == "carry_over"].rough.any()
    # 汾阳 is another body: no pair
    assert not checks.report.str.contains("fenyang-2023→").any()


def test_blank_is_never_zero(cells):
    """A term printed blank makes its checks not_checked, naming the blank cell."""
    blanked = cells.copy()
    hit = (blanked.report == "hongze-2024") & (blanked.row_code == "carried_in") & (blanked.column_code == "natural_person")
    assert blanked.loc[hit, "value"].tolist() == ["0"]
    blanked.loc[hit, "value"] = ""
    checks = run_checks(blanked, HONGZE)
    balance = of(checks, "hongze-2024", "requests_balance", "natural_person").iloc[0]
    assert balance.status == "not_checked"
    assert balance.reason == "blank: 二、上年结转政府信息公开申请数量 | 自然人"
    assert pd.isna(balance.left) and balance.right == 95 and pd.isna(balance.difference)
    assert balance.left_terms == "new.natural_person=95 + carried_in.natural_person=(blank)"
    row = of(checks, "hongze-2024", "requests_applicant_total", "carried_in").iloc[0]
    assert row.status == "not_checked" and "自然人" in row.reason
    carry = of(checks, "hongze-2023→hongze-2024", "carry_over", "natural_person").iloc[0]
    assert carry.status == "not_checked"
    assert carry.reason == "blank: hongze-2024 二、上年结转政府信息公开申请数量 | 自然人"
    # nothing else changed
    others = checks[checks.status == "not_checked"]
    assert len(others) == 3


def test_missing_cell_and_missing_table(cells):
    pruned = cells[~((cells.report == "fenyang-2023") & (cells.column_code == "review_pending"))]
    pruned = pruned[~((pruned.report == "hongze-2024") & (pruned.table == "appeals"))]
    checks = run_checks(pruned, HONGZE)
    review = of(checks, "fenyang-2023", "appeals_group_total", "review").iloc[0]
    assert review.status == "not_checked"
    assert review.reason == "missing: 行政复议 / 尚未审结"
    assert review.left == 5 and pd.isna(review.right)
    gone = of(checks, "hongze-2024", "appeals_group_total")
    assert len(gone) == 1 and gone.iloc[0].status == "not_checked"
    assert gone.iloc[0].reason == "no appeals figures in hongze-2024"


def test_consecutive_pairs_and_periods():
    manifest = pd.DataFrame(
        {
            "report": ["a-2023", "a-2024", "a-2026", "b-2024", "c-2024"],
            "body": ["A", "A", "A", "B", ""],
            "year": ["2023", "2024", "2026", "2024", "2024"],
        }
    )
    got = periods(manifest)
    assert got == {"a-2023": ("A", 2023), "a-2024": ("A", 2024), "a-2026": ("A", 2026), "b-2024": ("B", 2024)}
    assert consecutive_pairs(got) == [("a-2023", "a-2024")]


def test_a_year_printed_twice_is_paired_once():
    """平潭 2023 as its web page and as a Chromium print of it, then 2024: one carry-over check per column, not two."""
    from openness.extract import extract_report
    from openness.outputs import cells_frame

    files = {
        "pingtan-2023": CORPUS / "html" / "pingtan-2023.html",
        "pingtan-2023-print": CORPUS / "producers" / "pingtan-2023-chromium.pdf",
        "pingtan-2024": CORPUS / "html" / "pingtan-2024.html",
    }
    exs = [extract_report(need(path), report=report) for report, path in files.items()]
    manifest = pd.DataFrame({"report": list(files), "body": "平潭综合实验区", "year": ["2023", "2023", "2024"]})
    assert consecutive_pairs(periods(manifest)) == [("pingtan-2023", "pingtan-2024")]
    checks = run_checks(cells_frame(exs), periods(manifest))
    across = checks[checks.report.str.contains("→")]
    assert set(across.report) == {"pingtan-2023→pingtan-2024"}
    carry = across[across.identity == "carry_over"]
    assert len(carry) == 7 and carry.scope.is_unique and set(carry.status) == {"pass"}
    # both readings of 2023 are still checked on their own, and agree
    own = checks[checks.report.isin(["pingtan-2023", "pingtan-2023-print"])]
    by = {r: sorted(zip(g.identity, g.scope, g.status)) for r, g in own.groupby("report")}
    assert by["pingtan-2023"] == by["pingtan-2023-print"] and by["pingtan-2023"]


def test_pingtan_2020_breaks_its_own_table_2_as_published():
    """平潭 2020 prints （七）总计 21 (自然人 20) over rows that add up to 27 (自然人 26)."""
    from openness.extract import extract_report
    from openness.outputs import cells_frame

    years = (2019, 2020, 2021)
    exs = [extract_report(need(CORPUS / "html" / f"pingtan-{y}.html"), report=f"pingtan-{y}") for y in years]
    checks = run_checks(cells_frame(exs), {f"pingtan-{y}": ("平潭综合实验区", y) for y in years})
    fails = checks[checks.status == "fail"]
    assert list(zip(fails.report, fails.identity, fails.scope, fails.left, fails.right)) == [
        ("pingtan-2020", "requests_handled_total", "natural_person", 20, 26),
        ("pingtan-2020", "requests_handled_total", "total", 21, 27),
    ]
    # the template change of 2021: table 1 of 2019/2020 has no 现行有效件数, so the rough check is not made
    docs = checks[(checks.report == "pingtan-2020→pingtan-2021") & (checks.identity == "documents_in_force")]
    assert len(docs) == 1 and docs.iloc[0].status == "not_checked"
    assert docs.iloc[0].reason.startswith("pingtan-2020: table 1 has no 本年制发件数")
    carry = checks[(checks.report == "pingtan-2020→pingtan-2021") & (checks.identity == "carry_over")]
    assert len(carry) == 7 and set(carry.status) == {"pass"}
