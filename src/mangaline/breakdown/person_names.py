"""Person names in prose as a tokenizer finds them: sudachipy for Japanese, jieba for Chinese.

Both are optional (the ``prose`` extra). Without them the prose rules find names from speech
tags and narration alone, and a warning says so once. The tokenizers load on first use, so the
CLI starts as fast without them as with them.
"""

from __future__ import annotations

import functools
import logging
import warnings

__all__ = ["NameRun", "person_names"]

NameRun = tuple[tuple[str, str], ...]
"""One name as it stands in the text: its parts in order, each (surface, kind), kind "surname", "given" or ""."""


@functools.cache
def _sudachi():
    try:
        from sudachipy import Dictionary
    except ImportError:
        _missing("sudachipy and sudachidict-core", "Japanese")
        return None
    try:
        dictionary = Dictionary(dict="core")
        return dictionary.tokenizer() if hasattr(dictionary, "tokenizer") else dictionary.create()
    except Exception as exc:  # the dictionary package is a separate install
        _missing(f"sudachidict-core ({exc})", "Japanese")
        return None


@functools.cache
def _jieba():
    try:
        import jieba
        import jieba.posseg
    except ImportError:
        _missing("jieba", "Chinese")
        return None
    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def _missing(what: str, language: str) -> None:
    warnings.warn(
        f"{what} is not installed: {language} prose finds speakers without a tokenizer and names fewer of them; "
        "pip install 'mangaline[prose]'",
        RuntimeWarning,
        stacklevel=3,
    )


def person_names(text: str, language: str) -> list[NameRun] | None:
    """The person names a tokenizer finds in text, in order, adjacent parts joined (佐伯 + 正人); None without one."""
    if language == "ja":
        tokenizer = _sudachi()
        if tokenizer is None:
            return None
        from sudachipy import SplitMode

        runs: list[NameRun] = []
        run: list[tuple[str, str]] = []
        for morpheme in tokenizer.tokenize(text, SplitMode.C):
            pos = morpheme.part_of_speech()
            if pos[1] == "固有名詞" and pos[2] == "人名":
                run.append((morpheme.surface(), {"姓": "surname", "名": "given"}.get(pos[3], "")))
                continue
            if run:
                runs.append(tuple(run))
                run = []
        if run:
            runs.append(tuple(run))
        return runs
    if language == "zh":
        posseg = _jieba()
        if posseg is None:
            return None
        return [((pair.word, ""),) for pair in posseg.cut(text) if pair.flag == "nr"]
    return None
