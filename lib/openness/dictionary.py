"""The data dictionary of data/clean: every file's columns (name, type, unit, meaning), the codebook, the datapackage.

One home for what each output column holds: `file_fields` lists every file and its
columns; the writers (`outputs`, `formats`) take their headers and types from it,
`readme` turns it into data/clean/README.md and `datapackage` into datapackage.json
(the Frictionless schemas).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import pandas as pd

from openness import __version__
from openness.labels import codebook as codebook_entries

ENCODING = "utf-8-sig"
MANIFEST_COLUMNS = [
    "report",
    "file",
    "body",
    "level",
    "province",
    "city",
    "year",
    "template",
    "source_url",
    "published",
    "provenance",
    "sha256",
    "prose",
    "replaces",
    "guessed",
]
MONEY_UNITS = {"10k yuan", "yuan"}


def manifest_columns(columns) -> list[str]:
    """The manifest's columns: every standard one in order (with a manifest or without), then any others alphabetically."""
    return MANIFEST_COLUMNS + sorted(c for c in columns if c not in MANIFEST_COLUMNS)


@dataclass(frozen=True)
class Field:
    """One column of one output file: name, Frictionless type, what it holds."""

    name: str
    type: str  # string | integer | number | boolean
    description: str
    unit: str = ""
    title: str = ""


REPORT = Field("report", "string", "Report id (see reports.csv).")
# cells.csv: one row per figure (outputs.cells_table); `python -m openness extract` prints the same columns
CELL_FIELDS = [
    REPORT,
    Field("table", "string", "proactive (table 1), requests (table 2) or appeals (table 3)."),
    Field("row", "string", "Official label path of the row ('' for appeals, which has one row)."),
    Field("column", "string", "Official label path of the column."),
    Field(
        "value",
        "number",
        "The figure as printed, as a plain number; '' when the cell is printed blank (never read as 0). Unit: see codebook.csv.",
        "see codebook.csv",
    ),
    Field("row_code", "string", "Row code (codebook.csv); '' for appeals."),
    Field("column_code", "string", "Column code (codebook.csv)."),
    Field("text", "string", "The cell's text exactly as printed."),
    Field("page", "integer", "Page of the source PDF (1-based); '' for HTML sources.", "page"),
    Field(
        "bbox",
        "string",
        "The cell's box on the page: x0 y0 x1 y1 in PDF points (1/72 inch), origin bottom-left; '' for HTML.",
        "pt",
    ),
    Field("method", "string", "How the cell was extracted (e.g. Camelot lattice, html)."),
    Field("locator", "string", "Where in a source without pages (e.g. 'table 2, row 6, column 4')."),
    Field(
        "confidence",
        "number",
        "For a figure read by OCR from a scan (method ocr-…): the engine's confidence in its least certain character, 0 to 1; '' otherwise.",
        "share",
    ),
    Field(
        "proof",
        "string",
        "For a figure read by OCR: confirmed (every identity of checks.csv it is in holds), unchecked (no identity can check it, e.g. table 1: check it by eye), doubtful (an identity it is in breaks, or low confidence, or not a number: check it by eye) or repaired (one digit changed: the only reading that makes every identity hold); '' for figures read from a text layer or HTML.",
    ),
    Field("proof_note", "string", "Why a figure is doubtful or how it was repaired ('' otherwise)."),
]
# extraction_log.csv: one row per input file
LOG_FIELDS = [
    Field("file", "string", "Input file, relative to data/raw/."),
    Field("report", "string", "Report id, from the manifest ('' when the file is not in it)."),
    Field("sha256", "string", "SHA-256 of the input file the figures were extracted from."),
    Field(
        "status",
        "string",
        "ok, partial or failed (a scan is ok only when every figure read by OCR is confirmed); left_out: read, but "
        "not used: a manifest row replaces it, or another report of the same body and year is used (the reason "
        "names it, and why).",
    ),
    Field(
        "reason",
        "string",
        "Why, in plain words ('' when ok); names every figure read by OCR that is doubtful or was repaired, and counts those no identity checks.",
    ),
    Field(
        "seconds",
        "number",
        "Extraction time, rounded to 0.1 s, of the run that first gave this result for this file (kept while file and result are unchanged, so that a rebuild reproduces the committed files).",
        "s",
    ),
]


# ---------------------------------------------------------------- codebook


# The codebook's columns published in data/clean/codebook.csv (its `group` and `part` serve the code).
CODEBOOK_COLUMNS = ["kind", "table", "code", "label", "english", "unit", "templates"]


def codebook() -> pd.DataFrame:
    """The official schema of the three tables (the codebook in use, labels.codebook()), as text."""
    return _codebook_frame(codebook_entries())


@lru_cache(maxsize=4)
def _codebook_frame(book: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        [[e.kind, e.table, e.code, e.label, e.english, e.unit, " ".join(e.templates)] for e in book],
        columns=CODEBOOK_COLUMNS,
    )


def codes(kind: str, table: str) -> tuple[tuple[str, str, str], ...]:
    """(code, label, unit) of the rows or columns of one table, in codebook order."""
    return _codes_of(codebook_entries(), kind, table)


@cache
def _codes_of(entries: tuple, kind: str, table: str) -> tuple[tuple[str, str, str], ...]:
    book = _codebook_frame(entries)
    sel = book[(book["kind"] == kind) & (book["table"] == table)]
    return tuple(zip(sel["code"], sel["label"], sel["unit"]))


def wide_header(table: str, code: str) -> str:
    """The header of a figure column in the wide tables: official label, then code in brackets."""
    labels = {c: lab for c, lab, _ in codes("column", table)}
    return f"{labels[code]} ({code})"


# ---------------------------------------------------------------- dictionary


def _manifest_fields(columns: list[str]) -> list[Field]:
    known = {
        "report": Field("report", "string", "Report id: body and year, e.g. hongze-2023."),
        "file": Field("file", "string", "Input file, relative to data/raw/."),
        "body": Field("body", "string", "The government body that published the report (its official Chinese name)."),
        "level": Field("level", "string", "Administrative level of the body (e.g. county, city, department)."),
        "province": Field("province", "string", "Province."),
        "city": Field("city", "string", "Prefecture-level city."),
        "year": Field("year", "integer", "The year the report covers (not the year it was published).", "year"),
        "template": Field(
            "template", "string", "Layout of the statistical tables: 2019, 2021 or mixed (references/template.md)."
        ),
        "source_url": Field("source_url", "string", "The official page or file the figures were published at, where known."),
        "provenance": Field(
            "provenance", "string", "Where the input file comes from (e.g. a specimen re-typeset from the published figures)."
        ),
        "sha256": Field("sha256", "string", "SHA-256 of the input file."),
        "prose": Field(
            "prose",
            "string",
            "What the file's text sections carry: original (the report's own prose; a specimen re-typesets it), none (a specimen of a page of tables: headings only) or placeholder; empty for a real file.",
        ),
        "published": Field("published", "string", "Date the report was published (YYYY-MM-DD), where known."),
        "replaces": Field(
            "replaces",
            "string",
            "The report id of the report (a specimen) this report's file replaces: that one is left out (extraction_log.csv says so).",
        ),
        "guessed": Field(
            "guessed",
            "string",
            "The fields the manifest left blank and the build filled from the report itself, separated by spaces "
            "(body, year, level, province, city, template): body and year from the report's title (navigation words dropped, "
            "matched to a body already in the data), level, province and city from another report of the same body (else "
            "level from the body's name), template from the tables; '' when the manifest gave everything.",
        ),
    }
    return [known.get(c, Field(c, "string", "Manifest column, as given in data/raw/manifest.csv.")) for c in columns]


def reports_fields(meta_cols: list[str]) -> list[Field]:
    return _manifest_fields(meta_cols) + [
        Field(
            "status",
            "string",
            "Extraction status: ok (every figure of the three tables found, and every figure read by OCR confirmed by the identities), partial, failed; '' if the file was not processed.",
        ),
        Field(
            "reason",
            "string",
            "Why the extraction is partial or failed, in plain words. A row 'not found' may be one the report leaves "
            "out (some department tables print no 规章 row): the figures that were read are kept.",
        ),
        Field("figures", "integer", "Number of figures extracted (cells with a printed number).", "cells"),
        Field("blanks", "integer", "Number of official cells printed blank (kept blank, never read as 0).", "cells"),
        Field("checks_pass", "integer", "Identities 1-4 of this report that hold.", "checks"),
        Field("checks_fail", "integer", "Identities 1-4 of this report that break as printed (see checks.csv).", "checks"),
        Field("checks_not_checked", "integer", "Identities 1-4 that could not be checked (a term blank or missing).", "checks"),
        Field("failed_checks", "string", "The breaks: identity id and scope, separated by '; '."),
        Field(
            "requests_new",
            "integer",
            "Requests received this year: 一、本年新收政府信息公开申请数量, 总计 column, as printed.",
            "requests",
        ),
        Field(
            "requests_handled",
            "integer",
            "Requests handled: 三、本年度办理结果 / （七）总计, 总计 column, as printed.",
            "requests",
        ),
        Field(
            "disclosure_rate",
            "number",
            "公开率: (（一）予以公开 + （二）部分公开) / （七）总计, 总计 column; a share from 0 to 1, rounded to 4 decimals; '' when a term is blank or missing or nothing was handled.",
            "share",
        ),
        Field(
            "not_held_share",
            "number",
            "不掌握率: （四）1.本机关不掌握相关政府信息 / （七）总计, 总计 column; a share from 0 to 1, rounded to 4 decimals; '' as above.",
            "share",
        ),
        Field(
            "refusal_rate",
            "number",
            "不予公开率: the eight （三）不予公开 rows / （七）总计, 总计 column; a share from 0 to 1, rounded to 4 decimals; '' when a term is blank or missing or n is 0.",
            "share",
        ),
        Field(
            "refusal_rate_n",
            "integer",
            "The refusal rate's denominator: （七）总计 as printed (a rate on n below 10 is a small count: a lead, not a ranking).",
            "requests",
        ),
        Field(
            "natural_person_share",
            "number",
            "自然人申请占比: 一、本年新收 自然人 / 一、本年新收 总计; a share from 0 to 1, rounded to 4 decimals; '' as above.",
            "share",
        ),
        Field("natural_person_share_n", "integer", "Its denominator: 一、本年新收, 总计 column, as printed.", "requests"),
        Field(
            "review_correction_rate",
            "number",
            "行政复议纠错率: 行政复议 结果纠正 / (总计 − 尚未审结), as printed; a share from 0 to 1, rounded to 4 decimals; '' as above (see checks.csv when 总计 differs from its parts).",
            "share",
        ),
        Field(
            "review_correction_rate_n",
            "integer",
            "Its denominator: 行政复议 总计 − 尚未审结, the reviews decided, as printed.",
            "cases",
        ),
        Field(
            "review_total",
            "integer",
            "Administrative reviews: 行政复议 / 总计 as printed (it may not equal its parts: see checks.csv).",
            "cases",
        ),
        Field("litigation_total", "integer", "Lawsuits: 行政诉讼 未经复议直接起诉 总计 + 复议后起诉 总计, as printed.", "cases"),
    ]


def wide_fields(table: str) -> list[Field]:
    lead = [REPORT]
    if table != "appeals":
        lead += [
            Field("row_code", "string", "Row code (codebook.csv)."),
            Field("row", "string", "Official label path of the row (references/template.md)."),
        ]
    english = dict(zip(codebook()["code"] + "|" + codebook()["table"] + "|" + codebook()["kind"], codebook()["english"]))
    fields = []
    for code, label, unit in codes("column", table):
        kind = "number" if unit in MONEY_UNITS else "integer"
        desc = (
            f"{english[f'{code}|{table}|column']}: {label}, as printed ('' when printed blank or not in this report's template)."
        )
        fields.append(Field(wide_header(table, code), kind, desc, unit, title=code))
    return lead + fields


def file_fields(meta_cols: list[str] | None = None) -> dict[str, tuple[str, list[Field]]]:
    """Every file of data/clean but README.md and datapackage.json: (what it holds, its columns)."""
    meta_cols = manifest_columns(meta_cols or [])
    described = {
        "reports.csv": (
            "One row per report used: manifest metadata (what the manifest left blank filled from the report and named in "
            "`guessed`), extraction status, checks and headline figures. Of two reports of one body and year only one is "
            "here (extraction_log.csv gives the other the status left_out).",
            reports_fields(meta_cols),
        ),
        "cells.csv": (
            "One row per official figure of the three statistical tables (tidy), with where it was printed.",
            CELL_FIELDS,
        ),
        "proactive.csv": (
            "Table 1 (主动公开政府信息情况), one row per report and row; columns of both templates.",
            wide_fields("proactive"),
        ),
        "requests.csv": (
            "Table 2 (收到和处理政府信息公开申请情况), one row per report and row; the seven applicant columns.",
            wide_fields("requests"),
        ),
        "appeals.csv": (
            "Table 3 (政府信息公开行政复议、行政诉讼情况), one row per report; its 15 columns.",
            wide_fields("appeals"),
        ),
        "checks.csv": (
            "Every identity of references/template.md for every report, and the cross-year ones for consecutive years of the same body.",
            [
                Field(
                    "report",
                    "string",
                    "Report id, or 'a→b' for a cross-year check between consecutive reports a and b of one body.",
                ),
                Field(
                    "identity",
                    "string",
                    "Identity id: requests_balance, requests_handled_total, requests_applicant_total, appeals_group_total, carry_over, documents_in_force.",
                ),
                Field("number", "integer", "The identity's number in references/template.md (1-6)."),
                Field("table", "string", "The table it concerns."),
                Field(
                    "scope",
                    "string",
                    "The column (1, 2, 5), row (3, 6) or group (4) checked, as a code; '' when a whole table is missing.",
                ),
                Field("scope_label", "string", "The same scope as an official label path."),
                Field("description", "string", "The identity in plain English and Chinese."),
                Field("left_terms", "string", "The left side's terms as code=value ('(blank)' or '(missing)' when unreadable)."),
                Field("right_terms", "string", "The right side's terms, likewise."),
                Field("left", "number", "Left side as printed ('' when a term is unreadable)."),
                Field("right", "number", "Right side as printed ('' when a term is unreadable)."),
                Field("difference", "number", "left − right ('' when not checked)."),
                Field("status", "string", "pass, fail (a break as printed: reported, never corrected) or not_checked."),
                Field("reason", "string", "For not_checked: every term that is blank, missing or not a number, by label path."),
                Field("rough", "boolean", "true for identity 6, a rough check that revisions and expiries of documents break."),
            ],
        ),
        "extraction_log.csv": (
            "One row per input file: how its extraction went.",
            LOG_FIELDS,
        ),
        "codebook.csv": (
            "The official schema: every table, row and column with its label path, code, English name and unit.",
            [
                Field("kind", "string", "table, row or column."),
                Field("table", "string", "proactive, requests or appeals."),
                Field("code", "string", "Short code used in the other files."),
                Field("label", "string", "Official label path (references/template.md)."),
                Field("english", "string", "English name."),
                Field("unit", "string", "Unit of the figures (requests, cases, documents, 10k yuan, yuan, ...)."),
                Field("templates", "string", "Templates that have it: 2019, 2021, mixed (space-separated)."),
            ],
        ),
        **prose_fields(),
    }
    return {**described, **_format_fields(described["cells.csv"][1])}


def prose_fields() -> dict[str, tuple[str, list[Field]]]:
    """The files of the report's words (openness.prose): sections, statements checked against the tables, copying."""
    return {
        "sections.csv": (
            "One row per section of each report's prose (the preamble, then the six numbered sections found by their printed headings), without the tables' text. "
            "A specimen has rows here only when it carries its report's own prose (prose original in reports.csv); specimens whose prose is none or placeholder have no rows here, nor in prose_checks.csv and copying.csv.",
            [
                REPORT,
                Field(
                    "section",
                    "string",
                    "preamble (title and foreword, before the first heading), overview, proactive, requests, appeals, problems or other: the six sections of references/template.md.",
                ),
                Field("number", "integer", "The section's number in the template (1-6); 0 for the preamble."),
                Field(
                    "heading",
                    "string",
                    "The heading as printed (whitespace inside it removed; a heading cut over lines joined); '' for the preamble.",
                ),
                Field(
                    "text",
                    "string",
                    "The section's text as printed, line by line, without the statistical tables (their characters dropped in PDFs, their <table>s in web pages) and without page numbers.",
                ),
                Field("pages", "string", "Pages of the source PDF the section is printed on, space-separated; '' for web pages."),
                Field("chars", "integer", "Characters of text, whitespace not counted.", "characters"),
            ],
        ),
        "prose_checks.csv": (
            "One row per figure a report states in its prose that its tables also print (requests received, handled, carried over; normative documents issued and in force; reviews; lawsuits), compared with the table. Reported, never corrected.",
            [
                REPORT,
                Field("section", "string", "The section the sentence is in (sections.csv)."),
                Field(
                    "statement",
                    "string",
                    "What the figure counts: requests_new, requests_handled, requests_carried, documents_issued, documents_in_force (2021 table 1), reviews, lawsuits.",
                ),
                Field("sentence", "string", "The sentence as printed (whitespace removed)."),
                Field("stated_text", "string", "The figure as printed, with its approximate word (十七, 近20, 30余)."),
                Field("stated", "number", "The stated figure as a number."),
                Field("approximate", "string", "The word that makes the figure approximate (近, 约, 余 …); '' when exact."),
                Field(
                    "scope",
                    "string",
                    "Words in the figure's clause naming a narrower scope than the report (区政府办, 本机关, 上半年 …), '; '-separated.",
                ),
                Field(
                    "cell", "string", "The table cell(s) compared, as table/row_code/column_code (codebook.csv), '+' when summed."
                ),
                Field("table_value", "number", "The table's figure as printed ('' when blank or missing)."),
                Field(
                    "result",
                    "string",
                    "agree; approximate (consistent with its 近/约/余); different_scope (differs, and the sentence names a narrower scope: not a contradiction); disagree (differs, nothing in the sentence explains it); not_checked (the table's figure cannot be read).",
                ),
                Field("reason", "string", "Both values and why, in plain words."),
            ],
        ),
        "copying.csv": (
            "One row per section of a report whose body published a report the year before (and a row 'all' for the whole prose): how much of it repeats last year's same section.",
            [
                Field("body", "string", "The publishing body (manifest)."),
                Field("year", "integer", "The year of the report.", "year"),
                REPORT,
                Field("previous_year", "integer", "The year compared with (year − 1).", "year"),
                Field("previous_report", "string", "Report id of the previous year's report."),
                Field("section", "string", "Section code (sections.csv), or all for every section joined."),
                Field(
                    "chars",
                    "integer",
                    "Characters of this year's section after masking (whitespace removed, every run of digits one character).",
                    "characters",
                ),
                Field(
                    "repeated_chars",
                    "integer",
                    "Of them, those standing in a run of 10 characters that last year's same section also prints (after the same masking, so changed years and figures still count as repeated).",
                    "characters",
                ),
                Field(
                    "share_repeated",
                    "number",
                    "repeated_chars / chars: the share of this year's section printed last year (0-1, 4 decimals).",
                    "share",
                ),
                Field(
                    "longest_repeated",
                    "string",
                    "The longest passage printed in both years (masked alike), as printed this year.",
                ),
                Field("longest_chars", "integer", "Its length after masking.", "characters"),
            ],
        ),
    }


def _format_fields(cells: list[Field]) -> dict[str, tuple[str, list[Field]]]:
    """The same data in other formats (openness.formats): what each holds; cells.parquet's typed columns."""
    return {
        "openness.xlsx": (
            "For Excel: sheets reports, proactive, requests, appeals, checks and dictionary, as in the CSVs; three frozen "
            "header rows: code (plain ASCII), Chinese, English; numbers as numbers, blanks as empty cells (never 0).",
            [],
        ),
        "openness.sqlite": (
            "For SQL and Datasette (`datasette data/clean/openness.sqlite`): every CSV as a typed table of the same name "
            "with plain ASCII column names (a wide table's figures by code), blanks NULL, plus a dictionary table.",
            [],
        ),
        "cells.parquet": (
            "cells.csv for analysts at scale (pandas, DuckDB, R arrow): the same rows and columns, typed; a blank figure is null.",
            cells,
        ),
    }


PRIMARY_KEYS = {
    "reports.csv": ["report"],
    "proactive.csv": ["report", "row_code"],
    "requests.csv": ["report", "row_code"],
    "appeals.csv": ["report"],
    "codebook.csv": ["kind", "table", "code"],
    "sections.csv": ["report", "section"],
}
FOREIGN_KEYS = ("cells.csv", "proactive.csv", "requests.csv", "appeals.csv", "sections.csv", "prose_checks.csv")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sqlite": "application/vnd.sqlite3",
    "parquet": "application/vnd.apache.parquet",
}


def datapackage(meta_cols: list[str] | None = None, sources: list[dict] | None = None) -> dict:
    """The Frictionless Data Package descriptor of data/clean."""
    resources_ = []
    for name, (description, fields) in file_fields(meta_cols).items():
        if not name.endswith(".csv"):  # the same data in another format: described, not validated as CSV
            suffix = name.rsplit(".", 1)[1]
            resources_.append(
                {
                    "name": name.replace(".", "-"),
                    "path": name,
                    "type": "file",
                    "format": suffix,
                    "mediatype": MEDIA_TYPES[suffix],
                    "description": description,
                }
            )
            continue
        schema: dict = {
            "fields": [
                {
                    k: v
                    for k, v in (
                        ("name", f.name),
                        ("title", f.title),
                        ("type", f.type),
                        ("description", f.description + (f" Unit: {f.unit}." if f.unit else "")),
                    )
                    if v
                }
                for f in fields
            ],
            "missingValues": [""],
        }
        if name in PRIMARY_KEYS:
            schema["primaryKey"] = PRIMARY_KEYS[name]
        if name in FOREIGN_KEYS:
            schema["foreignKeys"] = [{"fields": ["report"], "reference": {"resource": "reports", "fields": ["report"]}}]
        resources_.append(
            {
                "name": name.removesuffix(".csv"),
                "path": name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": ENCODING,
                "description": description,
                "schema": schema,
            }
        )
    package = {
        "profile": "data-package",  # the CSVs are tabular resources; the xlsx, sqlite and parquet files are files
        "name": "openness-clean",
        "title": "China government information disclosure annual reports (政府信息公开工作年度报告): checked figures",
        "description": "The three statistical tables of each report as tidy and wide CSVs, with the identity checks "
        "of the official template, an extraction log and the codebook. See README.md.",
        "version": __version__,
        "resources": resources_,
    }
    if sources:
        package["sources"] = sources
    return package


def _markdown_table(fields: list[Field]) -> str:
    lines = ["| column | type | unit | meaning |", "| --- | --- | --- | --- |"]
    for f in fields:
        desc = f.description.replace("|", "\\|")
        lines.append(f"| `{f.name}` | {f.type} | {f.unit} | {desc} |")
    return "\n".join(lines)


def readme(reports: pd.DataFrame, checks: pd.DataFrame, meta_cols: list[str] | None = None) -> str:
    """The data dictionary of data/clean (README.md), from the template and the column lists."""
    template = resources.files("openness").joinpath("clean_readme.md").read_text(encoding="utf-8")
    sections = []
    for name, (description, fields) in file_fields(meta_cols).items():
        table = f"\n\n{_markdown_table(fields)}" if fields else ""
        sections.append(f"### `{name}`\n\n{description}{table}\n")
    n = len(reports)
    years = sorted({y for y in reports.get("year", []) if y})
    status = reports["status"].value_counts().to_dict() if n else {}
    own = checks[~checks["report"].str.contains("→")] if len(checks) else checks
    broken = own.loc[own["status"] == "fail", "report"].nunique() if len(own) else 0
    summary = (
        f"{n} reports"
        + (f" covering {years[0]}–{years[-1]}" if years else "")
        + f"; extraction ok {status.get('ok', 0)}, partial {status.get('partial', 0)}, failed {status.get('failed', 0)}; "
        + f"{int((own['status'] == 'fail').sum()) if len(own) else 0} identity breaks as printed in "
        + f"{broken} report{'' if broken == 1 else 's'}."
    )
    return (
        template.replace("{{version}}", __version__)
        .replace("{{summary}}", summary)
        .replace("{{files}}", "\n".join(sections).rstrip() + "\n")
    )
