"""The state database: runs, takes, step events, tasks and notes, behind a small typed API."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from ..errors import ProjectError
from ..model import Note, Provenance, Take, Task, TaskStatus, TaskType, Validation

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
    "alembic_config",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
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


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    command: Mapped[str] = mapped_column(Text, default="")
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TakeRow(Base):
    __tablename__ = "takes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    step: Mapped[str] = mapped_column(String(128), index=True)
    entity: Mapped[str] = mapped_column(String(256), index=True)
    cache_key: Mapped[str] = mapped_column(String(64), unique=True)
    code_version: Mapped[str] = mapped_column(String(64))
    params_sha256: Mapped[str] = mapped_column(String(64))
    input_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data_version: Mapped[str] = mapped_column(String(64))
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    qc: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    validation: Mapped[str] = mapped_column(String(16), default=Validation.NEUTRAL.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("runs.id"), nullable=True)


class StepEventRow(Base):
    __tablename__ = "step_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.id"), index=True)
    step: Mapped[str] = mapped_column(String(128))
    entity: Mapped[str] = mapped_column(String(256))
    event: Mapped[str] = mapped_column(String(16))
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TaskRow(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("task_type", "entity", name="uq_tasks_type_entity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_type: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(32))
    is_wip: Mapped[bool] = mapped_column(Boolean, default=False)
    is_feedback_request: Mapped[bool] = mapped_column(Boolean, default=False)
    is_retake: Mapped[bool] = mapped_column(Boolean, default=False)
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee: Mapped[str | None] = mapped_column(String(128), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoteRow(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    take_id: Mapped[str] = mapped_column(String(32), ForeignKey("takes.id"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    retake: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class StateDB:
    """The project's metadata store; every write is its own short transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
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
            else:
                self.engine = create_engine(url)
        except (SQLAlchemyError, ImportError) as err:
            raise ProjectError(f"cannot open the state database {url}: {err}") from None
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

    def upgrade(self) -> None:
        """Bring the schema to the newest migration; a no-op on an up-to-date database."""
        cfg = alembic_config(self.url)
        try:
            with self.engine.begin() as connection:
                cfg.attributes["connection"] = connection
                alembic_command.upgrade(cfg, "head")
        except SQLAlchemyError as err:
            raise ProjectError(f"cannot migrate the state database {self.url}: {err}") from None

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
            existing = self.take_for_key(take.cache_key)
            if existing is None:
                raise
            return existing
        return take

    def take_for_key(self, cache_key: str) -> Take | None:
        with self._sessions() as session:
            row = session.scalars(select(TakeRow).where(TakeRow.cache_key == cache_key)).first()
            return _take(row) if row else None

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
        if event not in EVENTS:
            raise ValueError(f"event {event!r} is not one of {', '.join(EVENTS)}")
        with self._write() as session:
            session.add(
                StepEventRow(
                    run_id=run_id,
                    step=step,
                    entity=entity,
                    event=event,
                    seconds=seconds,
                    error=error,
                    attempts=attempts,
                    created_at=_now(),
                )
            )

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
        """Insert or update the task for (task_type, entity)."""
        with self._write() as session:
            row = session.scalars(
                select(TaskRow).where(TaskRow.task_type == task.task_type.value, TaskRow.entity == task.entity)
            ).first()
            if row is None:
                row = TaskRow(task_type=task.task_type.value, entity=task.entity)
                session.add(row)
            row.status = task.status.name
            row.is_wip = task.status.is_wip
            row.is_feedback_request = task.status.is_feedback_request
            row.is_retake = task.status.is_retake
            row.is_done = task.status.is_done
            row.assignee = task.assignee
            row.last_error = task.last_error
            row.updated_at = _now()

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
