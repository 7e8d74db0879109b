"""openness.metrics on the real printed figures of ../shared/corpus/truth.csv, checked by hand."""

from __future__ import annotations

import math
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

from openness import metrics

TRUTH = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "truth.csv"

pytestmark = pytest.mark.skipif(not TRUTH.exists(), reason="../shared/corpus/truth.csv not available")


def truth_cells() -> pd.DataFrame:
    """truth.csv as tidy cells: the official label paths mapped to codes with codebook.csv."""
    truth = pd.read_csv(TRUTH, dtype=str, keep_default_na=False)
    book = pd.read_csv(files("openness") / "codebook.csv", dtype=str, keep_default_na=False)
    rows = book[book.kind == "row"].set_index(["table", "label"])["code"]
    cols = book[book.kind == "column"].set_index(["table", "label"])["code"]
    truth["row_code"] = [rows.get((t, r), "") if r else "" for t, r in zip(truth.table, truth.row)]
    truth["column_code"] = [cols[(t, c)] for t, c in zip(truth.table, truth.column)]
    assert (truth.row_code != "").sum() == (truth.table != "appeals").sum()  # every label mapped
    return truth


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    return truth_cells()


def one(table: pd.DataFrame, report: str, name: str) -> pd.Series:
    hit = table[(table.report == report) & (table.indicator == name)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_fenyang_2023_by_hand(cells):
    ind = metrics.indicators(cells)
    # table 2, 总计 column: 予以公开 3 + 部分公开 0 over （七）总计 5 = 3/5
    row = one(ind, "fenyang-2023", "disclosure_rate")
    assert (row.numerator, row.denominator, row.rate) == (3, 5, 0.6)
    assert row.small_count and metrics.SMALL_FLAG in row.flag
    # 本机关不掌握 1 of 5 handled
    row = one(ind, "fenyang-2023", "not_held_rate")
    assert (row.numerator, row.denominator, row.rate) == (1, 5, 0.2)
    # refusals: only 5.属于三类内部事务信息 = 1 (a 商业企业 request), so 1/5
    assert one(ind, "fenyang-2023", "refusal_rate").rate == 0.2
    assert one(ind, "fenyang-2023", "refusal_internal_affairs").rate == 0.2
    assert one(ind, "fenyang-2023", "refusal_state_secret").rate == 0.0
    # 一、本年新收: 自然人 4 of 总计 5
    row = one(ind, "fenyang-2023", "natural_person_share")
    assert (row.numerator, row.denominator, row.rate) == (4, 5, 0.8)
    # table 3 行政复议: 维持 1, 纠正 3, 其他 1, 尚未审结 0, 总计 5 -> 3 / (5 - 0) = 0.6, a small count
    row = one(ind, "fenyang-2023", "review_correction_rate")
    assert (row.numerator, row.denominator, row.rate) == (3, 5, 0.6)
    assert row.small_count and row.flag == metrics.SMALL_FLAG
    # no lawsuits at all: (0 - 0) + (0 - 0) = 0 -> no rate, said so
    row = one(ind, "fenyang-2023", "litigation_correction_rate")
    assert row.denominator == 0 and math.isnan(row.rate) and row.flag == metrics.NO_CASES_FLAG
    assert not row.small_count


def test_hongze_2023_by_hand(cells):
    ind = metrics.indicators(cells)
    # 予以公开 0 + 部分公开 4 over 21 handled = 4/21
    row = one(ind, "hongze-2023", "disclosure_rate")
    assert (row.numerator, row.denominator) == (4, 21)
    assert row.rate == pytest.approx(0.19047619, abs=1e-8)
    assert row.flag == "" and not row.small_count
    # 本机关不掌握 10 of 21
    assert one(ind, "hongze-2023", "not_held_rate").rate == pytest.approx(10 / 21)
    # refusals: 国家秘密 1 + 过程性信息 1 + 行政执法案卷 1 = 3 of 21
    row = one(ind, "hongze-2023", "refusal_rate")
    assert (row.numerator, row.denominator) == (3, 21)
    # every one of the 21 new requests came from a 自然人
    assert one(ind, "hongze-2023", "natural_person_share").rate == 1.0
    # 行政复议 printed 10 / 1 / 0 / 0 / 总计 0: the denominator as printed is 0 - 0 = 0,
    # so no rate, and the flag says the total disagrees with its parts (10 + 1 + 0 + 0 = 11)
    row = one(ind, "hongze-2023", "review_correction_rate")
    assert row.numerator == 1 and row.denominator == 0 and math.isnan(row.rate)
    assert metrics.NO_CASES_FLAG in row.flag and "parts add up to 11" in row.flag
    # 复议后起诉 printed 5 / 0 / 0 / 0 / 总计 0: same break, parts 5
    row = one(ind, "hongze-2023", "litigation_correction_rate")
    assert row.denominator == 0 and "parts add up to 5" in row.flag


def test_hongze_2024_by_hand(cells):
    ind = metrics.indicators(cells)
    # 行政复议 1 / 1 / 0 / 0 / 总计 2 -> 1 / (2 - 0) = 0.5
    row = one(ind, "hongze-2024", "review_correction_rate")
    assert (row.numerator, row.denominator, row.rate) == (1, 2, 0.5) and row.small_count
    # 诉讼: 直接起诉 总计 1 (维持 1), 复议后起诉 总计 3 (维持 2, 其他 1): 0 corrected / (1 - 0 + 3 - 0)
    row = one(ind, "hongze-2024", "litigation_correction_rate")
    assert (row.numerator, row.denominator, row.rate) == (0, 4, 0.0)
    assert row.flag == metrics.SMALL_FLAG


def test_proactive_volumes_by_hand(cells):
    vol = metrics.proactive_volumes(cells)
    # table 1 as printed: 行政许可 28311, 行政处罚 2166, 行政强制 107, 收费 1760.1263 万元
    assert vol.loc["fenyang-2023"].tolist() == [28311, 2166, 107, 1760.1263]
    assert vol.loc["hongze-2023"].tolist() == [550, 4119, 195, 7730.28]


def test_requests_volume_and_refusal_mix(cells):
    vol = metrics.requests_volume(cells)
    assert vol.loc["hongze-2023", ["new", "handled", "reviews", "suits"]].tolist() == [21, 21, 0, 0]
    # hongze 2024: reviews 总计 2; suits 直接起诉 1 + 复议后起诉 3
    assert vol.loc["hongze-2024", ["reviews", "suits"]].tolist() == [2, 4]
    mix = metrics.refusal_mix(cells)
    assert mix.loc["hongze-2023"].sum() == 3
    assert mix.loc["hongze-2023", "属于行政执法案卷"] == 1


def test_outcome_mix_by_hand(cells):
    mix = metrics.outcome_mix(cells)
    # 汾阳 2023 (2021 template, 其他处理 in three rows): 予以公开 3, 不予公开 1, 不掌握 1; sums to （七）总计 5
    assert mix.loc["fenyang-2023"].tolist() == [3, 0, 1, 1, 0, 0, 0]
    # 洪泽 2023 (其他处理 printed as one row): 部分公开 4, 不予公开 3, 不掌握 10, 另行制作 3, 信访 1 = 21
    assert mix.loc["hongze-2023"].tolist() == [0, 4, 3, 10, 3, 1, 0]
    assert mix.loc["hongze-2023"].sum() == 21


def test_blank_is_missing_not_zero(cells):
    blanked = cells.copy()
    hit = (blanked.report == "hongze-2023") & (blanked.row_code == "partly_granted") & (blanked.column_code == "total")
    assert hit.sum() == 1
    blanked.loc[hit, "value"] = ""
    row = one(metrics.indicators(blanked), "hongze-2023", "disclosure_rate")
    # 0 + blank is not 0: the rate is missing and says why
    assert math.isnan(row.numerator) and math.isnan(row.rate) and row.flag == metrics.MISSING_FLAG
    # the other reports are untouched
    assert one(metrics.indicators(blanked), "fenyang-2023", "disclosure_rate").rate == 0.6


def test_absent_table_is_missing(cells):
    no_appeals = cells[~((cells.report == "fenyang-2023") & (cells.table == "appeals"))]
    row = one(metrics.indicators(no_appeals), "fenyang-2023", "review_correction_rate")
    assert math.isnan(row.rate) and row.flag == metrics.MISSING_FLAG


def test_threshold_is_a_parameter(cells):
    row = one(metrics.indicators(cells, small=5), "fenyang-2023", "review_correction_rate")
    assert not row.small_count and row.flag == ""


def test_rates_wide(cells):
    wide = metrics.rates(cells, ["disclosure_rate", "review_correction_rate"])
    assert list(wide.columns) == ["disclosure_rate", "review_correction_rate"]
    assert wide.loc["fenyang-2023", "review_correction_rate"] == 0.6
    assert math.isnan(wide.loc["hongze-2023", "review_correction_rate"])


def test_load_cells_reads_blank_as_nan(tmp_path, cells):
    path = tmp_path / "cells.csv"
    out = cells.copy()
    out.loc[out.index[0], "value"] = ""
    out.to_csv(path, index=False, encoding="utf-8-sig")
    loaded = metrics.load_cells(path)
    assert math.isnan(loaded["value"].iloc[0]) and loaded["value"].iloc[1] == 0
    assert loaded["report"].iloc[0] == "fenyang-2023"  # BOM stripped from the header


def test_overview_joins_metadata(cells):
    reports = pd.DataFrame(
        {
            "report": ["fenyang-2023", "hongze-2023", "hongze-2024"],
            "body": ["汾阳市人民政府", "淮安市洪泽区人民政府", "淮安市洪泽区人民政府"],
            "level": ["county-level city", "district", "district"],
            "year": [2023, 2023, 2024],
            "template": ["2021", "mixed", "mixed"],
        }
    )
    view = metrics.overview(cells, reports)
    assert list(view.index) == ["fenyang-2023", "hongze-2023", "hongze-2024"]  # by body (code point), then year
    assert view.loc["hongze-2023", ["new", "handled"]].tolist() == [21, 21]
    assert view.loc["fenyang-2023", "review_correction_rate"] == 0.6
