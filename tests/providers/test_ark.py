"""Ark Seedance (video jobs) and Seedream (images) against a local server speaking Ark's documented shapes."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from mangaline.errors import (
    AuthenticationError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    ProviderUnavailable,
    RateLimited,
)
from mangaline.providers.ark import ArkSeedance, ArkSeedream, factory
from mangaline.providers.openai_compat import OpenAIChat
from mangaline.providers.protocols import (
    ImageModel,
    ImageRequest,
    JobState,
    TaskLookup,
    VideoModel,
    VideoRequest,
)
from tests.providers.fakes import FakeServer, Reply, png_bytes

KEY = "ark-3f1c2b7e-secret"
TASKS = "/api/v3/contents/generations/tasks"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def frames(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, color in {"first": (255, 0, 0), "last": (0, 255, 0), "ref": (0, 0, 255)}.items():
        paths[name] = tmp_path / f"{name}.png"
        paths[name].write_bytes(png_bytes(color))
    return paths


@pytest.fixture
def seedance(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> ArkSeedance:
    monkeypatch.setenv("TEST_ARK_KEY", KEY)
    return ArkSeedance("ark", f"{server.url}/api/v3", "TEST_ARK_KEY", model="doubao-seedance-1-0-pro-250528", timeout=2)


def data_url_of(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def test_submit_sends_first_and_last_frame_with_their_roles(
    server: FakeServer, seedance: ArkSeedance, frames: dict[str, Path]
) -> None:
    server.on("POST", TASKS, Reply(json={"id": "cgt-20251102-abc"}))
    request = VideoRequest(
        prompt="June turns to the window",
        duration=3.2,
        width=1080,
        height=1920,
        first_frame=frames["first"],
        last_frame=frames["last"],
        seed=42,
        return_last_frame=True,
    )
    assert isinstance(seedance, VideoModel)
    assert seedance.submit(request) == "cgt-20251102-abc"
    (seen,) = server.requests_to(TASKS)
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.json() == {
        "model": "doubao-seedance-1-0-pro-250528",
        "content": [
            {"type": "text", "text": "June turns to the window"},
            {"type": "image_url", "image_url": {"url": data_url_of(frames["first"])}, "role": "first_frame"},
            {"type": "image_url", "image_url": {"url": data_url_of(frames["last"])}, "role": "last_frame"},
        ],
        "ratio": "9:16",
        "resolution": "1080p",
        "duration": 4,
        "seed": 42,
        "watermark": False,
        "return_last_frame": True,
    }


def test_reference_mode_sends_reference_images(
    server: FakeServer, seedance: ArkSeedance, frames: dict[str, Path]
) -> None:
    server.on("POST", TASKS, Reply(json={"id": "cgt-2"}))
    seedance.submit(
        VideoRequest(
            prompt="p", duration=5, width=720, height=1280, references=(frames["ref"], frames["first"]), audio=True
        )
    )
    body = server.seen[0].json()
    assert [item.get("role") for item in body["content"]] == [None, "reference_image", "reference_image"]
    assert body["resolution"] == "720p" and body["duration"] == 5 and body["generate_audio"] is True


def test_mixing_frames_and_references_is_refused_before_any_request(
    server: FakeServer, seedance: ArkSeedance, frames: dict[str, Path]
) -> None:
    with pytest.raises(ProviderError, match="cannot mix"):
        seedance.submit(
            VideoRequest(
                prompt="p",
                duration=5,
                width=1080,
                height=1920,
                first_frame=frames["first"],
                references=(frames["ref"],),
            )
        )
    with pytest.raises(ProviderError, match="3:2"):
        seedance.submit(VideoRequest(prompt="p", duration=5, width=1500, height=1000))
    assert server.seen == []


def test_a_slow_job_polls_queued_and_running_then_returns_urls_and_tokens(
    server: FakeServer, seedance: ArkSeedance
) -> None:
    task = f"{TASKS}/cgt-9"
    server.on(
        "GET",
        task,
        Reply(json={"id": "cgt-9", "status": "queued"}),
        Reply(json={"id": "cgt-9", "status": "running"}),
        Reply(json={"id": "cgt-9", "status": "running"}),
        Reply(
            json={
                "id": "cgt-9",
                "model": "doubao-seedance-1-0-pro-250528",
                "status": "succeeded",
                "content": {
                    "video_url": "https://ark-content.example/cgt-9.mp4?X-Tos-Signature=x",
                    "last_frame_url": "https://ark-content.example/cgt-9.png",
                },
                "usage": {"completion_tokens": 246840, "total_tokens": 246840},
            }
        ),
    )
    states = [seedance.poll("cgt-9") for _ in range(4)]
    assert [s.state for s in states] == [JobState.QUEUED, JobState.RUNNING, JobState.RUNNING, JobState.SUCCEEDED]
    done = states[-1]
    assert done.results == {
        "video": "https://ark-content.example/cgt-9.mp4?X-Tos-Signature=x",
        "last_frame": "https://ark-content.example/cgt-9.png",
    }
    assert done.usage is not None and done.usage.quantity == 246840 and done.usage.unit == "tokens"
    assert all(s.headers["authorization"] == f"Bearer {KEY}" for s in server.requests_to(task))


def test_a_task_failed_by_moderation_is_flagged(server: FakeServer, seedance: ArkSeedance) -> None:
    server.on(
        "GET",
        f"{TASKS}/cgt-m",
        Reply(
            json={
                "id": "cgt-m",
                "status": "failed",
                "error": {
                    "code": "OutputVideoSensitiveContentDetected",
                    "message": "The request failed because the output video may contain sensitive information.",
                },
            }
        ),
    )
    status = seedance.poll("cgt-m")
    assert status.state is JobState.FAILED and status.moderated
    assert "OutputVideoSensitiveContentDetected" in (status.error or "")
    server.on("GET", f"{TASKS}/cgt-c", Reply(json={"id": "cgt-c", "status": "cancelled"}))
    cancelled = seedance.poll("cgt-c")
    assert cancelled.state is JobState.FAILED and not cancelled.moderated and "cancelled" in (cancelled.error or "")


def test_a_sensitive_prompt_is_rejected_at_submit(server: FakeServer, seedance: ArkSeedance) -> None:
    server.on(
        "POST",
        TASKS,
        Reply(
            400,
            json={
                "error": {
                    "code": "InputTextSensitiveContentDetected",
                    "message": "The request failed because the input text may contain sensitive information.",
                    "type": "BadRequest",
                }
            },
        ),
    )
    with pytest.raises(ModerationRejected, match="InputTextSensitiveContentDetected"):
        seedance.submit(VideoRequest(prompt="p", duration=5, width=1080, height=1920))


def test_http_failures_map_onto_the_error_tree(server: FakeServer, seedance: ArkSeedance) -> None:
    server.on(
        "GET",
        f"{TASKS}/a",
        Reply(
            429,
            json={"error": {"code": "RateLimitExceeded.EndpointRPMExceeded", "message": "slow down"}},
            headers={"Retry-After": "12"},
        ),
    )
    server.on("GET", f"{TASKS}/b", Reply(500, json={"error": {"code": "InternalServiceError", "message": "boom"}}))
    server.on("GET", f"{TASKS}/c", Reply(body="<html>gateway</html>", content_type="text/html"))
    server.on("GET", f"{TASKS}/d", Reply(json={"id": "d", "status": "dreaming"}))
    server.on("GET", f"{TASKS}/e", Reply(json={"id": "e", "status": "succeeded", "content": {}}))
    with pytest.raises(RateLimited) as caught:
        seedance.poll("a")
    assert caught.value.retry_after == 12
    with pytest.raises(ProviderTransient, match="500"):
        seedance.poll("b")
    with pytest.raises(ProviderResponseError, match="not JSON"):
        seedance.poll("c")
    with pytest.raises(ProviderResponseError, match="dreaming"):
        seedance.poll("d")
    with pytest.raises(ProviderResponseError, match="video_url"):
        seedance.poll("e")


def test_a_hung_server_times_out_as_transient(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_ARK_KEY", KEY)
    slow = ArkSeedance("ark", f"{server.url}/api/v3", "TEST_ARK_KEY", model="m", timeout=0.3)
    server.on("GET", f"{TASKS}/slow", Reply(delay=1.5, json={"status": "queued"}))
    with pytest.raises(ProviderTransient, match="timed out"):
        slow.poll("slow")


def test_a_missing_key_names_the_variable_and_no_key_leaks(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_ARK_KEY_HERE", raising=False)
    seedance = ArkSeedance("ark", f"{server.url}/api/v3", "NO_ARK_KEY_HERE", model="m")
    with pytest.raises(ProviderUnavailable, match="NO_ARK_KEY_HERE"):
        seedance.poll("x")
    monkeypatch.setenv("NO_ARK_KEY_HERE", KEY)
    server.on(
        "GET",
        f"{TASKS}/x",
        Reply(401, json={"error": {"code": "AuthenticationError", "message": f"the API key {KEY} is invalid"}}),
    )
    with pytest.raises(ProviderError) as caught:
        seedance.poll("x")
    assert KEY not in str(caught.value) and KEY not in (caught.value.raw or "")


def test_seedream_sends_references_and_writes_the_image(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch, frames: dict[str, Path], tmp_path: Path
) -> None:
    monkeypatch.setenv("TEST_ARK_KEY", KEY)
    seedream = ArkSeedream("ark", f"{server.url}/api/v3", "TEST_ARK_KEY", model="doubao-seedream-4-0-250828")
    picture = png_bytes((1, 2, 3))
    server.on(
        "POST",
        "/api/v3/images/generations",
        Reply(
            json={
                "model": "doubao-seedream-4-0-250828",
                "created": 1,
                "data": [{"b64_json": base64.b64encode(picture).decode(), "size": "1440x2560"}],
                "usage": {"generated_images": 1, "output_tokens": 14400, "total_tokens": 14400},
            }
        ),
    )
    request = ImageRequest(
        prompt="June, turnaround", width=1440, height=2560, references=(frames["ref"], frames["first"]), seed=7
    )
    result = seedream.generate(request, tmp_path / "takes")
    assert isinstance(seedream, ImageModel)
    assert result.image.read_bytes() == picture and result.image.suffix == ".png"
    assert result.usage is not None and result.usage.quantity == 1 and result.usage.raw["output_tokens"] == 14400
    body = server.seen[0].json()
    assert body["image"] == [data_url_of(frames["ref"]), data_url_of(frames["first"])]
    assert body["size"] == "1440x2560" and body["seed"] == 7 and body["response_format"] == "b64_json"
    server.on(
        "POST",
        "/api/v3/images/generations",
        Reply(400, json={"error": {"code": "InputImageSensitiveContentDetected", "message": "sensitive"}}),
    )
    with pytest.raises(ModerationRejected):
        seedream.generate(request, tmp_path)


def test_factory_picks_the_modality() -> None:
    assert isinstance(factory({"model": "doubao-seedance-1-0-pro-250528"}), ArkSeedance)
    image = factory(
        {
            "modality": "image",
            "model": "doubao-seedream-4-0-250828",
            "provider_id": "ark-intl",
            "base_url": "https://ark.ap-southeast.bytepluses.com/api/v3",
        }
    )
    assert isinstance(image, ArkSeedream) and image.provider_id == "ark-intl"


def test_factory_builds_doubao_chat_on_the_same_key() -> None:
    chat = factory({"modality": "text", "model": "doubao-seed-1-6-250615", "thinking": "disabled"})
    assert isinstance(chat, OpenAIChat)
    assert (chat.provider_id, chat.api_key_env, chat.thinking) == ("ark", "ARK_API_KEY", "disabled")


def jpeg_bytes(color: tuple[int, int, int] = (200, 10, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, format="JPEG")
    return out.getvalue()


def test_keyframes_stored_without_extension_go_out_with_their_real_media_type(
    server: FakeServer, seedance: ArkSeedance, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    png, jpeg = tmp_path / "9c1e0f", tmp_path / "b77a21"  # content-addressed objects have no extension
    png.write_bytes(png_bytes((1, 2, 3)))
    jpeg.write_bytes(jpeg_bytes())
    server.on("POST", TASKS, Reply(json={"id": "cgt-1"}))
    seedance.submit(VideoRequest(prompt="p", duration=5, width=1080, height=1920, first_frame=png, last_frame=jpeg))
    first, last = (item["image_url"]["url"] for item in server.seen[0].json()["content"][1:])
    assert first == "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
    assert last == "data:image/jpeg;base64," + base64.b64encode(jpeg.read_bytes()).decode()

    monkeypatch.setenv("TEST_ARK_KEY", KEY)
    seedream = ArkSeedream("ark", f"{server.url}/api/v3", "TEST_ARK_KEY", model="doubao-seedream-4-0-250828")
    picture = base64.b64encode(png_bytes()).decode()
    server.on("POST", "/api/v3/images/generations", Reply(json={"data": [{"b64_json": picture}]}))
    seedream.generate(ImageRequest(prompt="p", width=1440, height=2560, references=(jpeg, png)), tmp_path / "out")
    assert [url.split(",")[0] for url in server.seen[-1].json()["image"]] == [
        "data:image/jpeg;base64",
        "data:image/png;base64",
    ]


def test_a_keyframe_that_is_not_an_image_is_refused_before_any_request(
    server: FakeServer, seedance: ArkSeedance, tmp_path: Path
) -> None:
    notes = tmp_path / "5d00aa"
    notes.write_text("INT. KITCHEN - NIGHT")
    with pytest.raises(ProviderError, match=r"5d00aa is not an image.*INT\. KITCHEN") as caught:
        seedance.submit(VideoRequest(prompt="p", duration=5, width=1080, height=1920, first_frame=notes))
    assert caught.value.provider == "ark" and server.seen == []


def test_a_refused_key_names_its_variable_and_an_overdue_account_does_not_blame_the_key(
    server: FakeServer, seedance: ArkSeedance
) -> None:
    server.on(
        "GET",
        f"{TASKS}/a",
        Reply(401, json={"error": {"code": "AuthenticationError", "message": "the API key is invalid"}}),
    )
    server.on("GET", f"{TASKS}/b", Reply(403, json={"error": {"code": "AccessDenied", "message": "no access"}}))
    server.on(
        "GET", f"{TASKS}/c", Reply(403, json={"error": {"code": "AccountOverdueError", "message": "overdue balance"}})
    )
    for task in ("a", "b"):
        with pytest.raises(AuthenticationError, match="TEST_ARK_KEY") as caught:
            seedance.poll(task)
        assert caught.value.key_env == "TEST_ARK_KEY" and caught.value.provider == "ark"
    with pytest.raises(ProviderError, match="overdue") as overdue:
        seedance.poll("c")
    assert not isinstance(overdue.value, AuthenticationError) and "top up" in (overdue.value.hint or "")


def listed(task_id: str, created_at: int, **fields: object) -> dict[str, object]:
    task = {"id": task_id, "model": "doubao-seedance-1-0-pro-250528", "status": "running", "created_at": created_at}
    task.update({"seed": 42, "duration": 5, "ratio": "9:16", "resolution": "1080p"}, **fields)
    return task


FOUND = VideoRequest(prompt="p", duration=5, width=1080, height=1920, seed=42)


def test_find_picks_the_one_unjournaled_task_of_this_shape_since_the_submit(
    server: FakeServer, seedance: ArkSeedance
) -> None:
    since = 1_762_000_100
    server.on(
        "GET",
        TASKS,
        Reply(
            json={
                "items": [
                    listed("cgt-other-seed", since + 3, seed=7),
                    listed("cgt-journaled", since + 2),
                    listed("cgt-cancelled", since + 2, status="cancelled"),
                    listed("cgt-mine", since + 1, seed=None),  # fields the list leaves out do not count against it
                    listed("cgt-yesterday", since - 86_400),
                ],
                "total": 5,
            }
        ),
    )
    assert isinstance(seedance, TaskLookup)
    assert seedance.find(FOUND, since, exclude={"cgt-journaled"}) == "cgt-mine"
    (seen,) = server.requests_to(TASKS)
    assert seen.query == {
        "page_num": ["1"],
        "page_size": ["100"],
        "filter.model": ["doubao-seedance-1-0-pro-250528"],
    }
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seedance.find(FOUND, since, exclude={"cgt-journaled", "cgt-mine"}) is None


def test_find_reads_further_pages_until_it_passes_the_submit_time(server: FakeServer, seedance: ArkSeedance) -> None:
    since = 1_762_000_100
    crowd = [listed(f"cgt-{i:03d}", since + 50, seed=i + 100) for i in range(100)]
    pages = [
        Reply(json={"items": crowd, "total": 102}),
        Reply(json={"items": [listed("cgt-mine", since), listed("cgt-old", since - 3600)], "total": 102}),
    ]
    server.on("GET", TASKS, lambda seen: pages[int(seen.query["page_num"][0]) - 1])
    assert seedance.find(FOUND, since, exclude=()) == "cgt-mine"
    assert [s.query["page_num"] for s in server.requests_to(TASKS)] == [["1"], ["2"]]


def test_find_says_so_when_two_tasks_cannot_be_told_apart(server: FakeServer, seedance: ArkSeedance) -> None:
    since = 1_762_000_100
    server.on(
        "GET",
        TASKS,
        Reply(json={"items": [listed("cgt-b", since + 2), listed("cgt-a", since - 4)], "total": 2}),
    )
    with pytest.raises(ProviderError, match="cgt-b and cgt-a") as caught:
        seedance.find(FOUND, since, exclude=())
    assert "DELETE" in (caught.value.hint or "")
    assert seedance.find(FOUND, since, exclude={"cgt-a"}) == "cgt-b"
