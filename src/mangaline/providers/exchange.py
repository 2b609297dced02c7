"""One HTTP exchange with a provider's API, every failure mapped onto the ProviderError tree.

Shared by the remote provider adapters so that each of them maps statuses the same way:

    transport timeout / connection error / 5xx   -> ProviderTransient
    429 (Retry-After or retry-after-ms honoured)   -> RateLimited(retry_after=seconds)
    401/403 on an API call                         -> AuthenticationError naming the key's variable(s)
    403/404/410 on a result download               -> ResultExpired (a signed URL that expired)
    a refusal the adapter recognises               -> ModerationRejected
    a body that is not the documented JSON         -> ProviderResponseError
    any other non-2xx                              -> ProviderError

No retries, no sleeps: the runtime around providers owns those. Secrets are passed per
call and scrubbed from every message an error carries.
"""

from __future__ import annotations

import base64
import inspect
import json
import math
import os
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from ..atomic import atomic_path
from ..errors import (
    AuthenticationError,
    ConfigError,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    ProviderUnavailable,
    RateLimited,
    ResultExpired,
)

__all__ = [
    "Endpoint",
    "Refusal",
    "aspect_ratio",
    "construct",
    "data_url",
    "image_suffix",
    "media_type",
    "read_key",
    "resolution_tier",
    "whole_seconds",
    "write_result",
]

# An adapter's own reading of a non-2xx reply (status, parsed JSON or None, scrubbed text):
# a specific error, or None to use the default mapping.
Refusal = Callable[[int, Any, str], ProviderError | None]

_RAW_LIMIT = 2000

T = TypeVar("T")


def read_key(provider_id: str, env: str) -> str:
    """The secret held in ``env``, read now (never cached) so a rotated key takes effect at once."""
    value = os.environ.get(env, "").strip()
    if not value:
        raise ProviderUnavailable(
            provider_id,
            f"the environment variable {env} is not set",
            hint=f"export {env} with this provider's key (mangaline never stores keys in the project)",
        )
    return value


def _mpeg_audio(head: bytes) -> bool:
    # an ID3 tag, or an MPEG audio frame sync whose layer bits are set (ADTS AAC has them clear)
    if head[:3] == b"ID3":
        return True
    return len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0


# What an upload is, read from its first bytes: stored objects have no extension to guess from.
# Each entry: media type, file suffix, test on the head of the file.
_SIGNATURES: tuple[tuple[str, str, Callable[[bytes], bool]], ...] = (
    ("image/png", ".png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", ".jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/webp", ".webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ("image/gif", ".gif", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ("audio/wav", ".wav", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WAVE"),
    ("audio/mpeg", ".mp3", _mpeg_audio),
    ("video/mp4", ".mp4", lambda head: head[4:8] == b"ftyp"),
)


def _sniff(head: bytes) -> tuple[str, str] | None:
    for mime, suffix, test in _SIGNATURES:
        if test(head):
            return mime, suffix
    return None


def media_type(path: Path, *, provider_id: str = "upload") -> tuple[str, str]:
    """The media type and file suffix of a local input, read from its magic number, never from its name.

    An input that is none of PNG, JPEG, WEBP, GIF, WAV, MP3 or MP4 is a ProviderError naming the
    file and what its first bytes are, rather than an upload the provider would reject or misread.
    """
    with Path(path).open("rb") as file:
        head = file.read(16)
    found = _sniff(head)
    if found is None:
        raise ProviderError(
            provider_id,
            f"{path} is not an image, audio or video file this upload knows "
            f"(PNG, JPEG, WEBP, GIF, WAV, MP3, MP4); its first bytes are {head!r}",
            hint="re-export the file in one of those formats",
        )
    return found


def data_url(path: Path, *, provider_id: str = "upload") -> str:
    """A local image (or clip, or sound) inlined as a data URL with its real media type, as the JSON APIs want."""
    mime, _ = media_type(path, provider_id=provider_id)
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def image_suffix(data: bytes) -> str:
    """The file suffix for image bytes, read from their magic number (providers differ in what they send)."""
    found = _sniff(data[:16])
    return found[1] if found is not None and found[0].startswith("image/") else ".bin"


def aspect_ratio(provider_id: str, width: int, height: int, allowed: Iterable[str]) -> str:
    """The frame's ratio in the provider's "W:H" spelling; a ratio it does not list is an error, not a guess.

    Sizes are whole even pixels, so 480p 9:16 is 480x854, not exactly 9:16: a listed ratio within half a
    percent of the frame's is the frame's ratio.
    """
    allowed = tuple(allowed)
    shape = width / height
    near = [(abs(int(a) / int(b) / shape - 1.0), f"{a}:{b}") for a, b in (r.split(":") for r in allowed if ":" in r)]
    off, ratio = min(near, default=(1.0, ""))
    if off > 0.005:
        divisor = math.gcd(width, height) or 1
        raise ProviderError(
            provider_id,
            f"{width}x{height} is {width // divisor}:{height // divisor}, which this provider does not generate "
            f"(it takes {', '.join(allowed)})",
            hint="pick another model for this frame, or change the project's aspect",
        )
    return ratio


def resolution_tier(provider_id: str, width: int, height: int, tiers: dict[int, str]) -> str:
    """The smallest tier whose short side covers the frame's short side.

    The editor scales every clip to the project frame, so asking for the tier that covers
    the frame is a choice of quality, not a silent change of the request.
    """
    short = min(width, height)
    for side in sorted(tiers):
        if side >= short:
            return tiers[side]
    raise ProviderError(
        provider_id, f"{width}x{height} is larger than this provider's largest tier ({tiers[max(tiers)]})"
    )


def whole_seconds(provider_id: str, duration: float, allowed: Iterable[int] | None = None) -> int:
    """The clip length to ask for: the shortest allowed whole second count that covers ``duration``.

    Providers bill and generate whole seconds; the editor trims the clip to the shot.
    """
    needed = max(1, math.ceil(duration - 1e-6))
    if allowed is None:
        return needed
    for seconds in sorted(allowed):
        if seconds >= needed:
            return seconds
    raise ProviderError(
        provider_id, f"a {duration:g} s clip is longer than this model makes (at most {max(allowed)} s)"
    )


def construct(cls: type[T], settings: dict[str, Any], **defaults: Any) -> T:
    """Build an adapter from a settings table: keys are the constructor's argument names.

    ``modality`` (used by factories to pick a class) is ignored here; a missing or unknown
    key becomes a ConfigError naming the provider, never a TypeError.
    """
    arguments = {**defaults, **{k: v for k, v in settings.items() if k != "modality"}}
    provider_id = str(arguments.get("provider_id", cls.__name__))
    try:
        bound = inspect.signature(cls).bind(**arguments)
    except TypeError as err:
        raise ConfigError(f"provider {provider_id}: invalid settings for {cls.__name__}: {err}") from None
    return cls(*bound.args, **bound.kwargs)


def write_result(workdir: Path, provider_id: str, suffix: str, data: bytes) -> Path:
    """Write a result atomically under ``workdir`` with a fresh name, so two takes never collide."""
    path = Path(workdir) / f"{provider_id}-{uuid.uuid4().hex[:12]}{suffix}"
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def retry_after(headers: Any) -> float | None:
    """Seconds a 429 or 503 asks us to wait (Retry-After in seconds or as an HTTP date, or retry-after-ms)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Endpoint:
    """An HTTP client for one provider: sends one request, returns the 2xx reply or raises a ProviderError.

    ``key_env`` names the variable(s) holding the provider's key, for the AuthenticationError a
    401 or 403 becomes.
    """

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        refusal: Refusal | None = None,
        key_env: str = "",
    ) -> None:
        self.provider_id = provider_id
        self.key_env = key_env
        self._refusal = refusal
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._client.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
        data: dict[str, Any] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        params: dict[str, Any] | None = None,
        secrets: Iterable[str] = (),
    ) -> httpx.Response:
        """One request; a relative ``url`` joins the base URL, an absolute one (a polling URL) is used as is."""
        secrets = tuple(secrets)
        try:
            response = self._client.request(
                method, url, headers=headers, json=json, data=data, files=files, params=params
            )
        except httpx.TimeoutException as err:
            raise ProviderTransient(
                self.provider_id, f"{method} {self._where(url)} timed out ({type(err).__name__})"
            ) from None
        except httpx.TransportError as err:
            raise ProviderTransient(
                self.provider_id,
                f"{method} {self._where(url)} failed: {_scrub(str(err), secrets) or type(err).__name__}",
            ) from None
        if response.is_success:
            return response
        raise self._failure(method, url, response, secrets)

    def json(self, response: httpx.Response, *, secrets: Iterable[str] = ()) -> dict[str, Any]:
        """The reply's JSON object, or ProviderResponseError quoting what came instead."""
        secrets = tuple(secrets)
        try:
            # Parsed from scrubbed text, so a key a server echoes never reaches a result or an error.
            body = json.loads(_scrub(response.text, secrets))
        except ValueError:
            raw = _scrub(response.text[:_RAW_LIMIT], secrets)
            raise ProviderResponseError(
                self.provider_id,
                f"{response.request.method} {self._where(str(response.request.url))} answered "
                f"{response.status_code} with a body that is not JSON: {raw[:200]!r}",
                raw=raw,
            ) from None
        if not isinstance(body, dict):
            raise ProviderResponseError(
                self.provider_id,
                f"expected a JSON object, got {type(body).__name__}",
                raw=_scrub(response.text[:_RAW_LIMIT], secrets),
            )
        return body

    def fetch(self, url: str) -> bytes:
        """Download a result URL; it carries its own authorisation, so no key is sent with it."""
        try:
            response = self._client.get(url)
        except httpx.TimeoutException:
            raise ProviderTransient(self.provider_id, f"download of {self._where(url)} timed out") from None
        except httpx.TransportError as err:
            raise ProviderTransient(self.provider_id, f"download of {self._where(url)} failed: {err}") from None
        if response.status_code in (403, 404, 410):
            raise ResultExpired(
                self.provider_id,
                f"result URL answered {response.status_code}: it has expired or was never issued",
                raw=response.text[:_RAW_LIMIT],
            )
        if not response.is_success:
            raise self._failure("GET", url, response, (), api=False)
        return response.content

    def _where(self, url: str) -> str:
        # Query strings of signed result URLs are credentials of a sort and make messages unreadable.
        return str(httpx.URL(url).copy_with(query=None)) if "://" in url else url

    def _failure(
        self, method: str, url: str, response: httpx.Response, secrets: tuple[str, ...], *, api: bool = True
    ) -> ProviderError:
        raw = _scrub(response.text[:_RAW_LIMIT], secrets)
        try:
            body: Any = json.loads(_scrub(response.text, secrets))
        except ValueError:
            body = None
        if self._refusal is not None:
            specific = self._refusal(response.status_code, body, raw)
            if specific is not None:
                return specific
        status = response.status_code
        message = f"{method} {self._where(url)} answered {status}: {raw[:300]}"
        if status == 429:
            return RateLimited(self.provider_id, message, retry_after=retry_after(response.headers), raw=raw)
        if status >= 500 or status == 408:
            return ProviderTransient(self.provider_id, message, raw=raw)
        if api and status in (401, 403):
            return AuthenticationError(
                self.provider_id,
                f"the key was refused: {message}",
                key_env=self.key_env,
                raw=raw,
                hint=self._key_hint(status),
            )
        return ProviderError(self.provider_id, message, raw=raw)

    def _key_hint(self, status: int) -> str:
        where = f"the key in {self.key_env}" if self.key_env else "the key"
        if status == 401:
            return f"check {where}: that it is set to a current key, and that the key belongs to this endpoint's region"
        return (
            f"check {where}: that it is current, belongs to this endpoint's region, and is allowed to use "
            "this model (some consoles enable models per key or per account)"
        )


class HttpProvider:
    """What every HTTP adapter shares: its id, its model, the variable holding its key, and one Endpoint."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        refusal: Any = None,
        key_env: str | None = None,
    ) -> None:
        self.provider_id = provider_id
        self.model = model
        self.api_key_env = api_key_env
        # the variable(s) a refused key is reported under: the one key variable unless an adapter has more
        self._endpoint = Endpoint(
            provider_id,
            base_url,
            timeout=timeout,
            transport=transport,
            refusal=refusal,
            key_env=api_key_env if key_env is None else key_env,
        )

    def close(self) -> None:
        self._endpoint.close()
