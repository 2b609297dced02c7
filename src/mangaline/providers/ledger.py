"""The ledger: every spend with the provider's own usage figures, and the QC outcomes the router learns pass rates from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ..project.state import StateDB
from ..project.tables import LedgerRow, OutcomeRow
from .router import RouteStats

__all__ = ["Charge", "Ledger", "LedgerEntry", "LedgerRow", "OutcomeRow"]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class Charge:
    """One spend: who was paid, for what, how much in the provider's unit, and what it cost."""

    provider: str
    model: str
    step: str
    entity: str
    quantity: float
    unit: str
    cost: float
    currency: str
    usage: dict[str, Any] = field(default_factory=dict)
    job_id: str | None = None
    cache_key: str = ""

    def row(self) -> LedgerRow:
        return LedgerRow(
            at=_now(),
            provider=self.provider,
            model=self.model,
            step=self.step,
            entity=self.entity,
            job_id=self.job_id,
            cache_key=self.cache_key,
            quantity=self.quantity,
            unit=self.unit,
            cost=self.cost,
            currency=self.currency,
            usage=dict(self.usage),
        )


@dataclass(frozen=True)
class LedgerEntry:
    """A charge as the ledger holds it."""

    id: int
    at: datetime
    charge: Charge


def _entry(row: LedgerRow) -> LedgerEntry:
    return LedgerEntry(
        id=row.id,
        at=_aware(row.at),
        charge=Charge(
            provider=row.provider,
            model=row.model,
            step=row.step,
            entity=row.entity,
            quantity=row.quantity,
            unit=row.unit,
            cost=row.cost,
            currency=row.currency,
            usage=dict(row.usage or {}),
            job_id=row.job_id,
            cache_key=row.cache_key,
        ),
    )


class Ledger:
    """The spends and QC outcomes in the project's state database; every write is one short transaction."""

    def __init__(self, db: StateDB) -> None:
        self.db = db
        self._sessions = sessionmaker(db.engine, expire_on_commit=False)

    def charge(self, charge: Charge) -> LedgerEntry:
        with self._sessions.begin() as session:
            row = charge.row()
            session.add(row)
            session.flush()
            return _entry(row)

    def entries(self, *, provider: str | None = None, entity_prefix: str | None = None) -> list[LedgerEntry]:
        query = select(LedgerRow).order_by(LedgerRow.id)
        if provider is not None:
            query = query.where(LedgerRow.provider == provider)
        if entity_prefix:
            query = query.where(LedgerRow.entity.startswith(entity_prefix, autoescape=True))
        with self._sessions() as session:
            return [_entry(row) for row in session.scalars(query).all()]

    def total(self, currency: str, *, entity_prefix: str | None = None, catalogue: Any = None) -> float:
        """Everything spent, in ``currency`` (entries in other currencies converted with the catalogue's rates)."""
        total = 0.0
        for entry in self.entries(entity_prefix=entity_prefix):
            c = entry.charge
            if c.currency == currency:
                total += c.cost
            else:
                if catalogue is None:
                    from .catalogue import load_catalogue

                    catalogue = load_catalogue()
                total += catalogue.convert(c.cost, c.currency, currency)
        return total

    # outcomes ---------------------------------------------------------------

    def check_rates(self) -> dict[tuple[str, str, str], tuple[int, int]]:
        """Per (model, check, shot type): (takes judged, takes that failed the check), from the takes whose checks were named."""
        rates: dict[tuple[str, str, str], tuple[int, int]] = {}
        judged: dict[tuple[str, str], int] = {}
        failed: dict[tuple[str, str, str], int] = {}
        with self._sessions() as session:
            for row in session.scalars(select(OutcomeRow).where(OutcomeRow.kind == "qc")):
                if row.failed_checks is None:
                    continue
                judged[(row.model, row.shot_type)] = judged.get((row.model, row.shot_type), 0) + 1
                for check in row.failed_checks:
                    failed[(row.model, check, row.shot_type)] = failed.get((row.model, check, row.shot_type), 0) + 1
        for (model, check, shot_type), count in failed.items():
            rates[(model, check, shot_type)] = (judged[(model, shot_type)], count)
        return dict(sorted(rates.items()))

    def record_outcome(self, model: str, shot_type: str, passed: bool, *, entity: str = "", kind: str = "qc",
                       failed_checks: Iterable[str] | None = None) -> None:
        """A QC verdict on a take (kind qc, with the checks it failed) or a provider failure of a job (kind error)."""
        if kind not in ("qc", "error"):
            raise ValueError(f"outcome kind {kind!r} is not qc or error")
        failed = sorted(set(failed_checks)) if failed_checks is not None else None
        if failed and passed:
            raise ValueError(f"a take that failed {', '.join(failed)} did not pass")
        with self._sessions.begin() as session:
            session.add(
                OutcomeRow(at=_now(), model=model, shot_type=shot_type or "any", entity=entity, kind=kind, passed=passed,
                           failed_checks=failed)
            )

    def stats(
        self, *, prior_passes: float = 4.0, prior_failures: float = 1.0, failover_after: int = 3,
        enabled_checks: Iterable[str] | None = None,
    ) -> RouteStats:
        """Pass rates from QC verdicts per (model, shot type), and each model's current run of failures.

        With ``enabled_checks``, a take counts as passed when it failed none of those checks: a check
        turned off since (or never on) no longer costs a model its pass rate. Takes judged before the
        checks were named count as they were judged.
        """
        enabled = set(enabled_checks) if enabled_checks is not None else None
        outcomes: dict[tuple[str, str], tuple[int, int]] = {}
        streaks: dict[str, int] = {}
        with self._sessions() as session:
            rows: Iterable[OutcomeRow] = session.scalars(select(OutcomeRow).order_by(OutcomeRow.id)).all()
            for row in rows:
                passed = row.passed
                if row.kind == "qc" and enabled is not None and row.failed_checks:
                    passed = not (set(row.failed_checks) & enabled)
                if row.kind == "qc":
                    passes, failures = outcomes.get((row.model, row.shot_type), (0, 0))
                    outcomes[(row.model, row.shot_type)] = (passes + passed, failures + (not passed))
                streaks[row.model] = 0 if passed else streaks.get(row.model, 0) + 1
        return RouteStats(
            outcomes=outcomes,
            streaks={m: n for m, n in streaks.items() if n},
            prior_passes=prior_passes,
            prior_failures=prior_failures,
            failover_after=failover_after,
        )
