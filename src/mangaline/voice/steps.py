"""The voice department's step: one dialogue line spoken in its character's voice, by the speech model the router picked."""

from __future__ import annotations

from ..audio import EDIT_SAMPLE_RATE, decode_line, loudness_envelope, master_line
from ..engine import Step, StepContext, StepOutput
from ..errors import ProviderError
from ..model.timing import VoicedLine
from ..providers.protocols import SpeechRequest
from ..providers.studio import DRAFT, Route, Studio
from ..wavfile import write_pcm16

__all__ = ["VOICE_LINE"]


def voice_line(ctx: StepContext) -> StepOutput:
    params = ctx.params
    route = Route.of(params)
    voice = params["voice"] or {}
    # a paid voice is its voice id at the model's own pace; pitch and rate are how the draft voices set characters apart
    request = SpeechRequest(
        text=params["text"], voice=params.get("voice_id") or "", language=params["language"], seed=ctx.seed,
        brief={"voice": voice or None, "character": params["character"], "gender": params["gender"]},
    )
    studio = Studio.open(ctx.resources)
    fallback = None
    try:
        made = studio.speech(route, request, ctx.workdir, step=ctx.step, entity=ctx.entity)
    except ProviderError as err:
        if route.tier == "draft" or not studio.falls_back(err):
            raise
        fallback = str(err).splitlines()[0]
        made = studio.speech(DRAFT["speech"], request, ctx.workdir, step=ctx.step, entity=ctx.entity)
    # every voice's line is mastered alike: 48 kHz mono, edges trimmed to a breath, peak at -3 dBFS
    samples = master_line(decode_line(made.files["audio"], f"line {ctx.entity}"))
    out = ctx.workdir / "line.wav"
    write_pcm16(out, samples, EDIT_SAMPLE_RATE)
    engine = made.raw.get("engine", route.provider)
    spoken_by = made.raw.get("voice", request.voice or route.model)
    return StepOutput(
        components={"audio.wav": out},
        data={
            **VoicedLine(duration=len(samples) / EDIT_SAMPLE_RATE,
                         envelope=[round(v, 4) for v in loudness_envelope(samples, EDIT_SAMPLE_RATE, params["fps"])],
                         ).model_dump(mode="json"),
            "engine": engine,
            "voice": spoken_by,
            **route.params(),
            **({"fallback": fallback} if fallback else {}),
        },
        warnings=list(made.raw.get("warnings", []))
        + ([f"{ctx.entity}: spoken by the draft voices instead of {route.model}: {fallback}"] if fallback else []),
        provider=engine if made.provider == "draft" else made.provider,
        model=spoken_by if made.provider == "draft" else made.model,
        prompt=params["text"],
        cost=made.cost,
    )


VOICE_LINE = Step(name="voice.line", version="2", fn=voice_line, kind="cpu",
                  warm=("mangaline.providers.studio:warm_draft_voices",))
