"""The CLI contract: clear errors for bad input, and the breakdown JSON other tools read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import EXAMPLES, mangaline


def _refused(tmp_path: Path, source: Path, *expected: str) -> str:
    project = tmp_path / "project"
    result = mangaline("new", project, "--from", source, check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    for text in expected:
        assert text in message, message
    assert not project.exists(), "a refused input must not leave a half-made project"
    return message


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "empty.fountain"
    source.write_text("  \n\n", encoding="utf-8")
    _refused(tmp_path, source, str(source), "empty")


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "picture.fountain"
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    _refused(tmp_path, source, str(source), "not a text file")


def test_a_file_in_an_undetectable_encoding_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "mangled.fountain"
    source.write_bytes(b"INT. ROOM - DAY\n\n" + bytes([0x81, 0xFE, 0xC0, 0x80, 0xFF, 0x9D]) * 40)
    message = _refused(tmp_path, source, str(source))
    assert "UTF-8" in message or "encoding" in message


def _warned(tmp_path: Path, source: Path, *expected: str) -> None:
    result = mangaline("new", tmp_path / "project", "--from", source)
    message = " ".join(result.stderr.split())
    assert "warning" in message, message
    for text in expected:
        assert text in message, message


def test_an_unterminated_boneyard_is_text_with_a_warning_naming_its_line(tmp_path: Path) -> None:
    source = tmp_path / "boneyard.fountain"
    source.write_text("INT. ROOM - DAY\n\nA room.\n\n/* cut this\n\nBOB\nHello.\n", encoding="utf-8")
    _warned(tmp_path, source, f"{source}:5", "'/*'")


def test_an_unterminated_note_is_text_with_a_warning_naming_its_line(tmp_path: Path) -> None:
    source = tmp_path / "note.fountain"
    source.write_text("INT. ROOM - DAY\n\nA room. [[fix this\n\nBOB\nHello.\n", encoding="utf-8")
    _warned(tmp_path, source, f"{source}:3", "'[['")


def test_a_warning_on_line_100_names_the_line_in_digits_not_as_an_emoji(tmp_path: Path) -> None:
    # the console once read "script.fountain:100:" as the :100: emoji code
    source = tmp_path / "long.fountain"
    source.write_text("INT. ROOM - DAY\n\n\n" + "A room.\n\n" * 48 + "A hum. [[fix this\n\nBOB\nHello.\n",
                      encoding="utf-8")
    _warned(tmp_path, source, f"{source}:100:", "'[['")


def test_a_ten_megabyte_script_is_refused_before_reading(tmp_path: Path) -> None:
    source = tmp_path / "huge.fountain"
    scene = "INT. ROOM - DAY\n\nA room.\n\nBOB\nHello there, how are you today?\n\n"
    with source.open("w", encoding="utf-8") as handle:
        while handle.tell() < 10 * 1024 * 1024:
            handle.write(scene * 1000)
    _refused(tmp_path, source, str(source), "MB")


def test_a_folder_that_is_not_a_project_gets_a_hint(tmp_path: Path) -> None:
    result = mangaline("build", tmp_path, check=False)
    assert result.returncode == 2
    assert "mangaline new" in result.stderr and "Traceback" not in result.stderr


def test_breakdown_json_gives_speaker_and_text_for_every_line(tmp_path: Path) -> None:
    project = tmp_path / "ferry"
    mangaline("new", project, "--from", EXAMPLES / "last-ferry.fountain")
    script = json.loads(mangaline("breakdown", project, "--json").stdout)
    shots = [shot for ep in script["episodes"] for sc in ep["scenes"] for shot in sc["shots"]]
    lines = [line for shot in shots for line in shot["dialogue"]]
    assert len(shots) >= 20 and len(lines) >= 20
    assert all(isinstance(line["speaker"], str) and line["speaker"] and line["text"] for line in lines)
    assert len({line["speaker"] for line in lines}) >= 3
    assert any(line["dual"] for line in lines)
    assert any(line["parenthetical"] for line in lines)
    off_screen = [shot for shot in shots for line in shot["dialogue"] if line["extension"] and "O.S." in line["extension"]]
    assert off_screen and all(shot["subject"] != shot["dialogue"][0]["character"] for shot in off_screen)
    assert any(sc["transition_out"] for ep in script["episodes"] for sc in ep["scenes"])
    assert len({sc["location"] for ep in script["episodes"] for sc in ep["scenes"]}) >= 2


@pytest.mark.parametrize("example", ["tea-house.zh.fountain"])
def test_the_chinese_example_breaks_down_in_chinese(tmp_path: Path, example: str) -> None:
    project = tmp_path / "cjk"
    mangaline("new", project, "--from", EXAMPLES / example)
    script = json.loads(mangaline("breakdown", project, "--json").stdout)
    assert script["language"] == "zh"
    lines = [line for ep in script["episodes"] for sc in ep["scenes"] for shot in sc["shots"] for line in shot["dialogue"]]
    assert len(lines) >= 6 and all(line["speaker"] for line in lines)


def test_a_bad_bible_edit_is_named_by_file_and_line(small_script: Path, tmp_path: Path) -> None:
    project = tmp_path / "small"
    mangaline("new", project, "--from", small_script)
    path = project / "bible" / "characters" / "june.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("hair:") and "#" in line)
    lines[index] = lines[index].split(":")[0] + ": red"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = mangaline("build", project, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"june.yaml:{index + 1}" in result.stderr and "#rrggbb" in result.stderr


def test_a_failing_step_is_flagged_and_everything_else_is_kept(small_script: Path, tmp_path: Path) -> None:
    project = tmp_path / "small"
    mangaline("new", project, "--from", small_script)
    path = project / "bible" / "characters" / "oda.yaml"
    text = path.read_text(encoding="utf-8")
    assert "engine: auto" in text
    path.write_text(text.replace("engine: auto", "engine: no-such-engine"), encoding="utf-8")
    result = mangaline("build", project, "--no-progress", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no-such-engine" in result.stderr
    status = json.loads(mangaline("status", project, "--json").stdout)
    states = {(n["step"], n["entity"]): n for n in status["nodes"]}
    flagged = [n for n in status["nodes"] if n["state"] == "FLAGGED"]
    assert flagged and all(n["step"] == "voice.line" for n in flagged)
    assert all("no-such-engine" in n["cause"] for n in flagged)
    assert all(n["state"] == "FRESH" for (step, _), n in states.items() if step == "storyboard.keyframe")
    assert states[("edit.episode", "ep01")]["state"] == "MISSING"


@pytest.mark.own_state
def test_new_breaks_a_story_down_with_an_llm_and_keeps_its_transcript(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mangaline.project import ProjectFolder
    from mangaline.providers.ledger import Ledger

    from .breakdown.fake_chat_server import FakeChatServer, fake_breakdown

    story = tmp_path / "harbour.txt"
    story.write_text(
        "# Chapter One\n\nAt the harbour, night.\n\nRain falls on the black water. Margaret waits under the crane.\n\n"
        'Margaret: "You came back."\n\nOda: "The door was open."\n\nOda steps out of the dark with a broken umbrella.\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MANGALINE_CLI_LLM_KEY", "sk-test-not-a-real-key")
    project = tmp_path / "harbour"
    with FakeChatServer(fake_breakdown) as server:
        mangaline("new", project, "--from", story, "--llm-url", server.url, "--llm-model", "fake-model",
                  "--llm-key-env", "MANGALINE_CLI_LLM_KEY")
        assert server.calls == 1
    script = json.loads(mangaline("breakdown", project, "--json").stdout)
    lines = [line for ep in script["episodes"] for sc in ep["scenes"] for shot in sc["shots"] for line in shot["dialogue"]]
    assert [(line["speaker"], line["text"]) for line in lines] == [("Margaret", "You came back."), ("Oda", "The door was open.")]
    assert "[llm]" in (project / "mangaline.toml").read_text() and "sk-test" not in (project / "mangaline.toml").read_text()
    folder = ProjectFolder.open(project)
    try:
        [take] = folder.state.takes(step="breakdown.llm")
        transcript = folder.objects.path(take.components["transcript.jsonl"]).read_text(encoding="utf-8")
        # the call was made before the project existed; its charge is in the project's ledger all the same
        [charge] = [entry.charge for entry in Ledger(folder.state).entries()]
    finally:
        folder.close()
    assert "You came back." in transcript and "sk-test" not in transcript
    assert (charge.step, charge.model, charge.entity) == ("breakdown.llm", "fake-model", "story/harbour.txt lines 1-11")
