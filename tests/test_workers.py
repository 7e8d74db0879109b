"""openness.workers: every extraction runs in a child with a time and a memory limit, and dies with its parent.

The hostile behaviours are played by small extractors defined here (a file that
hangs, one that wants gigabytes) around the real extractor and real reports.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, need
from hostile import deflate_bomb
from openness import build as b
from openness.cli import EXTRACT_COLUMNS
from openness.extract import extract_report

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent


def greedy_on_bomb_pdf(path, report=None):
    """The real extractor, except that bomb.pdf asks for 8 GB at once (as a decompression bomb does)."""
    if Path(path).name == "bomb.pdf":
        return len(bytearray(8 * 2**30))
    return extract_report(path, report)


def hang_on_hang_pdf(path, report=None):
    """The real extractor, except that a file named hang.pdf never finishes."""
    if Path(path).name == "hang.pdf":
        time.sleep(600)
    return extract_report(path, report)


def raw_with(tmp_path: Path, *names: str) -> Path:
    """A raw folder: hongze-2023.pdf and copies of it (each a little different) under `names`."""
    raw = tmp_path / "raw"
    raw.mkdir()
    data = need(CORPUS / "hongze-2023.pdf").read_bytes()
    (raw / "hongze-2023.pdf").write_bytes(data)
    for i, name in enumerate(names):
        (raw / name).write_bytes(data + f"\n% copy {i}\n".encode())
    return raw


def test_a_file_past_the_memory_limit_is_stopped_remembered_and_the_build_goes_on(tmp_path):
    raw = raw_with(tmp_path, "bomb.pdf")
    kwargs = dict(jobs=1, memory_mb=4500, cache_dir=tmp_path / "cache", extract=greedy_on_bomb_pdf, progress=False)
    result = b.build(raw, tmp_path / "clean", stream=io.StringIO(), **kwargs)
    by_file = {o.extraction.file: o for o in result.outcomes}
    assert by_file["bomb.pdf"].extraction.reason == "stopped: the parser needed more than the memory limit of 4500 MB (--memory)"
    assert by_file["hongze-2023.pdf"].extraction.status == "ok" and len(by_file["hongze-2023.pdf"].extraction.cells) == 186
    again = b.build(raw, tmp_path / "clean", stream=io.StringIO(), **kwargs)
    assert again.up_to_date  # not tried again under the same limits
    (tmp_path / "clean" / "cells.csv").write_text("edited", encoding="utf-8")
    rewritten = b.build(raw, tmp_path / "clean", stream=io.StringIO(), **kwargs)
    assert rewritten.extracted == 0 and all(o.cached for o in rewritten.outcomes)
    more = b.build(raw, tmp_path / "clean", stream=io.StringIO(), **{**kwargs, "memory_mb": 4600})
    assert [o.extraction.file for o in more.outcomes if not o.cached] == ["bomb.pdf"]


BUILD_IN_CHILD = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from openness import build
from test_workers import hang_on_hang_pdf
build.build(Path({raw!r}), Path({out!r}), jobs=1, cache_dir=None, extract=hang_on_hang_pdf, progress=False)
"""


def _children(pid: int) -> list[int]:
    """The child processes of a process (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    """Whether a process has ended (or is a zombie whose parent died)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal and /proc are Linux")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_a_killed_build(tmp_path, how):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "hang.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    code = BUILD_IN_CHILD.format(tests=str(TESTS), raw=str(raw), out=str(tmp_path / "clean"))
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        for _ in range(600):  # the build's worker, busy with hang.pdf
            workers = _children(proc.pid)
            if workers or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert workers, proc.stderr.read() if proc.poll() is not None else "no worker started"
        proc.send_signal(how)
        proc.wait()
        for _ in range(200):  # the worker goes too: within seconds, not after its 600 s sleep
            if all(_gone(pid) for pid in workers):
                break
            time.sleep(0.05)
        assert all(_gone(pid) for pid in workers)
    finally:
        for pid in set(workers + _children(proc.pid)):  # none left behind, even when the test fails
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_extract_stops_a_file_past_a_limit_and_prints_the_others(tmp_path, monkeypatch, capsys):
    import openness.cli as cli

    hongze = need(CORPUS / "hongze-2023.pdf")
    raw = raw_with(tmp_path, "hang.pdf", "bomb.pdf")
    os.mkfifo(raw / "pipe.html")

    def hostile(path, report=None):
        return hang_on_hang_pdf(path, report) if Path(path).name == "hang.pdf" else greedy_on_bomb_pdf(path, report)

    monkeypatch.setattr(cli, "extract_report", hostile)
    status = cli.main(
        [
            "extract",
            "--timeout",
            "5",
            "--memory",
            "4500",
            str(raw / "hang.pdf"),
            str(raw / "bomb.pdf"),
            str(raw / "pipe.html"),
            str(hongze),
        ]
    )
    out, err = capsys.readouterr()
    assert status == 1
    assert err.splitlines() == [
        f"openness: {raw / 'hang.pdf'}: stopped after 5 s: the parser did not finish within the time limit",
        f"openness: {raw / 'bomb.pdf'}: stopped: the parser needed more than the memory limit of 4500 MB (--memory)",
        f"openness: {raw / 'pipe.html'}: a named pipe (FIFO), which could be read forever, not a report file: refused",
    ]
    assert len(out.splitlines()) == 1 + 186


def test_a_decompression_bomb_is_stopped_at_the_memory_limit(tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(deflate_bomb(2048))
    assert bomb.stat().st_size < 10_000
    run = subprocess.run(
        [sys.executable, "-m", "openness", "extract", "--memory", "1500", str(bomb)], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"openness: {bomb}: stopped: the parser needed more than the memory limit of 1500 MB (--memory)"
    ]
    assert run.stdout.splitlines() == [",".join(EXTRACT_COLUMNS)]
