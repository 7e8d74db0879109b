"""Figures a report states in its prose, compared with the same figure in its own tables.

A statement is a sentence matching one of `wording.STATEMENTS` ("受理政府信息
公开申请 17 件", "行政复议 3 起"): its figure (Arabic or Chinese numerals,
近/约/余 marking it approximate) is compared with the table cell(s) the pattern
names. The result is one of:

- `agree`: the same number;
- `approximate`: an approximate figure the table's is consistent with (余/多/以上/逾:
  at least it, `wording.AT_LEAST`; 近/约/左右: within APPROXIMATE_SHARE of it);
- `different_scope`: the numbers differ and the sentence names a narrower scope
  (one office, part of the year: `wording.SCOPE_WORDS`) — reported, not a contradiction;
- `disagree`: the numbers differ and nothing in the sentence explains it;
- `not_checked`: the table's figure cannot be read (blank, missing).

Nothing is corrected: both numbers are reported as printed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .figures import Figures, plain
from .model import Section
from .sections import flat
from .wording import AT_LEAST, CHINESE_DIGITS, CHINESE_UNITS, SCOPE_WORDS, STATEMENTS, StatementWords

APPROXIMATE_SHARE = Decimal("0.2")  # 近/约 N: the table's figure within 20% of N
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_CLAUSE = re.compile(r"[，,；;：:]")
_PATTERNS = [(words, re.compile(pattern)) for words in STATEMENTS for pattern in words.patterns]


@dataclass(frozen=True)
class Statement:
    """A figure stated in a sentence of the prose, with the table cells it has a counterpart in."""

    section: str
    sentence: str
    code: str
    label: str
    printed: str  # the figure as printed, with its approximate word (近20, 十七, 1,200余)
    value: Decimal
    approximate: str  # the approximate word, '' when exact
    scope: str  # the scope words the sentence prints before the figure, '; '-joined ('' for none)
    cells: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ProseCheck:
    """One statement compared with its table: both values, the result and why."""

    report: str
    statement: Statement
    table_value: Decimal | None
    result: str  # agree | approximate | different_scope | disagree | not_checked
    reason: str


def chinese_number(text: str) -> int | None:
    """A number in Chinese numerals (十七 17, 二十一 21, 一百零五 105, 两千三百 2300, 三万 30000), or None."""
    if not text or any(ch not in CHINESE_DIGITS and ch not in CHINESE_UNITS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[ch]
            continue
        unit = CHINESE_UNITS[ch]
        if unit == 10000:
            total += (section + (digit or 0)) * unit
            section = 0
        else:
            section += (1 if digit is None else digit) * unit
        digit = None
    return total + section + (digit or 0)


def number(text: str) -> Decimal | None:
    """A stated figure as a number: Arabic digits (full-width, thousands separators) or Chinese numerals."""
    arabic = unicodedata.normalize("NFKC", text).replace(",", "").replace("，", "")
    try:
        return Decimal(arabic)
    except InvalidOperation:
        value = chinese_number(text)
        return None if value is None else Decimal(value)


def sentences(text: str) -> list[str]:
    """A section's text as sentences (line breaks and spaces removed, cut at 。！？)."""
    return [s.strip() for s in _SENTENCE.findall(flat(text)) if s.strip()]


def find_statements(sections: list[Section]) -> list[Statement]:
    """Every figure stated in the prose that the tables also print, in reading order, once per place."""
    out: list[Statement] = []
    for section in sections:
        for sentence in sentences(section.text):
            seen: set[int] = set()
            for words, pattern in _PATTERNS:
                for m in pattern.finditer(sentence):
                    value = number(m.group("n"))
                    if value is None or m.start("n") in seen:
                        continue
                    seen.add(m.start("n"))
                    out.append(_statement(section.code, sentence, words, m, value))
    return out


def _statement(section: str, sentence: str, words: StatementWords, m: re.Match, value: Decimal) -> Statement:
    found = {k: m.group(k) for k in ("approx_before", "approx_after", "approx_tail") if k in m.re.groupindex and m.group(k)}
    approx = next(iter(found.values()), "")
    start = m.start("approx_before") if "approx_before" in found else m.start("n")
    end = max([m.end("n")] + [m.end(k) for k in found if k != "approx_before"])
    printed = sentence[start:end]
    clause = _CLAUSE.split(sentence[: m.start()])[-1]
    scope = "; ".join(w for w in SCOPE_WORDS if w in clause)
    return Statement(section, sentence, words.code, words.label, printed, value, approx, scope, words.cells)


def compare(report: str, statement: Statement, figures: Figures) -> ProseCheck:
    """A statement against its table cells: agree, approximate, different_scope, disagree or not_checked."""
    total = Decimal(0)
    for cell in statement.cells:
        value, why = figures.get(report, cell)
        if value is None:
            return ProseCheck(
                report, statement, None, "not_checked", f"table figure {cell[2] if cell[0] == 'appeals' else cell[1]} is {why}"
            )
        total += value
    stated, table = statement.value, total
    read = "" if statement.printed == plain(stated) else f" ({plain(stated)})"  # 十七 (17)
    said = f"prose states {statement.printed}{read}, table prints {plain(table)}"
    if statement.approximate:
        if statement.approximate in AT_LEAST:
            ok = table >= stated
        else:
            ok = abs(table - stated) <= APPROXIMATE_SHARE * max(stated, Decimal(1))
        if ok:
            return ProseCheck(report, statement, table, "approximate", f"{said}: consistent with {statement.approximate}")
    elif stated == table:
        return ProseCheck(report, statement, table, "agree", said)
    if statement.scope:
        return ProseCheck(
            report,
            statement,
            table,
            "different_scope",
            f"{said}; the sentence names a narrower scope ({statement.scope}), so the difference may be what it counts",
        )
    return ProseCheck(report, statement, table, "disagree", f"{said}; the sentence names no narrower scope")


def prose_checks(report: str, sections: list[Section], figures: Figures) -> list[ProseCheck]:
    """Every statement of one report's prose compared with its tables."""
    return [compare(report, s, figures) for s in find_statements(sections)]
