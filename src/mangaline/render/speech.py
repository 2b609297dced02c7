"""The offline voices: a dialogue line spoken in the character's voice (piper, kokoro, espeak-ng) at the edit's 48 kHz."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from ..audio import EDIT_SAMPLE_RATE, master_line
from ..audio import loudness_envelope as _envelope
from ..errors import ProviderError, ProviderUnavailable, RenderError
from ..model import Voice
from ..model.pacing import language_code, spoken_seconds
from ..wavfile import write_pcm16
from . import espeak_voice, kokoro_voice, piper_voice

__all__ = [
    "EDIT_SAMPLE_RATE",
    "Speech",
    "available_engines",
    "loudness_envelope",
    "synthesize",
    "warm_voices",
    "write_wav",
]


_ENGINES: dict[str, ModuleType] = {"piper": piper_voice, "kokoro": kokoro_voice, "espeak": espeak_voice}
# Which engine speaks a language when the character's voice says "auto".
_AUTO_ENGINE = {"en": "piper", "ja": "kokoro", "zh": "espeak", "yue": "espeak"}
_SILENT_ENGINES = {"none", "silence"}


@dataclass(frozen=True, eq=False)
class Speech:
    """One spoken line: mono float samples in [-1, 1] and where they came from."""

    samples: np.ndarray
    sample_rate: int
    engine: str
    voice: str
    warnings: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate


def warm_voices() -> None:
    """Load what the engines need before their first line (piper: onnxruntime and the voice's config)."""
    piper_voice.warm()


def available_engines() -> dict[str, str | None]:
    """Each engine and None when it can speak on this machine, else the reason it cannot."""
    found: dict[str, str | None] = {name: module.unavailable() for name, module in _ENGINES.items()}
    found["silence"] = None
    return found


def _pick(character: str, options: tuple[str, ...]) -> str:
    """The same character always gets the same choice, whatever process asks."""
    digest = hashlib.sha256(character.encode("utf-8")).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


def _speaks(engine: str, language: str) -> bool:
    if engine == "espeak":
        return espeak_voice.speaks(language)
    return language in _ENGINES[engine].LANGUAGES


def _choose_engine(language: str, voice: Voice, warnings: list[str]) -> str | None:
    """The engine for this line, or None for silence; every detour is written into warnings."""
    asked = voice.engine.strip().lower()
    if asked in _SILENT_ENGINES:
        warnings.append(f"voice engine {voice.engine!r} is silent by choice: the line is a silent gap")
        return None
    if asked != "auto" and asked not in _ENGINES:
        raise ProviderError(
            voice.engine,
            "is not a voice engine",
            hint=f"set the character's voice engine to one of auto, {', '.join(_ENGINES)}, none",
        )
    candidates: list[str] = []
    if asked != "auto":
        # An engine that cannot run stays a candidate so its reason is reported below.
        if _ENGINES[asked].unavailable() or _speaks(asked, language):
            candidates.append(asked)
        else:
            warnings.append(f"{asked} has no voice for language {language!r}; choosing one that has")
    if language in _AUTO_ENGINE:
        candidates.append(_AUTO_ENGINE[language])
    candidates.append("espeak")  # robotic, but it speaks most languages

    reasons: list[str] = []
    for engine in dict.fromkeys(candidates):
        reason = _ENGINES[engine].unavailable()
        if reason is None and _speaks(engine, language):
            if reasons:
                warnings.append(f"language {language!r} spoken by {engine} instead: " + "; ".join(reasons))
            return engine
        reasons.append(f"{engine}: {reason or f'no voice for {language!r}'}")
    warnings.append(
        f"no voice for language {language!r}, the line is silent ({'; '.join(reasons)}); "
        "install a voice with pip install 'mangaline[voices]' (en, zh) or 'mangaline[voices-ja]' (ja)"
    )
    return None


def _engine_voice(engine: str, language: str, voice: Voice, character: str, gender: str, warnings: list[str]) -> str:
    """The engine's voice name: the one the character names, else one derived from the character."""
    asked = voice.voice
    if engine == "piper":
        if asked not in (None, *piper_voice.VOICES):
            warnings.append(f"piper has only the voice 'joe', not {asked!r}; pitch and rate set the character apart")
        return piper_voice.VOICES[0]
    if engine == "kokoro":
        if asked in kokoro_voice.VOICES:
            return asked
        if asked is not None:
            warnings.append(f"kokoro has no voice {asked!r}; one of {', '.join(kokoro_voice.VOICES)} was derived")
        pool = {"female": kokoro_voice.FEMALE_VOICES, "male": kokoro_voice.MALE_VOICES}.get(gender, kokoro_voice.VOICES)
        return _pick(character, pool)
    # espeak: a variant ('f2') or a full voice name ('cmn+f2') may be named.
    if asked is not None:
        variant = asked.split("+", 1)[1] if "+" in asked else asked
        if variant in espeak_voice.FEMALE_VARIANTS + espeak_voice.MALE_VARIANTS:
            return espeak_voice.voice_name_for(language, variant)
        warnings.append(f"espeak has no variant {asked!r}; one was derived from the character")
    pool = {"female": espeak_voice.FEMALE_VARIANTS, "male": espeak_voice.MALE_VARIANTS}.get(
        gender, espeak_voice.FEMALE_VARIANTS + espeak_voice.MALE_VARIANTS
    )
    return espeak_voice.voice_name_for(language, _pick(character, pool))


def _to_edit_rate(samples: np.ndarray, sample_rate: int, semitones: float, character: str) -> np.ndarray:
    """Shift pitch without changing length (rubberband) and resample to 48 kHz, in one FFmpeg pass."""
    import imageio_ffmpeg

    filters = []
    if semitones:
        # Formants kept in place so a shifted voice still sounds like a person, not a cartoon.
        filters.append(f"rubberband=pitch={2.0 ** (semitones / 12.0):.6f}:formant=preserved:pitchq=quality")
    filters.append(f"aresample={EDIT_SAMPLE_RATE}:resampler=soxr")
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin",
        "-f", "f32le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-af", ",".join(filters), "-f", "f32le", "-ac", "1", "-ar", str(EDIT_SAMPLE_RATE), "pipe:1",
    ]
    result = subprocess.run(command, input=samples.astype("<f4").tobytes(), capture_output=True, check=False)
    if result.returncode != 0:
        raise RenderError(
            f"voice of {character}",
            "FFmpeg could not pitch-shift and resample the line",
            stderr=result.stderr.decode("utf-8", "replace"),
        )
    return np.frombuffer(result.stdout, dtype="<f4").astype(np.float32)


def _silence(text: str, language: str, voice: Voice, warnings: list[str]) -> Speech:
    seconds = spoken_seconds(text, language) / voice.rate
    samples = np.zeros(int(round(seconds * EDIT_SAMPLE_RATE)), np.float32)
    return Speech(samples, EDIT_SAMPLE_RATE, "silence", "none", tuple(warnings))


def synthesize(
    text: str,
    language: str,
    voice: Voice,
    *,
    character: str,
    seed: int = 0,
    gender: str = "unspecified",
    master: bool = True,
) -> Speech:
    """Speak one line as the character: engine by language, the character's voice, pitch and rate.

    Same inputs give the same samples; ``master=False`` leaves the edges and the level as the
    engine made them (the voice department masters every voice's line alike). When no engine can speak the language the result is
    silence as long as the line would take to say, with a warning saying what to install.
    ``gender`` (the character design's) steers which engine voice a character gets when
    the Voice does not name one.
    """
    code = language_code(language)
    warnings: list[str] = []
    engine = _choose_engine(code, voice, warnings)
    if engine is None:
        return _silence(text, code, voice, warnings)
    name = _engine_voice(engine, code, voice, character, gender, warnings)
    try:
        raw, rate_hz, used = _ENGINES[engine].render(text, name, voice.rate, seed)
    except ProviderUnavailable as exc:
        warnings.append(f"{exc}; the line is silent")
        return _silence(text, code, voice, warnings)
    if len(raw) == 0 or float(np.max(np.abs(raw))) < 1e-4:
        warnings.append(f"{engine} made no sound for {text[:40]!r}; the line is silent")
        return _silence(text, code, voice, warnings)
    samples = _to_edit_rate(raw, rate_hz, voice.pitch, character)
    if master:
        samples = master_line(samples, EDIT_SAMPLE_RATE)
    return Speech(samples, EDIT_SAMPLE_RATE, engine, used, tuple(warnings))


def loudness_envelope(speech: Speech, fps: int = 24) -> list[float]:
    """RMS loudness for each video frame the line covers, scaled so the loudest frame is 1.0."""
    return _envelope(speech.samples, speech.sample_rate, fps)


def write_wav(speech: Speech, path: Path) -> None:
    """Write 16-bit PCM mono WAV; the file appears whole or not at all (temp file + rename)."""
    write_pcm16(Path(path), speech.samples, speech.sample_rate)
