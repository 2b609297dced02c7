"""The voice department: dialogue lines spoken offline in each character's voice, and line timings."""

from .speech import EDIT_SAMPLE_RATE, Speech, available_engines, loudness_envelope, synthesize, write_wav
from .timing import spoken_seconds

__all__ = [
    "EDIT_SAMPLE_RATE",
    "Speech",
    "available_engines",
    "loudness_envelope",
    "spoken_seconds",
    "synthesize",
    "write_wav",
]
