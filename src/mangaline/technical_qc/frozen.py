"""QC check: the picture moves; a clip frozen for most of its length is a still the model passed off as video."""

from __future__ import annotations

from ..model.qc import ClipSpec, Verdict
from .facts import ClipFacts

__all__ = ["check_frozen"]


def _minus(spans: list[tuple[float, float]], holes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of ``spans`` outside ``holes``."""
    left = list(spans)
    for h0, h1 in holes:
        cut = []
        for a, b in left:
            if b <= h0 or a >= h1:
                cut.append((a, b))
                continue
            if a < h0:
                cut.append((a, h0))
            if b > h1:
                cut.append((h1, b))
        left = cut
    return left


def check_frozen(facts: ClipFacts, spec: ClipSpec) -> Verdict:
    # a black stretch is also a still one; the black check already judges it, so it is not counted twice
    frozen = _minus(facts.frozen, facts.black)
    share = facts.share(frozen)
    if share > spec.max_frozen_share:
        spans = ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in frozen[:3])
        return Verdict("frozen", False, 1.0 - share, f"{share:.0%} of the clip is frozen ({spans})")
    return Verdict("frozen", True, 1.0 - share, f"{share:.0%} frozen")
