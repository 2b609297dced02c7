"""decode_line: a WAV already in the edit's form is read as it lies, the same to the bit as FFmpeg decodes it;
anything else goes through FFmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from mangaline.audio import EDIT_SAMPLE_RATE, decode_line, write_float_wav
from mangaline.errors import RenderError
from mangaline.wavfile import write_pcm16


def ffmpeg_decode(path: Path) -> np.ndarray:
    result = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                             "-ar", str(EDIT_SAMPLE_RATE), "pipe:1"], capture_output=True, check=True)
    return np.frombuffer(result.stdout, "<f4")


@pytest.fixture()
def speech() -> np.ndarray:
    rng = np.random.default_rng(7)
    return (np.sin(np.arange(EDIT_SAMPLE_RATE) * 0.05) * 0.4 + rng.standard_normal(EDIT_SAMPLE_RATE) * 0.05).astype(np.float32)


@pytest.mark.parametrize("form", ["float", "pcm16", "float-44k", "stereo"])
def test_a_line_decodes_the_same_to_the_bit_as_ffmpeg_decodes_it(tmp_path: Path, speech: np.ndarray, form: str) -> None:
    path = tmp_path / f"{form}.wav"
    if form == "float":
        write_float_wav(path, speech, EDIT_SAMPLE_RATE)
    elif form == "pcm16":
        write_pcm16(path, speech, EDIT_SAMPLE_RATE)
    elif form == "float-44k":
        write_float_wav(path, speech, 44100)  # not the edit's rate: FFmpeg resamples it
    else:
        write_pcm16(path, np.stack([speech, speech * 0.5], axis=1), EDIT_SAMPLE_RATE)  # two channels: FFmpeg mixes down
    decoded = decode_line(path)
    assert decoded.dtype == np.float32
    assert np.array_equal(decoded, ffmpeg_decode(path))


def test_a_file_that_is_not_audio_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "line.wav"
    path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    with pytest.raises(RenderError, match="line ep01_l001"):
        decode_line(path, "line ep01_l001")
