"""Character identity: a character's colours inside their mask in a shot, against their turnaround sheet (CIEDE2000).

The measures live with the checks that judge every take (``mangaline.checks.identity``); QC keeps its names for them.
"""

from __future__ import annotations

from mangaline.checks.identity import ROLES, identity_drift, turnaround_colours

__all__ = ["ROLES", "identity_drift", "turnaround_colours"]
