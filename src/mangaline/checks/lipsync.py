"""Lip sync: while a character in view speaks, their mouth in the clip moves with the line's loudness.

The mouth is found from the pose guide (nose and eyes give the face, the mouth sits below the nose),
cut out of every frame by FFmpeg, and compared with the mouth at rest (the frames where the line is
quiet); that change, frame by frame, should rise and fall with the line's loudness envelope.
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
_LAGS = range(-1, 2)  # frames a mouth may trail or lead the voice by
_VISIBLE = 4.0  # luma levels of mean change in the mouth that count as a mouth plainly moving
_MIN_FRAMES = 8  # spoken frames needed to judge a line


@dataclass(frozen=True)
class Motion:
    """A character's mouth over a clip: per frame, how far it is from the mouth at rest (mean luma levels)."""

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


def mouth_motion(take: Take, truth: Truth, face: Face, lines: list[LineTruth]) -> Motion | None:
    """How far the face's mouth is from rest in every frame of the clip while ``lines`` are spoken; None when the face
    is too small to read."""
    width, height = take.size
    if not width or not height:
        return None
    sx, sy = width / truth.width, height / truth.height
    unit = face.unit * sy
    if unit < _MIN_UNIT_PX:
        return None
    mx0, my0, mx1, my1 = face.mouth_box(1.0)
    margin = _SEARCH * face.unit
    box = (max(0, int(np.floor((mx0 - margin) * sx))), max(0, int(np.floor((my0 - margin) * sy))),
           min(width, int(np.ceil((mx1 + margin) * sx))), min(height, int(np.ceil((my1 + margin) * sy))))
    if box[2] - box[0] < 4 or box[3] - box[1] < 4:
        return None
    zoom = min(1.0, _MOUTH_PX / unit)
    size = (max(4, round((box[2] - box[0]) * zoom / 2) * 2), max(4, round((box[3] - box[1]) * zoom / 2) * 2))
    frames = _decode_region(take, box, size)
    if len(frames) < _MIN_FRAMES:
        return None
    fps = take.info.fps if take.info is not None and take.info.fps else truth.fps
    times = np.arange(len(frames)) / fps
    level = _loudness(lines, times, truth.fps)
    quiet = level <= _QUIET * level.max()
    rest = np.median(frames[quiet] if quiet.sum() >= 3 else frames, axis=0)
    # the mouth itself (the inner box), compared with the rest mouth shifted a little: a push or a bob is not speech
    pad = max(1, round(margin * sy * zoom))
    inner = frames[:, pad:size[1] - pad, pad:size[0] - pad]
    best = np.full(len(frames), np.inf)
    for dy in range(0, 2 * pad + 1):
        for dx in range(0, 2 * pad + 1):
            moved = rest[dy:dy + inner.shape[1], dx:dx + inner.shape[2]]
            best = np.minimum(best, np.abs(inner - moved).mean(axis=(1, 2)))
    return Motion(best, times, level)


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
            r, lag = max((_correlation(motion.change, level, spoken, k), k) for k in _LAGS)
            loud = spoken & (level > 0.5 * level[spoken].max())
            still = ~loud & (level <= _QUIET * level.max())
            moves = (float(np.median(motion.change[loud])) - float(np.median(motion.change[still]))
                     if loud.any() and still.any() else float(np.ptp(motion.change[spoken])))
            score = max(0.0, r) * min(1.0, max(0.0, moves) / _VISIBLE)
            name = display_name(truth, cid)
            said = lines[0].text.strip()
            quoted = f" ({said[:40]!r})" if said else ""
            if moves < _VISIBLE / 2:
                reason = (f"{name}'s mouth does not move while they speak{quoted}: it changes by {max(0.0, moves):.1f} "
                          f"luma levels from rest")
            else:
                reason = (f"{name}'s mouth moves with their line{quoted} at a correlation of {r:.2f} with its loudness"
                          f"{f' ({lag:+d} frames)' if lag else ''}, changing by {moves:.1f} luma levels")
            if worst is None or score < worst[0]:
                worst = (score, reason)
        if worst is None:
            return None
        return self.verdict(worst[0], worst[1], worst[1])


def _correlation(change: np.ndarray, level: np.ndarray, spoken: np.ndarray, lag: int) -> float:
    """Pearson correlation over the spoken frames of the mouth's change against the loudness ``lag`` frames before."""
    moved = np.roll(level, lag)
    if lag > 0:
        moved[:lag] = 0.0
    elif lag < 0:
        moved[lag:] = 0.0
    a, b = change[spoken], moved[spoken]
    if a.std() < 1e-6 or b.std() < 1e-6:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])
