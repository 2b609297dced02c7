"""Episodes sized by screen time, pacing limits, and a whole novel streamed through breakdown_source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mangaline.breakdown.episodes import script_from_story
from mangaline.breakdown.prose import ProseReader, story_chapters
from mangaline.breakdown.readers import SourceLine
from mangaline.errors import ScriptError
from mangaline.model import Project, Script, ShotKind

SAMPLES = Path(__file__).parent / "samples"


def _lines(text: str) -> list[SourceLine]:
    out, offset = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        out.append(SourceLine(number, offset, line))
        offset += len(line) + 1
    return out


def _script(text: str, project: Project) -> Script:
    reader = ProseReader(project.language, source="story/t.txt")
    return script_from_story(
        story_chapters(_lines(text), language=project.language, source="story/t.txt", reader=reader),
        project=project, source="story/t.txt", source_sha256=None, title="T", known=reader.cast.known,
    )


def _episode_seconds(script: Script) -> list[float]:
    return [sum(shot.duration for shot in episode.shots()) for episode in script.episodes]


def test_episodes_fill_the_target_length_and_never_pass_the_longest():
    text = (SAMPLES / "teahouse.zh.txt").read_text(encoding="utf-8")
    project = Project(name="t", language="zh", episode_seconds_min=30, episode_seconds_max=45)
    script = _script(text * 3, project)
    seconds = _episode_seconds(script)
    assert len(seconds) >= 6
    assert all(s <= 45 for s in seconds), seconds
    # every episode but the last reaches the shortest length (the story decides where the last one ends)
    assert all(s >= 30 for s in seconds[:-1]), seconds
    # scenes cut to fit an episode carry on in the same place, marked as continued
    continued = [scene for scene in script.scenes() if scene.heading.endswith("(CONT'D)")]
    assert continued and all(scene.location for scene in continued)
    assert len({shot.code for shot in script.shots()}) == len(script.shots())


def test_longer_target_makes_fewer_episodes():
    text = (SAMPLES / "harbour.en.txt").read_text(encoding="utf-8") * 2
    short = _script(text, Project(name="t", episode_seconds_min=20, episode_seconds_max=40))
    long = _script(text, Project(name="t", episode_seconds_min=60, episode_seconds_max=120))
    assert len(short.episodes) > len(long.episodes)
    assert all(s <= 120 for s in _episode_seconds(long))


def test_pacing_limits_bound_every_shot_and_thin_out_reactions():
    text = (SAMPLES / "harbour.en.txt").read_text(encoding="utf-8")
    loose = _script(text, Project(name="t"))
    tight = _script(text, Project(name="t", min_shot_seconds=2.0, max_shot_seconds=3.0, max_shots_per_minute=12))
    for shot in tight.shots():
        assert shot.duration >= 2.0
        if not shot.dialogue:
            assert shot.duration <= 3.0
    reactions = lambda s: sum(1 for shot in s.shots() if shot.kind is ShotKind.REACTION)
    assert reactions(tight) < reactions(loose)


def test_pacing_settings_are_checked():
    with pytest.raises(ValueError, match="episode_seconds_min"):
        Project(name="t", episode_seconds_min=200, episode_seconds_max=100)


def test_a_story_with_no_text_is_refused():
    with pytest.raises(ScriptError, match="no story text"):
        _script("\n\n* * *\n\n", Project(name="t"))


_NOVEL = '''
import random, resource, sys
from pathlib import Path
from mangaline.breakdown import breakdown_source

path = Path(sys.argv[1])
random.seed(7)
narration = ["雨下了一整夜，街上的青石板亮得像镜子。", "王掌柜把门板一块块卸下来，靠在墙边。",
             "林夏撑着伞从巷口走来，裙角沾了泥。", "江面上的雾慢慢散开，远处传来船工的号子。",
             "茶馆里渐渐坐满了人，说书先生清了清嗓子。", "阿福提着铜壶在桌子之间穿来穿去。"]
speech = ["“今天的龙井新到的，尝尝？”王掌柜笑道。", "林夏点点头：“来一壶吧。”", "“码头那边怎么样了？”",
          "“听说船都回来了。”阿福说。", "“那就好。”她轻声说，“那就好。”"]
written = 0
with open(path, "w", encoding="gb18030") as out:
    chapter = 0
    while written < 1_000_000:
        chapter += 1
        out.write(f"第{chapter}章 茶馆\\n")
        for _ in range(120):
            line = "　　" + "".join(random.choice(narration) for _ in range(3))
            if random.random() < 0.3:
                line = "　　" + random.choice(speech)
            out.write(line + "\\n")
            written += len(line) + 1
result = breakdown_source(path, prose_max_bytes=4_000_000)  # past the default cap, to measure streaming
script = result.script
assert result.project.language == "zh" and script.language == "zh"
# this process's own high-water mark: on Linux, ru_maxrss also carries the parent's peak across fork and exec
# (so a test run late in a large pytest session read pytest's memory, not the breakdown's)
status = Path("/proc/self/status")
if status.exists():
    peak = next(int(l.split()[1]) * 1024 for l in status.read_text().splitlines() if l.startswith("VmHWM:"))
else:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
print(written, len(script.episodes), len(script.shots()), len(script.lines()), peak)
'''


def test_a_million_character_novel_streams_in_bounded_memory(tmp_path):
    # a fresh interpreter, so the peak measured is this breakdown's and nothing else's; started from a parent that
    # holds 500 MB (past the bound), to show the measure is the child's own
    ballast = bytearray(500 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    done = subprocess.run(
        [sys.executable, "-c", _NOVEL, str(tmp_path / "novel.txt")], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    written, episodes, shots, lines, peak = (int(v) for v in done.stdout.split())
    assert written >= 1_000_000
    assert episodes > 100 and shots > episodes * 10 and lines > 1000
    # a flat bound, whatever the novel's length: the breakdown streams; jieba's dictionary alone is ~100 MB of it
    assert peak < 450 * 1024 * 1024, f"peak memory {peak / 2**20:.0f} MB"
