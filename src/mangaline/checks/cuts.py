"""Checks of a cut: the last frame of one take against the first of the next.

Within a scene the light holds across a cut: a take that comes back brighter, darker or of another
colour than the one before it jumps at the cut. What the drawings of the two shots already differ
by (a close-up of a dark coat after a wide shot of a bright room) is allowed: when both truths
carry their plate, the jump is measured beyond the plates' own. And where the action runs on
into the next shot (a match cut), the next take must start on the picture the last one ended on.
"""

from __future__ import annotations

import subprocess

import numpy as np
from PIL import Image

from ..colour import lab
from ..ffmpeg import ffmpeg_exe
from ..model.qc import Verdict
from .base import CutCheck, Take, Truth
from .technical import MeasuredCheck, falloff

__all__ = ["CutContinuityCheck", "CutExposureCheck"]

_SMALL = 96  # px wide: what a cut is judged at (light and layout, not detail)
_LUMA = np.array([0.299, 0.587, 0.114])


def _ends(before: Take, after: Take) -> tuple[np.ndarray, np.ndarray]:
    """The last frame of ``before`` and the first of ``after``, small: one seek to the end of one clip, one frame of the other."""
    last, first = edge_frame(before, last=True), edge_frame(after, last=False)
    if last is None or first is None:
        raise ValueError(f"no frame decodes from {before.path if last is None else after.path}")
    return last, first


def edge_frame(take: Take, *, last: bool, width: int = 2 * _SMALL) -> np.ndarray | None:
    """The first or last frame of a take at ``width`` px wide (RGB uint8); None when it will not decode.

    An end the take keeps beside it (``Take.kept_end``) is read from there. Otherwise only the end of the clip
    is decoded for its last frame (from the keyframe before its final half second), not the whole clip: a
    cut costs two short FFmpeg runs.
    """
    still = take.image if take.kind == "image" else take.kept_end(last=last)
    if still is not None:
        return np.asarray(Image.fromarray(still).resize(
            (width, max(2, round(still.shape[0] * width / still.shape[1]))), Image.Resampling.BOX))
    w, h = take.size
    if not w or not h:
        return None
    height = max(2, round(h * width / w / 2) * 2)
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", *(["-sseof", "-0.5"] if last else []), "-i", str(take.path),
         "-map", "0:v:0", "-vf", f"scale={width}:{height}:flags=area", *([] if last else ["-frames:v", "1"]),
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=False,
    )
    size = width * height * 3
    if proc.returncode or len(proc.stdout) < size:
        return None
    data = proc.stdout[len(proc.stdout) // size * size - size:][:size] if last else proc.stdout[:size]
    return np.frombuffer(data, np.uint8).reshape(height, width, 3)


def _small(rgb: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """A frame at ``size`` (width, height), by default _SMALL px wide, as float RGB."""
    h, w = rgb.shape[:2]
    size = size or (_SMALL, max(2, round(h * _SMALL / w)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX), np.float64)


def _same_scene(a: Truth, b: Truth) -> bool:
    """Whether two shots are of one scene, by their truths' scene or else their layouts (unknown counts as one)."""
    if a.scene and b.scene:
        return a.scene == b.scene
    la, lb = a.layout or {}, b.layout or {}
    if la.get("scene") and lb.get("scene"):
        return la["scene"] == lb["scene"]
    return la.get("location") == lb.get("location") and la.get("time_of_day") == lb.get("time_of_day")


def _light(rgb: np.ndarray) -> np.ndarray:
    """A frame's mean luma (0..255) and mean a*, b*."""
    small = _small(rgb)
    return np.array([float((small @ _LUMA).mean()), *lab(small).reshape(-1, 3).mean(axis=0)[1:]])


class CutExposureCheck(MeasuredCheck, CutCheck):
    """The light holds across a cut within a scene: no jump in brightness or colour the drawings do not have."""

    name = "cut_exposure"
    subjects = frozenset({"cut"})
    threshold = 0.5
    description = "brightness (luma) and colour (a*b*) jump from the last frame of a take to the first of the next"
    limits = {"max_luma": (0.1, 255.0), "max_chroma": (0.1, 200.0)}
    max_luma = 16.0  # mean luma levels (0..255) of a jump that scores 0.5: some 6 % of the range
    max_chroma = 5.0  # distance in a*b* of a colour shift that scores 0.5: a cast a viewer sees at the cut (twice a JND)

    def judge_cut(self, before: Take, after: Take, before_truth: Truth, after_truth: Truth) -> Verdict | None:
        if not _same_scene(before_truth, after_truth):
            return None  # a new scene may bring new light
        last, first = _ends(before, after)
        jump = _light(first) - _light(last)
        drawn = np.zeros(3)
        plates = before_truth.plate_image(), after_truth.plate_image()
        drawings = plates[0] is not None and plates[1] is not None
        if drawings:
            drawn = _light(plates[1]) - _light(plates[0])
        brightness = float(jump[0] - drawn[0])
        colour = float(np.hypot(*(jump[1:] - drawn[1:])))
        score = min(falloff(abs(brightness), self.max_luma), falloff(colour, self.max_chroma))
        allowed = f" beyond the plates' own {drawn[0]:+.1f}" if drawings else ""
        why = (f"brightness {brightness:+.1f} luma levels{allowed}, colour shift {colour:.1f} a*b* "
               f"(0.5 at {self.max_luma:g} levels and {self.max_chroma:g} a*b*)")
        cut = f"{before_truth.shot} -> {after_truth.shot}"
        return self.verdict(score, f"{cut}: the light jumps at the cut: {why}", f"{cut}: {why}")


class CutContinuityCheck(MeasuredCheck, CutCheck):
    """Where the action runs on into the next shot, the next take starts on the picture the last one ended on."""

    name = "cut_continuity"
    subjects = frozenset({"cut"})
    threshold = 0.5
    description = "for a match cut: the layout of edges and colour of the last frame against the next take's first"
    limits = {"max_structure_change": (0.01, 1.0), "max_colour_change": (0.1, 200.0)}
    max_structure_change = 0.35  # share of the edges that moved (beyond a few px) that scores 0.5
    max_colour_change = 12.0  # mean colour difference (CIE76, per patch of the frame) that scores 0.5

    def judge_cut(self, before: Take, after: Take, before_truth: Truth, after_truth: Truth) -> Verdict | None:
        if not before_truth.continuous_with_next:
            return None
        last, first = _ends(before, after)
        a = _small(last)
        b = _small(first, (a.shape[1], a.shape[0]))
        moved = 1.0 - _edge_overlap(a, b)
        patches = np.linalg.norm(_patch_lab(a) - _patch_lab(b), axis=-1)
        colour = float(patches.mean())
        score = min(falloff(moved, self.max_structure_change), falloff(colour, self.max_colour_change))
        rows, cols = np.unravel_index(int(np.argmax(patches)), patches.shape)
        where = f"{['top', 'middle', 'bottom'][min(2, rows * 3 // patches.shape[0])]} " \
                f"{['left', 'centre', 'right'][min(2, cols * 3 // patches.shape[1])]}"
        cut = f"{before_truth.shot} -> {after_truth.shot}"
        why = (f"{moved:.0%} of the edges moved and the colour differs by {colour:.1f} (most in the {where}) "
               f"from the last frame to the first")
        return self.verdict(score, f"{cut}: the action does not carry on: {why}", f"{cut}: {why}")


def _edge_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How much of two frames' edges lie in the same places (0..1), allowing a shift of a pixel or two at 96 px wide."""
    from scipy import ndimage

    grad = []
    for rgb in (a, b):
        gray = rgb @ _LUMA
        magnitude = np.hypot(ndimage.sobel(gray, axis=0), ndimage.sobel(gray, axis=1))
        grad.append(ndimage.gaussian_filter(magnitude, 1.2))
    total = max(grad[0].sum(), grad[1].sum())
    if total <= 0:
        return 1.0
    return float(np.minimum(grad[0], grad[1]).sum() / total)


def _patch_lab(rgb: np.ndarray, across: int = 6) -> np.ndarray:
    """The mean L*a*b* of each patch of a grid ``across`` patches wide (square patches)."""
    h, w = rgb.shape[:2]
    step = max(1, w // across)
    rows, cols = h // step, w // step
    patches = rgb[: rows * step, : cols * step].reshape(rows, step, cols, step, 3).mean(axis=(1, 3))
    return lab(patches)
