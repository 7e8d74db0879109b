"""openness.outputs: the files of data/clean, written from real extractions and truth.csv figures."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import CORPUS, need
from openness.checks import periods, run_checks
from openness.dictionary import ENCODING, file_fields, wide_header
from openness.labels import codebook
from openness.model import Extraction
from openness.outputs import cells_frame, write_clean
from test_checks import with_codes

BOM = b"\xef\xbb\xbf"
CSVS = [
    "reports.csv",
    "cells.csv",
    "proactive.csv",
    "requests.csv",
    "appeals.csv",
    "checks.csv",
    "extraction_log.csv",
    "codebook.csv",
    "sections.csv",
    "prose_checks.csv",
    "copying.csv",
]
FORMATS = ["openness.xlsx", "openness.sqlite", "cells.parquet"]
PLAIN = re.compile(r"^-?\d+(\.\d*[1-9])?$")  # no separators, no exponent, no trailing zeros

MANIFEST = pd.DataFrame(
    [
        # report, file, body, level, province, city, year, template, source_url, provenance, sha256
        [
            "fenyang-2023",
            "fenyang-2023.pdf",
            "汾阳市人民政府",
            "county",
            "山西省",
            "吕梁市",
            "2023",
            "2021",
            "",
            "figures from truth.csv",
            "",
        ],
        [
            "hongze-2023",
            "hongze-2023.pdf",
            "淮安市洪泽区人民政府",
            "county",
            "江苏省",
            "淮安市",
            "2023",
            "mixed",
            "",
            "original PDF",
            "",
        ],
        [
            "hongze-2024",
            "hongze-2024.pdf",
            "淮安市洪泽区人民政府",
            "county",
            "江苏省",
            "淮安市",
            "2024",
            "mixed",
            "",
            "original PDF",
            "",
        ],
        [
            "pingtan-2020",
            "html/pingtan-2020.html",
            "平潭综合实验区",
            "prefecture",
            "福建省",
            "",
            "2020",
            "2019",
            "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202103/t20210305_80595.htm",
            "official web page",
            "",
        ],
        [
            "pingtan-2021",
            "html/pingtan-2021.html",
            "平潭综合实验区",
            "prefecture",
            "福建省",
            "",
            "2021",
            "2021",
            "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm",
            "official web page",
            "",
        ],
        ["lost-2024", "lost-2024.pdf", "某局", "department", "", "", "2024", "", "", "", ""],
    ],
    columns=["report", "file", "body", "level", "province", "city", "year", "template", "source_url", "provenance", "sha256"],
)


@pytest.fixture(scope="module")
def inputs(truth):
    """Real extractions (two PDFs, two HTML pages) plus 汾阳 2023's figures from truth.csv (text only)."""
    from openness.extract import extract_report

    files = {
        "hongze-2023": "hongze-2023.pdf",
        "hongze-2024": "hongze-2024.pdf",
        "pingtan-2020": "html/pingtan-2020.html",
        "pingtan-2021": "html/pingtan-2021.html",
    }
    exs = [extract_report(need(CORPUS / f), report=r) for r, f in files.items()]
    fenyang = with_codes(truth[truth.report == "fenyang-2023"])
    fenyang["text"], fenyang["page"], fenyang["bbox"], fenyang["method"], fenyang["locator"] = (
        fenyang["value"],
        None,
        None,
        "truth.csv",
        "",
    )
    cells = pd.concat([cells_frame(exs), fenyang], ignore_index=True)
    log = [
        {"file": files[e.report], "report": e.report, "status": e.status, "reason": e.reason, "seconds": e.seconds} for e in exs
    ]
    log.append({"file": "fenyang-2023.pdf", "report": "fenyang-2023", "status": "ok", "reason": "", "seconds": 0.04})
    log.append(
        {
            "file": "lost-2024.pdf",
            "report": "lost-2024",
            "status": "failed",
            "reason": "the file listed in the manifest is missing",
            "seconds": 0,
        }
    )
    checks = run_checks(cells, periods(MANIFEST))
    return cells, MANIFEST, log, checks


@pytest.fixture(scope="module")
def clean(inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    written = write_clean(out, *inputs)
    assert sorted(p.name for p in written) == sorted(CSVS + FORMATS + ["README.md", "datapackage.json"])
    return out


def read(clean: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(clean / name, dtype=str, keep_default_na=False, encoding=ENCODING)


def test_every_csv_is_utf8_with_a_bom(clean):
    for name in CSVS:
        raw = (clean / name).read_bytes()
        assert raw.startswith(BOM), name
        assert not raw[3:].startswith(BOM), name
        raw.decode("utf-8")
        assert b"\r" not in raw


def test_numbers_are_plain(clean):
    """Every field the schema calls a number or an integer is a plain number or empty."""
    for name, (_, fields) in file_fields(list(MANIFEST.columns)).items():
        if name not in CSVS:
            continue
        frame = read(clean, name)
        for f in fields:
            if f.type in ("integer", "number"):
                bad = [v for v in frame[f.name] if v != "" and not PLAIN.match(v)]
                assert not bad, (name, f.name, bad[:5])
    cells = read(clean, "cells.csv")
    fee = cells[(cells.report == "hongze-2023") & (cells.column_code == "fee_amount")]
    assert fee.value.tolist() == ["7730.28"]
    assert cells[(cells.report == "fenyang-2023") & (cells.column_code == "fee_amount")].value.tolist() == ["1760.1263"]
    # 平潭 2020 is on the 2019 template: 本年增/减 can be negative, and stays as printed
    change = cells[(cells.report == "pingtan-2020") & (cells.column_code == "items_change")]
    assert len(change) and all(PLAIN.match(v) or v == "" for v in change.value)


def test_cells_keep_their_provenance(clean, inputs):
    cells = read(clean, "cells.csv")
    assert list(cells.columns) == [
        "report",
        "table",
        "row",
        "column",
        "value",
        "row_code",
        "column_code",
        "text",
        "page",
        "bbox",
        "method",
        "locator",
        "confidence",
        "proof",
        "proof_note",
    ]
    assert len(cells) == len(inputs[0])
    first = cells[cells.report == "hongze-2023"].iloc[0]
    assert (first.table, first.row_code, first.column_code) == ("proactive", "rules", "issued")
    assert first.page.isdigit()
    box = [float(x) for x in first.bbox.split()]
    assert len(box) == 4 and box[0] < box[2] and box[1] < box[3]
    assert all(re.fullmatch(r"-?\d+(\.\d{1,2})?", x) for x in first.bbox.split())
    html = cells[cells.report == "pingtan-2020"]
    assert (html.page == "").all() and (html.bbox == "").all() and (html.locator != "").all()
    # confidence and proof are for figures read by OCR only
    assert (cells.confidence == "").all() and (cells.proof == "").all() and (cells.proof_note == "").all()
    # sorted: reports, then tables in template order
    assert cells.report.tolist() == sorted(cells.report)
    assert cells[cells.report == "hongze-2023"].table.drop_duplicates().tolist() == ["proactive", "requests", "appeals"]


def test_codebook_is_complete(clean):
    book = read(clean, "codebook.csv")
    assert [(e.kind, e.table, e.code, e.label) for e in codebook()] == list(zip(book.kind, book.table, book.code, book.label))
    codes = {(t, c) for t, c in zip(book.table, book.code)}
    cells = read(clean, "cells.csv")
    assert {(t, c) for t, c in zip(cells.table, cells.column_code)} <= codes
    assert {(t, r) for t, r in zip(cells.table, cells.row_code) if r} <= codes


def _melt(wide: pd.DataFrame, table: str) -> set[tuple[str, str, str, str]]:
    """The wide table back to (report, row_code, column_code, value), dropping empty fields."""
    columns = [e.code for e in codebook() if e.kind == "column" and e.table == table]
    out = set()
    for _, r in wide.iterrows():
        for code in columns:
            value = r[wide_header(table, code)]
            if value != "":
                out.add((r.report, r.get("row_code", ""), code, value))
    return out


@pytest.mark.parametrize("table", ["proactive", "requests", "appeals"])
def test_wide_tables_agree_with_the_tidy_cells(clean, table):
    cells = read(clean, "cells.csv")
    tidy = cells[(cells.table == table) & (cells.value != "")]
    expected = set(zip(tidy.report, tidy.row_code, tidy.column_code, tidy.value))
    wide = read(clean, f"{table}.csv")
    assert _melt(wide, table) == expected
    if table == "appeals":
        assert wide.report.tolist() == sorted(set(cells[cells.table == "appeals"].report))
        hongze = wide[wide.report == "hongze-2023"].iloc[0]
        assert (hongze["行政复议 / 结果维持 (review_upheld)"], hongze["行政复议 / 总计 (review_total)"]) == ("10", "0")
    else:
        pairs = set(zip(cells[cells.table == table].report, cells[cells.table == table].row_code))
        assert set(zip(wide.report, wide.row_code)) == pairs and len(wide) == len(pairs)
    if table == "requests":
        header = ["report", "row_code", "row"] + [
            wide_header("requests", c)
            for c in ("natural_person", "business", "research", "social_welfare", "legal_services", "other_org", "total")
        ]
        assert list(wide.columns) == header
        assert header[3] == "自然人 (natural_person)"


def test_reports_headline_figures(clean):
    reports = read(clean, "reports.csv").set_index("report")
    assert reports.index.tolist() == ["fenyang-2023", "hongze-2023", "hongze-2024", "lost-2024", "pingtan-2020", "pingtan-2021"]
    h = reports.loc["hongze-2023"]
    assert (h.body, h.year, h.status) == ("淮安市洪泽区人民政府", "2023", "ok")
    assert (h.requests_new, h.requests_handled) == ("21", "21")
    assert h.disclosure_rate == "0.1905"  # (0 + 4) / 21
    assert h.not_held_share == "0.4762"  # 10 / 21
    assert (h.review_total, h.litigation_total) == ("0", "0")  # as printed, beside 11 reviews
    assert (h.checks_fail, h.checks_pass, h.checks_not_checked) == ("2", "38", "0")
    assert h.failed_checks == "appeals_group_total review; appeals_group_total suit_after_review"
    assert reports.loc["pingtan-2020"].checks_fail == "2"
    assert reports.loc["pingtan-2020"].source_url.startswith("https://www.pingtan.gov.cn/")
    lost = reports.loc["lost-2024"]
    assert (lost.status, lost.figures, lost.requests_new, lost.disclosure_rate) == ("failed", "0", "", "")
    assert lost.reason == "the file listed in the manifest is missing"


def test_checks_and_log(clean):
    checks = read(clean, "checks.csv")
    fails = checks[checks.status == "fail"]
    assert ("hongze-2023", "appeals_group_total", "review", "0", "11", "-11") in set(
        zip(fails.report, fails.identity, fails.scope, fails.left, fails.right, fails.difference)
    )
    assert "hongze-2023→hongze-2024" in set(checks.report)
    assert set(checks.rough) == {"true", "false"}
    log = read(clean, "extraction_log.csv")
    assert list(log.columns) == ["file", "report", "sha256", "status", "reason", "seconds"]
    assert log.file.tolist() == sorted(log.file)
    assert dict(zip(log.file, log.status))["lost-2024.pdf"] == "failed"
    assert dict(zip(log.file, log.seconds))["fenyang-2023.pdf"] == "0"  # 0.04 s rounded to 0.1 s


def test_datapackage_validates_with_frictionless(clean, tmp_path):
    from frictionless import Package

    report = Package(str(clean / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((clean / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == CSVS + FORMATS
    assert {s["path"] for s in package["sources"]} == set(MANIFEST.source_url) - {""}
    # the validation bites: a count written with a thousands separator makes the package invalid
    broken = tmp_path / "broken"
    shutil.copytree(clean, broken)
    text = (broken / "requests.csv").read_text(encoding=ENCODING)
    lines = text.split("\n")
    fields = lines[1].split(",")
    fields[3] = '"1,234"'
    lines[1] = ",".join(fields)
    (broken / "requests.csv").write_text("\n".join(lines), encoding=ENCODING)
    assert not Package(str(broken / "datapackage.json")).validate().valid


def test_readme_documents_every_file_and_column(clean):
    text = (clean / "README.md").read_text(encoding="utf-8")
    for name, (_, fields) in file_fields(list(MANIFEST.columns)).items():
        assert f"### `{name}`" in text
        section = text.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        for f in fields:
            assert f"| `{f.name}` |" in section, (name, f.name)
    assert "6 reports covering 2020–2024" in text
    assert "How to cite" in text and "{{" not in text


def test_rebuild_is_byte_identical(inputs, clean, tmp_path):
    cells, manifest, log, checks = inputs
    shuffled = cells.sample(frac=1, random_state=7)
    write_clean(tmp_path, shuffled, manifest.iloc[::-1], list(reversed(log)), checks)
    for name in CSVS + FORMATS + ["README.md", "datapackage.json"]:
        assert (tmp_path / name).read_bytes() == (clean / name).read_bytes(), name


def test_a_build_where_everything_failed_is_still_a_valid_package(tmp_path):
    from frictionless import Package

    cells = cells_frame([Extraction(report="lost-2024", file="lost-2024.pdf")])
    log = [{"file": "lost-2024.pdf", "status": "failed", "reason": "the file is empty", "seconds": 0.0}]
    write_clean(tmp_path, cells, MANIFEST[MANIFEST.report == "lost-2024"], log, run_checks(cells, {}))
    reports = read(tmp_path, "reports.csv")
    assert reports.report.tolist() == ["lost-2024"] and reports.status.tolist() == ["failed"]
    assert read(tmp_path, "extraction_log.csv").report.tolist() == ["lost-2024"]  # from the manifest
    assert len(read(tmp_path, "requests.csv")) == 0
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def as_number(text: str) -> float | None:
    return None if text == "" else float(text)


def test_reports_carry_the_indicators_with_their_n(clean):
    """reports.csv: refusal rate, natural-person share and review correction rate, each beside its denominator."""
    reports = read(clean, "reports.csv").set_index("report")
    fy = reports.loc["fenyang-2023"]
    assert (fy.review_correction_rate, fy.review_correction_rate_n) == ("0.6", "5")  # 3 corrected of 5 decided
    assert (fy.natural_person_share, fy.natural_person_share_n) == ("0.8", "5")
    assert (fy.refusal_rate, fy.refusal_rate_n) == ("0.2", "5")  # one refusal: 属于三类内部事务信息
    hz = reports.loc["hongze-2023"]  # 总计 printed 0 beside 11 reviews: n is 0 as printed, so no rate
    assert (hz.review_correction_rate, hz.review_correction_rate_n) == ("", "0")
    assert reports.loc["lost-2024", "refusal_rate_n"] == ""  # no figures: unknown, never 0


def test_xlsx_sqlite_and_parquet_read_back_to_the_figures_of_the_csvs(clean):
    import sqlite3

    from openpyxl import load_workbook

    wb = load_workbook(clean / "openness.xlsx")
    assert wb.sheetnames == ["reports", "proactive", "requests", "appeals", "checks", "dictionary"]
    for sheet, name in (("requests", "requests.csv"), ("reports", "reports.csv"), ("appeals", "appeals.csv")):
        ws = wb[sheet]
        assert ws.freeze_panes in ("B4", "A4")
        rows = list(ws.values)
        codes, chinese, english = rows[:3]
        assert all(c.isascii() for c in codes)
        csv = read(clean, name)
        assert len(rows) - 3 == len(csv)
        fields = dict(zip(csv.columns, file_fields(list(MANIFEST.columns))[name][1]))
        for i, column in enumerate(csv.columns):
            got = [r[i] for r in rows[3:]]
            kind = fields[column].type
            want = [as_number(v) if kind in ("integer", "number") else (v or None) for v in csv[column]]
            assert got == want, (sheet, column)
            if kind in ("integer", "number"):
                assert all(v is None or isinstance(v, (int, float)) for v in got)  # numbers as numbers, blanks as blanks
    codes, chinese, english = list(wb["requests"].values)[:3]
    at = codes.index("natural_person")
    assert chinese[at] == "自然人" and english[at] == file_fields()["requests.csv"][1][3].description.split(":")[0]

    con = sqlite3.connect(clean / "openness.sqlite")
    hz = con.execute("SELECT review_upheld, review_corrected, review_total FROM appeals WHERE report = 'hongze-2023'").fetchone()
    assert hz == (10, 1, 0)  # as printed: the break stays
    cells = read(clean, "cells.csv")
    got = con.execute(
        'SELECT report, table_, row_code, column_code, value FROM (SELECT *, "table" AS table_ FROM cells)'
    ).fetchall()
    want = [
        (r, t, rc or None, cc, as_number(v))
        for r, t, rc, cc, v in zip(cells.report, cells.table, cells.row_code, cells.column_code, cells.value)
    ]
    assert got == want
    blanks = con.execute("SELECT count(*) FROM cells WHERE value IS NULL").fetchone()[0]
    assert blanks == (cells.value == "").sum()
    assert con.execute("SELECT count(*) FROM dictionary WHERE file_name = 'reports.csv'").fetchone()[0] == len(
        read(clean, "reports.csv").columns
    )

    parquet = pd.read_parquet(clean / "cells.parquet")
    assert list(parquet.columns) == list(cells.columns)
    assert [None if pd.isna(v) else v for v in parquet.value] == [as_number(v) for v in cells.value]
    assert parquet.value.dtype == "float64"


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised_numbers_kept():
    from openness.outputs import MAX_FIELD, safe_text

    assert [safe_text(v) for v in ['=HYPERLINK("http://x","y")', "+cmd|' calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]] == [
        '\'=HYPERLINK("http://x","y")',
        "'+cmd|' calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\nx",  # a CR written as a line break, so that the field is quoted (see the next test)
    ]
    assert [safe_text(v) for v in ["-15", "+3", "-0.5", "7730.28", "行政许可", "", None, -15]] == [
        "-15",
        "+3",
        "-0.5",
        "7730.28",
        "行政许可",
        "",
        None,
        -15,
    ]
    long = safe_text("原因" * MAX_FIELD)
    assert len(long) < MAX_FIELD + 40 and long.endswith(f"… [{MAX_FIELD} more characters cut]")


def test_a_formula_like_text_stays_text_in_the_workbook(inputs, tmp_path):
    """A body named =HYPERLINK(…) is a text cell in openness.xlsx, never a live formula."""
    from openpyxl import load_workbook

    cells, manifest, log, checks = inputs
    hostile = manifest.copy()
    hostile.loc[hostile.report == "hongze-2023", "body"] = '=HYPERLINK("http://example.invalid","click")'
    write_clean(tmp_path, cells, hostile, log, checks)
    wb = load_workbook(tmp_path / "openness.xlsx")
    texts = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert texts and all(c.data_type == "s" for c in texts)


def test_written_a_few_reports_at_a_time_the_files_are_the_same_bytes(tmp_path, monkeypatch):
    """write_clean_streamed (the build's writer, which holds a few hundred reports at a time) writes every file
    byte for byte as write_clean does from whole frames, whatever the chunk: on 平潭's pages of seven years (prose,
    copying, cross-year checks), a Chromium print of one of them (a year printed twice) and 洪泽 2023's PDF."""
    from openness import formats
    from openness.extract import extract_report
    from openness.model import stamp
    from openness.outputs import write_clean_streamed
    from openness.prose import prose_frames

    files = {f"pingtan-{y}": CORPUS / "html" / f"pingtan-{y}.html" for y in range(2019, 2026)}
    files |= {"a-print-2023": CORPUS / "producers" / "pingtan-2023-chromium.pdf", "hongze-2023": CORPUS / "hongze-2023.pdf"}
    extractions = [stamp(extract_report(need(path), report=r), r, path.name) for r, path in files.items()]
    body = {"hongze-2023": "淮安市洪泽区人民政府"}
    manifest = pd.DataFrame(
        [{"report": r, "file": p.name, "body": body.get(r, "平潭综合实验区"), "year": r[-4:]} for r, p in files.items()]
    )
    log = [{"file": e.file, "report": e.report, "sha256": "", "status": e.status, "reason": e.reason} for e in extractions]
    monkeypatch.setattr(formats, "ROW_GROUP", 500)  # several row groups in cells.parquet
    cells = cells_frame(extractions)
    whole = tmp_path / "whole"
    write_clean(whole, cells, manifest, log, run_checks(cells, periods(manifest)), prose_frames(extractions, cells, manifest))
    for name, least in (("copying.csv", 30), ("prose_checks.csv", 20), ("checks.csv", 400)):
        assert len(read(whole, name)) >= least  # every kind of row is there to be ordered
    assert "a-print-2023→pingtan-2024" not in set(read(whole, "checks.csv").report)  # 2023 paired once
    for chunk in (1, 3, 50):
        pieces = tmp_path / f"chunk-{chunk}"
        loaded: list[int] = []

        def load(reports: list[str], loaded: list[int] = loaded) -> list[Extraction]:
            loaded.append(len(reports))
            return [e for e in extractions if e.report in reports]

        write_clean_streamed(pieces, manifest, log, load, chunk=chunk)
        assert max(loaded) <= 2 * chunk  # a chunk of reports, or of cross-year pairs (two reports each)
        assert sorted(p.name for p in pieces.iterdir()) == sorted(p.name for p in whole.iterdir())
        assert [p.name for p in sorted(whole.iterdir()) if p.read_bytes() != (pieces / p.name).read_bytes()] == [], chunk


def test_a_table_longer_than_an_excel_sheet_goes_on_over_further_sheets_and_says_so(inputs, tmp_path, monkeypatch):
    """Excel opens no sheet of more than 1,048,576 rows (checks.csv of about 21,000 reports): such a table goes on over
    sheets `checks (2)` …, each with its header rows, and one line says so and names the CSV that holds it whole.
    The limit is made small here (not a million rows written)."""
    from openpyxl import load_workbook

    from openness import formats

    monkeypatch.setattr(formats, "MAX_ROWS", 3 + 100)
    notes: list[str] = []
    write_clean(tmp_path, *inputs, notes=notes)
    checks, requests = read(tmp_path, "checks.csv"), read(tmp_path, "requests.csv")
    assert len(checks) > 200 and 100 < len(requests) <= 200
    wb = load_workbook(tmp_path / "openness.xlsx")
    more = [f"checks ({k})" for k in range(2, (len(checks) + 99) // 100 + 1)]
    assert wb.sheetnames == ["reports", "proactive", "requests", "appeals", "checks", "requests (2)", *more, "dictionary"]
    for stem in ("checks", "requests"):
        csv = read(tmp_path, f"{stem}.csv")
        sheets = [wb[title] for title in wb.sheetnames if title == stem or title.startswith(f"{stem} (")]
        rows = [list(ws.values) for ws in sheets]
        assert all(len(r) <= 103 for r in rows) and all(r[:3] == rows[0][:3] for r in rows)  # the headers on each
        assert [ws.freeze_panes for ws in sheets] == [sheets[0].freeze_panes] * len(sheets)
        data = [row for r in rows for row in r[3:]]
        assert len(data) == len(csv)
        assert [row[0] for row in data] == [v or None for v in csv["report"]]  # in the CSV's order, none lost
    with zipfile.ZipFile(tmp_path / "openness.xlsx") as book:  # each sheet's <dimension> says its own rows
        refs = [re.search(rb'<dimension ref="A1:[A-Z]+(\d+)"', book.read(f"xl/worksheets/sheet{i}.xml"))[1] for i in (3, 5, 6, 7)]
    assert [int(r) for r in refs] == [103, 103, 3 + len(requests) - 100, 103]
    assert notes == [
        f"openness.xlsx: requests has {len(requests)} rows, more than an Excel sheet holds (103 with its 3 header rows), "
        "so it is split over the sheets requests, requests (2); the whole table is requests.csv (and the requests table "
        "of openness.sqlite)",
        f"openness.xlsx: checks has {len(checks):,} rows, more than an Excel sheet holds (103 with its 3 header rows), "
        f"so it is split over the sheets checks, {', '.join(more)}; the whole table is checks.csv (and the checks table "
        "of openness.sqlite)",
    ]
