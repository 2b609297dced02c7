"""Prose breakdown accuracy: dialogue recall and speaker accuracy of the offline rules on labelled samples.

Each sample is a story ``NAME.LANG.txt`` beside ``NAME.LANG.gold.tsv``, one row per quoted span
in reading order: the quote's text (without its quote marks), a tab, the speaker's name.
A gold quote is recalled when a DialogueLine holds its text; its speaker is right when the
gold name is one of the names (aliases) of the character the line was given to.

    .venv/bin/python benchmarks/prose_accuracy.py [SAMPLES_DIR]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mangaline.breakdown.prose import ProseReader, story_chapters
from mangaline.breakdown.readers import open_prose

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "breakdown" / "samples"


@dataclass
class Score:
    """How one sample fared: gold quotes, how many were found, and how many got the right speaker."""

    sample: str
    language: str
    gold: int = 0
    found: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def accuracy(self) -> float:
        return self.right / self.found if self.found else 0.0


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def measure(story: Path, gold: Path) -> Score:
    """Break the story down with the offline rules and score it against its gold labels."""
    prose = open_prose(story)
    reader = ProseReader(prose.language, source=story.name)
    lines = [
        beat.line
        for chapter in story_chapters(prose.lines(), language=prose.language, source=story.name, reader=reader)
        for scene in chapter.scenes
        for beat in scene.beats
        if beat.line is not None
    ]
    score = Score(sample=story.name, language=prose.language)
    cursor = 0
    for row in gold.read_text(encoding="utf-8").splitlines():
        if not row.strip():
            continue
        quote, speaker = (part.strip() for part in row.split("\t"))
        score.gold += 1
        # a line's text drops the comma that led into its speech tag ("You're late," said Marta)
        wanted = _norm(quote).rstrip(",，、")
        hit = next((j for j in range(cursor, len(lines)) if wanted in _norm(lines[j].text)), None)
        if hit is None:
            score.misses.append(quote)
            continue
        cursor = hit
        score.found += 1
        line = lines[hit]
        names = set(reader.cast.aliases(line.character)) | {line.speaker}
        if speaker in names:
            score.right += 1
        else:
            score.wrong.append(f"{quote} -> {line.speaker} (gold {speaker})")
    return score


def samples(folder: Path = SAMPLES) -> list[tuple[Path, Path]]:
    """(story, gold) pairs in a samples folder."""
    pairs = []
    for gold in sorted(folder.glob("*.gold.tsv")):
        story = gold.with_name(gold.name.removesuffix(".gold.tsv") + ".txt")
        if story.exists():
            pairs.append((story, gold))
    return pairs


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else SAMPLES
    print(f"{'sample':28} {'lang':4} {'gold':>5} {'recall':>7} {'speaker':>8}")
    for story, gold in samples(folder):
        score = measure(story, gold)
        print(f"{score.sample:28} {score.language:4} {score.gold:5d} {score.recall:7.1%} {score.accuracy:8.1%}")
        for miss in score.misses:
            print(f"    missed: {miss}")
        for wrong in score.wrong:
            print(f"    wrong:  {wrong}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
