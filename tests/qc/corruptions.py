"""The corruption suite: real takes of a tiny built project, model-like takes made from them, and labelled defects.

A test and the QC benchmark share it. ``build_production`` writes a short two-scene screenplay, builds it
with the real ``mangaline`` command, and reads every shot back from the project's takes: the draft keyframe
(still, layers, guides, layout), the motion plan and timing, the voiced lines and the character sheets. From
these it makes the truth each shot is held to, and the takes under judgement:

- draft takes: the keyframe still, and the shot's clip rendered from its motion plan as the animator hands it
  to QC (no subtitles: the edit burns those in later), with the shot's voices mixed in when it has lines;
- model-like takes: a draft take as a video model's output differs from it while still being right: smaller
  (480, 540 or 720 wide), re-encoded (H.264 CRF 23-28), a little blur and grain, a colour grade of a few
  ΔE, a slow push-in of 2-4 %, the voices muxed in as AAC;
- corruptions, each a ``Case`` labelled with the checks that must catch it (``must``) and those it may set
  off without that being a false alarm (``may``): swapped palettes, another character's face pasted over the
  speaker's, a moved or removed set piece, a mirrored shot (and one that crosses the line: two characters facing
  each other swap sides), black frames, the wrong aspect, a clip cut short,
  frozen frames, flicker, a grid or panel borders drawn over it, a watermark, silence where a line is
  spoken, clipped or far too quiet audio, a frozen mouth while speaking, a brightness jump at a cut, and a
  continued action that does not continue. Strength and position come from the case's seed.

Layer-level defects (palette, face, set piece, mouth) are re-rendered through the real segment renderer from
edited layers, so a camera move carries them as it would a model's mistake; frame-level ones are FFmpeg
filters. Every file is made once per cache folder.
"""

from __future__ import annotations

import dataclasses
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from mangaline.checks import ENTRY_POINT_GROUP, Check, CutCheck, LineTruth, Take, Truth
from mangaline.colour import delta_e, lab
from mangaline.edit.audio import mix_dialogue
from mangaline.edit.segment import render_segment
from mangaline.edit.subtitles import subtitle_font_file
from mangaline.ffmpeg import run_ffmpeg
from mangaline.model.figure import figure_for
from mangaline.model.keyframe import KeyframeLayers
from mangaline.model.layout import ShotLayout
from mangaline.model.motion import MotionPlan
from mangaline.model.qc import Verdict
from mangaline.model.timing import ShotTiming
from mangaline.project.folder import ProjectFolder
from mangaline.render.keyframe import draw_layout
from mangaline.wavfile import read_pcm16, write_pcm16

__all__ = [
    "KINDS", "Case", "Corruption", "Judgement", "ModelLook", "Production", "Sample", "ShotMaterial", "Suite",
    "build_production", "installed_checks", "judge", "judge_all", "outcome", "plan_cases", "read_production",
]

SCRIPT = """Title: The Pillar Room
Author: mangaline tests

INT. STATION HALL - NIGHT

A tiled hall with one green iron pillar in the middle and a tall window with rain on it.

MAYA, 30s, a woman in a red scarf and a navy coat, black hair in a ponytail, waits by the pillar.

TOM, 70s, a grey-haired man with a beard and a blue uniform, walks in.

TOM
The last train has gone.

MAYA
Then I will wait for the first one.

Tom sits on the bench beside her.

TOM
It is a long night, miss.

EXT. PLATFORM - NIGHT

A wet platform under a yellow lamp. A bench and a clock.

JUNE, 20s, short black hair and a yellow raincoat, runs along the platform.

JUNE
Maya! Wait for me!

MAYA
June? You came.
"""

SAMPLE_RATE = 48_000
PICTURE_CHECKS = frozenset({"identity", "identity_embedding", "set_layout", "set_pieces", "placement",
                            "screen_direction", "leakage", "lip_sync"})


# --- the production: a built project read back from its takes ---------------------------------------------


@dataclass(frozen=True)
class SpokenLine:
    """A voiced line of a shot: who says it, from when to when in the shot, its voice take and loudness per frame."""

    id: str
    character: str
    start: float
    end: float
    wav: Path
    envelope: tuple[float, ...]
    text: str


@dataclass(frozen=True)
class ShotMaterial:
    """One shot as the suite uses it: its keyframe take's files by name, motion plan, timing, lines and truth."""

    code: str
    scene: str
    folder: Path  # the keyframe take's files under their names (what the segment renderer and the truth read)
    plan: MotionPlan
    timing: ShotTiming
    lines: tuple[SpokenLine, ...]
    truth: Truth

    @property
    def fps(self) -> int:
        return self.plan.fps

    @property
    def frames(self) -> int:
        return self.timing.frames

    @property
    def duration(self) -> float:
        return self.timing.frames / self.plan.fps

    @property
    def keyframe(self) -> Path:
        return self.folder / "keyframe.png"

    @cached_property
    def layers(self) -> KeyframeLayers:
        return KeyframeLayers.model_validate_json((self.folder / "layers.json").read_text(encoding="utf-8"))

    @property
    def layout(self) -> Mapping[str, Any]:
        assert self.truth.layout is not None
        return self.truth.layout

    @property
    def offset(self) -> tuple[int, int]:
        """Where the frame sits in the canvas of the layers (the keyframe is the canvas's middle)."""
        layers = self.layers
        return (layers.canvas_width - layers.frame_width) // 2, (layers.canvas_height - layers.frame_height) // 2

    def in_view(self) -> list[Mapping[str, Any]]:
        """The layout's characters whose face falls inside the frame."""
        w, h = self.truth.width, self.truth.height
        return [c for c in self.layout["characters"] if 0 <= c["face"][0] < w and 0 <= c["face"][1] < h]

    def head_px(self, character: Mapping[str, Any], production: Production) -> float:
        figure = figure_for(production.characters[character["id"]], character.get("variant", "default"))
        return figure.head * character["ppm"]

    def speakers(self) -> list[str]:
        return [line.character for line in self.lines]

    def mouth_layer(self, character: str) -> bool:
        """Whether the draft draws this character's mouth moving (a speaking face in view)."""
        return any(layer.character == character and layer.speaking_mouth is not None for layer in self.layers.layers)


@dataclass
class Production:
    """A built project read back: its shots in episode order, characters, sheets, and a folder for derived files."""

    root: Path
    work: Path
    shots: list[ShotMaterial]
    characters: dict[str, Any]  # id -> model.bible.Character
    sheets: dict[str, Path]

    def shot(self, code: str) -> ShotMaterial:
        return next(s for s in self.shots if s.code == code)

    def next_in_scene(self, code: str) -> ShotMaterial | None:
        i = [s.code for s in self.shots].index(code)
        if i + 1 < len(self.shots) and self.shots[i + 1].scene == self.shots[i].scene:
            return self.shots[i + 1]
        return None

    @property
    def episode_seconds(self) -> float:
        return sum(s.duration for s in self.shots)

    def prepare(self, workers: int = 1) -> None:
        """Render every shot's draft clip and mix its voices now (in ``workers`` threads), before cases share them."""
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda shot: self.draft_clip(shot.code), self.shots))

    def draft_video(self, code: str) -> Path:
        """The shot's clip as the draft animator makes it: the motion plan rendered, no subtitles, no sound."""
        out = self.work / "draft" / f"{code}.mp4"
        if not out.is_file():
            shot = self.shot(code)
            render_segment(shot.plan, shot.folder, [], out, language="en")
        return out

    def voice_track(self, code: str) -> Path | None:
        """The shot's lines mixed at their starts onto one track as long as the shot (None: nobody speaks)."""
        shot = self.shot(code)
        if not shot.lines:
            return None
        out = self.work / "voice" / f"{code}.wav"
        if not out.is_file():
            out.parent.mkdir(parents=True, exist_ok=True)
            mix_dialogue([(line.wav, line.start) for line in shot.lines], shot.duration, out, sample_rate=SAMPLE_RATE)
        return out

    def draft_clip(self, code: str) -> Path:
        """The draft clip with the shot's voices (as the edit mixes them) when the shot has lines."""
        video, voice = self.draft_video(code), self.voice_track(code)
        if voice is None:
            return video
        out = self.work / "draft" / f"{code}-voiced.mp4"
        if not out.is_file():
            _ffmpeg(["-i", video, "-i", voice, "-map", "0:v", "-map", "1:a", "-c:v", "copy", *AAC, out], f"voice {code}")
        return out


def build_production(work: Path, *, timeout: float = 600) -> Production:
    """Write the screenplay, `mangaline new` and `mangaline build` it, and read the built project back.

    The build's own QC of its cuts may flag (or, with a check missing, fail) its qc steps; the suite needs only
    the takes before them, so a build is refused only when one of those is missing.
    """
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    script = work / "pillar-room.fountain"
    script.write_text(SCRIPT, encoding="utf-8")
    root = work / "pillar-room"
    log = []
    for args in (["new", root, "--from", script], ["build", root, "--no-progress"]):
        proc = subprocess.run([sys.executable, "-m", "mangaline.cli", *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.append(f"mangaline {args[0]} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        if proc.returncode and args[0] == "new":
            raise RuntimeError(log[-1])
    try:
        return read_production(root, work / "suite")
    except MissingTake as err:
        raise RuntimeError(f"{err}\n{log[-1]}") from None


class MissingTake(RuntimeError):
    """The build left a take the suite needs unmade."""


def read_production(root: Path, work: Path) -> Production:
    """Every shot of the project's first episode from its takes, with the truth each is held to."""
    folder = ProjectFolder(Path(root))
    state, objects = folder.state, folder.objects
    script, bible = folder.load_script(), folder.load_bible()
    work = Path(work)
    sheets = {}
    for cid in bible.characters:
        take = state.latest_take("design.character_sheet", cid)
        if take is not None:
            sheets[cid] = _named(objects.path(take.components["sheet.png"]), work / "sheets" / cid / "sheet.png")
    production = Production(root=folder.root, work=work, shots=[], characters=dict(bible.characters), sheets=sheets)
    episode = script.episodes[0]
    for scene in episode.scenes:
        for shot in scene.shots:
            keyframe = state.latest_take("storyboard.keyframe", shot.code)
            clip = state.latest_take("animate.clip", shot.code)
            if keyframe is None or clip is None:
                raise MissingTake(f"{shot.code}: the build made no keyframe or clip take")
            files = {name: _named(objects.path(sha), work / "shots" / shot.code / name)
                     for name, sha in keyframe.components.items()}
            if "guides.json" not in files:
                files.update(_guides(files["layout.json"], keyframe.provenance.seed, work / "guides" / shot.code))
            plan = MotionPlan.model_validate_json(objects.path(clip.components["plan.json"]).read_text(encoding="utf-8"))
            timing = ShotTiming.model_validate(clip.data)
            lines = []
            for line in shot.dialogue:
                voice = state.latest_take("voice.line", line.id)
                if voice is None or line.id not in timing.line_starts:
                    raise MissingTake(f"{line.id}: the build voiced no line, or the clip does not place it")
                start = timing.line_starts[line.id]
                lines.append(SpokenLine(
                    id=line.id, character=line.character, start=start, end=start + float(voice.data["duration"]),
                    wav=_named(objects.path(voice.components["audio.wav"]), work / "voices" / f"{line.id}.wav"),
                    envelope=tuple(voice.data.get("envelope", ())), text=line.text,
                ))
            truth = _truth(shot.code, files, plan, timing, lines, sheets, shot.action)
            production.shots.append(ShotMaterial(code=shot.code, scene=scene.id, folder=work / "shots" / shot.code,
                                                 plan=plan, timing=timing, lines=tuple(lines), truth=truth))
    return production


def _guides(layout: Path, seed: int, folder: Path) -> dict[str, Path]:
    """The guide maps of a keyframe a draft build drew without them (nothing paid read them): the same drawing
    again, from its layout and seed, with its maps, as a paid shot's keyframe holds them."""
    if not (folder / "guides.json").is_file():
        draw_layout(ShotLayout.model_validate_json(layout.read_text(encoding="utf-8")), folder, seed=seed)
    return {path.name: path for path in folder.iterdir() if path.name.startswith(("guide", "mask-"))}


def _named(blob: Path, link: Path) -> Path:
    """The object under a file name (a symlink): the renderer and the truth look files up by name."""
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(blob)
    return link


def _truth(code: str, files: Mapping[str, Path], plan: MotionPlan, timing: ShotTiming, lines: Sequence[SpokenLine],
           sheets: Mapping[str, Path], prompt: str) -> Truth:
    """The shot's truth as the build makes it (characters from the layout and guides, their sheets), with its lines."""
    spoken = tuple(LineTruth(character=line.character, start=line.start, end=line.end, envelope=line.envelope,
                             text=line.text) for line in lines)
    return Truth.from_keyframe(code, files, fps=float(plan.fps), duration=timing.frames / plan.fps, prompt=prompt,
                               sheets=sheets, lines=spoken, move=plan.move.value)


# --- the cases ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One take (or cut) to judge: clean or a corruption of a shot's draft or model-like take, and what must catch it.

    ``must``: the checks that must fail it (each counts towards its recall); ``any_of``: one of them failing is
    enough for the take to be caught (a mirrored shot shows in placement or screen direction or the set's
    edges, depending on the shot). ``may``: checks the defect can fairly set off too, so their failing here is
    neither a catch nor a false alarm. Every other check must pass.
    """

    kind: str
    shot: str
    base: str  # "draft" or "model"
    subject: str  # "image", "clip" or "cut"
    seed: int = 0
    params: tuple[tuple[str, Any], ...] = ()
    must: frozenset[str] = frozenset()
    may: frozenset[str] = frozenset()
    any_of: bool = False
    next_shot: str | None = None  # a cut's second shot

    @property
    def id(self) -> str:
        tail = f"-{self.next_shot}" if self.next_shot else ""
        return f"{self.kind}-{self.subject}-{self.base}-{self.shot}{tail}-s{self.seed}"

    @property
    def clean(self) -> bool:
        return not self.must

    @property
    def p(self) -> dict[str, Any]:
        return dict(self.params)

    def describe(self) -> str:
        params = ", ".join(f"{k}={_short(v)}" for k, v in self.params)
        return f"{self.kind} [{self.subject}, {self.base}] {self.shot}{' -> ' + self.next_shot if self.next_shot else ''}" \
               f"{' (' + params + ')' if params else ''}"


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Corruption:
    """A kind of defect: the takes it applies to, what must and may catch it, and how to draw its parameters."""

    name: str
    subjects: tuple[str, ...]
    must: frozenset[str]
    may: frozenset[str] = frozenset()
    any_of: bool = False


KINDS: dict[str, Corruption] = {c.name: c for c in [
    Corruption("palette_swap", ("image", "clip"), frozenset({"identity"}), frozenset({"identity_embedding"})),
    Corruption("face_paste", ("image", "clip"), frozenset({"identity"}), frozenset({"identity_embedding", "lip_sync"})),
    Corruption("moved_set_piece", ("image", "clip"), frozenset({"set_layout", "set_pieces"}), frozenset(), any_of=True),
    # must is derived per shot: placement when a face is off-centre, screen_direction when two characters face off,
    # set_layout when the set's edges are not symmetric
    Corruption("mirrored", ("image", "clip"), frozenset({"placement", "screen_direction", "set_layout"}),
               frozenset({"set_pieces", "identity", "identity_embedding", "lip_sync"}), any_of=True),
    # a mirrored take of a shot where two characters face each other from opposite sides: it crosses the line
    Corruption("crossed_line", ("image", "clip"), frozenset({"screen_direction"}),
               frozenset({"placement", "set_layout", "set_pieces", "identity", "identity_embedding", "lip_sync"})),
    Corruption("black_frames", ("clip",), frozenset({"black_frames"}),
               PICTURE_CHECKS | {"frozen_frames", "flicker"}),
    Corruption("wrong_aspect", ("image", "clip"), frozenset({"format"}), PICTURE_CHECKS),
    Corruption("cut_short", ("clip",), frozenset({"duration"}), frozenset({"lip_sync", "silence", "loudness"})),
    Corruption("frozen_frames", ("clip",), frozenset({"frozen_frames"}), frozenset({"lip_sync"})),
    Corruption("flicker", ("clip",), frozenset({"flicker"}),
               frozenset({"identity", "identity_embedding", "set_pieces", "black_frames", "lip_sync"})),
    Corruption("grid_overlay", ("image", "clip"), frozenset({"leakage"}),
               frozenset({"set_layout", "set_pieces", "identity", "identity_embedding", "placement"})),
    Corruption("watermark", ("image", "clip"), frozenset({"leakage"}),
               frozenset({"set_layout", "set_pieces", "identity", "identity_embedding"})),
    Corruption("silence", ("clip",), frozenset({"silence"}), frozenset({"loudness", "lip_sync"})),
    Corruption("clipping", ("clip",), frozenset({"clipping"}), frozenset({"loudness", "lip_sync"})),
    Corruption("too_quiet", ("clip",), frozenset({"loudness"}), frozenset({"silence", "lip_sync"})),
    Corruption("frozen_mouth", ("clip",), frozenset({"lip_sync"})),
    Corruption("brightness_jump", ("cut",), frozenset({"cut_exposure"}), frozenset({"cut_continuity"})),
    Corruption("discontinuity", ("cut",), frozenset({"cut_continuity"}), frozenset({"cut_exposure"})),
]}

CLEAN = "clean"
SOUND_DEFECTS = ("silence", "clipping", "too_quiet")


def applies(kind: str, shot: ShotMaterial, production: Production) -> bool:
    """Whether a shot has what the defect needs (a line for sound defects, a face big enough to swap, ...)."""
    if kind in SOUND_DEFECTS:
        return bool(shot.lines)
    if kind == "frozen_mouth":
        return any(shot.mouth_layer(c) for c in shot.speakers())
    if kind in ("palette_swap",):
        return bool(_visible_characters(shot, production, min_area=0.02))
    if kind == "face_paste":
        target = _face_target(shot, production)
        return target is not None and bool(_face_donors(target["id"], production))
    if kind == "moved_set_piece":
        return _set_piece(shot) is not None
    if kind == "mirrored":
        return bool(mirror_labels(shot, production))
    if kind == "crossed_line":
        return "screen_direction" in mirror_labels(shot, production)
    if kind in ("brightness_jump",):
        return True
    if kind == "discontinuity":
        return True
    return True


def mirror_labels(shot: ShotMaterial, production: Production) -> frozenset[str]:
    """Which checks a mirrored copy of this shot must trip: placement for an off-centre face, screen direction for
    two characters in view on opposite sides, set_layout for a set whose edges are far from symmetric."""
    labels = set()
    seen = shot.in_view()
    if any(abs(c["face"][0] / shot.truth.width - 0.5) > 0.15 for c in seen):
        labels.add("placement")
    sides = {c.get("screen_side") for c in seen}
    if len(seen) >= 2 and {"left", "right"} <= sides:
        labels.add("screen_direction")
    if _edge_asymmetry(shot) > 0.5:
        labels.add("set_layout")
    return frozenset(labels)


def _edge_asymmetry(shot: ShotMaterial) -> float:
    """Share of the edge guide's pixels that lie more than 3 % of the width from any edge of its mirror image."""
    from scipy.ndimage import distance_transform_edt

    edges = shot.truth.edges((270, 480))
    if edges is None or not edges.any():
        return 0.0
    far = distance_transform_edt(~edges[:, ::-1])
    return float((far[edges] > 0.03 * 270).mean())


def _visible_characters(shot: ShotMaterial, production: Production, min_area: float) -> list[str]:
    out = []
    for cid, truth in shot.truth.characters.items():
        mask = truth.mask_array((270, 480))
        if mask is not None and mask.mean() >= min_area and cid in production.characters:
            out.append(cid)
    return out


def _face_target(shot: ShotMaterial, production: Production) -> Mapping[str, Any] | None:
    """The character whose face gets another's: the speaker if their face is in view and big enough, else the biggest face."""
    seen = [c for c in shot.in_view() if shot.head_px(c, production) >= 90 and c["view"] not in ("back",)]
    if not seen:
        return None
    speaking = [c for c in seen if c["id"] in shot.speakers()]
    return (speaking or sorted(seen, key=lambda c: -shot.head_px(c, production)))[0]


def _face_donors(character: str, production: Production) -> list[str]:
    """The characters whose face differs from this one's in colour (skin or hair at least ΔE 15): what a colour
    check can tell apart. A face like in colour but not in features is a case for an embedding model."""
    palette = production.characters[character].design.palette
    return [cid for cid, other in production.characters.items() if cid != character and
            max(delta_e(palette.skin, other.design.palette.skin), delta_e(palette.hair, other.design.palette.hair)) >= 15]


def _set_piece(shot: ShotMaterial) -> str | None:
    """The set piece to move: the pillar when in view, else the biggest piece that is neither floor-wide nor tiny."""
    masks = shot.truth.element_masks((270, 480))
    sized = {name: float(m.mean()) for name, m in masks.items() if 0.015 <= m.mean() <= 0.35}
    if not sized:
        return None
    pillars = [n for n in sized if "pillar" in n]
    return pillars[0] if pillars else max(sized, key=sized.get)


def draw_params(kind: str, shot: ShotMaterial, production: Production, rng: random.Random) -> dict[str, Any]:
    """The defect's strength and position for one case."""
    if kind == "palette_swap":
        cid = rng.choice(_visible_characters(shot, production, min_area=0.02))
        others = [c for c in production.characters if c != cid]
        if rng.random() < 0.6:
            return {"character": cid, "mode": "other", "donor": rng.choice(others)}
        return {"character": cid, "mode": "hue", "degrees": rng.choice([-1, 1]) * rng.uniform(60, 150)}
    if kind == "face_paste":
        target = _face_target(shot, production)
        assert target is not None
        return {"character": target["id"], "donor": rng.choice(_face_donors(target["id"], production))}
    if kind == "moved_set_piece":
        piece = _set_piece(shot)
        if rng.random() < 0.25:
            return {"element": piece, "shift": 0.0}
        return {"element": piece, "shift": rng.choice([-1, 1]) * rng.uniform(0.15, 0.35)}
    if kind == "black_frames":
        n = shot.frames
        length = min(n, rng.randint(6, 24))
        where = rng.choice(["start", "middle", "end"])
        first = {"start": 0, "middle": (n - length) // 2, "end": n - length}[where]
        return {"first": first, "length": length, "where": where}
    if kind == "wrong_aspect":
        return {"mode": rng.choice(["landscape", "square", "stretched", "landscape_crop"])}
    if kind == "cut_short":  # a quarter or more of the shot missing, and never less than 0.6 s of it
        return {"fraction": round(min(rng.uniform(0.4, 0.75), 1 - 0.6 / shot.duration), 3)}
    if kind == "frozen_frames":
        n = shot.frames
        length = max(int(0.6 * n) if n < 60 else 24, min(n - 1, int(rng.uniform(0.4, 0.7) * n)))
        mode = rng.choice(["tail", "middle"])
        first = n - length if mode == "tail" else max(1, (n - length) // 2)
        return {"first": first, "length": length, "mode": mode}
    if kind == "flicker":
        return {"amplitude": round(rng.uniform(0.05, 0.12), 3), "period": rng.choice([1, 2, 3])}
    if kind == "grid_overlay":
        mode = rng.choice(["grid", "panels"])
        return {"mode": mode, "columns": rng.choice([2, 3]), "rows": rng.choice([3, 4]),
                "thickness": rng.randint(3, 8), "colour": rng.choice(["black", "white"])}
    if kind == "watermark":
        return {"text": rng.choice(["SAMPLE", "AI GENERATED", "(c) studio", "PREVIEW", "watermark.ai"]),
                "size": round(rng.uniform(0.03, 0.07), 3), "corner": rng.choice(["tl", "tr", "bl", "br", "centre"]),
                "opacity": round(rng.uniform(0.6, 1.0), 2)}
    if kind == "silence":
        return {"mode": rng.choice(["all", "noise_floor", "dropout"]), "dropout": round(rng.uniform(0.6, 0.9), 2)}
    if kind == "clipping":
        return {"gain_db": round(rng.uniform(10, 20), 1)}
    if kind == "too_quiet":
        return {"gain_db": round(-rng.uniform(20, 30), 1)}
    if kind == "frozen_mouth":
        return {"character": next(c for c in shot.speakers() if shot.mouth_layer(c))}
    if kind == "brightness_jump":
        mode = rng.choice(["brighter", "darker", "cast"])
        amount = rng.uniform(0.15, 0.3) if mode != "cast" else rng.uniform(0.25, 0.45)
        return {"mode": mode, "amount": round(amount, 3)}
    if kind == "discontinuity":
        return {"mode": rng.choice(["other_shot", "mirrored"])}
    return {}


def make_case(kind: str, shot: ShotMaterial, production: Production, *, base: str, subject: str, seed: int,
              next_shot: str | None = None) -> Case:
    """A case of ``kind`` on ``shot`` (a cut: from ``shot``) with parameters drawn from ``seed``."""
    rng = random.Random(f"{kind}/{shot.code}/{base}/{subject}/{seed}")
    if kind == CLEAN:
        return Case(CLEAN, shot.code, base, subject, seed, next_shot=next_shot)
    spec = KINDS[kind]
    params = draw_params(kind, shot, production, rng)
    must, may = spec.must, spec.may
    if kind == "mirrored":
        must = mirror_labels(shot, production)
        may = may | (spec.must - must)
    if kind == "discontinuity" and params["mode"] == "other_shot":
        others = [s.code for s in production.shots if s.scene == shot.scene and s.code != shot.code]
        params["other"] = rng.choice(others) if others else shot.code
    return Case(kind, shot.code, base, subject, seed, tuple(sorted(params.items())), must, may, spec.any_of, next_shot)


def cut_pairs(production: Production) -> list[tuple[str, str | None]]:
    """The cuts a case can judge: each shot into the next of its scene, and each shot split in two (a continued action;
    second element None)."""
    pairs: list[tuple[str, str | None]] = []
    for shot in production.shots:
        nxt = production.next_in_scene(shot.code)
        if nxt is not None:
            pairs.append((shot.code, nxt.code))
        if shot.frames >= 30:
            pairs.append((shot.code, None))
    return pairs


def plan_cases(production: Production, count: int, *, seed: int = 0) -> list[Case]:
    """``count`` cases: every clean take (draft and model-like still, clip and cut), then corruptions of every kind
    in turn on shots they apply to, alternating draft and model-like takes and stills and clips."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for shot in production.shots:
        for base, n in (("draft", 1), ("model", 2)):
            for i in range(n):
                cases.append(make_case(CLEAN, shot, production, base=base, subject="image", seed=i))
                cases.append(make_case(CLEAN, shot, production, base=base, subject="clip", seed=i))
    for code, nxt in cut_pairs(production):
        for base in ("draft", "model"):
            cases.append(make_case(CLEAN, production.shot(code), production, base=base, subject="cut", seed=0, next_shot=nxt))
    kinds = list(KINDS)
    turn = 0
    while len(cases) < count:
        kind = kinds[turn % len(kinds)]
        spec = KINDS[kind]
        lap = turn // len(kinds)
        subject = spec.subjects[lap % len(spec.subjects)]
        base = ("draft", "model")[(lap // len(spec.subjects)) % 2]
        turn += 1
        if subject == "cut":
            pairs = [(a, b) for a, b in cut_pairs(production) if kind != "discontinuity" or b is None]
            code, nxt = rng.choice(pairs)
            cases.append(make_case(kind, production.shot(code), production, base=base, subject=subject,
                                   seed=rng.randrange(10**6), next_shot=nxt))
            continue
        shots = [s for s in production.shots if applies(kind, s, production)]
        if not shots:
            continue
        shot = rng.choice(shots)
        cases.append(make_case(kind, shot, production, base=base, subject=subject, seed=rng.randrange(10**6)))
    return cases


# --- making the takes --------------------------------------------------------------------------------------


AAC = ["-c:a", "aac", "-b:a", "128k", "-ar", str(SAMPLE_RATE)]
LOSSLESS_ISH = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p"]


def _ffmpeg(args: Sequence[Any], what: str) -> None:
    """FFmpeg writing its last argument, atomically (cases made in threads may race for a shared file)."""
    out = Path(args[-1])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.{uuid.uuid4().hex}{out.suffix}")
    run_ffmpeg(["-y", "-loglevel", "error", "-nostdin", *map(str, args[:-1]), str(tmp)], what)
    tmp.replace(out)


@dataclass(frozen=True)
class ModelLook:
    """How a video model's take of a shot differs from the draft while still being right."""

    short_side: int  # 480, 540 or 720 (9:16: 480x854, 540x960, 720x1280)
    crf: int
    blur: float
    noise: int
    brightness: float
    contrast: float
    saturation: float
    gamma_r: float
    gamma_b: float
    push: float  # a slow push-in over the clip, as a share of the frame
    audio: bool  # a model's clip of a shot without lines may still carry a (silent) track

    @classmethod
    def draw(cls, seed: Any) -> ModelLook:
        rng = random.Random(f"look/{seed}")
        return cls(
            short_side=rng.choice([480, 540, 720]), crf=rng.randint(23, 28), blur=round(rng.uniform(0.3, 0.9), 2),
            noise=rng.randint(2, 5), brightness=round(rng.uniform(-0.02, 0.02), 3),
            contrast=round(rng.uniform(0.96, 1.04), 3), saturation=round(rng.uniform(0.92, 1.08), 3),
            gamma_r=round(rng.uniform(0.97, 1.03), 3), gamma_b=round(rng.uniform(0.97, 1.03), 3),
            push=round(rng.uniform(0.02, 0.04), 3) if rng.random() < 0.7 else 0.0, audio=rng.random() < 0.5,
        )

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        scale = self.short_side / min(width, height)
        return _even(width * scale), _even(height * scale)

    def filters(self, width: int, height: int, frames: int) -> list[str]:
        w, h = self.size_for(width, height)
        chain = []
        if self.push:
            chain.append(f"zoompan=z='1+{self.push}*on/{max(1, frames - 1)}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2'"
                         f":d=1:s={w}x{h}:fps=24")
        else:
            chain.append(f"scale={w}:{h}:flags=bicubic")
        chain += [f"gblur=sigma={self.blur}",
                  f"eq=brightness={self.brightness}:contrast={self.contrast}:saturation={self.saturation}"
                  f":gamma_r={self.gamma_r}:gamma_b={self.gamma_b}",
                  f"noise=alls={self.noise}:allf=t", "format=yuv420p"]
        return chain

    def encode(self) -> list[str]:
        return ["-c:v", "libx264", "-preset", "veryfast", "-crf", str(self.crf), "-pix_fmt", "yuv420p"]

    def still(self, image: np.ndarray, out: Path) -> Path:
        """The still as a model paints it: resized, pushed in a little, softened, grained, graded, saved as JPEG."""
        h, w = image.shape[:2]
        img = Image.fromarray(image)
        if self.push:
            dx, dy = round(w * self.push / 2), round(h * self.push / 2)
            img = img.crop((dx, dy, w - dx, h - dy))
        img = img.resize(self.size_for(w, h), Image.Resampling.LANCZOS).filter(ImageFilter.GaussianBlur(self.blur))
        a = np.asarray(img).astype(np.float32)
        rng = np.random.default_rng(self.crf * 1000 + self.noise)
        a = (a - 128) * self.contrast + 128 + self.brightness * 255
        grey = a.mean(axis=2, keepdims=True)
        a = grey + (a - grey) * self.saturation
        a[..., 0] = 255 * (np.clip(a[..., 0], 0, 255) / 255) ** (1 / self.gamma_r)
        a[..., 2] = 255 * (np.clip(a[..., 2], 0, 255) / 255) ** (1 / self.gamma_b)
        a += rng.normal(0, self.noise, a.shape)
        out = out.with_suffix(".jpg")
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(out, quality=100 - 3 * self.crf // 2)
        return out


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


@dataclass
class Sample:
    """A case made: its take (two for a cut) on disk and the truth(s) they are held to."""

    case: Case
    paths: tuple[Path, ...]
    truths: tuple[Truth, ...]

    def takes(self) -> tuple[Take, ...]:
        return tuple(Take(p) for p in self.paths)


class Suite:
    """Makes the takes of cases from a production, each file once per cache folder."""

    def __init__(self, production: Production, cache: Path | None = None) -> None:
        self.production = production
        self.cache = Path(cache or production.work / "cases")

    # the public face -------------------------------------------------------------------------------------

    def sample(self, case: Case) -> Sample:
        shot = self.production.shot(case.shot)
        if case.subject == "cut":
            return self._cut(case, shot)
        if case.subject == "image":
            path = self._still(case, shot)
        else:
            path = self._clip(case, shot)
        return Sample(case, (path,), (shot.truth,))

    # stills ---------------------------------------------------------------------------------------------

    def _still(self, case: Case, shot: ShotMaterial) -> Path:
        out = self.cache / case.id / "keyframe.png"
        done = [p for p in (out, out.with_suffix(".jpg")) if p.is_file()]
        if done:
            return done[0]
        if case.kind == CLEAN and case.base == "draft":
            return shot.keyframe
        image = np.asarray(Image.open(shot.keyframe).convert("RGB"))
        image = self._corrupt_still(case, shot, image)
        if case.base == "model":
            return ModelLook.draw(case.id).still(image, out)
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(out)
        return out

    def _corrupt_still(self, case: Case, shot: ShotMaterial, image: np.ndarray) -> np.ndarray:
        p, kind = case.p, case.kind
        if kind == CLEAN:
            return image
        if kind == "palette_swap":
            mask = shot.truth.character_mask(p["character"])
            return recolour(image, mask, self._palette_map(p))
        if kind == "face_paste":
            return self._paste_face_still(shot, image, p)
        if kind == "moved_set_piece":
            return move_piece(image, shot.truth.element_masks()[p["element"]], p["shift"],
                              keep=_characters_mask(shot))
        if kind in ("mirrored", "crossed_line"):
            return np.ascontiguousarray(image[:, ::-1])
        if kind == "wrong_aspect":
            return reshape_still(image, p["mode"])
        if kind == "grid_overlay":
            return overlay_grid(image, p)
        if kind == "watermark":
            return overlay_text(image, p)
        raise ValueError(f"{kind} has no still form")

    # clips ----------------------------------------------------------------------------------------------

    def _clip(self, case: Case, shot: ShotMaterial) -> Path:
        out = self.cache / case.id / "clip.mp4"
        if out.is_file():
            return out
        if case.kind == CLEAN and case.base == "draft":
            return self.production.draft_clip(shot.code)
        p, kind = case.p, case.kind
        if case.base == "draft" and kind in SOUND_DEFECTS:  # the draft picture as it is, the sound spoiled
            voice = self._audio(case, shot)
            _ffmpeg(["-i", self.production.draft_video(shot.code), "-i", voice, "-map", "0:v", "-map", "1:a",
                     "-c:v", "copy", *AAC, out], case.id)
            return out
        source = self._source(case, shot)  # the picture: draft, or re-rendered from edited layers
        width, height = shot.truth.width, shot.truth.height
        vf: list[str] = []
        frames = shot.frames
        if kind in ("mirrored", "crossed_line"):
            vf.append("hflip")
        elif kind == "black_frames":
            last = p["first"] + p["length"] - 1
            vf.append(f"drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(n,{p['first']},{last})'")
        elif kind == "wrong_aspect":
            chain, (width, height) = reshape_filter(p["mode"], width, height)
            vf.append(chain)
        elif kind == "cut_short":
            frames = max(2, round(shot.frames * p["fraction"]))
        elif kind == "flicker":
            vf.append(f"eq=brightness='{p['amplitude']}*(2*mod(floor(n/{p['period']}),2)-1)':eval=frame")
        elif kind == "grid_overlay":
            vf.append(grid_filter(p))
        elif kind == "watermark":
            vf.append(text_filter(p))
        audio = self._audio(case, shot)
        args: list[Any] = ["-i", source]
        if kind == "frozen_frames":
            first, length = p["first"], p["length"]
            rest = first + 1 + length
            graph = (f"[0:v]split[a][b];[a]trim=end_frame={first + 1},setpts=PTS-STARTPTS,"
                     f"tpad=stop_mode=clone:stop={length}[p];[b]trim=start_frame={rest},setpts=PTS-STARTPTS[q];"
                     f"[p][q]concat=n=2:v=1:a=0[frozen]")
            if rest >= shot.frames:
                graph = f"[0:v]trim=end_frame={first + 1},setpts=PTS-STARTPTS,tpad=stop_mode=clone:stop={length}[frozen]"
            vin = "[frozen]"
        else:
            graph, vin = "", "[0:v]"
        if case.base == "model":
            look = ModelLook.draw(case.id)
            vf += look.filters(width, height, frames)
            encode = look.encode()
            with_audio = audio is not None and (shot.lines or look.audio)
        else:
            vf.append("format=yuv420p")
            encode = LOSSLESS_ISH
            with_audio = audio is not None and bool(shot.lines)
        graph = (graph + ";" if graph else "") + f"{vin}{','.join(vf)}[v]"
        if with_audio:
            args += ["-i", audio]
        args += ["-filter_complex", graph, "-map", "[v]", "-frames:v", frames, "-r", shot.fps, *encode]
        if with_audio:
            args += ["-map", "1:a", *AAC, "-t", f"{frames / shot.fps:.4f}"]
        _ffmpeg([*args, "-movflags", "+faststart", out], case.id)
        return out

    def _source(self, case: Case, shot: ShotMaterial) -> Path:
        """The picture a clip case starts from: the draft clip, or the shot re-rendered from edited layers."""
        if case.kind not in ("palette_swap", "face_paste", "moved_set_piece", "frozen_mouth"):
            return self.production.draft_video(shot.code)
        p = case.p
        out = self.cache / case.id / "rendered.mp4"
        if out.is_file():
            return out
        folder = self.cache / case.id / "layers"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for item in shot.folder.iterdir():
            (folder / item.name).symlink_to(item.resolve())
        plan = shot.plan
        layers = {layer.character: layer for layer in shot.layers.layers if layer.character}
        if case.kind == "palette_swap":
            layer = layers[p["character"]]
            mapping = self._palette_map(p)
            for name in (layer.file, *(o.file for o in (layer.speaking_mouth, layer.blink) if o is not None)):
                _rewrite_rgba(folder / name, lambda rgba: recolour_rgba(rgba, mapping))
        elif case.kind == "face_paste":
            layer = layers[p["character"]]
            target = next(c for c in shot.layout["characters"] if c["id"] == p["character"])
            ox, oy = shot.offset
            u, v = target["face"][0] + ox - layer.x, target["face"][1] + oy - layer.y
            head = self._head(p["donor"])
            size = shot.head_px(target, self.production)
            _rewrite_rgba(folder / layer.file, lambda rgba: paste_head(rgba, head, u, v, size))
        elif case.kind == "moved_set_piece":
            mask = shot.truth.element_masks()[p["element"]]
            ox, oy = shot.offset
            canvas_mask = np.zeros((shot.layers.canvas_height, shot.layers.canvas_width), bool)
            canvas_mask[oy:oy + mask.shape[0], ox:ox + mask.shape[1]] = mask
            background = next(layer for layer in shot.layers.layers if layer.character is None)
            shift = p["shift"] * shot.truth.width

            def edit(rgba: np.ndarray) -> np.ndarray:
                rgb = move_piece(rgba[..., :3], canvas_mask, shift, keep=None)  # the canvas is at the frame's scale
                return np.dstack([rgb, rgba[..., 3:]])

            _rewrite_rgba(folder / background.file, edit)
        elif case.kind == "frozen_mouth":
            plan = plan.model_copy(update={"mouths": {k: v for k, v in plan.mouths.items() if k != p["character"]}})
        render_segment(plan, folder, [], out, language="en")
        return out

    def _audio(self, case: Case, shot: ShotMaterial) -> Path | None:
        """The clip's sound: the shot's voices, corrupted for a sound defect, or a silent track for a model clip of a
        shot without lines."""
        voice = self.production.voice_track(shot.code)
        if voice is None:
            out = self.production.work / "voice" / f"{shot.code}-silent.wav"
            if not out.is_file():
                out.parent.mkdir(parents=True, exist_ok=True)
                write_pcm16(out, np.zeros(round(shot.duration * SAMPLE_RATE), np.float32), SAMPLE_RATE)
            return out
        if case.kind not in SOUND_DEFECTS:
            return voice
        out = self.cache / case.id / "voice.wav"
        if out.is_file():
            return out
        samples = read_pcm16(voice, SAMPLE_RATE)
        assert samples is not None
        samples = corrupt_sound(samples, case, shot)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_pcm16(out, samples, SAMPLE_RATE)
        return out

    # cuts -----------------------------------------------------------------------------------------------

    def _cut(self, case: Case, shot: ShotMaterial) -> Sample:
        """Two takes around a cut: a shot into the next of its scene, or a shot split in two (a continued action)."""
        folder = self.cache / case.id
        p = case.p
        look = ModelLook.draw(case.id) if case.base == "model" else None
        if case.next_shot is not None:
            nxt = self.production.shot(case.next_shot)
            a, b = self.production.draft_video(shot.code), self.production.draft_video(nxt.code)
            ta = dataclasses.replace(shot.truth, continuous_with_next=False)
            tb = nxt.truth
            a_range, b_range = (0, shot.frames), (0, nxt.frames)
        else:
            split = max(12, min(shot.frames - 12, round(shot.frames * random.Random(case.id).uniform(0.4, 0.6))))
            a = b = self.production.draft_video(shot.code)
            ta = dataclasses.replace(shot.truth, duration=split / shot.fps, continuous_with_next=True)
            tb = dataclasses.replace(shot.truth, duration=(shot.frames - split) / shot.fps)
            a_range, b_range = (0, split), (split, shot.frames)
            if case.kind == "discontinuity" and p["mode"] == "other_shot":
                other = self.production.shot(p["other"])
                b, b_range = self.production.draft_video(other.code), (0, other.frames)
                tb = other.truth
        b_filter = []
        if case.kind == "brightness_jump":
            b_filter.append(jump_filter(p))
        if case.kind == "discontinuity" and p["mode"] == "mirrored":
            b_filter.append("hflip")
        before = self._piece(folder / "before.mp4", a, a_range, [], look, ta)
        after = self._piece(folder / "after.mp4", b, b_range, b_filter, look, tb)
        return Sample(case, (before, after), (ta, tb))

    def _piece(self, out: Path, source: Path, frames: tuple[int, int], vf: list[str], look: ModelLook | None,
               truth: Truth) -> Path:
        if out.is_file():
            return out
        first, last = frames
        chain = [f"trim=start_frame={first}:end_frame={last}", "setpts=PTS-STARTPTS", *vf]
        if look is not None:
            chain += look.filters(truth.width, truth.height, last - first)
            encode = look.encode()
        else:
            chain.append("format=yuv420p")
            encode = LOSSLESS_ISH
        _ffmpeg(["-i", source, "-vf", ",".join(chain), "-frames:v", last - first, *encode, "-an", out], out.name)
        return out

    # what layer-level defects need ----------------------------------------------------------------------

    def _palette_map(self, p: Mapping[str, Any]) -> list[tuple[np.ndarray, np.ndarray]]:
        character = self.production.characters[p["character"]]
        own = figure_for(character)
        if p["mode"] == "other":
            donor = figure_for(self.production.characters[p["donor"]])
            keys = ("skin", "hair", "eyes", "top", "bottom", "accent", "secondary")
            return [(np.array(getattr(own, k), float), np.array(getattr(donor, k), float)) for k in keys
                    if getattr(own, k) != getattr(donor, k)]
        keys = ("top", "bottom", "accent", "secondary")
        return [(np.array(getattr(own, k), float), _hue_turn(np.array(getattr(own, k), float), p["degrees"]))
                for k in keys]

    def _head(self, character: str) -> np.ndarray:
        """The character's head cut from the draft layer where it is drawn biggest facing the camera (RGBA)."""
        best = None
        for shot in self.production.shots:
            for placed in shot.layout["characters"]:
                if placed["id"] != character or placed["view"] in ("back", "side_left", "side_right"):
                    continue
                size = shot.head_px(placed, self.production)
                layer = next((lay for lay in shot.layers.layers if lay.character == character), None)
                if layer is None or (best is not None and size <= best[0]):
                    continue
                ox, oy = shot.offset
                u, v = placed["face"][0] + ox - layer.x, placed["face"][1] + oy - layer.y
                rgba = np.asarray(Image.open(shot.folder / layer.file).convert("RGBA"))
                box = _head_box(u, v, size)
                if box[0] < 0 or box[1] < 0 or box[2] > rgba.shape[1] or box[3] > rgba.shape[0]:
                    continue
                best = (size, rgba[box[1]:box[3], box[0]:box[2]].copy())
        if best is None:
            raise ValueError(f"no draft layer shows {character}'s face whole")
        return best[1]

    def _paste_face_still(self, shot: ShotMaterial, image: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
        target = next(c for c in shot.layout["characters"] if c["id"] == p["character"])
        rgba = np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])
        out = paste_head(rgba, self._head(p["donor"]), target["face"][0], target["face"][1],
                         shot.head_px(target, self.production))
        return np.ascontiguousarray(out[..., :3])


def _characters_mask(shot: ShotMaterial) -> np.ndarray | None:
    masks = [shot.truth.character_mask(c) for c in shot.truth.characters]
    masks = [m for m in masks if m is not None]
    return np.logical_or.reduce(masks) if masks else None


def _rewrite_rgba(path: Path, edit: Any) -> None:
    """Replace a layer file (a symlink into the object store) with an edited copy."""
    rgba = np.asarray(Image.open(path).convert("RGBA"))
    edited = edit(rgba)
    path.unlink()
    Image.fromarray(np.ascontiguousarray(edited).astype(np.uint8), "RGBA").save(path)


# --- picture edits -----------------------------------------------------------------------------------------


def _hue_turn(rgb: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate a colour's hue about the grey axis (Rodrigues), keeping its lightness roughly."""
    theta = np.radians(degrees)
    k = np.ones(3) / np.sqrt(3)
    v = rgb - 128
    turned = v * np.cos(theta) + np.cross(k, v) * np.sin(theta) + k * np.dot(k, v) * (1 - np.cos(theta))
    out = np.clip(turned + 128, 0, 255)
    if np.abs(out - rgb).max() < 40:  # a grey has no hue to turn: tint it instead
        out = np.clip(rgb + np.array([60, -20, -40]) * np.sign(np.cos(theta) + 0.1), 0, 255)
    return out


def recolour(image: np.ndarray, mask: np.ndarray | None, mapping: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Each pixel (inside ``mask``) near one of the palette's colours moved by that colour's change, shading kept."""
    out = image.astype(np.float32).copy()
    region = np.ones(image.shape[:2], bool) if mask is None else mask
    pixels = out[region]
    changed = _recolour_pixels(pixels, mapping)
    out[region] = changed
    return np.clip(out, 0, 255).astype(np.uint8)


def recolour_rgba(rgba: np.ndarray, mapping: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    out = rgba.copy()
    solid = rgba[..., 3] > 0
    rgb = rgba[..., :3].astype(np.float32)
    rgb[solid] = _recolour_pixels(rgb[solid], mapping)
    out[..., :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    return out


def _recolour_pixels(pixels: np.ndarray, mapping: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    if not len(pixels) or not mapping:
        return pixels
    sources = np.array([s for s, _ in mapping])
    targets = np.array([t for _, t in mapping])
    lp, ls = lab(pixels), lab(sources)
    dist = np.linalg.norm(lp[:, None, :] - ls[None, :, :], axis=2)
    nearest = dist.argmin(axis=1)
    close = dist[np.arange(len(pixels)), nearest] < 22
    moved = pixels.copy()
    moved[close] = pixels[close] + (targets - sources)[nearest[close]]
    return moved


def _head_box(u: float, v: float, size: float) -> tuple[int, int, int, int]:
    """A head's box around its face middle (between eyes and mouth), ``size`` pixels for one head length."""
    return (int(u - 0.55 * size), int(v - 0.72 * size), int(u + 0.55 * size), int(v + 0.45 * size))


def paste_head(rgba: np.ndarray, head: np.ndarray, u: float, v: float, size: float) -> np.ndarray:
    """Another head (RGBA) scaled to one head length of ``size`` pixels and laid over the face at (u, v)."""
    x0, y0, x1, y1 = _head_box(u, v, size)
    w, h = max(2, x1 - x0), max(2, y1 - y0)
    scaled = np.asarray(Image.fromarray(head, "RGBA").resize((w, h), Image.Resampling.LANCZOS)).astype(np.float32)
    out = rgba.astype(np.float32).copy()
    H, W = rgba.shape[:2]
    sx0, sy0 = max(0, -x0), max(0, -y0)
    dx0, dy0, dx1, dy1 = max(0, x0), max(0, y0), min(W, x0 + w), min(H, y0 + h)
    if dx1 <= dx0 or dy1 <= dy0:
        return rgba
    patch = scaled[sy0:sy0 + dy1 - dy0, sx0:sx0 + dx1 - dx0]
    alpha = patch[..., 3:4] / 255
    region = out[dy0:dy1, dx0:dx1]
    region[..., :3] = patch[..., :3] * alpha + region[..., :3] * (1 - alpha)
    region[..., 3:4] = np.maximum(region[..., 3:4], patch[..., 3:4])
    return np.clip(out, 0, 255).astype(np.uint8)


def move_piece(image: np.ndarray, mask: np.ndarray, shift: float, keep: np.ndarray | None) -> np.ndarray:
    """A set piece moved ``shift`` pixels across (0: taken away): its place filled from the set either side of it,
    row by row, and the piece laid down again further along; pixels under ``keep`` (the characters) stay on top."""
    from scipy.ndimage import binary_dilation

    if abs(shift) < 1:
        shift = 0.0
    image = np.asarray(image)
    out = image.astype(np.float32).copy()
    piece = binary_dilation(mask, iterations=6)
    # fill each row's span of the piece from the set either side of it
    rows = np.nonzero(piece.any(axis=1))[0]
    h, w = piece.shape
    spans = {}
    for y in rows:
        xs = np.nonzero(piece[y])[0]
        a, b = int(xs[0]), int(xs[-1])
        spans[y] = (a, b)
        left = out[y, max(0, a - 3)] if a > 0 else out[y, min(w - 1, b + 3)]
        right = out[y, min(w - 1, b + 3)] if b < w - 1 else left
        t = np.linspace(0, 1, b - a + 1)[:, None]
        out[y, a:b + 1] = left * (1 - t) + right * t
    if shift:
        dx = int(round(shift))
        for y, (a, b) in spans.items():
            xs = np.arange(a, b + 1)
            dest = xs + dx
            ok = (dest >= 0) & (dest < w)
            row_piece = piece[y, xs] & ok
            out[y, dest[row_piece]] = image[y, xs[row_piece]]
    if keep is not None:
        out[keep] = image[keep]
    return np.clip(out, 0, 255).astype(np.uint8)


ASPECTS = {"landscape": (16, 9), "square": (1, 1), "stretched": (3, 4), "landscape_crop": (16, 9)}


def reshape_filter(mode: str, width: int, height: int) -> tuple[str, tuple[int, int]]:
    """The FFmpeg filter that gives a 9:16 picture the wrong shape, and the size it comes out at."""
    if mode == "landscape":  # pillarboxed into a 16:9 frame
        w, h = _even(height * 16 / 9), height
        return f"scale=-2:{h},pad={w}:{h}:(ow-iw)/2:0:black", (w, h)
    if mode == "square":
        return f"crop={width}:{width}:0:(ih-{width})/2", (width, width)
    if mode == "stretched":
        h = _even(width * 4 / 3)
        return f"scale={width}:{h}", (width, h)
    h = _even(width * 9 / 16)  # landscape_crop: a 16:9 band out of the middle
    return f"crop={width}:{h}:0:(ih-{h})/2", (width, h)


def reshape_still(image: np.ndarray, mode: str) -> np.ndarray:
    height, width = image.shape[:2]
    img = Image.fromarray(image)
    if mode == "landscape":
        w = _even(height * 16 / 9)
        out = Image.new("RGB", (w, height), "black")
        out.paste(img, ((w - width) // 2, 0))
        return np.asarray(out)
    if mode == "square":
        top = (height - width) // 2
        return image[top:top + width].copy()
    if mode == "stretched":
        return np.asarray(img.resize((width, _even(width * 4 / 3)), Image.Resampling.LANCZOS))
    h = _even(width * 9 / 16)
    top = (height - h) // 2
    return image[top:top + h].copy()


def grid_filter(p: Mapping[str, Any]) -> str:
    colour, t = p["colour"], p["thickness"]
    if p["mode"] == "grid":
        return f"drawgrid=w=iw/{p['columns']}:h=ih/{p['rows']}:t={t}:c={colour}@1"
    # manga panels: a border round the frame and gutters between panels, in the paper's white and the ink's black
    gutter = 4 * t
    rows = [f"drawbox=x=0:y=ih*{i}/{p['rows']}-{gutter // 2}:w=iw:h={gutter}:c=white:t=fill" for i in range(1, p["rows"])]
    return ",".join([f"drawbox=x=0:y=0:w=iw:h=ih:c=black:t={t * 2}", *rows])


def overlay_grid(image: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    img = Image.fromarray(image)
    draw = ImageDraw.Draw(img)
    w, h = img.size
    t, colour = p["thickness"], p["colour"]
    if p["mode"] == "grid":
        for i in range(1, p["columns"]):
            draw.rectangle([w * i // p["columns"] - t // 2, 0, w * i // p["columns"] + t - t // 2 - 1, h], fill=colour)
        for i in range(1, p["rows"]):
            draw.rectangle([0, h * i // p["rows"] - t // 2, w, h * i // p["rows"] + t - t // 2 - 1], fill=colour)
        draw.rectangle([0, 0, w - 1, h - 1], outline=colour, width=t)
    else:
        gutter = 4 * t
        draw.rectangle([0, 0, w - 1, h - 1], outline="black", width=2 * t)
        for i in range(1, p["rows"]):
            y = h * i // p["rows"]
            draw.rectangle([0, y - gutter // 2, w, y + gutter - gutter // 2], fill="white")
    return np.asarray(img)


def _text_place(p: Mapping[str, Any]) -> tuple[str, str]:
    return {"tl": ("w*0.05", "h*0.05"), "tr": ("w-tw-w*0.05", "h*0.05"), "bl": ("w*0.05", "h-th-h*0.08"),
            "br": ("w-tw-w*0.05", "h-th-h*0.08"), "centre": ("(w-tw)/2", "(h-th)/2")}[p["corner"]]


def text_filter(p: Mapping[str, Any]) -> str:
    x, y = _text_place(p)
    font = str(subtitle_font_file()).replace(":", r"\:")
    text = p["text"].replace(":", r"\:").replace("'", "")
    a = p["opacity"]
    return (f"drawtext=fontfile='{font}':text='{text}':fontsize=h*{p['size']}:fontcolor=white@{a}"
            f":borderw=2:bordercolor=black@{a}:x={x}:y={y}")


def overlay_text(image: np.ndarray, p: Mapping[str, Any]) -> np.ndarray:
    img = Image.fromarray(image).convert("RGBA")
    w, h = img.size
    font = ImageFont.truetype(str(subtitle_font_file()), max(8, round(h * p["size"])))
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    left, top, right, bottom = draw.textbbox((0, 0), p["text"], font=font, stroke_width=2)
    tw, th = right - left, bottom - top
    x = {"tl": w * 0.05, "bl": w * 0.05, "tr": w - tw - w * 0.05, "br": w - tw - w * 0.05, "centre": (w - tw) / 2}[p["corner"]]
    y = {"tl": h * 0.05, "tr": h * 0.05, "bl": h - th - h * 0.08, "br": h - th - h * 0.08, "centre": (h - th) / 2}[p["corner"]]
    a = round(255 * p["opacity"])
    draw.text((x - left, y - top), p["text"], font=font, fill=(255, 255, 255, a), stroke_width=2, stroke_fill=(0, 0, 0, a))
    return np.asarray(Image.alpha_composite(img, layer).convert("RGB"))


def jump_filter(p: Mapping[str, Any]) -> str:
    amount = p["amount"]
    if p["mode"] == "brighter":
        return f"eq=brightness={amount}"
    if p["mode"] == "darker":
        return f"eq=brightness={-amount}"
    return f"colorbalance=rs={amount}:gs={-amount / 2}:bs={-amount}:rm={amount}:gm={-amount / 2}:bm={-amount}"


def corrupt_sound(samples: np.ndarray, case: Case, shot: ShotMaterial) -> np.ndarray:
    p = case.p
    out = samples.astype(np.float64).copy()
    if case.kind == "silence":
        if p["mode"] == "all":
            return np.zeros_like(out)
        if p["mode"] == "noise_floor":  # a hiss 60 dB down, and no voice
            return np.random.default_rng(case.seed).normal(0, 10 ** (-60 / 20), len(out))
        for line in shot.lines:  # dropout: most of each line gone
            a, b = round(line.start * SAMPLE_RATE), round(line.end * SAMPLE_RATE)
            gone = round((b - a) * p["dropout"])
            first = a + random.Random(case.seed).randint(0, max(0, (b - a) - gone))
            out[first:first + gone] = 0
        return out
    gain = 10 ** (p["gain_db"] / 20)
    out *= gain
    if case.kind == "clipping":
        out = np.clip(out, -1.0, 1.0)
    return out


# --- judging -----------------------------------------------------------------------------------------------


def installed_checks(settings: Mapping[str, Mapping[str, Any]] | None = None) -> tuple[list[Check], dict[str, str]]:
    """Every check that loads, built from its settings, and for each that does not, why (a module not written yet)."""
    settings = settings or {}
    checks, missing = [], {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            cls = ep.load()
            checks.append(cls(settings.get(ep.name, {})))
        except Exception as err:  # a module another hand has not written yet
            missing[ep.name] = f"{type(err).__name__}: {err}"
    return checks, missing


def applicable(check: Check, case: Case) -> bool:
    if case.subject == "cut":
        return isinstance(check, CutCheck)
    return not isinstance(check, CutCheck) and case.subject in check.subjects


@dataclass
class Judgement:
    """Every applicable check's verdict on a case (None: it had nothing to say), and the seconds each took."""

    case: Case
    verdicts: dict[str, Verdict | None] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def failed(self, name: str) -> bool:
        v = self.verdicts.get(name)
        return v is not None and not v.passed


def judge(sample: Sample, checks: Iterable[Check], *, only: Iterable[str] | None = None, shared: bool = False) -> Judgement:
    """Run the checks on a sample, each timed. Each check gets takes of its own (so its time holds its own decoding)
    unless ``shared``, when they share one decode as run_checks does."""
    wanted = set(only) if only is not None else None
    result = Judgement(sample.case)
    shared_takes = sample.takes()
    for check in checks:
        if (wanted is not None and check.name not in wanted) or not applicable(check, sample.case):
            continue
        takes = shared_takes if shared else sample.takes()
        started = time.perf_counter()
        try:
            if sample.case.subject == "cut":
                assert isinstance(check, CutCheck)
                found = check.judge_cut(takes[0], takes[1], sample.truths[0], sample.truths[1])
            else:
                found = check.judge(takes[0], sample.truths[0])
        except Exception as err:  # as run_checks: a check that crashes fails the take
            found = Verdict(check=check.name, passed=False, score=0.0,
                            reason=f"the check could not judge the take: {type(err).__name__}: {err}")
        result.seconds[check.name] = time.perf_counter() - started
        result.verdicts[check.name] = found
    return result


def judge_all(suite: Suite, cases: Sequence[Case], checks: Sequence[Check], *, workers: int = 1,
              only_labelled: bool = False, shared: bool = True) -> dict[str, Judgement | Exception]:
    """Make and judge many cases in ``workers`` threads (FFmpeg and numpy run outside the GIL); by case id, the
    judgement or the error that stopped the case. ``only_labelled``: run only the checks that must catch each case.
    Times taken in threads are shared-CPU times: the benchmark judges one case at a time."""

    def one(case: Case) -> Judgement | Exception:
        try:
            return judge(suite.sample(case), checks, only=case.must if only_labelled else None, shared=shared)
        except Exception as err:  # reported by the case's own test
            return err

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip([c.id for c in cases], pool.map(one, cases), strict=True))


def outcome(case: Case, name: str, verdict: Verdict | None) -> str:
    """What one check's verdict on one case counts as.

    "hit" / "miss": the case's defect is labelled for this check and it failed / did not fail it ("miss" too when it
    had nothing to say); "false_alarm" / "pass": the case holds no defect for this check (a clean take, or a defect
    labelled for other checks that leaves this one's subject alone) and it failed / passed it, or had nothing to say;
    "excused": the defect may fairly set this check off, so its verdict counts neither way.
    """
    failed = verdict is not None and not verdict.passed
    if name in case.must:
        return "hit" if failed else "miss"
    if name in case.may:
        return "excused"
    return "false_alarm" if failed else "pass"


def cpu_seconds() -> float:
    """CPU seconds this process and its finished children (FFmpeg decodes) have used."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
