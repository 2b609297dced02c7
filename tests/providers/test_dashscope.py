"""DashScope Wan video against a local server speaking DashScope's documented shapes."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from mangaline.errors import (
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    ProviderUnavailable,
    RateLimited,
)
from mangaline.providers.dashscope import WanVideo, factory
from mangaline.providers.openai_compat import OpenAIChat
from mangaline.providers.protocols import (
    JobState,
    TextRequest,
    VideoModel,
    VideoRequest,
)
from tests.providers.fakes import FakeServer, Reply, png_bytes

KEY = "sk-dashscope-77aa66bb"
SYNTHESIS = "/api/v1/services/aigc/video-generation/video-synthesis"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def wan(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> WanVideo:
    monkeypatch.setenv("TEST_DASHSCOPE_KEY", KEY)
    return WanVideo(
        "dashscope", server.url, "TEST_DASHSCOPE_KEY", model="wan2.1-i2v-turbo", timeout=2, prompt_extend=False
    )


@pytest.fixture
def keyframe(tmp_path: Path) -> Path:
    path = tmp_path / "key.png"
    path.write_bytes(png_bytes((9, 9, 90)))
    return path


def pending(task_id: str) -> Reply:
    return Reply(json={"request_id": "r1", "output": {"task_id": task_id, "task_status": "PENDING"}})


def test_submit_is_async_with_the_keyframe_inlined(server: FakeServer, wan: WanVideo, keyframe: Path) -> None:
    server.on("POST", SYNTHESIS, pending("t-1"))
    assert isinstance(wan, VideoModel)
    assert (
        wan.submit(
            VideoRequest(
                prompt="rain on the window", duration=4.5, width=720, height=1280, first_frame=keyframe, seed=3
            )
        )
        == "t-1"
    )
    (seen,) = server.seen
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["x-dashscope-async"] == "enable"
    assert seen.json() == {
        "model": "wan2.1-i2v-turbo",
        "input": {
            "prompt": "rain on the window",
            "img_url": "data:image/png;base64," + base64.b64encode(keyframe.read_bytes()).decode(),
        },
        "parameters": {"resolution": "720P", "duration": 5, "seed": 3, "prompt_extend": False},
    }


def test_first_and_last_frame_use_the_kf2v_fields(
    server: FakeServer, wan: WanVideo, keyframe: Path, tmp_path: Path
) -> None:
    last = tmp_path / "last.png"
    last.write_bytes(png_bytes((1, 1, 1)))
    server.on("POST", SYNTHESIS, pending("t-2"))
    wan.submit(VideoRequest(prompt="p", duration=5, width=1080, height=1920, first_frame=keyframe, last_frame=last))
    source = server.seen[0].json()["input"]
    assert set(source) == {"prompt", "first_frame_url", "last_frame_url"}
    with pytest.raises(ProviderError, match="reference images"):
        wan.submit(VideoRequest(prompt="p", duration=5, width=1080, height=1920, references=(keyframe,)))
    assert len(server.seen) == 1


def test_a_slow_task_then_success_with_usage(server: FakeServer, wan: WanVideo) -> None:
    server.on(
        "GET",
        "/api/v1/tasks/t-3",
        Reply(json={"request_id": "a", "output": {"task_id": "t-3", "task_status": "PENDING"}}),
        Reply(json={"request_id": "b", "output": {"task_id": "t-3", "task_status": "RUNNING"}}),
        Reply(json={"request_id": "c", "output": {"task_id": "t-3", "task_status": "RUNNING"}}),
        Reply(
            json={
                "request_id": "d",
                "output": {
                    "task_id": "t-3",
                    "task_status": "SUCCEEDED",
                    "video_url": "https://dashscope-result.example/t-3.mp4?Expires=1",
                },
                "usage": {"video_duration": 5, "video_ratio": "720*1280", "video_count": 1},
            }
        ),
    )
    states = [wan.poll("t-3") for _ in range(4)]
    assert [s.state for s in states] == [JobState.QUEUED, JobState.RUNNING, JobState.RUNNING, JobState.SUCCEEDED]
    assert states[-1].results == {"video": "https://dashscope-result.example/t-3.mp4?Expires=1"}
    assert states[-1].usage is not None and states[-1].usage.quantity == 5 and states[-1].usage.unit == "seconds"


def test_moderation_at_submit_and_in_a_failed_task(server: FakeServer, wan: WanVideo, keyframe: Path) -> None:
    server.on(
        "POST",
        SYNTHESIS,
        Reply(
            400,
            json={
                "request_id": "r",
                "code": "DataInspectionFailed",
                "message": "Input data may contain inappropriate content.",
            },
        ),
    )
    with pytest.raises(ModerationRejected, match="inappropriate"):
        wan.submit(VideoRequest(prompt="p", duration=5, width=720, height=1280, first_frame=keyframe))
    server.on(
        "GET",
        "/api/v1/tasks/t-4",
        Reply(
            json={
                "output": {
                    "task_id": "t-4",
                    "task_status": "FAILED",
                    "code": "DataInspectionFailed",
                    "message": "Output video may contain inappropriate content.",
                }
            }
        ),
    )
    failed = wan.poll("t-4")
    assert failed.state is JobState.FAILED and failed.moderated
    server.on("GET", "/api/v1/tasks/t-5", Reply(json={"output": {"task_id": "t-5", "task_status": "UNKNOWN"}}))
    unknown = wan.poll("t-5")
    assert unknown.state is JobState.FAILED and not unknown.moderated and "expired" in (unknown.error or "")


def test_http_failures_map_onto_the_error_tree(
    server: FakeServer, wan: WanVideo, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.on(
        "GET",
        "/api/v1/tasks/a",
        Reply(
            429,
            json={"code": "Throttling.RateQuota", "message": "Requests rate limit exceeded"},
            headers={"Retry-After": "2"},
        ),
    )
    server.on("GET", "/api/v1/tasks/b", Reply(502, body="bad gateway", content_type="text/plain"))
    server.on("GET", "/api/v1/tasks/c", Reply(body="<xml/>", content_type="text/xml"))
    server.on("GET", "/api/v1/tasks/d", Reply(json={"output": {"task_status": "THINKING"}}))
    with pytest.raises(RateLimited) as caught:
        wan.poll("a")
    assert caught.value.retry_after == 2
    with pytest.raises(ProviderTransient, match="502"):
        wan.poll("b")
    with pytest.raises(ProviderResponseError, match="not JSON"):
        wan.poll("c")
    with pytest.raises(ProviderResponseError, match="THINKING"):
        wan.poll("d")
    slow = WanVideo("dashscope", server.url, "TEST_DASHSCOPE_KEY", model="m", timeout=0.3)
    server.on("GET", "/api/v1/tasks/s", Reply(delay=1.5, json={}))
    with pytest.raises(ProviderTransient, match="timed out"):
        slow.poll("s")
    monkeypatch.delenv("TEST_DASHSCOPE_KEY")
    with pytest.raises(ProviderUnavailable, match="TEST_DASHSCOPE_KEY"):
        wan.poll("a")


def test_the_key_never_leaks(server: FakeServer, wan: WanVideo) -> None:
    server.on(
        "GET",
        "/api/v1/tasks/k",
        Reply(401, json={"code": "InvalidApiKey", "message": f"Invalid API-key provided: {KEY}"}),
    )
    with pytest.raises(ProviderError) as caught:
        wan.poll("k")
    assert KEY not in f"{caught.value} {caught.value.raw}" and "InvalidApiKey" in str(caught.value)


def test_factory() -> None:
    wan = factory({"model": "wan2.1-kf2v-plus", "base_url": "https://dashscope-intl.aliyuncs.com"})
    assert wan.api_key_env == "DASHSCOPE_API_KEY" and wan.provider_id == "dashscope"


def test_qwen_chat_goes_to_the_compatible_mode_of_the_same_region(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_DASHSCOPE_KEY", KEY)
    chat = factory(
        {"modality": "text", "model": "qwen-plus", "base_url": server.url, "api_key_env": "TEST_DASHSCOPE_KEY"}
    )
    assert isinstance(chat, OpenAIChat) and chat.provider_id == "dashscope"
    reply = {"choices": [{"message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}]}
    server.on("POST", "/compatible-mode/v1/chat/completions", Reply(json=reply))
    assert (
        chat.complete(TextRequest(messages=[{"role": "user", "content": "json please"}], json_schema={})).content
        == "{}"
    )
    assert server.seen[0].json()["response_format"] == {"type": "json_object"}
    assert server.seen[0].headers["authorization"] == f"Bearer {KEY}"
