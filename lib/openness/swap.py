"""Replacing the output folder in one atomic step, and clearing what a killed build left beside it.

Readers see the old outputs or the new ones, never a half-written folder; `folder_state` tells whether a folder changed since it was written.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import hashlib
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

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


def replace_dir(new: Path, out: Path, check_old: Callable[[Path], set[str]] | None = None) -> Path | None:
    """Put folder `new` in place of `out`, atomically where the system allows, then drop the old one.

    `check_old` sees what is replaced once it is out of the way and may refuse it by raising (the two are swapped
    back, and the error goes on); else it gives the files it checked, and only they are deleted: a file put in the old
    folder since (by a shell whose working folder it was) is kept, the folder renamed `NAME.kept-TIME` beside `out`,
    which is returned.
    """
    if not out.exists() and not out.is_symlink():
        os.rename(new, out)
        return None
    if _exchange(new, out):  # `new` now holds what was at `out`
        try:
            checked = check_old(new) if check_old is not None else None
        except BaseException:
            _exchange(new, out)
            raise
        return _drop(new, checked, out)
    checked = check_old(out) if check_old is not None else None  # no atomic swap here: checked in place
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(new, out)
    return _drop(old, checked, out)


def _drop(old: Path, checked: set[str] | None, out: Path) -> Path | None:
    """Delete a replaced folder: every file when `checked` is None, else only those files (and the folders they leave
    empty); a folder still holding anything is kept as `NAME.kept-TIME` beside `out`, and returned."""
    if checked is None:
        shutil.rmtree(old)
        return None
    for path in sorted(old.rglob("*"), key=lambda p: len(p.parts), reverse=True):  # files before their folders
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.rmdir()  # only when empty
            elif path.relative_to(old).as_posix() in checked:
                path.unlink()
    try:
        old.rmdir()
        return None
    except OSError:
        kept = out.with_name(f"{out.name}.kept-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        os.rename(old, kept)
        return kept


def leftovers(out: Path) -> tuple[list[Path], list[Path]]:
    """What killed builds left beside the output folder: the old outputs of a cut swap (`.clean.old-PID`) and the new
    folders being written (`.clean.new-PID-xxxxxxxx`, as tempfile.mkdtemp names them); nothing else of that look."""
    name = re.escape(out.name)
    old, new = re.compile(rf"\.{name}\.old-\d+"), re.compile(rf"\.{name}\.new-\d+-[a-z0-9_]{{8}}")
    around = sorted(out.parent.glob(f".{glob.escape(out.name)}.*"))
    return [p for p in around if old.fullmatch(p.name)], [p for p in around if new.fullmatch(p.name)]


def tidy_leftovers(out: Path) -> None:
    """Clear what a killed build left beside the output folder (restore it if the swap was cut)."""
    olds, news = leftovers(out)
    if not out.exists() and olds:
        os.rename(olds.pop(), out)
    for path in olds + news:
        pid = path.name.split(".old-" if ".old-" in path.name else ".new-")[-1].split("-")[0]
        if int(pid) != os.getpid() and _alive(int(pid)):
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


def folder_state(folder: Path) -> str:
    """A hash of every file in a folder as the file system sees it (name, size, inode, modified and changed times, in
    ns): any write to a file changes it, and it costs no reading, however large the outputs."""
    h = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = path.stat()
            h.update(
                f"{path.relative_to(folder).as_posix()}\0{info.st_size} {info.st_ino} {info.st_mtime_ns} {info.st_ctime_ns}\0".encode()
            )
    return h.hexdigest()
