"""What goes into a build: the manifest's rows, or every PDF/HTML file in the raw folder, vetted with one reason each.

Missing, empty and duplicate files are refused here, before any extraction; without a manifest, body and year are guessed from the title.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from openness.model import Problem

INPUT_SUFFIXES = (".pdf", ".html", ".htm")
MANIFEST = "manifest.csv"


# ---------------------------------------------------------------------------
# Inputs


@dataclass
class Input:
    """One input file as listed (manifest row or file found in the folder)."""

    report: str
    file: str  # as listed, relative to the raw folder
    path: Path
    meta: dict[str, str]  # the manifest row (or the guessed metadata)
    guessed: bool = False  # metadata guessed from the title, no manifest
    sha256: str = ""
    refused: Problem | None = None  # why it is not extracted (missing, empty, duplicate)


def file_sha256(path: Path) -> str:
    """The file's sha256, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_inputs(raw: Path) -> list[Input]:
    """The inputs of a raw folder: the manifest's rows, or every PDF/HTML file in it."""
    manifest = raw / MANIFEST
    if manifest.exists():
        import pandas as pd

        table = pd.read_csv(manifest, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        missing = {"report", "file"} - set(table.columns)
        if missing:
            raise ValueError(f"{manifest}: missing column(s) {', '.join(sorted(missing))}")
        inputs = []
        for row in table.to_dict("records"):
            file = row["file"].strip()
            report = row["report"].strip() or Path(file).stem
            inputs.append(Input(report=report, file=file, path=raw / file, meta=dict(row)))
    else:
        files = sorted(
            p for p in raw.rglob("*")
            if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(raw).parts)
        )
        inputs = [
            Input(report=p.stem, file=p.relative_to(raw).as_posix(), path=p, meta={}, guessed=True)
            for p in files
        ]
    return vet_inputs(inputs)


def vet_inputs(inputs: list[Input]) -> list[Input]:
    """Hash every input and refuse, with one reason each, missing and empty files and duplicates."""
    by_sha: dict[str, Input] = {}
    by_report: dict[str, Input] = {}
    for item in inputs:
        if item.report in by_report:
            first = by_report[item.report]
            item.refused = Problem(item.file, "duplicate", f"duplicate report id {item.report!r}: already listed for {first.file}")
            continue
        by_report[item.report] = item
        if not item.path.is_file():
            item.refused = Problem(item.file, "missing_file", f"file not found: {item.file} is listed in the manifest but is not in the raw folder")
            continue
        item.sha256 = file_sha256(item.path)
        listed = item.meta.get("sha256", "").strip().lower()
        if listed and listed != item.sha256:
            item.meta["sha256_listed"] = listed  # kept for the reason below
        if item.path.stat().st_size == 0:
            item.refused = Problem(item.file, "empty", "empty file (0 bytes)")
            continue
        if item.sha256 in by_sha:
            first = by_sha[item.sha256]
            item.refused = Problem(item.file, "duplicate", f"duplicate: same content as {first.file} (report {first.report})")
            continue
        by_sha[item.sha256] = item
    return inputs


# ---------------------------------------------------------------------------
# Metadata guessed from the title (no manifest)

_TITLE = re.compile(
    r"(?P<body>[\u4e00-\u9fff（）()·]{2,40}?)(?P<year>(?:19|20)\d{2})\s*年度?\s*"
    r"(?:政府)?信息公开(?:工作)?(?:年度)?报告"
)


def title_text(path: Path) -> str:
    """The first words of a report (first page of a PDF, <title> and first heading of HTML)."""
    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            if len(pdf) == 0:
                return ""
            page = pdf[0]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            return text[:400]
        finally:
            pdf.close()
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "lxml")
    parts = [soup.title.get_text(" ") if soup.title else ""]
    heading = soup.find(["h1", "h2", "h3"])
    if heading:
        parts.append(heading.get_text(" "))
    return " ".join(parts)[:400]


def guess_metadata(path: Path) -> dict[str, str]:
    """Body and year read from the report's title; blanks when the title does not say."""
    try:
        text = re.sub(r"\s+", "", title_text(path))
    except Exception:  # an unreadable file has no title; the extraction says why
        text = ""
    match = _TITLE.search(text)
    if not match:
        return {"body": "", "year": ""}
    return {"body": match["body"], "year": match["year"]}
