"""The built-in `draft` provider: the draft renderer as an image model, the motion comic as a video model, the offline voices as a speech model.

It runs here, free, offline and deterministic; the router reaches it like any other model. What it
draws comes from the request's brief (a real model reads the prompt and the references instead):

    image   brief {"kind": "keyframe", "layout": ShotLayout,   the layered keyframe, and its guide maps unless
                   "guides": bool}                              guides is false (a layout with nobody in it is a
                                                                view of the set)
            brief {"kind": "sheet", "character": Character}    the turnaround sheet (views and expressions)
    video   brief {"layers": KeyframeLayers, "move", "timing": ShotTiming, "spoken": [SpokenLine]}
                                                                a motion plan (plan.json) the edit renders
    speech  brief {"voice": Voice, "character", "gender"}      the line at 48 kHz as float WAV, not yet mastered
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..audio import write_float_wav
from ..errors import ConfigError, ProviderError
from ..model import CameraMove, Character, KeyframeLayers, Voice
from ..model.layout import ShotLayout
from ..model.timing import ShotTiming, SpokenLine
from ..providers.protocols import (
    ImageRequest,
    ImageResult,
    SpeechRequest,
    SpeechResult,
    VideoRequest,
    VideoResult,
)
from .keyframe import draw_layout
from .motion_comic import plan_motion
from .sheet import EXPRESSIONS, SHEET_VIEWS, draw_character_sheet
from .speech import synthesize, warm_voices

__all__ = ["DraftImages", "DraftSpeech", "DraftVideo", "factory"]


class DraftImages:
    """An ImageModel that draws keyframes, views of a set and turnaround sheets from their brief."""

    def generate(self, request: ImageRequest, workdir: Path) -> ImageResult:
        brief = request.brief
        kind = brief.get("kind")
        if kind == "keyframe":
            out = Path(workdir) / "keyframe"
            draw_layout(ShotLayout.model_validate(brief["layout"]), out, seed=request.seed,
                        guides=bool(brief.get("guides", True)))
            files = {f.name: f for f in sorted(out.iterdir())}
            return ImageResult(image=out / "keyframe.png", files=files)
        if kind == "sheet":
            character = Character.model_validate(brief["character"])
            sheet = draw_character_sheet(character, Path(workdir) / "sheet.png")
            return ImageResult(image=sheet, raw={"views": list(SHEET_VIEWS), "expressions": list(EXPRESSIONS)})
        raise ProviderError("draft", f"the draft renderer draws keyframes and sheets, not a brief of kind {kind!r}",
                            hint="give the image request a brief with kind 'keyframe' (and a layout) or 'sheet'")


class DraftVideo:
    """A LocalVideoModel: the motion comic's plan for a layered keyframe (camera move, parallax, mouths, blinks)."""

    def animate(self, request: VideoRequest, workdir: Path) -> VideoResult:
        brief = request.brief
        if "layers" not in brief:
            raise ProviderError("draft", "the motion comic animates a layered keyframe; the request has none",
                                hint="give the video request a brief with the keyframe's layers")
        plan = plan_motion(
            KeyframeLayers.model_validate(brief["layers"]), CameraMove(brief["move"]), ShotTiming.model_validate(brief["timing"]),
            [SpokenLine.model_validate(spoken) for spoken in brief["spoken"]], seed=request.seed,
        )
        out = Path(workdir) / "plan.json"
        out.write_text(plan.model_dump_json(indent=1))
        return VideoResult(files={"plan.json": out})


class DraftSpeech:
    """A SpeechModel over the offline voices: engine by language, the character's voice, pitch and pace."""

    def warm(self) -> None:
        """Load the installed voices ahead of the first line (a worker's warm-up)."""
        warm_voices()

    def speak(self, request: SpeechRequest, workdir: Path) -> SpeechResult:
        brief = request.brief
        voice = Voice.model_validate(brief["voice"]) if brief.get("voice") else Voice()
        speech = synthesize(request.text, request.language, voice, character=brief.get("character", ""),
                            gender=brief.get("gender", "unspecified"), seed=request.seed, master=False)
        out = Path(workdir) / "line.wav"
        write_float_wav(out, speech.samples, speech.sample_rate)
        return SpeechResult(audio=out, raw={"engine": speech.engine, "voice": speech.voice, "warnings": list(speech.warnings)})


_MODELS: dict[str, type] = {"image": DraftImages, "video": DraftVideo, "speech": DraftSpeech}


def factory(settings: dict[str, Any]) -> DraftImages | DraftVideo | DraftSpeech:
    """Entry point ``draft``: the model for ``settings["modality"]`` (image, video or speech)."""
    modality = settings.get("modality", "image")
    if modality not in _MODELS:
        raise ConfigError(f"provider draft: modality must be one of {', '.join(_MODELS)}, not {modality!r}")
    return _MODELS[modality]()
