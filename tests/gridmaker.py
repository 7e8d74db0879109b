"""Build Grid records by hand, the way Camelot or an HTML table hands them over.

In a layout, '<' continues the merged cell on the left and '^' the one above;
any other string is a new cell. Boxes are laid out on a regular 10-point grid.
"""

from __future__ import annotations

from openness.model import Grid


def make_grid(layout: list[list[str]], page: int | None = 1, index: int = 0, x0: float = 50.0) -> Grid:
    n_rows, n_cols = len(layout), len(layout[0])
    span = [[0] * n_cols for _ in range(n_rows)]
    text = [[""] * n_cols for _ in range(n_rows)]
    next_id = 0
    for r, row in enumerate(layout):
        assert len(row) == n_cols, row
        for c, cell in enumerate(row):
            if cell == "<":
                span[r][c], text[r][c] = span[r][c - 1], text[r][c - 1]
            elif cell == "^":
                span[r][c], text[r][c] = span[r - 1][c], text[r - 1][c]
            else:
                span[r][c], text[r][c] = next_id, cell
                next_id += 1
    boxes = [[None] * n_cols for _ in range(n_rows)]
    if page is not None:
        extent: dict[int, list[float]] = {}
        for r in range(n_rows):
            for c in range(n_cols):
                b = (x0 + 40 * c, 800 - 20 * (r + 1), x0 + 40 * (c + 1), 800 - 20 * r)
                e = extent.setdefault(span[r][c], list(b))
                e[0], e[1], e[2], e[3] = min(e[0], b[0]), min(e[1], b[1]), max(e[2], b[2]), max(e[3], b[3])
        boxes = [[tuple(extent[span[r][c]]) for c in range(n_cols)] for r in range(n_rows)]
    return Grid("test.pdf", page, text, span, boxes, "test", None, index)
