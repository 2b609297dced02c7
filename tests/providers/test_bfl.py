"""BFL FLUX against a local server: submit, poll the polling_url, download the sample within generate."""

from __future__ import annotations

import base64
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
    ResultExpired,
)
from mangaline.providers.bfl import FluxImages, factory
from mangaline.providers.protocols import ImageModel, ImageRequest
from tests.providers.fakes import FakeServer, Reply, png_bytes

KEY = "bfl-key-5e5e5e5e"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture
def flux(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FluxImages:
    monkeypatch.setenv("TEST_BFL_KEY", KEY)
    return FluxImages("bfl", server.url, "TEST_BFL_KEY", model="flux-2-pro", timeout=2, poll_interval=0.01, deadline=5)


@pytest.fixture
def refs(tmp_path: Path) -> list[Path]:
    paths = []
    for i in range(3):
        path = tmp_path / f"ref{i}.png"
        path.write_bytes(png_bytes((i * 80, 0, 0)))
        paths.append(path)
    return paths


def submitted(server: FakeServer, job: str = "job-1", **extra: object) -> Reply:
    return Reply(json={"id": job, "polling_url": f"{server.url}/v1/get_result?id={job}", **extra})


def test_generate_submits_polls_a_slow_job_and_downloads(
    server: FakeServer, flux: FluxImages, refs: list[Path], tmp_path: Path
) -> None:
    picture = png_bytes((0, 128, 255), size=(16, 24))
    server.on("POST", "/v1/flux-2-pro", submitted(server, cost=4.5, input_mp=0.2, output_mp=2.07))
    server.on(
        "GET",
        "/v1/get_result",
        Reply(json={"id": "job-1", "status": "Pending", "progress": 0.1}),
        Reply(json={"id": "job-1", "status": "Pending", "progress": 0.6}),
        Reply(
            json={
                "id": "job-1",
                "status": "Ready",
                "result": {"sample": f"{server.url}/delivery/job-1/sample.png?se=2026", "seed": 11},
            }
        ),
    )
    server.on("GET", "/delivery/job-1/sample.png", Reply(body=picture, content_type="image/png"))
    result = flux.generate(
        ImageRequest(prompt="June in a raincoat", width=1080, height=1920, references=tuple(refs), seed=11),
        tmp_path / "takes",
    )
    assert isinstance(flux, ImageModel)
    assert Image.open(result.image).size == (16, 24)
    assert result.usage is not None and result.usage.quantity == 4.5 and result.usage.unit == "credits"
    assert result.usage.raw == {"cost": 4.5, "input_mp": 0.2, "output_mp": 2.07}
    post = server.requests_to("/v1/flux-2-pro")[0]
    assert post.headers["x-key"] == KEY
    assert post.json() == {
        "prompt": "June in a raincoat",
        "seed": 11,
        "output_format": "png",
        "width": 1080,
        "height": 1920,
        "input_image": base64.b64encode(refs[0].read_bytes()).decode(),
        "input_image_2": base64.b64encode(refs[1].read_bytes()).decode(),
        "input_image_3": base64.b64encode(refs[2].read_bytes()).decode(),
    }
    polls = server.requests_to("/v1/get_result")
    assert len(polls) == 3 and all(p.query == {"id": ["job-1"]} and p.headers["x-key"] == KEY for p in polls)
    assert "x-key" not in server.requests_to("/delivery/job-1/sample.png")[0].headers


def test_kontext_takes_one_image_and_an_aspect_ratio(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch, refs: list[Path], tmp_path: Path
) -> None:
    monkeypatch.setenv("TEST_BFL_KEY", KEY)
    kontext = FluxImages(
        "bfl", server.url, "TEST_BFL_KEY", model="flux-kontext-pro", poll_interval=0.01, safety_tolerance=2
    )
    body = kontext.request_body(ImageRequest(prompt="p", width=1080, height=1920, references=(refs[0],)))
    assert body["aspect_ratio"] == "9:16" and "width" not in body and body["safety_tolerance"] == 2
    assert body["input_image"] == base64.b64encode(refs[0].read_bytes()).decode()
    with pytest.raises(ProviderError, match="at most 1"):
        kontext.generate(ImageRequest(prompt="p", width=1024, height=1024, references=tuple(refs[:2])), tmp_path)
    assert server.seen == []


def test_moderation_while_polling_is_a_rejection(server: FakeServer, flux: FluxImages, tmp_path: Path) -> None:
    server.on("POST", "/v1/flux-2-pro", submitted(server))
    server.on(
        "GET",
        "/v1/get_result",
        Reply(json={"id": "job-1", "status": "Pending"}),
        Reply(
            json={
                "id": "job-1",
                "status": "Content Moderated",
                "details": {"Moderation Reasons": ["Derivative Works Filter"]},
            }
        ),
    )
    with pytest.raises(ModerationRejected, match="Content Moderated"):
        flux.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)


def test_an_expired_sample_url_is_result_expired(server: FakeServer, flux: FluxImages, tmp_path: Path) -> None:
    server.on("POST", "/v1/flux-2-pro", submitted(server))
    server.on(
        "GET",
        "/v1/get_result",
        Reply(json={"id": "job-1", "status": "Ready", "result": {"sample": f"{server.url}/delivery/old.png?sig=1"}}),
    )
    server.on(
        "GET",
        "/delivery/old.png",
        Reply(
            403,
            body="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
            content_type="application/xml",
        ),
    )
    with pytest.raises(ResultExpired, match="403"):
        flux.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_job_pending_past_the_deadline_is_transient(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TEST_BFL_KEY", KEY)
    hurried = FluxImages("bfl", server.url, "TEST_BFL_KEY", model="flux-2-pro", poll_interval=0.01, deadline=0.05)
    server.on("POST", "/v1/flux-2-pro", submitted(server))
    server.on("GET", "/v1/get_result", Reply(json={"id": "job-1", "status": "Pending"}))
    with pytest.raises(ProviderTransient, match="still Pending"):
        hurried.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)


def test_errors_from_submission_and_polling(
    server: FakeServer, flux: FluxImages, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    request = ImageRequest(prompt="p", width=1024, height=1024)
    server.on(
        "POST",
        "/v1/flux-2-pro",
        Reply(429, json={"detail": "You have exceeded the number of active tasks"}, headers={"Retry-After": "5"}),
        Reply(503, json={"detail": "overloaded"}),
        Reply(body="not json at all", content_type="application/json"),
        Reply(402, json={"detail": "Insufficient credits"}),
        submitted(server),
    )
    with pytest.raises(RateLimited) as caught:
        flux.generate(request, tmp_path)
    assert caught.value.retry_after == 5
    with pytest.raises(ProviderTransient, match="503"):
        flux.generate(request, tmp_path)
    with pytest.raises(ProviderResponseError, match="not JSON"):
        flux.generate(request, tmp_path)
    with pytest.raises(ProviderError, match="Insufficient credits"):
        flux.generate(request, tmp_path)
    server.on("GET", "/v1/get_result", Reply(json={"id": "job-1", "status": "Error", "details": "generation failed"}))
    with pytest.raises(ProviderError, match="generation failed"):
        flux.generate(request, tmp_path)
    slow = FluxImages("bfl", server.url, "TEST_BFL_KEY", model="flux-2-pro", timeout=0.3)
    server.on("POST", "/v1/flux-2-pro", Reply(delay=1.5, json={}))
    with pytest.raises(ProviderTransient, match="timed out"):
        slow.generate(request, tmp_path)
    monkeypatch.delenv("TEST_BFL_KEY")
    with pytest.raises(ProviderUnavailable, match="TEST_BFL_KEY"):
        flux.generate(request, tmp_path)


def test_the_key_never_leaks_and_is_not_sent_to_other_sites(
    server: FakeServer, flux: FluxImages, tmp_path: Path
) -> None:
    server.on("POST", "/v1/flux-2-pro", Reply(403, json={"detail": f"Not authenticated: x-key {KEY} unknown"}))
    with pytest.raises(ProviderError) as caught:
        flux.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)
    assert KEY not in f"{caught.value} {caught.value.raw}"
    # A polling URL on a host that is not BFL's (here: "localhost" instead of 127.0.0.1) gets no key.
    port = server.url.rsplit(":", 1)[1]
    server.on(
        "POST", "/v1/flux-2-pro", Reply(json={"id": "j", "polling_url": f"http://localhost:{port}/v1/get_result?id=j"})
    )
    server.on("GET", "/v1/get_result", Reply(json={"status": "Ready", "result": {"sample": f"{server.url}/s.png"}}))
    server.on("GET", "/s.png", Reply(body=png_bytes(), content_type="image/png"))
    flux.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)
    assert "x-key" not in server.requests_to("/v1/get_result")[-1].headers


def test_factory() -> None:
    flux = factory({"model": "flux-kontext-max", "deadline": 60})
    assert flux.deadline == 60 and flux.api_key_env == "BFL_API_KEY"


def test_a_refused_key_is_an_authentication_error_naming_its_variable(
    server: FakeServer, flux: FluxImages, tmp_path: Path
) -> None:
    server.on("POST", "/v1/flux-2-pro", Reply(403, json={"detail": "Not authenticated - Invalid Authentication"}))
    with pytest.raises(AuthenticationError, match="Invalid Authentication") as caught:
        flux.generate(ImageRequest(prompt="p", width=1024, height=1024), tmp_path)
    assert caught.value.provider == "bfl" and caught.value.key_env == "TEST_BFL_KEY"
    assert len(server.seen) == 1
