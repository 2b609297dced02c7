"""Person names in prose as a tokenizer finds them: sudachipy for Japanese, jieba for Chinese; and what their
dictionaries say of a name (how a Japanese name is read, so ユカ is 由佳; whether a Chinese word is an everyday one).

Both are optional (the ``prose`` extra). Without them the prose rules find names from speech
tags and narration alone, and a warning says so once. The tokenizers load on first use, so the
CLI starts as fast without them as with them.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from collections import Counter

from .words.zh import COMPOUND_SURNAMES, FOREIGN_NAME_SOUNDS, SURNAMES

__all__ = ["NameRun", "chinese_unknown_subjects", "is_everyday_word", "is_verb", "kana_nickname_of", "person_names"]

_EVERYDAY = 100
"""How often jieba's dictionary must have seen a word tagged as a person name (谢谢, 毛巾, 安静) for it to be an
everyday word: the names a story makes up are rare or unknown there."""

_COMMONPLACE = 1000
"""How often jieba's dictionary must have seen a word for it to be an everyday one whatever follows it (胡同, 白天):
a name of three characters does not open on one (高兴华 would be lost; 胡同口 and 白天亮 are places and phrases)."""

_COUNTING = "一二两三几半每这那哪"
"""What stands before a measure word, so a surname-like character after it (张, 条, 位) counts a thing."""

NameRun = tuple[tuple[str, str], ...]
"""One name as it stands in the text: its parts in order, each (surface, kind), kind "surname", "given", "" or
"given?" (a word after a surname that may be a given name: the name holds only if the story repeats it)."""


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


_GIVEN_NAME_ENDS = frozenset("人斗太介助郎彦也哉輔平吉")
"""Characters that end Japanese given names (悠人, 勇斗) and that the tokenizer may read as a suffix after the first."""


def person_names(text: str, language: str) -> list[NameRun] | None:
    """The person names a tokenizer finds in text, in order, adjacent parts joined (佐伯 + 正人); None without one."""
    if language == "ja":
        tokenizer = _sudachi()
        if tokenizer is None:
            return None
        from sudachipy import SplitMode

        runs: list[NameRun] = []
        run: list[tuple[str, str]] = []
        morphemes = list(tokenizer.tokenize(text, SplitMode.C))
        for k, morpheme in enumerate(morphemes):
            pos = morpheme.part_of_speech()
            # (a name cut short on a small tsu, やっ of おやっさん, is a word said with a catch, unless a pet name follows
            # it: なっちゃん)
            clipped = morpheme.surface().endswith(("っ", "ッ")) and \
                (k + 1 == len(morphemes) or morphemes[k + 1].surface() not in ("ちゃん", "ちん"))
            if pos[1] == "固有名詞" and pos[2] == "人名" and not clipped:
                run.append((morpheme.surface(), {"姓": "surname", "名": "given"}.get(pos[3], "")))
                continue
            if run and run[-1][1] == "given" and len(run[-1][0]) == 1 and pos[0] == "接尾辞" \
                    and morpheme.surface() in _GIVEN_NAME_ENDS:
                run[-1] = (run[-1][0] + morpheme.surface(), "given")  # 悠 + 人: a given name the tokenizer cut in two
                continue
            if len(run) == 1 and run[0][1] == "surname" and morpheme.surface() == "、" and k + 1 < len(morphemes) \
                    and morphemes[k + 1].part_of_speech()[1:4] == ("固有名詞", "人名", "名") \
                    and (k + 2 == len(morphemes) or morphemes[k + 2].surface() != "、"):
                continue  # 石黒、拓海さん: a full name read out a part at a time (not a list: 石黒、健太、優子)
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
        import jieba

        pairs = list(posseg.cut(text))
        runs: list[NameRun] = []
        joined = -1  # the index of a given name already joined to the surname before it
        for k, pair in enumerate(pairs):
            if k and (pairs[k - 1].word[-1:] in _COUNTING or pairs[k - 1].flag in ("m", "mq", "q")):
                continue  # 一张卡, 那张卡, 一束白菊花: after a number, a measure or a demonstrative, a thing is counted
            after = pairs[k + 1] if k + 1 < len(pairs) else None
            then = pairs[k + 2].word if k + 2 < len(pairs) else ""
            if pair.word in COMPOUND_SURNAMES and after is not None and re.fullmatch(r"[\u4e00-\u9fff]{1,2}", after.word) \
                    and after.flag not in ("v", "p", "u", "ul", "uj", "uz", "d", "c", "r"):
                # 司徒 + 敏, 慕容 + 远: a surname of two characters and the given name after it
                runs.append(((pair.word, "surname"), (after.word, "given")))
                joined = k + 1
            elif (len(pair.word) == 1 and pair.word in SURNAMES and after is not None and len(after.word) == 2
                    and (after.flag in ("nr", "nz", "ns") or pair.flag == "nr")
                    and (jieba.get_FREQ(pair.word + after.word[0]) or 0) < _COMMONPLACE  # 白 + 天亮 is 白天 and 亮
                    and re.fullmatch(r"[\u4e00-\u9fff]{2}", after.word)
                    # 林 + 夏收 + 起伞 is 林夏 + 收起: the given name's last character begins the next word
                    and not (then and jieba.get_FREQ(after.word[-1] + then[0]))):
                # 林 + 小雨, 李 + 振华: jieba cuts a full name it does not know after its surname; 王 + 立新, a
                # surname jieba itself takes for a person before an everyday word, is a name only if it recurs
                runs.append(((pair.word, "surname"), (after.word, "given" if after.flag in ("nr", "nz", "ns") else "given?")))
                joined = k + 1
            elif k != joined and (pair.flag == "nr" and not is_everyday_word(pair.word)
                                  # 顾澜: a name jieba's dictionary lacks, tagged as a name all the same
                                  or pair.flag in ("nrfg", "nrt") and jieba.get_FREQ(pair.word) is None) \
                    and (pair.word[0] in SURNAMES or pair.word[0] in "阿老小" or len(pair.word) == 2 and not jieba.get_FREQ(pair.word)) \
                    and not (len(pair.word) == 3 and (jieba.get_FREQ(pair.word[:2]) or 0) >= _COMMONPLACE):
                # (胡同口, 白天亮: an everyday word and one more character is a place or a phrase, not 胡 or 白 and a name)
                # a word from no surname that the dictionary has (红绿灯, 喝咖啡, 掌勺) is a thing or a deed it took for a name
                word = pair.word
                if len(word) == 2 and word[0] in SURNAMES and after is not None and after.word == word[-1]:
                    word += after.word  # 尤佳 + 佳: a given name of one character said twice (尤佳佳) is cut after the first
                    joined = k + 1
                runs.append(((word, ""),))
            elif k != joined and pair.flag == "nr" and len(pair.word) >= 3 and not is_everyday_word(pair.word) \
                    and sum(c in FOREIGN_NAME_SOUNDS for c in pair.word) * 3 >= len(pair.word) * 2:
                # 巴特尔, a name from no Chinese surname (Mongolian, Uyghur, from abroad), tagged as a name and spelt as
                # such names are: one only if the story says it again (not a thing it took for one: 红绿灯, 门脸儿)
                runs.append(((pair.word, "given?"),))
        return runs
    return None


@functools.cache
def _readings(name: str) -> tuple[str, ...]:
    """A Japanese name's readings in katakana as the tokenizer's dictionary gives them: the whole name's, then each
    part's (水野夏希 -> ミズノナツキ, ミズノ, ナツキ); none without the tokenizer."""
    tokenizer = _sudachi()
    if tokenizer is None:
        return ()
    parts = [morpheme.reading_form() for morpheme in tokenizer.tokenize(name)]
    return ("".join(parts), *parts) if len(parts) > 1 else tuple(parts)


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def kana_nickname_of(nick: str, name: str) -> bool:
    """Whether a name written in kana is a kanji name (or a part of it) said aloud or cut short as friends do: ユカ is
    沢口由佳, なっ (of なっちゃん) and ゆっきー are 夏希 and 由紀 (the first sounds, a small tsu or a long mark after
    them), けん is 健一."""
    if not re.fullmatch(r"[ぁ-ゖァ-ヺー]+", nick) or not re.search(r"[\u3005\u4e00-\u9fff]", name):
        return False
    spoken = _katakana(nick)
    stem = spoken.replace("ー", "").replace("ッ", "")
    for reading in _readings(name):
        if reading in (spoken, stem):
            return True
        if not stem or not reading.startswith(stem) or len(stem) == len(reading):
            continue
        if len(stem) >= 2:
            return True
        # one sound and a small tsu: なっ is なつ.. cut short (なっちゃん), not any name that begins with な
        if spoken.endswith("ッ") and reading[1:2] in ("ツ", "ッ"):
            return True
    return False


def japanese_function_word(word: str) -> bool:
    """Whether a Japanese word in kana opens on a pronoun, particle, adverb or the like as the tokenizer reads it
    (それ, みんな, ここ): no name; False without the tokenizer."""
    tokenizer = _sudachi()
    if tokenizer is None:
        return False
    first = list(tokenizer.tokenize(word))[0].part_of_speech()
    return first[0] in ("代名詞", "助詞", "助動詞", "副詞", "連体詞", "接続詞", "感動詞", "形容詞", "動詞") or first[1] == "数詞"


def japanese_common_noun(word: str) -> bool:
    """Whether the tokenizer reads a Japanese word as one everyday noun (紙芝居, 銭湯, 八百屋), not a name (榊原);
    False without the tokenizer."""
    tokenizer = _sudachi()
    if tokenizer is None:
        return False
    from sudachipy import SplitMode

    morphemes = list(tokenizer.tokenize(word, SplitMode.C))
    return len(morphemes) == 1 and morphemes[0].part_of_speech()[:2] == ("名詞", "普通名詞")


def japanese_given_name_gender(name: str) -> str | None:
    """"f" for a Japanese name whose given name ends in 子 (陽子, 佐伯和子, 美奈子), which are women's names, as the
    tokenizer's dictionary tags the part (金子, 増子 are surnames; 舞子 a word); None otherwise or without it."""
    tokenizer = _sudachi() if name.endswith("子") else None
    if tokenizer is None:
        return None
    last = list(tokenizer.tokenize(name))[-1]
    pos = last.part_of_speech()
    return "f" if last.surface().endswith("子") and pos[1:4] == ("固有名詞", "人名", "名") else None


def chinese_unknown_subjects(text: str, initials: str) -> Counter[str]:
    """How often each word of two characters that opens on one of ``initials`` (surnames), that jieba's dictionary
    lacks and that jieba tags a proper noun (a place's tag too: 宁川), opens a clause with a verb or an adverb after it
    (宁川拿起听筒, 宁川一下子就听出来了); empty without jieba."""
    posseg = _jieba()
    found: Counter[str] = Counter()
    if posseg is None:
        return found
    import jieba

    jieba.dt.check_initialized()  # (the frequencies below are not there before the dictionary loads)
    for clause in re.split(r"[。！？，,；：!?;:\n]+", text):
        clause = clause.lstrip(" 　”」』\"")
        # only a clause that opens on a surname and on no word the dictionary has is cut (the first word is those two)
        if clause[:1] not in initials or jieba.get_FREQ(clause[:2]):
            continue
        pairs = list(posseg.cut(clause))
        if len(pairs) < 2:
            continue
        first, after = pairs[0], pairs[1]
        if len(first.word) == 2 and first.flag in ("ns", "nr", "nz", "nrfg", "nrt") and not jieba.get_FREQ(first.word) \
                and after.flag[:1] in ("v", "d", "m", "l", "p"):
            found[first.word] += 1
    return found


def is_verb(word: str) -> bool:
    """Whether jieba's dictionary takes a Chinese word for a verb (喂, 说); False without jieba."""
    posseg = _jieba()
    return posseg is not None and posseg.dt.word_tag_tab.get(word) == "v"


def is_everyday_word(word: str) -> bool:
    """Whether jieba's dictionary has seen a Chinese word often (马上, 高兴): an everyday word, not a made-up name;
    False without jieba."""
    if _jieba() is None:
        return False
    import jieba

    jieba.dt.check_initialized()  # the dictionary loads on first use; its frequencies are not there before
    return (jieba.get_FREQ(word) or 0) >= _EVERYDAY
