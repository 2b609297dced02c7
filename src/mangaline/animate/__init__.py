"""The animate department: shot timing, and each shot's clip from the model the router picks."""

from .timing import time_shot

__all__ = ["time_shot"]
