"""QC's vocabulary: a check's verdict, a take's report and record, and the retake policy.

Plain data and one pure decision: the checks (mangaline.checks) fill a QcReport, and a step that
buys takes asks RetakePolicy what to do after each one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Move", "QcReport", "RetakePolicy", "TakeRecord", "Verdict"]


@dataclass(frozen=True)
class Verdict:
    """One check's judgement: ``score`` is 1.0 for a perfect take, 0.0 for a useless one."""

    check: str
    passed: bool
    score: float
    reason: str

    def to_dict(self) -> dict:
        return {"check": self.check, "passed": self.passed, "score": round(self.score, 4), "reason": self.reason}


@dataclass(frozen=True)
class QcReport:
    """Every check's verdict on one take; the take passes when every check does."""

    clip: str
    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]

    def summary(self) -> str:
        failed = self.failures()
        if not failed:
            return "passed " + ", ".join(v.check for v in self.verdicts)
        return "; ".join(f"{v.check}: {v.reason}" for v in failed)

    def to_dict(self) -> dict:
        return {"passed": self.passed, "verdicts": [v.to_dict() for v in self.verdicts]}


@dataclass(frozen=True)
class TakeRecord:
    """One take of a shot: which model and seed made it, whether it passed, and why not."""

    model: str
    seed: int
    passed: bool
    reason: str = ""
    refused: bool = False  # moderation or a missing provider: a new seed is no use, the next model may be
    cost: float = 0.0
    job_id: str | None = None

    def to_dict(self) -> dict:
        return {
            "model": self.model, "seed": self.seed, "passed": self.passed, "reason": self.reason,
            "refused": self.refused, "cost": round(self.cost, 6), "job_id": self.job_id,
        }


@dataclass(frozen=True)
class Move:
    """What to do next: accept the last take, retake with ``seed``, reroute to another model, or stop and flag."""

    kind: Literal["accept", "seed", "reroute", "stop"]
    seed: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class RetakePolicy:
    """Bounded retakes: at most ``max_retakes`` after the first take, ``takes_per_model`` seeds before rerouting."""

    max_retakes: int
    takes_per_model: int = 2

    def __post_init__(self) -> None:
        if self.max_retakes < 0 or self.takes_per_model < 1:
            raise ValueError("max_retakes must be >= 0 and takes_per_model >= 1")

    def next_move(self, history: Sequence[TakeRecord]) -> Move:
        """The move after the takes so far; never more than 1 + max_retakes takes in all."""
        if not history:
            raise ValueError("the policy decides after a take, not before the first")
        last = history[-1]
        if last.passed:
            return Move("accept")
        if len(history) - 1 >= self.max_retakes:
            return Move("stop", reason=f"{len(history)} take(s) failed and max_retakes is {self.max_retakes}")
        same = 0
        for take in reversed(history):
            if take.model != last.model:
                break
            same += 1
        if last.refused:
            return Move("reroute", reason=f"{last.model} refused the content")
        if same >= self.takes_per_model:
            return Move("reroute", reason=f"{same} take(s) of {last.model} failed QC")
        used = max(t.seed for t in history if t.model == last.model)
        return Move("seed", seed=used + 1, reason=f"retake of {last.model} with a new seed")
