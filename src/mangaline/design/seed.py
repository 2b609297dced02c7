"""Seeded choices: every default the design department invents is drawn from the entity's id."""

from __future__ import annotations

import hashlib
import random

__all__ = ["seeded"]


def seeded(entity_id: str, purpose: str) -> random.Random:
    """A generator fixed by the entity id and what it is used for.

    hashlib rather than hash(): Python salts str hashes per process, and the same
    script must give a byte-identical bible on every machine and every run.
    """
    digest = hashlib.sha256(f"{purpose}\x00{entity_id}".encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))
