"""The official schema as data, and the normaliser from printed labels to it.

The codebook (codebook.csv beside this file) holds one entry per table, row and
column of the 2019 and 2021 templates, and of the `mixed` form (2021 layout with
the single-row （六）其他处理). Each entry has a stable ASCII code, the official
label path exactly as in the spec, an English label, a unit, the templates it
belongs to, and the groups the identities and indicators sum over (`group`,
`part`; see references/template.md). A new template year is a codebook change.

Printed labels differ from the official wording in many small ways (line
breaks, spaces, 1、/1．numbering, bracket widths, misprints, abbreviations), so
matching compares *keys* (see `label_key`) and falls back to a fuzzy score that
must be both high and unambiguous. A label that does not match is returned as
None for the caller to report: never guessed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

TEMPLATES = ("2019", "2021", "mixed")

# Fuzzy matching: the best candidate must score at least this, and beat the
# runner-up by at least the margin, or the label is left unplaced.
MIN_SCORE = 0.72
MIN_MARGIN = 0.08


@dataclass(frozen=True)
class Entry:
    """One codebook entry: a table, a row or a column of the official layout."""

    kind: str  # table | row | column
    table: str  # proactive | requests | appeals
    code: str
    label: str  # official label path, levels joined by ' / '
    english: str
    unit: str
    templates: tuple[str, ...]
    # What the identities and indicators sum over: a table-2 row's outcome group (不予公开 …),
    # 'applicant' for the six applicant columns, a table-3 column's group (review,
    # suit_direct, suit_after_review), or the 第二十条 sections a table-1 column serves.
    group: str = ""
    part: str = ""  # a table-3 column's part: upheld, corrected, other, pending, total

    @property
    def groups(self) -> tuple[str, ...]:
        """`group` as a tuple (a table-1 column serves several sections)."""
        return tuple(self.group.split())

    @property
    def leaf(self) -> str:
        """The last level of the label path: what a row's own cell prints."""
        return self.label.split(" / ")[-1]

    @property
    def section(self) -> str:
        """For table-1 rows, the 第二十条 section the row belongs to."""
        return self.label.split(" / ")[0] if self.kind == "row" and self.table == "proactive" else ""


@dataclass(frozen=True)
class CellSpec:
    """One official cell of a template: where a figure belongs."""

    table: str
    row: str
    column: str
    row_code: str
    column_code: str
    unit: str


_CODEBOOKS: list[Path] = [Path(str(files("openness").joinpath("codebook.csv")))]


def codebook() -> tuple[Entry, ...]:
    """Every entry of the codebook in use (codebook.csv beside this file), in file order."""
    return _read_codebook(_CODEBOOKS[-1])


@contextmanager
def use_codebook(path: str | Path) -> Iterator[None]:
    """Use another codebook within a block: how a new template year is tried before it lands."""
    _CODEBOOKS.append(Path(path))
    try:
        yield
    finally:
        _CODEBOOKS.pop()


@lru_cache(maxsize=4)
def _read_codebook(path: Path) -> tuple[Entry, ...]:
    return tuple(
        Entry(
            kind=r["kind"],
            table=r["table"],
            code=r["code"],
            label=r["label"],
            english=r["english"],
            unit=r["unit"],
            templates=tuple(r["templates"].split()),
            group=r.get("group", ""),
            part=r.get("part", ""),
        )
        for r in csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    )


def codes(
    kind: str, table: str, template: str | None = None, group: str | None = None, part: str | None = None
) -> tuple[str, ...]:
    """Codes of a table's rows or columns, in codebook order, narrowed by template, group and part."""
    return tuple(
        e.code
        for e in entries(kind, table, template)
        if (group is None or group in e.groups) and (part is None or e.part == part)
    )


def group_names(kind: str, table: str) -> tuple[str, ...]:
    """The groups of a table's rows or columns, in codebook order (each once)."""
    return tuple(dict.fromkeys(g for e in entries(kind, table) for g in e.groups))


def group_label(table: str, group: str) -> str:
    """A table-3 group's official label: its total column's path without the last level."""
    total = next(e for e in entries("column", table) if group in e.groups and e.part == "total")
    return total.label.rsplit(" / ", 1)[0]


def _only_in(kind: str, table: str, inside: tuple[str, ...]) -> set[str]:
    """Codes whose templates all lie inside `inside` (the codes that tell a template apart)."""
    return {e.code for e in entries(kind, table) if set(e.templates) <= set(inside)}


def detect_template(found: set[tuple[str, str, str]]) -> str | None:
    """2019, 2021 or mixed, from which (table, row_code, column_code) a report printed.

    Table 1's columns tell 2019 from 2021; table 2's （六）其他处理 as one row
    (2019, mixed) or three (2021) tells the rest.
    """
    t1 = {c for t, _, c in found if t == "proactive"}
    t2 = {r for t, r, _ in found if t == "requests"}
    t1_2019 = bool(t1 & _only_in("column", "proactive", ("2019",)))
    t1_2021 = bool(t1 & _only_in("column", "proactive", ("2021", "mixed")))
    t2_split = bool(t2 & _only_in("row", "requests", ("2021",)))
    t2_single = bool(t2 & _only_in("row", "requests", ("2019", "mixed")))
    if t1_2019 and not t1_2021:
        return "2019"
    if t2_split:
        return "2021"
    if t1_2021 and t2_single:
        return "mixed"
    if t1_2021:
        return "2021"
    if t2_single:
        return "2019"
    return None


def entries(kind: str, table: str, template: str | None = None) -> list[Entry]:
    """Rows or columns of a table, for one template or (None) for any template."""
    return [e for e in codebook() if e.kind == kind and e.table == table and (template is None or template in e.templates)]


def entry(table: str, kind: str, code: str) -> Entry:
    """The entry of a table's row or column by its code."""
    for e in codebook():
        if e.table == table and e.kind == kind and e.code == code:
            return e
    raise KeyError(f"no {kind} {code!r} in table {table!r}")


def official_cells(template: str) -> list[CellSpec]:
    """Every cell a report on this template must print, in reading order."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; expected one of {TEMPLATES}")
    cells = []
    for row in entries("row", "proactive", template):
        for code in codes("column", "proactive", template, group=row.section):
            col = entry("proactive", "column", code)
            cells.append(CellSpec("proactive", row.label, col.label, row.code, col.code, col.unit or row.unit))
    for row in entries("row", "requests", template):
        for col in entries("column", "requests", template):
            cells.append(CellSpec("requests", row.label, col.label, row.code, col.code, col.unit))
    for col in entries("column", "appeals", template):
        cells.append(CellSpec("appeals", "", col.label, "", col.code, col.unit))
    return cells


# ---------------------------------------------------------------- normalising

_PUNCT = re.compile(r"[\s\u3000\"'“”‘’「」『』()（）\[\]【】<>《》.,，、。．:：;；·•・!！?？_\-–—~～/／\\|]")
_NUMBERING = re.compile(r"^(\d+|[一二三四五六七八九十]+)")


def label_key(text: str) -> str:
    """The matching key of a label: width-folded, without spaces or punctuation.

    '1、属于国家秘密', '1．属于 国家\\n秘密' and '1.属于国家秘密' share one key;
    so do （三） and (三), and 第二十条 第（一）项 and 第二十条第（一）项.
    """
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or ""))


def _numbering(key: str) -> str:
    m = _NUMBERING.match(key)
    return m.group(1) if m else ""


def similarity(printed: str, official: str) -> float:
    """How well a printed label key matches an official one, 0..1.

    Exact keys score 1. An abbreviation (the printed text, numbering aside,
    found whole inside the official label, with the same numbering) scores
    0.9; one whose characters appear in order in the official label, 0.8.
    Otherwise the difflib ratio, which tolerates a missing, extra or
    misprinted character.
    """
    if printed == official:
        return 1.0
    if not printed or not official:
        return 0.0
    num_p, num_o = _numbering(printed), _numbering(official)
    rest_p, rest_o = printed[len(num_p) :], official[len(num_o) :]
    if num_p and num_o and num_p != num_o:
        return 0.0  # 2.重复申请 is never 3.要求提供公开出版物
    if num_p == num_o and len(rest_p) >= 2 and rest_p in rest_o:
        return 0.9
    ratio = SequenceMatcher(None, printed, official, autojunk=False).ratio()
    if num_p and num_p == num_o and len(rest_p) >= 4 and _subsequence(rest_p, rest_o):
        return max(0.8, ratio)  # 2.逾期未缴纳费用 for 2.申请人逾期未按收费通知要求缴纳费用…
    return ratio


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def best_match(printed: str, candidates: list[tuple[str, object]]) -> tuple[object | None, float]:
    """The candidate whose key best matches `printed`, if good and unambiguous.

    `candidates` holds (official text, payload) pairs; the payload of the best
    is returned with its score, or (None, score) when no candidate is good
    enough or two are too close to call.
    """
    i, best = _best_index(label_key(printed), tuple(label_key(text) for text, _ in candidates))
    return (None, best) if i is None else (candidates[i][1], best)


@lru_cache(maxsize=8192)
def _best_index(key: str, official: tuple[str, ...]) -> tuple[int | None, float]:
    """Index of the best official key for a printed key, or None (memoised: labels repeat)."""
    if not key or not official:
        return None, 0.0
    scored = sorted(((similarity(key, o), i) for i, o in enumerate(official)), reverse=True)
    best, i = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best < 1.0 and (best < MIN_SCORE or best - runner_up < MIN_MARGIN):
        return None, best
    return i, best


def match_row(table: str, printed: str, section: str | None = None, template: str | None = None) -> Entry | None:
    """The official row a printed row label (its own cell's text) stands for.

    Rows are matched by their leaf label, which is unique within a table once
    numbering is kept; for table 1, `section` (an official 第二十条 label)
    narrows the candidates. Rows of every template are candidates: the
    template is decided afterwards from which rows were found, unless the
    caller knows it (a table-1 section whose columns are 2021's).
    """
    return match_row_scored(table, printed, section, template)[0]


def match_row_scored(
    table: str, printed: str, section: str | None = None, template: str | None = None
) -> tuple[Entry | None, float]:
    """`match_row` with the match's score (1 for an exact key), to compare readings."""
    rows = entries("row", table, template)
    if section:
        rows = [r for r in rows if r.section == section] or rows
    seen: dict[str, Entry] = {}
    for r in rows:
        seen.setdefault(r.leaf, r)  # one candidate per distinct leaf (规章 is in every template)
    return best_match(printed, [(leaf, r) for leaf, r in seen.items()])  # type: ignore[return-value]


def match_column(table: str, printed_path: list[str], candidates: list[Entry] | None = None) -> Entry | None:
    """The official column a printed header path stands for ('法人或其他组织', '商业\\n企业')."""
    cols = candidates if candidates is not None else entries("column", table)
    seen: dict[str, Entry] = {}
    for c in cols:
        seen.setdefault(c.label, c)
    printed = " / ".join(p for p in printed_path if label_key(p))
    found, _ = best_match(printed, [(label, c) for label, c in seen.items()])
    if found is None and printed_path:
        # Fall back on the leaf alone when the path carries extra printed levels.
        found, _ = best_match(printed_path[-1], [(c.leaf, c) for c in cols if _unique_leaf(c, cols)])
    return found  # type: ignore[return-value]


def _unique_leaf(col: Entry, cols: list[Entry]) -> bool:
    return sum(1 for c in cols if label_key(c.leaf) == label_key(col.leaf)) == 1


_SECTION = re.compile(r"第二十条第([一二三四五六七八九十]+)项")


def match_section(printed: str) -> str | None:
    """The official 第二十条第（X）项 label of a printed table-1 section header."""
    m = _SECTION.search(label_key(printed))
    if not m:
        return None
    label = f"第二十条第（{m.group(1)}）项"
    known = {e.section for e in entries("row", "proactive")}
    return label if label in known else None
