"""What a check is handed and what it answers: the take under judgement, the truth it is held to, and the plugin shape.

A take is an image (a keyframe) or a clip (video, maybe with sound). The truth is what the line
knows the take should show: its size, length and frame rate, the shot's layout and the guide maps
drawn from it (a mask per character and per set piece, the edge guide, depth), the draft drawing
of the same shot (the plate), the characters' approved turnaround sheets, and the lines spoken
in it with their loudness envelopes. Both load lazily and cache what they decode, so ten checks
on one take decode it once.

A check is a class registered under the ``mangaline.checks`` entry point group (the built-in ones
are listed in this package's pyproject entry). It is built once per run from its settings
(``[qc.checks.<name>]`` in mangaline.toml: ``threshold``, ``enabled`` and its own options) and
judges a take against the truth, or a cut between two takes. It answers a Verdict (score 0..1,
passed = score >= threshold, a reason a person can read) or None when it has nothing to say
about this take (no face in view for lip sync, no sheet for identity).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from PIL import Image

from ..errors import ConfigError, RenderError
from ..ffmpeg import MediaInfo, ffmpeg_exe, probe
from ..model.qc import Verdict

__all__ = ["Check", "CharacterTruth", "CutCheck", "LineTruth", "Take", "Truth", "ndimage", "verdict"]


class _Ndimage:
    """scipy.ndimage, imported the first time a check uses it: a build that judges nothing (a no-op rebuild, a
    status) does not pay a second and more for it."""

    def __getattr__(self, name: str) -> Any:
        from scipy import ndimage as module

        return getattr(module, name)


ndimage = _Ndimage()

TakeKind = Literal["image", "clip"]
SAMPLE_RATE = 48_000  # audio is decoded mono at this rate for every check


class Take:
    """The take being judged: a still or a clip on disk, decoded on demand (RGB uint8 frames, mono float audio)."""

    def __init__(self, path: Path | str, kind: TakeKind | None = None, *, first: Path | None = None,
                 last: Path | None = None) -> None:
        self.path = Path(path)
        if kind is None:
            kind = "image" if self.path.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp") else "clip"
        self.kind: TakeKind = kind
        self._frames: dict[tuple[int, int | None], list[np.ndarray]] = {}
        self._ends: dict[bool, Path | np.ndarray | None] = {False: first, True: last}

    def kept_end(self, *, last: bool) -> np.ndarray | None:
        """A clip's first or last frame as a still kept beside it (small, RGB uint8), where one was; else None.

        A segment keeps its ends as it renders (edit.segment), so a cut is judged without decoding two clips.
        Read once and kept, like the decoded frames.
        """
        end = self._ends[last]
        if isinstance(end, Path):
            with Image.open(end) as img:
                end = self._ends[last] = np.asarray(img.convert("RGB"))
        return end

    def __repr__(self) -> str:
        return f"Take({str(self.path)!r}, {self.kind!r})"

    @cached_property
    def info(self) -> MediaInfo | None:
        """The clip's streams as FFmpeg probes them; None for a still, or a file FFmpeg cannot read."""
        if self.kind == "image":
            return None
        try:
            return probe(self.path)
        except RenderError:
            return None

    @cached_property
    def image(self) -> np.ndarray:
        """A still as RGB uint8 (h, w, 3); for a clip, its first frame."""
        if self.kind == "image":
            with Image.open(self.path) as img:
                return np.asarray(img.convert("RGB"))
        frames = self.frames(1)
        if not frames:
            raise RenderError(str(self.path), "no frame could be decoded")
        return frames[0]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the picture as stored."""
        if self.kind == "image":
            h, w = self.image.shape[:2]
            return w, h
        info = self.info
        if info is None or not info.width or not info.height:
            return 0, 0
        return info.width, info.height

    @property
    def duration(self) -> float:
        return 0.0 if self.kind == "image" or self.info is None else self.info.duration

    def frames(self, count: int = 8, width: int | None = None) -> list[np.ndarray]:
        """``count`` frames spread evenly over the clip (first and last included), RGB uint8, at ``width`` if given.

        A still gives itself. Decoded once per (count, width) and kept.
        """
        key = (count, width)
        if key not in self._frames:
            self._frames[key] = self._decode(count, width)
        return self._frames[key]

    def all_frames(self, width: int | None = 160) -> np.ndarray:
        """Every frame of a clip (n, h, w, 3) at ``width`` (small by default: for flicker and motion measures)."""
        frames = self._every(width)
        return np.stack(frames) if frames else np.zeros((0, 1, 1, 3), np.uint8)

    def _every(self, width: int | None) -> list[np.ndarray]:
        """Every frame at ``width``, decoded once per take and width."""
        key = (-1, width)
        if key not in self._frames:
            self._frames[key] = self._decode_all(width)
        return self._frames[key]

    @property
    def first_frame(self) -> np.ndarray:
        return self.frames(2)[0] if self.kind == "clip" else self.image

    @property
    def last_frame(self) -> np.ndarray:
        return self.frames(2)[-1] if self.kind == "clip" else self.image

    @cached_property
    def audio(self) -> np.ndarray | None:
        """The clip's sound, mixed to mono float32 at 48 kHz; None when it has no audio stream."""
        info = self.info
        if info is None or info.audio_codec is None:
            return None
        proc = subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(self.path), "-map", "0:a:0", "-ac", "1",
             "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"],
            capture_output=True, check=False,
        )
        if proc.returncode:
            return None
        return np.frombuffer(proc.stdout, np.float32).copy()

    def _scaled_size(self, width: int | None) -> tuple[int, int]:
        w, h = self.size
        if not w or not h:
            raise RenderError(str(self.path), "the picture has no size FFmpeg can read")
        if width is None or width >= w:
            return w, h
        return width, max(2, round(h * width / w / 2) * 2)

    def _decode_all(self, width: int | None) -> list[np.ndarray]:
        if self.kind == "image":
            return [self._resize(self.image, width)]
        w, h = self._scaled_size(width)
        proc = subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(self.path), "-map", "0:v:0",
             "-vf", f"scale={w}:{h}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
            capture_output=True, check=False,
        )
        if proc.returncode:
            raise RenderError(str(self.path), "FFmpeg could not decode the picture: "
                              f"{proc.stderr.decode('utf-8', 'replace').strip().splitlines()[-1:] or ''}")
        data = np.frombuffer(proc.stdout, np.uint8)
        n = len(data) // (w * h * 3)
        return list(data[: n * w * h * 3].reshape(n, h, w, 3))

    def _decode(self, count: int, width: int | None) -> list[np.ndarray]:
        if self.kind == "image":
            return [self._resize(self.image, width)]
        # small frames come from the one decode of every frame all_frames() keeps, not from a second one
        every = self._every(width) if width is not None and width <= 320 else None
        if every is None:
            # full size: pick the frames by timestamp instead of decoding every one into memory
            info = self.info
            if info is None or info.duration <= 0:
                return []
            w, h = self._scaled_size(width)
            fps = info.fps or 24.0
            last = max(0.0, info.duration - 1.0 / fps)
            times = [last * i / max(1, count - 1) for i in range(count)] if count > 1 else [0.0]
            out = []
            for t in times:
                proc = subprocess.run(
                    [ffmpeg_exe(), "-v", "error", "-nostdin", "-ss", f"{t:.4f}", "-i", str(self.path), "-map", "0:v:0",
                     "-frames:v", "1", "-vf", f"scale={w}:{h}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                    capture_output=True, check=False,
                )
                if proc.returncode == 0 and len(proc.stdout) >= w * h * 3:
                    out.append(np.frombuffer(proc.stdout[: w * h * 3], np.uint8).reshape(h, w, 3))
            return out
        if not every:
            return []
        if count <= 1:
            return [every[0]]
        picks = np.linspace(0, len(every) - 1, count).round().astype(int)
        return [every[i] for i in picks]

    @staticmethod
    def _resize(image: np.ndarray, width: int | None) -> np.ndarray:
        h, w = image.shape[:2]
        if width is None or width >= w:
            return image
        height = max(2, round(h * width / w))
        return np.asarray(Image.fromarray(image).resize((width, height), Image.Resampling.BOX))


@dataclass(frozen=True)
class CharacterTruth:
    """Where a character must be in the shot (from the layout) and what they must look like (their sheet)."""

    id: str
    mask: Path | None = None  # guide mask at the frame's size: where the layout put them (None: not in view)
    sheet: Path | None = None  # the approved turnaround sheet
    character: Mapping[str, Any] | None = None  # the bible's Character, as data
    variant: str = "default"
    facing_deg: float | None = None  # which way they face, in the set (for the screen direction)
    screen_x: float | None = None  # where their face falls across the frame, 0 (left) .. 1 (right)

    def mask_array(self, size: tuple[int, int] | None = None) -> np.ndarray | None:
        """The mask as bool (h, w), resized (nearest) to ``size`` = (width, height) when given."""
        if self.mask is None:
            return None
        with Image.open(self.mask) as img:
            mask = img.convert("L")
            if size is not None and mask.size != size:
                mask = mask.resize(size, Image.Resampling.NEAREST)
            return np.asarray(mask) >= 128


@dataclass(frozen=True)
class LineTruth:
    """A line spoken in the shot: who, from when to when (seconds in the shot), its loudness per frame (0..1)."""

    character: str
    start: float
    end: float
    envelope: tuple[float, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Truth:
    """What the take should show, as the line knows it. Every field but the size may be missing."""

    shot: str
    width: int
    height: int
    fps: float = 24.0
    duration: float | None = None  # seconds the clip was asked for (None for a still)
    prompt: str = ""
    # the draft keyframe take's files by name (a keyframe take's components): guides.json and the
    # maps it names (masks, edges, depth), layout.json, keyframe.png
    guides: Mapping[str, Path] = field(default_factory=dict)
    plate: Path | None = None  # the draft drawing of the shot (keyframe.png): the set as the layout places it
    layout: Mapping[str, Any] | None = None  # the ShotLayout, as data
    characters: Mapping[str, CharacterTruth] = field(default_factory=dict)
    lines: tuple[LineTruth, ...] = ()
    continuous_with_next: bool = False  # the action runs on into the next shot (a match cut)
    # the camera move the shot plans (a CameraMove's value: static, push_in, pan_left ...), eased in and out over
    # the clip as the motion plan eases it (model.motion.ease_in_out); None where it is not known
    move: str | None = None
    scene: str = ""  # the scene the shot belongs to: cut checks judge the cuts inside a scene
    # parts of the frame burned-in captions may cover (x0, y0, x1, y1 as fractions of the frame):
    # text there is the subtitles, not leakage
    captions: tuple[tuple[float, float, float, float], ...] = ()

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @cached_property
    def guide_index(self) -> dict[str, Any]:
        index = self.guides.get("guides.json")
        if index is None or not Path(index).is_file():
            return {}
        return json.loads(Path(index).read_text(encoding="utf-8"))

    def _map(self, file: str | None, size: tuple[int, int] | None) -> np.ndarray | None:
        if not file or file not in self.guides:
            return None
        with Image.open(self.guides[file]) as img:
            mask = img.convert("L")
            if size is not None and mask.size != size:
                mask = mask.resize(size, Image.Resampling.NEAREST)
            return np.asarray(mask) >= 128

    def edges(self, size: tuple[int, int] | None = None) -> np.ndarray | None:
        """The edge guide (bool, h x w): every boundary between set pieces and characters, and the drawing's ink lines."""
        return self._map(self.guide_index.get("edges"), size)

    def element_masks(self, size: tuple[int, int] | None = None) -> dict[str, np.ndarray]:
        """Each set piece in view (by the set's element name) as a bool mask."""
        masks = {}
        for name, file in self.guide_index.get("elements", {}).items():
            mask = self._map(file, size)
            if mask is not None:
                masks[name] = mask
        return masks

    def character_mask(self, character: str, size: tuple[int, int] | None = None) -> np.ndarray | None:
        truth = self.characters.get(character)
        if truth is not None and truth.mask is not None:
            return truth.mask_array(size)
        return self._map(self.guide_index.get("characters", {}).get(character), size)

    def depth(self, size: tuple[int, int] | None = None) -> np.ndarray | None:
        """The depth guide in metres (float32, h x w), NaN where nothing is (the sky); resized nearest to ``size``."""
        entry = self.guide_index.get("depth")
        if not entry or entry.get("file") not in self.guides:
            return None
        with Image.open(self.guides[entry["file"]]) as img:
            if size is not None and img.size != size:
                img = img.resize(size, Image.Resampling.NEAREST)
            mm = np.asarray(img, dtype=np.float32)
        depth = mm / 1000.0
        depth[mm >= float(entry.get("none", 65535))] = np.nan
        return depth

    @classmethod
    def from_keyframe(cls, shot: str, files: Mapping[str, Path], **fields: Any) -> Truth:
        """The truth of a shot from its draft keyframe take's files: guides, layout.json and keyframe.png (the plate).

        The size is the keyframe's; ``fields`` fill the rest (fps, duration, characters, lines, prompt).
        """
        files = {name: Path(path) for name, path in files.items()}
        layout = json.loads(files["layout.json"].read_text(encoding="utf-8")) if "layout.json" in files else None
        sheets = {cid: Path(path) for cid, path in dict(fields.pop("sheets", None) or {}).items()}
        if "characters" not in fields and layout is not None:
            # each character the layout placed: their guide mask, their sheet, where they face and stand on screen
            masks = {}
            if "guides.json" in files:
                masks = json.loads(files["guides.json"].read_text(encoding="utf-8")).get("characters", {})
            width = float(layout["frame_width"])
            fields["characters"] = {
                placed["id"]: CharacterTruth(
                    id=placed["id"], mask=files.get(masks.get(placed["id"], "")), sheet=sheets.get(placed["id"]),
                    character=placed.get("character"), variant=placed.get("variant", "default"),
                    facing_deg=placed.get("facing_deg"), screen_x=float(placed["face"][0]) / width,
                )
                for placed in layout.get("characters", [])
            }
        if layout is not None:
            fields.setdefault("scene", layout.get("scene", ""))
        plate = files.get("keyframe.png")
        if "width" not in fields or "height" not in fields:
            if layout is not None:
                fields.setdefault("width", int(layout["frame_width"]))
                fields.setdefault("height", int(layout["frame_height"]))
            elif plate is not None:
                with Image.open(plate) as img:
                    fields.setdefault("width", img.width)
                    fields.setdefault("height", img.height)
            else:
                raise ValueError(f"{shot}: the keyframe take has neither layout.json nor keyframe.png to size the truth")
        return cls(shot=shot, guides=files, plate=plate, layout=layout, **fields)

    def plate_image(self, size: tuple[int, int] | None = None) -> np.ndarray | None:
        """The draft drawing of the shot as RGB uint8, at ``size`` = (width, height) when given."""
        if self.plate is None or not self.plate.is_file():
            return None
        with Image.open(self.plate) as img:
            image = img.convert("RGB")
            if size is not None and image.size != size:
                image = image.resize(size, Image.Resampling.BOX)
            return np.asarray(image)


def verdict(check: str, score: float, threshold: float, reason_failed: str, reason_passed: str = "") -> Verdict:
    """A Verdict from a score: passed when ``score >= threshold``; the reason says why it failed, or what it found."""
    score = float(min(1.0, max(0.0, score)))
    passed = score >= threshold
    return Verdict(check=check, passed=passed, score=score, reason=reason_passed if passed else reason_failed)


class Check:
    """A check of one take against its truth. Subclasses set ``name``, ``subjects``, ``threshold`` and write ``judge``.

    ``settings`` is the check's table from mangaline.toml (``[qc.checks.<name>]``): ``threshold``
    overrides the default; any other key is the check's own option, validated in ``configure``.
    """

    name: ClassVar[str] = ""
    subjects: ClassVar[frozenset[str]] = frozenset({"image", "clip"})
    threshold: float = 0.5
    description: ClassVar[str] = ""

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        settings = dict(settings or {})
        settings.pop("enabled", None)
        if "threshold" in settings:
            value = settings.pop("threshold")
            if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
                raise ConfigError(f"[qc.checks.{self.name}] threshold must be a number from 0 to 1, not {value!r}")
            self.threshold = float(value)
        self.configure(settings)

    def configure(self, options: dict[str, Any]) -> None:
        """Take the check's own options; the default accepts none."""
        if options:
            raise ConfigError(f"[qc.checks.{self.name}] has no option {', '.join(sorted(options))}",
                              hint="the options a check takes are listed in docs/qc.md")

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        raise NotImplementedError

    def verdict(self, score: float, reason_failed: str, reason_passed: str = "") -> Verdict:
        return verdict(self.name, score, self.threshold, reason_failed, reason_passed)


class CutCheck(Check):
    """A check of a cut: the end of one take against the start of the next (brightness, colour, a continued action)."""

    subjects: ClassVar[frozenset[str]] = frozenset({"cut"})

    def judge(self, take: Take, truth: Truth) -> Verdict | None:  # a cut check has no single-take judgement
        return None

    def judge_cut(self, before: Take, after: Take, before_truth: Truth, after_truth: Truth) -> Verdict | None:
        raise NotImplementedError
