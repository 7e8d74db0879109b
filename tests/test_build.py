"""The build: bad inputs each get one reason, good figures come through, outputs are replaced atomically.

The bad inputs are made here from a real report (../shared/corpus/hongze-2023.pdf,
copied into pytest's tmp folder only): truncated, encrypted, its title page
alone rasterised (a photo without a table), a blank page, its first page alone (not a report), without the page of
table 3, a text file named .pdf, an empty file, a duplicate, a manifest row
whose file is missing, and a file that hangs the parser.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import CORPUS, build_command, need
from openness import build as b
from openness.cache import code_fingerprint, extraction_modules
from openness.extract import extract_report
from openness.inputs import file_sha256
from openness.swap import replace_dir, tidy_leftovers

ROOT = Path(__file__).resolve().parents[1]
MANIFEST_HEADER = "report,file,body,level,province,city,year,template,source_url,provenance,sha256\n"
BODY = "淮安市洪泽区人民政府"


def manifest_row(report: str, file: str, year: int = 2023, sha256: str = "", body: str = BODY) -> str:
    return f"{report},{file},{body},county,江苏省,淮安市,{year},mixed,,test copy,{sha256}\n"


def make_bad_inputs(folder: Path) -> None:
    """One good report and every kind of bad input, made from hongze-2023.pdf."""
    import pypdfium2 as pdfium
    from pypdf import PdfWriter

    src_path = need(CORPUS / "hongze-2023.pdf")
    folder.mkdir(parents=True, exist_ok=True)
    data = src_path.read_bytes()
    (folder / "hongze-2023.pdf").write_bytes(data)
    (folder / "copy.pdf").write_bytes(data)
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "notes.pdf").write_text("这不是PDF文件，只是一段说明文字。\n", encoding="utf-8")
    writer = PdfWriter(clone_from=str(src_path))
    writer.encrypt("secret", algorithm="RC4-128")
    writer.write(folder / "encrypted.pdf")
    src = pdfium.PdfDocument(str(src_path))
    src[0].render(scale=1).to_pil().convert("RGB").save(folder / "scanned.pdf")  # no text layer, no ruled table
    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    blank.save(folder / "blank.pdf")
    prose = pdfium.PdfDocument.new()
    prose.import_pages(src, [0])  # the title and 一、总体情况: words of a report, no tables
    prose.save(folder / "prose.pdf")
    no_table3 = pdfium.PdfDocument.new()
    no_table3.import_pages(src, [0, 1, 2, 4])  # page 4 holds the end of table 2 and table 3
    no_table3.save(folder / "no-table3.pdf")
    rows = [
        manifest_row("hongze-2023", "hongze-2023.pdf", sha256=file_sha256(folder / "hongze-2023.pdf")),
        manifest_row("copy", "copy.pdf"),
        manifest_row("truncated", "truncated.pdf"),
        manifest_row("empty", "empty.pdf"),
        manifest_row("notes", "notes.pdf"),
        manifest_row("encrypted", "encrypted.pdf"),
        manifest_row("scanned", "scanned.pdf"),
        manifest_row("blank", "blank.pdf"),
        manifest_row("prose", "prose.pdf"),
        manifest_row("no-table3", "no-table3.pdf", body="洪泽区测试机关"),  # another body: not a second report of BODY 2023
        manifest_row("gone", "gone.pdf"),
        manifest_row("hongze-2023", "blank.pdf"),  # a report id listed twice
    ]
    (folder / "manifest.csv").write_text(MANIFEST_HEADER + "".join(rows), encoding="utf-8")


EXPECTED = {  # file -> (status, words of its reason)
    "hongze-2023.pdf": ("ok", ""),
    "copy.pdf": ("failed", "duplicate: same content as hongze-2023.pdf"),
    "truncated.pdf": ("failed", "truncated"),
    "empty.pdf": ("failed", "empty file"),
    "notes.pdf": ("failed", "not a PDF"),
    "encrypted.pdf": ("failed", "encrypted PDF"),
    "scanned.pdf": ("failed", "no ruled table"),
    "blank.pdf": ("failed", "blank: no text layer and nothing printed"),
    "prose.pdf": ("failed", "not an annual report"),
    "no-table3.pdf": ("partial", "table appeals not found"),
    "gone.pdf": ("failed", "file not found"),
}


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory):
    """The bad-input folder built once: (raw, out, cache, result, progress text)."""
    tmp = tmp_path_factory.mktemp("build")
    raw, out, cache = tmp / "raw", tmp / "clean", tmp / "cache"
    make_bad_inputs(raw)
    log = io.StringIO()
    result = b.build(raw, out, jobs=2, cache_dir=cache, progress=False, stream=log)
    return raw, out, cache, result, log.getvalue()


def test_every_bad_input_gets_one_reason_and_the_build_goes_on(bad_build):
    raw, out, _, result, progress = bad_build
    assert result.exit_code == 1
    log = read(out / "extraction_log.csv")
    assert list(log.columns[:6]) == ["file", "report", "sha256", "status", "reason", "seconds"]
    rows = {(r.file, r.report): r for r in log.itertuples()}
    assert len(rows) == len(log) == 12  # one row per manifest row
    lines = {line.split()[2].rstrip(":"): line for line in progress.splitlines() if line.startswith("[")}
    for file, (status, words) in EXPECTED.items():
        row = rows[(file, Path(file).stem)]
        assert row.status == status, file
        assert words in row.reason, (file, row.reason)
        assert words in lines[file]  # the same reason on the console
    twice = rows[("blank.pdf", "hongze-2023")]
    assert twice.status == "failed" and "duplicate report id 'hongze-2023'" in twice.reason
    assert rows[("hongze-2023.pdf", "hongze-2023")].reason == ""


def test_the_good_report_comes_through_with_its_printed_figures(bad_build, truth):
    _, out, _, _, _ = bad_build
    cells = read(out / "cells.csv")
    got = cells[cells.report == "hongze-2023"].set_index(["table", "row", "column"])["value"]
    want = truth[truth.report == "hongze-2023"].set_index(["table", "row", "column"])["value"]
    assert len(want) == 186
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    assert set(cells.report) == {"hongze-2023", "no-table3"}  # nothing from the bad files

    reports = read(out / "reports.csv").set_index("report")
    assert reports.at["hongze-2023", "status"] == "ok"
    assert reports.at["hongze-2023", "body"] == BODY
    assert reports.at["hongze-2023", "sha256"] == file_sha256(need(CORPUS / "hongze-2023.pdf"))
    assert reports.at["encrypted", "status"] == "failed"

    checks = read(out / "checks.csv")
    broken = checks[(checks.report == "hongze-2023") & (checks.status == "fail")]
    assert len(broken) == 2 and set(broken.number) == {"4"}  # table 3's two breaks as printed


def test_the_built_data_package_validates(bad_build):
    frictionless = pytest.importorskip("frictionless")
    _, out, _, _, _ = bad_build
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_a_rebuild_with_nothing_changed_extracts_nothing(bad_build):
    raw, out, cache, first, _ = bad_build
    before = snapshot(out)
    stream = io.StringIO()
    again = b.build(raw, out, jobs=2, cache_dir=cache, progress=False, stream=stream)
    extracted = [o for o in first.outcomes if o.input.refused is None]
    assert len(extracted) == 8 and not any(o.cached for o in extracted)
    assert again.up_to_date and again.outcomes == [] and stream.getvalue() == ""  # no file opened, none reported
    assert again.log == first.log and again.exit_code == 1
    assert "nothing changed" in again.summary()
    assert snapshot(out) == before
    # outputs edited by hand are not up to date: rebuilt from the cache, every extraction a cache hit
    (out / "cells.csv").write_text("edited", encoding="utf-8")
    third = b.build(raw, out, jobs=2, cache_dir=cache, progress=False, stream=io.StringIO())
    assert not third.up_to_date and third.extracted == 0
    assert all(o.cached for o in third.outcomes if o.input.refused is None)
    assert snapshot(out) == before


def test_a_table_split_over_excel_sheets_is_said_in_one_line(bad_build, tmp_path, monkeypatch):
    from openness import formats

    raw, _, cache, _, _ = bad_build
    monkeypatch.setattr(formats, "MAX_ROWS", 3 + 10)  # Excel's 1,048,576, made small
    stream = io.StringIO()
    b.build(raw, tmp_path / "clean", jobs=2, cache_dir=cache, progress=False, stream=stream)
    rows = {stem: len(read(tmp_path / "clean" / f"{stem}.csv")) for stem in formats.SHEETS}
    said = [line for line in stream.getvalue().splitlines() if "Excel sheet" in line]
    assert [line.split(" rows,")[0] for line in said] == [
        f"note: openness.xlsx: {stem} has {n}" for stem, n in rows.items() if n > 10
    ]
    assert len(said) >= 3 and rows["checks"] > 10
    assert said[-1].endswith("the whole table is checks.csv (and the checks table of openness.sqlite)")


def test_a_fresh_extraction_of_unchanged_files_reproduces_the_outputs(bad_build, tmp_path):
    """As on a fresh clone: no cache, every file extracted again, the same bytes (timings kept)."""
    raw, out, _, first, _ = bad_build
    copy = tmp_path / "clean"
    shutil.copytree(out, copy)
    again = b.build(raw, copy, jobs=2, cache_dir=tmp_path / "empty-cache", progress=False, stream=io.StringIO())
    assert again.extracted == 8 and not any(o.cached for o in again.outcomes)
    assert snapshot(copy) == snapshot(out)


def test_a_changed_file_alone_is_extracted_again(bad_build, tmp_path):
    raw, _, cache, _, _ = bad_build
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy)
    (copy / "truncated.pdf").write_bytes(need(CORPUS / "hongze-2023.pdf").read_bytes()[:1000])
    stream = io.StringIO()
    result = b.build(copy, tmp_path / "clean", jobs=2, cache_dir=cache, progress=False, stream=stream)
    fresh = [o.extraction.file for o in result.outcomes if not o.cached and o.input.refused is None]
    assert fresh == ["truncated.pdf"]
    assert stream.getvalue().count("(cached)") == 7


def hang_on_hang_pdf(path, report=None):
    """The real extractor, except that a file named hang.pdf never finishes."""
    if Path(path).name == "hang.pdf":
        time.sleep(600)
    return extract_report(path, report)


def test_a_file_that_hangs_the_parser_is_stopped_and_the_build_goes_on(tmp_path):
    import pypdfium2 as pdfium

    raw = tmp_path / "raw"
    raw.mkdir()
    src = pdfium.PdfDocument(str(need(CORPUS / "hongze-2023.pdf")))
    prose = pdfium.PdfDocument.new()
    prose.import_pages(src, [0])
    prose.save(raw / "prose.pdf")
    (raw / "hang.pdf").write_bytes((raw / "prose.pdf").read_bytes() + b"\n% another file\n")
    run = dict(jobs=2, timeout=2, cache_dir=tmp_path / "cache", extract=hang_on_hang_pdf, progress=False)
    result = b.build(raw, tmp_path / "clean", **run, stream=io.StringIO())
    by_file = {o.extraction.file: o.extraction for o in result.outcomes}
    assert by_file["hang.pdf"].status == "failed"
    assert by_file["hang.pdf"].reason == "stopped after 2 s: the parser did not finish within the time limit"
    assert "not an annual report" in by_file["prose.pdf"].reason
    assert result.exit_code == 1
    log = read(tmp_path / "clean" / "extraction_log.csv").set_index("file")
    assert "time limit" in log.at["hang.pdf", "reason"]
    # no manifest: metadata guessed from the report (the title's 洪泽区人民政府 is the body bodies.csv knows), and flagged
    reports = read(tmp_path / "clean" / "reports.csv").set_index("report")
    assert reports.at["prose", "body"] == BODY and reports.at["prose", "year"] == "2023"
    assert reports.at["prose", "guessed"] == "body year level"
    # a time-out is remembered under the limits: a no-change rebuild does not try the file again
    again = b.build(raw, tmp_path / "clean", **run, stream=io.StringIO())
    assert again.up_to_date and again.log == result.log
    (tmp_path / "clean" / "cells.csv").write_text("edited", encoding="utf-8")  # outputs to write again, from the cache
    rewritten = b.build(raw, tmp_path / "clean", **run, stream=io.StringIO())
    cached = {o.extraction.file: o.cached for o in rewritten.outcomes}
    assert cached == {"hang.pdf": True, "prose.pdf": True}
    # other limits: tried again
    longer = b.build(raw, tmp_path / "clean", **(run | {"timeout": 3}), stream=io.StringIO())
    cached = {o.extraction.file: o.cached for o in longer.outcomes}
    assert cached == {"hang.pdf": False, "prose.pdf": True}
    assert longer.outcomes[0].extraction.reason == "stopped after 3 s: the parser did not finish within the time limit"


def test_a_crashing_parser_costs_one_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "crash.html").write_text("<html><title>x</title></html>", encoding="utf-8")
    result = b.build(
        raw, tmp_path / "clean", jobs=1, cache_dir=None, extract=crash_on_crash_html, progress=False, stream=io.StringIO()
    )
    (outcome,) = result.outcomes
    assert outcome.extraction.status == "failed"
    assert outcome.extraction.reason == "the parser crashed (SIGSEGV)"


def crash_on_crash_html(path, report=None):
    """An extractor that dies the way a segfaulting C library does."""
    import faulthandler

    faulthandler.disable()  # pytest's traceback dump would only add noise
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_failed_write_leaves_the_previous_outputs_intact(bad_build, tmp_path, monkeypatch):
    raw, out, cache, _, _ = bad_build
    previous = tmp_path / "clean"
    shutil.copytree(out, previous)
    before = snapshot(previous)
    import openness.outputs

    def write_half(out_dir, *args, **kwargs):
        Path(out_dir, "cells.csv").write_text("report,table\nhalf,", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(openness.outputs, "write_clean_streamed", write_half)
    with pytest.raises(OSError, match="disk full"):
        b.build(raw, previous, force=False, cache_dir=cache, jobs=2, progress=False, stream=io.StringIO())
    assert snapshot(previous) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean"]  # no temporary folder left


def test_a_killed_rebuild_leaves_the_previous_outputs_intact(bad_build, tmp_path):
    raw, out, _, _, _ = bad_build
    previous = tmp_path / "clean"
    shutil.copytree(out, previous)
    before = snapshot(previous)
    command = build_command(raw, previous, tmp_path / "cache", "--force", "--jobs", "1")
    proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in proc.stderr:  # the first report extracted: the build is mid-way
            if "hongze-2023.pdf (" in line:
                break
        else:
            pytest.fail("the build ended before extracting anything")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(previous) == before
    # the next build clears whatever the killed one left and completes
    done = subprocess.run(command[:-3] + ["--jobs", "2"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "12 inputs: 1 ok, 1 partial, 10 failed" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "clean"]
    assert read(previous / "cells.csv").equals(read(out / "cells.csv"))


def test_an_interrupted_swap_is_undone_by_the_next_build(tmp_path):
    out = tmp_path / "clean"
    old = tmp_path / ".clean.old-99999999"  # no such process: the swap was cut between two renames
    old.mkdir()
    (old / "cells.csv").write_text("previous", encoding="utf-8")
    stale = tmp_path / ".clean.new-99999999-abc_1234"  # as tempfile.mkdtemp names it
    stale.mkdir()
    for name in (".clean.old-mybackup", ".clean.new-notes"):  # a user's folders that only look alike: kept
        (tmp_path / name).mkdir()
        (tmp_path / name / "notes.txt").write_text("keep me", encoding="utf-8")
    tidy_leftovers(out)
    assert (out / "cells.csv").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".clean.new-notes", ".clean.old-mybackup", "clean"]


def test_replace_dir_swaps_whole_folders(tmp_path):
    out, new = tmp_path / "out", tmp_path / "new"
    out.mkdir()
    (out / "a.csv").write_text("old", encoding="utf-8")
    (out / "gone.csv").write_text("old", encoding="utf-8")
    new.mkdir()
    (new / "a.csv").write_text("new", encoding="utf-8")
    replace_dir(new, out)
    assert sorted(p.name for p in out.iterdir()) == ["a.csv"]
    assert (out / "a.csv").read_text(encoding="utf-8") == "new"
    assert not new.exists()


def test_the_cache_fingerprint_follows_the_extraction_code():
    names = {str(p.relative_to(p.parents[1] if p.parent.name == "readers" else p.parent)) for p in extraction_modules()}
    wanted = {"extract.py", "tables.py", "labels.py", "model.py", "vocabulary.py", "workers.py", "inputs.py"}
    assert wanted | {"readers/__init__.py", "readers/pdf.py", "readers/html.py", "readers/ocr.py", "proof.py"} <= names
    assert "checks.py" in names  # the identities prove or doubt every OCR'd figure
    assert not names & {"outputs.py", "metrics.py", "cli.py", "build.py"}  # output code does not void the cache
    assert code_fingerprint() != code_fingerprint(hang_on_hang_pdf)


def failing_extract(path, report=None):
    """An extractor that raises, as a parser bug would."""
    raise KeyError("natural_person")


def test_an_extractor_exception_is_said_plainly(tmp_path):
    data = need(CORPUS / "hongze-2023.pdf").read_bytes()
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "fine.pdf").write_bytes(data)
    (raw / "cut.pdf").write_bytes(data[:5000])
    (raw / "page.pdf").write_text("<html><body>404</body></html>", encoding="utf-8")
    result = b.build(
        raw, tmp_path / "clean", jobs=1, cache_dir=None, extract=failing_extract, progress=False, stream=io.StringIO()
    )
    reasons = {o.extraction.file: o.extraction.reason for o in result.outcomes}
    assert reasons == {
        "cut.pdf": "truncated or corrupt PDF: the file ends before the PDF's end marker",
        "fine.pdf": "the extractor failed on this file (KeyError: 'natural_person')",
        "page.pdf": "not a PDF: the file named .pdf is an HTML page",
    }


# ---------------------------------------------------------------------------
# A no-change rebuild told from the file system alone (openness.unchanged)


def blank_extract(path, report=None):
    """An extractor that reads nothing: these tests need inputs to list, not figures."""
    from openness.model import Extraction

    return Extraction(report=report or "", file=Path(path).name)


@pytest.fixture
def quick(tmp_path, monkeypatch):
    """A raw folder of two pages (no manifest) built once, and `run(**options)`: a build of it again, with whether
    that build read the inputs (the full path) or told from the file system that nothing changed."""
    from openness import unchanged

    monkeypatch.setattr(unchanged, "RACY_SECONDS", 0)  # the files are written just now
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a", "b"):
        (raw / f"{name}.html").write_text(f"<html><title>{name}</title></html>", encoding="utf-8")
    calls = []
    real = b.read_inputs
    monkeypatch.setattr(b, "read_inputs", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))

    def run(**options):
        calls.clear()
        settings = dict(jobs=1, cache_dir=tmp_path / "cache", extract=blank_extract, progress=False, stream=io.StringIO())
        return b.build(raw, tmp_path / "clean", **(settings | options)), bool(calls)

    first, full = run()
    assert full and not first.up_to_date and [row["file"] for row in first.log] == ["a.html", "b.html"]
    return raw, run


def test_a_no_change_rebuild_reads_no_input(quick):
    _, run = quick
    again, full = run()
    assert again.up_to_date and not full
    assert [row["file"] for row in again.log] == ["a.html", "b.html"]


def test_a_touched_input_is_read_once_then_known_unchanged(quick):
    raw, run = quick
    info = (raw / "a.html").stat()
    os.utime(raw / "a.html", ns=(info.st_atime_ns, info.st_mtime_ns - 10**9))
    again, full = run()
    assert full and again.up_to_date  # the same bytes: nothing to write
    third, full = run()
    assert third.up_to_date and not full


def change_raw(raw: Path, change: str) -> list[str]:
    """Change the raw folder one way; the files the next build should list."""
    if change == "edited":  # the same size: only the file's times tell
        (raw / "a.html").write_text("<html><title>A</title></html>", encoding="utf-8")
        return ["a.html", "b.html"]
    if change == "added":
        (raw / "c.html").write_text("<html><title>c</title></html>", encoding="utf-8")
        return ["a.html", "b.html", "c.html"]
    if change == "removed":
        (raw / "b.html").unlink()
        return ["a.html"]
    if change == "renamed":
        (raw / "b.html").rename(raw / "c.html")
        return ["a.html", "c.html"]
    if change == "in a subfolder":
        (raw / "more").mkdir()
        (raw / "more" / "c.html").write_text("<html><title>c</title></html>", encoding="utf-8")
        return ["a.html", "b.html", "more/c.html"]
    assert change == "manifest"
    (raw / "manifest.csv").write_text(MANIFEST_HEADER + manifest_row("a", "a.html"), encoding="utf-8")
    return ["a.html"]


@pytest.mark.parametrize("change", ["edited", "added", "removed", "renamed", "in a subfolder", "manifest"])
def test_a_changed_raw_folder_is_built_again(quick, change, tmp_path):
    raw, run = quick
    files = change_raw(raw, change)
    again, full = run()
    assert full and not again.up_to_date
    assert [row["file"] for row in again.log] == files
    if change == "edited":
        log = read(tmp_path / "clean" / "extraction_log.csv").set_index("file")
        assert log.at["a.html", "sha256"] == file_sha256(raw / "a.html")
    third, full = run()
    assert third.up_to_date and not full


def test_a_changed_manifest_row_is_built_again(quick, tmp_path):
    raw, run = quick
    (raw / "manifest.csv").write_text(MANIFEST_HEADER + manifest_row("a", "a.html", year=2023), encoding="utf-8")
    run()
    (raw / "manifest.csv").write_text(MANIFEST_HEADER + manifest_row("a", "a.html", year=2024), encoding="utf-8")  # same size
    again, full = run()
    assert full and not again.up_to_date
    assert read(tmp_path / "clean" / "reports.csv").set_index("report").at["a", "year"] == "2024"


def test_changed_limits_or_options_are_built_again(quick):
    _, run = quick
    for options in ({"timeout": 60.0}, {"memory_mb": 5000}, {"max_bytes": 10_000}):
        again, full = run(**options)
        assert full and not again.up_to_date, options
    again, full = run(max_bytes=10_000)
    assert again.up_to_date and not full


def test_changed_code_or_library_versions_are_checked_in_full(quick, tmp_path, monkeypatch):
    from openness import unchanged

    _, run = quick
    monkeypatch.setattr(unchanged, "versions", lambda distributions: "camelot-py=9.9")
    again, full = run()
    assert full and again.up_to_date  # the full stamp (openness.cache.code_fingerprint) decides, as it always did
    code = tmp_path / "package"
    shutil.copytree(unchanged.PACKAGE_DIR, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(unchanged, "PACKAGE_DIR", code)
    run()
    assert run()[1] is False  # the copy as it is: known unchanged
    with open(code / "tables.py", "a", encoding="utf-8") as f:
        f.write("\n# a change\n")
    assert run()[1] is True
    (code / "codebook.csv").write_bytes((code / "codebook.csv").read_bytes().replace(b"\n", b"\r\n", 1))
    assert run()[1] is True


def test_an_input_outside_the_raw_folder_is_watched_too(quick, tmp_path):
    raw, run = quick
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.html").write_text("<html><title>x</title></html>", encoding="utf-8")
    (raw / "manifest.csv").write_text(MANIFEST_HEADER + manifest_row("x", "../elsewhere/x.html"), encoding="utf-8")
    first, _ = run(outside=True)
    assert [row["file"] for row in first.log] == ["../elsewhere/x.html"]
    run(outside=True)
    assert run(outside=True)[1] is False
    (elsewhere / "x.html").write_text("<html><title>X</title></html>", encoding="utf-8")
    again, full = run(outside=True)
    assert full and not again.up_to_date


def test_a_file_written_just_before_the_build_is_checked_in_full(quick, monkeypatch):
    """A file system's clock can be coarse: a file changed in the same tick as the walk could change again unseen."""
    from openness import unchanged

    raw, run = quick
    monkeypatch.setattr(unchanged, "RACY_SECONDS", 3600)
    (raw / "c.html").write_text("<html><title>c</title></html>", encoding="utf-8")
    run()
    again, full = run()
    assert full and again.up_to_date


def test_the_no_change_command_imports_no_output_or_parser_library(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.html").write_text("<html><title>a</title></html>", encoding="utf-8")
    code = (
        "import sys; import openness.unchanged as u; u.RACY_SECONDS = 0; from openness.cli import main; "
        f"status = main({build_command(raw, tmp_path / 'clean', tmp_path / 'cache')[3:]!r}); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'numpy', 'camelot', 'pypdfium2', 'bs4'}))"
    )
    first = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "outputs written" in first.stderr and "pandas" in first.stdout
    again = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "nothing changed" in again.stderr
    assert again.stdout.strip() == "[]"


# ---------------------------------------------------------------------------
# --out never deletes a folder the build did not write


def tiny_raw(folder: Path) -> Path:
    """A raw folder of one small page: enough for a build to run."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_text("<html><title>x</title><p>nothing</p></html>", encoding="utf-8")
    return folder


def test_out_that_is_around_or_inside_the_raw_folder_is_refused(tmp_path):
    data = tmp_path / "data"
    raw = tiny_raw(data / "raw")
    for out, words in [
        (raw, "it is the raw folder"),
        (data, "it contains the raw folder"),
        (raw / "clean", "it lies inside the raw folder"),
        (tmp_path, "it contains the raw folder"),
    ]:
        with pytest.raises(b.OutRefused, match=words):
            b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO())
    assert sorted(p.name for p in raw.iterdir()) == ["page.html"]
    assert not (raw / "clean").exists()


def test_out_holding_files_the_build_did_not_write_is_refused_in_one_line(tmp_path):
    raw = tiny_raw(tmp_path / "raw")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "01-story.ipynb").write_text("{}", encoding="utf-8")
    done = subprocess.run(build_command(raw, notebooks, tmp_path / "cache"), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"build: refusing --out {notebooks}: it holds files and no .openness-build marker "
        "of an earlier build (01-story.ipynb); choose a new or empty folder, or move them away"
    ]
    assert (notebooks / "01-story.ipynb").read_text(encoding="utf-8") == "{}"


def test_a_refusal_naming_odd_files_is_still_one_line_without_escapes(tmp_path):
    raw, out = tiny_raw(tmp_path / "raw"), tmp_path / "clean"
    out.mkdir()
    for name in ("evil\x1b[31mRED", "two\nlines", "rtl\u202eFDP.exe", "c1\x9b31m"):
        (out / name).write_text("mine", encoding="utf-8")
    done = subprocess.run(build_command(raw, out, tmp_path / "cache"), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert not any(c in done.stderr for c in "\x1b\u202e\x9b")
    assert "c1 31m, evil [31mRED, rtl FDP.exe and 1 more" in done.stderr
    assert len(list(out.iterdir())) == 4


def test_a_folder_of_an_earlier_build_is_replaced_but_not_once_a_file_is_added(tmp_path):
    raw, out = tiny_raw(tmp_path / "raw"), tmp_path / "clean"
    b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO())
    marker = (out / ".openness-build").read_text(encoding="utf-8").splitlines()
    assert marker[1:] == sorted(p.name for p in out.iterdir() if p.name != ".openness-build")
    assert "cells.csv" in marker and "extraction_log.csv" in marker
    b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO())  # its own folder: replaced
    # written by an older version that had no sections.csv yet: a file this version writes is its own too
    (out / ".openness-build").write_text("\n".join(line for line in marker if line != "sections.csv") + "\n", encoding="utf-8")
    b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO(), force=True)
    (out / "my-notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(b.OutRefused, match=r"files this build did not write \(my-notes.txt\)"):
        b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO(), force=True)
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "keep me"


def test_an_empty_out_folder_and_a_linked_one_are_written_in_place(tmp_path):
    raw = tiny_raw(tmp_path / "raw")
    shared = tmp_path / "shared-drive" / "clean"
    shared.mkdir(parents=True)
    link = tmp_path / "clean"
    link.symlink_to(shared)
    b.build(raw, link, cache_dir=None, progress=False, stream=io.StringIO())
    assert link.is_symlink() and os.readlink(link) == str(shared)  # the link stays, the outputs are on the drive
    assert (shared / "extraction_log.csv").is_file()


# ---------------------------------------------------------------------------
# CSV formula injection


def shout_on_shout_html(path, report=None):
    """The real extractor, except that shout.html comes out with a huge reason that starts like a formula."""
    from openness.model import Extraction, Problem

    if Path(path).name == "shout.html":
        return Extraction(
            report or "shout",
            str(path),
            problems=[
                Problem(
                    str(path), "unplaced_label", '=HYPERLINK("http://evil.example","点击")' + "很长" * 100_000 + "\nsecond line"
                )
            ],
        )
    return extract_report(path, report)


def test_no_output_field_starts_a_formula_and_reasons_are_capped(tmp_path):
    import csv

    from openness.outputs import FORMULA_START, MAX_FIELD

    raw = tmp_path / "raw"
    raw.mkdir()
    evil = "=cmd|' calc'!A0.pdf"
    (raw / evil).write_bytes(need(CORPUS / "hongze-2023.pdf").read_bytes())
    (raw / "shout.html").write_text("<html></html>", encoding="utf-8")
    with open(raw / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(MANIFEST_HEADER.strip().split(","))
        writer.writerow(
            [
                "@evil",
                evil,
                '=HYPERLINK("http://evil.example","点击")',
                "county",
                "+cmd|' /C calc'!A0",
                "-15",
                "2023",
                "mixed",
                "javascript:alert(1)",
                "test",
                "",
            ]
        )
        writer.writerow(
            [
                "shout",
                "shout.html",
                BODY,
                "county",
                "江苏省",
                "淮安市",
                "2023",
                "mixed",
                "https://example.gov.cn/r.html",
                "test",
                "",
            ]
        )
    stream = io.StringIO()
    out = tmp_path / "clean"
    b.build(raw, out, jobs=1, cache_dir=None, extract=shout_on_shout_html, progress=False, stream=stream)
    fields = 0
    for path in out.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):  # the default field size limit: every field fits
                for value in row:
                    fields += 1
                    assert not value.startswith(FORMULA_START) or re.fullmatch(r"[-+]?\d+(\.\d+)?", value), (
                        path.name,
                        value[:40],
                    )
    assert fields > 3000
    reports = read(out / "reports.csv").set_index("report")
    evil_row = reports.loc["'@evil"]
    assert evil_row["file"] == "'" + evil and evil_row["body"] == '\'=HYPERLINK("http://evil.example","点击")'
    assert (
        evil_row["province"] == "'+cmd|' /C calc'!A0" and evil_row["city"] == "-15" and evil_row["status"] == "ok"
    )  # -15 stays a figure
    assert (
        evil_row["source_url"] == ""
        and evil_row["reason"] == "source_url left out: not an http(s) address ('javascript:alert(1)')"
    )
    cells = read(out / "cells.csv")
    assert len(cells[cells.report == "'@evil"]) == 186  # the report itself is read in full
    assert "javascript" not in (out / "datapackage.json").read_text(encoding="utf-8")
    assert "https://example.gov.cn/r.html" in (out / "datapackage.json").read_text(encoding="utf-8")
    reason = read(out / "extraction_log.csv").set_index("report").at["shout", "reason"]
    assert reason.startswith("'=HYPERLINK(") and len(reason) < MAX_FIELD + 40 and reason.endswith("more characters cut]")
    shout_line = [line for line in stream.getvalue().splitlines() if "shout.html" in line]
    assert len(shout_line) == 1 and len(shout_line[0]) <= b.CONSOLE_WIDTH


# ---------------------------------------------------------------------------
# Encrypted PDFs


def test_encrypted_pdfs_are_read_when_their_user_password_is_empty(tmp_path, truth):
    """Permissions-only encryption (empty user password) is common: RC4 and AES are read; a real password is said plainly."""
    from pypdf import PdfWriter

    raw = tmp_path / "raw"
    raw.mkdir()
    for algorithm in ("RC4-128", "AES-128", "AES-256"):
        for user in ("", "secret"):
            writer = PdfWriter(clone_from=str(need(CORPUS / "hongze-2023.pdf")))
            writer.encrypt(user_password=user, owner_password="owner", algorithm=algorithm)
            writer.write(raw / f"{algorithm.lower()}-{'password' if user else 'open'}.pdf")
    result = b.build(raw, tmp_path / "clean", jobs=2, cache_dir=None, progress=False, stream=io.StringIO())
    log = {o.extraction.file: (o.extraction.status, o.extraction.reason) for o in result.outcomes}
    assert log == {
        **{f"{a}-open.pdf": ("ok", "") for a in ("rc4-128", "aes-128", "aes-256")},
        **{f"{a}-password.pdf": ("failed", "encrypted PDF: needs a password") for a in ("rc4-128", "aes-128", "aes-256")},
    }
    want = truth[truth.report == "hongze-2023"].set_index(["table", "row", "column"])["value"].to_dict()
    cells = {o.extraction.report: o.extraction.cells for o in result.outcomes}
    for report in ("rc4-128-open", "aes-128-open", "aes-256-open"):
        assert {(c.table, c.row, c.column): c.value for c in cells[report]} == want, report
    # three copies of one body's report of one year: one is used (the first listed), the others are left out
    assert set(read(tmp_path / "clean" / "cells.csv").report) == {"aes-128-open"}


# ---------------------------------------------------------------------------
# Output and cache faults


def test_a_second_build_writing_the_same_folder_is_refused(tmp_path):
    raw, out, cache = tiny_raw(tmp_path / "raw"), tmp_path / "clean", tmp_path / "cache"
    with b.lock_out(out):  # a build is writing `out` now
        with pytest.raises(b.OutRefused, match="another build is writing it now"):
            b.build(raw, out, cache_dir=cache, progress=False, stream=io.StringIO())
        for other_cache in (tmp_path / "cache-2", None):  # the lock is the folder's, whatever the cache
            with pytest.raises(b.OutRefused, match="another build is writing it now"):
                b.build(raw, out, cache_dir=other_cache, progress=False, stream=io.StringIO())
        assert (tmp_path / ".clean.lock").exists()
        (tmp_path / "link").symlink_to(tmp_path)  # the same folder by another path
        with pytest.raises(b.OutRefused, match="another build is writing it now"):
            b.build(raw, tmp_path / "link" / "clean", cache_dir=cache, progress=False, stream=io.StringIO())
        other = b.build(raw, tmp_path / "other", cache_dir=cache, progress=False, stream=io.StringIO())  # another folder: fine
    assert other.log[0]["file"] == "page.html"
    assert not out.exists()
    assert not (tmp_path / ".clean.lock").exists()  # removed by the build that made it
    b.build(raw, out, cache_dir=cache, progress=False, stream=io.StringIO())  # once it is done: fine
    assert (out / "extraction_log.csv").is_file()
    (tmp_path / ".clean.lock").write_text("my notes", encoding="utf-8")  # a user's file of that name: used and left
    b.build(raw, out, cache_dir=cache, progress=False, stream=io.StringIO(), force=True)
    assert (tmp_path / ".clean.lock").read_text(encoding="utf-8") == "my notes"


def test_a_file_put_in_out_during_the_build_is_kept_and_the_outputs_not_swapped(tmp_path, monkeypatch):
    raw, out = tiny_raw(tmp_path / "raw"), tmp_path / "clean"
    b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO())
    before = snapshot(out)
    write_marker = b.write_marker

    def a_user_saves_notes_meanwhile(folder):
        (out / "my-notes.txt").write_text("keep me", encoding="utf-8")
        write_marker(folder)

    monkeypatch.setattr(b, "write_marker", a_user_saves_notes_meanwhile)
    with pytest.raises(b.OutRefused, match=r"files were put in it during the build \(my-notes.txt\)"):
        b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO(), force=True)
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "keep me"
    assert {k: v for k, v in snapshot(out).items() if k != "my-notes.txt"} == before
    assert [p.name for p in tmp_path.iterdir() if ".new-" in p.name] == []  # nothing left behind


def test_a_file_put_in_the_old_outputs_once_swapped_out_is_kept_beside_them(tmp_path, monkeypatch):
    """A shell whose working folder is data/clean writes there just after the swap: into the old folder, which only the
    files checked are deleted from; the rest is kept, renamed beside the outputs, and said."""
    import openness.swap

    raw, out = tiny_raw(tmp_path / "raw"), tmp_path / "clean"
    b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO())
    drop = openness.swap._drop

    def a_shell_in_the_old_folder_writes(old, checked, where):
        (old / "mine.txt").write_text("keep me", encoding="utf-8")
        return drop(old, checked, where)

    monkeypatch.setattr(openness.swap, "_drop", a_shell_in_the_old_folder_writes)
    said = io.StringIO()
    b.build(raw, out, cache_dir=None, progress=False, stream=said, force=True)
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("clean.kept-")]
    assert len(kept) == 1 and [p.name for p in kept[0].iterdir()] == ["mine.txt"]
    assert (kept[0] / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert f"note: files put into the old outputs as they were replaced are kept, with them, in {kept[0]}" in said.getvalue()
    assert (out / "cells.csv").is_file() and not (out / "mine.txt").exists()


def test_a_file_put_where_a_new_out_folder_goes_during_the_build_is_kept(tmp_path, monkeypatch):
    raw, out = tiny_raw(tmp_path / "raw"), tmp_path / "clean"
    write_marker = b.write_marker

    def a_user_saves_a_file_there_meanwhile(folder):
        out.write_text("my notes", encoding="utf-8")
        write_marker(folder)

    monkeypatch.setattr(b, "write_marker", a_user_saves_a_file_there_meanwhile)
    with pytest.raises(b.OutRefused, match="something else was put in its place during the build; it is kept"):
        b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO())
    assert out.read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean", "raw"]  # nor is a lock left


def test_a_carriage_return_in_a_name_or_a_manifest_field_keeps_every_csv_row_whole(tmp_path):
    """Python's CSV writer does not quote a field holding a lone CR, which Excel, pandas and csv.reader read as a row's end."""
    import csv

    raw = tiny_raw(tmp_path / "raw")
    (raw / "k\rl.html").write_text("<html><title>y</title><p>other</p></html>", encoding="utf-8")
    (raw / "manifest.csv").write_text(
        'report,file,body\npage,page.html,"\rstart"\nkl,"k\rl.html","two\rlines"\n', encoding="utf-8", newline=""
    )
    b.build(raw, tmp_path / "clean", cache_dir=None, progress=False, stream=io.StringIO())
    for name in ("extraction_log.csv", "reports.csv"):
        with open(tmp_path / "clean" / name, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert sorted(r["file"] for r in rows) == ["k\nl.html", "page.html"], name
    reports = read(tmp_path / "clean" / "reports.csv").set_index("report")
    assert reports["body"].to_dict() == {"page": "'\nstart", "kl": "two\nlines"}


def test_a_control_character_in_a_file_name_is_shown_as_such_in_the_workbook(tmp_path, truth):
    """A name with \\x01 (an archive's odd name) cannot go into an Excel cell: shown as �, the CSVs keep it exact."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(need(CORPUS / "hongze-2023.pdf"), raw / "odd\x01name.pdf")
    done = subprocess.run(build_command(raw, tmp_path / "clean", tmp_path / "cache"), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    reports = pd.read_csv(tmp_path / "clean" / "reports.csv", dtype=str, keep_default_na=False)
    assert reports["file"].tolist() == ["odd\x01name.pdf"]
    sheet = pd.read_excel(tmp_path / "clean" / "openness.xlsx", sheet_name="reports", header=None, skiprows=3, dtype=str)
    assert sheet.iloc[0, 1] == "odd\ufffdname.pdf"
    want = truth[truth.report == "hongze-2023"].set_index(["table", "row", "column"])["value"].to_dict()
    cells = read(tmp_path / "clean" / "cells.csv")
    got = {(r.table, r.row, r.column): float(r.value) for r in cells.itertuples() if r.value != ""}
    assert got == {k: float(v) for k, v in want.items()}


def test_a_full_cache_is_a_warning_and_the_build_goes_on_uncached(tmp_path, monkeypatch):
    import errno

    import openness.cache

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(openness.cache.tempfile, "mkstemp", no_space)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "hongze-2023.pdf").write_bytes(need(CORPUS / "hongze-2023.pdf").read_bytes())
    stream = io.StringIO()
    result = b.build(raw, tmp_path / "clean", cache_dir=tmp_path / "cache", progress=False, stream=stream)
    assert result.log == [{"file": "hongze-2023.pdf", "report": "hongze-2023", "status": "ok", "reason": ""}]
    warnings = [line for line in stream.getvalue().splitlines() if line.startswith("warning: the cache")]
    assert warnings == [
        f"warning: the cache {tmp_path / 'cache'} cannot be written (No space left on device): this build goes on uncached"
    ]
    assert len(read(tmp_path / "clean" / "cells.csv")) == 186


def test_a_full_disk_for_the_outputs_says_so_in_one_line_with_its_own_status(tmp_path, monkeypatch, capsys):
    import errno

    import openness.outputs

    raw, out = tiny_raw(tmp_path / "raw"), tmp_path / "clean"
    b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO())
    before = snapshot(out)

    def no_space(out_dir, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(out_dir) / "cells.csv"))

    monkeypatch.setattr(openness.outputs, "write_clean_streamed", no_space)
    status = b.main(["--raw", str(raw), "--out", str(out), "--cache", str(tmp_path / "cache"), "--force"])
    err = capsys.readouterr().err.splitlines()
    assert status == 3  # not 1 (some input failed) nor 2 (refused)
    assert (
        len(err[-1:]) == 1
        and err[-1].startswith("build: cannot write ")
        and err[-1].endswith("cells.csv: No space left on device; the previous outputs are as they were")
    )
    assert "Traceback" not in "\n".join(err)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "clean", "raw"]  # no temporary folder left


def test_a_read_only_out_is_refused_before_anything_is_written(tmp_path):
    import tempfile

    from hostile import unprivileged

    folder = Path(tempfile.mkdtemp(dir="/tmp" if os.geteuid() == 0 else tmp_path))
    try:
        raw, out = tiny_raw(folder / "raw"), folder / "clean"
        b.build(raw, out, cache_dir=None, progress=False, stream=io.StringIO())
        before = snapshot(out)
        for path in [folder, raw, *raw.iterdir(), out, *out.iterdir()]:
            if os.geteuid() == 0:
                os.chown(path, 65534, 65534)  # as user nobody: root may write anywhere
        os.chmod(out, 0o555)
        with pytest.raises(b.OutRefused, match="it is read-only"):
            args = (raw, out)
            if os.geteuid() == 0:
                unprivileged(b.check_out, *args)
            else:
                b.check_out(*args)
        assert snapshot(out) == before
        assert sorted(p.name for p in folder.iterdir()) == ["clean", "raw"]  # no .new-* folder left
    finally:
        os.chmod(folder / "clean", 0o755)
        shutil.rmtree(folder)


# ---------------------------------------------------------------------------
# A reporter adds a report they downloaded (issue 10)


def data_raw_rows(*reports: str) -> str:
    """The committed data/raw/manifest.csv's header and the rows of these reports, as text."""
    lines = (ROOT / "data" / "raw" / "manifest.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    return lines[0] + "".join(line for line in lines[1:] if line.split(",")[0] in reports)


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    """data/raw's two 洪泽 specimens, and the real 2024 PDF added by a manifest row holding only report and file."""
    tmp = tmp_path_factory.mktemp("added")
    raw = tmp / "raw"
    raw.mkdir()
    for name in ("hongze-2023.pdf", "hongze-2024.pdf"):
        shutil.copy(ROOT / "data" / "raw" / name, raw / name)
    shutil.copy(need(CORPUS / "hongze-2024.pdf"), raw / "hongze-2024-download.pdf")
    manifest = data_raw_rows("hongze-2023", "hongze-2024") + "hongze-2024-download,hongze-2024-download.pdf\n"
    (raw / "manifest.csv").write_text(manifest, encoding="utf-8")
    stream = io.StringIO()
    result = b.build(raw, tmp / "clean", jobs=2, cache_dir=tmp / "cache", progress=False, stream=stream)
    return raw, tmp / "clean", tmp / "cache", result, stream.getvalue()


def test_a_manifest_row_with_only_report_and_file_is_completed_from_the_report(added):
    raw, out, _, result, printed = added
    assert result.exit_code == 0
    reports = read(out / "reports.csv").set_index("report")
    real = reports.loc["hongze-2024-download"]
    assert (real.body, real.year, real.level, real.province, real.city, real.template) == (
        BODY,
        "2024",
        "district",
        "江苏省",
        "淮安市",
        "mixed",
    )
    assert real.guessed == "body year level province city template"
    assert reports.at["hongze-2023", "guessed"] == ""  # the manifest gave everything
    assert f"warning: hongze-2024-download: body {BODY}, year 2024, level district" in printed
    # the notebooks' reading of reports.csv works: the year is a number
    from openness import metrics, stories

    assert metrics.load_reports(out / "reports.csv").set_index("report").at["hongze-2024-download", "year"] == 2024
    assert stories.load(out).reports.report.tolist() == ["hongze-2023", "hongze-2024-download"]


def test_a_second_report_of_one_body_and_year_is_left_out_with_one_warning(added):
    """The real PDF beside its specimen: the original is used; the specimen is in the log only, paired nowhere."""
    _, out, _, _, printed = added
    warnings = [line for line in printed.splitlines() if " both report " in line]
    assert warnings == [
        f"warning: hongze-2024-download and hongze-2024 both report {BODY} 2024: hongze-2024-download is used "
        "(an original, not a specimen), hongze-2024 left out of reports.csv, the checks and the charts; to say so, "
        "write hongze-2024 in the replaces column of hongze-2024-download's row in manifest.csv"
    ]
    log = read(out / "extraction_log.csv").set_index("report")
    assert log.at["hongze-2024", "status"] == "left_out"
    assert (
        log.at["hongze-2024", "reason"]
        == "same body and year as hongze-2024-download, which is used (an original, not a specimen)"
    )
    for name in ("reports.csv", "cells.csv", "checks.csv"):
        assert "hongze-2024" not in set(read(out / name).report), name
    pairs = read(out / "checks.csv").query("number == '5'").report.unique().tolist()
    assert pairs == ["hongze-2023→hongze-2024-download"]  # 2023 paired once, with the report used


def test_a_replaces_column_says_which_report_an_original_replaces(added, tmp_path):
    raw, _, cache, _, _ = added
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy)
    rows = data_raw_rows("hongze-2023", "hongze-2024")
    header, rest = rows.split("\n", 1)
    blanks = "," * (header.count(",") - 1)  # every column of data/raw's manifest left blank but report and file
    manifest = f"{header},replaces\n{rest}hongze-2024-download,hongze-2024-download.pdf{blanks},hongze-2024\n"
    (copy / "manifest.csv").write_text(manifest)
    stream = io.StringIO()
    result = b.build(copy, tmp_path / "clean", jobs=2, cache_dir=cache, progress=False, stream=stream)
    assert result.extracted == 0  # from the cache: the files did not change
    assert " both report " not in stream.getvalue()
    log = read(tmp_path / "clean" / "extraction_log.csv").set_index("report")
    assert (log.at["hongze-2024", "status"], log.at["hongze-2024", "reason"]) == (
        "left_out",
        "replaced by hongze-2024-download (manifest column replaces)",
    )
    reports = read(tmp_path / "clean" / "reports.csv").set_index("report")
    assert reports.at["hongze-2024-download", "replaces"] == "hongze-2024"
    assert "inputs: 2 ok, 0 partial, 0 failed, 1 left out;" in result.summary()


def test_reports_csv_has_the_same_columns_with_a_manifest_or_without(added, tmp_path):
    raw, out, cache, _, _ = added
    bare = tmp_path / "raw"
    bare.mkdir()
    for name in ("hongze-2023.pdf", "hongze-2024-download.pdf"):
        shutil.copy(raw / name, bare / name)
    b.build(bare, tmp_path / "clean", jobs=2, cache_dir=cache, progress=False, stream=io.StringIO())
    without = read(tmp_path / "clean" / "reports.csv")
    assert list(without.columns) == list(read(out / "reports.csv").columns)
    assert without.set_index("report").at["hongze-2023", "guessed"] == "body year level template"
    # a manifest of the two minimal columns only: the same columns again
    (bare / "manifest.csv").write_text("report,file\nhz-2023,hongze-2023.pdf\n", encoding="utf-8")
    b.build(bare, tmp_path / "clean", jobs=2, cache_dir=cache, progress=False, stream=io.StringIO())
    minimal = read(tmp_path / "clean" / "reports.csv")
    assert list(minimal.columns) == list(without.columns)
    assert minimal.set_index("report").at["hz-2023", "body"] == BODY


def test_an_empty_raw_folder_or_a_file_as_raw_is_said_in_one_line(tmp_path, capsys):
    empty = tmp_path / "raw"
    empty.mkdir()
    out = tmp_path / "clean"
    assert b.main(["--raw", str(empty), "--out", str(out), "--cache", str(tmp_path / "cache")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"build: no reports in {empty}: it holds no PDF or HTML file; put the reports there (data/raw/README.md says how)"
    ]
    (empty / "manifest.csv").write_text("report,file\n", encoding="utf-8")
    assert b.main(["--raw", str(empty), "--out", str(out), "--cache", str(tmp_path / "cache")]) == 2
    assert "its manifest.csv lists none" in capsys.readouterr().err
    report = ROOT / "data" / "raw" / "hongze-2024.pdf"
    assert b.main(["--raw", str(report), "--out", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"build: --raw {report} is a file: give the folder that holds the reports (and their manifest.csv), e.g. --raw {report.parent}"
    ]
    assert not out.exists()


def test_a_wrong_sha256_is_a_failure_line_not_ok_cached(added, tmp_path, capsys):
    raw, _, cache, _, _ = added
    copy = tmp_path / "raw"
    shutil.copytree(raw, copy)
    manifest = data_raw_rows("hongze-2023").replace(file_sha256(raw / "hongze-2023.pdf"), "0" * 64)
    (copy / "manifest.csv").write_text(manifest, encoding="utf-8")
    status = b.main(["--raw", str(copy), "--out", str(tmp_path / "clean"), "--cache", str(cache)])
    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err[0].startswith("[1/1] failed  hongze-2023.pdf: not the file the manifest lists: its sha256 is ")
    assert err[-1].startswith("failed: hongze-2023.pdf: not the file the manifest lists")
    assert not any("(cached)" in line for line in err)


# ---------------------------------------------------------------------------
# The notebooks follow the data, even when an input failed


def a_project(tmp_path: Path, body: str) -> Path:
    """A project (pyproject.toml, data/raw, notebooks/) whose one notebook prints the reports it reads."""
    import nbformat

    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    shutil.copy(ROOT / "data" / "raw" / "hongze-2023.pdf", root / "data" / "raw")
    (root / "data" / "raw" / "broken.pdf").write_bytes((ROOT / "data" / "raw" / "hongze-2023.pdf").read_bytes()[:3000])
    manifest = data_raw_rows("hongze-2023") + "broken,broken.pdf\n"
    (root / "data" / "raw" / "manifest.csv").write_text(manifest, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, root / "notebooks" / "01-count.ipynb")
    return root


def test_a_failing_input_is_said_last_and_the_notebooks_follow_the_new_data(tmp_path, capsys):
    import nbformat

    code = "import pandas as pd\nfrom openness import paths\nprint(sorted(pd.read_csv(paths.clean() / 'reports.csv').report))"
    root = a_project(tmp_path, code)
    notebook = root / "notebooks" / "01-count.ipynb"
    argv = ["--raw", str(root / "data" / "raw"), "--out", str(root / "data" / "clean"), "--cache", str(tmp_path / "cache")]
    assert b.main([*argv, "--notebooks", str(root / "notebooks")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-3].startswith("2 inputs: 1 ok, 0 partial, 1 failed;")
    assert err[-2].startswith("failed: broken.pdf: ")
    assert (
        err[-1]
        == f"notebooks: 1 executed again on {root / 'data' / 'clean'} as it is now, without the 1 input that failed (broken.pdf)"
    )
    [cell] = nbformat.read(notebook, as_version=4).cells
    assert cell.outputs[0]["text"] == "['broken', 'hongze-2023']\n"
    executed = notebook.read_bytes()
    # nothing changed: the notebooks are not executed again
    assert b.main([*argv, "--notebooks", str(root / "notebooks")]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"notebooks: already executed, as they are, on these outputs ({root / 'data' / 'clean'}) and this code; nothing to do"
    )
    assert notebook.read_bytes() == executed
    # a notebook edited (or the code that draws its charts changed): executed again, on the same data
    edited = nbformat.read(notebook, as_version=4)
    edited.cells[0].source += "\nprint('edited')"
    nbformat.write(edited, notebook)
    assert b.main([*argv, "--notebooks", str(root / "notebooks")]) == 1
    assert capsys.readouterr().err.splitlines()[-1].startswith("notebooks: 1 executed again")
    assert nbformat.read(notebook, as_version=4).cells[0].outputs[0]["text"] == "['broken', 'hongze-2023']\nedited\n"
    # the failed input mended: the data changed, and the notebook with it
    shutil.copy(ROOT / "data" / "raw" / "hongze-2023.pdf", root / "data" / "raw" / "broken.pdf")
    (root / "data" / "raw" / "manifest.csv").write_text(data_raw_rows("hongze-2023"), encoding="utf-8")
    assert b.main([*argv, "--notebooks", str(root / "notebooks")]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == f"notebooks: 1 executed again on {root / 'data' / 'clean'} as it is now"
    assert nbformat.read(notebook, as_version=4).cells[0].outputs[0]["text"] == "['hongze-2023']\nedited\n"


def test_a_failing_notebook_is_said_in_one_line_and_left_as_it_was(tmp_path, capsys):
    root = a_project(tmp_path, "raise ValueError('no such column: year')")
    before = (root / "notebooks" / "01-count.ipynb").read_bytes()
    argv = ["--raw", str(root / "data" / "raw"), "--out", str(root / "data" / "clean"), "--cache", str(tmp_path / "cache")]
    assert b.main([*argv, "--notebooks", str(root / "notebooks")]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "notebooks: 01-count.ipynb failed (ValueError: no such column: year); it is left as it was, describing the earlier data"
    )
    assert (root / "notebooks" / "01-count.ipynb").read_bytes() == before
    assert (root / "data" / "clean" / "reports.csv").is_file()  # the data is written all the same
    # notebooks reading another folder than --out are refused before anything is built
    assert (
        b.main(
            ["--raw", str(root / "data" / "raw"), "--out", str(tmp_path / "elsewhere"), "--notebooks", str(root / "notebooks")]
        )
        == 2
    )
    assert capsys.readouterr().err.startswith(
        f"build: --notebooks {root / 'notebooks'}: its notebooks read {root / 'data' / 'clean'}"
    )
    assert not (tmp_path / "elsewhere").exists()
