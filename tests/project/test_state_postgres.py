"""The state database on a real PostgreSQL server: the schema, the journal and the ledger, many writers at once,
`[state] url` in mangaline.toml and MANGALINE_STATE_URL, and the errors a person sees when the server is not there."""

from __future__ import annotations

import json
import multiprocessing
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from mangaline.config import Settings, load_settings, write_settings
from mangaline.errors import ConfigError, ProjectError
from mangaline.model import Project, Task, TaskType
from mangaline.model.tasks import RETAKE, WIP
from mangaline.project import ProjectFolder, StateDB
from mangaline.project.state import alembic_config, open_state
from mangaline.providers.journal import Journal
from mangaline.providers.ledger import Charge, Ledger

from ..conftest import mangaline
from ..pg import PASSWORD, PASSWORD_ROLE, PostgresServer
from .test_project_state import make_take

WRITERS = 4
ROUNDS = 15
JOBS = 20


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def charge(cost: float, entity: str = "ep01_sc01_sh010", job_id: str | None = None) -> Charge:
    return Charge(provider="ark", model="seedance", step="animate", entity=entity, quantity=5.0, unit="seconds",
                  cost=cost, currency="USD", usage={"source": "provider"}, job_id=job_id, cache_key="k" * 64)


# the schema ---------------------------------------------------------------------------------------


def test_migrations_make_the_schema_on_postgres_and_a_second_open_changes_nothing(postgres_url: str) -> None:
    StateDB(postgres_url).close()
    db = StateDB(postgres_url)
    tables = set(inspect(db.engine).get_table_names())
    assert {"runs", "takes", "step_events", "tasks", "notes", "remote_jobs", "ledger", "route_outcomes"} <= tables
    with db.engine.connect() as connection:
        assert connection.execute(text("select version_num from alembic_version")).scalars().all() == [_head()]
        kinds = dict(connection.execute(text(
            "select column_name, data_type from information_schema.columns where table_name = 'takes'")).all())
    assert kinds["created_at"] == "timestamp with time zone" and kinds["provenance"] == "json"
    assert any(u["column_names"] == ["cache_key"] for u in inspect(db.engine).get_unique_constraints("takes"))
    assert db.engine.url.drivername == "postgresql+psycopg" and not db.read_only
    db.close()


def test_times_come_back_as_the_instant_written_whatever_the_servers_zone(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    postgres.sql(f"ALTER DATABASE {url.rsplit('/', 1)[1]} SET timezone TO 'Asia/Tokyo'")
    db = StateDB(url)
    take = make_take("k1")
    db.record_take(take)
    [back] = db.takes()
    assert back.created_at == take.created_at and back.created_at.utcoffset() == timedelta(hours=9)
    run = db.begin_run("build")
    assert abs(db.runs()[0].started_at - datetime.now(UTC)) < timedelta(minutes=1)
    db.finish_run(run, "succeeded", {"ran": 1})
    assert db.runs()[0].finished_at.tzinfo is not None
    db.close()


# the journal and the ledger ---------------------------------------------------------------------


def test_the_journal_and_the_ledger_on_postgres(postgres_url: str) -> None:
    db = StateDB(postgres_url)
    journal, ledger = Journal(db), Ledger(db)
    intent = journal.intent(provider="ark", model="seedance", cache_key="k" * 64, node="animate.clip [sh010]")
    assert journal.unfinished("k" * 64) == intent and intent.job_id is None
    job = journal.accepted(intent, "cgt-1")
    journal.polled(job, "running")
    journal.polled(job, "running")
    assert journal.unfinished("k" * 64).polls == 2
    done = journal.complete(job, {"video": "ab/cd/video.mp4"}, charge(0.7, job_id="cgt-1"))
    assert done.state == "succeeded" and journal.finished("k" * 64).results == {"video": "ab/cd/video.mp4"}
    journal.complete(job, {"video": "ab/cd/video.mp4"}, charge(0.7, job_id="cgt-1"))  # twice books once
    assert journal.job_ids("ark") == {"cgt-1"}

    ledger.charge(charge(0.3, entity="ep02_sc01_sh010"))
    assert [e.charge.cost for e in ledger.entries()] == [0.7, 0.3]
    assert ledger.total("USD") == pytest.approx(1.0)
    assert ledger.total("USD", entity_prefix="ep01_") == pytest.approx(0.7)
    assert [e.charge.job_id for e in ledger.entries(entity_prefix="ep0_")] == []  # the _ is not a LIKE wildcard
    ledger.record_outcome("seedance", "closeup", True)
    ledger.record_outcome("seedance", "closeup", False)
    ledger.record_outcome("seedance", "wide", False, kind="error")
    stats = ledger.stats()
    assert stats.outcomes == {("seedance", "closeup"): (1, 1)} and stats.streaks == {"seedance": 2}
    db.close()


def test_an_upserted_task_keeps_one_row(postgres_url: str) -> None:
    db = StateDB(postgres_url)
    db.set_task(Task(task_type=TaskType.VOICE, entity="l1", status=WIP, assignee="mika"))
    db.set_task(Task(task_type=TaskType.VOICE, entity="l1", status=RETAKE, last_error="clipped"))
    [task] = db.tasks()
    assert task.status.is_retake and task.assignee is None and task.last_error == "clipped"
    db.close()


# many writers at once -----------------------------------------------------------------------------


def _writer(url: str, index: int, jobs: list[int], start: multiprocessing.synchronize.Barrier,
            said: multiprocessing.Queue) -> None:
    """One worker of a build on another machine: takes (half of them raced by every worker), events, tasks,
    charges, and completing every job the others complete too."""
    db = StateDB(url)
    journal, ledger = Journal(db), Ledger(db)
    run = db.begin_run(f"worker {index}")
    start.wait(60)
    winners = {}
    for n in range(ROUNDS):
        shared = make_take(f"shared-{n}").model_copy(update={"id": f"w{index}-shared-{n}", "run_id": run})
        winners[shared.cache_key] = db.record_take(shared).id
        db.record_take(make_take(f"own-{index}-{n}").model_copy(update={"id": f"w{index}-own-{n}", "run_id": run}))
        db.record_event(run, "voice.line", f"l{n}", "ran", seconds=0.1)
        db.set_task(Task(task_type=TaskType.VOICE, entity=f"l{n}", status=WIP if index % 2 else RETAKE))
        ledger.charge(charge(0.25, entity=f"w{index}-{n}"))
    mine = [j for j in journal.jobs() if j.id in jobs]
    start.wait(60)  # and again: every worker completes every job at the same moment
    for job in mine:
        journal.complete(job, {"video": f"by-{index}.mp4"}, charge(1.0, job_id=job.job_id))
    db.finish_run(run, "succeeded", {"ran": ROUNDS})
    db.close()
    said.put(json.dumps({"index": index, "winners": winners}))


def _start(target, *args_of_each: tuple) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run ``target`` in one spawned process per argument tuple, released together; what each put back."""
    context = multiprocessing.get_context("spawn")
    start, said = context.Barrier(len(args_of_each)), context.Queue()
    workers = [context.Process(target=target, args=(*args, start, said)) for args in args_of_each]
    for worker in workers:
        worker.start()
    for worker in workers:  # the replies are small: a worker's queue never holds it back from ending
        worker.join(180)
    assert [worker.exitcode for worker in workers] == [0] * len(workers), "a worker failed: see its traceback above"
    return [json.loads(said.get(timeout=10)) for _ in workers]


def test_four_processes_writing_at_once_lose_nothing_and_duplicate_nothing(postgres_url: str) -> None:
    db = StateDB(postgres_url)
    journal = Journal(db)
    jobs = []
    for n in range(JOBS):
        intent = journal.intent(provider="ark", model="seedance", cache_key=f"{n:064d}", node=f"animate.clip [sh{n}]")
        jobs.append(journal.accepted(intent, f"cgt-{n}").id)

    replies = _start(_writer, *[(postgres_url, index, jobs) for index in range(WRITERS)])

    takes = db.takes()
    assert len(takes) == ROUNDS + WRITERS * ROUNDS and len({t.cache_key for t in takes}) == len(takes)
    stored = {t.cache_key: t.id for t in takes}
    for reply in replies:  # every worker was handed the one take that won its cache key
        assert reply["winners"] == {key: stored[key] for key in reply["winners"]}
    assert len(db.events(event="ran")) == WRITERS * ROUNDS
    assert len(db.tasks()) == ROUNDS
    assert [r.status for r in db.runs()] == ["succeeded"] * WRITERS
    ledger = Ledger(db)
    paid = [e.charge.job_id for e in ledger.entries() if e.charge.job_id]
    assert sorted(paid) == sorted(f"cgt-{n}" for n in range(JOBS)), "a job completed by four workers is paid once"
    assert ledger.total("USD") == WRITERS * ROUNDS * 0.25 + JOBS * 1.0
    assert {j.state for j in journal.jobs()} == {"succeeded"}
    db.close()


def _opener(url: str, warm_url: str, start: multiprocessing.synchronize.Barrier, said: multiprocessing.Queue) -> None:
    StateDB(warm_url).close()  # imports done and migrations read, so the opens below start together
    start.wait(60)
    db = StateDB(url)
    db.begin_run("opened")
    db.close()
    said.put(json.dumps({"opened": True}))


def test_processes_opening_a_new_database_at_once_migrate_it_once(postgres: PostgresServer) -> None:
    url, warm_url = postgres.new_database(), postgres.new_database()
    StateDB(warm_url).close()
    assert _start(_opener, *[(url, warm_url)] * WRITERS) == [{"opened": True}] * WRITERS
    db = StateDB(url)
    with db.engine.connect() as connection:
        assert connection.execute(text("select version_num from alembic_version")).scalars().all() == [_head()]
    assert len(db.runs()) == WRITERS
    db.close()


# the server not there, and passwords -----------------------------------------------------------------


def test_a_refused_connection_names_the_database_without_its_password() -> None:
    port = _closed_port()
    with pytest.raises(ProjectError) as refused:
        StateDB(f"postgresql://director:hunter2@127.0.0.1:{port}/drama")
    message = str(refused.value)
    assert f"cannot connect to the state database postgresql://director:***@127.0.0.1:{port}/drama" in message
    assert "Connection refused" in message and "PGPASSWORD" in message and "hunter2" not in message


def test_a_password_reaches_the_server_from_pgpassword_or_the_environment_url(
    postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres.new_database(owner=PASSWORD_ROLE)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    with pytest.raises(ProjectError, match="password"):
        StateDB(url)
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    StateDB(url).close()
    monkeypatch.delenv("PGPASSWORD")
    with_password = url.replace(f"{PASSWORD_ROLE}@", f"{PASSWORD_ROLE}:{PASSWORD}@")
    db = StateDB(with_password)
    assert PASSWORD not in db.url and f"{PASSWORD_ROLE}:***@" in db.url
    db.close()


# mangaline.toml and the environment -----------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MANGALINE_STATE_URL", raising=False)
    monkeypatch.delenv("MANGALINE_STORAGE_URL", raising=False)
    path = tmp_path / "mangaline.toml"
    write_settings(path, Settings(project=Project(name="harbour")))
    return path


def _append(path: Path, text: str) -> int:
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def test_a_password_in_the_state_url_is_refused_naming_the_line_not_the_password(config: Path) -> None:
    line = _append(config, '\n[state]\nurl = "postgresql://director:hunter2@db.studio:5432/drama"\n')
    with pytest.raises(ConfigError) as refused:
        load_settings(config)
    message = str(refused.value)
    assert f"{config}:{line + 2}: [state] url holds a password: passwords never go in files" in message
    assert "PGPASSWORD or ~/.pgpass" in message and "MANGALINE_STATE_URL" in message and "hunter2" not in message


def test_the_state_and_storage_urls_load_and_other_schemes_are_refused(config: Path) -> None:
    _append(config, '\n[state]\nurl = "postgresql://director@db.studio:5432/drama"\n\n'
                    '[storage]\nurl = "s3://dailies/harbour"\nendpoint_url = "http://minio:9000"\n')
    settings = load_settings(config)
    assert settings.state.url == "postgresql://director@db.studio:5432/drama"
    assert (settings.storage.url, settings.storage.endpoint_url) == ("s3://dailies/harbour", "http://minio:9000")
    config.write_text(config.read_text(encoding="utf-8").replace("postgresql://", "mysql://"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[state\] url: is not a postgresql://user@host:port/db URL"):
        load_settings(config)


def test_the_environment_overrides_the_files_urls_and_may_carry_a_password(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append(config, '\n[state]\nurl = "postgresql://director@db.studio:5432/drama"\n')
    monkeypatch.setenv("MANGALINE_STATE_URL", "postgresql://ops:s3cret@db.backup:5432/drama")
    monkeypatch.setenv("MANGALINE_STORAGE_URL", "s3://elsewhere/harbour")
    settings = load_settings(config)
    assert settings.state.url == "postgresql://ops:s3cret@db.backup:5432/drama"
    assert settings.storage.url == "s3://elsewhere/harbour"
    monkeypatch.setenv("MANGALINE_STATE_URL", "sqlite:///tmp/state.db")
    with pytest.raises(ConfigError, match="MANGALINE_STATE_URL is not a postgresql://"):
        load_settings(config)


def test_a_state_url_is_written_with_its_comment_and_never_with_a_password(config: Path) -> None:
    write_settings(config, Settings(project=Project(name="harbour")))
    assert "[state]" not in config.read_text(encoding="utf-8")  # unset: a project keeps its own SQLite file
    settings = Settings(project=Project(name="harbour"), state={"url": "postgresql://director@db.studio/drama"})
    write_settings(config, settings)
    assert 'url = "postgresql://director@db.studio/drama" # the state database' in config.read_text(encoding="utf-8")
    assert load_settings(config).state == settings.state
    with pytest.raises(ValueError, match="holds a password"):
        Settings(project=Project(name="harbour"), state={"url": "postgresql://director:x@db.studio/drama"})


# a whole project ----------------------------------------------------------------------------------


def test_a_folder_opens_the_configured_database(config: Path, postgres_url: str) -> None:
    _append(config, f'\n[state]\nurl = "{postgres_url}"\n')
    folder = ProjectFolder.open(config.parent)
    assert folder.state.postgres and folder.state.url == postgres_url
    folder.state.begin_run("build")
    folder.close()
    assert not (config.parent / ".mangaline" / "state.db").exists()
    reopened = open_state(config.parent, load_settings(config))
    assert [r.command for r in reopened.runs()] == ["build"]
    reopened.close()


@pytest.mark.slow
def test_a_draft_build_keeps_its_state_on_postgres_and_status_reads_it(
    tmp_path: Path, small_script: Path, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MANGALINE_STATE_URL", raising=False)
    project, url = tmp_path / "small-hours", postgres.new_database()
    mangaline("new", project, "--from", small_script)
    (project / ".mangaline" / "state.db").unlink()
    _append(project / "mangaline.toml", f'\n[state]\nurl = "{url}"\n')
    mangaline("build", project, "--no-progress")
    assert (project / "renders" / "ep01.mp4").is_file()
    assert not (project / ".mangaline" / "state.db").exists()

    status = json.loads(mangaline("status", project, "--json").stdout)
    assert set(status["counts"]) == {"FRESH"} and status["counts"]["FRESH"] >= 20
    db = StateDB(url)
    [run] = db.runs()
    assert run.status == "succeeded" and len(db.takes()) == status["counts"]["FRESH"]
    db.close()

    # the same project pointed at another, empty database by the environment: nothing is made there yet
    monkeypatch.setenv("MANGALINE_STATE_URL", postgres.new_database())
    elsewhere = json.loads(mangaline("status", project, "--json").stdout)
    assert set(elsewhere["counts"]) == {"MISSING"}


def test_the_cli_says_an_unreachable_database_in_one_line(
    tmp_path: Path, small_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MANGALINE_STATE_URL", raising=False)
    project, port = tmp_path / "small-hours", _closed_port()
    mangaline("new", project, "--from", small_script)
    _append(project / "mangaline.toml", f'\n[state]\nurl = "postgresql://director@127.0.0.1:{port}/drama"\n')
    monkeypatch.setenv("MANGALINE_STATE_URL", f"postgresql://director:hunter2@127.0.0.1:{port}/drama")
    result = mangaline("status", project, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "hunter2" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"cannot connect to the state database postgresql://director:***@127.0.0.1:{port}/drama" in line
    assert "Connection refused" in line and "PGPASSWORD" in line


def test_a_connection_error_met_mid_command_is_said_with_the_server_it_was_to() -> None:
    import psycopg

    from mangaline.cli import _database_error

    port = _closed_port()
    with pytest.raises(psycopg.OperationalError) as lost:
        psycopg.connect(f"postgresql://director:hunter2@127.0.0.1:{port}/drama", connect_timeout=5)
    problem = _database_error(lost.value)
    assert problem is not None and "hunter2" not in str(problem)
    assert f"the state database postgresql://director@127.0.0.1:{port}/drama cannot be reached" in str(problem)
    assert "Connection refused" in str(problem) and "PGPASSWORD" in str(problem)


def test_one_build_at_a_time_holds_a_shared_database_from_any_machine(postgres_url: str) -> None:
    from mangaline.project.state import StateDB

    here, there = StateDB(postgres_url), StateDB(postgres_url)  # two machines' builds, one database
    try:
        with here.exclusive():
            with pytest.raises(ProjectError, match="another build holds the project's database"):
                with there.exclusive():
                    pass
        with there.exclusive():  # released when the first build ends
            pass
    finally:
        here.close()
        there.close()
