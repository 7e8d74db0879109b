"""Image-only PDF (a scan) -> grids: the grid from the ruled lines first, then each cell read by OCR.

Whole-page OCR fed to a table finder fuses digits with rule lines and reads
the figures of neighbouring cells as one ("0 0 0" -> "000"), so the order is
the other way round:

1. **Pages.** Every page is rendered at `DPI` (pypdfium2); a page whose ruled
   lines make no table is not read further (prose, a cover, a photo).
2. **Straighten.** The tilt of a scanned page (up to a degree or two) is the
   angle that makes the rows of dark pixels sharpest (projection profile); the
   page is rotated back by it.
3. **Grid.** OpenCV finds the horizontal rules (a morphological opening with
   a line longer than any character's stroke) and the vertical ones (strokes
   that reach a horizontal rule: a character's stroke stands free in its
   cell); their positions are the grid's rows and columns, and two
   neighbouring cells are one merged cell when the rule between them is not
   printed. A table cut by the page ends where its rules end.
4. **Cells.** Inside each merged cell the dark pixels are cut into text lines
   (and a line at a wide gap into words, so that two figures in one cell stay
   two), and each piece is read by the recogniser of RapidOCR (PP-OCRv4,
   ONNX models inside its wheel), whose per-character probabilities give
   every cell a confidence and every digit its second choice.

Figures read this way are proven or doubted by the identities afterwards
(`openness.proof`): a scan's figures are never taken on the engine's word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..model import Box, Grid, Problem
from ..tables import classify
from . import Reading

DPI = 200  # pixels per inch the pages are read at: a 10.5 pt character is ~29 px high
ENGINE = "rapidocr"
METHOD = f"ocr-{ENGINE}"
MAX_SKEW = 2.0  # degrees of tilt searched either way
RULE = 0.2  # shortest rule, inches: longer than any character's stroke at body sizes
BORDER = 0.9  # share of a cell edge the rule must cover to be printed (text never reaches the rules at both ends)


@dataclass
class CellReading:
    """What the engine read in one merged cell: text, its weakest character's probability, each character's second choice."""

    text: str
    confidence: float | None  # None for a blank cell
    chars: list[tuple[str, float, str, float]] = field(default_factory=list)  # (char, p, second digit, its p)


# ------------------------------------------------------------------ images


def page_images(path: str | Path, dpi: int = DPI) -> list[np.ndarray]:
    """Every page as a grey image (uint8, white paper) at `dpi`."""
    from .pdf import open_pdf

    doc = open_pdf(path)
    try:
        return [np.asarray(doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")) for i in range(len(doc))]
    finally:
        doc.close()


def ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels (255) on paper (0): Otsu's global threshold, robust to toner, tone and noise."""
    import cv2

    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary


def skew_angle(binary: np.ndarray, step: float = 0.05) -> float:
    """The page's tilt in degrees (counter-clockwise positive): the rotation that makes its rows of ink sharpest."""
    import cv2

    small = cv2.resize(binary, (binary.shape[1] // 2, binary.shape[0] // 2), interpolation=cv2.INTER_AREA).astype(np.float32)
    h, w = small.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rows = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST).sum(axis=1)
        return float(np.square(rows).sum())

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.25, best + 0.25 + 1e-9, step)
    return -float(max(fine, key=sharpness))


def straighten(gray: np.ndarray, angle: float) -> np.ndarray:
    """The page rotated back by its tilt, white filled in at the corners."""
    import cv2

    if abs(angle) < 0.01:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


# ------------------------------------------------------------------ grid


@dataclass
class Table:
    """One ruled table on a page image: rule positions (pixels) and which cell edges are printed."""

    xs: list[int]  # vertical rules, left to right
    ys: list[int]  # horizontal rules, top to bottom
    right: np.ndarray  # right[r, c]: the rule between cell (r, c) and (r, c + 1) is printed
    below: np.ndarray  # below[r, c]: the rule between cell (r, c) and (r + 1, c) is printed


def rules(binary: np.ndarray, dpi: int = DPI) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the horizontal and vertical rules: ink that survives an opening by a line.

    Horizontal rules are longer than `RULE`; vertical ones only longer than
    half of it (a one-row table's rules are as short as its text is high):
    the character strokes this keeps are told from rules by `_edges`.
    """
    import cv2

    n = max(int(RULE * dpi), 10)
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1)))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, n // 2)))
    return horizontal, vertical


def _positions(profile: np.ndarray, minimum: float) -> list[int]:
    """Centres of the runs where a projection profile reaches `minimum` (one per rule)."""
    on = profile >= minimum
    out, start = [], None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    if start is not None:
        out.append((start + len(on) - 1) // 2)
    return out


def _vertical_rules(
    horizontal: np.ndarray, vertical: np.ndarray, box: tuple[int, int, int, int], n: int, reach: int = 5
) -> tuple[list[int], int, int]:
    """The x of each vertical rule in a table's box, and the top and bottom of the rules.

    A rule runs from one horizontal rule to another, or from one to the end of
    a table cut by the page (longer than any character's stroke, `n`), or is
    three times that long (a table's side cut by the page at both ends); a
    character's stroke stands free inside its cell. Strokes within `reach`
    pixels are one rule.
    """
    import cv2

    x, y, w, h = box
    touch = cv2.dilate(horizontal[y : y + h, x : x + w], np.ones((2 * reach + 1, 6 * reach + 1), np.uint8)) > 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(vertical[y : y + h, x : x + w])
    found, top, bottom = [], h, 0
    for i in range(1, count):
        sx, sy, sw, sh, _ = stats[i]
        if sw > 3 * reach:
            continue
        cx = sx + sw // 2
        ends = int(touch[sy, cx]) + int(touch[sy + sh - 1, cx])
        if ends == 2 or (ends == 1 and sh >= n) or sh >= 3 * n:
            found.append((cx, sh))
            top, bottom = min(top, sy), max(bottom, sy + sh - 1)
    xs: list[list[int]] = []  # clusters: [sum of x weighted by length, total length]
    for cx, sh in sorted(found):
        if xs and cx - xs[-1][0] // xs[-1][1] <= reach:
            xs[-1][0] += cx * sh
            xs[-1][1] += sh
        else:
            xs.append([cx * sh, sh])
    return [x + total // weight for total, weight in xs], y + top, y + bottom


def _printed(strip: np.ndarray) -> bool:
    """Whether a strip of the rules' mask along a cell edge (along the edge, a few pixels across) is a printed rule."""
    if strip.size == 0:
        return False
    return float((strip.max(axis=1) > 0).mean()) >= BORDER


def has_rules(binary: np.ndarray, dpi: int = DPI) -> bool:
    """Whether a page, straight or not, prints a horizontal rule three times `RULE` long: else it holds no table."""
    import cv2

    n = max(int(RULE * dpi), 10)
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (n, 1)))
    _, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(horizontal, np.ones((5, 5), np.uint8)))
    return bool((stats[1:, cv2.CC_STAT_WIDTH] >= 3 * n).any())


def find_tables(binary: np.ndarray, dpi: int = DPI) -> list[Table]:
    """The ruled tables of a straightened page, top to bottom."""
    import cv2

    horizontal, vertical = rules(binary, dpi)
    mask = cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    n = max(int(RULE * dpi), 10)
    tables = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if w < 3 * n or h < n // 2:
            continue
        ys = [y + v for v in _positions((horizontal[y : y + h, x : x + w] > 0).sum(axis=1), n)]
        xs, top, bottom = _vertical_rules(horizontal, vertical, (x, y, w, h), n)
        if ys and bottom > ys[-1] + n // 2:
            ys.append(bottom)  # a table cut by the page: its last row has no rule below
        if ys and top < ys[0] - n // 2:
            ys.insert(0, top)
        if len(ys) < 2 or len(xs) < 2:
            continue
        table = _edges(horizontal, vertical, xs, ys)
        if table.right.any() or len(xs) == 2:
            tables.append(table)
    return sorted(tables, key=lambda t: t.ys[0])


def _edges(horizontal: np.ndarray, vertical: np.ndarray, xs: list[int], ys: list[int], pad: int = 3) -> Table:
    """Which cell edges of a grid of rules are printed, from the rules' masks along each edge.

    The masks, not the ink: a character's stroke standing on a cell's edge
    (条 cut by a rule of the row below) is shorter than any rule.
    """
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    right = np.zeros((n_rows, n_cols), bool)
    below = np.zeros((n_rows, n_cols), bool)
    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols:
                x = xs[c + 1]
                right[r, c] = _printed(vertical[ys[r] : ys[r + 1], x - pad : x + pad + 1])
            if r + 1 < n_rows:
                y = ys[r + 1]
                below[r, c] = _printed(horizontal[y - pad : y + pad + 1, xs[c] : xs[c + 1]].T)
    return Table(xs, ys, right, below)


def spans(table: Table) -> list[list[int]]:
    """Merged-cell ids: neighbouring cells without a printed rule between them are one cell (as the PDF reader merges Camelot's)."""
    from types import SimpleNamespace

    from .pdf import _merged_spans

    n_rows, n_cols = table.right.shape
    cells = [
        [
            SimpleNamespace(
                right=table.right[r, c],
                left=c == 0 or table.right[r, c - 1],
                bottom=table.below[r, c],
                top=r == 0 or table.below[r - 1, c],
            )
            for c in range(n_cols)
        ]
        for r in range(n_rows)
    ]
    return _merged_spans(cells)


# ------------------------------------------------------------------ text


def pieces(binary: np.ndarray, box: tuple[int, int, int, int], inset: int = 4) -> list[list[tuple[int, int, int, int]]]:
    """The text of one cell as lines of pieces (x0, y0, x1, y1 in page pixels): ink cut at empty rows, then at wide gaps."""
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    if x1 <= x0 or y1 <= y0:
        return []
    crop = binary[y0:y1, x0:x1] > 0
    lines = []
    for top, bottom in _text_lines(crop):
        band = crop[top:bottom]
        height = bottom - top
        words = []
        for left, right in _runs(band.any(axis=0), gap=max(height, 8)):
            if band[:, left:right].sum() >= 8:
                words.append((x0 + left, y0 + top, x0 + right, y0 + bottom))
        if words:
            lines.append(words)
    return lines


def _text_lines(crop: np.ndarray) -> list[tuple[int, int]]:
    """[top, bottom) of each line of ink in a cell: cut at empty rows, specks dropped, and a band
    thinner than half the tallest (a stroke of 二 on a line of its own) joined to its nearest neighbour."""
    bands = [(t, b) for t, b in _runs(crop.any(axis=1), gap=2) if crop[t:b].sum() >= 12]
    while len(bands) > 1:
        tallest = max(b - t for t, b in bands)
        thin = [i for i, (t, b) in enumerate(bands) if b - t < tallest / 2]
        if not thin:
            break
        i = thin[0]
        near = [(bands[j][0] - bands[j - 1][1], j - 1, j) for j in (i, i + 1) if 0 < j < len(bands)]
        _, a, b = min(near)
        bands[a : b + 1] = [(bands[a][0], bands[b][1])]
    return bands


def _runs(on: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """[start, end) runs of True, joining runs separated by fewer than `gap` False values."""
    runs: list[list[int]] = []
    for i in np.flatnonzero(on):
        if runs and i - runs[-1][1] < gap:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    return [(a, b) for a, b in runs]


@lru_cache(maxsize=1)
def _engine():
    """RapidOCR's recogniser (loaded once per process; its models ship in the wheel)."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR().text_rec


DIGITS = "0123456789"
PAD = 4  # paper kept around each piece of text given to the recogniser, pixels
MIN_RATIO = 1.5  # narrowest input (width / height) given to the recogniser: a lone digit is not padded to 320 px


def recognise(
    gray: np.ndarray, boxes: list[tuple[int, int, int, int]], pad: int | None = None, batch: int = 16
) -> list[tuple[str, list[tuple[str, float, str, float]]]]:
    """Read each box of a grey page: its text and, per character, its probability and the best other digit."""
    import cv2

    rec = _engine()
    pad = PAD if pad is None else pad
    chars = rec.postprocess_op.character
    digit_ids = np.array([chars.index(d) for d in DIGITS])
    crops = []
    for x0, y0, x1, y1 in boxes:
        crop = gray[max(y0 - pad, 0) : y1 + pad, max(x0 - pad, 0) : x1 + pad]
        crops.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
    order = np.argsort([c.shape[1] / c.shape[0] for c in crops])
    out: list = [None] * len(crops)
    for start in range(0, len(crops), batch):
        idx = order[start : start + batch]
        ratio = max([MIN_RATIO] + [crops[i].shape[1] / crops[i].shape[0] for i in idx])
        norm = np.concatenate([rec.resize_norm_img(crops[i], ratio)[np.newaxis] for i in idx]).astype(np.float32)
        preds = rec.session(norm)[0]
        for k, i in enumerate(idx):
            out[i] = _decode(preds[k], chars, digit_ids)
    return out


# Characters the recogniser confuses with digits in a cell of figures: their probability counts for the digit.
LOOKALIKES = {"0": "oO〇", "1": "lI|丨"}
NUMERIC = set(DIGITS + ".-" + "".join(LOOKALIKES.values()))


def _decode(pred: np.ndarray, chars: list[str], digit_ids: np.ndarray) -> tuple[str, list[tuple[str, float, str, float]]]:
    """CTC greedy decoding, keeping for each character its probability and the most likely other digit.

    A piece that reads as figures only (digits, a point, a minus, and the
    letters that look like 0 and 1) is read again as digits: each character is
    the digit whose probability, its look-alikes' added, is highest.
    """
    best = pred.argmax(axis=1)
    runs: list[list[int]] = []  # time steps of each emitted character
    prev = 0
    for t, k in enumerate(best):
        if k != 0 and k == prev and runs:
            runs[-1].append(t)
        elif k != 0:
            runs.append([t])
        prev = k
    greedy = "".join(chars[best[r[0]]] for r in runs)
    numeric = bool(greedy) and set(greedy) <= NUMERIC and greedy.strip(".-") != ""
    if numeric:
        digits = pred[:, digit_ids].copy()
        for d, alike in LOOKALIKES.items():
            for c in alike:
                digits[:, DIGITS.index(d)] += pred[:, chars.index(c)]
    text, detail = "", []
    for run in runs:
        k = best[run[0]]
        c = chars[k]
        if numeric and c not in ".-":
            p_digits = digits[run].max(axis=0)
            order = np.argsort(-p_digits)
            c, p = DIGITS[order[0]], float(p_digits[order[0]])
            second, q = DIGITS[order[1]], float(p_digits[order[1]])
        else:
            p = float(pred[run, k].max())
            d = pred[run][:, digit_ids].max(axis=0)
            if c in DIGITS:
                d[DIGITS.index(c)] = -1
            j = int(d.argmax())
            second, q = DIGITS[j], float(d[j])
        text += c
        detail.append((c, min(p, 1.0), second, q))
    return text, detail


# ------------------------------------------------------------------ reading


def read_page(
    gray: np.ndarray, page: int, size: tuple[float, float], source: str, first_index: int = 0
) -> tuple[list[Grid], dict]:
    """The grids of one page image, and each merged cell's reading by (page, box)."""
    import cv2

    binary = ink(gray)
    if not has_rules(binary):
        return [], {}
    angle = skew_angle(binary)
    gray = straighten(gray, angle)
    binary = ink(gray)
    tables = find_tables(binary)
    width, height = size
    sx, sy = width / gray.shape[1], height / gray.shape[0]
    # boxes are found on the straightened page and given on the page as scanned (tilted back)
    back = cv2.invertAffineTransform(cv2.getRotationMatrix2D((gray.shape[1] / 2, gray.shape[0] / 2), -angle, 1.0))

    def to_points(x0: int, y0: int, x1: int, y1: int) -> Box:
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=float) @ back.T
        xs, ys = corners[:, 0] * sx, height - corners[:, 1] * sy
        return (round(float(xs.min()), 2), round(float(ys.min()), 2), round(float(xs.max()), 2), round(float(ys.max()), 2))

    jobs: list[tuple[int, int, int, int]] = []  # piece boxes, in reading order
    plan = []  # per table: span ids, pixel box per root, lines of piece indices per root
    for t in tables:
        span = spans(t)
        roots: dict[int, list[int]] = {}
        for r, row in enumerate(span):
            for c, sid in enumerate(row):
                b = roots.setdefault(sid, [t.xs[c], t.ys[r], t.xs[c + 1], t.ys[r + 1]])
                b[0], b[1] = min(b[0], t.xs[c]), min(b[1], t.ys[r])
                b[2], b[3] = max(b[2], t.xs[c + 1]), max(b[3], t.ys[r + 1])
        lines = {}
        for sid, b in roots.items():
            lines[sid] = []
            for words in pieces(binary, tuple(b)):
                lines[sid].append(list(range(len(jobs), len(jobs) + len(words))))
                jobs.extend(words)
        plan.append((t, span, roots, lines))
    results = recognise(gray, jobs) if jobs else []
    grids, readings = [], {}
    for k, (t, span, roots, lines) in enumerate(plan):
        texts, boxes = {}, {}
        for sid, b in roots.items():
            box = to_points(*b)
            boxes[sid] = box
            detail = []
            parts = []
            for line in lines[sid]:
                if parts:
                    detail.append(("\n", 1.0, "\n", 0.0))
                for n, i in enumerate(line):
                    if n:
                        detail.append((" ", 1.0, " ", 0.0))
                    detail.extend(results[i][1])
                parts.append(" ".join(results[i][0] for i in line))
            text = "\n".join(parts)
            texts[sid] = text
            conf = min((p for c, p, _, _ in detail if not c.isspace()), default=None)
            readings[(page, box)] = CellReading(text, round(conf, 4) if conf is not None else None, detail)
        grid_text = [[texts[sid] for sid in row] for row in span]
        grid_boxes = [[boxes[sid] for sid in row] for row in span]
        bbox = to_points(t.xs[0], t.ys[0], t.xs[-1], t.ys[-1])
        grids.append(Grid(source, page, grid_text, span, grid_boxes, METHOD, bbox, first_index + k))
    return grids, readings


def page_sizes(path: str | Path) -> list[tuple[float, float]]:
    """Every page's width and height in PDF points."""
    from .pdf import open_pdf

    doc = open_pdf(path)
    try:
        return [tuple(doc[i].get_size()) for i in range(len(doc))]
    finally:
        doc.close()


def blank(gray: np.ndarray) -> bool:
    """Whether a page prints nothing: almost no pixel far darker than the paper."""
    return float((gray < np.median(gray) - 80).mean()) < 1e-4


def read(path: str | Path) -> Reading:
    """The grids of an image-only PDF's table pages, read by OCR, or the one reason there are none."""
    sizes = page_sizes(path)
    grids: list[Grid] = []
    readings: dict = {}
    pages, empty = [], 0
    for number, (gray, size) in enumerate(zip(page_images(path), sizes), start=1):
        if blank(gray):
            empty += 1
            continue
        found, cells = read_page(gray, number, size, str(path), len(grids))
        if found:
            grids.extend(found)
            readings.update(cells)
            pages.append(number)
    if empty == len(sizes):
        message = f"blank: no text layer and nothing printed on its {len(sizes)} page{'s' if len(sizes) != 1 else ''}"
        return Reading(problems=[Problem(str(path), "no_text", message)])
    if not any(classify(g) for g in grids):
        found = "no ruled table" if not grids else "no ruled table that holds the statistical tables' words"
        message = (
            f"an image-only PDF (a scan or a photo) with {found} on any of its {len(sizes)} pages: not an annual report's tables"
        )
        return Reading(problems=[Problem(str(path), "not_a_report", message)])
    from ..proof import prove

    return Reading(
        grids=grids,
        method=METHOD,
        pages=pages,
        printed="".join(g.text[r][c] for g in grids for r in range(g.n_rows) for c in range(g.n_cols)),
        verify=lambda ex: prove(ex, readings),
    )
