"""The report's words as data: the rows of sections.csv, prose_checks.csv and copying.csv.

From what the build holds (extractions with their sections, the cells, the
manifest): each section as printed; each figure stated in prose against its
table (`statements`); each section against the same body's report of the year
before (`copying`, pairs of consecutive years as the cross-year checks pair them).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .checks import consecutive_pairs, periods
from .copying import repeats
from .figures import Figures, plain
from .inputs import SPECIMEN
from .model import Extraction
from .statements import prose_checks


def sections_frame(extractions: Iterable[Extraction]) -> pd.DataFrame:
    """One row per section of every report: report, section, number, heading, text, pages."""
    rows = [
        {
            "report": ex.report,
            "section": s.code,
            "number": s.number,
            "heading": s.heading,
            "text": s.text,
            "pages": " ".join(str(p) for p in s.pages),
            "chars": len("".join(s.text.split())),
        }
        for ex in extractions
        for s in ex.sections
    ]
    return pd.DataFrame(rows, columns=["report", "section", "number", "heading", "text", "pages", "chars"])


def _cell_name(cells: tuple[tuple[str, str, str], ...]) -> str:
    return " + ".join(f"{t}/{r}/{c}" if r else f"{t}/{c}" for t, r, c in cells)


def prose_checks_frame(extractions: Iterable[Extraction], cells: pd.DataFrame) -> pd.DataFrame:
    """One row per figure stated in a report's prose that its tables also print, with the comparison."""
    figures = Figures(cells)
    rows = []
    for ex in extractions:
        for check in prose_checks(ex.report, ex.sections, figures):
            s = check.statement
            rows.append(
                {
                    "report": ex.report,
                    "section": s.section,
                    "statement": s.code,
                    "sentence": s.sentence,
                    "stated_text": s.printed,
                    "stated": plain(s.value),
                    "approximate": s.approximate,
                    "scope": s.scope,
                    "cell": _cell_name(s.cells),
                    "table_value": "" if check.table_value is None else plain(check.table_value),
                    "result": check.result,
                    "reason": check.reason,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "report",
            "section",
            "statement",
            "sentence",
            "stated_text",
            "stated",
            "approximate",
            "scope",
            "cell",
            "table_value",
            "result",
            "reason",
        ],
    )


def copying_frame(
    extractions: Iterable[Extraction], manifest: pd.DataFrame, pairs: list[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """One row per section of a report whose body published a report the year before, and one for its whole prose.

    `pairs` (before, after) to compare, when not every consecutive pair of the manifest.
    """
    columns = [
        "body",
        "year",
        "report",
        "previous_year",
        "previous_report",
        "section",
        "chars",
        "repeated_chars",
        "share_repeated",
        "longest_repeated",
        "longest_chars",
    ]
    by_report = {ex.report: ex for ex in extractions}
    when = periods(manifest) if {"report", "body", "year"} <= set(manifest.columns) else {}
    rows = []
    for before, after in consecutive_pairs(when) if pairs is None else pairs:
        if before not in by_report or after not in by_report:
            continue
        body, year = when[after]
        for r in repeats(by_report[after].sections, by_report[before].sections):
            rows.append(
                {
                    "body": body,
                    "year": year,
                    "report": after,
                    "previous_year": when[before][1],
                    "previous_report": before,
                    "section": r.section,
                    "chars": r.chars,
                    "repeated_chars": r.repeated,
                    "share_repeated": round(r.share, 4),
                    "longest_repeated": r.longest,
                    "longest_chars": r.longest_chars,
                }
            )
    return pd.DataFrame(rows, columns=columns)


# The manifest's `prose` column: what a file's text sections carry. `original`: the report's own
# prose (a real file, or a specimen re-typeset with its original's text); `none`: no prose (a
# specimen of a page of tables prints the headings alone); `placeholder`: placeholder text. Empty:
# the file's own prose, unless its provenance says it is a specimen (placeholder, as specimens were).
NOT_OWN_WORDS = ("none", "placeholder")


def own_words(extractions: list[Extraction], manifest: pd.DataFrame) -> list[Extraction]:
    """The extractions whose prose is the report's own: not a specimen's placeholder or missing prose.

    A specimen without its report's text would publish sections of placeholder
    prose (every section 'copied' at 100%) or of headings alone; they are left out,
    never published. A specimen whose manifest row says `prose` original carries
    its report's text, re-typeset, and is kept.
    """
    if "report" not in manifest.columns:
        return extractions

    def column(name: str) -> pd.Series:
        return manifest.get(name, pd.Series("", index=manifest.index)).fillna("").astype(str).str.strip()

    prose, provenance = column("prose").str.lower(), column("provenance")
    skip = prose.isin(NOT_OWN_WORDS) | ((prose == "") & provenance.str.startswith(SPECIMEN))
    left_out = set(manifest.loc[skip, "report"].astype(str))
    return [ex for ex in extractions if ex.report not in left_out]


def prose_frames(extractions: list[Extraction], cells: pd.DataFrame, manifest: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The three files of the report's words, by file name (specimens without their report's prose left out)."""
    extractions = own_words(extractions, manifest)
    return {
        "sections.csv": sections_frame(extractions),
        "prose_checks.csv": prose_checks_frame(extractions, cells),
        "copying.csv": copying_frame(extractions, manifest),
    }
