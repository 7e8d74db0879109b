"""Command line: `python -m openness extract FILE ...` and `python -m openness build`.

`extract` prints every figure as CSV on stdout; problems go to stderr, one
line each, naming the file; the exit status is non-zero when a file could not
be read, is not a report, or came out incomplete (a table, row or cell of the
template not found); the other files are still printed. `extract --help` lists
the columns, with what each holds (the data dictionary's words for cells.csv).
A reader that stops early (`| head`) ends it quietly.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import Counter
from pathlib import Path

from . import __version__


def extract_columns() -> list[str]:
    """cells.csv's columns, with the figure's page and printed text brought forward beside it."""
    from .outputs import CELL_COLUMNS

    return [*CELL_COLUMNS[:5], "page", "text", *(c for c in CELL_COLUMNS[5:] if c not in ("page", "text"))]


def __getattr__(name: str) -> object:
    """EXTRACT_COLUMNS, computed when asked for: `build` must not import the output libraries (pandas) before it
    knows that nothing changed."""
    if name == "EXTRACT_COLUMNS":
        return extract_columns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def extract_report(path: str, report: str | None = None):
    """openness.extract.extract_report, imported when `extract` runs (see __getattr__)."""
    from .extract import extract_report as extract

    return extract(path, report)


def say(text: str) -> None:
    """One line on stderr: a file's name or a printed text cannot start a second line or colour the terminal."""
    from .build import one_line

    print(one_line(f"openness: {text}"), file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    from . import extract  # noqa: F401 - imported once here, not in every child
    from .inputs import MAX_BYTES, Input, refusal
    from .outputs import format_bbox, safe_text
    from .workers import Limits, call_limited, preload

    columns = extract_columns()
    if getattr(args, "excel", False):
        sys.stdout.write("\ufeff")  # a UTF-8 BOM: Excel then reads the Chinese as UTF-8, not as the local code page
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    failed = False
    limits = Limits(args.timeout, args.memory)
    preload()  # imported once here, not in every child
    for path in args.files:
        if os.path.isdir(path):
            say(f"{path}: a folder, not a report file; give the files in it, e.g. {path.rstrip('/')}/*.pdf")
            failed = True
            continue
        refused = (
            refusal(Input(Path(path).stem, path, Path(path), {}), Path("."), MAX_BYTES, outside=True)
            if os.path.lexists(path)
            else None
        )
        if refused is not None:  # a FIFO, a device, a folder …: never opened
            say(str(refused))
            failed = True
            continue
        # each file in a child of its own, within the limits: a hostile file costs itself only
        called = call_limited(lambda p=path: extract_report(p), limits)
        if called.how != "ok":  # a parser failing on one file must not lose the others
            why = f"the parser failed ({called.reason})" if called.how == "error" else called.reason
            say(f"{path}: {why}")
            failed = True
            continue
        ex = called.value
        for cell in ex.cells:
            row = cell.as_dict()
            row["bbox"] = format_bbox(cell.bbox)
            row["page"] = "" if cell.page is None else cell.page
            writer.writerow({k: safe_text(row[k]) for k in columns})
        sys.stdout.flush()
        for text, n in Counter(str(problem) for problem in ex.problems).items():  # 8,000 alike: one line
            say(f"{text} ({n:,} times)" if n > 1 else text)
        if ex.status != "ok":
            failed = True
            if not ex.problems:
                say(f"{path}: no figures found")
    return 1 if failed else 0


def columns_help() -> str:
    """The columns `extract` prints, each with what it holds (the words of cells.csv in the data dictionary)."""
    from .outputs import file_fields

    words = {f.name: f.description for f in file_fields()["cells.csv"][1]}
    columns = extract_columns()
    width = max(map(len, columns))
    lines = [f"  {name:<{width}}  {words.get(name, '')}" for name in columns]
    return (
        "columns of the CSV printed on stdout, one row per figure of the three tables:\n"
        + "\n".join(lines)
        + ("\n\nproblems go to stderr, one line each naming the file; the exit status is 1 when any file is not complete")
    )


class HelpParser(argparse.ArgumentParser):
    """A parser whose epilog may be a function, called only when the help is shown: the data dictionary behind extract's
    columns loads the output libraries (1 GB of address space), which every extraction child would otherwise inherit."""

    def format_help(self) -> str:
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()


def main(argv: list[str] | None = None) -> int:
    """`python -m openness`: the extract and build commands; a reader closing the pipe ends it quietly."""
    try:
        return _main(argv)
    except BrokenPipeError:  # `extract … | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's flush at exit would raise again
        return 141  # as a shell reports a process ended by SIGPIPE


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m openness", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"openness {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=HelpParser)
    p = sub.add_parser(
        "extract",
        help="print every figure of report PDFs/HTML pages as CSV",
        description="Print every figure of the three statistical tables of each report as CSV.",
        epilog=columns_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", help="report files (.pdf, .html)")
    p.add_argument("--excel", action="store_true", help="begin the CSV with a UTF-8 BOM so that Excel shows the Chinese")
    p.set_defaults(func=cmd_extract)
    from . import build

    build.add_limit_arguments(p)
    if hasattr(build, "add_arguments"):
        b = sub.add_parser("build", help="data/raw -> checked CSVs in data/clean")
        build.add_arguments(b)
        b.set_defaults(func=build.run)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
