"""What FFmpeg can tell about a clip in one decoding pass: streams, size, length, black and frozen stretches."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..ffmpeg import MediaInfo, ffmpeg_exe, probe
from ..errors import RenderError

__all__ = ["ClipFacts", "gather_facts"]

_BLACK = re.compile(r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)")
_FREEZE_START = re.compile(r"freeze_start:\s*([\d.]+)")
_FREEZE_END = re.compile(r"freeze_end:\s*([\d.]+)")
# detection works as well on a small copy of the picture, and a 720p clip decodes several times faster so
_DETECT = "scale=160:-2,blackdetect=d=0.1:pic_th=0.98:pix_th=0.10,freezedetect=n=-50dB:d=0.5"


@dataclass(frozen=True)
class ClipFacts:
    """A clip as the checks see it; ``decode_error`` holds FFmpeg's complaint when the picture would not decode."""

    path: Path
    info: MediaInfo | None
    black: list[tuple[float, float]] = field(default_factory=list)
    frozen: list[tuple[float, float]] = field(default_factory=list)
    decode_error: str | None = None

    @property
    def duration(self) -> float:
        return self.info.duration if self.info else 0.0

    def share(self, spans: list[tuple[float, float]]) -> float:
        if self.duration <= 0:
            return 0.0
        return min(1.0, sum(max(0.0, end - start) for start, end in spans) / self.duration)


def gather_facts(path: Path) -> ClipFacts:
    """Probe the clip and decode it once through blackdetect and freezedetect; a broken file gives facts, not an error."""
    path = Path(path)
    try:
        info = probe(path)
    except RenderError as err:
        return ClipFacts(path=path, info=None, decode_error=str(err).splitlines()[0])
    if info.video_codec is None:
        return ClipFacts(path=path, info=info)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0", "-vf", _DETECT, "-an", "-f", "null", "-"]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    text = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = [ln for ln in text.strip().splitlines() if ln.strip()][-1:] or ["no message"]
        return ClipFacts(path=path, info=info, decode_error=f"FFmpeg could not decode the picture: {tail[0]}")
    black = [(float(a), float(b)) for a, b in _BLACK.findall(text)]
    starts = [float(s) for s in _FREEZE_START.findall(text)]
    ends = [float(e) for e in _FREEZE_END.findall(text)]
    # a freeze that lasts to the last frame has a start and no end
    ends += [info.duration] * (len(starts) - len(ends))
    return ClipFacts(path=path, info=info, black=black, frozen=list(zip(starts, ends, strict=True)))
