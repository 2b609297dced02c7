"""Deliveries: an episode in another frame (16:9, 1:1) cut from that frame's segments under the master's own mix,
with the frame's subtitles, a cover and a title card.

The delivery is the master episode re-framed, never re-mixed: its segments are the shots drawn again from layouts
solved for the frame, joined by stream copy, and the sound is the master MP4's AAC stream copied as it is, so every
frame of every delivery plays the very mix the 9:16 episode does. The title card is a clip of its own
(``title.mp4``: the cover's picture, the series and episode titles, silence), encoded like every segment so an
uploader can put it before the episode by stream copy; the episode itself starts on its first shot, so its
subtitles, its cut and its mix stay the master's to the frame.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..atomic import atomic_path
from ..engine import Step, StepContext, StepOutput
from ..errors import RenderError
from ..ffmpeg import run_ffmpeg
from ..model.layout import ShotLayout
from ..model.timing import ShotTiming, SubtitleEvent
from .audio import AAC_ARGS
from .segment import _escape, video_codec_args
from .subtitles import subtitle_font_family, subtitle_font_file, wrap_lines, write_ass, write_srt

__all__ = ["DELIVERY", "TITLE_SECONDS", "cover_shot", "render_cover", "render_delivery", "render_title_card"]

TITLE_SECONDS = 2.5
"""How long the title card holds."""
_TITLE_SCALE = 0.075  # the episode title's size as a share of the frame's shorter side
_SERIES_SCALE = 0.042
_BAND = (0.60, 0.28)  # the dark band the titles sit on: its top and height as shares of the frame height
_FADE = 0.4  # seconds the title card fades in and out


_READABLE_HEAD = 0.06
"""A face counts on a cover when its head is at least this share of the frame's height: smaller, it is a speck at
the size a platform shows covers."""


def cover_shot(layouts: dict[str, ShotLayout]) -> str:
    """The shot whose picture makes the cover: the one showing the most faces whole (not a back to the camera), large
    enough to read at thumbnail size and clear of the title's band, the largest among equals, the earliest among
    those; an episode with no such face takes its first shot."""
    best, best_score = next(iter(layouts)), (0, 0.0)
    band_top, band_bottom = _BAND[0], _BAND[0] + _BAND[1]
    for code, layout in layouts.items():
        w, h = layout.frame_width, layout.frame_height
        heads = [c.head() for c in layout.characters if c.view != "back"]
        whole = [hd for hd in heads if hd[0] >= 0 and hd[1] >= 0 and hd[2] <= w and hd[3] <= h
                 and hd[3] - hd[1] >= _READABLE_HEAD * h and not band_top <= (hd[1] + hd[3]) / 2 / h <= band_bottom]
        # a face larger than a third of the frame is a close-up: strong, but a cover needs room for its title
        size = sum(min(hd[3] - hd[1], h / 3) for hd in whole) / h
        score = (len(whole), round(size, 6))
        if score > best_score:
            best, best_score = code, score
    return best


def _title_ass(path: Path, width: int, height: int, series: str, title: str, language: str, seconds: float) -> None:
    """An ASS file drawing the series name over the episode's title, centred in the band, for ``seconds``."""
    short = min(width, height)
    big, small = round(short * _TITLE_SCALE), round(short * _SERIES_SCALE)
    family = subtitle_font_family(language)
    band_top, band_height = _BAND
    centre = round(height * (band_top + band_height / 2))
    clean = lambda text: text.replace("{", "(").replace("}", ")").replace("\\", "/")  # noqa: E731
    # a long title wraps inside the safe width (9% each side), in ems of the title's size
    lines = wrap_lines(clean(title), (width * 0.82) / (big / 1.448) * 0.95)
    end = f"0:00:{seconds:05.2f}"
    text = "\\N".join(lines)
    body = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {width}", f"PlayResY: {height}", "WrapStyle: 0",
        "ScaledBorderAndShadow: yes", "YCbCr Matrix: TV.709", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
        "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
        "MarginR, MarginV, Encoding",
        f"Style: Title,{family},{big},&H00FFFFFF,&H00FFFFFF,&H00101010,&H80000000,-1,0,0,0,100,100,0,0,1,"
        f"{max(2, round(big * 0.06))},0,5,0,0,0,1",
        f"Style: Series,{family},{small},&H00E0E0E0,&H00FFFFFF,&H00101010,&H80000000,0,0,0,0,100,100,2,0,1,"
        f"{max(1, round(small * 0.06))},0,5,0,0,0,1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    if series.strip() and series.strip() != title.strip():
        body.append(f"Dialogue: 0,0:00:00.00,{end},Series,,0,0,0,,{{\\pos({width // 2},{centre - round(big * 0.9)})}}"
                    f"{clean(series)}")
        body.append(f"Dialogue: 0,0:00:00.00,{end},Title,,0,0,0,,{{\\pos({width // 2},{centre + round(small * 0.5)})}}{text}")
    else:  # a one-episode story: its title once
        body.append(f"Dialogue: 0,0:00:00.00,{end},Title,,0,0,0,,{{\\pos({width // 2},{centre})}}{text}")
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(body) + "\n", encoding="utf-8")


def _titled(width: int, height: int, ass: Path) -> str:
    """The filter chain that fills the frame with the picture and draws the titles on a dark band."""
    top, band = _BAND
    fonts = subtitle_font_file().parent
    return ",".join([
        f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic",
        f"crop={width}:{height}", "setsar=1",
        f"drawbox=x=0:y={round(height * top)}:w={width}:h={round(height * band)}:color=black@0.5:t=fill",
        f"ass=filename={_escape(str(ass))}:fontsdir={_escape(str(fonts))}",
    ])


def _still(picture: Path, tmp: Path) -> Path:
    """The picture as one frame: a still as it is, a clip's first frame."""
    if picture.suffix.lower() != ".mp4":
        return picture
    still = tmp / "first.png"
    run_ffmpeg(["-y", "-loglevel", "error", "-i", str(picture), "-frames:v", "1", str(still)], f"first frame of {picture.name}")
    return still


def render_cover(picture: Path, out_png: Path, *, width: int, height: int, series: str, title: str, language: str) -> None:
    """The episode's cover: ``picture`` (a keyframe, or a clip's first frame) filling the frame, titled."""
    with tempfile.TemporaryDirectory(prefix="mangaline-cover-") as tmp:
        ass = Path(tmp) / "title.ass"
        _title_ass(ass, width, height, series, title, language, TITLE_SECONDS)
        still = _still(Path(picture), Path(tmp))
        with atomic_path(out_png) as written:
            run_ffmpeg(["-y", "-loglevel", "error", "-i", str(still), "-vf", _titled(width, height, ass),
                        "-frames:v", "1", "-f", "image2", "-c:v", "png", str(written)], f"cover {out_png.name}")


def render_title_card(picture: Path, out_mp4: Path, *, width: int, height: int, fps: int, series: str, title: str,
                      language: str, seconds: float = TITLE_SECONDS) -> None:
    """The title card: the cover's picture with the titles, fading in and out, ``seconds`` long, with a silent
    stereo track; encoded like every segment (H.264, AAC 48 kHz) so it joins the episode by stream copy."""
    frames = round(seconds * fps)
    with tempfile.TemporaryDirectory(prefix="mangaline-title-") as tmp:
        ass = Path(tmp) / "title.ass"
        _title_ass(ass, width, height, series, title, language, seconds)
        still = _still(Path(picture), Path(tmp))
        chain = (f"[0:v]{_titled(width, height, ass)},fade=t=in:st=0:d={_FADE},fade=t=out:st={seconds - _FADE}:d={_FADE},"
                 "format=yuv420p,setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709[out]")
        args = ["-y", "-loglevel", "error", "-loop", "1", "-framerate", str(fps), "-i", str(still),
                "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-filter_complex", chain,
                "-map", "[out]", "-map", "1:a", "-frames:v", str(frames), "-t", f"{frames / fps:.6f}",
                *video_codec_args(fps), *AAC_ARGS, "-ar", "48000", "-ac", "2",
                "-movflags", "+faststart", "-f", "mp4"]
        with atomic_path(out_mp4) as written:
            run_ffmpeg([*args, str(written)], f"title card {out_mp4.name}")


def _concat_path(path: Path) -> str:
    return "'" + str(path.resolve()).replace("'", "'\\''") + "'"


def render_delivery(segments: list[tuple[Path, int]], master: Path, out_mp4: Path, *, fps: int) -> None:
    """Join ``segments`` (path, frames) by stream copy under the master MP4's audio stream, copied as it is."""
    if not segments:
        raise RenderError(f"delivery {out_mp4.name}", "no segments to join")
    frames = sum(count for _, count in segments)
    with tempfile.TemporaryDirectory(prefix="mangaline-delivery-") as tmp:
        listing = Path(tmp) / "segments.txt"
        listing.write_text("ffconcat version 1.0\n" + "".join(
            f"file {_concat_path(path)}\nduration {count / fps:.6f}\n" for path, count in segments), encoding="utf-8")
        args = ["-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(master),
                "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-frames:v", str(frames),
                "-movflags", "+faststart", "-f", "mp4"]
        with atomic_path(out_mp4) as written:
            run_ffmpeg([*args, str(written)], f"delivery {out_mp4.name}")


def deliver_episode(ctx: StepContext) -> StepOutput:
    """One episode in one frame: its segments under the master's mix, its subtitles for the frame, cover, title card."""
    params = ctx.params
    frame = params["frame"]
    width, height, fps, language = frame["width"], frame["height"], frame["fps"], frame["language"]
    master = ctx.inputs["master"]
    segments: list[tuple[Path, int]] = []
    events: list[SubtitleEvent] = []
    cursor = 0
    for code in params["shots"]:
        timing = ShotTiming.model_validate(ctx.inputs[f"clip:{code}"].data)
        segments.append((ctx.inputs[f"segment:{code}"].components["segment.mp4"], timing.frames))
        events += [event.later(cursor / fps) for event in timing.events]
        cursor += timing.frames
    if cursor != master.data["frames"]:
        raise ctx.fail(f"the shots last {cursor} frames, the master episode {master.data['frames']}: build it again")
    work = ctx.workdir
    render_delivery(segments, master.components["episode.mp4"], work / "episode.mp4", fps=fps)
    write_srt(events, work / "episode.srt")
    write_ass(events, work / "episode.ass", width=width, height=height, language=language)
    layouts = {code: ShotLayout.model_validate(ctx.inputs[f"layout:{code}"].data)
               for code in params["shots"] if f"layout:{code}" in ctx.inputs}
    cover = cover_shot(layouts) if layouts else params["shots"][0]
    pictures = ctx.inputs[f"picture:{cover}"].components
    picture = pictures.get("keyframe.png") or pictures.get("clip.mp4") or next(iter(pictures.values()))
    titles = {"width": width, "height": height, "series": params["series"], "title": params["title"], "language": language}
    render_cover(picture, work / "cover.png", **titles)
    render_title_card(picture, work / "title.mp4", fps=fps, **titles)
    return StepOutput(
        components={name: work / name for name in ("episode.mp4", "episode.srt", "episode.ass", "cover.png", "title.mp4")},
        data={"aspect": params["aspect"], "width": width, "height": height, "frames": cursor, "duration": cursor / fps,
              "shots": len(segments), "cover": cover, "title_seconds": round(TITLE_SECONDS * fps) / fps},
    )


DELIVERY = Step(name="edit.delivery", version="2", fn=deliver_episode, kind="cpu")
