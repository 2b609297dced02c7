"""QC check: the clip is a file FFmpeg reads, with a picture that decodes from first frame to last."""

from __future__ import annotations

from ..model.qc import ClipSpec, Verdict
from .facts import ClipFacts

__all__ = ["check_streams"]


def check_streams(facts: ClipFacts, spec: ClipSpec) -> Verdict:
    if facts.info is None:
        return Verdict("streams", False, 0.0, facts.decode_error or "not a media file")
    if facts.info.video_codec is None:
        return Verdict("streams", False, 0.0, "the file has no video stream")
    if facts.decode_error:
        return Verdict("streams", False, 0.0, facts.decode_error)
    if facts.duration <= 0:
        return Verdict("streams", False, 0.0, "the video stream is empty")
    return Verdict("streams", True, 1.0, f"{facts.info.video_codec} video")
