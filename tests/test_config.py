"""mangaline.toml as a person edits it: every refusal names the file, the line, the table and the key, and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from mangaline.config import LlmSettings, ProviderSettings, Settings, load_settings, write_settings
from mangaline.errors import ConfigError
from mangaline.model import Project
from mangaline.providers.registry import available

from .conftest import mangaline


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "mangaline.toml"
    write_settings(path, Settings(project=Project(name="harbour")))
    return path


def _append(path: Path, text: str) -> int:
    """Add ``text`` to the file; returns the line its first line lands on."""
    before = path.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def _refusal(path: Path) -> str:
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    return str(refused.value)


def test_a_provider_nobody_installed_is_refused_with_the_known_ones(config: Path) -> None:
    line = _append(config, '[providers.acme]\nbase_url = "https://acme.example/v1"\napi_key_env = "ACME_KEY"\n')
    message = _refusal(config)
    assert f"{config}:{line}: [providers.acme]" in message
    assert "known providers: " + ", ".join(available()) in message
    assert "openai" in available() and "draft" in available()


def test_an_installed_provider_loads(config: Path) -> None:
    _append(config, '[providers.openai]\napi_key_env = "OPENAI_API_KEY"\ntimeout = 30\n')
    assert load_settings(config).providers["openai"] == ProviderSettings(api_key_env="OPENAI_API_KEY", timeout=30)


def test_a_key_written_in_the_file_is_refused_without_repeating_it(config: Path) -> None:
    line = _append(config, '[providers.openai]\nbase_url = "https://api.openai.com/v1"\napi_key = "sk-live-0123456789"\n')
    message = _refusal(config)
    assert f"{config}:{line + 2}: [providers.openai] api_key" in message
    assert "keys never go in files" in message
    assert 'api_key_env = "OPENAI_API_KEY"' in message
    assert "sk-live" not in message


def test_a_secret_among_a_providers_options_is_refused_too(config: Path) -> None:
    line = _append(config, '[providers.kling]\napi_key_env = "KLING_ACCESS_KEY"\n\n[providers.kling.options]\nsecret_key = "abc123"\n')
    message = _refusal(config)
    assert f"{config}:{line + 4}: [providers.kling.options] secret_key" in message
    assert "keys never go in files" in message and 'secret_key_env = "KLING_SECRET_KEY"' in message
    assert "abc123" not in message


def test_the_key_itself_in_api_key_env_is_refused_without_repeating_it(config: Path) -> None:
    line = _append(config, '[llm]\nbase_url = "http://127.0.0.1:8080/v1"\nmodel = "qwen"\napi_key_env = "sk-proj-abc.def"\n')
    message = _refusal(config)
    assert f"{config}:{line + 3}: [llm] api_key_env" in message
    assert "not the key itself" in message and "sk-proj" not in message


def test_an_unknown_key_names_its_line_and_the_keys_the_table_takes(config: Path) -> None:
    line = _append(config, '[providers.openai]\nbase_ur = "https://api.openai.com/v1"\n')
    message = _refusal(config)
    assert f"{config}:{line + 1}: [providers.openai] unknown key 'base_ur'" in message
    assert "known keys: api_key_env, base_url," in message


def test_an_unknown_table_names_its_line(config: Path) -> None:
    line = _append(config, "[biuld]\nworkers = 4\n")
    message = _refusal(config)
    assert f"{config}:{line}: unknown key 'biuld'" in message and "build" in message


def test_a_bad_value_names_its_line_and_the_value(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.startswith("workers"))
    config.write_text(text.replace("workers = 2", "workers = 500"), encoding="utf-8")
    message = _refusal(config)
    assert f"{config}:{line}: [build] workers:" in message and "64" in message and "got 500" in message


def test_a_bad_value_in_a_dotted_key_names_its_line(config: Path) -> None:
    line = _append(config, '[routing]\nshot_tiers.establishing = "cheap"\n')
    message = _refusal(config)
    assert f"{config}:{line + 1}: [routing] shot_tiers" in message and "'cheap'" in message


def test_keys_in_a_multi_line_string_are_not_taken_for_keys(config: Path) -> None:
    line = _append(config, '[llm]\nbase_url = """\nmodel = "not a key"\n"""\nmodel = "qwen"\nthinking = "maybe"\n')
    message = _refusal(config)
    assert f"{config}:{line + 5}: [llm] thinking" in message


def test_settings_made_in_code_keep_their_checks() -> None:
    with pytest.raises(ValueError, match="not the key itself"):
        LlmSettings(base_url="http://127.0.0.1:8080/v1", model="qwen", api_key_env="sk-0123")
    assert LlmSettings(base_url="http://127.0.0.1:8080/v1", model="qwen", api_key_env="").api_key_env == ""


def test_the_cli_says_a_config_problem_in_one_line(tmp_path: Path, small_script: Path) -> None:
    project = tmp_path / "project"
    mangaline("new", project, "--from", small_script)
    line = _append(project / "mangaline.toml", '[providers.openai]\napi_key = "sk-live-0123456789"\n')
    result = mangaline("status", project, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    said = result.stderr.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("error: ")
    assert f"mangaline.toml:{line + 1}: [providers.openai] api_key" in said[0] and "api_key_env" in said[0]
    assert "sk-live" not in result.stderr
