"""Speech from espeak-ng (the copy espeakng-loader ships) driven through ctypes; our Chinese voice."""

from __future__ import annotations

import _ctypes
import ctypes
import importlib.util
import threading
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from ..errors import ProviderError, ProviderUnavailable

__all__ = ["ENGINE", "FEMALE_VARIANTS", "MALE_VARIANTS", "render", "speaks", "unavailable", "voice_name_for"]

ENGINE = "espeak"
INSTALL_HINT = "pip install 'mangaline[voices]' (espeakng-loader)"
FEMALE_VARIANTS = ("f1", "f2", "f3", "f4", "f5")
MALE_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7")
DEFAULT_WORDS_PER_MINUTE = 175

# espeak's own names for the languages we are asked for by ISO code.
_ESPEAK_LANGUAGE = {"zh": "cmn", "cmn": "cmn", "yue": "yue", "en": "en-us", "ja": "ja"}

# Values from speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE = 1
_EE_OK = 0

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Session:
    """libespeak-ng loaded fresh for one utterance, then unloaded.

    espeak keeps pitch flutter and other state in static memory that neither
    espeak_Terminate nor a new seed resets, so the same line would come out slightly
    different depending on what was said before. Loading the library anew for each
    line (a few milliseconds) makes every take repeatable.
    """

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib = self.lib
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_ng_SetRandSeed.restype = None
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_Terminate.restype = ctypes.c_int
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data, _INITIALIZE_DONT_EXIT)
        if self.sample_rate <= 0:
            self.close()
            raise ProviderUnavailable(ENGINE, f"espeak-ng did not start with its data at {data.decode()}")
        self._chunks: list[np.ndarray] = []
        # Held on self: ctypes must keep the callback alive while espeak may call it.
        self._callback = _SYNTH_CALLBACK(self._receive)
        lib.espeak_SetSynthCallback(self._callback)

    def _receive(self, wav, count, events) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def close(self) -> None:
        self.lib.espeak_Terminate()
        _ctypes.dlclose(self.lib._handle)

    def has_voice(self, name: str) -> bool:
        return self.lib.espeak_SetVoiceByName(name.encode()) == _EE_OK

    def speak(self, text: str, voice_name: str, words_per_minute: int, seed: int) -> np.ndarray:
        if not self.has_voice(voice_name):
            raise ProviderError(ENGINE, f"espeak-ng has no voice {voice_name!r}")
        self.lib.espeak_SetParameter(_RATE, words_per_minute, 0)
        self.lib.espeak_ng_SetRandSeed(seed & 0x7FFFFFFF)
        payload = text.encode("utf-8") + b"\0"
        buffer = ctypes.create_string_buffer(payload, len(payload))
        status = self.lib.espeak_Synth(buffer, len(payload), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != _EE_OK:
            raise ProviderError(ENGINE, f"espeak_Synth failed for {text[:40]!r}", raw=f"espeak_ERROR {status}")
        if not self._chunks:
            return np.zeros(0, np.float32)
        return np.concatenate(self._chunks).astype(np.float32) / 32768.0


# espeak's state is process-wide: one utterance at a time.
_LOCK = threading.Lock()


@contextmanager
def _session():
    with _LOCK:
        session = _Session()
        try:
            yield session
        finally:
            session.close()


@lru_cache(maxsize=1)
def unavailable() -> str | None:
    """None when libespeak-ng and its data can run here, else why not."""
    if importlib.util.find_spec("espeakng_loader") is None:
        return f"package espeakng-loader is not installed ({INSTALL_HINT})"
    try:
        with _session():
            pass
    except (OSError, RuntimeError, AttributeError, ProviderUnavailable) as exc:
        return f"libespeak-ng could not be loaded: {exc}"
    return None


def _language_voice(language: str) -> str:
    return _ESPEAK_LANGUAGE.get(language, language)


@lru_cache(maxsize=64)
def speaks(language: str) -> bool:
    """Whether espeak-ng has a voice for this ISO language code."""
    if unavailable() is not None:
        return False
    with _session() as session:
        return session.has_voice(_language_voice(language))


def voice_name_for(language: str, variant: str | None) -> str:
    """The espeak voice for a language and an optional variant: ('zh', 'f2') -> 'cmn+f2'."""
    base = _language_voice(language)
    return f"{base}+{variant}" if variant else base


def render(text: str, voice_name: str, rate: float, seed: int) -> tuple[np.ndarray, int, str]:
    """Speak text with an espeak voice name ('cmn+f2'); rate scales words per minute. Seed is unused."""
    reason = unavailable()
    if reason:
        raise ProviderUnavailable(ENGINE, reason)
    words_per_minute = int(round(min(450, max(80, DEFAULT_WORDS_PER_MINUTE * rate))))
    with _session() as session:
        samples = session.speak(text, voice_name, words_per_minute, seed)
        return samples, session.sample_rate, voice_name
