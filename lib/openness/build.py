"""Build data/clean from data/raw: one extraction per input file, cached, parallel, time-limited.

The orchestration of `python -m openness build`. It lists the inputs (from
data/raw/manifest.csv, or every PDF/HTML file in the folder when there is no
manifest, metadata then guessed from the title), refuses what cannot be
extracted with one clear reason (missing file, empty file, duplicate), extracts
every other file in a child process of its own with a time limit (so a hung or
crashing parser costs one file, never the build), caches each extraction by the
file's sha256 and a fingerprint of the extraction code, and hands everything to
`openness.outputs.write_clean` writing into a temporary folder that then
replaces the output folder in one atomic step.

The same per-file function runs on a Dask cluster with `--scheduler ADDRESS`.
"""

from __future__ import annotations

import argparse
import ast
import ctypes
import hashlib
import importlib.metadata
import json
import os
import pickle
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from pathlib import Path

from openness.model import Extraction, Problem

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CACHE = Path(".cache") / "openness"
DEFAULT_TIMEOUT = 120.0
INPUT_SUFFIXES = (".pdf", ".html", ".htm")
MANIFEST = "manifest.csv"
# Distributions whose behaviour shapes an extraction: their versions enter the cache fingerprint.
EXTRACTION_DISTRIBUTIONS = ("camelot-py", "playa-pdf", "pypdfium2", "opencv-python-headless", "beautifulsoup4", "lxml")

ExtractFn = Callable[..., Extraction]


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


# ---------------------------------------------------------------------------
# The per-file job (runs in a child process, locally or on a Dask worker)


@dataclass
class Job:
    """What a child needs to extract one file."""

    report: str
    file: str
    path: str
    guess: bool = False
    extract: ExtractFn | None = None  # None: openness.extract.extract_report


@dataclass
class JobResult:
    """What a child sends back."""

    extraction: Extraction
    guessed: dict[str, str] | None = None
    cacheable: bool = True  # False for time-outs and crashes: try again next build


def sniff_reason(path: Path) -> str:
    """A plain-words reason why a file is not a readable PDF, from its bytes ('' when it looks fine)."""
    size = path.stat().st_size
    if size == 0:
        return "empty file (0 bytes)"
    with open(path, "rb") as f:
        head = f.read(2048)
        f.seek(max(0, size - 2048))
        tail = f.read()
    if path.suffix.lower() == ".pdf":
        if b"%PDF-" not in head[:1024]:
            if b"<html" in head.lower():
                return "not a PDF: the file named .pdf is an HTML page"
            return "not a PDF: the file named .pdf is text" if _looks_text(head) else "not a PDF: no %PDF header"
        if b"/Encrypt" in tail or b"/Encrypt" in head:
            return "encrypted PDF: it cannot be read without its password"
        if b"%%EOF" not in tail:
            return "truncated or corrupt PDF: the file ends before the PDF's end marker"
    return ""


def _looks_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def run_job(job: Job) -> JobResult:
    """Extract one file; any exception becomes a failed extraction with a plain reason."""
    path = Path(job.path)
    start = time.perf_counter()
    guessed = guess_metadata(path) if job.guess else None
    try:
        extract = job.extract
        if extract is None:
            from openness.extract import extract_report as extract
        extraction = extract(path, job.report)
    except Exception as error:  # the extractor's failure on this file, said in plain words
        reason = sniff_reason(path)
        kind = "unreadable" if reason else "error"
        reason = reason or f"the extractor failed on this file ({type(error).__name__}: {str(error)[:200]})"
        extraction = Extraction(report=job.report, file=job.file, problems=[Problem(job.file, kind, reason)])
    seconds = time.perf_counter() - start
    return JobResult(_relabel(extraction, job, seconds), guessed)


def _relabel(extraction: Extraction, job: Job, seconds: float) -> Extraction:
    """Name the extraction by the listed report and file (not the path it was read from)."""
    extraction.report = job.report
    extraction.file = job.file
    for cell in extraction.cells:
        cell.report = job.report
    for problem in extraction.problems:
        problem.file = job.file
    if not extraction.seconds:
        extraction.seconds = round(seconds, 3)
    return extraction


def failed_result(job: Job, kind: str, reason: str, seconds: float) -> JobResult:
    """A failed extraction for a file whose child was stopped or died."""
    extraction = Extraction(report=job.report, file=job.file, problems=[Problem(job.file, kind, reason)], seconds=round(seconds, 3))
    return JobResult(extraction, None, cacheable=False)


# ---------------------------------------------------------------------------
# Worker processes with a time limit per file
#
# Each worker is a fork of this process (the extractor's imports are shared, not
# repeated) that takes one job at a time from a pipe. A worker whose file runs
# past the time limit is killed and replaced; one that crashes costs its file
# only; every MAX_TASKS files a worker is retired, so whatever a parser leaks
# cannot pile up. (A fork per file would be simpler, but a fork of a process
# holding Camelot and OpenCV costs ~20 ms here, as much as a small report.)

MAX_TASKS = 100


@dataclass
class _Worker:
    pid: int
    inbox: Connection  # jobs, parent -> worker
    outbox: Connection  # results, worker -> parent
    done: int = 0
    key: object = None
    job: Job | None = None
    started: float = 0.0
    deadline: float = 0.0


def _serve(inbox: Connection, outbox: Connection) -> None:
    """A worker's loop: run jobs until told to stop (None) or the pipe closes."""
    while True:
        try:
            job = inbox.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            result = run_job(job)
        except BaseException as error:  # noqa: BLE001 - reported to the parent as this file's failure
            result = failed_result(job, "error", f"the extractor failed: {type(error).__name__}: {error}", 0.0)
        try:
            outbox.send(result)
        except Exception as error:  # noqa: BLE001 - a result that cannot be pickled
            outbox.send(failed_result(job, "error", f"the extractor's result could not be sent: {error}", 0.0))


def _spawn(others: list[_Worker]) -> _Worker:
    """Fork a worker (closing its copies of the other workers' pipes)."""
    job_r, job_w = os.pipe()
    result_r, result_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            os.close(job_w)
            os.close(result_r)
            for other in others:
                other.inbox.close()
                other.outbox.close()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _serve(Connection(job_r, writable=False), Connection(result_w, readable=False))
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(job_r)
    os.close(result_w)
    return _Worker(pid, Connection(job_w, readable=False), Connection(result_r, writable=False))


def _reap(worker: _Worker, kill: bool) -> int:
    """Stop a worker (killing it if asked) and return its wait status."""
    if kill:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        try:
            worker.inbox.send(None)
        except OSError:
            pass
    worker.inbox.close()
    worker.outbox.close()
    try:
        return os.waitpid(worker.pid, 0)[1]
    except ChildProcessError:
        return 0


def _died(worker: _Worker, status: int) -> JobResult:
    """The failed result of a file whose worker died under it."""
    assert worker.job is not None
    seconds = time.monotonic() - worker.started
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return failed_result(worker.job, "crash", f"the parser crashed ({name})", seconds)
    return failed_result(worker.job, "crash", f"the parser exited without a result (status {os.waitstatus_to_exitcode(status)})", seconds)


def run_forked(jobs: Iterable[tuple[object, Job]], workers: int, timeout: float) -> Iterator[tuple[object, JobResult]]:
    """Run jobs in `workers` forked worker processes, each file stopped after `timeout` s; yield results as they come."""
    pending = deque(jobs)
    idle: list[_Worker] = []
    busy: dict[Connection, _Worker] = {}
    try:
        while pending or busy:
            while pending and len(busy) < max(1, workers):
                worker = idle.pop() if idle else _spawn(idle + list(busy.values()))
                worker.key, worker.job = pending.popleft()
                try:
                    worker.inbox.send(worker.job)
                except OSError:  # it died while idle: replace it, same job
                    _reap(worker, kill=True)
                    pending.appendleft((worker.key, worker.job))
                    continue
                worker.started = time.monotonic()
                worker.deadline = worker.started + timeout
                busy[worker.outbox] = worker
            wait = max(0.0, min(w.deadline for w in busy.values()) - time.monotonic())
            for conn in mp_wait(list(busy), timeout=wait):
                worker = busy.pop(conn)
                try:
                    result = conn.recv()
                except (EOFError, OSError):
                    yield worker.key, _died(worker, _reap(worker, kill=True))
                    continue
                except Exception as error:  # noqa: BLE001 - a result that cannot be unpickled
                    result = failed_result(worker.job, "crash", f"the extractor's result could not be read ({error})", 0.0)
                worker.done += 1
                if worker.done >= MAX_TASKS:
                    _reap(worker, kill=False)
                else:
                    idle.append(worker)
                yield worker.key, result
            now = time.monotonic()
            for worker in [w for w in busy.values() if w.deadline <= now]:
                del busy[worker.outbox]
                _reap(worker, kill=True)
                message = f"stopped after {timeout:g} s: the parser did not finish within the time limit"
                yield worker.key, failed_result(worker.job, "timeout", message, now - worker.started)
    finally:
        for worker in idle:
            _reap(worker, kill=False)
        for worker in busy.values():  # interrupted: leave no worker behind
            _reap(worker, kill=True)


def preload() -> None:
    """Import the extractor and the libraries it imports lazily, once, before forking workers.

    Camelot, OpenCV and pandas take about a second to import; imported here, every
    forked worker has them already instead of paying for them on its first file.
    """
    import camelot  # noqa: F401
    import openness.extract  # noqa: F401
    import openness.html  # noqa: F401


def run_job_limited(job: Job, timeout: float) -> JobResult:
    """Run one job in a forked child with a time limit: the task a Dask worker runs."""
    if job.extract is None:
        preload()
    results = run_forked([(None, job)], 1, timeout)
    try:
        return next(results)[1]
    finally:
        results.close()


def run_dask(jobs: list[tuple[object, Job]], address: str, timeout: float) -> Iterator[tuple[object, JobResult]]:
    """Run jobs on the Dask cluster at `address`, each in a time-limited child on its worker."""
    from dask.distributed import Client, as_completed

    with Client(address) as client:
        futures = {client.submit(run_job_limited, job, timeout, pure=False): key for key, job in jobs}
        for future in as_completed(futures):
            key = futures[future]
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - a lost worker or a task error costs one file
                job = dict(jobs)[key]
                result = failed_result(job, "error", f"the Dask task failed: {type(error).__name__}: {error}", 0.0)
            future.release()
            yield key, result


# ---------------------------------------------------------------------------
# Cache: one pickled JobResult per (file content, report, extraction code)


def _module_imports(path: Path) -> set[str]:
    """The openness modules a module imports (by reading its source)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[1] for a in node.names if a.name.startswith("openness."))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module.startswith("openness."):
                names.add(module.split(".")[1])
            elif node.level == 0 and module == "openness" or node.level == 1 and not module:
                names.update(a.name for a in node.names)
            elif node.level == 1:
                names.add(module.split(".")[0])
    return {n for n in names if (PACKAGE_DIR / f"{n}.py").exists()}


def extraction_modules(root: str = "extract") -> list[Path]:
    """The source files an extraction depends on: extract.py, the openness modules it imports (transitively), build.py."""
    seen: set[str] = set()
    todo = [root]
    while todo:
        name = todo.pop()
        path = PACKAGE_DIR / f"{name}.py"
        if name in seen or not path.exists():
            continue
        seen.add(name)
        todo.extend(_module_imports(path) - seen)
    seen.add("build")  # run_job shapes the cached result; build's own imports do not
    return sorted(PACKAGE_DIR / f"{n}.py" for n in seen)


def code_fingerprint(extract: ExtractFn | None = None) -> str:
    """A hash of everything an extraction depends on: source, codebook, library versions, extract function."""
    h = hashlib.sha256()
    for path in extraction_modules() + sorted(PACKAGE_DIR.glob("*.csv")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in EXTRACTION_DISTRIBUTIONS:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{dist}={version}\0".encode())
    if extract is not None:
        h.update(f"{extract.__module__}.{extract.__qualname__}".encode())
    return h.hexdigest()


def cache_key(fingerprint: str, item: Input) -> str:
    """The cache key of one input: its content, its name and report id, the extraction code."""
    text = "\0".join([fingerprint, item.sha256, item.report, item.file, str(item.guessed)])
    return hashlib.sha256(text.encode()).hexdigest()


class Cache:
    """Pickled JobResults in a folder, one file per key, written atomically."""

    def __init__(self, folder: Path):
        self.folder = Path(folder) / "extractions"

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> JobResult | None:
        try:
            with open(self._path(key), "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, result: JobResult) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)


# ---------------------------------------------------------------------------
# Atomic replacement of the output folder

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace_dir(new: Path, out: Path) -> None:
    """Put folder `new` in place of `out`, atomically where the system allows, then drop the old one."""
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new)  # now holds the old outputs
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(new, out)
    shutil.rmtree(old)


def tidy_leftovers(out: Path) -> None:
    """Clear what a killed build left beside the output folder (restore it if the swap was cut)."""
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if not out.exists() and olds:
        os.rename(olds.pop(), out)
    for path in olds + sorted(out.parent.glob(f".{out.name}.new-*")):
        pid = path.name.split(".old-" if ".old-" in path.name else ".new-")[-1].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another build is writing there now
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def folder_digest(folder: Path) -> str:
    """A hash of every file in a folder (names and contents)."""
    h = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0")
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            h.update(b"\0")
    return h.hexdigest()


def outputs_fingerprint() -> str:
    """A hash of the whole package's source and data: what turns extractions into outputs."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.glob("*.py")) + sorted(PACKAGE_DIR.glob("*.csv")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


# ---------------------------------------------------------------------------
# Progress


class Progress:
    """A tqdm bar on a terminal; one plain line per file otherwise (CI logs)."""

    def __init__(self, total: int, stream=None, bar: bool | None = None):
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        use_bar = self.stream.isatty() if bar is None else bar
        self.bar = None
        if use_bar:
            import tqdm

            tqdm.tqdm.monitor_interval = 0  # no monitor thread: the build forks children
            self.bar = tqdm.tqdm(total=total, unit="file", file=self.stream, dynamic_ncols=True)

    def update(self, extraction: Extraction, cached: bool, refused: bool = False) -> None:
        """Report one finished file."""
        self.done += 1
        how = "" if refused else " (cached)" if cached else f" ({extraction.seconds:.1f} s)"
        line = f"[{self.done}/{self.total}] {extraction.status:<7} {extraction.file}{how}"
        if extraction.status != "ok" and extraction.reason:
            line += f": {extraction.reason}"
        if self.bar is None:
            print(line, file=self.stream, flush=True)
            return
        if extraction.status != "ok":
            self.bar.write(line, file=self.stream)
        self.bar.set_postfix_str(extraction.file[-30:], refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------------
# The build


@dataclass
class Outcome:
    """One input and what came of it."""

    input: Input
    extraction: Extraction
    cached: bool = False
    final: bool = True  # False after a time-out or a crash: the next build tries the file again


@dataclass
class BuildResult:
    """What a build did: one log row per input (file, report, status, reason)."""

    out: Path
    outcomes: list[Outcome]  # empty when the outputs were up to date (nothing was loaded)
    log: list[dict[str, str]]
    up_to_date: bool = False  # nothing changed: outputs left as they were
    seconds: float = 0.0

    @property
    def failed(self) -> list[dict[str, str]]:
        return [row for row in self.log if row["status"] == "failed"]

    @property
    def extracted(self) -> int:
        return sum(1 for o in self.outcomes if not o.cached and o.input.refused is None)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        counts = {s: sum(1 for row in self.log if row["status"] == s) for s in ("ok", "partial", "failed")}
        cached = sum(1 for o in self.outcomes if o.cached)
        head = f"{len(self.log)} inputs: {counts['ok']} ok, {counts['partial']} partial, {counts['failed']} failed; "
        if self.up_to_date:
            return head + f"nothing changed, outputs in {self.out} up to date ({self.seconds:.1f} s)"
        return head + f"{self.extracted} extracted, {cached} from cache; outputs written to {self.out} in {self.seconds:.1f} s"


def _metadata(item: Input, guessed: dict[str, str] | None) -> dict[str, str]:
    """The metadata row of one report: the manifest's, or what the title says (flagged as guessed)."""
    meta = dict(item.meta)
    meta["report"] = item.report
    meta["file"] = item.file
    if item.guessed:
        meta.update(guessed or {"body": "", "year": ""})
        meta["metadata"] = "guessed from the title"
    listed = meta.pop("sha256_listed", None) or meta.get("sha256", "")
    meta["sha256"] = item.sha256 or listed
    return meta


def _with_input_problems(item: Input, extraction: Extraction) -> Extraction:
    """Add what the build knows about the input file to its extraction's problems."""
    listed = item.meta.get("sha256_listed")
    if listed and not any(p.kind == "sha256_mismatch" for p in extraction.problems):
        extraction.problems.insert(0, Problem(item.file, "sha256_mismatch", f"the file differs from the one the manifest lists (sha256 {listed[:12]}…)"))
    return extraction


def extract_all(
    inputs: list[Input],
    *,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    cache: Cache | None = None,
    force: bool = False,
    scheduler: str | None = None,
    extract: ExtractFn | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Extract every input not refused, from the cache when the file and code are unchanged; in input order."""
    fingerprint = code_fingerprint(extract)
    outcomes: dict[int, Outcome] = {}
    todo: list[tuple[object, Job]] = []
    keys: dict[int, str] = {}

    def done(i: int, result: JobResult, cached: bool) -> None:
        item = inputs[i]
        extraction = _with_input_problems(item, result.extraction)
        outcomes[i] = Outcome(item, extraction, cached, final=result.cacheable or item.refused is not None)
        outcomes[i].input.meta = _metadata(item, result.guessed)
        if progress:
            progress.update(extraction, cached, item.refused is not None)

    for i, item in enumerate(inputs):
        if item.refused is not None:
            done(i, JobResult(Extraction(report=item.report, file=item.file, problems=[item.refused]), None, False), False)
            continue
        keys[i] = cache_key(fingerprint, item)
        hit = None if (force or cache is None) else cache.get(keys[i])
        if hit is not None:
            done(i, hit, True)
        else:
            todo.append((i, Job(item.report, item.file, str(item.path.resolve()), item.guessed, extract)))

    if todo:
        if scheduler:
            results = run_dask(todo, scheduler, timeout)
        else:
            if extract is None:
                preload()
            results = run_forked(todo, jobs or os.cpu_count() or 1, timeout)
        for i, result in results:
            if cache is not None and result.cacheable:
                cache.put(keys[i], result)
            done(i, result, False)
    return [outcomes[i] for i in range(len(inputs))]


def _keep_timings(log: list[dict], previous_log: Path) -> None:
    """Keep the previous build's seconds for every file whose bytes and result are unchanged.

    Timings differ on every run; without this, a fresh clone's `make build`
    could never reproduce the committed data/clean. A file that changed, or
    whose extraction now ends differently, keeps its newly measured seconds.
    """
    import pandas as pd

    try:
        before = pd.read_csv(previous_log, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError):
        return
    if not {"file", "sha256", "status", "reason", "seconds"} <= set(before.columns):
        return
    kept = {(r.file, r.sha256, r.status, r.reason): r.seconds for r in before.itertuples() if r.sha256 and r.seconds}
    for row in log:
        seconds = kept.get((row["file"], row["sha256"], row["status"], row["reason"]))
        if seconds is not None:
            row["seconds"] = float(seconds)


def write_outputs(outcomes: list[Outcome], out: Path) -> None:
    """Check the cells and write every output file into a fresh folder beside `out`, then swap it in."""
    import pandas as pd

    from openness.checks import periods, run_checks
    from openness.outputs import cells_frame, write_clean

    extractions = [o.extraction for o in outcomes]
    manifest = pd.DataFrame([o.input.meta for o in outcomes]).fillna("")
    cells = cells_frame(extractions)
    checks = run_checks(cells, periods(manifest) if {"report", "body", "year"} <= set(manifest.columns) else {})
    log = [{"file": o.extraction.file, "report": o.extraction.report, "sha256": o.input.sha256 or "", "status": o.extraction.status,
            "reason": o.extraction.reason, "seconds": o.extraction.seconds} for o in outcomes]
    _keep_timings(log, out / "extraction_log.csv")

    out.parent.mkdir(parents=True, exist_ok=True)
    # the pid in the name tells tidy_leftovers whether the writer is still alive
    staged = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new-{os.getpid()}-"))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staged, 0o777 & ~umask)  # mkdtemp makes it private; outputs are for everyone
        write_clean(staged, cells, manifest, log, checks)
        replace_dir(staged, out)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def _stamp(inputs: list[Input], fingerprint: str) -> str:
    """A hash of everything the outputs are made from: the inputs as listed, their contents, the code."""
    h = hashlib.sha256(outputs_fingerprint().encode() + fingerprint.encode())
    for item in inputs:
        refused = item.refused.message if item.refused else ""
        h.update(json.dumps([item.report, item.file, item.meta, item.sha256, refused], sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def _log(outcomes: list[Outcome]) -> list[dict[str, str]]:
    return [{"file": o.extraction.file, "report": o.extraction.report, "status": o.extraction.status, "reason": o.extraction.reason} for o in outcomes]


def build(
    raw: Path,
    out: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    scheduler: str | None = None,
    cache_dir: Path | None = DEFAULT_CACHE,
    extract: ExtractFn | None = None,
    progress: bool | None = None,
    stream=None,
) -> BuildResult:
    """Build the output folder from the raw folder; see the module docstring."""
    start = time.perf_counter()
    raw, out = Path(raw), Path(out)
    if not raw.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw}")
    tidy_leftovers(out)
    inputs = read_inputs(raw)
    fingerprint = code_fingerprint(extract)

    # Nothing changed since the last build into `out` (inputs, code, outputs): nothing to do.
    stamp, stamp_file, previous = _stamp(inputs, fingerprint), None, {}
    if cache_dir is not None:
        stamp_file = Path(cache_dir) / "builds" / (hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:32] + ".json")
        try:
            previous = json.loads(stamp_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
    if (not force and previous.get("stamp") == stamp and previous.get("final") and out.is_dir()
            and previous.get("outputs") == folder_digest(out)):
        return BuildResult(out, [], previous["log"], up_to_date=True, seconds=time.perf_counter() - start)

    cache = Cache(cache_dir) if cache_dir is not None else None
    bar = Progress(len(inputs), stream=stream, bar=progress)
    try:
        outcomes = extract_all(inputs, jobs=jobs, timeout=timeout, cache=cache, force=force, scheduler=scheduler, extract=extract, progress=bar)
    finally:
        bar.close()
    write_outputs(outcomes, out)
    log = _log(outcomes)
    if stamp_file is not None:
        stamp_file.parent.mkdir(parents=True, exist_ok=True)
        record = {"stamp": stamp, "outputs": folder_digest(out), "out": str(out.resolve()),
                  "final": all(o.final for o in outcomes), "log": log}
        tmp = stamp_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, stamp_file)
    return BuildResult(out, outcomes, log, seconds=time.perf_counter() - start)


# ---------------------------------------------------------------------------
# Command line


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of `python -m openness build`."""
    parser.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder of input reports, with manifest.csv (default: data/raw)")
    parser.add_argument("--out", type=Path, default=Path("data/clean"), help="output folder, replaced atomically (default: data/clean)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="files extracted at once (default: all cores)")
    parser.add_argument("--force", action="store_true", help="extract every file again and rewrite the outputs, ignoring the cache")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per file before its parser is stopped (default: 120)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None, help="run the extraction on a Dask cluster (e.g. tcp://10.0.0.5:8786)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="cache folder (default: .cache/openness)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run a build from parsed options; the exit status is 1 when any input failed."""
    try:
        result = build(args.raw, args.out, jobs=args.jobs, force=args.force, timeout=args.timeout, scheduler=args.scheduler, cache_dir=args.cache)
    except (FileNotFoundError, ValueError) as error:
        print(f"build: {error}", file=sys.stderr)
        return 2
    print(result.summary(), file=sys.stderr)
    for row in result.failed:
        print(f"failed: {row['file']}: {row['reason']}", file=sys.stderr)
    return result.exit_code


def main(argv: list[str] | None = None) -> int:
    """`python -m openness.build`: the build command on its own."""
    parser = add_arguments(argparse.ArgumentParser(prog="openness build", description="Build data/clean from data/raw."))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
