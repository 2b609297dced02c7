"""The standard/premium tier build: video models in the line, routed within a budget, QC'd, retaken, resumed after a kill.

Two fake video providers run on 127.0.0.1 (the providers' FakeVideoServer, serving real MP4s that FFmpeg
makes); the project lists their models in DIR/catalogue.toml and their endpoints in mangaline.toml.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomlkit
from PIL import Image
from sqlalchemy import text

from mangaline.config import load_settings
from mangaline.design import design_bible
from mangaline.ffmpeg import count_frames, probe, read_frame, run_ffmpeg
from mangaline.edit.segment import render_clip_segment
from mangaline.edit.subtitles import SubtitleEvent
from mangaline.engine import Engine, LocalExecutor
from mangaline.errors import BudgetExceeded, ConfigError
from mangaline.production import build_graph, publish_episodes
from mangaline.project import ProjectFolder
from mangaline.providers.journal import Journal
from mangaline.providers.ledger import Ledger
from mangaline.providers.protocols import VideoRequest
from mangaline.providers.registry import register

from .conftest import SMALL_SCRIPT, mangaline, model_take_filter
from .providers.fake_video import FakeVideoModel, FakeVideoServer

ROOT = Path(__file__).resolve().parents[1]
STUDIOS = ("cheapstudio", "finestudio")

pytestmark = pytest.mark.slow

CATALOGUE = """
[[models]]
id = "cheap-clip"
provider = "cheapstudio"
modality = "video"
tiers = ["standard"]
quality = 0.5
capabilities = { first_frame = true, max_duration = 10.0, resolutions = ["720p"], aspect_ratios = ["9:16"] }
price = { unit = "second", amount = 0.05, currency = "USD", read_on = "2026-11-01", source = "test" }

[[models]]
id = "fine-clip"
provider = "finestudio"
modality = "video"
tiers = ["standard", "premium"]
quality = 0.9
capabilities = { first_frame = true, max_duration = 10.0, resolutions = ["720p"], aspect_ratios = ["9:16"] }
price = { unit = "second", amount = 0.10, currency = "USD", read_on = "2026-11-01", source = "test" }
"""


# ------------------------------------------------------------------------------------------ fake studios


_clips_lock = threading.Lock()
_clips: dict[tuple, bytes] = {}


def make_clip(seconds: float, width: int, height: int, kind: str = "good", first: bytes | None = None) -> bytes:
    """A real H.264 MP4 made by FFmpeg. From a first frame (what a video model is sent) a good take is that picture
    with a slow 3% push-in, the drift a real model's take has; without one it is a moving test pattern. ``black``
    is a black clip."""
    key = (round(seconds, 3), width, height, kind, hashlib.sha256(first).hexdigest() if first else None)
    with _clips_lock:
        if key in _clips:
            return _clips[key]
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"mangaline-test-clip-{os.getpid()}-{threading.get_ident()}"
    out, still = work.with_suffix(".mp4"), work.with_suffix(".png")
    frames = max(1, round(seconds * 24))
    if kind == "black":
        source = ["-f", "lavfi", "-i", f"color=c=black:s={width}x{height}:r=24:d={seconds}"]
    elif first is not None:
        still.write_bytes(first)
        source = ["-i", str(still), "-vf", model_take_filter(frames, width, height)]
    else:
        source = ["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r=24:d={seconds}"]
    run_ffmpeg(["-y", "-loglevel", "error", *source, "-frames:v", str(frames), "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)], "test clip")
    data = out.read_bytes()
    out.unlink()
    still.unlink(missing_ok=True)
    with _clips_lock:
        _clips[key] = data
    return data


class ClipServer(FakeVideoServer):
    """The providers' fake video server, answering each job with a real clip; ``bad`` picks the jobs that fail QC."""

    def __init__(self, bad=lambda body: False, **kw: Any) -> None:
        super().__init__(**kw)
        self.bad = bad

    def handle(self, method: str, path: str, body: dict[str, Any], query: str = "") -> tuple[int, dict[str, str], bytes]:
        if method == "GET" and path.startswith("/files/job-"):
            index = int(path.removeprefix("/files/job-").removesuffix(".mp4")) - 1
            with self.lock:
                self.downloads.append(path)
                job = self.submits[index]
            kind = "black" if self.bad(job) else "good"
            first = base64.b64decode(job["first_frame"]) if job.get("first_frame") else None
            data = make_clip(job["duration"], job["width"], job["height"], kind, first)
            return 200, {"Content-Type": "video/mp4", "Content-Length": str(len(data))}, data
        return super().handle(method, path, body, query)

    def submits_for(self, keyframe_sha: str) -> list[dict[str, Any]]:
        return [s for s in self.submits if s["keyframe"] == keyframe_sha]


class SeededVideoModel(FakeVideoModel):
    """The fake adapter, also sending the seed and the keyframe the clip starts from (and its hash, to find it by)."""

    def submit(self, request: VideoRequest) -> str:
        first = request.first_frame.read_bytes() if request.first_frame else None
        body = {
            "prompt": request.prompt, "duration": request.duration, "width": request.width, "height": request.height,
            "seed": request.seed,
            "keyframe": hashlib.sha256(first).hexdigest() if first else None,
            "first_frame": base64.b64encode(first).decode() if first else None,
        }
        return str(self._check(self.client.post(f"{self.base_url}/jobs", json=body))["id"])


def register_studios() -> None:
    for studio in STUDIOS:
        register(studio, lambda cfg, studio=studio: SeededVideoModel(cfg["base_url"], provider=studio))


# ------------------------------------------------------------------------------------------ projects


def build(root: Path) -> tuple[Any, Any]:
    """What `mangaline build` does, with the settings and folder the router needs."""
    folder = ProjectFolder.open(root)
    try:
        settings = folder.settings
        script = folder.load_script()
        bible = design_bible(script, existing=folder.load_bible())
        graph = build_graph(script, bible, settings.project, settings=settings, root=folder.root)
        with Engine(folder, executor=LocalExecutor(workers=settings.build.workers), backoff=0.05,
                    resources=graph.resources) as engine:
            summary = engine.run(graph.nodes, progress=False)
        publish_episodes(folder, graph, summary.takes)
        return graph, summary
    finally:
        folder.close()


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small screenplay built once at the draft tier: keyframes, voices and draft segments are then cached."""
    base = tmp_path_factory.mktemp("tiers")
    source = base / "small-hours.fountain"
    source.write_text(SMALL_SCRIPT, encoding="utf-8")
    project = base / "drafted"
    mangaline("new", project, "--from", source)
    graph, summary = build(project)
    assert summary.ok and not any(n.step.name == "animate.video" for n in graph.nodes)
    return project


def paid_project(
    drafted: Path, target: Path, servers: dict[str, ClipServer], *, project: dict[str, Any], routing: dict[str, Any] | None = None
) -> Path:
    """A copy of the drafted project set to a paid tier, with the fake studios' endpoints and models."""
    shutil.copytree(drafted, target)
    config = target / "mangaline.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    for key, value in project.items():
        doc["project"][key] = value
    doc["providers"] = {studio: {"base_url": server.url, "timeout": 20} for studio, server in servers.items()}
    # every shot a clip here, establishing shots too (by default they are stills with a camera move)
    doc["routing"] = {"poll_seconds": 0.05, "stills": [], **(routing or {})}
    # the stand-ins push in on the keyframe: nobody's mouth moves, where a real model's would
    doc["qc"] = {"checks": {"lip_sync": {"enabled": False}}}
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    (target / "catalogue.toml").write_text(CATALOGUE, encoding="utf-8")
    return target


def shots(root: Path) -> dict[str, Any]:
    folder = ProjectFolder.open(root)
    try:
        return {shot.code: shot for shot in folder.load_script().shots()}
    finally:
        folder.close()


def keyframe_sha(root: Path, code: str) -> str:
    folder = ProjectFolder.open(root)
    try:
        return folder.state.latest_take("storyboard.keyframe", code).components["keyframe.png"]
    finally:
        folder.close()


# ------------------------------------------------------------------------------------------ tests


def test_a_models_clip_is_covered_to_the_frame_held_to_length_and_subtitled(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(make_clip(1.0, 360, 640))
    out = tmp_path / "segment.mp4"
    events = [SubtitleEvent(start=0.2, end=1.8, text="It is by the window.", speaker="JUNE")]
    ends = tmp_path / "ends"
    ends.mkdir()
    render_clip_segment(clip, events, out, frames=60, fps=24, width=1080, height=1920, language="en", shot="sh010",
                        ends=ends)
    info = probe(out)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (1080, 1920, "h264", None)
    assert count_frames(out) == 60
    # past the clip's 24 frames (and the subtitle's end at frame 43) the last picture is held
    held = np.abs(read_frame(out, 48).astype(int) - read_frame(out, 59).astype(int)).mean()
    moving = np.abs(read_frame(out, 2).astype(int) - read_frame(out, 20).astype(int)).mean()
    assert held < 1.0 < moving
    # its ends, small, beside it: the last is the held picture as encoded, a few levels off at most
    assert sorted(p.name for p in ends.iterdir()) == ["first.png", "last.png"]
    last = np.asarray(Image.open(ends / "last.png").convert("RGB"), float)
    encoded = np.asarray(Image.fromarray(read_frame(out, 59)).resize((192, 342), Image.Resampling.BOX), float)
    assert last.shape == (342, 192, 3) and np.abs(last - encoded).mean() < 3.0


def test_standard_build_routes_by_expected_cost_fits_the_budget_and_renders(drafted: Path, tmp_path: Path) -> None:
    """Prices 0.05 (cheap) and 0.10 (fine) USD/s; cheap-clip failed six reaction shots, so for a reaction shot
    it expects 0.05 / (4/11) = 0.1375 USD/s against fine-clip's 0.10 / 0.8 = 0.125: the pricier model wins there.
    Establishing and single shots ask for premium (only fine-clip); all-fine premium would cost 2.225 USD expected,
    over the 2.00 budget, so the router drops the shot that saves the most per quality lost to cheap-clip."""
    register_studios()
    with ClipServer(latency=0.1).serving() as cheap, ClipServer(latency=0.1).serving() as fine:
        root = paid_project(
            drafted, tmp_path / "paid", {"cheapstudio": cheap, "finestudio": fine},
            project={"tier": "standard", "budget": 2.0},
            routing={"shot_tiers": {"establishing": "premium", "single": "premium"}},
        )
        db_folder = ProjectFolder.open(root)
        ledger = Ledger(db_folder.state)
        for _ in range(6):
            ledger.record_outcome("cheap-clip", "reaction", False)
        ledger.record_outcome("cheap-clip", "insert", True)  # ends the failure streak: the model is not failed over
        db_folder.close()
        graph, summary = build(root)
    assert summary.ok, str(summary)
    by_kind = {shot.code: shot.kind.value for shot in shots(root).values()}
    chosen = {n.entity: n.params["model"] for n in graph.nodes if n.step.name == "animate.video"}
    assert set(chosen) == set(by_kind), "every shot at standard or premium gets a video model"
    expected = {"establishing": "cheap-clip", "single": "fine-clip", "reaction": "fine-clip", "over_shoulder": "cheap-clip"}
    assert {code: expected[kind] for code, kind in by_kind.items()} == chosen
    assert Counter(summary.per_step["animate.video"]) == Counter({"ran": 6, "cached": 0, "failed": 0, "skipped": 0})
    assert len(cheap.submits) == 3 and len(fine.submits) == 3
    folder = ProjectFolder.open(root)
    try:
        spent = Ledger(folder.state).total("USD")
        charges = Ledger(folder.state).entries()
        assert 0 < spent <= 2.0 and len(charges) == 6
        for node in graph.nodes:
            if node.step.name == "animate.video":
                take = folder.state.latest_take("animate.video", node.entity)
                assert take.provenance.model == node.params["model"] and take.data["qc"]["passed"]
    finally:
        folder.close()
    info = probe(root / "renders" / "ep01.mp4")
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (1080, 1920, "h264", "aac")
    assert info.fps == pytest.approx(24, abs=0.01)
    # a rebuild re-spends nothing: every clip keeps the model it was made with, so every node is cached
    with ClipServer().serving() as cheap2, ClipServer().serving() as fine2:
        config = root / "mangaline.toml"
        config.write_text(config.read_text().replace(cheap.url, cheap2.url).replace(fine.url, fine2.url))
        _, again = build(root)
    assert again.ran == 0 and again.ok and not cheap2.submits and not fine2.submits


@pytest.mark.own_state
def test_a_build_killed_after_a_submit_resumes_the_same_job_and_pays_once(drafted: Path, tmp_path: Path) -> None:
    register_studios()
    codes = list(shots(drafted))
    target = codes[0]
    with ClipServer(latency=4.0).serving() as cheap, ClipServer().serving() as fine:
        root = paid_project(
            drafted, tmp_path / "killed", {"cheapstudio": cheap, "finestudio": fine},
            project={"budget": 5.0}, routing={"shot_tiers": {target: "standard"}},
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.test_tiers", str(root)], cwd=ROOT, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        db = root / ".mangaline" / "state.db"
        folder = ProjectFolder.open(root)
        try:
            for _ in range(600):
                if proc.poll() is not None:
                    break
                with folder.state.engine.connect() as connection:
                    if connection.execute(text("select count(*) from remote_jobs where job_id is not null")).scalar():
                        break
                time.sleep(0.05)
        finally:
            folder.close()
        os.killpg(proc.pid, signal.SIGKILL)
        output = proc.communicate()[0].decode()
        assert proc.returncode == -signal.SIGKILL, output
        assert len(cheap.submits) == 1 and db.is_file()
        killed_job = "job-1"
        assert cheap.jobs[killed_job]["done"] > time.monotonic(), "the kill landed while the job was still running"
        polls_before = cheap.polls.count(killed_job)
        _graph, summary = build(root)
    assert summary.ok, str(summary)
    assert len(cheap.submits) == 1 and not fine.submits, "the resumed build polled the journaled job, never submitted again"
    assert cheap.polls.count(killed_job) > polls_before
    folder = ProjectFolder.open(root)
    try:
        jobs = Journal(folder.state).jobs()
        assert [(j.node, j.job_id, j.state) for j in jobs] == [(f"animate.video/{target}", killed_job, "succeeded")]
        charges = [e.charge for e in Ledger(folder.state).entries()]
        assert [(c.entity, c.job_id) for c in charges] == [(target, killed_job)]
        # the guide maps are drawn for the shot whose clip a model made (its QC reads them), for no other
        guided = {code for code in codes
                  if "guides.json" in folder.state.latest_take("storyboard.keyframe", code).components}
        assert guided == {target}
    finally:
        folder.close()
    assert probe(root / "renders" / "ep01.mp4").video_codec == "h264"


@pytest.mark.own_state
def test_a_clip_failing_qc_is_retaken_with_a_new_seed_then_rerouted_and_never_loops(drafted: Path, tmp_path: Path) -> None:
    register_studios()
    codes = list(shots(drafted))
    saved, flagged = codes[1], codes[2]
    hopeless = keyframe_sha(drafted, flagged)
    with ClipServer(bad=lambda job: True).serving() as cheap, ClipServer(bad=lambda job: job["keyframe"] == hopeless).serving() as fine:
        root = paid_project(
            drafted, tmp_path / "retakes", {"cheapstudio": cheap, "finestudio": fine},
            project={"budget": 5.0, "max_retakes": 2}, routing={"shot_tiers": {saved: "standard", flagged: "standard"}},
        )
        _graph, summary = build(root)
    # the hopeless shot is flagged for a person, its best take standing in: the episode still finishes
    assert summary.ok, str(summary)
    saved_sha = keyframe_sha(drafted, saved)
    # cheap-clip first (cheapest per accepted take), a second seed, then the router's next choice
    assert [s["seed"] for s in cheap.submits_for(saved_sha)] == [0, 1]
    assert [s["seed"] for s in fine.submits_for(saved_sha)] == [0]
    # the hopeless shot stops at 1 + max_retakes takes
    assert len(cheap.submits_for(hopeless)) + len(fine.submits_for(hopeless)) == 3
    folder = ProjectFolder.open(root)
    try:
        take = folder.state.latest_take("animate.video", saved)
        assert [(t["model"], t["seed"], t["passed"]) for t in take.data["takes"]] == [
            ("cheap-clip", 0, False), ("cheap-clip", 1, False), ("fine-clip", 0, True),
        ]
        assert take.provenance.model == "fine-clip" and take.data["model"] == "cheap-clip" and take.data["made_by"] == "fine-clip"
        hopeless_take = folder.state.latest_take("animate.video", flagged)
        assert "no take passed QC" in hopeless_take.data["flagged"] and "black" in hopeless_take.data["flagged"]
        assert len(hopeless_take.data["takes"]) == 3 and not hopeless_take.data["qc"]["passed"]
        with folder.state.engine.connect() as connection:
            rows = connection.execute(
                text("select entity, model, passed from route_outcomes where kind = 'qc' order by id")
            ).all()
        outcomes = Counter((r.entity, r.model, bool(r.passed)) for r in rows)
        assert outcomes == Counter({
            (saved, "cheap-clip", False): 2, (saved, "fine-clip", True): 1,
            (flagged, "cheap-clip", False): 2, (flagged, "fine-clip", False): 1,
        })
        stats = Ledger(folder.state).stats()
        assert stats.pass_rate("cheap-clip", "any") == pytest.approx(0.8)  # the record is per shot type
        assert len(Ledger(folder.state).entries()) == 6, "every take was paid for once"
    finally:
        folder.close()


def test_over_budget_fails_before_anything_is_submitted_and_names_the_budget(drafted: Path, tmp_path: Path) -> None:
    register_studios()
    with ClipServer().serving() as cheap, ClipServer().serving() as fine:
        root = paid_project(drafted, tmp_path / "poor", {"cheapstudio": cheap, "finestudio": fine},
                            project={"tier": "standard", "budget": 0.5})
        config = root / "mangaline.toml"
        with pytest.raises(BudgetExceeded) as caught:
            build(root)
    message = str(caught.value)
    assert "0.50 USD" in message and "cheapest" in message and "Nothing was submitted" in message
    assert not cheap.submits and not fine.submits
    # a paid tier without the project's settings is a clear error, not a silent draft
    folder = ProjectFolder.open(root)
    try:
        with pytest.raises(ConfigError, match="tier standard"):
            build_graph(folder.load_script(), folder.load_bible(), load_settings(config).project)
    finally:
        folder.close()


if __name__ == "__main__":
    # the build the SIGKILL test starts and kills: the fake studios are registered in this process
    register_studios()
    build(Path(sys.argv[1]))
