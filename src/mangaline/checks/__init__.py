"""QC that sees: checks of every take against what the line knows it should show (see base.py for the shapes).

Shared, not a department: a step that buys takes runs the checks on each one before it accepts
it, and the edit runs the cut checks over an episode. Checks are plugins under the
``mangaline.checks`` entry point group; ``[qc.checks.<name>]`` in mangaline.toml sets a
check's threshold, turns it off (``enabled = false``) or passes its options.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from ..errors import ConfigError
from ..model.qc import QcReport, Verdict
from .base import Check, CharacterTruth, CutCheck, LineTruth, Take, Truth, verdict

__all__ = ["ENTRY_POINT_GROUP", "Check", "CharacterTruth", "CutCheck", "LineTruth", "Take", "Truth", "available_checks",
           "enabled_checks", "load_checks", "run_checks", "run_cut_checks", "verdict"]

ENTRY_POINT_GROUP = "mangaline.checks"


def available_checks() -> dict[str, type[Check]]:
    """Every installed check class by name (the entry point's name is the check's name)."""
    return {ep.name: _load(ep) for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _load(ep: EntryPoint) -> type[Check]:
    try:
        cls = ep.load()
    except Exception as err:  # a broken plugin names itself instead of breaking every build with a traceback
        raise ConfigError(f"QC check {ep.name!r} ({ep.value}) failed to load: {err}",
                          hint=f"reinstall the package that provides it, or turn it off: [qc.checks.{ep.name}] "
                               "enabled = false") from err
    if not (isinstance(cls, type) and issubclass(cls, Check)):
        raise ConfigError(f"QC check {ep.name!r} ({ep.value}) is not a mangaline.checks.Check class")
    return cls


def enabled_checks(settings: Mapping[str, Mapping[str, Any]] | None = None, *, judge: bool = False) -> set[str]:
    """The names of the installed checks ``[qc.checks]`` leaves on (without loading them), and ``judge`` when
    [qc.judge] names a vision model."""
    settings = settings or {}
    return {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)
            if dict(settings.get(ep.name, {})).get("enabled", True) is not False} | ({"judge"} if judge else set())


def load_checks(settings: Mapping[str, Mapping[str, Any]] | None = None, *, subject: str | None = None,
                only: Iterable[str] | None = None) -> list[Check]:
    """The enabled checks, built from their ``[qc.checks.<name>]`` tables, in name order.

    ``subject`` keeps those that judge that kind of take ("image", "clip" or "cut"); ``only``
    keeps the named ones. A table for a check that is not installed is an error that names it.
    """
    settings = dict(settings or {})
    installed = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    unknown = sorted(set(settings) - set(installed))
    if unknown:
        raise ConfigError(f"[qc.checks] names check(s) not installed: {', '.join(unknown)}",
                          hint=f"installed checks: {', '.join(sorted(installed))}")
    wanted = set(only) if only is not None else None
    checks = []
    for name in sorted(installed):
        table = dict(settings.get(name, {}))
        if table.get("enabled", True) is False or (wanted is not None and name not in wanted):
            continue  # a check that is off is never even loaded
        cls = _load(installed[name])
        if subject is not None and subject not in cls.subjects:
            continue
        checks.append(cls(table))
    return checks


def run_checks(take: Take, truth: Truth, checks: Iterable[Check]) -> QcReport:
    """Every check's verdict on one take (those with nothing to say left out); a check that crashes fails the take."""
    verdicts: list[Verdict] = []
    for check in checks:
        if take.kind not in check.subjects:
            continue
        try:
            found = check.judge(take, truth)
        except Exception as err:  # one broken check must not pass a take nor stop the others
            found = Verdict(check=check.name, passed=False, score=0.0,
                            reason=f"the check could not judge the take: {type(err).__name__}: {err}")
        if found is not None:
            verdicts.append(found)
    return QcReport(clip=str(take.path), verdicts=tuple(verdicts))


def run_cut_checks(before: Take, after: Take, before_truth: Truth, after_truth: Truth,
                   checks: Iterable[Check]) -> QcReport:
    """Every cut check's verdict on the cut from ``before`` to ``after``."""
    verdicts: list[Verdict] = []
    for check in checks:
        if not isinstance(check, CutCheck):
            continue
        try:
            found = check.judge_cut(before, after, before_truth, after_truth)
        except Exception as err:
            found = Verdict(check=check.name, passed=False, score=0.0,
                            reason=f"the check could not judge the cut: {type(err).__name__}: {err}")
        if found is not None:
            verdicts.append(found)
    return QcReport(clip=f"{before.path} | {after.path}", verdicts=tuple(verdicts))
