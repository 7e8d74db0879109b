"""openness.cli as a new user meets it: --version, a folder given as a report, `extract … | head`, `extract --help`."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import openness.cli as cli
from openness.outputs import file_fields

ROOT = Path(__file__).resolve().parents[1]
SPECIMEN = ROOT / "data" / "raw" / "hongze-2024.pdf"


def test_version_is_the_installed_one():
    run = subprocess.run([sys.executable, "-m", "openness", "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == f"openness {importlib.metadata.version('openness')}\n"


def test_a_folder_given_to_extract_is_said_plainly(tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    assert cli.main(["extract", str(folder), str(SPECIMEN)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"openness: {folder}: a folder, not a report file; give the files in it, e.g. {folder}/*.pdf"
    ]
    assert len(captured.out.splitlines()) == 1 + 186  # the header, and every figure of the report after it


def test_a_reader_closing_the_pipe_ends_extract_quietly():
    """`extract … | head -3`: the first lines, then a quiet end (no BrokenPipeError, no traceback)."""
    command = f"{sys.executable} -m openness extract {SPECIMEN} | head -3"
    run = subprocess.run(["sh", "-c", command], capture_output=True, text=True)
    assert run.stdout.splitlines()[0] == ",".join(cli.EXTRACT_COLUMNS)
    assert len(run.stdout.splitlines()) == 3
    assert run.stderr == ""
    gone = subprocess.run(["sh", "-c", f"{sys.executable} -m openness extract {SPECIMEN} | true"], capture_output=True, text=True)
    assert gone.stderr == ""  # a reader gone before the first line


def test_extract_help_lists_every_column_with_what_it_holds(capsys):
    try:
        cli.main(["extract", "--help"])
    except SystemExit as done:
        assert done.code == 0
    text = capsys.readouterr().out
    words = {f.name: f.description for f in file_fields()["cells.csv"][1]}
    listed = text[text.index("columns of the CSV") :].splitlines()[1:]
    assert [line.split()[0] for line in listed[: len(cli.EXTRACT_COLUMNS)]] == cli.EXTRACT_COLUMNS
    for line, name in zip(listed, cli.EXTRACT_COLUMNS):
        assert line.split(None, 1)[1] == words[name], name
