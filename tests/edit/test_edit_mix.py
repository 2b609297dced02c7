"""The episode's sound, rendered from its timeline and measured by FFmpeg: loudness on target, true peak under
-1 dBTP, music well under every line, effects where the subject stands, and stems that add up to the mix."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from mangaline.edit import (Cut, DialogueClip, SoundClip, build_timeline, for_export, media, mix_episode, render_episode,
                            write_otio)
from mangaline.ffmpeg import ffmpeg_exe
from mangaline.sound import effect, music_bed
from mangaline.wavfile import pcm16, read_pcm16_channels, write_pcm16

FPS = 24
RATE = 48000


def _line(path: Path, seconds: float, hz: float, seed: int) -> Path:
    """A stand-in for a spoken line: a voiced buzz in syllables, mastered like a line (peak at -3 dBFS)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    voiced = sum(np.sin(2 * np.pi * hz * k * t) / k for k in range(1, 8)) + 0.1 * rng.standard_normal(len(t))
    syllables = 0.35 + 0.65 * np.abs(np.sin(np.pi * 4 * t))
    body = voiced * syllables * np.minimum(1, np.minimum(t, t[-1] - t) / 0.03)
    write_pcm16(path, body * (10 ** (-3 / 20) / np.abs(body).max()), RATE)
    return path


def _segment(path: Path, frames: int) -> Path:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=navy:s=64x112:r={FPS}",
                    "-frames:v", str(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def _measured(mp4: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) as FFmpeg's ebur128 filter measures them."""
    out = subprocess.run([ffmpeg_exe(), "-nostats", "-i", str(mp4), "-map", "0:a", "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = out[out.rindex("Summary:"):]
    loudness = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return loudness, peak


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("mix")
    cuts = [Cut(shot="sh010", scene="sc01", segment=_segment(tmp / "sh010.mp4", 72), frames=72),
            Cut(shot="sh020", scene="sc01", segment=_segment(tmp / "sh020.mp4", 96), frames=96)]
    lines = [DialogueClip(line="l1", start=0.5, duration=1.5, audio=_line(tmp / "l1.wav", 1.5, 180, 1)),
             DialogueClip(line="l2", start=4.0, duration=2.0, audio=_line(tmp / "l2.wav", 2.0, 240, 2))]
    bed, _ = music_bed("tense", 1)
    write_pcm16(tmp / "music.wav", bed, RATE)
    write_pcm16(tmp / "horn.wav", effect("horn", 1), RATE)
    write_pcm16(tmp / "rain.wav", effect("rain", 1), RATE)
    sounds = [
        SoundClip(name="sc01:music", role="music", start=0.0, duration=7.0, audio=tmp / "music.wav", loop=True),
        SoundClip(name="sh010:rain", role="effects", start=0.0, duration=3.0, audio=tmp / "rain.wav", loop=True),
        SoundClip(name="sh020:rain", role="effects", start=3.0, duration=4.0, audio=tmp / "rain.wav", loop=True),
        SoundClip(name="sh020:horn", role="effects", start=5.0, duration=2.6, audio=tmp / "horn.wav", pan=0.8),
    ]
    timeline = build_timeline("ep01", FPS, cuts, lines, [], sounds)
    rendered = render_episode(timeline, tmp / "ep01.mp4", stems_dir=tmp / "stems", loudness=-14.0)
    return tmp, timeline, lines, rendered


def test_the_timeline_is_what_is_rendered(scene) -> None:
    _, timeline, _, rendered = scene
    found = media(timeline)
    assert [p.name for p in found.segments] == ["sh010.mp4", "sh020.mp4"] and found.frames == [72, 96]
    assert sorted((p.role, p.start) for p in found.audio) == [
        ("dialogue", 0.5), ("dialogue", 4.0), ("effects", 0.0), ("effects", 3.0), ("effects", 5.0), ("music", 0.0)]
    assert [t.name for t in timeline.audio_tracks()] == ["Dialogue", "Music", "Effects", "Effects 2"]
    assert rendered.info.channels == 2 and rendered.info.audio_codec == "aac"
    assert rendered.info.duration == pytest.approx(7.0, abs=1 / FPS)


def test_the_mix_is_on_the_loudness_target_under_the_true_peak_ceiling(scene) -> None:
    tmp, _, _, rendered = scene
    loudness, peak = _measured(tmp / "ep01.mp4")
    assert abs(loudness - -14.0) <= 1.0, loudness
    assert peak <= -1.0, peak
    assert rendered.mix.loudness == pytest.approx(-14.0, abs=0.2)


def test_the_loudness_target_is_the_projects_own(scene, tmp_path: Path) -> None:
    _, timeline, _, _ = scene
    render_episode(timeline, tmp_path / "quiet.mp4", stems_dir=tmp_path, loudness=-23.0)
    loudness, peak = _measured(tmp_path / "quiet.mp4")
    assert abs(loudness - -23.0) <= 1.0 and peak <= -1.0


def _db(x: np.ndarray) -> float:
    return 10 * np.log10(max(float(np.mean(x.astype(np.float64) ** 2)), 1e-20))


def test_music_and_effects_duck_well_under_every_line(scene) -> None:
    _, _, lines, rendered = scene
    stems = {name: read_pcm16_channels(path, RATE) for name, path in rendered.mix.stems.items()}
    for line in lines:
        a, b = round(line.start * RATE), round((line.start + line.duration) * RATE)
        speech = _db(stems["dialogue"][a:b])
        assert speech - _db(stems["music"][a:b]) >= 12.0, line.line
        assert speech - _db(stems["effects"][a:b]) >= 6.0, line.line
    # between the lines the music comes back up: the ducking rides, it is not a lower level throughout
    gap = stems["music"][round(2.6 * RATE) : round(3.4 * RATE)]
    under = stems["music"][round(0.8 * RATE) : round(1.6 * RATE)]
    assert _db(gap) - _db(under) >= 10.0


def test_effects_are_panned_to_the_subject_and_dialogue_is_centred(scene) -> None:
    _, _, _, rendered = scene
    effects = read_pcm16_channels(rendered.mix.stems["effects"], RATE)
    horn = effects[round(5.1 * RATE) : round(5.7 * RATE)]  # the horn, over the rain, which is centred
    assert _db(horn[:, 1]) - _db(horn[:, 0]) > 6.0
    dialogue = read_pcm16_channels(rendered.mix.stems["dialogue"], RATE)
    assert np.array_equal(dialogue[:, 0], dialogue[:, 1])


def test_the_stems_add_up_to_the_mix(scene, tmp_path: Path) -> None:
    tmp, timeline, _, rendered = scene
    stems = sum(read_pcm16_channels(path, RATE).astype(np.float64) for path in rendered.mix.stems.values())
    # the same mix written out rather than encoded: the stems are its shares
    found = media(timeline)
    written = mix_episode(found.audio, found.duration, tmp_path, loudness=-14.0)
    mix = read_pcm16_channels(written.mix, RATE).astype(np.float64)
    assert written.encoded is None and written.loudness == rendered.mix.loudness
    assert np.abs(stems - mix).max() <= 3 / 32768  # 16-bit rounding of three stems
    for encoded in (rendered.mix.encoded, tmp / "ep01.mp4"):  # the mix's AAC, and the episode carrying it as it is
        decoded = np.frombuffer(subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-i", str(encoded), "-map", "0:a", "-f", "f32le", "-ac", "2", "-ar", str(RATE), "-"],
            capture_output=True, check=True).stdout, np.float32).reshape(-1, 2)
        assert len(decoded) == len(mix), "as long as the picture, to the sample"
        # AAC keeps the mix, in time: what it changes is at least 20 dB under it
        assert _db(mix) - _db(decoded - mix) >= 20.0


def test_the_exported_timeline_reads_back_with_music_and_effects(scene, tmp_path: Path) -> None:
    _, timeline, _, _ = scene
    write_otio(for_export(timeline, {"sh010": "../renders/ep01/sh010.mp4"}), tmp_path / "ep01.otio")
    back = otio.adapters.read_from_file(str(tmp_path / "ep01.otio"))
    assert [t.name for t in back.tracks] == ["Video", "Dialogue", "Music", "Effects", "Effects 2"]
    assert back.tracks[0][0].media_reference.target_url == "../renders/ep01/sh010.mp4"
    horn = next(c for c in back.tracks[4].find_clips())
    assert horn.metadata["mangaline"]["pan"] == 0.8 and horn.metadata["mangaline"]["role"] == "effects"


def test_ambience_plays_on_across_a_cut(scene) -> None:
    _, _, _, rendered = scene
    left = read_pcm16_channels(rendered.mix.stems["effects"], RATE)[:, 0]
    hop = RATE // 20
    windows = [_db(left[a : a + hop]) for a in range(round(2.5 * RATE), round(3.5 * RATE), hop)]
    # the two shots' rain is one bed: no fade out and in at the cut at 3 s
    assert min(windows) >= np.median(windows) - 4.0, windows


def test_the_limiter_measures_match_measuring_the_limited_mix_again() -> None:
    """The mix's loudness comes from the signal K-weighted once and its peak from a few stretches oversampled again:
    both the figures measuring the gained mix from scratch gives (loudness to a few hundredths of a LU); and the
    measures, taken a block at a time, are the whole signal's."""
    from mangaline.audio import block_powers, gated_loudness, weighted_frame_energy
    from mangaline.edit.audio import _curve, _largest_true_peak, _loudness_curve, _measure, true_peak

    rng = np.random.default_rng(7)
    t = np.arange(30 * RATE + 123) / RATE
    mixed = 0.2 * rng.standard_normal((len(t), 2)) * (1 + np.sin(t)[:, None])
    mixed[rng.integers(0, len(t), 40)] *= 6  # spikes the limiter has to bend
    mixed += 0.4 * np.sin(2 * np.pi * 11025 * t + 0.3)[:, None]  # near a quarter of the rate: peaks between samples
    frame = RATE // 100
    energy, peaks = _measure(lambda lo, hi: mixed[lo:hi], len(mixed), frame, RATE)
    assert np.allclose(energy, weighted_frame_energy(mixed[:, 0], RATE) + weighted_frame_energy(mixed[:, 1], RATE),
                       rtol=1e-12, atol=0)
    whole = true_peak(mixed, RATE)
    assert np.array_equal(peaks.frame_peaks, np.maximum.reduceat(whole, np.arange(0, len(whole), frame)))
    assert np.array_equal(peaks[1000:5000], whole[1000:5000])
    scale, stretches, reached = _loudness_curve(energy, peaks, -14.0, RATE)
    limited = mixed * _curve(0, len(mixed), scale, stretches)[:, None]
    assert stretches  # the limiter did bend something
    assert _largest_true_peak(lambda lo, hi: mixed[lo:hi], peaks, scale, stretches) == true_peak(limited, RATE).max()
    again = gated_loudness(block_powers(limited[:, 0], RATE)[0] + block_powers(limited[:, 1], RATE)[0])
    assert reached == pytest.approx(again, abs=0.03)


def test_the_limiter_works_out_only_its_stretches_and_gives_the_whole_mix_s_gain() -> None:
    """The limiter's gain, worked out stretch by stretch where it acts, is the one the filters give over the whole
    mix, sample for sample (to rounding), at either end of it too; and each frame's mean square is the whole curve's."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    from mangaline.edit.audio import _frame_mean_square, _limiter, _Peaks

    rng = np.random.default_rng(3)
    peaks = np.abs(rng.standard_normal(200_000)) * 0.05
    peaks[[0, 5, 1000, 1100, 50_000, 50_950, 123_456, 199_999]] = [2.0, 1.5, 1.2, 1.3, 3.0, 1.1, 1.4, 2.5]
    scale, ceiling, window = 1.5, 0.8, 480
    needed = np.minimum(1.0, ceiling / np.maximum(peaks * scale, 1e-12))
    dense = np.minimum(uniform_filter1d(minimum_filter1d(needed, size=2 * window + 1), size=window + 1), needed)
    stretches = _limiter(_Peaks.of(peaks, 480), scale, ceiling, window)
    sparse = np.ones(len(peaks))
    for first, gain in stretches:
        sparse[first : first + len(gain)] = gain
    assert 1 < len(stretches) < 8, "neighbours share a stretch, the far ones do not"
    # to rounding: the moving mean is a running sum, whose last bits depend on where it started
    assert np.allclose(sparse, dense, rtol=0, atol=1e-12)
    assert sum(len(gain) for _, gain in stretches) < len(peaks) / 10
    frame = 480
    padded = np.r_[dense, np.full(-len(dense) % frame, np.nan)].reshape(-1, frame)
    assert np.allclose(_frame_mean_square(len(dense), frame, stretches), np.nanmean(padded**2, axis=1), rtol=1e-12)
    assert _limiter(_Peaks.of(peaks * 0.01, 480), scale, ceiling, window) == []


@pytest.mark.parametrize("shape", [(0,), (7,), (300_001,), (200_003, 2)])
def test_16_bit_samples_are_the_floats_clipped_and_rounded_at_any_length(shape) -> None:
    # converted a stretch at a time (an episode's mix without full-length copies), and the same as at once
    samples = np.random.default_rng(3).uniform(-1.2, 1.2, shape)
    expected = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    converted = pcm16(samples)
    assert converted.dtype == np.dtype("<i2") and converted.shape == samples.shape
    assert np.array_equal(converted, expected)
    if samples.ndim == 2:  # a view that is not contiguous (channels first, transposed) converts alike
        assert np.array_equal(pcm16(samples.T).T, expected)
        # a mono column broadcast to stereo (the dialogue stem) is converted without being copied out first
        assert np.array_equal(pcm16(np.broadcast_to(samples[:, :1], samples.shape)),
                              np.repeat(expected[:, :1], 2, axis=1))


@pytest.mark.parametrize("frames", [1, 7, 40, 65_536 + 3, 2 * 65_536 + 11])
def test_the_true_peak_is_the_signal_oversampled_four_times_whole(frames) -> None:
    """Chunked and split into the filter's phases, the true peak is still the whole signal's 4x oversampled by
    scipy's resample_poly (the same Kaiser-windowed filter), sample for sample, to rounding."""
    from scipy.signal import resample_poly

    from mangaline.edit.audio import true_peak

    rng = np.random.default_rng(frames)
    x = rng.standard_normal((frames, 2)) * 0.3
    x[frames // 2 :: 5] += 0.5 * np.sin(np.arange(len(x[frames // 2 :: 5])) * 2.9)[:, None]  # peaks between samples
    over = np.abs(np.stack([resample_poly(x[:, c], 4, 1, window=("kaiser", 5.0)) for c in range(2)], axis=1))
    reference = np.maximum(over.reshape(frames, 4, 2).max(axis=(1, 2)), np.abs(x).max(axis=1))
    assert np.allclose(true_peak(x, RATE), reference, rtol=0, atol=1e-12)


def _long_scene(folder: Path, seconds: float) -> list:
    """Placements for ``seconds`` of an episode: a line every 5 s (three voices), a stereo music bed looped over
    all of it, rain looped in two runs and a horn now and then, panned."""
    from mangaline.edit.timeline import AudioPlacement

    rng = np.random.default_rng(11)
    t = np.arange(int(7.3 * RATE)) / RATE
    music = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t + 1)], axis=1) * 0.3
    write_pcm16(folder / "music.wav", music + 0.05 * rng.standard_normal(music.shape), RATE)
    write_pcm16(folder / "rain.wav", 0.2 * rng.standard_normal(int(3.1 * RATE)), RATE)
    write_pcm16(folder / "horn.wav", 0.6 * np.sin(2 * np.pi * 440 * np.arange(int(0.4 * RATE)) / RATE), RATE)
    voices = [_line(folder / f"voice{n}.wav", 2.0 + 0.3 * n, 140 + 60 * n, n) for n in range(3)]
    placements = [AudioPlacement(folder / "music.wav", 0.0, seconds, "music", loop=True)]
    half = round(seconds / 2, 2)
    placements += [AudioPlacement(folder / "rain.wav", 0.0, half, "effects", loop=True, pan=-0.2),
                   AudioPlacement(folder / "rain.wav", half + 1.0, seconds - half - 1.0, "effects", loop=True)]
    for n, start in enumerate(np.arange(0.5, seconds - 3, 5.0)):
        placements.append(AudioPlacement(voices[n % 3], float(start), 2.0, "dialogue"))
        if n % 4 == 1:
            placements.append(AudioPlacement(folder / "horn.wav", float(start) + 2.3, 0.4, "effects", pan=0.7))
    return placements


def test_a_mix_made_block_by_block_is_the_mix_made_at_once(tmp_path: Path, monkeypatch) -> None:
    """The mix is made a block at a time, in passes; small odd blocks (every loop, fade, duck and limiter stretch
    crossing their edges) give the mix and stems one block over the whole episode gives."""
    import mangaline.edit.audio as audio

    placements = _long_scene(tmp_path, 21.7)
    made = {}
    for hops in (37, 100_000):
        monkeypatch.setattr(audio, "_BLOCK_HOPS", hops)
        out = tmp_path / f"blocks-{hops}"
        mix = mix_episode(placements, 21.7, out, loudness=-14.0)
        made[hops] = (mix, {name: read_pcm16_channels(path, RATE) for name, path in [("mix", mix.mix), *mix.stems.items()]})
    (small, small_sound), (whole, whole_sound) = made[37], made[100_000]
    assert small.loudness == pytest.approx(whole.loudness, abs=1e-9)
    assert small.true_peak == pytest.approx(whole.true_peak, abs=1e-9)
    assert small_sound["mix"].shape == (round(21.7 * RATE), 2)
    for name, samples in small_sound.items():
        # to the last bit but where an oversampled peak rounds apart (the filters run over blocks of other lengths)
        assert np.abs(samples - whole_sound[name]).max() <= 1 / 32768, name


def test_the_memory_a_mix_takes_does_not_grow_with_the_episode(tmp_path: Path) -> None:
    """A four-minute episode's mix takes no more memory than a forty-second one's: it is made a block at a time,
    and nothing the length of the episode is held but figures per 10 ms."""
    import tracemalloc

    peaks = {}
    for seconds in (40.0, 240.0):
        folder = tmp_path / f"{seconds:g}"
        folder.mkdir()
        placements = _long_scene(folder, seconds)
        tracemalloc.start()
        try:
            mix = mix_episode(placements, seconds, folder / "out", loudness=-14.0, encode_to=folder / "mix.mp4")
            peaks[seconds] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert mix.loudness == pytest.approx(-14.0, abs=0.1)
    # the longer episode's stereo mix alone, in doubles, would be 184 MB
    assert peaks[240.0] < 1.25 * peaks[40.0], {seconds: f"{peak / 2**20:.0f} MiB" for seconds, peak in peaks.items()}


def test_a_mix_lays_more_sounds_than_the_process_may_open_files(tmp_path: Path) -> None:
    """Sounds are read a stretch at a time and no file is held open between reads: an episode of more lines than
    the process may have files open mixes all of them."""
    import os
    import resource

    from mangaline.edit.timeline import AudioPlacement

    placements = [AudioPlacement(_line(tmp_path / f"line{n:03d}.wav", 0.3, 150 + n, n), 0.2 * n, 0.3, "dialogue")
                  for n in range(120)]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 40, hard))
    try:
        mix = mix_episode(placements, 24.5, tmp_path / "out", loudness=-14.0)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    dialogue = read_pcm16_channels(mix.stems["dialogue"], RATE)
    last = dialogue[round(119 * 0.2 * RATE) : round((119 * 0.2 + 0.3) * RATE)]
    assert _db(last) > -40.0, "the last line is in the mix"
