"""A scriptable HTTP server on 127.0.0.1 that plays a provider's API for one test, and records what it was sent."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from PIL import Image

__all__ = ["FakeServer", "Part", "Reply", "Seen", "png_bytes"]


@dataclass
class Reply:
    """What the server answers to one request."""

    status: int = 200
    json: Any = None  # sent as application/json when set
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    delay: float = 0.0  # seconds to wait before answering: a slow or hung server


@dataclass
class Part:
    """One field of a multipart/form-data body."""

    name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def parts(self) -> list[Part]:
        """The multipart/form-data fields, in order, with their bytes untouched."""
        boundary = re.search(r'boundary="?([^";]+)"?', self.headers["content-type"]).group(1).encode()
        found = []
        for chunk in self.body.split(b"--" + boundary)[1:]:
            if chunk.startswith(b"--"):
                break
            head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
            heads = head.decode()
            name = re.search(r'name="([^"]*)"', heads)
            filename = re.search(r'filename="([^"]*)"', heads)
            kind = re.search(r"content-type:\s*([^\r\n]+)", heads, re.IGNORECASE)
            found.append(
                Part(
                    name=name.group(1) if name else "",
                    filename=filename.group(1) if filename else None,
                    content_type=kind.group(1).strip() if kind else "text/plain",
                    data=data.removesuffix(b"\r\n"),
                )
            )
        return found


Script = Reply | Callable[[Seen], Reply]


class FakeServer:
    """Routes (method, path) to scripted replies; each route answers its replies in order, the last one repeats."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._routes: dict[tuple[str, str], list[Script]] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = fake._reply_for(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.json is not None:
                    payload = json.dumps(reply.json).encode()
                    content_type = reply.content_type or "application/json"
                else:
                    payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
                    content_type = reply.content_type or "application/octet-stream"
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first: that is what a timeout test wants

            do_GET = do_POST = do_DELETE = _answer

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def on(self, method: str, path: str, *replies: Script) -> None:
        """Script the answers to ``method path`` (query string ignored)."""
        with self._lock:
            self._routes[(method.upper(), path)] = list(replies)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def _reply_for(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            queue = self._routes.get((seen.method, seen.path))
            if not queue:
                return Reply(404, json={"error": {"message": f"no route for {seen.method} {seen.path}"}})
            script = queue.pop(0) if len(queue) > 1 else queue[0]
        return script(seen) if callable(script) else script

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def png_bytes(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (8, 8)) -> bytes:
    """A tiny real PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()
