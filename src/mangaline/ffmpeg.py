"""The FFmpeg binary: running it, probing media with ``ffmpeg -i``, and reading frames and levels back."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import RenderError

__all__ = ["FedFFmpeg", "MediaInfo", "ffmpeg_exe", "run_ffmpeg", "probe", "audio_levels", "read_frame", "count_frames"]

_SILENCE_DB = -91.0  # what volumedetect reports for digital silence


@dataclass(frozen=True)
class MediaInfo:
    """What a media file holds, as ``ffmpeg -i`` reports it; stream fields are None when the stream is absent."""

    path: str
    duration: float
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None


def ffmpeg_exe() -> str:
    """The path of the static FFmpeg binary bundled by imageio-ffmpeg."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RenderError("ffmpeg", "imageio-ffmpeg is not installed", hint="pip install imageio-ffmpeg") from exc
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise RenderError("ffmpeg", f"no FFmpeg binary: {exc}") from exc


def run_ffmpeg(args: list[str], what: str) -> None:
    """Run FFmpeg with ``args`` (without the binary); raise RenderError naming ``what`` on failure."""
    _run(args, what)


def _run(args: list[str], what: str, *, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except OSError as exc:
        raise RenderError(what, f"cannot start FFmpeg: {exc}") from exc
    if check and proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        raise RenderError(what, f"FFmpeg exited with status {proc.returncode}", stderr=stderr)
    return proc


class FedFFmpeg:
    """FFmpeg reading its input from this process (``-i pipe:0`` in ``args``), fed from a thread while the caller
    goes on with other work; ``finish`` waits for it and raises RenderError naming ``what`` if it failed."""

    def __init__(self, args: list[str], what: str) -> None:
        import tempfile
        import threading

        self.what = what
        self._errors = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen([ffmpeg_exe(), "-hide_banner", *args], stdin=subprocess.PIPE,
                                          stdout=subprocess.DEVNULL, stderr=self._errors)
        except OSError as exc:
            self._errors.close()
            raise RenderError(what, f"cannot start FFmpeg: {exc}") from exc
        self._thread: threading.Thread | None = None
        self._threading = threading

    def feed(self, payload: bytes | memoryview) -> None:
        """Hand ``payload`` to FFmpeg, in the background, and end its input."""
        self.send(payload)
        self.end()

    def send(self, payload: bytes | memoryview) -> None:
        """Hand FFmpeg the next part of its input; it is written from a thread while the caller goes on (at most a
        few parts wait, so a caller faster than FFmpeg waits here rather than holding the whole input)."""
        if self._thread is None:
            import queue

            self._parts: queue.Queue = queue.Queue(maxsize=4)
            self._thread = self._threading.Thread(target=self._write, name="ffmpeg-feed", daemon=True)
            self._thread.start()
        self._parts.put(payload)

    def end(self) -> None:
        """End FFmpeg's input once what was sent is written."""
        if self._thread is None:
            self.send(b"")
        self._parts.put(None)

    def _write(self) -> None:
        assert self._proc.stdin is not None
        broken = False
        while (payload := self._parts.get()) is not None:
            if broken or not len(payload):
                continue
            try:
                self._proc.stdin.write(payload)
            except (BrokenPipeError, OSError):
                broken = True  # FFmpeg stopped early: finish reports why; what is still sent is dropped
        try:
            self._proc.stdin.close()
        except OSError:
            pass

    def finish(self) -> None:
        if self._thread is not None:
            self._thread.join()
        elif self._proc.stdin is not None:
            self._proc.stdin.close()
        code = self._proc.wait()
        self._errors.seek(0)
        stderr = self._errors.read().decode("utf-8", "replace")
        self._errors.close()
        if code != 0:
            raise RenderError(self.what, f"FFmpeg exited with status {code}", stderr=stderr)

    def abandon(self) -> None:
        """Stop FFmpeg (the caller failed before its input was whole)."""
        self._proc.kill()
        self._proc.wait()
        if self._thread is not None:
            import queue

            while True:  # let the writer see the end, however full its queue
                try:
                    self._parts.put_nowait(None)
                    break
                except queue.Full:
                    try:
                        self._parts.get_nowait()
                    except queue.Empty:
                        pass
            self._thread.join()
        self._errors.close()


_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"([\d.]+) fps")
_AUDIO = re.compile(r"Stream #\S+.*?: Audio: (\w+).*?, (\d+) Hz, ([^,]+)")
_LAYOUTS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "4.0": 4, "5.0": 5, "5.1": 6, "6.1": 7, "7.1": 8}


def probe(path: Path | str) -> MediaInfo:
    """Read duration and stream parameters of a media file from ``ffmpeg -i`` (there is no ffprobe)."""
    path = Path(path)
    if not path.is_file():
        raise RenderError(f"probe {path}", "no such file")
    # Without an output FFmpeg prints the input description and exits 1; that is the probe.
    text = _run(["-i", str(path)], f"probe {path}", check=False).stderr.decode("utf-8", "replace")
    m = _DURATION.search(text)
    if not m:
        tail = text.strip().splitlines()[-1] if text.strip() else ""
        raise RenderError(f"probe {path}", f"not a media file FFmpeg can read ({tail})", stderr=text)
    duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    info: dict[str, object] = {"path": str(path), "duration": duration}
    if v := _VIDEO.search(text):
        info.update(video_codec=v.group(1), width=int(v.group(2)), height=int(v.group(3)))
        line = text[v.start() : text.find("\n", v.start())]
        if f := _FPS.search(line):
            info["fps"] = float(f.group(1))
    if a := _AUDIO.search(text):
        layout = a.group(3).strip()
        channels = _LAYOUTS.get(layout)
        if channels is None and (c := re.match(r"(\d+) channels", layout)):
            channels = int(c.group(1))
        info.update(audio_codec=a.group(1), sample_rate=int(a.group(2)), channels=channels)
    return MediaInfo(**info)  # type: ignore[arg-type]


def audio_levels(path: Path | str, start: float, end: float) -> float:
    """Mean volume in dBFS of the audio between ``start`` and ``end`` seconds (about -91 for silence)."""
    if end <= start:
        raise RenderError(f"audio levels {path}", f"empty range {start}..{end}")
    proc = _run(
        [
            "-ss",
            f"{start:.6f}",
            "-t",
            f"{end - start:.6f}",
            "-i",
            str(path),
            "-vn",
            "-af",
            "volumedetect",
            "-f",
            "null",
            "-",
        ],
        f"audio levels {path}",
    )
    m = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", proc.stderr.decode("utf-8", "replace"))
    if not m:
        # volumedetect prints nothing when no sample was decoded in the range.
        raise RenderError(f"audio levels {path}", f"no audio between {start} s and {end} s")
    return _SILENCE_DB if m.group(1) == "-inf" else float(m.group(1))


def read_frame(path: Path | str, index: int) -> np.ndarray:
    """Decode frame ``index`` (0-based) of a video to an RGB array of shape (height, width, 3)."""
    info = probe(path)
    if info.width is None or info.height is None:
        raise RenderError(f"read frame {path}", "the file has no video stream")
    proc = _run(
        [
            "-i",
            str(path),
            "-vf",
            f"select=eq(n\\,{index})",
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        f"read frame {index} of {path}",
    )
    size = info.width * info.height * 3
    if len(proc.stdout) < size:
        raise RenderError(f"read frame {path}", f"frame {index} is past the end of the video")
    return np.frombuffer(proc.stdout[:size], dtype=np.uint8).reshape(info.height, info.width, 3)


def count_frames(path: Path | str) -> int:
    """The number of video frames in a file, counted by reading its packets (no decoding)."""
    proc = _run(["-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-"], f"count frames {path}")
    found = re.findall(r"frame=\s*(\d+)", proc.stderr.decode("utf-8", "replace"))
    if not found:
        raise RenderError(f"count frames {path}", "FFmpeg reported no frames")
    return int(found[-1])
