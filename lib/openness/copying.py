"""How much of each section of a report repeats the same body's report of the year before.

The measure: the share of a section's characters that stand in a run of
NGRAM characters also printed in the previous year's same section, after
both are masked (whitespace removed, full- and half-width forms folded, every
run of digits one '#'). Masking keeps a sentence that only changed its year or
its figures ("2023年受理申请21件" → "2024年受理申请17件") counted as repeated,
which is the copying a reader cares about; NGRAM characters (about two
phrases of Chinese) is long enough that the template's stock phrases
(政府信息公开工作, 依申请公开) do not count on their own. Coverage rather than
a set overlap (Jaccard) because it reads as "this share of this year's text
was printed last year", whatever the length of last year's. The longest
repeated passage is given as printed this year (line breaks and spaces removed).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import Section

NGRAM = 10
ALL = "all"  # the row for a report's whole prose, every section joined
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Masked:
    """A text masked for comparison, with each masked character's position in the text as printed."""

    text: str
    where: list[int]


@dataclass(frozen=True)
class Repeat:
    """One section of one year compared with the same section of the year before."""

    section: str
    chars: int  # characters of this year's section, masked
    repeated: int  # of them, those in a run of NGRAM characters printed the year before
    share: float  # repeated / chars
    longest: str  # the longest passage printed in both years, as printed this year
    longest_chars: int


_FOLDED: dict[str, str] = {}  # each character's compatibility form (NFKC), as met: a few thousand characters at most


def _fold(text: str) -> list[str]:
    """Each character of a text in its compatibility form."""
    folded = _FOLDED
    out = [folded.get(ch) for ch in text]
    if None in out:
        for ch in set(text) - folded.keys():
            folded[ch] = unicodedata.normalize("NFKC", ch)
        out = [folded[ch] for ch in text]
    return out


_SPACES = re.compile(r"\s+")


def _masked_text(text: str) -> tuple[str, str | None]:
    """mask(text).text, and the folded text when each character folds to one (then positions carry over): a few
    regular expressions instead of a loop over the characters. None: a character folds to several (㈠ → (一))."""
    parts = _fold(text)
    folded = "".join(parts)
    if len(folded) != len(text):
        return mask(text).text, None
    return _SPACES.sub("", _DIGITS.sub("#", folded)), folded


_KEPT = re.compile(r"[0-9]+|\S")  # what mask keeps of a folded text: a run of digits (as one '#'), any other non-space


def mask(text: str) -> Masked:
    """Whitespace removed, compatibility forms folded (，→, ０→0), every run of digits as '#'."""
    out, where = [], []
    i = 0
    folded = list(enumerate(_fold(text)))
    while i < len(folded):
        k, ch = folded[i]
        if not ch.strip():
            i += 1
            continue
        if ch.isdigit() and ch.isascii():
            while i + 1 < len(folded) and (folded[i + 1][1].isascii() and folded[i + 1][1].isdigit()):
                i += 1
            out.append("#")
            where.append(k)
        else:  # a character that folds to several (㈠ → (一)): each stands where it was printed
            out.append(ch)
            where.extend([k] * len(ch))
        i += 1
    return Masked("".join(out), where)


def repeated_chars(current: str, previous: str, n: int | None = None) -> int:
    """How many characters of `current` stand in an n-character run (NGRAM by default) that `previous` also holds."""
    n = n or NGRAM
    grams = {previous[i : i + n] for i in range(len(previous) - n + 1)}
    covered = [False] * len(current)
    for i in range(len(current) - n + 1):
        if current[i : i + n] in grams:
            covered[i : i + n] = [True] * n
    return sum(covered)


def longest_passage(current: Masked, previous: Masked, printed: str) -> str:
    """The longest run printed in both (masked), as printed in the current text."""
    start, size = longest_common(current.text, previous.text)
    if size == 0:
        return ""
    return "".join(printed[current.where[start] : current.where[start + size - 1] + 1].split())


def longest_common(a: str, b: str) -> tuple[int, int]:
    """The longest run of `a` that `b` also holds: where the earliest such starts in `a`, and its length.

    What difflib's find_longest_match(autojunk=False) gives, in time linear in the texts (a suffix automaton of `b`,
    `a` walked through it): difflib slows to seconds on a long text repeated from last year, and a national build
    compares tens of thousands of pairs."""
    nxt: list[dict[str, int]] = [{}]
    link, length, last = [-1], [0], 0
    for ch in b:
        cur = len(nxt)
        nxt.append({})
        length.append(length[last] + 1)
        link.append(0)
        p = last
        while p != -1 and ch not in nxt[p]:
            nxt[p][ch] = cur
            p = link[p]
        if p != -1:
            q = nxt[p][ch]
            if length[p] + 1 == length[q]:
                link[cur] = q
            else:
                clone = len(nxt)
                nxt.append(dict(nxt[q]))
                length.append(length[p] + 1)
                link.append(link[q])
                while p != -1 and nxt[p].get(ch) == q:
                    nxt[p][ch] = clone
                    p = link[p]
                link[q] = link[cur] = clone
        last = cur
    state, run, best, end = 0, 0, 0, 0
    for i, ch in enumerate(a):
        while state and ch not in nxt[state]:
            state = link[state]
            run = length[state]
        if ch in nxt[state]:
            state = nxt[state][ch]
            run += 1
        if run > best:  # strictly: the earliest end, so the earliest start, of the longest run
            best, end = run, i
    return (end - best + 1, best) if best else (0, 0)


def compare(section: str, text: str, previous_text: str) -> Repeat:
    """One section's text against last year's (what mask, repeated_chars and longest_passage give, without the
    masked texts' positions but for the longest passage's two ends; a text printed again whole costs no search)."""
    cur, folded = _masked_text(text)
    prev, _ = _masked_text(previous_text)
    repeated = repeated_chars(cur, prev)
    start, size = (0, len(cur)) if cur == prev else longest_common(cur, prev)
    if size == 0:
        longest = ""
    elif folded is None:
        longest = longest_passage(mask(text), mask(previous_text), text)
    else:
        ends = [m.start() for m, _ in zip(_KEPT.finditer(folded), range(start + size))]
        longest = "".join(text[ends[start] : ends[start + size - 1] + 1].split())
    share = repeated / len(cur) if cur else 0.0
    return Repeat(section, len(cur), repeated, share, longest, len(_masked_text(longest)[0]))


def repeats(sections: list[Section], previous: list[Section]) -> list[Repeat]:
    """Every section with text this year that the previous year's report also has, then the whole prose."""
    before = {s.code: s.text for s in previous}
    out = [compare(s.code, s.text, before[s.code]) for s in sections if s.text.strip() and before.get(s.code, "").strip()]
    whole = "\n".join(s.text for s in sections)
    whole_before = "\n".join(s.text for s in previous)
    if whole.strip() and whole_before.strip():
        out.append(compare(ALL, whole, whole_before))
    return out
