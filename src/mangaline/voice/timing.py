"""How long a line takes to say, estimated from its text before any audio exists (shared with the planner)."""

from __future__ import annotations

from ..model.pacing import CJK_LANGUAGES, language_code, spoken_seconds

__all__ = ["CJK_LANGUAGES", "language_code", "spoken_seconds"]
