"""The extraction cache: one pickled JobResult per file content, report and fingerprint of the extraction code.

The fingerprint hashes the source of every module an extraction depends on, the codebook and the parsers' versions, so the cache follows the code.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from openness.inputs import Input
from openness.workers import ExtractFn, JobResult

PACKAGE_DIR = Path(__file__).resolve().parent
# Distributions whose behaviour shapes an extraction: their versions enter the cache fingerprint.
EXTRACTION_DISTRIBUTIONS = (
    "camelot-py",
    "playa-pdf",
    "pypdfium2",
    "opencv-python-headless",
    "beautifulsoup4",
    "lxml",
    "rapidocr-onnxruntime",
    "onnxruntime",
)


# ---------------------------------------------------------------------------
# Cache: one pickled JobResult per (file content, report, extraction code)


def _module_path(name: str) -> Path | None:
    """The source file of an openness module by its dotted name within the package ('readers.pdf')."""
    base = PACKAGE_DIR.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _module_imports(name: str) -> set[str]:
    """The openness modules a module imports (by reading its source), as dotted names within the package."""
    path = _module_path(name)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.partition(".")[2] for a in node.names if a.name.startswith("openness."))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not (node.module or "").startswith("openness"):
                    continue
                parts = (node.module or "").split(".")[1:]
            else:
                parts = package[: len(package) - node.level + 1] + ([*node.module.split(".")] if node.module else [])
            module = ".".join(parts)
            found.add(module)
            found.update(f"{module}.{a.name}".lstrip(".") for a in node.names)
    # a submodule's import runs its package's __init__ too
    found |= {".".join(m.split(".")[:i]) for m in found for i in range(1, m.count(".") + 1)}
    return {m for m in found if m and _module_path(m) is not None}


def extraction_modules(root: str = "extract") -> list[Path]:
    """The source files an extraction depends on: extract.py, workers.py (run_job), and the openness modules they import, transitively.

    Readers import their libraries lazily inside functions; `ast.walk` sees those imports too.
    """
    seen: set[str] = set()
    todo = [root, "workers"]  # run_job (and guess_metadata, which it calls) shape the cached result
    while todo:
        name = todo.pop()
        if name in seen or _module_path(name) is None:
            continue
        seen.add(name)
        todo.extend(_module_imports(name) - seen)
    return sorted(_module_path(n) for n in seen)


def code_fingerprint(extract: ExtractFn | None = None) -> str:
    """A hash of everything an extraction depends on: source, codebook, library versions, extract function."""
    import importlib.metadata  # here, not at import: a no-change rebuild needs none of it

    h = hashlib.sha256()
    for path in extraction_modules() + sorted(PACKAGE_DIR.glob("*.csv")):
        h.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
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
    text = "\0".join([fingerprint, item.sha256, item.report, item.file, str(item.guess)])
    return hashlib.sha256(text.encode()).hexdigest()


class Cache:
    """Pickled JobResults in a folder, one file per key, written atomically."""

    def __init__(self, folder: Path):
        self.folder = Path(folder) / "extractions"
        self.warning = ""  # why the cache could not be written (full disk, read-only): the build goes on uncached

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> JobResult | None:
        try:
            with open(self._path(key), "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, result: JobResult) -> None:
        """Store one result; a cache that cannot be written is noted in `warning`, never an error."""
        if self.warning:
            return
        path, tmp = self._path(key), None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError as error:
            self.warning = f"the cache {self.folder.parent} cannot be written ({error.strerror}): this build goes on uncached"
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
