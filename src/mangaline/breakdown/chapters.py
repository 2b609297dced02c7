"""Chapter detection: cut a stream of source lines into chapters (第一章, 第1話, Chapter One, CHAPTER 2, 1., # headings)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .readers import SourceLine
from .words.en import NUMBER_WORDS

__all__ = ["MAX_CHAPTER_CHARS", "ChapterText", "chapter_heading", "split_chapters"]

# A chapter with no heading for this long is cut at a paragraph boundary, so a book without
# chapter marks still streams through in bounded memory.
MAX_CHAPTER_CHARS = 60_000

_CJK_NUMERAL = "一二三四五六七八九十百千零〇两０１２３４５６７８９0-9"
_CJK_HEADING = re.compile(rf"^第\s*[{_CJK_NUMERAL}]+\s*[章回节節話话幕卷部集篇]\s*[：:、.．\s]?\s*(?P<title>.{{0,40}})$")
_EN_NUMBER = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_EN_HEADING = re.compile(
    rf"^(?:chapter|part|book)\s+(?:\d+|[ivxlc]+|(?:{_EN_NUMBER})(?:[-\s](?:{_EN_NUMBER}))?)\b\s*[.:—–-]?\s*(?P<title>.{{0,60}})$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^(?P<number>\d{1,3})\s*[.．、]\s*(?P<title>[^。.!?！？「“\"]{0,30})$")
_MARKDOWN = re.compile(r"^#{1,3}\s+(?P<title>\S.{0,80})$")
_NAMED = re.compile(r"^(?:序章|序幕|楔子|尾声|终章|終章|番外|プロローグ|エピローグ|Prologue|Epilogue|PROLOGUE|EPILOGUE)(?:\s*[：:、.\s]\s*(?P<title>.{0,40}))?$")


@dataclass
class ChapterText:
    """One chapter's heading and its lines, held only while the chapter is read."""

    number: int
    title: str
    heading: SourceLine | None
    lines: list[SourceLine] = field(default_factory=list)


def chapter_heading(text: str, *, expected_number: int | None = None) -> str | None:
    """The chapter title when a line is a chapter heading, else None.

    A bare "1." is a heading only when it is the number the chapters have reached
    (``expected_number``), so a numbered list inside a chapter is not read as chapters.
    """
    s = text.strip().strip("　")
    if not s or len(s) > 90:
        return None
    for pattern in (_MARKDOWN, _CJK_HEADING, _EN_HEADING, _NAMED):
        if (match := pattern.match(s)) is None:
            continue
        if pattern is _CJK_HEADING and re.search(r"[。！？!?][^。！？!?」”』]|[^。！？!?]*[，,][^。！？!?]*[。]$", match.group("title")):
            return None  # 第二回总算没熄火。车子慢吞吞地…: a sentence about the second go, not the second chapter
        return s.lstrip("#").strip()
    match = _NUMBERED.match(s)
    if match and expected_number is not None and int(match.group("number")) == expected_number:
        return s
    return None


def split_chapters(lines: Iterable[SourceLine], *, max_chars: int = MAX_CHAPTER_CHARS) -> Iterator[ChapterText]:
    """Yield chapters one at a time; text before the first heading is a chapter of its own."""
    current = ChapterText(number=1, title="", heading=None)
    base_title = ""
    size = 0
    has_text = False
    numbered = 0  # the last bare "N." heading seen, so the next must be N+1
    previous_blank = True
    for line in lines:
        expected = numbered + 1 if previous_blank else None
        title = chapter_heading(line.text, expected_number=expected)
        if title is not None:
            if _NUMBERED.match(line.text.strip()):
                numbered += 1
            if has_text:
                yield current
                current = ChapterText(number=current.number + 1, title=title, heading=line)
            else:
                # a volume heading right above a chapter heading: one chapter, both titles
                current.title = f"{current.title} {title}".strip() if current.heading else title
                current.heading = current.heading or line
            base_title = current.title
            size = 0
            has_text = False
            previous_blank = False
            continue
        blank = not line.text.strip()
        if has_text and (size >= max_chars and blank or size >= 2 * max_chars):
            yield current
            current = ChapterText(number=current.number + 1, title=f"{base_title} (cont.)".strip(), heading=None)
            size = 0
            has_text = False
        current.lines.append(line)
        size += len(line.text) + 1
        has_text = has_text or not blank
        previous_blank = blank
    if has_text or current.heading is not None:
        yield current
