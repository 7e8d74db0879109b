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
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import CORPUS, need
from hostile import unprivileged
from openness import build as b
from openness.inputs import read_inputs

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
    assert log["folder.pdf"][1] == "a folder named like a report, not a report file: refused"
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
    command = [
        sys.executable,
        "-m",
        "openness",
        "build",
        "--raw",
        str(raw),
        "--out",
        str(tmp_path / "clean"),
        "--cache",
        str(tmp_path / "cache"),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"build: {raw / 'manifest.csv'}: not UTF-8 (nor GBK) text: byte 0xff at position {len(HEADER)}; save it as UTF-8"
    ]
    assert not (tmp_path / "clean").exists()


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
    """A folder of PDFs beside a folder of the same reports as web pages: report ids by relative path, none refused."""
    raw = tmp_path / "raw"
    (raw / "html").mkdir(parents=True)
    (raw / "pingtan-2020.pdf").write_bytes((ROOT / "data" / "raw" / "pingtan-2020.pdf").read_bytes())
    (raw / "html" / "pingtan-2020.html").write_bytes(need(CORPUS / "html" / "pingtan-2020.html").read_bytes())
    (raw / "hongze-2023.pdf").write_bytes(need(CORPUS / "hongze-2023.pdf").read_bytes())
    result = b.build(raw, tmp_path / "clean", jobs=2, cache_dir=None, progress=False, stream=io.StringIO())
    assert {(row["report"], row["file"], row["status"]) for row in result.log} == {
        ("hongze-2023", "hongze-2023.pdf", "ok"),  # a name found once keeps its stem
        ("pingtan-2020.pdf", "pingtan-2020.pdf", "ok"),
        ("html/pingtan-2020.html", "html/pingtan-2020.html", "ok"),
    }
    cells = read(tmp_path / "clean" / "cells.csv")
    pdf = cells[cells.report == "pingtan-2020.pdf"].set_index(["table", "row", "column"])["value"]
    page = cells[cells.report == "html/pingtan-2020.html"].set_index(["table", "row", "column"])["value"]
    assert len(pdf) > 100 and pdf.sort_index().to_dict() == page.sort_index().to_dict()  # the specimen prints the page's figures


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
