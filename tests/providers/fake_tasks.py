"""Stateful fakes of Ark's and Kling's task APIs on 127.0.0.1: tasks are created, listed, polled and
downloaded, and a create's reply can be lost on purpose after the task was made."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .fake_video import MP4

# What becomes of a create's reply: "drop" closes the connection without one, "502" answers a
# gateway error, "429" refuses before any task is made; a create not scripted answers normally.
LOST = ("drop", "502")


class _TaskServer:
    """What both fakes share: the HTTP server, the scripted fate of creates, and the result files."""

    def __init__(self, *, latency: float = 0.1, fates: list[str] | None = None) -> None:
        self.latency = latency
        self.fates = list(fates or [])
        self.tasks: dict[str, dict[str, Any]] = {}  # in order of creation
        self.creates = 0  # create requests received, whatever became of them
        self.lists: list[dict[str, list[str]]] = []
        self.polls: list[str] = []
        self.lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def status(self, task: dict[str, Any]) -> str:
        return "queued" if time.monotonic() < task["ready"] else "done"

    def fate(self) -> str:
        return self.fates.pop(0) if self.fates else "answer"

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any] | None:
        raise NotImplementedError

    @contextmanager
    def serving(self) -> Iterator[Any]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                if parts.path.startswith("/files/"):
                    self._send(200, MP4, "video/mp4")
                    return
                with fake.lock:
                    body = json.loads(raw) if raw else None
                    answer = fake.route(self.command, parts.path, parse_qs(parts.query), body)
                if answer is None:
                    self.close_connection = True  # the task exists; the reply is lost with the connection
                    return
                status, reply = answer
                self._send(status, json.dumps(reply).encode(), "application/json")

            def _send(self, status: int, payload: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._httpd.shutdown()
            self._httpd.server_close()


class FakeArk(_TaskServer):
    """Seedance's ``/api/v3/contents/generations/tasks``: create, list (newest first, by model), get."""

    TASKS = "/api/v3/contents/generations/tasks"

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any] | None:
        if method == "POST" and path == self.TASKS:
            self.creates += 1
            fate = self.fate()
            if fate == "429":
                return 429, {"error": {"code": "RateLimitExceeded.EndpointRPMExceeded", "message": "slow down"}}
            task_id = f"cgt-{len(self.tasks) + 1:04d}"
            self.tasks[task_id] = {
                "id": task_id,
                "model": body["model"],
                "created_at": int(time.time()),
                "seed": body.get("seed"),
                "duration": body.get("duration"),
                "ratio": body.get("ratio"),
                "resolution": body.get("resolution"),
                "ready": time.monotonic() + self.latency,
            }
            if fate == "drop":
                return None
            if fate == "502":
                return 502, {"error": {"code": "BadGateway", "message": "upstream closed"}}
            return 200, {"id": task_id}
        if method == "GET" and path == self.TASKS:
            self.lists.append(query)
            page, size = int(query["page_num"][0]), int(query["page_size"][0])
            model = query.get("filter.model", [None])[0]
            chosen = [self._task(t) for t in reversed(self.tasks.values()) if model in (None, t["model"])]
            return 200, {"items": chosen[(page - 1) * size : page * size], "total": len(chosen)}
        if method == "GET" and path.startswith(f"{self.TASKS}/"):
            task_id = path.rsplit("/", 1)[1]
            self.polls.append(task_id)
            if task_id not in self.tasks:
                return 404, {"error": {"code": "ResourceNotFound", "message": f"no task {task_id}"}}
            return 200, self._task(self.tasks[task_id])
        return 404, {"error": {"code": "NotFound", "message": path}}

    def _task(self, task: dict[str, Any]) -> dict[str, Any]:
        shown = {k: v for k, v in task.items() if k != "ready"}
        if self.status(task) == "queued":
            return {**shown, "status": "running"}
        return {
            **shown,
            "status": "succeeded",
            "content": {"video_url": f"{self.url}/files/{task['id']}.mp4"},
            "usage": {"completion_tokens": 86400, "total_tokens": 86400},
        }


class FakeKling(_TaskServer):
    """Kling's ``/v1/videos/<endpoint>``: create, list (newest first), get; every reply in its code/data envelope."""

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any] | None:
        parts = path.strip("/").split("/")  # v1, videos, endpoint[, task_id]
        if parts[:2] != ["v1", "videos"] or len(parts) not in (3, 4):
            return 404, {"code": 1203, "message": f"no route {path}"}
        kind = parts[2]
        if method == "POST" and len(parts) == 3:
            self.creates += 1
            fate = self.fate()
            if fate == "429":
                return 429, {"code": 1302, "message": "request rate over limit"}
            task_id = f"8{len(self.tasks) + 1:05d}"
            self.tasks[task_id] = {
                "task_id": task_id,
                "kind": kind,
                "external_task_id": body.get("external_task_id"),
                "created_at": int(time.time() * 1000),
                "ready": time.monotonic() + self.latency,
            }
            if fate == "drop":
                return None
            if fate == "502":
                return 502, {"code": 5000, "message": "Server internal error"}
            return 200, self._envelope(self._task(self.tasks[task_id]))
        if method == "GET" and len(parts) == 3:
            self.lists.append(query)
            page, size = int(query["pageNum"][0]), int(query["pageSize"][0])
            chosen = [self._task(t) for t in reversed(self.tasks.values()) if t["kind"] == kind]
            return 200, self._envelope(chosen[(page - 1) * size : page * size])
        if method == "GET":
            task_id = parts[3]
            self.polls.append(task_id)
            if task_id not in self.tasks:
                return 404, {"code": 1203, "message": f"task {task_id} not found"}
            return 200, self._envelope(self._task(self.tasks[task_id]))
        return 404, {"code": 1203, "message": path}

    def _envelope(self, data: Any) -> dict[str, Any]:
        return {"code": 0, "message": "SUCCEED", "request_id": f"req-{len(self.polls)}", "data": data}

    def _task(self, task: dict[str, Any]) -> dict[str, Any]:
        shown = {
            "task_id": task["task_id"],
            "task_info": {"external_task_id": task["external_task_id"]},
            "created_at": task["created_at"],
            "updated_at": task["created_at"],
        }
        if self.status(task) == "queued":
            return {**shown, "task_status": "processing"}
        video = {"id": f"v{task['task_id']}", "url": f"{self.url}/files/{task['task_id']}.mp4", "duration": "5.1"}
        return {**shown, "task_status": "succeed", "task_result": {"videos": [video]}}
