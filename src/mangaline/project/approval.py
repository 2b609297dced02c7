"""Approval locks: an approved character design is fingerprinted on its turnaround take and may not drift by hand."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ProjectError, YamlEditError
from ..model import Character, Take, Validation, design_fingerprint
from .yamlio import load_yaml

if TYPE_CHECKING:
    from .state import StateDB

__all__ = ["SHEET_STEP", "approved_take", "check_approvals", "design_changes", "design_fingerprint", "lock_design",
           "unlock_design"]

SHEET_STEP = "design.character_sheet"
"""The step whose take is the reference of a character; the approval lock rides on it."""


def _locks(state: StateDB, character_id: str) -> list[Take]:
    return [take for take in state.takes(SHEET_STEP, character_id)
            if take.validation == Validation.VALIDATED and take.data.get("design_sha256")]


def approved_take(state: StateDB, character: Character) -> Take | None:
    """The validated turnaround take that locks the character's current version, if it was approved."""
    same = [take for take in _locks(state, character.id) if take.data.get("version") == character.version]
    return same[-1] if same else None


def lock_design(state: StateDB, character: Character, take: Take) -> Take:
    """Validate ``take`` as the approved reference of ``character``; it must show exactly this design and version.

    Refuses to re-approve a version whose approved design differs: an approved version is
    immutable, a changed design is a new version.
    """
    if take.step != SHEET_STEP or take.entity != character.id:
        raise ProjectError(f"take {take.id} is a {take.step} take of {take.entity}, not {character.id}'s turnaround")
    fingerprint = design_fingerprint(character)
    if take.data.get("design_sha256") != fingerprint:
        raise ProjectError(f"take {take.id} does not show the current design of {character.id} v{character.version}",
                           hint="rebuild the character sheet before approving it")
    earlier = approved_take(state, character)
    if earlier is not None and earlier.data.get("design_sha256") != fingerprint:
        raise ProjectError(
            f"{character.id} v{character.version} was already approved with another design",
            hint=f"set `version: {character.version + 1}` in bible/characters/{character.id}.yaml to approve the new design",
        )
    state.set_validation(take.id, Validation.VALIDATED)
    return take.model_copy(update={"validation": Validation.VALIDATED})


def unlock_design(state: StateDB, character_id: str) -> int:
    """Take back every approval of a character (its reference takes become neutral); returns how many there were."""
    locks = _locks(state, character_id)
    for take in locks:
        state.set_validation(take.id, Validation.NEUTRAL)
    return len(locks)


def design_changes(approved: dict[str, Any], current: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any, Any]]:
    """Every leaf that differs between two design dumps, as (path, approved value, current value)."""
    if isinstance(approved, dict) and isinstance(current, dict):
        found = []
        for key in sorted(set(approved) | set(current), key=str):
            found += design_changes(approved.get(key), current.get(key), (*prefix, str(key)))
        return found
    return [] if approved == current else [(prefix, approved, current)]


def _line(path: Path, keys: tuple[str, ...]) -> int | None:
    """The 1-based line of the deepest key of ``keys`` the YAML file still has."""
    try:
        node = load_yaml(path)
    except Exception:  # the file's own validation reports a broken file; a line is only a courtesy here
        return None
    line = None
    for key in keys:
        if not hasattr(node, "lc") or not isinstance(node, dict) or key not in node:
            break
        line = node.lc.key(key)[0] + 1
        node = node[key]
    return line


def check_approvals(characters: dict[str, Character], state: StateDB, characters_dir: Path) -> list[str]:
    """Refuse a hand edit to an approved design; returns notes on approvals that lock nothing yet.

    A character marked ``approved`` whose version has a lock must still have the locked
    design. A version bumped by hand (or ``approved: true`` typed into the YAML) has no
    lock: the build goes on with it and notes that it awaits ``mangaline approve``.
    """
    notes = []
    for cid, character in sorted(characters.items()):
        if not character.approved:
            continue
        lock = approved_take(state, character)
        if lock is None:
            notes.append(f"{cid} v{character.version} is marked approved but was not approved with "
                         f"`mangaline approve --character {cid}`: its design is not locked")
            continue
        if lock.data["design_sha256"] == design_fingerprint(character):
            continue
        path = Path(characters_dir) / f"{cid}.yaml"
        changes = design_changes(lock.data.get("design") or {}, character.design.model_dump(mode="json"))
        shown = "; ".join(f"{'.'.join(('design', *keys))}: {old!r} -> {new!r}" for keys, old, new in changes[:3])
        more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
        first = ("design", *changes[0][0]) if changes else ("design",)
        raise YamlEditError(
            f"bible/characters/{cid}.yaml" if not path.is_file() else str(path),
            f"{character.name} v{character.version} is approved and locked, but its design was edited by hand"
            + (f" ({shown}{more})" if shown else ""),
            line=_line(path, first),
            hint=(f"undo the edit; or bump `version: {character.version + 1}` to make a new design and approve it with "
                  f"`mangaline approve DIR --character {cid}`; or run `mangaline approve DIR --character {cid} --unapprove`"),
        )
    return notes
