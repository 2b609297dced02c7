"""A chat-completions endpoint on 127.0.0.1, scripted per test, speaking the documented OpenAI shapes."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "FakeChatServer",
    "Reply",
    "Seen",
    "completion",
    "error",
    "fake_breakdown",
    "sequence",
    "story_of",
]


@dataclass
class Reply:
    """What the server answers to one request."""

    status: int = 200
    body: dict[str, Any] | str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    def text(self) -> str:
        """Every message's content, joined: what the model was told."""
        return "\n".join(str(m.get("content") or "") for m in self.body.get("messages", []))


Handler = Callable[[Seen], Reply]


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    usage: tuple[int, int] = (100, 50),
) -> Reply:
    """A 200 chat.completion with one choice, as /v1/chat/completions documents it."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    return Reply(
        body={
            "id": f"chatcmpl-{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "fake-model",
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
        }
    )


def error(status: int, message: str = "", headers: dict[str, str] | None = None) -> Reply:
    """An error answer in the documented {"error": {...}} shape."""
    body = {"error": {"message": message or f"status {status}", "type": "server_error", "param": None, "code": None}}
    return Reply(status=status, body=body, headers=headers or {})


def sequence(*steps: Reply | Handler) -> Handler:
    """Answer the n-th request with the n-th step; the last step answers every request after it."""
    count = 0

    def handle(seen: Seen) -> Reply:
        nonlocal count
        step = steps[min(count, len(steps) - 1)]
        count += 1
        return step(seen) if callable(step) else step

    return handle


_STORY = re.compile(r"<story>\n(.*)\n</story>", re.DOTALL)
_LINE = re.compile(r'^(?P<speaker>[^:\n"]+): "(?P<text>[^"]+)"$')


def story_of(seen: Seen) -> str:
    """The chunk of story the last user message carries."""
    users = [m["content"] for m in seen.body["messages"] if m["role"] == "user"]
    match = _STORY.search(users[0])
    assert match, "the prompt carries no <story> block"
    return match.group(1)


def fake_breakdown(
    seen: Seen, *, speakers: dict[str, str] | None = None, characters: list[dict[str, Any]] | None = None
) -> Reply:
    """A tiny, obedient 'model': one beat per paragraph, as the test stories are written.

    ``Name: "words"`` is a spoken line, ``# Title`` opens a chapter, ``At the PLACE, TIME.``
    opens a scene, anything else is action. ``speakers`` renames speakers in the reply (an
    alias the model chose); ``characters`` replaces the characters list it reports.
    """
    speakers = speakers or {}
    scenes: list[dict[str, Any]] = []
    chapter = None
    names: list[str] = []

    def scene(place: str = "Harbour", time_of_day: str = "NIGHT") -> dict[str, Any]:
        nonlocal chapter
        made = {"chapter": chapter, "place": place, "interior": False, "time_of_day": time_of_day, "beats": []}
        chapter = None
        scenes.append(made)
        return made

    for paragraph in re.split(r"\n\s*\n", story_of(seen)):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if paragraph.startswith("# "):
            chapter = paragraph[2:]
            continue
        at = re.match(r"At the (\w+), (\w+)\.", paragraph)
        if at:
            current = scene(at.group(1).capitalize(), at.group(2).upper())
            current["beats"].append({"kind": "action", "text": paragraph, "speaker": None, "parenthetical": None, "quote": paragraph})
            continue
        current = scenes[-1] if scenes and chapter is None else scene()
        line = _LINE.match(paragraph)
        if line:
            speaker = speakers.get(line["speaker"], line["speaker"])
            names.append(speaker)
            current["beats"].append(
                {"kind": "dialogue", "text": line["text"], "speaker": speaker, "parenthetical": None, "quote": paragraph}
            )
        else:
            current["beats"].append({"kind": "action", "text": paragraph, "speaker": None, "parenthetical": None, "quote": paragraph})
    reported = characters if characters is not None else [{"name": n, "aliases": []} for n in dict.fromkeys(names)]
    places = [{"name": s["place"], "aliases": []} for s in scenes]
    return completion(json.dumps({"characters": reported, "places": places, "scenes": scenes}, ensure_ascii=False))


class FakeChatServer:
    """Serves POST /v1/chat/completions on 127.0.0.1 from a handler, and keeps every request it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[Seen] = []
        server = self

        class _Endpoint(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                server.seen.append(seen)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    reply = error(404, f"no route {self.path}")
                else:
                    reply = server.handler(seen)
                payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = payload.encode("utf-8")
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep pytest output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def calls(self) -> int:
        return len(self.seen)

    def __enter__(self) -> FakeChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
