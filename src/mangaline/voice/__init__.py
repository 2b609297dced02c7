"""The voice department: dialogue lines spoken in each character's voice by the model the router picks, and line timings."""

from .timing import spoken_seconds

__all__ = ["spoken_seconds"]
