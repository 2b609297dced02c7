"""The sound department's steps: a music bed per scene and the effects a shot's action calls for.

Both read only their params (the mood or the cues the production read from the script, the library files
matched to them, named with their content's sha256, and at a paid tier the route to a music or effects model)
and write WAVs at the edit's 48 kHz: music in stereo, effects in mono (the edit pans them). Each sound comes
from the library file that matches it (the user's choice wins), else from the routed model (its audio decoded,
cut or padded to the synth's length, a loop folded, peaked like the synth's), else from the offline synth.
An effect a model makes is its own step, one per distinct request (the sound in the script's word for it), so a
season's rain is bought once and every shot that asks for it takes it as an input.
A routed model that fails for good is made up by the synth, with a warning, where [project] fallback = "draft".
Neither step depends on a shot's length, so a re-voiced line re-runs no sound: the edit loops the bed and the
ambience to whatever the timeline needs.
"""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import numpy as np

from ..engine import Step, StepContext, StepOutput
from ..errors import ProviderError
from ..model.layout import ShotLayout
from ..model.sound import EffectCue, SceneMusic, ShotEffects
from ..providers.protocols import SoundRequest
from ..providers.studio import Route, Studio
from ..wavfile import write_pcm16
from .briefs import FOLD, MUSIC_SECONDS, effect_brief, effect_request, effect_seconds, music_brief, requested_seconds
from .cues import AMBIENCE
from .library import decode_sound
from .synth import SAMPLE_RATE, _folded, _peaked, music_bed
from .synth import effect as synth_effect

__all__ = ["EFFECT", "EFFECTS", "MUSIC", "subject_pan"]

_PAN_LIMIT = 0.8
"""How far to a side an effect is panned: never hard into one ear."""


def _seed(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode("utf-8"))


class _RoutedModel:
    """The routed sound model of one step's params, if any: each call's delivery, and the failure that ended its use."""

    def __init__(self, ctx: StepContext) -> None:
        self.ctx = ctx
        paid = ctx.params.get("tier", "draft") != "draft"
        self.route = Route.of(ctx.params) if paid else None
        self.made: list = []
        self.fallback: str | None = None

    def make(self, prompt: str, sound: str | None, channels: int) -> np.ndarray | None:
        """The model's sound as float samples at 48 kHz, fitted like the synth's; None when there is no model to ask
        (none routed, or it failed for good earlier in this step and the project falls back)."""
        if self.route is None or self.fallback is not None:
            return None
        loop = sound is None or sound in AMBIENCE
        request = SoundRequest(prompt=prompt, duration=requested_seconds(sound), loop=loop, seed=self.ctx.seed)
        studio = Studio.open(self.ctx.resources)
        try:
            made = studio.sound(self.route, request, step=self.ctx.step, entity=self.ctx.entity)
        except ProviderError as err:
            if not studio.falls_back(err):
                raise
            self.fallback = str(err).splitlines()[0]
            return None
        self.made.append(made)
        samples = decode_sound(made.files["audio"], channels, SAMPLE_RATE, origin=f"{made.provider} {made.model}")
        length = MUSIC_SECONDS if sound is None else effect_seconds(sound)
        return _fitted(samples, length, (FOLD["music"] if sound is None else FOLD["ambience"]) if loop else 0.0)

    def provenance(self) -> dict:
        """What the step's output says of the model: who made it, what it cost, and any fallback with its warning."""
        if self.route is None:
            return {}
        made = {"provider": self.route.provider, "model": self.route.model, "cost": sum(m.cost for m in self.made)}
        if self.fallback:
            made["warnings"] = [f"{self.ctx.entity}: sound made offline instead of by {self.route.model}: {self.fallback}"]
        return made if self.made else {k: v for k, v in made.items() if k == "warnings"}

    def data(self) -> dict:
        return {**self.route.params(), **({"fallback": self.fallback} if self.fallback else {})} if self.route else {}


def _fitted(samples: np.ndarray, seconds: float, fold: float) -> np.ndarray:
    """A model's sound cut or padded with silence to ``seconds`` (plus ``fold`` for a loop, which is then folded
    back to ``seconds``), its peak where the synth puts its own."""
    frames = round((seconds + fold) * SAMPLE_RATE)
    out = np.zeros((frames, samples.shape[1]), dtype=np.float64)
    out[: min(frames, len(samples))] = samples[:frames]
    if fold:
        out = _folded(out, fold)
    return _peaked(out if out.shape[1] > 1 else out[:, 0])


def music(ctx: StepContext) -> StepOutput:
    params = ctx.params
    out = ctx.workdir / "music.wav"
    library = params.get("library")
    model = _RoutedModel(ctx)
    made = None if library else model.make(music_brief(params["mood"]), None, 2)
    if library:
        samples, key, source = decode_sound(Path(library["path"]), 2, SAMPLE_RATE), "", Path(library["path"]).name
    elif made is not None:
        samples, key, source = made, "", model.route.model
    else:
        # seeded by the mood alone: every scene of a mood plays the same bed, and a build makes each once
        samples, key = music_bed(params["mood"], _seed("music", params["mood"], str(ctx.seed)))
        source = "generated"
    write_pcm16(out, samples, SAMPLE_RATE)
    bed = SceneMusic(mood=params["mood"], key=key, seconds=len(samples) / SAMPLE_RATE, source=source)
    return StepOutput(components={"music.wav": out}, data={**bed.model_dump(mode="json"), **model.data()},
                      prompt=params["mood"], **model.provenance())


def subject_pan(layout: ShotLayout, subject: str | None) -> float:
    """Where the shot's subject stands across the frame, -1 (left) .. 1 (right), held inside the pan limit; 0 without one."""
    seen = next((c for c in layout.characters if c.id == subject), None) if subject else None
    if seen is None or not layout.frame_width:
        return 0.0
    across = 2 * seen.face[0] / layout.frame_width - 1
    return round(max(-_PAN_LIMIT, min(_PAN_LIMIT, across)), 3)


def effect(ctx: StepContext) -> StepOutput:
    """One effect bought from the routed model (``effect_request``: a sound in the script's word for it), made once for
    every shot that asks for it; the synth's own where the model fails for good and the project falls back."""
    params = ctx.params
    sound = params["sound"]
    model = _RoutedModel(ctx)
    made = model.make(effect_brief(sound, params["word"]), sound, 1)
    samples, source = ((made, model.route.model) if made is not None
                       else (synth_effect(sound, _seed("effect", sound, str(ctx.seed))), "generated"))
    out = ctx.workdir / f"{sound}.wav"
    write_pcm16(out, samples, SAMPLE_RATE)
    return StepOutput(components={out.name: out}, data={"sound": sound, "file": out.name, "source": source, **model.data()},
                      prompt=params["word"], **model.provenance())


def effects(ctx: StepContext) -> StepOutput:
    """The shot's cues, each from the library file matched to it, else the bought effect its input names
    ("effect:<request>"), else the synth; panned to the shot's subject unless it lies under the whole shot."""
    params = ctx.params
    layout = ctx.inputs.get("layout")
    pan = subject_pan(ShotLayout.model_validate(layout.data), params.get("subject")) if layout is not None else 0.0
    components: dict[str, Path] = {}
    cues = []
    for cue in map(EffectCue.model_validate, params["cues"]):
        name = f"{cue.sound}.wav"
        chosen = params.get("library", {}).get(cue.sound)
        bought = ctx.inputs.get(f"effect:{effect_request(cue.sound, cue.word)}")
        if chosen:
            samples, source = decode_sound(Path(chosen["path"]), 1, SAMPLE_RATE)[:, 0], Path(chosen["path"]).name
            write_pcm16(ctx.workdir / name, samples, SAMPLE_RATE)
        elif bought is not None:
            shutil.copyfile(bought.components[bought.data["file"]], ctx.workdir / name)
            source = bought.data["source"]
        else:
            samples, source = synth_effect(cue.sound, _seed("effect", cue.sound, str(ctx.seed))), "generated"
            write_pcm16(ctx.workdir / name, samples, SAMPLE_RATE)
        components[name] = ctx.workdir / name
        cues.append(cue.model_copy(update={"file": name, "source": source, "pan": 0.0 if cue.ambience else pan}))
    words = ", ".join(f"{c.word} ({c.sound})" for c in cues)
    return StepOutput(components=components, data=ShotEffects(cues=cues).model_dump(mode="json"), prompt=words or None)


MUSIC = Step(name="sound.music", version="1", fn=music, kind="cpu", warm=("scipy.signal",))
EFFECTS = Step(name="sound.effects", version="2", fn=effects, kind="cpu", warm=("scipy.signal",))
EFFECT = Step(name="sound.effect", version="1", fn=effect, kind="cpu", warm=("scipy.signal",))
