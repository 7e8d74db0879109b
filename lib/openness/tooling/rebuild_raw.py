"""(Re)build data/raw: the figures of the real reports we hold, and a specimen PDF of each.

The original PDFs and pages cannot be redistributed; their figures can, and
so can the text of these official reports. This module reads the originals in
place (../shared: two 洪泽区 PDFs, 汾阳市's text layer and its figures in
truth.csv, the 平潭 web pages), writes each report's figures with their source
to data/raw/figures/<report>.csv and its prose (title, foreword, the six
sections with their headings as printed) to data/raw/prose/<report>.csv,
typesets each as a specimen PDF (openness.tooling.typeset) and lists them in
data/raw/manifest.csv. The 平潭 department pages hold only their tables (and
fragments of text around them): their specimens print the headings, no prose.

    python -m openness.tooling.rebuild_raw            # collect figures from ../shared, render, write the manifest
    python -m openness.tooling.rebuild_raw --render   # re-render the PDFs from the committed figures and prose only

Rendering is deterministic (same figures and seed -> same bytes), so a rebuild
does not change the committed PDFs unless the figures or the renderer changed.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from openness import labels, paths
from openness.dictionary import MANIFEST_COLUMNS as STANDARD_MANIFEST
from openness.model import TABLES, Section
from openness.sections import plain_prose, split_sections
from openness.tooling.typeset import NO_PROSE_NOTE, Prose, random_layout, render_report
from openness.wording import SECTIONS as SECTION_WORDS

ROOT = paths.project_root()
SHARED = paths.shared(ROOT)
RAW = paths.raw(ROOT)
PROVENANCE = "specimen re-typeset from the published figures"
PROVENANCE_TEXT = "specimen re-typeset from the published figures and text"
FIGURE_COLUMNS = ["report", "table", "row", "column", "value", "source"]
PROSE_COLUMNS = ["report", "section", "heading", "text", "source"]
# The manifest's `prose` column: what a file's text sections carry (openness.prose reads it).
PROSE_ORIGINAL, PROSE_NONE = "original", "none"
# data/raw/manifest.csv: the standard manifest columns up to `prose` (`replaces` and `guessed` are for a reporter's rows)
MANIFEST_COLUMNS = STANDARD_MANIFEST[: STANDARD_MANIFEST.index("prose") + 1]


@dataclass(frozen=True)
class Original:
    """One real report whose figures we hold, and where they are read from."""

    report: str
    path: Path  # the original file (or its text) under ../shared
    body: str
    level: str
    province: str
    city: str
    year: int
    source_url: str = ""
    published: str = ""
    prose: bool = True  # the original is a whole report, its prose with it (not a page of tables)


def originals(shared: Path = SHARED) -> list[Original]:
    """Every real report in ../shared whose figures the specimens carry."""
    corpus = shared / "corpus"
    out = [
        Original(
            "fenyang-2023",
            shared / "reports" / "fenyang-2023.txt",
            "汾阳市人民政府",
            "county-level city",
            "山西省",
            "吕梁市",
            2023,
        ),
        Original("hongze-2023", corpus / "hongze-2023.pdf", "淮安市洪泽区人民政府", "district", "江苏省", "淮安市", 2023),
        Original("hongze-2024", corpus / "hongze-2024.pdf", "淮安市洪泽区人民政府", "district", "江苏省", "淮安市", 2024),
    ]
    from openness.readers.html import read_html

    urls = readme_urls(corpus / "html" / "README.md") | readme_urls(corpus / "html" / "departments" / "README.md")
    pages = sorted((corpus / "html").glob("pingtan-*.html")) + sorted((corpus / "html" / "departments").glob("*.html"))
    for page in pages:
        meta = read_html(page)
        dept = page.parent.name == "departments"
        body = meta.body or "平潭综合实验区"
        level = ("area bureau" if "片区" in body else "department") if dept else "zone"
        year = meta.year or int(re.search(r"(\d{4})$", page.stem).group(1))
        out.append(
            Original(
                report=f"pingtan-{page.stem}" if dept else page.stem,
                path=page,
                body=body,
                level=level,
                province="福建省",
                city="福州市",
                year=year,
                source_url=urls.get(page.name) or meta.url or "",
                published=meta.published or "",
                prose=not dept,
            )
        )
    return out


def readme_urls(readme: Path) -> dict[str, str]:
    """File name -> page URL, as the corpus READMEs list them (table rows or '- file: URL' lines)."""
    found: dict[str, str] = {}
    if not readme.exists():
        return found
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^[|\-\s]*([\w.-]+\.html)\b.*?(https?://[^\s|]+)", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def _order_key(table: str, row: str, column: str) -> tuple[int, int, int]:
    """Sort key putting figures in the codebook's order (tables, rows, columns)."""
    order = {(e.table, e.label): i for i, e in enumerate(labels.codebook())}
    return TABLES.index(table), order.get((table, row), -1), order.get((table, column), -1)


def collect(orig: Original, shared: Path = SHARED) -> tuple[pd.DataFrame, str]:
    """The figures of one original with their sources, and its template."""
    if orig.path.suffix == ".txt":  # text only: the figures as transcribed in truth.csv
        truth = pd.read_csv(shared / "corpus" / "truth.csv", dtype=str, keep_default_na=False)
        rows = truth[truth["report"] == orig.report].copy()
        if rows.empty:
            raise ValueError(f"{orig.report}: no figures in truth.csv")
        rows["source"] = f"{orig.path.relative_to(shared).as_posix()} (the PDF's text layer; figures as in corpus/truth.csv)"
        template = _template_of(rows)
    else:
        from openness.extract import extract_report

        ex = extract_report(orig.path, orig.report)
        if not ex.cells:
            raise ValueError(f"{orig.report}: nothing extracted from {orig.path}: {ex.reason}")
        where = orig.path.relative_to(shared).as_posix()
        rows = pd.DataFrame(
            {
                "report": orig.report,
                "table": c.table,
                "row": c.row,
                "column": c.column,
                "value": c.value,
                "source": f"{where}, page {c.page}" if c.page is not None else f"{orig.source_url or where} ({c.locator})",
            }
            for c in ex.cells
        )
        template = ex.template or _template_of(rows)
        _agree_with_truth(rows, orig.report, shared)
    rows = rows.assign(report=orig.report)[FIGURE_COLUMNS]
    keys = [_order_key(t, r, c) for t, r, c in zip(rows["table"], rows["row"], rows["column"])]
    rows = rows.assign(_k=keys).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)
    return rows, template


def _template_of(rows: pd.DataFrame) -> str:
    """The template whose official cells the figures are (the closest one when none is exact)."""
    have = set(zip(rows["table"], rows["row"], rows["column"]))

    def distance(t: str) -> int:
        need = {(c.table, c.row, c.column) for c in labels.official_cells(t)}
        return len(need ^ have)

    return min(labels.TEMPLATES, key=distance)


def _agree_with_truth(rows: pd.DataFrame, report: str, shared: Path) -> None:
    """Refuse an extraction that disagrees with the hand-checked truth.csv, where it has the report."""
    truth = pd.read_csv(shared / "corpus" / "truth.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["report"] == report]
    if truth.empty:
        return
    want = {(t, r, c): v for t, r, c, v in truth[["table", "row", "column", "value"]].itertuples(index=False)}
    got = {(t, r, c): v for t, r, c, v in rows[["table", "row", "column", "value"]].itertuples(index=False)}
    wrong = [(k, want.get(k), got.get(k)) for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
    if wrong:
        raise ValueError(f"{report}: the extraction disagrees with truth.csv on {len(wrong)} cells, e.g. {wrong[:3]}")


def original_sections(orig: Original) -> list[Section]:
    """The preamble and six sections of an original, as the build would read them (text: plain_prose)."""
    if orig.path.suffix == ".txt":
        return split_sections(plain_prose(orig.path.read_text(encoding="utf-8")))
    from openness.extract import extract_report

    return extract_report(orig.path, orig.report).sections


def _width(line: str) -> int:
    """A line's printed width in half-width units (a CJK character is two; spaces, often justification, not counted)."""
    return sum(1 if ch.isascii() else 2 for ch in line if not ch.isspace())


def full_width(texts: list[str]) -> int:
    """The width of a full line of the report's text (its lines' upper quartile): shorter lines end paragraphs."""
    widths = sorted(_width(line) for t in texts for line in t.split("\n") if line.strip())
    return widths[int(0.75 * (len(widths) - 1))] if widths else 0


_SUBHEADING = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")


def paragraphs(text: str, full: int | None) -> list[str]:
    """A section's text as paragraphs: a web page's lines are its paragraphs (`full` None); the lines
    of a page (PDF, text layer) are joined up to a line shorter than `full`, a full line of the
    report, or up to a numbered subheading (（一）…); a paragraph whose last line runs to the
    margin otherwise stays joined to the next."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if full is None or not lines:
        return lines
    out, current = [], ""
    for line in lines:
        if current and _SUBHEADING.match(line):  # （一）… starts a paragraph, whatever ended the last line
            out.append(current)
            current = ""
        glue = " " if current[-1:].isascii() and current[-1:].isalnum() and line[0].isascii() and line[0].isalnum() else ""
        current += glue + line if current else line
        if _width(line) < 0.85 * full:
            out.append(current)
            current = ""
    return out + ([current] if current else [])


def _title_lines(preamble: list[str]) -> int:
    """How many of the preamble's first lines are the report's title (up to one ending 年度报告), else 0."""
    for k, line in enumerate(preamble[:3]):
        if "".join(line.split()).endswith("年度报告"):
            return k + 1
    return 0


def collect_prose(orig: Original, shared: Path = SHARED) -> pd.DataFrame:
    """The prose of one original as rows: its title lines, foreword and six sections (paragraphs, one a line)."""
    sections = original_sections(orig)
    codes = [s.code for s in sections if s.number]
    if codes != [w.code for w in SECTION_WORDS]:
        raise ValueError(f"{orig.report}: the original's sections are {codes}, not the six of the template")
    full = full_width([s.text for s in sections]) if orig.path.suffix != ".html" else None
    where = orig.path.relative_to(shared).as_posix()
    rows = []
    for s in sections:
        if s.number == 0:
            lines = [line.strip() for line in s.text.split("\n") if line.strip()]
            k = _title_lines(lines)
            if k:
                rows.append({"section": "title", "heading": "", "text": "\n".join(lines[:k])})
            rows.append({"section": s.code, "heading": "", "text": "\n".join(paragraphs("\n".join(lines[k:]), full))})
        else:
            rows.append({"section": s.code, "heading": s.heading, "text": "\n".join(paragraphs(s.text, full))})
    return pd.DataFrame([{"report": orig.report, **r, "source": where} for r in rows], columns=PROSE_COLUMNS)


def prose_of(frame: pd.DataFrame) -> Prose:
    """A report's committed prose rows as the typesetter's Prose."""
    by = {r["section"]: r for r in frame.to_dict("records")}

    def lines(code: str) -> tuple[str, ...]:
        return tuple(t for t in by[code]["text"].split("\n") if t.strip()) if code in by else ()

    missing = [w.code for w in SECTION_WORDS if w.code not in by]
    if missing:
        raise ValueError(f"prose without the section(s) {missing}")
    return Prose(lines("title"), lines("preamble"), tuple((by[w.code]["heading"], lines(w.code)) for w in SECTION_WORDS))


def layout_for(report: str):
    """The specimen layout of a report: drawn from a seed fixed by its id."""
    return random_layout(zlib.crc32(report.encode("utf-8")))


def sha256(path: Path) -> str:
    """The file's sha256, hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render(meta: dict, raw: Path = RAW) -> Path:
    """Typeset the committed figures (and prose, when the row says `original`) of one manifest row as its specimen PDF."""
    figures = pd.read_csv(raw / "figures" / f"{meta['report']}.csv", dtype=str, keep_default_na=False)
    template = meta["template"]
    partial = bool(_check(figures, template))
    out = raw / meta["file"]
    layout, prose, note = layout_for(meta["report"]), None, None
    if meta.get("prose") == PROSE_ORIGINAL:
        prose = prose_of(pd.read_csv(raw / "prose" / f"{meta['report']}.csv", dtype=str, keep_default_na=False))
    else:  # no prose: the headings alone, and a note saying why
        layout, note = replace(layout, prose=0), NO_PROSE_NOTE.format(body=meta["body"], year=meta["year"])
    render_report(
        figures,
        out,
        template=template,
        body=meta["body"],
        year=int(meta["year"]),
        layout=layout,
        partial=partial,
        prose=prose,
        note=note,
    )
    return out


def _check(figures: pd.DataFrame, template: str) -> list[str]:
    from openness.tooling.typeset import check_template

    return check_template(figures, template)


def rebuild(shared: Path = SHARED, raw: Path = RAW, only: list[str] | None = None, log=print) -> pd.DataFrame:
    """Collect every original's figures, render its specimen, and write the manifest."""
    (raw / "figures").mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(raw)
    for orig in originals(shared):
        if only and orig.report not in only:
            continue
        figures, template = collect(orig, shared)
        figures.to_csv(raw / "figures" / f"{orig.report}.csv", index=False, encoding="utf-8", lineterminator="\n")
        prose_file = raw / "prose" / f"{orig.report}.csv"
        if orig.prose:
            prose_file.parent.mkdir(exist_ok=True)
            collect_prose(orig, shared).to_csv(prose_file, index=False, encoding="utf-8", lineterminator="\n")
        else:
            prose_file.unlink(missing_ok=True)
        meta = {
            "report": orig.report,
            "file": f"{orig.report}.pdf",
            "body": orig.body,
            "level": orig.level,
            "province": orig.province,
            "city": orig.city,
            "year": str(orig.year),
            "template": template,
            "source_url": orig.source_url,
            "published": orig.published,
            "provenance": PROVENANCE_TEXT if orig.prose else PROVENANCE,
            "prose": PROSE_ORIGINAL if orig.prose else PROSE_NONE,
        }
        pdf = render(meta, raw)
        meta["sha256"] = sha256(pdf)
        manifest[orig.report] = meta
        gaps = _check(figures, template)
        log(
            f"{orig.report}: {len(figures)} figures, template {template}"
            + (f", {len(gaps)} official cells differ" if gaps else "")
        )
    return _write_manifest(manifest, raw)


def rerender(raw: Path = RAW, only: list[str] | None = None, log=print) -> pd.DataFrame:
    """Re-render every specimen from the committed figures, prose and manifest (no ../shared needed)."""
    manifest = _read_manifest(raw)
    for report, meta in manifest.items():
        if only and report not in only:
            continue
        pdf = render(meta, raw)
        meta["sha256"] = sha256(pdf)
        log(f"{report}: rendered {pdf.name}")
    return _write_manifest(manifest, raw)


def _read_manifest(raw: Path) -> dict[str, dict]:
    path = raw / "manifest.csv"
    if not path.exists():
        return {}
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {r["report"]: r for r in table.to_dict("records")}


def _write_manifest(manifest: dict[str, dict], raw: Path) -> pd.DataFrame:
    table = pd.DataFrame(list(manifest.values()))
    for col in MANIFEST_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    extra = [c for c in table.columns if c not in MANIFEST_COLUMNS]
    table = table[MANIFEST_COLUMNS + extra].sort_values("report").reset_index(drop=True)
    table.to_csv(raw / "manifest.csv", index=False, encoding="utf-8", lineterminator="\n")
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild data/raw from ../shared, or re-render it from its own figures."""
    parser = argparse.ArgumentParser(prog="python -m openness.tooling.rebuild_raw", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared corpus folder (default: ../shared)")
    parser.add_argument("--raw", type=Path, default=RAW, help="the folder to write (default: data/raw)")
    parser.add_argument("--render", action="store_true", help="only re-render the PDFs from the committed figures and prose")
    parser.add_argument("reports", nargs="*", help="only these report ids")
    args = parser.parse_args(argv)
    if args.render:
        rerender(args.raw, args.reports or None)
    else:
        if not args.shared.exists():
            print(f"{args.shared} not found: use --render to re-render from the committed figures and prose", file=sys.stderr)
            return 2
        rebuild(args.shared, args.raw, args.reports or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
