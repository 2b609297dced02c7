"""The ElevenLabs sound adapter against a local stand-in of its API (fake_sound.py): the documented request shapes,
MP3 kept as it came, PCM kept as a WAV, and the refusals it must not send or accept."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mangaline.errors import AuthenticationError, ConfigError, ProviderError
from mangaline.providers.elevenlabs import ElevenLabsEffects, ElevenLabsMusic, factory
from mangaline.providers.protocols import SoundModel, SoundRequest
from mangaline.providers.registry import load_provider
from mangaline.sound import decode_sound

from .fake_sound import EFFECT_HZ, ENV, KEY, SoundStand, keyed_stand

@pytest.fixture
def stand() -> Iterator[SoundStand]:
    with keyed_stand() as running:
        yield running


def test_the_entry_point_builds_one_adapter_per_modality(stand: SoundStand) -> None:
    from mangaline.config import ProviderSettings

    settings = ProviderSettings(base_url=stand.url, api_key_env=ENV)
    effects = load_provider("elevenlabs", settings, model="eleven_text_to_sound_v2", modality="sound_effects")
    music = load_provider("elevenlabs", settings, model="music_v1", modality="music")
    assert isinstance(effects, ElevenLabsEffects) and isinstance(music, ElevenLabsMusic)
    assert isinstance(effects, SoundModel) and isinstance(music, SoundModel)
    with pytest.raises(ConfigError, match="modality"):
        factory({"modality": "image"})
    with pytest.raises(ConfigError, match="output_format"):
        factory({"modality": "music", "output_format": "ulaw_8000"})


def test_an_effect_is_asked_in_the_documented_shape_and_kept_as_mp3(stand: SoundStand, tmp_path: Path) -> None:
    adapter = factory({"base_url": stand.url, "api_key_env": ENV, "modality": "sound_effects"})
    made = adapter.compose(SoundRequest(prompt="a door slams", duration=1.0), tmp_path)
    assert not stand.problems, stand.problems
    [(kind, body, query)] = stand.calls
    assert kind == "effect" and query == {"output_format": ["mp3_44100_128"]}
    assert body == {"text": "a door slams", "duration_seconds": 1.0, "prompt_influence": 0.3, "loop": False,
                    "model_id": "eleven_text_to_sound_v2"}
    assert made.audio.suffix == ".mp3" and len(decode_sound(made.audio, 1, 48000)) == pytest.approx(48000, abs=3000)
    with pytest.raises(ProviderError, match="outside 0.5-30 s"):
        adapter.compose(SoundRequest(prompt="a long rain", duration=31.0), tmp_path)
    assert len(stand.calls) == 1, "a length the API refuses is never sent"


def test_pcm_is_kept_as_a_wav(stand: SoundStand, tmp_path: Path) -> None:
    adapter = factory({"base_url": stand.url, "api_key_env": ENV, "modality": "sound_effects", "output_format": "pcm_48000"})
    made = adapter.compose(SoundRequest(prompt="a whistle", duration=0.5), tmp_path)
    samples = decode_sound(made.audio, 1, 48000)[:, 0]
    assert made.audio.suffix == ".wav" and len(samples) == 24000
    peak = np.fft.rfftfreq(len(samples), 1 / 48000)[int(np.abs(np.fft.rfft(samples)).argmax())]
    assert abs(peak - EFFECT_HZ) < 3


def test_music_asks_for_an_instrumental_of_the_length_in_milliseconds(stand: SoundStand, tmp_path: Path) -> None:
    adapter = factory({"base_url": stand.url, "api_key_env": ENV, "modality": "music"})
    adapter.compose(SoundRequest(prompt="a calm bed", duration=12.0, loop=True, seed=7), tmp_path)
    [(kind, body, _query)] = stand.calls
    assert kind == "music" and body == {"prompt": "a calm bed", "music_length_ms": 12000, "model_id": "music_v1",
                                        "force_instrumental": True, "seed": 7}
    with pytest.raises(ProviderError, match="outside 10-300 s"):
        adapter.compose(SoundRequest(prompt="a jingle", duration=5.0), tmp_path)


def test_a_refused_key_names_its_variable_and_never_shows_the_key(stand: SoundStand, tmp_path: Path) -> None:
    stand.refused = True
    adapter = factory({"base_url": stand.url, "api_key_env": ENV, "modality": "music"})
    with pytest.raises(AuthenticationError, match=ENV) as err:
        adapter.compose(SoundRequest(prompt="a calm bed", duration=12.0), tmp_path)
    assert KEY not in str(err.value) and KEY not in str(err.value.raw)
