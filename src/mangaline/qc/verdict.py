"""What a QC check says about one take: passed or not, a score, and the reason in words."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ClipSpec", "QcReport", "Verdict"]


@dataclass(frozen=True)
class ClipSpec:
    """What a clip was asked to be: its length and frame shape, and the limits the checks hold it to."""

    duration: float
    width: int
    height: int
    min_short_side: int = 320
    aspect_tolerance: float = 0.03
    duration_slack: float = 0.5
    duration_share: float = 0.2
    max_black_share: float = 0.2
    max_frozen_share: float = 0.6

    @property
    def aspect(self) -> float:
        return self.width / self.height


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
