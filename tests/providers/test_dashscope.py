"""DashScope Wan video, Qwen-Image and Qwen-TTS against a local server speaking DashScope's documented shapes."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from mangaline.errors import (
    ConfigError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    ProviderUnavailable,
    RateLimited,
    ResultExpired,
)
from mangaline.providers.dashscope import QwenImage, QwenSpeech, WanVideo, factory
from mangaline.providers.openai_compat import OpenAIChat
from mangaline.providers.protocols import (
    ImageModel,
    ImageRequest,
    JobState,
    SpeechModel,
    SpeechRequest,
    TextRequest,
    VideoModel,
    VideoRequest,
)
from tests.providers.fakes import FakeServer, Reply, png_bytes

KEY = "sk-dashscope-77aa66bb"
SYNTHESIS = "/api/v1/services/aigc/video-generation/video-synthesis"
GENERATION = "/api/v1/services/aigc/multimodal-generation/generation"


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


def refused(code: str, message: str, *, status: int = 400, headers: dict[str, str] | None = None) -> Reply:
    """DashScope's documented error body: ``{request_id, code, message}`` with an HTTP status."""
    return Reply(status, json={"request_id": "r-err", "code": code, "message": message}, headers=headers or {})


def png_data_url(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


# ---------------------------------------------------------------- Qwen-TTS


def wav_bytes(seconds: float = 0.1, rate: int = 24000) -> bytes:
    """A tiny real WAV, as Qwen-TTS serves (24 kHz mono 16-bit)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x00\x01" * int(seconds * rate))
    return out.getvalue()


@pytest.fixture
def tts(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> QwenSpeech:
    monkeypatch.setenv("TEST_DASHSCOPE_KEY", KEY)
    return QwenSpeech("dashscope", server.url, "TEST_DASHSCOPE_KEY", model="qwen3-tts-flash", timeout=2)


def spoken(server: FakeServer, *, characters: int | None = 16) -> Reply:
    """The documented non-streaming reply: a signed OSS URL to a WAV file, ``data`` empty."""
    reply = {
        "request_id": "5c3d3b1e-tts",
        "output": {
            "finish_reason": "stop",
            "audio": {
                "url": f"{server.url}/oss/line.wav?Expires=1764000000&Signature=abc",
                "data": "",
                "id": "audio_5c3d3b1e",
                "expires_at": 1764000000,
            },
        },
        "usage": {"characters": characters} if characters is not None else {},
    }
    return Reply(json=reply)


def test_qwen_tts_sends_the_documented_body_and_downloads_the_wav_at_once(
    server: FakeServer, tts: QwenSpeech, tmp_path: Path
) -> None:
    audio = wav_bytes()
    server.on("POST", GENERATION, spoken(server))
    server.on("GET", "/oss/line.wav", Reply(body=audio, content_type="audio/wav"))
    assert isinstance(tts, SpeechModel)
    result = tts.speak(SpeechRequest(text="你好，我是林晓。", voice="Cherry", language="zh"), tmp_path)
    asked, fetched = server.seen
    assert asked.headers["authorization"] == f"Bearer {KEY}"
    assert "x-dashscope-async" not in asked.headers  # synchronous
    assert asked.json() == {
        "model": "qwen3-tts-flash",
        "input": {"text": "你好，我是林晓。", "voice": "Cherry", "language_type": "Chinese"},
    }
    assert fetched.path == "/oss/line.wav" and "authorization" not in fetched.headers  # the URL is signed
    assert result.audio.suffix == ".wav" and result.audio.parent == tmp_path
    assert result.audio.read_bytes() == audio
    assert result.usage is not None and (result.usage.quantity, result.usage.unit) == (16, "characters")
    assert result.raw["output"]["audio"]["id"] == "audio_5c3d3b1e" and "data" not in result.raw["output"]["audio"]


def test_qwen_tts_counts_han_characters_twice_when_the_reply_has_no_usage(
    server: FakeServer, tts: QwenSpeech, tmp_path: Path
) -> None:
    server.on("POST", GENERATION, spoken(server, characters=None))
    server.on("GET", "/oss/line.wav", Reply(body=wav_bytes(), content_type="audio/wav"))
    result = tts.speak(SpeechRequest(text="Hi 林晓", voice="Ethan", language="en-US"), tmp_path)
    assert server.seen[0].json()["input"]["language_type"] == "English"
    assert result.usage is not None and result.usage.quantity == 3 + 2 * 2


def test_qwen_tts_refuses_what_it_cannot_say_before_anything_is_paid(
    server: FakeServer, tts: QwenSpeech, tmp_path: Path
) -> None:
    with pytest.raises(ProviderError, match="no speaking rate") as caught:
        tts.speak(SpeechRequest(text="快点", voice="Cherry", language="zh", speed=1.25), tmp_path)
    assert "tts-1" in (caught.value.hint or "")
    with pytest.raises(ProviderError, match="does not speak 'th'"):
        tts.speak(SpeechRequest(text="สวัสดี", voice="Cherry", language="th"), tmp_path)
    with pytest.raises(ProviderError, match="no voice"):
        tts.speak(SpeechRequest(text="hello", voice="", language="en"), tmp_path)
    assert server.seen == []


def test_qwen_tts_errors_map_onto_the_error_tree(
    server: FakeServer, tts: QwenSpeech, tmp_path: Path
) -> None:
    line = SpeechRequest(text="hello", voice="Cherry", language="en")
    server.on(
        "POST",
        GENERATION,
        refused("DataInspectionFailed", "Input data may contain inappropriate content."),
        refused("Throttling.RateQuota", "Requests rate limit exceeded", status=429, headers={"Retry-After": "3"}),
        Reply(json={"request_id": "r", "output": {"finish_reason": "stop"}, "usage": {"characters": 5}}),
        spoken(server),
    )
    with pytest.raises(ModerationRejected, match="inappropriate"):
        tts.speak(line, tmp_path)
    with pytest.raises(RateLimited) as throttled:
        tts.speak(line, tmp_path)
    assert throttled.value.retry_after == 3
    with pytest.raises(ProviderResponseError, match="neither output.audio.url nor output.audio.data"):
        tts.speak(line, tmp_path)
    denied = Reply(403, body="<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
    server.on("GET", "/oss/line.wav", denied)
    with pytest.raises(ResultExpired):
        tts.speak(line, tmp_path)
    server.on("GET", "/oss/line.wav", Reply(body="<html>not audio</html>", content_type="text/html"))
    with pytest.raises(ProviderResponseError, match="not WAV, MP3 or Ogg"):
        tts.speak(line, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_qwen_tts_key_never_leaks(server: FakeServer, tts: QwenSpeech, tmp_path: Path) -> None:
    server.on("POST", GENERATION, refused("InvalidApiKey", f"Invalid API-key provided: {KEY}", status=401))
    with pytest.raises(ProviderError) as caught:
        tts.speak(SpeechRequest(text="hello", voice="Cherry", language="en"), tmp_path)
    assert KEY not in f"{caught.value} {caught.value.raw}" and "InvalidApiKey" in str(caught.value)


# ---------------------------------------------------------------- Qwen-Image


@pytest.fixture
def qwen_image(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> QwenImage:
    monkeypatch.setenv("TEST_DASHSCOPE_KEY", KEY)
    return QwenImage("dashscope", server.url, "TEST_DASHSCOPE_KEY", model="qwen-image-2.0-pro", timeout=2)


@pytest.fixture
def references(tmp_path: Path) -> tuple[Path, ...]:
    paths = []
    for index, color in enumerate([(200, 10, 10), (10, 200, 10), (10, 10, 200)]):
        path = tmp_path / f"ref{index}.png"
        path.write_bytes(png_bytes(color))
        paths.append(path)
    return tuple(paths)


def drawn(server: FakeServer) -> Reply:
    """The documented reply: one image URL in output.choices[0].message.content, and its size in usage."""
    return Reply(
        json={
            "request_id": "bf37ca26-img",
            "output": {
                "choices": [
                    {
                        "finish_reason": "stop",
                        "message": {
                            "role": "assistant",
                            "content": [{"image": f"{server.url}/oss/key.png?Expires=1764000000&Signature=x"}],
                        },
                    }
                ]
            },
            "usage": {"width": 720, "height": 1280, "image_count": 1},
        }
    )


def test_qwen_image_sends_the_references_first_then_the_prompt(
    server: FakeServer, qwen_image: QwenImage, references: tuple[Path, ...], tmp_path: Path
) -> None:
    picture = png_bytes((1, 2, 3), size=(9, 16))
    server.on("POST", GENERATION, drawn(server))
    server.on("GET", "/oss/key.png", Reply(body=picture, content_type="image/png"))
    assert isinstance(qwen_image, ImageModel)
    workdir = tmp_path / "takes"
    workdir.mkdir()
    result = qwen_image.generate(
        ImageRequest(
            prompt="the girl in image 1 wears the coat of image 2 in the café of image 3",
            width=720,
            height=1280,
            references=references,
            seed=42,
            negative_prompt="text, watermark",
        ),
        workdir,
    )
    asked, fetched = server.seen
    assert asked.headers["authorization"] == f"Bearer {KEY}"
    assert asked.json() == {
        "model": "qwen-image-2.0-pro",
        "input": {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        *({"image": png_data_url(p)} for p in references),
                        {"text": "the girl in image 1 wears the coat of image 2 in the café of image 3"},
                    ],
                }
            ]
        },
        "parameters": {
            "n": 1,
            "size": "720*1280",
            "seed": 42,
            "watermark": False,
            "negative_prompt": "text, watermark",
            "prompt_extend": False,
        },
    }
    assert "authorization" not in fetched.headers
    assert result.image.parent == workdir and result.image.suffix == ".png" and result.image.read_bytes() == picture
    assert result.usage is not None and (result.usage.quantity, result.usage.unit) == (1, "images")


def test_qwen_image_draws_from_the_prompt_alone_and_refuses_what_it_cannot_take(
    server: FakeServer, qwen_image: QwenImage, references: tuple[Path, ...], tmp_path: Path
) -> None:
    server.on("POST", GENERATION, drawn(server))
    server.on("GET", "/oss/key.png", Reply(body=png_bytes(), content_type="image/png"))
    qwen_image.generate(ImageRequest(prompt="a turnaround sheet of Lin", width=1024, height=1024), tmp_path)
    assert server.seen[0].json()["input"]["messages"][0]["content"] == [{"text": "a turnaround sheet of Lin"}]
    sent = len(server.seen)
    with pytest.raises(ProviderError, match="at most 3 reference images"):
        qwen_image.generate(ImageRequest(prompt="p", width=1024, height=1024, references=references * 2), tmp_path)
    with pytest.raises(ProviderError, match="480x854 is outside"):
        qwen_image.generate(ImageRequest(prompt="p", width=480, height=854), tmp_path)
    with pytest.raises(ProviderError, match="seed"):
        qwen_image.generate(ImageRequest(prompt="p", width=1024, height=1024, seed=2**40), tmp_path)
    editor = QwenImage("dashscope", server.url, "TEST_DASHSCOPE_KEY", model="qwen-image-edit-plus", timeout=2)
    with pytest.raises(ProviderError, match="needs at least one reference image"):
        editor.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)
    assert len(server.seen) == sent


def test_qwen_image_errors_map_onto_the_error_tree(
    server: FakeServer, qwen_image: QwenImage, tmp_path: Path
) -> None:
    sheet = ImageRequest(prompt="p", width=1024, height=1024)
    server.on(
        "POST",
        GENERATION,
        refused("DataInspectionFailed", "Output data may contain inappropriate content."),
        refused("Throttling.AllocationQuota", "Allocated quota exceeded"),
        refused("IPInfringementSuspect", "Input data is suspected of IP infringement.", status=200),
        Reply(json={"request_id": "r", "output": {"choices": []}}),
        drawn(server),
    )
    with pytest.raises(ModerationRejected, match="inappropriate"):
        qwen_image.generate(sheet, tmp_path)
    with pytest.raises(RateLimited, match="Throttling.AllocationQuota"):
        qwen_image.generate(sheet, tmp_path)
    with pytest.raises(ModerationRejected, match="IPInfringementSuspect"):
        qwen_image.generate(sheet, tmp_path)
    with pytest.raises(ProviderResponseError, match=r"content\[\]\.image"):
        qwen_image.generate(sheet, tmp_path)
    server.on("GET", "/oss/key.png", Reply(410, body="gone", content_type="text/plain"))
    with pytest.raises(ResultExpired):
        qwen_image.generate(sheet, tmp_path)
    server.on("GET", "/oss/key.png", Reply(body="<html/>", content_type="text/html"))
    with pytest.raises(ProviderResponseError, match="PNG, JPEG or WebP"):
        qwen_image.generate(sheet, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_factory_builds_every_modality_on_one_key() -> None:
    root = {"base_url": "https://dashscope-intl.aliyuncs.com"}
    image = factory({**root, "modality": "image", "model": "qwen-image-2.0-pro"})
    speech = factory({**root, "modality": "speech", "model": "qwen3-tts-flash"})
    assert isinstance(image, QwenImage) and isinstance(speech, QwenSpeech)
    assert {image.api_key_env, speech.api_key_env} == {"DASHSCOPE_API_KEY"}
    assert image.provider_id == speech.provider_id == "dashscope"
    with pytest.raises(ConfigError, match="video, image, speech or text"):
        factory({"modality": "lipsync", "model": "m"})
