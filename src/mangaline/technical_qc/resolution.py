"""QC check: the picture is big enough and has the shape asked for (a 16:9 clip cannot be cropped into 9:16)."""

from __future__ import annotations

from ..model.qc import ClipSpec, Verdict
from .facts import ClipFacts

__all__ = ["check_resolution"]


def check_resolution(facts: ClipFacts, spec: ClipSpec) -> Verdict:
    info = facts.info
    if info is None or not info.width or not info.height:
        return Verdict("resolution", False, 0.0, "no picture size to check")
    size = f"{info.width}x{info.height}"
    short = min(info.width, info.height)
    if short < spec.min_short_side:
        return Verdict("resolution", False, short / spec.min_short_side, f"{size} is under {spec.min_short_side} px on its short side")
    aspect = info.width / info.height
    off = abs(aspect / spec.aspect - 1.0)
    if off > spec.aspect_tolerance:
        return Verdict(
            "resolution", False, max(0.0, 1.0 - off),
            f"{size} is {aspect:.3f} wide per high, asked {spec.width}x{spec.height} ({spec.aspect:.3f})",
        )
    return Verdict("resolution", True, 1.0 - off, size)
