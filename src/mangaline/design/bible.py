"""The design department's entry point: a Script in, a Bible out, with the user's edits kept."""

from __future__ import annotations

from ..errors import ScriptError
from ..model import Bible, Script
from .characters import design_characters
from .lexicon import lexicon_for
from .sets import design_locations
from .words import TABLES

__all__ = ["design_bible"]


def design_bible(script: Script, existing: Bible | None = None) -> Bible:
    """Design every character and location the script needs that `existing` does not already hold.

    Entities in `existing` come back unchanged (the user may have edited their YAML); the
    rest are read from the action text, with seeded defaults where it says nothing, so the
    same script always gives the same bible.
    """
    if script.language not in TABLES:
        raise ScriptError(script.source, f"no design vocabulary for language {script.language!r}",
                          hint=f"use one of {', '.join(sorted(TABLES))}")
    existing = existing or Bible()
    lexicon = lexicon_for(script.language)
    characters = design_characters(script, lexicon, dict(existing.characters))
    locations = design_locations(script, lexicon, dict(existing.locations))
    return Bible(characters=characters, locations=locations, props=dict(existing.props))
