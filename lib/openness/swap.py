"""Replacing the output folder in one atomic step, and clearing what a killed build left beside it.

Readers see the old outputs or the new ones, never a half-written folder; `folder_state` tells whether a folder changed since it was written.
"""

from __future__ import annotations

import ctypes
import glob
import hashlib
import os
import re
import shutil
import sys
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


def replace_dir(new: Path, out: Path, check_old: Callable[[Path], None] | None = None) -> None:
    """Put folder `new` in place of `out`, atomically where the system allows, then drop the old one.

    `check_old` sees what is replaced once it is out of the way (nothing can be put into it through `out` then) and
    may refuse it by raising: the two are swapped back, and the error goes on.
    """
    if not out.exists() and not out.is_symlink():
        os.rename(new, out)
        return
    if _exchange(new, out):  # `new` now holds what was at `out`
        try:
            if check_old is not None:
                check_old(new)
        except BaseException:
            _exchange(new, out)
            raise
        shutil.rmtree(new)
        return
    if check_old is not None:  # no atomic swap here: checked in place
        check_old(out)
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(new, out)
    shutil.rmtree(old)


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
