"""Volcengine (Doubao) speech over the v1 HTTP API: one line of dialogue in, base64 audio out.

Auth is the header ``Authorization: Bearer;{token}`` — a semicolon, not a space. The body's
``app.token`` is documented as a placeholder with no authorising role, so the real token is
sent only in the header. Success is ``code`` 3000; every other code is mapped below. A refused
token has no code of its own (it comes as 3001, "invalid request", like a malformed body): the
HTTP status 401/403 is what tells it apart, and the exchange maps that.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    RateLimited,
)
from .exchange import HttpProvider, construct, read_key, write_result
from .protocols import SpeechRequest, SpeechResult, Usage

__all__ = ["VolcSpeech", "factory"]

DEFAULT_BASE_URL = "https://openspeech.bytedance.com"

SUCCESS = 3000
_THROTTLED = {3003}  # concurrency over the purchased limit
_TRANSIENT = {3005, 3030, 3031, 3032, 3040}  # busy, timeouts, backend and network errors: the docs say retry
_HINTS = {
    3010: "the text is longer than one request allows (1024 bytes of UTF-8); split the line",
    3011: "the text is empty, only punctuation, or in a language this voice does not speak",
    3050: "the voice_type does not exist or is not enabled for this appid",
}


def _coded_error(provider_id: str, body: dict[str, Any], raw: str) -> ProviderError | None:
    code = body.get("code")
    if not isinstance(code, int) or code == SUCCESS:
        return None
    message = f"code {code}: {body.get('message', '')}"
    if code in _THROTTLED or "quota exceeded for types: concurrency" in str(body.get("message", "")):
        return RateLimited(provider_id, message, raw=raw)
    if code in _TRANSIENT:
        return ProviderTransient(provider_id, message, raw=raw)
    return ProviderError(provider_id, message, raw=raw, hint=_HINTS.get(code))


def _refusal(provider_id: str) -> Any:
    def read(status: int, body: Any, raw: str) -> ProviderError | None:
        if status in (401, 403) or not isinstance(body, dict):
            return None  # a refused token: the exchange's AuthenticationError, not the code's "invalid request"
        return _coded_error(provider_id, body, raw)

    return read


class VolcSpeech(HttpProvider):
    """A SpeechModel over ``POST /api/v1/tts``; ``model`` is the cluster (volcano_tts, volcano_mega, volcano_icl)."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        appid: str,
        model: str = "volcano_tts",
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        audio_format: str = "wav",
        uid: str = "mangaline",
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
        self.appid = appid
        self.audio_format = audio_format
        self.uid = uid

    def request_body(self, request: SpeechRequest, reqid: str) -> dict[str, Any]:
        """The JSON body for one line; ``reqid`` must be unique per call."""
        return {
            "app": {"appid": self.appid, "token": "access_token", "cluster": self.model},
            "user": {"uid": self.uid},
            "audio": {"voice_type": request.voice, "encoding": self.audio_format, "speed_ratio": request.speed},
            "request": {"reqid": reqid, "text": request.text, "text_type": "plain", "operation": "query"},
        }

    def speak(self, request: SpeechRequest, workdir: Path) -> SpeechResult:
        token = read_key(self.provider_id, self.api_key_env)
        body = self.request_body(request, uuid.uuid4().hex)
        response = self._endpoint.send(
            "POST", "api/v1/tts", headers={"Authorization": f"Bearer;{token}"}, json=body, secrets=(token,)
        )
        reply = self._endpoint.json(response, secrets=(token,))
        raw = str({k: v for k, v in reply.items() if k != "data"})[:2000]
        failure = _coded_error(self.provider_id, reply, raw)
        if failure is not None:
            raise failure
        if reply.get("code") != SUCCESS:
            raise ProviderResponseError(self.provider_id, f"reply has no code {SUCCESS}", raw=raw)
        try:
            audio = base64.b64decode(reply.get("data") or "", validate=True)
        except (binascii.Error, ValueError):
            raise ProviderResponseError(self.provider_id, "reply data is not valid base64", raw=raw) from None
        if not audio:
            raise ProviderResponseError(self.provider_id, "reply carries no audio", raw=raw)
        path = write_result(workdir, self.provider_id, f".{self.audio_format}", audio)
        addition = reply.get("addition") if isinstance(reply.get("addition"), dict) else {}
        usage = Usage(quantity=len(request.text), unit="characters", raw=addition)
        return SpeechResult(audio=path, usage=usage, raw={k: v for k, v in reply.items() if k != "data"})


def factory(settings: dict[str, Any]) -> VolcSpeech:
    """Build the Volcengine speech adapter from a settings table (``appid`` is required)."""
    return construct(
        VolcSpeech, settings, provider_id="volc_tts", base_url=DEFAULT_BASE_URL, api_key_env="VOLC_TTS_TOKEN"
    )
