"""The sound department's steps: a music bed per scene and the effects a shot's action calls for.

Both read only their params (the mood or the cues the production read from the script, and the library
files matched to them, named with their content's sha256) and write WAVs at the edit's 48 kHz: music in
stereo, effects in mono (the edit pans them). Neither depends on a shot's length, so a re-voiced line
re-runs no sound: the edit loops the bed and the ambience to whatever the timeline needs.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from ..engine import Step, StepContext, StepOutput
from ..model.layout import ShotLayout
from ..model.sound import EffectCue, SceneMusic, ShotEffects
from ..wavfile import write_pcm16
from .library import decode_sound
from .synth import SAMPLE_RATE, effect, music_bed

__all__ = ["EFFECTS", "MUSIC", "subject_pan"]

_PAN_LIMIT = 0.8
"""How far to a side an effect is panned: never hard into one ear."""


def _seed(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode("utf-8"))


def music(ctx: StepContext) -> StepOutput:
    params = ctx.params
    out = ctx.workdir / "music.wav"
    library = params.get("library")
    if library:
        samples, key, source = decode_sound(Path(library["path"]), 2, SAMPLE_RATE), "", Path(library["path"]).name
    else:
        # seeded by the mood alone: every scene of a mood plays the same bed, and a build makes each once
        samples, key = music_bed(params["mood"], _seed("music", params["mood"], str(ctx.seed)))
        source = "generated"
    write_pcm16(out, samples, SAMPLE_RATE)
    bed = SceneMusic(mood=params["mood"], key=key, seconds=len(samples) / SAMPLE_RATE, source=source)
    return StepOutput(components={"music.wav": out}, data=bed.model_dump(mode="json"), prompt=params["mood"])


def subject_pan(layout: ShotLayout, subject: str | None) -> float:
    """Where the shot's subject stands across the frame, -1 (left) .. 1 (right), held inside the pan limit; 0 without one."""
    seen = next((c for c in layout.characters if c.id == subject), None) if subject else None
    if seen is None or not layout.frame_width:
        return 0.0
    across = 2 * seen.face[0] / layout.frame_width - 1
    return round(max(-_PAN_LIMIT, min(_PAN_LIMIT, across)), 3)


def effects(ctx: StepContext) -> StepOutput:
    params = ctx.params
    layout = ctx.inputs.get("layout")
    pan = subject_pan(ShotLayout.model_validate(layout.data), params.get("subject")) if layout is not None else 0.0
    components: dict[str, Path] = {}
    cues = []
    for cue in map(EffectCue.model_validate, params["cues"]):
        name = f"{cue.sound}.wav"
        chosen = params.get("library", {}).get(cue.sound)
        if chosen:
            samples, source = decode_sound(Path(chosen["path"]), 1, SAMPLE_RATE)[:, 0], Path(chosen["path"]).name
        else:
            samples, source = effect(cue.sound, _seed("effect", cue.sound, str(ctx.seed))), "generated"
        write_pcm16(ctx.workdir / name, samples, SAMPLE_RATE)
        components[name] = ctx.workdir / name
        cues.append(cue.model_copy(update={"file": name, "source": source, "pan": 0.0 if cue.ambience else pan}))
    words = ", ".join(f"{c.word} ({c.sound})" for c in cues)
    return StepOutput(components=components, data=ShotEffects(cues=cues).model_dump(mode="json"), prompt=words or None)


MUSIC = Step(name="sound.music", version="1", fn=music, kind="cpu", warm=("scipy.signal",))
EFFECTS = Step(name="sound.effects", version="1", fn=effects, kind="cpu", warm=("scipy.signal",))
