"""The sound department in the build graph: a music node per scene, effects where the action calls for them,
the library's files in their params by content, and a library folder that is not there refused before a build."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mangaline.breakdown import breakdown_source
from mangaline.config import Settings, SoundSettings
from mangaline.design import design_bible
from mangaline.errors import ConfigError
from mangaline.ffmpeg import ffmpeg_exe
from mangaline.model import Project
from mangaline.production import build_graph


def _graph(small_script: Path, root: Path, library: str | None):
    script = breakdown_source(small_script).script
    settings = Settings(project=Project(name="small"), sound=SoundSettings(library=library, loudness=-16.0))
    return script, build_graph(script, design_bible(script), settings.project, settings=settings, root=root)


def test_scenes_get_music_and_shots_their_cues_from_the_library(small_script: Path, tmp_path: Path) -> None:
    rain = tmp_path / "sounds" / "rain_loop.wav"
    rain.parent.mkdir()
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=1", str(rain)], check=True)
    script, graph = _graph(small_script, tmp_path, "sounds")
    nodes = {(n.step.name, n.entity): n for n in graph.nodes}
    music = [n for (step, _), n in nodes.items() if step == "sound.music"]
    assert {n.entity for n in music} == {scene.id for scene in script.scenes()}
    assert all(n.params["library"] is None for n in music)  # no music in the library: made offline
    effects = [n for (step, _), n in nodes.items() if step == "sound.effects"]
    # "a window with rain on it": rain under every shot of the night kitchen
    assert {n.entity for n in effects} == {shot.code for shot in script.shots()}
    assert all([c["sound"] for c in n.params["cues"]] == ["rain"] for n in effects)
    assert all(n.params["library"]["rain"]["path"] == str(rain) for n in effects)
    [mix] = [n for (step, _), n in nodes.items() if step == "edit.mix"]
    [episode] = [n for (step, _), n in nodes.items() if step == "edit.episode"]
    assert mix.params["loudness"] == -16.0 and "loudness" not in episode.params
    for edit in (mix, episode):
        assert {name for name in edit.deps if name.startswith(("music:", "effects:"))} == {
            *(f"music:{n.entity}" for n in music), *(f"effects:{n.entity}" for n in effects)}
    # the mix needs no pictures: it runs beside the segments, and the episode takes it
    assert not [name for name in mix.deps if name.startswith("segment:")] and episode.deps["mix"] is mix

    # a changed library file is a new cache key for the shots that use it
    before = {n.entity: n.params["library"]["rain"]["sha256"] for n in effects}
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "anoisesrc=d=2", str(rain)], check=True)
    _, again = _graph(small_script, tmp_path, "sounds")
    after = {n.entity: n.params["library"]["rain"]["sha256"] for n in again.nodes if n.step.name == "sound.effects"}
    assert after.keys() == before.keys() and not set(after.values()) & set(before.values())


def test_a_missing_library_folder_stops_the_build_before_it_starts(small_script: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no-such-folder"):
        _graph(small_script, tmp_path, "no-such-folder")
