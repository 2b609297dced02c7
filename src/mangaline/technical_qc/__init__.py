"""Technical QC of a video clip: one FFmpeg decoding pass, then every check on what it found (one file each).

Shared, not a department: a step that buys clips (animate.video, animate.lipsync) runs it on each take
before accepting one. The checks a department owns, such as character identity, are in qc/.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .black import check_black
from .duration import check_duration
from .facts import ClipFacts, gather_facts
from .frozen import check_frozen
from .resolution import check_resolution
from .streams import check_streams
from ..model.qc import ClipSpec, QcReport, Verdict

__all__ = ["CLIP_CHECKS", "ClipFacts", "check_black", "check_clip", "check_duration", "check_frozen", "check_resolution",
           "check_streams", "gather_facts"]

CLIP_CHECKS: tuple[Callable[[ClipFacts, ClipSpec], Verdict], ...] = (
    check_streams,
    check_resolution,
    check_duration,
    check_black,
    check_frozen,
)


def check_clip(path: Path, spec: ClipSpec) -> QcReport:
    """Run every technical check on a clip; when the file will not even decode, only that verdict is given."""
    facts = gather_facts(Path(path))
    first = check_streams(facts, spec)
    if not first.passed:
        return QcReport(clip=str(path), verdicts=(first,))
    return QcReport(clip=str(path), verdicts=tuple(check(facts, spec) for check in CLIP_CHECKS))
