"""Benchmark: speed, memory and accuracy of the extractor, beside plain Camelot and the bare text layer.

`python -m openness.tooling.bench` (or `make bench`) measures, in one run on one machine:

- per report: seconds (median, p95), reports per second, peak memory, and cells
  right out of cells known (against ../shared/corpus/truth.csv for the real
  PDFs, data/raw/figures/*.csv for the specimens), for this project's extractor
  and for plain Camelot (`read_pdf(pages="all", flavor="lattice")`, defaults,
  its tables put through the same label mapping so accuracy is comparable),
  and the time to read the text layer alone (pypdfium2), the floor; over the
  whole corpus and per producer (WPS: the real PDFs; LibreOffice Writer, Calc
  and Chromium prints: ../shared/corpus/producers and tests/fixtures/producers;
  the ReportLab specimens of data/raw);
- with `--generated N`: N reports rendered by the specimen renderer, extracted
  one after another in one process, peak memory after N/4 and after N reports
  (flat when nothing is held per report);
- a no-change rebuild of `--rebuild N` reports (default 1,000: copies of the
  corpus, each made distinct by a trailing PDF comment, with a warm cache);
- the cost of running each file in a child process of its own (fork, pipe);
- how many table pages the PDF reader leaves to Camelot itself (its ruled lines are
  otherwise read from pdfium), and why;
- the scanned reports of ../shared/corpus/producers (`--scans`, on by default),
  read by OCR: seconds per report and per page, memory, cells right.

Each method runs in a fresh interpreter (spawn), so peak memory is its own; on the corpus the
methods take turns report by report (`interleaved`), so a load on the shared machine falls on
all of them alike; the first report is read once before the clock starts (imports, first-use set-up).
The figures are printed and written to bench/results.csv (one row per measure).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from openness import paths

ROOT = paths.project_root()
SHARED_CORPUS = paths.shared(ROOT) / "corpus"
RAW = paths.raw(ROOT)
FIXTURES = ROOT / "tests" / "fixtures" / "producers"
# Which program made a PDF, by the end of its name (../shared/corpus/producers, tests/fixtures/producers).
PRODUCER_SUFFIXES = {"Writer": ("-writer", "-writer-v0", "-writer-v1"), "Calc": ("-calc",), "Chromium": ("-chromium",)}
RESULTS = ROOT / "bench" / "results.csv"
METHODS = ("openness", "camelot", "text")
COLUMNS = [
    "date",
    "machine",
    "corpus",
    "method",
    "reports",
    "median_s",
    "p95_s",
    "reports_per_s",
    "peak_rss_mb",
    "cells_right",
    "cells_wrong",
    "cells_known",
    "accuracy",
    "vs_camelot",
    "vs_camelot_total",
    "vs_text",
    "vs_text_total",
    "note",
]

Truth = dict[tuple[str, str, str], str]


@dataclass
class Item:
    """One PDF to measure, with the figures it prints when they are known."""

    report: str
    path: str
    truth: Truth | None = None
    group: str = "corpus"  # the producer, or 'corpus' for PDFs named on the command line


@dataclass
class Sample:
    """One report measured by one method."""

    report: str
    seconds: float
    cells: int
    right: int = 0
    wrong: int = 0
    known: int = 0
    group: str = "corpus"


@dataclass
class Run:
    """One method over one corpus, measured in a child process."""

    method: str
    samples: list[Sample]
    peak_rss_mb: float
    rss_after: dict[int, float] = field(default_factory=dict)  # reports done -> peak RSS so far (MB)


# ---------------------------------------------------------------------------
# Corpus and truth


def read_figures(path: Path) -> Truth:
    """Long-format figures (table,row,column,value) as a lookup."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {(r["table"], r["row"], r["column"]): r["value"] for r in csv.DictReader(f)}


def truth_rows(path: Path, report: str) -> Truth | None:
    """The figures of one report in a truth file (report,table,row,column,value), None if it has none."""
    if not path.exists():
        return None
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = {(r["table"], r["row"], r["column"]): r["value"] for r in csv.DictReader(f) if r["report"] == report}
    return rows or None


def truth_for(report: str, folder: Path) -> Truth | None:
    """A report's known figures: figures/<report>.csv or <report>.csv beside it, else its folder's truth.csv, else the shared one."""
    for figures in (folder / "figures" / f"{report}.csv", folder / f"{report}.csv"):
        if figures.exists():
            return read_figures(figures)
    return truth_rows(folder / "truth.csv", report) or truth_rows(SHARED_CORPUS / "truth.csv", report)


def corpus_items(paths: list[Path], group: str = "corpus") -> list[Item]:
    """The PDFs of the given files and folders (a folder's manifest.csv names its reports)."""
    items: list[Item] = []
    for path in paths:
        if path.is_file():
            items.append(Item(path.stem, str(path), truth_for(path.stem, path.parent), group))
            continue
        manifest = path / "manifest.csv"
        if manifest.exists():
            with open(manifest, encoding="utf-8-sig", newline="") as f:
                rows = [(r["report"], path / r["file"]) for r in csv.DictReader(f)]
        else:
            rows = [(p.stem, p) for p in sorted(path.glob("*.pdf"))]
        items += [
            Item(report, str(p), truth_for(report, path), group)
            for report, p in rows
            if p.suffix.lower() == ".pdf" and p.exists()
        ]
    return items


def scan_items() -> list[Item]:
    """The scanned reports of ../shared/corpus/producers (image-only PDFs, read by OCR), with their figures."""
    folder = SHARED_CORPUS / "producers"
    if not (folder / "truth.csv").exists():
        return []
    with open(folder / "truth.csv", encoding="utf-8-sig", newline="") as f:
        truth: dict[str, Truth] = {}
        for r in csv.DictReader(f):
            truth.setdefault(r["report"], {})[(r["table"], r["row"], r["column"])] = r["value"]
    return [Item(p.stem, str(p), truth.get(p.stem)) for p in sorted(folder.glob("*-scan-*.pdf"))]


def scan_row(items: list[Item]) -> dict:
    """The results row of the scanned reports: seconds per report and per page, memory, cells right."""
    import pypdfium2 as pdfium

    run = in_child(measure, "openness", items)
    pages = sum(len(pdfium.PdfDocument(i.path)) for i in items)
    seconds = sum(s.seconds for s in run.samples)
    return summary(
        run,
        f"scans ({len(items)} image-only PDFs, {pages} pages, OCR)",
        f"{seconds / pages:.1f} s per page; " + ", ".join(f"{s.report} {s.seconds:.1f} s" for s in run.samples),
    )


def camelot_pages(items: list[Item]) -> dict:
    """The results row of the ruled lines: how many table pages the PDF reader leaves to Camelot itself, and why.

    `readers.pdf.ruled_tables` takes a page's lines from pdfium unless it cannot vouch for
    them or pdfium may have lost a glyph of a figure; those pages cost Camelot's layout.
    """
    from collections import Counter

    from openness.readers.pdf import MIN_TEXT_CHARS, InputError, page_chars, page_texts, ruled_tables, table_pages

    pages, why = 0, Counter()
    for item in items:
        try:
            texts = page_texts(item.path)
        except InputError:
            continue
        if sum(len(t.strip()) for t in texts) >= MIN_TEXT_CHARS:
            found = table_pages(texts)
            pages += len(found)
            why.update(ruled_tables(page_chars(item.path, found))[1].values() if found else [])
    reasons = "; ".join(f"{n} {reason}" for reason, n in why.most_common()) or "none"
    note = f"{sum(why.values())} of {pages} table pages read by Camelot itself ({reasons}); the rest from pdfium's lines"
    return {"corpus": f"corpus ({len(items)} PDFs)", "method": "ruled-lines", "reports": len(items), "note": note}


def producer_of(path: Path) -> str | None:
    """Writer, Calc or Chromium, by the end of the file's name (None: another, e.g. a scan without a text layer)."""
    for producer, suffixes in PRODUCER_SUFFIXES.items():
        if path.stem.endswith(suffixes):
            return producer
    return None


def default_corpus() -> dict[str, list[Item]]:
    """The default corpus by producer: the real WPS PDFs, the Writer, Calc and Chromium prints, the specimens."""
    groups = {"WPS (real PDFs)": corpus_items(sorted(SHARED_CORPUS.glob("*.pdf")), "WPS (real PDFs)")}
    prints = sorted((SHARED_CORPUS / "producers").glob("*.pdf")) + sorted(FIXTURES.glob("*.pdf"))
    for producer in PRODUCER_SUFFIXES:
        group = f"{producer} prints"
        groups[group] = corpus_items([p for p in prints if producer_of(p) == producer], group)
    if (RAW / "manifest.csv").exists() or any(RAW.glob("*.pdf")):
        groups["specimens (ReportLab)"] = corpus_items([RAW], "specimens (ReportLab)")
    return {g: items for g, items in groups.items() if items}


# ---------------------------------------------------------------------------
# The methods (run in a child)


def _openness(path: str, report: str) -> list:
    from openness.extract import extract_report

    return extract_report(path, report).cells


def _camelot(path: str, report: str) -> list:
    """Plain Camelot, every page, lattice, defaults; then the project's label mapping."""
    import warnings

    import camelot

    from openness.readers.pdf import grids_from_camelot
    from openness.tables import grids_to_extraction

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = camelot.read_pdf(path, pages="all", flavor="lattice")
    return grids_to_extraction(grids_from_camelot(tables, path, "camelot-lattice"), "camelot-lattice").cells


def _text(path: str, report: str) -> list:
    """Read every page's text layer, nothing more: the floor."""
    from openness.readers.pdf import page_texts

    page_texts(path)
    return []


RUNNERS: dict[str, Callable[[str, str], list]] = {"openness": _openness, "camelot": _camelot, "text": _text}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def score(cells: list, truth: Truth | None) -> tuple[int, int, int]:
    """Cells right, cells wrong (a value that differs from the printed one), cells known."""
    if not truth:
        return 0, 0, 0
    got = {(c.table, c.row, c.column): c.value for c in cells}
    right = sum(1 for k, v in truth.items() if got.get(k) == v)
    wrong = sum(1 for k, v in truth.items() if k in got and got[k] != v)
    return right, wrong, len(truth)


def measure(method: str, items: list[Item], marks: tuple[int, ...] = (), warm: bool = True) -> Run:
    """Run one method over the items, one after another, in this process; time and score each."""
    runner = RUNNERS[method]
    if items and warm:  # warm up: imports and the libraries' first-use set-up are not part of a report's time
        try:
            runner(items[0].path, items[0].report)
        except Exception:  # noqa: BLE001 - reported below, when measured
            pass
    samples, rss_after = [], {}
    for i, item in enumerate(items, 1):
        start = time.perf_counter()
        try:
            cells = runner(item.path, item.report)
        except Exception as error:  # noqa: BLE001 - counted, the benchmark goes on
            print(f"bench: {method} failed on {item.report}: {type(error).__name__}: {error}", file=sys.stderr)
            cells = []
        seconds = time.perf_counter() - start
        right, wrong, known = score(cells, item.truth) if method != "text" else (0, 0, 0)
        samples.append(Sample(item.report, seconds, len(cells), right, wrong, known, item.group))
        if i in marks:
            rss_after[i] = _rss_mb()
    return Run(method, samples, _rss_mb(), rss_after)


def interleaved(methods: list[str], items: list[Item]) -> dict[str, Run]:
    """Each method over the items in a fresh interpreter of its own, report by report in turn.

    The machine is shared: a load that comes and goes would fall on whichever method ran
    then. Taking turns report by report, every method meets the same load, so the ratios
    between them hold; each keeps its own process, so its peak memory is its own.
    """
    pools = {m: ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) for m in methods}
    try:
        if items:
            for m in methods:  # warm up: imports and first-use set-up
                pools[m].submit(measure, m, items[:1]).result()
        runs = {m: Run(m, [], 0.0) for m in methods}
        for item in items:
            for m in methods:
                one = pools[m].submit(measure, m, [item], (), False).result()
                runs[m].samples += one.samples
                runs[m].peak_rss_mb = max(runs[m].peak_rss_mb, one.peak_rss_mb)
        return runs
    finally:
        for pool in pools.values():
            pool.shutdown()


def in_child(fn: Callable, *args):
    """Call fn in a fresh interpreter (spawn) and return its result: memory measured there is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# ---------------------------------------------------------------------------
# Summaries


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (linear interpolation), for p95 of small samples."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary(run: Run, corpus: str, note: str = "") -> dict:
    """One results row for a run."""
    seconds = [s.seconds for s in run.samples]
    right, wrong, known = (sum(getattr(s, k) for s in run.samples) for k in ("right", "wrong", "known"))
    return {
        "corpus": corpus,
        "method": run.method,
        "reports": len(seconds),
        "median_s": round(statistics.median(seconds), 4),
        "p95_s": round(quantile(seconds, 0.95), 4),
        "reports_per_s": round(len(seconds) / sum(seconds), 3) if sum(seconds) else "",
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "cells_right": right if run.method != "text" else "",
        "cells_wrong": wrong if run.method != "text" else "",
        "cells_known": known if run.method != "text" else "",
        "accuracy": round(right / known, 4) if known and run.method != "text" else "",
        "note": note,
    }


def compared(runs: dict[str, Run], corpus: str) -> list[dict]:
    """One results row per method over the same reports, ours with how many times faster than Camelot and slower than the text layer."""
    medians = {m: statistics.median(s.seconds for s in r.samples) for m, r in runs.items()}
    totals = {m: sum(s.seconds for s in r.samples) for m, r in runs.items()}
    rows = []
    for method, run in runs.items():
        slowest = sorted(run.samples, key=lambda x: -x.seconds)[:3]
        row = summary(run, corpus, "slowest: " + ", ".join(f"{x.report} {x.seconds:.2f} s" for x in slowest))
        if method == "openness":
            if "camelot" in medians:
                row["vs_camelot"] = round(medians["camelot"] / medians["openness"], 1)
                row["vs_camelot_total"] = round(totals["camelot"] / totals["openness"], 1)
            if "text" in medians:
                row["vs_text"] = round(medians["openness"] / medians["text"], 1)
                row["vs_text_total"] = round(totals["openness"] / totals["text"], 1)
        rows.append(row)
    return rows


def machine() -> str:
    """What the figures were measured on."""
    import camelot

    return f"{os.cpu_count()} cores, Python {platform.python_version()}, camelot {camelot.__version__}, {platform.machine()}"


# ---------------------------------------------------------------------------
# Generated reports (specimen renderer)


def specimen_sources() -> list[tuple[object, str, str, int]]:
    """(figures, template, body, year) of every specimen in data/raw, else of the real Hongze 2023 report."""
    import pandas as pd

    sources = []
    manifest = RAW / "manifest.csv"
    if manifest.exists():
        table = pd.read_csv(manifest, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for row in table.to_dict("records"):
            figures = RAW / "figures" / f"{row['report']}.csv"
            if figures.exists() and row.get("template") and str(row.get("year", "")).isdigit():
                sources.append(
                    (
                        pd.read_csv(figures, dtype=str, keep_default_na=False),
                        row["template"],
                        row.get("body", ""),
                        int(row["year"]),
                    )
                )
    if not sources and (SHARED_CORPUS / "truth.csv").exists():
        truth = pd.read_csv(SHARED_CORPUS / "truth.csv", dtype=str, keep_default_na=False)
        sources.append((truth[truth.report == "hongze-2023"], "mixed", "淮安市洪泽区人民政府", 2023))
    if not sources:
        raise SystemExit("bench: no figures to render reports from (data/raw/figures or ../shared/corpus/truth.csv)")
    return sources


def render_generated(n: int, folder: Path) -> list[Item]:
    """N specimen reports with random layouts, cycling through the specimens' figures."""
    from openness.tooling.typeset import random_layout, render_report

    sources = specimen_sources()
    items = []
    for i in range(n):
        figures, template, body, year = sources[i % len(sources)]
        path = folder / f"generated-{i:05d}.pdf"
        try:
            render_report(figures, path, template=template, body=body, year=year, layout=random_layout(i))
        except ValueError:  # a report without some rows of its template (some 平潭 departments): print what it has
            render_report(figures, path, template=template, body=body, year=year, layout=random_layout(i), partial=True)
        truth = {(t, r, c): v for t, r, c, v in figures[["table", "row", "column", "value"]].itertuples(index=False)}
        items.append(Item(path.stem, str(path), truth))
    return items


# ---------------------------------------------------------------------------
# Build: no-change rebuild of many reports, and the cost of a child process per file


def _noop_extract(path, report=None):
    from openness.model import Extraction

    return Extraction(report=report or "", file=str(path))


def fork_overhead(n: int = 40) -> float:
    """Milliseconds a child process per file adds to each file (fork, pipe, pickle, reap)."""
    from openness import workers

    jobs = [(i, workers.Job(f"r{i}", f"r{i}.pdf", os.devnull, False, _noop_extract)) for i in range(n)]
    start = time.perf_counter()
    for job in jobs:
        workers.run_job(job[1])
    direct = time.perf_counter() - start
    start = time.perf_counter()
    for _ in workers.run_forked(jobs, 1, 60):
        pass
    forked = time.perf_counter() - start
    return (forked - direct) / n * 1000


def _tree_pss_mb(root: int) -> float:
    """Memory of a process and all its descendants (children, grandchildren …), MB: the sum of their proportional
    set sizes (a page shared by k processes, as a forked worker shares its parent's, counts 1/k in each) from /proc."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                parents[int(entry.name)] = int(f.read().rsplit(b")", 1)[1].split()[1])  # ppid, after the state
        except OSError:  # gone meanwhile
            continue
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid and child not in tree)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith(b"Pss:"))  # kB
        except (OSError, StopIteration):
            continue
    return total / 1024


@dataclass
class Measured:
    """One command run by the bench: wall-clock seconds, CPU seconds of its whole process tree, peak memory (MB)."""

    seconds: float
    cpu: float  # user + system seconds of the process and every descendant it waited for
    peak_mb: float

    def said(self, interval: float) -> str:
        return (
            f"{self.seconds:.2f} s wall, {self.cpu:.2f} s CPU (python -m openness build); peak {self.peak_mb:.0f} MB, the "
            f"build and its workers (PSS summed over the process tree, sampled every {interval:g} s)"
        )


SAMPLE_EVERY = 0.1  # seconds between two readings of the process tree's memory


def run_sampled(command: list[str], interval: float = SAMPLE_EVERY) -> tuple[subprocess.CompletedProcess, Measured]:
    """Run a command; return it done and what it took: wall-clock seconds, the CPU seconds of the command and every
    process it waited for (getrusage of the children), and the peak memory of its whole process tree (MB).

    The peak is the largest sum of the proportional set sizes of the process and every descendant, sampled every
    `interval` seconds from /proc (a spike shorter than that can be missed).
    """
    import threading

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_pss_mb(proc.pid))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop.set()
    sampler.join()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr), Measured(seconds, cpu, peak[0])


NOCHANGE_RUNS = 3  # no-change rebuilds measured: the median is given (the machine is shared)


def _median_run(runs: list[Measured]) -> Measured:
    return sorted(runs, key=lambda m: m.seconds)[len(runs) // 2]


YEARS = 7  # each bench body publishes this many consecutive years: cross-year checks and copying to pair


def make_copies(sources: list[Path], n: int, raw: Path) -> None:
    """n manifest rows in raw: copies of the sources, each made distinct by a trailing PDF comment (kept between runs);
    body i // YEARS, year 2019 + i % YEARS, as a national corpus has a body's reports of consecutive years."""
    from openness.dictionary import MANIFEST_COLUMNS

    rows = [",".join(MANIFEST_COLUMNS)]
    raw.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = sources[i % len(sources)]
        report, file = f"r{i:05d}", f"r{i:05d}.pdf"
        data = src.read_bytes() + f"\n% bench copy {i}\n".encode()
        path = raw / file
        if not path.exists() or path.stat().st_size != len(data):
            path.write_bytes(data)
        rows.append(f"{report},{file},bench body {i // YEARS},county,,,{2019 + i % YEARS},,,bench copy of {src.name},")
    (raw / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def rebuild(items: list[Item], n: int, folder: Path, fresh: int = 0) -> dict[str, Measured]:
    """Seconds, CPU and process-tree peak memory of a build of n reports whose extractions are all cached
    but the last `fresh` (extracted by the build's workers), then of a rebuild with nothing changed (the median of
    NOCHANGE_RUNS).

    The n copies in folder/raw are reused when a previous run left them there (`--scale-dir`).
    """
    import copy
    import shutil

    from openness.cache import Cache, cache_key, code_fingerprint
    from openness.inputs import Input, file_sha256
    from openness.model import stamp
    from openness.workers import Job, run_job

    raw, out, cache_dir = folder / "raw", folder / "clean", folder / "cache"
    for stale in (out, cache_dir):  # a previous run's outputs and cache: this run builds from scratch
        shutil.rmtree(stale, ignore_errors=True)
    sources = [Path(i.path) for i in items]
    make_copies(sources, n, raw)
    extracted = {str(p): run_job(Job(p.stem, p.name, str(p))) for p in sources}
    fingerprint = code_fingerprint()
    cache = Cache(cache_dir)
    for i in range(n - fresh):
        src = sources[i % len(sources)]
        report, file = f"r{i:05d}", f"r{i:05d}.pdf"
        item = Input(report, file, raw / file, {}, sha256=file_sha256(raw / file))
        result = copy.deepcopy(extracted[str(src)])
        result.extraction = stamp(result.extraction, report, file)
        cache.put(cache_key(fingerprint, item), result)
    command = [sys.executable, "-m", "openness", "build", "--raw", str(raw), "--out", str(out), "--cache", str(cache_dir)]
    done, first = run_sampled(command)
    if done.returncode not in (0, 1) or f"{fresh} extracted" not in done.stderr:
        raise RuntimeError(f"the build did not run as planned:\n{done.stderr[-2000:]}")
    return {f"{n - fresh} cached, {fresh} extracted, outputs written": first, "nothing changed": _nochange_runs(command)}


def _nochange_runs(command: list[str]) -> Measured:
    """The median of NOCHANGE_RUNS rebuilds that must find nothing changed."""
    runs = []
    for _ in range(NOCHANGE_RUNS):
        done, measured = run_sampled(command)
        if done.returncode not in (0, 1) or "up to date" not in done.stderr:
            raise RuntimeError(f"the no-change rebuild rewrote the outputs:\n{done.stderr[-2000:]}")
        runs.append(measured)
    return _median_run(runs)


def nochange(n: int, folder: Path) -> dict[str, Measured]:
    """Seconds, CPU and process-tree peak memory of a build of n reports whose extractor reads nothing (a no-op:
    every report fails, no figure), then of the rebuild with nothing changed: the no-change path at n inputs
    (listing, vetting, the remembered hashes, the stamp), without the minutes the figures' outputs take."""
    import shutil

    raw, out, cache_dir = folder / "raw", folder / "clean-noop", folder / "cache-noop"
    for stale in (out, cache_dir):
        shutil.rmtree(stale, ignore_errors=True)
    make_copies(sorted(RAW.glob("*.pdf")), n, raw)  # the specimens: small files
    code = (
        "import sys; from pathlib import Path; from openness import build as b; "
        "from openness.tooling.bench import _noop_extract; "
        f"r = b.build(Path({str(raw)!r}), Path({str(out)!r}), cache_dir=Path({str(cache_dir)!r}), "
        "extract=_noop_extract, progress=False, stream=sys.stderr); print(r.summary(), file=sys.stderr)"
    )
    command = [sys.executable, "-c", code]
    done, first = run_sampled(command)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"the no-op build failed:\n{done.stderr[-2000:]}")
    return {f"{n} inputs, no-op extractor, outputs written": first, "nothing changed": _nochange_runs(command)}


# ---------------------------------------------------------------------------
# Command line


def print_row(row: dict) -> None:
    if row.get("median_s", "") == "":
        print(f"  {row['corpus']:<34} {row['method']:<10} {row['note']}")
        return
    acc = f"{row['cells_right']}/{row['cells_known']} right, {row['cells_wrong']} wrong" if row["cells_known"] != "" else ""
    ratios = "".join(
        f", {k} {row[k]}x" for k in ("vs_camelot", "vs_camelot_total", "vs_text", "vs_text_total") if row.get(k, "") != ""
    )
    print(
        f"  {row['corpus']:<34} {row['method']:<10} {row['reports']:>5} reports  median {row['median_s']:.3f} s  "
        f"p95 {row['p95_s']:.3f} s  {row['reports_per_s']} reports/s  peak {row['peak_rss_mb']} MB  {acc}{ratios}"
        + (f"  ({row['note']})" if row["note"] else "")
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the figures and write them to bench/results.csv."""
    parser = argparse.ArgumentParser(prog="python -m openness.tooling.bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", nargs="+", type=Path, default=None, help="PDFs or folders (default: ../shared/corpus PDFs and data/raw)"
    )
    parser.add_argument(
        "--generated", type=int, default=0, metavar="N", help="also extract N reports rendered by the specimen renderer"
    )
    parser.add_argument(
        "--rebuild", type=int, default=1000, metavar="N", help="reports in the no-change rebuild (0: skip; default 1000)"
    )
    parser.add_argument(
        "--fresh", type=int, default=40, metavar="K", help="of the rebuild's reports, K left uncached: extracted by workers"
    )
    parser.add_argument(
        "--noop", action="store_true", help="the rebuild's builds with a no-op extractor: the no-change path alone"
    )
    parser.add_argument(
        "--scale-dir", type=Path, default=None, metavar="DIR", help="keep the rebuild's copies in DIR, to reuse them next run"
    )
    parser.add_argument(
        "--methods", nargs="*", default=list(METHODS), choices=METHODS, help="what to measure on the corpus (none: skip)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results CSV (default: bench/results.csv)")
    parser.add_argument(
        "--scans",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also read the scanned reports of ../shared/corpus/producers by OCR (default: yes)",
    )
    args = parser.parse_args(argv)

    groups = {"corpus": corpus_items(args.corpus)} if args.corpus else default_corpus()
    items = [item for group in groups.values() for item in group]
    if not items:
        print("bench: no PDFs in the corpus", file=sys.stderr)
        return 2
    date, host = dt.datetime.now().isoformat(timespec="seconds"), machine()
    print(f"openness bench, {date}, {host}")
    rows: list[dict] = []

    runs = interleaved(list(args.methods), items)
    if not runs:
        groups = {}
    parts = {f"corpus ({len(items)} PDFs)": runs}
    if len(groups) > 1:  # then each producer on its own
        parts |= {
            f"{g} ({len(group)} PDFs)": {
                m: Run(m, [s for s in r.samples if s.group == g], r.peak_rss_mb) for m, r in runs.items()
            }
            for g, group in groups.items()
        }
    for corpus, part in parts.items():
        rows += compared(part, corpus)
    rows.append(in_child(camelot_pages, items))

    if args.generated:
        with tempfile.TemporaryDirectory(prefix="openness-bench-") as tmp:
            start = time.perf_counter()
            generated = render_generated(args.generated, Path(tmp))
            rendering = time.perf_counter() - start
            quarter = max(1, args.generated // 4)
            run = in_child(measure, "openness", generated, (quarter, args.generated))
        rss = run.rss_after
        note = (
            f"peak RSS {rss.get(quarter, 0):.1f} MB after {quarter} reports, {rss.get(args.generated, 0):.1f} MB after "
            f"{args.generated}; rendering took {rendering:.0f} s"
        )
        rows.append(summary(run, f"generated ({args.generated} specimens)", note))

    scans = scan_items() if args.scans else []
    if scans:
        rows.append(scan_row(scans))

    if args.rebuild:
        with tempfile.TemporaryDirectory(prefix="openness-bench-") as tmp:
            folder = args.scale_dir or Path(tmp)
            fresh = min(args.fresh, args.rebuild)
            figures = nochange(args.rebuild, folder) if args.noop else rebuild(items, args.rebuild, folder, fresh)
        for name, measured in figures.items():
            median = f" (the median of {NOCHANGE_RUNS} runs)" if name == "nothing changed" else ""
            rows.append(
                {
                    "corpus": f"build ({args.rebuild} reports{', no-op extractor' if args.noop else ''})",
                    "method": "build",
                    "reports": args.rebuild,
                    "peak_rss_mb": round(measured.peak_mb, 1),
                    "note": f"{name}{median}: {measured.said(SAMPLE_EVERY)}",
                }
            )
    overhead = fork_overhead()
    rows.append({"corpus": "build", "method": "build", "note": f"a child process per file adds {overhead:.1f} ms per file"})

    for row in rows:
        row.update(date=date, machine=host)
        print_row(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if set(args.methods) != set(METHODS) and args.out.exists():  # a partial run replaces only the rows it measured
        with open(args.out, encoding="utf-8", newline="") as f:  # (by corpus and method: the ruled-lines row of a
            measured = {(row["corpus"], row["method"]) for row in rows}  # corpus is not its methods' rows)
            rows = [row for row in csv.DictReader(f) if (row["corpus"], row["method"]) not in measured] + rows
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
