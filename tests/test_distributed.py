"""The build on a Dask cluster gives the same outputs as the build on this machine.

A LocalCluster of two worker processes stands in for a newsroom's cluster; the
inputs are the two real Hongze reports (read from ../shared, copied into the
tmp folder), a broken copy of one, and the first specimens of data/raw when the
specimen corpus is there.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from conftest import CORPUS, need
from openness import build as b

ROOT = Path(__file__).resolve().parents[1]
SPECIMENS = 3  # specimen reports taken from data/raw (CI time)


def make_corpus(raw: Path) -> None:
    """The real Hongze PDFs, a truncated copy and a few specimens, with a manifest."""
    raw.mkdir()
    header = "report,file,body,level,province,city,year,template,source_url,provenance,sha256"
    rows = []
    for year in (2023, 2024):
        src = need(CORPUS / f"hongze-{year}.pdf")
        shutil.copyfile(src, raw / src.name)
        rows.append(f"hongze-{year},{src.name},淮安市洪泽区人民政府,county,江苏省,淮安市,{year},mixed,,test copy,")
    data = (raw / "hongze-2023.pdf").read_bytes()
    (raw / "truncated.pdf").write_bytes(data[: len(data) // 3])
    rows.append("truncated,truncated.pdf,,,,,,,,test copy,")
    specimens = ROOT / "data" / "raw" / "manifest.csv"
    if specimens.exists():
        table = pd.read_csv(specimens, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        pdfs = table[table.file.str.lower().str.endswith(".pdf")].head(SPECIMENS)
        (raw / "specimens").mkdir()
        for row in pdfs.to_dict("records"):
            name = Path(row["file"]).name
            shutil.copyfile(specimens.parent / row["file"], raw / "specimens" / name)
            row["file"], row["report"] = f"specimens/{name}", f"specimen-{row['report']}"
            rows.append(",".join(row.get(c, "") for c in header.split(",")))
    (raw / "manifest.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def outputs(folder: Path) -> dict[str, bytes | pd.DataFrame]:
    """Every output file, the extraction log without its timings (they differ run to run)."""
    files: dict[str, bytes | pd.DataFrame] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    log = pd.read_csv(folder / "extraction_log.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    files["extraction_log.csv"] = log.drop(columns="seconds")
    with sqlite3.connect(folder / "openness.sqlite") as con:  # the same tables, the log's timings left out
        tables = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        files["openness.sqlite"] = pd.concat(
            {t: pd.read_sql(f'SELECT * FROM "{t}"', con).drop(columns="seconds", errors="ignore").astype(str) for t in tables}
        )
    return files


def test_a_dask_cluster_builds_the_same_outputs_as_the_local_build(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    raw = tmp_path / "raw"
    make_corpus(raw)
    local = b.build(raw, tmp_path / "local", jobs=2, cache_dir=None, progress=False, stream=io.StringIO())
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        remote = b.build(
            raw, tmp_path / "dask", scheduler=cluster.scheduler_address, cache_dir=None, progress=False, stream=io.StringIO()
        )
    assert remote.exit_code == local.exit_code == 1  # the truncated copy fails in both
    assert [o.extraction.status for o in remote.outcomes] == [o.extraction.status for o in local.outcomes]
    first = remote.outcomes[0].extraction
    assert first.status == "ok" and len(first.cells) == 186, first.reason
    mine, theirs = outputs(tmp_path / "local"), outputs(tmp_path / "dask")
    assert mine.keys() == theirs.keys()
    for name in mine:
        if isinstance(mine[name], pd.DataFrame):
            pd.testing.assert_frame_equal(mine[name], theirs[name])
        else:
            assert mine[name] == theirs[name], name


def test_a_hung_parser_on_a_dask_worker_is_stopped(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    from test_build import hang_on_hang_pdf

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "hang.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    # the workers are spawned with this process's sys.path: they import the test's extractor by name
    with distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        result = b.build(
            raw,
            tmp_path / "clean",
            scheduler=cluster.scheduler_address,
            timeout=2,
            cache_dir=None,
            extract=hang_on_hang_pdf,
            progress=False,
            stream=io.StringIO(),
        )
    (outcome,) = result.outcomes
    assert outcome.extraction.reason == "stopped after 2 s: the parser did not finish within the time limit"
