"""[sound] in mangaline.toml: the library folder and the loudness target, checked where they enter."""

from __future__ import annotations

from pathlib import Path

import pytest

from mangaline.config import Settings, load_settings, write_settings
from mangaline.errors import ConfigError
from mangaline.model import Project


def _config(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "mangaline.toml"
    write_settings(path, Settings(project=Project(name="harbour")))
    path.write_text(path.read_text(encoding="utf-8") + "\n[sound]\n" + table, encoding="utf-8")
    return path


def test_the_defaults_are_made_offline_at_the_platforms_loudness(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, ""))
    assert settings.sound.library is None and settings.sound.loudness == -14.0


def test_a_library_and_a_loudness_are_read(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, 'library = "sounds"\nloudness = -23.0\n'))
    assert (settings.sound.library, settings.sound.loudness) == ("sounds", -23.0)


@pytest.mark.parametrize(("table", "said"), [("loudness = 3.0\n", "loudness"), ("volume = 1\n", "unknown key 'volume'")])
def test_a_wrong_sound_setting_is_refused_naming_it(tmp_path: Path, table: str, said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        load_settings(_config(tmp_path, table))
