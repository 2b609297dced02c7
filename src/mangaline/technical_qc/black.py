"""QC check: the clip is not black, or black for only a short stretch (a fade, not a failed render)."""

from __future__ import annotations

from ..model.qc import ClipSpec, Verdict
from .facts import ClipFacts

__all__ = ["check_black"]


def check_black(facts: ClipFacts, spec: ClipSpec) -> Verdict:
    share = facts.share(facts.black)
    spans = ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in facts.black[:3])
    if share > spec.max_black_share:
        return Verdict("black", False, 1.0 - share, f"{share:.0%} of the clip is black ({spans})")
    return Verdict("black", True, 1.0 - share, f"{share:.0%} black" + (f" ({spans})" if spans else ""))
