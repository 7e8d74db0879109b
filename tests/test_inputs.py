"""openness.inputs: every entry of the raw folder or row of the manifest gets extracted or one reason, never a traceback.

Hostile inputs are made here, in pytest's tmp folder: a GBK file name, special
files (FIFO, symlink loop, dangling link, a folder named .pdf, a link to
/dev/zero), a 300-character name, paths leading outside the raw folder, a
manifest saved in GBK, an unreadable file.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import CORPUS, build_command, need
from hostile import unprivileged
from openness import build as b
from openness.inputs import (
    choose_reports,
    complete_metadata,
    file_sha256,
    guess_metadata,
    guess_warning,
    known_bodies,
    level_from_name,
    match_body,
    read_inputs,
    without_navigation,
)

ROOT = Path(__file__).resolve().parents[1]
HEADER = "report,file,body,level,province,city,year,template,source_url,provenance,sha256\n"
BODY = "淮安市洪泽区人民政府"


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def log_of(out: Path) -> dict[str, tuple[str, str]]:
    return {r.file: (r.status, r.reason) for r in read(out / "extraction_log.csv").itertuples()}


def test_special_files_and_a_gbk_name_each_get_one_log_row_and_the_build_goes_on(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    good = need(CORPUS / "hongze-2023.pdf").read_bytes()
    (raw / "hongze-2023.pdf").write_bytes(good)
    gbk = "洪泽区2023年报告.pdf".encode("gbk")  # what unzip leaves for an archive made on Chinese Windows
    with open(os.path.join(os.fsencode(raw), gbk), "wb") as f:
        f.write(good + b"\n% another copy\n")
    os.mkfifo(raw / "pipe.pdf")
    (raw / "loop.pdf").symlink_to("loop.pdf")
    (raw / "dangling.pdf").symlink_to("nowhere.pdf")
    (raw / "folder.pdf").mkdir()
    (raw / "zero.html").symlink_to("/dev/zero")
    (raw / "notes.txt").write_text("not an input", encoding="utf-8")
    stream = io.StringIO()
    result = b.build(raw, tmp_path / "clean", jobs=2, cache_dir=None, progress=False, stream=stream)
    log = log_of(tmp_path / "clean")
    assert sorted(log) == sorted(
        ["hongze-2023.pdf", "洪泽区2023年报告.pdf", "pipe.pdf", "loop.pdf", "dangling.pdf", "folder.pdf", "zero.html"]
    )
    assert log["hongze-2023.pdf"] == ("ok", "")
    assert log["洪泽区2023年报告.pdf"][1].startswith("file name is not UTF-8")
    assert "read as GBK it is 洪泽区2023年报告.pdf" in log["洪泽区2023年报告.pdf"][1]
    assert log["pipe.pdf"][1] == "a named pipe (FIFO), which could be read forever, not a report file: refused"
    assert log["loop.pdf"][1] == "a symbolic link that loops: it leads to no file"
    assert log["dangling.pdf"][1] == "a dangling symbolic link (to nowhere.pdf, which does not exist)"
    assert log["folder.pdf"][1] == "a folder named like a file, not a report file: refused"
    assert log["zero.html"][1] == "a device file (a link to /dev/zero), not a report file: refused"
    assert all(status == "failed" for file, (status, _) in log.items() if file != "hongze-2023.pdf")
    assert result.exit_code == 1
    assert len([line for line in stream.getvalue().splitlines() if line.startswith("[")]) == 7  # one console line each


def test_manifest_rows_that_cannot_be_read_get_one_reason_each(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    good = need(CORPUS / "hongze-2023.pdf").read_bytes()
    (raw / "hongze-2023.pdf").write_bytes(good)
    (raw / "hostname.pdf").symlink_to("/etc/hostname")
    long_name = "长" * 100 + ".pdf"  # 300 characters in UTF-8 bytes: more than a name may be
    rows = [
        ("hongze-2023", "hongze-2023.pdf"),
        ("long", long_name),
        ("passwd", "../../../../../../etc/passwd"),
        ("absolute", "/etc/passwd"),
        ("hostname", "hostname.pdf"),
        ("nothing", ""),
    ]
    body = "".join(f"{r},{f},{BODY},county,江苏省,淮安市,2023,mixed,,test,\n" for r, f in rows)
    (raw / "manifest.csv").write_bytes((HEADER + body).encode("gbk"))  # saved by Excel on Chinese Windows
    stream = io.StringIO()
    out = tmp_path / "clean"
    b.build(raw, out, jobs=1, cache_dir=None, progress=False, stream=stream)
    assert f"note: {raw / 'manifest.csv'}: saved in GBK, read as GB18030" in stream.getvalue()
    reports = read(out / "reports.csv").set_index("report")
    assert reports.at["hongze-2023", "body"] == BODY and reports.at["hongze-2023", "status"] == "ok"
    log = {r.report: r.reason for r in read(out / "extraction_log.csv").itertuples()}
    assert log["long"] == "file name too long (104 characters; the system allows 255 bytes a name)"
    assert (
        log["passwd"]
        == "refused: the path ../../../../../../etc/passwd leads outside the raw folder; inputs must lie inside it (--allow-outside-raw to allow)"
    )
    assert log["absolute"].startswith("refused: the path /etc/passwd leads outside the raw folder")
    assert log["hostname"].startswith("refused: it is a link to /etc/hostname, outside the raw folder")
    assert log["nothing"] == "no file listed in the manifest row"
    secret = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    assert not any(secret.encode() in p.read_bytes() for p in out.iterdir())  # its hash is not published
    # allowed on purpose: read (and refused as what it is)
    inputs = {i.report: i for i in read_inputs(raw, outside=True)}
    assert inputs["passwd"].refused is None and inputs["passwd"].sha256 == secret


def test_a_manifest_that_is_not_text_stops_the_build_with_one_line_naming_it(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "manifest.csv").write_bytes(HEADER.encode() + b"\xff\xfe\xfa\x80,x.pdf\n")
    done = subprocess.run(build_command(raw, tmp_path / "clean", tmp_path / "cache"), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"build: {raw / 'manifest.csv'}: not UTF-8 (nor GBK) text: byte 0xff at position {len(HEADER)}; save it as UTF-8"
    ]
    assert not (tmp_path / "clean").exists()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_manifest_that_is_a_pipe_or_a_device_is_refused_in_one_line_without_reading_it(tmp_path, kind):
    """A FIFO named manifest.csv would be read forever, a link to /dev/zero until memory ran out."""
    raw = tmp_path / "raw"
    raw.mkdir()
    manifest = raw / "manifest.csv"
    if kind == "fifo":
        os.mkfifo(manifest)
    else:
        manifest.symlink_to("/dev/zero")
    done = subprocess.run(
        build_command(raw, tmp_path / "clean", tmp_path / "cache"), cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    said = (
        "the manifest is a named pipe (FIFO), which could be read forever, not a CSV file: refused"
        if kind == "fifo"
        else "refused: it is a link to /dev/zero, outside the raw folder; the manifest must lie inside it "
        "(--allow-outside-raw to allow)"
    )
    assert done.stderr.splitlines() == [f"build: {manifest}: {said}"]
    if kind == "dev-zero":  # allowed outside, it is still never read
        command = build_command(raw, tmp_path / "clean", tmp_path / "cache", "--allow-outside-raw")
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.stderr.splitlines() == [f"build: {manifest}: the manifest is a device file, not a CSV file: refused"]
    assert not (tmp_path / "clean").exists()


def test_a_manifest_linked_from_outside_too_wide_or_naming_a_nul_is_said_in_one_line(tmp_path):
    """/proc/kmsg as the manifest blocked for ever; 2,100 columns failed in SQLite after every extraction; a NUL in a
    file name stopped the build with 'embedded null byte', naming nothing."""
    raw = tmp_path / "raw"
    raw.mkdir()
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("report,file\nx,x.pdf\n", encoding="utf-8")
    (raw / "manifest.csv").symlink_to(elsewhere)

    def build_says() -> tuple[int, list[str]]:
        done = subprocess.run(
            build_command(raw, tmp_path / "clean", tmp_path / "cache"), cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        return done.returncode, done.stderr.splitlines()

    manifest = raw / "manifest.csv"
    assert build_says() == (
        2,
        [
            f"build: {manifest}: refused: it is a link to {elsewhere}, outside the raw folder; "
            "the manifest must lie inside it (--allow-outside-raw to allow)"
        ],
    )
    manifest.unlink()
    manifest.write_text("report,file," + ",".join(f"c{i}" for i in range(600)) + "\n", encoding="utf-8")
    assert build_says() == (
        2,
        [f"build: {manifest}: 602 columns, more than the 500 a manifest may have (report, file, body, level, … and your own)"],
    )
    manifest.write_text("", encoding="utf-8")  # what /proc's files say too, whose reading can block (/proc/kmsg)
    assert build_says() == (2, [f"build: {manifest}: the manifest is empty (0 bytes): list the reports in it, or remove it"])
    manifest.write_text("report,file\n" + "".join(f"r{i},r{i}.pdf\n" for i in range(200_002)), encoding="utf-8")
    assert build_says() == (
        2,
        [
            f"build: {manifest}: 200,003 lines, more than the 200,000 reports one build takes; "
            "build the corpus in parts (a raw folder and a manifest each)"
        ],
    )
    shutil.copy(need(CORPUS / "hongze-2024.pdf"), raw / "good.pdf")
    manifest.write_text('report,file\nodd,"a\0b.pdf"\ngood,good.pdf\n', encoding="utf-8")
    status, lines = build_says()
    assert status == 1
    assert "failed: a b.pdf: the file name holds a NUL character, which no file name can: refused" in lines
    assert (tmp_path / "clean" / "cells.csv").is_file()


def test_an_unreadable_file_gets_one_reason(tmp_path):
    folder = Path(tempfile.mkdtemp(dir="/tmp" if os.geteuid() == 0 else tmp_path))
    try:
        raw = folder / "raw"
        raw.mkdir()
        (raw / "locked.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        (raw / "open.html").write_text("<html></html>", encoding="utf-8")
        os.chmod(raw / "locked.pdf", 0)
        if os.geteuid() == 0:
            os.chown(folder, 65534, 65534)
            os.chmod(folder, 0o755)
            inputs = unprivileged(read_inputs, raw)
        else:
            inputs = read_inputs(raw)
        reasons = {i.file: i.refused and i.refused.message for i in inputs}
        assert reasons == {"locked.pdf": "cannot read the file (Permission denied)", "open.html": None}
    finally:
        os.chmod(folder / "raw" / "locked.pdf", 0o644)
        shutil.rmtree(folder)


def test_reports_of_one_name_in_two_places_are_both_read(tmp_path):
    """A folder of PDFs beside a folder of the same reports as web pages: report ids by relative path, none refused;
    both are read, and as they are one body's report of one year, only one (the first listed) is used."""
    raw = tmp_path / "raw"
    (raw / "html").mkdir(parents=True)
    (raw / "pingtan-2020.pdf").write_bytes((ROOT / "data" / "raw" / "pingtan-2020.pdf").read_bytes())
    (raw / "html" / "pingtan-2020.html").write_bytes(need(CORPUS / "html" / "pingtan-2020.html").read_bytes())
    (raw / "hongze-2023.pdf").write_bytes(need(CORPUS / "hongze-2023.pdf").read_bytes())
    result = b.build(raw, tmp_path / "clean", jobs=2, cache_dir=None, progress=False, stream=io.StringIO())
    assert {(row["report"], row["file"], row["status"]) for row in result.log} == {
        ("hongze-2023", "hongze-2023.pdf", "ok"),  # a name found once keeps its stem
        ("pingtan-2020.pdf", "pingtan-2020.pdf", "left_out"),
        ("html/pingtan-2020.html", "html/pingtan-2020.html", "ok"),
    }
    by_report = {o.extraction.report: o.extraction for o in result.outcomes}
    pdf, page = (
        {(c.table, c.row, c.column): c.value for c in by_report[r].cells} for r in ("pingtan-2020.pdf", "html/pingtan-2020.html")
    )
    assert len(pdf) > 100 and pdf == page  # the specimen prints the page's figures
    assert set(read(tmp_path / "clean" / "cells.csv").report) == {"hongze-2023", "html/pingtan-2020.html"}


def test_a_remembered_hash_is_used_only_while_the_file_is_unchanged(tmp_path, monkeypatch):
    """A no-change rebuild reads no input again; a file rewritten, even to the same size and modified time, is read."""
    from openness import inputs as inputs_module

    path = tmp_path / "report.pdf"
    path.write_bytes(need(CORPUS / "hongze-2023.pdf").read_bytes())
    hashes: dict = {}
    first = inputs_module.known_sha256(path, hashes=hashes)
    assert first == hashlib.sha256(path.read_bytes()).hexdigest() and hashes[str(path)][4] == first
    monkeypatch.setattr(inputs_module, "file_sha256", lambda *a, **k: pytest.fail("an unchanged file was read again"))
    assert inputs_module.known_sha256(path, hashes=hashes) == first
    monkeypatch.undo()
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-20] ^= 1  # one bit, same size, modified time set back
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert inputs_module.known_sha256(path, hashes=hashes) == hashlib.sha256(bytes(data)).hexdigest() != first


def test_a_path_through_a_folder_link_and_up_is_judged_where_the_kernel_opens_it(tmp_path):
    """`link/../report.pdf`, link a folder outside: the file opened lies outside the raw folder (the remembered
    real paths of folders must not read the '..' as if the link were a plain folder)."""
    raw, deep = tmp_path / "raw", tmp_path / "elsewhere" / "dir"
    raw.mkdir()
    deep.mkdir(parents=True)
    shutil.copy(need(CORPUS / "hongze-2023.pdf"), deep.parent / "report.pdf")
    shutil.copy(need(CORPUS / "hongze-2023.pdf"), raw / "inside.pdf")
    (raw / "link").symlink_to(deep)
    (raw / "manifest.csv").write_text(HEADER + "out,link/../report.pdf,,,,,,,,,\nin,inside.pdf,,,,,,,,,\n", encoding="utf-8")
    inputs = {i.report: i for i in read_inputs(raw)}
    assert inputs["out"].refused is not None and inputs["out"].refused.kind == "outside"
    assert "elsewhere/report.pdf, outside the raw folder" in inputs["out"].refused.message
    assert inputs["in"].refused is None


# ---------------------------------------------------------------------------
# Metadata the manifest leaves blank, completed from the report itself


def data_raw_rows() -> list[dict[str, str]]:
    """The rows of the committed data/raw/manifest.csv: the bodies already in the data."""
    return read(ROOT / "data" / "raw" / "manifest.csv").to_dict("records")


def test_a_body_read_from_site_navigation_is_cleaned():
    """A browser print of 平潭's page: its title line comes after 首页 / 政务公开 / … printed one per line."""
    printed = guess_metadata(need(CORPUS / "producers" / "pingtan-2019-chromium.pdf"))
    assert printed == {"body": "首页政务公开政府信息公开政府信息公开年报平潭综合实验区", "year": "2019"}
    assert without_navigation(printed["body"]) == "平潭综合实验区"
    alone = complete_metadata({"report": "p"}, printed, "2019", known_bodies([]))  # bodies.csv only: no level known
    assert (alone["body"], alone["year"], alone["level"], alone["template"]) == ("平潭综合实验区", "2019", "zone", "2019")
    assert alone["guessed"] == "body year level template"
    # a name the data does not know, behind the same navigation, is cleaned too
    assert without_navigation("首页政务公开信息公开年报某某县人民政府") == "某某县人民政府"


def test_a_guessed_body_is_matched_to_the_body_already_in_the_data():
    """hongze-2023's title prints 洪泽区人民政府; the manifest knows 淮安市洪泽区人民政府 (and its level, province, city)."""
    printed = guess_metadata(need(CORPUS / "hongze-2023.pdf"))
    assert printed == {"body": "洪泽区人民政府", "year": "2023"}
    known = known_bodies(data_raw_rows())
    meta = complete_metadata({"report": "hz", "file": "hz.pdf", "body": "", "year": ""}, printed, "mixed", known)
    assert {k: meta[k] for k in ("body", "year", "level", "province", "city", "template")} == {
        "body": BODY,
        "year": "2023",
        "level": "district",
        "province": "江苏省",
        "city": "淮安市",
        "template": "mixed",
    }
    assert meta["guessed"] == "body year level province city template"
    line = guess_warning(meta, printed)
    assert line.startswith(f"hz: body {BODY} (the title prints 洪泽区人民政府), year 2023, level district")
    # what the manifest states is kept and not marked
    stated = complete_metadata({"report": "hz", "body": BODY, "year": "2023", "level": "county"}, printed, "mixed", known)
    assert (stated["level"], stated["guessed"]) == ("county", "province city template")
    # never matched: a name without a place of its own, or one two known bodies end with
    assert match_body("公安局", known) == "公安局"
    assert match_body("洪泽区人民政府", {BODY, "宿迁市洪泽区人民政府"}) == "洪泽区人民政府"
    assert level_from_name("汾阳市人民政府") == ""  # a city or a county-level city: not guessed
    # a body no manifest row or bodies.csv knows: matched to the longer name another report's title prints
    titles = {guess_metadata(need(CORPUS / f"hongze-{y}.pdf"))["body"] for y in (2023, 2024)}
    assert titles == {"洪泽区人民政府", BODY}
    assert match_body("洪泽区人民政府", set(), titles) == BODY and match_body(BODY, set(), titles) == BODY


def test_a_report_whose_title_says_nothing_keeps_blanks_and_is_warned_about():
    """Calc's print of a spreadsheet holds the tables only: no title, so no body or year; template from its tables."""
    printed = guess_metadata(need(CORPUS / "producers" / "pingtan-2022-calc.pdf"))
    assert printed == {"body": "", "year": ""}
    meta = complete_metadata({"report": "calc", "file": "calc.pdf"}, printed, "2021", known_bodies(data_raw_rows()))
    assert (meta["body"], meta["year"], meta["level"], meta["guessed"]) == ("", "", "", "template")
    assert "no body nor year in manifest.csv and none read from the report's title" in guess_warning(meta, printed)


def test_of_two_reports_of_one_body_and_year_one_is_used():
    """The original before a specimen, a complete extraction before a partial one, then more figures, then the first."""
    spec = {"report": "hz-2024", "body": BODY, "year": "2024", "provenance": "specimen re-typeset from the published figures"}
    real = {"report": "hz-2024-real", "body": BODY, "year": "2024", "provenance": ""}
    other = {"report": "hz-2023", "body": BODY, "year": "2023"}
    left, warnings = choose_reports([spec, real, other], ["ok", "partial", "ok"], [186, 150, 186])
    assert left == {0: "same body and year as hz-2024-real, which is used (an original, not a specimen)"}
    assert len(warnings) == 1 and warnings[0].startswith(
        f"hz-2024-real and hz-2024 both report {BODY} 2024: hz-2024-real is used"
    )
    two = dict(real, report="hz-2024-copy")
    assert choose_reports([real, two], ["partial", "ok"], [186, 150])[0] == {
        0: "same body and year as hz-2024-copy, which is used (its extraction is complete)"
    }
    assert choose_reports([real, two], ["ok", "ok"], [150, 186])[0][0].endswith("(more figures read)")
    assert choose_reports([real, two], ["ok", "ok"], [186, 186])[0] == {
        1: "same body and year as hz-2024-real, which is used (listed first)"
    }
    # a failed report is never left out: its failure is reported as it is
    assert choose_reports([spec, real], ["ok", "failed"], [186, 0]) == ({}, [])
    # `replaces` says which: no warning; a replacement that gave nothing keeps the specimen; an unknown id is said
    says = dict(real, replaces="hz-2024")
    assert choose_reports([spec, says], ["ok", "ok"], [186, 186]) == (
        {0: "replaced by hz-2024-real (manifest column replaces)"},
        [],
    )
    assert choose_reports([spec, says], ["ok", "failed"], [186, 0]) == (
        {},
        ["hz-2024-real: its file gave no figures, so hz-2024, which it replaces, is kept"],
    )
    wrong = dict(real, replaces="hz-2042")
    left, warnings = choose_reports([spec, wrong], ["ok", "ok"], [186, 186])
    assert warnings[0] == "hz-2024-real: replaces hz-2042, which is not in the manifest: nothing replaced"
    assert left == {0: "same body and year as hz-2024-real, which is used (an original, not a specimen)"}


def test_a_file_that_is_not_the_one_the_manifest_pins_is_refused(tmp_path):
    """A wrong sha256 in the manifest: the file is refused with one reason, never read as the listed report."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "hz.pdf").write_bytes(need(CORPUS / "hongze-2023.pdf").read_bytes())
    (raw / "manifest.csv").write_text(
        HEADER + f"hz,hz.pdf,{BODY},district,江苏省,淮安市,2023,mixed,,original,{'0' * 64}\n", encoding="utf-8"
    )
    [item] = read_inputs(raw)
    assert item.refused.kind == "sha256_mismatch"
    assert item.refused.message == (
        f"not the file the manifest lists: its sha256 is {file_sha256(raw / 'hz.pdf')[:12]}…, manifest.csv says 000000000000…; "
        "if this file is the right one, put its sha256 in manifest.csv or leave that column blank"
    )
