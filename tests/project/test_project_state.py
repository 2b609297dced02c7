"""The state database: Alembic migrations and the typed API on real SQLite, and the API on real PostgreSQL too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from mangaline.model import Note, Provenance, Take, Task, TaskType, Validation
from mangaline.model.tasks import RETAKE, WIP
from mangaline.project import StateDB, sqlite_url


def make_take(key: str, entity: str = "ep01_sc01_sh010", when: int = 0) -> Take:
    return Take(
        id=f"take-{key}",
        step="storyboard.keyframe",
        entity=entity,
        cache_key=key,
        data_version="d" * 64,
        components={"keyframe": "a" * 64},
        data={"width": 1080},
        provenance=Provenance(step="storyboard.keyframe", code_version="3", params_sha256="p" * 64, seed=7),
        created_at=datetime(2025, 1, 1, 12, 0, when, tzinfo=UTC),
    )


def test_migrations_create_the_schema_and_are_idempotent(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "state.db")
    StateDB(url).close()
    StateDB(url).close()  # a second open upgrades nothing and breaks nothing
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"runs", "takes", "step_events", "tasks", "notes", "alembic_version"} <= tables
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalars().all() == ["0004"]
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    uniques = inspect(engine).get_unique_constraints("takes")
    assert any(u["column_names"] == ["cache_key"] for u in uniques)
    engine.dispose()


def test_the_schema_head_the_state_trusts_is_the_newest_migration(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from mangaline.project.state import SCHEMA_HEAD, alembic_config

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == SCHEMA_HEAD
    url = sqlite_url(tmp_path / "state.db")
    engine = create_engine(url)
    with engine.begin() as conn:  # a database an older release made: the open migrates it
        conn.execute(text("create table alembic_version (version_num varchar(32) not null primary key)"))
    StateDB(url).close()
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalars().all() == [SCHEMA_HEAD]
        assert "takes" in inspect(conn).get_table_names()
    engine.dispose()


def test_takes_round_trip_and_one_take_per_cache_key(state_db_url: str) -> None:
    db = StateDB(state_db_url)
    run = db.begin_run("build")
    first = make_take("k1").model_copy(update={"run_id": run})
    assert db.record_take(first) == first
    assert db.take_for_key("k1") == first
    duplicate = make_take("k1").model_copy(update={"id": "other"})
    assert db.record_take(duplicate).id == first.id
    db.record_take(make_take("k2", when=5))
    assert db.latest_take("storyboard.keyframe", "ep01_sc01_sh010").cache_key == "k2"
    assert db.take_for_key("nope") is None
    db.set_validation(first.id, Validation.REJECTED)
    assert db.take(first.id).validation is Validation.REJECTED
    db.close()


def test_runs_events_tasks_and_notes(state_db_url: str) -> None:
    db = StateDB(state_db_url)
    run = db.begin_run("build ep01")
    db.record_event(run, "voice.line", "l1", "ran", seconds=1.5)
    db.record_event(run, "voice.line", "l2", "failed", error="piper: no voice", attempts=3)
    with pytest.raises(ValueError):
        db.record_event(run, "voice.line", "l3", "exploded")
    db.finish_run(run, "failed", {"ran": 1, "failed": 1})
    [record] = db.runs()
    assert (record.status, record.counts, record.command) == ("failed", {"ran": 1, "failed": 1}, "build ep01")
    assert [e.event for e in db.events(run)] == ["ran", "failed"]
    assert db.events(run, event="failed")[0].error == "piper: no voice"

    db.set_task(Task(task_type=TaskType.VOICE, entity="l1", status=WIP))
    db.set_task(Task(task_type=TaskType.VOICE, entity="l1", status=RETAKE, last_error="clipped"))
    [task] = db.tasks()
    assert task.status.is_retake and not task.status.is_wip and task.last_error == "clipped"

    db.record_take(make_take("k1"))
    note = Note(take_id="take-k1", author="director", text="louder", retake=True, created_at=datetime.now(UTC))
    db.add_note(note)
    assert db.notes("take-k1") == [note]
    db.close()
