"""Downloading results at once: size limit, content-type check, expired URLs, against a server on 127.0.0.1."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mangaline.errors import (
    ProviderResponseError,
    ProviderTransient,
    RateLimited,
    ResultExpired,
)
from mangaline.providers.download import fetch_result

from .fake_video import MP4, FakeVideoServer, Scripted


@pytest.fixture
def server():
    with FakeVideoServer().serving() as running:
        yield running


def test_a_result_is_saved_with_its_type_and_digest(server: FakeVideoServer, tmp_path: Path) -> None:
    got = fetch_result(f"{server.url}/files/job-1.mp4?sig=secret", tmp_path / "take" / "video", provider="fake")
    assert got.path == tmp_path / "take" / "video.mp4" and got.path.read_bytes() == MP4
    assert (got.content_type, got.size, got.sha256) == ("video/mp4", len(MP4), hashlib.sha256(MP4).hexdigest())
    assert [p.name for p in got.path.parent.iterdir()] == ["video.mp4"]  # no partial file left


def test_the_size_limit_holds_even_when_the_server_does_not_declare_a_length(server: FakeVideoServer, tmp_path: Path) -> None:
    with pytest.raises(ProviderResponseError, match="over the 100-byte limit"):
        fetch_result(f"{server.url}/files/x.mp4", tmp_path / "a", provider="fake", max_bytes=100)
    server.body = b"x" * 5000
    server.declare_length = False
    with pytest.raises(ProviderResponseError, match="passed the 1000-byte limit"):
        fetch_result(f"{server.url}/files/x.mp4", tmp_path / "b", provider="fake", max_bytes=1000)
    assert not any(tmp_path.rglob("*.mp4")) and not any(tmp_path.rglob("*partial*"))


def test_the_content_type_is_checked(server: FakeVideoServer, tmp_path: Path) -> None:
    server.content_type = "text/html"
    with pytest.raises(ProviderResponseError, match="is text/html, expected video/mp4"):
        fetch_result(f"{server.url}/files/x.mp4?sig=s3cret", tmp_path / "a", provider="fake")
    server.content_type = "audio/ogg"
    assert fetch_result(f"{server.url}/files/x", tmp_path / "line", provider="fake").path.suffix == ".ogg"
    server.content_type = "image/webp"
    assert fetch_result(f"{server.url}/files/x", tmp_path / "key", provider="fake").path.suffix == ".webp"


@pytest.mark.parametrize("status", [403, 404, 410])
def test_an_expired_url_is_result_expired_without_its_signature(server: FakeVideoServer, tmp_path: Path, status: int) -> None:
    server.download_script.append(Scripted(status))
    with pytest.raises(ResultExpired, match=f"answered {status}") as caught:
        fetch_result(f"{server.url}/files/x.mp4?sig=s3cret", tmp_path / "a", provider="fake")
    assert "s3cret" not in str(caught.value)


def test_busy_and_broken_servers_are_transient(server: FakeVideoServer, tmp_path: Path) -> None:
    server.download_script += [Scripted(429, headers={"Retry-After": "3"}), Scripted(503)]
    with pytest.raises(RateLimited) as limited:
        fetch_result(f"{server.url}/files/x.mp4", tmp_path / "a", provider="fake")
    assert limited.value.retry_after == 3.0
    with pytest.raises(ProviderTransient, match="answered 503"):
        fetch_result(f"{server.url}/files/x.mp4", tmp_path / "a", provider="fake")
    with pytest.raises(ProviderTransient, match="failed: ConnectError"):
        fetch_result("http://127.0.0.1:9/files/x.mp4", tmp_path / "a", provider="fake", timeout=2)
