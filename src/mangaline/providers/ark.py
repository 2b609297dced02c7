"""Volcengine Ark (BytePlus ModelArk): Seedance video as remote jobs, Seedream images synchronously.

Seedance takes ``content[]`` items: the prompt as text, and images with a role —
``first_frame`` (+ ``last_frame``) or ``reference_image``. The two modes cannot be mixed in one
request, so a request that mixes them is refused here with the reason, before anything is paid.
Seedance bills by tokens; ``usage.completion_tokens`` of the finished task is the authoritative count.

A task whose creation reply was lost is found again in Ark's task list (``find``), which keeps
about seven days of tasks, newest first, with the model, seed, duration, ratio and resolution
each was made with (not its prompt or images).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    ConfigError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
)
from .exchange import (
    HttpProvider,
    aspect_ratio,
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
    Usage,
    VideoRequest,
)

__all__ = ["ArkSeedance", "ArkSeedream", "factory"]

DEFAULT_BASE_URL = "https://ark.cn-beijing.volces.com/api/v3"

# A task created this many seconds before the submit started still counts as its own: our clock
# and Ark's differ by a little.
CLOCK_SLACK = 10.0
_LIST_PAGE = 100
_LIST_PAGES = 10
_MATCHED = ("seed", "duration", "ratio", "resolution")

RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
RESOLUTIONS = {480: "480p", 720: "720p", 1080: "1080p"}

_STATES = {
    "queued": JobState.QUEUED,
    "running": JobState.RUNNING,
    "succeeded": JobState.SUCCEEDED,
    "failed": JobState.FAILED,
    "cancelled": JobState.FAILED,
}


def _moderated(code: str) -> bool:
    # Ark names every content refusal *SensitiveContentDetected (input text/image, output image/video).
    return "sensitivecontent" in code.lower()


def _refusal(provider_id: str) -> Any:
    def read(status: int, body: Any, raw: str) -> ProviderError | None:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and _moderated(str(error.get("code", ""))):
            return ModerationRejected(
                provider_id, f"content refused ({error['code']}): {error.get('message', '')}", raw=raw
            )
        if isinstance(error, dict) and error.get("code") == "AccountOverdueError":
            # a 403 that no key can fix: it is the account's balance
            return ProviderError(
                provider_id,
                f"the account is overdue ({error['code']}): {error.get('message', '')}",
                raw=raw,
                hint="top up the Volcengine/BytePlus account that owns this key",
            )
        return None

    return read


class _ArkEndpoint(HttpProvider):
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
        self, method: str, path: str, body: dict[str, Any] | None = None, *, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        key = read_key(self.provider_id, self.api_key_env)
        response = self._endpoint.send(
            method, path, headers={"Authorization": f"Bearer {key}"}, json=body, params=params, secrets=(key,)
        )
        return self._endpoint.json(response, secrets=(key,))


class ArkSeedance(_ArkEndpoint):
    """A VideoModel and TaskLookup over ``/contents/generations/tasks`` (Seedance 1.x and 2.0)."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        camera_fixed: bool | None = None,
        watermark: bool = False,
    ) -> None:
        super().__init__(provider_id, base_url, api_key_env, model=model, timeout=timeout, transport=transport)
        self.camera_fixed = camera_fixed
        self.watermark = watermark

    def submit(self, request: VideoRequest) -> str:
        reply = self._call("POST", "contents/generations/tasks", self.task_body(request))
        task_id = reply.get("id")
        if not isinstance(task_id, str) or not task_id:
            raise ProviderResponseError(self.provider_id, "task creation answered without an id", raw=str(reply)[:2000])
        return task_id

    def task_body(self, request: VideoRequest) -> dict[str, Any]:
        """The JSON body of a Seedance task for ``request`` (also what a dry run shows)."""
        if (request.references or request.reference_videos) and (request.first_frame or request.last_frame):
            raise ProviderError(
                self.provider_id,
                "Seedance cannot mix first/last-frame mode with reference images or videos in one request",
                hint="send either first_frame (+ last_frame) or references, not both",
            )
        if request.last_frame and not request.first_frame:
            raise ProviderError(self.provider_id, "a last frame needs a first frame in Seedance's first+last mode")
        content: list[dict[str, Any]] = [{"type": "text", "text": request.prompt}]
        framed = [("first_frame", request.first_frame), ("last_frame", request.last_frame)]
        for role, path in framed + [("reference_image", p) for p in request.references]:
            if path is not None:
                image = data_url(path, provider_id=self.provider_id)
                content.append({"type": "image_url", "image_url": {"url": image}, "role": role})
        for path in request.reference_videos:
            # Seedance 2.0's reference mode takes up to three videos (15 s in all): a reframe sends the made clip
            video = data_url(path, provider_id=self.provider_id)
            content.append({"type": "video_url", "video_url": {"url": video}, "role": "reference_video"})
        body: dict[str, Any] = {
            "model": self.model,
            "content": content,
            "ratio": aspect_ratio(self.provider_id, request.width, request.height, RATIOS),
            "resolution": resolution_tier(self.provider_id, request.width, request.height, RESOLUTIONS),
            "duration": whole_seconds(self.provider_id, request.duration),
            "seed": request.seed,
            "watermark": self.watermark,
            "return_last_frame": request.return_last_frame,
        }
        if request.audio:
            body["generate_audio"] = True
        if self.camera_fixed is not None:
            body["camera_fixed"] = self.camera_fixed
        return body

    def find(self, request: VideoRequest, since: float, exclude: Collection[str]) -> str | None:
        """The task ``request`` created at or after ``since`` (unix seconds) and not in ``exclude``, or None.

        A task matches on its model and creation time, and on the seed, duration, ratio and
        resolution where the list gives them; a cancelled task is nobody's. Two that match alike
        are a ProviderError naming both: the list cannot tell their prompts apart.
        """
        body = self.task_body(request)
        earliest = since - CLOCK_SLACK
        found: list[str] = []
        for page in range(1, _LIST_PAGES + 1):
            params = {"page_num": page, "page_size": _LIST_PAGE, "filter.model": self.model}
            reply = self._call("GET", "contents/generations/tasks", params=params)
            items = reply.get("items")
            if not isinstance(items, list):
                raise ProviderResponseError(
                    self.provider_id, "the task list answered without items", raw=str(reply)[:2000]
                )
            reached_older = False
            for item in items:
                created = item.get("created_at") if isinstance(item, dict) else None
                if not isinstance(created, int | float):
                    continue
                if created < earliest:
                    reached_older = True
                elif self._made_by(item, body) and item.get("id") not in exclude:
                    found.append(str(item["id"]))
            total = reply.get("total")
            seen_all = isinstance(total, int) and page * _LIST_PAGE >= total
            # the list is newest first: a page that reaches past the window ends the search
            if reached_older or len(items) < _LIST_PAGE or seen_all:
                break
        if len(found) > 1:
            raise ProviderError(
                self.provider_id,
                f"tasks {' and '.join(found)} were both created for a request like this one "
                f"(model {self.model}, seed {body['seed']}, {body['duration']} s, {body['ratio']}, "
                f"{body['resolution']}) and cannot be told apart from the task list",
                hint="open them in the Ark console, delete the one that is not this shot's "
                "(DELETE contents/generations/tasks/<id>), and run again: the one left is taken",
            )
        return found[0] if found else None

    def _made_by(self, item: dict[str, Any], body: dict[str, Any]) -> bool:
        if not item.get("id") or item.get("status") == "cancelled":
            return False
        if item.get("model") not in (None, self.model):
            return False
        return all(item.get(name) in (None, body[name]) for name in _MATCHED)

    def poll(self, job_id: str) -> JobStatus:
        reply = self._call("GET", f"contents/generations/tasks/{job_id}")
        status = reply.get("status")
        if status not in _STATES:
            raise ProviderResponseError(
                self.provider_id, f"task {job_id} has an undocumented status {status!r}", raw=str(reply)[:2000]
            )
        state = _STATES[status]
        usage = reply.get("usage")
        tokens = usage.get("completion_tokens") if isinstance(usage, dict) else None
        spent = Usage(quantity=float(tokens), unit="tokens", raw=usage) if tokens is not None else None
        if state is JobState.SUCCEEDED:
            content = reply.get("content") or {}
            if not content.get("video_url"):
                raise ProviderResponseError(
                    self.provider_id, f"task {job_id} succeeded without content.video_url", raw=str(reply)[:2000]
                )
            results = {"video": content["video_url"]}
            if content.get("last_frame_url"):
                results["last_frame"] = content["last_frame_url"]
            return JobStatus(state=state, results=results, usage=spent, raw=reply)
        if state is JobState.FAILED:
            error = reply.get("error") or {}
            code = str(error.get("code") or status)
            message = (
                f"{code}: {error.get('message', '')}".rstrip(": ")
                if status != "cancelled"
                else "the task was cancelled"
            )
            return JobStatus(state=state, error=message, moderated=_moderated(code), usage=spent, raw=reply)
        return JobStatus(state=state, raw=reply)


class ArkSeedream(_ArkEndpoint):
    """An ImageModel over ``/images/generations`` (Seedream 4.x), synchronous, references inlined."""

    def generate(self, request: ImageRequest, workdir: Path) -> ImageResult:
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": request.prompt,
            "size": f"{request.width}x{request.height}",
            "seed": request.seed,
            "response_format": "b64_json",
            "watermark": False,
        }
        if request.references:
            images = [data_url(p, provider_id=self.provider_id) for p in request.references]
            body["image"] = images[0] if len(images) == 1 else images
        reply = self._call("POST", "images/generations", body)
        try:
            item = reply["data"][0]
        except (KeyError, IndexError, TypeError):
            raise ProviderResponseError(self.provider_id, "image reply has no data[0]", raw=str(reply)[:2000]) from None
        if item.get("b64_json"):
            try:
                image = base64.b64decode(item["b64_json"], validate=True)
            except (binascii.Error, ValueError):
                raise ProviderResponseError(self.provider_id, "data[0].b64_json is not valid base64") from None
        elif item.get("url"):
            image = self._endpoint.fetch(item["url"])
        else:
            raise ProviderResponseError(self.provider_id, "data[0] has neither b64_json nor url", raw=str(item)[:2000])
        usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
        spent = Usage(quantity=float(usage.get("generated_images", 1)), unit="images", raw=usage)
        path = write_result(workdir, self.provider_id, image_suffix(image), image)
        raw = {**reply, "data": [{k: v for k, v in item.items() if k != "b64_json"}]}
        return ImageResult(image=path, usage=spent, raw=raw)


def factory(settings: dict[str, Any]) -> ArkSeedance | ArkSeedream | OpenAIChat:
    """Seedance (``modality = "video"``, the default), Seedream (``"image"``) or Doubao chat (``"text"``, OpenAI-compatible)."""
    modality = settings.get("modality", "video")
    if modality == "text":
        return build("ark", settings)
    classes: dict[str, type[_ArkEndpoint]] = {"video": ArkSeedance, "image": ArkSeedream}
    if modality not in classes:
        raise ConfigError(
            f"provider {settings.get('provider_id', 'ark')}: modality must be video, image or text, not {modality!r}"
        )
    return construct(
        classes[modality], settings, provider_id="ark", base_url=DEFAULT_BASE_URL, api_key_env="ARK_API_KEY"
    )
