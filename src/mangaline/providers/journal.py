"""The remote-job journal: a provider's job id is written down before it is awaited, so a crash resumes instead of paying twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ..errors import ProjectError
from ..project.state import StateDB
from ..project.tables import RemoteJobRow
from .ledger import Charge

__all__ = ["ACTIVE", "Journal", "RemoteJob", "RemoteJobRow"]

# submitting: written before the provider is asked, no id yet (a crash here is looked up, not resubmitted blind);
# submitted: the id is known, nothing polled yet; queued/running: as the provider last said
ACTIVE = ("submitting", "submitted", "queued", "running")
STATES = (*ACTIVE, "succeeded", "failed")


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class RemoteJob:
    """One paid job as the journal remembers it; ``results`` maps a name to the local file it was saved as."""

    id: int
    provider: str
    model: str
    cache_key: str
    node: str
    job_id: str | None
    state: str
    submitted_at: datetime
    updated_at: datetime
    polls: int
    results: dict[str, str]
    error: str | None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def _job(row: RemoteJobRow) -> RemoteJob:
    return RemoteJob(
        id=row.id,
        provider=row.provider,
        model=row.model,
        cache_key=row.cache_key,
        node=row.node,
        job_id=row.job_id,
        state=row.state,
        submitted_at=_aware(row.submitted_at),
        updated_at=_aware(row.updated_at),
        polls=row.polls,
        results=dict(row.results or {}),
        error=row.error,
    )


class Journal:
    """Remote jobs in the project's state database, keyed by the request's cache key."""

    def __init__(self, db: StateDB) -> None:
        self.db = db
        self._sessions = sessionmaker(db.engine, expire_on_commit=False)

    def intent(self, *, provider: str, model: str, cache_key: str, node: str) -> RemoteJob:
        """Write down a submit about to be made, before the provider is asked; committed before this returns.

        Its ``submitted_at`` is when the submit started: a task the provider created for it is
        found from then on, if the reply with its id is lost or the process stops before ``accepted``.
        """
        return self._add(provider, model, cache_key, node, None, "submitting")

    def accepted(self, job: RemoteJob, job_id: str) -> RemoteJob:
        """The provider's id for an intent (from its reply, or found by lookup); from here a crash resumes the job."""
        with self._sessions.begin() as session:
            row = self._row(session, job)
            row.job_id = job_id
            row.state = "submitted"
            row.error = None
            row.updated_at = _now()
            session.flush()
            return _job(row)

    def submitted(self, *, provider: str, model: str, cache_key: str, node: str, job_id: str | None) -> RemoteJob:
        """Write the job down; committed before this returns, so a crash after it can resume the job."""
        return self._add(provider, model, cache_key, node, job_id, "submitted")

    def _add(self, provider: str, model: str, cache_key: str, node: str, job_id: str | None, state: str) -> RemoteJob:
        now = _now()
        with self._sessions.begin() as session:
            row = RemoteJobRow(
                provider=provider,
                model=model,
                cache_key=cache_key,
                node=node,
                job_id=job_id,
                state=state,
                submitted_at=now,
                updated_at=now,
                polls=0,
                results={},
            )
            session.add(row)
            session.flush()
            return _job(row)

    def interrupted(self, job: RemoteJob, charge: Charge) -> None:
        """A synchronous call a stopped process left unanswered: closed, and what it may have cost booked, at once."""
        with self._sessions.begin() as session:
            row = self._row(session, job)
            row.state = "failed"
            row.error = charge.usage.get("note", "interrupted")
            row.updated_at = _now()
            session.add(charge.row())

    def unfinished(self, cache_key: str) -> RemoteJob | None:
        """The latest job for this request still running at the provider, or an intent whose id was never recorded."""
        return self._latest(cache_key, ACTIVE)

    def finished(self, cache_key: str) -> RemoteJob | None:
        """The latest job for this request that succeeded: its results are paid for."""
        return self._latest(cache_key, ("succeeded",))

    def _latest(self, cache_key: str, states: tuple[str, ...]) -> RemoteJob | None:
        with self._sessions() as session:
            row = session.scalars(
                select(RemoteJobRow)
                .where(RemoteJobRow.cache_key == cache_key, RemoteJobRow.state.in_(states))
                .order_by(RemoteJobRow.id.desc())
            ).first()
            return _job(row) if row else None

    def polled(self, job: RemoteJob, state: str) -> None:
        """Note one poll and the state the provider reported."""
        if state not in ACTIVE:
            raise ValueError(f"polled() takes an active state, not {state!r}; use complete() or failed()")
        with self._sessions.begin() as session:
            row = self._row(session, job)
            row.state = state
            row.polls += 1
            row.updated_at = _now()

    def failed(self, job: RemoteJob, error: str) -> None:
        with self._sessions.begin() as session:
            row = self._row(session, job)
            row.state = "failed"
            row.error = error
            row.updated_at = _now()

    def complete(self, job: RemoteJob, results: dict[str, str], charge: Charge | None) -> RemoteJob:
        """Mark the job succeeded with its saved files and book its charge, in one transaction.

        One transaction, so a crash can never leave a charged job that still looks unfinished
        (it would be charged again on resume) or a finished job with no charge.
        """
        with self._sessions.begin() as session:
            row = self._row(session, job)
            if row.state == "succeeded":
                return _job(row)
            row.state = "succeeded"
            row.results = dict(results)
            row.error = None
            row.updated_at = _now()
            if charge is not None:
                session.add(charge.row())
            session.flush()
            return _job(row)

    def saved_again(self, job: RemoteJob, results: dict[str, str]) -> None:
        """A finished job's files were lost and fetched again from a fresh URL: no new charge."""
        with self._sessions.begin() as session:
            row = self._row(session, job)
            row.results = dict(results)
            row.updated_at = _now()

    def job_ids(self, provider: str) -> set[str]:
        """Every job id journaled for ``provider``, in any state: tasks a lookup must not claim."""
        with self._sessions() as session:
            query = select(RemoteJobRow.job_id).where(
                RemoteJobRow.provider == provider, RemoteJobRow.job_id.is_not(None)
            )
            return set(session.scalars(query).all())

    def jobs(self, state: str | None = None) -> list[RemoteJob]:
        query = select(RemoteJobRow).order_by(RemoteJobRow.id)
        if state is not None:
            query = query.where(RemoteJobRow.state == state)
        with self._sessions() as session:
            return [_job(row) for row in session.scalars(query).all()]

    def _row(self, session: Any, job: RemoteJob) -> RemoteJobRow:
        # locked until the change commits (SELECT ... FOR UPDATE on PostgreSQL; SQLite locks the file): two
        # workers completing one job in READ COMMITTED would both see it unfinished and both book its charge
        row = session.get(RemoteJobRow, job.id, with_for_update=True)
        if row is None:
            raise ProjectError(f"remote job {job.id} ({job.provider} {job.job_id}) is not in {self.db.url}")
        return row
