"""One narrow protocol per modality: what every provider implements, and nothing more.

Retries, rate limits, timeouts, the remote-job journal, downloads, cost and caching are
written once around these (providers/runtime.py), never inside a provider.

    TextModel.complete(TextRequest)            -> TextResult        synchronous
    ImageModel.generate(ImageRequest, workdir) -> ImageResult       synchronous (or the adapter polls a short job)
    SpeechModel.speak(SpeechRequest, workdir)  -> SpeechResult      synchronous
    VideoModel.submit(VideoRequest)            -> str (job id)      remote jobs: the runtime journals the id,
    VideoModel.poll(job_id)                    -> JobStatus         then polls and downloads the results
    LocalVideoModel.animate(VideoRequest, workdir) -> VideoResult   a model that runs here and now (the draft)
    SoundModel.compose(SoundRequest, workdir)  -> SoundResult       synchronous: a music bed or a sound effect

Every request and result is plain data; file inputs are local paths (an adapter uploads
or inlines them as its API wants), file outputs are written under the given workdir.

A request's ``brief`` is the same task as structured data (a shot's layout, a character's
design, a voice's pitch): remote models read the prompt and the references, a local renderer
such as the built-in draft provider draws from the brief. It counts in the request's cache key.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
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
    "LipSyncRequest",
    "LocalVideoModel",
    "Modality",
    "SpeechModel",
    "SpeechRequest",
    "SoundModel",
    "SoundRequest",
    "SoundResult",
    "SpeechResult",
    "TaskLookup",
    "TextModel",
    "TextRequest",
    "TextResult",
    "Usage",
    "VideoModel",
    "VideoRequest",
    "VideoResult",
]


class Modality(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    SPEECH = "speech"
    LIPSYNC = "lipsync"
    MUSIC = "music"
    SOUND_EFFECTS = "sound_effects"


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
    brief: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImageResult:
    """The image, and any other files the model made with it (a local renderer's layers and guide maps)."""

    image: Path
    usage: Usage | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class SpeechRequest:
    text: str
    voice: str
    language: str
    speed: float = 1.0
    seed: int = 0
    brief: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SpeechResult:
    audio: Path
    usage: Usage | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SoundRequest:
    """A music bed or a sound effect described in words, ``duration`` seconds long; ``loop`` asks for one whose end
    runs into its start (a bed, rain), where the model offers it."""

    prompt: str
    duration: float
    loop: bool = False
    seed: int = 0
    brief: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SoundResult:
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
    brief: Mapping[str, Any] = field(default_factory=dict)
    reference_videos: tuple[Path, ...] = ()
    """Made clips the model makes again (a reframe: the same shot in another frame), for models that take videos."""


@dataclass(frozen=True)
class LipSyncRequest:
    """A made clip and the shot's dialogue mixed to its length: the mouths redrawn to the voices.

    ``source_job`` is the job that made the clip, for providers that lip-sync only videos they made.
    """

    video: Path
    audio: Path
    duration: float
    width: int
    height: int
    source_job: str = ""
    seed: int = 0


@dataclass(frozen=True)
class VideoResult:
    """What a local video model made: its files by name (a clip, or a plan the edit renders)."""

    files: dict[str, Path]
    usage: Usage | None = None
    raw: dict[str, Any] = field(default_factory=dict)


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
class SoundModel(Protocol):
    def compose(self, request: SoundRequest, workdir: Path) -> SoundResult: ...


@runtime_checkable
class VideoModel(Protocol):
    def submit(self, request: VideoRequest) -> str: ...

    def poll(self, job_id: str) -> JobStatus: ...


@runtime_checkable
class LocalVideoModel(Protocol):
    def animate(self, request: VideoRequest, workdir: Path) -> VideoResult: ...


@runtime_checkable
class TaskLookup(Protocol):
    """A VideoModel that can find a task it created, for a submit whose reply was lost or never recorded.

    ``find`` returns the id (in the form ``submit`` returns) of the task ``request`` created at or
    after unix time ``since`` (less a few seconds of clock slack), ignoring the ids in ``exclude``
    (those are journaled already); None when there is none. Two tasks it cannot tell apart are a
    ProviderError naming both, never a guess.
    """

    def find(self, request: VideoRequest, since: float, exclude: Collection[str]) -> str | None: ...
