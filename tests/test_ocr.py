"""Scanned reports (image-only PDFs): read by OCR cell by cell, every figure proven or doubted by the identities.

The four scans of ../shared/corpus/producers (rasterised at 150, 200 and 300
dpi, tilted, toned, noised, blurred, JPEG'd; 786 figures in truth.csv) are
scored cell by cell: at least 99.5% right, and no wrong figure left unflagged.
The round trip holds the project's specimens (data/raw) to the same two bars,
scanned by the same recipe (../shared/tools/producers.py): three in CI, more
with ROUNDTRIP_SCANS=N (`make roundtrip-long`).
"""

from __future__ import annotations

import importlib.util
import math
import os
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import CORPUS, ROOT, SHARED, need
from openness.extract import extract_report
from openness.model import Cell, Extraction
from openness.proof import HIGH, prove
from openness.readers import ocr
from openness.readers.ocr import CellReading

PRODUCERS = CORPUS / "producers"
SCANS = ("fenyang-2023-scan-200", "hongze-2023-scan-300", "pingtan-2023-scan-150", "pingtan-2024-scan-200")
TRUTH_CELLS = 786
RAW = ROOT / "data" / "raw"
# CI's fixed set: the 2019 template, a department's tables 2 and 3, a county's 2024 report
SCANNED_SPECIMENS = ("pingtan-2019", "pingtan-caizhengju-2024", "hongze-2024")
MORE_SCANS = int(os.environ.get("ROUNDTRIP_SCANS", "0"))


@pytest.fixture(scope="module")
def scans() -> dict[str, Extraction]:
    """The four scans, each extracted once."""
    return {name: extract_report(need(PRODUCERS / f"{name}.pdf")) for name in SCANS}


@pytest.fixture(scope="module")
def scan_truth() -> pd.DataFrame:
    truth = pd.read_csv(need(PRODUCERS / "truth.csv"), dtype=str, keep_default_na=False)
    return truth[truth["report"].isin(SCANS)]


def score(extractions: dict[str, Extraction], truth: pd.DataFrame) -> tuple[int, list[tuple], list[tuple]]:
    """(cells right, wrong or missing cells, wrong figures not flagged doubtful) against truth (blank is right only for blank)."""
    got = {(name, c.table, c.row, c.column): c for name, ex in extractions.items() for c in ex.cells}
    right, wrong, unflagged = 0, [], []
    for t in truth.itertuples():
        cell = got.get((t.report, t.table, t.row, t.column))
        if cell is not None and (
            cell.value == t.value == "" or "" != cell.value and "" != t.value and Decimal(cell.value) == Decimal(t.value)
        ):
            right += 1
            continue
        wrong.append((t.report, t.row, t.column, t.value, cell.value if cell else None))
        if cell is not None and cell.proof != "doubtful":
            unflagged.append(wrong[-1])
    return right, wrong, unflagged


def test_four_scans_read_right_and_every_wrong_figure_flagged(scans, scan_truth):
    assert len(scan_truth) == TRUTH_CELLS
    right, wrong, unflagged = score(scans, scan_truth)
    assert right >= math.ceil(0.995 * TRUTH_CELLS), wrong[:10]
    assert unflagged == []


def test_every_figure_says_it_was_read_by_ocr_with_its_confidence_and_proof(scans):
    cells = [c for ex in scans.values() for c in ex.cells]
    assert {c.method for c in cells} == {"ocr-rapidocr"}
    assert all(c.confidence is not None and 0 < c.confidence <= 1 for c in cells if c.value)
    assert {c.proof for c in cells} <= {"confirmed", "unchecked", "doubtful", "repaired"}
    # table 1 has no identity: its figures are unchecked, and so every scan is partial
    assert {c.proof for c in cells if c.table == "proactive"} <= {"unchecked", "doubtful"}
    assert all(ex.status == "partial" for ex in scans.values())
    assert all("no identity checks: check them by eye" in ex.reason for ex in scans.values())


def test_table_2_figures_of_a_scan_are_confirmed_by_the_identities(scans):
    requests = [c for c in scans["fenyang-2023-scan-200"].cells if c.table == "requests"]
    assert len(requests) == 175
    assert {c.proof for c in requests} == {"confirmed"}
    new = {c.column: c.value for c in requests if c.row == "一、本年新收政府信息公开申请数量"}
    assert new["自然人"] == "4" and new["总计"] == "5"


def test_a_break_as_printed_stays_as_printed_and_is_flagged(scans):
    """Hongze 2023 prints 10 / 1 / 0 / 0 / 总计 0 for 行政复议: read as printed, doubtful, never repaired."""
    ex = scans["hongze-2023-scan-300"]
    review = {c.column.split(" / ")[-1]: c for c in ex.cells if c.table == "appeals" and c.column.startswith("行政复议")}
    assert [review[k].value for k in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")] == ["10", "1", "0", "0", "0"]
    assert {c.proof for c in review.values()} == {"doubtful"}
    assert "appeals_group_total review breaks by -11" in review["总计"].proof_note
    assert "行政复议 / 总计: OCR read '0', doubtful" in ex.reason
    assert not any(p.kind == "repaired" for p in ex.problems)


# ------------------------------------------------------------------ proof, on real figures


def _requests_cells(truth: pd.DataFrame, report: str) -> list[Cell]:
    """The real figures of tables 2 and 3 of a report as OCR'd cells (each with a box of its own)."""
    from openness.labels import codebook

    code = {(e.kind, e.table, e.label): e.code for e in codebook()}
    rows = truth[(truth["report"] == report) & (truth["table"] != "proactive")]
    return [
        Cell(
            report,
            t.table,
            t.row,
            t.column,
            code.get(("row", t.table, t.row), ""),
            code[("column", t.table, t.column)],
            t.value,
            t.value,
            1,
            (0.0, 0.0, float(i), 1.0),
            "ocr-rapidocr",
        )
        for i, t in enumerate(rows.itertuples())
    ]


def _readings(cells: list[Cell], confidence: float = 0.99) -> dict:
    return {(c.page, c.bbox): CellReading(c.text, confidence, [(d, confidence, "8", 0.001) for d in c.text]) for c in cells}


def _misread(cells: list[Cell], readings: dict, row: str, column: str, text: str, confidence: float, second: str) -> Cell:
    """A figure read as `text`: its last digit with `confidence` (and `second` as the engine's second choice), the others sure."""
    cell = next(c for c in cells if c.row == row and c.column == column)
    cell.value = cell.text = text
    chars = [(d, 0.999, "7", 0.0) for d in text[:-1]] + [(text[-1], confidence, second, 1 - confidence)]
    readings[(cell.page, cell.bbox)] = CellReading(text, confidence, chars)
    return cell


def test_a_low_confidence_misread_digit_is_repaired_when_only_one_reading_fits(scan_truth):
    """Pingtan 2024's 总计 of 一、本年新收 is 218: a misread 8 -> 6 of little confidence breaks two identities; 8 alone mends them."""
    cells = _requests_cells(scan_truth, "pingtan-2024-scan-200")
    readings = _readings(cells)
    cell = _misread(cells, readings, "一、本年新收政府信息公开申请数量", "总计", "216", 0.62, "8")
    ex = prove(Extraction("p", "p.pdf", cells=cells), readings)
    assert cell.value == "218" and cell.proof == "repaired"
    assert "read 216 (confidence 0.62); 218 is the only one-digit reading" in cell.proof_note
    assert [p.kind for p in ex.problems] == ["repaired"]
    assert {c.proof for c in cells if c is not cell} == {"confirmed"}


def test_a_confident_misread_is_flagged_never_repaired(scan_truth):
    cells = _requests_cells(scan_truth, "pingtan-2024-scan-200")
    readings = _readings(cells)
    cell = _misread(cells, readings, "一、本年新收政府信息公开申请数量", "总计", "216", 0.99, "8")
    ex = prove(Extraction("p", "p.pdf", cells=cells), readings)
    assert HIGH <= 0.99
    assert cell.value == "216" and cell.proof == "doubtful"
    assert "requests_balance total breaks by -2" in cell.proof_note
    assert not any(p.kind == "repaired" for p in ex.problems)
    assert ex.status == "partial" and "一、本年新收政府信息公开申请数量 × 总计: OCR read '216', doubtful" in ex.reason


def test_a_low_confidence_figure_is_doubtful_even_when_its_identities_hold(scan_truth):
    cells = _requests_cells(scan_truth, "pingtan-2024-scan-200")
    readings = _readings(cells)
    cell = next(c for c in cells if c.table == "appeals" and c.column == "行政复议 / 结果维持")
    readings[(cell.page, cell.bbox)] = CellReading(cell.text, 0.41, [(cell.text, 0.41, "8", 0.3)])
    prove(Extraction("p", "p.pdf", cells=cells), readings)
    assert cell.proof == "doubtful" and cell.proof_note == "low confidence 0.41"


def test_two_readings_that_both_fit_are_not_chosen_between(scan_truth):
    """Pingtan 2024's 行政复议 is 2 / 1 / 3 / 1 / 总计 7: a total misread as 8 is mended as well by any part plus one."""
    cells = _requests_cells(scan_truth, "pingtan-2024-scan-200")
    readings = _readings(cells, confidence=0.9)
    cell = _misread(cells, readings, "", "行政复议 / 总计", "8", 0.9, "7")
    ex = prove(Extraction("p", "p.pdf", cells=cells), readings)
    assert cell.value == "8" and cell.proof == "doubtful"
    assert not any(p.kind == "repaired" for p in ex.problems)
    assert sum(c.proof == "doubtful" for c in cells) == 5


# ------------------------------------------------------------------ reader pieces


def _page(path: Path, number: int) -> np.ndarray:
    return ocr.page_images(path)[number - 1]


def test_a_tilted_page_is_straightened(hongze_2023):
    import cv2

    gray = _page(hongze_2023, 3)
    h, w = gray.shape
    tilted = cv2.warpAffine(gray, cv2.getRotationMatrix2D((w / 2, h / 2), 0.7, 1.0), (w, h), borderValue=255)
    assert abs(ocr.skew_angle(ocr.ink(tilted)) - 0.7) <= 0.1
    assert abs(ocr.skew_angle(ocr.ink(gray))) <= 0.1


def test_the_grid_comes_from_the_rules_with_its_merged_cells():
    """Fenyang 2023's table 2 on page 2 of its 200-dpi scan: 10 grid columns, 17 rows (the page cuts it)."""
    gray = _page(need(PRODUCERS / "fenyang-2023-scan-200.pdf"), 2)
    binary = ocr.ink(ocr.straighten(gray, ocr.skew_angle(ocr.ink(gray))))
    (table,) = ocr.find_tables(binary)
    assert (len(table.ys) - 1, len(table.xs) - 1) == (17, 10)
    span = ocr.spans(table)
    assert len({span[r][c] for r in range(3) for c in range(3)}) == 1  # the identity note: 3 x 3 merged
    assert len({span[0][c] for c in range(3, 10)}) == 1  # 申请人情况 over the seven applicant columns


def test_a_blank_scan_and_a_photo_without_a_table_each_get_one_reason(tmp_path, hongze_2023):
    from PIL import Image

    blank = tmp_path / "blank-scan.pdf"
    Image.new("L", (1654, 2339), 250).save(blank, resolution=200)
    ex = extract_report(blank)
    assert ex.status == "failed" and [p.kind for p in ex.problems] == ["no_text"]
    assert "blank" in ex.reason and "nothing printed" in ex.reason
    photo = tmp_path / "photo.pdf"
    Image.fromarray(_page(hongze_2023, 1)).save(photo, resolution=200)  # the title and prose: no ruled table
    ex = extract_report(photo)
    assert ex.status == "failed" and [p.kind for p in ex.problems] == ["not_a_report"]
    assert "no ruled table" in ex.reason


# ------------------------------------------------------------------ round trip: specimens, scanned


def _scanner():
    """The producers' scan recipe (rasterise, tilt, tone, noise, blur, JPEG), read in place from ../shared/tools."""
    spec = importlib.util.spec_from_file_location("producers", need(SHARED / "tools" / "producers.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.scan


def _specimens() -> list[str]:
    manifest = pd.read_csv(RAW / "manifest.csv", dtype=str, keep_default_na=False)
    extra = [r for r in manifest["report"] if r not in SCANNED_SPECIMENS][:MORE_SCANS]
    return list(SCANNED_SPECIMENS) + extra


def test_specimens_scanned_round_trip(tmp_path):
    """Each specimen scanned at 150, 200 or 300 dpi, tilted up to a degree: >= 99.5% of its figures back, no wrong one unflagged."""
    scan = _scanner()
    manifest = pd.read_csv(RAW / "manifest.csv", dtype=str, keep_default_na=False).set_index("report")
    right = total = 0
    unflagged = []
    for i, report in enumerate(_specimens()):
        pdf = scan(RAW / manifest.loc[report, "file"], tmp_path / f"{report}-scan.pdf", (150, 200, 300)[i % 3], 1.0, i)
        figures = pd.read_csv(RAW / "figures" / f"{report}.csv", dtype=str, keep_default_na=False)
        ok, wrong, flagless = score({report: extract_report(pdf, report)}, figures)
        right, total = right + ok, total + len(figures)
        unflagged += flagless
    assert right >= math.ceil(0.995 * total), (right, total)
    assert unflagged == []
