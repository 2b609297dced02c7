"""Speech from the real offline engines: duration, distinct characters, determinism, fallback, files."""

from __future__ import annotations

import math
import wave

import numpy as np
import pytest

from mangaline.errors import ProviderError
from mangaline.model import Voice
from mangaline.render.speech import Speech, available_engines, loudness_envelope, synthesize, write_wav
from mangaline.voice import spoken_seconds

ENGINES = available_engines()
PEAK = 10 ** (-3 / 20)

ENGLISH = "The harbour lights are out tonight, so we sail at dawn."
CHINESE = "今晚港口的灯都灭了，我们天亮出发。"
JAPANESE = "今夜は港が暗いです。"


def needs(engine: str):
    return pytest.mark.skipif(ENGINES.get(engine) is not None, reason=f"{engine}: {ENGINES.get(engine)}")


def pitch_hz(speech: Speech) -> float:
    """Median fundamental frequency of the loud frames, by autocorrelation (60-500 Hz)."""
    rate = speech.sample_rate
    size = int(0.04 * rate)
    frames = [speech.samples[i : i + size] for i in range(0, len(speech.samples) - size, size)]
    loudest = max(float(np.sqrt(np.mean(f**2))) for f in frames)
    lags = np.arange(rate // 500, rate // 60)
    estimates = []
    for frame in frames:
        if np.sqrt(np.mean(frame**2)) < 0.3 * loudest:
            continue
        frame = frame - frame.mean()
        corr = np.correlate(frame, frame, mode="full")[size - 1 :]
        if corr[0] <= 0:
            continue
        best = lags[np.argmax(corr[lags])]
        if corr[best] / corr[0] > 0.4:  # voiced frames only
            estimates.append(rate / best)
    assert len(estimates) >= 5, "too few voiced frames to estimate pitch"
    return float(np.median(estimates))


def check_spoken(speech: Speech, engine: str, text: str, language: str) -> None:
    assert speech.engine == engine
    assert speech.sample_rate == 48000
    assert speech.samples.dtype == np.float32
    assert speech.warnings == ()
    assert float(np.max(np.abs(speech.samples))) == pytest.approx(PEAK, abs=0.01)
    expected = spoken_seconds(text, language)
    assert 0.4 * expected < speech.duration < 2.5 * expected
    # Trimmed edges: about 50 ms of quiet, then the voice.
    lead = speech.samples[: int(0.04 * 48000)]
    assert float(np.max(np.abs(lead))) < 0.05
    assert float(np.sqrt(np.mean(speech.samples**2))) > 0.03


def test_available_engines_names_every_engine_and_silence_always_works():
    assert set(ENGINES) == {"piper", "kokoro", "espeak", "silence"}
    assert ENGINES["silence"] is None
    assert all(reason is None or isinstance(reason, str) for reason in ENGINES.values())


@needs("piper")
def test_english_is_spoken_by_piper():
    speech = synthesize(ENGLISH, "en", Voice(), character="captain")
    check_spoken(speech, "piper", ENGLISH, "en")
    assert speech.voice == "joe"


@needs("espeak")
def test_chinese_is_spoken_by_espeak():
    speech = synthesize(CHINESE, "zh", Voice(), character="mei", gender="female")
    check_spoken(speech, "espeak", CHINESE, "zh")
    assert speech.voice.startswith("cmn+f")


@needs("kokoro")
def test_japanese_is_spoken_by_kokoro_in_a_voice_that_fits_the_character():
    speech = synthesize(JAPANESE, "ja", Voice(), character="hana", gender="female")
    check_spoken(speech, "kokoro", JAPANESE, "ja")
    assert speech.voice.startswith("jf_")


@needs("piper")
def test_pitch_and_rate_set_two_piper_characters_apart():
    plain = synthesize(ENGLISH, "en", Voice(), character="captain")
    higher = synthesize(ENGLISH, "en", Voice(pitch=5.0), character="mate")
    faster = synthesize(ENGLISH, "en", Voice(rate=1.5), character="boy")
    ratio = pitch_hz(higher) / pitch_hz(plain)
    assert ratio == pytest.approx(2 ** (5 / 12), rel=0.12)
    # The pitch shift keeps the length; the rate changes it.
    assert higher.duration == pytest.approx(plain.duration, rel=0.05)
    assert faster.duration < 0.8 * plain.duration


@needs("espeak")
def test_espeak_gives_a_woman_and_a_man_different_voices():
    woman = synthesize(CHINESE, "zh", Voice(), character="mei", gender="female")
    man = synthesize(CHINESE, "zh", Voice(), character="lao", gender="male")
    assert woman.voice != man.voice
    assert pitch_hz(woman) > 1.3 * pitch_hz(man)


@needs("piper")
@needs("espeak")
def test_the_same_line_comes_out_the_same():
    voice = Voice(pitch=-2.0, rate=1.1)
    first = synthesize(ENGLISH, "en", voice, character="captain", seed=3)
    # Other lines in between must not leak state into the next take.
    synthesize("Something else entirely.", "en", Voice(), character="mate", seed=9)
    zh_first = synthesize(CHINESE, "zh", Voice(voice="f3"), character="mei")
    synthesize("别的话。", "zh", Voice(voice="m2"), character="lao")
    assert np.array_equal(first.samples, synthesize(ENGLISH, "en", voice, character="captain", seed=3).samples)
    assert np.array_equal(zh_first.samples, synthesize(CHINESE, "zh", Voice(voice="f3"), character="mei").samples)
    assert zh_first.voice == "cmn+f3"


@needs("piper")
def test_the_voice_model_runs_on_one_thread_so_a_line_is_the_same_on_any_machine():
    """onnxruntime's sums follow its thread count, which defaults to the machine's cores: a 2-core laptop and an
    8-core worker would speak the same line to different bits."""
    from mangaline.render.piper_voice import _session

    synthesize(ENGLISH, "en", Voice(), character="captain", seed=3)
    options = _session()[0].get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)


def test_a_language_without_a_voice_is_silence_of_the_spoken_length_with_a_warning():
    text = "Qapla' batlh Daqawlu'taH"
    speech = synthesize(text, "xx", Voice(), character="worf")
    assert speech.engine == "silence"
    assert not np.any(speech.samples)
    assert speech.duration == pytest.approx(spoken_seconds(text, "xx"), abs=1e-3)
    assert len(speech.warnings) == 1 and "'xx'" in speech.warnings[0] and "pip install" in speech.warnings[0]


def test_engine_none_is_silent_on_purpose_and_a_misspelt_engine_is_refused():
    speech = synthesize(ENGLISH, "en", Voice(engine="none", rate=2.0), character="mime")
    assert speech.engine == "silence" and "none" in speech.warnings[0]
    assert speech.duration == pytest.approx(spoken_seconds(ENGLISH, "en") / 2.0, abs=1e-3)
    with pytest.raises(ProviderError, match="pipper"):
        synthesize(ENGLISH, "en", Voice(engine="pipper"), character="captain")


def test_envelope_has_one_value_per_frame_and_follows_the_sound():
    rate = 48000
    time = np.arange(rate // 2) / rate
    tone = (0.5 * np.sin(2 * np.pi * 220 * time)).astype(np.float32)
    quiet = np.zeros(rate // 2, np.float32)
    speech = Speech(np.concatenate([quiet, tone, quiet, quiet[:1000]]), rate, "silence", "none")
    envelope = loudness_envelope(speech, fps=24)
    assert len(envelope) == math.ceil(speech.duration * 24) == 37
    assert max(envelope) == pytest.approx(1.0)
    assert all(level == 0.0 for level in envelope[:12] + envelope[24:])
    assert all(level > 0.95 for level in envelope[12:24])
    assert len(loudness_envelope(speech, fps=30)) == math.ceil(speech.duration * 30)


@needs("espeak")
def test_envelope_of_real_speech_is_high_while_talking():
    speech = synthesize(CHINESE, "zh", Voice(), character="mei")
    envelope = loudness_envelope(speech)
    assert len(envelope) == math.ceil(speech.duration * 24)
    assert envelope[0] < 0.1  # the 50 ms lead-in
    assert np.median(envelope) > 0.2


def test_envelope_of_silence_is_closed_mouth():
    speech = synthesize("Hmm, well.", "xx", Voice(), character="worf")
    assert set(loudness_envelope(speech)) == {0.0}


def test_wav_round_trip_and_no_temporary_file_left(tmp_path):
    rate = 48000
    samples = (0.7 * np.sin(np.linspace(0, 300, rate))).astype(np.float32)
    speech = Speech(samples, rate, "silence", "none")
    path = tmp_path / "line.wav"
    path.write_bytes(b"an older take")
    write_wav(speech, path)
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, rate)
        back = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float32) / 32767
    assert len(back) == len(samples)
    assert np.max(np.abs(back - samples)) < 1 / 32767 + 1e-6
    assert [p.name for p in tmp_path.iterdir()] == ["line.wav"]
