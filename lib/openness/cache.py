"""The extraction cache: one pickled JobResult per file content, report and fingerprint of the extraction code.

The fingerprint hashes the source of every module an extraction depends on, the codebook and the parsers' versions, so the cache follows the code.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import os
import pickle
import tempfile
from pathlib import Path

from openness.inputs import Input
from openness.workers import ExtractFn, JobResult

PACKAGE_DIR = Path(__file__).resolve().parent
# Distributions whose behaviour shapes an extraction: their versions enter the cache fingerprint.
EXTRACTION_DISTRIBUTIONS = ("camelot-py", "playa-pdf", "pypdfium2", "opencv-python-headless", "beautifulsoup4", "lxml")


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
    """The source files an extraction depends on: extract.py, workers.py (run_job), the openness modules they import (transitively)."""
    seen: set[str] = set()
    todo = [root, "workers"]  # run_job (and guess_metadata, which it calls) shape the cached result
    while todo:
        name = todo.pop()
        path = PACKAGE_DIR / f"{name}.py"
        if name in seen or not path.exists():
            continue
        seen.add(name)
        todo.extend(_module_imports(path) - seen)
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
