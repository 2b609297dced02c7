"""Volcengine TTS v1 against a local server speaking its documented request and reply shapes."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mangaline.errors import (
    AuthenticationError,
    ConfigError,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    ProviderUnavailable,
    RateLimited,
)
from mangaline.providers.protocols import SpeechModel, SpeechRequest
from mangaline.providers.volc_tts import VolcSpeech, factory
from tests.providers.fakes import FakeServer, Reply, Seen

TOKEN = "volc-token-0f0f0f0f"
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)
LINE = SpeechRequest(text="你回来了。", voice="zh_female_shuangkuaisisi_moon_bigtts", language="zh", speed=1.2)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def volc(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> VolcSpeech:
    monkeypatch.setenv("TEST_VOLC_TOKEN", TOKEN)
    return VolcSpeech("volc_tts", server.url, "TEST_VOLC_TOKEN", appid="app-123", timeout=2)


def success(seen: Seen) -> Reply:
    return Reply(
        json={
            "reqid": seen.json()["request"]["reqid"],
            "code": 3000,
            "operation": "query",
            "message": "Success",
            "sequence": -1,
            "data": base64.b64encode(AUDIO).decode(),
            "addition": {"duration": "1960"},
        }
    )


def test_speak_sends_the_semicolon_bearer_and_documented_body(
    server: FakeServer, volc: VolcSpeech, tmp_path: Path
) -> None:
    server.on("POST", "/api/v1/tts", success)
    result = volc.speak(LINE, tmp_path)
    assert isinstance(volc, SpeechModel)
    assert result.audio.read_bytes() == AUDIO and result.audio.suffix == ".wav"
    assert (
        result.usage is not None
        and result.usage.quantity == len(LINE.text)
        and result.usage.raw == {"duration": "1960"}
    )
    (seen,) = server.seen
    assert seen.headers["authorization"] == f"Bearer;{TOKEN}"
    body = seen.json()
    uuid.UUID(body["request"].pop("reqid"))
    assert body == {
        "app": {"appid": "app-123", "token": "access_token", "cluster": "volcano_tts"},
        "user": {"uid": "mangaline"},
        "audio": {"voice_type": "zh_female_shuangkuaisisi_moon_bigtts", "encoding": "wav", "speed_ratio": 1.2},
        "request": {"text": "你回来了。", "text_type": "plain", "operation": "query"},
    }
    assert TOKEN not in seen.body.decode()


def test_each_call_has_a_fresh_reqid(server: FakeServer, volc: VolcSpeech, tmp_path: Path) -> None:
    server.on("POST", "/api/v1/tts", success)
    first, second = volc.speak(LINE, tmp_path), volc.speak(LINE, tmp_path)
    assert first.audio != second.audio
    reqids = {s.json()["request"]["reqid"] for s in server.seen}
    assert len(reqids) == 2


@pytest.mark.parametrize(
    ("code", "message", "error"),
    [
        (3003, "quota exceeded for types: concurrency", RateLimited),
        (3005, "backend busy", ProviderTransient),
        (3032, "wait audio timeout", ProviderTransient),
        (3050, "voice_type not exist", ProviderError),
        (3011, "illegal input text!", ProviderError),
    ],
)
def test_codes_map_onto_the_error_tree(
    server: FakeServer, volc: VolcSpeech, tmp_path: Path, code: int, message: str, error: type
) -> None:
    server.on("POST", "/api/v1/tts", Reply(json={"reqid": "r", "code": code, "message": message}))
    with pytest.raises(error, match=str(code)) as caught:
        volc.speak(LINE, tmp_path)
    if error is ProviderError:
        assert not isinstance(caught.value, ProviderTransient) and caught.value.hint


def test_http_failures(server: FakeServer, volc: VolcSpeech, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server.on(
        "POST",
        "/api/v1/tts",
        Reply(429, body="Too Many Requests", content_type="text/plain", headers={"Retry-After": "4"}),
        Reply(500, json={"reqid": "r", "code": 3031, "message": "processing error"}),
        Reply(502, body="bad gateway", content_type="text/html"),
        Reply(body='{"code": 3000, "data": ', content_type="application/json"),
        Reply(json={"reqid": "r", "code": 3000, "message": "Success", "data": "!!not base64!!"}),
    )
    with pytest.raises(RateLimited) as caught:
        volc.speak(LINE, tmp_path)
    assert caught.value.retry_after == 4
    with pytest.raises(ProviderTransient, match="3031"):
        volc.speak(LINE, tmp_path)
    with pytest.raises(ProviderTransient, match="502"):
        volc.speak(LINE, tmp_path)
    with pytest.raises(ProviderResponseError, match="not JSON"):
        volc.speak(LINE, tmp_path)
    with pytest.raises(ProviderResponseError, match="base64"):
        volc.speak(LINE, tmp_path)
    slow = VolcSpeech("volc_tts", server.url, "TEST_VOLC_TOKEN", appid="a", timeout=0.3)
    server.on("POST", "/api/v1/tts", Reply(delay=1.5, json={}))
    with pytest.raises(ProviderTransient, match="timed out"):
        slow.speak(LINE, tmp_path)
    monkeypatch.delenv("TEST_VOLC_TOKEN")
    with pytest.raises(ProviderUnavailable, match="TEST_VOLC_TOKEN"):
        volc.speak(LINE, tmp_path)


def test_the_token_never_leaks(server: FakeServer, volc: VolcSpeech, tmp_path: Path) -> None:
    server.on(
        "POST",
        "/api/v1/tts",
        Reply(401, json={"code": 3001, "message": f"authenticate request: token {TOKEN} not found"}),
    )
    with pytest.raises(ProviderError) as caught:
        volc.speak(LINE, tmp_path)
    assert TOKEN not in f"{caught.value} {caught.value.raw}" and "authenticate request" in str(caught.value)


def test_factory_needs_the_appid() -> None:
    assert factory({"appid": "app-1", "model": "volcano_mega"}).model == "volcano_mega"
    with pytest.raises(ConfigError, match="appid"):
        factory({"model": "volcano_tts"})


def test_a_refused_token_is_an_authentication_error_and_an_invalid_request_is_not(
    server: FakeServer, volc: VolcSpeech, tmp_path: Path
) -> None:
    # the service answers a refused token and a malformed request with the same code, 3001; the status differs
    server.on(
        "POST",
        "/api/v1/tts",
        Reply(401, json={"code": 3001, "message": "authenticate request: load grant: requested grant not found"}),
        Reply(403, json={"code": 3001, "message": "access denied"}),
        Reply(json={"reqid": "r", "code": 3001, "message": "invalid request: operation must be query"}),
    )
    for _ in range(2):
        with pytest.raises(AuthenticationError, match="3001") as caught:
            volc.speak(LINE, tmp_path)
        assert caught.value.key_env == "TEST_VOLC_TOKEN" and "TEST_VOLC_TOKEN" in (caught.value.hint or "")
    with pytest.raises(ProviderError, match="invalid request") as invalid:
        volc.speak(LINE, tmp_path)
    assert not isinstance(invalid.value, AuthenticationError)
