"""The LLM breakdown: prose in, Chapters out, through any OpenAI-compatible chat-completions endpoint.

The story is cut into chunks at paragraph boundaries, with some overlap so no scene is
cut blind. Each chunk goes to the model with the characters and places met so far, so
one person keeps one name from the first chunk to the last. Every reply is validated
(JSON, the ChunkReply schema, and each beat's quote found in the text, which gives the
beat its source span). A bad reply gets one repair request, then the chunk is halved
and tried again; a hard cap on calls stops it all with a ProviderError that says where.

Every request goes through the provider runtime the caller lends (providers/runtime.py), like
every other model call: one retry policy (bounded here by llm.max_retries, llm.backoff and
llm.max_retry_wait), the provider's limits, the journal, the ledger and the request cache. Each
try is counted against llm.max_calls and kept in the transcript, which the caller stores with
the take: the model's word is provenance too.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..config import LlmSettings, ProviderSettings
from ..errors import ProviderError, ProviderTransient, ProviderUnavailable, RateLimited, invalid_values
from ..model import DialogueLine, SourceSpan
from ..providers.exchange import Endpoint
from ..providers.protocols import TextRequest, TextResult, Usage
from ..providers.runtime import RetryPolicy, Runtime, request_key
from .llm_schema import BeatReply, ChunkReply, SceneReply, strict_schema
from .planner import Beat
from .screenplay import character_id
from .story import Chapter, StoryScene

if TYPE_CHECKING:
    from ..providers.ledger import Charge

__all__ = ["Chunk", "LlmBreakdown", "breakdown_with_llm", "chunk_text"]

MIN_SPLIT_CHARS = 40  # a chunk shorter than this is not halved again: the model, not the size, is failing
MAX_REPORTED_PROBLEMS = 8  # problems listed in one repair request; more only bury the first


@dataclass(frozen=True)
class Chunk:
    """A stretch of the story sent in one request: character offsets [start, end) and 1-based lines."""

    start: int
    end: int
    line: int
    end_line: int

    @property
    def lines(self) -> str:
        return f"lines {self.line}-{self.end_line}" if self.end_line != self.line else f"line {self.line}"


@dataclass
class LlmBreakdown:
    """What the LLM path gives: the Chapters, every exchange with the model, and what it cost."""

    chapters: list[Chapter]
    transcript: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    usage: dict[str, int] = field(default_factory=dict)
    charges: list[Charge] = field(default_factory=list)
    """What the calls cost, as the runtime booked them in its ledger."""


# --- geometry of the text: lines, paragraphs, chunks -------------------------------------------


class _Lines:
    """Turns character offsets into 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u3000]*\n\s*")
_LINE_BREAK = re.compile(r"\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？…])[\"'”’」』)）]*\s*")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_point(text: str, start: int, end: int) -> int | None:
    """Where to halve text[start:end]: the paragraph, else line, else sentence break nearest the middle."""
    middle = (start + end) // 2
    for pattern in (_PARAGRAPH_BREAK, _LINE_BREAK, _SENTENCE_END):
        cuts = [m.end() for m in pattern.finditer(text, start, end) if start < m.start() and m.end() < end]
        cuts = [c for c in cuts if text[start:c].strip() and text[c:end].strip()]
        if cuts:
            return min(cuts, key=lambda c: abs(c - middle))
    return None


def _paragraphs(text: str, limit: int) -> list[tuple[int, int]]:
    """Paragraph spans of the text; a paragraph longer than ``limit`` is cut at lines or sentences."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        stop = match.start() if match else len(text)
        start, end = _trimmed(text, position, stop)
        if end > start:
            spans.append((start, end))
        if match:
            position = match.end()
    pieces: list[tuple[int, int]] = []
    todo = list(reversed(spans))
    while todo:
        start, end = todo.pop()
        if end - start <= limit:
            pieces.append((start, end))
            continue
        # a paragraph with no break at all is cut blind in the middle rather than sent whole
        cut = _cut_point(text, start, end) or (start + end) // 2
        todo.append(_trimmed(text, cut, end))
        todo.append(_trimmed(text, start, cut))
    return pieces


def chunk_text(text: str, *, max_chars: int, overlap_chars: int) -> list[Chunk]:
    """Cut a story into chunks of whole paragraphs, each repeating up to ``overlap_chars`` of the last."""
    lines = _Lines(text)
    # an overlap over half a chunk would make the chunks crawl forward a paragraph at a time
    overlap = min(overlap_chars, max_chars // 2)
    paragraphs = _paragraphs(text, max_chars)
    chunks: list[Chunk] = []
    i = 0
    while i < len(paragraphs):
        j = i + 1
        while j < len(paragraphs) and paragraphs[j][1] - paragraphs[i][0] <= max_chars:
            j += 1
        start, end = paragraphs[i][0], paragraphs[j - 1][1]
        chunks.append(Chunk(start, end, lines.of(start), lines.of(end - 1)))
        if j == len(paragraphs):
            break
        k = j
        while k - 1 > i and end - paragraphs[k - 1][0] <= overlap:
            k -= 1
        i = k
    return chunks


def _halves(text: str, chunk: Chunk) -> tuple[Chunk, Chunk] | None:
    if chunk.end - chunk.start < MIN_SPLIT_CHARS:
        return None
    cut = _cut_point(text, chunk.start, chunk.end)
    if cut is None:
        return None
    lines = _Lines(text)
    parts = []
    for start, end in (_trimmed(text, chunk.start, cut), _trimmed(text, cut, chunk.end)):
        parts.append(Chunk(start, end, lines.of(start), lines.of(end - 1)))
    return parts[0], parts[1]


# --- finding a quote in the text ---------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"', "『": '"', "』": '"',
        "‘": "'", "’": "'", "‚": "'",
        "–": "-", "—": "-", "―": "-", "‐": "-",
        "\u3000": " ", "\u00a0": " ",
    }
)
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)+\s*")


def _fold(text: str) -> tuple[str, list[int]]:
    """Text with quotes, dashes, case and whitespace runs folded, and each folded char's original index."""
    chars: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(text):
        ch = ch.translate(_FOLD)
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        low = ch.lower()
        chars.append(low if len(low) == 1 else ch)
        where.append(index)
    return "".join(chars), where


class _Locator:
    """Finds each beat's quote in the chunk it came from, in story order."""

    def __init__(self, text: str, chunk: Chunk) -> None:
        self.offset = chunk.start
        self.folded, self.where = _fold(text[chunk.start : chunk.end])
        self.cursor = 0

    def _find(self, needle: str, begin: int) -> tuple[int, int] | None:
        folded = _fold(needle.strip())[0].strip()
        if not folded:
            return None
        at = self.folded.find(folded, begin)
        return None if at < 0 else (at, at + len(folded))

    def find(self, quote: str) -> tuple[int, int] | None:
        """Offsets [start, end) in the whole text, or None when the quote is not in the chunk."""
        for begin in (self.cursor, 0):
            found = self._find(quote, begin)
            if found is None:
                # a long quote shortened with an ellipsis: its first and last pieces frame the span
                pieces = [p for p in _ELLIPSIS.split(quote) if p.strip()]
                if len(pieces) > 1:
                    first = self._find(pieces[0], begin)
                    last = self._find(pieces[-1], first[1]) if first else None
                    if first and last:
                        found = (first[0], last[1])
            if found:
                self.cursor = found[0]
                return self.offset + self.where[found[0]], self.offset + self.where[found[1] - 1] + 1
        return None


# --- names that stay the same across chunks ----------------------------------------------------


def _name_key(name: str) -> str:
    """How two spellings of one name compare: case, quotes and spacing do not count."""
    return " ".join(name.translate(_FOLD).casefold().split())


class _Register:
    """Canonical names and their aliases (characters, or places) met so far in the story."""

    def __init__(self) -> None:
        self.aliases: dict[str, list[str]] = {}
        self.lookup: dict[str, str] = {}

    def learn(self, name: str, aliases: list[str] | None = None) -> str:
        names = [n.strip() for n in [name, *(aliases or [])] if n and n.strip()]
        canonical = next((self.lookup[_name_key(n)] for n in names if _name_key(n) in self.lookup), names[0])
        known = self.aliases.setdefault(canonical, [])
        for n in names:
            key = _name_key(n)
            self.lookup.setdefault(key, canonical)
            if self.lookup[key] == canonical and n != canonical and n not in known:
                known.append(n)
        self.lookup[_name_key(canonical)] = canonical
        return canonical

    def resolve(self, name: str) -> str:
        return self.lookup.get(_name_key(name)) or self.learn(name)

    def listing(self) -> list[dict[str, Any]]:
        return [{"name": name, "aliases": list(aliases)} for name, aliases in self.aliases.items()]


# --- one breakdown: requests, validation, repair, assembly -------------------------------------


class _BadReply(Exception):
    """A reply that cannot be used, with the reason the model is told in the repair request."""


@dataclass
class _Answer:
    content: str | None
    finish_reason: str | None
    refusal: str | None
    record: dict[str, Any]
    unreadable: str | None = None


@dataclass
class _Located:
    reply: ChunkReply
    spans: dict[tuple[int, int], tuple[int, int]]  # (scene index, beat index) -> text offsets


_FENCE = re.compile(r"^```[\w-]*\s*\n?(.*?)\n?```\s*$", re.DOTALL)
_REFUSAL = re.compile(
    r"^\W*(i'?m sorry|i am sorry|sorry|i can(?:no|')t|i won'?t|i'?m (?:not able|unable)|i am (?:not able|unable)"
    r"|as an ai|抱歉|对不起|很遗憾|申し訳|すみません)",
    re.IGNORECASE,
)


def _system_prompt(settings: LlmSettings, language: str) -> str:
    shape = (
        ""
        if settings.json_schema
        else f"\nThe json object must follow this JSON schema:\n{json.dumps(ChunkReply.model_json_schema(), ensure_ascii=False)}\n"
    )
    return (
        "You break a story down for a storyboard artist. Read the part of the story you are given and reply "
        "with one json object only: no prose around it, no code fences." + shape + "\nRules:\n"
        "- scenes: one per continuous stretch in one place and time, in story order. chapter: the chapter "
        "heading exactly as written when a scene begins a chapter, else null.\n"
        "- beats, in story order: kind \"dialogue\" for each spoken line (text = the spoken words only, "
        "speaker = who says it, parenthetical = how it is said or null); kind \"action\" for what is seen, "
        "short and in the present tense.\n"
        "- quote: copy the exact text of the story each beat comes from, character for character, a "
        "sentence or a few at most. Never paraphrase a quote.\n"
        "- characters and places: list every one in this part. When one is in the known lists, use its "
        "name exactly as listed there and give any other name the text uses for it as an alias.\n"
        f"- The story is written in language '{language}': keep names, text and quotes in that language."
    )


def _user_prompt(text: str, chunk: Chunk, source: str, characters: _Register, places: _Register, last: StoryScene | None, overlaps: bool) -> str:
    parts = [
        f"Known characters: {json.dumps(characters.listing(), ensure_ascii=False)}",
        f"Known places: {json.dumps(places.listing(), ensure_ascii=False)}",
    ]
    if last is not None:
        inside = "interior" if last.interior else "exterior"
        parts.append(f"The previous part ended in: {last.place} ({inside}, {last.time_of_day}).")
    note = " Its beginning repeats the end of the previous part; break it down all the same." if overlaps else ""
    parts.append(f"Below are {chunk.lines} of {source}.{note} Reply with the json object.")
    parts.append(f"<story>\n{text[chunk.start : chunk.end]}\n</story>")
    return "\n".join(parts)


def _schema_problems(err: ValidationError) -> str:
    # the model's own values are not echoed back: a bad one may be a page of text
    return "it does not match the schema: " + invalid_values(err, limit=MAX_REPORTED_PROBLEMS, show_input=False)


class _Stop(ProviderError):
    """The breakdown stops asking (the call cap, a wait too long to honour): never retried, told with its chunk."""

    def __init__(self, provider: str, reason: str, *, hint: str | None = None) -> None:
        super().__init__(provider, reason, hint=hint)
        self.reason = reason


class _OverCap(_Stop):
    """llm.max_calls calls were made: a retry of the request in flight would be one more."""

    def __init__(self, provider: str) -> None:
        super().__init__(provider, "over llm.max_calls")


class _Refused(ProviderError):
    """The endpoint answered a status no retry can change (400, 401, 404 ...)."""

    def __init__(self, provider: str, status: int | None, message: str) -> None:
        super().__init__(provider, message)
        self.status = status


_HINTS = {
    401: "check the key in ${env}",
    403: "check the key in ${env} and its access to {model}",
    404: "check llm.base_url (it usually ends in /v1) and llm.model",
    400: "if the endpoint lacks structured outputs or JSON mode, set llm.json_schema / llm.json_object to false",
}


class _Chat:
    """The breakdown's TextModel: one POST /chat/completions per call, mapped by the providers' exchange.

    The provider runtime calls it, once per try; each try is written in the session's transcript. Its
    text is the endpoint's whole reply (the key scrubbed), not only the message, so the runtime keeps
    exactly what the endpoint said, and an answer from the runtime's cache is read as a fresh one is.
    """

    def __init__(self, session: _Session, base_url: str, key: str) -> None:
        self.session = session
        settings = session.settings
        self.key = key
        # what the endpoint answered the call in this thread: the runtime makes each try in a thread of its own
        self._answered = threading.local()
        self.endpoint = Endpoint(settings.provider, base_url, timeout=settings.timeout, refusal=self._note,
                                 key_env=settings.api_key_env)

    def close(self) -> None:
        self.endpoint.close()

    def body(self, request: TextRequest) -> dict[str, Any]:
        settings = self.session.settings
        body: dict[str, Any] = {"model": settings.model, "messages": list(request.messages)}
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "story_chunk", "strict": True, "schema": request.json_schema},
            }
        elif settings.json_object:
            body["response_format"] = {"type": "json_object"}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_tokens is not None:
            body["max_tokens"] = request.max_tokens
        if settings.thinking is not None:
            body["thinking"] = {"type": settings.thinking}
        return body

    def _note(self, status: int, _body: Any, raw: str) -> None:
        # the exchange's own reading of the status stands (429 with its Retry-After, 5xx and 408 transient,
        # the rest refused); the status and body are kept for the transcript
        self._answered.status, self._answered.raw = status, raw
        return None

    def complete(self, request: TextRequest) -> TextResult:
        session = self.session
        settings = session.settings
        body = self.body(request)
        record = session.begin(body)
        self._answered.status, self._answered.raw = None, None
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        try:
            response = self.endpoint.send("POST", "chat/completions", headers=headers, json=body)
        except ProviderError as err:
            status = self._answered.status
            raw = session.scrub(self._answered.raw)
            record.update(http_status=status, raw=raw)
            said = f"HTTP {status}: {(raw or '')[:500]}" if status is not None else session.scrub(str(err).splitlines()[0])
            session.last_error = said or ""
            if not isinstance(err, ProviderTransient):
                record["outcome"] = f"HTTP {status}"
                raise _Refused(settings.provider, status, said or "") from None
            if isinstance(err, RateLimited) and err.retry_after is not None and err.retry_after > settings.max_retry_wait:
                record["outcome"] = f"HTTP {status}, asks to wait {err.retry_after:g} s"
                raise _Stop(
                    settings.provider,
                    f"the endpoint asks to wait {err.retry_after:g} s (Retry-After), more than llm.max_retry_wait = "
                    f"{settings.max_retry_wait:g} s",
                    hint="wait for the rate limit to reset, or raise llm.max_retry_wait",
                ) from None
            what = f"HTTP {status}" if status is not None else "no answer"
            record["outcome"] = f"{what}, retrying" if session.tries <= settings.max_retries else f"{what}, no retries left"
            # the same kind of error, said without the key, for the runtime to retry (and to journal)
            if isinstance(err, RateLimited):
                raise RateLimited(settings.provider, said or "", retry_after=err.retry_after, raw=raw) from None
            raise ProviderTransient(settings.provider, said or "", raw=raw) from None
        text = session.scrub(response.text) or ""
        record.update(http_status=response.status_code, raw=text)
        return TextResult(content=text, usage=_token_usage(text))


def _token_usage(reply: str) -> Usage | None:
    """What the ledger books: the reply's total tokens, when it says."""
    try:
        usage = json.loads(reply).get("usage")
        return Usage(quantity=float(usage["total_tokens"]), unit="tokens", raw=usage)
    except (ValueError, AttributeError, KeyError, TypeError):
        return None


class _Session:
    """One breakdown in progress: the endpoint, the call count, the transcript and the names met."""

    def __init__(self, text: str, *, source: str, language: str, settings: LlmSettings, client: Any,
                 runtime: Callable[[_Session], Runtime]) -> None:
        self.text = text
        self.source = source
        self.language = language
        self.settings = settings
        base_url, self.key = self._endpoint(client)
        self.base_url = base_url
        self.provider = f"{settings.provider} ({settings.model} at {base_url})"
        self.lines = _Lines(text)
        self.transcript: list[dict[str, Any]] = []
        self.calls = 0
        self.tries = 0  # tries of the request in flight
        self.context: tuple[Chunk, str] | None = None  # the chunk and purpose of the request in flight
        self.usage: dict[str, int] = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        self.last_error = ""
        self.characters = _Register()
        self.places = _Register()
        self.chapters: list[Chapter] = []
        self.covered = 0  # end offset of the story already broken down, to drop beats seen again in an overlap
        self.system = _system_prompt(settings, language)
        self.chat = _Chat(self, base_url, self.key)
        self.runtime = runtime(self)
        self.keys: list[str] = []  # the request keys this session was answered under, for its charges

    # -- the endpoint --

    def _endpoint(self, client: Any) -> tuple[str, str]:
        """The endpoint's base URL and key: the caller's client's, or the settings' and the key in llm.api_key_env."""
        settings = self.settings
        if client is not None:
            key = getattr(client, "api_key", "")
            return str(getattr(client, "base_url", "") or settings.base_url), key if isinstance(key, str) else ""
        if not settings.api_key_env:
            return settings.base_url, ""
        key = os.environ.get(settings.api_key_env, "")
        if not key:
            raise ProviderUnavailable(
                f"{settings.provider} ({settings.model} at {settings.base_url})",
                f"the environment variable {settings.api_key_env} (llm.api_key_env) holding the API key is not set",
                hint=f"export {settings.api_key_env}=..., or set llm.api_key_env = \"\" for a server that needs no key",
            )
        return settings.base_url, key

    def scrub(self, text: str | None) -> str | None:
        if text and self.key and len(self.key) >= 4:
            return text.replace(self.key, "[api key]")
        return text

    def close(self) -> None:
        # the runtime is the caller's (this session's is a view of it): only the endpoint is this session's
        self.chat.close()

    def give_up(self, chunk: Chunk, message: str, *, hint: str | None = None) -> ProviderError:
        return ProviderError(
            self.provider,
            f"{self.source} {chunk.lines}: {message}; last error: {self.last_error or 'none'}",
            raw=self.scrub(self.last_error),
            hint=hint,
        )

    def _over_cap(self, chunk: Chunk) -> ProviderError:
        return self.give_up(
            chunk,
            f"gave up after {self.calls} calls (llm.max_calls)",
            hint="raise llm.max_calls, or use a model that follows the json instructions (llm.json_schema)",
        )

    def begin(self, body: dict[str, Any]) -> dict[str, Any]:
        """A try of the request in flight is about to be sent: count it against llm.max_calls and record it."""
        assert self.context is not None
        chunk, purpose = self.context
        if self.calls >= self.settings.max_calls:
            raise _OverCap(self.settings.provider)  # the session says it, with the chunk
        self.calls += 1
        self.tries += 1
        record: dict[str, Any] = {
            "call": self.calls,
            "chunk": {"lines": [chunk.line, chunk.end_line], "start": chunk.start, "end": chunk.end},
            "purpose": purpose,
            "request": json.loads(json.dumps(body)),
        }
        self.transcript.append(record)
        return record

    def wait(self, seconds: float) -> None:
        """The runtime's sleep: a wait before a retry is written on the try it follows."""
        last = self.transcript[-1] if self.transcript else None
        if last is not None and "waited" not in last and last.get("http_status") != 200:
            last["waited"] = round(seconds, 3)
        time.sleep(seconds)

    def exchange(self, messages: list[dict[str, str]], chunk: Chunk, purpose: str) -> _Answer:
        """Ask once through the provider runtime, which retries 429s, 5xx and lost connections within
        llm.max_retries; every try is recorded, and counted against llm.max_calls."""
        settings = self.settings
        if self.calls >= settings.max_calls:
            raise self._over_cap(chunk)
        request = TextRequest(messages=messages, json_schema=strict_schema() if settings.json_schema else None,
                              temperature=settings.temperature, max_tokens=settings.max_tokens)
        # the key holds all the endpoint is sent (json mode, thinking) and where: another endpoint is another answer
        key = request_key(settings.provider, settings.model, {"url": self.base_url, "body": self.chat.body(request)})
        self.context, self.tries = (chunk, purpose), 0
        try:
            delivery = self.runtime.text(settings.provider, settings.model, self.chat, request,
                                         step="breakdown.llm", entity=f"{self.source} {chunk.lines}", key=key)
        except _OverCap:
            raise self._over_cap(chunk) from None
        except _Stop as stop:
            raise self.give_up(chunk, stop.reason, hint=stop.hint) from None
        except _Refused as refused:
            if refused.status is None:
                raise self.give_up(chunk, f"the endpoint's answer cannot be used: {self.last_error}") from None
            hint = _HINTS.get(refused.status)
            raise self.give_up(chunk, f"the endpoint answered HTTP {refused.status}",
                               hint=hint.format(env=settings.api_key_env, model=settings.model) if hint else None) from None
        except ProviderTransient:
            # the runtime's retries are spent
            status = self.transcript[-1].get("http_status") if self.transcript else None
            if status is not None:
                raise self.give_up(chunk, f"HTTP {status} after {settings.max_retries} retries (llm.max_retries)") from None
            raise self.give_up(
                chunk, f"no answer from {self.base_url} after {settings.max_retries} retries",
                hint="is the server running, and is llm.timeout long enough?",
            ) from None
        self.keys.append(delivery.cache_key)
        if delivery.cached:
            # asked and answered before, in this state database: the saved reply, with no call made
            record = {"call": None, "cached": True, "purpose": purpose, "http_status": 200, "raw": delivery.text,
                      "chunk": {"lines": [chunk.line, chunk.end_line], "start": chunk.start, "end": chunk.end},
                      "request": json.loads(json.dumps(self.chat.body(request)))}
            self.transcript.append(record)
        else:
            record = self.transcript[-1]
        return self._answer(delivery.text or "", record, fresh=not delivery.cached)

    def _answer(self, text: str, record: dict[str, Any], *, fresh: bool) -> _Answer:
        try:
            completion = json.loads(text)
            choice = completion["choices"][0]
            message = choice["message"]
            if not isinstance(message, dict):
                raise TypeError(f"choices[0].message is a {type(message).__name__}")
        except Exception as err:  # noqa: BLE001 - any unreadable body is a failed attempt, told as such
            record["outcome"] = f"unreadable response: {err!r}"
            return _Answer(None, None, None, record, unreadable=record["outcome"])
        usage = completion.get("usage")
        if isinstance(usage, dict):
            counts = {k: int(usage.get(k) or 0) for k in ("prompt_tokens", "completion_tokens", "total_tokens")}
            record["usage"] = counts
            if fresh:
                for k, v in counts.items():
                    self.usage[k] += v
        content = message.get("content")
        refusal = message.get("refusal")
        content = content if isinstance(content, str) else None
        refusal = refusal if isinstance(refusal, str) else None
        finish_reason = choice.get("finish_reason") if isinstance(choice, dict) else None
        record.update(content=content, finish_reason=finish_reason, refusal=refusal)
        return _Answer(content, finish_reason, refusal, record)

    # -- validating a reply --

    def accept(self, answer: _Answer, chunk: Chunk) -> _Located:
        """The reply as scenes with located beats, or _BadReply saying what is wrong with it."""
        if answer.unreadable:
            raise _BadReply(f"the response could not be read ({answer.unreadable})")
        if answer.refusal:
            raise _BadReply(f"the model refused: {answer.refusal.strip()[:300]}")
        if answer.finish_reason == "length":
            raise _BadReply("the reply was cut off at the token limit (finish_reason \"length\") before the json ended")
        if answer.finish_reason == "content_filter":
            raise _BadReply("the reply was stopped by the endpoint's content filter")
        content = (answer.content or "").strip()
        if not content:
            raise _BadReply("the reply was empty")
        fenced = _FENCE.match(content)
        if fenced:
            content = fenced.group(1).strip()
        try:
            data = json.loads(content)
        except json.JSONDecodeError as err:
            if not content.startswith(("{", "[")) and _REFUSAL.match(content):
                raise _BadReply(f"the model refused: {content[:300]}") from None
            raise _BadReply(f"the reply is not valid json: {err.msg} at line {err.lineno} column {err.colno}") from None
        if not isinstance(data, dict):
            raise _BadReply(f"the reply is a json {type(data).__name__}, not one json object")
        try:
            reply = ChunkReply.model_validate(data)
        except ValidationError as err:
            raise _BadReply(_schema_problems(err)) from None
        return self._locate(reply, chunk)

    def _locate(self, reply: ChunkReply, chunk: Chunk) -> _Located:
        locator = _Locator(self.text, chunk)
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        problems: list[str] = []
        for s, scene in enumerate(reply.scenes):
            for b, beat in enumerate(scene.beats):
                where = f"scenes.{s}.beats.{b}"
                if beat.kind == "dialogue" and not (beat.speaker or "").strip():
                    problems.append(f"{where}: a dialogue beat needs its speaker")
                    continue
                found = locator.find(beat.quote)
                if found is None and beat.kind == "dialogue":
                    found = locator.find(beat.text)
                if found is None:
                    problems.append(f"{where}: the quote {beat.quote[:80]!r} is not in the text; copy it exactly")
                    continue
                spans[(s, b)] = found
        if problems:
            shown = problems[:MAX_REPORTED_PROBLEMS]
            more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
            raise _BadReply("; ".join(shown) + more)
        if not spans and self.text[chunk.start : chunk.end].strip():
            raise _BadReply("it has no beats, but the text is not empty")
        return _Located(reply, spans)

    # -- one chunk: ask, repair once, or report failure --

    def break_chunk(self, chunk: Chunk, overlaps: bool) -> _Located | None:
        last = self.chapters[-1].scenes[-1] if self.chapters and self.chapters[-1].scenes else None
        messages = [
            {"role": "system", "content": self.system},
            {"role": "user", "content": _user_prompt(self.text, chunk, self.source, self.characters, self.places, last, overlaps)},
        ]
        answer = self.exchange(messages, chunk, "breakdown")
        try:
            located = self.accept(answer, chunk)
            answer.record["outcome"] = "accepted"
            return located
        except _BadReply as bad:
            answer.record["outcome"] = f"rejected: {bad}"
            self.last_error = str(bad)
        repair = messages + [
            {"role": "assistant", "content": answer.content or answer.refusal or ""},
            {
                "role": "user",
                "content": f"Your reply could not be used: {self.last_error}. "
                "Reply again for the same text with the whole corrected json object only.",
            },
        ]
        answer = self.exchange(repair, chunk, "repair")
        try:
            located = self.accept(answer, chunk)
            answer.record["outcome"] = "accepted"
            return located
        except _BadReply as bad:
            answer.record["outcome"] = f"rejected: {bad}"
            self.last_error = str(bad)
        return None

    # -- assembling Chapters --

    def _span(self, start: int, end: int) -> SourceSpan:
        return SourceSpan(file=self.source, line=self.lines.of(start), end_line=self.lines.of(end - 1), start=start, end=end)

    def _beat(self, beat: BeatReply, start: int, end: int) -> Beat:
        span = self._span(start, end)
        if beat.kind == "action":
            return Beat(action=" ".join(beat.text.split()), source=span)
        speaker = self.characters.resolve(beat.speaker or "")
        line = DialogueLine(
            id="l000",  # the planner numbers lines per scene
            speaker=speaker,
            character=character_id(speaker),
            text=" ".join(beat.text.split()),
            parenthetical=(beat.parenthetical or "").strip(" ()（）") or None,
            language=self.language,
            source=span,
        )
        return Beat(line=line, source=span)

    def add(self, located: _Located) -> None:
        """Fold a chunk's scenes into the Chapters, dropping beats an earlier chunk already gave."""
        reply = located.reply
        for name in reply.characters:
            self.characters.learn(name.name, name.aliases)
        for place in reply.places:
            self.places.learn(place.name, place.aliases)
        covered = self.covered
        first = True
        for s, scene in enumerate(reply.scenes):
            kept = [
                (beat, located.spans[(s, b)])
                for b, beat in enumerate(scene.beats)
                # a beat mostly inside what earlier chunks covered is the overlap seen twice
                if sum(located.spans[(s, b)]) / 2 >= covered
            ]
            if not kept:
                continue
            self._open_scene(scene, continuing=first)
            first = False
            target = self.chapters[-1].scenes[-1]
            for beat, (start, end) in kept:
                target.beats.append(self._beat(beat, start, end))
                self.covered = max(self.covered, end)

    def _open_scene(self, scene: SceneReply, *, continuing: bool) -> None:
        title = (scene.chapter or "").strip()
        current = self.chapters[-1] if self.chapters else None
        new_chapter = bool(title) and (current is None or _name_key(current.title) != _name_key(title))
        if new_chapter:
            self.chapters.append(Chapter(title=title))
        elif current is None:
            # the text before any heading is a chapter the text does not name, as on the rules path
            self.chapters.append(Chapter(title=""))
        chapter = self.chapters[-1]
        place = self.places.resolve(scene.place)
        time_of_day = (scene.time_of_day or "DAY").strip().upper() or "DAY"
        last = chapter.scenes[-1] if chapter.scenes else None
        # a scene running across a chunk boundary comes back as the first scene of the next chunk
        if continuing and last is not None and last.place == place and last.time_of_day == time_of_day:
            return
        chapter.scenes.append(StoryScene(place=place, interior=scene.interior, time_of_day=time_of_day))

    def finish(self) -> list[Chapter]:
        for chapter in self.chapters:
            for scene in chapter.scenes:
                spans = [beat.source for beat in scene.beats if beat.source]
                if spans:
                    scene.source = self._span(min(s.start for s in spans), max(s.end for s in spans))  # type: ignore[type-var]
            spans = [scene.source for scene in chapter.scenes if scene.source]
            if spans:
                chapter.source = self._span(min(s.start for s in spans), max(s.end for s in spans))  # type: ignore[type-var]
        return self.chapters


def breakdown_with_llm(
    text: str, *, source: str, language: str, settings: LlmSettings, runtime: Runtime, client: Any = None
) -> LlmBreakdown:
    """Break a story down into Chapters with a language model; errors name the provider and the lines.

    Every request goes through ``runtime`` (the provider runtime: its journal, ledger, limits, budget and
    cache), tried at most ``settings.max_retries`` more times and counted against ``settings.max_calls``.
    ``client`` is an ``openai.OpenAI`` whose base URL and key replace the settings' (the runtime makes
    the calls, not the client). Source spans give 1-based lines and 0-based character offsets [start, end)
    into ``text``.
    """

    def bounded(session: _Session) -> Runtime:
        own = runtime.providers.get(settings.provider) or ProviderSettings()
        return runtime.for_requests(
            retry=RetryPolicy(attempts=settings.max_retries + 1, base_delay=settings.backoff,
                              max_retry_after=settings.max_retry_wait),
            sleep=session.wait,
            providers={**runtime.providers, settings.provider: own.model_copy(update={"timeout": settings.timeout})},
        )

    session = _Session(text, source=source, language=language, settings=settings, client=client, runtime=bounded)
    try:
        queue = deque(chunk_text(text, max_chars=settings.max_chunk_chars, overlap_chars=settings.overlap_chars))
        while queue:
            chunk = queue.popleft()
            located = session.break_chunk(chunk, overlaps=chunk.start < session.covered)
            if located is not None:
                session.add(located)
                continue
            halves = _halves(text, chunk)
            if halves is None:
                raise session.give_up(
                    chunk,
                    "no usable breakdown, even after a repair request, and the text cannot be split smaller",
                    hint="try another model, or one with structured outputs (llm.json_schema = true)",
                )
            queue.extendleft(reversed(halves))
        asked = set(session.keys)
        charges = [entry.charge for entry in runtime.ledger.entries(provider=settings.provider)
                   if entry.charge.cache_key in asked]
    finally:
        session.close()
    return LlmBreakdown(chapters=session.finish(), transcript=session.transcript, calls=session.calls,
                        usage=session.usage, charges=charges)
