"""The animate department's lip sync: a paid clip whose speaker is on screen, its mouths redrawn to the voices.

The shot's lines are mixed where the clip's timing puts them, as long as the clip, and sent with the
clip to the lip-sync model the router picked (one that lip-syncs the videos its own provider made).
The result replaces the clip in the edit; its timing and subtitle events are the clip's.
"""

from __future__ import annotations

import shutil

import numpy as np

from ..audio import EDIT_SAMPLE_RATE
from ..checks import Take, Truth, load_checks, run_checks
from ..engine import Step, StepContext, StepOutput
from ..model import Shot
from ..model.timing import ShotTiming
from ..providers.protocols import LipSyncRequest
from ..providers.studio import Route, Studio
from ..wavfile import read_pcm16, write_pcm16

__all__ = ["LIPSYNC", "TECHNICAL_CHECKS"]

TECHNICAL_CHECKS = ("format", "duration", "black_frames", "frozen_frames", "flicker")
"""What a lip-synced clip is held to: the picture is the clip's, already judged against the shot, so the sync's
own result is checked for what a sync can break."""


def lip_sync(ctx: StepContext) -> StepOutput:
    params = ctx.params
    shot = Shot.model_validate(params["shot"])
    clip = ctx.inputs["clip"]
    timing = ShotTiming.model_validate(clip.data)
    route = Route.of(params)
    mix = np.zeros(int(round(timing.duration * EDIT_SAMPLE_RATE)), np.float32)
    for line in shot.dialogue:
        voice = read_pcm16(ctx.inputs[f"line:{line.id}"].components["audio.wav"], EDIT_SAMPLE_RATE)
        if voice is None:
            raise ctx.fail(f"the voice of line {line.id} is not the edit's 48 kHz mono WAV")
        start = int(round(timing.line_starts[line.id] * EDIT_SAMPLE_RATE))
        end = min(len(mix), start + len(voice))
        mix[start:end] += voice[: end - start]
    audio = ctx.workdir / "dialogue.wav"
    write_pcm16(audio, np.clip(mix, -1.0, 1.0), EDIT_SAMPLE_RATE)
    request = LipSyncRequest(video=clip.components["clip.mp4"], audio=audio, duration=clip.data["requested_seconds"],
                             width=params["width"], height=params["height"], source_job=clip.data.get("job_id") or "",
                             seed=ctx.seed)
    made = Studio.open(ctx.resources).lipsync(route, request, ctx.workdir, step=ctx.step, entity=ctx.entity,
                                              shot_type=shot.kind.value)
    video = made.files.get("video") or next(iter(made.files.values()))
    checks = load_checks(params.get("checks", {}), subject="clip", only=TECHNICAL_CHECKS)
    truth = Truth(shot=shot.code, width=request.width, height=request.height, duration=request.duration,
                  fps=float(params.get("fps", 24)))
    report = run_checks(Take(video, "clip"), truth, checks)
    if not report.passed:
        raise ctx.fail(f"the lip-synced clip failed QC: {report.summary()}")
    out = ctx.workdir / "clip.mp4"
    shutil.copyfile(video, out)
    return StepOutput(
        components={"clip.mp4": out},
        data={**clip.data, "lipsync": {**route.params(), "job_id": made.job_id}, "qc": report.to_dict()},
        provider=route.provider, model=route.model, cost=made.cost,
    )


LIPSYNC = Step(name="animate.lipsync", version="2", fn=lip_sync, kind="io")
