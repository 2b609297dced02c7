"""ElevenLabs sound over its v1 HTTP API: sound effects and music from a description, the audio bytes in the reply.

    sound_effects   POST /v1/sound-generation?output_format=...   {text, duration_seconds (0.5-30), prompt_influence,
                                                                   loop, model_id: eleven_text_to_sound_v2}
    music           POST /v1/music?output_format=...              {prompt, music_length_ms (10 000-300 000),
                                                                   model_id: music_v1, force_instrumental, seed}

The key goes in the header ``xi-api-key``. Both answer 200 with the audio itself (MP3 unless ``output_format`` asks
otherwise). Shapes as read from ElevenLabs' API reference (elevenlabs.io/docs/api-reference/sound-generation, which
also states the price: 25 credits a second with a set duration) and its Python SDK, generated from the same API
definition (elevenlabs/elevenlabs-python: src/elevenlabs/text_to_sound_effects/raw_client.py, music/raw_client.py:
the body fields, the output_format query parameter and its values, music_length_ms' range); force_instrumental is in
the current music reference (the SDK's older body lacks it).

MP3 is the default because every plan may ask for it; ``pcm_<rate>`` (raw 16-bit little-endian mono samples, Pro
plans and up for 44.1 kHz) is kept as a WAV. A loop is asked of the effects model itself (``loop``, a v2 model only);
the sound department folds every loop it is given, whatever made it.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import httpx

from ..errors import ConfigError, ProviderError, ProviderResponseError
from .exchange import HttpProvider, _sniff, construct, read_key, write_result
from .protocols import SoundRequest, SoundResult

__all__ = ["ElevenLabsEffects", "ElevenLabsMusic", "factory"]

DEFAULT_BASE_URL = "https://api.elevenlabs.io"
DEFAULT_FORMAT = "mp3_44100_128"

EFFECT_SECONDS = (0.5, 30.0)
MUSIC_MS = (10_000, 300_000)


def _wav(pcm: bytes, rate: int) -> bytes:
    """Raw mono 16-bit samples with the RIFF header a decoder needs."""
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1, 1, rate, rate * 2, 2, 16,
                         b"data", len(pcm))
    return header + pcm


class _ElevenLabsEndpoint(HttpProvider):
    """What both sound endpoints share: the key header, the output format, and an audio reply read from its bytes."""

    path = ""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 120,
        transport: httpx.BaseTransport | None = None,
        output_format: str = DEFAULT_FORMAT,
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport)
        if not output_format.startswith(("mp3_", "pcm_")):
            raise ConfigError(f"provider {provider_id}: output_format {output_format!r} is neither mp3_* nor pcm_*",
                              hint="leave it unset (mp3_44100_128), or ask for pcm_48000 on a plan that allows it")
        self.output_format = output_format

    def body(self, request: SoundRequest) -> dict[str, Any]:
        raise NotImplementedError

    def compose(self, request: SoundRequest, workdir: Path) -> SoundResult:
        key = read_key(self.provider_id, self.api_key_env)
        response = self._endpoint.send("POST", self.path, headers={"xi-api-key": key}, json=self.body(request),
                                       params={"output_format": self.output_format}, secrets=(key,))
        audio = response.content
        if self.output_format.startswith("pcm_"):
            if not audio or len(audio) % 2:
                raise ProviderResponseError(self.provider_id, f"{len(audio)} bytes are not 16-bit PCM samples")
            data, suffix = _wav(audio, int(self.output_format.split("_")[1])), ".wav"
        else:
            found = _sniff(audio[:16])
            if found is None or not found[0].startswith("audio/"):
                raise ProviderResponseError(
                    self.provider_id, f"the reply is not audio ({response.headers.get('content-type', '?')}, "
                                      f"{len(audio)} bytes, starting {audio[:16]!r})", raw=audio[:200].decode("utf-8", "replace"))
            data, suffix = audio, found[1]
        path = write_result(workdir, self.provider_id, suffix, data)
        return SoundResult(audio=path, raw={"output_format": self.output_format,
                                            "request_id": response.headers.get("request-id", "")})


class ElevenLabsEffects(_ElevenLabsEndpoint):
    """A SoundModel over ``POST /v1/sound-generation``: one effect of a set length, looped if asked."""

    path = "v1/sound-generation"

    def __init__(
        self, provider_id: str, base_url: str, api_key_env: str, *, model: str = "eleven_text_to_sound_v2",
        timeout: float = 120, transport: httpx.BaseTransport | None = None, output_format: str = DEFAULT_FORMAT,
        prompt_influence: float = 0.3,
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport,
                         output_format=output_format)
        self.prompt_influence = prompt_influence

    def body(self, request: SoundRequest) -> dict[str, Any]:
        low, high = EFFECT_SECONDS
        if not low <= request.duration <= high:
            raise ProviderError(self.provider_id, f"a {request.duration:g} s effect is outside {low:g}-{high:g} s")
        return {"text": request.prompt, "duration_seconds": round(request.duration, 2),
                "prompt_influence": self.prompt_influence, "loop": request.loop, "model_id": self.model}


class ElevenLabsMusic(_ElevenLabsEndpoint):
    """A SoundModel over ``POST /v1/music``: an instrumental piece of a set length from a prompt."""

    path = "v1/music"

    def __init__(
        self, provider_id: str, base_url: str, api_key_env: str, *, model: str = "music_v1", timeout: float = 120,
        transport: httpx.BaseTransport | None = None, output_format: str = DEFAULT_FORMAT,
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport,
                         output_format=output_format)

    def body(self, request: SoundRequest) -> dict[str, Any]:
        low, high = MUSIC_MS
        length = round(request.duration * 1000)
        if not low <= length <= high:
            raise ProviderError(self.provider_id, f"{request.duration:g} s of music is outside {low // 1000}-{high // 1000} s")
        # a bed sits under dialogue: never a sung line
        return {"prompt": request.prompt, "music_length_ms": length, "model_id": self.model,
                "force_instrumental": True, "seed": request.seed}


_MODALITIES: dict[str, type[_ElevenLabsEndpoint]] = {"sound_effects": ElevenLabsEffects, "music": ElevenLabsMusic}


def factory(settings: dict[str, Any]) -> ElevenLabsEffects | ElevenLabsMusic:
    """Entry point ``elevenlabs``: the adapter ``settings["modality"]`` names (sound_effects or music)."""
    modality = settings.get("modality", "sound_effects")
    if modality not in _MODALITIES:
        raise ConfigError(f"provider elevenlabs: modality must be one of {', '.join(_MODALITIES)}, not {modality!r}")
    return construct(_MODALITIES[modality], settings, provider_id="elevenlabs", base_url=DEFAULT_BASE_URL,
                     api_key_env="ELEVENLABS_API_KEY")
