"""The template is data: a row added to a copy of the codebook flows through mapping, checks and outputs.

No code changes: the new row is typeset, found on the page, summed by identity 2 (its outcome
group, 不予公开, is a codebook column), and written to cells.csv and requests.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from conftest import ROOT
from openness import labels
from openness.checks import run_checks
from openness.extract import extract_report
from openness.outputs import write_clean
from openness.tooling.typeset import render_report

NEW = "三、本年度办理结果 / （三）不予公开 / 9.属于新增的不予公开情形"


def _codebook_with_a_new_refusal_reason(path: Path) -> Path:
    """A copy of codebook.csv with a ninth refusal reason after the eighth (2021 template)."""
    with open(ROOT / "lib" / "openness" / "codebook.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    at = next(i for i, r in enumerate(rows) if r["code"] == "refused_query_matter") + 1
    rows.insert(
        at,
        {
            "kind": "row",
            "table": "requests",
            "code": "refused_new_reason",
            "label": NEW,
            "english": "Refused: a new reason",
            "unit": "requests",
            "templates": "2021",
            "group": "不予公开",
            "part": "",
        },
    )
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _figures() -> pd.DataFrame:
    """平潭 2023's real figures, with the new row: 2 requests refused for the new reason, totals raised to match."""
    figures = pd.read_csv(ROOT / "data" / "raw" / "figures" / "pingtan-2023.csv", dtype=str, keep_default_na=False)
    figures = figures[["report", "table", "row", "column", "value"]].copy()
    requests = figures[figures.table == "requests"]
    new = requests[requests.row == "一、本年新收政府信息公开申请数量"].copy()
    new["row"], new["value"] = NEW, "0"
    new.loc[new.column.isin(["自然人", "总计"]), "value"] = "2"
    raise_by_two = (
        figures.table.eq("requests")
        & figures.column.isin(["自然人", "总计"])
        & figures.row.isin(["一、本年新收政府信息公开申请数量", "三、本年度办理结果 / （七）总计"])
    )
    figures.loc[raise_by_two, "value"] = (figures.loc[raise_by_two, "value"].astype(int) + 2).astype(str)
    return pd.concat([figures, new], ignore_index=True)


def test_a_codebook_row_flows_through_mapping_checks_and_outputs(tmp_path):
    before = run_checks(
        pd.DataFrame([c.as_dict() for c in extract_report(ROOT / "data" / "raw" / "pingtan-2023.pdf", "x").cells])
    )
    with labels.use_codebook(_codebook_with_a_new_refusal_reason(tmp_path / "codebook.csv")):
        assert "refused_new_reason" in labels.codes("row", "requests", "2021", group="不予公开")
        rendering = render_report(_figures(), tmp_path / "new.pdf", template="2021", body="平潭综合实验区", year=2023)
        ex = extract_report(rendering.path, "new")
        assert ex.status == "ok", [str(p) for p in ex.problems]
        found = {c.column_code: c.value for c in ex.cells if c.row_code == "refused_new_reason"}
        assert found == {
            "natural_person": "2",
            "business": "0",
            "research": "0",
            "social_welfare": "0",
            "legal_services": "0",
            "other_org": "0",
            "total": "2",
        }
        cells = pd.DataFrame([c.as_dict() for c in ex.cells])
        checks = run_checks(cells)
        handled = checks[(checks.identity == "requests_handled_total") & (checks.scope == "natural_person")].iloc[0]
        assert "refused_new_reason.natural_person=2" in handled.right_terms
        assert handled.status == "pass"
        write_clean(tmp_path / "clean", cells, None, [], checks)
    published = pd.read_csv(tmp_path / "clean" / "requests.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert NEW in set(published.row)
    book = pd.read_csv(tmp_path / "clean" / "codebook.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert "refused_new_reason" in set(book.code)
    # and outside the block the real codebook is back: the same report has no such term
    assert not before.right_terms.str.contains("refused_new_reason").any()
    assert "refused_new_reason" not in labels.codes("row", "requests")
