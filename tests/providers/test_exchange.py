"""The shared HTTP exchange: uploads typed by their bytes, and refused keys told apart from expired result URLs."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from mangaline.errors import AuthenticationError, ProviderError, ResultExpired
from mangaline.providers.exchange import Endpoint, data_url, image_suffix, media_type

from .fake_video import MP4
from .fakes import FakeServer, Reply


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def picture(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, format=kind)
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(16000)
        sound.writeframes(b"\x00\x00" * 160)
    return out.getvalue()


MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(400)  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz

SAMPLES = {
    "png": (lambda: picture("PNG"), "image/png", ".png"),
    "jpeg": (lambda: picture("JPEG"), "image/jpeg", ".jpg"),
    "webp": (lambda: picture("WEBP"), "image/webp", ".webp"),
    "gif": (lambda: picture("GIF"), "image/gif", ".gif"),
    "wav": (wav, "audio/wav", ".wav"),
    "mp3 with an ID3 tag": (lambda: b"ID3\x04\x00" + bytes(5) + MP3_FRAME, "audio/mpeg", ".mp3"),
    "bare mp3 frames": (lambda: MP3_FRAME, "audio/mpeg", ".mp3"),
    "mp4": (lambda: MP4, "video/mp4", ".mp4"),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_an_upload_is_typed_by_its_bytes_not_its_name(tmp_path: Path, name: str) -> None:
    make, mime, suffix = SAMPLES[name]
    path = tmp_path / "0a1b2c3d"  # as the object store keeps it: no extension
    path.write_bytes(make())
    assert media_type(path) == (mime, suffix)
    assert data_url(path) == f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"
    misnamed = tmp_path / "keyframe.txt"
    misnamed.write_bytes(path.read_bytes())
    assert media_type(misnamed) == (mime, suffix)


def test_an_unknown_upload_names_the_file_and_its_bytes_and_is_never_octet_stream(tmp_path: Path) -> None:
    adts = tmp_path / "line.aac"
    adts.write_bytes(b"\xff\xf1\x50\x80" + bytes(64))  # AAC in ADTS frames: not MP3, whatever the sync says
    with pytest.raises(ProviderError, match=r"line\.aac is not an image.*xff\\xf1") as caught:
        data_url(adts, provider_id="ark")
    assert caught.value.provider == "ark"
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(ProviderError, match="its first bytes are b''"):
        media_type(empty)


def test_image_suffix_reads_gif_and_keeps_non_images_out(tmp_path: Path) -> None:
    assert image_suffix(picture("GIF")) == ".gif"
    assert image_suffix(picture("WEBP")) == ".webp"
    assert image_suffix(MP4) == ".bin"


def test_401_and_403_on_api_calls_name_the_key_but_403_on_a_result_url_is_expiry(server: FakeServer) -> None:
    endpoint = Endpoint("ark", server.url, timeout=2, key_env="ARK_API_KEY")
    server.on("GET", "/api/tasks", Reply(401, json={"error": "bad key"}), Reply(403, json={"error": "forbidden"}))
    server.on("GET", "/files/clip.mp4", Reply(403, body="<Error>AccessDenied</Error>"), Reply(401, body="nope"))
    with pytest.raises(AuthenticationError, match="401") as refused:
        endpoint.send("GET", "api/tasks")
    assert refused.value.key_env == "ARK_API_KEY" and "ARK_API_KEY" in (refused.value.hint or "")
    with pytest.raises(AuthenticationError, match="403"):
        endpoint.send("GET", "api/tasks")
    with pytest.raises(ResultExpired):
        endpoint.fetch(f"{server.url}/files/clip.mp4?sig=old")
    with pytest.raises(ProviderError) as download:
        endpoint.fetch(f"{server.url}/files/clip.mp4?sig=old")
    assert not isinstance(download.value, AuthenticationError)  # a result URL carries no key of ours
    endpoint.close()
