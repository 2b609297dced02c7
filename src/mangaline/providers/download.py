"""Fetch a result URL at once: streamed to a temp file, size-capped, content-type checked, expiry reported."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import httpx

from ..atomic import atomic_path
from ..errors import (
    ProviderResponseError,
    ProviderTransient,
    RateLimited,
    ResultExpired,
)

__all__ = ["ACCEPTED_TYPES", "DEFAULT_MAX_BYTES", "Downloaded", "fetch_result"]

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
ACCEPTED_TYPES = ("video/mp4", "image/png", "image/jpeg", "image/webp", "audio/*")
_SUFFIX = {"video/mp4": ".mp4", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "audio/mpeg": ".mp3",
           "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/ogg": ".ogg", "audio/aac": ".aac"}


@dataclass(frozen=True)
class Downloaded:
    """A result saved on disk, with what the server said it was."""

    path: Path
    content_type: str
    size: int
    sha256: str


def _accepted(content_type: str, accept: tuple[str, ...]) -> bool:
    for pattern in accept:
        if pattern.endswith("/*") and content_type.startswith(pattern[:-1]):
            return True
        if content_type == pattern:
            return True
    return False


def fetch_result(
    url: str,
    dest: Path,
    *,
    provider: str,
    accept: tuple[str, ...] = ACCEPTED_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 120.0,
    client: httpx.Client | None = None,
) -> Downloaded:
    """Stream ``url`` into ``dest`` (atomically); ``dest`` without a suffix gets one from the content type.

    403/404/410 mean the signed URL expired (ResultExpired: poll again for a fresh one); 429 and
    5xx are transient; a wrong content type or a body over ``max_bytes`` is a ProviderResponseError.
    """
    owned = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=True)
    where = url.split("?", 1)[0]  # signed URLs carry credentials in the query: never log them
    try:
        with client.stream("GET", url, timeout=timeout) as response:
            status = response.status_code
            if status in (403, 404, 410):
                raise ResultExpired(provider, f"result URL answered {status}: {where}")
            if status == 429:
                raise RateLimited(provider, f"result URL answered 429: {where}", retry_after=_retry_after(response))
            if status >= 500:
                raise ProviderTransient(provider, f"result URL answered {status}: {where}")
            if status != 200:
                raise ProviderResponseError(provider, f"result URL answered {status}: {where}")
            content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if not _accepted(content_type, accept):
                raise ProviderResponseError(
                    provider,
                    f"result {where} is {content_type or 'untyped'}, expected {', '.join(accept)}",
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ProviderResponseError(
                    provider, f"result {where} is {int(declared)} bytes, over the {max_bytes}-byte limit"
                )
            if not dest.suffix:
                dest = dest.with_suffix(_SUFFIX.get(content_type, ".bin"))
            digest = hashlib.sha256()
            size = 0
            with atomic_path(dest) as tmp, tmp.open("wb") as out:
                for chunk in response.iter_bytes(1 << 16):
                    size += len(chunk)
                    if size > max_bytes:
                        # the server may lie about, or omit, the length: count what actually arrives
                        raise ProviderResponseError(provider, f"result {where} passed the {max_bytes}-byte limit")
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                dest.unlink(missing_ok=True)
                raise ProviderResponseError(provider, f"result {where} is empty")
            return Downloaded(dest, content_type, size, digest.hexdigest())
    except httpx.TimeoutException as err:
        raise ProviderTransient(provider, f"downloading {where} timed out ({type(err).__name__})") from None
    except httpx.TransportError as err:
        raise ProviderTransient(provider, f"downloading {where} failed: {type(err).__name__}: {err}") from None
    finally:
        if owned:
            client.close()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
