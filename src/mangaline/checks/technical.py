"""Technical checks of a take: it decodes in the shape and rate asked, lasts as long as asked, and its picture is
neither black, frozen nor flickering.

The picture measures share one small decode of every frame (``Take.all_frames()``, 160 px wide) and
its luma, so the whole set costs one FFmpeg pass. Every score here follows one rule: 1.0 for a take
with no trace of the fault, 0.5 at the check's limit (the default threshold), 0.0 at twice the
limit, so a threshold set in mangaline.toml moves the limit in proportion.

What the other checks of the package share with these (``falloff``, ``MeasuredCheck``, ``luma``,
``runs``, ``spans_text``) is public here.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError, RenderError
from ..model.motion import ease_in_out
from ..model.qc import Verdict
from ..model.script import CameraMove
from .base import Check, Take, Truth

__all__ = ["BlackFramesCheck", "DurationCheck", "FlickerCheck", "FormatCheck", "FrozenFramesCheck", "MeasuredCheck",
           "falloff", "luma", "picture_area", "runs", "spans_text"]

_LUMA: weakref.WeakKeyDictionary[Take, np.ndarray] = weakref.WeakKeyDictionary()


def falloff(excess: float, limit: float) -> float:
    """A score from how far a measure is past its ideal: 1.0 at none, 0.5 at ``limit``, 0.0 at twice the limit."""
    if limit <= 0:
        return 1.0 if excess <= 0 else 0.0
    return float(min(1.0, max(0.0, 1.0 - 0.5 * excess / limit)))


def luma(take: Take) -> np.ndarray:
    """Every frame's luma (n, h, w) as float32 0..255 (BT.601 weights), 160 px wide; a still is one frame. Kept per take."""
    found = _LUMA.get(take)
    if found is None:
        frames = take.all_frames()
        found = np.tensordot(frames.astype(np.float32), np.array([0.299, 0.587, 0.114], np.float32), axes=([3], [0]))
        _LUMA[take] = found
    return found


def spans_text(spans: list[tuple[float, float]], most: int = 3) -> str:
    """'1.00-2.00 s, 3.10-3.50 s' for the first ``most`` spans, with a count of the rest."""
    text = ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in spans[:most])
    return text + (f" and {len(spans) - most} more" if len(spans) > most else "")


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of True in a 1-d bool array."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _frame_rate(take: Take, count: int) -> float:
    """Frames per second of the decoded frames: the probed rate, or the count over the length."""
    info = take.info
    if info is not None and info.fps:
        return float(info.fps)
    if take.duration > 0 and count:
        return count / take.duration
    return 24.0


class MeasuredCheck(Check):
    """A check whose options are numbers, each with a class default and a range (``limits``)."""

    limits: ClassVar[Mapping[str, tuple[float, float]]] = {}

    def configure(self, options: dict[str, Any]) -> None:
        unknown = sorted(set(options) - set(self.limits))
        if unknown:
            known = ", ".join(sorted(self.limits)) or "none but threshold and enabled"
            raise ConfigError(f"[qc.checks.{self.name}] has no option {', '.join(unknown)}", hint=f"its options: {known}")
        for key, value in options.items():
            low, high = self.limits[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                raise ConfigError(f"[qc.checks.{self.name}] {key} must be a number from {low:g} to {high:g}, not {value!r}")
            setattr(self, key, float(value))


class FormatCheck(MeasuredCheck):
    """The take decodes, with the shape asked for, big enough, and at least the frame rate asked for."""

    name = "format"
    subjects = frozenset({"image", "clip"})
    threshold = 0.5
    description = "the take decodes, in the aspect asked, at least min_short_side px on its short side, at the fps asked"
    limits = {"aspect_tolerance": (0.0, 1.0), "min_short_side": (1.0, 10_000.0), "fps_tolerance": (0.0, 1.0)}
    aspect_tolerance = 0.03  # share off the asked aspect that scores 0.5 (a 9:16 clip is not cropped into 16:9)
    min_short_side = 320.0  # px: scores 0.5 at this, 1.0 at twice it
    fps_tolerance = 0.2  # share of the asked frame rate missing that scores 0.5 (more frames than asked is fine)

    def judge(self, take: Take, truth: Truth) -> Verdict:
        broken = self._unreadable(take)
        if broken:
            return self.verdict(0.0, broken)
        w, h = take.size
        off = abs((w / h) / truth.aspect - 1.0)
        short, least = min(w, h), self.min_short_side
        parts = [  # (score, what is wrong when it is under the threshold)
            (falloff(off, self.aspect_tolerance),
             f"{w}x{h} is {w / h:.3f} wide per high, asked {truth.width}x{truth.height} ({truth.aspect:.3f}, {off:.1%} off)"),
            (0.5 * short / least if short < least else min(1.0, 0.5 + 0.5 * (short - least) / least),
             f"{w}x{h} is {short} px on its short side ({least:.0f} px at the least, {2 * least:.0f} px for a full score)"),
        ]
        fps = take.info.fps if take.kind == "clip" and take.info is not None else None
        if fps:
            missing = max(0.0, 1.0 - fps / truth.fps)
            parts.append((falloff(missing, self.fps_tolerance),
                          f"{fps:g} fps is under the {truth.fps:g} fps asked ({missing:.0%} of the frames missing)"))
        score = min(s for s, _ in parts)
        found = f"{w}x{h}" + (f" at {fps:g} fps" if fps else "")
        return self.verdict(score, "; ".join(why for s, why in parts if s < self.threshold),
                            f"{found} for {truth.width}x{truth.height}" + (f" at {truth.fps:g} fps" if fps else "") + " asked")

    def _unreadable(self, take: Take) -> str:
        """Why the take cannot be judged at all, or ''."""
        if take.kind == "image":
            try:
                take.image
            except (OSError, ValueError) as err:
                return f"the image does not open: {err}"
            return ""
        info = take.info
        if info is None:
            return "FFmpeg cannot read the file"
        if info.video_codec is None:
            return "the file has no video stream"
        if not info.width or not info.height:
            return "FFmpeg reads no picture size"
        try:
            count = len(luma(take))
        except RenderError as err:
            return str(err).splitlines()[0]
        if count == 0:
            return "not one frame decodes"
        expected = info.duration * (info.fps or 24.0)
        if count < 0.5 * expected:
            return f"only {count} of about {expected:.0f} frames decode"
        return ""


class DurationCheck(MeasuredCheck):
    """The clip is about as long as asked: the edit holds a last frame or trims a little, not a missing second."""

    name = "duration"
    subjects = frozenset({"clip"})
    threshold = 0.5
    description = "the clip's length against the length asked: too short or far too long"
    limits = {"slack": (0.0, 60.0), "slack_share": (0.0, 1.0), "over_share": (0.0, 100.0)}
    slack = 0.5  # seconds short that score 0.5 (or slack_share of the length, whichever is more)
    slack_share = 0.2
    over_share = 1.0  # a clip longer by this share of the length asked (plus slack) scores 0.5: the edit trims it

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        asked = truth.duration
        if asked is None or asked <= 0:
            return None
        got = take.duration
        if got <= 0:
            return self.verdict(0.0, f"the clip has no length FFmpeg can read ({asked:.1f} s asked)")
        short_allowed = max(self.slack, self.slack_share * asked)
        long_allowed = self.slack + self.over_share * asked
        if abs(got - asked) < 0.05:
            return self.verdict(1.0, "", f"{got:.2f} s, as asked")
        if got < asked:
            score = falloff(asked - got, short_allowed)
            why = f"{got:.1f} s of {asked:.1f} s asked (short by {asked - got:.1f} s; {short_allowed:.1f} s allowed)"
        else:
            score = falloff(got - asked, long_allowed)
            why = f"{got:.1f} s for {asked:.1f} s asked (over by {got - asked:.1f} s; {long_allowed:.1f} s allowed)"
        return self.verdict(score, why, why)


class BlackFramesCheck(MeasuredCheck):
    """The picture is not black, not even for a moment: a black flash between two shots is a failed render."""

    name = "black_frames"
    subjects = frozenset({"image", "clip"})
    threshold = 0.5
    description = "seconds of black frames in the take (a black still fails outright)"
    limits = {"max_seconds": (0.0, 600.0), "pixel_level": (0.0, 255.0), "picture_share": (0.0, 1.0)}
    max_seconds = 0.2  # black that scores 0.5: five frames at 24 fps, a flash a viewer sees at the cut
    pixel_level = 26.0  # luma (0..255) at or under which a pixel is black (FFmpeg blackdetect's pix_th 0.10)
    picture_share = 0.98  # share of black pixels that makes a frame black

    def judge(self, take: Take, truth: Truth) -> Verdict:
        frames = luma(take)
        n = len(frames)
        if n == 0:
            return self.verdict(0.0, "no frame decodes to judge")
        black = (frames <= self.pixel_level).mean(axis=(1, 2)) >= self.picture_share
        if take.kind == "image":
            return self.verdict(0.0 if black[0] else 1.0, "the picture is black", "the picture is not black")
        fps = _frame_rate(take, n)
        spans = [(a / fps, b / fps) for a, b in runs(black)]
        if not spans:
            return self.verdict(1.0, "", "no black frame")
        seconds = float(black.sum()) / fps
        why = f"{seconds:.2f} s of the clip is black, {black.mean():.0%} of it ({spans_text(spans)})"
        return self.verdict(falloff(seconds, self.max_seconds), why, why)


class FrozenFramesCheck(MeasuredCheck):
    """The picture moves: a clip frozen for most of its length is a still passed off as video.

    A draft's freeze repeats one frame to the bit, and any stretch of such frames is frozen. A video model's freeze
    does not: its grain and its encoding change every frame, and its slow push-in (a few per cent over the clip)
    keeps scaling the still about the centre. A stretch in which every frame is the stretch's first frame scaled up
    by at most that push (``push`` over the clip), once both are averaged over blocks of 4x4 px (which evens out the
    grain), is such a still. Whether it is a freeze depends on what the shot asks for: in a shot where a character
    in view speaks, people act, and a pushed-in still of ``min_push_seconds`` or more is frozen wherever it falls.
    A shot in which nobody speaks may hold still while its camera eases in or settles, which looks the same; there
    a pushed-in still is frozen only where the shot asks for motion all the same: over ``min_progress`` or more of
    the way of the camera move it plans (eased as the motion plan eases it: a still where the camera should be
    travelling fastest), or, in a shot whose camera holds, when someone in view fills ``min_person`` of the frame or
    more (close enough that their breathing and blinking show; a still of an empty room or a far crowd is left alone).
    """

    name = "frozen_frames"
    subjects = frozenset({"clip"})
    threshold = 0.5
    description = ("share of the clip that is frozen (stretches of min_seconds or more that stay within noise of their "
                   "first frame, or of min_push_seconds or more that stay within push_noise of it pushed in: where someone "
                   "in view speaks, where the planned camera move covers min_progress of its way, or where a held camera "
                   "is on someone filling min_person of the frame)")
    limits = {"max_share": (0.0, 1.0), "noise": (0.0, 255.0), "min_seconds": (0.0, 60.0), "push": (0.0, 0.5),
              "push_noise": (0.0, 255.0), "min_push_seconds": (0.0, 60.0), "min_progress": (0.0, 1.0),
              "min_person": (0.0, 1.0)}
    max_share = 0.35  # share of the clip frozen that scores 0.5 (the draft holds still for 15% at most)
    noise = 0.8  # mean difference (0..255, over R, G and B) under which a frame is the same picture (freezedetect's -50 dB)
    min_seconds = 0.5  # a still stretch shorter than this is a hold, not a freeze
    push = 0.045  # the most a model pushes in over the whole clip unasked (share of the frame)
    push_noise = 1.2  # mean luma difference of 4x4 blocks under which a frame is the first one pushed in
    min_push_seconds = 0.8  # a pushed-in still shorter than this is a pause, not a freeze
    # in a quiet shot: the share of its camera move's way (the eased ends of a move cover a tenth each) a still must
    # span to be frozen, and the share of the frame someone in view fills in a held shot for a still of them to be
    min_progress = 0.3
    min_person = 0.1
    _BLOCK = 4  # px (of the 160 px decode) averaged together: the grain of a model's take evens out

    def judge(self, take: Take, truth: Truth) -> Verdict:
        levels = luma(take)
        n = len(levels)
        if n < 2:
            return self.verdict(0.0, f"{n} frame decodes: nothing moves")
        # every channel counts, as in freezedetect: a change of colour at one brightness is still a change
        frames = take.all_frames().astype(np.int16)
        fps = _frame_rate(take, n)
        # bars (a picture letterboxed or pillarboxed into the frame) never change: the picture is measured without them
        rows, cols = picture_area(levels)
        levels, frames = levels[:, rows, cols], frames[:, rows, cols]
        black = (levels <= BlackFramesCheck.pixel_level).mean(axis=(1, 2)) >= BlackFramesCheck.picture_share
        frozen = np.zeros(n, bool)
        # like freezedetect: a stretch stays frozen while every frame is within noise of its first one,
        # so a slow pan (a little change each frame) is not mistaken for a still
        start = 0
        for i in range(1, n + 1):
            if i < n and float(np.abs(frames[i] - frames[start]).mean()) < self.noise:
                continue
            if (i - start) / fps >= self.min_seconds:
                frozen[start:i] = True
            start = i
        if _someone_speaks(truth):
            frozen |= self._pushed_in_still(levels, fps)
        else:
            for first, end in runs(self._pushed_in_still(levels, fps)):
                if self._asks_for_motion(truth, first, end, fps):
                    frozen[first:end] = True
        # black stretches are still too; the black check judges them, so they are not counted twice
        frozen &= ~black
        share = float(frozen.mean())
        spans = [(a / fps, b / fps) for a, b in runs(frozen)]
        score = falloff(share, self.max_share)
        if not spans:
            return self.verdict(score, "", "no frozen stretch")
        where = spans_text(spans)
        return self.verdict(score, f"{share:.0%} of the clip is frozen ({where})", f"{share:.0%} frozen ({where})")

    def _asks_for_motion(self, truth: Truth, first: int, end: int, fps: float) -> bool:
        """Whether a shot in which nobody speaks asks for motion over frames ``first`` to ``end`` (exclusive): its
        camera travels ``min_progress`` of its way there, or it holds on someone who fills ``min_person`` of the frame."""
        if truth.move is None:
            return False
        if truth.move != CameraMove.STATIC:
            frames = round(truth.duration * fps) if truth.duration else end
            last = max(1, frames - 1)
            return ease_in_out((end - 1) / last) - ease_in_out(first / last) >= self.min_progress
        size = (max(2, round(truth.width / 8)), max(2, round(truth.height / 8)))
        for character in truth.characters:
            mask = truth.character_mask(character, size)
            if mask is not None and float(mask.mean()) >= self.min_person:
                return True
        return False

    def _pushed_in_still(self, levels: np.ndarray, fps: float) -> np.ndarray:
        """The frames of stretches that are one still, grained and slowly pushed in (a model's freeze), of at least
        min_push_seconds."""
        n, h, w = levels.shape
        frozen = np.zeros(n, bool)
        b = self._BLOCK
        if h < 3 * b or w < 3 * b:
            return frozen
        blocks = _zoomed_blocks(h, b, 1.0) @ levels @ _zoomed_blocks(w, b, 1.0).T
        step = self.push / max(1, n - 1)  # the most the zoom grows from one frame to the next
        start, zoom = 0, 1.0
        for i in range(1, n + 1):
            plain = float(np.abs(blocks[i] - blocks[start])[1:-1, 1:-1].mean()) if i < n else 0.0
            # a push of 1 % changes 4x4 blocks by about 1.5 luma levels on a drawing's edges: far more change than
            # the push can explain is motion, and costs no zooming to tell
            if i < n and plain < self.push_noise + 300 * step * (i - start):
                # the zoom that matches grows frame by frame: follow it from the last one, a step at most
                best, found = min(
                    (float(np.abs(_zoomed_blocks(h, b, z) @ levels[start] @ _zoomed_blocks(w, b, z).T
                                  - blocks[i])[1:-1, 1:-1].mean()), z)
                    for z in (zoom, zoom + step / 2, zoom + step))
                if best < self.push_noise:
                    zoom = found
                    continue
            if (i - start) / fps >= self.min_push_seconds:
                frozen[start:i] = True
            start, zoom = i, 1.0
        return frozen


def picture_area(levels: np.ndarray, level: float = 26.0) -> tuple[slice, slice]:
    """The rows and columns of frames ``levels`` (n, h, w luma) that hold the picture: all of them, less bars at the
    edges that are black (99% of their pixels at or under ``level``, blackdetect's) in every frame."""
    n, h, w = levels.shape
    sample = levels[:: max(1, n // 12)]

    def span(axis: tuple[int, int], size: int) -> slice:
        picture = np.flatnonzero(np.percentile(sample, 99, axis=axis) > level)
        if not picture.size or picture[-1] - picture[0] + 1 < size // 4:  # black, or nearly: nothing to crop to
            return slice(0, size)
        return slice(int(picture[0]), int(picture[-1]) + 1)

    return span((0, 2), h), span((0, 1), w)


def _someone_speaks(truth: Truth) -> bool:
    """Whether a character whose face is in the frame speaks a line in the shot."""
    for line in truth.lines:
        seen = truth.characters.get(line.character)
        if seen is not None and seen.screen_x is not None and 0.0 <= seen.screen_x <= 1.0:
            return True
    return False


def _zoomed_blocks(size: int, block: int, zoom: float) -> np.ndarray:
    """(size // block, size) matrix: a row of ``size`` px scaled by ``zoom`` about its centre (linear), then averaged
    over blocks of ``block`` px. ``M_h @ frame @ M_w.T`` is the frame pushed in by ``zoom``, in blocks."""
    x = np.arange(size // block * block)
    centre = (size - 1) / 2
    source = np.clip(centre + (x - centre) / zoom, 0, size - 1)
    left = np.floor(source).astype(int)
    right = np.minimum(left + 1, size - 1)
    frac = (source - left).astype(np.float32)
    out = np.zeros((size // block, size), np.float32)
    np.add.at(out, (x // block, left), (1 - frac) / block)
    np.add.at(out, (x // block, right), frac / block)
    return out


class FlickerCheck(MeasuredCheck):
    """The brightness does not pump frame to frame: flicker is an up-down swing a steady light or a fade never makes."""

    name = "flicker"
    subjects = frozenset({"clip"})
    threshold = 0.5
    description = "frame-to-frame swing of the whole picture's brightness (luma levels)"
    limits = {"max_swing": (0.0, 255.0)}
    max_swing = 2.0  # luma levels (0..255) a frame stands off the line through its neighbours, in the 90th percentile
    _GRID = 8  # blocks across and down: the picture's brightness change is their median, so a moving mouth is not flicker

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        frames = luma(take)
        n, h, w = frames.shape
        if n < 3:
            return None
        g = self._GRID
        blocks = frames[:, : h // g * g, : w // g * g].reshape(n, g, h // g, g, w // g).mean(axis=(2, 4)).reshape(n, -1)
        level = np.concatenate(([0.0], np.cumsum(np.median(np.diff(blocks, axis=0), axis=1))))
        swing = np.abs(level[1:-1] - (level[:-2] + level[2:]) / 2)
        typical = float(np.percentile(swing, 90))
        fps = _frame_rate(take, n)
        flickering = swing > self.max_swing
        spans = [((a + 1) / fps, (b + 1) / fps) for a, b in runs(flickering)]
        score = falloff(typical, self.max_swing)
        return self.verdict(
            score,
            f"the brightness swings by {typical:.1f} luma levels frame to frame (over {self.max_swing:g} in "
            f"{flickering.mean():.0%} of the frames: {spans_text(spans)})",
            f"steady brightness (frame-to-frame swing {typical:.2f} luma levels)",
        )
