"""The state database: runs, takes, step events, tasks and notes, behind a small typed API."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Connection, create_engine, event, select, text
from sqlalchemy import inspect as sqlalchemy_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import ProjectError
from ..model import Direction, Note, Provenance, Take, Task, TaskStatus, TaskType, Validation
from .tables import Base, DirectionRow, NoteRow, RunRow, StepEventRow, TakeRow, TaskRow

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

    from ..config import Settings

__all__ = [
    "StateDB",
    "RunRecord",
    "StepEvent",
    "Base",
    "RunRow",
    "TakeRow",
    "StepEventRow",
    "TaskRow",
    "NoteRow",
    "MIGRATIONS_DIR",
    "sqlite_url",
    "state_url",
    "open_state",
    "alembic_config",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SCHEMA_HEAD = "0004"
"""The newest migration's revision: a database already at it opens without loading Alembic (a third of a second
per process). tests/project checks it against the migrations folder."""
EVENTS = ("ran", "cached", "failed", "skipped")


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without a zone; everything we write is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def state_url(root: Path, settings: Settings | None = None) -> str:
    """Where the project at ``root`` keeps its state: ``[state] url`` (or MANGALINE_STATE_URL, which
    load_settings puts in its place) when set, else the SQLite file DIR/.mangaline/state.db."""
    url = settings.state.url if settings is not None else None
    return url or sqlite_url(Path(root) / ".mangaline" / "state.db")


def open_state(root: Path, settings: Settings | None = None) -> StateDB:
    """The project's state database, as every process of a build opens it (a worker on another machine too)."""
    return StateDB(state_url(root, settings))


_POSTGRES_SCHEMES = ("postgresql", "postgres")
_BUILD_LOCK = 0x6D616E67_6275696C  # b"mangbuil": held by the one build of the project at a time
_UPGRADE_LOCK = 0x6D616E67_6C696E65  # b"mangline": the advisory lock every upgrade of one database waits on
_CONNECT_TIMEOUT = 15  # seconds: a server behind a firewall that drops packets fails instead of hanging


def _engine_url(url: str) -> str:
    """The URL SQLAlchemy is given: libpq's postgresql:// (or postgres://) goes through psycopg 3."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql+psycopg://{rest}" if sep and scheme in _POSTGRES_SCHEMES else url


def _shown(url: str) -> str:
    """The URL as messages may show it: any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://", 1)[0] + "://..." if "@" in url else url


def _postgres_options(url: str) -> dict[str, Any]:
    query = make_url(url).query
    options: dict[str, Any] = {"application_name": "mangaline"} if "application_name" not in query else {}
    if "connect_timeout" not in query:
        options["connect_timeout"] = _CONNECT_TIMEOUT
    return options


@dataclass(frozen=True)
class RunRecord:
    """One `mangaline build` (or other command) as the database remembers it."""

    id: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    command: str
    counts: dict[str, Any]


@dataclass(frozen=True)
class StepEvent:
    """What happened to one node in one run: ran, cached, failed or skipped."""

    run_id: str
    step: str
    entity: str
    event: str
    seconds: float
    error: str | None
    attempts: int
    created_at: datetime


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the studio read while a build writes; the busy timeout turns lock contention
    # between processes into a short wait instead of "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_read_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///").split("?", 1)[0])
    return None


def _read_only_connect(path: Path) -> Any:
    """Connections to a database in a folder that cannot be written (a read-only disk, a copy without
    write permission): SQLite cannot make its -shm and -wal files there, so the file is opened
    read-only, and immutable unless a -wal file left by a stopped writer still holds recent commits."""
    immutable = "" if path.with_name(path.name + "-wal").exists() else "&immutable=1"
    uri = f"file:{quote(str(path.resolve()))}?mode=ro{immutable}"
    return lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)


def alembic_config(url: str) -> AlembicConfig:
    """The Alembic configuration built in code, so no alembic.ini is needed at run time."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class StateDB:
    """The project's metadata store; every write is its own short transaction.

    On SQLite (one machine) or PostgreSQL (several, through psycopg 3); ``url`` is the database as
    messages show it, its password hidden. Writers in many processes at once are safe on both: a
    duplicate take loses to the first, a task is one upsert, a journaled job is locked while it changes.
    """

    def __init__(self, url: str) -> None:
        self.url = _shown(url)
        path = _sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # a project on a read-only disk is read as it is: `status` works, and a write fails saying so
        self.read_only = path is not None and path.is_file() and not (
            os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        )
        try:
            if path is not None and self.read_only:
                self.engine: SqlEngine = create_engine(url, creator=_read_only_connect(path))
            elif _engine_url(url).startswith("postgresql+"):
                # pre-ping: a long build outlives idle connections the server or a proxy closed
                self.engine = create_engine(
                    _engine_url(url), pool_pre_ping=True, connect_args=_postgres_options(url)
                )
            else:
                self.engine = create_engine(url)
        except (SQLAlchemyError, ImportError) as err:
            hint = "install the cluster extra: pip install 'mangaline[cluster]'" if "psycopg" in str(err) else None
            raise ProjectError(f"cannot open the state database {self.url}: {err}", hint=hint) from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_read_pragmas if self.read_only else _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if self.read_only:
            self._check_current()
        else:
            self.upgrade()

    @classmethod
    def for_folder(cls, state_dir: Path) -> StateDB:
        return cls(sqlite_url(Path(state_dir) / "state.db"))

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def exclusive(self, *, wait: bool = False) -> Iterator[None]:
        """Hold this database for one build: on PostgreSQL, where builds on other machines may share it, a
        session advisory lock (the server lets go of it when the holder's connection ends, a killed build
        included); on SQLite nothing more than the project's own build lock, which covers its one machine."""
        if not self.postgres:
            yield
            return
        from sqlalchemy import text

        with self.engine.connect() as connection:
            if wait:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _BUILD_LOCK})
            elif not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _BUILD_LOCK}).scalar():
                raise ProjectError(f"another build holds the project's database {self.url} (perhaps on another machine)",
                                   hint="wait for it to end, or run the build with --wait")
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _BUILD_LOCK})

    def upgrade(self) -> None:
        """Bring the schema to the newest migration; a no-op on an up-to-date database.

        On PostgreSQL every upgrade holds one advisory lock until it commits, so processes that open a new
        database at once migrate it one after the other: the first does the work, the rest find it done.
        """
        connection = self._connect()
        try:
            with connection, connection.begin():
                if self._current_revision(connection) == SCHEMA_HEAD:
                    return
                from alembic import command as alembic_command

                if self.postgres:
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
                cfg = alembic_config(self.url)
                cfg.attributes["connection"] = connection
                alembic_command.upgrade(cfg, "head")
        except SQLAlchemyError as err:
            raise ProjectError(f"cannot migrate the state database {self.url}: {err}") from None

    def _current_revision(self, connection: Connection) -> str | None:
        """The schema's revision as Alembic recorded it, or None on a new database (read with plain SQL)."""
        if "alembic_version" not in sqlalchemy_inspect(connection).get_table_names():
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        return rows[0] if len(rows) == 1 else None

    def _connect(self) -> Connection:
        try:
            return self.engine.connect()
        except SQLAlchemyError as err:
            if not self.postgres:
                raise ProjectError(f"cannot migrate the state database {self.url}: {err}") from None
            reason = " ".join(str(getattr(err, "orig", None) or err).split())
            raise ProjectError(
                f"cannot connect to the state database {self.url}: {reason}",
                hint="start the PostgreSQL server or correct [state] url in mangaline.toml (MANGALINE_STATE_URL "
                "overrides it); a password goes in PGPASSWORD or ~/.pgpass",
            ) from None

    def _check_current(self) -> None:
        """A database that cannot be written cannot be migrated: it is read only if it is already current."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()
        try:
            with self.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
        except SQLAlchemyError as err:
            raise ProjectError(f"cannot read the state database {self.url}: {err}") from None
        if current != head:
            raise ProjectError(
                f"the state database {self.url} cannot be written, and its schema ({current or 'empty'}) is older than {head}",
                hint="open the project once where it can be written, so its database is brought up to date",
            )

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # runs -----------------------------------------------------------------

    def begin_run(self, command: str = "") -> str:
        run_id = uuid.uuid4().hex
        with self._write() as session:
            session.add(RunRow(id=run_id, started_at=_now(), status="running", command=command, counts={}))
        return run_id

    def finish_run(self, run_id: str, status: str, counts: dict[str, Any] | None = None) -> None:
        with self._write() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                raise ProjectError(f"run {run_id} is not in {self.url}")
            row.finished_at = _now()
            row.status = status
            row.counts = dict(counts or {})

    def runs(self) -> list[RunRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(RunRow).order_by(RunRow.started_at)).all()
            return [
                RunRecord(r.id, _aware(r.started_at), _aware(r.finished_at), r.status, r.command, dict(r.counts or {}))
                for r in rows
            ]

    # takes ----------------------------------------------------------------

    def record_take(self, take: Take) -> Take:
        """Store a take; a second take for the same cache key keeps the first (returned)."""
        prov = take.provenance
        row = TakeRow(
            id=take.id,
            step=take.step,
            entity=take.entity,
            cache_key=take.cache_key,
            code_version=prov.code_version,
            params_sha256=prov.params_sha256,
            input_versions=dict(prov.input_versions),
            data_version=take.data_version,
            components=dict(take.components),
            data=take.data,
            provenance=prov.model_dump(mode="json"),
            qc=dict(take.qc),
            validation=take.validation.value,
            created_at=take.created_at,
            run_id=take.run_id,
        )
        try:
            with self._write() as session:
                session.add(row)
        except IntegrityError:
            # the unique cache key made a second writer wait for the first to commit (PostgreSQL) or lock
            # the file (SQLite): either way the first take is committed, and this fresh read sees it
            existing = self.take_for_key(take.cache_key)
            if existing is None:
                raise
            return existing
        return take

    def take_for_key(self, cache_key: str) -> Take | None:
        with self._sessions() as session:
            row = session.scalars(select(TakeRow).where(TakeRow.cache_key == cache_key)).first()
            return _take(row) if row else None

    def takes_for_keys(self, cache_keys: list[str]) -> dict[str, Take]:
        """The takes made for any of ``cache_keys``, by key: one query per 500 keys, not one per key."""
        found: dict[str, Take] = {}
        with self._sessions() as session:
            for start in range(0, len(cache_keys), 500):
                chunk = cache_keys[start:start + 500]
                for row in session.scalars(select(TakeRow).where(TakeRow.cache_key.in_(chunk))):
                    found[row.cache_key] = _take(row)
        return found

    def take(self, take_id: str) -> Take | None:
        with self._sessions() as session:
            row = session.get(TakeRow, take_id)
            return _take(row) if row else None

    def latest_take(self, step: str, entity: str) -> Take | None:
        with self._sessions() as session:
            row = session.scalars(
                select(TakeRow)
                .where(TakeRow.step == step, TakeRow.entity == entity)
                .order_by(TakeRow.created_at.desc(), TakeRow.id.desc())
            ).first()
            return _take(row) if row else None

    def takes(self, step: str | None = None, entity: str | None = None) -> list[Take]:
        query = select(TakeRow).order_by(TakeRow.created_at, TakeRow.id)
        if step is not None:
            query = query.where(TakeRow.step == step)
        if entity is not None:
            query = query.where(TakeRow.entity == entity)
        with self._sessions() as session:
            return [_take(row) for row in session.scalars(query).all()]

    def set_validation(self, take_id: str, validation: Validation) -> None:
        with self._write() as session:
            row = session.get(TakeRow, take_id)
            if row is None:
                raise ProjectError(f"take {take_id} is not in {self.url}")
            row.validation = Validation(validation).value

    # step events ----------------------------------------------------------

    def record_event(
        self,
        run_id: str,
        step: str,
        entity: str,
        event: str,
        *,
        seconds: float = 0.0,
        error: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.record_events([StepEvent(run_id, step, entity, event, seconds, error, attempts, _now())])

    def record_events(self, events: Sequence[StepEvent]) -> None:
        """Several step events in one transaction: a rebuild settles hundreds of cached nodes at once."""
        for e in events:
            if e.event not in EVENTS:
                raise ValueError(f"event {e.event!r} is not one of {', '.join(EVENTS)}")
        if not events:
            return
        with self._write() as session:
            session.add_all([
                StepEventRow(run_id=e.run_id, step=e.step, entity=e.entity, event=e.event, seconds=e.seconds,
                             error=e.error, attempts=e.attempts, created_at=e.created_at)
                for e in events
            ])

    def events_after(self, after: int, *, limit: int = 500) -> list[tuple[int, StepEvent]]:
        """The step events recorded after event number ``after``, oldest first, with their numbers: how a
        watcher (the studio's live progress) follows any build of the project, whichever process runs it."""
        query = select(StepEventRow).where(StepEventRow.id > after).order_by(StepEventRow.id).limit(limit)
        with self._sessions() as session:
            return [
                (r.id, StepEvent(r.run_id, r.step, r.entity, r.event, r.seconds, r.error, r.attempts, _aware(r.created_at)))
                for r in session.scalars(query).all()
            ]

    def last_event(self) -> int:
        """The number of the newest step event (0 when there is none)."""
        with self._sessions() as session:
            return session.scalar(select(StepEventRow.id).order_by(StepEventRow.id.desc()).limit(1)) or 0

    def events(self, run_id: str | None = None, *, event: str | None = None) -> list[StepEvent]:
        query = select(StepEventRow).order_by(StepEventRow.id)
        if run_id is not None:
            query = query.where(StepEventRow.run_id == run_id)
        if event is not None:
            query = query.where(StepEventRow.event == event)
        with self._sessions() as session:
            return [
                StepEvent(r.run_id, r.step, r.entity, r.event, r.seconds, r.error, r.attempts, _aware(r.created_at))
                for r in session.scalars(query).all()
            ]

    # tasks ----------------------------------------------------------------

    def set_task(self, task: Task) -> None:
        """Insert or update the task for (task_type, entity): one upsert, so two processes never both insert it."""
        values = {
            "status": task.status.name,
            "is_wip": task.status.is_wip,
            "is_feedback_request": task.status.is_feedback_request,
            "is_retake": task.status.is_retake,
            "is_done": task.status.is_done,
            "assignee": task.assignee,
            "last_error": task.last_error,
            "updated_at": _now(),
        }
        dialect = postgresql if self.postgres else sqlite
        insert = dialect.insert(TaskRow).values(task_type=task.task_type.value, entity=task.entity, **values)
        upsert = insert.on_conflict_do_update(
            index_elements=[TaskRow.task_type, TaskRow.entity], set_={name: insert.excluded[name] for name in values}
        )
        with self._write() as session:
            session.execute(upsert)

    def tasks(self, task_type: TaskType | None = None) -> list[Task]:
        query = select(TaskRow).order_by(TaskRow.task_type, TaskRow.entity)
        if task_type is not None:
            query = query.where(TaskRow.task_type == TaskType(task_type).value)
        with self._sessions() as session:
            return [
                Task(
                    task_type=TaskType(r.task_type),
                    entity=r.entity,
                    status=TaskStatus(
                        name=r.status,
                        is_wip=r.is_wip,
                        is_feedback_request=r.is_feedback_request,
                        is_retake=r.is_retake,
                        is_done=r.is_done,
                    ),
                    assignee=r.assignee,
                    last_error=r.last_error,
                )
                for r in session.scalars(query).all()
            ]

    # notes ----------------------------------------------------------------

    def add_note(self, note: Note) -> None:
        with self._write() as session:
            if session.get(TakeRow, note.take_id) is None:
                raise ProjectError(f"cannot add a note: take {note.take_id} is not in {self.url}")
            session.add(
                NoteRow(
                    take_id=note.take_id, author=note.author, text=note.text, retake=note.retake, created_at=note.created_at
                )
            )

    def notes(self, take_id: str | None = None) -> list[Note]:
        query = select(NoteRow).order_by(NoteRow.created_at, NoteRow.id)
        if take_id is not None:
            query = query.where(NoteRow.take_id == take_id)
        with self._sessions() as session:
            return [
                Note(take_id=r.take_id, author=r.author, text=r.text, retake=r.retake, created_at=_aware(r.created_at))
                for r in session.scalars(query).all()
            ]


    # directions ------------------------------------------------------------

    def add_direction(self, direction: Direction) -> None:
        """Append a direction; none is ever changed or removed, so two reviewers' directions both stay on record."""
        with self._write() as session:
            session.add(DirectionRow(
                kind=direction.kind, shot=direction.shot, seed=direction.seed, prompt=direction.prompt,
                model=direction.model, take_id=direction.take_id, reason=direction.reason, author=direction.author,
                created_at=direction.created_at,
            ))

    def directions(self, shot: str | None = None) -> list[Direction]:
        """Every direction (or a shot's), oldest first."""
        query = select(DirectionRow).order_by(DirectionRow.id)
        if shot is not None:
            query = query.where(DirectionRow.shot == shot)
        with self._sessions() as session:
            return [
                Direction(kind=r.kind, shot=r.shot, seed=r.seed, prompt=r.prompt, model=r.model, take_id=r.take_id,
                          reason=r.reason, author=r.author, created_at=_aware(r.created_at))
                for r in session.scalars(query).all()
            ]


def _take(row: TakeRow) -> Take:
    return Take(
        id=row.id,
        step=row.step,
        entity=row.entity,
        cache_key=row.cache_key,
        data_version=row.data_version,
        components=dict(row.components or {}),
        data=dict(row.data or {}),
        provenance=Provenance.model_validate(row.provenance),
        validation=Validation(row.validation),
        qc=dict(row.qc or {}),
        created_at=_aware(row.created_at),
        run_id=row.run_id,
    )
