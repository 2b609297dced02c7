"""The provider runtime, written once around every provider: retries, limits, timeouts, the remote-job loop, cost and cache.

    Runtime.video(...)   journal the intent (committed) -> submit -> journal the job id -> poll with
                         backoff until terminal or a deadline -> download every result at once (a 403
                         re-polls for a fresh URL) -> mark done and book the charge in one transaction
    Runtime.image/speech/sound/text(...)   journal the intent -> one synchronous call with the same retries and
                         limits -> save the answer, mark done and book the charge in one transaction

A request's cache key is the sha256 of the provider, the model and the request (file inputs by
content). A key with a finished job returns its saved files without calling anyone; a key with
an unfinished job (the process died while waiting) resumes polling that job, never submits again.

A submit whose reply may be lost (a timeout, a dropped connection, a 5xx) can have created a task
all the same. Before it is retried, and when a process finds an intent it never recorded an id
for, an adapter that implements TaskLookup is asked for that task first: a request makes at
most one task, and every task it makes is journaled. Only a 429 or a refusal proves none exists.

A synchronous API (Seedream, gpt-image, most speech) has no task to look up: a process stopped in
the middle of such a call leaves its intent behind, and the next run books that call at the
catalogue's price, marked "interrupted", before asking again: it may have been billed, and the
ledger must not hide it.

Limits: one semaphore per provider (and per model, where the catalogue's model limit is lower) and
one token bucket per provider. On the local executor io steps run in threads of one process, so
the process's gates cover every call a build makes; on a Ray cluster the build lends its steps
the project's cluster gates (providers/cluster.py), which every worker asks, and the budget's
hold on money in flight is kept there too.
"""

from __future__ import annotations

import concurrent.futures
import copy
import dataclasses
import hashlib
import json
import random
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx

from ..atomic import atomic_path, write_text_atomic
from ..config import ProviderSettings
from ..errors import (
    BudgetExceeded,
    ConfigError,
    ModerationRejected,
    ProviderError,
    ProviderResponseError,
    ProviderTransient,
    RateLimited,
    ResultExpired,
)
from ..project.state import StateDB
from .catalogue import Catalogue, ModelEntry, load_catalogue
from .download import ACCEPTED_TYPES, DEFAULT_MAX_BYTES, fetch_result
from .journal import Journal, RemoteJob
from .ledger import Charge, Ledger
from .protocols import (
    ImageModel,
    ImageRequest,
    JobState,
    JobStatus,
    SoundModel,
    SoundRequest,
    SpeechModel,
    SpeechRequest,
    TaskLookup,
    TextModel,
    TextRequest,
    Usage,
    VideoModel,
    VideoRequest,
)

__all__ = ["Delivery", "Gate", "Gates", "PollPolicy", "RetryPolicy", "Runtime", "request_key"]

T = TypeVar("T")

_USAGE_UNIT = {
    "1m_tokens": "tokens",
    "second": "seconds",
    "image": "images",
    "megapixel": "megapixels",
    "1k_characters": "characters",
    "credit": "credits",
}


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries of one call: exponential backoff with jitter; a 429's Retry-After is honoured up to a cap."""

    attempts: int = 5
    base_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 60.0
    jitter: float = 0.25
    max_retry_after: float = 120.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        raw = min(self.max_delay, self.base_delay * self.factor ** (attempt - 1))
        return raw * (1.0 + self.jitter * (2.0 * rng.random() - 1.0))


@dataclass(frozen=True)
class PollPolicy:
    """How a remote job is awaited.

    Each wait grows by ``factor`` but never past ``share_of_elapsed`` of the time the job has
    already taken: a job is then noticed at most that share late, which keeps a provider's
    concurrency slots busy instead of idle between a job's end and our next poll.
    """

    first: float = 2.0
    factor: float = 1.5
    max_interval: float = 30.0
    share_of_elapsed: float = 0.05
    deadline: float = 3600.0
    max_refetches: int = 3

    def next_wait(self, previous: float, elapsed: float) -> float:
        grown = min(self.max_interval, previous * self.factor)
        return max(self.first, min(grown, self.share_of_elapsed * elapsed)) if elapsed else self.first


class Gate:
    """One provider's limits: a semaphore on jobs in flight and a token bucket on requests per minute."""

    def __init__(self, concurrency: int, requests_per_minute: int | None = None) -> None:
        self.concurrency = concurrency
        self.requests_per_minute = requests_per_minute
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._in_flight = 0
        # a bucket of ten seconds' worth of requests: a short burst is allowed, a minute's worth is not
        self._capacity = max(1.0, (requests_per_minute or 0) / 6.0)
        self._tokens = self._capacity
        self._stamp = time.monotonic()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @contextmanager
    def slot(self) -> Iterator[None]:
        self._slots.acquire()
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
            self._slots.release()

    def request(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Take one request token, waiting for the bucket to refill when it is empty."""
        if not self.requests_per_minute:
            return
        rate = self.requests_per_minute / 60.0
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * rate)
                self._stamp = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                wait = (1.0 - self._tokens) / rate
            sleep(wait)


class Gates:
    """The gates of one process, created on first use from settings or the catalogue."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gates: dict[str, Gate] = {}

    def get(self, name: str, concurrency: int, requests_per_minute: int | None) -> Gate:
        with self._lock:
            gate = self._gates.get(name)
            if gate is None:
                gate = self._gates[name] = Gate(concurrency, requests_per_minute)
            return gate


_PROCESS_GATES = Gates()


class BudgetHold:
    """Money priced but not yet booked by the jobs in flight of one runtime, behind a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reserved = 0.0

    def lock(self) -> threading.Lock:
        return self._lock

    def add(self, amount: float) -> None:
        self.reserved += amount


class KeyLocks:
    """One lock per request key in flight in this process: a synchronous call is made by one thread at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def held(self, key: str) -> Iterator[None]:
        with self._lock:
            lock, users = self._held.get(key, (threading.Lock(), 0))
            self._held[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._held[key]
                if users == 1:
                    del self._held[key]
                else:
                    self._held[key] = (lock, users - 1)


_KEYS = KeyLocks()


@dataclass(frozen=True)
class Delivery:
    """What the runtime hands back: saved files (or text), the job, and what it cost."""

    provider: str
    model: str
    files: dict[str, Path]
    cost: float
    currency: str
    job_id: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    cached: bool = False
    text: str | None = None
    cache_key: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def _fingerprint(value: Any) -> Any:
    if isinstance(value, Path):
        try:
            return {"sha256": hashlib.sha256(value.read_bytes()).hexdigest()}
        except OSError:
            return {"path": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _fingerprint(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_fingerprint(v) for v in value]
    return value


def request_key(provider: str, model: str, request: Any) -> str:
    """sha256 of the provider, the model and the request; file inputs count by content, not by path."""
    blob = json.dumps(
        {"provider": provider, "model": model, "kind": type(request).__name__, "request": _fingerprint(request)},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


class Runtime:
    """Runs provider calls for one project: its journal and ledger, its results folder, its budget."""

    def __init__(
        self,
        db: StateDB,
        results_dir: Path,
        *,
        catalogue: Catalogue | None = None,
        currency: str = "USD",
        budget: float | None = None,
        providers: dict[str, ProviderSettings] | None = None,
        retry: RetryPolicy = RetryPolicy(),
        poll: PollPolicy = PollPolicy(),
        gates: Gates | None = None,
        max_download_bytes: int = DEFAULT_MAX_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.journal = Journal(db)
        self.ledger = Ledger(db)
        self.results_dir = Path(results_dir)
        self.catalogue = catalogue or load_catalogue()
        self.currency = currency
        self.budget = budget
        self.providers = dict(providers or {})
        self.retry = retry
        self.poll = poll
        self.gates = gates or _PROCESS_GATES
        self.max_download_bytes = max_download_bytes
        self.sleep = sleep
        self.rng = rng or random.Random()
        # priced but not yet booked: jobs in flight in this process, or on every worker where the gates
        # are a cluster's
        hold = getattr(self.gates, "budget_hold", None)
        self._budget: BudgetHold = hold() if hold is not None else BudgetHold()
        self._http = httpx.Client(follow_redirects=True)
        self._calls = concurrent.futures.ThreadPoolExecutor(32, thread_name_prefix="mangaline-call")

    def close(self) -> None:
        self._http.close()
        self._calls.shutdown(wait=False, cancel_futures=True)

    # public: one method per modality ------------------------------------------------------------

    def video(
        self,
        provider: str,
        model: str,
        adapter: VideoModel,
        request: VideoRequest,
        *,
        step: str = "",
        entity: str = "",
        shot_type: str = "any",
        key: str | None = None,
    ) -> Delivery:
        """A clip from a remote job; resumes a journaled job for the same request instead of submitting again."""
        entry = self._entry(model)
        key = key or request_key(provider, model, request)
        done = self.journal.finished(key)
        if done is not None:
            files = self._saved(done)
            if files is not None:
                return Delivery(provider, model, files, 0.0, self.currency, done.job_id, cached=True, cache_key=key)
        with ExitStack() as slot:
            # the slot is given back as soon as the provider says the job is over: downloading and
            # booking need no slot at the provider, and the next job can start meanwhile
            slot.enter_context(self._slots(provider, entry))
            if done is not None:
                # paid for, but the files are gone: ask the same job for a fresh URL, never pay again
                files, _ = self._await(
                    provider, entry, adapter, done, request, step, entity, shot_type, charge=False, release=slot.close
                )
                return Delivery(provider, model, files, 0.0, self.currency, done.job_id, cached=True, cache_key=key)
            job = self.journal.unfinished(key)
            if job is not None and job.job_id is None:
                job = self._resolve(provider, entry, adapter, job, request)
            if job is None:
                slot.enter_context(self._reserve(entry, request, entity))
                job = self._submit(provider, model, entry, adapter, request, key, f"{step}/{entity}")
            files, charge = self._await(
                provider, entry, adapter, job, request, step, entity, shot_type, charge=True, release=slot.close
            )
        return Delivery(
            provider, model, files, charge.cost if charge else 0.0, self.currency, job.job_id,
            usage=charge.usage if charge else {}, cache_key=key,
        )

    def image(
        self, provider: str, model: str, adapter: ImageModel, request: ImageRequest, *,
        step: str = "", entity: str = "", shot_type: str = "any", key: str | None = None,
    ) -> Delivery:
        """One image; a request already paid for returns its saved file."""

        def call(workdir: Path) -> tuple[dict[str, Path], Usage | None, str | None]:
            result = adapter.generate(request, workdir)
            return {"image": Path(result.image)}, result.usage, None

        quote = {"images": 1, "width": request.width, "height": request.height,
                 "input_megapixels": len(request.references) * 1.0}
        return self._sync(provider, model, request, call, quote, step, entity, shot_type, key)

    def speech(
        self, provider: str, model: str, adapter: SpeechModel, request: SpeechRequest, *,
        step: str = "", entity: str = "", shot_type: str = "any", key: str | None = None,
    ) -> Delivery:
        """One spoken line; a request already paid for returns its saved audio."""

        def call(workdir: Path) -> tuple[dict[str, Path], Usage | None, str | None]:
            result = adapter.speak(request, workdir)
            return {"audio": Path(result.audio)}, result.usage, None

        return self._sync(provider, model, request, call, {"characters": len(request.text)}, step, entity, shot_type, key)

    def sound(
        self, provider: str, model: str, adapter: SoundModel, request: SoundRequest, *,
        step: str = "", entity: str = "", shot_type: str = "any", key: str | None = None,
    ) -> Delivery:
        """One music bed or sound effect, priced by the seconds asked for; a request already paid for returns its saved audio."""

        def call(workdir: Path) -> tuple[dict[str, Path], Usage | None, str | None]:
            result = adapter.compose(request, workdir)
            return {"audio": Path(result.audio)}, result.usage, None

        return self._sync(provider, model, request, call, {"seconds": request.duration}, step, entity, shot_type, key)

    def text(
        self, provider: str, model: str, adapter: TextModel, request: TextRequest, *,
        step: str = "", entity: str = "", shot_type: str = "any", key: str | None = None,
    ) -> Delivery:
        """One structured completion; the same request asked twice is answered from the cache."""

        def call(workdir: Path) -> tuple[dict[str, Path], Usage | None, str | None]:
            result = adapter.complete(request)
            return {}, result.usage, result.content

        chars = sum(len(m.get("content", "")) for m in request.messages)
        quote = {"input_tokens": chars // 3 + 1, "output_tokens": request.max_tokens or 1000}
        return self._sync(provider, model, request, call, quote, step, entity, shot_type, key)

    def for_requests(
        self, *, retry: RetryPolicy | None = None, sleep: Callable[[float], None] | None = None,
        providers: dict[str, ProviderSettings] | None = None,
    ) -> Runtime:
        """This runtime with its own retry policy, sleep or provider settings, for a caller whose requests
        have bounds of their own (the LLM breakdown: llm.max_retries, llm.timeout, its transcript's waits).

        Everything else is shared: journal, ledger, results, budget hold, limits and call threads. Close
        the original, never the copy.
        """
        twin = copy.copy(self)
        twin.retry = retry if retry is not None else self.retry
        twin.sleep = sleep if sleep is not None else self.sleep
        twin.providers = dict(providers) if providers is not None else self.providers
        return twin

    # the remote-job loop ------------------------------------------------------------------------

    def _submit(
        self, provider: str, model: str, entry: ModelEntry, adapter: VideoModel, request: VideoRequest,
        key: str, node: str,
    ) -> RemoteJob:
        """Submit once: the intent is journaled first, and a retry looks the task up before asking again."""
        intent = self.journal.intent(provider=provider, model=model, cache_key=key, node=node)

        def submit() -> str:
            try:
                return adapter.submit(request)
            except (ProviderTransient, ProviderResponseError):
                raise  # the task may exist: the intent stays, for a lookup or the next run
            except ProviderError as err:
                # refused outright (a 4xx, a key, the content): no task exists, nothing to resume
                self.journal.failed(intent, f"refused at submit: {err}")
                raise

        since = intent.submitted_at.timestamp()
        recover = partial(self._find, provider, adapter, request, since) if isinstance(adapter, TaskLookup) else None
        job_id = self._call(provider, entry, submit, "submit", recover=recover)
        if not isinstance(job_id, str) or not job_id:
            self.journal.failed(intent, f"submit returned no job id ({job_id!r})")
            raise ProviderError(provider, f"submit returned no job id ({job_id!r})")
        # committed before the first wait: from here on a crash resumes this job
        return self.journal.accepted(intent, job_id)

    def _resolve(
        self, provider: str, entry: ModelEntry, adapter: VideoModel, intent: RemoteJob, request: VideoRequest
    ) -> RemoteJob | None:
        """An intent a stopped process never recorded an id for: the task it made, or None to submit again."""
        if not isinstance(adapter, TaskLookup):
            self.journal.failed(
                intent,
                f"the process stopped between submitting and recording the job id, and {provider} cannot look "
                f"tasks up: a task may have been created at {provider} and never recorded (a possible orphan, "
                f"billed there; look for it in {provider}'s console from {intent.submitted_at.isoformat()}); "
                "submitting the request again",
            )
            return None
        found = self._call(
            provider, entry, partial(self._find, provider, adapter, request, intent.submitted_at.timestamp()), "find"
        )
        if found is not None:
            return self.journal.accepted(intent, found)
        self.journal.failed(
            intent, f"{provider} has no task for this intent (the submit never reached it); submitting again"
        )
        return None

    def _find(self, provider: str, adapter: TaskLookup, request: VideoRequest, since: float) -> str | None:
        # the ids are read at each lookup: a job journaled meanwhile by another thread is not ours
        return adapter.find(request, since, self.journal.job_ids(provider))

    def _await(
        self, provider: str, entry: ModelEntry, adapter: VideoModel, job: RemoteJob, request: VideoRequest,
        step: str, entity: str, shot_type: str, *, charge: bool, release: Callable[[], None] = lambda: None,
    ) -> tuple[dict[str, Path], Charge | None]:
        start = time.monotonic()
        wait = 0.0
        refetches = 0
        job_id = job.job_id or ""
        while True:
            status: JobStatus = self._call(provider, entry, lambda: adapter.poll(job_id), "poll")
            if status.state in (JobState.QUEUED, JobState.RUNNING):
                self.journal.polled(job, status.state.value)
                elapsed = time.monotonic() - start
                if elapsed > self.poll.deadline:
                    # the job stays journaled as unfinished: the next run resumes it instead of paying again
                    raise ProviderTransient(
                        provider,
                        f"job {job_id} for {entity or job.node} is still {status.state.value} after {elapsed:.0f} s",
                        hint="run the build again later; it resumes polling the same job",
                    )
                wait = self.poll.next_wait(wait, elapsed)
                self.sleep(wait)
                continue
            release()
            if status.state == JobState.FAILED:
                message = status.error or "no reason given"
                self.journal.failed(job, message)
                self.ledger.record_outcome(entry.id, shot_type, False, entity=entity, kind="error")
                if status.moderated:
                    raise ModerationRejected(
                        provider, f"job {job_id} for {entity or job.node} was refused: {message}", raw=json.dumps(status.raw),
                        hint="edit the shot's prompt or keyframe; the same input will be refused again",
                    )
                raise ProviderError(provider, f"job {job_id} for {entity or job.node} failed: {message}", raw=json.dumps(status.raw))
            if not status.results:
                raise ProviderError(provider, f"job {job_id} succeeded without a result URL", raw=json.dumps(status.raw))
            try:
                files = self._download(provider, entry, job.cache_key, status.results)
            except ResultExpired:
                refetches += 1
                if refetches > self.poll.max_refetches:
                    self.journal.failed(job, "result URL expired on every re-poll")
                    raise ResultExpired(
                        provider, f"job {job_id}: the result URL expired {refetches} times; the job's results are lost"
                    ) from None
                continue  # a fresh poll hands out a freshly signed URL
            stored = {name: str(path.relative_to(self.results_dir)) for name, path in files.items()}
            if not charge:
                self.journal.saved_again(job, stored)
                return files, None
            booked = self._charge(provider, entry, status.usage, request, step, entity, job.cache_key, job_id)
            self.journal.complete(job, stored, booked)
            return files, booked

    def _download(self, provider: str, entry: ModelEntry, key: str, urls: dict[str, str]) -> dict[str, Path]:
        folder = self.results_dir / key[:2] / key
        files: dict[str, Path] = {}
        for name, url in sorted(urls.items()):
            got = self._call(
                provider, entry,
                lambda url=url, name=name: fetch_result(
                    url, folder / name, provider=provider, accept=ACCEPTED_TYPES,
                    max_bytes=self.max_download_bytes, client=self._http,
                    timeout=self._settings(provider).timeout,
                ),
                "download", count_request=False,
            )
            files[name] = got.path
        return files

    # synchronous calls --------------------------------------------------------------------------

    def _sync(
        self, provider: str, model: str, request: Any,
        call: Callable[[Path], tuple[dict[str, Path], Usage | None, str | None]],
        quote: dict[str, Any], step: str, entity: str, shot_type: str, key: str | None,
    ) -> Delivery:
        entry = self._entry(model)
        key = key or request_key(provider, model, request)
        with _KEYS.held(key):
            # a request paid for is answered from its saved files; the same request asked twice at once
            # (one line said twice) waits for the first call, then reads its answer
            done = self.journal.finished(key)
            if done is not None and (files := self._saved(done)) is not None:
                text = files.pop("text").read_text(encoding="utf-8") if "text" in files else None
                return Delivery(provider, model, files, 0.0, self.currency, cached=True, text=text, cache_key=key)
            cut = self.journal.unfinished(key)
            if cut is not None:
                # no call of this process holds the key: a stopped process was in the middle of this call
                self.journal.interrupted(cut, self._interrupted_charge(provider, entry, request, step, entity, key, quote))
            folder = self.results_dir / key[:2] / key
            folder.mkdir(parents=True, exist_ok=True)
            with ExitStack() as held:
                held.enter_context(self._reserve(entry, request, entity, quote))
                intent = self.journal.intent(provider=provider, model=model, cache_key=key, node=f"{step}/{entity}")
                try:
                    with self._slots(provider, entry):
                        files, usage, text = self._call(provider, entry, lambda: call(folder), "call")
                except Exception as err:
                    self.journal.failed(intent, f"the call failed: {str(err).splitlines()[0] if str(err) else type(err).__name__}")
                    raise
                kept, text = self._keep(folder, files, text)
                booked = self._charge(provider, entry, usage, request, step, entity, key, None, quote)
                self.journal.complete(intent, {n: str(p.relative_to(self.results_dir)) for n, p in kept.items()}, booked)
        kept.pop("text", None)
        return Delivery(provider, model, kept, booked.cost, self.currency, usage=booked.usage, text=text, cache_key=key)

    def _interrupted_charge(
        self, provider: str, entry: ModelEntry, request: Any, step: str, entity: str, key: str, quote: dict[str, Any],
    ) -> Charge:
        """What a call cut off by a stopped process may have cost: a synchronous API has no task to look up.

        The provider may have made and billed it before the process died, or never seen it; the
        ledger books the catalogue's price, marked, so the budget counts it and `cost` shows it.
        """
        charge = self._charge(provider, entry, None, request, step, entity, key, None, quote)
        note = (f"the process stopped during this call; {provider} answers it synchronously, with no task to look up, "
                "so it may have been billed without an answer")
        return dataclasses.replace(charge, usage={**charge.usage, "source": "interrupted", "note": note})

    def _keep(self, folder: Path, files: dict[str, Path], text: str | None) -> tuple[dict[str, Path], str | None]:
        """Move what an adapter wrote into the request's results folder, under stable names."""
        kept: dict[str, Path] = {}
        for name, path in files.items():
            target = folder / f"{name}{path.suffix}"
            if path.resolve() == target.resolve():
                pass
            elif path.parent.resolve() == folder.resolve():
                path.replace(target)
            else:
                # the adapter wrote elsewhere: copy, since the source may be on another file system
                with atomic_path(target) as tmp:
                    shutil.copyfile(path, tmp)
            kept[name] = target
        if text is not None:
            write_text_atomic(folder / "text.txt", text)
            kept["text"] = folder / "text.txt"
        return kept, text

    # retries, limits, timeouts ------------------------------------------------------------------

    def _call(
        self, provider: str, entry: ModelEntry, fn: Callable[[], T], what: str, *, count_request: bool = True,
        recover: Callable[[], T | None] | None = None,
    ) -> T:
        """Run one provider call with the rate limit, a timeout, and bounded retries of transient failures.

        Only a ProviderTransient is retried: a refused key, a refused prompt or a malformed reply
        fails at once. ``recover`` is asked before each retry that follows a failure whose reply
        may have been lost (anything transient but a 429): what it finds is the call's answer, so
        a submit whose reply was lost is found, not made twice.
        """
        gate = self._provider_gate(provider, entry)
        timeout = self._settings(provider).timeout
        last: ProviderTransient | None = None
        uncertain = False
        for attempt in range(1, self.retry.attempts + 1):
            if count_request:
                gate.request(self.sleep)
            try:
                if uncertain and recover is not None:
                    found = self._timed(provider, recover, timeout, f"{what} lookup")
                    if found is not None:
                        return found
                    if count_request:
                        gate.request(self.sleep)
                return self._timed(provider, fn, timeout, what)
            except ResultExpired:
                raise
            except RateLimited as err:
                last = err
                asked = err.retry_after if err.retry_after is not None else self.retry.delay(attempt, self.rng)
                wait = min(asked, self.retry.max_retry_after)
            except ProviderTransient as err:
                last = err
                uncertain = True
                wait = self.retry.delay(attempt, self.rng)
            if attempt < self.retry.attempts:
                self.sleep(wait)
        assert last is not None
        raise ProviderTransient(
            provider,
            f"{what} for {entry.id} still failing after {self.retry.attempts} attempts; last: {last}",
            raw=last.raw,
            hint="the provider may be down or overloaded; the router takes the next model after repeated failures",
        )

    def _timed(self, provider: str, fn: Callable[[], T], timeout: float, what: str) -> T:
        future = self._calls.submit(fn)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            # the call's thread is left to finish on its own; its answer is dropped
            raise ProviderTransient(provider, f"{what} timed out after {timeout:g} s") from None
        except httpx.TimeoutException as err:
            raise ProviderTransient(provider, f"{what} timed out: {err}") from None
        except httpx.TransportError as err:
            raise ProviderTransient(provider, f"{what} failed: {type(err).__name__}: {err}") from None

    @contextmanager
    def _slots(self, provider: str, entry: ModelEntry) -> Iterator[None]:
        with ExitStack() as stack:
            stack.enter_context(self._provider_gate(provider, entry).slot())
            if entry.limits.concurrency < self._provider_concurrency(provider, entry):
                model_gate = self.gates.get(f"{provider}/{entry.id}", entry.limits.concurrency, None)
                stack.enter_context(model_gate.slot())
            yield

    def _provider_concurrency(self, provider: str, entry: ModelEntry) -> int:
        configured = self._settings(provider).concurrency
        if configured:
            return configured
        same = [m.limits.concurrency for m in self.catalogue.models if m.provider == entry.provider]
        return max(same or [entry.limits.concurrency])

    def _provider_gate(self, provider: str, entry: ModelEntry) -> Gate:
        settings = self._settings(provider)
        rpm = settings.requests_per_minute or entry.limits.requests_per_minute
        return self.gates.get(provider, self._provider_concurrency(provider, entry), rpm)

    def _settings(self, provider: str) -> ProviderSettings:
        return self.providers.get(provider) or ProviderSettings()

    # money --------------------------------------------------------------------------------------

    def _entry(self, model: str) -> ModelEntry:
        try:
            return self.catalogue.model(model)
        except ConfigError:
            raise ConfigError(
                f"model {model!r} has no catalogue entry, so its spend cannot be priced or booked",
                hint="add it to providers/catalogue.toml with its price",
            ) from None

    def _quote_args(self, entry: ModelEntry, request: Any, quote: dict[str, Any] | None) -> dict[str, Any]:
        if quote is not None:
            return quote
        seconds = entry.capabilities.billed_seconds(request.duration) or request.duration
        return {"seconds": seconds, "width": request.width, "height": request.height}

    @contextmanager
    def _reserve(self, entry: ModelEntry, request: Any, entity: str, quote: dict[str, Any] | None = None) -> Iterator[None]:
        """Hold the price of one take against the budget until it is booked, so parallel calls cannot overspend."""
        if self.budget is None or entry.free:
            yield
            return
        price = self.catalogue.quote(entry, currency=self.currency, **self._quote_args(entry, request, quote)).cost
        with self._budget.lock():
            spent = self.ledger.total(self.currency, catalogue=self.catalogue)
            reserved = self._budget.reserved
            if spent + reserved + price > self.budget + 1e-9:
                pending = f" and {reserved:.4f} is held by jobs in flight" if reserved else ""
                raise BudgetExceeded(
                    entry.provider,
                    f"{entry.id} for {entity or 'this task'} would cost {price:.4f} {self.currency}; "
                    f"{spent:.4f} of the {self.budget:.2f} {self.currency} budget is spent{pending}",
                    hint="raise [project] budget in mangaline.toml or route cheaper models",
                )
            self._budget.add(price)
        try:
            yield
        finally:
            with self._budget.lock():
                self._budget.add(-price)

    def _charge(
        self, provider: str, entry: ModelEntry, usage: Usage | None, request: Any, step: str, entity: str,
        key: str, job_id: str | None, quote: dict[str, Any] | None = None,
    ) -> Charge:
        expected_unit = _USAGE_UNIT.get(entry.price.unit)
        if usage is not None and (usage.cost is not None or usage.unit == expected_unit):
            cost = self.catalogue.usage_cost(entry, usage, self.currency)
            quantity, unit = usage.quantity, usage.unit
            detail = {"source": "provider", "quantity": usage.quantity, "unit": usage.unit, "raw": usage.raw}
            if usage.cost is not None:
                detail.update(cost=usage.cost, currency=usage.currency)
        else:
            estimate = self.catalogue.quote(entry, currency=self.currency, **self._quote_args(entry, request, quote))
            cost, quantity, unit = estimate.cost, estimate.quantity, _USAGE_UNIT.get(estimate.unit, estimate.unit)
            detail = {"source": "catalogue", "formula": estimate.formula}
            if usage is not None:
                detail["provider_usage"] = {"quantity": usage.quantity, "unit": usage.unit}
        return Charge(
            provider=provider, model=entry.id, step=step, entity=entity, quantity=quantity, unit=unit,
            cost=cost, currency=self.currency, usage=detail, job_id=job_id, cache_key=key,
        )

    def _saved(self, job: RemoteJob) -> dict[str, Path] | None:
        if not job.results:
            return None
        files = {name: self.results_dir / rel for name, rel in job.results.items()}
        return files if all(p.is_file() for p in files.values()) else None
