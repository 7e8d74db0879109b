"""The indicators analysts compute from the tidy cells (references/template.md, "Useful ratios").

Every rate comes with its numerator and denominator, so a reader can see what it
rests on. Figures are looked up by table, row code and column code in
data/clean/cells.csv (codes from codebook.csv). A blank cell is missing, never
zero: a rate that needs it is missing too, and says so in `flag`. A rate whose
denominator is below `SMALL_COUNT` is flagged as a small count: 3 of 5 reviews
corrected is a lead to follow, not a rate to rank bodies by.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from openness import labels, ratios
from openness.figures import Figures

SMALL_COUNT = 10  # a rate whose denominator is below this is flagged, not ranked
SMALL_FLAG = "small count — a lead, not a rate to rank by"
MISSING_FLAG = "missing figure (blank or absent cell)"
NO_CASES_FLAG = "denominator 0 as printed: no rate"

REFUSAL_REASONS, INDICATORS, BY_NAME = ratios.REFUSAL_REASONS, ratios.INDICATORS, ratios.BY_NAME


def _float(x: Decimal | None) -> float:
    return float("nan") if x is None else float(x)


# Proactive volumes: (row_code, column_code) per template wording; the first present wins.
VOLUMES = {
    "permits": (("licensing", "decisions"), ("licensing", "decision_count")),
    "penalties": (("penalties", "decisions"), ("penalties", "decision_count")),
    "coercion": (("coercion", "decisions"), ("coercion", "decision_count")),
    # 2021 template only: an amount of money in 10,000 yuan. The 2019 fee row counts items, not money.
    "fees_10k_yuan": (("fees", "fee_amount"),),
}


def load_cells(path: str | Path) -> pd.DataFrame:
    """Read cells.csv with codes as text and `value` as a number (NaN where printed blank)."""
    cells = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return numeric(cells)


def load_reports(path: str | Path) -> pd.DataFrame:
    """Read reports.csv (one row per report: body, level, year, template, status…) with `year` as a whole number.

    A year neither the manifest nor the report's title gives stays missing (<NA>), never 0: such a report
    is in the counts, and in no chart by year.
    """
    reports = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    reports["year"] = pd.to_numeric(reports["year"].str.strip().replace("", None), errors="raise").astype("Int64")
    return reports


def numeric(cells: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of the cells with `value` as float, blank -> NaN (missing, not zero)."""
    out = cells.copy()
    raw = out["value"].astype("string").str.strip()
    out["value"] = pd.to_numeric(raw.mask(raw == ""), errors="coerce").astype(float)
    out["row_code"] = out["row_code"].fillna("").astype(str)
    out.loc[out["table"] == "appeals", "row_code"] = ""  # table 3 has one row, whose path is empty
    return out


def _appeal_note(figures: Figures, report: str, indicator: ratios.Indicator) -> str:
    """Say when a printed 总计 in the denominator does not equal its four parts (the rate rests on it)."""
    notes = []
    for (_, _, column), sign in indicator.denominator:
        group = labels.entry("appeals", "column", column)
        if sign < 0 or group.part != "total":
            continue
        parts = [((("appeals", "", c), 1)) for c in labels.codes("column", "appeals", group=group.group) if c != column]
        total, _ = figures.get(report, ("appeals", "", column))
        summed = figures.total(report, parts)
        if total is None or summed is None:
            continue
        if total != summed:
            notes.append(
                f"{labels.group_label('appeals', group.group)} 总计 printed {float(total):g} but its parts add up to {float(summed):g}"
            )
    return "; ".join(notes)


def indicators(cells: pd.DataFrame, small: int = SMALL_COUNT) -> pd.DataFrame:
    """Every indicator for every report, long: numerator, denominator, rate, flag (one row each)."""
    figures = Figures(cells)
    rows = []
    for report in sorted(cells["report"].unique()):
        for ind in INDICATORS:
            num, den = (_float(x) for x in ratios.ratio(figures, report, ind))
            flags = []
            rate = float("nan")
            if pd.isna(num) or pd.isna(den):
                flags.append(MISSING_FLAG)
            elif den == 0:
                flags.append(NO_CASES_FLAG)
            elif den < 0:
                flags.append("negative denominator (the printed figures contradict each other)")
            else:
                rate = num / den
                if den < small:
                    flags.append(SMALL_FLAG)
            if ind.name.endswith("correction_rate"):
                note = _appeal_note(figures, report, ind)
                if note:
                    flags.append(note)
            rows.append(
                {
                    "report": report,
                    "indicator": ind.name,
                    "label": ind.label,
                    "numerator": num,
                    "denominator": den,
                    "rate": rate,
                    "small_count": bool(pd.notna(den) and 0 < den < small),
                    "flag": "; ".join(flags),
                }
            )
    return pd.DataFrame(rows)


def rates(cells: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """The rates wide: one row per report, one column per indicator (NaN where not computable)."""
    long = indicators(cells)
    if names is not None:
        long = long[long["indicator"].isin(names)]
    wide = long.pivot(index="report", columns="indicator", values="rate")
    return wide[[n for n in (names or [i.name for i in INDICATORS]) if n in wide.columns]]


def refusal_mix(cells: pd.DataFrame) -> pd.DataFrame:
    """Refusals by reason, one row per report: counts as printed (总计 column), NaN where blank."""
    figures = Figures(cells)
    rows = {
        report: {label: _float(figures.total(report, (ratios.request_cell(code),))) for code, label in REFUSAL_REASONS.items()}
        for report in sorted(cells["report"].unique())
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("report")


# How requests ended, in seven groups (references/template.md, table 2, 三、本年度办理结果): the codebook's
# outcome groups. 其他处理 is one row in the 2019 template and three in the 2021 one: whichever
# rows the report prints are summed.
OUTCOMES = {group: labels.codes("row", "requests", group=group) for group in labels.group_names("row", "requests")}


def outcome_mix(cells: pd.DataFrame) -> pd.DataFrame:
    """Requests handled by outcome group, one row per report (总计 column; NaN if a printed row is blank)."""
    figures = Figures(cells)
    rows = {}
    for report in sorted(cells["report"].unique()):
        row = {}
        printed = figures.terms(report)
        for group, codes in OUTCOMES.items():
            present = tuple(ratios.request_cell(c) for c in codes if ("requests", c, "total") in printed)
            row[group] = _float(figures.total(report, present)) if present else float("nan")
        rows[report] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("report")


def figure(cells: pd.DataFrame, table: str, row_code: str, column_code: str) -> pd.Series:
    """One figure for every report, by codes (NaN where blank or absent)."""
    figures = Figures(cells)
    reports = sorted(cells["report"].unique())
    return pd.Series(
        [_float(figures.total(r, (((table, row_code if table != "appeals" else "", column_code), 1),))) for r in reports],
        index=pd.Index(reports, name="report"),
        name=column_code if table == "appeals" else row_code,
    )


def requests_volume(cells: pd.DataFrame) -> pd.DataFrame:
    """Requests received, handled and appealed, one row per report (总计 column as printed)."""
    return pd.DataFrame(
        {
            "new": figure(cells, "requests", "new", "total"),
            "carried_in": figure(cells, "requests", "carried_in", "total"),
            "handled": figure(cells, "requests", "total_handled", "total"),
            "carried_out": figure(cells, "requests", "carried_out", "total"),
            "reviews": figure(cells, "appeals", "", "review_total"),
            "suits": figure(cells, "appeals", "", "suit_direct_total") + figure(cells, "appeals", "", "suit_after_review_total"),
        }
    )


def proactive_volumes(cells: pd.DataFrame) -> pd.DataFrame:
    """Permits, penalties and coercive measures decided, and fees (万元, 2021 template), per report."""
    figures = Figures(cells)
    rows = {}
    for report in sorted(cells["report"].unique()):
        row = {}
        printed = figures.terms(report)
        for name, candidates in VOLUMES.items():
            row[name] = float("nan")
            for row_code, column_code in candidates:
                if ("proactive", row_code, column_code) in printed:
                    row[name] = _float(figures.total(report, ((("proactive", row_code, column_code), 1),)))
                    break
        rows[report] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("report")


OVERVIEW_RATES = [
    "disclosure_rate",
    "refusal_rate",
    "not_held_rate",
    "natural_person_share",
    "review_correction_rate",
    "litigation_correction_rate",
]


def overview(cells: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """One row per report: body, level, year, template, request volumes and the main rates."""
    meta = reports.set_index("report")[["body", "level", "year", "template"]]
    table = meta.join(requests_volume(cells)).join(rates(cells, OVERVIEW_RATES))
    return table.sort_values(["body", "year"])
