"""One narrow protocol per modality: what every provider implements, and nothing more.

Retries, rate limits, timeouts, the remote-job journal, downloads, cost and caching are
written once around these (providers/runtime.py), never inside a provider.

    TextModel.complete(TextRequest)            -> TextResult        synchronous
    ImageModel.generate(ImageRequest, workdir) -> ImageResult       synchronous (or the adapter polls a short job)
    SpeechModel.speak(SpeechRequest, workdir)  -> SpeechResult      synchronous
    VideoModel.submit(VideoRequest)            -> str (job id)      remote jobs: the runtime journals the id,
    VideoModel.poll(job_id)                    -> JobStatus         then polls and downloads the results

Every request and result is plain data; file inputs are local paths (an adapter uploads
or inlines them as its API wants), file outputs are written under the given workdir.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "ImageModel",
    "ImageRequest",
    "ImageResult",
    "JobState",
    "JobStatus",
    "Modality",
    "SpeechModel",
    "SpeechRequest",
    "SpeechResult",
    "TextModel",
    "TextRequest",
    "TextResult",
    "Usage",
    "VideoModel",
    "VideoRequest",
]


class Modality(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    SPEECH = "speech"


@dataclass(frozen=True)
class Usage:
    """What the provider says was consumed, in its own unit, and the cost when it states one."""

    quantity: float
    unit: str  # tokens, seconds, images, characters, megapixels, credits
    cost: float | None = None
    currency: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextRequest:
    messages: list[dict[str, str]]
    json_schema: dict[str, Any] | None = None
    temperature: float | None = None
    max_tokens: int | None = None


@dataclass(frozen=True)
class TextResult:
    content: str
    finish_reason: str | None = None
    usage: Usage | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    width: int
    height: int
    references: tuple[Path, ...] = ()
    guides: dict[str, Path] = field(default_factory=dict)  # depth, edges, pose, mask:<name>
    seed: int = 0
    negative_prompt: str | None = None


@dataclass(frozen=True)
class ImageResult:
    image: Path
    usage: Usage | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SpeechRequest:
    text: str
    voice: str
    language: str
    speed: float = 1.0


@dataclass(frozen=True)
class SpeechResult:
    audio: Path
    usage: Usage | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VideoRequest:
    prompt: str
    duration: float
    width: int
    height: int
    fps: int = 24
    first_frame: Path | None = None
    last_frame: Path | None = None
    references: tuple[Path, ...] = ()
    seed: int = 0
    audio: bool = False
    return_last_frame: bool = False


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class JobStatus:
    """One poll of a remote job; on success ``results`` maps a name (video, last_frame) to a URL to fetch now."""

    state: JobState
    results: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    moderated: bool = False
    usage: Usage | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class TextModel(Protocol):
    def complete(self, request: TextRequest) -> TextResult: ...


@runtime_checkable
class ImageModel(Protocol):
    def generate(self, request: ImageRequest, workdir: Path) -> ImageResult: ...


@runtime_checkable
class SpeechModel(Protocol):
    def speak(self, request: SpeechRequest, workdir: Path) -> SpeechResult: ...


@runtime_checkable
class VideoModel(Protocol):
    def submit(self, request: VideoRequest) -> str: ...

    def poll(self, job_id: str) -> JobStatus: ...
