"""OpenAI-compatible endpoints: chat completions, image generation and edits, and speech.

One wire format serves OpenAI, DeepSeek, Qwen (compatible mode), Doubao (Ark), Kimi, GLM and
local vLLM/Ollama servers; what differs between them is passed as flags, never guessed:

    json_schema   the endpoint honours response_format json_schema with strict (OpenAI, newer Qwen/Doubao)
    json_object   the endpoint honours response_format json_object (DeepSeek, GLM, most others)
    thinking      "enabled"/"disabled", sent as thinking={type: ...} for models with a reasoning switch

An empty ``api_key_env`` means the server needs no key (a local vLLM or Ollama).
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    ConfigError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
)
from .exchange import HttpProvider, Endpoint, construct, image_suffix, media_type, read_key, write_result
from .protocols import (
    ImageRequest,
    ImageResult,
    SpeechRequest,
    SpeechResult,
    TextRequest,
    TextResult,
    Usage,
)

__all__ = [
    "PRESETS",
    "OpenAIChat",
    "OpenAIImages",
    "OpenAISpeech",
    "build",
    "deepseek_factory",
    "factory",
    "glm_factory",
    "image_size",
    "kimi_factory",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

# Error codes with which OpenAI-compatible servers refuse content (OpenAI images, Azure, Qwen, Doubao).
_MODERATION_CODES = {"content_policy_violation", "moderation_blocked", "content_filter", "data_inspection_failed"}


def _refusal(provider_id: str) -> Any:
    def read(status: int, body: Any, raw: str) -> ProviderError | None:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return None
        code = str(error.get("code") or error.get("type") or "")
        if code.lower() in _MODERATION_CODES or "sensitivecontent" in code.lower():
            return ModerationRejected(provider_id, f"content refused ({code}): {error.get('message', '')}", raw=raw)
        return None

    return read


class _OpenAIEndpoint(HttpProvider):
    """What the three OpenAI-compatible adapters share: the key, the auth header, the endpoint."""

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

    def _auth(self) -> tuple[dict[str, str], tuple[str, ...]]:
        if not self.api_key_env:
            return {}, ()
        key = read_key(self.provider_id, self.api_key_env)
        return {"Authorization": f"Bearer {key}"}, (key,)

    def _post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers, secrets = self._auth()
        response = self._endpoint.send("POST", path, headers=headers, json=body, secrets=secrets)
        return self._endpoint.json(response, secrets=secrets)


class OpenAIChat(_OpenAIEndpoint):
    """A TextModel over ``/chat/completions``."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        json_schema: bool = False,
        json_object: bool = True,
        thinking: str | None = None,
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport)
        if thinking not in (None, "enabled", "disabled"):
            raise ConfigError(f"provider {provider_id}: thinking must be 'enabled' or 'disabled', not {thinking!r}")
        self.json_schema = json_schema
        self.json_object = json_object
        self.thinking = thinking

    def complete(self, request: TextRequest) -> TextResult:
        body: dict[str, Any] = {"model": self.model, "messages": list(request.messages)}
        if request.json_schema is not None:
            if self.json_schema:
                name = re.sub(r"[^A-Za-z0-9_-]", "_", str(request.json_schema.get("title") or "reply"))[:64]
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": name, "schema": request.json_schema, "strict": True},
                }
            elif self.json_object:
                body["response_format"] = {"type": "json_object"}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_tokens is not None:
            body["max_tokens"] = request.max_tokens
        if self.thinking is not None:
            body["thinking"] = {"type": self.thinking}
        reply = self._post_json("chat/completions", body)
        try:
            choice = reply["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise ProviderResponseError(
                self.provider_id, "chat reply has no choices[0].message", raw=str(reply)[:2000]
            ) from None
        finish_reason = choice.get("finish_reason")
        if message.get("refusal"):
            raise ModerationRejected(
                self.provider_id, f"the model refused: {message['refusal']}", raw=str(message["refusal"])
            )
        if finish_reason == "content_filter":
            raise ModerationRejected(
                self.provider_id, "the reply was withheld by the content filter", raw=str(reply)[:2000]
            )
        content = message.get("content")
        if not isinstance(content, str):
            raise ProviderResponseError(
                self.provider_id,
                f"chat reply has no text content (finish_reason={finish_reason})",
                raw=str(reply)[:2000],
            )
        if request.json_schema is not None and not content.strip():
            # DeepSeek documents blank replies in JSON mode; a new attempt usually succeeds.
            raise ProviderTransient(self.provider_id, "the model returned a blank reply in JSON mode")
        return TextResult(content=content, finish_reason=finish_reason, usage=_token_usage(reply), raw=reply)


class OpenAIImages(_OpenAIEndpoint):
    """An ImageModel over ``/images/generations``, or ``/images/edits`` when the request has references.

    The API takes no structure guides or negative prompt; those parts of the request are not sent.
    """

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        response_format: str | None = None,
        quality: str | None = None,
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport)
        self.response_format = response_format
        self.quality = quality

    def generate(self, request: ImageRequest, workdir: Path) -> ImageResult:
        fields: dict[str, Any] = {
            "model": self.model,
            "prompt": request.prompt,
            "size": image_size(self.model, request.width, request.height),
            "n": 1,
        }
        if self.response_format:
            fields["response_format"] = self.response_format
        if self.quality:
            fields["quality"] = self.quality
        headers, secrets = self._auth()
        if request.references:
            # gpt-image models take several references as image[]; older models take a single image.
            field_name = "image[]" if len(request.references) > 1 else "image"
            files = []
            for path in request.references:
                # the server reads the type from the part and the name: stored objects have no extension
                mime, suffix = media_type(path, provider_id=self.provider_id)
                files.append((field_name, (f"{Path(path).stem}{suffix}", Path(path).read_bytes(), mime)))
            response = self._endpoint.send(
                "POST",
                "images/edits",
                headers=headers,
                data={k: str(v) for k, v in fields.items()},
                files=files,
                secrets=secrets,
            )
        else:
            response = self._endpoint.send("POST", "images/generations", headers=headers, json=fields, secrets=secrets)
        reply = self._endpoint.json(response, secrets=secrets)
        image = _first_image(self.provider_id, reply, self._endpoint)
        usage = _token_usage(reply) or Usage(quantity=1, unit="images")
        path = write_result(workdir, self.provider_id, image_suffix(image), image)
        return ImageResult(image=path, usage=usage, raw=_without_payload(reply))


class OpenAISpeech(_OpenAIEndpoint):
    """A SpeechModel over ``/audio/speech``; the reply body is the audio itself."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        audio_format: str = "wav",
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport)
        self.audio_format = audio_format

    def speak(self, request: SpeechRequest, workdir: Path) -> SpeechResult:
        body = {
            "model": self.model,
            "input": request.text,
            "voice": request.voice,
            "response_format": self.audio_format,
            "speed": request.speed,
        }
        headers, secrets = self._auth()
        response = self._endpoint.send("POST", "audio/speech", headers=headers, json=body, secrets=secrets)
        kind = response.headers.get("content-type", "")
        if "json" in kind or "text/" in kind or not response.content:
            raise ProviderResponseError(
                self.provider_id,
                f"/audio/speech answered {kind or 'no content type'} instead of audio",
                raw=response.text[:2000],
            )
        path = write_result(workdir, self.provider_id, f".{self.audio_format}", response.content)
        return SpeechResult(
            audio=path, usage=Usage(quantity=len(request.text), unit="characters"), raw={"content_type": kind}
        )


# gpt-image models make three sizes only; the caller crops the picture to its frame
_GPT_IMAGE_SIZES = {"portrait": "1024x1536", "landscape": "1536x1024", "square": "1024x1024"}


def image_size(model: str, width: int, height: int) -> str:
    """The ``size`` to ask for: the frame's own for models that take any, the nearest documented one for gpt-image."""
    if not model.startswith("gpt-image"):
        return f"{width}x{height}"
    ratio = width / height
    shape = "portrait" if ratio < 0.9 else "landscape" if ratio > 1.1 else "square"
    return _GPT_IMAGE_SIZES[shape]


def _token_usage(reply: dict[str, Any]) -> Usage | None:
    usage = reply.get("usage")
    if not isinstance(usage, dict):
        return None
    total = usage.get("total_tokens")
    if total is None:
        total = (usage.get("prompt_tokens") or usage.get("input_tokens") or 0) + (
            usage.get("completion_tokens") or usage.get("output_tokens") or 0
        )
    return Usage(quantity=float(total), unit="tokens", raw=usage)


def _first_image(provider_id: str, reply: dict[str, Any], endpoint: Endpoint) -> bytes:
    try:
        item = reply["data"][0]
    except (KeyError, IndexError, TypeError):
        raise ProviderResponseError(
            provider_id, "image reply has no data[0]", raw=str(_without_payload(reply))[:2000]
        ) from None
    if item.get("b64_json"):
        try:
            return base64.b64decode(item["b64_json"], validate=True)
        except (binascii.Error, ValueError):
            raise ProviderResponseError(provider_id, "data[0].b64_json is not valid base64") from None
    if item.get("url"):
        return endpoint.fetch(item["url"])
    raise ProviderResponseError(provider_id, "data[0] has neither b64_json nor url", raw=str(item)[:2000])


def _without_payload(reply: dict[str, Any]) -> dict[str, Any]:
    """The reply minus base64 image bodies, so a take's provenance stays small."""
    data = reply.get("data")
    if not isinstance(data, list):
        return reply
    return {
        **reply,
        "data": [
            {k: v for k, v in item.items() if k != "b64_json"} if isinstance(item, dict) else item for item in data
        ],
    }


_MODALITIES: dict[str, type[_OpenAIEndpoint]] = {"text": OpenAIChat, "image": OpenAIImages, "speech": OpenAISpeech}

# Each vendor's documented root, key variable and chat capabilities; settings override any of them.
PRESETS: dict[str, dict[str, Any]] = {
    "openai": {"base_url": DEFAULT_BASE_URL, "api_key_env": "OPENAI_API_KEY", "json_schema": True},
    "deepseek": {"base_url": "https://api.deepseek.com", "api_key_env": "DEEPSEEK_API_KEY", "json_object": True},
    "kimi": {"base_url": "https://api.moonshot.cn/v1", "api_key_env": "MOONSHOT_API_KEY", "json_object": True},
    "glm": {"base_url": "https://open.bigmodel.cn/api/paas/v4", "api_key_env": "ZHIPUAI_API_KEY", "json_object": True},
    "dashscope": {
        "base_url": "https://dashscope.aliyuncs.com/compatible-mode/v1",
        "api_key_env": "DASHSCOPE_API_KEY",
        "json_object": True,
    },
    "ark": {"base_url": "https://ark.cn-beijing.volces.com/api/v3", "api_key_env": "ARK_API_KEY", "json_object": True},
}


def build(preset: str, settings: dict[str, Any]) -> OpenAIChat | OpenAIImages | OpenAISpeech:
    """Build the adapter ``settings["modality"]`` names (text, image or speech) over a vendor's defaults."""
    modality = settings.get("modality", "text")
    if modality not in _MODALITIES:
        raise ConfigError(
            f"provider {settings.get('provider_id', preset)}: modality must be one of {', '.join(_MODALITIES)}, not {modality!r}"
        )
    defaults = {"provider_id": preset, **PRESETS.get(preset, {})}
    if modality != "text":
        defaults = {k: v for k, v in defaults.items() if k not in ("json_schema", "json_object")}
    return construct(_MODALITIES[modality], settings, **defaults)


def factory(settings: dict[str, Any]) -> OpenAIChat | OpenAIImages | OpenAISpeech:
    """Entry point ``openai`` (also any OpenAI-compatible server, given its base_url and api_key_env)."""
    return build("openai", settings)


def deepseek_factory(settings: dict[str, Any]) -> OpenAIChat | OpenAIImages | OpenAISpeech:
    """Entry point ``deepseek``."""
    return build("deepseek", settings)


def kimi_factory(settings: dict[str, Any]) -> OpenAIChat | OpenAIImages | OpenAISpeech:
    """Entry point ``kimi`` (Moonshot)."""
    return build("kimi", settings)


def glm_factory(settings: dict[str, Any]) -> OpenAIChat | OpenAIImages | OpenAISpeech:
    """Entry point ``glm`` (Zhipu BigModel)."""
    return build("glm", settings)
