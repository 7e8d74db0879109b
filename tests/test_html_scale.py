"""The HTML reader on hostile pages: linear in the page, grids capped in size, the same grids as before on any table."""

from __future__ import annotations

import random

from openness.readers import html


def simplify_by_definition(text, span):
    """The reference: scan every line again after each drop (quadratic and more, as the reader once did)."""
    text, span = [row[:] for row in text], [row[:] for row in span]

    def droppable(r, c):
        n_rows, n_cols = len(text), len(text[0])
        line = [(r, j) for j in range(n_cols)] if r is not None else [(i, c) for i in range(n_rows)]
        inside = set(line)
        return all(
            not text[i][j] or any(span[a][b] == span[i][j] and (a, b) not in inside for a in range(n_rows) for b in range(n_cols))
            for i, j in line
        )

    changed = True
    while changed and text and text[0]:
        changed = False
        for r in range(len(text)):
            if droppable(r, None):
                del text[r], span[r]
                changed = True
                break
        if changed or not text:
            continue
        for c in range(len(text[0])):
            if droppable(None, c):
                for row in text:
                    del row[c]
                for row in span:
                    del row[c]
                changed = True
                break
    return ([], []) if not text or not text[0] else (text, span)


def random_grid(rng: random.Random) -> tuple[list[list[str]], list[list[int]]]:
    """A grid of merged cells: rectangles painted over one another (so spans may be ragged), some blank."""
    n_rows, n_cols = rng.randint(1, 7), rng.randint(1, 7)
    span = [[r * n_cols + c for c in range(n_cols)] for r in range(n_rows)]
    for sid in range(n_rows * n_cols, n_rows * n_cols + rng.randint(0, 6)):
        r0, c0 = rng.randrange(n_rows), rng.randrange(n_cols)
        for r in range(r0, min(n_rows, r0 + rng.randint(1, 4))):
            for c in range(c0, min(n_cols, c0 + rng.randint(1, 4))):
                span[r][c] = sid
    words = {sid: rng.choice(["", "", "自然人", "12"]) for row in span for sid in row}
    return [[words[sid] for sid in row] for row in span], span


def test_simplify_keeps_the_same_grids_on_random_tables():
    rng = random.Random(20261204)
    for _ in range(3000):
        text, span = random_grid(rng)
        assert html.simplify(text, span) == simplify_by_definition(text, span), (text, span)


def page(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


def test_a_table_of_thousands_of_rows_is_read_whole(tmp_path):
    rows = "".join(f"<tr><td rowspan=2>行{i}</td><td></td><td>{i}</td></tr><tr><td></td><td>x</td></tr>" for i in range(4000))
    reading = html.read(page(tmp_path, "long.html", f"<table><tr><td colspan=3>申请人情况 本年新收</td></tr>{rows}</table>"))
    (grid,) = reading.grids
    assert len(grid.text) == 8001 and len(grid.text[0]) == 2  # the blank middle column dropped, every row kept
    assert grid.text[-1] == ["行3999", "x"]


def test_merged_cells_too_large_for_a_report_are_skipped_within_a_memory_limit(tmp_path):
    from openness.workers import Limits, call_limited

    huge = "<table><tr><td colspan=1000000 rowspan=65534>行政复议</td></tr>" + "<tr><td>1</td></tr>" * 65533 + "</table>"
    table = "<table><tr><td>行政复议</td><td>行政诉讼</td></tr><tr><td>1</td><td>2</td></tr></table>"
    path = page(tmp_path, "huge.html", huge + "<p>between</p>" + table)
    called = call_limited(lambda: html.read(path), Limits(seconds=120, memory_mb=1500))
    assert called.how == "ok", called.reason
    (grid,) = called.value.grids  # the report's table; the huge one is no report table
    assert grid.text == [["行政复议", "行政诉讼"], ["1", "2"]]


def test_deeply_nested_layout_tables_are_read(tmp_path):
    inner = "<table><tr><td>行政复议</td><td>行政诉讼</td></tr><tr><td>3</td><td>4</td></tr></table>"
    nested = "<table><tr><td>" * 3000 + inner + "</td></tr></table>" * 3000
    (grid,) = html.read(page(tmp_path, "nested.html", nested)).grids
    assert grid.text == [["行政复议", "行政诉讼"], ["3", "4"]]
