"""The episode, rendered from its timeline: shot segments joined by stream copy, the stereo mix as AAC."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from mangaline.errors import RenderError

from ..atomic import atomic_path
from ..ffmpeg import MediaInfo, count_frames, probe, run_ffmpeg
from .audio import EpisodeMix, mix_episode
from .timeline import media

__all__ = ["EpisodeRender", "render_episode", "LOUDNESS_TARGET"]

LOUDNESS_TARGET = -14.0
"""Integrated loudness in LUFS the short-video platforms normalise to; a project sets its own in [sound]."""
AAC_BITRATE = "192k"


@dataclass(frozen=True)
class EpisodeRender:
    """The rendered episode and the mix it carries."""

    info: MediaInfo
    mix: EpisodeMix


def _concat_path(path: Path) -> str:
    # The concat list quotes paths in single quotes; a quote inside is written as '\''.
    return "'" + str(path.resolve()).replace("'", "'\\''") + "'"


def render_episode(
    timeline: otio.schema.Timeline, out_mp4: Path, *, stems_dir: Path, loudness: float = LOUDNESS_TARGET,
    check_frames: bool = False,
) -> EpisodeRender:
    """Render ``timeline`` to ``out_mp4``: its video track's segments (same encoder settings) joined without
    re-encoding, and its audio tracks mixed (``edit.audio.mix_episode``, stems into ``stems_dir``) as stereo AAC.

    The episode lasts exactly the video track's frames; the mix is padded or cut to it. ``check_frames``
    counts each segment's frames against its clip (the edit knows them; a caller that does not, asks).
    """
    out_mp4 = Path(out_mp4)
    what = f"render_episode {out_mp4.name}"
    found = media(timeline)
    if not found.segments:
        raise RenderError(what, "no segments to join")
    entries = []
    for segment, count in zip(found.segments, found.frames):
        if not segment.is_file():
            raise RenderError(what, f"missing segment {segment}")
        if check_frames and count_frames(segment) != count:
            raise RenderError(what, f"segment {segment.name} has {count_frames(segment)} frames, its clip {count}")
        # An explicit duration pins each segment to its frame count, so B-frame edit lists cannot nudge the cuts.
        entries.append(f"file {_concat_path(segment)}\nduration {count / found.fps:.6f}\n")
    frames, total = sum(found.frames), found.duration
    mix = mix_episode(found.audio, total, stems_dir, loudness=loudness)

    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mangaline-episode-") as tmp:
        listing = Path(tmp) / "segments.txt"
        listing.write_text("ffconcat version 1.0\n" + "".join(entries), encoding="utf-8")
        args = [
            "-y", "-loglevel", "error",
            "-f", "concat", "-safe", "0", "-i", str(listing),
            "-i", str(mix.mix),
            "-map", "0:v:0", "-map", "1:a:0",
            "-c:v", "copy",
            "-af", f"apad=whole_dur={total:.6f},atrim=end={total:.6f}",
            "-c:a", "aac", "-b:a", AAC_BITRATE, "-ar", "48000", "-ac", "2",
            "-frames:v", str(frames), "-t", f"{total:.6f}",
            "-movflags", "+faststart", "-f", "mp4",
        ]  # fmt: skip
        with atomic_path(out_mp4) as written:
            run_ffmpeg([*args, str(written)], what)
    return EpisodeRender(info=probe(out_mp4), mix=mix)
