"""Command line: `python -m openness extract FILE ...` and `python -m openness build`.

`extract` prints every figure as CSV on stdout; problems go to stderr, one
line each, naming the file; the exit status is non-zero when a file could not
be read, is not a report, or came out incomplete (a table, row or cell of the
template not found); the other files are still printed.
"""

from __future__ import annotations

import argparse
import csv
import sys

from .extract import extract_report
from .outputs import format_bbox, safe_text

EXTRACT_COLUMNS = ["report", "table", "row", "column", "value", "page", "text", "row_code", "column_code", "bbox", "method", "locator",
                   "confidence", "proof", "proof_note"]


def cmd_extract(args: argparse.Namespace) -> int:
    if getattr(args, "excel", False):
        sys.stdout.write("\ufeff")  # a UTF-8 BOM: Excel then reads the Chinese as UTF-8, not as the local code page
    writer = csv.DictWriter(sys.stdout, fieldnames=EXTRACT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    failed = False
    for path in args.files:
        try:
            ex = extract_report(path)
        except Exception as exc:  # a parser failing on one file must not lose the others
            print(f"openness: {path}: the parser failed ({type(exc).__name__}: {exc})", file=sys.stderr)
            failed = True
            continue
        for cell in ex.cells:
            row = cell.as_dict()
            row["bbox"] = format_bbox(cell.bbox)
            row["page"] = "" if cell.page is None else cell.page
            writer.writerow({k: safe_text(row[k]) for k in EXTRACT_COLUMNS})
        sys.stdout.flush()
        for problem in ex.problems:
            print(f"openness: {problem}", file=sys.stderr)
        if ex.status != "ok":
            failed = True
            if not ex.problems:
                print(f"openness: {path}: no figures found", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m openness", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="print every figure of report PDFs/HTML pages as CSV")
    p.add_argument("files", nargs="+", help="report files (.pdf, .html)")
    p.add_argument("--excel", action="store_true", help="begin the CSV with a UTF-8 BOM so that Excel shows the Chinese")
    p.set_defaults(func=cmd_extract)
    try:
        from . import build
    except ImportError:  # the build orchestration is optional at this layer
        build = None
    if build is not None and hasattr(build, "add_arguments"):
        b = sub.add_parser("build", help="data/raw -> checked CSVs in data/clean")
        build.add_arguments(b)
        b.set_defaults(func=build.run)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
