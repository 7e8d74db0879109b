"""What goes into a build: the manifest's rows, or every PDF/HTML file in the raw folder, vetted with one reason each.

Whatever cannot be extracted is refused here with one reason, before any file is opened by a parser: missing, empty or too
large files, special files (FIFO, device, folder, link loop, dangling link), names not in UTF-8, paths leading outside
the raw folder, duplicates. What the manifest leaves blank (or everything, without a manifest) is completed from the
report itself and marked as guessed: body and year from its title (navigation words dropped, the name matched to a body
already in the data), level from the body, template from the extraction. Two reports of one body and year: one is used
(`choose_reports`), the other left out with one reason.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from openness.model import Problem

INPUT_SUFFIXES = (".pdf", ".html", ".htm")
MANIFEST = "manifest.csv"
MAX_MANIFEST_BYTES = 64 * 2**20  # a manifest row is about 200 bytes: 300,000 reports (pandas takes ~15x this to read it)
MAX_MANIFEST_ROWS = 200_000  # ten years of every body's report; 100,000 rows took 0.9 GB before the extraction
MAX_MANIFEST_COLUMNS = 500  # the manifest's columns go into reports.csv and SQLite's reports table (2,000 at most)
MAX_BYTES = 256 * 2**20  # larger than any report seen (a few MB): a bigger file is refused, never read


# ---------------------------------------------------------------------------
# Inputs


@dataclass
class Input:
    """One input file as listed (manifest row or file found in the folder)."""

    report: str
    file: str  # as listed, relative to the raw folder
    path: Path
    meta: dict[str, str]  # the manifest row (then completed, see `complete_metadata`)
    guess: bool = False  # body or year not given (no manifest, or left blank): read the report's title
    sha256: str = ""
    refused: Problem | None = None  # why it is not extracted (see `refusal`, duplicates)
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
        facts = manifest.stat()
        special = next((what for test, what in _SPECIAL if test(facts.st_mode)), None)
        if special is not None:  # a FIFO would be read forever, /dev/zero until memory ran out
            raise ValueError(f"{manifest}: the manifest is {special}, not a CSV file: refused")
        if facts.st_size > MAX_MANIFEST_BYTES:
            raise ValueError(
                f"{manifest}: the manifest is {facts.st_size / 2**20:.0f} MB, more than the {MAX_MANIFEST_BYTES // 2**20} MB "
                "a manifest of 300,000 reports takes; is it the right file?"
            )
        if facts.st_size == 0:  # also what /proc's files say, whose reading can block (/proc/kmsg)
            raise ValueError(f"{manifest}: the manifest is empty (0 bytes): list the reports in it, or remove it")
        fd = os.open(manifest, os.O_RDONLY | os.O_NONBLOCK)  # a file that would block says so instead
        with os.fdopen(fd, "rb") as f:
            data = f.read(MAX_MANIFEST_BYTES + 1)
    except OSError as error:
        raise ValueError(f"{manifest}: cannot read the manifest ({error.strerror})") from error
    if len(data) > MAX_MANIFEST_BYTES:
        raise ValueError(f"{manifest}: the manifest grew past {MAX_MANIFEST_BYTES // 2**20} MB while it was read")
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
    lines = max(text.count("\n"), text.count("\r"))  # a row takes a line at least
    if lines > MAX_MANIFEST_ROWS + 1:  # told before pandas, which takes gigabytes for millions of rows
        raise ValueError(
            f"{manifest}: {lines:,} lines, more than the {MAX_MANIFEST_ROWS:,} reports one build takes; "
            "build the corpus in parts (a raw folder and a manifest each)"
        )
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as error:
        raise ValueError(f"{manifest}: not a readable CSV ({str(error).strip()[:200]})") from error
    if len(table.columns) > MAX_MANIFEST_COLUMNS:
        raise ValueError(
            f"{manifest}: {len(table.columns):,} columns, more than the {MAX_MANIFEST_COLUMNS} a manifest may have "
            "(report, file, body, level, … and your own)"
        )
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
        item = Input(report=shown_name(rel), file=shown_name(rel) + "/", path=Path(error.filename), meta={}, guess=True)
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
            found.append(Input(report=Path(shown).stem, file=shown, path=path, meta={}, guess=True))
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
        why = "" if outside else _outside(Input(MANIFEST, MANIFEST, manifest, {}), raw)  # /proc/kmsg, ~/.ssh/…
        if why:
            raise ValueError(f"{manifest}: refused: {why}; the manifest must lie inside it (--allow-outside-raw to allow)")
        inputs = []
        for row in read_manifest(manifest, notes):
            file = row["file"].strip()
            report = row["report"].strip() or Path(file).stem
            guess = not all(str(row.get(c, "")).strip() for c in ("body", "year"))
            inputs.append(Input(report=report, file=file, path=raw / file, meta=dict(row), guess=guess))
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
    if "\0" in item.file:
        return no("file_name", "the file name holds a NUL character, which no file name can: refused")
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
    (stat.S_ISDIR, "a folder named like a file"),
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
        if listed and listed != item.sha256:  # not the file the manifest pins: never read as if it were
            item.refused = Problem(
                item.file,
                "sha256_mismatch",
                f"not the file the manifest lists: its sha256 is {item.sha256[:12]}…, manifest.csv says {listed[:12]}…; "
                "if this file is the right one, put its sha256 in manifest.csv or leave that column blank",
            )
            continue
        if item.sha256 in by_sha:
            first = by_sha[item.sha256]
            item.refused = Problem(item.file, "duplicate", f"duplicate: same content as {first.file} (report {first.report})")
            continue
        by_sha[item.sha256] = item
    return inputs


# ---------------------------------------------------------------------------
# Metadata: what the manifest leaves blank, completed from the report itself and marked as guessed

GUESSABLE = ("body", "year", "level", "province", "city", "template")  # in the order reports.csv's `guessed` lists them

_TITLE = re.compile(
    r"(?P<body>[\u4e00-\u9fff（）()·]{2,40}?)(?P<year>(?:19|20)\d{2})\s*年度?\s*"
    r"(?:政府)?信息公开(?:工作)?(?:年度)?报告"
)
# A web page's navigation printed before the title (首页 > 政务公开 > 政府信息公开年报 > 平潭综合实验区2019年…):
# these words at the start of a name read from a title are not the body's.
NAVIGATION = (
    "网站首页",
    "首页",
    "当前位置",
    "您的位置",
    "您当前的位置",
    "政务公开",
    "政府信息公开年报",
    "政府信息公开年度报告",
    "政府信息公开",
    "信息公开年报",
    "信息公开",
    "年度报告",
    "年报",
    "法定主动公开内容",
    "主动公开",
)
# A body's level from the end of its name, when no manifest row of that body states it. 市人民政府 says nothing:
# a prefecture-level city or a county-level city (汾阳市); it is left blank.
LEVEL_ENDINGS = (
    ("片区管理局", "area bureau"),
    ("实验区", "zone"),
    ("开发区", "zone"),
    ("区人民政府", "district"),
    ("县人民政府", "county"),
    ("新区", "zone"),
    ("局", "department"),
    ("办公室", "department"),
)
_PARENT_PLACES = re.compile(r"(?:[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|州|地区|盟))+")  # 江苏省淮安市
_OWN_PLACE = re.compile(r"[\u4e00-\u9fff]+?(?:市|县|区|旗|州|镇|乡)")  # 洪泽区人民政府 names its place; 公安局 does not


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
    """Body and year as the report's title prints them; blanks when the title does not say (cleaned by `complete_metadata`)."""
    try:
        text = re.sub(r"\s+", "", title_text(path))
    except Exception:  # an unreadable file has no title; the extraction says why
        text = ""
    match = _TITLE.search(text)
    if not match:
        return {"body": "", "year": ""}
    return {"body": match["body"], "year": match["year"]}


def without_navigation(name: str) -> str:
    """A name read from a title without the site navigation printed before it ('首页政务公开…平潭综合实验区' -> '平潭综合实验区')."""
    words = sorted(NAVIGATION, key=len, reverse=True)
    while True:
        word = next((w for w in words if name.startswith(w) and len(name) > len(w)), None)
        if word is None:
            return name
        name = name[len(word) :]


def listed_bodies() -> list[str]:
    """The bodies lib/openness/bodies.csv names (those the charts know by an English name)."""
    import csv
    from importlib import resources

    text = resources.files("openness").joinpath("bodies.csv").read_text(encoding="utf-8")
    return [row["body"].strip() for row in csv.DictReader(io.StringIO(text)) if row.get("body", "").strip()]


def known_bodies(rows: Iterable[Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Bodies already in the data (bodies.csv, and the body column of the manifest's rows), each with the level,
    province and city a manifest row of it states."""
    known: dict[str, dict[str, str]] = {name: {} for name in listed_bodies()}
    for row in rows:
        body = str(row.get("body", "") or "").strip()
        if not body:
            continue
        entry = known.setdefault(body, {})
        for column in ("level", "province", "city"):
            value = str(row.get(column, "") or "").strip()
            if value and not entry.get(column):
                entry[column] = value
    return known


def match_body(name: str, known: Iterable[str], others: Iterable[str] = ()) -> str:
    """The body already in the data that a name read from a title is: the same name; the longest known name it ends with
    (a parent place or navigation before it); or the one name, known or printed by another report's title (`others`),
    that is it with its province or city before it (洪泽区人民政府 -> 淮安市洪泽区人民政府). The name itself when none is."""
    known = set(known)
    if name in known:
        return name
    ends = [k for k in known if len(k) >= 4 and name.endswith(k)]
    if ends:
        return max(ends, key=lambda k: (len(k), k))
    if not _OWN_PLACE.match(name):  # 公安局 alone could be any county's
        return name
    longer = sorted({k for k in (*known, *others) if k.endswith(name) and _PARENT_PLACES.fullmatch(k[: -len(name)])})
    return longer[0] if len(longer) == 1 else name


def level_from_name(body: str) -> str:
    """A body's administrative level read from the end of its name ('' when the name does not say)."""
    return next((level for ending, level in LEVEL_ENDINGS if body.endswith(ending)), "")


def complete_metadata(
    meta: Mapping[str, str],
    title: Mapping[str, str] | None,
    template: str | None,
    known: Mapping[str, Mapping[str, str]],
    others: Iterable[str] = (),
) -> dict[str, str]:
    """A report's metadata with every blank of GUESSABLE filled from the report itself where it says, and `guessed`
    naming the fields filled: body and year from its title, level, province and city from a manifest row of the same
    body (else level from the body's name), template from the extraction. `others`: the names other reports' titles print."""
    out = dict(meta)
    guessed = []

    def fill(field: str, value: str | None) -> None:
        if value and not str(out.get(field, "") or "").strip():
            out[field] = value
            guessed.append(field)

    title = title or {}
    name = without_navigation(str(title.get("body", "")).strip())
    fill("body", match_body(name, known, others) if len(name) >= 2 else "")
    fill("year", str(title.get("year", "")).strip())
    body = str(out.get("body", "") or "").strip()
    entry = known.get(body, {})
    fill("level", entry.get("level") or level_from_name(body))
    fill("province", entry.get("province"))
    fill("city", entry.get("city"))
    fill("template", template)
    for column in GUESSABLE:  # a field neither the manifest nor the report gives stays blank, never made up
        out.setdefault(column, "")
    out["guessed"] = " ".join(f for f in GUESSABLE if f in guessed)
    return out


def guess_warning(meta: Mapping[str, str], title: Mapping[str, str] | None) -> str:
    """One line saying what of a report was guessed, or that its body or year could not be ('' when nothing was)."""
    guessed = str(meta.get("guessed", "")).split()
    missing = [f for f in ("body", "year") if not str(meta.get(f, "") or "").strip()]
    if not guessed and not missing:
        return ""
    parts = []
    for field in guessed:
        value = meta[field]
        printed = without_navigation(str((title or {}).get("body", "")).strip())
        if field == "body" and printed and printed != value:
            value += f" (the title prints {printed})"
        parts.append(f"{field} {value}")
    line = f"{meta.get('report', '')}: "
    if parts:
        line += f"{', '.join(parts)} guessed from the report (reports.csv lists them in its guessed column)"
    if missing:
        line += ("; " if parts else "") + (
            f"no {' nor '.join(missing)} in manifest.csv and none read from the report's title: "
            "it is left out of the cross-year checks and of the charts by body and year"
        )
    return line + "; state them in manifest.csv"


# ---------------------------------------------------------------------------
# Two reports of one body and year: one is used

SPECIMEN = "specimen"  # how data/raw's manifest begins the provenance of a re-typeset specimen (here, not in prose.py:
# the extraction cache's fingerprint follows what inputs.py imports, and the prose files' code shapes no extraction)
REPLACES = "replaces"  # manifest column: the report id of the report (a specimen) this row's file replaces


def _is_specimen(meta: Mapping[str, str]) -> bool:
    return str(meta.get("provenance", "") or "").strip().lower().startswith(SPECIMEN)


def choose_reports(metas: list[Mapping[str, str]], statuses: list[str], figures: list[int]) -> tuple[dict[int, str], list[str]]:
    """Which reports to leave out (by position, with the reason) and the warnings saying so.

    A report another row `replaces` is left out, unless that row's file gave no figures. Of the readable reports left
    that share a body and a year, one is used: an original before a specimen, then a complete extraction before a
    partial one, then the one with more figures, then the one listed first; the others are left out with one warning.
    A report with no figures (failed) is never left out: its failure is reported as such.
    """
    ids = {str(m.get("report", "")): i for i, m in enumerate(metas)}
    left: dict[int, str] = {}
    warnings: list[str] = []
    for i, meta in enumerate(metas):
        for target in re.split(r"[\s,;]+", str(meta.get(REPLACES, "") or "").strip()):
            if not target or target == meta.get("report"):
                continue
            if target not in ids:
                warnings.append(f"{meta['report']}: replaces {target}, which is not in the manifest: nothing replaced")
            elif not figures[i]:
                warnings.append(f"{meta['report']}: its file gave no figures, so {target}, which it replaces, is kept")
            else:
                left[ids[target]] = f"replaced by {meta['report']} (manifest column replaces)"
    groups: dict[tuple[str, str], list[int]] = {}
    for i, meta in enumerate(metas):
        body, year = (str(meta.get(c, "") or "").strip() for c in ("body", "year"))
        if body and year and figures[i] and i not in left:
            groups.setdefault((body, year.removesuffix(".0")), []).append(i)
    for (body, year), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        rank = {i: (_is_specimen(metas[i]), statuses[i] != "ok", -figures[i], i) for i in members}
        kept = min(members, key=rank.__getitem__)
        runner = min((i for i in members if i != kept), key=rank.__getitem__)
        why = next(
            what
            for differs, what in (
                (rank[kept][0] != rank[runner][0], "an original, not a specimen"),
                (rank[kept][1] != rank[runner][1], "its extraction is complete"),
                (rank[kept][2] != rank[runner][2], "more figures read"),
                (True, "listed first"),
            )
            if differs
        )
        name = metas[kept]["report"]
        others = [metas[i]["report"] for i in members if i != kept]
        for i in members:
            if i != kept:
                left[i] = f"same body and year as {name}, which is used ({why})"
        both = "both" if len(others) == 1 else "all"
        warnings.append(
            f"{name} and {' and '.join(others)} {both} report {body} {year}: {name} is used ({why}), {', '.join(others)} "
            f"left out of reports.csv, the checks and the charts; to say so, write {others[0]} in the replaces column of "
            f"{name}'s row in manifest.csv"
        )
    return left, warnings
