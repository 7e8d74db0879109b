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

import re
import sqlite3
import tempfile
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
    "replaces": "取代的报告",
    "guessed": "推测的字段",
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
        try:
            return int(text)  # a plain integer, as the CSVs write them
        except ValueError:
            return int(Decimal(text))
    if kind == "number":
        return float(text)  # correctly rounded, as float(Decimal(text)) is
    if kind == "boolean":
        return text == "true"
    return text


def ascii_name(field) -> str:
    """The plain ASCII column name: the code (a wide table's figure) or the field's name."""
    return field.title or field.name


def _typed_rows(frame: pd.DataFrame, fields: list) -> list[list[object]]:
    """The frame's text rows, each value typed by its field (`typed`; a text column's blank is None, its text itself)."""
    kinds = [None if f.type == "string" else f.type for f in fields]
    return [
        [typed(v, k) if k else (v or None) for v, k in zip(row, kinds)]
        for row in frame[[f.name for f in fields]].itertuples(index=False, name=None)
    ]


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


MAX_ROWS = 1_048_576  # rows of one Excel sheet, header rows included: a larger table goes on over further sheets

# A text openpyxl's writer (lxml, ASCII) puts out as it is, & < > escaped and every other character as &#N;: anything
# else (a control character, CR, a character past the BMP, a text too long for a cell) goes through openpyxl itself.
_PLAIN_TEXT = re.compile(r"[\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd]{1,32767}")
_ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")  # openpyxl's, written as errors


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("ascii", "xmlcharrefreplace").decode()


class _SheetRows:
    """A sheet's data rows as openpyxl's write-only mode writes them (`<row r=…><c r=… t=…>…</c></row>`), into a file
    of their own, put into the sheet when the workbook is saved (see _fixed_zip): openpyxl builds an object per cell,
    the larger part of a national build's time. Text, numbers, booleans and blanks are written here; any other value,
    or a text with a character outside _PLAIN_TEXT, is written by openpyxl's own cell writer."""

    def __init__(self, path: Path, ws):
        from openpyxl.utils import get_column_letter

        self.path, self.ws = path, ws
        self.file = open(path, "w", encoding="ascii", newline="")  # noqa: SIM115 - closed in close()
        self.letters = [get_column_letter(i) for i in range(1, 200)]

    def add(self, r: int, values: list[object]) -> None:
        """Row r, its values typed (None: a blank, no cell)."""
        parts = [f'<row r="{r}">']
        for letter, v in zip(self.letters, values):
            if v is None:
                continue
            kind = type(v)
            if kind is int or kind is float:
                number = "" if v != v or v in (float("inf"), float("-inf")) else "%.16g" % v  # noqa: UP031 - openpyxl's own
                parts.append(f'<c r="{letter}{r}" t="n"><v>{number}</v></c>')
            elif kind is bool:
                parts.append(f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>')
            elif kind is str and v in _ERROR_CODES:
                parts.append(f'<c r="{letter}{r}" t="e"><v>{v}</v></c>')
            elif kind is str and _PLAIN_TEXT.fullmatch(v):
                space = ' xml:space="preserve"' if v != v.strip() else ""
                parts.append(f'<c r="{letter}{r}" t="inlineStr"><is><t{space}>{_xml_text(v)}</t></is></c>')
            else:
                parts.append(self._openpyxl(r, letter, v))
        parts.append("</row>")
        self.file.write("".join(parts))

    def _openpyxl(self, r: int, letter: str, value: object) -> str:
        """One cell as openpyxl writes it (a text that looks like a formula kept a text, as Xlsx._cell does)."""
        import io

        from lxml.etree import xmlfile
        from openpyxl.cell._writer import write_cell
        from openpyxl.utils import column_index_from_string

        cell = Xlsx._cell(self.ws, value)
        if not hasattr(cell, "data_type"):
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self.ws, value=cell)  # the value as _cell made it fit for a workbook
        cell.row, cell.column = r, column_index_from_string(letter)
        out = io.BytesIO()
        with xmlfile(out) as xf:
            write_cell(xf, self.ws, cell, cell.has_style)
        return out.getvalue().decode("ascii")

    def close(self) -> None:
        self.file.close()


class Xlsx:
    """openness.xlsx, written as the rows come: a sheet per table plus reports, checks and dictionary; code, Chinese and
    English header rows, frozen. openpyxl's write-only mode keeps no row in memory; the file is byte for byte what its
    ordinary mode writes (the one element write-only mode leaves out, each sheet's <dimension>, is put back). The
    tables' data rows are written as openpyxl writes them by _SheetRows, a file per sheet, put in on saving.

    A table with more rows than a sheet holds (MAX_ROWS, Excel's limit) goes on over sheets `checks (2)`, `checks (3)`
    … after the others, each with the header rows; `notes` says so in one line, naming the CSV that holds it whole.
    """

    def __init__(self, path: Path, described: dict, book: pd.DataFrame):
        from openpyxl import Workbook

        self.path, self.described = path, described
        self.wb = Workbook(write_only=True)
        self.tmp = tempfile.TemporaryDirectory(dir=path.parent, prefix=".xlsx-")
        self.data: list[_SheetRows] = []  # each table sheet's data rows, in the workbook's order
        self.sheets: dict[str, list] = {}  # a table's sheets, the last being filled
        self.sizes: list[list[int]] = []  # every sheet's columns and rows (header rows included), in the workbook's order
        self.english: dict[str, dict[str, tuple[str, str]]] = {}
        for stem in SHEETS:
            name = f"{stem}.csv"
            table = book[book["table"] == stem] if stem in ("proactive", "requests", "appeals") else book.iloc[0:0]
            self.english[name] = {c: (lab, en) for c, lab, en in zip(table["code"], table["label"], table["english"])}
            self.sheets[name] = []
            self._new_sheet(name)

    def _new_sheet(self, name: str) -> None:
        """Begin a (further) sheet of a table: its three header rows, frozen."""
        stem = name.removesuffix(".csv")
        title = stem if not self.sheets[name] else f"{stem} ({len(self.sheets[name]) + 1})"
        ws = self.wb.create_sheet(title)
        ws.freeze_panes = "B4" if stem != "checks" else "A4"
        fields = self.described[name][1]
        for row in zip(*(_headers(f, self.english[name]) for f in fields)):
            ws.append([self._cell(ws, v, bold=True) for v in row])
        self.sheets[name].append(ws)
        self.sizes.append([len(fields), 3])
        self.data.append(_SheetRows(Path(self.tmp.name) / f"rows{len(self.data) + 1}.xml", ws))

    @staticmethod
    def _cell(ws, value: object, bold: bool = False):
        """A cell as the ordinary mode writes it: a text that looks like a formula (=HYPERLINK(…) in a body's name) stays text."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Font

        if isinstance(value, str):  # a control character a workbook cannot hold (a file name's \x01) shown as �
            value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if not bold and not (isinstance(value, str) and value.startswith("=")):
            return value
        cell = WriteOnlyCell(ws, value=value)
        if bold:
            cell.font = Font(bold=True)
        if cell.data_type == "f":
            cell.data_type = "s"
        return cell

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Append a table's rows (text, as in the CSV) to its sheet, typed by its fields; a full sheet goes on in another."""
        if name in self.sheets:
            self.add_typed(name, _typed_rows(frame, self.described[name][1]))

    def add_typed(self, name: str, rows: list[list[object]]) -> None:
        """Append a table's rows, typed already (see _typed_rows)."""
        if name not in self.sheets:
            return
        at = self.wb.worksheets.index(self.sheets[name][-1])
        size, data = self.sizes[at], self.data[at]
        for row in rows:
            if size[1] >= MAX_ROWS:
                self._new_sheet(name)
                size, data = self.sizes[-1], self.data[-1]
            size[1] += 1
            data.add(size[1], row)

    @property
    def notes(self) -> list[str]:
        """One line for each table split over sheets: how, and where it is whole."""
        lines = []
        for name, sheets in self.sheets.items():
            if len(sheets) > 1:
                rows = sum(self.sizes[self.wb.worksheets.index(ws)][1] - 3 for ws in sheets)
                titles = ", ".join(ws.title for ws in sheets)
                lines.append(
                    f"{self.path.name}: {name.removesuffix('.csv')} has {rows:,} rows, more than an Excel sheet holds "
                    f"({MAX_ROWS:,} with its 3 header rows), so it is split over the sheets {titles}; "
                    f"the whole table is {name} (and the {name.removesuffix('.csv')} table of {SQLITE})"
                )
        return lines

    def close(self) -> Path:
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet("dictionary")
        ws.freeze_panes = "A4"
        words = dictionary(self.described)
        for header in (list(words.columns), [CHINESE[c] for c in words.columns], [c.replace("_", " ") for c in words.columns]):
            ws.append(header)
        for row in words.itertuples(index=False):
            ws.append([self._cell(ws, v) for v in row])
        sizes = [*self.sizes, [len(words.columns), len(words) + 3]]
        dimensions = {f"xl/worksheets/sheet{i}.xml": f"A1:{get_column_letter(c)}{r}" for i, (c, r) in enumerate(sizes, 1)}
        self.wb.properties.creator = "openness"
        self.wb.properties.created = FIXED_TIME
        for data in self.data:
            data.close()
        rows = {f"xl/worksheets/sheet{i}.xml": data.path for i, data in enumerate(self.data, 1)}
        try:
            raw = Path(self.tmp.name) / "raw.xlsx"
            self.wb.save(raw)
            return _fixed_zip(raw, self.path, dimensions, rows)
        finally:
            self.tmp.cleanup()

    def abandon(self) -> None:
        """Let go of the open files after a failure."""
        for data in self.data:
            data.close()
        self.tmp.cleanup()


def write_xlsx(path: Path, tables: dict[str, pd.DataFrame], described: dict, book: pd.DataFrame) -> Path:
    """openness.xlsx from whole tables (see Xlsx)."""
    xlsx = Xlsx(path, described, book)
    for name, frame in tables.items():
        xlsx.add(name, frame)
    return xlsx.close()


def _fixed_zip(source: Path, path: Path, dimensions: dict[str, str], rows: dict[str, Path] | None = None) -> Path:
    """Rewrite a zip (an .xlsx) with fixed entry times and a fixed modified date, so that it is reproducible;
    each worksheet gets its <dimension ref=…/> after <sheetPr>, and the data rows of `rows` (a sheet's file of them,
    see _SheetRows) after its header rows. Copied in pieces: a sheet can be larger than memory."""
    rows = rows or {}
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            target = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            target.compress_type = zipfile.ZIP_DEFLATED
            target.external_attr = 0o600 << 16  # as ZipFile.writestr marks a file
            with src.open(info) as reader:
                head = reader.read(1 << 16)
                if info.filename == "docProps/core.xml":
                    head += reader.read()
                    head = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), head)
                data = rows.get(info.filename)
                if data is not None:  # the header rows only: small; the data rows go before </sheetData>
                    head += reader.read()
                    head, tail = head.split(b"</sheetData>", 1)
                    tail = b"</sheetData>" + tail
                if info.filename in dimensions:
                    ref = f'<dimension ref="{dimensions[info.filename]}"/>'.encode()
                    size = info.file_size + len(ref)
                    head = head.replace(b"</sheetPr>", b"</sheetPr>" + ref, 1)
                else:
                    size = len(head) if info.filename == "docProps/core.xml" else info.file_size
                target.file_size = size + (data.stat().st_size if data is not None else 0)
                with out.open(target, "w") as writer:
                    writer.write(head)
                    if data is not None:
                        with open(data, "rb") as f:
                            for chunk in iter(lambda: f.read(1 << 20), b""):
                                writer.write(chunk)
                        writer.write(tail)
                    for chunk in iter(lambda: reader.read(1 << 20), b""):
                        writer.write(chunk)
    return path


SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "string": "TEXT"}


class Sqlite:
    """openness.sqlite, written as the rows come: every CSV as a typed table with plain ASCII column names, and the
    dictionary, for Datasette. VACUUM at the end lays the file out the same however the rows came."""

    def __init__(self, path: Path, names: list[str], described: dict):
        self.path, self.described = path, described
        path.unlink(missing_ok=True)
        self.con = sqlite3.connect(path)
        for i, name in enumerate(names):
            fields = described[name][1]
            stem = name.removesuffix(".csv")
            columns = ", ".join(f'"{ascii_name(f)}" {SQL_TYPES[f.type]}' for f in fields)
            self.con.execute(f'CREATE TABLE "{stem}" ({columns})')
            if i == 0:  # the first table on its own, then one transaction: the header's change counter stays 3
                self.con.execute("BEGIN")
            if any(f.name == "report" for f in fields):
                self.con.execute(f'CREATE INDEX "{stem}_report" ON "{stem}" (report)')

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Insert a table's rows (text, as in the CSV), typed by its fields."""
        self.add_typed(name, _typed_rows(frame, self.described[name][1]))

    def add_typed(self, name: str, rows: list[list[object]]) -> None:
        """Insert a table's rows, typed already (see _typed_rows)."""
        marks = ", ".join("?" for _ in self.described[name][1])
        self.con.executemany(f'INSERT INTO "{name.removesuffix(".csv")}" VALUES ({marks})', rows)

    def close(self) -> Path:
        try:
            words = dictionary(self.described)
            self.con.execute('CREATE TABLE dictionary (file_name TEXT, "column" TEXT, type TEXT, unit TEXT, meaning TEXT)')
            self.con.executemany("INSERT INTO dictionary VALUES (?, ?, ?, ?, ?)", words.itertuples(index=False))
            self.con.commit()
            self.con.execute("VACUUM")
        finally:
            self.con.close()
        return self.path


ARROW_TYPES = {"integer": "int64", "number": "float64", "boolean": "bool_", "string": "string"}


ROW_GROUP = 131_072  # rows of a row group of cells.parquet (pyarrow's own default, 1Mi rows, takes too much memory)


class Parquet:
    """cells.parquet, written as the rows come: cells.csv typed (value a float, page an integer, blanks null), for
    analysts at scale. Rows are gathered into row groups of ROW_GROUP rows, so the file is the same however they came."""

    def __init__(self, path: Path, fields: list):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.fields, self.path, self.written = fields, path, False
        self.types = [getattr(pa, ARROW_TYPES[f.type])() for f in fields]
        self.schema = pa.schema([(f.name, t) for f, t in zip(fields, self.types)])
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.pending: list = []  # arrow tables not yet written
        self.rows = 0

    def add(self, frame: pd.DataFrame) -> None:
        """Append cells.csv's rows (text); every ROW_GROUP rows make a row group."""
        self.add_typed(_typed_rows(frame, self.fields))

    def add_typed(self, rows: list[list[object]]) -> None:
        """Append cells.csv's rows, typed already (see _typed_rows)."""
        import pyarrow as pa

        if not rows:
            return
        columns = list(zip(*rows))
        self.pending.append(
            pa.table({f.name: pa.array(list(col), type=t) for f, t, col in zip(self.fields, self.types, columns)})
        )
        self.rows += len(rows)
        while self.rows >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, n: int) -> None:
        import pyarrow as pa

        table = pa.concat_tables(self.pending) if self.pending else self.schema.empty_table()
        self.writer.write_table(table.slice(0, n).combine_chunks(), row_group_size=max(n, 1))
        rest = table.slice(n)
        self.pending, self.rows, self.written = ([rest] if len(rest) else []), len(rest), True

    def close(self) -> Path:
        if self.rows or not self.written:  # the last rows; or no figure at all: an empty table
            self._flush(self.rows)
        self.writer.close()
        return self.path


class Formats:
    """openness.xlsx, openness.sqlite and cells.parquet beside the CSVs, each fed the same text rows as they are written."""

    def __init__(self, out: Path, names: list[str], described: dict, book: pd.DataFrame):
        self.xlsx = Xlsx(out / XLSX, described, book)
        self.sqlite = Sqlite(out / SQLITE, names, described)
        self.parquet = Parquet(out / PARQUET, described["cells.csv"][1])

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Rows of one CSV (text, before the spreadsheet guard), in their final order: typed once for all three."""
        rows = _typed_rows(frame, self.sqlite.described[name][1])
        self.xlsx.add_typed(name, rows)
        self.sqlite.add_typed(name, rows)
        if name == "cells.csv":
            self.parquet.add_typed(rows)

    def close(self) -> list[Path]:
        return [self.xlsx.close(), self.sqlite.close(), self.parquet.close()]

    @property
    def notes(self) -> list[str]:
        """What a reader of these files must know: a table split over sheets (see Xlsx)."""
        return self.xlsx.notes

    def abandon(self) -> None:
        """Let go of the open files after a failure (the caller removes the folder)."""
        self.xlsx.abandon()
        self.sqlite.con.close()
        self.parquet.writer.close()


def write_formats(out: Path, tables: dict[str, pd.DataFrame], described: dict, book: pd.DataFrame) -> list[Path]:
    """Write openness.xlsx, openness.sqlite and cells.parquet beside the CSVs from whole tables; return their paths."""
    formats = Formats(out, list(tables), described, book)
    for name, frame in tables.items():
        formats.add(name, frame)
    return formats.close()
