"""A submit whose reply is lost, or whose process dies before the id is written, makes one task, recorded and paid once.

Ark and Kling run against stateful fakes of their task APIs on 127.0.0.1 (tests/providers/fake_tasks.py)
that create the task and then drop the connection or answer 502.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mangaline.errors import AuthenticationError
from mangaline.project.state import StateDB, sqlite_url
from mangaline.providers.ark import ArkSeedance
from mangaline.providers.journal import Journal
from mangaline.providers.kling import KlingVideo
from mangaline.providers.ledger import Ledger
from mangaline.providers.openai_compat import OpenAIImages
from mangaline.providers.protocols import ImageRequest, JobStatus, TaskLookup, VideoModel, VideoRequest
from mangaline.providers.runtime import Gates, PollPolicy, RetryPolicy, Runtime

from .fake_tasks import FakeArk, FakeKling
from .fake_video import REQUEST, FakeVideoModel, FakeVideoServer, fake_catalogue
from .fakes import FakeServer, Reply, png_bytes

ARK_MODEL = "doubao-seedance-1-0-pro-250528"
KLING_MODEL = "kling-v2-1"
SHOT = "ep01_sc01_sh010"


@pytest.fixture
def db(tmp_path: Path) -> StateDB:
    state = StateDB(sqlite_url(tmp_path / "state.db"))
    yield state
    state.close()


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_ARK_KEY", "ark-key-0001")
    monkeypatch.setenv("TEST_KLING_AK", "kling-access-0001")
    monkeypatch.setenv("TEST_KLING_SK", "kling-secret-0001")


@pytest.fixture
def keyframe(tmp_path: Path) -> Path:
    # stored the way takes are: content-addressed, no extension
    path = tmp_path / "objects" / "3f9a0c"
    path.parent.mkdir()
    path.write_bytes(png_bytes((30, 60, 90)))
    return path


def runtime(db: StateDB, tmp_path: Path) -> Runtime:
    catalogue = fake_catalogue(
        {"id": ARK_MODEL, "provider": "ark", "price": 0.1},
        {"id": KLING_MODEL, "provider": "kling", "price": 0.1},
        {"id": "fake-clip", "price": 0.1},
    )
    return Runtime(
        db,
        tmp_path / "results",
        catalogue=catalogue,
        retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05),
        poll=PollPolicy(first=0.02, max_interval=0.05, deadline=10.0),
        gates=Gates(),
    )


def seedance(server: FakeArk | FakeServer) -> ArkSeedance:
    return ArkSeedance("ark", f"{server.url}/api/v3", "TEST_ARK_KEY", model=ARK_MODEL, timeout=5)


def kling(server: FakeKling) -> KlingVideo:
    return KlingVideo(
        "kling", server.url, "TEST_KLING_AK", secret_key_env="TEST_KLING_SK", model=KLING_MODEL, timeout=5
    )


def shot(keyframe: Path, prompt: str = "June turns to the window") -> VideoRequest:
    return VideoRequest(prompt=prompt, duration=4.0, width=720, height=1280, first_frame=keyframe)


class Crashed(BaseException):
    """The process dies here: nothing after it runs, not even an except clause for Exception."""


class DiesAfterSubmit:
    """A VideoModel whose process dies once its submit has reached the provider, before the id comes back."""

    def __init__(self, inner: VideoModel, *, reached: bool = True) -> None:
        self.inner = inner
        self.reached = reached

    def submit(self, request: VideoRequest) -> str:
        if self.reached:
            self.inner.submit(request)
        raise Crashed

    def poll(self, job_id: str) -> JobStatus:
        return self.inner.poll(job_id)


def assert_one_task_recorded_and_paid(db: StateDB, task_id: str) -> None:
    [job] = Journal(db).jobs()
    assert (job.state, job.job_id) == ("succeeded", task_id)
    [entry] = Ledger(db).entries()
    assert entry.charge.job_id == task_id


@pytest.mark.parametrize("fate", ["drop", "502"])
def test_ark_a_lost_create_reply_is_found_in_the_task_list_not_submitted_again(
    db: StateDB, tmp_path: Path, keyframe: Path, fate: str
) -> None:
    with FakeArk(fates=[fate]).serving() as server:
        delivery = runtime(db, tmp_path).video("ark", ARK_MODEL, seedance(server), shot(keyframe), entity=SHOT)
    [task_id] = server.tasks
    assert server.creates == 1 and len(server.lists) >= 1
    assert server.lists[0]["filter.model"] == [ARK_MODEL]
    assert delivery.job_id == task_id and delivery.files["video"].is_file()
    assert_one_task_recorded_and_paid(db, task_id)


def test_ark_lookup_skips_tasks_already_journaled_for_other_shots(db: StateDB, tmp_path: Path, keyframe: Path) -> None:
    # the same seed, duration, ratio and resolution: only the journal tells the earlier shot's task apart
    with FakeArk(fates=["answer", "drop"]).serving() as server:
        run = runtime(db, tmp_path)
        first = run.video("ark", ARK_MODEL, seedance(server), shot(keyframe, "the ferry leaves"), entity="sh010")
        second = run.video("ark", ARK_MODEL, seedance(server), shot(keyframe, "June waves"), entity="sh020")
    assert list(server.tasks) == [first.job_id, second.job_id] and server.creates == 2
    assert [j.job_id for j in Journal(db).jobs("succeeded")] == [first.job_id, second.job_id]
    assert len(Ledger(db).entries()) == 2


def test_a_429_proves_no_task_was_made_so_no_lookup_is_spent(db: StateDB, tmp_path: Path, keyframe: Path) -> None:
    with FakeArk(fates=["429"]).serving() as server:
        runtime(db, tmp_path).video("ark", ARK_MODEL, seedance(server), shot(keyframe), entity=SHOT)
    assert server.creates == 2 and len(server.tasks) == 1 and server.lists == []


@pytest.mark.parametrize("fate", ["drop", "502"])
def test_kling_a_lost_create_reply_is_found_by_its_external_task_id(
    db: StateDB, tmp_path: Path, keyframe: Path, fate: str
) -> None:
    with FakeKling(fates=[fate]).serving() as server:
        delivery = runtime(db, tmp_path).video("kling", KLING_MODEL, kling(server), shot(keyframe), entity=SHOT)
    [task_id] = server.tasks
    assert server.creates == 1 and len(server.lists) >= 1
    assert delivery.job_id == f"image2video:{task_id}" and delivery.files["video"].is_file()
    assert_one_task_recorded_and_paid(db, f"image2video:{task_id}")


def test_a_process_that_died_before_recording_the_id_is_resumed_from_the_task_list(
    tmp_path: Path, keyframe: Path
) -> None:
    path = tmp_path / "state.db"
    with FakeArk().serving() as server:
        dying = StateDB(sqlite_url(path))
        dies = DiesAfterSubmit(seedance(server))
        with pytest.raises(Crashed):
            runtime(dying, tmp_path).video("ark", ARK_MODEL, dies, shot(keyframe), entity=SHOT)
        [intent] = Journal(dying).jobs()
        assert (intent.state, intent.job_id) == ("submitting", None) and len(server.tasks) == 1
        dying.close()

        fresh = StateDB(sqlite_url(path))
        delivery = runtime(fresh, tmp_path).video("ark", ARK_MODEL, seedance(server), shot(keyframe), entity=SHOT)
    [task_id] = server.tasks
    assert server.creates == 1 and delivery.job_id == task_id
    assert set(server.polls) == {task_id}
    assert_one_task_recorded_and_paid(fresh, task_id)
    fresh.close()


def test_an_intent_whose_submit_never_left_is_submitted_once_when_the_list_has_nothing(
    db: StateDB, tmp_path: Path, keyframe: Path
) -> None:
    with FakeKling().serving() as server:
        dies = DiesAfterSubmit(kling(server), reached=False)
        with pytest.raises(Crashed):
            runtime(db, tmp_path).video("kling", KLING_MODEL, dies, shot(keyframe))
        assert server.creates == 0
        delivery = runtime(db, tmp_path).video("kling", KLING_MODEL, kling(server), shot(keyframe))
    assert server.creates == 1 and len(server.lists) == 1
    old, new = Journal(db).jobs()
    assert old.state == "failed" and old.job_id is None and "never reached it" in (old.error or "")
    assert (new.state, new.job_id) == ("succeeded", delivery.job_id)


def test_without_a_task_lookup_the_old_intent_is_failed_as_a_possible_orphan(db: StateDB, tmp_path: Path) -> None:
    with FakeVideoServer(latency=0.05).serving() as server:
        assert not isinstance(FakeVideoModel(server.url), TaskLookup)
        with pytest.raises(Crashed):
            runtime(db, tmp_path).video("fake", "fake-clip", DiesAfterSubmit(FakeVideoModel(server.url)), REQUEST)
        delivery = runtime(db, tmp_path).video("fake", "fake-clip", FakeVideoModel(server.url), REQUEST)
    # the one case where a second task cannot be ruled out: it is said, in the journal, not hidden
    assert len(server.submits) == 2 and delivery.job_id == "job-2"
    old, new = Journal(db).jobs()
    assert old.state == "failed" and "possible orphan" in (old.error or "") and new.state == "succeeded"
    assert len(Ledger(db).entries()) == 1


def test_a_refused_key_is_asked_once_and_leaves_nothing_to_resume(db: StateDB, tmp_path: Path, keyframe: Path) -> None:
    with FakeServer() as server:
        tasks = "/api/v3/contents/generations/tasks"
        server.on("POST", tasks, Reply(401, json={"error": {"code": "AuthenticationError", "message": "bad key"}}))
        with pytest.raises(AuthenticationError, match="TEST_ARK_KEY") as caught:
            runtime(db, tmp_path).video("ark", ARK_MODEL, seedance(server), shot(keyframe), entity=SHOT)
    assert caught.value.key_env == "TEST_ARK_KEY"
    assert len(server.seen) == 1  # not retried, and nothing looked up: a refusal proves no task exists
    [intent] = Journal(db).jobs()
    assert intent.state == "failed" and "refused at submit" in (intent.error or "")
    assert Journal(db).unfinished(intent.cache_key) is None and Ledger(db).entries() == []



def test_a_refused_key_on_a_synchronous_call_is_asked_once(
    db: StateDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-test-0001")
    catalogue = fake_catalogue(
        {"id": "gpt-image-1", "provider": "openai", "modality": "image", "price": 0.04, "price_unit": "image"}
    )
    with FakeServer() as server:
        server.on("POST", "/v1/images/generations", Reply(401, json={"error": {"message": "Incorrect API key"}}))
        images = OpenAIImages("openai", f"{server.url}/v1", "TEST_OPENAI_KEY", model="gpt-image-1")
        run = Runtime(
            db, tmp_path / "results", catalogue=catalogue, retry=RetryPolicy(attempts=4, base_delay=0.01), gates=Gates()
        )
        with pytest.raises(AuthenticationError, match="TEST_OPENAI_KEY"):
            run.image("openai", "gpt-image-1", images, ImageRequest(prompt="p", width=1024, height=1024))
    assert len(server.seen) == 1 and Ledger(db).entries() == []
