"""QC: technical checks of a take (streams, size, length, black and frozen frames) and the retake policy."""

from .black import check_black
from .duration import check_duration
from .facts import ClipFacts, gather_facts
from .frozen import check_frozen
from .resolution import check_resolution
from .retake import Move, RetakePolicy, TakeRecord
from .streams import check_streams
from .technical import CLIP_CHECKS, check_clip
from .verdict import ClipSpec, QcReport, Verdict

__all__ = [
    "CLIP_CHECKS",
    "ClipFacts",
    "ClipSpec",
    "Move",
    "QcReport",
    "RetakePolicy",
    "TakeRecord",
    "Verdict",
    "check_black",
    "check_clip",
    "check_duration",
    "check_frozen",
    "check_resolution",
    "check_streams",
    "gather_facts",
]
