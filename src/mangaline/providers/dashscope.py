"""Alibaba DashScope: Wan video as remote jobs; Qwen-Image and Qwen-TTS synchronously; Qwen chat.

Wan: a task is created with ``X-DashScope-Async: enable`` and polled at ``/api/v1/tasks/{task_id}``;
task ids live 24 hours, after which DashScope reports the task as UNKNOWN.

Qwen-Image and Qwen-TTS answer one ``POST /api/v1/services/aigc/multimodal-generation/generation``
with a signed OSS URL that lives 24 hours; it is downloaded at once, without the key.

The key, model and region (Beijing ``dashscope``, Singapore ``dashscope-intl``, Virginia) must
match; one ``base_url`` (the region's root) serves every modality.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    ConfigError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    RateLimited,
)
from .exchange import (
    HttpProvider,
    construct,
    data_url,
    image_suffix,
    read_key,
    resolution_tier,
    whole_seconds,
    write_result,
)
from .openai_compat import OpenAIChat, build
from .protocols import (
    ImageRequest,
    ImageResult,
    JobState,
    JobStatus,
    SpeechRequest,
    SpeechResult,
    Usage,
    VideoRequest,
)

__all__ = ["QwenImage", "QwenSpeech", "WanVideo", "factory"]

DEFAULT_BASE_URL = "https://dashscope.aliyuncs.com"
GENERATION = "api/v1/services/aigc/multimodal-generation/generation"

RESOLUTIONS = {480: "480P", 720: "720P", 1080: "1080P"}

# Qwen-Image: at most 3 input images; each side of the output 512-2048 px; seeds in [0, 2147483647].
MAX_REFERENCES = 3
IMAGE_SIDES = (512, 2048)
MAX_SEED = 2_147_483_647

# Qwen3-TTS ``language_type`` for each language code the project uses (the documented enum, less Auto).
LANGUAGE_TYPES = {
    "zh": "Chinese",
    "en": "English",
    "ja": "Japanese",
    "ko": "Korean",
    "de": "German",
    "fr": "French",
    "ru": "Russian",
    "pt": "Portuguese",
    "es": "Spanish",
    "it": "Italian",
}

_STATES = {
    "PENDING": JobState.QUEUED,
    "RUNNING": JobState.RUNNING,
    "SUCCEEDED": JobState.SUCCEEDED,
    "FAILED": JobState.FAILED,
    "CANCELED": JobState.FAILED,
    "UNKNOWN": JobState.FAILED,
}


def _moderated(code: str) -> bool:
    # DataInspectionFailed and IPInfringementSuspect are DashScope's content refusals.
    return code.startswith("DataInspection") or "InappropriateContent" in code or code.startswith("IPInfringement")


def _refusal(provider_id: str) -> Any:
    def read(status: int, body: Any, raw: str) -> ProviderError | None:
        if not isinstance(body, dict):
            return None
        code = str(body.get("code") or "")
        if _moderated(code):
            return ModerationRejected(provider_id, f"content refused ({code}): {body.get('message', '')}", raw=raw)
        if code.startswith("Throttling") and status != 429:
            return RateLimited(provider_id, f"throttled ({code}): {body.get('message', '')}", raw=raw)
        return None

    return read


class _DashScopeEndpoint(HttpProvider):
    """The key as a Bearer token, and DashScope's error codes read before the status is."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            provider_id,
            base_url,
            api_key_env,
            model=model,
            timeout=timeout,
            transport=transport,
            refusal=_refusal(provider_id),
        )

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        key = read_key(self.provider_id, self.api_key_env)
        sent = {"Authorization": f"Bearer {key}", **(headers or {})}
        response = self._endpoint.send(method, path, headers=sent, json=body, secrets=(key,))
        return self._endpoint.json(response, secrets=(key,))

    def _generate(self, body: dict[str, Any]) -> dict[str, Any]:
        """One synchronous multimodal-generation call; a 200 that carries an error code is that error."""
        reply = self._call("POST", GENERATION, body)
        if reply.get("code") and not reply.get("output"):
            raw = str(reply)[:2000]
            refused = _refusal(self.provider_id)(200, reply, raw)
            raise refused or ProviderError(self.provider_id, f"{reply['code']}: {reply.get('message', '')}", raw=raw)
        return reply


class WanVideo(_DashScopeEndpoint):
    """A VideoModel over DashScope's video-synthesis service (wan2.x i2v, and kf2v for first+last frame)."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        prompt_extend: bool | None = None,
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport)
        self.prompt_extend = prompt_extend

    def task_body(self, request: VideoRequest) -> dict[str, Any]:
        """The JSON body of a video-synthesis task for ``request``."""
        if request.references:
            raise ProviderError(
                self.provider_id,
                "this Wan adapter takes a first frame (and optionally a last frame), not reference images",
                hint="route shots with reference images to a model that takes them (Seedance, Kling)",
            )
        if request.last_frame and not request.first_frame:
            raise ProviderError(self.provider_id, "a last frame needs a first frame")
        source: dict[str, Any] = {"prompt": request.prompt}
        if request.first_frame and request.last_frame:
            source["first_frame_url"] = data_url(request.first_frame)
            source["last_frame_url"] = data_url(request.last_frame)
        elif request.first_frame:
            source["img_url"] = data_url(request.first_frame)
        parameters: dict[str, Any] = {
            "resolution": resolution_tier(self.provider_id, request.width, request.height, RESOLUTIONS),
            "duration": whole_seconds(self.provider_id, request.duration),
            "seed": request.seed,
        }
        if self.prompt_extend is not None:
            parameters["prompt_extend"] = self.prompt_extend
        return {"model": self.model, "input": source, "parameters": parameters}

    def submit(self, request: VideoRequest) -> str:
        reply = self._call(
            "POST",
            "api/v1/services/aigc/video-generation/video-synthesis",
            self.task_body(request),
            headers={"X-DashScope-Async": "enable"},
        )
        task_id = (reply.get("output") or {}).get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise ProviderResponseError(
                self.provider_id, "task creation answered without output.task_id", raw=str(reply)[:2000]
            )
        return task_id

    def poll(self, job_id: str) -> JobStatus:
        reply = self._call("GET", f"api/v1/tasks/{job_id}")
        output = reply.get("output")
        if not isinstance(output, dict):
            raise ProviderResponseError(
                self.provider_id, f"task {job_id}: reply has no output object", raw=str(reply)[:2000]
            )
        status = output.get("task_status")
        if status not in _STATES:
            raise ProviderResponseError(
                self.provider_id, f"task {job_id} has an undocumented status {status!r}", raw=str(reply)[:2000]
            )
        state = _STATES[status]
        if state is JobState.SUCCEEDED:
            if not output.get("video_url"):
                raise ProviderResponseError(
                    self.provider_id, f"task {job_id} succeeded without output.video_url", raw=str(reply)[:2000]
                )
            usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
            spent = (
                Usage(quantity=float(usage["video_duration"]), unit="seconds", raw=usage)
                if usage.get("video_duration")
                else None
            )
            return JobStatus(state=state, results={"video": output["video_url"]}, usage=spent, raw=reply)
        if state is JobState.FAILED:
            code = str(output.get("code") or status)
            if status == "UNKNOWN":
                message = "the task is unknown: its id has expired (24 h) or was never issued by this region"
            elif status == "CANCELED":
                message = "the task was cancelled"
            else:
                message = f"{code}: {output.get('message', '')}"
            return JobStatus(state=state, error=message, moderated=_moderated(code), raw=reply)
        return JobStatus(state=state, raw=reply)



class QwenImage(_DashScopeEndpoint):
    """An ImageModel over multimodal-generation: Qwen-Image 2.0 (from text alone, or with 1-3 references)
    and Qwen-Image-Edit (1-3 references).

    The references go first, in order, then the prompt (``input.messages[0].content``); the prompt
    may name them as "image 1", "image 2"... The result is ``output.choices[0].message.content[].image``.
    Guide maps are not sent: the API has no control-image input.
    """

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 120,
        transport: httpx.BaseTransport | None = None,
        prompt_extend: bool | None = False,
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport)
        # DashScope's default (true) rewrites the prompt; a shot's prompt is written to be followed as is.
        self.prompt_extend = prompt_extend

    def request_body(self, request: ImageRequest) -> dict[str, Any]:
        """The JSON body for ``request`` (also what a dry run shows)."""
        if len(request.references) > MAX_REFERENCES:
            raise ProviderError(
                self.provider_id,
                f"{self.model} takes at most {MAX_REFERENCES} reference images, "
                f"the request has {len(request.references)}",
                hint="route this image to a model that takes more references (Seedream, FLUX.2, gpt-image-1)",
            )
        if not request.references and self.model.startswith("qwen-image-edit"):
            raise ProviderError(
                self.provider_id,
                f"{self.model} edits images: it needs at least one reference image",
                hint="use qwen-image-2.0 or qwen-image-2.0-pro, which also draw from the prompt alone",
            )
        low, high = IMAGE_SIDES
        if not (low <= request.width <= high and low <= request.height <= high):
            raise ProviderError(
                self.provider_id,
                f"{request.width}x{request.height} is outside what {self.model} makes (each side {low}-{high} px)",
                hint="pick another model for this frame size, or change the project's resolution",
            )
        if not 0 <= request.seed <= MAX_SEED:
            raise ProviderError(self.provider_id, f"seed {request.seed} is outside DashScope's range 0-{MAX_SEED}")
        content: list[dict[str, str]] = [{"image": data_url(path)} for path in request.references]
        content.append({"text": request.prompt})
        parameters: dict[str, Any] = {
            "n": 1,
            "size": f"{request.width}*{request.height}",
            "seed": request.seed,
            "watermark": False,
        }
        if request.negative_prompt:
            parameters["negative_prompt"] = request.negative_prompt
        if self.prompt_extend is not None:
            parameters["prompt_extend"] = self.prompt_extend
        return {
            "model": self.model,
            "input": {"messages": [{"role": "user", "content": content}]},
            "parameters": parameters,
        }

    def generate(self, request: ImageRequest, workdir: Path) -> ImageResult:
        reply = self._generate(self.request_body(request))
        url = _result_image(reply)
        if url is None:
            raise ProviderResponseError(
                self.provider_id, "reply has no output.choices[0].message.content[].image", raw=str(reply)[:2000]
            )
        image = self._endpoint.fetch(url)
        suffix = image_suffix(image)
        if suffix == ".bin":
            raise ProviderResponseError(self.provider_id, "the result URL did not serve a PNG, JPEG or WebP image")
        usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
        spent = Usage(quantity=float(usage.get("image_count") or 1), unit="images", raw=usage)
        return ImageResult(image=write_result(workdir, self.provider_id, suffix, image), usage=spent, raw=reply)


class QwenSpeech(_DashScopeEndpoint):
    """A SpeechModel over multimodal-generation (Qwen3-TTS: qwen3-tts-flash and its snapshots).

    ``input`` is ``{text, voice, language_type}``; the reply's ``output.audio.url`` is a WAV file
    that lives 24 hours (``output.audio.data`` carries base64 audio only when streaming). Billing is
    per character, a Han character counting two: ``usage.characters`` is the authoritative count.
    The API takes no speaking rate and no seed.
    """

    def request_body(self, request: SpeechRequest) -> dict[str, Any]:
        """The JSON body for one line."""
        if abs(request.speed - 1.0) > 1e-9:
            raise ProviderError(
                self.provider_id,
                f"Qwen-TTS takes no speaking rate; this line asks for {request.speed:g}x",
                hint="route lines with another rate to a model that takes one (tts-1 speed, volc-tts speed_ratio)",
            )
        if not request.voice:
            raise ProviderError(self.provider_id, "no voice: Qwen-TTS needs one of its voice names (Cherry, Ethan...)")
        return {
            "model": self.model,
            "input": {
                "text": request.text,
                "voice": request.voice,
                "language_type": _language_type(self.provider_id, request.language),
            },
        }

    def speak(self, request: SpeechRequest, workdir: Path) -> SpeechResult:
        reply = self._generate(self.request_body(request))
        output = reply.get("output") if isinstance(reply.get("output"), dict) else {}
        audio = output.get("audio") if isinstance(output.get("audio"), dict) else {}
        raw = {**reply, "output": {**output, "audio": {k: v for k, v in audio.items() if k != "data"}}}
        if audio.get("url"):
            sound = self._endpoint.fetch(str(audio["url"]))
        elif audio.get("data"):
            try:
                sound = base64.b64decode(str(audio["data"]), validate=True)
            except (binascii.Error, ValueError):
                raise ProviderResponseError(self.provider_id, "output.audio.data is not valid base64") from None
        else:
            raise ProviderResponseError(
                self.provider_id, "reply has neither output.audio.url nor output.audio.data", raw=str(raw)[:2000]
            )
        suffix = _audio_suffix(sound)
        if suffix is None:
            raise ProviderResponseError(self.provider_id, "the result is not WAV, MP3 or Ogg audio")
        usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
        characters = usage.get("characters")
        quantity = float(characters) if characters is not None else float(_billed_characters(request.text))
        return SpeechResult(
            audio=write_result(workdir, self.provider_id, suffix, sound),
            usage=Usage(quantity=quantity, unit="characters", raw=usage),
            raw=raw,
        )


def _billed_characters(text: str) -> int:
    """Qwen-TTS's count: a Han character (Chinese, Japanese kanji, Korean hanja) is two, anything else one."""
    return sum(2 if _han(char) else 1 for char in text)


def _han(char: str) -> bool:
    point = ord(char)
    return (
        0x4E00 <= point <= 0x9FFF
        or 0x3400 <= point <= 0x4DBF
        or 0xF900 <= point <= 0xFAFF
        or 0x20000 <= point <= 0x3FFFF
    )


def _language_type(provider_id: str, language: str) -> str:
    if not language:
        return "Auto"
    code = language.replace("_", "-").split("-", 1)[0].lower()
    if code not in LANGUAGE_TYPES:
        raise ProviderError(
            provider_id,
            f"Qwen-TTS does not speak {language!r} (it speaks {', '.join(LANGUAGE_TYPES)})",
            hint="cast this character with a voice from another speech model",
        )
    return LANGUAGE_TYPES[code]


def _result_image(reply: dict[str, Any]) -> str | None:
    """The first image URL of ``output.choices[0].message.content``."""
    try:
        content = reply["output"]["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    for item in content if isinstance(content, list) else []:
        if isinstance(item, dict) and isinstance(item.get("image"), str) and item["image"]:
            return item["image"]
    return None


def _audio_suffix(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return ".wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return ".mp3"
    if data[:4] == b"OggS":
        return ".ogg"
    return None


def factory(settings: dict[str, Any]) -> WanVideo | QwenImage | QwenSpeech | OpenAIChat:
    """Wan video (``modality = "video"``, the default), Qwen-Image (``"image"``), Qwen-TTS (``"speech"``),
    or Qwen chat through DashScope's compatible mode (``"text"``).

    One ``base_url`` (the region's root) serves them all: chat goes to its ``/compatible-mode/v1``.
    """
    modality = settings.get("modality", "video")
    if modality == "text":
        if "base_url" in settings:
            root = str(settings["base_url"]).rstrip("/")
            settings = {
                **settings,
                "base_url": root if root.endswith("/compatible-mode/v1") else f"{root}/compatible-mode/v1",
            }
        return build("dashscope", settings)
    classes: dict[str, type[_DashScopeEndpoint]] = {"video": WanVideo, "image": QwenImage, "speech": QwenSpeech}
    if modality not in classes:
        raise ConfigError(f"provider dashscope: modality must be video, image, speech or text, not {modality!r}")
    return construct(
        classes[modality], settings, provider_id="dashscope", base_url=DEFAULT_BASE_URL, api_key_env="DASHSCOPE_API_KEY"
    )
