"""A fake video provider for tests: an HTTP server on 127.0.0.1 running scripted remote jobs, and a VideoModel that calls it."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from mangaline.errors import ProviderResponseError, ProviderTransient, RateLimited
from mangaline.providers.catalogue import Catalogue
from mangaline.providers.protocols import JobState, JobStatus, Usage, VideoRequest

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2000


@dataclass
class Scripted:
    """One canned answer that replaces the normal one."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeVideoServer:
    """Jobs that run for ``latency`` seconds; failures are scripted per endpoint and consumed in order."""

    latency: float = 0.2
    concurrency: int = 100
    tokens_per_second: int = 1000
    fail_jobs: bool = False
    moderate: bool = False
    poll_delay: float = 0.0
    content_type: str = "video/mp4"
    body: bytes = MP4
    declare_length: bool = True
    submit_script: list[Scripted] = field(default_factory=list)
    poll_script: list[Scripted] = field(default_factory=list)
    download_script: list[Scripted] = field(default_factory=list)
    submits: list[dict[str, Any]] = field(default_factory=list)
    polls: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    jobs: dict[str, dict[str, float]] = field(default_factory=dict)
    rejected_busy: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def running(self, now: float) -> int:
        return sum(1 for j in self.jobs.values() if j["start"] <= now < j["done"])

    def busy_seconds(self) -> float:
        return sum(j["done"] - j["start"] for j in self.jobs.values())

    def handle(self, method: str, path: str, body: dict[str, Any], query: str = "") -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            now = time.monotonic()
            if method == "POST" and path == "/jobs":
                if self.submit_script:
                    return self._scripted(self.submit_script.pop(0))
                if self.running(now) >= self.concurrency:
                    self.rejected_busy += 1
                    return 429, {"Content-Type": "application/json"}, b'{"error": "too many running tasks"}'
                job_id = f"job-{len(self.submits) + 1}"
                self.submits.append(body)
                self.jobs[job_id] = {"start": now, "done": now + self.latency, "seconds": float(body.get("duration", 1)),
                                     "created": time.time()}
                return 200, {"Content-Type": "application/json"}, json.dumps({"id": job_id}).encode()
            if method == "GET" and path == "/jobs":
                # every job with its request and creation time, newest first: what a lookup of a lost submit reads
                listed = [{"id": job_id, "created": job["created"], **request}
                          for (job_id, job), request in zip(self.jobs.items(), self.submits, strict=True)]
                return 200, {"Content-Type": "application/json"}, json.dumps({"jobs": listed[::-1]}).encode()
            if method == "GET" and path.startswith("/jobs/"):
                job_id = path.removeprefix("/jobs/")
                self.polls.append(job_id)
                if self.poll_script:
                    return self._scripted(self.poll_script.pop(0))
                job = self.jobs.get(job_id)
                if job is None:
                    return 404, {"Content-Type": "application/json"}, b'{"error": "no such job"}'
                if now < job["done"]:
                    state = "queued" if now < job["start"] + self.latency / 4 else "running"
                    reply: dict[str, Any] = {"id": job_id, "status": state}
                elif self.moderate:
                    reply = {"id": job_id, "status": "failed", "error": "content flagged", "moderated": True}
                elif self.fail_jobs:
                    reply = {"id": job_id, "status": "failed", "error": "internal render error"}
                else:
                    sig = len(self.polls)
                    reply = {
                        "id": job_id,
                        "status": "succeeded",
                        "video_url": f"{self.url}/files/{job_id}.mp4?sig={sig}",
                        "usage": {"completion_tokens": int(job["seconds"] * self.tokens_per_second)},
                    }
                return 200, {"Content-Type": "application/json"}, json.dumps(reply).encode()
            if method == "GET" and path.startswith("/files/"):
                self.downloads.append(f"{path}?{query}" if query else path)
                if self.download_script:
                    return self._scripted(self.download_script.pop(0))
                if not self.declare_length:
                    return 200, {"Content-Type": self.content_type, "Connection": "close"}, self.body
                return 200, {"Content-Type": self.content_type, "Content-Length": str(len(self.body))}, self.body
            return 404, {}, b""

    def _scripted(self, reply: Scripted) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps(reply.body or {"error": f"scripted {reply.status}"}).encode()
        return reply.status, {"Content-Type": "application/json", **reply.headers}, body

    @contextmanager
    def serving(self) -> Iterator[FakeVideoServer]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                path = self.path.split("?", 1)[0]
                if method == "GET" and path.startswith("/jobs/") and server.poll_delay:
                    time.sleep(server.poll_delay)
                status, headers, payload = server.handle(method, path, body, self.path.partition("?")[2])
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if headers.get("Connection") == "close":
                    self.close_connection = True  # no length: the body ends when the connection does
                elif "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def log_message(self, *_: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.httpd.shutdown()
            self.httpd.server_close()


class FakeVideoModel:
    """A VideoModel against FakeVideoServer, mapping its HTTP answers to the provider errors as an adapter must."""

    def __init__(self, base_url: str, provider: str = "fake", timeout: float = 10.0) -> None:
        self.base_url = base_url
        self.provider = provider
        self.client = httpx.Client(timeout=timeout)

    def _check(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 429:
            after = response.headers.get("retry-after")
            raise RateLimited(self.provider, "429 too many requests", retry_after=float(after) if after else None)
        if response.status_code >= 500:
            raise ProviderTransient(self.provider, f"server error {response.status_code}", raw=response.text)
        if response.status_code != 200:
            raise ProviderResponseError(self.provider, f"answered {response.status_code}", raw=response.text)
        return response.json()

    def submit(self, request: VideoRequest) -> str:
        body = {"prompt": request.prompt, "duration": request.duration, "width": request.width, "height": request.height}
        return str(self._check(self.client.post(f"{self.base_url}/jobs", json=body))["id"])

    def poll(self, job_id: str) -> JobStatus:
        data = self._check(self.client.get(f"{self.base_url}/jobs/{job_id}"))
        state = {"queued": JobState.QUEUED, "running": JobState.RUNNING, "succeeded": JobState.SUCCEEDED}.get(
            data["status"], JobState.FAILED
        )
        usage = None
        if "usage" in data:
            usage = Usage(quantity=data["usage"]["completion_tokens"], unit="tokens", raw=data["usage"])
        results = {"video": data["video_url"]} if state == JobState.SUCCEEDED else {}
        return JobStatus(
            state=state, results=results, error=data.get("error"), moderated=bool(data.get("moderated")),
            usage=usage, raw=data,
        )


def fake_catalogue(*models: dict[str, Any]) -> Catalogue:
    """A catalogue of fake video models: each dict gives id and overrides (price per second, tiers, quality...)."""
    entries = []
    for spec in models:
        spec = dict(spec)
        price = {"unit": "second", "amount": spec.pop("price", 0.1), "currency": "USD", "read_on": "2026-11-01", "source": "test"}
        if "price_unit" in spec:
            price["unit"] = spec.pop("price_unit")
        entries.append(
            {
                "id": spec.pop("id"),
                "provider": spec.pop("provider", "fake"),
                "modality": spec.pop("modality", "video"),
                "tiers": spec.pop("tiers", ["standard"]),
                "quality": spec.pop("quality", 0.5),
                "capabilities": spec.pop(
                    "capabilities",
                    {"first_frame": True, "max_duration": 10.0, "resolutions": ["720p"], "aspect_ratios": ["9:16"]},
                ),
                "price": price,
                "limits": spec.pop("limits", {"concurrency": 4}),
                **spec,
            }
        )
    return Catalogue.model_validate(
        {
            "exchange_rates": {"read_on": "2026-11-01", "source": "test", "usd_per_unit": {"USD": 1.0, "CNY": 0.14}},
            "models": entries,
        }
    )


REQUEST = VideoRequest(prompt="a ferry leaves the harbour at dusk", duration=4.0, width=720, height=1280)


def run_one(db_path: str, results_dir: str, base_url: str) -> None:
    """One process running one video job through the runtime: what the SIGKILL test starts and kills."""
    from mangaline.project.state import StateDB, sqlite_url
    from mangaline.providers.runtime import PollPolicy, Runtime

    db = StateDB(sqlite_url(Path(db_path)))
    runtime = Runtime(
        db,
        Path(results_dir),
        catalogue=fake_catalogue({"id": "fake-clip", "price": 0.1}),
        poll=PollPolicy(first=0.05, max_interval=0.1),
    )
    delivery = runtime.video("fake", "fake-clip", FakeVideoModel(base_url), REQUEST, step="animate", entity="ep01_sc01_sh010")
    print(json.dumps({"job_id": delivery.job_id, "file": str(delivery.files["video"]), "cost": delivery.cost}), flush=True)


if __name__ == "__main__":
    run_one(*sys.argv[1:4])
