"""Telling that nothing changed since the last build from the file system alone, before anything heavy is imported.

A no-change rebuild of a national corpus must not read 20,000 manifest rows with pandas, vet and hash every input
and parse the extraction code (seconds) to find out that there is nothing to do. `state` hashes what a build's
outputs can depend on, as the file system shows it: one walk of the raw folder (every entry's name, type, size,
inode, modified and changed times, a link's target), the manifest among them, any input the last build listed
outside that walk, the package's files (code, codebook, templates), the versions of the parsers and the build's
options. The build records this hash beside its full stamp; when the hash is the same next time (and the outputs
are as written), the outputs are up to date. Any write to a file changes its changed time (ctime), which no program
can set back, so an unchanged hash means unchanged bytes; a folder's own times change when an entry is added,
removed or renamed. A file changed within RACY_SECONDS of the walk could change again within the file system's
clock tick unseen, so then no hash is given and the next build checks in full.

Only the standard library is imported here.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
VERSION = "1"  # of this hash's recipe: a change here makes every recorded hash stale
RACY_SECONDS = 3.0  # a file changed this recently may change again unseen by its times (coarse file system clocks)


def _entry(h: hashlib._Hash, path: str, info: os.stat_result) -> None:
    h.update(
        os.fsencode(path) + f"\0{info.st_mode} {info.st_size} {info.st_ino} {info.st_mtime_ns} {info.st_ctime_ns}\0".encode()
    )


def _walk(h: hashlib._Hash, folder: str, skip: set[str], newest: list[int], seen: set[str]) -> None:
    """Every entry below `folder`, in name order: its lstat, and for a link its target and what it leads to."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        h.update(os.fsencode(folder) + f"\0unlisted {error.errno}\0".encode())
        return
    for entry in entries:
        path = entry.path
        if path in skip:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as error:
            h.update(os.fsencode(path) + f"\0gone {error.errno}\0".encode())
            continue
        _entry(h, path, info)
        newest[0] = max(newest[0], info.st_mtime_ns, info.st_ctime_ns)
        seen.add(path)
        if entry.is_symlink():
            try:
                h.update(os.fsencode(os.readlink(path)) + b"\0")
                target = os.stat(path)
            except OSError as error:
                h.update(f"dangling {error.errno}\0".encode())
            else:
                _entry(h, os.path.realpath(path), target)
                newest[0] = max(newest[0], target.st_mtime_ns, target.st_ctime_ns)
        elif entry.is_dir(follow_symlinks=False):
            _walk(h, path, skip, newest, seen)


def package_files() -> list[Path]:
    """Every file of the package (code, codebook, the data dictionary's template …), compiled code aside."""
    return sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def versions(distributions: Iterable[str]) -> str:
    """The installed versions of these distributions ('-' for one not installed)."""
    import importlib.metadata

    said = []
    for dist in distributions:
        try:
            said.append(f"{dist}={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            said.append(f"{dist}=-")
    return " ".join(said)


def state(
    raw: Path,
    listed: Iterable[str],
    options: str,
    distributions: Iterable[str],
    skip: Iterable[Path] = (),
    walked: set[str] | None = None,
) -> str | None:
    """A hash of what a build of `raw` with these options reads, as the file system shows it (see the module's words).

    `listed`: inputs the last build read that the walk does not meet; `skip`: folders the build itself writes (its
    cache); `walked` receives every path the walk met. None when a file changed too recently to be sure of it."""
    started = time.time_ns()
    h = hashlib.sha256(f"openness unchanged {VERSION}\0{options}\0{versions(distributions)}\0".encode())
    for path in package_files():
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    root = os.path.realpath(raw)
    newest, seen = [0], set() if walked is None else walked
    try:
        _entry(h, root, os.stat(root))
    except OSError as error:
        h.update(f"no raw folder {error.errno}\0".encode())
    _walk(h, root, {os.path.realpath(p) for p in skip}, newest, seen)
    for path in sorted(set(listed)):  # an input outside the walk: outside the raw folder, or through a linked folder
        if path in seen:
            continue
        try:
            info = os.stat(path)
        except OSError as error:
            h.update(os.fsencode(path) + f"\0gone {error.errno}\0".encode())
            continue
        _entry(h, os.path.realpath(path), info)
        newest[0] = max(newest[0], info.st_mtime_ns, info.st_ctime_ns)
    if newest[0] > started - RACY_SECONDS * 1e9:
        return None
    return h.hexdigest()
