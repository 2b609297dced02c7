"""The whole paid line against stand-ins of the real APIs: every asset from the model the router picks.

One local server on 127.0.0.1 speaks Ark's documented shapes (Seedream images at /api/v3/images/generations,
Seedance tasks at /api/v3/contents/generations/tasks) and OpenAI's (/v1/audio/speech), and answers with
recognisable output: sheets are magenta, keyframes cyan with a white square, clips are the first frame
they were given with a moving bar, speech is a 330 Hz tone. The episode is then read back on its pixels
and its audio, and the ledger must hold every call.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import opentimelineio as otio
import pysubs2
import pytest
import tomlkit
from PIL import Image

from mangaline import production
from mangaline.errors import ProjectError
from mangaline.ffmpeg import ffmpeg_exe, probe, read_frame
from mangaline.project import ProjectFolder
from mangaline.providers.ledger import Ledger

from .conftest import SMALL_SCRIPT, mangaline

pytestmark = pytest.mark.slow

LAYOUT_CHECKS = ("identity", "set_layout", "set_pieces", "placement", "screen_direction", "lip_sync", "leakage",
                 "cut_exposure", "cut_continuity")
MAGENTA = (230, 20, 230)
CYAN = (20, 200, 210)
ORANGE = (240, 150, 30)
TONE_HZ = 330.0


def png(colour: tuple[int, int, int], size: tuple[int, int], square: bool = False) -> bytes:
    image = Image.new("RGB", size, colour)
    if square:
        w, h = size
        image.paste((255, 255, 255), (w // 3, h // 3, w // 3 + w // 8, h // 3 + w // 8))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def wav_tone(seconds: float, rate: int = 24000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.5 * np.sin(2 * np.pi * TONE_HZ * t) * 32767).astype("<i2").tobytes()
    import struct

    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm


def clip_from(first_frame: bytes, seconds: int, width: int, height: int, work: Path, bar: str = "yellow") -> bytes:
    """A real H.264 clip: the first frame it was given, held, with a bar sweeping across (so QC sees motion)."""
    still = work / f"first-{threading.get_ident()}-{time.monotonic_ns()}.png"
    still.write_bytes(first_frame)
    out = still.with_suffix(".mp4")
    graph = (f"[0:v]scale={width}:{height},fps=24[still];color=c={bar}:s=40x{height}:r=24[bar];"
             f"[still][bar]overlay=x='mod(t*{width},{width})':y=0:shortest=1[v]")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-loop", "1", "-framerate", "24", "-i", str(still),
                    "-filter_complex", graph, "-map", "[v]", "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", str(out)], check=True)
    data = out.read_bytes()
    still.unlink()
    out.unlink()
    return data


class Stand:
    """Ark and OpenAI stand-ins on one port: each checks the documented request shape and remembers every call."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.problems: list[str] = []
        self.tasks: dict[str, dict[str, Any]] = {}
        self.down: set[str] = set()  # "seedance", "seedream", "speech": answer 503 as a provider that is down
        self.refused = False  # Ark answers 401 to every call, as to a wrong key
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        # what a provider bills: (kind, the request body's fingerprint), one per image, line, or task created
        self.billed: list[tuple[str, str]] = []
        # (kind or None for any, n): SIGKILL ``victim``'s process group at the n-th billed call of this run,
        # in the middle of it (the work is done and billed, the reply never arrives); then the trap is spent
        self.trap: tuple[str | None, int] | None = None
        self.victim: subprocess.Popen | None = None
        self.sprung: list[str] = []
        self._run_count = 0

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def arm(self, victim: subprocess.Popen, kind: str | None, nth: int) -> None:
        with self.lock:
            self.victim, self.trap, self._run_count = victim, (kind, nth), 0

    def bill(self, kind: str, body: Any) -> None:
        """Book a billed call, and spring the trap if this is the call it waits for."""
        self.billed.append((kind, hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()))
        if self.trap is None or self.victim is None or self.trap[0] not in (None, kind.split(":")[0], kind):
            return
        self._run_count += 1
        if self._run_count == self.trap[1]:
            os.killpg(self.victim.pid, signal.SIGKILL)
            self.victim.wait(30)
            self.sprung.append(kind)
            self.trap = None

    def check(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)

    def image_of(self, data_url: str) -> bytes:
        # a data URL carries the picture's real media type (PNG, JPEG or WebP)
        head, _, body = data_url.partition(",")
        data = base64.b64decode(body)
        kind = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"RIFF": "webp"}
        real = next((name for magic, name in kind.items() if data.startswith(magic)), None)
        self.check(real is not None and head == f"data:image/{real};base64", f"a reference's data URL is {head!r} for {real} bytes")
        return data

    def kling(self, method: str, path: str, headers: Any, body: Any) -> tuple[int, str, bytes]:
        """Kling's image2video and lip-sync tasks, every reply in its code/message/data envelope."""
        self.check(headers.get("authorization", "").startswith("Bearer ey"), f"{path}: no Kling JWT")
        endpoint = path.removeprefix("/v1/videos/").split("/")[0]

        def reply(data: Any) -> tuple[int, str, bytes]:
            return 200, "application/json", json.dumps({"code": 0, "message": "SUCCEED", "request_id": "r", "data": data}).encode()

        if method == "POST":
            self.calls.append((f"kling:{endpoint}", body))
            task = f"{endpoint}-{len(self.tasks) + 1}"
            if endpoint == "image2video":
                self.check(body["mode"] == "std" and body["duration"] in ("5", "10"), f"kling body {body.get('duration')}")
                first, seconds = base64.b64decode(body["image"]), int(body["duration"])
            else:
                source = self.tasks.get(next((t for t, v in self.tasks.items() if v.get("video_id") == body["input"]["video_id"]), ""))
                self.check(source is not None and body["input"]["audio_type"] == "file", f"lip-sync of {body['input']}")
                self.check(body["input"]["audio_file"] and body["input"]["mode"] == "audio2video", "lip-sync without audio")
                first, seconds = (source or {}).get("first", b""), (source or {}).get("seconds", 5)
            self.tasks[task] = {"endpoint": endpoint, "first": first, "seconds": seconds, "video_id": f"vid-{task}",
                                "created": int(time.time() * 1000), "external": body.get("external_task_id", "")}
            return reply({"task_id": task, "task_status": "submitted", "created_at": self.tasks[task]["created"]})
        task_id = path.rsplit("/", 1)[1]
        if task_id == endpoint:  # the task list
            return reply([{"task_id": t, "task_status": "succeed", "created_at": v["created"],
                           "task_info": {"external_task_id": v["external"]}} for t, v in self.tasks.items()
                          if v.get("endpoint") == endpoint])
        task = self.tasks[task_id]
        return reply({"task_id": task_id, "task_status": "succeed", "task_result": {"videos": [
            {"id": task["video_id"], "url": f"{self.url}/files/{task_id}.mp4", "duration": str(task["seconds"])}]}})

    def edit(self, headers: Any, raw: bytes) -> tuple[int, str, bytes]:
        """OpenAI's /v1/images/edits: multipart form fields and image[] files, answered with a b64_json image."""
        from email.parser import BytesParser
        from email.policy import HTTP

        form = BytesParser(policy=HTTP).parsebytes(f"content-type: {headers['content-type']}\r\n\r\n".encode() + raw)
        fields, images = {}, []
        for part in form.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename():
                images.append((part.get_content_type(), part.get_content()))
            else:
                fields[name] = part.get_content().strip()
        self.calls.append(("gpt-image", fields))
        self.check(headers.get("authorization") == "Bearer openai-test-key", "images: no OpenAI bearer key")
        self.check(fields.get("model") == "gpt-image-1" and fields.get("size") in {"1024x1536", "1536x1024", "1024x1024"},
                   f"gpt-image fields {fields}")
        self.check(bool(images) and all(kind == "image/png" and data.startswith(b"\x89PNG") for kind, data in images),
                   "gpt-image references are not PNG uploads")
        width, height = (int(v) for v in fields["size"].split("x"))
        sheet = fields["prompt"].startswith("Character turnaround sheet")
        image = png(MAGENTA if sheet else CYAN, (width, height), square=not sheet)
        return 200, "application/json", json.dumps({"created": int(time.time()), "data": [{"b64_json": base64.b64encode(image).decode()}],
                                                    "usage": {"total_tokens": 1200}}).encode()

    def answer(self, method: str, path: str, headers: Any, body: Any) -> tuple[int, str, bytes]:
        if self.refused and path.startswith("/api/v3/"):
            self.calls.append(("refused", body))
            return 401, "application/json", json.dumps(
                {"error": {"code": "AuthenticationError", "message": "the API key is invalid"}}).encode()
        service = {"/api/v3/images/generations": "seedream", "/api/v3/contents/generations/tasks": "seedance",
                   "/v1/audio/speech": "speech"}.get(path)
        if method == "POST" and service in self.down:
            self.calls.append((f"down:{service}", body))
            return 503, "application/json", json.dumps({"error": {"code": "ServiceUnavailable", "message": "down"}}).encode()
        if path.startswith("/api/v3/"):
            self.check(headers.get("authorization") == "Bearer ark-test-key", f"{path}: no Ark bearer key")
        if method == "POST" and path == "/api/v3/images/generations":
            self.calls.append(("seedream", body))
            self.check(body.get("model") == "doubao-seedream-4-0" and body.get("response_format") == "b64_json", "seedream body")
            refs = body.get("image") or []
            refs = [refs] if isinstance(refs, str) else refs
            for ref in refs:
                self.image_of(ref)
            width, height = (int(v) for v in body["size"].split("x"))
            sheet = body["prompt"].startswith("Character turnaround sheet")
            plate = body["prompt"].startswith("Empty ")
            self.calls[-1] = ("seedream:" + ("sheet" if sheet else "plate" if plate else "keyframe"), body)
            self.bill(self.calls[-1][0], body)
            self.check(bool(refs), "an image request without its composition reference")
            image = png(MAGENTA if sheet else ORANGE if plate else CYAN, (width, height), square=not (sheet or plate))
            return 200, "application/json", json.dumps(
                {"model": body["model"], "created": int(time.time()), "data": [{"b64_json": base64.b64encode(image).decode()}],
                 "usage": {"generated_images": 1}}).encode()
        if method == "POST" and path == "/api/v3/contents/generations/tasks":
            self.calls.append(("seedance", body))
            roles = {item.get("role"): item for item in body["content"] if item["type"] == "image_url"}
            self.check(body["content"][0]["type"] == "text" and "first_frame" in roles, "seedance content")
            first = self.image_of(roles["first_frame"]["image_url"]["url"])
            task = f"cgt-{len(self.tasks) + 1:04d}"
            self.tasks[task] = {"id": task, "model": body["model"], "created_at": int(time.time()), "seed": body["seed"],
                                "duration": body["duration"], "ratio": body["ratio"], "resolution": body["resolution"],
                                "first": first}
            self.bill("seedance", body)
            return 200, "application/json", json.dumps({"id": task}).encode()
        if method == "GET" and path == "/api/v3/contents/generations/tasks":
            items = [{k: v for k, v in t.items() if k != "first"} | {"status": "succeeded"} for t in reversed(self.tasks.values())]
            return 200, "application/json", json.dumps({"items": items, "total": len(items)}).encode()
        if method == "GET" and path.startswith("/api/v3/contents/generations/tasks/"):
            task = self.tasks[path.rsplit("/", 1)[1]]
            shown = {k: v for k, v in task.items() if k != "first"}
            return 200, "application/json", json.dumps(
                {**shown, "status": "succeeded", "content": {"video_url": f"{self.url}/files/{task['id']}.mp4"},
                 "usage": {"completion_tokens": 43200 * task["duration"]}}).encode()
        if method == "GET" and path.startswith("/files/") and "endpoint" in self.tasks[path.removeprefix("/files/").removesuffix(".mp4")]:
            task = self.tasks[path.removeprefix("/files/").removesuffix(".mp4")]
            bar = "lime" if task["endpoint"] == "lip-sync" else "yellow"
            return 200, "video/mp4", clip_from(task["first"], task["seconds"], 720, 1280, self.work, bar=bar)
        if method == "GET" and path.startswith("/files/"):
            task = self.tasks[path.removeprefix("/files/").removesuffix(".mp4")]
            short = {"480p": 480, "720p": 720, "1080p": 1080}[task["resolution"]]
            self.check(task["ratio"] == "9:16", f"a clip asked at {task['ratio']}")
            width, height = short, round(short * 16 / 9 / 2) * 2
            return 200, "video/mp4", clip_from(task["first"], task["duration"], width, height, self.work)
        if path.startswith("/v1/videos/"):
            return self.kling(method, path, headers, body)
        if method == "POST" and path == "/v1/audio/speech":
            self.calls.append(("speech", body))
            self.check(headers.get("authorization") == "Bearer openai-test-key", "speech: no OpenAI bearer key")
            self.check(body.get("model") == "tts-1" and body.get("voice") in {"alloy", "echo", "fable", "onyx", "nova", "shimmer"},
                       f"speech body {body}")
            self.bill("speech", body)
            return 200, "audio/wav", wav_tone(0.05 * len(body["input"]) + 0.4)
        return 404, "application/json", json.dumps({"error": {"code": "NotFound", "message": path}}).encode()

    @contextmanager
    def serving(self) -> Iterator[Stand]:
        stand = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                if len(raw) < length:
                    return  # the caller was killed while it sent the request: it never arrived whole
                headers = {k.lower(): v for k, v in self.headers.items()}
                with stand.lock:
                    try:
                        if urlsplit(self.path).path == "/v1/images/edits":
                            status, kind, payload = stand.edit(headers, raw)
                        else:
                            status, kind, payload = stand.answer(self.command, urlsplit(self.path).path, headers,
                                                                 json.loads(raw) if raw else None)
                    except Exception as err:  # noqa: BLE001 - a broken request is a finding, not a crash of the stand
                        stand.problems.append(f"{self.command} {self.path}: {type(err).__name__}: {err}")
                        status, kind, payload = 500, "application/json", b'{"error": {"message": "stand failed"}}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the caller was killed while it waited for this reply

            do_GET = do_POST = _serve

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client killed on purpose resets its connection; the stand's own findings are in problems

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        try:
            yield self
        finally:
            self.httpd.shutdown()
            self.httpd.server_close()


@contextmanager
def keys() -> Iterator[None]:
    env = {"MANGALINE_TEST_ARK": "ark-test-key", "MANGALINE_TEST_OPENAI": "openai-test-key",
           "MANGALINE_TEST_KLING_AK": "kling-access", "MANGALINE_TEST_KLING_SK": "kling-secret"}
    os.environ.update(env)
    try:
        yield
    finally:
        for key in env:
            os.environ.pop(key, None)


def new_project(tmp_path: Path, name: str) -> Path:
    source = tmp_path / "small-hours.fountain"
    source.write_text(SMALL_SCRIPT, encoding="utf-8")
    root = tmp_path / name
    mangaline("new", root, "--from", source)
    return root


def configure(root: Path, url: str, *, providers: tuple[str, ...] = ("ark", "openai"), **project: Any) -> None:
    config = root / "mangaline.toml"
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    for key, value in {"tier": "standard", "budget": 20.0, **project}.items():
        doc["project"][key] = value
    tables = {
        "ark": {"base_url": f"{url}/api/v3", "api_key_env": "MANGALINE_TEST_ARK", "timeout": 30},
        "openai": {"base_url": f"{url}/v1", "api_key_env": "MANGALINE_TEST_OPENAI", "timeout": 30},
        "kling": {"base_url": url, "api_key_env": "MANGALINE_TEST_KLING_AK", "timeout": 30,
                  "options": {"secret_key_env": "MANGALINE_TEST_KLING_SK"}},
    }
    doc["providers"] = {name: tables[name] for name in providers}
    doc["routing"] = {"poll_seconds": 0.05}
    # the stand-ins paint flat colours, not the shot: the checks that hold a take to its layout, sheets and
    # neighbouring shots are off here (tests/qc/test_qc_build.py builds against stand-ins that follow their references, defects and all)
    doc["qc"] = {"checks": {name: {"enabled": False} for name in LAYOUT_CHECKS}}
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")


def test_a_standard_build_makes_every_asset_with_the_routed_models(tmp_path: Path) -> None:
    root = new_project(tmp_path, "paid")
    with keys(), Stand(tmp_path).serving() as stand:
        configure(root, stand.url)
        models = mangaline("models", root).stdout
        built = mangaline("build", root, "--no-progress")
        calls = list(stand.calls)
    assert not stand.problems, stand.problems
    assert "doubao-seedream-4-0" in models and "tts-1" in models and "falls back to draft" not in models, models
    folder = ProjectFolder.open(root)
    try:
        script, bible = folder.load_script(), folder.load_bible()
        shots, lines = script.shots(), script.lines()
        by_step = Counter(entry.charge.step for entry in Ledger(folder.state).entries())
        sheets = {cid: folder.state.latest_take("design.character_sheet", cid) for cid in bible.characters}
    finally:
        folder.close()
    kinds = [kind for kind, _ in calls]
    spots = sum(len(location.set.cameras) for location in bible.locations.values())
    assert kinds.count("seedream:sheet") == len(bible.characters) and kinds.count("seedream:keyframe") == len(shots)
    assert kinds.count("seedream:plate") == spots > 0, "a plate per camera spot of the set"
    # an establishing shot is a still with a camera move over its painted keyframe ([routing] stills): no clip bought
    moving = [shot for shot in shots if shot.kind.value != "establishing"]
    assert 0 < len(moving) < len(shots)
    assert kinds.count("seedance") == len(moving) and kinds.count("speech") == len(lines)
    assert by_step == {"design.character_sheet": len(bible.characters), "design.set_plate": spots,
                       "storyboard.paintover": len(shots), "animate.video": len(moving), "voice.line": len(lines)}, \
        "the ledger lists every call, once"
    # a keyframe is painted from the draft composition, the set plate of its spot and the cast board
    keyframe_refs = [body["image"] for kind, body in calls if kind == "seedream:keyframe"]
    assert max(len(refs) for refs in keyframe_refs) == 3
    plates_seen = [base64.b64decode(refs[1].split(",", 1)[1]) for refs in keyframe_refs if len(refs) == 3]
    assert all(Image.open(io.BytesIO(p)).convert("RGB").getpixel((5, 5)) == ORANGE for p in plates_seen)
    # every character's sheet is the model's, cut into views the keyframes are painted with
    for take in sheets.values():
        assert take.data["model"] == "doubao-seedream-4-0" and "sheet.png" in take.components
    # the picture: every shot starts from the model's cyan keyframe, carried through the model's clip
    mp4 = root / "renders" / "ep01.mp4"
    assert probe(mp4).video_codec == "h264"
    timeline = otio.adapters.read_from_file(str(root / "exports" / "ep01.otio"))
    start = 0
    for clip in timeline.video_tracks()[0]:
        frame = read_frame(mp4, int(start + 2)).astype(int)
        top = frame[: frame.shape[0] // 3]
        assert abs(top[..., 0].mean() - CYAN[0]) < 40 and abs(top[..., 2].mean() - CYAN[2]) < 40, f"frame {start + 2}"
        start += round(clip.duration().value)
    # the sound: the stand's 330 Hz voice, not an offline engine
    said = pysubs2.load(str(root / "exports" / "ep01.srt"))[0]
    audio = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{said.start / 1000 + 0.1:.3f}", "-t", "0.8", "-i", str(mp4),
                            "-f", "f32le", "-ac", "1", "-ar", "8000", "-"], capture_output=True, check=True).stdout
    samples = np.frombuffer(audio, dtype="<f4")
    spectrum = np.abs(np.fft.rfft(samples))
    peak = np.fft.rfftfreq(len(samples), 1 / 8000)[int(np.argmax(spectrum[1:])) + 1]
    assert abs(peak - TONE_HZ) < 5, f"the loudest pitch is {peak:.0f} Hz"
    assert built.returncode == 0

    # `status` needs no key: with the variables unset everything made is still fresh
    status = json.loads(mangaline("status", root, "--json").stdout)
    assert status["counts"] == {"FRESH": len(status["nodes"])}
    # each view of a sheet is a take of its own, cut from the model's sheet
    views = [n for n in status["nodes"] if n["step"] == "design.sheet_view"]
    assert len(views) == 8 * len(bible.characters) and {n["entity"].split(":")[0] for n in views} == set(bible.characters)

    # approving the model's sheet locks the very take the keyframes were painted with: nothing is bought again
    with keys(), Stand(tmp_path).serving() as again:
        configure(root, again.url)
        character = sorted(bible.characters)[0]
        mangaline("approve", root, "--character", character)
        mangaline("build", root, "--no-progress")
    assert again.calls == []
    folder = ProjectFolder.open(root)
    try:
        locked = [t for t in folder.state.takes("design.character_sheet", character) if t.validation.value == "validated"]
        back = folder.state.latest_take("design.sheet_view", f"{character}:views/back")
    finally:
        folder.close()
    assert [t.id for t in locked] == [sheets[character].id] and back.data["sheet_take"] == sheets[character].id
    assert back.data["model"] == "doubao-seedream-4-0"
    assert Image.open(folder.objects.path(back.components["panel.png"])).convert("RGB").getpixel((3, 3)) == MAGENTA
    cost = mangaline("cost", root).stdout
    assert "storyboard.paintover" in cost and "animate.video" in cost and "voice.line" in cost

    # a picture uploaded for a character is the person its next sheet draws: that sheet alone is bought again,
    # with the draft composition and the upload as its references
    other = sorted(bible.characters)[1]
    face = Image.new("RGB", (400, 600), (40, 90, 160))
    face.paste((250, 210, 180), (120, 60, 280, 260))
    sent = io.BytesIO()
    face.save(sent, format="JPEG", quality=92)
    folder = ProjectFolder.open(root)
    try:
        upload = production.upload_reference(folder, "character", other, sent.getvalue(), filename="her face.jpg",
                                             author="ana")
        with pytest.raises(ProjectError, match=f"{character} is approved") as refused:
            production.upload_reference(folder, "character", character, sent.getvalue(), filename="x.jpg")
        assert "--unapprove" in refused.value.hint
    finally:
        folder.close()
    with keys(), Stand(tmp_path).serving() as third:
        configure(root, third.url)
        mangaline("build", root, "--no-progress")
    assert not third.problems, third.problems
    redrawn = [body for kind, body in third.calls if kind == "seedream:sheet"]
    assert len(redrawn) == 1, "only the character with a new reference gets a new sheet"
    [body] = redrawn
    assert "second reference picture" in body["prompt"] and len(body["image"]) == 2
    assert base64.b64decode(body["image"][1].split(",", 1)[1]) == sent.getvalue(), "the upload is sent as it was stored"
    folder = ProjectFolder.open(root)
    try:
        sheet = folder.state.latest_take("design.character_sheet", other)
    finally:
        folder.close()
    assert sheet.data["reference"] == {"take": upload.id, "filename": "her face.jpg", "used": True}
    # the upload settles its node in the graph: nothing left to make, nothing is run for the reference itself
    status = json.loads(mangaline("status", root, "--json").stdout)
    assert status["counts"] == {"FRESH": len(status["nodes"])}
    assert {"step": "reference.character", "entity": other} in [{k: n[k] for k in ("step", "entity")} for n in status["nodes"]]


def test_a_refused_key_is_named_and_never_retaken(tmp_path: Path) -> None:
    root = new_project(tmp_path, "refused")
    with keys(), Stand(tmp_path).serving() as stand:
        stand.refused = True
        configure(root, stand.url, max_retakes=3)
        built = mangaline("build", root, "--no-progress", check=False)
    assert built.returncode != 0
    said = built.stdout + built.stderr
    assert "MANGALINE_TEST_ARK" in said and "ark" in said
    folder = ProjectFolder.open(root)
    try:
        bible = folder.load_bible()
        characters = len(bible.characters)
        spots = sum(len(location.set.cameras) for location in bible.locations.values())
    finally:
        folder.close()
    refused = [kind for kind, _ in stand.calls if kind == "refused"]
    assert len(refused) == characters + spots, "one refused call per sheet and plate, then nothing: no retake, no clip"


def test_a_provider_that_is_down_falls_back_to_draft_shots_flagged(tmp_path: Path) -> None:
    root = new_project(tmp_path, "down")
    with keys(), Stand(tmp_path).serving() as stand:
        stand.down = {"seedance"}
        configure(root, stand.url, fallback="draft")
        built = mangaline("build", root, "--no-progress")
    assert not stand.problems, stand.problems
    assert "made by the draft video model instead of" in built.stderr
    assert probe(root / "renders" / "ep01.mp4").video_codec == "h264"
    status = json.loads(mangaline("status", root, "--json").stdout)
    flagged = [n for n in status["nodes"] if n["state"] == "FLAGGED"]
    assert {n["step"] for n in flagged} == {"animate.video"} and all("draft" in n["cause"] for n in flagged)
    # the draft clips move a camera over the model's keyframes: the picture is still the painted one
    frame = read_frame(root / "renders" / "ep01.mp4", 2).astype(int)
    top = frame[: frame.shape[0] // 3]
    assert abs(top[..., 0].mean() - CYAN[0]) < 40 and abs(top[..., 2].mean() - CYAN[2]) < 40


def test_one_openai_key_runs_the_line_and_the_clips_move_a_camera_over_its_keyframes(tmp_path: Path) -> None:
    """No video model at OpenAI: the router says so, the draft video model animates gpt-image's keyframes."""
    root = new_project(tmp_path, "openai-only")
    with keys(), Stand(tmp_path).serving() as stand:
        configure(root, stand.url, providers=("openai",))
        models = mangaline("models", root).stdout
        mangaline("build", root, "--no-progress")
    assert not stand.problems, stand.problems
    assert "gpt-image-1" in models and "tts-1" in models
    assert "clip:ep01_sc01_sh020 falls back to draft" in models and "provider openai" not in models.split("falls back")[0][-200:]
    kinds = [kind for kind, _ in stand.calls]
    folder = ProjectFolder.open(root)
    try:
        script, bible = folder.load_script(), folder.load_bible()
    finally:
        folder.close()
    spots = sum(len(location.set.cameras) for location in bible.locations.values())
    assert kinds.count("gpt-image") == len(bible.characters) + spots + len(script.shots()) and "seedance" not in kinds
    # each speaking character's voice at OpenAI is now written in the bible, kept for every later episode
    speakers = {line.character for line in script.lines()}
    assert all(bible.characters[cid].voice.cast.get("openai") in {"alloy", "echo", "fable", "onyx", "nova", "shimmer"}
               for cid in speakers)
    frame = read_frame(root / "renders" / "ep01.mp4", 2).astype(int)
    top = frame[: frame.shape[0] // 3]
    assert abs(top[..., 0].mean() - CYAN[0]) < 40 and abs(top[..., 2].mean() - CYAN[2]) < 40


def test_kling_clips_of_speaking_faces_are_lip_synced_to_the_voices(tmp_path: Path) -> None:
    root = new_project(tmp_path, "kling")
    with keys(), Stand(tmp_path).serving() as stand:
        configure(root, stand.url, providers=("openai", "kling"))
        models = mangaline("models", root).stdout
        mangaline("build", root, "--no-progress")
        calls = list(stand.calls)
    assert not stand.problems, stand.problems
    assert "lipsync" in models and "kling-lip-sync" in models
    folder = ProjectFolder.open(root)
    try:
        script = folder.load_script()
        synced = {take.entity for take in folder.state.takes(step="animate.lipsync")}
        by_step = Counter(entry.charge.step for entry in Ledger(folder.state).entries())
    finally:
        folder.close()
    speaking = {shot.code for shot in script.shots() if shot.kind.value != "establishing"
                and any(line.character in {c.character for c in shot.casting if c.on_screen} for line in shot.dialogue)}
    assert synced == speaking and speaking
    kinds = [kind for kind, _ in calls]
    assert kinds.count("kling:lip-sync") == len(speaking) == by_step["animate.lipsync"]
    # the lip-synced clip (its bar is lime) is what the episode shows for a speaking shot
    timeline = otio.adapters.read_from_file(str(root / "exports" / "ep01.otio"))
    start = 0
    for shot, clip in zip(script.shots(), timeline.video_tracks()[0], strict=True):
        frames = round(clip.duration().value)
        if shot.code in speaking:
            seen = [read_frame(root / "renders" / "ep01.mp4", start + n).astype(int) for n in range(2, min(frames, 24), 3)]
            lime = [((f[..., 1] > 200) & (f[..., 0] < 90) & (f[..., 2] < 90)).mean() for f in seen]
            assert max(lime) > 0.01, f"{shot.code} shows no lip-synced frame"
        start += frames


def test_sigkill_at_any_moment_resumes_what_was_submitted_and_pays_nothing_twice(tmp_path: Path) -> None:
    """The build is killed in the middle of a speech call, an image call, a clip's submit and later, then resumed:
    every task made is polled to its end, none is made twice, and every billed call is in the ledger."""
    root = new_project(tmp_path, "killed")
    traps = [("speech", 1), ("seedream", 1), ("seedance", 1), ("seedream", 2), ("seedance", 2), (None, 1)]
    command = [sys.executable, "-m", "mangaline.cli", "build", str(root), "--no-progress"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with keys(), Stand(tmp_path).serving() as stand:
        configure(root, stand.url)
        env.update({k: os.environ[k] for k in os.environ if k.startswith("MANGALINE_TEST_")})
        for kind, nth in traps:
            build = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
            stand.arm(build, kind, nth)
            out, err = build.communicate(timeout=600)
            if build.returncode == 0 and stand.trap is not None:
                # the runs before made all but fewer than nth of the calls this trap waits for (how far each got
                # before its kill is the scheduler's): this one resumed and finished, and no later run has a call
                # left to cut
                stand.trap = None
                break
            assert build.returncode == -signal.SIGKILL, f"the build ended before the trap {kind} {nth}:\n{out}\n{err}"
        stand.trap = None
        last = mangaline("build", root, "--no-progress")
    assert not stand.problems, stand.problems
    assert {k.split(":")[0] for k in stand.sprung} >= {"speech", "seedream", "seedance"}
    assert probe(root / "renders" / "ep01.mp4").video_codec == "h264", last.stderr
    folder = ProjectFolder.open(root)
    try:
        entries = Ledger(folder.state).entries()
        shots = folder.load_script().shots()
    finally:
        folder.close()
    made = Counter(stand.billed)
    # a task, once created, is never created again: a lost reply is looked up, a running one polled
    tasks = [fp for (kind, fp) in made if kind == "seedance"]
    assert all(made[("seedance", fp)] == 1 for fp in tasks), "a clip's task was created twice"
    assert len(tasks) == len([s for s in shots if s.kind.value != "establishing"])
    # a synchronous call cut off mid-way may be made again (there is nothing to look up); every such call is
    # booked, marked (one whose request the stand never saw, killed between the journal and the socket, too)
    steps = {"seedream:sheet": "design.character_sheet", "seedream:plate": "design.set_plate",
             "seedream:keyframe": "storyboard.paintover", "seedance": "animate.video", "speech": "voice.line"}
    interrupted = [e.charge for e in entries if e.charge.usage.get("source") == "interrupted"]
    answered = Counter(e.charge.step for e in entries if e.charge.usage.get("source") != "interrupted")
    for kind, step in steps.items():
        billed = [fp for (k, fp) in stand.billed if k == kind]
        assert answered[step] == len(set(billed)), f"{step}: each request answered is booked once"
        repeats = len(billed) - len(set(billed))
        assert sum(c.step == step for c in interrupted) >= repeats, f"{step}: a call made twice is booked twice"
    assert sum(n - 1 for n in made.values()) >= 1, "no kill cut a synchronous call: the test lost its point"
    cost = mangaline("cost", root).stdout
    assert f"{len(interrupted)} call(s) cut off by a stopped build" in cost
