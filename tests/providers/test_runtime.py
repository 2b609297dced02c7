"""The runtime around providers, against a fake video provider on 127.0.0.1: retries, limits, journal, cache, ledger."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mangaline.config import ProviderSettings
from mangaline.errors import (
    BudgetExceeded,
    ModerationRejected,
    ProviderError,
    ProviderTransient,
    ResultExpired,
)
from mangaline.project.state import StateDB, sqlite_url
from mangaline.providers.journal import Journal
from mangaline.providers.ledger import Ledger
from mangaline.providers.protocols import (
    ImageRequest,
    ImageResult,
    TextRequest,
    TextResult,
    Usage,
)
from mangaline.providers.runtime import (
    Gates,
    PollPolicy,
    RetryPolicy,
    Runtime,
    request_key,
)

from .fake_video import (
    MP4,
    REQUEST,
    FakeVideoModel,
    FakeVideoServer,
    Scripted,
    fake_catalogue,
)

ROOT = Path(__file__).resolve().parents[2]
SHOT = "ep01_sc01_sh010"


@pytest.fixture
def db(tmp_path: Path) -> StateDB:
    state = StateDB(sqlite_url(tmp_path / "state.db"))
    yield state
    state.close()


class Waits:
    """Records every wait the runtime asks for, and waits a little so the fake server's clock moves."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        time.sleep(min(seconds, 0.05))


def make_runtime(db: StateDB, tmp_path: Path, **kw) -> Runtime:
    options = {
        "catalogue": fake_catalogue({"id": "fake-clip", "price": 0.1}),
        "retry": RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=0.5),
        "poll": PollPolicy(first=0.02, max_interval=0.05, deadline=10.0),
        "gates": Gates(),
    }
    options.update(kw)
    return Runtime(db, tmp_path / "results", **options)


def test_a_job_is_submitted_once_polled_downloaded_and_charged_once(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.15).serving() as server:
        runtime = make_runtime(db, tmp_path)
        delivery = runtime.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST, step="animate", entity=SHOT)
        again = runtime.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST, step="animate", entity=SHOT)
    assert delivery.files["video"].read_bytes() == MP4
    assert delivery.files["video"].suffix == ".mp4"
    assert len(server.submits) == 1 and set(server.polls) == {"job-1"}
    assert abs(delivery.cost - 0.4) < 1e-9  # 4 s x 0.1 USD/s from the catalogue: the usage came in tokens
    assert again.cached and again.cost == 0 and again.files == delivery.files
    charges = Ledger(db).entries()
    assert len(charges) == 1
    assert charges[0].charge.job_id == "job-1" and charges[0].charge.entity == SHOT
    assert charges[0].charge.usage["provider_usage"] == {"quantity": 4000, "unit": "tokens"}
    assert [j.state for j in Journal(db).jobs()] == ["succeeded"]


def test_the_charge_uses_the_providers_own_usage_when_the_units_match(db: StateDB, tmp_path: Path) -> None:
    catalogue = fake_catalogue({"id": "fake-tokens", "price": 2.0, "price_unit": "1m_tokens"})
    with FakeVideoServer(latency=0.05, tokens_per_second=1500).serving() as server:
        runtime = make_runtime(db, tmp_path, catalogue=catalogue)
        delivery = runtime.video("fake", "fake-tokens", FakeVideoModel(server.url), REQUEST, entity=SHOT)
    charge = Ledger(db).entries()[0].charge
    assert (charge.quantity, charge.unit) == (6000, "tokens")
    assert abs(charge.cost - 6000 * 2.0 / 1e6) < 1e-12 and delivery.cost == charge.cost
    assert charge.usage["source"] == "provider"


def test_429_retry_after_is_honoured_and_bounded(db: StateDB, tmp_path: Path) -> None:
    waits = Waits()
    script = [Scripted(429, headers={"Retry-After": "0.2"}), Scripted(429, headers={"Retry-After": "999"})]
    with FakeVideoServer(latency=0.05, submit_script=script).serving() as server:
        runtime = make_runtime(db, tmp_path, sleep=waits)
        delivery = runtime.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
    assert delivery.files["video"].is_file()
    assert waits.asked[:2] == [0.2, 0.5]  # as asked, then capped at max_retry_after
    assert len(server.submits) == 1


def test_5xx_while_polling_is_retried(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.05, poll_script=[Scripted(500), Scripted(502)]).serving() as server:
        delivery = make_runtime(db, tmp_path).video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
    assert delivery.files["video"].is_file() and len(server.submits) == 1


def test_a_provider_that_keeps_failing_ends_in_a_clear_error_after_bounded_attempts(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(submit_script=[Scripted(503)] * 10).serving() as server:
        with pytest.raises(ProviderTransient, match="submit for fake-clip still failing after 4 attempts"):
            make_runtime(db, tmp_path).video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
    assert len(server.submit_script) == 6  # exactly four tries were made
    # any of the four may have reached the provider: the intent stays for the next run to resolve first
    [intent] = Journal(db).jobs()
    assert (intent.state, intent.job_id) == ("submitting", None) and Ledger(db).entries() == []


def test_a_call_that_hangs_times_out_and_the_job_stays_journaled(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.05, poll_delay=1.0).serving() as server:
        runtime = make_runtime(
            db, tmp_path, providers={"fake": ProviderSettings(timeout=0.2)}, retry=RetryPolicy(attempts=2, base_delay=0.01)
        )
        with pytest.raises(ProviderTransient, match="poll for fake-clip still failing after 2 attempts; last: .*timed out"):
            runtime.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
        [job] = Journal(db).jobs()
        assert job.state == "submitted" and job.job_id == "job-1"
        # the provider recovers: the next run resumes the same job, nothing is submitted again
        server.poll_delay = 0.0
        delivery = runtime.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
    assert delivery.job_id == "job-1" and len(server.submits) == 1 and len(Ledger(db).entries()) == 1


def test_an_expired_result_url_is_polled_again_for_a_fresh_one(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.05, download_script=[Scripted(403), Scripted(410)]).serving() as server:
        delivery = make_runtime(db, tmp_path).video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
    assert delivery.files["video"].read_bytes() == MP4
    assert len(server.downloads) == 3 and len(set(server.downloads)) == 3  # each try had a freshly signed URL
    assert len(Ledger(db).entries()) == 1


def test_a_url_that_always_expires_ends_in_result_expired(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.05, download_script=[Scripted(403)] * 10).serving() as server:
        with pytest.raises(ResultExpired, match="expired 4 times"):
            make_runtime(db, tmp_path).video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
    assert len(server.downloads) == 4 and Ledger(db).entries() == []
    assert [j.state for j in Journal(db).jobs()] == ["failed"]


def test_a_slow_job_passes_its_deadline_then_resumes_with_the_same_id(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=1.0).serving() as server:
        hasty = make_runtime(db, tmp_path, poll=PollPolicy(first=0.02, max_interval=0.05, deadline=0.2))
        with pytest.raises(ProviderTransient, match="still (queued|running)"):
            hasty.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST, entity=SHOT)
        patient = make_runtime(db, tmp_path, poll=PollPolicy(first=0.02, max_interval=0.05, deadline=10.0))
        delivery = patient.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST, entity=SHOT)
    assert delivery.job_id == "job-1" and len(server.submits) == 1
    assert set(server.polls) == {"job-1"} and len(Ledger(db).entries()) == 1


def test_moderation_rejection_is_not_retried_and_counts_against_the_model(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.05, moderate=True).serving() as server:
        with pytest.raises(ModerationRejected, match="job job-1 for ep01_sc01_sh010 was refused: content flagged"):
            make_runtime(db, tmp_path).video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST, entity=SHOT)
    assert len(server.submits) == 1 and Ledger(db).entries() == []
    assert Ledger(db).stats().streaks == {"fake-clip": 1}
    assert [j.state for j in Journal(db).jobs()] == ["failed"]


def test_a_failed_job_is_a_provider_error_and_a_new_run_submits_again(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.05, fail_jobs=True).serving() as server:
        runtime = make_runtime(db, tmp_path)
        with pytest.raises(ProviderError, match="failed: internal render error") as caught:
            runtime.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
        assert not isinstance(caught.value, ProviderTransient | ModerationRejected)
        server.fail_jobs = False
        runtime.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
    assert len(server.submits) == 2 and len(Ledger(db).entries()) == 1


def test_the_budget_is_checked_before_anything_is_submitted(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.05).serving() as server:
        runtime = make_runtime(db, tmp_path, budget=0.5)
        runtime.video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)  # 0.4 of 0.5
        other = REQUEST.__class__(**{**REQUEST.__dict__, "seed": 7})
        with pytest.raises(BudgetExceeded, match="would cost 0.4000 USD; 0.4000 of the 0.50 USD budget is spent"):
            runtime.video("fake", "fake-clip", FakeVideoModel(server.url), other)
    assert len(server.submits) == 1


def test_concurrency_limit_holds_across_threads(db: StateDB, tmp_path: Path) -> None:
    catalogue = fake_catalogue({"id": "fake-clip", "price": 0.1, "limits": {"concurrency": 2}})
    with FakeVideoServer(latency=0.1, concurrency=2).serving() as server:
        runtime = make_runtime(db, tmp_path, catalogue=catalogue)
        errors: list[BaseException] = []

        def one(seed: int) -> None:
            try:
                request = REQUEST.__class__(**{**REQUEST.__dict__, "seed": seed})
                runtime.video("fake", "fake-clip", FakeVideoModel(server.url), request, entity=f"sh{seed}")
            except BaseException as err:  # noqa: BLE001
                errors.append(err)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert len(server.submits) == 6 and server.rejected_busy == 0
    assert len(Ledger(db).entries()) == 6


def test_the_cache_key_follows_file_contents_not_paths(tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    a.write_bytes(b"frame")
    b.write_bytes(b"frame")
    first = REQUEST.__class__(**{**REQUEST.__dict__, "first_frame": a})
    second = REQUEST.__class__(**{**REQUEST.__dict__, "first_frame": b})
    assert request_key("fake", "m", first) == request_key("fake", "m", second)
    b.write_bytes(b"other frame")
    assert request_key("fake", "m", first) != request_key("fake", "m", second)
    assert request_key("fake", "m", first) != request_key("fake", "other", first)


def test_sigkill_after_the_journal_write_resumes_the_same_job_and_pays_once(tmp_path: Path) -> None:
    db_path, results = tmp_path / "state.db", tmp_path / "results"
    StateDB(sqlite_url(db_path)).close()  # migrate once, so the two processes do not race to create tables
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "tests.providers.fake_video", str(db_path), str(results)]
    with FakeVideoServer(latency=4.0).serving() as server:
        child = subprocess.Popen([*command, server.url], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        watcher = StateDB(sqlite_url(db_path))
        journal = Journal(watcher)
        deadline = time.monotonic() + 120
        while not any(j.job_id for j in journal.jobs()) and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
        assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()
        [job] = journal.jobs()
        assert job.state in ("submitted", "queued", "running") and job.job_id == "job-1"
        assert len(server.submits) == 1
        polls_before = len(server.polls)

        resumed = subprocess.run([*command, server.url], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr
        out = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert len(server.submits) == 1
    assert len(server.polls) > polls_before and set(server.polls) == {"job-1"}
    assert out["job_id"] == "job-1" and Path(out["file"]).read_bytes() == MP4
    charges = Ledger(watcher).entries()
    assert len(charges) == 1 and charges[0].charge.job_id == "job-1"
    assert [j.state for j in journal.jobs()] == ["succeeded"]
    watcher.close()


class CountingImages:
    """An ImageModel in code: writes a PNG-named file and counts its calls; fails transiently first when asked."""

    def __init__(self, transient_failures: int = 0) -> None:
        self.calls = 0
        self.transient_failures = transient_failures

    def generate(self, request: ImageRequest, workdir: Path) -> ImageResult:
        self.calls += 1
        if self.calls <= self.transient_failures:
            raise ProviderTransient("fake-images", "503 from the image endpoint")
        path = workdir / f"out-{self.calls}.png"
        path.write_bytes(b"\x89PNG fake " + request.prompt.encode())
        return ImageResult(image=path, usage=Usage(quantity=1, unit="images"))


class CountingText:
    def __init__(self) -> None:
        self.calls = 0

    def complete(self, request: TextRequest) -> TextResult:
        self.calls += 1
        return TextResult(content='{"shots": 3}', usage=Usage(quantity=1200, unit="tokens"))


def test_synchronous_calls_are_retried_cached_and_booked(db: StateDB, tmp_path: Path) -> None:
    catalogue = fake_catalogue(
        {"id": "fake-image", "modality": "image", "price": 0.04, "price_unit": "image", "provider": "fake-images"},
        {"id": "fake-chat", "modality": "text", "price": 1.0, "price_unit": "1m_tokens", "provider": "fake-chat"},
    )
    runtime = make_runtime(db, tmp_path, catalogue=catalogue)
    images = CountingImages(transient_failures=1)
    request = ImageRequest(prompt="harbour at dusk", width=720, height=1280)
    first = runtime.image("fake-images", "fake-image", images, request, step="storyboard", entity=SHOT)
    second = runtime.image("fake-images", "fake-image", images, request, step="storyboard", entity=SHOT)
    assert images.calls == 2  # one transient failure, one success; the second ask is the cache
    assert first.files["image"].read_bytes().endswith(b"harbour at dusk") and first.files["image"].suffix == ".png"
    assert second.cached and second.files == first.files and first.cost == pytest.approx(0.04)
    chat = CountingText()
    ask = TextRequest(messages=[{"role": "user", "content": "break this down as json"}])
    answer = runtime.text("fake-chat", "fake-chat", chat, ask, step="breakdown", entity="ep01")
    again = runtime.text("fake-chat", "fake-chat", chat, ask, step="breakdown", entity="ep01")
    assert answer.text == again.text == '{"shots": 3}' and chat.calls == 1 and again.cached
    costs = [(e.charge.model, e.charge.cost) for e in Ledger(db).entries()]
    assert costs == [("fake-image", pytest.approx(0.04)), ("fake-chat", pytest.approx(1200 / 1e6))]


def test_a_model_missing_from_the_catalogue_cannot_spend(db: StateDB, tmp_path: Path) -> None:
    from mangaline.errors import ConfigError

    with pytest.raises(ConfigError, match="model 'unpriced' has no catalogue entry"):
        make_runtime(db, tmp_path).image("x", "unpriced", CountingImages(), ImageRequest(prompt="p", width=8, height=8))


def _image_catalogue():
    return fake_catalogue({"id": "fake-image", "modality": "image", "price": 0.04, "price_unit": "image",
                           "provider": "fake-images"})


def test_a_synchronous_call_cut_off_by_a_stopped_process_is_booked_before_it_is_asked_again(db: StateDB, tmp_path: Path) -> None:
    """A process killed in the middle of a Seedream-like call leaves only its intent: no task to look up, so the
    next run books what it may have cost, marked, then asks again; the ledger hides no call."""
    runtime = make_runtime(db, tmp_path, catalogue=_image_catalogue())
    request = ImageRequest(prompt="a lighthouse", width=720, height=1280)
    key = request_key("fake-images", "fake-image", request)
    Journal(db).intent(provider="fake-images", model="fake-image", cache_key=key, node="storyboard/" + SHOT)  # the dead call
    images = CountingImages()
    made = runtime.image("fake-images", "fake-image", images, request, step="storyboard", entity=SHOT)
    assert images.calls == 1 and made.cost == pytest.approx(0.04)
    charges = [e.charge for e in Ledger(db).entries()]
    assert [c.usage["source"] for c in charges] == ["interrupted", "provider"]
    assert all(c.cost == pytest.approx(0.04) and c.entity == SHOT for c in charges)
    states = [(j.state, j.error or "") for j in Journal(db).jobs()]
    assert states[0][0] == "failed" and "process stopped during this call" in states[0][1] and states[1][0] == "succeeded"
    # asked again, nothing more is booked or called
    again = runtime.image("fake-images", "fake-image", images, request, step="storyboard", entity=SHOT)
    assert again.cached and images.calls == 1 and len(Ledger(db).entries()) == 2


def test_a_failed_synchronous_call_closes_its_intent_and_books_nothing(db: StateDB, tmp_path: Path) -> None:
    runtime = make_runtime(db, tmp_path, catalogue=_image_catalogue(), retry=RetryPolicy(attempts=2, base_delay=0.01))
    request = ImageRequest(prompt="a storm", width=720, height=1280)
    with pytest.raises(ProviderTransient):
        runtime.image("fake-images", "fake-image", CountingImages(transient_failures=5), request, step="s", entity=SHOT)
    assert [j.state for j in Journal(db).jobs()] == ["failed"] and not Ledger(db).entries()
    # a later run is not mistaken for the survivor of a killed one
    runtime.image("fake-images", "fake-image", CountingImages(), request, step="s", entity=SHOT)
    assert [e.charge.usage["source"] for e in Ledger(db).entries()] == ["provider"]


def test_the_same_request_asked_at_once_by_two_steps_is_called_and_paid_once(db: StateDB, tmp_path: Path) -> None:
    runtime = make_runtime(db, tmp_path, catalogue=_image_catalogue())
    request = ImageRequest(prompt="the same line twice", width=720, height=1280)

    class Slow(CountingImages):
        def generate(self, request: ImageRequest, workdir: Path) -> ImageResult:
            time.sleep(0.2)
            return super().generate(request, workdir)

    images = Slow()
    answers: list = []
    threads = [threading.Thread(target=lambda: answers.append(
        runtime.image("fake-images", "fake-image", images, request, step="s", entity=SHOT))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert images.calls == 1 and sorted(a.cached for a in answers) == [False, True]
    assert len(Ledger(db).entries()) == 1
