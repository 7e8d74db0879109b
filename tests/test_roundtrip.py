"""Round trip: figures -> specimen PDF -> extract_report -> the same figures.

Property tests (hypothesis) draw valid random figures for any template
(identities holding, or deliberately broken, blanks included) and random layout
choices, typeset them and extract them again: every official cell must come
back with its value as printed. CI runs a few examples; `make roundtrip-long`
runs many more (ROUNDTRIP_EXAMPLES). Every committed specimen in data/raw must
extract back to exactly the figures of its CSV.

Other producers: the PDFs of tests/fixtures/producers, printed by LibreOffice
Writer, Calc and Chromium from documents the project's generator wrote
(openness.tooling.producers), are scored cell by cell against their figures;
with the programs installed, `make roundtrip-long` prints ROUNDTRIP_PRINTS
random reports through each and scores them the same way.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from openness import labels
from openness.checks import check_report
from openness.extract import extract_report
from openness.tooling.producers import FIXTURES, PRODUCERS, PrintJob, missing, print_reports, random_look, random_print_figures
from openness.tooling.typeset import Layout, random_figures, render_report

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
EXAMPLES = int(os.environ.get("ROUNDTRIP_EXAMPLES", "30"))
PRINTS = int(os.environ.get("ROUNDTRIP_PRINTS", "0"))  # random prints per producer (make roundtrip-long: 300)


@st.composite
def figures(draw, template: str) -> tuple[pd.DataFrame, bool]:
    """The official cells of a template with random values (typeset.random_figures, drawn by hypothesis)."""
    return random_figures(template, draw(st.randoms(use_true_random=False)))


@st.composite
def layouts(draw, template: str) -> Layout:
    """Layout choices: label variants, type sizes, where table 2 breaks, how the break cuts."""
    n_rows = len(labels.entries("row", "requests", template))
    return Layout(
        seed=draw(st.integers(0, 2**20)),
        variant_rate=draw(st.sampled_from([0.0, 0.2, 0.5, 1.0])),
        font_size=draw(st.sampled_from([8.0, 9.0, 10.0, 10.5, 12.0])),
        body_size=draw(st.sampled_from([12.0, 14.0, 16.0])),
        margin=draw(st.sampled_from([48.0, 64.0, 72.0, 90.0])),
        line_width=draw(st.sampled_from([0.5, 0.75, 1.0, 1.5])),
        shade=draw(st.booleans()),
        proactive_split=draw(st.booleans()),
        table2_break=draw(st.one_of(st.integers(1, n_rows - 1), st.none())),  # most real reports break table 2
        cut_row=draw(st.booleans()),
        cut_figures=draw(st.sampled_from(["first", "second"])),
        span_text=draw(st.sampled_from(["first", "second", "cut"])),
        repeat_header=draw(st.booleans()),
        fill_page=draw(st.booleans()),
        review_leaf_span=draw(st.booleans()),
        prose=draw(st.integers(0, 4)),
        yuan_suffix=draw(st.booleans()),
    )


@st.composite
def cases(draw):
    template = draw(st.sampled_from(labels.TEMPLATES))
    frame, broken = draw(figures(template))
    return template, frame, broken, draw(layouts(template))


def as_dict(frame: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    return {(t, r, c): v for t, r, c, v in frame[["table", "row", "column", "value"]].itertuples(index=False)}


def mismatches(want: dict, ex) -> list[tuple]:
    got = {(c.table, c.row, c.column): c.value for c in ex.cells}
    return sorted((k, want.get(k), got.get(k)) for k in set(want) | set(got) if want.get(k) != got.get(k))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("ROUNDTRIP_RANDOM") is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(case=cases())
def test_random_figures_and_layouts_round_trip(case, tmp_path):
    template, frame, broken, layout = case
    event(f"template {template}")
    event(
        "table 2 unbroken"
        if layout.table2_break is None
        else f"table 2 broken, row cut {layout.cut_row}, merged labels to the {layout.span_text} part, header repeated {layout.repeat_header}"
    )
    r = render_report(frame, tmp_path / "specimen.pdf", template=template, body="某某县人民政府", year=2024, layout=layout)
    ex = extract_report(r.path, "specimen")
    wrong = mismatches(as_dict(frame), ex)
    printed = {k: v for k, v in r.labels.items() if any(k in (w[0][1], w[0][2]) or w[0][1].endswith(k) for w in wrong)}
    assert not wrong, (
        f"{len(wrong)} cells differ (cell, typeset, extracted): {wrong[:6]}\n"
        f"template {template}, {layout}\nlabels printed: {printed}\nproblems: {[str(p) for p in ex.problems][:6]}"
    )
    assert ex.template == template
    assert ex.status == "ok"
    broken_found = any(c["status"] == "fail" for c in check_report("specimen", pd.DataFrame([c.as_dict() for c in ex.cells])))
    if not broken and not (frame["value"] == "").any():
        assert not broken_found


# ------------------------------------------------------------ pinned layouts

MISPRINT = "三、本年度办理结果 / （三）不予公开 / 2.其他法律行政法规禁止公开"
MASS = "三、本年度办理结果 / （五）不予处理 / 4.无正当理由大量反复申请"
# Layouts the round trip once failed on (a precise case each), kept as regression tests.
PINNED = {
    "vertical label on the continuation page": (
        "hongze-2023",
        "mixed",
        Layout(variant_rate=0, table2_break=14, span_text="second"),
    ),
    "vertical label cut by the break": ("hongze-2023", "mixed", Layout(variant_rate=0, table2_break=14, span_text="cut")),
    "header repeated after the break": ("pingtan-2023", "2021", Layout(variant_rate=0, table2_break=12, repeat_header=True)),
    "continuation opens with a group label": (
        "pingtan-2019",
        "2019",
        Layout(variant_rate=0, table2_break=12, repeat_header=True),
    ),
    "last row of table 2 alone on the next page": ("hongze-2023", "mixed", Layout(variant_rate=0, table2_break=22)),
    "narrow header cells side by side": ("pingtan-2023", "2021", Layout(variant_rate=0, font_size=9.0, margin=48.0)),
    "last row of table 1 alone on the next page": (
        "pingtan-2021",
        "2021",
        Layout(variant_rate=0, proactive_split=True, prose=3, body_size=14.0),
    ),
    "table 1 section header alone, own table": (
        "pingtan-2021",
        "2021",
        Layout(variant_rate=0, proactive_split=True, prose=3, body_size=16.0),
    ),
    "table 1 section header alone, one table": ("pingtan-2019", "2019", Layout(variant_rate=0, prose=3, body_size=16.0)),
    "cut row, its tail reads like another row": (
        "hongze-2023",
        "mixed",
        Layout(
            variant_rate=0,
            table2_break=20,
            cut_row=True,
            cut_figures="second",
            repeat_header=True,
            span_text="second",
            labels={MASS: "4.无正当理由大量反\n复申请"},
        ),
    ),
    "cut row, its head only the number": (
        "hongze-2023",
        "mixed",
        Layout(variant_rate=0, table2_break=6, cut_row=True, labels={MISPRINT: "2．\n其他法律行政止公开"}),
    ),
}


# Open extractor failures, written down precisely; the marker goes once the extractor reads them.
OPEN: dict[str, str] = {}  # pinned layouts still failing, with why (none at present)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=OPEN[n])) if n in OPEN else n for n in PINNED]
)
def test_pinned_layouts_round_trip(name, tmp_path):
    report, template, layout = PINNED[name]
    figures = pd.read_csv(RAW / "figures" / f"{report}.csv", dtype=str, keep_default_na=False)
    r = render_report(figures, tmp_path / "pinned.pdf", template=template, body="某某区人民政府", year=2023, layout=layout)
    ex = extract_report(r.path, "pinned")
    wrong = mismatches(as_dict(figures), ex)
    assert not wrong, f"{len(wrong)} cells differ: {wrong[:4]}; problems: {[str(p) for p in ex.problems][:4]}"


# --------------------------------------------------------- committed specimens


def _specimens() -> list[dict]:
    path = RAW / "manifest.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records") if path.exists() else []


@pytest.mark.parametrize("meta", _specimens(), ids=lambda m: m["report"])
def test_every_specimen_extracts_to_its_figures(meta):
    figures = pd.read_csv(RAW / "figures" / f"{meta['report']}.csv", dtype=str, keep_default_na=False)
    ex = extract_report(RAW / meta["file"], meta["report"])
    wrong = mismatches(as_dict(figures), ex)
    assert not wrong, (
        f"{len(wrong)} cells differ (cell, figures CSV, extracted): {wrong[:6]}; problems: {[str(p) for p in ex.problems][:6]}"
    )
    assert ex.template == meta["template"]


# ------------------------------------------------------------ other producers


def _fixtures() -> list[dict]:
    path = FIXTURES / "manifest.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records") if path.exists() else []


# Fixtures the reader still misreads, with what and why; the marker goes once the reader reads them.
MISREAD: dict[str, str] = {}  # none at present


@pytest.mark.parametrize(
    "meta",
    [
        pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=MISREAD[m["file"]])) if m["file"] in MISREAD else m
        for m in _fixtures()
    ],
    ids=lambda m: m["file"],
)
def test_every_producer_fixture_extracts_to_its_figures(meta):
    figures = pd.read_csv(FIXTURES / meta["file"].replace(".pdf", ".csv"), dtype=str, keep_default_na=False)
    ex = extract_report(FIXTURES / meta["file"], "fixture")
    wrong = mismatches(as_dict(figures), ex)
    assert not wrong, (
        f"{len(wrong)} cells differ (cell, printed, extracted): {wrong[:6]}; problems: {[str(p) for p in ex.problems][:6]}"
    )
    assert ex.template == meta["template"]


def random_prints(producer: str, n: int, base: int) -> list[PrintJob]:
    """n reports to print through `producer`: random figures (any template) or a data/raw report's, and a random look."""
    jobs = []
    for seed in range(base, base + n):
        figures, template, body, year, partial = random_print_figures(seed)
        jobs.append(PrintJob(f"{producer}-{seed}", figures, template, random_look(producer, seed), body, year, partial))
    return jobs


@pytest.mark.skipif(
    PRINTS == 0, reason="set ROUNDTRIP_PRINTS (make roundtrip-long) to print random reports through each producer"
)
@pytest.mark.parametrize("producer", PRODUCERS)
def test_random_prints_round_trip(producer, tmp_path):
    if why := missing(producer):
        pytest.skip(why)
    base = random.randrange(10**6) if os.environ.get("ROUNDTRIP_RANDOM") else 0
    jobs = random_prints(producer, PRINTS, base)
    pdfs = print_reports(jobs, tmp_path)
    failed, right, known, tally = [], 0, 0, Counter()
    for job in jobs:
        want = as_dict(job.figures)
        ex = extract_report(pdfs[job.name], job.name)
        wrong = mismatches(want, ex)
        known += len(want)
        right += len(want) - sum(1 for k, _, _ in wrong if k in want)
        tally.update(
            f"{k[0]} {'missing' if got is None else 'extra' if printed is None else 'wrong'}" for k, printed, got in wrong
        )
        if wrong:
            failed.append(f"{job.name} ({job.template}): {len(wrong)} cells differ, e.g. {wrong[:3]}; {job.look}")
    print(
        f"\n{producer}: {len(failed)} of {len(jobs)} prints differ (seeds {base} to {base + len(jobs) - 1}); "
        f"cells right {right}/{known}; cells by table: {dict(tally.most_common())}"
    )
    assert not failed, (
        f"{producer}: {len(failed)} of {len(jobs)} prints differ (seeds from {base}); cells right "
        f"{right}/{known}; cells by table: {dict(tally.most_common())}\n" + "\n".join(failed[:10])
    )
