"""Figures as printed -> plain numbers, without ever inventing one.

Reports print counts as 0, 12, １２ (full width), 1,234, 7730.28, -15, 251000元
or leave the cell blank; some print —, -, / or 无. Blank and those marks become an
empty value (the printed text is kept beside it): a dash says "nothing", but a
slash often means "not applicable", and a missing figure must never turn into 0.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

NIL_MARKS = {"—", "——", "-", "--", "–", "/", "无", "－", "―", "—-", "／", "-/-"}
_UNITS = ("万元", "元", "件", "个", "条", "项", "次", "人", "家", "份")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# Digits apart on one line ("12 5": the readers put a space where a gap wider than a character stands) are two
# figures, never one; digits on two lines are one figure wrapped in a narrow cell ("56\n69" is 5669).
_APART = re.compile(r"\d[^\S\n]+\d")


class NotANumber(ValueError):
    """The cell holds text that is neither a number, blank, nor a nil mark."""


def parse_number(text: str) -> str:
    """The canonical plain number printed in a cell, or '' when it prints none.

    >>> parse_number("７,７３0.28元"), parse_number("-15"), parse_number("—"), parse_number("")
    ('7730.28', '-15', '', '')
    """
    t = unicodedata.normalize("NFKC", text or "")
    if _APART.search(t):
        raise NotANumber(f"two figures in one cell: {text!r}")
    t = re.sub(r"\s+", "", t)
    if t == "" or t in NIL_MARKS:
        return ""
    t = t.replace("，", ",")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?(万元|元)?", t) or "," not in t:
        t = t.replace(",", "")
    for unit in _UNITS:
        if t.endswith(unit) and len(t) > len(unit):
            t = t[: -len(unit)]
            break
    t = t.replace("−", "-")
    if not _NUMBER.match(t):
        raise NotANumber(f"not a number: {text!r}")
    try:
        d = Decimal(t)
    except InvalidOperation as exc:  # pragma: no cover - the regex guards this
        raise NotANumber(f"not a number: {text!r}") from exc
    out = format(d, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    if out in ("-0", "+0"):
        out = "0"
    return out.lstrip("+")
