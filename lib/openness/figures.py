"""A report's printed figures by code, and sums that keep a blank missing: the one arithmetic of the project.

Checks, indicators and the headline figures of reports.csv all read figures
through `Figures`: by (report, table, row_code, column_code), as exact
decimals. A figure that is blank as printed, absent, not a number, or printed
twice with different values cannot be read, and says why; a sum with such a
term is unknown (None), never a sum that quietly read it as 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import pandas as pd

Term = tuple[str, str, str]  # table, row_code ('' for table 3), column_code
Signed = tuple[Term, int]  # a term and its sign in a sum (+1 or -1)


class Figures:
    """The printed values of every report, looked up by report and term."""

    def __init__(self, cells: pd.DataFrame):
        self._values: dict[str, dict[Term, list[str]]] = {}
        columns = [
            cells[c].astype(object).fillna("").astype(str).str.strip().tolist()
            for c in ("report", "table", "row_code", "column_code", "value")
        ]
        for report, table, row, column, value in zip(*columns):
            row = "" if table == "appeals" else row  # table 3 has one row, whose path is empty
            self._values.setdefault(report, {}).setdefault((table, row, column), []).append(value)

    @property
    def reports(self) -> list[str]:
        return sorted(self._values)

    def terms(self, report: str) -> set[Term]:
        """Every term the report prints (blank or not)."""
        return set(self._values.get(report, {}))

    def get(self, report: str, term: Term) -> tuple[Decimal | None, str]:
        """A figure, or None and why it cannot be read ('missing', 'blank', 'not a number (…)' …)."""
        found = sorted(set(self._values.get(report, {}).get(term, [])))
        if not found:
            return None, "missing"
        if len(found) > 1:
            return None, "printed twice with different values (" + ", ".join(repr(v) for v in found) + ")"
        if found[0] == "":
            return None, "blank"
        try:
            return Decimal(found[0]), ""
        except InvalidOperation:
            return None, f"not a number ({found[0]!r})"

    def total(self, report: str, terms: Iterable[Signed]) -> Decimal | None:
        """The signed sum of some figures; None as soon as one cannot be read."""
        total = Decimal(0)
        for term, sign in terms:
            value, _ = self.get(report, term)
            if value is None:
                return None
            total += sign * value
        return total


def plain(x: Decimal) -> str:
    """A decimal as a plain number: no exponent, no trailing zeros ('7730.28', '-15', '3')."""
    if x == x.to_integral_value():
        return str(int(x))
    return format(x.normalize(), "f")
