"""The animate department: shot timing, and each shot's clip from the model the router picks."""

from .timing import line_events, time_shot

__all__ = ["line_events", "time_shot"]
