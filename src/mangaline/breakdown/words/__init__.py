"""The prose rules' vocabulary, one module of plain tables per language (en, zh, ja)."""

from __future__ import annotations

from types import ModuleType

from . import en, ja, zh

__all__ = ["TABLES", "en", "ja", "zh"]

TABLES: dict[str, ModuleType] = {"en": en, "zh": zh, "ja": ja}
