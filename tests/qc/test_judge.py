"""The vision judge: a chat model shown a take's frames and the shot's plan, answering scores in a schema.

Against an OpenAI chat-completions stand-in on 127.0.0.1 that checks the documented request shape (image_url
parts as data URLs, a strict json_schema response format) and answers in the documented reply shape.
"""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomlkit
from PIL import Image

from mangaline.checks.base import Take, Truth
from mangaline.checks.judge import JUDGE_SCHEMA, JudgeCheck
from mangaline.config import JudgeSettings, QcSettings, Settings
from mangaline.errors import ConfigError, ProviderResponseError
from mangaline.ffmpeg import ffmpeg_exe
from mangaline.model import Project
from mangaline.production import judge_params
from mangaline.project import ProjectFolder
from mangaline.providers.catalogue import load_catalogue
from mangaline.providers.ledger import Ledger
from mangaline.providers.openai_compat import OpenAIChat
from mangaline.providers.protocols import TextRequest

from tests.conftest import SMALL_SCRIPT, mangaline, model_take_filter
from tests.qc.test_qc_build import Stand

PROBLEM = "frame 2: June looks away from Oda, where the plan has her face him"


def frames_of(body: dict[str, Any]) -> list[np.ndarray]:
    """The pictures a chat request shows, decoded from their data URLs."""
    user = body["messages"][-1]["content"]
    pictures = []
    for part in user:
        if part["type"] == "image_url":
            head, data = part["image_url"]["url"].split(",", 1)
            assert head == "data:image/jpeg;base64", head
            pictures.append(np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")))
    return pictures


def chat_reply(model: str, content: str) -> bytes:
    return json.dumps({
        "id": "chatcmpl-judge", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 60, "total_tokens": 960},
    }).encode()


class JudgeStand(Stand):
    """Ark, OpenAI speech and an OpenAI vision judge. The clips come back clean (the push-in a little different per
    seed, as a real model's takes differ); the judge refuses the first take it sees of each shot and passes the rest,
    and a black picture always."""

    def __init__(self, work: Path) -> None:
        super().__init__(work)
        self.asked: list[dict[str, Any]] = []
        self.seen: set[str] = set()

    def defect(self, seed: int, first: bytes) -> str | None:
        return None

    def clip(self, task: dict[str, Any]) -> bytes:
        still = self.work / f"{task['id']}.png"
        still.write_bytes(task["first"])
        out = still.with_suffix(".mp4")
        frames = int(task["duration"] * 24)
        zoom = 0.02 + 0.01 * (task["seed"] % 3)
        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(still), "-vf",
                        model_take_filter(frames, 480, 854, push=zoom), "-frames:v", str(frames), "-c:v", "libx264",
                        "-preset", "veryfast", "-pix_fmt", "yuv420p", str(out)], check=True)
        data = out.read_bytes()
        still.unlink()
        out.unlink()
        return data

    def answer(self, method: str, path: str, body: Any) -> tuple[int, str, bytes]:
        if method == "POST" and path == "/v1/chat/completions":
            return 200, "application/json", self.judge(body)
        return super().answer(method, path, body)

    def judge(self, body: dict[str, Any]) -> bytes:
        fmt = body.get("response_format") or {}
        if fmt.get("type") != "json_schema" or not fmt["json_schema"].get("strict"):
            self.problems.append(f"the judge was asked without a strict json_schema: {fmt}")
        elif fmt["json_schema"]["schema"] != JUDGE_SCHEMA or fmt["json_schema"]["name"] != "take_judgement":
            self.problems.append("the judge's schema is not the one documented")
        roles = [m["role"] for m in body["messages"]]
        if roles != ["system", "user"]:
            self.problems.append(f"the judge's messages are {roles}")
        parts = body["messages"][-1]["content"]
        details = {p["image_url"].get("detail") for p in parts if p["type"] == "image_url"}
        plan = parts[0]["text"]
        pictures = frames_of(body)
        shot = re.match(r"Shot (\S+)", plan)
        if shot is None or details != {"low"} or not pictures:
            self.problems.append(f"a judge request without a shot, low detail or frames: {plan[:80]} {details}")
            return chat_reply(body["model"], "{}")
        first = shot.group(1) not in self.seen
        self.seen.add(shot.group(1))
        black = min(float(p.mean()) for p in pictures) < 10
        self.asked.append({"shot": shot.group(1), "frames": len(pictures), "plan": plan, "refused": first or black})
        reply = {"prompt_adherence": 0.25 if first else 0.9, "anatomy": 0.95, "artefacts": 0.1 if black else 0.9,
                 "problems": ([PROBLEM] if first else []) + (["a black frame"] if black else [])}
        return chat_reply(body["model"], json.dumps(reply))


# ------------------------------------------------------------------------------------------ the check alone


@pytest.fixture
def clips(tmp_path: Path) -> dict[str, Path]:
    """A clean moving clip and a black one, 1 s at 270x480."""
    made = {}
    for name, source in (("clean", "testsrc2=s=270x480:r=24:d=1"), ("black", "color=c=black:s=270x480:r=24:d=1")):
        made[name] = tmp_path / f"{name}.mp4"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-c:v", "libx264", "-pix_fmt",
                        "yuv420p", str(made[name])], check=True)
    return made


def test_the_judge_shows_the_frames_and_plan_and_scores_the_take_by_its_lowest_aspect(
    tmp_path: Path, clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANGALINE_TEST_OPENAI", "openai-test-key")
    truth = Truth(shot="ep01_sc01_sh020", width=270, height=480, duration=1.0, prompt="June turns to Oda by the window")
    with JudgeStand(tmp_path).serving() as stand:
        chat = OpenAIChat("openai", f"{stand.url}/v1", "MANGALINE_TEST_OPENAI", model="gpt-4o-mini", json_schema=True)

        def ask(messages: list[dict[str, Any]], schema: dict[str, Any]) -> str:
            return chat.complete(TextRequest(messages=messages, json_schema=schema, temperature=0.0)).content

        check = JudgeCheck({"model": "gpt-4o-mini", "frames": 4, "threshold": 0.6}, ask=ask)
        first = check.judge(Take(clips["clean"]), truth)  # the stand-in refuses a shot's first take
        second = check.judge(Take(clips["clean"]), truth)
        black = check.judge(Take(clips["black"]), truth)
    assert not stand.problems, stand.problems
    assert first is not None and not first.passed and first.score == pytest.approx(0.25)
    assert "gpt-4o-mini" in first.reason and PROBLEM in first.reason and "prompt adherence 0.25" in first.reason
    assert second is not None and second.passed and second.score == pytest.approx(0.9)
    assert black is not None and not black.passed and "a black frame" in black.reason
    assert [a["frames"] for a in stand.asked] == [4, 4, 4]
    assert "June turns to Oda by the window" in stand.asked[0]["plan"]
    # without a model lent to ask, the judge has nothing to say
    assert JudgeCheck({"model": "gpt-4o-mini"}).judge(Take(clips["clean"]), truth) is None


@pytest.mark.parametrize("reply, wrong", [
    ("not json", "is not JSON"),
    ('["a list"]', "is not an object"),
    ('{"prompt_adherence": 0.9, "anatomy": "fine", "artefacts": 1, "problems": []}', "no number for anatomy"),
])
def test_a_reply_outside_the_schema_is_the_providers_error_naming_the_model(
    clips: dict[str, Path], reply: str, wrong: str
) -> None:
    check = JudgeCheck({"model": "gpt-4o-mini", "provider": "openai"}, ask=lambda messages, schema: reply)
    with pytest.raises(ProviderResponseError, match=wrong) as caught:
        check.judge(Take(clips["clean"]), Truth(shot="sh010", width=270, height=480))
    assert "provider openai" in str(caught.value) and "gpt-4o-mini" in str(caught.value)


def test_the_judges_settings_are_checked_and_name_the_table() -> None:
    with pytest.raises(ConfigError, match=r"\[qc.judge\] frames"):
        JudgeCheck({"model": "m", "frames": 0})
    with pytest.raises(ConfigError, match=r"\[qc.judge\] detail"):
        JudgeCheck({"model": "m", "detail": "medium"})
    with pytest.raises(ConfigError, match=r"\[qc.judge\] has no option colour"):
        JudgeCheck({"model": "m", "colour": True})
    catalogue = load_catalogue()
    providers = {"openai": {"base_url": "http://127.0.0.1:9/v1", "api_key_env": "MANGALINE_TEST_OPENAI"}}

    def settings(model: str, with_providers: bool = True) -> Settings:
        return Settings(project=Project(name="judged"), providers=providers if with_providers else {},
                        qc=QcSettings(judge=JudgeSettings(model=model)))

    assert judge_params(settings("gpt-4o-mini"), catalogue) == {
        "model": "gpt-4o-mini", "threshold": 0.6, "frames": 3, "detail": "low", "width": 512, "provider": "openai"}
    assert judge_params(Settings(project=Project(name="judged")), catalogue) is None
    with pytest.raises(ConfigError, match="not in the catalogue"):
        judge_params(settings("gpt-9-vision"), catalogue)
    with pytest.raises(ConfigError, match="does not read images"):
        judge_params(settings("deepseek-chat"), catalogue)
    with pytest.raises(ConfigError, match=r"\[providers.openai\]"):
        judge_params(settings("gpt-4o-mini", with_providers=False), catalogue)


# ------------------------------------------------------------------------------------------ in a build


@pytest.mark.slow
def test_a_take_the_judge_refuses_is_retaken_and_every_question_is_booked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANGALINE_TEST_ARK", "ark-test-key")
    monkeypatch.setenv("MANGALINE_TEST_OPENAI", "openai-test-key")
    source = tmp_path / "small-hours.fountain"
    source.write_text(SMALL_SCRIPT, encoding="utf-8")
    root = tmp_path / "judged"
    mangaline("new", root, "--from", source)
    with JudgeStand(tmp_path).serving() as stand:
        config = root / "mangaline.toml"
        doc = tomlkit.parse(config.read_text(encoding="utf-8"))
        doc["project"]["tier"] = "standard"
        doc["project"]["budget"] = 30.0
        doc["project"]["max_retakes"] = 2
        doc["providers"] = {
            "ark": {"base_url": f"{stand.url}/api/v3", "api_key_env": "MANGALINE_TEST_ARK", "timeout": 30},
            "openai": {"base_url": f"{stand.url}/v1", "api_key_env": "MANGALINE_TEST_OPENAI", "timeout": 30},
        }
        doc["routing"] = {"poll_seconds": 0.05, "stills": []}
        # the stand-in's mouths are shut (see test_qc_build); the judge is the check under test here
        doc["qc"] = {"checks": {"lip_sync": {"enabled": False}}, "judge": {"model": "gpt-4o-mini"}}
        config.write_text(tomlkit.dumps(doc), encoding="utf-8")
        built = mangaline("build", root, "--no-progress", check=False)
        assert built.returncode == 0, built.stdout + built.stderr
        report = json.loads(mangaline("qc", root, "--json").stdout)
        asked = len(stand.asked)
        again = mangaline("build", root, "--no-progress", check=False)
        assert again.returncode == 0 and len(stand.asked) == asked, "a rebuild asks the judge nothing again"
    assert not stand.problems, stand.problems
    shots = report["shots"]
    assert shots and {s["state"] for s in shots} == {"retaken"}
    for shot in shots:
        first, *rest = shot["takes"]
        failed = {v["check"] for v in first["verdicts"] if not v["passed"]}
        assert failed == {"judge"}, first
        reason = next(v["reason"] for v in first["verdicts"] if v["check"] == "judge")
        assert PROBLEM in reason and "gpt-4o-mini" in reason
        assert rest and rest[-1]["passed"] and rest[-1]["chosen"]
    assert all(a["frames"] == 3 for a in stand.asked)
    assert Counter(a["shot"] for a in stand.asked) == Counter({s["shot"]: len(s["takes"]) for s in shots})
    folder = ProjectFolder.open(root)
    try:
        ledger = Ledger(folder.state)
        judged = [e.charge for e in ledger.entries() if e.charge.model == "gpt-4o-mini"]
        assert len(judged) == asked and all(c.step == "animate.video" and c.cost > 0 for c in judged)
        rates = {(model, check): (n, failed) for (model, check, _), (n, failed) in ledger.check_rates().items()}
        assert any(check == "judge" and failed for (model, check), (n, failed) in rates.items())
    finally:
        folder.close()
