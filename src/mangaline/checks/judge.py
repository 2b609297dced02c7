"""The judge: a vision model asked about a take with the shot's plan, answering scores in a schema.

What the measuring checks cannot see (does the take show what the shot asks for, are the hands and faces
whole, is the picture free of melting and smearing) a vision model can be asked. The judge shows it a few
frames of the take and the shot's plan (the prompt the take was made from, who is in it, what they say),
and asks for three scores from 0 to 1 and the problems it saw, as JSON in a fixed schema. The take's score
is the lowest of the three.

The judge is not an entry point: it calls a paid model, so the step that buys the take lends it the way
to ask (``ask``: a chat request in, the reply's text out), through the project's provider runtime, which
books the call in the ledger and answers a repeated question from its journal. ``[qc.judge]`` in
mangaline.toml names the model and sets the threshold, the frames shown and their size.
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from PIL import Image

from ..errors import ConfigError, ProviderResponseError
from ..model.qc import Verdict
from .base import Check, Take, Truth
from .layout import display_name

__all__ = ["ASPECTS", "JUDGE_SCHEMA", "JudgeCheck", "judge_messages"]

ASPECTS = ("prompt_adherence", "anatomy", "artefacts")

JUDGE_SCHEMA: dict[str, Any] = {
    "title": "take_judgement",
    "type": "object",
    "properties": {
        "prompt_adherence": {"type": "number", "minimum": 0, "maximum": 1,
                             "description": "1: the frames show what the shot plan asks for; 0: something else"},
        "anatomy": {"type": "number", "minimum": 0, "maximum": 1,
                    "description": "1: every body, face and hand is whole and plausible; 0: broken or malformed"},
        "artefacts": {"type": "number", "minimum": 0, "maximum": 1,
                      "description": "1: a clean picture; 0: melting, smearing, warped objects, garbled text"},
        "problems": {"type": "array", "items": {"type": "string"},
                     "description": "each problem seen, in a short sentence naming the frame"},
    },
    "required": ["prompt_adherence", "anatomy", "artefacts", "problems"],
    "additionalProperties": False,
}

_SYSTEM = (
    "You check takes for an animated drama. You are shown frames of one take, in order, and the plan of the shot "
    "it was made for. Score prompt adherence, anatomy and artefacts from 0 to 1 (1 is flawless) and list every "
    "problem you see in a short sentence naming the frame. Judge only what the frames show; the drawing style is "
    "intended. Answer with JSON only."
)

Ask = Callable[[list[dict[str, Any]], dict[str, Any]], str]
"""How the judge is asked: (chat messages, the reply's JSON schema) -> the reply's text."""


def _data_url(picture: Any, width: int) -> str:
    """An RGB frame as a JPEG data URL, ``width`` px wide."""
    image = Image.fromarray(picture)
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _plan(truth: Truth) -> str:
    """The shot's plan in words: its code, the prompt the take was made from, its cast and its lines."""
    parts = [f"Shot {truth.shot}" + (f" of scene {truth.scene}" if truth.scene else "") + "."]
    if truth.duration:
        parts.append(f"A clip of {truth.duration:.1f} s.")
    if truth.prompt:
        parts.append(f"Plan: {truth.prompt}")
    names = []
    for cid, ct in truth.characters.items():
        description = (ct.character or {}).get("description") or ""
        name = display_name(truth, cid)
        names.append(f"{name} ({description})" if description else name)
    if names:
        parts.append("In frame: " + "; ".join(names) + ".")
    for line in truth.lines:
        parts.append(f'{display_name(truth, line.character)} says "{line.text}" from {line.start:.1f} s to {line.end:.1f} s.')
    return "\n".join(parts)


def judge_messages(take: Take, truth: Truth, frames: int, width: int, detail: str) -> list[dict[str, Any]]:
    """The chat messages that ask about ``take``: the instructions, the plan, and ``frames`` frames as images."""
    pictures = take.frames(1 if take.kind == "image" else frames)
    content: list[dict[str, Any]] = [{"type": "text", "text": _plan(truth)}]
    for i, picture in enumerate(pictures):
        label = "The image." if len(pictures) == 1 else f"Frame {i + 1} of {len(pictures)}."
        content.append({"type": "text", "text": label})
        content.append({"type": "image_url", "image_url": {"url": _data_url(picture, width), "detail": detail}})
    return [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": content}]


class JudgeCheck(Check):
    """A vision model's scores for prompt adherence, anatomy and artefacts; the take scores the lowest of them."""

    name: ClassVar[str] = "judge"
    subjects: ClassVar[frozenset[str]] = frozenset({"image", "clip"})
    threshold: float = 0.6
    description: ClassVar[str] = "a vision model's scores for prompt adherence, anatomy and artefacts ([qc.judge])"

    def __init__(self, settings: Mapping[str, Any] | None = None, *, ask: Ask | None = None) -> None:
        self.ask = ask
        super().__init__(settings)

    def configure(self, options: dict[str, Any]) -> None:
        self.model = str(options.pop("model", "the judge"))
        self.frames = options.pop("frames", 3)
        self.width = options.pop("width", 512)
        self.detail = options.pop("detail", "low")
        if not isinstance(self.frames, int) or not 1 <= self.frames <= 8:
            raise ConfigError(f"[qc.judge] frames must be a whole number from 1 to 8, not {self.frames!r}")
        if not isinstance(self.width, int) or not 64 <= self.width <= 2048:
            raise ConfigError(f"[qc.judge] width must be a whole number of pixels from 64 to 2048, not {self.width!r}")
        if self.detail not in ("low", "high", "auto"):
            raise ConfigError(f"[qc.judge] detail must be low, high or auto, not {self.detail!r}")
        self.provider = str(options.pop("provider", "judge"))
        if options:
            raise ConfigError(f"[qc.judge] has no option {', '.join(sorted(options))}",
                              hint="[qc.judge] takes model, threshold, frames, detail and width")

    def judge(self, take: Take, truth: Truth) -> Verdict | None:
        if self.ask is None:
            return None  # no model lent to ask: only a step that buys takes can
        if not take.frames(1):
            return None  # nothing decodes: the technical checks say so
        messages = judge_messages(take, truth, self.frames, self.width, self.detail)
        reply = self.ask(messages, JUDGE_SCHEMA)
        scores, problems = self._read(reply)
        worst = min(ASPECTS, key=scores.__getitem__)
        said = ", ".join(f"{aspect.replace('_', ' ')} {scores[aspect]:.2f}" for aspect in ASPECTS)
        seen = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
        failed = f"{self.model} scores {said}" + (f": {seen}" if seen else f" (lowest: {worst.replace('_', ' ')})")
        return self.verdict(scores[worst], failed, f"{self.model} scores {said}" + (f"; noted: {seen}" if seen else ""))

    def _read(self, reply: str) -> tuple[dict[str, float], list[str]]:
        """The scores and problems of the judge's reply; a reply outside the schema is the provider's error."""
        def wrong(what: str) -> ProviderResponseError:
            return ProviderResponseError(self.provider, f"{self.model}: the judge's reply {what}: {str(reply)[:200]!r}",
                                         hint="a judge must answer JSON in the schema it is sent; try another model")

        try:
            data = json.loads(reply)
        except (TypeError, ValueError):
            raise wrong("is not JSON") from None
        if not isinstance(data, dict):
            raise wrong("is not an object")
        scores = {}
        for aspect in ASPECTS:
            value = data.get(aspect)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise wrong(f"has no number for {aspect}")
            scores[aspect] = min(1.0, max(0.0, float(value)))
        problems = data.get("problems", [])
        if not isinstance(problems, list):
            problems = [str(problems)]
        return scores, [str(p).strip() for p in problems if str(p).strip()]
