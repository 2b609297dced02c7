"""Editor exports: an episode's cut as OTIO, FCP 7 XML, FCPXML, CMX 3600 EDL, a Kdenlive project and a JianYing draft.

Every export is written by a maintained adapter (OpenTimelineIO's, or pyJianYingDraft for the draft) from one
editor timeline: a video track of the published shot segments and one audio track per stem (the dialogue mix).
The layout, for an episode ``ep01`` of a project ``DIR``::

    DIR/exports/ep01/ep01.otio        media as paths relative to this folder
    DIR/exports/ep01/ep01.kdenlive    relative paths (MLT and Kdenlive resolve them from the project's folder)
    DIR/exports/ep01/ep01.edl         picture only: reels S001, S002, ... and each clip's relative path as a comment
    DIR/exports/ep01/ep01.xml         FCP 7 XML (Premiere, Resolve): absolute file URLs, all its readers take
    DIR/exports/ep01/ep01.fcpxml      FCPXML 1.8 (Final Cut Pro): absolute file URLs, its readers take no other
    DIR/exports/ep01/jianying/ep01/   a JianYing / CapCut draft: draft_content.json and draft_meta_info.json

Kdenlive's adapter is no longer kept up by its authors (Kdenlive 25.04 and later import the .otio itself); it is
used because it writes a project that older Kdenlive and MLT open, and the tests render that project with melt.

The media stay where the build published them (``DIR/renders/ep01/shots/<shot>.mp4``, and the dialogue mix
``DIR/renders/ep01/dialogue.wav``), so the relative exports open wherever the project folder is moved to.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import tempfile
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from pathlib import Path

import opentimelineio as otio

from ..atomic import atomic_path, write_text_atomic
from ..errors import MangalineError, RenderError
from ..ffmpeg import probe, run_ffmpeg

__all__ = ["FORMATS", "EpisodeMedia", "editor_timeline", "extract_dialogue", "parse_formats", "write_exports"]

FORMATS: dict[str, str] = {
    "otio": "OpenTimelineIO (.otio)",
    "fcp7": "Final Cut Pro 7 XML (.xml), for Premiere and DaVinci Resolve",
    "fcpxml": "Final Cut Pro X (.fcpxml)",
    "edl": "CMX 3600 EDL (.edl), picture only",
    "kdenlive": "Kdenlive project (.kdenlive)",
    "jianying": "JianYing / CapCut draft folder",
}
"""Every export by name, as `mangaline export --formats` takes them, in the order they are written."""

_SUFFIX = {"otio": ".otio", "fcp7": ".xml", "fcpxml": ".fcpxml", "edl": ".edl", "kdenlive": ".kdenlive"}
_ADAPTER = {"otio": "otio_json", "fcp7": "fcp_xml", "fcpxml": "fcpx_xml", "edl": "cmx_3600", "kdenlive": "kdenlive"}
_ABSOLUTE = {"fcp7", "fcpxml"}
"""Formats whose readers resolve only absolute file URLs (Premiere, Resolve and Final Cut Pro all do)."""
_REEL_LENGTH = 8
"""A CMX 3600 reel name has at most 8 characters."""


@dataclass(frozen=True, kw_only=True)
class EpisodeMedia:
    """What an editor needs of a built episode: its timeline, each shot's segment file and the audio stems.

    ``audio`` maps a track name ("Dialogue mix", later one per stem) to a WAV that starts with the episode.
    """

    episode: str
    timeline: otio.schema.Timeline
    segments: dict[str, Path]
    audio: dict[str, Path] = field(default_factory=dict)


def parse_formats(text: str) -> list[str]:
    """``"otio,edl"`` as a list of known format names, in the order given; an unknown name is refused."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if not names:
        raise MangalineError("no export format named", hint=f"give one or more of {', '.join(FORMATS)}")
    unknown = [name for name in names if name not in FORMATS]
    if unknown:
        raise MangalineError(f"unknown export format {unknown[0]!r}", hint=f"known formats: {', '.join(FORMATS)}")
    return list(dict.fromkeys(names))


def extract_dialogue(episode_mp4: Path, wav: Path) -> Path:
    """The episode's sound as a 48 kHz WAV: the mastered dialogue mix exactly as the published MP4 plays it."""
    with atomic_path(wav) as tmp:
        run_ffmpeg(["-i", str(episode_mp4), "-vn", "-c:a", "pcm_s16le", "-ar", "48000", "-f", "wav", str(tmp)],
                   f"dialogue of {episode_mp4}")
    return wav


def _rate(timeline: otio.schema.Timeline) -> int:
    fps = (timeline.metadata.get("mangaline") or {}).get("fps")
    if fps:
        return int(fps)
    return int(round(timeline.video_tracks()[0].duration().rate))


def _url(path: Path, base: Path | None) -> str:
    if base is None:
        return Path(path).resolve().as_uri()
    return Path(os.path.relpath(Path(path).resolve(), Path(base).resolve())).as_posix()


def _range(start: int, frames: int, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, fps), otio.opentime.RationalTime(frames, fps))


def editor_timeline(media: EpisodeMedia, *, relative_to: Path | None) -> otio.schema.Timeline:
    """The cut an editor opens: the shots in order on one video track, each stem on an audio track below.

    Media are referenced relative to ``relative_to`` (the export's folder), or by absolute file URLs when it is
    None. The dialogue lines of the build's timeline have no files of their own; they are heard in the mix.
    """
    source = media.timeline
    fps = _rate(source)
    videos = source.video_tracks()
    if not videos:
        raise RenderError(f"export {media.episode}", "the timeline has no video track")
    timeline = otio.schema.Timeline(name=source.name or media.episode)
    timeline.global_start_time = otio.opentime.RationalTime(0, fps)
    timeline.metadata["mangaline"] = dict(source.metadata.get("mangaline") or {})
    video = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    frames = 0
    for number, clip in enumerate(videos[0].find_clips(), start=1):
        segment = media.segments.get(clip.name)
        if segment is None or not Path(segment).is_file():
            raise RenderError(f"export {media.episode}", f"shot {clip.name} has no published segment ({segment})",
                              hint="build the episode again so that every shot's segment is published")
        length = round(clip.duration().rescaled_to(fps).value)
        cut = otio.schema.Clip(
            name=clip.name,
            media_reference=otio.schema.ExternalReference(target_url=_url(segment, relative_to),
                                                          available_range=_range(0, length, fps)),
            source_range=_range(0, length, fps),
        )
        cut.metadata["mangaline"] = dict(clip.metadata.get("mangaline") or {})
        # A reel names a source tape: unique per shot and short enough for every EDL reader.
        cut.metadata["cmx_3600"] = {"reel": f"S{number:03d}"[:_REEL_LENGTH]}
        video.append(cut)
        frames += length
    if frames == 0:
        raise RenderError(f"export {media.episode}", "the timeline has no shots")
    timeline.tracks.append(video)
    for name, wav in media.audio.items():
        if not Path(wav).is_file():
            raise RenderError(f"export {media.episode}", f"the {name} audio {wav} is missing",
                              hint="build the episode again so that its audio is published")
        track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
        track.append(otio.schema.Clip(
            name=name,
            media_reference=otio.schema.ExternalReference(target_url=_url(wav, relative_to),
                                                          available_range=_range(0, frames, fps)),
            source_range=_range(0, frames, fps),
        ))
        timeline.tracks.append(track)
    return timeline


def write_exports(media: EpisodeMedia, folder: Path, formats: list[str]) -> dict[str, Path]:
    """Write each of ``formats`` for one episode into ``folder``; returns the file (or draft folder) by format."""
    formats = parse_formats(",".join(formats))
    # every shot's segment and every stem is there before anything is written
    checked = editor_timeline(media, relative_to=None)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    first = media.segments[checked.video_tracks()[0].find_clips()[0].name]
    info = probe(first)
    if info.width is None or info.height is None:
        raise RenderError(f"export {media.episode}", f"the segment {first} has no picture")
    written: dict[str, Path] = {}
    for name in formats:
        if name == "jianying":
            written[name] = _write_jianying(media, folder / "jianying" / media.episode, info.width, info.height)
            continue
        # a CMX 3600 EDL is the picture cut: its adapter writes one track and refuses more than two audio tracks
        cut = replace(media, audio={}) if name == "edl" else media
        timeline = editor_timeline(cut, relative_to=None if name in _ABSOLUTE else folder)
        target = folder / f"{media.episode}{_SUFFIX[name]}"
        # the Kdenlive adapter prints a banner on stdout; stdout is the CLI's results
        with contextlib.redirect_stdout(io.StringIO()):
            text = otio.adapters.write_to_string(timeline, _ADAPTER[name])
        if name == "fcp7":
            text = _fcp7_frame(text, info.width, info.height, _rate(media.timeline))
        elif name == "fcpxml":
            text = _fcpxml_frame(text, info.width, info.height)
        elif name == "kdenlive":
            text = _kdenlive_frame(text, info.width, info.height, _rate(media.timeline), timeline.duration().value)
        write_text_atomic(target, text)
        written[name] = target
    return written


def _fcp7_frame(text: str, width: int, height: int, fps: int) -> str:
    """Give the sequence our frame: the adapter leaves its format empty, and Premiere then makes a 1080p
    landscape sequence of a vertical episode."""
    root = ET.fromstring(text)
    for video_format in root.iterfind(".//sequence/media/video/format"):
        if video_format.find("samplecharacteristics") is None:
            frame = ET.SubElement(video_format, "samplecharacteristics")
            rate = ET.SubElement(frame, "rate")
            ET.SubElement(rate, "timebase").text = str(fps)
            ET.SubElement(rate, "ntsc").text = "FALSE"
            for tag, value in (("width", width), ("height", height), ("anamorphic", "FALSE"),
                               ("pixelaspectratio", "square"), ("fielddominance", "none")):
                ET.SubElement(frame, tag).text = str(value)
    ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _fcpxml_frame(text: str, width: int, height: int) -> str:
    """Give the adapter's formats their frame size: Final Cut Pro refuses a format without one (an unnamed
    format with width, height and frameDuration is a custom format, as a vertical frame needs)."""
    root = ET.fromstring(text)
    for element in root.iter("format"):
        element.set("width", str(width))
        element.set("height", str(height))
        if not element.get("name"):
            del element.attrib["name"]
    ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n' + ET.tostring(root, encoding="unicode") + "\n"


def _kdenlive_frame(text: str, width: int, height: int, fps: int, frames: float) -> str:
    """The adapter writes a 1080p landscape profile and an endless black track: give the project our frame,
    and the black track and the main tractor the cut's length, so MLT and Kdenlive stop where the cut ends."""
    root = ET.fromstring(text)
    profile = root.find("profile")
    if profile is not None:
        divisor = math.gcd(width, height)
        profile.attrib.update({
            "description": f"{width}x{height} {fps} fps", "width": str(width), "height": str(height),
            "display_aspect_num": str(width // divisor), "display_aspect_den": str(height // divisor),
            "frame_rate_num": str(fps), "frame_rate_den": "1",
        })  # fmt: skip
    last = str(int(frames) - 1)
    for producer in root.iter("producer"):
        if producer.get("id") == "black_track":
            producer.set("in", "0")
            producer.set("out", last)
            ET.SubElement(producer, "property", name="length").text = str(int(frames))
    for tractor in root.findall("tractor"):
        if tractor.get("id") is None:  # the main tractor: the one that mixes the tracks
            tractor.set("in", "0")
            tractor.set("out", last)
    ET.indent(root, space="\t")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _microseconds(frame: int, fps: int) -> int:
    return round(frame * 1_000_000 / fps)


def _write_jianying(media: EpisodeMedia, target: Path, width: int, height: int) -> Path:
    """A JianYing draft folder written by pyJianYingDraft, built beside ``target`` and moved into place whole.

    A draft references its media by absolute paths: JianYing opens a draft only from its own drafts folder,
    where a relative path would no longer lead to the media.
    """
    try:
        import pyJianYingDraft as draft
    except ImportError:
        raise MangalineError("the JianYing export needs pyJianYingDraft",
                             hint="pip install 'mangaline[jianying]'") from None
    fps = _rate(media.timeline)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        script = draft.DraftFolder(str(scratch)).create_draft(media.episode, width, height, fps)
        video = script.append_track(draft.TrackSpec(draft.TrackType.video, name="Video"))
        frame = 0
        for clip in media.timeline.video_tracks()[0].find_clips():
            length = round(clip.duration().rescaled_to(fps).value)
            start, end = _microseconds(frame, fps), _microseconds(frame + length, fps)
            material = draft.VideoMaterial(str(Path(media.segments[clip.name]).resolve()), material_name=clip.name)
            # the source is read from its start for the cut's length, never past what the file holds
            script.add_segment(draft.VideoSegment(material, draft.Timerange(start, min(end - start, material.duration))), video)
            frame += length
        total = _microseconds(frame, fps)
        for name, wav in media.audio.items():
            audio = draft.AudioMaterial(str(Path(wav).resolve()), material_name=name)
            track = script.append_track(draft.TrackSpec(draft.TrackType.audio, name=name))
            script.add_segment(draft.AudioSegment(audio, draft.Timerange(0, min(total, audio.duration))), track)
        script.save()
        made = scratch / media.episode
        meta_path = made / "draft_meta_info.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta.update({"draft_id": str(uuid.uuid4()).upper(), "draft_name": media.episode, "tm_duration": total,
                     "draft_fold_path": str(target.resolve()), "draft_root_path": str(target.parent.resolve())})
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}-old-{uuid.uuid4().hex[:8]}")
            target.rename(old)
            made.rename(target)
            shutil.rmtree(old)
        else:
            made.rename(target)
    except (ValueError, OSError) as error:  # the library's word on a medium it could not read, or the disk's
        raise RenderError(f"export {media.episode} as a JianYing draft", str(error)) from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
