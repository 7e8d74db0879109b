"""The ratios, defined once (references/template.md, "The indicators"): what each divides by what.

`metrics` computes every indicator for the notebooks; `outputs` writes two of
them into reports.csv. Both compute them here, from `Figures`, so a rate has
one definition and one arithmetic: a blank term leaves it unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from openness import labels
from openness.figures import Figures, Signed


def request_cell(row: str, sign: int = 1, column: str = "total") -> Signed:
    """A table-2 figure (the 总计 column unless named) as a term of a sum."""
    return (("requests", row, column), sign)


def appeal_cell(column: str, sign: int = 1) -> Signed:
    """A table-3 figure as a term of a sum."""
    return (("appeals", "", column), sign)


# The refusal reasons (table 2's 不予公开 rows), code -> printed reason without its numbering.
REFUSAL_REASONS = {e.code: re.sub(r"^\d+\.", "", e.leaf) for e in labels.entries("row", "requests") if e.group == "不予公开"}


@dataclass(frozen=True)
class Indicator:
    """One ratio: a name, its Chinese label, and the signed figures summed above and below the line."""

    name: str
    label: str
    numerator: tuple[Signed, ...]
    denominator: tuple[Signed, ...]


HANDLED = (request_cell("total_handled"),)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "disclosure_rate", "公开率（予以公开＋部分公开）", (request_cell("granted"), request_cell("partly_granted")), HANDLED
    ),
    Indicator("refusal_rate", "不予公开率", tuple(request_cell(code) for code in REFUSAL_REASONS), HANDLED),
    *(
        Indicator(f"refusal_{code.removeprefix('refused_')}", f"不予公开：{label}", (request_cell(code),), HANDLED)
        for code, label in REFUSAL_REASONS.items()
    ),
    Indicator("not_held_rate", "不掌握率", (request_cell("unable_not_held"),), HANDLED),
    Indicator("natural_person_share", "自然人申请占比", (request_cell("new", column="natural_person"),), (request_cell("new"),)),
    Indicator(
        "review_correction_rate",
        "行政复议纠错率",
        (appeal_cell("review_corrected"),),
        (appeal_cell("review_total"), appeal_cell("review_pending", -1)),
    ),
    Indicator(
        "litigation_correction_rate",
        "行政诉讼纠错率",
        (appeal_cell("suit_direct_corrected"), appeal_cell("suit_after_review_corrected")),
        (
            appeal_cell("suit_direct_total"),
            appeal_cell("suit_direct_pending", -1),
            appeal_cell("suit_after_review_total"),
            appeal_cell("suit_after_review_pending", -1),
        ),
    ),
)

BY_NAME = {ind.name: ind for ind in INDICATORS}


def ratio(figures: Figures, report: str, indicator: Indicator) -> tuple[Decimal | None, Decimal | None]:
    """An indicator's numerator and denominator for one report (None where a term cannot be read)."""
    return figures.total(report, indicator.numerator), figures.total(report, indicator.denominator)
