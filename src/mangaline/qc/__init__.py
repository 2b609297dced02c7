"""QC: the checks that judge a take against the bible (a character's colours against their turnaround sheet).

QC's vocabulary (ClipSpec, Verdict, QcReport, TakeRecord, RetakePolicy) is the model's (mangaline.model.qc);
the technical checks of a clip every step that buys one runs are shared (mangaline.technical_qc), and so are the
checks that see what a take shows (mangaline.checks), whose colour measures are re-exported here.
"""

from .identity import ROLES, identity_drift, turnaround_colours

__all__ = ["ROLES", "identity_drift", "turnaround_colours"]
