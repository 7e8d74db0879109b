"""The build writes the report's words: sections.csv, prose_checks.csv and copying.csv, documented like every file."""

from __future__ import annotations

import io
import json
import shutil

import pandas as pd
import pytest

from conftest import CORPUS, need
from openness import build as b
from openness.dictionary import file_fields

NEW = ("sections.csv", "prose_checks.csv", "copying.csv")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A build of the two real 洪泽 PDFs and two real 平潭 pages, with a manifest naming their bodies and years."""
    raw = tmp_path_factory.mktemp("raw")
    files = {
        "hongze-2023": "hongze-2023.pdf",
        "hongze-2024": "hongze-2024.pdf",
        "pingtan-2021": "html/pingtan-2021.html",
        "pingtan-2022": "html/pingtan-2022.html",
    }
    rows = []
    for report, name in files.items():
        source = need(CORPUS / name)
        shutil.copy(source, raw / source.name)
        rows.append({"report": report, "file": source.name, "body": report.split("-")[0], "year": report.split("-")[1]})
    pd.DataFrame(rows).to_csv(raw / "manifest.csv", index=False)
    out = tmp_path_factory.mktemp("clean") / "clean"
    b.build(raw, out, jobs=2, cache_dir=None, progress=False, stream=io.StringIO())
    return out


def read(out, name):
    return pd.read_csv(out / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_the_three_files_have_the_documented_columns(built):
    fields = file_fields()
    for name in NEW:
        assert list(read(built, name).columns) == [f.name for f in fields[name][1]]
        assert f"### `{name}`" in (built / "README.md").read_text(encoding="utf-8")
    package = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} >= set(NEW)


def test_sections_of_every_report(built):
    sections = read(built, "sections.csv")
    for report in ("hongze-2023", "hongze-2024", "pingtan-2021", "pingtan-2022"):
        found = sections[sections["report"] == report]
        assert list(found["section"]) == ["preamble", "overview", "proactive", "requests", "appeals", "problems", "other"]
    hongze = sections[(sections["report"] == "hongze-2024") & (sections["section"] == "problems")].iloc[0]
    assert (hongze["heading"], hongze["pages"]) == ("五、存在的主要问题及改进情况", "4 5")


def test_prose_checks_in_the_build(built):
    checks = read(built, "prose_checks.csv").set_index(["report", "statement"])
    row = checks.loc[("hongze-2024", "requests_new")]
    assert (row["stated"], row["table_value"], row["result"]) == ("17", "95", "different_scope")
    row = checks.loc[("pingtan-2022", "requests_new")]
    assert (row["stated"], row["table_value"], row["result"]) == ("75", "74", "disagree")


def test_copying_pairs_consecutive_years_of_one_body(built):
    copying = read(built, "copying.csv")
    assert sorted(set(zip(copying["report"], copying["previous_report"]))) == [
        ("hongze-2024", "hongze-2023"),
        ("pingtan-2022", "pingtan-2021"),
    ]
    problems = copying[(copying["report"] == "hongze-2024") & (copying["section"] == "problems")].iloc[0]
    assert problems["share_repeated"] == "0.4098"


def test_a_specimen_without_its_reports_prose_is_never_published():
    """A specimen's placeholder text or bare headings write no sections, statements or copying; a specimen
    carrying its report's own prose (manifest prose original) is kept like an original."""
    from openness.extract import extract_report
    from openness.prose import prose_frames

    extractions = [extract_report(need(CORPUS / f"{r}.pdf")) for r in ("hongze-2023", "hongze-2024")]
    cells = pd.DataFrame([c.as_dict() for ex in extractions for c in ex.cells])
    manifest = pd.DataFrame({"report": ["hongze-2023", "hongze-2024"], "body": ["洪泽区", "洪泽区"], "year": ["2023", "2024"]})
    originals = prose_frames(extractions, cells, manifest.assign(provenance="original"))
    assert len(originals["copying.csv"]) > 0 and set(originals["sections.csv"].report) == {"hongze-2023", "hongze-2024"}
    specimen = manifest.assign(provenance=["original", "specimen re-typeset from the published figures"])
    frames = prose_frames(extractions, cells, specimen)  # no prose column: a specimen's prose was placeholder
    assert set(frames["sections.csv"].report) == {"hongze-2023"}
    assert len(frames["copying.csv"]) == 0
    for prose in ("none", "placeholder", "None "):
        frames = prose_frames(extractions, cells, specimen.assign(prose=["", prose]))
        assert set(frames["sections.csv"].report) == {"hongze-2023"}, prose
    frames = prose_frames(extractions, cells, specimen.assign(prose=["", "original"]))
    assert set(frames["sections.csv"].report) == {"hongze-2023", "hongze-2024"}
    assert frames["copying.csv"].equals(originals["copying.csv"])
