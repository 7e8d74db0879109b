"""Build data/clean from data/raw: one extraction per input file, cached, parallel, time-limited.

The orchestration of `python -m openness build`. It lists the inputs (from
data/raw/manifest.csv, or every PDF/HTML file in the folder when there is no
manifest), refuses what cannot be extracted with one clear reason (missing
file, empty file, duplicate, not the file the manifest pins by sha256), extracts
every other file in a child process of its own with a time limit (so a hung or
crashing parser costs one file, never the build), caches each extraction by the
file's sha256 and a fingerprint of the extraction code, and hands everything to
`openness.outputs.write_clean` writing into a temporary folder that then
replaces the output folder in one atomic step. Metadata the manifest leaves
blank is completed from the report and marked as guessed, and of two reports of
one body and year one is used (`inputs.complete_metadata`, `inputs.choose_reports`),
each said in one warning line. With `--notebooks`, the notebooks are executed
again whenever the outputs changed, even when an input failed
(`openness.notebooks`).

The same per-file function runs on a Dask cluster with `--scheduler ADDRESS`.
The parts live in their own modules: `inputs` (listing and vetting),
`workers` (time-limited extraction, forked or on Dask), `cache` (the
extraction cache and code fingerprint), `swap` (the atomic folder swap).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from openness.cache import Cache, cache_key, code_fingerprint
from openness.inputs import (
    MAX_BYTES,
    Input,
    choose_reports,
    complete_metadata,
    guess_warning,
    known_bodies,
    read_inputs,
    without_navigation,
)
from openness.model import Extraction, Problem
from openness.notebooks import Refresh
from openness.swap import folder_state, replace_dir, tidy_leftovers
from openness.workers import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, ExtractFn, Job, JobResult, Limits, preload, run_dask, run_forked

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CACHE = Path(".cache") / "openness"
DEBUG_LOG = "debug.log"  # in the cache folder: what the parsers printed, file by file
# Written into every output folder: the files a build wrote there, so that a later build
# replaces only a folder of its own (never the raw folder, notebooks or a user's files).
MARKER = ".openness-build"
MARKER_HEAD = "Written by `python -m openness build`, which replaces this whole folder on every build. Its files:\n"


class OutRefused(ValueError):
    """An output folder the build will not replace, with the reason in one line."""


def _own_files(out: Path) -> set[str] | None:
    """The files a build wrote in `out`: what its marker lists, and what this version writes (None: no marker)."""
    from openness.dictionary import file_fields

    try:
        text = (out / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith(MARKER_HEAD):
        return None
    return set(text[len(MARKER_HEAD) :].splitlines()) | set(file_fields()) | {MARKER, "README.md", "datapackage.json"}


def check_out(raw: Path, out: Path, cache_dir: Path | None = None) -> None:
    """Refuse (OutRefused) an output folder whose replacement would destroy what the build did not write."""
    real_raw, real_out = raw.resolve(), out.resolve()
    if real_out == real_raw:
        raise OutRefused(f"refusing --out {out}: it is the raw folder; choose a new or empty folder")
    if real_raw.is_relative_to(real_out):
        raise OutRefused(f"refusing --out {out}: it contains the raw folder {raw}, which replacing it would delete")
    if real_out.is_relative_to(real_raw):
        raise OutRefused(f"refusing --out {out}: it lies inside the raw folder {raw}; choose a folder outside it")
    if cache_dir is not None and Path(cache_dir).resolve().is_relative_to(real_out):
        raise OutRefused(f"refusing --out {out}: it contains the cache folder {cache_dir}")
    parent = out.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutRefused(f"refusing --out {out}: the folder {parent} cannot be written (read-only)")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutRefused(f"refusing --out {out}: it is a file, not a folder")
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutRefused(f"refusing --out {out}: it is read-only, and replacing it would leave a folder nobody can delete")
    refuse_foreign(out)


def refuse_foreign(out: Path, during: Path | None = None) -> set[str]:
    """Refuse (OutRefused) an output folder that holds a file no build wrote: checked before the build, and again as
    its outputs take the folder's place (`during`: the --out whose old folder `out` now is, a file put there while the
    build ran). The files it holds, all a build's own, are returned."""
    if during is not None and (out.is_symlink() or not out.is_dir()):
        raise OutRefused(f"refusing to replace --out {during}: something else was put in its place during the build; it is kept")
    if not out.is_dir():
        return set()
    try:
        present = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    except OSError as error:
        raise OutRefused(f"refusing --out {out}: cannot list what it holds ({error.strerror})") from error
    if not present:
        return set()
    own = _own_files(out)
    foreign = present if own is None else [name for name in present if name not in own]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        if during is not None:
            raise OutRefused(
                f"refusing to replace --out {during}: files were put in it during the build ({shown}); the previous "
                "outputs are as they were: move the files away and build again (the extractions are cached)"
            )
        why = (
            f"it holds files this build did not write ({shown})"
            if own is not None
            else f"it holds files and no {MARKER} marker of an earlier build ({shown})"
        )
        raise OutRefused(f"refusing --out {out}: {why}; choose a new or empty folder, or move them away")
    return set(present)


def write_marker(folder: Path) -> None:
    """List every file of a freshly written output folder in its marker."""
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    (folder / MARKER).write_text(MARKER_HEAD + "".join(f"{n}\n" for n in names), encoding="utf-8")


# ---------------------------------------------------------------------------
# Progress

CONSOLE_WIDTH = 2000  # characters of one console line at most
# control characters (C0, DEL, C1: U+009B starts a terminal escape in some terminals), line and paragraph separators,
# and the marks that turn text right to left (U+202E shows `fdp.exe` as `exe.pdf`): never printed as they are
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """A text as one console line: line breaks and control characters as spaces, cut at CONSOLE_WIDTH."""
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= CONSOLE_WIDTH else text[: CONSOLE_WIDTH - 1] + "…"


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
        line = one_line(line)
        if self.bar is None:
            print(line, file=self.stream, flush=True)
            return
        if extraction.status != "ok":
            self.bar.write(line, file=self.stream)
        self.bar.set_postfix_str(one_line(extraction.file[-30:]), refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------------
# The build


@dataclass
class Outcome:
    """One input and what came of it: its log row, and its extraction, held here or read again from the cache.

    A build of many thousand reports cannot hold every figure at once: an extraction the cache holds is let go
    once its row is known and read again when the outputs are written.
    """

    input: Input
    held: Extraction | None  # None: the cache holds it under `key`
    cached: bool = False
    final: bool = True  # False after a crash: the next build tries the file again
    row: dict = field(default_factory=dict)  # the extraction's file, report, status, reason, seconds
    cache: Cache | None = None
    key: str = ""
    title: dict[str, str] | None = None  # body and year as the report's title prints them (read when the manifest omits them)
    left_out: str = ""  # why this report is not used (replaced, or the same body and year as the one used)
    template: str | None = None  # what `settle` needs of the extraction, kept so that it reads none from the cache
    figures: int = 0  # how many cells the extraction has

    @property
    def extraction(self) -> Extraction:
        """The whole extraction, with what the build knows about the input among its problems."""
        if self.held is not None:
            return self.held
        hit = self.cache.get(self.key) if self.cache is not None else None
        if hit is None:
            raise OSError(errno.ENOENT, "the extraction cache lost this file's extraction; build again", self.input.file)
        return _with_input_problems(self.input, hit.extraction)


@dataclass
class BuildResult:
    """What a build did: one log row per input (file, report, status, reason)."""

    out: Path
    outcomes: list[Outcome]  # empty when the outputs were up to date (nothing was loaded)
    log: list[dict[str, str]]
    up_to_date: bool = False  # nothing changed: outputs left as they were
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # guessed metadata, reports left out: one line each
    notebooks: Refresh | None = None  # what became of the notebooks (build with notebooks=…)

    @property
    def failed(self) -> list[dict[str, str]]:
        return [row for row in self.log if row["status"] == "failed"]

    @property
    def extracted(self) -> int:
        return sum(1 for o in self.outcomes if not o.cached and o.input.refused is None)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or (self.notebooks is not None and self.notebooks.failed) else 0

    def summary(self) -> str:
        counts = {s: sum(1 for row in self.log if row["status"] == s) for s in ("ok", "partial", "failed", LEFT_OUT)}
        cached = sum(1 for o in self.outcomes if o.cached)
        left = f", {counts[LEFT_OUT]} left out" if counts[LEFT_OUT] else ""
        head = f"{len(self.log)} inputs: {counts['ok']} ok, {counts['partial']} partial, {counts['failed']} failed{left}; "
        if self.up_to_date:
            return head + f"nothing changed, outputs in {self.out} up to date ({self.seconds:.1f} s)"
        return head + f"{self.extracted} extracted, {cached} from cache; outputs written to {self.out} in {self.seconds:.1f} s"


def _metadata(item: Input) -> dict[str, str]:
    """The metadata row of one report as listed: the manifest's row (none without a manifest), its id, file and sha256."""
    meta = dict(item.meta)
    meta["report"] = item.report
    meta["file"] = item.file
    meta.pop("source_url_refused", None)
    meta["sha256"] = item.sha256 or meta.get("sha256", "")
    return meta


def settle(outcomes: list[Outcome]) -> list[str]:
    """Complete every report's metadata from the report itself and choose one report of each body and year; the warnings.

    Known bodies (to match a guessed name to) are bodies.csv's and those the manifest's rows name; a name is also matched
    to the one that another report's title prints with its city before it (洪泽区人民政府 2023, 淮安市洪泽区人民政府 2024).
    """
    known = known_bodies([o.input.meta for o in outcomes])
    printed = {without_navigation(o.title.get("body", "")) for o in outcomes if o.title} - {""}
    warnings = []
    for o in outcomes:
        o.input.meta = complete_metadata(o.input.meta, o.title, o.template, known, printed)
        line = guess_warning(o.input.meta, o.title) if o.figures else ""
        if line:
            warnings.append(line)
    left, chosen = choose_reports(
        [o.input.meta for o in outcomes], [o.row["status"] for o in outcomes], [o.figures for o in outcomes]
    )
    for i, why in left.items():
        outcomes[i].left_out = why
    return warnings + chosen


def _with_input_problems(item: Input, extraction: Extraction) -> Extraction:
    """Add what the build knows about the input file to its extraction's problems."""
    url = item.source_url_refused
    if url and not any(p.kind == "source_url" for p in extraction.problems):
        shown = url if len(url) <= 60 else url[:60] + "…"
        extraction.problems.insert(
            0, Problem(item.file, "source_url", f"source_url left out: not an http(s) address ({shown!r})")
        )
    return extraction


def extract_all(
    inputs: list[Input],
    *,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    debug_log: str | None = None,
    cache: Cache | None = None,
    force: bool = False,
    scheduler: str | None = None,
    extract: ExtractFn | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Extract every input not refused, from the cache when the file and code are unchanged; in input order.

    A file stopped by a limit is cached under the limits too: with the same limits it is not tried again.
    """
    fingerprint = code_fingerprint(extract)
    limits = Limits(timeout, memory_mb)
    outcomes: dict[int, Outcome] = {}
    todo: list[tuple[object, Job]] = []
    keys: dict[int, str] = {}

    def done(i: int, result: JobResult, cached: bool, stored: str = "") -> None:
        """One input's outcome; `stored`: the cache key its extraction lies under (then not held in memory)."""
        item = inputs[i]
        extraction = _with_input_problems(item, result.extraction)
        row = {k: getattr(extraction, k) for k in ("file", "report", "status", "reason", "seconds")}
        final = result.cacheable or bool(result.limit) or item.refused is not None
        held = None if stored else extraction
        outcomes[i] = Outcome(
            item,
            held,
            cached,
            final,
            row,
            cache if stored else None,
            stored,
            title=result.guessed,
            template=extraction.template,
            figures=len(extraction.cells),
        )
        outcomes[i].input.meta = _metadata(item)
        if progress:
            progress.update(extraction, cached, item.refused is not None)

    for i, item in enumerate(inputs):
        if item.refused is not None:
            done(i, JobResult(Extraction(report=item.report, file=item.file, problems=[item.refused]), None, False), False)
            continue
        keys[i] = cache_key(fingerprint, item)
        hit, stored = None, ""
        if not force and cache is not None:
            for stored in (keys[i], limited_key(keys[i], limits)):
                if (hit := cache.get(stored)) is not None:
                    break
        if hit is not None:
            done(i, hit, True, stored)
        else:
            todo.append((i, Job(item.report, item.file, str(item.path.resolve()), item.guess, extract)))

    if todo:
        if scheduler:
            results = run_dask(todo, scheduler, timeout, memory_mb)
        else:
            if extract is None:
                preload()
            results = run_forked(todo, jobs or os.cpu_count() or 1, timeout, memory_mb, debug_log)
        for i, result in results:
            stored = ""
            if cache is not None and (result.cacheable or result.limit):
                key = keys[i] if result.cacheable else limited_key(keys[i], limits)
                cache.put(key, result)
                stored = "" if cache.warning else key
            done(i, result, False, stored)
    return [outcomes[i] for i in range(len(inputs))]


def limited_key(key: str, limits: Limits) -> str:
    """The cache key of a file stopped by a limit: its key and the limits (other limits try it again)."""
    return hashlib.sha256(f"{key}\0limits {limits.seconds!r} {limits.memory_mb!r}".encode()).hexdigest()


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


def write_outputs(outcomes: list[Outcome], out: Path) -> list[str]:
    """Check the cells and write every output file into a fresh folder beside `out`, then swap it in; the notes on how
    they were written (a table split over Excel sheets), one line each.

    The extractions are read (from the cache) a few hundred reports at a time: see outputs.write_clean_streamed.
    """
    import pandas as pd

    from openness import outputs

    used = [o for o in outcomes if not o.left_out]  # a report left out is in the log only
    manifest = pd.DataFrame([o.input.meta for o in used], columns=["report"] if not used else None).fillna("")
    log = [dict(row, sha256=o.input.sha256 or "", seconds=o.row["seconds"]) for o, row in zip(outcomes, _log(outcomes))]
    _keep_timings(log, out / "extraction_log.csv")
    by_report: dict[str, list[int]] = {}
    for i, o in enumerate(outcomes):
        if not o.left_out:
            by_report.setdefault(o.input.report, []).append(i)

    def load(reports: list[str]) -> list[Extraction]:
        return [outcomes[i].extraction for i in sorted(i for r in reports for i in by_report.get(r, []))]

    out.parent.mkdir(parents=True, exist_ok=True)
    # the pid in the name tells tidy_leftovers whether the writer is still alive
    staged = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new-{os.getpid()}-"))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staged, 0o777 & ~umask)  # mkdtemp makes it private; outputs are for everyone
        notes: list[str] = []
        outputs.write_clean_streamed(staged, manifest, log, load, notes=notes)
        write_marker(staged)
        # a file put there while the build ran is never deleted: what is replaced is checked once it is out of reach
        kept = replace_dir(staged, out, check_old=lambda old: refuse_foreign(old, during=out))
        if kept is not None:
            notes.append(f"files put into the old outputs as they were replaced are kept, with them, in {kept}")
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return notes


def outputs_fingerprint() -> str:
    """A hash of the whole package's source and data: what turns extractions into outputs."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.glob("*.py")) + sorted(PACKAGE_DIR.glob("*.csv")) + sorted(PACKAGE_DIR.glob("*.md")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _stamp(inputs: list[Input], fingerprint: str) -> str:
    """A hash of everything the outputs are made from: the inputs as listed, their contents, the code."""
    h = hashlib.sha256(outputs_fingerprint().encode() + fingerprint.encode())
    for item in inputs:
        refused = item.refused.message if item.refused else ""
        h.update(json.dumps([item.report, item.file, item.meta, item.sha256, refused], sort_keys=True).encode())
    return h.hexdigest()


HASHES = "hashes.json"  # in the cache folder: each input's sha256 by path, with the file's state when it was read


class HashMemo:
    """The sha256 of each input as last read, kept in the cache folder, so that a no-change rebuild of thousands of
    reports reads no file again (inputs.known_sha256 says when a file is unchanged)."""

    def __init__(self, path: Path | None):
        self.path, self.known = path, None
        if path is not None:
            try:
                self.known = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.known = {}
            if not isinstance(self.known, dict):
                self.known = {}
        self.before = dict(self.known or {})

    def save(self, inputs: list[Input]) -> None:
        """Write the memo of these inputs when it changed; a cache that cannot be written costs the next build a
        reading, nothing else."""
        if self.path is None:
            return
        listed = {os.path.abspath(item.path) for item in inputs}
        self.known = {path: known for path, known in self.known.items() if path in listed}
        if self.known == self.before:
            return
        tmp = self.path.with_suffix(".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(self.known, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _debug_log(cache_dir: Path | None) -> str | None:
    """A fresh debug log in the cache folder, for what the parsers print (None: discarded)."""
    if cache_dir is None:
        return None
    path = Path(cache_dir) / DEBUG_LOG
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    except OSError:
        return None
    return str(path)


LEFT_OUT = "left_out"  # the log's status of a report not used (see inputs.choose_reports)


def _log(outcomes: list[Outcome]) -> list[dict[str, str]]:
    """One row per input: file, report, status (ok, partial, failed, left_out) and reason."""
    return [
        {
            "file": o.row["file"],
            "report": o.row["report"],
            "status": LEFT_OUT if o.left_out else o.row["status"],
            "reason": o.left_out or o.row["reason"],
        }
        for o in outcomes
    ]


def build(
    raw: Path,
    out: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    scheduler: str | None = None,
    cache_dir: Path | None = DEFAULT_CACHE,
    extract: ExtractFn | None = None,
    progress: bool | None = None,
    stream=None,
    max_bytes: int = MAX_BYTES,
    outside: bool = False,
    notebooks: Path | None = None,
) -> BuildResult:
    """Build the output folder from the raw folder, then execute the notebooks in `notebooks` again when the outputs
    changed (even when an input failed); see the module docstring."""
    start = time.perf_counter()
    raw, out = Path(raw), Path(out)
    if raw.is_file():
        raise FileNotFoundError(
            f"--raw {raw} is a file: give the folder that holds the reports (and their manifest.csv), e.g. --raw {raw.parent}"
        )
    if not raw.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw}")
    if out.is_symlink():  # a shared drive linked in: write there, keep the link
        out = Path(os.path.realpath(out))
    options = _options(raw, out, timeout, memory_mb, max_bytes, outside, extract)
    seen: Seen | None = None
    if not force and cache_dir is not None:  # nothing changed? told from the file system alone, before any heavy import
        with lock_out(out):
            done, seen = _unchanged(raw, out, cache_dir, options, start, stream)
            if done is not None:
                if notebooks is not None:
                    check_notebooks(Path(notebooks), out)
                    done.notebooks = refresh_notebooks(Path(notebooks), out, cache_dir)
                return done
    check_out(raw, out, cache_dir)
    if notebooks is not None:
        check_notebooks(Path(notebooks), out)
    with lock_out(out):
        result = _build_locked(
            raw,
            out,
            start,
            options=options,
            seen=seen,
            jobs=jobs,
            force=force,
            timeout=timeout,
            memory_mb=memory_mb,
            scheduler=scheduler,
            cache_dir=cache_dir,
            extract=extract,
            progress=progress,
            stream=stream,
            max_bytes=max_bytes,
            outside=outside,
        )
        if notebooks is not None:
            result.notebooks = refresh_notebooks(Path(notebooks), out, cache_dir)
        return result


def check_notebooks(folder: Path, out: Path) -> None:
    """Refuse (ValueError) a notebook folder without notebooks, or whose notebooks read another folder than `out`."""
    from openness.notebooks import notebook_files, reads

    if not notebook_files(folder):
        raise ValueError(f"--notebooks {folder}: no notebooks (*.ipynb) there")
    if reads(folder).resolve() != out.resolve():
        raise ValueError(
            f"--notebooks {folder}: its notebooks read {reads(folder)}, not --out {out}; build into that folder or leave out --notebooks"
        )


@dataclass
class Seen:
    """The raw folder as the file system showed it before a build read any input (see openness.unchanged)."""

    state: str | None  # None: a file changed too recently to be sure of it
    walked: set[str]  # the paths the walk met

    def record(self, raw: Path, inputs: list[Input]) -> dict:
        """What the build record keeps of it: the state, and the inputs the walk did not meet (stated next time)."""
        root = os.path.realpath(raw)
        keys = (_walk_key(root, raw, item) for item in inputs)
        return {"quick": self.state, "elsewhere": sorted({k for k in keys if k not in self.walked})}


def _walk_key(root: str, raw: Path, item: Input) -> str:
    """An input's path as the walk of the raw folder (its real path `root`) names it."""
    try:
        return os.path.join(root, Path(item.path).relative_to(raw).as_posix())
    except ValueError:  # an absolute path in the manifest
        return os.fspath(item.path)


def _options(raw: Path, out: Path, timeout: float, memory_mb: int, max_bytes: int, outside: bool, extract) -> str:
    """The options that shape the outputs, as one text for the no-change check."""
    name = "" if extract is None else f"{extract.__module__}.{extract.__qualname__}"
    parts = [os.path.realpath(raw), os.path.realpath(out), repr(float(timeout)), repr(int(memory_mb))]
    return "\0".join([*parts, str(max_bytes), str(bool(outside)), name])


def _seen(raw: Path, cache_dir: Path, options: str, previous: dict) -> Seen:
    """The raw folder, the inputs the last build read outside it, the code and the options, hashed from the file system."""
    from openness.cache import EXTRACTION_DISTRIBUTIONS
    from openness.unchanged import state

    walked: set[str] = set()
    elsewhere = previous.get("elsewhere") if isinstance(previous.get("elsewhere"), list) else []
    quick = state(raw, elsewhere, options, EXTRACTION_DISTRIBUTIONS, skip=[cache_dir], walked=walked)
    return Seen(quick, walked)


def _unchanged(
    raw: Path, out: Path, cache_dir: Path, options: str, start: float, stream
) -> tuple[BuildResult | None, Seen | None]:
    """The last build's result when nothing it read changed and its outputs are as it wrote them (no input is read,
    pandas is not imported); else None, with what the file system showed (for the build to record)."""
    previous = _read_record(_stamp_file(cache_dir, out))
    if not previous.get("quick") or not previous.get("final") or not isinstance(previous.get("log"), list) or not out.is_dir():
        return None, None
    seen = _seen(raw, cache_dir, options, previous)
    if seen.state != previous["quick"] or previous.get("outputs") != folder_state(out):
        return None, seen
    warnings = previous.get("warnings", [])
    _say_warnings(warnings, stream)
    return BuildResult(out, [], previous["log"], up_to_date=True, seconds=time.perf_counter() - start, warnings=warnings), seen


def _stamp_file(cache_dir: Path | None, out: Path) -> Path | None:
    """Where the build records what it last wrote into `out` (None without a cache)."""
    if cache_dir is None:
        return None
    return Path(cache_dir) / "builds" / (hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:32] + ".json")


def _read_record(stamp_file: Path | None) -> dict:
    if stamp_file is None:
        return {}
    try:
        return json.loads(stamp_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_record(stamp_file: Path | None, record: dict) -> None:
    """Record a build (atomically); a record that cannot be written only costs the next build its shortcut."""
    if stamp_file is None:
        return
    tmp = stamp_file.with_suffix(".tmp")
    try:
        stamp_file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, stamp_file)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _notebooks_stamp(folder: Path, out: Path) -> str:
    """A hash of what executed notebooks show: the outputs, the package (charts, stories) and the notebooks themselves."""
    from openness.notebooks import notebook_files

    h = hashlib.sha256(f"{folder_state(out)} {outputs_fingerprint()}".encode())
    for notebook in notebook_files(folder):
        h.update(notebook.name.encode() + b"\0" + notebook.read_bytes() + b"\0")
    return h.hexdigest()


def refresh_notebooks(folder: Path, out: Path, cache_dir: Path | None) -> Refresh:
    """Execute the notebooks again unless they were executed, as they are, on the outputs and code as they are now."""
    from openness.notebooks import execute, notebook_files

    stamp_file = _stamp_file(cache_dir, out)
    record = _read_record(stamp_file)
    if record.get("notebooks") == _notebooks_stamp(folder, out):
        return Refresh(up_to_date=True)
    log = Path(cache_dir) / DEBUG_LOG if cache_dir is not None else None
    done = execute(notebook_files(folder), log if log is not None and log.exists() else None)
    if not done.failed and record:  # a notebook that failed is tried again by the next build
        _write_record(stamp_file, dict(record, notebooks=_notebooks_stamp(folder, out)))
    return done


@contextlib.contextmanager
def lock_out(out: Path):
    """Hold the output folder for one build: a second build writing there at the same time is refused.

    The lock is a file `.NAME.lock` beside the folder, found by its real path, so two builds writing one folder meet
    there whatever their cache, working folder or environment; the build that made it removes it when done (a build
    that opened it just before is told by its inode, and locks the new one; an empty one left by a killed build is
    removed too, a user's file of that name used and left). The parent folder itself is locked when the file cannot be made or opened.
    """
    real = out.resolve()
    real.parent.mkdir(parents=True, exist_ok=True)
    path = real.parent / f".{real.name}.lock"
    while True:
        made, whole_folder = False, False
        try:  # made here (removed when done), or already there: a running build's, a killed one's or a user's (left)
            fd, made = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o666), True
        except FileExistsError:
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:  # removed just now by the build that made it
                continue
            except OSError:
                fd, whole_folder = os.open(real.parent, os.O_RDONLY), True
        except OSError:
            fd, whole_folder = os.open(real.parent, os.O_RDONLY), True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise OutRefused(
                    f"refusing --out {out}: another build is writing it now; run again when it has finished"
                ) from error
            raise
        try:
            if whole_folder:
                break
            held = os.fstat(fd)
            if held.st_ino == os.stat(path).st_ino:
                made = made or held.st_size == 0  # an empty one a killed build left: removed when done
                break
        except FileNotFoundError:  # removed by the build that held it: lock the next one
            pass
        os.close(fd)
    try:
        yield
    finally:
        if made:
            with contextlib.suppress(OSError):
                os.unlink(path)
        os.close(fd)


def _build_locked(
    raw: Path,
    out: Path,
    start: float,
    *,
    options: str,
    seen: Seen | None,
    jobs,
    force,
    timeout,
    memory_mb,
    scheduler,
    cache_dir,
    extract,
    progress,
    stream,
    max_bytes,
    outside,
) -> BuildResult:
    """The build proper, with the output folder held (see `build`)."""
    tidy_leftovers(out)
    notes: list[str] = []
    stamp_file = _stamp_file(cache_dir, out)
    previous = _read_record(stamp_file)
    if seen is None and cache_dir is not None:  # taken before any input is read: a file changed meanwhile shows next time
        seen = _seen(raw, cache_dir, options, previous)
    hashes = HashMemo(Path(cache_dir) / HASHES if cache_dir is not None else None)
    inputs = read_inputs(raw, max_bytes=max_bytes, outside=outside, notes=notes, hashes=hashes.known)
    hashes.save(inputs)
    for note in notes:
        print(one_line(f"note: {note}"), file=stream or sys.stderr)
    if not inputs:  # nothing to build from: the outputs there are kept
        listed = "its manifest.csv lists none" if (raw / "manifest.csv").exists() else "it holds no PDF or HTML file"
        raise ValueError(f"no reports in {raw}: {listed}; put the reports there (data/raw/README.md says how)")
    fingerprint = code_fingerprint(extract)

    # Nothing changed since the last build into `out` (inputs, code, outputs): nothing to do.
    stamp = _stamp(inputs, f"{fingerprint} {Limits(timeout, memory_mb)}")
    quick = seen.record(raw, inputs) if seen is not None else {}
    if (
        not force
        and previous.get("stamp") == stamp
        and previous.get("final")
        and out.is_dir()
        and previous.get("outputs") == folder_state(out)
    ):
        if any(previous.get(k) != v for k, v in quick.items()):  # touched, not changed: the next build knows it sooner
            _write_record(stamp_file, dict(previous, **quick))
        warnings = previous.get("warnings", [])
        _say_warnings(warnings, stream)
        return BuildResult(out, [], previous["log"], up_to_date=True, seconds=time.perf_counter() - start, warnings=warnings)

    cache = Cache(cache_dir) if cache_dir is not None else None
    debug_log = _debug_log(cache_dir)
    bar = Progress(len(inputs), stream=stream, bar=progress)
    try:
        outcomes = extract_all(
            inputs,
            jobs=jobs,
            timeout=timeout,
            memory_mb=memory_mb,
            debug_log=debug_log,
            cache=cache,
            force=force,
            scheduler=scheduler,
            extract=extract,
            progress=bar,
        )
    finally:
        bar.close()
    warnings = settle(outcomes)
    _say_warnings(warnings, stream)
    for note in write_outputs(outcomes, out):
        print(one_line(f"note: {note}"), file=stream or sys.stderr)
    log = _log(outcomes)
    if cache is not None and cache.warning:
        print(one_line(f"warning: {cache.warning}"), file=stream or sys.stderr)
    record = {
        "stamp": stamp,
        "outputs": folder_state(out),
        "out": str(out.resolve()),
        "final": all(o.final for o in outcomes),
        "log": log,
        "warnings": warnings,
        **quick,
    }
    if "notebooks" in previous:  # still current when the outputs were rewritten as they were (see refresh_notebooks)
        record["notebooks"] = previous["notebooks"]
    _write_record(stamp_file, record)  # the next build then rebuilds from what the cache holds: nothing lost
    return BuildResult(out, outcomes, log, seconds=time.perf_counter() - start, warnings=warnings)


def _say_warnings(warnings: list[str], stream) -> None:
    if warnings:  # one write: a national build can repeat 20,000 of them
        print("\n".join(one_line(f"warning: {line}") for line in warnings), file=stream or sys.stderr)


# ---------------------------------------------------------------------------
# Command line


def add_limit_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The limits of one file's extraction, shared by `build` and `extract`."""
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds allowed per file before its parser is stopped (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=DEFAULT_MEMORY_MB,
        metavar="MB",
        help=f"memory (address space) a file's parser may take before it is stopped; 0: no limit (default: {DEFAULT_MEMORY_MB})",
    )
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of `python -m openness build`."""
    parser.add_argument(
        "--raw", type=Path, default=Path("data/raw"), help="folder of input reports, with manifest.csv (default: data/raw)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("data/clean"), help="output folder, replaced atomically (default: data/clean)"
    )
    parser.add_argument("--jobs", "-j", type=int, default=None, help="files extracted at once (default: all cores)")
    parser.add_argument(
        "--force", action="store_true", help="extract every file again and rewrite the outputs, ignoring the cache"
    )
    add_limit_arguments(parser)
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", default=None, help="run the extraction on a Dask cluster (e.g. tcp://10.0.0.5:8786)"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="cache folder (default: .cache/openness)")
    parser.add_argument(
        "--max-size",
        type=float,
        default=MAX_BYTES / 2**20,
        metavar="MB",
        help=f"refuse input files larger than this, unread (default: {MAX_BYTES // 2**20} MB)",
    )
    parser.add_argument(
        "--allow-outside-raw",
        action="store_true",
        help="read manifest paths and links that lead outside the raw folder (refused by default)",
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        metavar="FOLDER",
        default=None,
        help="then execute the notebooks in FOLDER again whenever the outputs changed, even when an input failed "
        "(they read the project's data/clean, which --out must then be); `make build` passes notebooks/",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Run a build from parsed options; the exit status is 1 when any input failed."""
    # what an error leaves to the garbage collector (a workbook's half-written sheets) adds no traceback to its one line
    sys.unraisablehook = lambda unraisable: None
    try:
        result = build(
            args.raw,
            args.out,
            jobs=args.jobs,
            force=args.force,
            timeout=args.timeout,
            memory_mb=args.memory,
            scheduler=args.scheduler,
            cache_dir=args.cache,
            max_bytes=int(args.max_size * 2**20),
            outside=args.allow_outside_raw,
            notebooks=getattr(args, "notebooks", None),
        )
    except (FileNotFoundError, ValueError) as error:
        print(one_line(f"build: {error}"), file=sys.stderr)  # it may name a user's file: one line whatever its name
        return 2
    except KeyboardInterrupt:
        print("build: interrupted; the previous outputs are as they were", file=sys.stderr)
        return 130
    except OSError as error:  # a full disk, a read-only folder …: the outputs are not replaced
        where = f" {error.filename}" if error.filename else ""
        print(
            one_line(f"build: cannot write{where}: {error.strerror or error}; the previous outputs are as they were"),
            file=sys.stderr,
        )
        return 3
    except Exception as error:  # noqa: BLE001 - no traceback reaches the user; the status says it was not the inputs
        print(
            one_line(f"build: internal error ({type(error).__name__}: {error}); the previous outputs are as they were"),
            file=sys.stderr,
        )
        return 3
    print(one_line(result.summary()), file=sys.stderr)
    for row in result.failed:
        print(one_line(f"failed: {row['file']}: {row['reason']}"), file=sys.stderr)
    if result.notebooks is not None:
        from openness.notebooks import said

        for line in said(result.notebooks, [row["file"] for row in result.failed], result.out):
            print(one_line(line), file=sys.stderr)
    return result.exit_code


def main(argv: list[str] | None = None) -> int:
    """`python -m openness.build`: the build command on its own."""
    parser = add_arguments(argparse.ArgumentParser(prog="openness build", description="Build data/clean from data/raw."))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
