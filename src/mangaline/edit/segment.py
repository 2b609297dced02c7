"""One shot to one video segment (the motion-comic graph, or a model's clip fitted to the frame), subtitles burned in, H.264."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from PIL import Image
from pydantic import ValidationError

from mangaline.errors import RenderError, invalid_values
from mangaline.model import KeyframeLayers, Layer
from mangaline.model.motion import MotionPlan
from mangaline.model.timing import SubtitleEvent

from ..atomic import atomic_path
from ..ffmpeg import run_ffmpeg
from .subtitles import subtitle_font_file, write_ass

__all__ = ["ENDS_WIDTH", "X264_CRF", "X264_PRESET", "ends_size", "render_clip_segment", "render_segment",
           "video_codec_args"]

X264_PRESET = "veryfast"
"""Flat manga art compresses well, so a fast preset keeps quality and leaves the CPU to the filters."""
X264_CRF = 20


def video_codec_args(fps: int) -> list[str]:
    """Encoder settings shared by every segment, so segments join by stream copy."""
    return [
        # two encoder threads: as fast as more on the two cores the line runs two segments on,
        # and each fewer thread saves tens of MB of frame buffers
        "-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(X264_CRF), "-threads", "2",
        "-pix_fmt", "yuv420p", "-profile:v", "high",
        # A fixed GOP that restarts at every segment: each shot opens on a keyframe.
        "-g", str(2 * fps), "-keyint_min", str(2 * fps), "-sc_threshold", "0", "-bf", "2",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        "-r", str(fps), "-video_track_timescale", str(fps * 512),
    ]  # fmt: skip


ENDS_WIDTH = 192
"""How wide the first and last frames a segment keeps beside itself are (what its cuts are judged at, see qc.cut)."""


def ends_size(width: int, height: int) -> tuple[int, int]:
    """The size of a ``width`` x ``height`` segment's end frames: ENDS_WIDTH wide, an even height, the same aspect."""
    return ENDS_WIDTH, max(2, round(height * ENDS_WIDTH / width / 2) * 2)


def _ends_outputs(chain: str, ends: Path | None, frames: int, width: int, height: int) -> tuple[str, list[str]]:
    """The filter chain's tail and the extra outputs that write the segment's first and last frames to ``ends``.

    The frames are the encoder's own input, made small in the same FFmpeg run: a cut check then reads two
    small PNGs instead of decoding the ends of two H.264 files (the last one from a keyframe before it).
    The last frame is written over and over, as raw pixels (`_last_frame` makes it a PNG): encoding a PNG of
    every frame cost a seventh of the segment's run. Picking the last frame out with a filter instead would
    hold back the encoder's frames until the end, a whole shot of them in memory.
    """
    if ends is None:
        return f"{chain}[out]", []
    w, h = ends_size(width, height)
    tail = (f"{chain},split=2[out][ends];"
            f"[ends]scale={w}:{h}:flags=area,format=rgb24,split=2[first][last]")
    outputs = ["-map", "[first]", "-frames:v", "1", "-update", "1", "-f", "image2", str(ends / "first.png"),
               "-map", "[last]", "-frames:v", str(frames), "-c:v", "rawvideo", "-update", "1", "-f", "image2",
               str(ends / _LAST_RAW)]
    return tail, outputs


_LAST_RAW = "last.rgb"


def _last_frame(ends: Path | None, width: int, height: int, what: str) -> None:
    """Turn the raw last frame `_ends_outputs` left in ``ends`` into ``last.png`` (before the segment is kept: a
    segment without its ends is not one)."""
    if ends is None:
        return
    w, h = ends_size(width, height)
    raw = ends / _LAST_RAW
    try:
        data = raw.read_bytes()
    except FileNotFoundError as exc:
        raise RenderError(what, f"FFmpeg wrote no last frame to {raw}") from exc
    if len(data) != w * h * 3:
        raise RenderError(what, f"{raw} holds {len(data)} bytes, not one {w}x{h} RGB frame")
    with atomic_path(ends / "last.png") as tmp:
        Image.frombytes("RGB", (w, h), data).save(tmp, format="PNG")
    raw.unlink()


def _escape(value: str) -> str:
    """Escape a filter option value for both levels of FFmpeg's filter-graph parser."""
    for ch in ("\\", "'", ":"):
        value = value.replace(ch, "\\" + ch)
    for ch in ("\\", "'", "[", "]", ",", ";"):
        value = value.replace(ch, "\\" + ch)
    return value


class _Graph:
    """Builds the filter script and the input list side by side."""

    def __init__(self, plan: MotionPlan, layer_dir: Path) -> None:
        self.plan = plan
        self.layer_dir = layer_dir
        self.inputs: list[Path] = []
        self.lines: list[str] = []
        self.count = 0
        self.last = plan.frames - 1

    def label(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def image(self, file: str, fmt: str) -> str:
        path = self.layer_dir / file
        if not path.is_file():
            raise RenderError(f"render_segment [{self.plan.shot}]", f"missing layer image {path}")
        self.inputs.append(path)
        label = self.label()
        # Converted once: the single decoded frame is reused for every output frame.
        self.lines.append(f"[{len(self.inputs) - 1}:v]scale=out_color_matrix=bt709:out_range=tv,format={fmt}[{label}]")
        return label

    def line(self, a: float, b: float, clock: str = "t") -> str:
        """The expression a + b * ease(frame), reduced to a constant when the camera does not move.

        The frame number comes from the frame's timestamp (``clock``), not from ``n``:
        overlay counts ``n`` one ahead of crop, which would tear a layer from its sprites.
        """
        if abs(b) < 1e-9 or self.last < 1:
            return f"{a:.4f}"
        # Smoothstep, written the way MotionPlan.progress computes it.
        ease = f"st(0,clip({clock}*{self.plan.fps}/{self.last},0,1));ld(0)*ld(0)*(3-2*ld(0))"
        return f"{a:.4f}+{b:.4f}*({ease})"

    def shift_expr(self, base: float, parallax: float, axis: str) -> str:
        plan = self.plan
        start, end = (plan.start.x, plan.end.x) if axis == "x" else (plan.start.y, plan.end.y)
        centre = plan.canvas_width / 2 if axis == "x" else plan.canvas_height / 2
        k = 1.0 - parallax
        # overlay floors positions to even pixels (4:2:0 chroma); +1 makes that a rounding.
        return self.line(base + k * (start - centre) + 1, k * (end - start))

    def breath_expr(self, character: str | None) -> str:
        """The breathing rise of a character's layer, in canvas pixels to subtract from its y (empty if none).

        Written the way Breath.offset computes it, on the same timestamp clock as the camera.
        """
        breath = self.plan.breaths.get(character or "")
        if breath is None or breath.rise <= 0:
            return ""
        return f"-{breath.rise / 2:.4f}*(1-cos({2 * math.pi / breath.period:.6f}*t+{breath.phase:.6f}))"

    def overlay(self, under: str, over: str, x: str, y: str, enable: str | None = None) -> str:
        label = self.label()
        opts = f"x='{x}':y='{y}':eval=frame"
        if enable:
            opts += f":enable='{enable}'"
        self.lines.append(f"[{under}][{over}]overlay={opts}[{label}]")
        return label


def _covers_canvas(layer: Layer, plan: MotionPlan, parallax: float) -> bool:
    return (
        layer.x == 0 and layer.y == 0 and layer.width == plan.canvas_width
        and layer.height == plan.canvas_height and abs(parallax - 1.0) < 1e-9
    )  # fmt: skip


def _spans_expr(spans: list) -> str:
    return "+".join(f"between(n,{span.first},{span.last})" for span in spans)


_TAGGED = "format=yuv420p,setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"


def _build(plan: MotionPlan, layers: KeyframeLayers, layer_dir: Path, ass: Path | None) -> _Graph:
    graph = _Graph(plan, layer_dir)
    fps, cw, ch, fw, fh = plan.fps, plan.canvas_width, plan.canvas_height, plan.frame_width, plan.frame_height
    parallax = {motion.name: motion.parallax for motion in plan.layers}
    missing = [layer.name for layer in layers.layers if layer.name not in parallax]
    if missing:
        raise RenderError(f"render_segment [{plan.shot}]", f"the motion plan has no parallax for layers {missing}")

    todo = list(layers.layers)
    if _covers_canvas(todo[0], plan, parallax[todo[0].name]):
        base = graph.image(todo[0].file, "yuv420p")
        label = graph.label()
        # Looping the decoded frame in memory is ~3x faster than re-reading the PNG per frame (-loop 1).
        graph.lines.append(f"[{base}]loop=loop=-1:size=1:start=0,setpts=N/({fps}*TB)[{label}]")
        current = label
        first_sprites = [todo.pop(0)]
    else:
        current = graph.label()
        graph.lines.append(f"color=c=black:s={cw}x{ch}:r={fps},format=yuv420p[{current}]")
        first_sprites = []

    def sprites(layer: Layer, under: str) -> str:
        p = parallax[layer.name]
        breath = graph.breath_expr(layer.character)
        for sprite, spans in (
            (layer.speaking_mouth, plan.mouths.get(layer.character or "", [])),
            (layer.blink, plan.blinks.get(layer.character or "", [])),
        ):
            if sprite is None or not spans:
                continue
            image = graph.image(sprite.file, "yuva420p")
            under = graph.overlay(
                under, image, graph.shift_expr(sprite.x, p, "x"), graph.shift_expr(sprite.y, p, "y") + breath,
                _spans_expr(spans),
            )
        return under

    for layer in first_sprites:
        current = sprites(layer, current)
    for layer in todo:
        p = parallax[layer.name]
        image = graph.image(layer.file, "yuva420p")
        # The breath rides on the layer's y, and its sprites get the very same term, so a mouth never slips off a face.
        y = graph.shift_expr(layer.y, p, "y") + graph.breath_expr(layer.character)
        current = graph.overlay(current, image, graph.shift_expr(layer.x, p, "x"), y)
        current = sprites(layer, current)

    camera = graph.label()
    z0, z1 = plan.start.zoom, plan.end.zoom
    cx = graph.line(plan.start.x, plan.end.x - plan.start.x)
    cy = graph.line(plan.start.y, plan.end.y - plan.start.y)
    if abs(z1 - z0) > 1e-9:
        # zoompan crops the window and scales it straight to the frame: one resample per frame,
        # cheaper than scaling the whole canvas and cropping after.
        # zoompan's window is the input divided by its zoom, so the input must have the frame's
        # aspect (pad the canvas if not; the plan never looks at the padding) and its zoom is
        # the camera zoom times the input-to-frame ratio.
        pw = max(cw, 2 * math.ceil(ch * fw / fh / 2))
        ph = max(ch, 2 * math.ceil(cw * fh / fw / 2))
        pad = f"pad={pw}:{ph}:0:0:black," if (pw, ph) != (cw, ch) else ""
        ratio = pw / fw
        zx = graph.line(plan.start.x, plan.end.x - plan.start.x, "it")
        zy = graph.line(plan.start.y, plan.end.y - plan.start.y, "it")
        zoom = graph.line(z0 * ratio, (z1 - z0) * ratio, "it")
        # zoompan also floors its window corner to even pixels: +1 rounds instead.
        graph.lines.append(
            f"[{current}]{pad}zoompan=z='{zoom}':x='{zx}-iw/zoom/2+1':y='{zy}-ih/zoom/2+1':d=1:s={fw}x{fh}:fps={fps},"
            f"setpts=N/({fps}*TB)[{camera}]"
        )
    else:
        w = min(cw, 2 * round(fw / z0 / 2))
        h = min(ch, 2 * round(fh / z0 / 2))
        crop = (
            f"crop=w={w}:h={h}:x='clip({cx}-{w / 2 - 0.5},0,{cw - w})':y='clip({cy}-{h / 2 - 0.5},0,{ch - h})':exact=1"
        )
        scale = f",scale={fw}:{fh}:flags=bicubic" if (w, h) != (fw, fh) else ""
        graph.lines.append(f"[{current}]{crop}{scale}[{camera}]")
    current = camera

    if ass is not None:
        fonts = subtitle_font_file().parent
        label = graph.label()
        graph.lines.append(f"[{current}]ass=filename={_escape(str(ass))}:fontsdir={_escape(str(fonts))}[{label}]")
        current = label
    # Tag the frames themselves: the encoder takes colour tags from the frames, not only from options.
    graph.lines.append(f"[{current}]{_TAGGED}")
    return graph


def render_segment(plan: MotionPlan, layer_dir: Path, events: list[SubtitleEvent], out: Path, *, language: str,
                   ends: Path | None = None) -> None:
    """Render one shot to ``out`` (H.264 MP4, no audio, exactly ``plan.frames`` frames) in a single FFmpeg run.

    ``events`` are timed from the start of the shot. With ``ends`` (a folder), its first and last frames are
    written there too, small (``first.png``, ``last.png``; see ``ends_size``).
    """
    layer_dir, out = Path(layer_dir), Path(out)
    what = f"render_segment [{plan.shot}]"
    layers_file = layer_dir / "layers.json"
    try:
        layers = KeyframeLayers.model_validate_json(layers_file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RenderError(what, f"no layers.json in {layer_dir}") from exc
    except ValidationError as exc:
        raise RenderError(what, f"{layers_file} is not a valid keyframe: {invalid_values(exc, limit=1)}") from exc
    if (layers.canvas_width, layers.canvas_height, layers.frame_width, layers.frame_height) != (
        plan.canvas_width, plan.canvas_height, plan.frame_width, plan.frame_height,
    ):  # fmt: skip
        raise RenderError(what, f"{layers_file} does not match the motion plan's canvas and frame sizes")
    if not layers.layers:
        raise RenderError(what, f"{layers_file} has no layers")

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mangaline-segment-") as tmp:
        ass = None
        if events:
            ass = Path(tmp) / "subtitles.ass"
            write_ass(events, ass, width=plan.frame_width, height=plan.frame_height, language=language)
        graph = _build(plan, layers, layer_dir, ass)
        script = Path(tmp) / "graph.txt"
        graph.lines[-1], extra = _ends_outputs(graph.lines[-1], ends, plan.frames, plan.frame_width,
                                               plan.frame_height)
        script.write_text(";\n".join(graph.lines), encoding="utf-8")
        args: list[str] = ["-y", "-loglevel", "error"]
        for path in graph.inputs:
            args += ["-framerate", str(plan.fps), "-i", str(path)]
        args += ["-/filter_complex", str(script), "-map", "[out]", "-frames:v", str(plan.frames), "-an"]
        args += video_codec_args(plan.fps) + ["-movflags", "+faststart", "-f", "mp4"]
        with atomic_path(out) as written:
            run_ffmpeg([*args, str(written), *extra], what)
            _last_frame(ends, plan.frame_width, plan.frame_height, what)


def render_clip_segment(
    clip: Path,
    events: list[SubtitleEvent],
    out: Path,
    *,
    frames: int,
    fps: int,
    width: int,
    height: int,
    language: str,
    shot: str = "",
    ends: Path | None = None,
) -> None:
    """Fit a video model's clip to the shot: cover-scaled and cropped to the frame, at ``fps``, exactly ``frames`` long.

    A clip shorter than the shot holds its last frame; a longer one is cut. Subtitles are burned in with
    the same ASS styling as render_segment, and the encoder settings are the shared ones, so the episode
    still joins every segment by stream copy. With ``ends``, the first and last frames are written there as
    ``render_segment`` writes them.
    """
    clip, out = Path(clip), Path(out)
    what = f"render_clip_segment [{shot or clip.name}]"
    if not clip.is_file():
        raise RenderError(what, f"no clip at {clip}")
    if frames < 1:
        raise RenderError(what, f"a segment needs at least one frame, not {frames}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mangaline-segment-") as tmp:
        chain = [
            (f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic"
            ":out_color_matrix=bt709:out_range=tv"),
            f"crop={width}:{height}",
            "setsar=1",
            f"fps={fps}",
            f"setpts=N/({fps}*TB)",
            # clone the last frame for as long as needed; -frames:v cuts at exactly the shot's length
            "tpad=stop_mode=clone:stop=-1",
        ]
        if events:
            ass = Path(tmp) / "subtitles.ass"
            write_ass(events, ass, width=width, height=height, language=language)
            fonts = subtitle_font_file().parent
            chain.append(f"ass=filename={_escape(str(ass))}:fontsdir={_escape(str(fonts))}")
        chain.append(_TAGGED)
        graph, extra = _ends_outputs(f"[0:v]{','.join(chain)}", ends, frames, width, height)
        script = Path(tmp) / "graph.txt"
        script.write_text(graph, encoding="utf-8")
        args = ["-y", "-loglevel", "error", "-i", str(clip), "-/filter_complex", str(script), "-map", "[out]",
                "-frames:v", str(frames), "-an"]
        args += video_codec_args(fps) + ["-movflags", "+faststart", "-f", "mp4"]
        with atomic_path(out) as written:
            run_ffmpeg([*args, str(written), *extra], what)
            _last_frame(ends, width, height, what)
