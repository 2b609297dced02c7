"""Music and effects routed to a paid model: the build graph's sound nodes run through the studio and the runtime
against a local stand-in of ElevenLabs (tests/providers/fake_sound.py), with the project's real state database.

The nodes are run one by one, as the engine would run them, so the test stays small: the rest of the build (pictures,
voices, the edit) is no different for a routed sound, and tests/test_paid_line.py builds that whole line.
"""

from __future__ import annotations

import os
import subprocess
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mangaline.breakdown import breakdown_source
from mangaline.config import ProviderSettings, Settings, SoundSettings
from mangaline.design import design_bible
from mangaline.engine import StepContext
from mangaline.errors import AuthenticationError
from mangaline.ffmpeg import ffmpeg_exe
from mangaline.model import Project
from mangaline.model.sound import SceneMusic, ShotEffects
from mangaline.production import RouteHistory, build_graph, plan_routes
from mangaline.project.state import open_state
from mangaline.providers.catalogue import load_catalogue
from mangaline.providers.ledger import Ledger
from mangaline.providers.studio import Studio
from mangaline.sound import effect
from mangaline.wavfile import read_pcm16_channels

from tests.providers.fake_sound import EFFECT_HZ, ENV, MUSIC_HZ, SoundStand, keyed_stand

@pytest.fixture
def stand() -> Iterator[SoundStand]:
    with keyed_stand() as running:
        yield running


def _graph(small_script: Path, root: Path, url: str | None, *, tier: str = "standard", fallback: str = "none",
           library: str | None = None):
    (root / ".mangaline").mkdir(parents=True, exist_ok=True)
    script = breakdown_source(small_script).script
    providers = {"elevenlabs": ProviderSettings(base_url=url, api_key_env=ENV, timeout=20)} if url else {}
    settings = Settings(project=Project(name="small", tier=tier, budget=5.0, fallback=fallback), providers=providers,
                        sound=SoundSettings(library=library))
    graph = build_graph(script, design_bible(script), settings.project, settings=settings, root=root,
                        history=RouteHistory())
    return {(n.step.name, n.entity): n for n in graph.nodes if n.step.name.startswith("sound.")}, graph.resources


def _run(node, resources, work: Path, inputs=None):
    """The node's step run as the engine would, its inputs the outputs already made (``inputs``, by node)."""
    folder = work / f"{node.step.name}-{node.entity.replace(':', '_')}-{len(list(work.glob('*'))) if work.exists() else 0}"
    folder.mkdir(parents=True)
    taken = {name: inputs[dep.node] for name, dep in node.deps.items() if inputs and dep.node in inputs}
    return node.step.fn(StepContext(step=node.step.name, entity=node.entity, params=node.params, inputs=taken,
                                    workdir=folder, seed=node.seed, model="", resources=resources))


def _pitch(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples[:48000]))
    return float(np.fft.rfftfreq(min(len(samples), 48000), 1 / 48000)[int(spectrum[1:].argmax()) + 1])


def test_a_routed_project_gets_its_music_and_effects_from_the_model_once(
    stand: SoundStand, small_script: Path, tmp_path: Path
) -> None:
    root = tmp_path / "paid"
    nodes, resources = _graph(small_script, root, stand.url)
    music = [n for (step, _), n in nodes.items() if step == "sound.music"]
    effects = [n for (step, _), n in nodes.items() if step == "sound.effects"]
    bought = [n for (step, _), n in nodes.items() if step == "sound.effect"]
    assert music and effects and bought
    # the route is in the params, so a change of model is a new cache key; a shot's effects take the bought sound as
    # an input, one node for every shot that asks for the same sound in the same word
    assert {n.params["model"] for n in music} == {"music_v1"}
    assert {n.params["model"] for n in bought} == {"eleven_text_to_sound_v2"}
    assert all("model" not in n.params for n in effects)
    requests = {f"{c['sound']}:{c['word'].lower()}" for n in effects for c in n.params["cues"]}
    assert {n.entity for n in bought} == requests
    assert len(requests) < sum(len(n.params["cues"]) for n in effects), "the example's rain is asked for by several shots"
    assert all({dep.entity for name, dep in n.deps.items() if name.startswith("effect:")}
               == {f"{c['sound']}:{c['word'].lower()}" for c in n.params["cues"]} for n in effects)

    outputs = {n.node: _run(n, resources, tmp_path / "work") for n in music + bought}
    outputs |= {n.node: _run(n, resources, tmp_path / "work", outputs) for n in effects}
    assert not stand.problems, stand.problems
    assert Counter(stand.kinds()) == {"music": len(music), "effect": len(bought)}
    ledger = Ledger(open_state(root))
    entries = ledger.entries()
    assert len(entries) == len(stand.calls) and len({e.charge.cache_key for e in entries}) == len(entries), \
        "the ledger lists every call, once"
    assert {e.charge.step for e in entries} == {"sound.music", "sound.effect"}
    # 32 s of music at $0.005/s; 9 s of looped rain at 25 credits/s x $0.0001
    assert {round(e.charge.cost, 4) for e in entries if e.charge.step == "sound.music"} == {0.16}
    assert {round(e.charge.cost, 4) for e in entries if e.charge.step == "sound.effect"} == {0.0225}
    sounds = requests

    for node in music:
        made = outputs[node.node]
        bed = SceneMusic.model_validate(made.data)
        samples = read_pcm16_channels(made.components["music.wav"], 48000)
        # the stand's 220 Hz, cut to a 30 s loop in stereo at the synth's peak
        assert bed.source == "music_v1" and samples.shape == (30 * 48000, 2) and abs(_pitch(samples[:, 0]) - MUSIC_HZ) < 3
        assert np.abs(samples).max() == pytest.approx(10 ** (-6 / 20), abs=0.01)
        assert made.model == "music_v1" and made.cost == pytest.approx(0.16)
    for node in effects:
        made = outputs[node.node]
        for cue in ShotEffects.model_validate(made.data).cues:
            samples = read_pcm16_channels(made.components[cue.file], 48000)
            assert cue.source == "eleven_text_to_sound_v2" and samples.shape == (8 * 48000, 1)  # rain: an 8 s loop
            assert abs(_pitch(samples[:, 0]) - EFFECT_HZ) < 3

    # a rebuild pays nothing: every request is answered from what was paid for
    again = _run(music[0], resources, tmp_path / "work")
    assert len(stand.calls) == len(music) + len(sounds) and len(ledger.entries()) == len(entries)
    assert (again.components["music.wav"].read_bytes()
            == outputs[music[0].node].components["music.wav"].read_bytes())


def test_the_draft_tier_and_a_project_without_the_key_keep_the_offline_sound(
    stand: SoundStand, small_script: Path, tmp_path: Path
) -> None:
    draft, _ = _graph(small_script, tmp_path / "draft", stand.url, tier="draft")
    keyless, _ = _graph(small_script, tmp_path / "keyless", None)
    offline, _ = _graph(small_script, tmp_path / "offline", None, tier="draft")
    for nodes in (draft, keyless):
        assert {k: n.params for k, n in nodes.items()} == {k: n.params for k, n in offline.items()}
    assert all("model" not in n.params for n in offline.values())
    assert not stand.calls


def test_a_refused_key_is_named_and_not_asked_again(stand: SoundStand, small_script: Path, tmp_path: Path) -> None:
    nodes, resources = _graph(small_script, tmp_path / "refused", stand.url)
    stand.refused = True
    music = next(n for (step, _), n in nodes.items() if step == "sound.music")
    with pytest.raises(AuthenticationError, match=ENV):
        _run(music, resources, tmp_path / "work")
    assert stand.kinds() == ["music"]
    assert not Ledger(open_state(tmp_path / "refused")).entries()


def test_a_provider_that_is_down_is_made_up_by_the_synth_with_a_warning(
    stand: SoundStand, small_script: Path, tmp_path: Path
) -> None:
    nodes, resources = _graph(small_script, tmp_path / "down", stand.url, fallback="draft")
    Studio.open(resources).runtime.sleep = lambda _seconds: None  # the retries' backoff, not waited out here
    stand.down = True
    node = next(n for (step, _), n in nodes.items() if step == "sound.effects")
    [bought] = [dep for name, dep in node.deps.items() if name.startswith("effect:")]
    made = _run(bought, resources, tmp_path / "work")
    attempts = len(stand.calls)
    assert 1 < attempts <= 5 and set(stand.kinds()) == {"effect"}, "retried as a transient failure, for one cue only"
    assert made.data["source"] == "generated" and made.provider == "draft" and made.cost == 0.0
    assert made.warnings and "made offline instead of by eleven_text_to_sound_v2" in made.warnings[0]
    assert made.data["fallback"]
    shot = _run(node, resources, tmp_path / "work", {bought.node: made})
    [cue] = ShotEffects.model_validate(shot.data).cues
    assert cue.source == "generated"
    samples = read_pcm16_channels(shot.components[cue.file], 48000)[:, 0]
    synth = effect(cue.sound, zlib.crc32(f"effect|{cue.sound}|{bought.seed}".encode()))
    assert np.allclose(samples, synth, atol=1 / 16000), "the synth's own rain"


def test_a_library_file_wins_over_the_model(stand: SoundStand, small_script: Path, tmp_path: Path) -> None:
    root = tmp_path / "library"
    rain = root / "sounds" / "rain_loop.wav"
    rain.parent.mkdir(parents=True)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=1", str(rain)], check=True)
    nodes, resources = _graph(small_script, root, stand.url, library="sounds")
    effects = [n for (step, _), n in nodes.items() if step == "sound.effects"]
    assert effects and all("model" not in n.params for n in effects), "every cue is the user's file: no route to pay"
    assert not [n for (step, _), n in nodes.items() if step == "sound.effect"]
    made = _run(effects[0], resources, tmp_path / "work")
    assert [c.source for c in ShotEffects.model_validate(made.data).cues] == ["rain_loop.wav"]
    assert not stand.calls and made.cost == 0.0


def test_the_plan_prices_each_sound_and_a_missing_key_is_no_fallback(
    stand: SoundStand, small_script: Path, tmp_path: Path
) -> None:
    script = breakdown_source(small_script).script
    bible = design_bible(script)
    project = Project(name="small", tier="standard", budget=5.0)
    keyed = Settings(project=project, providers={"elevenlabs": ProviderSettings(base_url=stand.url, api_key_env=ENV)})
    work = plan_routes(script, bible, keyed, load_catalogue(), RouteHistory())
    sounds = {key: route for key, route in work.routes.items() if key.startswith(("music:", "effects:"))}
    assert {key.split(":")[0] for key in sounds} == {"music", "effects"}
    music = [route for key, route in sounds.items() if key.startswith("music:")]
    # 32 s at $0.005/s, over the prior pass rate of 0.8
    assert all(route.model == "music_v1" and route.expected_cost == pytest.approx(0.16 / 0.8) for route in music)
    os.environ.pop(ENV)
    keyless = plan_routes(script, bible, keyed, load_catalogue(), RouteHistory())
    assert not [key for key in (*keyless.routes, *keyless.fallbacks) if key.startswith(("music:", "effects:"))]


def test_the_plan_does_not_price_what_the_library_covers(stand: SoundStand, small_script: Path, tmp_path: Path) -> None:
    from mangaline.sound import scene_mood

    script = breakdown_source(small_script).script
    bible = design_bible(script)
    project = Project(name="small", tier="standard", budget=5.0)
    providers = {"elevenlabs": ProviderSettings(base_url=stand.url, api_key_env=ENV)}
    root = tmp_path / "covered"
    sounds = root / "sounds"
    (sounds / "music").mkdir(parents=True)
    scene = script.episodes[0].scenes[0]
    mood = scene_mood(scene.heading, " ".join(shot.action for shot in scene.shots), scene.time_of_day)
    for name in ("rain_loop.wav", f"music/{mood}_night.wav"):
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=1", str(sounds / name)], check=True)
    bare = plan_routes(script, bible, Settings(project=project, providers=providers), load_catalogue(), RouteHistory())
    covered = plan_routes(script, bible, Settings(project=project, providers=providers, sound=SoundSettings(library="sounds")),
                          load_catalogue(), RouteHistory(), root=root)
    priced = {key for key in bare.routes if key.startswith(("music:", "effects:"))}
    assert {key.split(":")[0] for key in priced} == {"music", "effects"}
    # the scene's bed and every shot's rain are the library's files: nothing of it is the model's paid work
    assert not [key for key in covered.routes if key.startswith(("music:", "effects:"))]
    assert covered.total == pytest.approx(bare.total - sum(bare.routes[key].expected_cost for key in priced))
    # the build routes alike: its nodes carry no model, and its plan holds no sound
    nodes, _ = _graph(small_script, root, stand.url, library="sounds")
    assert nodes and all("model" not in n.params for n in nodes.values())
    graph = build_graph(script, bible, project, settings=Settings(project=project, providers=providers,
                                                                   sound=SoundSettings(library="sounds")),
                        root=root, history=RouteHistory())
    assert not [key for key in graph.work.routes if key.startswith(("music:", "effects:"))]
    assert not stand.calls


def test_a_shot_the_library_covers_in_part_is_priced_for_the_rest(small_script: Path, tmp_path: Path) -> None:
    from mangaline.production import _work_items

    script = breakdown_source(small_script).script
    code = script.shots()[1].code
    shot = script.shots()[1]
    script.episodes[0].scenes[0].shots[1] = shot.model_copy(update={"action": shot.action + " A DOOR SLAMS."})
    bible = design_bible(script)
    root = tmp_path / "part"
    (root / "sounds").mkdir(parents=True)
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=1", str(root / "sounds" / "rain.wav")],
                   check=True)
    settings = Settings(project=Project(name="small", tier="standard", budget=5.0))
    bare = {item.entity: item for item in _work_items(script, bible, settings)}
    covered = {item.entity: item for item in _work_items(
        script, bible, settings.model_copy(update={"sound": SoundSettings(library="sounds")}), root)}
    assert {key for key in bare if key.startswith("effects:")} == {"effects:rain:rain", "effects:door:door"}
    assert {key for key in covered if key.startswith("effects:")} == {"effects:door:door"}, \
        "the door is asked for, the rain is the library's"
    assert covered["effects:door:door"].needs.duration > 0
