"""Kling video: image-to-video (first and last frame), multi-image references and lip-sync, as remote jobs.

Auth is a JWT (HS256, signed with the secret key; claims iss = access key, exp = now + 1800,
nbf = now - 5) sent as a Bearer token, built here with hmac so no JWT package is needed.
Each endpoint has its own poll path, so a job id names its endpoint ("image2video:<task_id>"):
the runtime journals the id alone and can resume polling after a crash.

Every task is created with an ``external_task_id`` that starts with a digest of its request and
ends with a few random characters (Kling wants the id unique per account, and the same request
may rightly be made again after a failed task). A task whose creation reply was lost is found
in the endpoint's task list by that prefix (``find``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    AuthenticationError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    RateLimited,
)
from .exchange import HttpProvider, aspect_ratio, construct, read_key, whole_seconds
from .protocols import JobState, JobStatus, LipSyncRequest, Usage, VideoRequest

__all__ = ["KlingLipSync", "KlingVideo", "factory", "kling_token"]

DEFAULT_BASE_URL = "https://api-beijing.klingai.com"

RATIOS = ("16:9", "9:16", "1:1")
MAX_REFERENCES = 4
ENDPOINTS = ("text2video", "image2video", "multi-image2video", "lip-sync")

_STATES = {
    "submitted": JobState.QUEUED,
    "processing": JobState.RUNNING,
    "succeed": JobState.SUCCEEDED,
    "failed": JobState.FAILED,
}
_MODERATION = {1300, 1301}
_ACCOUNT = {1100, 1101, 1102, 1103}  # arrears, depleted packs, no permission: waiting won't fix them
_THROTTLED = {1302, 1303}
_TOKEN_REFUSED = {1000, 1001, 1002}  # authentication failed, Authorization empty or invalid
_TOKEN_TIME = {1003, 1004}  # the token is not valid yet, or has expired

# A task created this many seconds before the submit started still counts as its own: our clock
# and Kling's differ by a little.
CLOCK_SLACK = 10.0
_LIST_PAGE = 100
_LIST_PAGES = 10


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def kling_token(access_key: str, secret_key: str, now: float) -> str:
    """The JWT Kling expects, valid from five seconds before ``now`` for thirty minutes."""
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"iss": access_key, "exp": int(now) + 1800, "nbf": int(now) - 5}
    signing_input = ".".join(_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    signature = hmac.new(secret_key.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _raw_b64(path: Path) -> str:
    # Kling wants bare base64, without the "data:image/...;base64," prefix other APIs accept.
    return base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _refusal(provider_id: str, key_env: str) -> Any:
    def read(status: int, body: Any, raw: str) -> ProviderError | None:
        if not isinstance(body, dict) or not isinstance(body.get("code"), int):
            return None
        return _coded_error(provider_id, body, raw, key_env)

    return read


def _coded_error(provider_id: str, body: dict[str, Any], raw: str, key_env: str) -> ProviderError | None:
    code = body.get("code")
    message = f"code {code}: {body.get('message', '')}"
    if code in _TOKEN_REFUSED:
        return AuthenticationError(
            provider_id,
            f"the token was refused ({message})",
            key_env=key_env,
            raw=raw,
            hint=f"check {key_env}: both from the same current key pair, and for this endpoint's region "
            "(Beijing and Singapore keys are separate)",
        )
    if code in _TOKEN_TIME:
        return AuthenticationError(
            provider_id,
            f"the token was refused as not yet valid or expired ({message})",
            key_env=key_env,
            raw=raw,
            hint="check this machine's clock: the JWT is valid from 5 s before now for 30 minutes",
        )
    if code in _MODERATION:
        return ModerationRejected(provider_id, f"content refused ({message})", raw=raw)
    if code in _ACCOUNT:
        return ProviderError(
            provider_id,
            f"account problem ({message})",
            raw=raw,
            hint="check the Kling account's balance and resource packs",
        )
    if code in _THROTTLED:
        return RateLimited(provider_id, f"too many requests or concurrent tasks ({message})", raw=raw)
    return None


def _request_prefix(kind: str, body: dict[str, Any]) -> str:
    """The start of every external_task_id this request is created with: a digest of the endpoint and body."""
    blob = json.dumps({"endpoint": kind, "body": body}, sort_keys=True, separators=(",", ":"))
    return f"ml-{hashlib.sha256(blob.encode()).hexdigest()[:20]}-"


class KlingVideo(HttpProvider):
    """A VideoModel and TaskLookup over ``/v1/videos/{text2video,image2video,multi-image2video}``; also lip-sync."""

    def __init__(
        self,
        provider_id: str,
        base_url: str,
        api_key_env: str,
        *,
        secret_key_env: str,
        model: str,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        mode: str = "std",
        durations: Sequence[int] = (5, 10),
        clock: Callable[[], float] = time.time,
    ) -> None:
        key_env = f"{api_key_env} and {secret_key_env}"
        super().__init__(
            provider_id,
            base_url,
            api_key_env,
            model=model,
            timeout=timeout,
            transport=transport,
            refusal=_refusal(provider_id, key_env),
            key_env=key_env,
        )
        self.secret_key_env = secret_key_env
        self._key_env = key_env
        self.mode = mode
        self.durations = tuple(durations)
        self._clock = clock

    def submit(self, request: VideoRequest) -> str:
        kind, body = self.task_body(request)
        external = _request_prefix(kind, body) + uuid.uuid4().hex[:8]
        return self._create(kind, {**body, "external_task_id": external})

    def find(self, request: VideoRequest, since: float, exclude: Collection[str]) -> str | None:
        """The task ``request`` created at or after ``since`` (unix seconds) and not in ``exclude``, or None.

        Found in the endpoint's task list by the external_task_id prefix ``submit`` gave it. Two
        such tasks mean the request reached Kling twice: a ProviderError naming both, not a pick.
        """
        kind, body = self.task_body(request)
        prefix = _request_prefix(kind, body)
        earliest_ms = (since - CLOCK_SLACK) * 1000
        found: list[str] = []
        for page in range(1, _LIST_PAGES + 1):
            items = self._reply("GET", f"v1/videos/{kind}", params={"pageNum": page, "pageSize": _LIST_PAGE})
            if not isinstance(items, list):
                raise ProviderResponseError(
                    self.provider_id, f"the {kind} task list has no data list", raw=str(items)[:2000]
                )
            reached_older = False
            for item in items:
                created = item.get("created_at") if isinstance(item, dict) else None
                if not isinstance(created, int | float):
                    continue
                if created < earliest_ms:
                    reached_older = True
                    continue
                external = str((item.get("task_info") or {}).get("external_task_id") or "")
                job_id = f"{kind}:{item.get('task_id')}"
                if item.get("task_id") and external.startswith(prefix) and job_id not in exclude:
                    found.append(job_id)
            # the list is newest first: a page that reaches past the window ends the search
            if reached_older or len(items) < _LIST_PAGE:
                break
        if len(found) > 1:
            raise ProviderError(
                self.provider_id,
                f"tasks {' and '.join(found)} were both created from this same request since "
                f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(since))} UTC; both are billed",
                hint="the request reached Kling twice (a retry while the first submit was still on its way); "
                "look at both in the Kling console: this shot's submit stays unresolved rather than pick one",
            )
        return found[0] if found else None

    def task_body(self, request: VideoRequest) -> tuple[str, dict[str, Any]]:
        """The endpoint and JSON body for ``request``."""
        body: dict[str, Any] = {
            "model_name": self.model,
            "prompt": request.prompt,
            "mode": self.mode,
            "duration": str(whole_seconds(self.provider_id, request.duration, self.durations)),
        }
        if request.references and (request.first_frame or request.last_frame):
            raise ProviderError(
                self.provider_id,
                "Kling takes either a first (and last) frame or reference images, not both",
                hint="send first_frame (+ last_frame) for image2video, or references for multi-image2video",
            )
        if request.last_frame and not request.first_frame:
            raise ProviderError(self.provider_id, "a last frame (image_tail) needs a first frame")
        if request.first_frame:
            body["image"] = _raw_b64(request.first_frame)
            if request.last_frame:
                body["image_tail"] = _raw_b64(request.last_frame)
            return "image2video", body
        body["aspect_ratio"] = aspect_ratio(self.provider_id, request.width, request.height, RATIOS)
        if request.references:
            if len(request.references) > MAX_REFERENCES:
                raise ProviderError(
                    self.provider_id,
                    f"multi-image2video takes at most {MAX_REFERENCES} images, got {len(request.references)}",
                )
            body["image_list"] = [{"image": _raw_b64(p)} for p in request.references]
            return "multi-image2video", body
        return "text2video", body

    def submit_lip_sync(self, video: str, audio: Path) -> str:
        """Lip-sync a Kling video (its id, or a URL) to a local audio file; returns a job id for ``poll``."""
        source = {"video_url": video} if video.startswith(("http://", "https://")) else {"video_id": video}
        body = {"input": {**source, "mode": "audio2video", "audio_type": "file", "audio_file": _raw_b64(audio)}}
        return self._create("lip-sync", body)

    def poll(self, job_id: str) -> JobStatus:
        kind, _, task_id = job_id.partition(":")
        if kind not in ENDPOINTS or not task_id:
            raise ProviderError(self.provider_id, f"{job_id!r} is not a Kling job id (expected <endpoint>:<task_id>)")
        data = self._call("GET", f"v1/videos/{kind}/{task_id}")
        status = data.get("task_status")
        if status not in _STATES:
            raise ProviderResponseError(
                self.provider_id, f"task {task_id} has an undocumented status {status!r}", raw=str(data)[:2000]
            )
        state = _STATES[status]
        if state is JobState.SUCCEEDED:
            videos = (data.get("task_result") or {}).get("videos") or []
            if not videos or not videos[0].get("url"):
                raise ProviderResponseError(
                    self.provider_id,
                    f"task {task_id} succeeded without task_result.videos[0].url",
                    raw=str(data)[:2000],
                )
            first = videos[0]
            usage = (
                Usage(quantity=float(first["duration"]), unit="seconds", raw={"videos": videos})
                if first.get("duration")
                else None
            )
            return JobStatus(state=state, results={"video": first["url"]}, usage=usage, raw=data)
        if state is JobState.FAILED:
            message = str(data.get("task_status_msg") or "failed")
            # Kling words content refusals of finished tasks as failing its "risk control".
            return JobStatus(state=state, error=message, moderated="risk" in message.lower(), raw=data)
        return JobStatus(state=state, raw=data)

    def _create(self, kind: str, body: dict[str, Any]) -> str:
        data = self._call("POST", f"v1/videos/{kind}", body)
        task_id = data.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise ProviderResponseError(self.provider_id, f"{kind} answered without data.task_id", raw=str(data)[:2000])
        return f"{kind}:{task_id}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = self._reply(method, path, body)
        if not isinstance(data, dict):
            raise ProviderResponseError(self.provider_id, "reply has no data object", raw=str(data)[:2000])
        return data

    def _reply(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, params: dict[str, Any] | None = None
    ) -> Any:
        """The ``data`` of a reply whose ``code`` is 0 (an object, or a list for the task lists)."""
        access = read_key(self.provider_id, self.api_key_env)
        secret = read_key(self.provider_id, self.secret_key_env)
        token = kling_token(access, secret, self._clock())
        secrets = (access, secret, token)
        response = self._endpoint.send(
            method, path, headers={"Authorization": f"Bearer {token}"}, json=body, params=params, secrets=secrets
        )
        reply = self._endpoint.json(response, secrets=secrets)
        if reply.get("code") != 0:
            raw = str(reply)[:2000]
            raise _coded_error(self.provider_id, reply, raw, self._key_env) or ProviderError(
                self.provider_id, f"code {reply.get('code')}: {reply.get('message', '')}", raw=raw
            )
        return reply.get("data")


class KlingLipSync(KlingVideo):
    """Lip sync as a remote job: ``submit`` takes a LipSyncRequest for a video Kling made (found by its task)."""

    def submit(self, request: LipSyncRequest) -> str:  # type: ignore[override]
        kind, _, task_id = request.source_job.partition(":")
        if kind not in ("text2video", "image2video", "multi-image2video") or not task_id:
            raise ProviderError(self.provider_id, f"Kling lip-syncs only videos it made; {request.source_job!r} is not a Kling "
                                                  "video job", hint="route the shot's clip to Kling, or leave it without lip sync")
        videos = (self._call("GET", f"v1/videos/{kind}/{task_id}").get("task_result") or {}).get("videos") or []
        if not videos or not videos[0].get("id"):
            raise ProviderResponseError(self.provider_id, f"task {task_id} names no video id to lip-sync")
        return self.submit_lip_sync(str(videos[0]["id"]), request.audio)

    def find(self, request: LipSyncRequest, since: float, exclude: Collection[str]) -> str | None:  # type: ignore[override]
        """No lookup: a lip-sync task carries no external id to be found by, so a lost reply is submitted again."""
        return None


def factory(settings: dict[str, Any]) -> KlingVideo:
    """Build the Kling adapter from a settings table (keys: the constructor's argument names); ``modality``
    ``lipsync`` gives the lip-sync model."""
    return construct(
        KlingLipSync if settings.get("modality") == "lipsync" else KlingVideo,
        settings,
        provider_id="kling",
        base_url=DEFAULT_BASE_URL,
        api_key_env="KLING_ACCESS_KEY",
        secret_key_env="KLING_SECRET_KEY",
    )
