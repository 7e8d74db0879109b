"""The CSVs of data/clean again, in the formats reporters and analysts open: Excel, SQLite, Parquet.

Written by `outputs.write_clean` from the very text frames it writes as CSV, each value typed
by its field in `dictionary.file_fields` (an integer or number as a number, a blank as an empty cell
or NULL, never 0), so every format reads back to the figures of the CSVs. Each file is byte for
byte the same on every run: no dates, fixed zip times.

- `openness.xlsx`: one sheet per table (proactive, requests, appeals) plus reports, checks and the
  dictionary; three frozen header rows: the code (plain ASCII), the Chinese and the English name.
- `openness.sqlite`: every CSV as a table with plain ASCII column names, for `datasette`.
- `cells.parquet`: cells.csv typed, for analysts at scale (a national corpus exceeds Excel's rows).
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

XLSX, SQLITE, PARQUET = "openness.xlsx", "openness.sqlite", "cells.parquet"
SHEETS = ["reports", "proactive", "requests", "appeals", "checks"]
FIXED_TIME = datetime(2019, 5, 15)  # the revised regulation took effect: any fixed date keeps the file reproducible
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Chinese headers of the columns that are not a codebook figure (those take the codebook's label).
CHINESE = {
    "report": "报告",
    "file": "文件",
    "body": "机关",
    "level": "层级",
    "province": "省份",
    "city": "地级市",
    "year": "年度",
    "template": "模板",
    "source_url": "来源网址",
    "provenance": "来源说明",
    "sha256": "文件哈希",
    "published": "发布日期",
    "metadata": "元数据来源",
    "status": "状态",
    "reason": "原因",
    "figures": "数字个数",
    "blanks": "空白格数",
    "checks_pass": "通过的检查",
    "checks_fail": "未通过的检查",
    "checks_not_checked": "未能检查",
    "failed_checks": "未通过的勾稽关系",
    "requests_new": "本年新收申请",
    "requests_handled": "办结申请",
    "disclosure_rate": "公开率",
    "not_held_share": "不掌握率",
    "refusal_rate": "不予公开率",
    "refusal_rate_n": "不予公开率的分母（办结申请）",
    "natural_person_share": "自然人申请占比",
    "natural_person_share_n": "自然人申请占比的分母（新收申请）",
    "review_correction_rate": "行政复议纠错率",
    "review_correction_rate_n": "行政复议纠错率的分母（已审结复议）",
    "review_total": "行政复议总计",
    "litigation_total": "行政诉讼总计",
    "row_code": "行代码",
    "row": "行（官方标签）",
    "identity": "勾稽关系",
    "number": "编号",
    "table": "表",
    "scope": "范围",
    "scope_label": "范围（官方标签）",
    "description": "说明",
    "left_terms": "左边各项",
    "right_terms": "右边各项",
    "left": "左边",
    "right": "右边",
    "difference": "差额",
    "rough": "粗略检查",
    "file_name": "文件",
    "column": "列",
    "type": "类型",
    "unit": "单位",
    "meaning": "含义",
}


def typed(text: str, kind: str) -> object:
    """A CSV text as the value its field's type says: int, float, bool, str; None for a blank."""
    if text == "":
        return None
    if kind == "integer":
        return int(Decimal(text))
    if kind == "number":
        return float(Decimal(text))
    if kind == "boolean":
        return text == "true"
    return text


def ascii_name(field) -> str:
    """The plain ASCII column name: the code (a wide table's figure) or the field's name."""
    return field.title or field.name


def _typed_rows(frame: pd.DataFrame, fields: list) -> list[list[object]]:
    kinds = [f.type for f in fields]
    return [[typed(v, k) for v, k in zip(row, kinds)] for row in frame[[f.name for f in fields]].itertuples(index=False)]


def dictionary(described: dict) -> pd.DataFrame:
    """Every column of every CSV: file, column, type, unit, meaning (the data dictionary as a table)."""
    rows = [
        [name, ascii_name(f), f.type, f.unit, f.description]
        for name, (_, fields) in described.items()
        if name.endswith(".csv")
        for f in fields
    ]
    return pd.DataFrame(rows, columns=["file_name", "column", "type", "unit", "meaning"], dtype=object)


def _headers(field, english: dict[str, tuple[str, str]]) -> tuple[str, str, str]:
    """(code, Chinese, English) of a column: a figure's from the codebook, any other's from CHINESE and its description."""
    code = ascii_name(field)
    if field.title and code in english:
        return code, *english[code]
    return code, CHINESE.get(field.name, field.name), field.name.replace("_", " ")


def write_xlsx(path: Path, tables: dict[str, pd.DataFrame], described: dict, book: pd.DataFrame) -> Path:
    """openness.xlsx: a sheet per table plus reports, checks and dictionary; code, Chinese and English header rows, frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for stem in SHEETS:
        name = f"{stem}.csv"
        fields = described[name][1]
        table = book[book["table"] == stem] if stem in ("proactive", "requests", "appeals") else book.iloc[0:0]
        english = {c: (lab, en) for c, lab, en in zip(table["code"], table["label"], table["english"])}
        ws = wb.create_sheet(stem)
        for row in zip(*(_headers(f, english) for f in fields)):
            ws.append(list(row))
        for row in _typed_rows(tables[name], fields):
            ws.append(row)
        for cell in ws[1] + ws[2] + ws[3]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "B4" if stem != "checks" else "A4"
    ws = wb.create_sheet("dictionary")
    words = dictionary(described)
    for header in (list(words.columns), [CHINESE[c] for c in words.columns], [c.replace("_", " ") for c in words.columns]):
        ws.append(header)
    for row in words.itertuples(index=False):
        ws.append(list(row))
    ws.freeze_panes = "A4"
    for sheet in wb.worksheets:  # a text that looks like a formula (=HYPERLINK(…) in a body's name) stays text
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.properties.creator = "openness"
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_zip(buffer.getvalue(), path)


def _fixed_zip(data: bytes, path: Path) -> Path:
    """Rewrite a zip (an .xlsx) with fixed entry times and a fixed modified date, so that it is reproducible."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            out.writestr(zipfile.ZipInfo(info.filename, date_time=ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return path


SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "string": "TEXT"}


def write_sqlite(path: Path, tables: dict[str, pd.DataFrame], described: dict) -> Path:
    """openness.sqlite: every CSV as a typed table with plain ASCII column names, and the dictionary, for Datasette."""
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        for name, frame in tables.items():
            fields = described[name][1]
            stem = name.removesuffix(".csv")
            columns = ", ".join(f'"{ascii_name(f)}" {SQL_TYPES[f.type]}' for f in fields)
            con.execute(f'CREATE TABLE "{stem}" ({columns})')
            marks = ", ".join("?" for _ in fields)
            con.executemany(f'INSERT INTO "{stem}" VALUES ({marks})', _typed_rows(frame, fields))
            if any(f.name == "report" for f in fields):
                con.execute(f'CREATE INDEX "{stem}_report" ON "{stem}" (report)')
        words = dictionary(described)
        con.execute('CREATE TABLE dictionary (file_name TEXT, "column" TEXT, type TEXT, unit TEXT, meaning TEXT)')
        con.executemany("INSERT INTO dictionary VALUES (?, ?, ?, ?, ?)", words.itertuples(index=False))
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()
    return path


ARROW_TYPES = {"integer": "int64", "number": "float64", "boolean": "bool_", "string": "string"}


def write_parquet(path: Path, cells: pd.DataFrame, fields: list) -> Path:
    """cells.parquet: cells.csv typed (value a float, page an integer, blanks null), for analysts at scale."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _typed_rows(cells, fields)
    columns = list(zip(*rows)) if rows else [[] for _ in fields]
    table = pa.table({f.name: pa.array(list(col), type=getattr(pa, ARROW_TYPES[f.type])()) for f, col in zip(fields, columns)})
    pq.write_table(table, path, compression="zstd")
    return path


def write_formats(out: Path, tables: dict[str, pd.DataFrame], described: dict, book: pd.DataFrame) -> list[Path]:
    """Write openness.xlsx, openness.sqlite and cells.parquet beside the CSVs; return their paths."""
    return [
        write_xlsx(out / XLSX, tables, described, book),
        write_sqlite(out / SQLITE, tables, described),
        write_parquet(out / PARQUET, tables["cells.csv"], described["cells.csv"][1]),
    ]
