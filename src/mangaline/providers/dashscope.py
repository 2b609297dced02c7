"""Alibaba DashScope Wan image-to-video (and first+last-frame video) as remote jobs.

A task is created with ``X-DashScope-Async: enable`` and polled at ``/api/v1/tasks/{task_id}``;
task ids live 24 hours, after which DashScope reports the task as UNKNOWN. The key, model and
region (Beijing, Singapore ``dashscope-intl``, Virginia) must match.
"""

from __future__ import annotations

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
    read_key,
    resolution_tier,
    whole_seconds,
)
from .openai_compat import OpenAIChat, build
from .protocols import JobState, JobStatus, Usage, VideoRequest

__all__ = ["WanVideo", "factory"]

DEFAULT_BASE_URL = "https://dashscope.aliyuncs.com"

RESOLUTIONS = {480: "480P", 720: "720P", 1080: "1080P"}

_STATES = {
    "PENDING": JobState.QUEUED,
    "RUNNING": JobState.RUNNING,
    "SUCCEEDED": JobState.SUCCEEDED,
    "FAILED": JobState.FAILED,
    "CANCELED": JobState.FAILED,
    "UNKNOWN": JobState.FAILED,
}


def _moderated(code: str) -> bool:
    # DataInspectionFailed (and its IPInfringement variants) is DashScope's content refusal.
    return code.startswith("DataInspection") or "InappropriateContent" in code


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


class WanVideo(HttpProvider):
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
        super().__init__(
            provider_id,
            base_url,
            api_key_env,
            model=model,
            timeout=timeout,
            transport=transport,
            refusal=_refusal(provider_id),
        )
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

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        key = read_key(self.provider_id, self.api_key_env)
        sent = {"Authorization": f"Bearer {key}", **(headers or {})}
        response = self._endpoint.send(method, path, headers=sent, json=body, secrets=(key,))
        return self._endpoint.json(response, secrets=(key,))


def factory(settings: dict[str, Any]) -> WanVideo | OpenAIChat:
    """Wan video (``modality = "video"``, the default), or Qwen chat through DashScope's compatible mode (``"text"``).

    One ``base_url`` (the region's root) serves both: chat goes to its ``/compatible-mode/v1``.
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
    if modality != "video":
        raise ConfigError(f"provider dashscope: modality must be video or text, not {modality!r}")
    return construct(
        WanVideo, settings, provider_id="dashscope", base_url=DEFAULT_BASE_URL, api_key_env="DASHSCOPE_API_KEY"
    )
