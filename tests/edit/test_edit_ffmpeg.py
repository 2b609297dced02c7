"""The FFmpeg wrapper: failures become RenderErrors with stderr; probe parses ``ffmpeg -i``."""

import pytest

from mangaline.edit import probe, read_frame, run_ffmpeg
from mangaline.errors import RenderError


def test_failed_command_raises_render_error_with_ffmpeg_stderr(tmp_path):
    with pytest.raises(RenderError) as err:
        run_ffmpeg(["-i", str(tmp_path / "missing.png"), str(tmp_path / "x.mp4")], "render ep01_sc01_sh010")
    assert "ep01_sc01_sh010" in str(err.value)
    assert "missing.png" in err.value.stderr


def test_probe_reads_a_generated_clip(tmp_path):
    out = tmp_path / "clip.mp4"
    run_ffmpeg(
        ["-y", "-f", "lavfi", "-i", "testsrc2=s=64x112:r=25", "-f", "lavfi", "-i", "sine=f=440:r=44100",
         "-t", "1", "-c:v", "libx264", "-c:a", "aac", "-ac", "2", str(out)],
        "test clip",
    )  # fmt: skip
    info = probe(out)
    assert (info.video_codec, info.width, info.height, info.fps) == ("h264", 64, 112, 25.0)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 44100, 2)
    assert info.duration == pytest.approx(1.0, abs=0.05)
    assert read_frame(out, 3).shape == (112, 64, 3)
    with pytest.raises(RenderError, match="past the end"):
        read_frame(out, 500)


def test_probe_of_a_text_file_is_a_render_error(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(RenderError, match="notes.mp4"):
        probe(bad)
