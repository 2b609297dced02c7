"""OpenAI-compatible chat, images and speech against a local server speaking the documented shapes."""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest
from PIL import Image

from mangaline.errors import (
    AuthenticationError,
    ConfigError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    ProviderUnavailable,
    RateLimited,
    ResultExpired,
)
from mangaline.providers.openai_compat import (
    OpenAIChat,
    OpenAIImages,
    OpenAISpeech,
    deepseek_factory,
    factory,
    glm_factory,
    kimi_factory,
)
from mangaline.providers.protocols import (
    ImageModel,
    ImageRequest,
    SpeechModel,
    SpeechRequest,
    TextModel,
    TextRequest,
)
from tests.providers.fakes import FakeServer, Reply, png_bytes

KEY = "sk-test-0123456789abcdef"
SCHEMA = {"title": "Beat Sheet", "type": "object", "properties": {"beats": {"type": "array"}}, "required": ["beats"]}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def completion(content: str | None, *, finish_reason: str = "stop", refusal: str | None = None) -> Reply:
    return Reply(
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150},
        }
    )


@pytest.fixture
def chat(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> OpenAIChat:
    monkeypatch.setenv("TEST_OPENAI_KEY", KEY)
    return OpenAIChat("openai", f"{server.url}/v1", "TEST_OPENAI_KEY", model="gpt-test", timeout=2, json_schema=True)


def ask(schema: dict | None = SCHEMA) -> TextRequest:
    return TextRequest(
        messages=[{"role": "user", "content": "Break this story into beats, as json."}],
        json_schema=schema,
        temperature=0.2,
        max_tokens=500,
    )


def test_chat_sends_a_strict_json_schema_and_returns_content_and_usage(server: FakeServer, chat: OpenAIChat) -> None:
    server.on("POST", "/v1/chat/completions", completion('{"beats": []}'))
    result = chat.complete(ask())
    assert isinstance(chat, TextModel)
    assert result.content == '{"beats": []}'
    assert result.finish_reason == "stop"
    assert result.usage is not None and result.usage.quantity == 150 and result.usage.unit == "tokens"
    assert result.usage.raw["completion_tokens"] == 30
    (seen,) = server.requests_to("/v1/chat/completions")
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    body = seen.json()
    assert body["model"] == "gpt-test"
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Beat_Sheet", "schema": SCHEMA, "strict": True},
    }
    assert body["temperature"] == 0.2 and body["max_tokens"] == 500
    assert "thinking" not in body


def test_chat_json_object_mode_and_thinking_switch(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPSEEK_TEST_KEY", KEY)
    deepseek = OpenAIChat("deepseek", server.url, "DEEPSEEK_TEST_KEY", model="deepseek-chat", thinking="disabled")
    server.on("POST", "/chat/completions", completion('{"beats": [1]}', finish_reason="length"))
    result = deepseek.complete(ask())
    assert result.finish_reason == "length"
    body = server.seen[0].json()
    assert body["response_format"] == {"type": "json_object"}
    assert body["thinking"] == {"type": "disabled"}


def test_a_blank_json_reply_is_worth_retrying(server: FakeServer, chat: OpenAIChat) -> None:
    server.on("POST", "/v1/chat/completions", completion("   \n"))
    with pytest.raises(ProviderTransient, match="blank"):
        chat.complete(ask())


def test_a_refusal_is_a_moderation_rejection(server: FakeServer, chat: OpenAIChat) -> None:
    server.on("POST", "/v1/chat/completions", completion(None, refusal="I can't help with that."))
    with pytest.raises(ModerationRejected, match="can't help") as caught:
        chat.complete(ask())
    assert caught.value.provider == "openai"


def test_a_content_filter_finish_is_a_moderation_rejection(server: FakeServer, chat: OpenAIChat) -> None:
    server.on("POST", "/v1/chat/completions", completion(None, finish_reason="content_filter"))
    with pytest.raises(ModerationRejected):
        chat.complete(ask())


def test_a_400_data_inspection_failure_is_a_moderation_rejection(server: FakeServer, chat: OpenAIChat) -> None:
    server.on(
        "POST",
        "/v1/chat/completions",
        Reply(
            400,
            json={
                "error": {
                    "code": "data_inspection_failed",
                    "message": "Input data may contain inappropriate content.",
                    "type": "data_inspection_failed",
                }
            },
        ),
    )
    with pytest.raises(ModerationRejected, match="inappropriate"):
        chat.complete(ask())


def test_429_carries_the_retry_after(server: FakeServer, chat: OpenAIChat) -> None:
    server.on(
        "POST",
        "/v1/chat/completions",
        Reply(429, json={"error": {"message": "Rate limit reached"}}, headers={"Retry-After": "7"}),
    )
    with pytest.raises(RateLimited) as caught:
        chat.complete(ask())
    assert caught.value.retry_after == 7
    assert "Rate limit reached" in str(caught.value)


def test_5xx_is_transient(server: FakeServer, chat: OpenAIChat) -> None:
    server.on("POST", "/v1/chat/completions", Reply(503, body="upstream overloaded", content_type="text/plain"))
    with pytest.raises(ProviderTransient, match="503") as caught:
        chat.complete(ask())
    assert not isinstance(caught.value, RateLimited)


def test_a_server_slower_than_the_timeout_is_transient(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", KEY)
    slow = OpenAIChat("openai", server.url, "TEST_OPENAI_KEY", model="gpt-test", timeout=0.3)
    server.on("POST", "/chat/completions", Reply(delay=1.5, json={}))
    with pytest.raises(ProviderTransient, match="timed out"):
        slow.complete(ask())


def test_malformed_json_is_a_response_error(server: FakeServer, chat: OpenAIChat) -> None:
    server.on("POST", "/v1/chat/completions", Reply(body='{"choices": [', content_type="application/json"))
    with pytest.raises(ProviderResponseError, match="not JSON"):
        chat.complete(ask())
    server.on("POST", "/v1/chat/completions", Reply(json={"object": "chat.completion", "choices": []}))
    with pytest.raises(ProviderResponseError, match="choices"):
        chat.complete(ask())


def test_a_missing_key_names_the_variable(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MANGALINE_NO_SUCH_KEY", raising=False)
    chat = OpenAIChat("openai", server.url, "MANGALINE_NO_SUCH_KEY", model="gpt-test")
    with pytest.raises(ProviderUnavailable, match="MANGALINE_NO_SUCH_KEY"):
        chat.complete(ask())
    assert server.seen == []


def test_the_key_never_appears_in_an_error(server: FakeServer, chat: OpenAIChat) -> None:
    server.on(
        "POST", "/v1/chat/completions", Reply(401, json={"error": {"message": f"Incorrect API key provided: {KEY}"}})
    )
    with pytest.raises(ProviderError) as caught:
        chat.complete(ask())
    assert KEY not in str(caught.value) and KEY not in (caught.value.raw or "")
    assert "Incorrect API key" in str(caught.value)


def test_a_local_server_without_a_key_gets_no_authorization(server: FakeServer) -> None:
    local = OpenAIChat("vllm", f"{server.url}/v1", "", model="qwen", json_object=False)
    server.on("POST", "/v1/chat/completions", completion("plain text"))
    assert local.complete(ask()).content == "plain text"
    assert "authorization" not in server.seen[0].headers
    assert "response_format" not in server.seen[0].json()


@pytest.fixture
def images(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> OpenAIImages:
    monkeypatch.setenv("TEST_OPENAI_KEY", KEY)
    return OpenAIImages("openai", f"{server.url}/v1", "TEST_OPENAI_KEY", model="gpt-image-1", quality="low")


def test_image_generation_writes_the_b64_image(server: FakeServer, images: OpenAIImages, tmp_path: Path) -> None:
    picture = png_bytes((10, 200, 30))
    server.on(
        "POST",
        "/v1/images/generations",
        Reply(
            json={
                "created": 1,
                "data": [{"b64_json": base64.b64encode(picture).decode()}],
                "usage": {"total_tokens": 272, "input_tokens": 12, "output_tokens": 260},
            }
        ),
    )
    result = images.generate(ImageRequest(prompt="a rainy kitchen", width=1024, height=1536), tmp_path)
    assert isinstance(images, ImageModel)
    assert result.image.parent == tmp_path and result.image.suffix == ".png"
    assert Image.open(result.image).getpixel((0, 0)) == (10, 200, 30)
    assert result.usage is not None and result.usage.quantity == 272
    assert "b64_json" not in result.raw["data"][0]
    body = server.seen[0].json()
    assert body == {"model": "gpt-image-1", "prompt": "a rainy kitchen", "size": "1024x1536", "n": 1, "quality": "low"}


def test_image_edit_sends_every_reference_as_multipart(
    server: FakeServer, images: OpenAIImages, tmp_path: Path
) -> None:
    refs = []
    for i, color in enumerate([(255, 0, 0), (0, 0, 255)]):
        path = tmp_path / f"ref{i}.png"
        path.write_bytes(png_bytes(color))
        refs.append(path)
    server.on("POST", "/v1/images/edits", Reply(json={"data": [{"b64_json": base64.b64encode(png_bytes()).decode()}]}))
    result = images.generate(
        ImageRequest(prompt="June at the counter", width=1024, height=1024, references=tuple(refs)), tmp_path / "out"
    )
    assert result.image.exists() and result.usage is not None and result.usage.unit == "images"
    seen = server.requests_to("/v1/images/edits")[0]
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    parts = seen.parts()
    fields = {p.name: p.data.decode() for p in parts if p.filename is None}
    assert fields == {
        "model": "gpt-image-1",
        "prompt": "June at the counter",
        "size": "1024x1024",
        "n": "1",
        "quality": "low",
    }
    uploads = [p for p in parts if p.filename]
    assert [p.name for p in uploads] == ["image[]", "image[]"]
    assert [p.data for p in uploads] == [r.read_bytes() for r in refs]


def test_image_url_reply_is_downloaded_and_an_expired_url_says_so(
    server: FakeServer, images: OpenAIImages, tmp_path: Path
) -> None:
    server.on(
        "POST", "/v1/images/generations", Reply(json={"data": [{"url": f"{server.url}/files/img-1.png?sig=abc"}]})
    )
    server.on(
        "GET",
        "/files/img-1.png",
        Reply(body=png_bytes(), content_type="image/png"),
        Reply(403, body="<Error>AccessDenied</Error>"),
    )
    first = images.generate(ImageRequest(prompt="x", width=1024, height=1024), tmp_path)
    assert first.image.read_bytes() == png_bytes()
    assert "authorization" not in server.requests_to("/files/img-1.png")[0].headers
    with pytest.raises(ResultExpired, match="403"):
        images.generate(ImageRequest(prompt="x", width=1024, height=1024), tmp_path)


def test_image_moderation_is_a_rejection(server: FakeServer, images: OpenAIImages, tmp_path: Path) -> None:
    server.on(
        "POST",
        "/v1/images/generations",
        Reply(
            400,
            json={
                "error": {"code": "moderation_blocked", "message": "Your request was rejected by the safety system."}
            },
        ),
    )
    with pytest.raises(ModerationRejected, match="safety system"):
        images.generate(ImageRequest(prompt="x", width=1024, height=1024), tmp_path)


def test_speech_writes_the_audio_body(server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", KEY)
    voice = OpenAISpeech("openai", f"{server.url}/v1", "TEST_OPENAI_KEY", model="gpt-4o-mini-tts")
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)
    server.on("POST", "/v1/audio/speech", Reply(body=wav, content_type="audio/wav"))
    result = voice.speak(SpeechRequest(text="You came back.", voice="alloy", language="en", speed=1.1), tmp_path)
    assert isinstance(voice, SpeechModel)
    assert result.audio.read_bytes() == wav and result.audio.suffix == ".wav"
    assert result.usage is not None and result.usage.quantity == len("You came back.")
    assert server.seen[0].json() == {
        "model": "gpt-4o-mini-tts",
        "input": "You came back.",
        "voice": "alloy",
        "response_format": "wav",
        "speed": 1.1,
    }
    server.on("POST", "/v1/audio/speech", Reply(json={"status": "ok"}))
    with pytest.raises(ProviderResponseError, match="instead of audio"):
        voice.speak(SpeechRequest(text="Again.", voice="alloy", language="en"), tmp_path)


def test_factory_builds_each_modality_and_rejects_unknown_settings(server: FakeServer) -> None:
    chat = factory(
        {
            "provider_id": "kimi",
            "base_url": server.url,
            "api_key_env": "MOONSHOT_API_KEY",
            "model": "kimi-k2",
            "json_schema": True,
        }
    )
    assert isinstance(chat, OpenAIChat) and chat.json_schema and chat.provider_id == "kimi"
    assert isinstance(factory({"modality": "image", "model": "gpt-image-1"}), OpenAIImages)
    assert isinstance(factory({"modality": "speech", "model": "tts-1", "audio_format": "mp3"}), OpenAISpeech)
    with pytest.raises(ConfigError, match="json_shema"):
        factory({"model": "m", "json_shema": True})
    with pytest.raises(ConfigError, match="modality"):
        factory({"modality": "video", "model": "m"})


def test_vendor_presets_fill_the_documented_defaults() -> None:
    deepseek = deepseek_factory({"model": "deepseek-chat", "modality": "text"})
    assert isinstance(deepseek, OpenAIChat)
    assert (deepseek.provider_id, deepseek.api_key_env) == ("deepseek", "DEEPSEEK_API_KEY")
    assert deepseek.json_object and not deepseek.json_schema
    assert kimi_factory({"model": "kimi-k2"}).api_key_env == "MOONSHOT_API_KEY"
    assert glm_factory({"model": "glm-4.6", "api_key_env": "MY_GLM"}).api_key_env == "MY_GLM"


def test_retry_after_as_an_http_date(server: FakeServer, chat: OpenAIChat) -> None:
    later = formatdate(time.time() + 3600, usegmt=True)
    server.on(
        "POST", "/v1/chat/completions", Reply(429, json={"error": {"message": "slow"}}, headers={"Retry-After": later})
    )
    with pytest.raises(RateLimited) as caught:
        chat.complete(ask())
    assert caught.value.retry_after is not None and 3000 < caught.value.retry_after <= 3601


def test_a_refused_connection_is_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TEST_OPENAI_KEY", KEY)
    chat = OpenAIChat("openai", f"http://127.0.0.1:{port}/v1", "TEST_OPENAI_KEY", model="gpt-test", timeout=2)
    with pytest.raises(ProviderTransient, match="failed") as caught:
        chat.complete(ask())
    assert KEY not in str(caught.value)


def test_image_edit_uploads_carry_the_type_read_from_their_bytes(
    server: FakeServer, images: OpenAIImages, tmp_path: Path
) -> None:
    png, jpeg = tmp_path / "e1f2a3", tmp_path / "c4d5b6"  # stored objects: no extension to guess from
    png.write_bytes(png_bytes((0, 120, 0)))
    Image.new("RGB", (8, 8), (9, 9, 200)).save(jpeg, format="JPEG")
    server.on("POST", "/v1/images/edits", Reply(json={"data": [{"b64_json": base64.b64encode(png_bytes()).decode()}]}))
    images.generate(ImageRequest(prompt="p", width=1024, height=1024, references=(png, jpeg)), tmp_path / "out")
    uploads = [p for p in server.requests_to("/v1/images/edits")[0].parts() if p.filename]
    assert [(p.filename, p.content_type) for p in uploads] == [("e1f2a3.png", "image/png"), ("c4d5b6.jpg", "image/jpeg")]
    assert [p.data for p in uploads] == [png.read_bytes(), jpeg.read_bytes()]
    notes = tmp_path / "notes"
    notes.write_text("not a picture")
    with pytest.raises(ProviderError, match="notes is not an image"):
        images.generate(ImageRequest(prompt="p", width=1024, height=1024, references=(notes,)), tmp_path / "out")
    assert len(server.seen) == 1


def test_a_refused_key_is_an_authentication_error_naming_its_variable(
    server: FakeServer, images: OpenAIImages, tmp_path: Path
) -> None:
    server.on(
        "POST",
        "/v1/images/generations",
        Reply(401, json={"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}}),
        Reply(403, json={"error": {"message": "Project does not have access to model gpt-image-1"}}),
    )
    with pytest.raises(AuthenticationError, match="Incorrect API key") as refused:
        images.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)
    assert refused.value.key_env == "TEST_OPENAI_KEY" and "TEST_OPENAI_KEY" in (refused.value.hint or "")
    with pytest.raises(AuthenticationError, match="does not have access") as forbidden:
        images.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)
    assert "allowed to use this model" in (forbidden.value.hint or "")


def test_gpt_image_is_asked_for_its_own_sizes_and_other_models_for_the_frame() -> None:
    from mangaline.providers.openai_compat import image_size

    assert image_size("gpt-image-1", 720, 1280) == "1024x1536"
    assert image_size("gpt-image-1", 2150, 1392) == "1536x1024"
    assert image_size("gpt-image-1", 1000, 1000) == "1024x1024"
    assert image_size("qwen-image", 720, 1280) == "720x1280"
