"""QC check: the clip is about as long as asked; the edit trims or holds the last frame only for a small difference."""

from __future__ import annotations

from ..model.qc import ClipSpec, Verdict
from .facts import ClipFacts

__all__ = ["check_duration"]


def check_duration(facts: ClipFacts, spec: ClipSpec) -> Verdict:
    got, asked = facts.duration, spec.duration
    slack = max(spec.duration_slack, spec.duration_share * asked)
    if asked <= 0:
        return Verdict("duration", True, 1.0, f"{got:.2f} s (no length asked)")
    score = max(0.0, 1.0 - abs(got - asked) / asked)
    if got < asked - slack:
        return Verdict("duration", False, score, f"{got:.2f} s is short of the {asked:.2f} s asked (allowed {slack:.2f} s less)")
    if got > 2 * asked + slack:
        return Verdict("duration", False, score, f"{got:.2f} s is far over the {asked:.2f} s asked")
    return Verdict("duration", True, score, f"{got:.2f} s for {asked:.2f} s asked")
