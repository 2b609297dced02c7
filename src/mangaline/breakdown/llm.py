"""The LLM breakdown: prose in, Chapters out, through any OpenAI-compatible chat-completions endpoint.

The story is cut into chunks at paragraph boundaries, with some overlap so no scene is
cut blind. Each chunk goes to the model with the characters and places met so far, so
one person keeps one name from the first chunk to the last. Every reply is validated
(JSON, the ChunkReply schema, and each beat's quote found in the text, which gives the
beat its source span). A bad reply gets one repair request, then the chunk is halved
and tried again; a hard cap on calls stops it all with a ProviderError that says where.

Everything sent and received is kept in the transcript, which the caller stores with
the take: the model's word is provenance too.
"""

from __future__ import annotations

import bisect
import json
import os
import random
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..config import LlmSettings
from ..errors import ProviderError, ProviderUnavailable, invalid_values
from ..model import DialogueLine, SourceSpan
from ..providers.exchange import retry_after
from .llm_schema import BeatReply, ChunkReply, SceneReply, strict_schema
from .planner import Beat
from .screenplay import character_id
from .story import Chapter, StoryScene

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


class _Session:
    """One breakdown in progress: the client, the call count, the transcript and the names met."""

    def __init__(self, text: str, *, source: str, language: str, settings: LlmSettings, client: Any) -> None:
        self.text = text
        self.source = source
        self.language = language
        self.settings = settings
        self.provider = f"{settings.provider} ({settings.model} at {settings.base_url})"
        self.key = ""
        self.client = self._client(client)
        self.lines = _Lines(text)
        self.transcript: list[dict[str, Any]] = []
        self.calls = 0
        self.usage: dict[str, int] = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        self.last_error = ""
        self.characters = _Register()
        self.places = _Register()
        self.chapters: list[Chapter] = []
        self.covered = 0  # end offset of the story already broken down, to drop beats seen again in an overlap
        self.system = _system_prompt(settings, language)

    # -- the endpoint --

    def _client(self, client: Any) -> Any:
        settings = self.settings
        if client is None:
            try:
                from openai import OpenAI
            except ImportError:
                raise ProviderUnavailable(
                    self.provider, "the openai package is not installed", hint="pip install openai"
                ) from None
            if settings.api_key_env:
                self.key = os.environ.get(settings.api_key_env, "")
                if not self.key:
                    raise ProviderUnavailable(
                        self.provider,
                        f"the environment variable {settings.api_key_env} (llm.api_key_env) holding the API key is not set",
                        hint=f"export {settings.api_key_env}=..., or set llm.api_key_env = \"\" for a server that needs no key",
                    )
            # a server that needs no key still gets a placeholder: the client refuses to start without one
            client = OpenAI(base_url=settings.base_url, api_key=self.key or "none", max_retries=0, timeout=settings.timeout)
        else:
            key = getattr(client, "api_key", "")
            self.key = key if isinstance(key, str) else ""
            # retries are ours, so each one is counted, bounded and written down
            client = client.with_options(max_retries=0, timeout=settings.timeout)
        return client

    def _scrub(self, text: str | None) -> str | None:
        if text and self.key and len(self.key) >= 4:
            return text.replace(self.key, "[api key]")
        return text

    def _request(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        settings = self.settings
        request: dict[str, Any] = {"model": settings.model, "messages": messages}
        if settings.json_schema:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "story_chunk", "strict": True, "schema": strict_schema()},
            }
        elif settings.json_object:
            request["response_format"] = {"type": "json_object"}
        if settings.temperature is not None:
            request["temperature"] = settings.temperature
        if settings.max_tokens is not None:
            request["max_tokens"] = settings.max_tokens
        if settings.thinking is not None:
            request["extra_body"] = {"thinking": {"type": settings.thinking}}
        return request

    def give_up(self, chunk: Chunk, message: str, *, hint: str | None = None) -> ProviderError:
        return ProviderError(
            self.provider,
            f"{self.source} {chunk.lines}: {message}; last error: {self.last_error or 'none'}",
            raw=self._scrub(self.last_error),
            hint=hint,
        )

    def exchange(self, messages: list[dict[str, str]], chunk: Chunk, purpose: str) -> _Answer:
        """Send one request, retrying 429s, 5xx and lost connections within bounds; every try is recorded."""
        import openai

        settings = self.settings
        request = self._request(messages)
        for attempt in range(settings.max_retries + 1):
            if self.calls >= settings.max_calls:
                raise self.give_up(
                    chunk,
                    f"gave up after {self.calls} calls (llm.max_calls)",
                    hint="raise llm.max_calls, or use a model that follows the json instructions (llm.json_schema)",
                )
            self.calls += 1
            record: dict[str, Any] = {
                "call": self.calls,
                "chunk": {"lines": [chunk.line, chunk.end_line], "start": chunk.start, "end": chunk.end},
                "purpose": purpose,
                "request": json.loads(json.dumps(request)),
            }
            self.transcript.append(record)
            try:
                raw = self.client.chat.completions.with_raw_response.create(**request)
            except openai.APIStatusError as err:
                status = err.status_code
                body = self._scrub(err.response.text) or ""
                record.update(http_status=status, raw=body)
                self.last_error = f"HTTP {status}: {body[:500]}"
                if status == 429 or status >= 500 or status == 408:
                    wait = retry_after(err.response.headers) if status in (429, 503) else None
                    if wait is not None and wait > settings.max_retry_wait:
                        record["outcome"] = f"HTTP {status}, asks to wait {wait:g} s"
                        raise self.give_up(
                            chunk,
                            f"the endpoint asks to wait {wait:g} s (Retry-After), more than llm.max_retry_wait = {settings.max_retry_wait:g} s",
                            hint="wait for the rate limit to reset, or raise llm.max_retry_wait",
                        ) from None
                    if wait is None:
                        wait = settings.backoff * 2**attempt
                        wait += random.uniform(0, wait / 4)  # jitter, so parallel runs do not retry in step
                    if attempt < settings.max_retries:
                        record.update(outcome=f"HTTP {status}, retrying", waited=round(wait, 3))
                        time.sleep(wait)
                        continue
                    record["outcome"] = f"HTTP {status}, no retries left"
                    raise self.give_up(
                        chunk, f"HTTP {status} after {settings.max_retries} retries (llm.max_retries)"
                    ) from None
                record["outcome"] = f"HTTP {status}"
                hint = {
                    401: f"check the key in ${settings.api_key_env}",
                    403: f"check the key in ${settings.api_key_env} and its access to {settings.model}",
                    404: "check llm.base_url (it usually ends in /v1) and llm.model",
                    400: "if the endpoint lacks structured outputs or JSON mode, set llm.json_schema / llm.json_object to false",
                }.get(status)
                raise self.give_up(chunk, f"the endpoint answered HTTP {status}", hint=hint) from None
            except openai.APIConnectionError as err:
                self.last_error = self._scrub(f"{type(err).__name__}: {err}") or ""
                record.update(http_status=None, raw=None)
                if attempt < settings.max_retries:
                    wait = settings.backoff * 2**attempt
                    wait += random.uniform(0, wait / 4)
                    record.update(outcome=f"{type(err).__name__}, retrying", waited=round(wait, 3))
                    time.sleep(wait)
                    continue
                record["outcome"] = f"{type(err).__name__}, no retries left"
                raise self.give_up(
                    chunk,
                    f"no answer from {settings.base_url} after {settings.max_retries} retries",
                    hint="is the server running, and is llm.timeout long enough?",
                ) from None
            body = self._scrub(raw.text) or ""
            record.update(http_status=raw.status_code, raw=body)
            return self._answer(raw, record)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _answer(self, raw: Any, record: dict[str, Any]) -> _Answer:
        try:
            completion = raw.parse()
            choice = completion.choices[0]
        except Exception as err:  # noqa: BLE001 - any unreadable body is a failed attempt, told as such
            record["outcome"] = f"unreadable response: {err}"
            return _Answer(None, None, None, record)
        message = choice.message
        usage = completion.usage
        if usage is not None:
            counts = {k: int(getattr(usage, k, 0) or 0) for k in ("prompt_tokens", "completion_tokens", "total_tokens")}
            record["usage"] = counts
            for k, v in counts.items():
                self.usage[k] += v
        content = self._scrub(message.content)
        refusal = self._scrub(getattr(message, "refusal", None))
        record.update(content=content, finish_reason=choice.finish_reason, refusal=refusal)
        return _Answer(content, choice.finish_reason, refusal, record)

    # -- validating a reply --

    def accept(self, answer: _Answer, chunk: Chunk) -> _Located:
        """The reply as scenes with located beats, or _BadReply saying what is wrong with it."""
        if "outcome" in answer.record:
            raise _BadReply(f"the response could not be read ({answer.record['outcome']})")
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
    text: str, *, source: str, language: str, settings: LlmSettings, client: Any = None
) -> LlmBreakdown:
    """Break a story down into Chapters with a language model; errors name the provider and the lines.

    ``client`` is an ``openai.OpenAI`` to use instead of one built from ``settings`` (its own
    retries are turned off: ours are counted against ``settings.max_calls``). Source spans
    give 1-based lines and 0-based character offsets [start, end) into ``text``.
    """
    session = _Session(text, source=source, language=language, settings=settings, client=client)
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
    return LlmBreakdown(chapters=session.finish(), transcript=session.transcript, calls=session.calls, usage=session.usage)
