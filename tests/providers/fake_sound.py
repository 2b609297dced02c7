"""A stand-in of ElevenLabs' sound API on 127.0.0.1: it checks each request's documented shape and answers with real
MP3 made by FFmpeg, a sine the length asked for (effects at 1 kHz, mono; music at 220 Hz, stereo), or raw PCM."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

from mangaline.ffmpeg import ffmpeg_exe

KEY = "eleven-test-key"
ENV = "MANGALINE_TEST_ELEVENLABS"
"""The variable a test's provider settings name for the stand's key."""
EFFECT_HZ = 1000
MUSIC_HZ = 220
EFFECT_FIELDS = {"text", "duration_seconds", "prompt_influence", "loop", "model_id"}
MUSIC_FIELDS = {"prompt", "music_length_ms", "model_id", "force_instrumental", "seed"}


def mp3(hz: int, seconds: float, channels: int) -> bytes:
    return subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"sine=frequency={hz}:duration={seconds}:sample_rate=44100",
         "-ac", str(channels), "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


class SoundStand:
    """Answers /v1/sound-generation and /v1/music; ``refused`` answers 401, ``down`` 503; every call is kept."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, list[str]]]] = []
        self.problems: list[str] = []
        self.refused = False
        self.down = False
        self._made: dict[tuple[int, float, int], bytes] = {}
        self._lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.calls]

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)

    def _audio(self, hz: int, seconds: float, channels: int, output_format: str) -> tuple[str, bytes]:
        if output_format.startswith("pcm_"):
            rate = int(output_format.split("_")[1])
            t = np.arange(int(seconds * rate)) / rate
            return "audio/pcm", (0.5 * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2").tobytes()
        key = (hz, seconds, channels)
        with self._lock:
            if key not in self._made:
                self._made[key] = mp3(hz, seconds, channels)
            return "audio/mpeg", self._made[key]

    def answer(self, path: str, query: dict[str, list[str]], headers: dict[str, str], body: dict[str, Any]) -> tuple[int, str, bytes]:
        kind = {"/v1/sound-generation": "effect", "/v1/music": "music"}.get(path, "unknown")
        with self._lock:
            self.calls.append((kind, body, query))
        if self.refused:
            return 401, "application/json", json.dumps({"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}).encode()
        if self.down:
            return 503, "application/json", b'{"detail": "service unavailable"}'
        self.check(headers.get("xi-api-key") == KEY, f"{path}: no xi-api-key")
        output_format = (query.get("output_format") or [""])[0]
        self.check(output_format.startswith(("mp3_", "pcm_")), f"{path}: output_format {output_format!r}")
        if kind == "effect":
            self.check(set(body) == EFFECT_FIELDS, f"effect body fields {sorted(body)}")
            seconds = body.get("duration_seconds", 0)
            self.check(0.5 <= seconds <= 30 and body.get("model_id") == "eleven_text_to_sound_v2"
                       and 0 <= body.get("prompt_influence", -1) <= 1 and isinstance(body.get("loop"), bool)
                       and bool(body.get("text")), f"effect body {body}")
            kind_, data = self._audio(EFFECT_HZ, seconds, 1, output_format)
            return 200, kind_, data
        if kind == "music":
            self.check(set(body) == MUSIC_FIELDS, f"music body fields {sorted(body)}")
            length = body.get("music_length_ms", 0)
            self.check(isinstance(length, int) and 10_000 <= length <= 300_000 and body.get("model_id") == "music_v1"
                       and body.get("force_instrumental") is True and bool(body.get("prompt")), f"music body {body}")
            kind_, data = self._audio(MUSIC_HZ, length / 1000, 2, output_format)
            return 200, kind_, data
        return 404, "application/json", b'{"detail": "not found"}'

    @contextmanager
    def serving(self) -> Iterator[SoundStand]:
        stand = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                split = urlsplit(self.path)
                try:
                    status, kind, payload = stand.answer(split.path, parse_qs(split.query),
                                                         {k.lower(): v for k, v in self.headers.items()},
                                                         json.loads(raw) if raw else {})
                except Exception as err:  # noqa: BLE001 - a broken request is a finding, not a crash of the stand
                    stand.problems.append(f"POST {self.path}: {type(err).__name__}: {err}")
                    status, kind, payload = 500, "application/json", b'{"detail": "stand failed"}'
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        try:
            yield self
        finally:
            self.httpd.shutdown()
            self.httpd.server_close()


@contextmanager
def keyed_stand() -> Iterator[SoundStand]:
    """A stand serving, with its key in ENV for as long as it serves."""
    os.environ[ENV] = KEY
    try:
        with SoundStand().serving() as running:
            yield running
    finally:
        os.environ.pop(ENV, None)
