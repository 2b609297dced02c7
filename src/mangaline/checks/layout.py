"""The layout in the take: the set's edges where the edge guide has them, each set piece where the plate has it,
each character on their side at their size, and the characters' left-to-right order (the 180° rule).

Every frame judged is first framed against the layout: the scale and shift (a slow push, a model's slightly
different framing) that best lay the take's edges on the guide's, found by chamfer matching on a distance
transform. What is left after that framing is what the take got wrong.
"""

from __future__ import annotations

import json
import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from ..colour import lab
from ..model.qc import Verdict
from .base import Check, Take, Truth, ndimage

__all__ = ["WORKING_SIDE", "Drawn", "Face", "Framing", "PlacementCheck", "ScreenDirectionCheck", "Seen",
           "SetLayoutCheck", "SetPiecesCheck", "box_mask", "characters_in_view", "detect_edges", "display_name",
           "drawn_shot", "faces", "frame_against_layout", "layout_character", "seen_frames", "set_edges", "take_frames",
           "working_size"]

_CAP = 16.0  # px (at the working size): a chamfer distance past this counts as this, so one stray edge cannot dominate
_WINDOW = 67  # px: the side of the neighbourhoods the chamfer is read in (a quarter of a portrait frame's width)
_MIN_WINDOW_EDGES = 150  # edge pixels a neighbourhood needs to be read
_FAINT_EDGE = (0.05, 0.1)  # Canny thresholds the plate's faint edges are found at (its drawn edges: 0.1, 0.2)
_GOOD_PX, _BAD_PX = 2.0, 10.0  # chamfer distances scoring 1 and 0
_SCALES = np.arange(0.94, 1.101, 0.02)  # framings searched: a push or pull of a few percent either way
_SHIFTS = np.arange(-12, 13, 3)  # px at the working size
_PEOPLE_MARGIN = 5  # px the characters are grown by: a model draws hair and sleeves a little bigger or smaller
_HAIR = 2.0  # of a face's unit (eyes to nose): how far around a head the set is not judged
_MIN_SET_EDGES = 200  # edge pixels of the set (outside the characters) below which the set is not judged
_MIN_PIECE = 30  # px of a set piece (clear of the characters) below which it is too small to judge
_AGREE_DE = 12.0  # ΔE (CIE76, on a softened picture) within which a pixel of a piece agrees with the plate
_GOOD_AGREE, _BAD_AGREE = 0.7, 0.2  # share of a piece agreeing that scores 1, and 0
_MIN_OUTLINE = 150  # px of a set piece's edges in the layout (at the working size) below which its outline is not judged
_OUTLINE_PX = 2  # px (at the working size) from the layout's edge within which a take's edge draws it
_GOOD_OUTLINE, _BAD_OUTLINE = 0.6, 0.2  # share of a piece's outline the take draws that scores 1, and 0
_BIN = 8.0  # Lab units of the colour bins a character's own colours are picked by
_MIN_COLOUR, _COLOUR_SHARE = 10, 0.01  # pixels (and share of the character) a colour needs to count as theirs
_OWN = 0.2  # a colour is a character's own when the rest of the plate shows it at most this much as they do
_FIND_DE = 10.0  # ΔE (CIE76) within which a take's pixel shows one of a character's own colours
_GRADE_DE = 5.0  # ΔE a take's grade may move colours by: a character's own colours are that much clear of the set's
_MIN_REGION_PX = 40  # px of a character's own colours (at the working size) below which they are not found
_MIN_FACE_PX = 300  # px of a face (at the working size) below which it is not looked for on its own
_SMALL_FIGURE_PX = 200  # px of someone's own colours in the plate (working size) under which all are looked for at 2x
_FOUND = 0.25  # share of the plate's pixels in a character's colours the take must show for them to be there
_GOOD_OFF, _BAD_OFF = 0.04, 0.2  # a character's centroid off by this share of the frame scores 1, and 0
_GOOD_SCALE, _BAD_SCALE = 0.15, 0.55  # |log| of their size over the layout's scoring 1, and 0
_IN_PLACE = 0.9  # share of a character's pixels (the plate's, or the take's) where the layout has them: in place
_MOSTLY, _LOOK_ALIKE = 0.6, 0.25  # kept that much, and that much more than the share of the take's pixels in place
_WHOLE = 0.7  # share of a character's plate pixels the take must show in place for their size to be measured
_MIN_APART = 0.05  # share of the frame width two characters must stand apart for their order to count


# ------------------------------------------------------------------------------------------ what the checks look at


WORKING_SIDE = 480  # the long side of the frames the checks look at


def working_size(truth: Truth, side: int = WORKING_SIDE) -> tuple[int, int]:
    """(width, height) of the truth's frame with its long side ``side``: the size every map and frame is compared at."""
    if truth.width >= truth.height:
        return side, max(2, round(side * truth.height / truth.width))
    return max(2, round(side * truth.width / truth.height)), side


def take_frames(take: Take, size: tuple[int, int], count: int = 3) -> list[np.ndarray]:
    """A still, or ``count`` frames spread over a clip, as RGB at ``size`` (the take's aspect made the truth's); none
    when the clip cannot be read (the technical checks say so)."""
    if take.kind == "clip" and take.size == (0, 0):
        return []
    frames = [take.image] if take.kind == "image" else take.frames(count, width=size[0])
    out = []
    for frame in frames:
        if frame.shape[1] != size[0] or frame.shape[0] != size[1]:
            frame = np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.BOX))
        out.append(frame)
    return out


def characters_in_view(truth: Truth) -> list[str]:
    """The characters the layout drew in the frame (a guide mask each), in the layout's order."""
    seen = list(truth.guide_index.get("characters", {}))
    seen += [cid for cid, ct in truth.characters.items() if ct.mask is not None and cid not in seen]
    return seen


def layout_character(truth: Truth, cid: str) -> Mapping[str, Any] | None:
    """The character as the layout placed them (its ShotLayout's entry, as data); None when it did not."""
    for placed in (truth.layout or {}).get("characters", []):
        if placed.get("id") == cid:
            return placed
    return None


def display_name(truth: Truth, cid: str) -> str:
    """The character's name as a person reads it (the bible's), else their id."""
    ct = truth.characters.get(cid)
    data = ct.character if ct is not None else None
    if data is None:
        data = (layout_character(truth, cid) or {}).get("character")
    return str((data or {}).get("name") or cid)


@dataclass(frozen=True)
class Face:
    """A character's face as the pose guide places it, in the truth's frame pixels: the nose and a unit of size.

    ``unit`` is the height from the eyes to the nose; a head is about seven of them, the mouth sits
    one below the nose. Boxes are (x0, y0, x1, y1), scaled by ``scale`` (a working size over the truth's).
    """

    character: str
    nose: tuple[float, float]
    unit: float

    def head_box(self, scale: float = 1.0) -> tuple[float, float, float, float]:
        x, y, u = self.nose[0] * scale, self.nose[1] * scale, self.unit * scale
        return x - 3.2 * u, y - 5.5 * u, x + 3.2 * u, y + 2.3 * u

    def mouth_box(self, scale: float = 1.0) -> tuple[float, float, float, float]:
        x, y, u = self.nose[0] * scale, self.nose[1] * scale, self.unit * scale
        return x - 1.1 * u, y + 0.3 * u, x + 1.1 * u, y + 1.6 * u


_NOSE, _NECK, _EYES = 0, 1, (14, 15)


def faces(truth: Truth) -> dict[str, Face]:
    """Each character whose face the pose guide shows (nose seen and in the frame), by id."""
    file = truth.guide_index.get("pose")
    if not file or file not in truth.guides or not Path(truth.guides[file]).is_file():
        return {}
    people = json.loads(Path(truth.guides[file]).read_text(encoding="utf-8")).get("people", [])
    found = {}
    for person in people:
        kp = np.asarray(person.get("pose_keypoints_2d", []), np.float64).reshape(-1, 3)
        if len(kp) < 18 or kp[_NOSE, 2] <= 0:
            continue
        nose = kp[_NOSE, :2]
        if not (0 <= nose[0] < truth.width and 0 <= nose[1] < truth.height):
            continue
        eyes = [kp[i, :2] for i in _EYES if kp[i, 2] > 0]
        if eyes:
            unit = nose[1] - float(np.mean([e[1] for e in eyes]))
        elif kp[_NECK, 2] > 0:
            unit = (kp[_NECK, 1] - nose[1]) / 4.0
        else:
            continue
        if unit > 0:
            cid = str(person["character"])
            found[cid] = Face(cid, (float(nose[0]), float(nose[1])), float(unit))
    return found


def box_mask(box: tuple[float, float, float, float], size: tuple[int, int]) -> np.ndarray:
    """A bool mask of ``size`` = (width, height) set inside ``box``."""
    w, h = size
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    mask = np.zeros((h, w), bool)
    mask[max(0, y0):max(0, min(h, y1)), max(0, x0):max(0, min(w, x1))] = True
    return mask


# ------------------------------------------------------------------------------------------ edges


def detect_edges(rgb: np.ndarray, sigma: float = 1.0, low: float = 0.1, high: float = 0.2) -> np.ndarray:
    """Thin edges of an RGB picture (a Canny detector): luma gradients thinned to one pixel, kept where the gradient
    (Sobel, of luma in 0..1: a sharp black-to-white step reads 4) reaches ``high`` somewhere along the line and
    ``low`` all along it."""
    luma = ndimage.gaussian_filter(rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32), sigma)
    gx, gy = ndimage.sobel(luma, 1), ndimage.sobel(luma, 0)
    magnitude = np.hypot(gx, gy) / 255.0
    direction = (((np.degrees(np.arctan2(gy, gx)) + 180.0 + 22.5) % 180.0) // 45.0).astype(int)
    padded = np.pad(magnitude, 1)
    h, w = magnitude.shape
    ridge = np.zeros((h, w), bool)
    for k, (dy, dx) in enumerate(((0, 1), (1, 1), (1, 0), (1, -1))):
        ahead = padded[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
        behind = padded[1 - dy:1 - dy + h, 1 - dx:1 - dx + w]
        ridge |= (direction == k) & (magnitude >= ahead) & (magnitude >= behind)
    thin = np.where(ridge, magnitude, 0.0)
    weak, _ = ndimage.label(thin > low, np.ones((3, 3)))
    strong = np.unique(weak[thin > high])
    return np.isin(weak, strong[strong > 0])


def _downsample(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A full-size bool map at ``size``, keeping every line that crosses a pixel (nearest would drop thin ones)."""
    if mask.shape[::-1] == size:
        return mask
    small = Image.fromarray(mask.astype(np.uint8) * 255).resize(size, Image.Resampling.BOX)
    return np.asarray(small) > 40


# ------------------------------------------------------------------------------------------ the layout of a truth


@dataclass(frozen=True)
class Drawn:
    """The shot as the layout draws it, at the working size: the plate, each character's mask and face, each set
    piece's mask. Read once per take and shared by every check that judges it."""

    size: tuple[int, int]
    plate: np.ndarray | None  # RGB
    plate_lab: np.ndarray | None
    masks: dict[str, np.ndarray]  # the characters in view
    faces: dict[str, Face]
    elements: dict[str, np.ndarray]

    @classmethod
    def of(cls, truth: Truth, scale: int = 1) -> Drawn:
        size = working_size(truth, WORKING_SIDE * scale)
        plate = truth.plate_image(size)
        masks = {}
        for cid in characters_in_view(truth):
            mask = truth.character_mask(cid, size)
            if mask is not None and mask.any():
                masks[cid] = mask
        return cls(size, plate, None if plate is None else lab(plate), masks, faces(truth), truth.element_masks(size))


@dataclass(frozen=True)
class SetEdges:
    """The set's edges as the layout draws them at the working size, and what the checks leave out."""

    edges: np.ndarray  # guide edges the drawing shows (a boundary the plate's own edges confirm), thinned
    distance: np.ndarray  # distance to the nearest of them, px
    people: np.ndarray  # the characters, grown by a few pixels: they move and act, the set does not
    elements: dict[str, np.ndarray]  # each set piece's mask
    # what a take's framing is found against: the set's edges, or (a shot the characters fill, showing too little
    # set) every edge of the drawing, the characters' too, which a push-in carries along with the set
    framing_distance: np.ndarray
    framing_ignore: np.ndarray
    # distance to the nearest edge the drawing has at all (every boundary of the guide, faint in the plate or not, and
    # the plate's own details the guide does not draw: windows, grain, a sign): a take's edge there is the set as
    # drawn, not a misplaced one
    drawn_distance: np.ndarray


def set_edges(truth: Truth, drawn: Drawn) -> SetEdges | None:
    """The truth's set edges at the working size; None without an edge guide or a plate."""
    full = truth.edges()
    if full is None or drawn.plate is None:
        return None
    size = drawn.size
    guide = _downsample(full, size)
    # a filled dark area (ink, a black skirt) counts by its outline
    guide &= ~ndimage.binary_erosion(guide, np.ones((3, 3), bool))
    every_boundary = guide.copy()
    # a boundary between two surfaces of one colour is in the guide but in no picture of the set
    drawn_edges = detect_edges(drawn.plate)
    guide &= ndimage.binary_dilation(drawn_edges, iterations=2)
    people = np.zeros(guide.shape, bool)
    for mask in drawn.masks.values():
        people |= mask
    people = ndimage.binary_dilation(people, iterations=_PEOPLE_MARGIN)
    scale = size[0] / truth.width
    for face in drawn.faces.values():  # hair is the freest part of a figure: a model styles it bigger or smaller
        head = people & box_mask(face.head_box(scale), size)
        people |= ndimage.binary_dilation(head, iterations=max(1, round(_HAIR * face.unit * scale)))
    edges = guide & ~people
    distance = ndimage.distance_transform_edt(~edges)
    # a take's edge on any boundary the layout draws is the set as drawn, even one the plate shows too faintly to
    # be sure of (a dark window on a dark wall): a model's grade or sharpening may draw it more strongly
    faint = detect_edges(drawn.plate, low=_FAINT_EDGE[0], high=_FAINT_EDGE[1])
    drawn_distance = ndimage.distance_transform_edt(~(edges | ((faint | every_boundary) & ~people)))
    if edges.sum() >= _MIN_SET_EDGES or not guide.any():
        framing_distance, framing_ignore = distance, people
    else:
        framing_distance, framing_ignore = ndimage.distance_transform_edt(~guide), np.zeros(guide.shape, bool)
    return SetEdges(edges=edges, distance=distance, people=people, elements=drawn.elements,
                    framing_distance=framing_distance, framing_ignore=framing_ignore, drawn_distance=drawn_distance)


@dataclass(frozen=True)
class Framing:
    """How a take frames the layout: take pixel = centre + scale * (layout pixel - centre) + (dx, dy)."""

    scale: float
    dx: float
    dy: float
    fit: float  # mean chamfer distance of the take's edges to the guide's under this framing, px

    def to_take(self, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per layout pixel at ``size``: the take pixel it lands on (row, column), and whether that is in frame."""
        w, h = size
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        ty = np.rint(h / 2 + self.scale * (ys - h / 2) + self.dy).astype(int)
        tx = np.rint(w / 2 + self.scale * (xs - w / 2) + self.dx).astype(int)
        inside = (ty >= 0) & (ty < h) & (tx >= 0) & (tx < w)
        return np.clip(ty, 0, h - 1), np.clip(tx, 0, w - 1), inside

    def warp(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A take's picture or map (at the working size) seen in the layout's framing, and where it is defined."""
        h, w = image.shape[:2]
        ty, tx, inside = self.to_take((w, h))
        return image[ty, tx], inside


def frame_against_layout(edges: np.ndarray, distance: np.ndarray, ignore: np.ndarray | None = None,
                         around: Framing | None = None) -> Framing:
    """The framing under which the take's ``edges`` lie closest to the guide (``distance``: the guide's distance map).

    A coarse search over a few percent of push and a few pixels of shift, then a fine one around the best. The
    search is centred on ``around`` (an earlier frame's framing), so a camera that keeps pushing or panning over a
    clip is followed frame to frame past the range one search covers.
    Take edges that land in ``ignore`` (the characters, in the layout's framing) do not count.
    """
    h, w = distance.shape
    ignore = np.zeros(distance.shape, bool) if ignore is None else ignore
    points = np.argwhere(edges).astype(np.float32)
    if not len(points):
        return Framing(1.0, 0.0, 0.0, _CAP)
    rng = np.random.default_rng(0)
    centre = np.array([h / 2, w / 2], np.float32)

    def search(sample: np.ndarray, scales: np.ndarray, shifts_y: np.ndarray, shifts_x: np.ndarray) -> Framing:
        best = Framing(1.0, 0.0, 0.0, math.inf)
        for s in scales:
            base = centre + (sample - centre) / s  # the layout pixel a take edge shows, before the shift
            for dy in shifts_y:
                y = np.rint(base[:, 0] - dy / s).astype(int)
                ok_y = (y >= 0) & (y < h)
                y = np.clip(y, 0, h - 1)
                x = np.rint(base[None, :, 1] - shifts_x[:, None] / s).astype(int)
                ok = ok_y[None, :] & (x >= 0) & (x < w)
                x = np.clip(x, 0, w - 1)
                counted = ~ignore[y[None, :], x]
                d = np.where(ok, np.minimum(distance[y[None, :], x], _CAP), _CAP)
                # a framing under which no edge is counted fits nothing
                d = np.where(counted.any(axis=1), (d * counted).sum(axis=1) / np.maximum(counted.sum(axis=1), 1), _CAP)
                i = int(d.argmin())
                if d[i] < best.fit:
                    best = Framing(float(s), float(shifts_x[i]), float(dy), float(d[i]))
        return best

    coarse = points[rng.choice(len(points), min(600, len(points)), replace=False)]
    start = around or Framing(1.0, 0.0, 0.0, 0.0)
    best = search(coarse, _SCALES + (start.scale - 1.0), (_SHIFTS + start.dy).astype(np.float32),
                  (_SHIFTS + start.dx).astype(np.float32))
    fine = points[rng.choice(len(points), min(2000, len(points)), replace=False)]
    return search(fine, best.scale + np.array([-0.01, -0.005, 0.0, 0.005, 0.01]),
                  best.dy + np.arange(-2, 3, dtype=np.float32), best.dx + np.arange(-2, 3, dtype=np.float32))


@dataclass(frozen=True)
class Seen:
    """One frame of the take as the layout checks see it: the picture, its edges and its framing against the layout."""

    index: int
    count: int
    picture: np.ndarray
    edges: np.ndarray
    framing: Framing
    faint: np.ndarray | None = None  # its edges down to faint ones (the plate's faint-edge thresholds)

    @property
    def label(self) -> str:
        return f" (frame {self.index + 1} of {self.count})" if self.count > 1 else ""


_SEEN: weakref.WeakKeyDictionary[Take, dict[Any, Any]] = weakref.WeakKeyDictionary()


def _remember(take: Take, truth: Truth, what: str, make: Callable[[], Any]) -> Any:
    """What ``make`` returns, kept with the take for this truth: the checks of one run share their framing."""
    kept = _SEEN.setdefault(take, {})
    key = (id(truth), what)
    if key not in kept or kept[key][0] is not truth:  # the truth is kept too, so its id is not another's
        kept[key] = (truth, make())
    return kept[key][1]


def drawn_shot(take: Take, truth: Truth) -> Drawn:
    """The truth's drawing at the working size, read once for all the checks of ``take``."""
    return _remember(take, truth, "drawn", lambda: Drawn.of(truth))


def _layout_of(take: Take, truth: Truth) -> tuple[tuple[int, int], SetEdges | None]:
    drawn = drawn_shot(take, truth)
    return drawn.size, _remember(take, truth, "set", lambda: set_edges(truth, drawn))


def seen_frames(take: Take, truth: Truth) -> list[Seen]:
    """The frames judged (a still, or three of a clip), each with its edges and its framing against the layout."""
    size, layout = _layout_of(take, truth)

    def make() -> list[Seen]:
        pictures = take_frames(take, size)
        seen: list[Seen] = []
        for i, picture in enumerate(pictures):
            edges = detect_edges(picture)
            # each frame's framing searched around the one before: the camera moves on over a clip
            framing = (frame_against_layout(edges, layout.framing_distance, layout.framing_ignore,
                                            seen[-1].framing if seen else None) if layout is not None
                       else Framing(1.0, 0.0, 0.0, 0.0))
            faint = detect_edges(picture, low=_FAINT_EDGE[0], high=_FAINT_EDGE[1])
            seen.append(Seen(i, len(pictures), picture, edges, framing, faint))
        return seen

    return _remember(take, truth, "frames", make)


def _where(x: float, y: float, size: tuple[int, int]) -> str:
    w, h = size
    across = "left" if x < w / 3 else "right" if x > 2 * w / 3 else "centre"
    down = "top" if y < h / 3 else "bottom" if y > 2 * h / 3 else "middle"
    return f"{down} {across}"


# ------------------------------------------------------------------------------------------ the set's edges


class SetLayoutCheck(Check):
    """The take's edges against the layout's edge guide: symmetric chamfer distance, neighbourhood by neighbourhood."""

    name: ClassVar[str] = "set_layout"
    subjects: ClassVar[frozenset[str]] = frozenset({"image", "clip"})
    threshold: float = 0.5
    description: ClassVar[str] = "the set's edges where the layout's edge guide has them (chamfer distance)"

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        size, layout = _layout_of(take, truth)
        if layout is None or layout.edges.sum() < _MIN_SET_EDGES:
            return None
        worst: tuple[float, str] | None = None
        for seen in seen_frames(take, truth):
            off, (x, y) = self.chamfer(seen.edges, seen.framing, layout, seen.faint)
            score = 1.0 - (off - _GOOD_PX) / (_BAD_PX - _GOOD_PX)
            if worst is None or score < worst[0]:
                piece = self._piece_at(x, y, layout)
                reason = (f"the set's edges are {off:.1f} px from the layout's at the {_where(x, y, size)}"
                          f"{f' (around {piece})' if piece else ''}, at {size[0]}x{size[1]}")
                if score < self.threshold:
                    flipped = seen.edges[:, ::-1]
                    framing = frame_against_layout(flipped, layout.distance, layout.people)
                    mirrored, _ = self.chamfer(flipped, framing, layout,
                                               None if seen.faint is None else seen.faint[:, ::-1])
                    if mirrored < off / 2 and mirrored < (_GOOD_PX + _BAD_PX) / 2:
                        reason = (f"the take is mirrored left to right: flipped, its edges lie {mirrored:.1f} px from "
                                  f"the layout's, as it is {off:.1f} px")
                if abs(seen.framing.scale - 1.0) > 0.03 or max(abs(seen.framing.dx), abs(seen.framing.dy)) > 6:
                    reason += (f"; framed {100 * (seen.framing.scale - 1):+.0f}% with a shift of "
                               f"({seen.framing.dx:+.0f}, {seen.framing.dy:+.0f}) px")
                worst = (score, reason + seen.label)
        if worst is None:
            return None  # no frame could be decoded: the technical checks say so
        return self.verdict(worst[0], worst[1], worst[1])

    @staticmethod
    def chamfer(edges: np.ndarray, framing: Framing, layout: SetEdges,
                faint: np.ndarray | None = None) -> tuple[float, tuple[int, int]]:
        """The worst neighbourhood's mean symmetric chamfer distance under ``framing``, and where it is (x, y).

        Each way, a sure edge is looked for among the other side's edges down to faint ones: a take's edge on a
        boundary the plate shows only faintly is the set as drawn, and a guide edge the take shows only faintly
        (a model's softening and grade) is shown. ``faint``: the take's edges down to faint ones."""
        seen, inside = framing.warp(edges)
        valid = inside & ~layout.people
        ours, theirs = seen & valid, layout.edges & valid
        shown = ours if faint is None else (framing.warp(faint)[0] | seen) & inside
        to_guide = np.where(ours, np.minimum(layout.drawn_distance, _CAP), 0.0)
        to_take = np.where(theirs, np.minimum(ndimage.distance_transform_edt(~shown), _CAP), 0.0)
        area = float(_WINDOW * _WINDOW)
        total = ndimage.uniform_filter(to_guide + to_take, _WINDOW, mode="constant") * area
        count = ndimage.uniform_filter(ours.astype(np.float32) + theirs, _WINDOW, mode="constant") * area
        mean = np.where(count >= _MIN_WINDOW_EDGES, total / np.maximum(count, 1.0), 0.0)
        if not mean.any():
            n = ours.sum() + theirs.sum()
            centre = (edges.shape[1] // 2, edges.shape[0] // 2)
            return (float((to_guide.sum() + to_take.sum()) / n) if n else 0.0), centre
        y, x = np.unravel_index(int(mean.argmax()), mean.shape)
        return float(mean[y, x]), (int(x), int(y))

    @staticmethod
    def _piece_at(x: int, y: int, layout: SetEdges) -> str | None:
        h, w = layout.edges.shape
        r = _WINDOW // 2
        window = (slice(max(0, y - r), min(h, y + r)), slice(max(0, x - r), min(w, x + r)))
        overlap = {name: int(mask[window].sum()) for name, mask in layout.elements.items()}
        best = max(overlap, key=overlap.__getitem__, default=None)
        return best if best is not None and overlap[best] > 0.05 * _WINDOW * _WINDOW else None


# ------------------------------------------------------------------------------------------ the set's pieces


class SetPiecesCheck(Check):
    """Each set piece's region of the take against the same region of the plate, the take framed like the layout."""

    name: ClassVar[str] = "set_pieces"
    subjects: ClassVar[frozenset[str]] = frozenset({"image", "clip"})
    threshold: float = 0.5
    description: ClassVar[str] = "each set piece (a pillar, a counter, a window) where the plate has it, in its colours"

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        size, layout = _layout_of(take, truth)
        if layout is None:
            return None
        pieces, outlines = {}, {}
        for name, mask in layout.elements.items():
            core = ndimage.binary_erosion(mask & ~layout.people, iterations=2)  # outlines stray under a blur or a push
            if core.sum() >= _MIN_PIECE:
                pieces[name] = core
            outline = layout.edges & ndimage.binary_dilation(mask)  # the set's edges are clear of the characters
            if outline.sum() >= _MIN_OUTLINE:
                outlines[name] = outline
        if not pieces and not outlines:
            return None
        plate = _remember(take, truth, "soft plate", lambda: _soft_lab(drawn_shot(take, truth).plate))
        worst: tuple[float, str] | None = None
        for seen in seen_frames(take, truth):
            picture, inside = seen.framing.warp(seen.picture)
            apart = np.linalg.norm(_soft_lab(picture) - plate, axis=-1)
            found = []
            for name, core in pieces.items():
                region = core & inside
                if region.sum() < _MIN_PIECE:
                    continue  # framed out of the take
                agree = float((apart[region] < _AGREE_DE).mean())
                score = (agree - _BAD_AGREE) / (_GOOD_AGREE - _BAD_AGREE)
                share = f"{round(100 * agree)}%"
                found.append((score, name, share, f"{share} within ΔE {_AGREE_DE:.0f}",
                              f"ΔE {float(np.median(apart[region])):.0f} off"))
            # A piece's colours can be the wall's behind it (a brown bench on a beige platform): taken away, the wall
            # shows where it stood in much the same colours. Its outline cannot hide so: the take's edges (down to
            # faint ones, a model softens) must lie on the layout's edges of each piece.
            faint, framed = seen.framing.warp(seen.faint)
            near = ndimage.distance_transform_edt(~faint) <= _OUTLINE_PX
            for name, outline in outlines.items():
                edges = outline & framed
                if edges.sum() < _MIN_OUTLINE:
                    continue
                kept = float(near[edges].mean())
                score = (kept - _BAD_OUTLINE) / (_GOOD_OUTLINE - _BAD_OUTLINE)
                share = f"{round(100 * kept)}% of its outline"
                found.append((score, name, share, share, "its outline is not where the layout draws it"))
            if not found:
                continue
            found.sort()
            score, name, _, least, how = found[0]
            failing = {}
            for s, n, a, _, _ in found:
                if s < self.threshold and n not in failing:
                    failing[n] = f"{n} ({a})"
            if failing:
                one = len(failing) == 1
                reason = (f"{', '.join(failing.values())} of the set {'does' if one else 'do'} not match the plate "
                          f"where the layout puts {'it' if one else 'them'} (share of the piece within "
                          f"ΔE {_AGREE_DE:.0f}, or of its outline the take draws); {name}: {how}: missing, moved or "
                          f"repainted")
            else:
                reason = f"every set piece matches the plate; least: {name} ({least})"
            if worst is None or score < worst[0]:
                worst = (score, reason + seen.label)
        if worst is None:
            return None
        return self.verdict(worst[0], worst[1], worst[1])


def _soft_lab(picture: np.ndarray) -> np.ndarray:
    """Lab of a picture blurred by a pixel: a model's softer lines and h264's blocks do not count as change."""
    return lab(ndimage.gaussian_filter(picture.astype(np.float32), (1.0, 1.0, 0.0)))


# ------------------------------------------------------------------------------------------ the characters


@dataclass(frozen=True)
class Spot:
    """Where a character's own colours sit in a picture: their centroid, width and height (px), how many pixels show
    them, and how many of those lie where the layout has the character."""

    x: float
    y: float
    width: float
    height: float

    def size(self, other: Spot) -> float:
        """How big this is against ``other``: the mean of the width and height ratios (a new head changes one)."""
        return math.sqrt(self.width / other.width * self.height / other.height)
    pixels: int
    held: int


@dataclass(frozen=True)
class Figures:
    """Each character in view (``(id, "figure")``) and their face (``(id, "face")``): where the plate has them, and
    where each judged frame of the take has them (None: not found)."""

    names: dict[str, str]
    plate: dict[tuple[str, str], Spot]
    frames: list[dict[tuple[str, str], Spot | None]]
    size: tuple[int, int]  # (width, height) the spots are measured at


@cache
def _lab_grid(cell: float) -> np.ndarray:
    """The centres of a grid of Lab cells ``cell`` units wide, (L, a, b, 3)."""
    axes = np.arange(0, 101, cell), np.arange(-128, 128, cell), np.arange(-128, 128, cell)
    l, a, b = np.meshgrid(*axes, indexing="ij")
    return np.stack([l, a, b], axis=-1).astype(np.float32)


class Colours:
    """Lab colours, and a lookup on a grid of Lab cells of which pixels of a picture lie within ``radius`` of one."""

    CELL = 2.0  # Lab units per cell of the lookup

    def __init__(self, colours: np.ndarray, radius: float) -> None:
        self.colours = colours
        cell = self.CELL
        centres = _lab_grid(cell)
        near = np.zeros(centres.shape[:3], bool)
        for colour in colours:
            lo = np.floor((colour - radius - np.array([0, -128, -128])) / cell).astype(int).clip(0)
            hi = np.ceil((colour + radius - np.array([0, -128, -128])) / cell).astype(int) + 1
            box = tuple(slice(x, y) for x, y in zip(lo, hi))
            near[box] |= np.linalg.norm(centres[box] - colour, axis=-1) < radius
        self.near = near

    def match(self, picture_lab: np.ndarray) -> np.ndarray:
        """Bool (h, w): the pixels within the radius of one of the colours."""
        index = np.floor((picture_lab - np.array([0, -128, -128])) / self.CELL + 0.5).astype(int)
        for axis, n in enumerate(self.near.shape):
            index[..., axis] = index[..., axis].clip(0, n - 1)
        return self.near[index[..., 0], index[..., 1], index[..., 2]]


def own_colours(plate: np.ndarray, regions: Mapping[Any, tuple[np.ndarray, np.ndarray]]) -> dict[Any, Colours]:
    """Per region (where a character is, where they are not), the Lab colours the plate shows inside it and hardly
    anywhere near outside (in the set, on another character, even after a grade): what finds it in a take,
    wherever the take put it."""
    bins = np.floor(plate / _BIN).astype(np.int32)
    keys = (bins[..., 0] * 64 + bins[..., 1] + 32) * 64 + bins[..., 2] + 32
    sample = plate[::2, ::2]  # the test below counts pixels, it need not place them
    found = {}
    for key, (inside, outside) in regions.items():
        counts = np.bincount(keys[inside])
        candidates = [plate[inside & (keys == k)].mean(axis=0)
                      for k in np.nonzero(counts >= max(_MIN_COLOUR, _COLOUR_SHARE * inside.sum()))[0]]
        colours = []
        for colour in candidates:
            near = np.linalg.norm(sample - colour, axis=-1) < _FIND_DE + _GRADE_DE
            if (near & outside[::2, ::2]).sum() <= _OWN * (near & inside[::2, ::2]).sum():
                colours.append(colour)
        if colours:
            found[key] = Colours(np.stack(colours), _FIND_DE)
    return found


def spot(picture_lab: np.ndarray, colours: Colours, place: np.ndarray) -> Spot | None:
    """Where ``colours`` show in a Lab picture (``place``: where the layout has them); None when too few pixels do."""
    near = ndimage.binary_opening(colours.match(picture_lab))  # lone pixels a grade or noise brings near are nobody
    ys, xs = np.nonzero(near)
    if len(ys) < _MIN_REGION_PX:
        return None
    held = near & place
    # The size from where the layout has them: a few of their colours elsewhere in the set (a poster, a rug: one in
    # twenty of the plate's pixels in the hall wide) would stretch the extent to them, and a take that softens them
    # away would then seem to show a smaller figure. Size is only judged when nearly all the take shows is in place.
    hy, hx = np.nonzero(held) if held.sum() >= _MIN_REGION_PX else (ys, xs)
    # medians and inner percentiles: a few of their colours elsewhere (a prop, a look-alike) do not move them
    top, bottom = np.percentile(hy, [5, 95])
    left, right = np.percentile(hx, [5, 95])
    return Spot(float(np.median(xs)), float(np.median(ys)), float(right - left + 1), float(bottom - top + 1),
                int(len(ys)), int(held.sum()))


def figures(take: Take, truth: Truth) -> Figures | None:
    """The characters in view, and their faces, found in the plate and in each judged frame of the take by their own
    colours."""

    def make() -> Figures | None:
        drawn = drawn_shot(take, truth)
        if drawn.plate_lab is None:
            return None
        colours, places, where = _plate_figures(drawn, truth)
        if any(found.pixels < _SMALL_FIGURE_PX for found in where.values()):
            # someone far off shows a few dozen pixels of their own colours at the working size: a model's softening
            # and grade leave too few of them to be found, so everyone is looked for at twice the size (the same
            # plate, so it is there too)
            drawn = Drawn.of(truth, 2)
            colours, places, where = _plate_figures(drawn, truth)
            pictures = take_frames(take, drawn.size)
        else:
            pictures = [seen.picture for seen in seen_frames(take, truth)]
        if not where:
            return None
        frames = []
        for picture in map(lab, pictures):
            frames.append({key: spot(picture, colours[key], places[key]) for key in where})
        return Figures({cid: display_name(truth, cid) for cid, _ in where}, where, frames, drawn.size)

    return _remember(take, truth, "figures", make)


def _plate_figures(drawn: Drawn, truth: Truth) -> tuple[dict[tuple[str, str], Colours],
                                                        dict[tuple[str, str], np.ndarray], dict[tuple[str, str], Spot]]:
    """Each character's and face's own colours, where the layout lets them be found, and where the plate has them."""
    size = drawn.size
    regions = {}
    for cid, mask in drawn.masks.items():
        if mask.sum() < _MIN_REGION_PX:
            continue
        outside = ~ndimage.binary_dilation(mask, iterations=2)
        regions[(cid, "figure")] = (ndimage.binary_erosion(mask), outside)
        if cid in drawn.faces:
            head = mask & box_mask(drawn.faces[cid].head_box(size[0] / truth.width), size)
            if head.sum() >= _MIN_FACE_PX:
                regions[(cid, "face")] = (head, ~ndimage.binary_dilation(head, iterations=2))  # their body too
    plate_lab = drawn.plate_lab
    colours = own_colours(plate_lab, regions)
    # where the layout has them, give or take what a push or a model's freedom moves them by
    margin = round(_GOOD_OFF * size[0])
    places = {key: ndimage.binary_dilation(regions[key][0], iterations=margin) for key in colours}
    where = {key: found for key, c in colours.items() if (found := spot(plate_lab, c, places[key])) is not None}
    return colours, places, where


class PlacementCheck(Check):
    """Each character, and their face, found where the layout puts them: their own colours' centroid (and size) in
    the take against the plate's."""

    name: ClassVar[str] = "placement"
    subjects: ClassVar[frozenset[str]] = frozenset({"image", "clip"})
    threshold: float = 0.5
    description: ClassVar[str] = "each character on the side and at the size the layout says"

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        found = figures(take, truth)
        if found is None:
            return None
        w, h = found.size
        worst: tuple[float, str] | None = None
        for i, frame in enumerate(found.frames):
            label = f" (frame {i + 1} of {len(found.frames)})" if len(found.frames) > 1 else ""
            for (cid, part), expected in found.plate.items():
                name, seen = found.names[cid], frame[(cid, part)]
                who = name if part == "figure" else f"{name}'s face"
                if seen is None or seen.pixels < _FOUND * expected.pixels:
                    continue  # their colours are not in the take: whether they are there at all is identity's to say
                off = max(abs(seen.x - expected.x) / w, abs(seen.y - expected.y) / h)
                score = 1.0 - max(0.0, off - _GOOD_OFF) / (_BAD_OFF - _GOOD_OFF)
                # all they show is where the layout has them (some colours lost), or all or most of them is and more of
                # their colours show elsewhere (a look-alike; one who moved would have left): in place, and their
                # colours are identity's to judge
                kept, inside = seen.held / max(1, expected.held), seen.held / seen.pixels
                if kept >= _IN_PLACE or inside >= _IN_PLACE or (kept >= _MOSTLY and kept - inside >= _LOOK_ALIKE):
                    score = 1.0
                size = ""
                if part == "figure" and kept >= _WHOLE and inside >= _IN_PLACE:  # all of them, and only them
                    scale = seen.size(expected)
                    score = min(score, 1.0 - max(0.0, abs(math.log(scale)) - _GOOD_SCALE) / (_BAD_SCALE - _GOOD_SCALE))
                    size = f", {scale:.0%} of the size"
                reason = (f"{who} is {_side(seen.x / w)} of frame ({100 * seen.x / w:.0f}% across{size}) where the "
                          f"layout has {'them' if part == 'figure' else 'it'} {_side(expected.x / w)} "
                          f"({100 * expected.x / w:.0f}% across)")
                if worst is None or score < worst[0]:
                    worst = (score, reason + label)
        if worst is None:
            return None
        return self.verdict(worst[0], worst[1], worst[1])


def _side(x: float) -> str:
    return "left" if x < 0.4 else "right" if x > 0.6 else "centre"


class ScreenDirectionCheck(Check):
    """The 180° rule in the take: the characters' left-to-right order is the layout's."""

    name: ClassVar[str] = "screen_direction"
    subjects: ClassVar[frozenset[str]] = frozenset({"image", "clip"})
    threshold: float = 0.5
    description: ClassVar[str] = "the characters' left-to-right order in the take is the layout's (the 180° rule)"

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        found = figures(take, truth)
        if found is None:
            return None
        w = found.size[0]
        worst: tuple[float, str] | None = None
        for i, frame in enumerate(found.frames):
            label = f" (frame {i + 1} of {len(found.frames)})" if len(found.frames) > 1 else ""
            # a face says where someone stands better than a figure half out of frame; both when both are found
            spots = {}
            for cid in found.names:
                for part in ("face", "figure"):
                    if (cid, part) in found.plate and frame.get((cid, part)) is not None:
                        spots[cid] = (found.plate[(cid, part)].x, frame[(cid, part)].x)
                        break
            people = sorted(spots, key=lambda c: spots[c][0])
            for a, left in enumerate(people):
                for right in people[a + 1:]:
                    apart = (spots[right][0] - spots[left][0]) / w
                    if apart < _MIN_APART:
                        continue  # one in front of the other: no order to keep
                    seen = (spots[right][1] - spots[left][1]) / w
                    score = 0.5 + 0.5 * seen / apart
                    first, second = found.names[left], found.names[right]
                    if seen < 0:
                        reason = (f"{second} is left of {first} in the take; the layout has {first} on the left: "
                                  f"the shot crosses the line")
                    else:
                        reason = f"{first} is left of {second}, as the layout has them"
                    if worst is None or score < worst[0]:
                        worst = (score, reason + label)
        if worst is None:
            return None
        return self.verdict(worst[0], worst[1], worst[1])
