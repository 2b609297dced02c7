"""QC: the cut checks' step (``qc.steps``) and the names QC keeps for the colour measures of identity.

QC's vocabulary (Verdict, QcReport, TakeRecord, RetakePolicy) is the model's (mangaline.model.qc); the checks
that judge a take, and their colour measures re-exported here, are mangaline.checks. The measures are imported
on first use: building a graph imports this package, and the measures need scipy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ROLES", "identity_drift", "turnaround_colours"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import identity

        return getattr(identity, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
