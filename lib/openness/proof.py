"""Figures read by OCR, proven or doubted by the report's own identities (template.md 1-4).

OCR is good and still not to be trusted alone: an engine can read a 9 as 6
and be sure of it. So every OCR'd figure is judged by the arithmetic the
report itself must satisfy:

- **confirmed**: every identity the figure takes part in holds (at least one),
  and the engine was not unsure of it (confidence at least `LOW`);
- **doubtful**: an identity it takes part in breaks, or the engine was unsure
  (confidence under `LOW`), or its text is not a number;
- **unchecked**: no identity can check it (table 1 has none; a term is blank);
- **repaired**: one digit of a doubtful figure changed, because that reading
  (the engine's second choice for the digit, or the only digit that balances
  a broken identity) is the *only* one-digit change that makes every identity
  hold, and the engine was not sure of the digit it read (confidence under
  `HIGH`). A figure read with high confidence stays as read even when it
  breaks an identity: a printed report that breaks its own arithmetic keeps
  its figures.

Doubtful and unchecked figures are named in the extraction's problems, which
keep its status from `ok`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd

from .checks import within_identities
from .figures import Term, plain
from .model import Box, Cell, Extraction, Problem

LOW = 0.80  # confidence under which a figure is doubtful even when its identities hold
HIGH = 0.97  # confidence from which a figure is never repaired


@dataclass
class _Identity:
    """One identity of one report: its id, its scope (a column, row or group), and the terms of each side."""

    name: str
    scope: str
    left: list[Term]
    right: list[Term]

    def terms(self) -> list[Term]:
        """Every term, both sides."""
        return self.left + self.right

    def difference(self, values: Mapping[Term, Decimal | None]) -> Decimal | None:
        """left − right, or None when a term is blank, missing or not a number."""
        sides = []
        for side in (self.left, self.right):
            total = Decimal(0)
            for t in side:
                v = values.get(t)
                if v is None:
                    return None
                total += v
            sides.append(total)
        return sides[0] - sides[1]


def _number(value: str) -> Decimal | None:
    """A figure's value as a decimal; None when blank or not a number."""
    try:
        return Decimal(value) if value.strip() else None
    except InvalidOperation:
        return None


def _term(cell: Cell) -> Term:
    """The cell's place in the identities: (table, row code, column code)."""
    return cell.table, cell.row_code, cell.column_code


def _name(cell: Cell) -> str:
    """The cell's official label path, for messages."""
    return f"{cell.row} × {cell.column}" if cell.row else cell.column


def one_digit_readings(cell: Cell, chars: list[tuple[str, float, str, float]], balancing: list[Decimal]) -> set[str]:
    """Other readings of a figure that differ from it in one digit: the engine's second choices, and values that balance a broken identity."""
    value = cell.value
    if not value.isdigit():
        return set()
    out = set()
    digits = [(c, second) for c, _, second, _ in chars if c.isdigit()]
    if "".join(c for c, _ in digits) == value:
        for i, (_, second) in enumerate(digits):
            out.add(value[:i] + second + value[i + 1 :])
    for v in balancing:
        text = str(v)
        if v >= 0 and v == v.to_integral_value() and len(text) == len(value):
            if sum(a != b for a, b in zip(text, value)) == 1:
                out.add(text)
    out.discard(value)
    return {v for v in out if len(v) == 1 or not v.startswith("0")}


def _breaks(identities: list[_Identity], values: Mapping[Term, Decimal | None]) -> list[tuple[_Identity, Decimal]]:
    """The identities that break, with left − right."""
    return [(i, d) for i in identities if (d := i.difference(values)) is not None and d != 0]


def prove(ex: Extraction, readings: Mapping[tuple[int | None, Box | None], object]) -> Extraction:
    """Confirm, doubt or (one digit, when only one reading fits) repair each OCR'd figure of an extraction, in place."""
    read = [c for c in ex.cells if (c.page, c.bbox) in readings]
    if not read:
        return ex
    chars = {}
    for c in read:
        reading = readings[(c.page, c.bbox)]
        c.confidence = reading.confidence
        chars[id(c)] = reading.chars
    by_term: dict[Term, Cell] = {}
    for c in ex.cells:
        by_term.setdefault(_term(c), c)
    values = {t: _number(c.value) for t, c in by_term.items()}
    frame = pd.DataFrame(
        [
            {"report": ex.report, "table": t[0], "row_code": t[1], "column_code": t[2], "value": c.value}
            for t, c in by_term.items()
        ],
        columns=["report", "table", "row_code", "column_code", "value"],
    )
    identities = [_Identity(*i) for i in within_identities(frame, ex.report)]
    member: dict[Term, list[_Identity]] = {}
    for i in identities:
        for t in i.terms():
            member.setdefault(t, []).append(i)

    repairs = _repair(identities, values, by_term, chars)
    for cell, old, new in repairs:
        values[_term(cell)] = Decimal(new)
        cell.value = new
        cell.proof = "repaired"
        cell.proof_note = (
            f"read {old} (confidence {cell.confidence:.2f}); {new} is the only one-digit reading that makes every identity hold"
        )
        ex.problems.append(
            Problem(
                ex.file,
                "repaired",
                f"{_name(cell)}: OCR read {old}, taken as {new} ({cell.proof_note})",
                cell.table,
                _name(cell),
                cell.page,
            )
        )

    broken = {id(i): d for i, d in _breaks(identities, values)}
    unchecked: dict[str, int] = {}
    for cell in read:
        if cell.proof == "repaired":
            continue
        why = []
        if cell.text.strip() and values.get(_term(cell)) is None:
            why.append(f"not a number: {cell.text!r}")
        if cell.confidence is not None and cell.confidence < LOW:
            why.append(f"low confidence {cell.confidence:.2f}")
        for i in member.get(_term(cell), []):
            if id(i) in broken:
                why.append(f"{i.name} {i.scope} breaks by {plain(broken[id(i)])}")
        checked = [i for i in member.get(_term(cell), []) if i.difference(values) is not None]
        if why:
            cell.proof, cell.proof_note = "doubtful", "; ".join(why)
            ex.problems.append(
                Problem(
                    ex.file,
                    "doubtful",
                    f"{_name(cell)}: OCR read {cell.text!r}, doubtful ({cell.proof_note}): check it by eye",
                    cell.table,
                    _name(cell),
                    cell.page,
                )
            )
        elif checked:
            cell.proof = "confirmed"
        else:
            cell.proof = "unchecked"
            unchecked[cell.table] = unchecked.get(cell.table, 0) + 1
    for table, n in unchecked.items():
        ex.problems.append(
            Problem(
                ex.file,
                "unchecked",
                f"{n} figure{'s' if n != 1 else ''} read by OCR that no identity checks: check {'them' if n != 1 else 'it'} by eye",
                table,
            )
        )
    return ex


def _repair(
    identities: list[_Identity], values: dict[Term, Decimal | None], by_term: Mapping[Term, Cell], chars: Mapping[int, list]
) -> list[tuple[Cell, str, str]]:
    """The one-digit repair that alone makes every identity hold, as [(cell, read, taken)]; [] when none or several."""
    broken = _breaks(identities, values)
    if not broken:
        return []
    suspects = {t for i, _ in broken for t in i.terms()}
    solutions = []
    for term in sorted(suspects):
        cell = by_term.get(term)
        if cell is None or id(cell) not in chars or cell.confidence is None or cell.confidence >= HIGH:
            continue
        balancing = []
        for i, d in broken:
            if term in i.left:
                balancing.append(values[term] - d)
            elif term in i.right:
                balancing.append(values[term] + d)
        for new in one_digit_readings(cell, chars[id(cell)], balancing):
            trial = dict(values)
            trial[term] = Decimal(new)
            if not _breaks(identities, trial):
                solutions.append((cell, cell.value, new))
    return solutions if len(solutions) == 1 else []
