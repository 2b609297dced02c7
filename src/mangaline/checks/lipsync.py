"""Lip sync: while a character in view speaks, their mouth in the clip moves with the line's loudness.

The mouth is found from the pose guide (nose and eyes give the face, the mouth sits below the nose)
and cut out of every frame by FFmpeg with the cheeks either side of it. A speaking mouth changes from
one frame to the next as the voice rises and falls; a push-in, a run, a turn of the head, grain and
breathing change the cheeks as much as the mouth. So the mouth's frame-to-frame change, less the
cheeks', should rise and fall with how much the line's loudness changes frame to frame: their
correlation (over a few frames, so a mouth a frame early or late still counts) is the score.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..ffmpeg import ffmpeg_exe
from ..model.qc import Verdict
from .base import Check, LineTruth, Take, Truth
from .layout import Face, display_name, faces

__all__ = ["LipSyncCheck", "mouth_motion"]

_MOUTH_PX = 10.0  # px the face's unit (eyes to nose) is decoded at: enough to see a mouth open
_MIN_UNIT_PX = 3.0  # a face whose unit is smaller than this in the take is too small to read a mouth from
_SEARCH = 0.5  # of the face's unit: how far the mouth is looked for around where the layout has it (a push, a bob)
_QUIET = 0.15  # of the line's peak: loudness under which the mouth should be at rest
_SMOOTH = 3  # frames both changes are averaged over before they are compared: a mouth a frame early or late counts
_VISIBLE = 1.0  # luma levels the mouth changes by, frame to frame, more while spoken than while quiet: it moves
_MIN_FRAMES = 8  # spoken frames needed to judge a line


@dataclass(frozen=True)
class Motion:
    """A character's mouth over a clip: per frame, how much more it changed from the frame before than the cheeks
    either side of it did (mean luma levels)."""

    change: np.ndarray
    times: np.ndarray  # seconds of each frame
    loudness: np.ndarray  # the speaker's loudness at each frame (0 between lines)


def _decode_region(take: Take, box: tuple[int, int, int, int], size: tuple[int, int]) -> np.ndarray:
    """Every frame's ``box`` (x0, y0, x1, y1 in the take's pixels) as luma at ``size`` (w, h): (n, h, w) float32."""
    x0, y0, x1, y1 = box
    w, h = size
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(take.path), "-map", "0:v:0",
         "-vf", f"crop={x1 - x0}:{y1 - y0}:{x0}:{y0},scale={w}:{h}:flags=area",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=False,
    )
    if proc.returncode:
        return np.zeros((0, h, w), np.float32)
    data = np.frombuffer(proc.stdout, np.uint8)
    n = len(data) // (w * h)
    return data[: n * w * h].reshape(n, h, w).astype(np.float32)


def _loudness(lines: list[LineTruth], times: np.ndarray, fps: float) -> np.ndarray:
    """The speaker's loudness at each frame time (0 between lines): each line's envelope read at its own frame rate."""
    level = np.zeros(len(times))
    for line in lines:
        envelope = np.asarray(line.envelope, np.float64)
        at = (times - line.start) * fps
        inside = (at >= 0) & (at <= len(envelope) - 1) & (times <= line.end)
        level[inside] = np.maximum(level[inside], np.interp(at[inside], np.arange(len(envelope)), envelope))
    return level


def _change(frames: np.ndarray, pad: int) -> np.ndarray:
    """Per frame, how far a region's inner box is from the region a frame before, at the best of small shifts (a
    push or a bob moves a region, it does not change it); 0 for the first frame."""
    h, w = frames.shape[1:]
    inner = frames[1:, pad:h - pad, pad:w - pad]
    best = np.full(len(frames) - 1, np.inf)
    for dy in range(0, 2 * pad + 1):
        for dx in range(0, 2 * pad + 1):
            moved = frames[:-1, dy:dy + inner.shape[1], dx:dx + inner.shape[2]]
            best = np.minimum(best, np.abs(inner - moved).mean(axis=(1, 2)))
    return np.concatenate(([0.0], best))


def mouth_motion(take: Take, truth: Truth, face: Face, lines: list[LineTruth]) -> Motion | None:
    """How much the face's mouth changes frame to frame over the clip, less how much the cheeks either side of it do,
    with the loudness of ``lines`` at each frame; None when the face is too small to read."""
    width, height = take.size
    if not width or not height:
        return None
    sx, sy = width / truth.width, height / truth.height
    unit = face.unit * sy
    if unit < _MIN_UNIT_PX:
        return None
    mx0, my0, mx1, my1 = face.mouth_box(1.0)
    margin = _SEARCH * face.unit
    across = mx1 - mx0
    # one decode of a band three mouths wide: the left cheek, the mouth, the right cheek
    box = (int(np.floor((mx0 - across - margin) * sx)), max(0, int(np.floor((my0 - margin) * sy))),
           int(np.ceil((mx1 + across + margin) * sx)), min(height, int(np.ceil((my1 + margin) * sy))))
    left, right = max(0, box[0]), min(width, box[2])
    if right - left < 4 or box[3] - box[1] < 4:
        return None
    zoom = min(1.0, _MOUTH_PX / unit)
    size = (max(4, round((right - left) * zoom / 2) * 2), max(4, round((box[3] - box[1]) * zoom / 2) * 2))
    frames = _decode_region(take, (left, box[1], right, box[3]), size)
    if len(frames) < _MIN_FRAMES:
        return None
    scale = size[0] / (right - left)
    fps = take.info.fps if take.info is not None and take.info.fps else truth.fps
    times = np.arange(len(frames)) / fps
    level = _loudness(lines, times, truth.fps)
    pad = max(1, round(margin * sy * scale))

    def region(x0: float, x1: float, clip: bool = False) -> np.ndarray | None:
        """The decoded columns of truth pixels ``x0``..``x1`` (with the search margin); None when out of frame, or
        (``clip``) the part in frame."""
        a = int(round(((x0 - margin) * sx - left) * scale))
        b = int(round(((x1 + margin) * sx - left) * scale))
        if clip:
            a, b = max(0, a), min(size[0], b)
        if a < 0 or b > size[0] or b - a < 2 * pad + 2:
            return None
        return frames[:, :, a:b]

    mouth = region(mx0, mx1, clip=True)
    if mouth is None:
        return None
    change = _change(mouth, pad)
    # the cheeks move with the face and the camera as the mouth does, but do not speak: their change is what a push,
    # a bob, a run or the grain give the mouth too
    cheeks = [c for c in (region(mx0 - across, mx0), region(mx1, mx1 + across)) if c is not None]
    control = np.mean([_change(c, pad) for c in cheeks], axis=0) if cheeks else np.zeros(len(frames))
    return Motion(change - control, times, level)


class LipSyncCheck(Check):
    """While a character in view speaks, the change in their mouth follows the line's loudness (clips only)."""

    name: ClassVar[str] = "lip_sync"
    subjects: ClassVar[frozenset[str]] = frozenset({"clip"})
    threshold: float = 0.3
    description: ClassVar[str] = "the speaker's mouth moves with their line's loudness"

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        seen = faces(truth)
        speakers: dict[str, list[LineTruth]] = {}
        for line in truth.lines:
            if line.character in seen and line.envelope and max(line.envelope) > 0:
                speakers.setdefault(line.character, []).append(line)
        worst: tuple[float, str] | None = None
        for cid, lines in speakers.items():
            motion = mouth_motion(take, truth, seen[cid], lines)
            if motion is None:
                continue
            level = motion.loudness
            spoken = np.zeros(len(level), bool)
            for line in lines:
                spoken |= (motion.times >= line.start) & (motion.times <= line.end)
            if spoken.sum() < _MIN_FRAMES:
                continue
            swing = _smooth(np.abs(np.diff(level, prepend=level[0])))
            change = _smooth(motion.change)
            r = _correlation(change, swing, spoken)
            quiet = ~spoken & (level <= _QUIET * level.max())
            moves = float(change[spoken].mean()) - (float(change[quiet].mean()) if quiet.any() else 0.0)
            score = max(0.0, r)
            name = display_name(truth, cid)
            said = lines[0].text.strip()
            quoted = f" ({said[:40]!r})" if said else ""
            if score < self.threshold and moves < _VISIBLE:
                reason = (f"{name}'s mouth does not move while they speak{quoted}: it changes by {max(0.0, moves):.1f} "
                          f"luma levels a frame more than their cheeks do")
            elif score < self.threshold:
                reason = (f"{name}'s mouth moves out of step with their line{quoted}: a correlation of {r:.2f} with its "
                          f"loudness's rise and fall, changing by {moves:.1f} luma levels a frame more than their cheeks")
            else:
                reason = (f"{name}'s mouth moves with their line{quoted} at a correlation of {r:.2f} with its loudness"
                          f"'s rise and fall, changing by {moves:.1f} luma levels a frame more than their cheeks")
            if worst is None or score < worst[0]:
                worst = (score, reason)
        if worst is None:
            return None
        return self.verdict(worst[0], worst[1], worst[1])


def _smooth(values: np.ndarray) -> np.ndarray:
    return np.convolve(values, np.ones(_SMOOTH) / _SMOOTH, mode="same")


def _correlation(a: np.ndarray, b: np.ndarray, spoken: np.ndarray) -> float:
    """Pearson correlation of two per-frame measures over the spoken frames."""
    a, b = a[spoken], b[spoken]
    if a.std() < 1e-6 or b.std() < 1e-6:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])
