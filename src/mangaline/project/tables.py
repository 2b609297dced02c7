"""The state database's tables: every SQL table mangaline keeps, declared once, migrated in migrations/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..model import Validation

__all__ = [
    "Base",
    "DirectionRow",
    "LedgerRow",
    "NoteRow",
    "OutcomeRow",
    "RemoteJobRow",
    "RunRow",
    "StepEventRow",
    "TakeRow",
    "TaskRow",
]


class Base(DeclarativeBase):
    pass


# the line's own record: runs, takes, step events, tasks, notes (migration 0001) -----------------


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


class DirectionRow(Base):
    """A reviewer's direction for a shot's next take (a retake, or the choice of a take): append-only, the newest holds.

    Migration 0004."""

    __tablename__ = "directions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # the task: keyframe or clip
    shot: Mapped[str] = mapped_column(String(256), index=True)
    seed: Mapped[int] = mapped_column(Integer)
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    model: Mapped[str | None] = mapped_column(String(128), nullable=True)
    take_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str] = mapped_column(String(16))  # retake or choose
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# paid work: the remote-job journal, the ledger, the router's QC outcomes (migration 0002) -------


class RemoteJobRow(Base):
    """One paid job (providers/journal.py)."""

    __tablename__ = "remote_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    cache_key: Mapped[str] = mapped_column(String(64), index=True)
    node: Mapped[str] = mapped_column(String(512))
    job_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    polls: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class LedgerRow(Base):
    """One spend (providers/ledger.py)."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(128))
    entity: Mapped[str] = mapped_column(String(256), index=True)
    job_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    cache_key: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    cost: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(8))
    usage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutcomeRow(Base):
    """One QC verdict on a take, or one provider failure, per model and shot type (providers/ledger.py)."""

    __tablename__ = "route_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    model: Mapped[str] = mapped_column(String(128), index=True)
    shot_type: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(8))  # qc: a take was judged; error: the provider failed the job
    passed: Mapped[bool] = mapped_column(Boolean)
    # the checks a judged take failed (none: it passed, or it was judged before checks were named)
    failed_checks: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
