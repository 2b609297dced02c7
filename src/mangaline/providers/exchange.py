"""One HTTP exchange with a provider's API, every failure mapped onto the ProviderError tree.

Shared by the remote provider adapters so that each of them maps statuses the same way:

    transport timeout / connection error / 5xx   -> ProviderTransient
    429 (Retry-After or retry-after-ms honoured)   -> RateLimited(retry_after=seconds)
    403/404/410 on a result download               -> ResultExpired
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
import mimetypes
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


def data_url(path: Path) -> str:
    """A local image inlined as a data URL, the form the JSON APIs accept for uploads."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode('ascii')}"


def image_suffix(data: bytes) -> str:
    """The file suffix for image bytes, read from their magic number (providers differ in what they send)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ".bin"


def aspect_ratio(provider_id: str, width: int, height: int, allowed: Iterable[str]) -> str:
    """The frame's ratio in the provider's "W:H" spelling; a ratio it does not list is an error, not a guess."""
    divisor = math.gcd(width, height) or 1
    ratio = f"{width // divisor}:{height // divisor}"
    allowed = tuple(allowed)
    if ratio not in allowed:
        raise ProviderError(
            provider_id,
            f"{width}x{height} is {ratio}, which this provider does not generate (it takes {', '.join(allowed)})",
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
    """An HTTP client for one provider: sends one request, returns the 2xx reply or raises a ProviderError."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        refusal: Refusal | None = None,
    ) -> None:
        self.provider_id = provider_id
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
        secrets: Iterable[str] = (),
    ) -> httpx.Response:
        """One request; a relative ``url`` joins the base URL, an absolute one (a polling URL) is used as is."""
        secrets = tuple(secrets)
        try:
            response = self._client.request(method, url, headers=headers, json=json, data=data, files=files)
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
            raise self._failure("GET", url, response, ())
        return response.content

    def _where(self, url: str) -> str:
        # Query strings of signed result URLs are credentials of a sort and make messages unreadable.
        return str(httpx.URL(url).copy_with(query=None)) if "://" in url else url

    def _failure(self, method: str, url: str, response: httpx.Response, secrets: tuple[str, ...]) -> ProviderError:
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
        hint = "check the key and that it belongs to this endpoint's region" if status in (401, 403) else None
        return ProviderError(self.provider_id, message, raw=raw, hint=hint)


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
    ) -> None:
        self.provider_id = provider_id
        self.model = model
        self.api_key_env = api_key_env
        self._endpoint = Endpoint(provider_id, base_url, timeout=timeout, transport=transport, refusal=refusal)

    def close(self) -> None:
        self._endpoint.close()
