"""The voice department's step: one dialogue line spoken in its character's voice."""

from __future__ import annotations

from ..engine import Step, StepContext, StepOutput
from ..model import Voice
from .speech import loudness_envelope, synthesize, write_wav

__all__ = ["VOICE_LINE"]


def voice_line(ctx: StepContext) -> StepOutput:
    params = ctx.params
    voice = Voice.model_validate(params["voice"]) if params["voice"] else Voice()
    speech = synthesize(
        params["text"], params["language"], voice, character=params["character"], gender=params["gender"], seed=ctx.seed
    )
    out = ctx.workdir / "line.wav"
    write_wav(speech, out)
    return StepOutput(
        components={"audio.wav": out},
        data={
            "duration": speech.duration,
            "envelope": [round(v, 4) for v in loudness_envelope(speech, fps=params["fps"])],
            "engine": speech.engine,
            "voice": speech.voice,
        },
        warnings=list(speech.warnings),
        provider=speech.engine,
        model=speech.voice,
        prompt=params["text"],
    )


VOICE_LINE = Step(name="voice.line", version="1", fn=voice_line, kind="cpu")
