"""The PDF reader's ruled lines: read from pdfium's path objects, they give Camelot's own grids.

`readers.pdf.ruled_tables` reads a table page's lines without Camelot's page layout analysis
(the slow part of a report). Its grids must be the ones Camelot's vector engine finds: the
same tables, rows, columns and cell edges, the coordinates within a thousandth of a point
(pdfium holds them as single floats), on a real table page of every producer.
"""

from __future__ import annotations

import warnings

import pytest

from conftest import CORPUS, need
from openness.readers import pdf

PAGES = [
    ("hongze-2023.pdf", [2, 3, 4]),  # WPS
    ("producers/pingtan-2021-writer-v1.pdf", [2, 3, 4]),  # LibreOffice Writer
    ("producers/pingtan-2022-calc.pdf", [1, 2]),  # LibreOffice Calc
    ("producers/pingtan-2023-chromium.pdf", [3, 4, 5, 6, 7]),  # Chromium, rules as thin filled rectangles
]


def _camelot(path, pages):
    import camelot

    with warnings.catch_warnings(), pdf._every_ruled_grid():
        warnings.simplefilter("ignore")
        return camelot.read_pdf(str(path), pages=",".join(map(str, pages)), flavor="lattice", engine="vector")


def _shape(table):
    return (int(table.page), [[(c.left, c.right, c.top, c.bottom) for c in row] for row in table.cells])


@pytest.mark.parametrize("name,pages", PAGES, ids=[n for n, _ in PAGES])
def test_ruled_lines_give_camelots_grids(name, pages):
    path = need(CORPUS / name)
    ours, left = pdf.ruled_tables(pdf.page_chars(path, pages))
    theirs = list(_camelot(path, pages))
    assert left == {}
    assert [_shape(t) for t in ours] == [_shape(t) for t in theirs]
    for a, b in zip(ours, theirs):
        for mine, camelots in ((a.cols, b.cols), (a.rows, b.rows), ([a._bbox], [b._bbox])):
            assert max(abs(u - v) for p, q in zip(mine, camelots) for u, v in zip(p, q)) < 1e-3


def test_a_turned_page_is_left_to_camelot(tmp_path):
    """A page turned by /Rotate: Camelot turns it back by its text, so the page is Camelot's to read."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(need(CORPUS / "producers" / "fenyang-2023-writer-v0.pdf")).pages:
        page.rotate(90)
        writer.add_page(page)
    writer.write(tmp_path / "turned.pdf")
    tables, left = pdf.ruled_tables(pdf.page_chars(tmp_path / "turned.pdf", [2]))
    assert tables == [] and left == {2: "page turned by /Rotate"}
