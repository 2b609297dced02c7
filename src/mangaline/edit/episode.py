"""The episode, rendered from its timeline: its audio tracks mixed and encoded as stereo AAC (``render_mix``), and
its shot segments joined by stream copy with that audio (``render_episode``). The two halves read the same
timeline; the build runs them as two steps, so the mix of an edited episode is made while its new shots encode."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import opentimelineio as otio

from mangaline.errors import RenderError

from ..atomic import atomic_path
from ..ffmpeg import MediaInfo, count_frames, probe, run_ffmpeg
from .audio import EpisodeMix, mix_episode
from .timeline import media

__all__ = ["EpisodeRender", "render_episode", "render_mix", "LOUDNESS_TARGET"]

LOUDNESS_TARGET = -14.0
"""Integrated loudness in LUFS the short-video platforms normalise to; a project sets its own in [sound]."""


@dataclass(frozen=True)
class EpisodeRender:
    """The rendered episode and the mix it carries."""

    info: MediaInfo
    mix: EpisodeMix


def _concat_path(path: Path) -> str:
    # The concat list quotes paths in single quotes; a quote inside is written as '\''.
    return "'" + str(path.resolve()).replace("'", "'\\''") + "'"


def render_mix(timeline: otio.schema.Timeline, out_dir: Path, *, loudness: float = LOUDNESS_TARGET) -> EpisodeMix:
    """Mix ``timeline``'s audio tracks (``edit.audio.mix_episode``: the stems into ``out_dir``) and encode the mix as
    the episode's stereo AAC, mix.m4a beside them (as the stems are written), exactly as long as the video track's
    frames.

    Only the audio is read: the video track's clips need no files yet, just their lengths."""
    out_dir = Path(out_dir)
    found = media(timeline, segments=False)
    if not found.frames:
        raise RenderError(f"render_mix {timeline.name}", "the timeline has no shots")
    encoded = out_dir / "mix.m4a"
    with atomic_path(encoded) as written:
        mix = mix_episode(found.audio, found.duration, out_dir, loudness=loudness, encode_to=written)
    return replace(mix, mix=encoded, encoded=encoded)


def render_episode(
    timeline: otio.schema.Timeline, out_mp4: Path, *, stems_dir: Path | None = None, loudness: float = LOUDNESS_TARGET,
    check_frames: bool = False, mix: EpisodeMix | None = None,
) -> EpisodeRender:
    """Render ``timeline`` to ``out_mp4``: its video track's segments (same encoder settings) joined without
    re-encoding, with ``mix`` (``render_mix`` of the same timeline) as its audio, copied as it was encoded; without
    one, the timeline's audio is mixed here first (stems into ``stems_dir``).

    The episode lasts exactly the video track's frames; the mix is as long. ``check_frames``
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
    if mix is None:
        if stems_dir is None:
            raise RenderError(what, "neither a mix nor a folder for its stems was given")
        mix = render_mix(timeline, stems_dir, loudness=loudness)
    if mix.encoded is None or not mix.encoded.is_file():
        raise RenderError(what, f"the mix has no encoded audio: {mix.encoded}")

    out_mp4.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mangaline-episode-") as tmp:
        listing = Path(tmp) / "segments.txt"
        listing.write_text("ffconcat version 1.0\n" + "".join(entries), encoding="utf-8")
        args = [
            "-y", "-loglevel", "error",
            "-f", "concat", "-safe", "0", "-i", str(listing),
            "-i", str(mix.encoded),
            "-map", "0:v:0", "-map", "1:a:0",
            "-c", "copy",
            "-frames:v", str(frames), "-t", f"{total:.6f}",
            "-movflags", "+faststart", "-f", "mp4",
        ]  # fmt: skip
        with atomic_path(out_mp4) as written:
            run_ffmpeg([*args, str(written)], what)
    return EpisodeRender(info=probe(out_mp4), mix=mix)
