"""What goes into a build: the manifest's rows, or every PDF/HTML file in the raw folder, vetted with one reason each.

Whatever cannot be extracted is refused here with one reason, before any file is opened by a parser: missing, empty or too
large files, special files (FIFO, device, folder, link loop, dangling link), names not in UTF-8, paths leading outside
the raw folder, duplicates. Without a manifest, body and year are guessed from the title.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from openness.model import Problem

INPUT_SUFFIXES = (".pdf", ".html", ".htm")
MANIFEST = "manifest.csv"
MAX_BYTES = 256 * 2**20  # larger than any report seen (a few MB): a bigger file is refused, never read


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
    refused: Problem | None = None  # why it is not extracted (see `refusal`, duplicates)
    sha256_listed: str = ""  # the manifest's sha256 when the file's differs (said in the extraction's problems)
    source_url_refused: str = ""  # a manifest source_url that is not http(s), left out of the outputs (said likewise)


def file_sha256(path: Path, max_bytes: int | None = None) -> str:
    """The file's sha256, hex; reads at most `max_bytes` (+1) so that a file growing while read cannot run on."""
    h = hashlib.sha256()
    left = float("inf") if max_bytes is None else max_bytes + 1
    with open(path, "rb") as f:
        while left > 0:
            chunk = f.read(int(min(1 << 20, left)))
            if not chunk:
                break
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


def known_sha256(path: Path, max_bytes: int | None = None, hashes: dict | None = None) -> str:
    """The file's sha256: from `hashes` (absolute path -> [size, inode, modified ns, changed ns, sha256]) when the
    file is the one hashed then, else read and remembered there. Any write changes the changed time (ctime), which
    no program can set back, so a remembered hash is never that of other bytes."""
    if hashes is None:
        return file_sha256(path, max_bytes)
    info = os.stat(path)
    state = [info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
    key = os.path.abspath(path)
    known = hashes.get(key)
    if isinstance(known, list) and known[:4] == state and len(known) == 5:
        return known[4]
    sha = file_sha256(path, max_bytes)
    hashes[key] = [*state, sha]  # the state before reading: a file written meanwhile is read again next time
    return sha


def read_manifest(manifest: Path, notes: list[str] | None = None) -> list[dict[str, str]]:
    """The rows of a manifest saved as UTF-8 (or GBK, noted); a ValueError naming the file otherwise."""
    import pandas as pd

    try:
        data = manifest.read_bytes()
    except OSError as error:
        raise ValueError(f"{manifest}: cannot read the manifest ({error.strerror})") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ValueError(
                f"{manifest}: not UTF-8 (nor GBK) text: byte {data[error.start]:#04x} at position {error.start}; save it as UTF-8"
            ) from error
        if notes is not None:
            notes.append(f"{manifest}: saved in GBK, read as GB18030; save it as UTF-8 to silence this note")
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as error:
        raise ValueError(f"{manifest}: not a readable CSV ({str(error).strip()[:200]})") from error
    missing = {"report", "file"} - set(table.columns)
    if missing:
        raise ValueError(f"{manifest}: missing column(s) {', '.join(sorted(missing))}")
    return table.to_dict("records")


def shown_name(rel: str) -> str:
    """A relative path as it can be printed: a name in another encoding (GBK from unzip) decoded as such."""
    raw = os.fsencode(rel)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def list_folder(raw: Path) -> list[Input]:
    """Every entry of the folder named like a report (.pdf, .html, .htm), whatever it is; hidden ones skipped.

    The report id is the file's stem, or its relative path when several files share that stem.
    """
    found: list[Input] = []

    def unlisted(error: OSError) -> None:  # a subfolder that cannot be read may hold reports
        rel = Path(error.filename).relative_to(raw).as_posix()
        item = Input(report=shown_name(rel), file=shown_name(rel) + "/", path=Path(error.filename), meta={}, guessed=True)
        item.refused = Problem(
            item.file, "unreadable", f"cannot list this folder ({error.strerror}): the reports in it are not read"
        )
        found.append(item)

    for folder, dirs, files in os.walk(raw, onerror=unlisted):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in dirs + files:
            if name.startswith(".") or Path(name).suffix.lower() not in INPUT_SUFFIXES:
                continue
            path = Path(folder, name)
            rel = path.relative_to(raw).as_posix()
            shown = shown_name(rel)
            found.append(Input(report=Path(shown).stem, file=shown, path=path, meta={}, guessed=True))
            if shown != rel:
                found[-1].refused = Problem(
                    shown,
                    "file_name",
                    "file name is not UTF-8 (unzip leaves names from Chinese Windows in GBK; "
                    f"read as GBK it is {Path(shown).name}): rename it, e.g. "
                    "`convmv -f gbk -t utf-8 --notest -r FOLDER`",
                )
    stems: dict[str, int] = {}
    for item in found:
        stems[item.report] = stems.get(item.report, 0) + 1
    for item in found:  # pingtan-2020.pdf beside html/pingtan-2020.html: both kept, each under its relative path
        if stems[item.report] > 1:
            item.report = item.file
    return sorted(found, key=lambda item: item.file)


def read_inputs(
    raw: Path, *, max_bytes: int = MAX_BYTES, outside: bool = False, notes: list[str] | None = None, hashes: dict | None = None
) -> list[Input]:
    """The inputs of a raw folder: the manifest's rows, or every PDF/HTML file in it, each vetted (`hashes`: see known_sha256)."""
    manifest = raw / MANIFEST
    if manifest.exists() or manifest.is_symlink():
        inputs = []
        for row in read_manifest(manifest, notes):
            file = row["file"].strip()
            report = row["report"].strip() or Path(file).stem
            inputs.append(Input(report=report, file=file, path=raw / file, meta=dict(row)))
    else:
        inputs = list_folder(raw)
    return vet_inputs(inputs, raw, max_bytes=max_bytes, outside=outside, hashes=hashes)


def _outside(item: Input, raw: Path, folders: dict[str, str] | None = None) -> str:
    """Why an input lies outside the raw folder ('' when it lies inside).

    `folders` remembers the real path of each folder met (and of the raw folder) within one listing: thousands of
    files in one folder then cost one lstat each, not one per part of their path."""
    if os.path.isabs(item.file) or os.path.normpath(item.file).split(os.sep)[0] == "..":
        return f"the path {item.file} leads outside the raw folder"
    folders = {} if folders is None else folders
    parent, name = os.path.split(os.fspath(item.path))  # not normalised: a link's '..' is the kernel's, as realpath reads it
    if os.path.islink(item.path) or name in ("", ".", ".."):
        real = os.path.realpath(item.path)
    else:
        if parent not in folders:
            folders[parent] = os.path.realpath(parent)
        real = os.path.join(folders[parent], name)
    key = f"\0raw {raw}"
    if key not in folders:
        folders[key] = os.path.realpath(raw)
    if not Path(real).is_relative_to(folders[key]):
        return f"it is a link to {shown_name(real)}, outside the raw folder"
    return ""


def refusal(item: Input, raw: Path, max_bytes: int, outside: bool, folders: dict[str, str] | None = None) -> Problem | None:
    """Why an input cannot be extracted (missing, not a regular file, outside the raw folder, empty, too large); None if it can."""

    def no(kind: str, message: str) -> Problem:
        return Problem(item.file, kind, message)

    if not item.file:
        return no("missing_file", "no file listed in the manifest row")
    try:
        info = os.stat(item.path)
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            return no("file_name", f"file name too long ({len(item.file)} characters; the system allows 255 bytes a name)")
        if error.errno == errno.ELOOP:
            return no("special_file", "a symbolic link that loops: it leads to no file")
        if os.path.islink(item.path):
            return no("special_file", f"a dangling symbolic link (to {shown_name(os.readlink(item.path))}, which does not exist)")
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return no("missing_file", f"file not found: {item.file} is listed in the manifest but is not in the raw folder")
        return no("unreadable", f"cannot read the file ({error.strerror})")
    kind = next((what for test, what in _SPECIAL if test(info.st_mode)), None)
    if kind is not None:
        link = f" (a link to {shown_name(os.path.realpath(item.path))})" if os.path.islink(item.path) else ""
        return no("special_file", f"{kind}{link}, not a report file: refused")
    why = "" if outside else _outside(item, raw, folders)
    if why:
        return no("outside", f"refused: {why}; inputs must lie inside it (--allow-outside-raw to allow)")
    if info.st_size == 0:
        return no("empty", "empty file (0 bytes)")
    if info.st_size > max_bytes:
        return no(
            "too_large", f"too large: {info.st_size / 2**20:.0f} MB, above the limit of {max_bytes / 2**20:.0f} MB (--max-size)"
        )
    return None


_SPECIAL = (
    (stat.S_ISDIR, "a folder named like a report"),
    (stat.S_ISFIFO, "a named pipe (FIFO), which could be read forever"),
    (stat.S_ISCHR, "a device file"),
    (stat.S_ISBLK, "a device file"),
    (stat.S_ISSOCK, "a socket"),
    (lambda mode: not stat.S_ISREG(mode), "not a regular file"),
)


def vet_inputs(
    inputs: list[Input], raw: Path, *, max_bytes: int = MAX_BYTES, outside: bool = False, hashes: dict | None = None
) -> list[Input]:
    """Hash every input and refuse, with one reason each, what cannot be extracted and duplicates."""
    by_sha: dict[str, Input] = {}
    by_report: dict[str, Input] = {}
    folders: dict[str, str] = {}  # real paths of the folders met (see _outside)
    for item in inputs:
        if item.refused is not None:
            continue
        if item.report in by_report:
            first = by_report[item.report]
            item.refused = Problem(
                item.file, "duplicate", f"duplicate report id {item.report!r}: already listed for {first.file}"
            )
            continue
        by_report[item.report] = item
        item.refused = refusal(item, raw, max_bytes, outside, folders)
        if item.refused is not None:
            continue
        try:
            item.sha256 = known_sha256(item.path, max_bytes, hashes)
        except OSError as error:
            item.refused = Problem(item.file, "unreadable", f"cannot read the file ({error.strerror})")
            continue
        url = item.meta.get("source_url", "").strip()
        if url and urlsplit(url).scheme.lower() not in ("http", "https"):
            item.meta["source_url"], item.source_url_refused = "", url
        listed = item.meta.get("sha256", "").strip().lower()
        if listed and listed != item.sha256:
            item.sha256_listed = listed
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
        from openness.readers.pdf import page_texts

        return "".join(page_texts(path, pages=1))[:400]
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
