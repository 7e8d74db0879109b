"""Identity checks (勾稽关系) of references/template.md on the tidy cells: report breaks, never fix them.

Input is the tidy cells DataFrame (the fields of `openness.model.Cell`; only
report, table, row_code, column_code and value are read). Output is one row per
identity and scope, with both sides, their difference and a status:

- ``pass``: both sides computed and equal;
- ``fail``: both sides computed and different (a break as printed);
- ``not_checked``: a term is blank as printed, missing, or not a number. A blank
  is never read as 0; the reason names every term that could not be read.

Within one report: 1 requests_balance, 2 requests_handled_total,
3 requests_applicant_total, 4 appeals_group_total. Across consecutive years of
the same body (from a mapping report -> (body, year)): 5 carry_over and the
rough check 6 documents_in_force.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pandas as pd

from openness import labels
from openness.figures import Figures, Term, plain
from openness.labels import codebook

COLUMNS = [
    "report",
    "identity",
    "number",
    "table",
    "scope",
    "scope_label",
    "description",
    "left_terms",
    "right_terms",
    "left",
    "right",
    "difference",
    "status",
    "reason",
    "rough",
]

OTHER_HANDLING = "其他处理"  # （六）其他处理: one row in 2019 (and mixed), three in 2021
DOCUMENT_SECTION = "第二十条第（一）项"  # identity 6: the 2021 template's documents of this section


@dataclass(frozen=True)
class _Groups:
    """The codes the identities sum over, read from the codebook in use (its `group` and `part`)."""

    handled_leaves: tuple[str, ...]  # table 2's outcome leaves before （六）其他处理
    other_2021: tuple[str, ...]
    other_2019: tuple[str, ...]
    applicants: tuple[str, ...]
    appeal_groups: tuple[str, ...]
    document_rows: tuple[str, ...]
    document_columns: tuple[str, ...]


@lru_cache(maxsize=4)
def _groups(book: tuple) -> _Groups:
    other = labels.group_names("row", "requests")
    return _Groups(
        handled_leaves=tuple(c for g in other if g != OTHER_HANDLING for c in labels.codes("row", "requests", group=g)),
        other_2021=labels.codes("row", "requests", "2021", group=OTHER_HANDLING),
        other_2019=labels.codes("row", "requests", "2019", group=OTHER_HANDLING),
        applicants=labels.codes("column", "requests", group="applicant"),
        appeal_groups=labels.group_names("column", "appeals"),
        document_rows=tuple(e.code for e in labels.entries("row", "proactive", "2021") if e.section == DOCUMENT_SECTION),
        document_columns=labels.codes("column", "proactive", "2021", group=DOCUMENT_SECTION),
    )


def _of_book(compute, book: tuple):
    """compute(book), kept for the codebook object in use: lru_cache would hash the whole codebook on every call (a
    national build asks a hundred thousand times)."""
    kept = _KEPT.get(compute)
    if kept is None or kept[0] is not book:
        kept = _KEPT[compute] = (book, compute(book))
    return kept[1]


_KEPT: dict = {}


def groups() -> _Groups:
    """The identities' groups of the codebook in use."""
    return _of_book(_groups, codebook())


IDENTITIES: dict[str, tuple[int, str, str]] = {
    # id: (number in references/template.md, table, description in plain English + Chinese)
    "requests_balance": (
        1,
        "requests",
        "New plus carried-in requests equal requests handled plus carried out "
        "(一、本年新收 + 二、上年结转 = 三（七）总计 + 四、结转下年度继续办理)",
    ),
    "requests_handled_total": (
        2,
        "requests",
        "Requests handled equal the sum of the outcomes （一） to （六） (三（七）总计 = （一）至（六）各项之和)",
    ),
    "requests_applicant_total": (
        3,
        "requests",
        "The total column equals the sum of the six applicant columns (总计 = 自然人 + 法人或其他组织五类之和)",
    ),
    "appeals_group_total": (
        4,
        "appeals",
        "Total equals upheld + corrected + other + pending (总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结)",
    ),
    "carry_over": (
        5,
        "requests",
        "Requests carried out at the end of year y equal requests carried in at the start of y+1 "
        "(y年 四、结转下年度继续办理 = y+1年 二、上年结转政府信息公开申请数量)",
    ),
    "documents_in_force": (
        6,
        "proactive",
        "Rough check: documents in force at the end of y, plus issued minus repealed in y+1, equal "
        "documents in force at the end of y+1; revisions and expiries break it "
        "(y年现行有效件数 + y+1年本年制发件数 − y+1年本年废止件数 = y+1年现行有效件数)",
    ),
}


def _labels() -> dict[tuple[str, str, str], str]:
    """(kind, table, code) -> official label path, in codebook order."""
    return _of_book(_labels_of, codebook())


@lru_cache(maxsize=4)
def _labels_of(book: tuple) -> dict[tuple[str, str, str], str]:
    return {(e.kind, e.table, e.code): e.label for e in book}


def _label(table: str, row: str, column: str) -> str:
    """The official label path of one cell, 'row / column' (just the column for appeals)."""
    col = _labels().get(("column", table, column), column)
    if not row:
        return col
    return f"{_labels().get(('row', table, row), row)} | {col}"


class _Report:
    """One report's figures (read through `Figures`), with which tables and rows it prints."""

    def __init__(self, figures: Figures, name: str):
        self.figures = figures
        self.name = name
        self.tag = ""  # prefix naming the report in reasons, for cross-year checks
        self.terms = figures.terms(name)
        self.tables = {t for t, _, _ in self.terms}
        self.rows = {(t, r) for t, r, _ in self.terms}

    def has_columns(self, table: str, columns: Iterable[str]) -> bool:
        """Whether any figure of the table sits in one of these columns."""
        wanted = set(columns)
        return any(t == table and c in wanted for t, _, c in self.terms)

    def get(self, term: Term) -> tuple[Decimal | None, str]:
        """The term's value, or None and why it cannot be read ('blank', 'missing', ...)."""
        return self.figures.get(self.name, term)


@dataclass
class _Side:
    total: Decimal | None
    terms: str
    problems: list[str]


def _side(parts: Iterable[tuple[_Report, Term, int]]) -> _Side:
    """Sum signed terms; any unreadable term leaves the total unknown and is named."""
    total = Decimal(0)
    shown: list[str] = []
    problems: list[str] = []
    for report, term, sign in parts:
        value, why = report.get(term)
        table, row, column = term
        code = f"{row}.{column}" if row else column
        if shown:
            sign_text = " − " if sign < 0 else " + "
        else:
            sign_text = "−" if sign < 0 else ""
        shown_value = plain(value) if value is not None else "(" + why.split(" (")[0] + ")"
        shown.append(f"{sign_text}{code}={shown_value}")
        if value is None:
            problems.append(f"{why}: {report.tag}{_label(table, row, column)}")
        else:
            total += sign * value
    return _Side(None if problems else total, "".join(shown), problems)


def _result(report: str, identity: str, scope: str, scope_label: str, left: _Side, right: _Side) -> dict:
    """One row of the checks table."""
    number, table, description = IDENTITIES[identity]
    problems = left.problems + right.problems
    if problems:
        status, diff = "not_checked", None
    else:
        diff = left.total - right.total
        status = "pass" if diff == 0 else "fail"
    return {
        "report": report,
        "identity": identity,
        "number": number,
        "table": table,
        "scope": scope,
        "scope_label": scope_label,
        "description": description,
        "left_terms": left.terms,
        "right_terms": right.terms,
        "left": left.total,
        "right": right.total,
        "difference": diff,
        "status": status,
        "reason": "; ".join(problems),
        "rough": identity == "documents_in_force",
    }


def _no_table(report: str, identity: str, missing: list[str]) -> dict:
    """One not_checked row when a whole table of a report has no figures at all."""
    number, table, description = IDENTITIES[identity]
    return {
        "report": report,
        "identity": identity,
        "number": number,
        "table": table,
        "scope": "",
        "scope_label": "",
        "description": description,
        "left_terms": "",
        "right_terms": "",
        "left": None,
        "right": None,
        "difference": None,
        "status": "not_checked",
        "reason": "; ".join(f"no {table} figures in {m}" for m in missing),
        "rough": identity == "documents_in_force",
    }


def _col_label(table: str, column: str) -> str:
    return _labels().get(("column", table, column), column)


def _row_label(table: str, row: str) -> str:
    return _labels().get(("row", table, row), row)


def _requests_rows() -> list[str]:
    return [c for (k, t, c) in _labels() if k == "row" and t == "requests"]


def _requests_columns() -> list[str]:
    return [c for (k, t, c) in _labels() if k == "column" and t == "requests"]


def check_report(name: str, cells: pd.DataFrame) -> list[dict]:
    """Identities 1-4 of references/template.md for the cells of one report."""
    return _check_report(_Report(Figures(cells), name))


def _check_report(rep: _Report) -> list[dict]:
    name = rep.name
    out: list[dict] = []
    if "requests" not in rep.tables:
        for ident in ("requests_balance", "requests_handled_total", "requests_applicant_total"):
            out.append(_no_table(name, ident, [name]))
    for ident, scope, label, left, right in _within(rep):
        out.append(_result(name, ident, scope, label, _side([(rep, t, 1) for t in left]), _side([(rep, t, 1) for t in right])))
    if "appeals" not in rep.tables:
        out.append(_no_table(name, "appeals_group_total", [name]))
    return out


def _within(rep: _Report) -> Iterator[tuple[str, str, str, list[Term], list[Term]]]:
    """Identities 1-4 of the tables a report prints: (identity, scope, scope label, left terms, right terms)."""
    columns = _requests_columns()
    g = groups()
    if "requests" in rep.tables:
        for col in columns:
            yield (
                "requests_balance",
                col,
                _col_label("requests", col),
                [("requests", "new", col), ("requests", "carried_in", col)],
                [("requests", "total_handled", col), ("requests", "carried_out", col)],
            )
        has_2021 = any(("requests", r) in rep.rows for r in g.other_2021)
        # The 2021 sub-rows when the report prints any of them, else the 2019 single row
        # (named as missing when the report has neither).
        other = g.other_2021 if has_2021 else g.other_2019
        for col in columns:
            yield (
                "requests_handled_total",
                col,
                _col_label("requests", col),
                [("requests", "total_handled", col)],
                [("requests", r, col) for r in g.handled_leaves + other],
            )
        for row in _requests_rows():
            if ("requests", row) in rep.rows:
                yield (
                    "requests_applicant_total",
                    row,
                    _row_label("requests", row),
                    [("requests", row, "total")],
                    [("requests", row, c) for c in g.applicants],
                )
    if "appeals" in rep.tables:
        for group in g.appeal_groups:
            total = labels.codes("column", "appeals", group=group, part="total")
            parts = [c for c in labels.codes("column", "appeals", group=group) if c not in total]
            yield (
                "appeals_group_total",
                group,
                labels.group_label("appeals", group),
                [("appeals", "", c) for c in total],
                [("appeals", "", c) for c in parts],
            )


def within_identities(cells: pd.DataFrame, report: str) -> list[tuple[str, str, list[Term], list[Term]]]:
    """Identities 1-4 that a report's figures take part in: (identity, scope, left terms, right terms)."""
    return [(ident, scope, left, right) for ident, scope, _, left, right in _within(_Report(Figures(cells), report))]


def check_pair(before: str, after: str, cells: pd.DataFrame) -> list[dict]:
    """Cross-year identities 5 and 6 between two consecutive reports of one body."""
    figures = Figures(cells)
    return _check_pair(_Report(figures, before), _Report(figures, after))


def _check_pair(a: _Report, b: _Report) -> list[dict]:
    before, after = a.name, b.name
    a.tag, b.tag = f"{before} ", f"{after} "
    pair = f"{before}→{after}"
    out: list[dict] = []
    missing = [r.name for r in (a, b) if "requests" not in r.tables]
    if missing:
        out.append(_no_table(pair, "carry_over", missing))
    else:
        for col in _requests_columns():
            left = _side([(a, ("requests", "carried_out", col), 1)])
            right = _side([(b, ("requests", "carried_in", col), 1)])
            out.append(_result(pair, "carry_over", col, _col_label("requests", col), left, right))
    missing = [r.name for r in (a, b) if "proactive" not in r.tables]
    g = groups()
    old_layout = [r.name for r in (a, b) if "proactive" in r.tables and not r.has_columns("proactive", g.document_columns)]
    if missing:
        out.append(_no_table(pair, "documents_in_force", missing))
    elif old_layout:
        row = _no_table(pair, "documents_in_force", [])
        row["reason"] = "; ".join(
            f"{name}: table 1 has no 本年制发件数 / 本年废止件数 / 现行有效件数 (2019 template)" for name in old_layout
        )
        out.append(row)
    else:
        for row in g.document_rows:
            left = _side(
                [
                    (a, ("proactive", row, "in_force"), 1),
                    (b, ("proactive", row, "issued"), 1),
                    (b, ("proactive", row, "repealed"), -1),
                ]
            )
            right = _side([(b, ("proactive", row, "in_force"), 1)])
            out.append(_result(pair, "documents_in_force", row, _row_label("proactive", row), left, right))
    return out


def periods(manifest: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """report -> (body, year) from manifest metadata (columns report, body, year), for run_checks."""
    out: dict[str, tuple[str, int]] = {}
    for report, body, year in zip(manifest["report"], manifest["body"], manifest["year"]):
        if pd.isna(report) or pd.isna(body) or pd.isna(year):
            continue
        body, year = str(body).strip(), str(year).strip().removesuffix(".0")
        if body and year.isdigit():  # a body and a year stated; anything else is not paired
            out.setdefault(str(report), (body, int(year)))
    return out


def consecutive_pairs(periods: Mapping[str, tuple[str, int]]) -> list[tuple[str, str]]:
    """Pairs (report of year y, report of year y+1) of the same body, sorted: each (body, year) paired once.

    A body with two reports of one year (a web page and its PDF) is paired by the one listed first;
    the others are checked on their own but not across years (a Cartesian product would repeat each pair).
    """
    first: dict[tuple[str, int], str] = {}
    for report, (body, year) in periods.items():
        if body is None or year is None or pd.isna(body) or pd.isna(year):
            continue
        first.setdefault((str(body), int(year)), report)
    return sorted((a, first[(body, year + 1)]) for (body, year), a in first.items() if (body, year + 1) in first)


def _numbers(values: list) -> pd.Series:
    """Decimals as a nullable integer column, or a float column if any has a fraction."""
    known = [v for v in values if v is not None]
    if all(v == v.to_integral_value() for v in known):
        return pd.Series([None if v is None else int(v) for v in values], dtype="Int64")
    return pd.Series([None if v is None else float(v) for v in values], dtype="Float64")


def run_checks(cells: pd.DataFrame, periods: Mapping[str, tuple[str, int]] | None = None) -> pd.DataFrame:
    """Every identity for every report, plus cross-year ones for consecutive reports of a body."""
    figures = Figures(cells)
    rows: list[dict] = []
    for name in figures.reports:
        rows.extend(_check_report(_Report(figures, name)))
    for a, b in consecutive_pairs(periods or {}):
        rows.extend(_check_pair(_Report(figures, a), _Report(figures, b)))
    return _frame(rows)


def pair_checks(cells: pd.DataFrame, pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """The cross-year identities of these pairs (report of year y, report of year y+1) alone, as run_checks has them."""
    figures = Figures(cells)
    return _frame([row for a, b in pairs for row in _check_pair(_Report(figures, a), _Report(figures, b))])


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("left", "right", "difference"):
        frame[col] = _numbers(list(frame[col])) if len(frame) else pd.Series([], dtype="Int64")
    frame["number"] = frame["number"].astype("int64")
    frame["rough"] = frame["rough"].astype(bool)
    return frame.reset_index(drop=True)
