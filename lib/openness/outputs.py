"""Writers of data/clean: tidy and wide CSVs, checks, log, codebook, and (from openness.dictionary) README.md, datapackage.json.

One entry point, `write_clean(out_dir, cells, manifest, log, checks)`, writes every
file into a directory; the build writes into a temporary directory and swaps it
in. Every CSV is UTF-8 with a BOM (Excel shows the Chinese), numbers are plain
(no thousands separators, no exponent, no trailing .0), rows are in a stable
order, so writing the same inputs twice gives byte-identical files.

What each column holds, the data dictionary (README.md) and the Frictionless schemas
(datapackage.json) live in openness.dictionary.
"""

from __future__ import annotations

import json
import math
import operator
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO

import pandas as pd

from openness import formats, ratios
from openness.checks import COLUMNS as CHECK_COLUMNS
from openness.dictionary import (
    CELL_FIELDS,
    ENCODING,
    LOG_FIELDS,
    codebook,
    codes,
    datapackage,
    file_fields,
    manifest_columns,
    prose_fields,
    readme,
    reports_fields,
    wide_header,
)
from openness.figures import Figures
from openness.figures import plain as plain_decimal
from openness.model import TABLES, Extraction

RATE_DECIMALS = 4
BBOX_DECIMALS = 2
CELL_COLUMNS = [f.name for f in CELL_FIELDS]
LOG_COLUMNS = [f.name for f in LOG_FIELDS]
# A spreadsheet runs a field starting with one of these as a formula (=HYPERLINK(…), +cmd|…):
# such a text is written with a leading ' (numbers such as -15 stay as they are).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_FIELD = 10_000  # characters of one field: Excel holds 32,767, csv.reader 131,072 by default
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


# ---------------------------------------------------------------- codebook order


def _order(kind: str, table: str) -> dict[str, int]:
    return {code: i for i, (code, _, _) in enumerate(codes(kind, table))}


# ---------------------------------------------------------------- formatting


def plain(x: object) -> str:
    """A value as CSV text: numbers plain ('7730.28', '-15', '3'), missing as ''."""
    if type(x) is str:
        return x
    if x is None or x is pd.NA or x is pd.NaT:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, str):
        return x
    if isinstance(x, Decimal):
        return plain_decimal(x)
    if isinstance(x, int) or (hasattr(x, "dtype") and getattr(x.dtype, "kind", "") in "iu"):
        return str(int(x))
    if isinstance(x, float) or (hasattr(x, "dtype") and getattr(x.dtype, "kind", "") == "f"):
        if math.isnan(float(x)):
            return ""
        return _plain_float(float(x))
    if hasattr(x, "dtype") and getattr(x.dtype, "kind", "") == "b":
        return "true" if bool(x) else "false"
    return str(x)


def _plain_float(x: float) -> str:
    """plain() of a float: its shortest repr as a plain number ('123.45', '100', '0'); the common forms without Decimal."""
    text = repr(x)
    if "e" in text or "n" in text:  # 1e+38, inf: through Decimal
        return plain_decimal(Decimal(text))
    if text.endswith(".0"):
        return "0" if text == "-0.0" else text[:-2]
    return text


def format_bbox(box: object) -> str:
    """A cell box as 'x0 y0 x1 y1' in PDF points (origin bottom-left), rounded to 0.01; '' if none."""
    if box is None or isinstance(box, float) and math.isnan(box):
        return ""
    if isinstance(box, str):
        return box
    rounded = (round(float(v), BBOX_DECIMALS) for v in box)
    return " ".join("" if v != v else _plain_float(v) for v in rounded)  # plain() of each, without its dispatch


def _text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The frame with exactly these columns, every value formatted as CSV text."""
    n = len(frame)
    data = {col: [plain(v) for v in frame[col].astype(object).tolist()] if col in frame.columns else [""] * n for col in columns}
    return pd.DataFrame(data, columns=columns, dtype=object)


def safe_text(value: object) -> object:
    """A text field that a spreadsheet shows as text: formula starts neutralised with ', cut at MAX_FIELD; numbers kept.

    A carriage return is written as a line break: Python's CSV writer quotes a field holding a line break but not one
    holding a lone CR, which Excel, pandas and csv.reader then read as the end of the row.
    """
    if not isinstance(value, str) or not value:
        return value
    formula = value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > MAX_FIELD:
        value = f"{value[:MAX_FIELD]}… [{len(value) - MAX_FIELD} more characters cut]"
    return "'" + value if formula else value


def _write_csv(frame: pd.DataFrame, f: IO[str]) -> None:
    """Append text rows to an open CSV ('\n' line ends, '' for missing), every text safe for spreadsheets."""
    frame = frame.astype(object)
    for column in frame.columns:  # only the few fields that need it go through safe_text
        texts = frame[column].astype(str)
        risky = texts.str.startswith(FORMULA_START) | (texts.str.len() > MAX_FIELD) | texts.str.contains("\r", regex=False)
        if risky.any():
            frame[column] = frame[column].where(~risky, frame[column][risky].map(safe_text))
    frame.to_csv(f, index=False, header=False, lineterminator="\n", na_rep="")


# ---------------------------------------------------------------- inputs


def cells_frame(extractions: Iterable[Extraction]) -> pd.DataFrame:
    """The tidy cells of many extractions as one DataFrame (columns: the Cell fields)."""
    fields = operator.attrgetter(*CELL_COLUMNS)  # what Cell.as_dict gives, in the columns' order, without a dict a cell
    frame = pd.DataFrame([fields(cell) for ex in extractions for cell in ex.cells], columns=CELL_COLUMNS)
    frame["page"] = pd.array([None if p is None or pd.isna(p) else int(p) for p in frame["page"]], dtype="Int64")
    return frame


def log_frame(log: pd.DataFrame | Iterable[Mapping | object] | None) -> pd.DataFrame:
    """The extraction log as a DataFrame: from a DataFrame, dicts, or objects with those attributes."""
    if log is None:
        return pd.DataFrame(columns=LOG_COLUMNS)
    if isinstance(log, pd.DataFrame):
        return log.copy()
    rows = []
    for item in log:
        if isinstance(item, Mapping):
            rows.append(dict(item))
        else:
            rows.append({c: getattr(item, c, None) for c in LOG_COLUMNS})
    keys = {k for r in rows for k in r}
    return pd.DataFrame(rows, columns=[c for c in LOG_COLUMNS if c in keys] + sorted(keys - set(LOG_COLUMNS)))


def _manifest(manifest: pd.DataFrame | None) -> pd.DataFrame:
    if manifest is None:
        return pd.DataFrame(columns=["report"])
    return manifest.copy()


def _manifest_columns(manifest: pd.DataFrame | list[str]) -> list[str]:
    """The manifest's columns (see dictionary.manifest_columns), of a frame or a list."""
    return manifest_columns(manifest.columns if isinstance(manifest, pd.DataFrame) else manifest)


# ---------------------------------------------------------------- tables


def _sorted_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells by report, table (template order), row and column (codebook order)."""
    frame = cells.copy()
    frame["row_code"] = frame["row_code"].fillna("").astype(str)
    frame["column_code"] = frame["column_code"].fillna("").astype(str)
    t_order = {t: i for i, t in enumerate(TABLES)}
    rows = {(t, code): i for t in TABLES for code, i in _order("row", t).items()}
    cols = {(t, code): i for t in TABLES for code, i in _order("column", t).items()}
    tables = frame["table"].tolist()
    frame["_t"] = [t_order.get(t, len(TABLES)) for t in tables]
    frame["_r"] = [rows.get(k, 999) for k in zip(tables, frame["row_code"].tolist())]
    frame["_c"] = [cols.get(k, 999) for k in zip(tables, frame["column_code"].tolist())]
    keys = ["report", "_t", "_r", "_c", "row", "column", "page"]
    frame = frame.sort_values(keys, kind="mergesort", na_position="first")
    return frame.drop(columns=["_t", "_r", "_c"])


def cells_table(cells: pd.DataFrame) -> pd.DataFrame:
    """cells.csv: one row per figure, tidy, with its provenance."""
    frame = _sorted_cells(cells)
    frame["bbox"] = [format_bbox(b) for b in frame["bbox"]] if "bbox" in frame else ""
    return _text(frame, CELL_COLUMNS)


def wide_table(cells: pd.DataFrame, table: str) -> pd.DataFrame:
    """proactive.csv / requests.csv (one row per report and row) or appeals.csv (one per report)."""
    sel = _sorted_cells(cells[cells["table"] == table])
    columns = [code for code, _, _ in codes("column", table)]
    headers = [wide_header(table, c) for c in columns]
    values = sel.drop_duplicates(["report", "row_code", "column_code"], keep="first")
    if table == "appeals":
        keys, lead = ["report"], ["report"]
    else:
        keys, lead = ["report", "row_code"], ["report", "row_code", "row"]
    if values.empty:
        return pd.DataFrame(columns=lead + headers)
    wide = values.pivot(index=keys, columns="column_code", values="value")
    wide = wide.reindex(columns=columns)
    wide.columns = headers
    wide = wide.reset_index()
    if table != "appeals":
        labels = {c: lab for c, lab, _ in codes("row", table)}
        wide["row"] = [labels.get(r, r) for r in wide["row_code"]]
        order = _order("row", table)
        wide["_r"] = [order.get(r, 999) for r in wide["row_code"]]
        wide = wide.sort_values(["report", "_r", "row_code"], kind="mergesort").drop(columns="_r")
    else:
        wide = wide.sort_values(["report"], kind="mergesort")
    return _text(wide, lead + headers)


def checks_table(checks: pd.DataFrame) -> pd.DataFrame:
    """checks.csv: the identity checks in a stable order (report, identity number, as given)."""
    frame = checks.sort_values(["report", "number"], kind="mergesort") if len(checks) else checks
    return _text(frame, CHECK_COLUMNS)


def log_table(log: pd.DataFrame | Iterable | None, manifest: pd.DataFrame | None = None) -> pd.DataFrame:
    """extraction_log.csv: one row per input file, with the report id taken from the manifest."""
    frame = log_frame(log)
    man = _manifest(manifest)
    if "report" not in frame.columns or frame["report"].isna().all():
        by_file = dict(zip(man.get("file", []), man.get("report", [])))
        frame["report"] = [by_file.get(f, "") for f in frame.get("file", [])]
    if "seconds" in frame.columns:
        frame["seconds"] = [None if pd.isna(s) else round(float(s), 1) for s in frame["seconds"]]
    frame = _text(frame, LOG_COLUMNS)
    return frame.sort_values(["file", "report", "status", "reason"], kind="mergesort").reset_index(drop=True)


# Indicators of reports.csv written with their denominator (n), as ratios.py defines them.
RATES_WITH_N = ("refusal_rate", "natural_person_share", "review_correction_rate")

# Headline counts of reports.csv: signed sums of (table, row_code, column_code, sign), as printed.
HEADLINES = {
    "requests_new": (ratios.request_cell("new"),),
    "requests_handled": (ratios.request_cell("total_handled"),),
    "review_total": (ratios.appeal_cell("review_total"),),
    "litigation_total": (ratios.appeal_cell("suit_direct_total"), ratios.appeal_cell("suit_after_review_total")),
}


def reports_table(
    cells: pd.DataFrame, manifest: pd.DataFrame | None, log: pd.DataFrame | Iterable | None, checks: pd.DataFrame
) -> pd.DataFrame:
    """reports.csv: one row per report: metadata, extraction status, checks and headline figures."""
    man = _manifest(manifest)
    reports = sorted(set(man["report"].dropna().astype(str)) | set(cells["report"].dropna().astype(str)))
    meta_cols = _manifest_columns(man)
    meta = man.drop_duplicates("report", keep="first").set_index("report") if len(man) else man.set_index("report")
    logs = log_table(log, man)
    # a report's status: the log row of the file its manifest row lists, else any of its rows
    by_file = {(r, f): (s, why) for r, f, s, why in zip(logs["report"], logs["file"], logs["status"], logs["reason"]) if r}
    by_report = {}
    for (r, _), value in sorted(by_file.items()):
        by_report.setdefault(r, value)

    blank = cells["value"].fillna("").astype(str).str.strip() == ""
    figures = cells.loc[~blank, "report"].value_counts().to_dict()
    blanks = cells.loc[blank, "report"].value_counts().to_dict()
    own = (
        checks[["report", "status", "identity", "scope"]]
        if len(checks)
        else pd.DataFrame(columns=["report", "status", "identity", "scope"])
    )
    counts = own.groupby(["report", "status"]).size().to_dict()
    failed = own[own["status"] == "fail"]
    breaks: dict[str, list[str]] = {}
    for r, i, s in zip(failed["report"], failed["identity"], failed["scope"]):
        breaks.setdefault(r, []).append(f"{i} {s}".strip())

    rows = []
    for rep in reports:
        row = {c: (meta.at[rep, c] if rep in meta.index and c in meta.columns else None) for c in meta_cols}
        row["report"] = rep
        row["status"], row["reason"] = by_file.get((rep, plain(row.get("file"))), by_report.get(rep, ("", "")))
        row["figures"] = figures.get(rep, 0)
        row["blanks"] = blanks.get(rep, 0)
        for s in ("pass", "fail", "not_checked"):
            row[f"checks_{s}"] = counts.get((rep, s), 0)
        row["failed_checks"] = "; ".join(breaks.get(rep, []))
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not len(frame):
        return pd.DataFrame(columns=[f.name for f in reports_fields(meta_cols)])
    frame = frame.set_index("report")

    figures = Figures(cells)

    def volume(rep: str, terms: tuple) -> Decimal | None:
        return figures.total(rep, terms)

    def rate(rep: str, name: str) -> str:
        num, den = ratios.ratio(figures, rep, ratios.BY_NAME[name])
        return (
            ""
            if num is None or den is None or den == 0
            else plain((num / den).quantize(Decimal(1).scaleb(-RATE_DECIMALS), ROUND_HALF_UP))
        )

    for column, terms in HEADLINES.items():
        frame[column] = [volume(r, terms) for r in frame.index]
    frame["disclosure_rate"] = [rate(r, "disclosure_rate") for r in frame.index]
    frame["not_held_share"] = [rate(r, "not_held_rate") for r in frame.index]
    for name in RATES_WITH_N:  # each with its denominator: the n a reader needs to judge it
        frame[name] = [rate(r, name) for r in frame.index]
        frame[f"{name}_n"] = [ratios.ratio(figures, r, ratios.BY_NAME[name])[1] for r in frame.index]
    frame = frame.reset_index()
    return _text(frame, [f.name for f in reports_fields(meta_cols)])


def codebook_table() -> pd.DataFrame:
    """codebook.csv: the official label paths, codes, English names and units."""
    return codebook().copy()


def _sources(manifest: pd.DataFrame) -> list[dict]:
    """One Frictionless source per report with an official URL, sorted by report."""
    if "source_url" not in manifest.columns:
        return []
    out = []
    man = manifest.drop_duplicates("report").sort_values("report")
    for _, m in man.iterrows():
        url = plain(m.get("source_url"))
        if url:
            title = " ".join(x for x in (plain(m.get("body")), plain(m.get("year"))) if x) or plain(m["report"])
            out.append({"title": f"{title} ({plain(m['report'])})", "path": url})
    return out


# ---------------------------------------------------------------- the files, piece by piece


class Clean:
    """The files of data/clean, written piece by piece: each CSV (UTF-8 with a BOM, header first) and the same rows
    into openness.xlsx, openness.sqlite and cells.parquet, as they come; README.md and datapackage.json at the end.

    Pieces must come in each file's final order; nothing but the reports' rows is kept (for README.md's summary).
    """

    def __init__(self, out: Path, meta_cols: list[str]):
        out.mkdir(parents=True, exist_ok=True)
        self.out, self.meta_cols = out, meta_cols
        self.described = file_fields(meta_cols)
        self.names = [name for name in self.described if name.endswith(".csv")]  # the dictionary's order: sqlite's too
        self.columns = {name: [f.name for f in self.described[name][1]] for name in self.names}
        self.files: dict[str, IO[str]] = {}
        for name in self.names:
            self.files[name] = open(out / name, "w", encoding=ENCODING, newline="")  # noqa: SIM115 - closed in close()
            pd.DataFrame(columns=self.columns[name]).to_csv(self.files[name], index=False, lineterminator="\n")
        self.formats = formats.Formats(out, self.names, self.described, codebook())  # Excel, SQLite, Parquet
        self.reports: list[pd.DataFrame] = []
        self.breaks: list[pd.DataFrame] = []  # the checks that fail, for README.md's summary

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Append rows (text, the file's columns) to one file and its other formats."""
        frame = frame[self.columns[name]]
        _write_csv(frame, self.files[name])
        self.formats.add(name, frame)
        if name == "reports.csv":
            self.reports.append(frame)
        elif name == "checks.csv":
            self.breaks.append(frame.loc[frame["status"] == "fail", ["report", "status"]])

    @property
    def notes(self) -> list[str]:
        """One line for each thing a reader must know of how the files were written (a table split over sheets)."""
        return self.formats.notes

    def close(self, manifest: pd.DataFrame) -> list[Path]:
        """Finish every file: the CSVs, the other formats, README.md and datapackage.json; return the paths written."""
        for f in self.files.values():
            f.close()
        written = [self.out / name for name in self.names] + self.formats.close()
        reports = pd.concat(self.reports) if self.reports else pd.DataFrame(columns=self.columns["reports.csv"])
        breaks = pd.concat(self.breaks) if self.breaks else pd.DataFrame(columns=["report", "status"])
        (self.out / "README.md").write_text(readme(reports, breaks, self.meta_cols), encoding="utf-8")
        package = datapackage(self.meta_cols, _sources(manifest))
        text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
        (self.out / "datapackage.json").write_text(text, encoding="utf-8")
        return written + [self.out / "README.md", self.out / "datapackage.json"]

    def abandon(self) -> None:
        """Close what is open after a failure (the caller removes the folder)."""
        for f in self.files.values():
            f.close()
        self.formats.abandon()


# ---------------------------------------------------------------- entry points


def write_clean(
    out_dir: str | Path,
    cells: pd.DataFrame,
    manifest: pd.DataFrame | None,
    log: pd.DataFrame | Iterable | None,
    checks: pd.DataFrame,
    prose: Mapping[str, pd.DataFrame] | None = None,
    notes: list[str] | None = None,
) -> list[Path]:
    """Write every file of data/clean into out_dir (created if needed) from whole frames; return the paths written.

    `prose` holds the frames of the report's words by file name (openness.prose.prose_frames);
    a file missing from it is written with its header only. `notes`: see write_clean_streamed.
    """
    man = _manifest(manifest)
    clean = Clean(Path(out_dir), _manifest_columns(man))
    try:
        clean.add("reports.csv", reports_table(cells, man, log, checks))
        clean.add("cells.csv", cells_table(cells))
        for table in TABLES:
            clean.add(f"{table}.csv", wide_table(cells, table))
        clean.add("checks.csv", checks_table(checks))
        clean.add("extraction_log.csv", log_table(log, man))
        clean.add("codebook.csv", codebook_table())
        for name, (_, fields) in prose_fields().items():
            frame = (prose or {}).get(name, pd.DataFrame(columns=[f.name for f in fields]))
            clean.add(name, _text(frame, [f.name for f in fields]))
    except BaseException:
        clean.abandon()
        raise
    written = clean.close(man)
    if notes is not None:
        notes.extend(clean.notes)
    return written


CHUNK = 250  # reports whose extractions are held at once by write_clean_streamed


class _Stage:
    """Rows of the files whose order is not the reports' (checks with their cross-year pairs, the prose files),
    kept on disk in a scratch SQLite file with their sort keys until all are made."""

    def __init__(self, path: Path):
        self.path = path
        self.con = sqlite3.connect(path)
        self.con.execute("PRAGMA journal_mode = OFF")
        self.con.execute("PRAGMA synchronous = OFF")
        self.con.execute("CREATE TABLE rows (file TEXT, k1 TEXT, k2 INTEGER, k3 INTEGER, row TEXT)")
        self.seq = 0

    def add(self, name: str, frame: pd.DataFrame, keys: Iterable[tuple[str, int]]) -> None:
        """Keep text rows with their keys (k1, k2); rows of equal keys come out in the order they were added."""
        start, self.seq = self.seq, self.seq + len(frame)
        self.con.executemany(
            "INSERT INTO rows VALUES (?, ?, ?, ?, ?)",
            (
                (name, k1, k2, start + i, json.dumps(row, ensure_ascii=False))
                for i, ((k1, k2), row) in enumerate(zip(keys, frame.itertuples(index=False, name=None)))
            ),
        )

    def pieces(self, name: str, columns: list[str], size: int = 20_000) -> Iterator[pd.DataFrame]:
        """One file's rows in order, a piece at a time."""
        cursor = self.con.execute("SELECT row FROM rows WHERE file = ? ORDER BY k1, k2, k3", (name,))
        while batch := cursor.fetchmany(size):
            yield pd.DataFrame([json.loads(r) for (r,) in batch], columns=columns, dtype=object)

    def close(self) -> None:
        self.con.close()
        self.path.unlink(missing_ok=True)


def write_clean_streamed(
    out_dir: str | Path,
    manifest: pd.DataFrame,
    log: list[dict],
    load: Callable[[list[str]], list[Extraction]],
    chunk: int = CHUNK,
    notes: list[str] | None = None,
) -> list[Path]:
    """Write every file of data/clean, the same as write_clean would, holding only `chunk` reports at a time; `notes`
    receives a line for each thing a reader must know of how they were written (a table split over Excel sheets).

    `manifest` has one row per input (report, body, year …) in input order and `log` one row per input; `load(reports)`
    returns the extractions of those report ids in input order. Reports are read in chunks in the order of their ids
    (the order of cells.csv, the wide tables and reports.csv, written as they come); the cross-year pairs are read
    again pair by pair; checks and the prose files, in other orders, are kept on disk until the end.
    """
    from openness.checks import consecutive_pairs, pair_checks, periods, run_checks
    from openness.prose import copying_frame, own_words, prose_checks_frame, sections_frame

    out = Path(out_dir)
    man = _manifest(manifest)
    clean = Clean(out, _manifest_columns(man))
    stage = _Stage(out / ".stage.sqlite")
    try:
        order = {r: i for i, r in reversed(list(enumerate(man["report"].astype(str))))}  # a report's first input
        reports = sorted(set(order))
        logs = log_frame(log)
        check_columns = clean.columns["checks.csv"]
        for start in range(0, len(reports), chunk):
            part = reports[start : start + chunk]
            extractions = load(part)
            cells = cells_frame(extractions)
            checks = run_checks(cells)
            clean.add("reports.csv", reports_table(cells, man[man["report"].isin(part)], logs[logs["report"].isin(part)], checks))
            clean.add("cells.csv", cells_table(cells))
            for table in TABLES:
                clean.add(f"{table}.csv", wide_table(cells, table))
            stage.add("checks.csv", _text(checks, check_columns), zip(checks["report"], checks["number"]))
            words = own_words(extractions, man)
            for name, frame in (("sections.csv", sections_frame(words)), ("prose_checks.csv", prose_checks_frame(words, cells))):
                stage.add(name, _text(frame, clean.columns[name]), ((" ", order[r]) for r in frame["report"]))
        pairs = consecutive_pairs(periods(man)) if {"report", "body", "year"} <= set(man.columns) else []
        for start in range(0, len(pairs), chunk):
            part = pairs[start : start + chunk]
            extractions = load(sorted({r for pair in part for r in pair}))
            checks = pair_checks(cells_frame(extractions), part)
            stage.add("checks.csv", _text(checks, check_columns), zip(checks["report"], checks["number"]))
            copying = copying_frame(own_words(extractions, man), man, part)
            index = {pair: start + i for i, pair in enumerate(part)}
            keys = ((" ", index[(b, a)]) for a, b in zip(copying["report"], copying["previous_report"]))
            stage.add("copying.csv", _text(copying, clean.columns["copying.csv"]), keys)
        for piece in stage.pieces("checks.csv", check_columns):
            clean.add("checks.csv", piece)
        clean.add("extraction_log.csv", log_table(log, man))
        clean.add("codebook.csv", codebook_table())
        for name in prose_fields():
            for piece in stage.pieces(name, clean.columns[name]):
                clean.add(name, piece)
    except BaseException:
        clean.abandon()
        raise
    finally:
        stage.close()
    written = clean.close(man)
    if notes is not None:
        notes.extend(clean.notes)
    return written
