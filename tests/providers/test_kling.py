"""Kling against a local server speaking its documented shapes; its JWT checked with a frozen clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mangaline.errors import (
    AuthenticationError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    ProviderUnavailable,
    RateLimited,
)
from mangaline.providers.kling import KlingVideo, factory, kling_token
from mangaline.providers.protocols import JobState, TaskLookup, VideoModel, VideoRequest
from tests.providers.fakes import FakeServer, Reply, png_bytes

ACCESS = "AK-kling-access-1234"
SECRET = "SK-kling-secret-abcdefgh"
NOW = 1_762_000_000.0


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def ok(data: dict) -> Reply:
    return Reply(json={"code": 0, "message": "SUCCEED", "request_id": "req-1", "data": data})


@pytest.fixture
def kling(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> KlingVideo:
    monkeypatch.setenv("TEST_KLING_AK", ACCESS)
    monkeypatch.setenv("TEST_KLING_SK", SECRET)
    return KlingVideo(
        "kling",
        server.url,
        "TEST_KLING_AK",
        secret_key_env="TEST_KLING_SK",
        model="kling-v2-1",
        timeout=2,
        clock=lambda: NOW,
    )


@pytest.fixture
def frames(tmp_path: Path) -> list[Path]:
    paths = []
    for i in range(5):
        path = tmp_path / f"frame{i}.png"
        path.write_bytes(png_bytes((40 * i, 10, 10)))
        paths.append(path)
    return paths


def test_the_token_is_an_hs256_jwt_with_the_documented_claims() -> None:
    token = kling_token(ACCESS, SECRET, NOW)
    header, claims, signature = token.split(".")
    assert json.loads(unb64(header)) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(unb64(claims)) == {"iss": ACCESS, "exp": int(NOW) + 1800, "nbf": int(NOW) - 5}
    expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert unb64(signature) == expected
    assert kling_token(ACCESS, "another-secret", NOW) != token


def test_image2video_sends_bare_base64_frames_with_a_signed_bearer(
    server: FakeServer, kling: KlingVideo, frames: list[Path]
) -> None:
    server.on(
        "POST",
        "/v1/videos/image2video",
        ok({"task_id": "8601", "task_status": "submitted", "created_at": 1, "updated_at": 1}),
    )
    request = VideoRequest(
        prompt="Oda steps in", duration=4.2, width=1080, height=1920, first_frame=frames[0], last_frame=frames[1]
    )
    assert isinstance(kling, VideoModel)
    assert kling.submit(request) == "image2video:8601"
    seen = server.seen[0]
    assert seen.headers["authorization"] == f"Bearer {kling_token(ACCESS, SECRET, NOW)}"
    body = seen.json()
    external = body.pop("external_task_id")
    # a digest of the request, then a suffix that keeps it unique per account when the request is made again
    assert re.fullmatch(r"ml-[0-9a-f]{20}-[0-9a-f]{8}", external)
    kling.submit(request)
    again = server.seen[1].json()["external_task_id"]
    assert again != external and again[:24] == external[:24]
    assert body == {
        "model_name": "kling-v2-1",
        "prompt": "Oda steps in",
        "mode": "std",
        "duration": "5",
        "image": base64.b64encode(frames[0].read_bytes()).decode(),
        "image_tail": base64.b64encode(frames[1].read_bytes()).decode(),
    }


def test_references_go_to_multi_image2video_up_to_four(
    server: FakeServer, kling: KlingVideo, frames: list[Path]
) -> None:
    server.on("POST", "/v1/videos/multi-image2video", ok({"task_id": "77", "task_status": "submitted"}))
    job = kling.submit(VideoRequest(prompt="p", duration=7, width=1080, height=1920, references=tuple(frames[:4])))
    assert job == "multi-image2video:77"
    body = server.seen[0].json()
    assert body["image_list"] == [{"image": base64.b64encode(f.read_bytes()).decode()} for f in frames[:4]]
    assert body["aspect_ratio"] == "9:16" and body["duration"] == "10"
    with pytest.raises(ProviderError, match="at most 4"):
        kling.submit(VideoRequest(prompt="p", duration=5, width=1080, height=1920, references=tuple(frames)))
    with pytest.raises(ProviderError, match="not both"):
        kling.submit(
            VideoRequest(
                prompt="p", duration=5, width=1080, height=1920, first_frame=frames[0], references=(frames[1],)
            )
        )
    with pytest.raises(ProviderError, match="at most 10 s"):
        kling.submit(VideoRequest(prompt="p", duration=12, width=1080, height=1920))
    assert len(server.seen) == 1


def test_lip_sync_and_a_slow_job_resume_from_the_job_id(server: FakeServer, kling: KlingVideo, tmp_path: Path) -> None:
    audio = tmp_path / "line.wav"
    audio.write_bytes(b"RIFF....WAVE")
    server.on("POST", "/v1/videos/lip-sync", ok({"task_id": "ls-5", "task_status": "submitted"}))
    job = kling.submit_lip_sync("vid-123", audio)
    assert job == "lip-sync:ls-5"
    assert server.seen[0].json() == {
        "input": {
            "video_id": "vid-123",
            "mode": "audio2video",
            "audio_type": "file",
            "audio_file": base64.b64encode(audio.read_bytes()).decode(),
        }
    }
    server.on(
        "GET",
        "/v1/videos/lip-sync/ls-5",
        ok({"task_id": "ls-5", "task_status": "submitted"}),
        ok({"task_id": "ls-5", "task_status": "processing"}),
        ok({"task_id": "ls-5", "task_status": "processing"}),
        ok(
            {
                "task_id": "ls-5",
                "task_status": "succeed",
                "task_result": {"videos": [{"id": "v9", "url": "https://cdn.kling.example/v9.mp4", "duration": "5.1"}]},
            }
        ),
    )
    states = [kling.poll(job) for _ in range(4)]
    assert [s.state for s in states] == [JobState.QUEUED, JobState.RUNNING, JobState.RUNNING, JobState.SUCCEEDED]
    assert states[-1].results == {"video": "https://cdn.kling.example/v9.mp4"}
    assert states[-1].usage is not None and states[-1].usage.quantity == 5.1 and states[-1].usage.unit == "seconds"
    with pytest.raises(ProviderError, match="not a Kling job id"):
        kling.poll("ls-5")


def test_refusals_throttling_and_account_problems(server: FakeServer, kling: KlingVideo) -> None:
    request = VideoRequest(prompt="p", duration=5, width=1080, height=1920)
    server.on(
        "POST",
        "/v1/videos/text2video",
        Reply(
            400,
            json={"code": 1301, "message": "Trigger the content security policy of the platform", "request_id": "r"},
        ),
        Reply(
            429, json={"code": 1303, "message": "parallel task over resource pack limit"}, headers={"Retry-After": "30"}
        ),
        Reply(429, json={"code": 1102, "message": "resource pack exhausted"}),
        Reply(500, json={"code": 5000, "message": "Server internal error"}),
    )
    with pytest.raises(ModerationRejected, match="content security policy"):
        kling.submit(request)
    with pytest.raises(RateLimited):
        kling.submit(request)
    with pytest.raises(ProviderError, match="account problem") as caught:
        kling.submit(request)
    assert not isinstance(caught.value, ProviderTransient)
    with pytest.raises(ProviderTransient, match="500"):
        kling.submit(request)


def test_429_without_a_kling_code_keeps_retry_after(server: FakeServer, kling: KlingVideo) -> None:
    server.on(
        "GET",
        "/v1/videos/image2video/1",
        Reply(429, body="Too Many Requests", content_type="text/plain", headers={"Retry-After": "3"}),
    )
    with pytest.raises(RateLimited) as caught:
        kling.poll("image2video:1")
    assert caught.value.retry_after == 3


def test_a_failed_task_by_risk_control_is_moderated(server: FakeServer, kling: KlingVideo) -> None:
    server.on(
        "GET",
        "/v1/videos/image2video/f",
        ok({"task_id": "f", "task_status": "failed", "task_status_msg": "Failure to pass the risk control system"}),
    )
    status = kling.poll("image2video:f")
    assert status.state is JobState.FAILED and status.moderated and "risk control" in (status.error or "")


def test_malformed_replies_timeouts_and_missing_keys(
    server: FakeServer, kling: KlingVideo, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.on("GET", "/v1/videos/image2video/m", Reply(body="{not json", content_type="application/json"))
    server.on(
        "GET", "/v1/videos/image2video/n", ok({"task_id": "n", "task_status": "succeed", "task_result": {"videos": []}})
    )
    with pytest.raises(ProviderResponseError, match="not JSON"):
        kling.poll("image2video:m")
    with pytest.raises(ProviderResponseError, match="videos"):
        kling.poll("image2video:n")
    slow = KlingVideo("kling", server.url, "TEST_KLING_AK", secret_key_env="TEST_KLING_SK", model="m", timeout=0.3)
    server.on("GET", "/v1/videos/image2video/s", Reply(delay=1.5, json={}))
    with pytest.raises(ProviderTransient, match="timed out"):
        slow.poll("image2video:s")
    monkeypatch.delenv("TEST_KLING_SK")
    with pytest.raises(ProviderUnavailable, match="TEST_KLING_SK"):
        kling.poll("image2video:m")


def test_keys_and_token_never_leak_into_errors(server: FakeServer, kling: KlingVideo) -> None:
    token = kling_token(ACCESS, SECRET, NOW)
    server.on(
        "GET",
        "/v1/videos/image2video/k",
        Reply(401, json={"code": 1002, "message": f"Authorization invalid: {token} (iss {ACCESS})"}),
    )
    with pytest.raises(ProviderError) as caught:
        kling.poll("image2video:k")
    text = f"{caught.value} {caught.value.raw}"
    assert ACCESS not in text and SECRET not in text and token not in text
    assert "Authorization invalid" in text


def test_factory_reads_both_key_variables() -> None:
    kling = factory({"model": "kling-v2-1", "mode": "pro", "base_url": "https://api-singapore.klingai.com"})
    assert (
        kling.api_key_env == "KLING_ACCESS_KEY" and kling.secret_key_env == "KLING_SECRET_KEY" and kling.mode == "pro"
    )


def test_a_refused_token_names_both_key_variables(server: FakeServer, kling: KlingVideo) -> None:
    server.on(
        "GET",
        "/v1/videos/image2video/a",
        Reply(401, json={"code": 1002, "message": "Authorization is invalid"}),
        Reply(401, json={"code": 1004, "message": "Authorization has expired"}),
        Reply(401, body="Unauthorized", content_type="text/plain"),
    )
    with pytest.raises(AuthenticationError, match="Authorization is invalid") as invalid:
        kling.poll("image2video:a")
    assert invalid.value.key_env == "TEST_KLING_AK and TEST_KLING_SK"
    assert "TEST_KLING_AK and TEST_KLING_SK" in (invalid.value.hint or "")
    with pytest.raises(AuthenticationError, match="expired") as expired:
        kling.poll("image2video:a")
    assert "clock" in (expired.value.hint or "")
    with pytest.raises(AuthenticationError) as bare:  # a 401 without Kling's envelope
        kling.poll("image2video:a")
    assert bare.value.key_env == "TEST_KLING_AK and TEST_KLING_SK"


def listed(task_id: str, external: str, created_ms: int) -> dict:
    return {
        "task_id": task_id,
        "task_status": "processing",
        "task_info": {"external_task_id": external},
        "created_at": created_ms,
        "updated_at": created_ms,
    }


def test_find_matches_the_external_task_id_this_request_was_created_with(
    server: FakeServer, kling: KlingVideo, frames: list[Path]
) -> None:
    mine = VideoRequest(prompt="Oda steps in", duration=5, width=1080, height=1920, first_frame=frames[0])
    other = VideoRequest(prompt="Oda leaves", duration=5, width=1080, height=1920, first_frame=frames[0])
    server.on("POST", "/v1/videos/image2video", ok({"task_id": "sent", "task_status": "submitted"}))
    kling.submit(mine)
    kling.submit(other)
    mine_id, other_id = (seen.json()["external_task_id"] for seen in server.seen)
    earlier_id = mine_id[:-8] + "0badf00d"  # the same request, made before and journaled
    now_ms = int(NOW * 1000)
    tasks = [
        listed("t-other", other_id, now_ms + 900),
        listed("t-mine", mine_id, now_ms + 500),
        listed("t-earlier", earlier_id, now_ms + 100),
        listed("t-last-week", mine_id, now_ms - 7 * 86_400_000),
    ]
    server.on("GET", "/v1/videos/image2video", ok(tasks))
    assert isinstance(kling, TaskLookup)
    assert kling.find(mine, NOW, exclude={"image2video:t-earlier"}) == "image2video:t-mine"
    assert server.seen[-1].query == {"pageNum": ["1"], "pageSize": ["100"]}
    assert kling.find(other, NOW, exclude=()) == "image2video:t-other"
    assert kling.find(mine, NOW + 3600, exclude=()) is None
    with pytest.raises(ProviderError, match="image2video:t-mine and image2video:t-earlier"):
        kling.find(mine, NOW, exclude=())
