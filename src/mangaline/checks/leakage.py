"""Leakage check: what the page or the storyboard left in the picture, not what the shot shows.

A model painting over a storyboard, or shown a comic page, can carry over the grid's lines, the
panels' gutters and borders, or text (a caption, a watermark). The draft draws with black ink
outlines and straight set edges too, so a line alone is never enough: what gives leakage away is

- a lattice: a straight line across the whole frame crossing another across the whole frame (a set
  piece in front always breaks a line behind it; an overlay breaks nothing);
- lines across the whole frame at even spacing (a thirds grid, a row of panels);
- a gutter: a white band across the whole frame, darker on both sides (two panels meet there);
- a border: a band of one colour and one thickness along all four edges;
- text: a row of four or more letter-sized glyphs of high contrast standing free in the top or
  bottom eighth of the frame, where watermarks sit, outside the truth's caption areas; free means no
  bigger ink runs along it above or below (a fringe's outline, a shelf), while outlines that only
  cross it (a watermark laid over the drawing) leave it free, and the long straight strokes of the
  drawing they touch are taken out of the ink first (in these bands), so they do not swallow them. In
  the middle, where eyes, buttons and books line up like letters, a row counts only against the shot's
  own drawing: five glyphs or more, drawn in strokes, few of which the drawing has a mark of its own at.

A single straight line right across costs a take a little (a floor's edge may be one) but fails
nothing at the default threshold. A still is judged at 540 px wide (lines at 360); a clip on its
first and last frames at that width.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..model.qc import Verdict
from .base import Take, Truth, ndimage
from .technical import MeasuredCheck

__all__ = ["Finding", "LeakageCheck", "find_leakage"]

WIDTH = 540  # text is looked for at this width; a 1080x1920 frame is 2x smaller
BAND = 0.12  # text is looked for in this share of the frame at the top and at the bottom, where watermarks sit
_HELD = 0.5  # share of a row of glyphs along which bigger ink just above or below holds it: part of the drawing
LINES_WIDTH = 360  # lines, gutters and borders at this one: a line 2 px wide at 1080 still shows


@dataclass(frozen=True)
class Finding:
    """One trace of leakage: what it is, how sure (0..1), and where, in words."""

    kind: str
    strength: float
    where: str


@dataclass(frozen=True)
class _Line:
    """A straight line or band across the whole frame: its centre and thickness (px) and its colour."""

    axis: str  # "h": a row across the full width, "v": a column down the full height
    pos: float  # centre, px along the other axis
    thickness: int
    colour: tuple[float, float, float]


def _gray(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _full_span_rows(rgb: np.ndarray, contrast: float, cover: float, max_thickness: int) -> list[tuple[int, int]]:
    """Runs of rows (first, last + 1) that hold a straight line or band across the whole width.

    A row is part of one when, at nearly every column, it either stands out from the rows on both
    sides (in some channel it is outside the range between them by ``contrast``: a line, where an
    edge between two regions only blends them) or has the line's own colour: an overlay hides in
    content of its colour, while a line drawn behind something is broken by it.
    """
    h = rgb.shape[0]
    # every third column (a line across the frame is as plain in a third of them), one plane per channel
    planes = [np.ascontiguousarray(rgb[:, ::3, c]).astype(np.int16) for c in range(3)]
    best = np.zeros(h)
    for k in (1, 2, 3, 5, 8, 13, 21):
        if 2 * k >= h or k > max_thickness:
            continue
        outside = None
        for plane in planes:
            mid, up, down = plane[k:-k], plane[: -2 * k], plane[2 * k :]
            off = np.maximum(mid - np.maximum(up, down), np.minimum(up, down) - mid)
            outside = off if outside is None else np.maximum(outside, off)
        ridge = outside > contrast
        share = ridge.mean(axis=1)
        for y in np.flatnonzero(share >= 0.6):
            row = np.stack([plane[y + k] for plane in planes], axis=1)
            colour = np.median(row[ridge[y]], axis=0)
            own = np.abs(row - colour).max(axis=1) <= 1.5 * contrast
            whole = float((ridge[y] | own).mean())
            if whole >= cover:
                best[y + k] = max(best[y + k], whole)
    rows = np.flatnonzero(best > 0)
    if not len(rows):
        return []
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    return [(int(r[0]), int(r[-1]) + 1) for r in runs if r[-1] + 1 - r[0] <= max_thickness + 2]


def _lines(rgb: np.ndarray, contrast: float, cover: float) -> list[_Line]:
    out = []
    for axis, img in (("h", rgb), ("v", np.transpose(rgb, (1, 0, 2)))):
        h = img.shape[0]
        for first, last in _full_span_rows(img, contrast, cover, max(3, round(0.06 * h))):
            # a run of rows may hold a gutter between two borders: one line per colour
            colours = np.median(img[first:last], axis=1)
            cuts = [first + i + 1 for i in np.flatnonzero(np.abs(np.diff(colours, axis=0)).max(axis=1) > 3 * contrast)]
            for a, b in zip([first, *cuts], [*cuts, last], strict=True):
                colour = np.median(img[a:b].reshape(-1, 3), axis=0)
                out.append(_Line(axis, (a + b - 1) / 2, b - a, tuple(float(c) for c in colour)))
    return out


def _even(positions: list[float], size: int, tolerance: float) -> bool:
    """The positions cut [0, size] into equal parts (thirds, quarters ...), or are three or more evenly spaced."""
    pos = sorted(positions)
    cuts = np.diff([0.0, *pos, float(size)])
    if len(pos) >= 2 and cuts.max() - cuts.min() <= tolerance * size:
        return True
    gaps = np.diff(pos)
    return len(pos) >= 3 and gaps.min() > 0.05 * size and gaps.max() - gaps.min() <= tolerance * size


def _grid_findings(rgb: np.ndarray, contrast: float, cover: float) -> list[Finding]:
    rgb = rgb.astype(np.float32)
    h, w = rgb.shape[:2]
    margin = {"h": 0.03 * h, "v": 0.03 * w}
    size = {"h": h, "v": w}
    parts = [ln for ln in _lines(rgb, contrast, cover) if margin[ln.axis] < ln.pos < size[ln.axis] - margin[ln.axis]]
    inner = _merged(parts, size)
    found = []
    rows = [ln for ln in inner if ln.axis == "h"]
    cols = [ln for ln in inner if ln.axis == "v"]

    def where(lines: list[_Line]) -> str:
        axis = "y" if lines[0].axis == "h" else "x"
        scale = 1080 / w
        return f"{axis}=" + ",".join(f"{ln.pos * scale:.0f}" for ln in lines)

    if rows and cols:
        found.append(Finding("grid", 0.9, f"a lattice of {len(cols) + 1}x{len(rows) + 1} cells: lines right across at "
                                          f"{where(cols)} and {where(rows)} (1080 px wide)"))
    for group in (rows, cols):
        if len(group) >= 2 and _even([ln.pos for ln in group], size[group[0].axis], 0.025):
            found.append(Finding("grid", 0.8, f"{len(group)} evenly spaced lines right across at {where(group)} (1080 px wide)"))
    for ln in parts:
        light = _gray(np.array(ln.colour)) >= 190 and max(ln.colour) - min(ln.colour) < 30
        if light and ln.thickness >= max(3, round(0.008 * size[ln.axis])) and _stands_apart(rgb, ln):
            found.append(Finding("gutter", 0.7, f"a {ln.thickness * 1080 / w:.0f} px white band right across at "
                                                f"{where([ln])} (1080 px wide): a panel gutter"))
    if not found and inner:
        found.append(Finding("line", 0.2, f"{len(inner)} straight line(s) right across the frame at "
                                           + "; ".join(where([ln]) for ln in inner) + " (1080 px wide)"))
    return found


def _merged(lines: list[_Line], size: dict[str, int]) -> list[_Line]:
    """Lines of one axis closer than 1.5 % of the frame as one (a gutter and its borders, a soft line's edges)."""
    out: list[_Line] = []
    for ln in sorted(lines, key=lambda ln: (ln.axis, ln.pos)):
        last = out[-1] if out else None
        if last is not None and last.axis == ln.axis and ln.pos - last.pos <= max(3.0, 0.015 * size[ln.axis]) + (
                last.thickness + ln.thickness) / 2:
            first = last.pos - (last.thickness - 1) / 2
            end = ln.pos + (ln.thickness + 1) / 2
            colour = last.colour if last.thickness >= ln.thickness else ln.colour
            out[-1] = _Line(ln.axis, (first + end - 1) / 2, round(end - first), colour)
        else:
            out.append(ln)
    return out


def _stands_apart(rgb: np.ndarray, band: _Line) -> bool:
    """A light band whose both sides are darker than it along most of its length: a gutter between two panels."""
    gray = _gray(rgb if band.axis == "h" else np.transpose(rgb, (1, 0, 2)))
    level = _gray(np.array(band.colour))
    inside = (np.abs(gray - level) <= 24).mean(axis=1) >= 0.9  # rows of the band's colour right across
    first = round(band.pos - (band.thickness - 1) / 2)
    last = first + band.thickness
    while first > 0 and inside[first - 1]:
        first -= 1
    while last < len(gray) and inside[last]:
        last += 1
    sides = [gray[max(0, first - 3) : max(0, first - 1)], gray[last + 1 : last + 3]]
    return all(len(side) and float(((level - side) > 40).mean()) >= 0.6 for side in sides)


def _border_finding(rgb: np.ndarray, tolerance: float) -> Finding | None:
    """A band of one colour and about one thickness along all four edges, ending where the picture starts."""
    gray = _gray(rgb.astype(np.float32))
    h, w = gray.shape
    deepest = max(3, round(0.12 * min(h, w)))
    colours, depths = [], []
    for edge in (gray, gray[::-1], gray.T, gray.T[::-1]):  # top, bottom, left, right: row 0 on the frame's edge
        colour = float(np.median(edge[:2]))
        alike = (np.abs(edge[:deepest] - colour) <= tolerance).mean(axis=1)
        ends = np.flatnonzero(alike < 0.6)
        if not len(ends) or ends[0] == 0 or alike[: max(1, ends[0] - 1)].min() < 0.9:
            return None  # (the last row of the band may blend into the picture)
        colours.append(colour)
        depths.append(int(ends[0]))
    if max(colours) - min(colours) > tolerance or max(depths) - min(depths) > max(2, 0.5 * min(depths)):
        return None
    scale = 1080 / w
    thick = f"{min(depths) * scale:.0f}" + (f"-{max(depths) * scale:.0f}" if max(depths) > min(depths) else "")
    return Finding("border", 0.85, f"a border {thick} px thick (luma {np.mean(colours):.0f}) along all four edges "
                                   f"(1080 px wide)")


def _text_findings(rgb: np.ndarray, contrast: float,
                   captions: tuple[tuple[float, float, float, float], ...] = (),
                   drawn: np.ndarray | None = None) -> list[Finding]:
    """Rows of letter-sized high-contrast glyphs standing free near the top or the bottom (outside the caption areas),
    and, given ``drawn`` (the shot's own drawing at the frame's size), in the middle where that drawing has no such
    glyphs.

    Glyphs are pieces of thin ink, lighter or darker than their ground by ``contrast``, of a
    letter's size; a row of them is text when no bigger ink of the same kind is drawn around it:
    the spikes of a drawn fringe hang from the head's outline and books stand on a shelf, while a
    watermark or a caption is set apart from what is drawn. In the middle of the frame eyes, buttons and
    books line up like letters, so a row there counts only as five glyphs or more, few of which the drawing
    shows there itself (within the few percent of the frame a take's framing may move them by), drawn in
    strokes rather than blots (a face the take moved shows its eyes and brows where the drawing has none);
    without the drawing the middle is not searched. Bigger ink that only crosses the row (the drawing's outlines under a
    watermark laid over it) does not make it part of the drawing.
    """
    gray = _gray(rgb.astype(np.float32))
    h, w = gray.shape
    low, high = max(4, round(0.006 * h)), max(6, round(0.08 * h))
    size = max(5, 2 * round(0.011 * w) + 1)
    scale = 1080 / w
    reach = round((BAND + 0.08) * h)  # the text's rows and room around them for what it may belong to
    parts = [(0, reach, False), (h - reach, reach, False)]
    if drawn is not None and drawn.shape[:2] == (h, w):
        middle = round((BAND - 0.08) * h)
        parts.append((middle, h - 2 * middle, True))
        drawn_gray = _gray(drawn.astype(np.float32))
    drawn_marks: dict[bool, list] = {}  # the drawing's own glyphs in the middle, light and dark: read once, if needed
    found = []
    for top, tall_part, in_middle in parts:
        part = gray[top : top + tall_part]
        for light in (True, False):
            # in the middle, what is left of the drawing's crossings once its long strokes are out would be marks of
            # its own by the letters laid over it: the middle is read as it is, against the drawing read alike
            glyphs, big, ink = _glyphs(part, light, contrast, size, low, high, strokes_apart=not in_middle)
            for line in _text_rows(glyphs):
                x0, x1 = min(g[0] for g in line), max(g[1] for g in line)
                y0, y1 = min(g[2] for g in line), max(g[3] for g in line)
                cx, cy = (x0 + x1) / 2 / w, (top + (y0 + y1) / 2) / h
                if (BAND < cy < 1 - BAND) != in_middle or any(a <= cx <= c and b <= cy <= d for a, b, c, d in captions):
                    continue  # another part's to judge, or where the subtitles go
                room = max(2, round(0.5 * float(np.median([g[3] - g[2] for g in line]))))
                if _held(big, x0, x1, y0, y1, room):
                    continue  # hangs from or stands on something bigger that is drawn: a fringe, books on a shelf
                if in_middle:
                    if len(line) < _MIDDLE_GLYPHS:
                        continue
                    if light not in drawn_marks:
                        drawn_marks[light] = _glyphs(drawn_gray[top : top + tall_part], light, contrast, size, low,
                                                     high, strokes_apart=False)[0]
                    if _drawn_share(line, drawn_marks[light], round(_SLACK * w)) >= _DRAWN:
                        continue  # the drawing's own marks: eyes, buttons, a row of books
                    if float(np.median(_strokes(line, ink))) > _STROKE:
                        continue  # blots, not strokes: eyes and brows where the take moved a face
                where = f"{'top' if cy < 0.4 else 'bottom' if cy > 0.6 else 'middle'} " \
                        f"{['left', 'centre', 'right'][min(2, int(cx * 3))]}"
                strength = min(1.0, 0.6 + 0.08 * (len(line) - 4))  # four glyphs are text: past the 0.5 a take fails at
                found.append(Finding("text", strength, f"{len(line)} text-like glyphs in the {where} "
                                                      f"(x={x0 * scale:.0f}-{x1 * scale:.0f}, "
                                                      f"y={(top + y0) * scale:.0f}-{(top + y1) * scale:.0f}, "
                                                      f"1080 px wide): a watermark or stray text"))
    return found


_MIDDLE_GLYPHS = 5  # glyphs a row in the middle of the frame needs to count as text
_SLACK = 0.03  # share of the frame's width a take's framing may move a drawn mark by
_DRAWN = 0.3  # share of a middle row's glyphs the drawing shows there too above which the row is the drawing's
_SIZE_RATIO = 1.5  # how much taller or shorter than a glyph a drawn one near it may be and still be the same mark
_STROKE = 0.4  # a middle row's glyphs' strokes, as a share of their height, past which they are blots, not letters
_LEAN = 5  # px a long straight stroke may wander sideways and still be one (a few degrees over a letter's height)


def _glyphs(part: np.ndarray, light: bool, contrast: float, size: int, low: int, high: int,
            strokes_apart: bool = True) -> tuple[list[tuple[int, int, int, int, float]], np.ndarray, np.ndarray]:
    """The letter-sized pieces of ``light`` (else dark) ink in a band of the frame, as glyphs, where bigger ink is, and
    the ink itself; ``strokes_apart``: with the long straight strokes taken out first."""
    reach, w = part.shape
    if light:
        ink = part - ndimage.grey_opening(part, size=(size, size)) > contrast
    else:
        ink = ndimage.grey_closing(part, size=(size, size)) - part > contrast
    # Long strokes across the band (a pillar's outline, a table's edge) are taken out first: letters laid over the
    # drawing touch them, and would be lost in one piece too big to be a letter. Taller (wider) than any letter and
    # straight, allowing a slant of a few degrees; they still count as bigger ink a row of glyphs may be held by.
    strokes = None
    if strokes_apart:
        strokes = _runs(ndimage.maximum_filter1d(ink, _LEAN, axis=1), high, axis=0)
        strokes |= _runs(ndimage.maximum_filter1d(ink, _LEAN, axis=0), round(2.5 * high), axis=1)
        strokes &= ink
        ink &= ~strokes
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3)))
    glyphs, large = [], []
    for i, box in enumerate(ndimage.find_objects(labels), 1):
        gh, gw = box[0].stop - box[0].start, box[1].stop - box[1].start
        if gh > high or gw > 2.5 * high:
            large.append(i)
        elif (gh >= low and 0 < box[0].start and box[0].stop < reach
              and 0 < box[1].start and box[1].stop < w):  # a piece the frame or the band cuts belongs to more
            glyphs += _letters(labels[box] == i, part[box], box[1].start, box[0].start, low, contrast, light)
    big = np.isin(labels, large)
    if strokes is not None:
        big |= strokes
    return glyphs, big, ink


def _runs(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The pixels of ``mask`` in straight runs of ``length`` or more along ``axis`` (an opening by a line, in time
    that does not grow with the line's length); a run the band's edge cuts counts as going on past it."""
    length |= 1  # odd: the erosion's and the dilation's windows then sit alike
    return ndimage.maximum_filter1d(ndimage.minimum_filter1d(mask, length, axis=axis), length, axis=axis)


def _strokes(line: list[tuple[int, int, int, int, float]], ink: np.ndarray) -> np.ndarray:
    """Each glyph's stroke width (twice the deepest point of its ink) over its height."""
    out = []
    for x0, x1, y0, y1, _ in line:
        depth = ndimage.distance_transform_edt(np.pad(ink[y0:y1, x0:x1], 1))
        out.append(2 * float(depth.max()) / max(1, y1 - y0))
    return np.array(out)


def _drawn_share(line: list[tuple[int, int, int, int, float]], drawn: list[tuple[int, int, int, int, float]],
                 slack: int) -> float:
    """The share of a row's glyphs that the drawing has a glyph of its own like: centred within ``slack`` px of it and
    of a height within _SIZE_RATIO of its (an eye is an eye where the take moved it; a letter laid over a face is
    not its eye)."""
    if not drawn:
        return 0.0
    marks = np.array([((x0 + x1) / 2, (y0 + y1) / 2, y1 - y0) for x0, x1, y0, y1, _ in drawn], np.float32)

    def like(x0: int, x1: int, y0: int, y1: int) -> bool:
        near = (np.abs(marks[:, 0] - (x0 + x1) / 2) <= slack) & (np.abs(marks[:, 1] - (y0 + y1) / 2) <= slack)
        ratio = marks[near, 2] / max(1, y1 - y0)
        return bool(((ratio >= 1 / _SIZE_RATIO) & (ratio <= _SIZE_RATIO)).any())

    return float(np.mean([like(x0, x1, y0, y1) for x0, x1, y0, y1, _ in line]))


def _letters(piece: np.ndarray, gray: np.ndarray, x: int, y: int, low: int, contrast: float,
             light: bool) -> list[tuple[int, int, int, int, float]]:
    """The letters a piece of ``light`` (else dark) ink, a mask at x, y over ``gray``, may be, as glyphs (x0, x1,
    y0, y1, share of the box that is ink).

    Letters set close run together once the picture is made small: through the ground between them where it is
    lighter (darker) than the ground around the word, as on a pale coat under white letters, or by a hair. So where
    the piece holds two levels ``contrast`` apart it keeps the inkier (the letters, not the ground between them),
    and it is cut where a column holds no more than a hair of ink.
    """
    gh, gw = piece.shape
    if gw <= gh:  # a letter, or two narrow ones: as it is
        return [(x, x + gw, y, y + gh, float(piece.mean()))] if gh >= low else []
    values = gray[piece]
    lo, hi = np.percentile(values, (10, 90))
    if hi - lo > contrast:
        piece = piece & ((gray > (lo + hi) / 2) if light else (gray < (lo + hi) / 2))
    low = max(low, piece.shape[0] // 2)  # letters are as tall as the word's small letters: not crumbs of an outline
    found = []
    labels, _ = ndimage.label(piece)
    for box in ndimage.find_objects(labels):
        part = piece[box]
        solid = np.flatnonzero(part.sum(axis=0) > max(1, 0.12 * part.shape[0]))
        if not len(solid):
            continue
        for run in np.split(solid, np.flatnonzero(np.diff(solid) > 1) + 1):
            cols = part[:, run[0] : run[-1] + 1]
            rows = np.flatnonzero(cols.any(axis=1))
            gh, gw = int(rows[-1] + 1 - rows[0]), len(run)
            if gh >= low and gw <= 2 * gh:
                found.append((x + box[1].start + int(run[0]), x + box[1].start + int(run[-1]) + 1,
                              y + box[0].start + int(rows[0]), y + box[0].start + int(rows[-1]) + 1,
                              float(cols[rows[0] : rows[-1] + 1].mean())))
    return found


def _held(big: np.ndarray, x0: int, x1: int, y0: int, y1: int, room: int) -> bool:
    """Whether bigger ink runs along a row of glyphs (x0..x1, y0..y1) just above or just below it, over most of its
    length: the outline a fringe's spikes hang from, the shelf books stand on. Lines that only cross the row (a
    watermark laid over the drawing) cover little of its length."""
    above = big[max(0, y0 - room) : y0 + max(1, (y1 - y0) // 4), x0:x1].any(axis=0)
    below = big[max(0, y1 - max(1, (y1 - y0) // 4)) : y1 + room, x0:x1].any(axis=0)
    return bool(above.mean() >= _HELD or below.mean() >= _HELD)


def _text_rows(glyphs: list[tuple[int, int, int, int, float]]) -> list[list[tuple[int, int, int, int, float]]]:
    """Chains of four or more glyphs of like height side by side, most on one baseline, not all alike (windows are)."""
    glyphs = sorted(glyphs)
    parent = list(range(len(glyphs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(glyphs):
        ha = a[3] - a[2]
        for j in range(i + 1, len(glyphs)):
            b = glyphs[j]
            hb = b[3] - b[2]
            tall = max(ha, hb)
            if b[0] - a[1] > 1.0 * tall:
                break
            overlap = min(a[3], b[3]) - max(a[2], b[2])
            if overlap >= 0.5 * min(ha, hb) and tall <= 1.8 * min(ha, hb):
                parent[root(j)] = root(i)
    chains: dict[int, list] = {}
    for i, g in enumerate(glyphs):
        chains.setdefault(root(i), []).append(g)
    rows = []
    for chain in chains.values():
        if len(chain) < 4:
            continue
        widths = np.array([g[1] - g[0] for g in chain], float)
        fills = np.array([g[4] for g in chain])
        if widths.std() / widths.mean() < 0.12 and fills.std() < 0.05:
            continue  # identical shapes in a row: windows, railings, tiles
        bottoms = np.array([g[3] for g in chain], float)
        tall = float(np.median([g[3] - g[2] for g in chain]))
        if np.mean(np.abs(bottoms - np.median(bottoms)) <= max(2.0, 0.12 * tall)) < 0.7:
            continue  # letters stand on a baseline; the spikes of a fringe zigzag
        rows.append(chain)
    return rows


def find_leakage(rgb: np.ndarray, *, contrast: float = 14.0, cover: float = 0.97, text_contrast: float = 40.0,
                 captions: tuple[tuple[float, float, float, float], ...] = (),
                 drawn: np.ndarray | None = None) -> list[Finding]:
    """Every trace of leakage in one RGB frame: lines and borders looked for at 360 px wide, text at up to 540.

    ``captions`` are the parts of the frame (x0, y0, x1, y1 as fractions) where burned-in subtitles may be;
    ``drawn``, the shot's own drawing at the frame's size, lets text be looked for in the middle too.
    """
    h, w = rgb.shape[:2]
    small = rgb
    if w > LINES_WIDTH:
        small = np.asarray(Image.fromarray(rgb).resize((LINES_WIDTH, round(h * LINES_WIDTH / w)), Image.Resampling.BOX))
    found = _grid_findings(small, contrast, cover)
    border = _border_finding(small, 24.0)
    if border is not None:
        found.append(border)
    found += _text_findings(rgb, text_contrast, captions, drawn)
    return found


class LeakageCheck(MeasuredCheck):
    """No storyboard grid, panel gutter or border, nor stray text, in the picture."""

    name = "leakage"
    subjects = frozenset({"image", "clip"})
    threshold = 0.5
    description = "storyboard grid lines, comic panel gutters and borders, or text leaking into the picture"
    limits = {"contrast": (1.0, 255.0), "cover": (0.5, 1.0), "text_contrast": (1.0, 255.0)}
    contrast = 14.0  # luma levels a line stands out from the picture on both sides
    cover = 0.97  # share of the frame's width (height) a line must run unbroken to count as right across
    text_contrast = 40.0  # luma levels a glyph's strokes stand out from their ground

    def judge(self, take: Take, truth: Truth) -> Verdict:
        frames = take.frames(2, width=WIDTH)
        if not frames:
            return self.verdict(0.0, "no frame decodes to judge")
        labels = ["the picture"] if len(frames) == 1 else ["the first frame", "the last frame"]
        worst: list[Finding] = []
        worst_label = labels[0]
        drawn = None
        for label, frame in zip(labels, frames, strict=False):
            if drawn is None or drawn.shape != frame.shape:
                drawn = _drawing(truth, frame.shape)
            found = find_leakage(frame, contrast=self.contrast, cover=self.cover, text_contrast=self.text_contrast,
                                 captions=truth.captions, drawn=drawn)
            if max((f.strength for f in found), default=0.0) > max((f.strength for f in worst), default=0.0):
                worst, worst_label = found, label
        strength = max((f.strength for f in worst), default=0.0)
        score = 1.0 - strength
        if not worst:
            return self.verdict(score, "", "no grid, gutter, border or text")
        strongest: dict[str, Finding] = {}  # one finding of each kind, the surest
        for finding in sorted(worst, key=lambda f: -f.strength):
            strongest.setdefault(finding.kind, finding)
        why = f"{worst_label}: " + "; ".join(f.where for f in strongest.values())
        return self.verdict(score, why, why)


def _drawing(truth: Truth, shape: tuple[int, ...]) -> np.ndarray | None:
    """The shot's own drawing at a frame's size (None where the take is not of the shot's shape, or none is kept)."""
    h, w = shape[:2]
    if truth.width <= 0 or abs(truth.height / truth.width - h / w) > 0.02:
        return None
    return truth.plate_image((w, h))
