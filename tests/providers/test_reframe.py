"""A model's clip reframed for a delivery: routed to a model that takes a made clip as a reference video (Seedance
2.0's reference mode), asked of a local server speaking Ark's documented shapes, journaled, paid once, and QC'd."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from mangaline.animate.reframe import REFRAME
from mangaline.config import Settings
from mangaline.engine import StepContext, TakeView
from mangaline.ffmpeg import ffmpeg_exe, probe
from mangaline.model import Project
from mangaline.providers.catalogue import Modality, load_catalogue
from mangaline.providers.ledger import Ledger
from mangaline.providers.protocols import VideoRequest
from mangaline.providers.router import TaskNeeds, route
from mangaline.providers.studio import StudioAddress, Studio
from tests.providers.fakes import FakeServer, Reply

TASKS = "/api/v3/contents/generations/tasks"
MODEL = "doubao-seedance-2-0-fast-260128"


def _clip(path: Path, width: int, height: int, seconds: float) -> Path:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r=24:d={seconds}",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def test_the_router_sends_a_reframe_only_to_a_model_that_takes_a_made_clip() -> None:
    needs = TaskNeeds(modality=Modality.VIDEO, reframe=True, aspect="16:9", duration=4.0, resolution="480p")
    choice = route(needs, "standard", available=["ark", "kling", "dashscope"], entity="a 16:9 reframe")
    assert choice.model == MODEL and choice.provider == "ark"
    rejected = dict(choice.rejected)
    assert rejected["kling-v3-std"] == "cannot reframe a made clip"
    assert rejected["doubao-seedance-1-0-pro-250528"] == "cannot reframe a made clip"
    # the reference video is billed beside the clip made: twice a 4 s clip's price
    catalogue = load_catalogue()
    one_clip = catalogue.quote(catalogue.model(MODEL), currency="USD", seconds=4.0, width=854, height=480).cost
    assert choice.price == pytest.approx(2 * one_clip) and one_clip > 0
    with pytest.raises(Exception, match="cannot reframe a made clip"):
        route(needs, "standard", available=["kling"])


def test_a_model_clip_is_made_again_at_16_9_from_itself_as_reference_video(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    vertical = _clip(tmp_path / "vertical.mp4", 270, 480, 4.0)
    wide = _clip(tmp_path / "wide.mp4", 854, 480, 4.0).read_bytes()
    monkeypatch.setenv("TEST_ARK_KEY", "ark-secret")
    with FakeServer() as server:
        server.on("POST", TASKS, Reply(json={"id": "cgt-reframe-1"}))
        server.on("GET", f"{TASKS}/cgt-reframe-1", Reply(json={
            "id": "cgt-reframe-1", "model": MODEL, "status": "succeeded",
            "content": {"video_url": f"{server.url}/files/cgt-reframe-1.mp4"},
            "usage": {"completion_tokens": 96000, "total_tokens": 96000}}))
        server.on("GET", "/files/cgt-reframe-1.mp4", Reply(body=wide, content_type="video/mp4"))
        root = tmp_path / "project"
        (root / ".mangaline").mkdir(parents=True)
        settings = Settings(project=Project(name="reframe", tier="standard", budget=5.0),
                            providers={"ark": {"api_key_env": "TEST_ARK_KEY", "base_url": f"{server.url}/api/v3"}})
        address = StudioAddress(str(root), settings, load_catalogue())
        timing = {"frames": 96, "duration": 4.0, "line_starts": {}, "events": [], "requested_seconds": 4.0}
        ctx = StepContext(
            step=REFRAME.name, entity="ep01_sc01_sh020@16x9",
            params={"aspect": "16:9", "width": 854, "height": 480, "fps": 24, "shot_type": "single", "checks": {},
                    "model": MODEL, "provider": "ark", "tier": "standard"},
            inputs={"clip": TakeView(take_id="t1", data=timing, components={"clip.mp4": vertical})},
            workdir=tmp_path / "work", seed=0, model=MODEL, resources={"studio": address},
        )
        ctx.workdir.mkdir()
        try:
            made = REFRAME.fn(ctx)
        finally:
            Studio.open(ctx.resources).runtime.close()
        (submitted,) = server.requests_to(TASKS)
    body = submitted.json()
    assert body["model"] == MODEL and body["ratio"] == "16:9" and body["resolution"] == "480p" and body["duration"] == 4
    text, reference = body["content"]
    assert text["type"] == "text" and "16:9" in text["text"]
    assert reference == {"type": "video_url", "role": "reference_video",
                         "video_url": {"url": "data:video/mp4;base64," + base64.b64encode(vertical.read_bytes()).decode()}}
    info = probe(made.components["clip.mp4"])
    assert (info.width, info.height) == (854, 480)
    assert made.data["frames"] == 96 and made.data["reframe"]["model"] == MODEL and made.data["qc"]["passed"]
    assert made.cost > 0 and made.provider == "ark"
    from mangaline.project.state import open_state

    db = open_state(root, settings)
    try:
        assert Ledger(db).total("USD", catalogue=load_catalogue()) == pytest.approx(made.cost, rel=0.05)
    finally:
        db.close()


def test_seedance_refuses_a_reference_video_beside_a_first_frame(tmp_path: Path) -> None:
    from mangaline.errors import ProviderError
    from mangaline.providers.ark import ArkSeedance

    clip = _clip(tmp_path / "c.mp4", 64, 64, 0.5)
    model = ArkSeedance("ark", "http://127.0.0.1:9/api/v3", "TEST_ARK_KEY", model=MODEL)
    with pytest.raises(ProviderError, match="cannot mix"):
        model.task_body(VideoRequest(prompt="p", duration=4, width=854, height=480, first_frame=clip,
                                     reference_videos=(clip,)))
