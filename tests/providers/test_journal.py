"""The remote-job journal and the ledger, on a real SQLite state database migrated by Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from mangaline.project.state import StateDB, sqlite_url
from mangaline.providers.journal import Journal
from mangaline.providers.ledger import Charge, Ledger


@pytest.fixture
def db(tmp_path: Path) -> StateDB:
    state = StateDB(sqlite_url(tmp_path / "state.db"))
    yield state
    state.close()


def charge(cost: float = 0.4, entity: str = "ep01_sc01_sh010", currency: str = "USD") -> Charge:
    return Charge(provider="ark", model="m", step="animate", entity=entity, quantity=4.0, unit="seconds",
                  cost=cost, currency=currency, usage={"source": "catalogue"}, job_id="job-1", cache_key="k" * 64)


def test_the_migration_adds_the_tables_and_is_at_head(db: StateDB) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {"remote_jobs", "ledger", "route_outcomes", "takes", "runs"} <= tables
    with db.engine.connect() as connection:
        assert connection.execute(text("select version_num from alembic_version")).scalar() == "0004"
    db.upgrade()  # a second upgrade is a no-op


def test_a_job_moves_from_submitted_to_succeeded_with_its_charge_in_one_step(db: StateDB) -> None:
    journal, ledger = Journal(db), Ledger(db)
    job = journal.submitted(provider="ark", model="m", cache_key="k" * 64, node="animate/sh010", job_id="job-1")
    assert journal.unfinished("k" * 64) == job and journal.finished("k" * 64) is None
    journal.polled(job, "running")
    assert journal.unfinished("k" * 64).polls == 1
    done = journal.complete(job, {"video": "kk/k/video.mp4"}, charge())
    assert done.state == "succeeded" and journal.unfinished("k" * 64) is None
    assert journal.finished("k" * 64).results == {"video": "kk/k/video.mp4"}
    # completing twice (a resumed process racing a finished one) books nothing more
    journal.complete(job, {"video": "kk/k/video.mp4"}, charge())
    assert len(ledger.entries()) == 1
    with pytest.raises(ValueError, match="use complete"):
        journal.polled(job, "succeeded")


def test_a_failed_job_is_not_resumed(db: StateDB) -> None:
    journal = Journal(db)
    job = journal.submitted(provider="ark", model="m", cache_key="a" * 64, node="n", job_id="j")
    journal.failed(job, "internal error")
    assert journal.unfinished("a" * 64) is None
    assert journal.jobs("failed")[0].error == "internal error"


def test_the_ledger_sums_in_one_currency(db: StateDB) -> None:
    ledger = Ledger(db)
    ledger.charge(charge(0.4))
    ledger.charge(charge(1.0, entity="ep02_sc01_sh010", currency="CNY"))
    assert ledger.total("USD") == pytest.approx(0.4 + 0.14)
    assert ledger.total("USD", entity_prefix="ep01_") == pytest.approx(0.4)
    assert [e.charge.entity for e in ledger.entries(entity_prefix="ep02_")] == ["ep02_sc01_sh010"]


def test_outcome_stats_follow_the_beta_prior(db: StateDB) -> None:
    ledger = Ledger(db)
    for passed in (True, True, False):
        ledger.record_outcome("m", "single", passed)
    stats = ledger.stats()
    assert stats.pass_rate("m", "single") == pytest.approx((4 + 2) / (5 + 3))
    assert stats.pass_rate("m", "insert") == pytest.approx(0.8)
    with pytest.raises(ValueError, match="not qc or error"):
        ledger.record_outcome("m", "single", True, kind="maybe")


def test_an_intent_is_active_before_its_id_is_known_and_resumes_by_id_after(db: StateDB) -> None:
    journal = Journal(db)
    intent = journal.intent(provider="ark", model="m", cache_key="i" * 64, node="animate/sh010")
    assert (intent.state, intent.job_id) == ("submitting", None) and intent.active
    assert journal.unfinished("i" * 64) == intent
    assert journal.job_ids("ark") == set()
    job = journal.accepted(intent, "cgt-7")
    assert (job.id, job.state, job.job_id) == (intent.id, "submitted", "cgt-7")
    assert job.submitted_at == intent.submitted_at  # the submit's start: where a lookup begins
    other = journal.submitted(provider="kling", model="k", cache_key="j" * 64, node="n", job_id="image2video:1")
    journal.failed(other, "internal error")
    assert journal.job_ids("ark") == {"cgt-7"} and journal.job_ids("kling") == {"image2video:1"}
