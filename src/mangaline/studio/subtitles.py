"""An episode's subtitles as WebVTT, what a browser's <track> reads, converted from the exported SRT (or ASS)."""

from __future__ import annotations

from pathlib import Path

import pysubs2

__all__ = ["webvtt"]


def webvtt(exports_dir: Path, episode: str) -> str | None:
    """The episode's subtitles as WebVTT text, from exports/<episode>.srt (else .ass); None when neither exists."""
    for suffix in ("srt", "ass"):
        path = Path(exports_dir) / f"{episode}.{suffix}"
        if path.is_file():
            subs = pysubs2.load(str(path), encoding="utf-8")
            return subs.to_string("vtt")
    return None
