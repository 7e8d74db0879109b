"""Running extractions, one file per job, each with a time limit: in forked worker processes, or on a Dask cluster.

A hung or crashing parser costs its file only, never the build; any failure comes back as a failed extraction with a plain reason.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from pathlib import Path

from openness.inputs import guess_metadata
from openness.model import Extraction, Problem, stamp

ExtractFn = Callable[..., Extraction]
DEFAULT_TIMEOUT = 120.0  # seconds a file may take
DEFAULT_MEMORY_MB = (
    6144  # address space a worker may take (~0.8 GB of libraries before a file, ~1.9 GB at the peak of a real report)
)


@dataclass(frozen=True)
class Limits:
    """What one extraction may take: seconds of wall-clock time, MB of address space (0: no limit)."""

    seconds: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB

    def __str__(self) -> str:
        """The limits as the build stamps them: '120 s, 6144 MB'."""
        return f"{self.seconds:g} s, {self.memory_mb} MB"


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
    limit: str = ""  # 'timeout' or 'memory' when a limit stopped it: kept under the limits, tried again with others


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
    except MemoryError:
        extraction = memory_failure(job.file, job.report)
        extraction.seconds = round(time.perf_counter() - start, 3)
        return JobResult(extraction, guessed, cacheable=False, limit="memory")
    except Exception as error:  # the extractor's failure on this file, said in plain words
        reason = sniff_reason(path)
        kind = "unreadable" if reason else "error"
        reason = reason or f"the extractor failed on this file ({type(error).__name__}: {str(error)[:200]})"
        extraction = Extraction(report=job.report, file=job.file, problems=[Problem(job.file, kind, reason)])
    seconds = time.perf_counter() - start
    # named by the listed report and file, not the path it was read from
    stamp(extraction, job.report, job.file)
    if not extraction.seconds:
        extraction.seconds = round(seconds, 3)
    return JobResult(extraction, guessed)


def failed_result(job: Job, kind: str, reason: str, seconds: float, limit: str = "") -> JobResult:
    """A failed extraction for a file whose child was stopped or died."""
    extraction = Extraction(
        report=job.report, file=job.file, problems=[Problem(job.file, kind, reason)], seconds=round(seconds, 3)
    )
    return JobResult(extraction, None, cacheable=False, limit=limit)


def memory_reason(memory_mb: int) -> str:
    """Why a file was stopped by the memory limit."""
    shown = f"the memory limit of {memory_mb} MB" if memory_mb > 0 else "the memory available"
    return f"stopped: the parser needed more than {shown} (--memory)"


def memory_failure(file: str, report: str) -> Extraction:
    """The failed extraction of a file whose parser ran out of the memory limit (this process's)."""
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    reason = memory_reason(0 if limit == resource.RLIM_INFINITY else limit // 2**20)
    return Extraction(report=report, file=file, problems=[Problem(file, "memory", reason)])


def timeout_reason(seconds: float) -> str:
    """Why a file was stopped by the time limit."""
    return f"stopped after {seconds:g} s: the parser did not finish within the time limit"


# ---------------------------------------------------------------------------
# What every child does first: die with its parent, stay within the memory limit

_PR_SET_PDEATHSIG = 1


_M_ARENA_MAX = -8


def _few_arenas() -> None:
    """Keep a worker's address space from growing with the machine's cores: malloc makes up to 8 arenas a core, 64 MB each."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 2)
        except (OSError, AttributeError):
            pass


def limit_child(parent: int, memory_mb: int, debug_log: str | None = None) -> None:
    """In a freshly forked child: die with the parent (Linux), cap the address space, send its output to the debug log.

    Parsers print warnings by the thousand (playa's log, C libraries on fd 2): the console
    keeps one line per file, and what the libraries say goes to `debug_log` (discarded when None).
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    if memory_mb > 0:
        _few_arenas()
        limit = memory_mb * 2**20
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        fd = os.open(debug_log or os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError:
        fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


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
        print(f"--- {job.file}", file=sys.stderr, flush=True)  # what follows in the debug log is about this file
        try:
            result = run_job(job)
        except BaseException as error:  # noqa: BLE001 - reported to the parent as this file's failure
            result = failed_result(job, "error", f"the extractor failed: {type(error).__name__}: {error}", 0.0)
        try:
            outbox.send(result)
        except Exception as error:  # noqa: BLE001 - a result that cannot be pickled
            outbox.send(failed_result(job, "error", f"the extractor's result could not be sent: {error}", 0.0))
        if result.limit:  # a worker that ran out of memory may be left damaged: retire it
            return


def _spawn(others: list[_Worker], memory_mb: int, debug_log: str | None) -> _Worker:
    """Fork a worker (closing its copies of the other workers' pipes)."""
    job_r, job_w = os.pipe()
    result_r, result_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            limit_child(parent, memory_mb, debug_log)
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


def _wait(pid: int) -> tuple[int, int]:
    """Wait for a child: its wait status and its peak resident memory in bytes."""
    try:
        _, status, usage = os.wait4(pid, 0)
    except ChildProcessError:
        return 0, 0
    return status, usage.ru_maxrss * 1024


def _ran_out(status: int, peak: int, memory_mb: int) -> bool:
    """Whether a child killed by a signal most likely died of the memory limit (C++ bad_alloc aborts)."""
    return memory_mb > 0 and os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL and peak * 2 >= memory_mb * 2**20


def _reap(worker: _Worker, kill: bool) -> tuple[int, int]:
    """Stop a worker (killing it if asked): its wait status and peak memory."""
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
    return _wait(worker.pid)


def _died(worker: _Worker, ended: tuple[int, int], memory_mb: int) -> JobResult:
    """The failed result of a file whose worker died under it."""
    assert worker.job is not None
    seconds = time.monotonic() - worker.started
    status, peak = ended
    if _ran_out(status, peak, memory_mb):
        return failed_result(worker.job, "memory", memory_reason(memory_mb), seconds, "memory")
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return failed_result(worker.job, "crash", f"the parser crashed ({name})", seconds)
    return failed_result(
        worker.job, "crash", f"the parser exited without a result (status {os.waitstatus_to_exitcode(status)})", seconds
    )


def run_forked(
    jobs: Iterable[tuple[object, Job]],
    workers: int,
    timeout: float,
    memory_mb: int = DEFAULT_MEMORY_MB,
    debug_log: str | None = None,
) -> Iterator[tuple[object, JobResult]]:
    """Run jobs in `workers` forked worker processes, each file stopped after `timeout` s or `memory_mb` MB; yield results as they come."""
    pending = deque(jobs)
    idle: list[_Worker] = []
    busy: dict[Connection, _Worker] = {}
    try:
        while pending or busy:
            while pending and len(busy) < max(1, workers):
                worker = idle.pop() if idle else _spawn(idle + list(busy.values()), memory_mb, debug_log)
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
                    yield worker.key, _died(worker, _reap(worker, kill=True), memory_mb)
                    continue
                except Exception as error:  # noqa: BLE001 - a result that cannot be unpickled
                    result = failed_result(worker.job, "crash", f"the extractor's result could not be read ({error})", 0.0)
                worker.done += 1
                if worker.done >= MAX_TASKS or result.limit:
                    _reap(worker, kill=False)
                else:
                    idle.append(worker)
                yield worker.key, result
            now = time.monotonic()
            for worker in [w for w in busy.values() if w.deadline <= now]:
                del busy[worker.outbox]
                _reap(worker, kill=True)
                yield worker.key, failed_result(worker.job, "timeout", timeout_reason(timeout), now - worker.started, "timeout")
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
    import cv2

    # One file per worker is the parallelism; OpenCV's thread per core would only reserve address space
    # (set here, before forking: a forked child must not touch a thread pool its parent started).
    cv2.setNumThreads(1)
    import openness.extract  # noqa: F401
    import openness.readers.html  # noqa: F401
    import openness.readers.pdf  # noqa: F401


def run_job_limited(job: Job, timeout: float, memory_mb: int = DEFAULT_MEMORY_MB) -> JobResult:
    """Run one job in a forked child with a time and memory limit: the task a Dask worker runs."""
    if job.extract is None:
        preload()
    results = run_forked([(None, job)], 1, timeout, memory_mb)
    try:
        return next(results)[1]
    finally:
        results.close()


def run_dask(
    jobs: list[tuple[object, Job]], address: str, timeout: float, memory_mb: int = DEFAULT_MEMORY_MB
) -> Iterator[tuple[object, JobResult]]:
    """Run jobs on the Dask cluster at `address`, each in a time- and memory-limited child on its worker."""
    from dask.distributed import Client, as_completed

    with Client(address) as client:
        futures = {client.submit(run_job_limited, job, timeout, memory_mb, pure=False): key for key, job in jobs}
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
# One call in a forked child with the limits (the `extract` command)


@dataclass
class Called:
    """How a limited call ended: 'ok' with its value, or 'error' | 'timeout' | 'memory' | 'crash' with a reason."""

    how: str
    value: object = None
    reason: str = ""


def call_limited(fn: Callable[[], object], limits: Limits, debug_log: str | None = None) -> Called:
    """Call fn() in a forked child within the limits; the child dies with the caller, a hung or crashing call costs only itself."""
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_end)
            limit_child(parent, limits.memory_mb, debug_log)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                called = Called("ok", fn())
            except MemoryError:
                called = Called("memory", reason=memory_reason(limits.memory_mb))
            except Exception as error:  # noqa: BLE001 - this call's failure, said to the caller
                called = Called("error", reason=f"{type(error).__name__}: {error}")
            with Connection(write_end, readable=False) as out:
                try:
                    out.send(called)
                except (pickle.PicklingError, TypeError, AttributeError) as error:
                    out.send(Called("error", reason=f"the result could not be sent back ({error})"))
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with Connection(read_end, writable=False) as inbox:
        try:
            ready = inbox.poll(limits.seconds)
            called = inbox.recv() if ready else Called("timeout", reason=timeout_reason(limits.seconds))
        except (EOFError, OSError):
            called = None
        except Exception as error:  # noqa: BLE001 - a result that cannot be unpickled
            called = Called("error", reason=f"the result could not be read ({error})")
    if called is not None and called.how == "timeout":
        os.kill(pid, signal.SIGKILL)
    status, peak = _wait(pid)
    if called is None and _ran_out(status, peak, limits.memory_mb):
        called = Called("memory", reason=memory_reason(limits.memory_mb))
    if called is None:
        name = (
            signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else f"status {os.waitstatus_to_exitcode(status)}"
        )
        called = Called("crash", reason=f"the parser crashed ({name})")
    return called
