"""The offline rules: a chapter of prose into scenes of beats, its quotes into DialogueLines with speakers.

How a speaker is found, in order (each rule falls through to the next):
1. a speech tag next to the quote names someone ("...," said Ellen / 王掌柜笑道：/ 」と花子は言った);
2. a tag with a pronoun ("she said", 她问, 彼女は言った) is the nearest character of that gender:
   first one named earlier in the paragraph, then the one whose turn it is, then the last one mentioned;
3. the paragraph's narration names someone (Ellen frowned. "No.") or starts with a pronoun;
4. a quote left open at the end of the previous paragraph continues that speaker;
5. turn-taking: the speaker before the last one, or whoever else was last mentioned in the scene.
Quotes in one paragraph joined only by a speech tag ("...," she said, "...") make one DialogueLine.
Characters are the names the tags and narration give, unified across aliases (王掌柜 / 老王,
Ellen / Ellen Marsh, 花子 / 花子さん). Vocabulary lives in ``words/`` as one table per language.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from ..model import DialogueLine, SourceSpan
from .chapters import ChapterText, split_chapters
from .person_names import (chinese_unknown_subjects, is_everyday_word, is_verb, japanese_common_noun, japanese_function_word,
                           japanese_given_name_gender, kana_nickname_of, person_names)
from .planner import Beat
from .readers import SourceLine
from .screenplay import character_id
from .story import Chapter, StoryScene
from .words import TABLES
from .words.en import CAPITALISED, LOWER, UPPER

__all__ = ["Cast", "Paragraph", "ProseReader", "find_quotes", "story_chapters"]

# What closes each opening quote. Writers mix full-width and half-width marks, so a curly
# opening quote may be closed by a straight one and the other way round.
_CLOSERS = {"「": "」", "『": "』", "“": "”\"＂", '"': '"”＂', "＂": "＂\"”", "﹁": "﹂"}
_CLOSING = "".join(_CLOSERS.values())
_SCENE_BREAK = re.compile(r"^[\s　]*(?:[*＊※◇◆○●☆★#＃~～·•=\-—]\s*){1,}[\s　]*$")
# a title's full stop (Mr. Jellicoe, Dr. Whitlock) ends no sentence
_TITLE_STOPS = "".join(rf"(?<!\b{title}\.)" for title in ("Mr", "Mrs", "Ms", "Dr", "St", "Mt", "Jr", "Sr", "Prof", "Rev", "Capt",
                                                          "Sgt", "Lt", "Col", "Gen", "Insp", "Det", "Supt"))
_SENTENCE_END = re.compile(rf"(?<=[。！？!?…])(?![”」』\"])|(?<=[.!?]){_TITLE_STOPS}\s+(?=[{UPPER}\"“])|(?<=[。！？][”」』])")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_EN_NAME = rf"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?{CAPITALISED}(?:[ ](?:{CAPITALISED}))?"
_EN_ING_FORM = re.compile(rf"[{UPPER}][{LOWER}]{{3,}}ing")
_EN_PLACE_BEFORE = re.compile(r"\b(?:to|from|at|in|into|towards|toward|near|past|through|across|of|for|outside|inside)\s+$")
"""The words that make the capitalised word after them a place or a thing rather than a sentence's subject."""
_JA_NAME = r"[\u3005\u4e00-\u9fff\u30a0-\u30ff]{1,6}"
_ZH_CLAUSE = r"[\u3005\u4e00-\u9fff]{0,10}?"


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# --- paragraphs and quotes -------------------------------------------------------------------


@dataclass
class Paragraph:
    """A paragraph exactly as it stands in the source (lines joined by their newlines), with its place there."""

    text: str
    line: int
    start: int
    after_blank: bool = True

    def span(self, source: str, begin: int = 0, end: int | None = None) -> SourceSpan:
        """The SourceSpan of text[begin:end]: lines and character offsets in the original text."""
        end = len(self.text) if end is None else end
        first = self.line + self.text.count("\n", 0, begin)
        last = self.line + self.text.count("\n", 0, max(begin, end - 1))
        return SourceSpan(file=source, line=first, end_line=last if last != first else None, start=self.start + begin, end=self.start + end)


def _paragraphs(lines: list[SourceLine], join_wrapped: bool) -> Iterator[Paragraph]:
    """One paragraph per line, or per run of lines between blank lines for hard-wrapped prose."""
    run: list[SourceLine] = []
    blank_before = True
    for line in lines + [SourceLine(-1, -1, "")]:
        text = line.text
        breaks = not text.strip() or _SCENE_BREAK.match(text) is not None
        if run and (breaks or not join_wrapped):
            yield Paragraph("\n".join(ln.text for ln in run), run[0].number, run[0].start, blank_before)
            blank_before = False
            run = []
        if line.number < 0:
            break
        if not text.strip():
            blank_before = True
        elif _SCENE_BREAK.match(text):
            yield Paragraph(text, line.number, line.start, True)
            blank_before = True
        else:
            run.append(line)


def find_quotes(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each top-level quote: text[start] opens it, text[end-1] closes it when closed.

    『』 inside 「」 (and any quote inside another) belongs to the outer quote; a quote left open
    runs to the end of the paragraph, as novels leave a speech running into the next paragraph.
    """
    quotes: list[tuple[int, int, bool]] = []
    i = 0
    n = len(text)
    while i < n:
        opener = text[i]
        closers = _CLOSERS.get(opener)
        if closers is None:
            i += 1
            continue
        depth = 0
        j = i + 1
        while j < n:
            ch = text[j]
            if ch == opener and opener in "「『“﹁":
                depth += 1
            elif ch in closers:
                if depth == 0:
                    break
                depth -= 1
            j += 1
        if j < n:
            quotes.append((i, j + 1, True))
            i = j + 1
        else:
            quotes.append((i, n, False))
            break
    return quotes


def _is_speech(text: str, start: int, end: int, closed: bool, cjk: bool) -> bool:
    """A quote is speech unless it is a short term quoted inside a sentence (所谓“规矩”, the word "home")."""
    inner = text[start + 1 : end - 1 if closed else end].strip()
    if not inner:
        return False
    before = text[:start].rstrip(" 　\t\n")
    after = text[end:].lstrip(" 　\t")
    if text[start] == "『" and before:
        return False  # 『みよし』と染め抜かれた暖簾, 表紙には『…』とある: a name written on something; speech opens 「
    if re.search(r"[。！？!?,，.…~～—、]", inner):
        return True
    if not before or before[-1] in "：:，,。！？!?\n」”』" or not after:
        return True
    if cjk and (_SAID_AFTER_JA.match(after) or _SAID_BEFORE_ZH.search(before)):
        return True  # 健吾くんが「誓います」と言いかけて / 听得见“领带要打正”: said, however short, in the sentence's midst
    return len(inner) >= (8 if cjk else 25)


_SAID_AFTER_JA = re.compile(r"(?:と|って)[、\s　]*(?:言|いっ|いい|いう|叫|呟|つぶや|囁|ささや|答え|怒鳴|どな|告げ|漏ら|もら|口に|返し|返事)")
"""A verb of saying right after a Japanese quote: what it holds was said, not written or thought of as a word."""
_SAID_BEFORE_ZH = re.compile(r"(?:说|道|喊|问|答|念|嚷|骂|嘟囔|嘀咕|听得见|听见|听到)[了着]?$")
"""A verb of saying or hearing right before a Chinese quote."""


# --- the cast ---------------------------------------------------------------------------------


_WRITTEN_NAME_AFTER = r"(?:两个字|三个字|这个名字|的名字)"
"""What follows a Chinese name the narration writes out rather than calls someone by (写下陈树两个字)."""


class Cast:
    """The characters a story has named so far: aliases to ids, display names, genders, mentions."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.words: ModuleType = TABLES[language]
        self.known: dict[str, str] = {}  # every alias -> character id; the planner reads it live
        self.names: dict[str, str] = {}  # character id -> the name shown as speaker
        self.votes: dict[str, Counter[str]] = {}
        self.merged: dict[str, str] = {}  # provisional id -> the named character it turned out to be
        # the gender narration gives a full name before it is a character ("Giles Fairweather carved while his wife
        # poured"), so that he is not taken for the Mrs Fairweather who shares his surname
        self.hints: dict[str, str] = {}
        self.described: set[str] = set()  # people narration brings in by a description (一个青衫人), as roles are
        # the words a character may be known by before a name: roles and kin (the porter, 女, his gran)
        self._unnamed_words = {**getattr(self.words, "ROLES", {}), **getattr(self.words, "KIN", {})}
        self._pattern: re.Pattern[str] | None = None

    # names

    def core(self, name: str) -> str:
        """A name without titles or familiar prefixes: the part aliases share."""
        core = name.strip()
        titles = sorted(self.words.TITLES, key=len, reverse=True)
        if self.language == "en":
            tokens = [t for t in core.split() if t not in self.words.TITLES]
            return " ".join(tokens) or core
        for title in titles:
            if core.endswith(title) and len(core) > len(title):
                core = core[: -len(title)]
                break
        if self.language == "zh":
            core = core.removesuffix("的")
            if len(core) == 2 and core[0] in self.words.ALIAS_PREFIXES:
                core = core[1]
        return core

    def _same(self, a: str, b: str) -> bool:
        ca, cb = self.core(a), self.core(b)
        ga, gb = self._title_gender(a) or self.hints.get(a), self._title_gender(b) or self.hints.get(b)
        if ga and gb and ga != gb:
            return False  # Mr Pell and Mrs Pell share a surname, not a person
        if ca == cb:
            return True
        if self.language == "en":
            ta, tb = set(ca.split()), set(cb.split())
            if bool(ta) and bool(tb) and (ta <= tb or tb <= ta):
                return True
            # Mal is Malcolm Strand, Lou is Louise: a first name cut short, as friends say it
            short, long = sorted((ca.split(), cb.split()), key=lambda t: (len(t), len(t[0])))
            # and Pritch is Owen Pritchard: a surname cut short, as teammates say it; Anni is Annelies and Danny is
            # Daniel: the first sounds of a first name with a pet ending
            return len(short) == 1 and len(short[0]) >= 3 and (long[0] != short[0] and long[0].startswith(short[0])
                                                               or any(len(stem) >= 3 and len(long[0]) > len(stem) + 1
                                                                      and long[0].startswith(stem) for stem in _pet_stems(short[0]))
                                                               or len(long) > 1 and len(short[0]) >= 5
                                                               and long[-1] != short[0] and long[-1].startswith(short[0])) \
                and not self._title_gender(a) and not self._title_gender(b)
        short, long = sorted((ca, cb), key=len)
        if not short:
            return False
        if self.language == "zh" and len(short) == 1:
            return long.startswith(short) or long.endswith(short)
        if self.language == "zh" and len(long) == 3 and long[1] in "老小阿" and long[0] + long[2] == short:
            return True  # 杜老七 is 杜七, the 老 set between a surname and a one-character given name
        if self.language == "zh":
            pet, full = (cb, ca) if len(cb) == 2 and cb[0] == cb[1] else (ca, cb)
            if len(pet) == 2 and pet[0] == pet[1] and len(full) in (2, 3) and full != pet:
                return full.endswith(pet[0])  # 晓晓, the pet name of 林晓's given name
        if self.language == "ja" and (kana_nickname_of(ca, cb) or kana_nickname_of(cb, ca)):
            return True  # ユカ is 由佳, なっちゃん 夏希: the kanji name said aloud, or its first sounds
        if self.language == "ja" and re.fullmatch(r"[\u30a1-\u30fa]{1,2}ン", short) and re.fullmatch(r"[\u30a1-\u30fa\u30fc]{3,}", long) \
                and long.startswith(short[:-1]) and len(long) > len(short):
            return True  # ダン is ダニエル, ジョン ジョナサン: a name from abroad cut to its first sound and ン, as friends say it
        if self.language == "ja" and {short, long} <= _JA_WOMAN or {short, long} <= _JA_MAN:
            return True  # 年配の女の声だ。… 玄関には、小柄な女性が立っている: one woman, said two ways
        if self.language == "ja" and len(short) == 1:
            # 隆 is 山口隆: a one-kanji given name ends a full name; a role (母) is not one of a longer role (祖母)
            roles = getattr(self.words, "ROLES", {})
            if short in roles and long in roles and long.endswith(short) and long[: -len(short)].endswith("い"):
                return True  # 若い男 / 男は咳払いをした: the role said again without what it is like
            raw_short = a if len(ca) == 1 else b
            if len(long) == 2 and long.startswith(short) and raw_short != short and _CJK.match(short) \
                    and short not in roles and long not in roles:
                return True  # 源さん is 源蔵: the first kanji of a given name and a title, as neighbours call one
            return (len(long) >= 3 and long.endswith(short) and _CJK.match(short) is not None
                    and short not in roles and long not in roles and short not in self.words.NOT_NAMES)
        return len(short) >= 2 and (long.startswith(short) or long.endswith(short))

    def add(self, name: str) -> str:
        """The id of a name, joining it to the one existing character it is an alias of."""
        name = name.strip()
        if name in self.known:
            return self.known[name]
        matches = self._matches(name)
        if len(matches) == 1:
            cid = matches.pop()
            if self._fuller(name, self.names[cid]):
                self.names[cid] = name
        else:
            base = cid = character_id(name)
            number = 1
            while cid in self.names:
                number += 1
                cid = f"{base}_{number}"
            self.names[cid] = name
        self.known[name] = cid
        core = self.core(name)
        if core != name and core not in self.known and len(core) >= 2 and len(self._matches(core)) == 1:
            self.known[core] = cid  # Mr Gault is Gault when the narration drops the title
            if self._fuller(core, self.names[cid]):
                self.names[cid] = core
        self._pattern = None
        title_gender = self._title_gender(name)
        if title_gender:
            self.vote(cid, title_gender, 2)
        return cid

    def _matches(self, name: str) -> set[str]:
        found = {cid for alias, cid in self.known.items() if self._same(name, alias)}
        gender = self._title_gender(name) or self.hints.get(name)
        if gender and found:
            # Mr Pell is not the one already called Mrs Pell, whatever bare surname she has been given
            found = {cid for cid in found if all(self._title_gender(alias) in (gender, None) for alias in self.aliases(cid))}
        return found

    def ambiguous(self, name: str) -> bool:
        """Whether a name is an alias of more than one character (a surname the family shares)."""
        return name.strip() not in self.known and len(self._matches(name)) > 1

    def _fuller(self, name: str, shown: str) -> bool:
        """Whether name says more of the person than the name shown so far (Gideon Pask over Mr Pask, 佐伯花子 over 花子)."""
        return len(self.core(name)) > len(self.core(shown)) or (self.core(name) == self.core(shown) and len(name) < len(shown))

    def join(self, alias: str, cid: str, show: bool = False) -> None:
        """Make alias one more name of the character cid (父の佐伯正人: 父 is 佐伯正人); with show, the name shown for them
        too, if it says more than the one shown so far (Sharon Mallory for Shaz)."""
        self.known[alias.strip()] = cid
        if show and self._fuller(alias, self.names[cid]):
            self.names[cid] = alias
        self._pattern = None

    def release(self, name: str) -> None:
        """Free a name that stood for someone (a placeholder like the unknown caller's), for a new character to take."""
        if self.known.pop(name, None) is not None:
            self._pattern = None

    def provisional(self, cid: str) -> bool:
        """Whether a character is so far only a voice, a role or someone's kin (女, the porter, 路人, his gran), not a
        name."""
        words = self._unnamed_words
        return all(alias in words or alias.lower() in words or alias == self.words.UNKNOWN_SPEAKER or alias in self.described
                   for alias in self.aliases(cid))

    def merge(self, provisional: str, cid: str) -> None:
        """The unnamed voice provisional turns out to be cid: its lines, aliases and genders become cid's."""
        if provisional == cid:
            return
        for alias in self.aliases(provisional):
            self.known[alias] = cid
        for gender, count in self.votes.pop(provisional, Counter()).items():
            self.vote(cid, gender, count)
        self.names.pop(provisional, None)
        self.merged[provisional] = cid
        for old, new in self.merged.items():
            if new == provisional:
                self.merged[old] = cid
        self._pattern = None

    def _title_gender(self, name: str) -> str | None:
        if self.language == "en":
            # the first word whole: Mrs Pell is not a Mr
            return self.words.TITLES.get(name.split()[0]) if " " in name.strip() else None
        for title, gender in self.words.TITLES.items():
            if gender and (name.startswith(title + " ") or name.startswith(title) and self.language == "en" and " " in name
                           or self.language != "en" and name.endswith(title)):
                return gender
        return None

    def aliases(self, cid: str) -> list[str]:
        return [alias for alias, known in self.known.items() if known == cid]

    # genders

    def vote(self, cid: str, gender: str, weight: int = 1) -> None:
        self.votes.setdefault(cid, Counter())[gender] += weight

    def gender(self, cid: str) -> str | None:
        votes = self.votes.get(cid)
        if not votes:
            return None
        (top, count), *rest = votes.most_common(2) + [("", 0)]
        return top if count > rest[0][1] else None

    # mentions

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, id) of each name in text, earliest first, longest name winning at a place."""
        if not self.known:
            return []
        if self._pattern is None:
            body = _alternation(self.known)
            if self.language == "en":
                self._pattern = re.compile(rf"(?<![{UPPER}{LOWER}])(?:{body})(?![{LOWER}])")
            else:
                # a one-character alias (母, 女) is a word of its own, not part of 叔母 or 彼女
                long = _alternation(a for a in self.known if len(a) > 1) or "(?!)"
                short = _alternation(a for a in self.known if len(a) == 1) or "(?!)"
                # but 妈 and 爸 after whose they are (我妈从厨房出来) are the one narration calls so
                kin = _alternation(a for a in self.known if a in getattr(self.words, "POSSESSED_KIN", ()))
                whose = rf"|(?<=[{self.words.POSSESSORS}])(?:{kin})" if kin else ""
                self._pattern = re.compile(rf"(?:{long})|(?<![\u3005\u4e00-\u9fff])(?:{short})(?![\u3005\u4e00-\u9fff]){whose}")
        return [(m.start(), m.end(), self.known[m.group(0)]) for m in self._pattern.finditer(text)]


# --- the rules ---------------------------------------------------------------------------------


@dataclass
class _Tag:
    """A speech tag found next to a quote: who it names (an id) or which pronoun it uses, and where it is."""

    who: str | None = None
    pronoun: str | None = None  # "m" or "f"
    epithet: bool = False  # who is a description with "the" (the old man said): maybe one named already
    kin: bool = False  # who is a tie to someone (his father said): maybe the one seen so far only as "a man"
    new: bool = False  # who is a voice the narration has just brought in (a voice came floating back): no one heard before
    begin: int = 0  # its extent in the paragraph, so it can be cut out of the narration
    end: int = 0


@dataclass
class _SceneState:
    speakers: list[str] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)
    open_quote_speaker: str | None = None
    last_actor: str | None = None  # who the narration paragraph just before was about
    called: list[str] = field(default_factory=list)  # whom the last line called by name: the likely reply
    facing: list[str] = field(default_factory=list)  # whom the narration just before turned to (Owen turned to Gregory)
    gone: set[str] = field(default_factory=set)  # who the narration says left the scene and has not been back
    newcomers: set[str] = field(default_factory=set)  # descriptions narration brought in with "a" (an old man came in)
    caller: str | None = None  # one heard over the phone, until the narration hangs up
    answerer: str | None = None  # and the one who took the call: the two talk to each other, whoever else chimes in
    narrator: str | None = None  # a first-person narrator, who is in every exchange the story tells
    last_line: str = ""
    guessed: DialogueLine | None = None  # the line just before, when no tag named its speaker
    guessed_by_subject: bool = False  # and it went to the subject of the narration next to it (花子は窓を開けた。「…」)
    asked: tuple[str, str] | None = None  # the last call by name: (who called, whom)
    narrated: bool = False  # narration alone has told of the story's I since the last line
    asked_for: str | None = None  # one a caller asked for (陽子はいるか): the next to take the phone
    introduced: str | None = None  # one whose line just gave their name ("Alasdair.")
    reading: str | None = None  # one the narration has just handed a letter to read out (便箋が、陽介の手に渡る)
    role_asked: tuple[DialogueLine, str] | None = None  # a line given by turns that asked to be called by a role
    reported_question: str = ""  # a question the narration just told in its own words (问他怎么称呼): the next line answers

    def mention(self, cid: str) -> None:
        if cid in self.mentioned:
            self.mentioned.remove(cid)
        self.mentioned.append(cid)

    def turn(self) -> str | None:
        """Whose turn it is when nothing names the speaker: the one before the last, else the last one mentioned;
        never one who has left the scene."""
        if self.speakers:
            last = self.speakers[-1]
            if self.caller and self.answerer and last in (self.caller, self.answerer):
                # on the phone, one voice in the room that cuts in (Mum! Femi's got my shoe!) does not take a turn
                other = self.answerer if last == self.caller else self.caller
                if other not in self.gone:
                    return other
            if self.asked and self.asked[1] == last and self.speakers[-2:-1] == [self.asked[0]] and self.asked[0] not in self.gone:
                # "Lou," said Dad, "which exit?" / "The satnav says the second." / …: the one who called goes on
                return self.asked[0]
            narrator = self.narrator
            if narrator and last != narrator and narrator not in self.gone and narrator in self.speakers + self.mentioned \
                    and self.caller is None and self.speakers.count(last) == 1:
                return narrator  # one telling their own story answers whoever comes in and speaks to them
            for earlier in reversed(self.speakers[:-1]):
                if earlier != last and earlier not in self.gone:
                    return earlier
            for other in reversed(self.mentioned):
                if other != last and other not in self.gone:
                    return other
            # "It's there," Tom said. / "Those are the harbour lights, you idiot.": the one telling the story is there
            # to answer, though no narration has said I yet
            return narrator if narrator and narrator != last and narrator not in self.gone else None
        present = [cid for cid in self.mentioned if cid not in self.gone]
        return present[-1] if present else None


def _keeps_to(counts: Counter[str] | None, value: str, least: int) -> bool:
    """Whether the ``counts`` of what one's lines showed (a register, a word for I) are ``least`` or more, all of
    ``value``."""
    total = counts.total() if counts else 0
    return total >= least and counts[value] == total


class ProseReader:
    """Reads chapters of one story in order, keeping its cast and the current place between them."""

    def __init__(self, language: str, *, source: str) -> None:
        if language not in TABLES:
            raise ValueError(f"no prose rules for language {language!r}")
        self.language = language
        self.words = TABLES[language]
        self.source = source
        self.cast = Cast(language)
        self.place = ""
        self.cjk = language in ("zh", "ja")
        self._spoken: set[str] = set()  # every character who has had a line so far
        self._line_counts: Counter[str] = Counter()  # and how many
        self._registers: dict[str, Counter[str]] = {}  # the registers (polite, plain) each one's lines were in
        self._selves: dict[str, Counter[str]] = {}  # the words for I (俺, あたし) each one's lines not guessed by turn used
        self._dialects: dict[str, Counter[str]] = {}  # the dialects (粤, 沪) each one's lines not guessed by turn were in
        self._lowercase: set[str] = set()  # English words the story writes in lower case: words, not names
        self._capitalised: Counter[str] = Counter()  # how often it writes each English word capitalised
        self._midsentence: set[str] = set()  # and which inside a sentence: names, mostly
        self._placed: set[str] = set()  # and which it writes as somewhere one is (in Fairholme, into Redcar)
        self._not_names: frozenset[str] = self.words.NOT_NAMES  # less the months the story makes people's names
        verbs = _alternation(self.words.SPEECH_VERBS)
        manner = _alternation(self.words.MANNER)
        pronouns = _alternation(list(self.words.PRONOUNS) + list(self.words.FIRST_PERSON))
        self._place_cues = [re.compile(p) for p in self.words.PLACE_CUES]
        if language == "en":
            # a character the story only calls by a role: "said the porter", "the lookout called"
            # or by its tie to another: "his mother said", "her father asked"
            # and a calling the vocabulary does not list, by its ending (the auctioneer, the technician, the attendant)
            role = (rf"(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Mm]y)\s+(?:{_alternation([*self.words.ROLES, *self.words.KIN])}|"
                    rf"(?!(?:{_alternation(self.words.NOT_CALLINGS)})\b)[{LOWER}]{{3,}}(?:eer|ier|ter|ver|ker|ger|per|ner|ler|ser|"
                    rf"tor|ist|ant|ent|ian|man|woman|ess))(?![{LOWER}])")
            who = rf"(?P<who>{_EN_NAME}|{role}|[Hh]e|[Ss]he|I|[Tt]hey|it)"
            self._after = [
                re.compile(rf"^[\s,]*(?:{verbs})\s+{who}(?![{LOWER}])"),
                re.compile(rf"^[\s,]*{who}\s+(?:(?:{manner})\s+)?(?:{verbs})\b"),
                # "Deck there!" The cry came down from the foretop.: a voice no one is seen to have, heard so far
                re.compile(rf"^[\s,]*(?P<sound>(?:[Tt]he|[Aa]n?)\s+(?:[{LOWER}]+\s+){{0,2}}?(?:voice|cry|shout|call|yell|scream|whisper))\s+"
                           r"(?:came|rang|called|cried|shouted|sounded|floated|drifted|carried|echoed|rose)\b"),
                # "Hello? Is anybody in there?" It was a woman's voice.: the one whose voice it was
                re.compile(rf"^[\s,]*(?:[Ii]t|[Tt]hat|[Tt]his) (?:was|is) (?P<who>{role})['’]s\s+voice\b"),
            ]
            self._before = re.compile(rf"{who}\s+(?:(?:{manner})\s+)?(?:{verbs})\b(?:\s+[\w']+){{0,4}}\s*[,:]?\s*$")
            self._discover = [
                re.compile(rf"[,!?][\"”]\s+(?:{verbs})\s+(?P<who>{_EN_NAME})"),
                re.compile(rf"(?P<who>{_EN_NAME})\s+(?:(?:{manner})\s+)?(?:{verbs})\b"),
                # a capitalised word that acts in narration as a person does (Gregory carved the lamb / Gran pours)
                re.compile(rf"(?P<who>{_EN_NAME})\s+(?:was|had|[{LOWER}]{{2,}}(?<!need)ed|is|has|stood|sat|came|went|knew|felt|took|put|set|kept|held|"
                           rf"ran|saw|made|gave|got|drew|threw|shook|stood|spoke|thought|left|brought|caught|told|"
                           rf"turns|looks|stands|sits|comes|goes|knows|feels|smiles|nods|shrugs|frowns|laughs|takes|puts|sets|pours|"
                           rf"keeps|holds|leans|glances|waits|watches|shakes|pulls|pushes|reaches|steps|walks|hands|picks)\b"),
            ]
            # told in the present: a capitalised word before any verb in -s acts as a person does (Colin Tate slides
            # the sheet across), not only before the common ones the pattern above lists
            self._acts_in_present = re.compile(rf"(?P<who>{_EN_NAME})\s+(?:[{LOWER}]{{3,}}(?<![siu]s)s)\b")
        elif language == "zh":
            self._after = [re.compile(rf"^[\s　]*(?P<who>{_ZH_CLAUSE})(?:{verbs})")]
            # a colon right before a quote tags it even without a speech verb (林夏点点头：“早。”)
            self._before = re.compile(rf"(?:^|[。！？；，,\s　])(?P<who>{_ZH_CLAUSE})(?:(?:{verbs})[：:，,]?|[：:])[\s　]*$")
            self._discover = [
                re.compile(rf"[”\"」』][\s　]*(?P<who>{_ZH_CLAUSE})(?:{verbs})"),
                re.compile(rf"(?:^|[。！？；，,\s　])(?P<who>{_ZH_CLAUSE})(?:(?:{verbs})[：:，,]?|[：:])[\s　]*[“\"「]", re.MULTILINE),
            ]
        else:
            honorific = _alternation(self.words.TITLES)
            # (a role written with a kana between its kanji, 女の子 and 男の人, is one word: not 子 said by it)
            kana_roles = _alternation(role for role in self.words.ROLES if re.search(r"[\u3041-\u3093]", role))
            name = rf"(?:{kana_roles}|{_JA_NAME})"
            who = rf"(?P<who>{name}(?:{honorific})?|{pronouns})"
            self._after = [re.compile(rf"^[\s　]*と[、\s　]*(?:{who}[はがも])?")]
            self._before = re.compile(rf"{who}[はが][^。「」]{{0,16}}?(?:{verbs})[。、]?[\s　]*$")
            self._discover = [
                re.compile(rf"[」』][\s　]*と[、\s　]*(?P<who>{name}(?:{honorific})?)[はがも]"),
                # not across a clause of its own (通話が切れると、運転手が笑っていた: 通話 is no one)
                re.compile(rf"(?:^|[。、」\s　])(?P<who>{name}(?:{honorific})?)[はが](?:(?!と、|たら、|ば、)[^。「」]){{0,16}}?(?:{verbs})",
                           re.MULTILINE),
            ]
        # "He pointed at the boat.": a pronoun opening an English sentence is capitalised
        self._pronoun_re = re.compile(f"(?:{pronouns})", re.IGNORECASE if language == "en" else 0)
        # a paragraph of narration whose first sentence has a subject and a speech verb, right after an
        # untagged line (「……マジかよ」 / 藤井は口の中でつぶやいた。/ "Fine." / Tom muttered it without looking up.)
        # only verbs of saying: a laugh or a nod after a line is as often the listener's
        said = _alternation(v for v in self.words.SPEECH_VERBS if v not in self.words.REACTIONS and (len(v) > 1 or not self.cjk))
        if language == "en":
            # (not one who says something else in the narration's own words: I said it was. / She said that she would.)
            reported = r"nothing|no|yes|so|that|I|he|she|we|they|you|there|it\s+(?:was|is|were|would|will|had|has|did|could|might)"
            opening = rf"^\s*{who}\s+(?:(?:{manner})\s+)?"
            self._said_next = re.compile(rf"{opening}(?:{said})\b(?!\s+(?:{reported})\b)")
            self._said_over = re.compile(rf"{opening}(?:said|told\s+(?:him|her|them))\s+(?:{reported})\b")
        elif language == "zh":
            self._said_next = re.compile(rf"^[\s　]*(?P<who>{_ZH_CLAUSE})(?<![没不])(?:{said})(?![\u3005\u4e00-\u9fff]{{0,3}}[：:])")
        else:
            # and one a clause describes first (記録を打っていた木村主任が、顔も上げずに言った)
            # or where it is, and what they wear or where they sit (鉄板の向こうで、エプロン姿の女の人が叫んだ / 船長席の久我は言う)
            self._said_next = re.compile(rf"^[\s　]*(?:[^。「」、はが]{{1,16}}?(?:で|から)、)?(?:[^。「」、はが]{{1,16}}?(?:た|る|ている|ていた)|[^。「」、はがの]{{0,6}}?(?:姿|席|隣|向かい|横|後ろ|同じ[^。「」、はがの]{{1,4}})の)?{who}[はがも][^。「」]{{0,20}}?(?<!ず)(?:{said})")
        cleft = getattr(self.words, "SAID_CLEFT", None)
        self._said_cleft = re.compile(cleft.replace("{said}", _alternation(self.words.SPEECH_VERBS))) if cleft else None
        # 门外传来一个男人的声音: a voice heard, described by one of the roles a voice may be (Chinese)
        voices = [v for v in getattr(self.words, "VOICES", ()) if v in self.words.ROLES] if language == "zh" else []
        self._voice_heard_re = re.compile(rf"(?:一个|一道|有个)(?P<who>{_alternation(voices)})的声音") if voices else None
        # …you owe: Detective Sergeant Ruth Kinnear.: a rank and a full name that end a line after a colon
        titles = _alternation(t for t in self.words.TITLES if t[:1].isupper() and not t.endswith("."))
        self._signed_off = re.compile(rf":\s+(?:(?:{titles})\.?\s+){{0,2}}(?P<name>{CAPITALISED} {CAPITALISED})[.!](?:\s|$)") \
            if language == "en" else None
        # Mrs Carver, Mr Reid: a title and a surname in English
        self._titled_surname = re.compile(rf"\b(?:{_alternation(t for t in self.words.TITLES if t[:1].isupper())})\.?\s+{CAPITALISED}\b") \
            if language == "en" else None
        # one narration brings in with "a" (An old man shuffled in): "the old man" after it is someone new
        epithets = getattr(self.words, "EPITHETS", ())
        self._newcomer = re.compile(rf"\b(?:an?|another)\s+(?:[{LOWER}]+\s+)??({_alternation(epithets)})\b",
                                    re.IGNORECASE) if epithets else None

    # names found before a chapter is read

    def _clean_name(self, raw: str) -> str | None:
        """A tag's subject cut down to a name, or None when it is no name (a pronoun, 'Then', 大家)."""
        name = raw.strip(" 　,，")
        if self.language == "en":
            tokens = name.split()
            if len(tokens) > 1 and tokens[0] in ("Your", "His", "Her", "Their"):
                return None  # Your Majesty, His Lordship: a style of address, not a name
            while tokens and tokens[0] in self._not_names:
                tokens.pop(0)
            if not tokens or any(t in self._not_names for t in tokens):
                return None
            if len(tokens) > 1 and tokens[-1].lower() in self.words.PLACE_NOUNS:
                return None  # the waiting room at Emsby Junction had one radiator: a place, not a person
            if len(tokens) > 1 and self._ing_form(tokens[0]):
                return None  # "Sending Nasser.": a verb that opens a sentence, before a name
            return " ".join(tokens)
        if self.language == "zh":
            if name in self.words.LEADING or re.fullmatch(r"(.)\1(.)\2地", name):
                return None  # 最后说: when, not who; 含含糊糊地说: how
            changed = True
            while changed and name:
                changed = False
                for word in sorted(self.words.LEADING, key=len, reverse=True):
                    if name.startswith(word) and len(name) >= len(word) + 2:  # a name left of two characters or more
                        name, changed = name[len(word):], True
                for word in sorted(self.words.MANNER, key=len, reverse=True):
                    if name.endswith(word):
                        name, changed = name[: -len(word)], True
                stripped = re.sub(r"[\u3005\u4e00-\u9fff]{1,2}地$", "", name)
                if stripped != name and len(stripped) >= 2:
                    name, changed = stripped, True
            if name in self.words.LEADING or name.endswith(("嗓子", "嗓门")):
                return None  # 半晌才笑道 (when, once 才 is cut), 压低嗓子问 (how): not who
        if self.language == "zh" and len(name) > 2 and name.endswith("儿") and name[:-1] in self.words.ROLES:
            name = name[:-1]  # 老伴儿: the role, said with the northern 儿
        if not name or name in self._not_names or name in self.words.PRONOUNS or name in self.words.FIRST_PERSON:
            return None
        if self.language == "zh" and (len(name) < 2 and name not in self.words.ROLES or len(name) > 4 or name[0] in "他她我你它这那"
                                      or name.endswith("地") or name.endswith(self.words.NOT_PERSON_ENDINGS)
                                      or any(ch in self.words.NOT_IN_NAMES for ch in name)
                                      and not (len(name) == 3 and name[0] in self.words.SURNAMES and name[1] == "一")):
            return None
        if self.language == "ja" and (len(name) < 2 and not _CJK.match(name) or name[0] in "彼私僕俺"):
            return None
        if self.cjk and re.fullmatch(r"[一二三四五六七八九]?十[一二三四五六七八九]?(?:代|歳|岁|才)", name):
            return None  # 五十代くらいの男: an age, not who (千代, 八千代 are names)
        if self.language == "zh" and len(name) == 4 and is_everyday_word(name):
            return None  # 听筒里的声音混着雨声，断断续续：: a set phrase of four, how it sounded, not who
        if self.language == "zh" and len(name) == 2 and name[1] in "完罢" and is_verb(name[0]):
            return None  # 他在那头笑，笑完又问: a verb and its end, not who
        return name

    @staticmethod
    def _present_tense(text: str) -> bool:
        """Whether an English story is told in the present: its tags say "says" and "asks" more than "said" and "asked"."""
        return len(re.findall(r"\b(?:says|asks)\b", text)) > len(re.findall(r"\b(?:said|asked)\b", text))

    def _months_as_names(self, text: str) -> set[str]:
        """The months an English story uses as people's names (June says / said June / June Bellamy / June's pencil),
        never as dates (in June, June 5th, the third of June, June and July)."""
        verbs = _alternation(self.words.SPEECH_VERBS)
        months = _alternation(self.words.MONTH_NAMES)
        dated = re.compile(rf"\b(?:[Ii]n|[Oo]f|[Ss]ince|[Uu]ntil|[Tt]ill|[Bb]y|[Ll]ast|[Nn]ext|[Ee]arly|[Ll]ate|[Mm]id|[Tt]his|"
                           rf"[Tt]hat|[Ee]very|[Tt]hrough|[Dd]uring|[Ff]rom|[Bb]efore|[Aa]fter|[Oo]n|[Tt]o)\s+(?P<a>{months})\b"
                           rf"(?!['’]s\b|\s+{CAPITALISED})|"  # not in June Bellamy's hand
                           rf"\b(?P<b>{months}),?\s+(?:\d|the\s+\w+(?:st|nd|rd|th)\b|and\s+{CAPITALISED}ber\b)")
        person = re.compile(rf"\b(?P<a>{months})(?:['’]s\b|\s+(?:{verbs})\b|\s+{CAPITALISED}\b)|\b(?:{verbs})\s+(?P<b>{months})\b")
        used = {m.group("a") or m.group("b") for m in person.finditer(text)}
        return used - {m.group("a") or m.group("b") for m in dated.finditer(text)}

    def learn(self, paragraphs: list[Paragraph]) -> None:
        """Gather names from speech tags and genders from pronouns, before any quote is attributed."""
        tagged: Counter[str] = Counter()
        acting: Counter[str] = Counter()
        if self.language == "en":
            whole = "\n".join(p.text for p in paragraphs)
            self._lowercase |= set(re.findall(rf"(?<![{UPPER}{LOWER}])[{LOWER}]+", whole))
            # after a word and a space or a comma, not after a sentence's end, a quote's opening or a line's start
            self._midsentence |= set(re.findall(rf"(?<=[{LOWER},;] )({CAPITALISED})", whole))
            self._capitalised.update(re.findall(rf"(?<![{UPPER}{LOWER}]){CAPITALISED}", whole))
            self._placed |= set(re.findall(rf"\b(?:in|into|inside|outside|across)\s+({CAPITALISED})\b(?!['’]s)", whole))
            self._not_names = self.words.NOT_NAMES - self._months_as_names(whole)
            # the surnames the story puts a title before anywhere (Mr Lomax, Mrs Varga)
            titled_surnames = {m.group(0).split()[-1] for m in self._titled_surname.finditer(whole)}
        discover = self._discover
        if self.language == "en" and self._present_tense(whole):
            discover = [*discover[:2], self._acts_in_present, *discover[2:]]
        for paragraph in paragraphs:
            narration = _unquoted(paragraph.text)
            for number, pattern in enumerate(discover):
                # one who acts as a person does is one the narration tells of: a line's words are anybody's ("On your
                # marks! Get set!" / "In boots. Proper boots.")
                text = narration if number >= 2 else paragraph.text
                for match in pattern.finditer(text):
                    if self.language == "en" and _EN_PLACE_BEFORE.search(text, 0, match.start("who")):
                        continue  # "the last train to Harwick was late": a place the sentence's subject goes to
                    before = re.search(rf"\b({CAPITALISED}) $", text[: match.start("who")]) if self.language == "en" and number >= 2 else None
                    # "Hollins Lane Primary was": the tail of a longer proper name (a school), not a person (but "every
                    # October Irena Danczak opened the door" is one)
                    if before and self._name_word(before.group(1)) and before.group(1) not in self.words.TITLES:
                        continue
                    if self.language == "en" and number and text[: match.start("who")].endswith(('"', "“", "‘")):
                        continue  # "Last orders," said Tony: a line's first word is capitalised, whatever it is
                    name = self._clean_name(match.group("who"))
                    if name and self.language == "en" and pattern is self._acts_in_present \
                            and max(self._capitalised[word] for word in name.split()) < 2 and re.match(r"[,.;:]", text[match.end():]):
                        # "Brown brogues, polished.": a word the story writes once, and a plural after it that ends the
                        # phrase (not "Onstage Dorothy tears the telegram open.")
                        continue
                    if name:
                        (acting if number >= 2 else tagged)[name] += 1
        # a capitalised word (not a sentence opener like "Then") that acts as a person does is a name
        found = set(tagged) | set(acting)
        if self.language == "zh":
            found |= self._surnamed(paragraphs)
            found |= self._recurring_full_names(paragraphs)
            found |= self._unknown_subjects(paragraphs)
            titled: Counter[str] = Counter()
            leading = re.compile(rf"(?:^|[。！？，,；：”」\s　])({self.words.TITLED_NAME})")
            roles = tuple(self.words.ROLES)

            def names_in(found: Iterable[re.Match[str]]) -> list[str]:
                # 小女孩 is a role noun after its 小, not 小女 and a word after it; 被王医生拦住了 is 王医生, after 被
                # (王医生 is a surname and its title, though 医生 is a role too)
                return [m.group(1) for m in found
                        if not (m.group(1)[0] in self.words.ALIAS_PREFIXES and m.string.startswith(roles, m.start(1) + 1))
                        and m.group(1)[0] not in self.words.NOT_IN_NAMES and "的" not in m.group(1)  # 前台的姑娘: a role
                        # 可老太太听懂了: a role after a word that is no surname (but), not a name
                        and not (m.group(1)[1:] in self.words.ROLES and m.group(1)[0] not in self.words.SURNAMES)]

            for paragraph in paragraphs:
                titled.update(names_in(re.finditer(f"({self.words.TITLED_NAME})", paragraph.text)))
                # one that opens a clause of narration is the clause's subject: a name even if seen once
                titled.update(names_in(re.finditer(leading, _unquoted(paragraph.text))))
            # 老槐树下 … 老槐树上: a 老 or 小 that every time runs on into the same next character is a word (老槐树), not a name
            text = "\n".join(p.text for p in paragraphs)
            run_on = {name for name in titled if name[0] in "老小" and len(name) == 2 and name[1] not in self.words.SURNAMES
                      and len({m.group(1) for m in re.finditer(rf"{re.escape(name)}(.|$)", text)}) == 1
                      and re.search(rf"{re.escape(name)}[\u3005\u4e00-\u9fff]", text)}
            # 一个老式的黑皮夹: a 老 or 小 word after one and a measure word is what a thing is like, not a name
            run_on |= {name for name in titled if name[0] in "老小" and re.search(rf"一[个只件张把条台辆种双块间]{re.escape(name)}", text)}
            found |= {name for name, count in titled.items() if count >= 2 and name not in self.words.NOT_TITLED and name not in run_on
                      and name not in self.words.NOT_NAMES}
        if self.language == "ja":
            found |= self._kana_given_names(paragraphs)
            found |= self._trades_as_subjects(paragraphs)
        if self.cjk:
            tokenized = self._tokenized_names(paragraphs)
            found |= tokenized
            # a role noun that speaks (祖父が笑っていた) is a character the roles below learn, joined to the name it
            # stands before (祖父の源一), not a name of its own
            found -= set(getattr(self.words, "ROLES", {}))
        if self.language == "zh":
            found |= self._listed_names(paragraphs, found)
            # 织女纠正 is 织女 and the verb after her: a name found with two characters or more after a shorter one
            found = {name for name in found if not any(len(name) - len(other) >= 2 and name.startswith(other)
                                                       and len(other) >= 2 for other in found | set(self.cast.known))}
        if self.language == "en":
            # a found first name followed by a capitalised word is the full name ("Ellen Marsh")
            # and a found surname after a capitalised word ("Mr Pask" -> "Gideon Pask")
            firsts = {self.cast.core(name) for name in found | set(self.cast.known)}
            firsts = {name for name in firsts if " " not in name and name not in self._not_names}
            if firsts:
                body = _alternation(firsts)
                full = re.compile(rf"\b(?:(?:{body}) {CAPITALISED}|{CAPITALISED} (?:{body}))\b")
                # and one a line says (That's Sam Oduya) when the narration knows only the surname (said Mr. Oduya)
                titled = titled_surnames & firsts
                said = re.compile(rf"\b{CAPITALISED} (?:{_alternation(titled)})\b") if titled else None
                for paragraph in paragraphs:
                    matches = list(full.finditer(_unquoted(paragraph.text)))
                    if said is not None:
                        # not a word the story also writes in lower case (Ask Oduya)
                        matches += [m for m in said.finditer(paragraph.text) if m.group(0).split()[0].lower() not in self._lowercase]
                    for match in matches:
                        name = self._clean_name(match.group(0))
                        if name and " " in name:
                            found.add(name)
        # longest first, so "Ellen Marsh" is the character and "Ellen" joins it as an alias
        # names from speech tags first, since a story tags a speaker by the name it uses most
        if self.language == "en":
            self._hint_genders(paragraphs, found)
        # and in Chinese a full name before the forms a title makes of its parts (郑秋 before 秋姐 and 郑老板), which would
        # otherwise leave the full name two ways to read
        full = {n for n in found if self.language == "zh" and self.cast.core(n) == n and n[0] in self.words.SURNAMES}
        titled = lambda n: self.cast.core(n) != n and any(other[1:].endswith(self.cast.core(n)) for other in full)
        for name in sorted(found, key=lambda n: (n not in tagged, titled(n), -len(n), n)):
            if not self.cast.ambiguous(name):
                cid = self.cast.add(name)
                if name in self.cast.hints and self.cast.gender(cid) is None:
                    self.cast.vote(cid, self.cast.hints[name])
            elif self.language == "en":
                self._unite(name)
                given = name.split()[0]
                if name not in self.cast.known and given not in self.words.TITLES and given in self.cast.known:
                    # "Dylan Cope, you'll wear it on Friday": the one Dylan, of the family Mrs Cope and Mr Cope are of
                    self.cast.join(name, self.cast.known[given], show=True)
        if self.language == "zh":
            # 孙浩然 is 浩然 to his friends: the given name of a full name is one more name of it (欧阳明月's is 明月)
            for name, cid in list(self.cast.known.items()):
                compound = name[:2] in self.words.COMPOUND_SURNAMES
                given = name[2:] if compound else name[1:]
                if (len(given) == 2 and (compound or name[0] in self.words.SURNAMES) and self.cast.core(name) == name  # not 王掌柜
                        and given not in self.cast.known and self._clean_name(given)):
                    self.cast.join(given, cid)
            self._learn_surnamed_givens(paragraphs)
            self._learn_called_full_names(paragraphs)
            self._learn_written_full_names(paragraphs)
        self._learn_roles(paragraphs)
        self._learn_described_people(paragraphs)
        self._learn_titled_roles(paragraphs)
        self._learn_nicknames(paragraphs)
        if self.language == "zh":
            self._learn_family_elder(paragraphs)
            self._learn_zi_names()
            self._learn_doubled_names(paragraphs)
            self._drop_run_on_names()
        if self.language == "en":
            self._learn_familiar_names(paragraphs)
            self._learn_stem_full_names(paragraphs)
            self._learn_capitalised_full_names(paragraphs)
            self._learn_titled_surnames(paragraphs)
            self._learn_clipped_names()
            self._learn_late_full_names(paragraphs)
            self._learn_said_full_names(paragraphs, titled_surnames)
            self._learn_apposed_roles(paragraphs)
            self._learn_introduced_kin(paragraphs)
            self._learn_quoted_nicknames(paragraphs)
        self._learn_narrator(paragraphs)
        if self.language == "en":
            self._learn_surname_first_names(paragraphs)  # (the narrator's names are known by now)
        self._learn_named_later(paragraphs)
        self._learn_named_elders(paragraphs)
        if self.language == "ja":
            self._learn_first_kanji_calls(paragraphs)
            self._learn_kana_calls(paragraphs)
            self._learn_dotted_names(paragraphs)
            self._learn_katakana_names(paragraphs)
            self._learn_identified(paragraphs)
        if self.cjk:
            # what the tags name that the tokenizer does not take for a person's name (と司会が言った): a calling
            self._learn_apposed_callings(paragraphs, set(tagged) - tokenized)
        self._learn_apposed_genders(paragraphs)
        self._learn_kin_by_calling()
        if self.language == "en":
            self._vote_given_name_genders()
        if self.language == "ja":
            for cid, name in list(self.cast.names.items()):
                # 陽子, 和子さん: a given name in 子 is a woman's, a vote the narration's pronouns can outweigh
                if (gender := japanese_given_name_gender(self.cast.core(name))) and self.cast.gender(cid) is None:
                    self.cast.vote(cid, gender)
        for paragraph in paragraphs:
            previous: set[str] = set()
            before: str | None = None  # the gender the sentence before gave its subject
            for sentence in _SENTENCE_END.split(_unquoted(paragraph.text)):
                ids = {cid for _, _, cid in self.cast.mentions(sentence)}
                # "Hanako looked at the fire. She thought a moment." names her in the sentence before, when the
                # pronoun opens the sentence as its subject (not "The door opened, rain on her hood."); a name after
                # that pronoun is one it acts on (她看了周明一眼: she, not 周明)
                opens = self._opens_on_pronoun(sentence)
                subject = previous if opens else ids
                # a pronoun before the one name (When she came back, Arthur was watching) is someone else's
                named_at = 0 if opens or not ids else min(start for start, _, _ in self.cast.mentions(sentence))
                gender = self._sentence_gender(self._without_kin_possessives(sentence[named_at:]))
                if opens and before and gender and before != gender:
                    # "Owen looked at his sister. She shook her head.": she is the sister, not Owen
                    subject = set()
                previous, before = ids, gender
                if len(subject) != 1:
                    continue
                if gender:
                    self.cast.vote(next(iter(subject)), gender)

    def _listed_names(self, paragraphs: list[Paragraph], found: set[str]) -> set[str]:
        """Chinese names read out in a list with names already found (罗红梅、耿乐、程意): a surname and one or two more
        characters among names is a name too, though the tokenizer took it for a word."""
        listed: set[str] = set()
        for paragraph in paragraphs:
            for run in re.finditer(r"[\u4e00-\u9fff]{2,3}(?:、[\u4e00-\u9fff]{2,3}){2,}(?![\u4e00-\u9fff])", paragraph.text):
                items = run.group(0).split("、")
                known = [item for item in items if item in found or item in self.cast.known]
                if len(known) < 2:
                    continue
                listed |= {item for item in items if item not in known and item[0] in self.words.SURNAMES
                           and item not in self.words.NOT_NAMES and self._clean_name(item) == item}
        return listed

    def _vote_given_name_genders(self) -> None:
        """Walter is a man's name and Irena a woman's: a vote for the gender of each English character known by a
        common given name (or a familiar form of one) that has none yet, which the narration's pronouns can outweigh."""
        for cid in list(self.cast.names):
            if self.cast.gender(cid) is None and not self.cast.provisional(cid) and (gender := self._given_name_gender(cid)):
                self.cast.vote(cid, gender)

    def _given_name_gender(self, cid: str) -> str | None:
        """The gender the common English given names of a character's names give (Walter, Tommo for Thomas), where
        they give one and only one."""
        given, familiar, also = self.words.GIVEN_NAMES, self.words.HYPOCORISMS, self.words.HYPOCORISMS_ALSO
        genders = set()
        for alias in self.cast.aliases(cid):
            first = (self.cast.core(alias).split() or [""])[0]
            formal = familiar.get(first, first) if first not in also else None
            if formal in given:
                genders.add(given[formal])
        return genders.pop() if len(genders) == 1 else None

    def _drop_run_on_names(self) -> None:
        """A three-character Chinese name that is a shorter name the story has and the word after it (陈静刚 of 陈静刚
        挂了电话, 小刘端 of 小刘端着托盘): the tokenizer ran the name on into the verb; it is that shorter name."""
        for alias, cid in list(self.cast.known.items()):
            short = self.cast.known.get(alias[:2])
            if len(alias) == 3 and self._runs_on(alias[2]) and short is not None and short != cid \
                    and set(self.cast.aliases(cid)) <= {alias, alias[1:]}:
                self.cast.merge(cid, short)

    def _runs_on(self, character: str) -> bool:
        """Whether a Chinese character after a name is likely the word the name runs on into (刚, 端, 喂: a verb or
        an adverb), not the last character of a longer name."""
        return character in getattr(self.words, "RUN_ON_CHARACTERS", "") or is_verb(character)

    def _hint_genders(self, paragraphs: list[Paragraph], found: set[str]) -> None:
        """The gender of each untitled full name, from the sentences of narration that name it and no one else."""
        full = [name for name in found if " " in name and not self.cast._title_gender(name)]
        if not full:
            return
        capitalised = re.compile(rf"(?<![{UPPER}{LOWER}]){CAPITALISED}")
        for name in full:
            votes: Counter[str] = Counter()
            # the words of the other names, not those that share a word with this one (Reverend Giles, Giles)
            others = {w for other in found if not set(other.split()) & set(name.split()) for w in other.split()}
            for paragraph in paragraphs:
                for sentence in _SENTENCE_END.split(_unquoted(paragraph.text)):
                    if name not in sentence or any(w in others for w in capitalised.findall(sentence)) \
                            or self._opens_on_pronoun(sentence):
                        continue  # another named, or a he or she who does something to this one
                    # from the name on: a pronoun before it (When she came back, Arthur Jellicoe was watching) is another's
                    gender = self._sentence_gender(self._without_kin_possessives(sentence[sentence.index(name):]))
                    if gender:
                        votes[gender] += 1
            if len(votes) == 1:
                self.cast.hints[name] = next(iter(votes))

    def _learn_apposed_genders(self, paragraphs: list[Paragraph]) -> None:
        """Genders from a kin or role noun set right before a name (her brother Sam / 弟弟林浩 / 弟の健太 / 母亲周秀芬)."""
        nouns = {**getattr(self.words, "ROLES", {}), **getattr(self.words, "KIN", {})}
        gendered = _alternation(noun for noun, gender in nouns.items() if gender in ("m", "f"))
        if not gendered:
            return
        if self.language == "en":
            apposed = re.compile(rf"\b(?P<noun>{gendered}),?\s+$", re.IGNORECASE)
        elif self.language == "ja":
            apposed = re.compile(rf"(?<![\u3005\u4e00-\u9fff])(?P<noun>{gendered})(?:の|、)$")
        else:
            apposed = re.compile(rf"(?<![\u3005\u4e00-\u9fff])(?P<noun>{gendered})[，,]?$")
        for paragraph in paragraphs:
            narration = _unquoted(paragraph.text)
            for start, _, cid in self.cast.mentions(narration):
                match = apposed.search(narration, max(0, start - 24), start)
                gender = nouns.get(match.group("noun")) or nouns.get(match.group("noun").lower()) if match else None
                if gender in ("m", "f"):
                    self.cast.vote(cid, gender, 2)

    def _learn_kin_by_calling(self) -> None:
        """One the narration calls by what family call them (親父 / じいちゃん) is that kin (父, 祖父), where no one else is."""
        calls = getattr(self.words, "KINSHIP_CALLS", {})
        for name, cid in list(self.cast.known.items()):
            kin = calls.get(name, ())
            if kin and kin[0] not in self.cast.known:
                self.cast.join(kin[0], cid)  # (the kin itself, not every one a child calls so: 爷爷 is no 老人)

    def _opens_on_pronoun(self, sentence: str) -> bool:
        """Whether a sentence of narration opens on a he or she as its subject (She nodded / 她点点头 / 彼は笑った)."""
        pronouns = _alternation(self.words.PRONOUNS)
        if self.language == "en":
            return re.match(rf"\W*(?:{pronouns})\b", sentence, re.IGNORECASE) is not None
        # a Japanese tag's と may stand before it once the quote is cut out (「…」と彼女は振り返った)
        return re.match(rf"[\s　]*(?:と[、\s　]*)?(?:{pronouns})(?![们ら])", sentence) is not None

    def _without_kin_possessives(self, sentence: str) -> str:
        """The sentence less each possessive that leads up to a name (her brother Sam / 她的哥哥林浩 / 彼女の兄の健太):
        that pronoun is someone else's, not the named one's."""
        pattern = getattr(self.words, "POSSESSIVE_BEFORE_NAME", None)
        if not pattern:
            return sentence
        for start, _, _ in reversed(self.cast.mentions(sentence)):
            match = re.search(pattern, sentence[:start])
            if match:
                sentence = sentence[: match.start()] + " " * (match.end() - match.start()) + sentence[match.end() :]
        return sentence

    def _learn_named_later(self, paragraphs: list[Paragraph]) -> None:
        """One the narration has called by a role gets the name it later gives them (大汉的脸色变了。他叫赵黑虎 /
        老人は榊原と名乗った / The old man nodded. His name was Walter Hume.): the role's lines are that name's."""
        pattern = getattr(self.words, "NAMED_AS", None)
        if not pattern:
            return
        story = "\n".join(p.text for p in paragraphs)
        for paragraph in paragraphs:
            sentences = [s for s in _SENTENCE_END.split(_unquoted(paragraph.text)) if s.strip()]
            for k, sentence in enumerate(sentences):
                for match in re.finditer(pattern, sentence):
                    # (each way of naming is an alternative of its own, its groups numbered: subj2, name3, …)
                    groups = {key.rstrip("0123456789"): value for key, value in match.groupdict().items() if value}
                    raw = groups.get("name", "")
                    name = self._clean_name(raw)
                    if self.language == "zh" and name and len(name) == 2 and len(raw) == 3 and raw.startswith(name):
                        name = raw  # 大名叫包德才，: set off whole, its last character ends the name, no adverb after it
                    if not name:
                        continue
                    subject = groups.get("subj", "")
                    referent = self._named_referent(subject, sentence[: match.start()], sentences[k - 1] if k else "")
                    if referent is None or not self.cast.provisional(referent):
                        known = self.cast.known.get(name)
                        if referent is not None and groups.get("real") and not self.cast.ambiguous(name) \
                                and (known is None or known != referent and story.count(name) == 1):
                            # 铁头是广东人……他的大名叫邝铁生 / His real name was Harold Pike: the name of the one the story
                            # calls by another (one more character only if the story used the name anywhere else)
                            if known is not None:
                                self.cast.merge(known, referent)
                            self.cast.join(name, referent)
                            self.cast.names[referent] = name
                            continue
                        if not self.cast.ambiguous(name):
                            self.cast.add(name)  # 他叫郑小杰: the full name of the 小杰 the tags use
                        continue
                    mentioned = self.cast.mentions(name)
                    target = mentioned[0][2] if mentioned and mentioned[0][1] - mentioned[0][0] == len(name) else None
                    if target is None and not self.cast.ambiguous(name):
                        target = self.cast.add(name)
                    if target is not None and target != referent and target not in self._spoken:
                        self.cast.merge(referent, target)

    def _learn_identified(self, paragraphs: list[Paragraph]) -> None:
        """One the narration brings in by a role, then says in a sentence of its own who or what they are (扉の脇に立つ若い
        騎士が、小さく噴き出した。近衛騎士のハルトムートである。/ 毛皮をまとった男が入ってきた。北方王国の伝令だ。): the role is
        that name, or that other role (Japanese)."""
        roles = getattr(self.words, "ROLES", {})
        body = _alternation(roles)
        for paragraph in paragraphs:
            # 宰相オルド / 「南の若き女王エルヴィラ殿」: a role set right before a name from abroad is that one's, in a line too
            for start, end, cid in self.cast.mentions(paragraph.text):
                role = re.search(rf"(?:^|(?<=[。、！？」\s　\u3041-\u3093]))(?P<role>{body})$", paragraph.text[:start]) \
                    if re.match(r"[\u30a1-\u30fa]", paragraph.text[start]) else None
                known = self.cast.known.get(role.group("role")) if role else None
                if role and known is None:
                    self.cast.join(role.group("role"), cid)
                elif known is not None and known != cid and self.cast.provisional(known) and not self.cast.provisional(cid):
                    self.cast.merge(known, cid)
            sentences = [s for s in _SENTENCE_END.split(_unquoted(paragraph.text)) if s.strip()]
            for previous, sentence in zip(sentences, sentences[1:]):
                said = re.fullmatch(r"[\s　]*(?:[^。、「」はがを]{0,12}の)?(?P<what>[^。、「」はがをの\s　]{1,10}?)(?:である|であった|だ|だった)。?",
                                    sentence)
                subject = re.search(rf"(?:^|(?<=[、\s　\u3041-\u3093]))(?P<role>{body})が", previous) if said else None
                if subject is None or subject.group("role") not in self.cast.known:
                    continue
                source = self.cast.known[subject.group("role")]
                what = said.group("what")
                found = self.cast.mentions(what)
                if what in roles:
                    target = self.cast.known.get(what) or self.cast.add(what)
                elif found and found[0][:2] == (0, len(what)):
                    target = found[0][2]
                else:
                    continue
                if target != source and self.cast.provisional(source) \
                        and len({self.cast.gender(source), self.cast.gender(target)} - {None}) < 2:
                    self.cast.merge(source, target)

    def _learn_named_elders(self, paragraphs: list[Paragraph]) -> None:
        """An unnamed role (老人) is the one the story speaks of by a name and what they are (榊原のおじいさん), where it
        has one such role and the name is no one else's."""
        elders = getattr(self.words, "NAMED_ELDERS", None)
        if not elders:
            return
        calls = _alternation(elders)
        text = "\n".join(p.text for p in paragraphs)
        for match in re.finditer(rf"(?<![\u3005\u4e00-\u9fff\u30a0-\u30ff])(?P<name>[\u3005\u4e00-\u9fff\u30a0-\u30ff]{{1,4}})の(?P<call>{calls})", text):
            name = self._clean_name(match.group("name"))
            if not name or name in self.words.ROLES or self.cast.ambiguous(name) or japanese_common_noun(name):
                continue  # 紙芝居のおじさん, 八百屋のおばさん: what one does or sells is no name
            roles = {self.cast.known[r] for r in elders[match.group("call")] if r in self.cast.known}
            roles = {cid for cid in roles if self.cast.provisional(cid)}
            current = self.cast.known.get(name)
            if len(roles) == 1 and (current is None or self.cast.provisional(current)):
                self.cast.merge(roles.pop(), self.cast.add(name))

    def _named_referent(self, subject: str, before: str, previous: str) -> str | None:
        """Whom a naming sentence is about: the role or name it opens on, else (for a pronoun or none) the subject
        of the sentence so far or of the sentence before, when the pronoun fits them."""
        subject = subject.strip()
        gender = self.words.PRONOUNS.get(subject) or self.words.PRONOUNS.get(subject.lower()) or \
            self.words.GENDER_WORDS.get(subject) or self.words.GENDER_WORDS.get(subject.lower())
        if subject and not gender:
            roles = getattr(self.words, "ROLES", {})
            if subject in roles or subject.lower() in roles:
                return self.cast.known.get(subject) or self.cast.known.get(subject.lower())
            mentioned = self.cast.mentions(subject)
            if mentioned:
                return mentioned[-1][2]
            if self.language != "en":
                return None
        for text in (before, previous):
            tag = self._first_subject(text) if text.strip() else None
            if tag is not None and tag.who and (gender is None or self.cast.gender(tag.who) in (gender, None)):
                return tag.who
        return None

    def _unite(self, name: str) -> None:
        """A full name whose parts the tags used apart ("Amara said", "Osei laughed", Dr Amara Osei; "says Anni", Frau
        Gruber, Annelies Gruber) is one character."""
        tokens = set(self.cast.core(name).split())
        matches = self.cast._matches(name)
        part = lambda word: word in tokens or any(self.cast._same(word, token) for token in tokens)
        if len(tokens) < 2 or any(not all(part(word) for word in self.cast.core(alias).split())
                                  for cid in matches for alias in self.cast.aliases(cid)):
            return
        if len({self.cast.gender(cid) or self._given_name_gender(cid) for cid in matches} - {None}) > 1:
            return  # "Dylan Cope": the boy and Mrs Cope share the surname, not a person
        first, *rest = sorted(matches)
        for other in rest:
            self.cast.merge(other, first)
        for alias in (name, self.cast.core(name)):
            self.cast.join(alias, first)
            if self.cast._fuller(alias, self.cast.names[first]):
                self.cast.names[first] = alias

    def _tokenized_names(self, paragraphs: list[Paragraph]) -> set[str]:
        """Person names the tokenizer finds, full names (佐伯 + 正人) and their parts of two characters or more."""
        names: set[str] = set()
        guessed: Counter[str] = Counter()
        for paragraph in paragraphs:
            runs = person_names(paragraph.text, self.language)
            if runs is None:
                break
            for run in runs:
                if any(kind == "given?" for _, kind in run):
                    guessed["".join(surface for surface, _ in run)] += 1
                    continue
                if len(run) > 1:
                    names.add("".join(surface for surface, _ in run))
                # (not a Chinese surname of two characters on its own: 司徒 of 司徒敏 is no one's name)
                names.update(surface for surface, kind in run if len(surface) >= 2
                             and not (kind == "surname" and surface in getattr(self.words, "COMPOUND_SURNAMES", ())))
        names |= {name for name, count in guessed.items() if count >= 2}
        if self.language == "zh":
            # 苏禾。/ 苏禾喂的, 何丽一手… / 何丽白了他一眼: a name found on its own, and once run into the verb after it
            # (or into a word that comes once), is the shorter one
            text = "\n".join(p.text for p in paragraphs)
            names -= {name for name in names if len(name) == 3 and name[:2] in names
                      and (self._runs_on(name[2]) or text.count(name) == 1 < text.count(name[:2]))}
        kept = {name for name in names if self._clean_name(name) == name}
        if self.language == "zh":
            # 何嘉树 (and 嘉树, said alone): a full name the tokenizer gave whole, though its last character ends the words
            # for places and things a name is not (槐树, 石桥): a surname and a given name that is no word, and no
            # family's place (王家村)
            full = {name for name in names - kept if len(name) == 3 and name[0] in self.words.SURNAMES
                    and name[1] not in "家氏" and name.endswith(self.words.NOT_PERSON_ENDINGS)
                    and not is_everyday_word(name[1:]) and not any(ch in self.words.NOT_IN_NAMES for ch in name)}
            kept |= full | {name[1:] for name in full if name[1:] in names}
        return kept

    def _kana_given_names(self, paragraphs: list[Paragraph]) -> set[str]:
        """Japanese full names whose given name is written in hiragana (小川ひなた), which the tokenizer takes for words
        (ひなた, a sunny spot): a surname and the kana set together as the subject or owner in narration, the kana
        also standing alone as a subject (ひなたが叫ぶ) or called with an honorific (ひなたちゃん). The full name
        and the given name."""
        text = "\n".join(p.text for p in paragraphs)
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        found: set[str] = set()
        for match in re.finditer(r"(?:^|(?<=[の、。\s　]))([\u3005\u4e00-\u9fff]{1,3})([\u3041-\u3093]{2,4})(?=[はがもの、])",
                                 narration, re.MULTILINE):
            surname, given = match.groups()
            if given in found or given in self.words.PRONOUNS or given in self.words.FIRST_PERSON:
                continue
            alone = rf"(?:^|(?<=[。、「\s　]))(?:{given})[はがも](?![\u3041-\u3093]{{0,1}}(?:ない|なく))"
            called = rf"(?:{given})(?:ちゃん|さん|くん|先輩)"
            if len(re.findall(alone, narration, re.MULTILINE)) + len(re.findall(called, text)) >= 2 \
                    and not japanese_function_word(given):
                found |= {surname + given, given}
        # or one called by a surname and an honorific (早瀬さん) whose full name someone says set off on its own
        # (「二年三組、野口大翔。早瀬つばさ。二人ともここか」)
        honoured: dict[str, int] = {}  # how often each surname is called with an honorific, counted once each
        # (not the です after it: 「おはようございます、月岡ゆりです」)
        for match in re.finditer(r"(?:^|(?<=[。、「\s　]))([\u3005\u4e00-\u9fff]{1,3})([\u3041-\u3093]{2,4}?)(?:です|でした|だ|でございます)?"
                                 r"(?=[。、！？」])", text, re.MULTILINE):
            surname, given = match.groups()
            if given.startswith(("さん", "くん", "ちゃん", "さま", "たち")):
                continue  # 早瀬さん: the honorific, not a given name
            if surname not in honoured:
                honoured[surname] = len(re.findall(rf"{surname}(?:さん|くん|ちゃん|先輩|先生)", text))
            if honoured[surname] >= 2 and not japanese_function_word(given) \
                    and given not in self.words.PRONOUNS and surname not in self.words.ROLES:
                found.add(surname + given)
        return found

    def _trades_as_subjects(self, paragraphs: list[Paragraph]) -> set[str]:
        """Japanese trade words (紙芝居屋, 八百屋) that the narration makes the subject of two sentences or more: the one
        the story calls by the trade (大人たちは、紙芝居屋と呼んだ / 紙芝居屋は笑って、二枚目を引き抜いた)."""
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        subjects = Counter(m.group(1) for m in re.finditer(
            r"(?:^|(?<=[、。\s　]))([\u4e00-\u9fff\u30a0-\u30ff]{1,4}屋)(?:さん)?[はが]", narration, re.MULTILINE))
        return {trade for trade, count in subjects.items() if count >= 2 and trade not in self._not_names}

    def _learn_described_people(self, paragraphs: list[Paragraph]) -> None:
        """One Chinese narration brings in by a description (一个青衫人, 一个红衣女子) and calls so again (青衫人的声音很淡)
        is a character of their own, as a role is."""
        pattern = getattr(self.words, "DESCRIBED_PERSON", None)
        if not pattern:
            return
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        for match in re.finditer(pattern, narration):
            role = match.group("role")
            if narration.count(role) < 2 or role in self.words.NOT_NAMES or role in self.words.ROLES:
                continue
            if role in self.cast.known and self.cast.aliases(self.cast.known[role]) != [role]:
                continue  # already one more name of someone
            cid = self.cast.add(role)  # a tag may have found it first, as if a name (“一壶茶。”青衫人说)
            self.cast.described.add(role)
            gender = next((g for end, g in self.words.DESCRIBED_GENDERS.items() if role.endswith(end)), None)
            if gender:
                self.cast.vote(cid, gender, 2)

    def _learn_surnamed_givens(self, paragraphs: list[Paragraph]) -> None:
        """A two-character given name the story knows, written once with a surname before it where a clause opens
        (多多 … 许多多的直觉向来准得可怕): the full name is one more name of that character. A surname that is also
        the end of a word before it (也许多多) is the word's, so only a clause's opening counts."""
        givens = [name for name, cid in self.cast.known.items()
                  if len(name) == 2 and _CJK.match(name) and self.cast.core(name) == name and not self.cast.provisional(cid)]
        if not givens:
            return
        full = re.compile(rf"(?:^|(?<=[。！？，,；：“”「」『』\s　]))([{self.words.SURNAMES}])({_alternation(givens)})")
        for paragraph in paragraphs:
            for match in full.finditer(paragraph.text):
                name = match.group(0)
                # 林夏收起伞: the surname is the first of a name the story has (林夏), not one before 夏收
                if name not in self.cast.known and self.cast.mentions(name)[0][0] != 0:
                    self.cast.join(name, self.cast.known[match.group(2)])

    def _learn_roles(self, paragraphs: list[Paragraph]) -> None:
        """Role nouns as characters: one standing before a name is that name (父の佐伯正人),
        one that is the subject of narration is a character of its own (母が鍋の蓋を開けた)."""
        roles = getattr(self.words, "ROLES", {})
        if not roles:
            return
        body = _alternation(roles)
        if self.language == "en":
            # "The porter put his head round the door.": a role opening a sentence of narration
            # "The woman in the grey coat came in": a phrase may stand between the role and its verb
            # (or a clause on who they are: The man who reached the front at half past was tall and pink)
            phrase = (rf"(?:,?\s+(?:in|with|from|at|by|of)\s+(?:(?:the|a|an|his|her|about)\s+)?(?:[{LOWER}'’]+\s+){{0,2}}?[{LOWER}]+,?"
                      rf"|,?\s+who\s+(?:[{LOWER}'’]+\s+){{1,6}}?[{LOWER}]+,?)?")
            # or one that comes into a sentence after "and" ("The door opened and a girl of about twelve came in")
            def opens(determiners: str, nouns: str) -> re.Pattern[str]:
                return re.compile(
                    rf"(?:^|(?<=[.!?]\s)|(?<=\band\s))(?:{determiners})\s+(?:[{LOWER}]+\s+)??(?P<role>{nouns}){phrase}\s+"
                    # and, in a story told in the present, any verb in it (The porter wheels a trolley past)
                    rf"(?:[{LOWER}]+ed|was|is|had|has|came|stood|sat|put|said|went|took|held|looked|[{LOWER}]{{3,}}[^s\W]s|"
                    # (and the short ones: The woman at desk four has her lanyard turned the wrong way)
                    rf"says|sits|gets|puts|runs|sets|lets|sees|goes|does|cuts|"
                    # or one of the past tenses that do not end in -ed (The herald struck his staff)
                    rf"struck|rose|spoke|began|brought|caught|drew|fell|felt|found|gave|got|kept|knew|led|left|"
                    rf"made|ran|rang|saw|sent|shook|threw|told|thought|wore|wrote|broke|bent|swung|hung|lay|"
                    rf"stuck|strode|slid|spat|swore|wept|woke|leant|knelt|sank)\b")

            # (a quote or a paragraph's end between the two parts them: "Kieran Walsh," says his father, "sit." / Kieran sits)
            narration = "\n".join(_unquoted(p.text, "\n") for p in paragraphs)
            # My aunt, May Ong, had run the stall: a full name set between commas after one's role or kin is a name,
            # though its first word is also a word (May, Will, Grace), and that role or kin is that one's
            kin = _alternation([*roles, *self.words.KIN])
            for match in re.finditer(rf"\b(?:[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Tt]he)\s+(?P<role>{kin}),\s+(?P<name>{CAPITALISED} {CAPITALISED}),",
                                     narration):
                name, role = match.group("name"), match.group("role")
                if name in self.cast.known or self.cast.ambiguous(name) or not self._name_word(name.split()[1]):
                    continue
                cid = self.cast.add(name)
                if role not in self.cast.known:
                    self.cast.join(role, cid)
                elif self.cast.provisional(self.cast.known[role]) and self.cast.aliases(self.cast.known[role]) == [role]:
                    self.cast.merge(self.cast.known[role], cid)
            for start, end, cid in self.cast.mentions(narration):
                # Captain Elias Thorne / the mate, Gideon Pask: the role is that character's
                before = re.search(rf"(?:^|\b)(?P<role>{body}),?[ \t]+$", narration[max(0, start - 30) : start], re.IGNORECASE)
                # and Ysolde Averin, who had been queen for eleven weeks
                after = re.match(rf",\s+who(?:\s+had|\s+has)?\s+(?:was|is|been)\s+(?:(?:the|a|an)\s+)?(?:[{LOWER}]+\s+)?(?P<role>{body})\b",
                                 narration[end : end + 60])
                for found in (before, after):
                    if found and found.group("role").lower() in roles and found.group("role").lower() not in self.cast.known:
                        self.cast.join(found.group("role").lower(), cid)
            # and one's kin opening a sentence ("His gran went up the stairs ahead of him")
            openings = (opens("The|A|An|a|an", body), opens("His|Her|Their", _alternation(self.words.KIN)))
            genders = {**roles, **self.words.KIN}
            for paragraph in paragraphs:
                for pattern in openings:
                    for match in pattern.finditer(_unquoted(paragraph.text)):
                        role = match.group("role")
                        if role not in self.cast.known:
                            cid = self.cast.add(role)
                            if genders.get(role):
                                self.cast.vote(cid, genders[role], 2)
            return
        # a role stands after punctuation or a particle (ベンチから監督が叫んだ), never inside a word (叔母)
        # or after 一个 (一个大汉走过去), which brings a new one in
        boundary = r"(?:^|(?<=[。、，,！？」”\s　と])|(?<=一个|一位|一名))" if self.language == "zh" else r"(?:^|(?<=[。、，,！？」”\s　\u3041-\u3093]))"
        narration = [_unquoted(p.text) for p in paragraphs]
        for text in narration:
            for start, end, cid in self.cast.mentions(text):
                # in Chinese also after whose it is (我堂弟林浩)
                match = re.search(rf"{boundary}(?P<role>{body})の$" if self.language == "ja" else rf"(?:{boundary}|(?<=[{self.words.POSSESSORS}]))(?P<role>{body})$",
                                  text[:start])
                role = match.group("role") if match else None
                if role and role not in self.cast.known:
                    self.cast.join(role, cid)
                if self.language == "ja":
                    # おみつという十七の娘: the role the name is introduced as is that character's
                    after = re.match(rf"という[^、。「」]{{0,8}}?(?P<role>{body})(?![\u3005\u4e00-\u9fff])",
                                     text[end:])
                    if after and after.group("role") not in self.cast.known:
                        self.cast.join(after.group("role"), cid)
        # a voice described before it is named (落ち着いた女の声が出る) is a character of its own too
        # but 蛙の声が / 風の声が is the voice of a thing named before it, no one's line (祖母の声 is hers: _voice_owner)
        subject = re.compile(rf"(?:{boundary}(?!(?<=の)声)(?P<role>{body})(?:さん)?(?:の声)?[はがも]|(?<![彼\u3005\u4e00-\u9fff])(?P<voice>{body})の声[がは])" if self.language == "ja"
                             # 传来一个男人的声音: a voice described before it is named
                             # and 妈 after whose she is (我妈端着鱼出来)
                             else rf"(?:{boundary}(?P<role>{body})(?!们)|(?:一个|一位|一名|个)(?P<voice>{body})的声音|的(?P<sound>女声|男声)"
                                  rf"|(?<=[{self.words.POSSESSORS}])(?P<kin>{_alternation(self.words.POSSESSED_KIN)})(?![\u3005\u4e00-\u9fff]{{0,1}}[们的]))")
        for text in narration:
            for match in subject.finditer(text):
                role = match.group("role") or match.groupdict().get("voice") or match.groupdict().get("sound") or match.groupdict().get("kin")
                if role not in self.cast.known:
                    cid = self.cast.add(role)
                    if roles[role]:
                        self.cast.vote(cid, roles[role], 2)
        if self.language != "zh":
            return
        # 对面的女人三十出头: a role a sentence opens on, with where or whose it is before it, is a character too
        people = _alternation(word for word in ("女人", "男人", "女子", "男子", "老人") if word in roles)
        opened = re.compile(rf"(?:^|(?<=[。！？\s　]))[^，。！？“”「」\s　的]{{1,6}}的(?P<role>{people})(?![\u4e00-\u9fff]?[们的])")
        told = "\n".join(narration)
        for text in narration:
            for match in opened.finditer(text):
                role = match.group("role")
                if role not in self.cast.known and told.count(role) >= 2:
                    cid = self.cast.add(role)
                    if roles[role]:
                        self.cast.vote(cid, roles[role], 2)
        # 那女人——于敏——把手收回去: the name set off by dashes after a role is that role's
        for text in narration:
            for match in re.finditer(rf"(?P<role>{body})——(?P<name>[\u4e00-\u9fff]{{2,3}})——", text):
                role, name = self.cast.known.get(match.group("role")), self.cast.known.get(match.group("name"))
                if role is not None and name is not None and role != name and self.cast.provisional(role) \
                        and not self.cast.provisional(name):
                    self.cast.merge(role, name)

    def _learn_apposed_callings(self, paragraphs: list[Paragraph], tag_callings: set[str]) -> None:
        """A calling the tags use (``tag_callings``) that no table lists, set right before a name (司会の田中一郎 /
        领队王建国), is that name's: 「第一問」と司会が言った is 田中一郎's line. One set before two names is left alone."""
        roles = getattr(self.words, "ROLES", {})
        callings = {c for c in tag_callings - set(roles)
                    if (cid := self.cast.known.get(c)) is not None and self.cast.aliases(cid) == [c] and len(c) >= 2}
        if not callings:
            return
        link = "の" if self.language == "ja" else ""
        bearers: dict[str, set[str]] = {}
        for paragraph in paragraphs:
            text = _unquoted(paragraph.text)
            for start, _, cid in self.cast.mentions(text):
                for calling in callings:
                    at = start - len(calling + link)
                    # not the end of a longer word (副司会の): one after 的 or a particle is a calling of its own
                    inside = at > 0 and text[at - 1] != "的" and re.match(r"[\u3005\u4e00-\u9fff\u30a0-\u30ff]", text[at - 1])
                    if cid != self.cast.known[calling] and text.endswith(calling + link, 0, start) and not inside:
                        bearers.setdefault(calling, set()).add(cid)
        for calling, found in sorted(bearers.items()):
            if len(found) == 1:
                self.cast.merge(self.cast.known[calling], found.pop())

    def _learn_titled_roles(self, paragraphs: list[Paragraph]) -> None:
        """A role that is also a title (先生, 部長, 医生) is the one character the story gives it after a name
        (田中先生 … 先生は黒板を見た): the bare role is that character, not one of its own. In English the role
        goes with the title a name carries (the judge / Mr Justice Harrow, the captain / Captain Thorne)."""
        if self.language == "en":
            for role, titles in getattr(self.words, "ROLE_TITLES", {}).items():
                bearers = {cid for alias, cid in self.cast.known.items()
                           if any(alias.startswith(title + " ") or f" {title} " in alias for title in titles)
                           and not self.cast.provisional(cid)}
                self._give_role(role, bearers)
            return
        roles = getattr(self.words, "ROLES", {})
        titled = [word for word in roles if word in self.words.TITLES]
        if not titled:
            return
        text = "\n".join(p.text for p in paragraphs)
        mentions = self.cast.mentions(text)
        for role in titled:
            after_names = {end for _, end, _ in mentions if text.startswith(role, end)}
            within_names = {end - len(role) for start, end, _ in mentions if text[start:end].endswith(role) and end - start > len(role)}
            if all(m.start() in after_names | within_names for m in re.finditer(re.escape(role), text)):
                continue  # the story never uses the role alone
            bearers = {cid for start, end, cid in mentions if end in after_names and not self.cast.provisional(cid)}
            bearers |= {cid for alias, cid in self.cast.known.items()
                        if alias.endswith(role) and alias != role and not self.cast.provisional(cid)}
            self._give_role(role, bearers)

    def _give_role(self, role: str, bearers: set[str]) -> None:
        """The bare ``role`` is the one character of ``bearers``, where there is exactly one: it joins them, or a
        provisional character it stood for merges into them."""
        if len(bearers) != 1:
            return
        cid = next(iter(bearers))
        current = self.cast.known.get(role)
        if current is None:
            self.cast.join(role, cid)
        elif current != cid and self.cast.provisional(current):
            self.cast.merge(current, cid)

    def _learn_called_full_names(self, paragraphs: list[Paragraph]) -> None:
        """A full name a line calls someone by (“方志勇，明天坐在对面的是投资人”) is the one character the narration
        calls by that surname alone (老方, 小方, 方总), though the narration never writes it."""
        for clause in self._end_clauses(paragraphs):
            name = clause.strip(" 　\"“”「」！!？?")
            if len(name) != 3 or not _CJK.match(name) or name[0] not in self.words.SURNAMES or name in self.cast.known \
                    or is_everyday_word(name) or self._clean_name(name) != name:
                continue
            bearers = {cid for alias, cid in self.cast.known.items() if self.cast.core(alias) == name[0]}
            if len(bearers) == 1:
                self.cast.join(name, bearers.pop())

    def _learn_written_full_names(self, paragraphs: list[Paragraph]) -> None:
        """The full name the story writes once for one it calls 小树 or 阿禾 (他在红纸上写下陈树两个字: a surname and that
        one character, as a word of its own): that character's full name."""
        text = "\n".join(p.text for p in paragraphs)
        surnames = "".join(sorted(c for c in self.words.SURNAMES if len(c) == 1))
        for alias, cid in list(self.cast.known.items()):
            if len(alias) != 2 or alias[0] not in "小阿" or alias[1] in self.words.SURNAMES or not _CJK.match(alias[1]):
                continue
            written = {m.group(1) for m in re.finditer(rf"([{surnames}]{alias[1]})(?={_WRITTEN_NAME_AFTER}|[^\u3005\u4e00-\u9fff]|$)", text)}
            written = {name for name in written if name != alias and name not in self.cast.known and not is_everyday_word(name)}
            if len(written) == 1:
                self.cast.join(written.pop(), cid)
        # and one called by a surname and a title (牛师傅, 老牛) whose full name is written out with its count of
        # characters (收款人那一栏写着牛保全三个字), where no one else has that surname
        by_surname: dict[str, set[str]] = {}
        for alias, cid in self.cast.known.items():
            core = self.cast.core(alias)
            if core != alias and len(core) == 1 and core in self.words.SURNAMES:
                by_surname.setdefault(core, set()).add(cid)
        for surname, cids in by_surname.items():
            written = {m.group(1) for m in re.finditer(rf"({surname}[\u4e00-\u9fff]{{1,2}})(两|三)个字", text)
                       if len(m.group(1)) == "两三".index(m.group(2)) + 2}
            written = {name for name in written if name not in self.cast.known and self._clean_name(name) == name}
            if len(cids) == 1 and len(written) == 1:
                self.cast.join(written.pop(), cids.pop())

    def _end_clauses(self, paragraphs: list[Paragraph]) -> Iterator[str]:
        """The first and the last clause of every quote, where a line calls someone by name (“朵朵，别没礼貌。”)."""
        for paragraph in paragraphs:
            for start, end, closed in find_quotes(paragraph.text):
                clauses = self._clauses(paragraph.text[start + 1 : end - 1 if closed else end])
                yield from {clauses[0], clauses[-1]} if clauses else ()

    def _learn_first_kanji_calls(self, paragraphs: list[Paragraph]) -> None:
        """The first kanji of a given name and a title (源さん for 源蔵, 健ちゃん for 健太), said again and again, is
        that one's name too, where one given name alone begins so."""
        text = "\n".join(p.text for p in paragraphs)
        calls = Counter(m.group(0) for m in re.finditer(r"(?<![\u3005\u4e00-\u9fff])[\u3005\u4e00-\u9fff](?:さん|ちゃん|くん|っちゃん)", text))
        roles = getattr(self.words, "ROLES", {})
        for call, count in calls.items():
            if count < 2 or call in self.cast.known or call[0] in roles:
                continue
            givens = {cid for alias, cid in self.cast.known.items()
                      if len(alias) == 2 and alias[0] == call[0] and _CJK.match(alias) and alias not in roles}
            if len(givens) == 1:
                self.cast.join(call, givens.pop())

    def _learn_kana_calls(self, paragraphs: list[Paragraph]) -> None:
        """A name in katakana that is the reading of a known character's name or part of it (カジ for 梶太一, ミナト for
        相沢湊), called (カジ、お前の…) or the subject of narration (カジが立ち上がり) more than once, is that character."""
        text = "\n".join(p.text for p in paragraphs)
        # (and one said last in a line: 「どうしたの、ヒビ」)
        used = Counter(m.group(1) for m in re.finditer(r"(?:^|(?<=[「、。\s　]))([ァ-ヺー]{2,5})(?=[、はがも！？]|[。！？]?」)", text,
                                                        re.MULTILINE))
        for kana, count in used.items():
            if count < 2 or kana in self.cast.known:
                continue
            owners = {cid for alias, cid in self.cast.known.items()
                      if not self.cast.provisional(cid) and _CJK.match(alias) and kana_nickname_of(kana, alias)}
            if len(owners) == 1:
                self.cast.join(kana, owners.pop())

    def _learn_dotted_names(self, paragraphs: list[Paragraph]) -> None:
        """A foreign name in katakana with its parts set apart by ・ (グエン・ティ・ラン), one of whose parts the story calls
        someone by (ランちゃん, グエンさん), is one character, the parts so called its names too."""
        text = "\n".join(p.text for p in paragraphs)
        for full in sorted(set(re.findall(r"[ァ-ヺー]{2,}(?:・[ァ-ヺー]{1,}){1,3}", text)), key=len, reverse=True):
            parts = [part for part in full.split("・") if len(part) >= 2]
            called = [part for part in parts if re.search(rf"(?<![ァ-ヺー]){re.escape(part)}(?:さん|ちゃん|くん|様|氏)", text)]
            if not called and not any(part in self.cast.known for part in parts):
                continue  # (or one the story already knows as a name: ダニエル of ダニエル・オカフォー)
            # the parts found first as names of their own (ランちゃん, グエン) are this one
            found = list(dict.fromkeys(self.cast.known[name] for name in [full, *parts] if name in self.cast.known))
            if any(self.cast.core(alias) not in [full, *parts] and not any(self.cast._same(alias, part) for part in parts)
                   for cid in found for alias in self.cast.aliases(cid)):
                continue  # a part that is someone else's name too (not ダン, which is ダニエル said short)
            cid = found[0] if found else self.cast.add(full)
            for other in found[1:]:
                self.cast.merge(other, cid)
            for name in [parts[0], parts[-1], *called]:
                if name not in self.cast.known:
                    self.cast.join(name, cid)
            self.cast.join(full, cid, show=True)

    def _learn_katakana_names(self, paragraphs: list[Paragraph]) -> None:
        """A foreign name in katakana the tokenizer takes for a common noun (エルヴィラ, オルド), which the narration
        makes the subject of a sentence, is a name where the story also calls someone by it: with a title after it
        (女王エルヴィラ殿), or alone, opening a line (「オルド。約定の写しって…」)."""
        narration = "\n".join(_unquoted(p.text, "\n") for p in paragraphs)
        speech = [p.text[start + 1 : end - 1 if closed else end] for p in paragraphs for start, end, closed in find_quotes(p.text)]
        titles = _alternation(t for t in self.words.TITLES if len(t) <= 2)
        text = "\n".join(speech + [narration])
        for word in sorted(set(re.findall(r"(?<![ァ-ヺー・])[ァ-ヺー]{2,}(?![ァ-ヺー・])", narration))):
            if word in self.cast.known or word in self.words.ROLES or self._clean_name(word) != word \
                    or not re.search(rf"(?<![ァ-ヺー・]){word}[はがも]", narration):
                continue
            titled = re.search(rf"(?<![ァ-ヺー・]){word}(?:{titles})", text)
            called = any(re.match(rf"[\s　…―]*{word}[。、！？!?]", line) for line in speech)
            if titled or called:
                self.cast.add(word)

    def _learn_doubled_names(self, paragraphs: list[Paragraph]) -> None:
        """A doubled character a line calls someone by (“朵朵，别没礼貌。” / “念念！”) is a pet name: the one of a
        known full name whose given name ends in that character (沈念 is 念念), else a character of its own when
        narration also uses it."""
        called: set[str] = set()
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        for clause in self._end_clauses(paragraphs):
            core = clause.strip(" 　\"“”「」")
            if len(core) == 2 and core[0] == core[1] and _CJK.match(core) and core not in self.words.NOT_DOUBLED_NAMES:
                called.add(core)
        # 他妹妹宁宁今年七岁 … 宁宁得意地爬上… 宁宁在后面咯咯地笑: one the narration sets after a kin noun, or opens two
        # clauses on, going on differently each time, is a name too
        kin = _alternation(getattr(self.words, "KIN", {}))
        openers: dict[str, set[str]] = {}
        for match in re.finditer(r"(?:^|[。！？，；：”\s　])(([\u4e00-\u9fff])\2)(?!地)([\u4e00-\u9fff])", narration, re.MULTILINE):
            openers.setdefault(match.group(1), set()).add(match.group(3))
        for match in re.finditer(rf"(?:{kin})(([\u4e00-\u9fff])\2)(?![\u4e00-\u9fff]{{0,1}}[们的])", narration) if kin else ():
            openers.setdefault(match.group(1), set()).update("12")
        called |= {name for name, after in openers.items() if len(after) >= 2 and name not in self.words.NOT_DOUBLED_NAMES}
        for name in sorted(called):
            if name in self.cast.known:
                continue
            owners = {cid for alias, cid in self.cast.known.items()
                      if len(alias) in (2, 3) and alias[0] in self.words.SURNAMES and alias[-1] == name[0]
                      and self.cast.core(alias) == alias}
            if len(owners) == 1:
                self.cast.join(name, owners.pop())
            elif not owners and re.search(rf"(?:^|[。！？，；：”\s　]){name}(?!地)[\u3005\u4e00-\u9fff]", narration, re.MULTILINE):
                self.cast.add(name)

    def _learn_nicknames(self, paragraphs: list[Paragraph]) -> None:
        """A name narration says the others call someone by (我们都管他叫胖子 / 誰もが彼をキノさんと呼ぶ / everyone called him Tommo)."""
        pattern = re.compile(self.words.NICKNAME)
        story = "\n".join(p.text for p in paragraphs)
        for paragraph in paragraphs:
            text = _unquoted(paragraph.text, keep_words=True)  # (村里人都叫他“田老歪”: the name in quotes)
            for match in pattern.finditer(text):
                # (a pattern may take the name bare or in quotes, as two groups)
                group = "nick" if match.group("nick") is not None else "quoted"
                nick = match.group(group).strip()
                full = match.groupdict().get("full")
                if full and self._clean_name(full) == full and not self.cast.mentions(full) and not self.cast.ambiguous(full):
                    self.cast.add(full)  # "Mireille Dufresne, who is Mimi to everyone": the name it is given for
                # the one called so: named in the clause itself, else the last one named before it
                named = self.cast.mentions(match.group(0)[: match.start(group) - match.start()])
                before = self.cast.mentions(text[: match.start()])
                # (the last one before it the pronoun fits: 女王とは乳兄弟で、彼をハルと呼ぶのは彼女ひとり is not the queen)
                pronoun = re.search(rf"(?:{_alternation(self.words.PRONOUNS)})", match.group(0)[: match.start(group) - match.start()])
                fits = self.words.PRONOUNS.get(pronoun.group(0)) if pronoun else None
                before = [m for m in before if self.cast.gender(m[2]) in (fits, None)] if fits else before
                who = named[-1][2] if named else self._full_name_of(nick, text[: match.start()]) or (before[-1][2] if before else None)
                if self._clean_name(nick) != nick:
                    continue
                if who is None and self.language == "zh" and pronoun is not None:
                    # 甘子航坐在看台最底下一排……他一米八七……全年级都叫他竹竿: the full name the paragraph opens on, which
                    # no tag gave, is the one the pronoun is
                    opener = self._opening_full_name(text[: match.start()], story)
                    who = self.cast.add(opener) if opener else None
                if who is None and self.cjk:
                    # 大家都管他叫小石头, of one no name stood for yet: 小石头 is a name, and 小石, taken for one where the
                    # story writes it only ever as the start of 小石头, is that one cut short
                    cut = next((alias for alias in self.cast.known if nick.startswith(alias) and alias != nick
                                and story.count(alias) == story.count(nick)), None)
                    who = self.cast.known[cut] if cut else self.cast.add(nick)
                    self.cast.join(nick, who, show=True)
                    continue
                if who is None:
                    continue
                current = self.cast.known.get(nick)
                if current is None:
                    # (one known only as a role goes by the name they are called: the man is 紙芝居屋)
                    self.cast.join(nick, who, show=self.cast.provisional(who))
                elif current != who and self.cast.provisional(who) and not self.cast.provisional(current):
                    self.cast.merge(who, current)  # 木の箱を積んだ男 … 紙芝居屋と呼んだ: the man is the one called so
                elif current != who and (self.cast.provisional(current)
                                         or all(a in nick for a in self.cast.aliases(current))):
                    self.cast.merge(current, who)  # 胖子 was taken for a role of its own, Mimi for a name of its own

    def _opening_full_name(self, before: str, story: str) -> str | None:
        """The Chinese full name (a surname and one given character, or two where the story never writes the shorter
        form alone) that ``before``, the start of a paragraph, opens on, as a clause's subject: one the story names
        more than once, no everyday word and no one the cast knows yet."""
        opening = re.match(r"[\s　]*([\u4e00-\u9fff]{2,3})", before)
        if opening is None or opening.group(1)[0] not in self.words.SURNAMES:
            return None
        two, three = opening.group(1)[:2], opening.group(1)
        name = three if len(three) == 3 and story.count(three) == story.count(two) else two
        if story.count(name) < 2 or is_everyday_word(name) or self._clean_name(name) != name \
                or self.cast.mentions(name) or self.cast.ambiguous(name):
            return None
        return name

    def _learn_family_elder(self, paragraphs: list[Paragraph]) -> None:
        """老林 in a family of 林s (林建国, 林小雨, 林浩) is the one narration calls the father or the uncle (父亲林建国):
        the one 老 fits, where that surname alone cannot tell them apart."""
        elders = getattr(self.words, "FAMILY_ELDERS", ())
        if not elders:
            return
        text = "\n".join(_unquoted(p.text) for p in paragraphs)
        for nick in sorted(set(re.findall(rf"老[{self.words.SURNAMES}](?![\u3005\u4e00-\u9fff]{{0,1}}[们子])", text))):
            if nick in self.cast.known or not self.cast.ambiguous(nick):
                continue
            older = {cid for cid in self.cast._matches(nick) if any(alias in elders for alias in self.cast.aliases(cid))}
            if len(older) == 1:
                self.cast.join(nick, older.pop())

    def _learn_zi_names(self) -> None:
        """川子 is 蔺川 and 凯子 邹凯, as friends in the north say a name, and 燕儿 蒲晓燕, as family call a child: the last
        character of one full name and 子 or 儿, a form the tags took for a character of its own (known by nothing else
        but the roles it was first taken for), where no word is spelt so (儿子, 叶子, 胖子, 女儿) and one full name alone
        ends in that character."""
        roles = {**getattr(self.words, "ROLES", {}), **getattr(self.words, "KIN", {})}
        for alias, cid in list(self.cast.known.items()):
            if len(alias) != 2 or alias[1] not in "子儿" or alias in roles or is_everyday_word(alias) \
                    or self.cast.known.get(alias) != cid:
                continue
            if any(other != alias and other not in roles for other in self.cast.aliases(cid)):
                continue  # one known by a name of their own besides
            full = {self.cast.known[name] for name in self.cast.known
                    if name != alias and self.cast.core(name) == name and 2 <= len(name) <= 4 and name.endswith(alias[0])
                    and (name[0] in self.words.SURNAMES or name[:2] in self.words.COMPOUND_SURNAMES)
                    and not self.cast.provisional(self.cast.known[name])}
            if len(full) == 1 and (target := full.pop()) != cid:
                self.cast.merge(cid, target)

    def _full_name_of(self, nick: str, before: str) -> str | None:
        """The full name a familiar surname (小李, 老周) stands for, where the sentence before it gives one with that
        surname (是李明远，…，队里都叫他小李): that name, added as a character."""
        if self.language != "zh" or len(nick) != 2 or nick[0] not in self.words.ALIAS_PREFIXES:
            return None
        sentence = _SENTENCE_END.split(before)[-1]
        found = [m.group(0) for m in re.finditer(rf"{re.escape(nick[1])}[\u3005\u4e00-\u9fff]{{1,2}}(?=[，,。、])", sentence)]
        name = self._clean_name(found[-1]) if found else None
        return self.cast.add(name) if name and not self.cast.ambiguous(name) else None

    def _forms_of(self, given: str) -> tuple[str, set[str]]:
        """An English given name's formal form, and its other forms: the formal ones and their familiar ones and
        spellings (Hal: Henry; Harold, Harry, Henry, …)."""
        familiar, also, spellings = self.words.HYPOCORISMS, self.words.HYPOCORISMS_ALSO, self.words.NAME_SPELLINGS
        formal = familiar.get(given, given)
        formal = spellings.get(formal, formal)
        # Kit is Christopher or Catherine; Katherine is Catherine spelt so
        formals = {formal, *(spellings.get(name, name) for name in also.get(given, ()))}
        forms = {*formals, *(nick for nick, name in familiar.items() if name in formals),
                 *(nick for nick, names in also.items() if formals & set(names)),
                 *(spelt for spelt, name in spellings.items() if name in formals)} - {given}
        return formal, forms

    def _learn_familiar_names(self, paragraphs: list[Paragraph]) -> None:
        """A given name's formal and familiar forms the story also uses are that character's (Tommo Birch is the
        Thomas the others call him; Daniel Okoro is Danny), with the surname when the name has one."""
        text = "\n".join(p.text for p in paragraphs)
        used = set(re.findall(rf"(?<![{UPPER}{LOWER}]){CAPITALISED}(?![{LOWER}])", text))
        for cid in list(self.cast.names):
            for alias in self.cast.aliases(cid):
                if self.cast.known.get(alias) != cid:
                    break  # merged into another below
                given, *surname = self.cast.core(alias).split()
                formal, forms = self._forms_of(given)
                if surname:
                    forms.add(given)  # the given name alone, as the others call him ("You're a menace, Thomas")
                for form in sorted(forms & used):
                    for name in (form, " ".join([form, *surname])):
                        other = self.cast.known.get(name, cid)
                        if other != cid and surname and name != form:
                            # Tommo Birch and Thomas Birch found apart are one person, under the formal name
                            keep, gone = (other, cid) if form == formal else (cid, other)
                            self.cast.merge(gone, keep)
                            cid = keep
                        elif other != cid and name == form and not self.cast.provisional(other) \
                                and len(self.cast.core(self.cast.names[other]).split()) == 1 \
                                and len({self.cast.gender(cid), self.cast.gender(other)} - {None}) < 2:
                            # Shaz and Sharon, each alone: one woman, under the formal name; Harry, and Harriet Lisle
                            keep, gone = (other, cid) if form == formal and not surname else (cid, other)
                            self.cast.merge(gone, keep)
                            cid = keep
                        elif other == cid and not self.cast.ambiguous(name):
                            self.cast.join(name, cid)

    def _learn_stem_full_names(self, paragraphs: list[Paragraph]) -> None:
        """A familiar name made as the English make them, the first letters of a given name and an ending (Gordy of
        Gordon, Jonno of Jonathan), is the one the narration names in full once with that given name (At the next desk
        Gordon Lister, who had been Gordy to everybody), where the familiar one has no full name and no one else has
        that given name."""
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        full = re.compile(rf"\b({CAPITALISED}) ({CAPITALISED})\b")
        pairs = {(m.group(1), m.group(2)) for m in full.finditer(narration)
                 if m.group(1) not in self._not_names and m.group(2) not in self._not_names
                 and m.group(1) not in self.words.TITLES and self._clean_name(m.group(0)) == m.group(0)}
        for alias, cid in sorted(self.cast.known.items()):
            if " " in alias or self.cast.provisional(cid) or any(" " in a for a in self.cast.aliases(cid)):
                continue
            ending = re.fullmatch(rf"([{UPPER}][{LOWER}]{{2,}}?)(?:\w)?(?:ie|y|o|ey|sy)", alias)
            if ending is None:
                continue
            stem = ending.group(1)
            named = {(given, surname) for given, surname in pairs
                     if given.startswith(stem) and len(given) >= len(stem) + 2 and given != alias
                     and self.cast.known.get(given, cid) == cid and self.cast.known.get(f"{given} {surname}", cid) == cid}
            if len(named) == 1:
                given, surname = named.pop()
                for name in (f"{given} {surname}", given):
                    if not self.cast.ambiguous(name):
                        self.cast.join(name, cid)

    def _learn_capitalised_full_names(self, paragraphs: list[Paragraph]) -> None:
        """A full name set in capitals on a badge, a sign or a certificate (her certificate, SHARON MALLORY, hangs by the
        till) is one more name of the character known by its first name (Sharon, Shaz), or by its surname alone (Miss
        Kaur, whose lanyard says HARPREET KAUR)."""
        for paragraph in paragraphs:
            for match in re.finditer(rf"\b([{UPPER}]{{2,}}) ([{UPPER}]{{2,}})\b", _unquoted(paragraph.text)):
                given, surname = (word.capitalize() for word in match.groups())
                cid = self.cast.known.get(given)
                if cid is None and given.lower() not in self._lowercase:
                    cid = self.cast.known.get(surname)
                full = f"{given} {surname}"
                if cid is None or self.cast.provisional(cid) or surname.lower() in self._lowercase or full in self.cast.known \
                        or self._named_in_full(cid) or self.cast.ambiguous(full):
                    continue
                self.cast.join(full, cid, show=True)

    def _ing_form(self, word: str) -> bool:
        """Whether a capitalised English word that comes first in a pair of them is a verb's -ing form ("Sending Nasser.",
        opening a sentence), not a given name: one no one is known by."""
        return bool(_EN_ING_FORM.fullmatch(word)) and word not in self.cast.known

    def _name_word(self, word: str) -> bool:
        """Whether a capitalised English word may be a name: the story never writes it in lower case, and no table
        says it is a common word (Then, May)."""
        return word.lower() not in self._lowercase and word not in self._not_names

    def _learn_late_full_names(self, paragraphs: list[Paragraph]) -> None:
        """A given name learnt only as the formal form of a familiar one (Joanna, of Jo) is a full name where the
        narration writes it with a surname (the Reverend Joanna Pryor), as a given name found at once is."""
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        for given, cid in sorted(self.cast.known.items()):
            if " " in given or self.cast.provisional(cid) or self.cast.core(given) != given \
                    or any(" " in alias for alias in self.cast.aliases(cid)):
                continue
            surnames = {m.group(1) for m in re.finditer(rf"\b{re.escape(given)} ({CAPITALISED})\b", narration)
                        if self._name_word(m.group(1)) and m.group(1) not in self.cast.known}
            full = f"{given} {surnames.pop()}" if len(surnames) == 1 else None
            if full and not self.cast.ambiguous(full):
                self.cast.join(full, cid, show=True)

    def _learn_said_full_names(self, paragraphs: list[Paragraph], titled: set[str]) -> None:
        """A full name a line says ("Ned Ashworth, if there's grease on that fader…", "Tell Marcus Obi he can play
        that song") is one more name of the one character known by one half of it alone (Ned; said Obi), when the other
        half is no one's name and the story never writes it in lower case; with a surname the story gives a title
        (Mr Lomax), it is that one's full name though no one is known by it yet ("Giles Lomax'll be buying himself a
        new car"); ``titled``: the surnames the story puts a title before."""
        titles = _alternation(self.words.TITLES)
        # (each pair of words, overlapping: "Tell Marcus Obi" holds Marcus Obi)
        pair = re.compile(rf"(?<![{UPPER}{LOWER}'’-])(?=(?:(?:{titles})\.? )?({CAPITALISED}) ({CAPITALISED})(?![{LOWER}-]))")
        # and one a line gives with the name the story calls its speaker by ("Barbara Ollerenshaw. Bunty.")
        styled = re.compile(rf"(?:^|(?<=[.!?] ))({CAPITALISED} {CAPITALISED})\. ({CAPITALISED})\.(?:\s|$)")
        # and one read out of a register surname first ("Varga, Zsófia. One lady's wedding band…"), of one the story
        # gives a title (Mrs Varga)
        inverted = re.compile(rf"(?<![{UPPER}{LOWER}'’-])({CAPITALISED}), ({CAPITALISED})\.(?:\s|$)")
        said: set[str] = set()
        listed: set[str] = set()
        for paragraph in paragraphs:
            for start, end, closed in find_quotes(paragraph.text):
                speech = paragraph.text[start + 1 : end - 1 if closed else end]
                for match in styled.finditer(speech):
                    full, called = match.groups()
                    cid = self.cast.known.get(called)
                    if cid is not None and self.cast.core(called) == called and not self._named_in_full(cid) \
                            and all(half not in self.cast.known and self._name_word(half) for half in full.split()):
                        self.cast.join(full, cid, show=True)
                said |= {f"{given} {surname}" for given, surname in (m.groups() for m in pair.finditer(speech))
                         if given not in self.words.TITLES and self._name_word(given) and self._name_word(surname)
                         and not self._ing_form(given)}
                listed |= {f"{given} {surname}" for surname, given in (m.groups() for m in inverted.finditer(speech))
                           if self._name_word(given) and self._name_word(surname)}
        said |= {full for full in listed if full.split()[1] in titled}
        # each half said in one full name only: Marcus Obi and Marcus Webb are two people, whichever of them Marcus is
        # (among the pairs that may be someone's name: not "Tell Marcus")
        said = {full for full in said if any(half in self.cast.known for half in full.split()) or full.split()[1] in titled}
        halves = Counter(half for full in said for half in full.split())
        for full in sorted(said):
            given, surname = full.split()
            if full in self.cast.known or self.cast.ambiguous(full) or halves[given] > 1 or halves[surname] > 1:
                continue
            bearers = {self.cast.known[half] for half in (given, surname)
                       if half in self.cast.known and self.cast.core(half) == half}
            if not bearers and surname in titled and not any(half in self.cast.known for half in (given, surname)):
                self.cast.add(full)
            # the other half is no one's name (not Ruth of "Ruth Ned")
            elif len(bearers) == 1 and not (given in self.cast.known and surname in self.cast.known):
                cid = bearers.pop()
                if not self.cast.provisional(cid) and not self._named_in_full(cid):
                    self.cast.join(full, cid, show=True)

    def _learn_surname_first_names(self, paragraphs: list[Paragraph]) -> None:
        """A name a line gives surname first ("Tan Wei Ling." of the narrator the others call Wei Ling): a word before
        a known name of two words, which is no one's name and never written in lower case, is its surname."""
        ahead = re.compile(rf"(?<![{UPPER}{LOWER}'’-])({CAPITALISED}) ({CAPITALISED} {CAPITALISED})(?![{UPPER}{LOWER}'’-])")
        for paragraph in paragraphs:
            for start, end, closed in find_quotes(paragraph.text):
                for match in ahead.finditer(paragraph.text[start + 1 : end - 1 if closed else end]):
                    surname, known = match.groups()
                    cid = self.cast.known.get(known)
                    full = f"{surname} {known}"
                    if cid is None or self.cast.provisional(cid) or self.cast.core(known) != known or full in self.cast.known \
                            or surname in self.cast.known or surname in self.words.TITLES or not self._name_word(surname) \
                            or any(len(self.cast.core(alias).split()) > 2 for alias in self.cast.aliases(cid)):
                        continue
                    self.cast.join(full, cid, show=True)

    def _named_in_full(self, cid: str) -> bool:
        """Whether an English character already has a full name (Joan Petheridge, Mr Lomax does not)."""
        return any(" " in self.cast.core(alias) for alias in self.cast.aliases(cid))

    def _learn_quoted_nicknames(self, paragraphs: list[Paragraph]) -> None:
        """A nickname quoted inside a full name (Bernard "Bunny" Hale, Margaret ‘Peg’ Olsen) is one more name of that
        full name, as is its given name: "said Bunny" is Bernard Hale's line."""
        pattern = re.compile(rf"\b(?P<given>{CAPITALISED}) [\"“'‘](?P<nick>{CAPITALISED}(?: {CAPITALISED})?)[\"”'’] (?P<surname>{CAPITALISED}(?:-{CAPITALISED})?)\b")
        for paragraph in paragraphs:
            for match in pattern.finditer(paragraph.text):
                given, nick, surname = match.group("given", "nick", "surname")
                full = f"{given} {surname}"
                if not all(self._name_word(word) for word in (given, *surname.split("-"))) or self.cast.ambiguous(full):
                    continue
                cid = self.cast.known.get(full) or self.cast.add(full)
                for alias in (nick, given):
                    current = self.cast.known.get(alias)
                    if current is None:
                        self.cast.join(alias, cid)
                    elif current != cid and set(self.cast.aliases(current)) == {alias}:
                        self.cast.merge(current, cid)

    def _learn_introduced_kin(self, paragraphs: list[Paragraph]) -> None:
        """One a line introduces by name as the speaker's kin or partner ("And this is Fiona, my wife.") is the one
        the narration calls so ("said his wife"), where the story has one such role and the name is a character."""
        roles = {*self.words.KIN, *self.words.ROLES}
        pattern = re.compile(rf"\b(?:[Tt]his is|[Tt]hat's|[Tt]hat’s|[Mm]eet)\s+(?P<name>{CAPITALISED}),\s+my\s+(?P<role>[{LOWER}]+)\b")
        found: dict[str, set[str]] = {}
        for paragraph in paragraphs:
            for start, end, _ in find_quotes(paragraph.text):
                for match in pattern.finditer(paragraph.text, start, end):
                    if match.group("role") in roles:
                        found.setdefault(match.group("role"), set()).add(match.group("name"))
        for role, names in sorted(found.items()):
            provisional, named = self.cast.known.get(role), self.cast.known.get(next(iter(names)))
            if len(names) != 1 or named is None or self.cast.provisional(named):
                continue
            if provisional is None:
                self.cast.join(role, named)
            elif provisional != named and self.cast.provisional(provisional):
                self.cast.merge(provisional, named)

    def _learn_apposed_roles(self, paragraphs: list[Paragraph]) -> None:
        """A full name the narration sets beside a calling the story's tags use (The quizmaster, a retired maths
        teacher called Gerald Fitch, … / Gerald Fitch, the quizmaster, … / The quizmaster tonight was Gerald Fitch) is
        the one that calling stands for, though the name is never written again: "said the quizmaster" is his line.
        A calling set beside two names is left alone."""
        text = "\n".join(p.text for p in paragraphs)
        narration = "\n".join(_unquoted(p.text, "\n") for p in paragraphs)
        said = _alternation(self.words.SPEECH_VERBS)
        # the callings the tags use (the quizmaster said, asked the barman), and those the vocabulary lists
        tagged = re.finditer(rf"\b(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)\s+(?P<a>[{LOWER}]{{3,}})\s+(?:{said})\b|\b(?:{said})\s+the\s+(?P<b>[{LOWER}]{{3,}})\b",
                             text)
        callings = set(self.words.ROLES) | {m.group("a") or m.group("b") for m in tagged}
        callings -= set(self.words.NOT_CALLINGS)
        if not callings:
            return
        role = rf"(?P<role>{_alternation(callings)})"
        name = rf"(?P<name>{CAPITALISED} {CAPITALISED}(?:-{CAPITALISED})?)"
        called = rf"(?:(?:a|an|the)\s+(?:[{LOWER}'’-]+\s+){{0,4}}?(?:called|named)\s+)?"
        patterns = [
            rf"\b[Tt]he\s+(?:[{LOWER}]+\s+)?{role},\s+{called}{name}(?=[,.;:]|\s+(?:—|–|-))",
            rf"\b{name},\s+(?:the|our|their)\s+(?:[{LOWER}]+\s+)?{role}\b",
            rf"\b[Tt]he\s+(?:[{LOWER}]+\s+)?{role}(?:\s+(?:tonight|today|that night|that year|this year))?\s+(?:was|is)\s+{called}{name}\b",
            rf"\b{name}\s+(?:was|is|had been|has been)\s+(?:the|their|our)\s+(?:[{LOWER}]+\s+)?{role}\b",
        ]
        links: dict[str, set[str]] = {}
        for pattern in patterns:
            for match in re.finditer(pattern, narration):
                if all(self._name_word(word) for word in match.group("name").split()):
                    links.setdefault(match.group("role").lower(), set()).add(match.group("name"))
        for calling, names in sorted(links.items()):
            full = next(iter(names))
            current = self.cast.known.get(calling)
            if len(names) != 1 or current is not None and not (self.cast.provisional(current) and self.cast.aliases(current) == [calling]):
                continue
            cid = self.cast.known.get(full) or (None if self.cast.ambiguous(full) else self.cast.add(full))
            if cid is not None:
                self._give_role(calling, {cid})

    def _learn_clipped_names(self) -> None:
        """A given name that is the start or the end of another character's, clipped by two letters or more (Wenna of
        Morwenna, Sam of Samuel), is that character's short form, where the short one has no other name and the two
        are not told apart as a man and a woman."""
        for short, cid in sorted(self.cast.known.items()):
            if " " in short or len(short) < 3 or self.cast.known.get(short) != cid or self.cast.aliases(cid) != [short]:
                continue
            longer = {other for name, other in self.cast.known.items() if other != cid and " " not in name
                      and len(name) - len(short) >= 2 and (name.startswith(short) or name.endswith(short.lower()))}
            if len(longer) == 1 and len({self.cast.gender(cid), self.cast.gender(next(iter(longer)))} - {None}) < 2:
                self.cast.merge(cid, longer.pop())

    def _learn_titled_surnames(self, paragraphs: list[Paragraph]) -> None:
        """A surname under a title, in a line or in narration (Right, Mr Mottram.), that no character has is a
        person, when the narration gives the full name (Derek Mottram is first through the door)."""
        text = "\n".join(p.text for p in paragraphs)
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        titles = {t.rstrip(".") for t in self.words.TITLES if t[:1].isupper()}
        for match in self._titled_surname.finditer(text):
            titled = match.group(0)
            surname = titled.split()[-1]
            if not self._name_word(surname) or self.cast.mentions(titled) or self.cast.mentions(surname):
                continue
            givens = {m.group(1) for m in re.finditer(rf"\b({CAPITALISED}) {surname}\b", narration)
                      if m.group(1) not in titles and self._name_word(m.group(1))}
            if len(givens) != 1:
                continue  # a surname only ever titled may be one a line asks after (Are you Pavel Orlov?)
            name = f"{givens.pop()} {surname}"
            if not self.cast.ambiguous(name):
                self.cast.join(titled, self.cast.add(name))

    def _vocative_names(self, paragraphs: list[Paragraph]) -> Counter[str]:
        """Names the speeches call someone by that no character has yet ("Top of the page, Nora." / "Daniel
        Okoro."), titles dropped, with how often."""
        titles = _alternation(self.words.TITLES)
        name = re.compile(rf"(?:(?:{titles})\.?\s+)*(?P<name>{CAPITALISED}(?:\s{CAPITALISED})?)")
        called: Counter[str] = Counter()
        verbs, manner = _alternation(self.words.SPEECH_VERBS), _alternation(self.words.MANNER)
        mine = re.compile(rf"\bI\s+(?:(?:{manner})\s+)?(?:{verbs})\b|\b(?:{verbs})\s+I\b")
        # (or one spoken to: "How long would it take," Mrs Twomey says to me)
        to_me = re.compile(rf"\b(?:{verbs})\s+to\s+me\b")
        answers_me = False  # the line just before was the narrator's: this one speaks to them
        after_me: set[str] = set()  # the names called in such a line
        spoken = [(paragraph, quotes) for paragraph in paragraphs if (quotes := find_quotes(paragraph.text))]
        narrations = [_unquoted(paragraph.text) for paragraph, _ in spoken]
        for k, (paragraph, quotes) in enumerate(spoken):
            by_me = mine.search(narrations[k]) is not None
            # "Annette, Mrs Twomey would like a word." / "How long would it take," Mrs Twomey says to me: a line that
            # the narrator is spoken to right after calls the narrator too
            before_me = k + 1 < len(spoken) and to_me.search(narrations[k + 1]) is not None
            weight, answers_me = (0 if by_me else 3 if answers_me or before_me else 1), by_me
            if not weight:
                continue  # "Go back to sleep, Carys," I said: whom the narrator calls is someone else
            for start, end, closed in quotes:
                speech = paragraph.text[start + 1 : end - 1 if closed else end]
                if len(self._clauses(speech)) < 2:
                    continue  # a name is called within a longer line; a line of one word may be anything ("Chocolate.")
                # at the start or end of any of its sentences ("It's half seven here too, Danny. Some of us ...")
                ends = {clause for sentence in re.split(rf"(?<=[.!?…]){_TITLE_STOPS}\s+", speech)
                        for clauses in [self._clauses(sentence)] if clauses for clause in (clauses[0], clauses[-1])}
                found_here = []
                for clause in ends:
                    match = name.fullmatch(clause.strip(" \"“”‘’'—-"))
                    found_here.append(self._clean_name(match.group("name")) if match else None)
                # "And you'll be Nell, is it? Your gran calls you Nell.": a line that says what the one it speaks
                # to is called
                named_you = getattr(self.words, "YOU_ARE_CALLED", None)
                if named_you:
                    found_here += [self._clean_name(m.group("name")) for m in re.finditer(named_you, speech)]
                for found in found_here:
                    if found and found.lower() not in self.words.ROLES and not self.cast.mentions(found):
                        called[found] += weight
                        if weight == 3:
                            after_me.add(found)
        # a name is capitalised where a common word would not be, inside a sentence (", Nora."), not only at the
        # start of one ("Chocolate. Not lemon.")
        # (or one the language's table of familiar and formal given names knows, called in answer to the narrator:
        # "Halloran's, out of hours," I said. / "Margaret Halloran? Is that you?")
        text = "\n".join(p.text for p in paragraphs)
        familiar = self.words.HYPOCORISMS
        given_names = set(familiar) | set(familiar.values()) | set(self.words.HYPOCORISMS_ALSO)
        return Counter({found: count for found, count in called.items()
                        if found.split()[0] in given_names and found in after_me or re.search(rf"[{LOWER},;] +{re.escape(found.split()[0])}\b", text)})

    def _learn_narrator(self, paragraphs: list[Paragraph]) -> None:
        """A first-person narrator is the one the others call by a name the narration never uses (僕 = 高橋); one they
        never name is a character all the same, who takes turns in the scenes the narration says I in."""
        if self.words.NARRATOR in self.cast.known:
            return
        self._name_the_narrator(paragraphs)
        if self.words.NARRATOR not in self.cast.known and self._says_i(paragraphs) >= 2:
            self.cast.add(self.words.NARRATOR)

    def _says_i(self, paragraphs: list[Paragraph]) -> int:
        """How often the narration (not the speech) says I as a subject or owner."""
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        first = _alternation(self.words.FIRST_PERSON)
        if self.language == "en":
            return len(re.findall(r"\b(?:I|my|me)\b", narration))
        if self.language == "ja":
            return len(re.findall(rf"(?:{first})[はがものにをと]", narration))
        return len(re.findall(rf"(?:{first})(?!们)", narration))

    def _name_the_narrator(self, paragraphs: list[Paragraph]) -> None:
        """The name a first-person narrator goes by, joined to the narrator, where the story gives one."""
        narration = "\n".join(_unquoted(p.text) for p in paragraphs)
        first = _alternation(self.words.FIRST_PERSON)
        if self.language != "en" and self.cast.known:
            # 僕、高橋悠斗は / あたし、早瀬ユイが / 我，林夏，: the narrator names themself beside the I
            names = _alternation(self.cast.known)
            told = re.search(rf"(?:{first})(?:[、，,―—－\-][―—－\-]?[\s　]*|叫|是)(?P<name>{names})(?=[はがもでの、，,。]|$)", narration, re.MULTILINE)
            # 水野夏希。あたしの名前だ。/ 林晓，这是我的名字: the name, and then that it is the narrator's
            told = told or re.search(rf"(?P<name>{names})[。、，,][\s　]*(?:それが|这是|那是)?(?:{first})(?:の名前|的名字)", narration)
            # 吉岡陸という自分の名前 / 叫林晓的我: the name the narration says is the narrator's own
            told = told or re.search(rf"(?P<name>{names})(?:という|って)(?:自分|{first})の名前|叫(?P<name2>{names})的(?:{first})", narration)
            given = told and (told.groupdict().get("name") or told.groupdict().get("name2"))
            if given and not self.cast.provisional(self.cast.known[given]):
                self.cast.join(self.words.NARRATOR, self.cast.known[given])
                return
        if self._says_i(paragraphs) < 3:
            return
        if self.language == "en":
            own = self._name_said_as_mine(paragraphs)
            if own is not None:
                self.cast.join(self.words.NARRATOR, own)
                return
        # a name the narration only writes out (写下陈树两个字) is not one it calls anybody by
        named_in_narration = {cid for _, end, cid in self.cast.mentions(narration)
                              if not re.match(_WRITTEN_NAME_AFTER, narration[end : end + 4])}
        said_i = Counter(re.findall(first, narration))
        mine = said_i.most_common(1)[0][0] if said_i else None  # the narration's own word for I
        any_i = rf"(?:{_alternation([*self.words.FIRST_PERSON, *getattr(self.words, 'OTHER_FIRST_PERSON', ())])})"
        called: Counter[str] = Counter()
        someone_else: set[str] = set()
        for paragraph in paragraphs:
            for start, end, closed in find_quotes(paragraph.text):
                speech = paragraph.text[start + 1 : end - 1 if closed else end]
                # (not a name in words the line quotes, a note read out and signed: ‘…别让丽丽知道。徐秀芳。’)
                for cid in sorted(self._addressed(re.sub(r"‘[^’]*’|『[^』]*』", " ", speech))):
                    if cid not in named_in_narration and not self.cast.provisional(cid):
                        called[cid] += 1
                if self.cjk:
                    # 「水野です。私は初めてで」: one who gives a name the narration never uses is the one who says I there,
                    # unless they say I otherwise than the narration does (わしは辰巳源蔵じゃ, told by one who says 俺)
                    own = set(re.findall(any_i, speech))
                    for match in re.finditer(self.words.SELF_INTRODUCTION, speech):
                        given = next((g for g in match.groupdict().values() if g), "")
                        cid = self.cast.known.get(given)
                        if cid is None or cid in named_in_narration or self.cast.provisional(cid):
                            continue
                        if own and mine and mine not in own:
                            someone_else.add(cid)  # says I otherwise than the narration: not the one telling it
                        else:
                            called[cid] += 2 if mine in own else 1  # and says I as the narration does: all but certain
        for cid in someone_else:
            called.pop(cid, None)
        if called:
            self.cast.join(self.words.NARRATOR, called.most_common(1)[0][0])
        elif self.language == "en":
            self._name_narrator(narration, self._vocative_names(paragraphs), "\n".join(p.text for p in paragraphs))

    def _name_said_as_mine(self, paragraphs: list[Paragraph]) -> str | None:
        """The character an English first-person narrator introduces themself as, in a line the narration says I say
        (I say what I have said for nine years. / "This is Colm Devereux, and the lines are open." / "Ray," I said.
        "Nobody calls me Raymond except the tannoy."), with the fuller name any line gives it (Raymond Ashdown)."""
        verbs = _alternation(v for v in self.words.SPEECH_VERBS if " " not in v)
        mine = re.compile(rf"\bI (?:{verbs})\b")
        theirs = re.compile(rf"\b(?:he|she|they|{CAPITALISED}) (?:{verbs})\b")
        # and the fuller forms of the name any line gives (a surname that makes no one else's name of it)
        keep = lambda name: name not in self.cast.known and (" " not in name or self._clean_name(name) == name
                                                             and not self.cast.ambiguous(name))
        before = ""
        for paragraph in paragraphs:
            narration = _unquoted(paragraph.text).strip()
            quotes = find_quotes(paragraph.text)
            # the line is the narrator's when its own narration says I say, or it stands alone after narration that
            # ends on I say
            said = mine.search(narration) and not theirs.search(narration) if narration else mine.search(before)
            if quotes and said:
                speech = " ".join(paragraph.text[a + 1 : b - 1 if closed else b] for a, b, closed in quotes)
                for match in re.finditer(self.words.SELF_INTRODUCTION, speech):
                    name = self._clean_name(match.group("name"))
                    if not name or self.cast.ambiguous(name) or name.lower() in self.words.ROLES:
                        continue
                    return self._with_fuller_forms({name}, "\n".join(p.text for p in paragraphs), keep)
            if not quotes:
                before = re.split(r"(?<=[.!?])\s+", narration)[-1] if narration else ""
            else:
                before = ""
        return None

    def _name_narrator(self, narration: str, called: Counter[str], text: str) -> None:
        """The narrator is the one the others call by a name that is no one else's and that the narration never
        says (a person telling their own story says I): the most called such name, its shorter and familiar forms
        with it (Nora, Detective Sergeant Nora Quill; Danny, Daniel Okoro)."""
        familiar = self.words.HYPOCORISMS
        said = set(re.findall(rf"{CAPITALISED}", narration))
        words = lambda name: {familiar.get(w, w) for w in name.split()}
        groups: list[tuple[set[str], int]] = []
        def same(a: str, b: str) -> bool:
            # one name shared, or one cut short from the other (Pritch, Owen Pritchard)
            return bool(words(a) & words(b)) or any(len(x) >= 4 and y.startswith(x) for x in words(a) | words(b)
                                                    for y in words(a) | words(b) if x != y)

        for name, count in called.most_common():
            if set(name.split()) & said:
                continue
            group = next((g for g in groups if any(same(name, other) for other in g[0])), None)
            if group is None:
                groups.append(({name}, count))
            else:
                groups[groups.index(group)] = (group[0] | {name}, group[1] + count)
        if not groups:
            return
        names, count = max(groups, key=lambda g: g[1])
        if count < 2:
            return  # one call by name may be anyone's; the narrator is called again and again
        # (a surname no table calls a word and the narration never says; a formal form no one else has)
        keep = lambda name: name.split()[-1] not in said and (name.split()[-1] not in self.words.NOT_NAMES if " " in name
                                                              else name not in self.cast.known)
        self.cast.join(self.words.NARRATOR, self._with_fuller_forms(names, text, keep))

    def _with_fuller_forms(self, names: set[str], text: str, keep: Callable[[str], bool]) -> str:
        """The character a narrator's ``names`` are, with the fuller forms ``text`` gives them that ``keep`` allows: the
        full name wherever a line says it ("Daniel Okoro." when she is angry with Danny; Raymond Ashdown on the tannoy)
        and the formal form of a familiar one a line says (Nell, called Eleanor! by her grandmother); the fullest shown."""
        familiar = self.words.HYPOCORISMS
        for given in {n.split()[0] for n in names}:
            for form in {given, familiar.get(given, given)}:
                for match in re.finditer(rf"(?<![{UPPER}{LOWER}]){form} {CAPITALISED}(?![{LOWER}])", text):
                    if keep(match.group(0)):
                        names.add(match.group(0))
        names |= {familiar[n] for n in names if n in familiar and re.search(rf"(?<![{UPPER}{LOWER}]){familiar[n]}(?![{LOWER}])", text)
                  and keep(familiar[n])}
        cid = self.cast.add(max(names, key=lambda n: (len(n.split()), len(n))))
        for name in names:
            self.cast.join(name, cid)
        return cid

    def _introduced(self, speech: str, question: str = "", by_role: bool = False) -> str | None:
        """The character a line introduces as its speaker (I'm Hanne / 私、志保っていいます / 我叫苏晴), if any; a bare name
        that answers who someone else is ("Who is he?" / "Arthur Pell.") is that other one's, and so is one that answers
        who did something (誰が売ったんだい / 「瀬川です」), unless the speaker says it was they."""
        doer = re.search(self.words.DOER_QUESTION, question) is not None
        for match in re.finditer(self.words.SELF_INTRODUCTION, speech):
            if doer and self.language == "ja" and not match.groupdict().get("i"):
                continue  # (a Japanese name and です need not be one's own; I'm Tom and 我叫… are)
            # a name the speaker asks to be called by (ミオと呼んで / 叫我织女) or spells out (我姓杨，杨守成) is theirs
            # even if the story has not used it yet
            called = match.groupdict().get("called") or match.groupdict().get("full")
            own = match.groupdict().get("own")  # わたくしは柏木。: only a name the story knows
            name = self._clean_name(match.group("name") or called or own or "")
            if not name or name in getattr(self.words, "FAMILIAR_CALLS", ()):
                continue  # "She's never called me Mister": a way of calling anyone, no name
            if called and name in getattr(self.words, "ROLES", {}):
                continue  # 船長と呼んで: a role one goes by, no name (see _role_asked)
            mentioned = self.cast.mentions(name)
            cid = None
            if mentioned and mentioned[0][1] - mentioned[0][0] == len(name):
                cid = mentioned[0][2]
            elif self.language == "en" or called or self.language == "ja" and (
                    self._ja_full_name(name)
                    # ぼく、ビシャルです: a name in katakana one gives after the word for I, a name from abroad
                    or match.groupdict().get("i") and re.fullmatch(r"[\u30a1-\u30fa\u30fc・]{2,}", name)):
                cid = self.cast.add(name)
            if cid is not None:
                fuller = self._fuller_said(name, speech[match.end() :])
                if fuller:
                    self.cast.join(fuller, cid)
                return cid
        if self.language == "zh":
            # “掌柜的放心，我阮青青今晚不动手。”: I and one's own full name, set side by side
            for match in re.finditer(r"(?:^|[，。！？,.!?\s　])我(?=[\u3005\u4e00-\u9fff]{3})", speech):
                after = speech[match.end() : match.end() + 3]
                cid = self.cast.known.get(after)
                if cid is not None and after[0] in self.words.SURNAMES and self.cast.core(after) == after \
                        and not self.cast.provisional(cid) and speech[match.end() + 3 : match.end() + 4] not in ("的", "们"):
                    return cid
        if by_role and self.language == "zh" and not doer and not (re.search(self.words.THING_QUESTION, question.strip(" 　“”"))
                                                      and not re.search(self.words.NAME_QUESTION, question)):
            # (a Japanese line that opens on a name calls its bearer: 「美咲、まだそこ終わってないの」)
            # 「罗薇，轮机组的。」she said: a role that opens on a name no one has spoken under gives its own
            clauses = self._clauses(speech)
            head = clauses[0].strip(" 　「」『』“”\"") if clauses else ""
            found = self.cast.mentions(head)
            roles = getattr(self.words, "ROLES", {})
            # a bare name, not one with a title (王医生！ calls him) nor a role (娘、茶を)
            # and not one the rest speaks to (朵朵，别没礼貌: a call; 罗薇，轮机组的: a name given)
            rest = _SENTENCE_END.split(speech[speech.find(head) + len(head):], maxsplit=1)[0]
            spoken_to = getattr(self.words, "SPOKEN_TO", None)
            # (nor one read out, trailing off or asked: “欧阳辰……第一中学考点？”)
            read_out = re.match(r"[\s　]*[…？?]", speech[speech.find(head) + len(head):])
            if found and found[0][:2] == (0, len(head)) and len(clauses) > 1 and self.cast.core(head) == head and not read_out \
                    and head not in roles and head not in getattr(self.words, "KINSHIP_CALLS", {}) \
                    and not (spoken_to and re.search(spoken_to, rest)):
                cid = found[0][2]
                if cid not in self._spoken and not self.cast.provisional(cid) and cid != self.cast.known.get(self.words.NARRATOR):
                    return cid
        if self.language == "en" and not doer and not re.search(r"\b[Ww]ho(?:'s|’s| is| was)\s+(?:he|she|that|this|they)\b", question):
            # "Sofia Lind. I think your agent owes us both an apology.": a full name said as a sentence of its own,
            # by one who has not spoken under it yet, with more to say, is the speaker giving it
            # so is a full name said as the whole line by a role ("Abel Tremayne." The old man did not offer his hand.)
            # and the surname said first ("Lowe. Arthur Lowe.")
            # (after "Me," that answers who it was: "Me, Majesty. Tam Voss. I'm her carter.")
            me = r"(?:(?:It was |It's |It’s )?[Mm]e\b[^.!?]{0,20}[.!]\s+)?"
            bare = re.match(rf"\s*{me}(?:(?P<echo>{CAPITALISED})\.\s+)?(?P<name>{CAPITALISED} (?P<last>{CAPITALISED}))\.(?:\s+\S|\s*$)" if by_role
                            else rf"\s*{me}(?P<name>{CAPITALISED} {CAPITALISED})\.\s+\S", speech)
            # (or the given name: "Siobhán. Siobhán Kearney.")
            if bare and bare.groupdict().get("echo") and bare.group("echo") not in bare.group("name").split():
                bare = None
            name = self._clean_name(bare.group("name")) if bare else None
            if name and _EN_PLACE_BEFORE.search(name.split()[0].lower() + " "):
                name = None  # "From Leeds.": where one is from, not who
            then = _SENTENCE_END.split(speech[bare.end("name") + 1 :].strip(), maxsplit=1)[0] if bare else ""
            if name and then.endswith("?") and not re.search(r"\b(?:I|me|my|we|us|our)\b", then):
                name = None  # "Maureen Cope. How long is it?": a question put to the one it names, not a name given
            if name and not any(token in self.words.TITLES for token in name.split()):
                cid = self.cast.known.get(name)
                if cid is None or cid not in self._spoken and not self.cast.provisional(cid):
                    return self.cast.add(name)
            given = re.match(rf"\s*(?P<name>{CAPITALISED})\.(?:\s|$)", speech) if by_role else None
            cid = self.cast.known.get(given.group("name")) if given else None
            surnames = {alias.split()[-1] for alias in self.cast.aliases(cid) if " " in alias} if cid is not None else set()
            if cid is not None and cid not in self._spoken and not self.cast.provisional(cid) \
                    and (cid in {c for _, _, c in self.cast.mentions(question)}
                         or any(re.search(rf"\b{re.escape(surname)}\b", question) for surname in surnames)):
                # "You're the new one. Ferrier." / "Sam. Since September.": a voice that answers one who names it with
                # another of its names is giving its own
                return cid
            # "Hello? Yes. Lorraine.": a name said after a greeting, as a sentence of its own, as one does on the phone
            hello = re.match(rf"\s*(?:(?:Hello|Hallo|Hiya|Hi|Yes|Yeah|Speaking)[.?!,]\s+)+(?P<name>{CAPITALISED})\.(?:\s|$)", speech) \
                if by_role else None
            cid = self.cast.known.get(hello.group("name")) if hello else None
            if cid is not None and cid not in self._spoken and not self.cast.provisional(cid):
                return cid
            if by_role:
                # "But so you know who you owe: Detective Sergeant Ruth Kinnear.": a voice that sets its rank and a full
                # name no one has yet after a colon, as a sentence's end, signs off with it
                signed = self._signed_off.search(speech)
                name = self._clean_name(signed.group("name")) if signed else None
                if name and name not in self.cast.known and not self.cast.ambiguous(name):
                    return self.cast.add(name)
        return None

    @staticmethod
    def _ja_full_name(name: str) -> bool:
        """Whether a name a Japanese line gives is a surname the tokenizer knows and a given name after it, in kanji or in
        hiragana (遠野ひより, 間宮源之丞): a full name, though the story has not used it yet."""
        runs = person_names(name, "ja") or []
        if not runs or not runs[0] or runs[0][0][1] != "surname" or not name.startswith(runs[0][0][0]):
            return False
        rest = name[len(runs[0][0][0]) :]
        return bool(re.fullmatch(r"[\u3041-\u3093]{2,4}", rest)) or any(part == (rest, "given") for part in runs[0][1:])

    def _fuller_said(self, name: str, after: str) -> str | None:
        """The fuller form of a name one has just given that they go on to say as a sentence of its own (春日です。
        春日かのこ。/ I'm Hanne. Hanne Berg.), if the story has no one else by it."""
        after = after.lstrip("。.！!、，,; 　")
        tail = r"[\u3041-\u3093\u30a0-\u30ff\u3005\u4e00-\u9fff]{1,4}" if self.cjk else rf" {CAPITALISED}"
        found = re.match(rf"{re.escape(name)}{tail}(?=[。.！!]|$)", after)
        if found is None or found.group(0) in self.cast.known or self.cast.ambiguous(found.group(0)):
            return None
        return found.group(0)

    def _unnamed_voices(self, gender: str | None, also: Iterable[str] = ()) -> list[str]:
        """The characters known only as a voice (a woman's voice, 男声, 女の声) or by ``also`` who have spoken, of
        ``gender`` if it is known."""
        # (one heard down the phone too: 电话那头是个男人：“我在你家楼下。” … “我叫陈默”)
        voices = set(getattr(self.words, "VOICES", ())) | set(also) | {getattr(self.words, "PHONE_VOICE", "")} - {""}
        return [cid for cid in self._spoken if cid in self.cast.names and self.cast.provisional(cid)
                and any(alias in voices for alias in self.cast.aliases(cid))
                and (gender is None or self.cast.gender(cid) in (gender, None))]

    def _unnamed_narrator(self, cid: str) -> bool:
        """Whether cid is a first-person narrator the story has given no name yet."""
        return cid == self.cast.known.get(self.words.NARRATOR) \
            and all(alias == self.words.NARRATOR or alias in self.words.FIRST_PERSON for alias in self.cast.aliases(cid))

    def _voice_to_name(self, introduced: str, asker: str | None = None) -> str | None:
        """The unnamed voice a character introducing themself for the first time has been so far: the one voice
        (女の声, a woman's voice, 一个女人的声音) that has spoken without a name, when nothing rules it out."""
        # one of the other gender is someone else (沈孤鸿 is the 青衫人, not the 红衣女子), and so is the one who has just
        # spoken, whom the name answers ("What do they call you, love?" / "Bea.")
        unnamed = [cid for cid in self._unnamed_voices(self.cast.gender(introduced), also=self.cast.described) if cid != asker]
        if len(unnamed) != 1:
            return None
        return unnamed[0]

    def _answered_name(self, speech: str, question: str) -> str | None:
        """The character whose name a line opens with when the line before asked the one spoken to for their name
        (“你叫什么？” / “顾言。”): one answers such a question with one's own name."""
        asked = getattr(self.words, "NAME_QUESTION", None)
        if not asked:
            return None
        clauses = self._clauses(speech)
        if not clauses:
            return None
        name = clauses[0].strip(" 　\"“”「」『』")
        asked_name = re.search(asked, question) is not None
        if not asked_name:
            # one who has just given their name (“你好，我是周屿。” / “陆川。”) is answered with the other's own, said
            # as a sentence of its own (not “小雨，快来”, which calls her; in English a clause: "Marek, from the survey.")
            # (and, in Chinese, a name and what one is: “许承志。” / “邓阳，送外卖的。”)
            ends = {"en": r"[.!,;—]", "zh": r"[。！!]|[，,][^，,。！？!?]{1,8}的[。！!]?$"}.get(self.language, r"[。！!]")
            asked_clauses = self._clauses(question)
            # (a name said as the whole line before, “许承志。”, is one given in a roll call as well)
            bare = len(asked_clauses) == 1 and self.cast.known.get(asked_clauses[0].strip(" 　\"“”「」『』")) is not None
            if not (self._gives_a_name(question) or bare and self.cjk) \
                    or not re.match(rf"[\s　\"“「]*{re.escape(name)}[\s　]*(?:{ends}|$)", speech):
                return None
        if self.language == "zh" and asked_name:
            surname = re.fullmatch(r"(?:免贵)?姓([\u4e00-\u9fff]{1,2})", name)
            whole = clauses[1].strip(" 　\"“”「」『』") if len(clauses) > 1 else ""
            if surname and re.fullmatch(rf"{surname.group(1)}[\u4e00-\u9fff]{{1,2}}", whole):
                name = whole  # “姓钟。钟时茂。”: the surname, then the whole name
            name = re.sub(r"^(?:免贵)?(?:是|姓|叫)", "", name) or name  # “您贵姓？” / “是戴明远。” / “免贵姓萧。”
        cid = self.cast.known.get(name)
        if cid is None and self.language == "zh" and len(name) == 1 and name in self.words.SURNAMES:
            # “这位公子，贵姓？” / “萧。”: the surname alone, of the one named character who has it
            bearers = {c for alias, c in self.cast.known.items() if alias.startswith(name) and not self.cast.provisional(c)}
            cid = bearers.pop() if len(bearers) == 1 else None
        if cid is None and self.language == "en" and re.fullmatch(rf"{CAPITALISED} {CAPITALISED}", name) and self._clean_name(name) == name:
            cid = self.cast.add(name)  # "State your name." / "Albert Fry.": a full name given in answer is the speaker's
        if cid is None and self.language == "en" and name in self.words.GIVEN_NAMES and not self.cast.ambiguous(name):
            cid = self.cast.add(name)  # "I don't even know your name." / "Alasdair.": and so is a common given name
        if cid is not None and self.language == "en" and not self.cast.provisional(cid):
            # "Bea. Beatrix Tolland, if you're my mother, but Bea.": the full name the answer goes on to give is hers too
            given = _alternation(a for a in self.cast.aliases(cid) if re.fullmatch(rf"{CAPITALISED}", a))
            fuller = re.search(rf"(?<![{UPPER}{LOWER}])(?:{given}) {CAPITALISED}(?=[.,!?;]|$)", speech) if given else None
            if fuller and fuller.group(0) not in self.cast.known and not self.cast.ambiguous(fuller.group(0)) \
                    and self._clean_name(fuller.group(0)) == fuller.group(0):
                self.cast.join(fuller.group(0), cid)
        return cid if cid is not None and not self.cast.provisional(cid) and name != self.words.NARRATOR else None

    def _gives_a_name(self, speech: str) -> bool:
        """Whether a line introduces its speaker by the name of a character the story has (我是周屿 / I'm Hugh Bellamy),
        not by a word that only looks like one (そうです, 我是说)."""
        for match in re.finditer(self.words.SELF_INTRODUCTION, speech):
            name = match.groupdict().get("name") or match.groupdict().get("called") or match.groupdict().get("full") or ""
            found = self.cast.mentions(name)
            if found and found[0][:2] == (0, len(name)):
                return True
        return False

    def _answered_identity(self, who: str | None, speech: str, scene: _SceneState) -> str | None:
        """The name an unnamed voice turns out to have when it answers a line that asked whether it was that one
        ("Are you Pavel Orlov?" / "I was." / 「間宮源之丞だな」), a name no one has yet spoken under."""
        if who is None or not self.cast.provisional(who) or scene.speakers[-1:] == [who]:
            return None
        if re.match(r"\W*(?:[Nn]o\b|不是|不)", speech):
            return None
        asked = getattr(self.words, "IDENTITY_QUESTION", None)
        match = re.search(asked, scene.last_line.strip(" 　")) if asked else None
        if match:
            name = self._clean_name(next(found for found in match.groupdict().values() if found).replace("…", ""))
            mentioned = self.cast.mentions(name) if name else []
            if name and not mentioned and self.language == "ja" and person_names(name + "さん", "ja") == []:
                return None  # 「あれ、寝間着だよな」: a thing said to be so, not a name the one spoken to is asked to own
            if name and not mentioned and self.language == "zh" and (name[0] not in self.words.SURNAMES
                                                                     or is_everyday_word(name)):
                return None  # 您是挂急诊吗？: what one has come for, not a name
            if name:
                cid = mentioned[0][2] if mentioned else self.cast.add(name)
                return cid if cid not in self._spoken and not self.cast.provisional(cid) else None
        return None

    def _surnamed(self, paragraphs: list[Paragraph]) -> set[str]:
        """Names opening a sentence whose speech tag has no subject of its own (林夏收起伞，笑道：…).

        The name is the surname and one given character, or two when the longer form is all the
        chapter ever writes.
        """
        text = "\n".join(_unquoted(p.text) for p in paragraphs)
        names = set()
        for paragraph in paragraphs:
            for match in self._before.finditer(paragraph.text[: max((q[0] for q in find_quotes(paragraph.text)), default=0)]):
                if self._clean_name(match.group("who")):
                    continue
                sentence = _SENTENCE_END.split(paragraph.text[: match.start("who")].rstrip("，, 　"))[-1].lstrip(" 　”」』\"")
                if len(sentence) < 2 or sentence[0] not in self.words.SURNAMES or self.cast.mentions(sentence[:4]):
                    continue
                two, three = sentence[:2], sentence[:3]
                name = three if len(sentence) >= 3 and text.count(three) == text.count(two) and text.count(two) > 1 else two
                if self._clean_name(name):
                    names.add(name)
        return names

    def _recurring_full_names(self, paragraphs: list[Paragraph]) -> set[str]:
        """Chinese full names the tokenizer cuts apart (许国 + 强): three characters from a surname that open clause
        after clause of the narration, whose first two never end a word of their own there, and that are no word."""
        text = "\n".join(_unquoted(p.text) for p in paragraphs)
        openers = Counter(m.group(1) for m in re.finditer(r"(?:^|[，。！？；：,!?;:\s　])([\u3005\u4e00-\u9fff]{3})", text, re.MULTILINE))
        names = set()
        for three, count in openers.items():
            two = three[:2]
            # 许国 is always 许国强 or 许国华: the first two never end a clause or stand alone
            if count >= 3 and three[0] in self.words.SURNAMES and not re.search(rf"{two}(?![\u3005\u4e00-\u9fff])", text) \
                    and not is_everyday_word(three) and not is_everyday_word(two) and self._clean_name(three) == three:
                names.add(three)
        return names

    def _unknown_subjects(self, paragraphs: list[Paragraph]) -> set[str]:
        """Chinese names of two characters the tokenizer takes for a place (宁川): a word it does not know, from a
        surname, that opens three clauses of the narration or more as the one who acts (宁川拿起听筒), more than twice
        as often as it stands where a place does (去宁川, 宁川市; 推到宁川面前 is where a person is)."""
        text = "\n".join(_unquoted(p.text) for p in paragraphs)
        surnames = self.words.SURNAMES + self.words.EVERYDAY_SURNAMES
        return {word for word, count in chinese_unknown_subjects(text, surnames).items()
                if count >= 3 and self._clean_name(word) == word
                and count > 2 * len(re.findall(rf"[在去回往离]{word}|{word}[市县镇村路街区省站港湾山河湖岛]", text))}

    def _sentence_gender(self, sentence: str) -> str | None:
        if self.language == "en":
            words = Counter(w.lower() for w in re.findall(rf"[{UPPER}{LOWER}]+", sentence))
            male = words["he"] + words["his"] + words["himself"]
            # "her" before a noun is possessive, so about the person named (her umbrella); "at her" may be anyone
            possessive = re.findall(rf"\b[Hh]er\s+(?!(?:the|a|an|for|to|at|in|on|with|and|as|or|but|from|that|this)\b)[{LOWER}]", sentence)
            female = words["she"] + words["herself"] + len(possessive)
        elif self.language == "zh":
            # a pronoun opening a clause is the subject, the same person the sentence named, unless a clause before
            # acted on one so (雷彪眯起那只独眼打量她，她也不躲: she is the one he looked at)
            def subjects(pronoun: str) -> int:
                return sum(1 for m in re.finditer(rf"(?:^|[，,；])[\s　]*{pronoun}(?!们)", sentence)
                           if not re.search(rf"[^，,；\s　]{pronoun}(?!们)", sentence[: m.start()]))

            male, female = subjects("他"), subjects("她")
        else:
            female = len(re.findall(r"彼女[はがの]", sentence))
            male = len(re.findall(r"彼(?!女|ら)[はがの]", sentence))
        if male and not female:
            return "m"
        if female and not male:
            return "f"
        return None

    # tags

    def _subject(self, raw: str) -> _Tag:
        raw = raw.strip()
        if raw in self.words.FIRST_PERSON:
            return _Tag(who=self.cast.add(self.words.NARRATOR))
        gender = self.words.PRONOUNS.get(raw) or self.words.PRONOUNS.get(raw.lower())
        if gender:
            return _Tag(pronoun=gender)
        if self.language == "en" and raw.lower() == "they":
            return _Tag(pronoun="x")  # "…," they said: one the story gives no he or she
        if self.language == "en" and raw == "it":
            return _Tag(pronoun="n")  # "…," it said: a creature or a machine (the fox, the robot)
        if self.language == "en":
            role = re.sub(r"^(?:the|an?|his|her|their|my)\s+", "", raw, flags=re.IGNORECASE)
            calling = re.fullmatch(rf"[{LOWER}]{{3,}}", role) is not None and role not in self.words.NOT_CALLINGS
            if role != raw and (role in self.words.ROLES or calling):
                cid = self.cast.add(role)
                gender = self.words.ROLES.get(role) or self.words.KIN.get(role)
                if gender:
                    self.cast.vote(cid, gender)
                article = raw[: len(raw) - len(role)].strip().lower()
                kin = article in ("his", "her", "their") and (role in self.words.KIN or role in ("father", "mother"))
                return _Tag(who=cid, epithet=article == "the" and role in self.words.EPITHETS, kin=kin)
        name = self._clean_name(raw)
        if name:
            mentioned = self.cast.mentions(name)
            if mentioned and self.language == "en" and mentioned[0][1] - mentioned[0][0] < len(name) and self.cast._title_gender(name):
                return _Tag(who=self.cast.add(name))  # "said Mr Pell" where only Mrs Pell is known: a new one
            if mentioned:
                return _Tag(who=mentioned[0][2])
            if self.language == "en" or raw == name:
                return _Tag(who=self.cast.add(name))
        if self.cjk:
            # a subject with manner words around it (他低声, 花子さんは): the first name or pronoun in it, not one a
            # preposition makes the object (冲小杰笑了笑)
            objects = getattr(self.words, "OBJECT_MARKERS", "")
            mentioned = [m for m in self.cast.mentions(raw) if not (m[0] and raw[m[0] - 1] in objects)]
            possessed = mentioned and raw[mentioned[0][0] : mentioned[0][1]] in getattr(self.words, "POSSESSED_KIN", ()) \
                and len(whose := raw[: mentioned[0][0]].strip(" 　")) == 1 and whose in self.words.POSSESSORS  # 我妈: she, not I
            if self.language == "zh" and mentioned and not possessed and not self._clause_opener(raw[: mentioned[0][0]]):
                # 看了周明一眼： a name after a verb is the one looked at; the subject is the sentence's
                mentioned = []
            if mentioned:
                return _Tag(who=mentioned[0][2])
            pronoun = self._pronoun_re.match(raw)
            if pronoun:
                return self._subject(pronoun.group(0))
        return _Tag()

    def _clause_opener(self, before: str) -> bool:
        """Whether what stands before a name in a Chinese clause leaves the name its subject: nothing, or only words
        that open a clause (这时, 只见, 一旁的) and manner words, not a verb it is the object of (看了周明一眼)."""
        words = sorted(set(self.words.LEADING) | set(self.words.MANNER), key=len, reverse=True)
        rest = before.strip(" 　")
        changed = True
        while rest and changed:
            changed = False
            for word in words:
                if rest.startswith(word):
                    rest, changed = rest[len(word):], True
                    break
        return not rest

    def _tag_after(self, text: str, begin: int, end: int) -> _Tag | None:
        """A tag opening the narration text[begin:end] that follows a quote."""
        segment = text[begin:end]
        for pattern in self._after:
            match = pattern.match(segment)
            if match is None:
                continue
            who = match.groupdict().get("who")
            if match.groupdict().get("sound"):
                tag = _Tag(who=self.cast.add(self.words.UNSEEN_VOICE))
                tag.begin, tag.end = begin + match.start(), begin + match.end()
                return tag
            tag = self._subject(who) if who else _Tag()
            if tag.who is None and tag.pronoun is None:
                if self.language != "ja" or not match.group(0).strip():
                    continue
                # 」と言って、花子は…: the subject comes later in the sentence
                sentence = _SENTENCE_END.split(segment, maxsplit=1)[0]
                tag = self._first_subject(sentence) or _Tag()
            tag.begin, tag.end = begin + match.start(), begin + match.end()
            return tag
        return None

    def _tag_before(self, text: str, begin: int, end: int) -> _Tag | None:
        """A tag closing the narration text[begin:end] that leads into a quote."""
        segment = text[begin:end]
        match = self._before.search(segment)
        if match is None:
            return None
        tag = self._subject(match.group("who"))
        if tag.who is None and tag.pronoun is None:
            # 林夏放下杯子，轻声说：the subject is the sentence's, not the clause's
            sentence = _SENTENCE_END.split(segment[: match.start("who")] or segment)[-1]
            tag = self._first_subject(sentence) or _Tag()
            if tag.who is None and tag.pronoun is None:
                return None
        tag.begin, tag.end = begin + match.start("who"), begin + match.end()
        return tag

    def _first_subject(self, narration: str) -> _Tag | None:
        """The first character named or pronoun used in a piece of narration.

        In Japanese only one marked as the subject counts (花子は / 母が / 彼女も / 部長の声が):
        a name before を or に is who the action is done to.
        """
        mentions = self.cast.mentions(narration)
        if self.language == "zh":
            # 还有给二叔带的两条烟: one named after a preposition (给, 跟, 把…) is no subject
            mentions = [m for m in mentions if not re.search(r"(?:给|跟|对|向|替|为|帮|陪|同|与|被|把)$", narration[: m[0]])]
        if self.language == "ja":
            # 部長の声が / ディレクターの低い声が: one whose voice it is; 間宮の肩が揺れた: one a part of whom moves
            marked = re.compile(rf"(?:{_alternation(self.words.TITLES)})?{_JA_OF_SUBJECT}?[はがも]")
            mentions = [m for m in mentions if marked.match(narration, m[1])]
            # (桐島さんがはさみを置く音がした: one who does what makes a sound heard is no subject of the sentence)
            mentions = [m for m in mentions if not re.match(_JA_SOUND_OF, narration[m[1]:])]
            topic = self._ja_topic(narration, mentions)
            if topic is not None:
                return topic
        first_name = mentions[0] if mentions else None
        pronoun = None
        for match in self._pronoun_re.finditer(narration):
            word = match.group(0)
            if self.language == "ja" and not re.match(r"[はがも]", narration[match.end() : match.end() + 1]):
                continue
            if self.language == "en" and (match.start() > 0 and narration[match.start() - 1].isalpha()
                                          or match.end() < len(narration) and narration[match.end()].isalpha()):
                continue
            if self.language == "zh" and narration[match.end() : match.end() + 1] == "们":
                continue
            if self.language == "zh" and any(m[0] == match.end() for m in mentions):
                continue  # 我妈从厨房端着鱼出来 / 我堂弟林浩: whose, not who
            pronoun = (match.start(), word)
            break
        if first_name and (pronoun is None or first_name[0] <= pronoun[0]):
            return _Tag(who=first_name[2])
        if pronoun:
            return self._subject(pronoun[1])
        return None

    def _ja_topic(self, sentence: str, mentions: list[tuple[int, int, str]]) -> _Tag | None:
        """The subject of a Japanese sentence with more than one marked person: the first one marked with は (the
        topic: 花子は太郎が来るのを待った), else the last one marked with が, the main clause's after a clause that ends
        in と or て (あたしが運んでいくと、柏木さんが話しかけている)."""
        pronouns = [(m.start(), m.end(), m.group(0)) for m in self._pronoun_re.finditer(sentence)
                    if re.match(r"[はがも]", sentence[m.end() : m.end() + 1])]
        marked = sorted([(s, e, cid, None) for s, e, cid in mentions] + [(s, e, None, w) for s, e, w in pronouns],
                        key=lambda m: m[0])
        if len(marked) < 2:
            return None
        particle = re.compile(rf"(?:{_alternation(self.words.TITLES)})?{_JA_OF_SUBJECT}?(?P<p>[はがも])")

        def tag(entry: tuple[int, int, str | None, str | None]) -> _Tag:
            return _Tag(who=entry[2]) if entry[2] else self._subject(entry[3] or "")

        topics = [m for m in marked if particle.match(sentence, m[1]).group("p") == "は"]
        if topics:
            return tag(topics[0])
        last = marked[-1]
        if re.search(r"(?:と|て|で|たら|ると|ので|から)[、，]", sentence[marked[0][1] : last[0]]):
            return tag(last)
        return None

    def _resolve(self, tag: _Tag, paragraph_names: list[str], scene: _SceneState) -> str | None:
        phone = self.cast.known.get(getattr(self.words, "PHONE_VOICE", ""))
        if tag.who and tag.who == phone and scene.caller is not None and scene.caller != phone:
            # 屏幕上跳出两个字：江川。… 电话那头传来一个男人的声音：: the other end of the line is the one calling
            return scene.caller
        unseen = self.cast.known.get(getattr(self.words, "UNSEEN_VOICE", ""))
        if tag.who and not tag.new and tag.who == unseen and self.cast.provisional(unseen) and unseen not in scene.speakers:
            # "Turn back." / The voice is a man's. … "I was," says the voice: the one voice of a kind heard in the scene
            voices = set(getattr(self.words, "VOICES", ()))
            heard = [c for c in self._unnamed_in(scene) if c != unseen and any(a in voices for a in self.cast.aliases(c))]
            if len(set(heard)) == 1:
                return heard[0]
        if tag.who:
            if tag.epithet:
                named = self._described_as(tag.who, scene)
                if named is not None:
                    return named
            if tag.kin and tag.who not in self._spoken and self.cast.aliases(tag.who) == [self.cast.names.get(tag.who)]:
                # A man steers a boy in … "Are you doing walk-ins?" the man asks. … says his father: the man is the
                # father, the one voice of his gender that has spoken in the scene and is known by no more than that
                gender = self.cast.gender(tag.who)
                seen = {c for c in self._unnamed_voices(gender) if c in scene.speakers and c not in scene.gone and c != tag.who
                        and self.cast.gender(c) in (gender, None)}
                if len(seen) == 1:
                    voice = seen.pop()
                    self._merge(scene, tag.who, voice)
                    return voice
            return tag.who
        if tag.pronoun is None:
            return None

        # the narration calls its own narrator I, never he or she
        narrator = self.cast.known.get(self.words.NARRATOR)
        paragraph_names = [cid for cid in paragraph_names if cid != narrator]

        def fits(cid: str) -> bool:
            return cid != narrator and self.cast.gender(cid) in (tag.pronoun, None)

        for cid in paragraph_names:
            if self.cast.gender(cid) == tag.pronoun:
                return cid
        if scene.last_actor and self.cast.gender(scene.last_actor) == tag.pronoun and scene.last_actor != narrator:
            # "The porter put his head round the door." / "...," he announced: the subject just before
            return scene.last_actor
        if not scene.speakers and not paragraph_names and scene.last_actor and fits(scene.last_actor):
            # the scene's first line: the subject of the narration just before, not the last one it named
            # (张振国赶到的时候，法医王雪已经在书房里… / “什么情况？”他一边戴手套一边问; 许国强就把车…开了出来。…给二叔带的
            # 两条烟。/ “都上厕所了没有？”他摇下车窗), where nothing says it is not a he
            return scene.last_actor
        called = [cid for cid in scene.called if self.cast.gender(cid) == tag.pronoun and cid != narrator and cid not in scene.gone]
        if len(called) == 1 and not paragraph_names and scene.speakers[-1:] != called:
            # "Miss Anand, how are you finding Year Ten?" / She hesitated: the one the line just called, who fits
            return called[0]
        unknown = [cid for cid in paragraph_names if self.cast.gender(cid) is None]
        if unknown and not any(self.cast.gender(cid) == tag.pronoun for cid in scene.mentioned):
            # 李振华推门进来了。他五十出头: the one just named, while no one else is known to fit
            return unknown[-1]
        turn = scene.turn()
        if turn and self.cast.gender(turn) == tag.pronoun and turn != narrator:
            return turn
        matching = [cid for cid in reversed(scene.mentioned) if self.cast.gender(cid) == tag.pronoun and cid != narrator]
        last = scene.speakers[-1] if scene.speakers else None
        if matching and not (matching[0] == last and turn and fits(turn)):
            return matching[0]
        if turn and fits(turn):
            # the only one known to fit has just spoken; a gender not yet learnt does not rule out the one whose turn it is
            return turn
        if matching:
            return matching[0]
        for cid in paragraph_names + list(reversed(scene.mentioned)):
            if fits(cid):
                return cid
        return None

    def _described_as(self, cid: str, scene: _SceneState) -> str | None:
        """The named character "the old man" is, when he is the only one present it can describe.

        A description with "the" points back at someone the reader has met (Walter Hume was sitting up in bed ...
        "Is she coming?" the old man asked); one narration brought in with "a" is someone new. The description is
        one of a named character when exactly one named character of its gender has spoken in the scene and has
        not left (one only just brought in by the narration is as likely to be spoken to by a newcomer): the
        description then joins that character, as a name would."""
        if not self.cast.provisional(cid):
            return None
        gender = self.cast.gender(cid)
        descriptions = {alias.lower() for alias in self.cast.aliases(cid)}
        if gender not in ("m", "f") or descriptions & scene.newcomers:
            return None
        present = {other for other in scene.speakers if other not in scene.gone
                   and other not in (cid, scene.narrator) and not self.cast.provisional(other)}
        fitting = [other for other in present if self.cast.gender(other) == gender]
        if len(fitting) > 1:
            # two men have spoken: the one in the exchange going on (the last four turns), if the other is not in it
            fitting = [other for other in fitting if other in scene.speakers[-4:]]
        if len(fitting) != 1:
            return None
        self.cast.merge(cid, fitting[0])
        return fitting[0]

    def _called_title(self, cid: str, speech: str) -> str | None:
        """The gender of the title a line puts before one of a character's names (Mr. Jellicoe, Mrs Hale), if any."""
        if self._titled_surname is None:
            return None
        surnames = {alias.split()[-1] for alias in self.cast.aliases(cid)}
        for match in self._titled_surname.finditer(speech):
            gender = self.cast._title_gender(match.group(0)) if match.group(0).split()[-1] in surnames else None
            if gender in ("m", "f"):
                return gender
        return None

    def _echoes(self, cid: str, line: str) -> bool:
        """Whether a line just spoken holds one of a character's names, or a word of one (Marsh of Ellen Marsh)."""
        words = {w for alias in self.cast.aliases(cid) for w in (alias.split() if self.language == "en" else [self.cast.core(alias)])}
        return any(w and w not in self.words.TITLES and w in line for w in words)

    @staticmethod
    def _clauses(speech: str) -> list[str]:
        return [c for c in re.split(r"[,，、!！?？。.…]+", speech) if c.strip(" 　\"”」』")]

    def _kin_roles(self, word: str) -> tuple[str, ...]:
        """The family roles a word calls one by, alone or with a title after it (親父, 親父殿: 父, 父親), else ()."""
        calls = getattr(self.words, "KINSHIP_CALLS", {})
        if word in calls:
            return calls[word]
        return next((calls[word[: -len(title)]] for title in self.words.TITLES
                     if word.endswith(title) and word[: -len(title)] in calls), ())

    def _addressed(self, speech: str) -> set[str]:
        """Characters a line calls by name, at its start or end ("Ellen, ..." / "..., Marta." / 山田さん、...)."""
        clauses = self._clauses(speech)
        if not clauses:
            return set()
        called = set()
        for k, clause in enumerate(clauses[1:-1], start=1):
            # a clause in the middle that is a name and nothing else ("Well, Tom, I don't know" / ちょっと、じいちゃん、…)
            core = clause.strip(" 　\"“”「」『』")
            if self.language == "ja" and re.search(r"(?:言って(?:い)?た|言うとった|言ってました|言ってる|言うてた)(?:もん|よ|わ|けど|の)?$",
                                                   clauses[k + 1].strip(" 　")):
                continue  # マサくん、こないだ言うとったもん: the one who said it, not one spoken to
            mentions = self.cast.mentions(core)
            # ねえ、三木くん。…: a name and a title alone are a call as much as the name alone
            titled = self.cjk and len(mentions) == 1 and mentions[0][0] == 0 and core[mentions[0][1]:] in self.words.TITLES
            if len(mentions) == 1 and mentions[0][:2] == (0, len(core)) or titled \
                    or not mentions and self._kin_roles(core):
                called |= self._addressed(core)
        asked = getattr(self.words, "ASKED_BY_TOPIC", None)
        if asked and len(clauses) == 1:
            # ユウタはどう思う / 花子さんは行くの？: a question about the one it names, put to them
            found = self.cast.mentions(clauses[0])
            if found and found[0][0] == 0 and re.match(asked, clauses[0][found[0][1] :]) and re.search(r"[？?]$|(?:か|の|思う)$|どう|何|なに|いつ|どこ", speech.strip(" 　")):
                called.add(found[0][2])
        for clause in {clauses[0], clauses[-1]}:
            # 我……我马上到: one says I of oneself, never to another (the narrator's I is one of the narrator's names)
            mentions = [m for m in self.cast.mentions(clause) if clause[m[0] : m[1]] not in self.words.FIRST_PERSON]
            # 高田先生, where 先生 is the role the story calls him by too: one name, not two
            mentions = [m for k, m in enumerate(mentions) if not (k and mentions[k - 1][1] == m[0] and mentions[k - 1][2] == m[2])]
            if self.language == "en":
                # "the doctor" in a line is spoken of; one called by a role is called by its title ("Doctor.")
                mentions = [m for m in mentions if clause[m[0]].isupper()]
            core = clause.strip(" 　\"“”「」『』")
            kin = self._kin_roles(core)
            if kin:
                # お母さん、… / …ねえ、お母さん: the one narration calls by that family role (母 is in お母さん, no name)
                called.update(self.cast.known[role] for role in kin if role in self.cast.known)
                continue
            # what is left of the clause besides the name: a title (早苗おばさん, 赵老大) or a word or two (Goodnight)
            rest = core.replace(clause[mentions[0][0] : mentions[0][1]], "", 1).strip(" 　") if len(mentions) == 1 else ""
            if self.language == "en":
                calls = len(rest) <= 5
            else:
                # a line that opens on a name and a short word (小雨回来啦) greets the one named; one that ends on it
                # after more is said (放着吧，李总还没到) speaks of them
                # and one set right before "you" (程意你左右不分是吧) is spoken to
                # (but 赵红梅是谁？ asks who she is, and 老太太八十九 tells her age)
                calls = self._call_rest(rest) or self.language == "zh" and (clause == clauses[0] and len(rest) <= 3
                                                                            and not re.match(r"是(?:谁|哪|什么)|[一二三四五六七八九十两几]", rest)
                                                                            or mentions and mentions[0][0] == 0
                                                                            and re.match(r"[你您](?!们)", rest) is not None)
            # "Orme? She's been doing this for years.": a name asked back, and the rest speaks of her: no call
            asked_back = len(mentions) == 1 and self.language == "en" and re.match(
                rf"[\s\"“]*{re.escape(core)}\s*\?", speech) is not None and self._spoken_of(mentions[0][2], speech.replace(core, " ", 1))
            if len(mentions) == 1 and calls and not asked_back:
                called.add(mentions[0][2])
            elif not mentions and (titled := self._titled_call(core)):
                called.add(titled)  # 蕾姐，…: a given name with a title, for 张蕾
            elif not mentions:
                # "Doctor." / "Captain, ...": the one character whose name carries that title
                title = getattr(self.words, "TITLE_CALLS", {}).get(core)
                if title:
                    bearers = {cid for alias, cid in self.cast.known.items() if alias.startswith(title + " ")}
                    if len(bearers) == 1:
                        called |= bearers
        return called

    def _spoken_of(self, cid: str, speech: str) -> bool:
        """Whether an English line says he or she of one whose gender the story knows (she's, him, her...)."""
        words = {"f": r"\b(?:[Ss]he|[Hh]er|[Hh]ers|[Hh]erself)\b", "m": r"\b(?:[Hh]e|[Hh]im|[Hh]is|[Hh]imself)\b"}
        gender = self.cast.gender(cid)
        return gender in words and re.search(words[gender], speech) is not None

    def _call_rest(self, rest: str) -> bool:
        """Whether what a CJK clause holds besides a name still makes it a call: nothing, a title (早苗おばさん),
        or a call's particle or a check of who one is (小雨啊 / 老周是吧 / 健太よ / 田中さんですね); a name with a verb
        after it (李总还没到) is spoken of, not called."""
        if not rest or rest in self.words.TITLES:
            return True
        particles = r"(?:是吧|是吗|对吧|吗|[啊呀哎喂嘛啦哦呢吧诶]{1,2})" if self.language == "zh" else r"(?:ですね|ですか|だね|だな|かい|じゃん|じゃない|[よねさぁ]{1,2})"
        return re.fullmatch(particles, rest) is not None

    def _speech_gender(self, speech: str) -> str | None:
        """The gender a line's own words give its speaker (俺 / あたし / 〜かしら in Japanese), where they give one."""
        return self._cue("SPEECH_GENDER", speech)

    def _register(self, speech: str) -> str | None:
        """The register a line's words are in (polite or plain, in Japanese), where they show one."""
        return self._cue("REGISTERS", speech)

    def _cue(self, table: str, speech: str) -> str | None:
        """The one value the patterns of the language's ``table`` that a line's words match give, if they agree."""
        cues = getattr(self.words, table, None)
        if not cues:
            return None
        speech = re.sub(r"[「」『』“”\"]", " ", speech)  # a quote's own marks end its last sentence
        found = {value for pattern, value in cues.items() if re.search(pattern, speech)}
        return found.pop() if len(found) == 1 else None

    @staticmethod
    def _last_keeping(scene: _SceneState, named: set[str], counts: dict[str, Counter[str]], value: str,
                      least: int) -> str | None:
        """The last one in the scene (not gone, not named in the line) whose ``counts`` of what their lines showed (a
        register, a word for I, a dialect) are ``least`` or more, all of ``value``."""
        return next((c for c in reversed(scene.speakers + scene.mentioned) if c not in named and c not in scene.gone
                     and _keeps_to(counts.get(c), value, least)), None)

    def _titled_call(self, clause: str) -> str | None:
        """The one character a call made of a part of their name and a title stands for (蕾姐 for 张蕾, 明远さん)."""
        if not self.cjk or not any(clause.endswith(title) and len(clause) > len(title) for title in self.words.TITLES):
            return None
        if not _CJK.fullmatch(clause[0]) or len(clause) > 6:
            return None
        matches = {cid for cid in self.cast._matches(clause) if not self.cast.provisional(cid)}
        return matches.pop() if len(matches) == 1 else None

    # reading

    def place_cue(self, text: str) -> str | None:
        """The place a paragraph opens on ("In the kitchen," / 回到茶馆 / 茶屋にて), if it names one."""
        head = text.strip(" 　\t")
        for pattern in self._place_cues:
            match = pattern.match(head)
            if not match:
                continue
            place = match.group("place").strip()
            if self._is_place(place) or (self.language == "en" and place[:1].isupper()) or (self.language == "ja" and "にて" in match.group(0)):
                return place
        return None

    def _is_place(self, text: str) -> bool:
        if self.language == "en":
            return any(re.search(rf"\b{re.escape(noun)}\b", text, re.IGNORECASE) for noun in self.words.PLACE_NOUNS)
        return any(noun in text for noun in self.words.PLACE_NOUNS)

    def _interior(self, place: str) -> bool:
        lowered = place.lower()
        return not any(word in lowered for word in self.words.OUTDOOR)

    def _time_of_day(self, text: str, default: str) -> str:
        lowered = text.lower()
        for word, time in sorted(self.words.TIME_WORDS.items(), key=lambda kv: -len(kv[0])):
            if (re.search(rf"\b{word}\b", lowered) if self.language == "en" else word in text):
                return time
        return default

    def _new_scene(self, place: str, cue_text: str, previous: StoryScene | None) -> StoryScene:
        place = place or self.place or ("UNNAMED PLACE" if self.language == "en" else "某处" if self.language == "zh" else "どこか")
        self.place = place
        default_time = previous.time_of_day if previous else "DAY"
        return StoryScene(place=place, interior=self._interior(place), time_of_day=self._time_of_day(cue_text, default_time))

    def read(self, chapter: ChapterText) -> Chapter:
        """Read one chapter into scenes of beats; names and genders learnt here carry on to later chapters."""
        lines = chapter.lines
        blank = sum(1 for ln in lines if not ln.text.strip())
        join_wrapped = self.language == "en" and blank > 0 and blank * 3 >= len(lines) - blank
        paragraphs = list(_paragraphs(lines, join_wrapped))
        self.learn(paragraphs)
        title_place = ""
        if chapter.title:
            for cue in [self.place_cue(chapter.title)] + [None]:
                if cue:
                    title_place = cue
            if not title_place:
                rest = re.sub(r"^(?:第\S+?[章回节節話话幕卷部集篇]|chapter\s+\S+|\d+[.．、])[\s　:：.．、—-]*", "", chapter.title, flags=re.IGNORECASE)
                if rest and self._is_place(rest) and len(rest) <= 20:
                    title_place = rest.strip()
        heading = chapter.heading
        chapter_span = SourceSpan(
            file=self.source,
            line=heading.number if heading else (lines[0].number if lines else 1),
            end_line=lines[-1].number if lines else None,
            start=heading.start if heading else (lines[0].start if lines else 0),
            end=(lines[-1].start + len(lines[-1].text)) if lines else (heading.start + len(heading.text) if heading else 0),
        )
        result = Chapter(title=chapter.title or f"{chapter.number}", source=chapter_span)
        scene = self._new_scene(title_place, chapter.title, None)
        state = _SceneState()
        for paragraph in paragraphs:
            if _SCENE_BREAK.match(paragraph.text):
                if scene.beats:
                    result.scenes.append(scene)
                    scene, state = self._new_scene("", "", scene), _SceneState()
                continue
            cue = self.place_cue(paragraph.text)
            if cue and (paragraph.after_blank or not join_wrapped):
                if scene.beats:
                    result.scenes.append(scene)
                    scene, state = self._new_scene(cue, paragraph.text, scene), _SceneState()
                else:
                    scene = self._new_scene(cue, paragraph.text, scene)
            if scene.source is None:
                scene.source = paragraph.span(self.source)
            known = len(self.cast.names)
            scene.beats.extend(self._beats(paragraph, state))
            if self.language == "zh" and len(self.cast.names) > known:
                # one the reading named (是多多: a caller) may be written with a surname elsewhere in the chapter
                self._learn_surnamed_givens(paragraphs)
        if scene.beats:
            result.scenes.append(scene)
        for line in (beat.line for scene in result.scenes for beat in scene.beats if beat.line is not None):
            # lines an unnamed voice spoke before the text named it carry the name
            named = self.cast.merged.get(line.character)
            if named:
                line.character, line.speaker = named, self.cast.names[named]
        return result

    def _beats(self, paragraph: Paragraph, scene: _SceneState) -> list[Beat]:
        text = paragraph.text
        scene.narrator = self.cast.known.get(self.words.NARRATOR)
        if self._newcomer is not None:
            scene.newcomers.update(m.group(1).lower() for m in self._newcomer.finditer(_unquoted(text)))
        quotes = [q for q in find_quotes(text) if _is_speech(text, *q, cjk=self.cjk)]
        if not quotes:
            action = _clean(text)
            if self.language == "en":
                self._newcomer_enters(text)
            opened_by: str | None = None  # one this narration opens on and gives the line before to
            voice = self._voice_of(text)
            if voice is None and self.language == "ja" and scene.speakers \
                    and self._voice_of(text, heard=True) == scene.speakers[-1]:
                # 「吉岡、ゲストはまだか」/ インカムから、ディレクターの低い声が耳に刺さった。: the voice of the line just said
                voice = scene.speakers[-1]
            if voice is None and scene.guessed is not None and self.language == "ja" and (
                    scene.guessed.character in self._addressed(scene.guessed.text) | self._named_in(scene.guessed.text)
                    or scene.guessed.speaker == self.words.UNKNOWN_SPEAKER or scene.speakers == [scene.guessed.character]):
                voice = self._voice_of(text, heard=True)
            if voice and scene.guessed is not None and voice != scene.guessed.character \
                    and scene.guessed.character == scene.caller and self.cast.provisional(scene.caller) \
                    and self.words.PHONE_VOICE in self.cast.aliases(scene.caller):
                # 「もう、終わってますよね」 / 女の子の声だった。: the voice on the phone is that one's, the call goes on
                self._merge(scene, scene.caller, voice)
            elif voice and scene.guessed is not None and voice != scene.guessed.character:
                # "「辞めたって、いつ」 / 正人の声は低かった。": the narration after a guessed line says whose it was
                unheard = scene.guessed.speaker == self.words.UNKNOWN_SPEAKER
                self._reassign(scene, scene.guessed, voice, self.cast.names.get(voice, voice))
                caller = scene.caller
                if caller is not None and caller not in self._spoken and voice != scene.answerer and self.cast.provisional(caller) \
                        and self.words.PHONE_VOICE in self.cast.aliases(caller):
                    # 电话响了。小周拿起听筒。“…” / 是个老太太的声音。: the call no one said whose it was is that voice's
                    self._merge(scene, caller, voice)
                if unheard and len(called := sorted(self._addressed(scene.guessed.text) - {voice})) == 1:
                    # 「石黒さん、まだ動ける？」/ 電話の向こうの小松さんの声は…: a voice no one knew, who called someone, is
                    # known now, and the one it called answers
                    scene.called = called
            elif voice is None and scene.guessed is not None:
                # 「……マジかよ」 / 藤井は口の中でつぶやいた。 / 美咲が付け加えた。: the subject of a speech verb
                said = self._said_by(text, scene)
                if said:
                    if said != scene.guessed.character:
                        self._reassign(scene, scene.guessed, said, self.cast.names.get(said, said))
                    # 先生はそう言って、男子生徒を呼び止めた: one who goes on to act after saying it speaks next too;
                    # one who only said it (村上さんは顔も上げずに言った) is not the one to speak next, guessed right or not
                    voice = None if self._acts_on(text) else said
                elif self.language == "zh" and len(scene.speakers) <= 1 and not scene.guessed_by_subject \
                        and (came := re.match(rf"[\s　]*(?:一个|一位|一名)[^，。！？“”]{{0,12}}?(?P<role>{_alternation(self.words.ROLES)})",
                                              text)) and (role := self.cast.known.get(came.group("role"))) is not None \
                        and role not in self._spoken and role != scene.guessed.character \
                        and came.group("role") not in self.words.VOICES:
                    # “医生！医生！救救我儿子！”/ 一个中年女人架着一个满头是血的年轻人冲了进来: the scene opens on a line
                    # shouted by the one the narration then brings in
                    self._reassign(scene, scene.guessed, role, self.cast.names.get(role, role))
                elif self.language == "ja":
                    # 「ファウル！」/ 球審が両手を広げた。: one who has not spoken yet, whom the narration right after an
                    # untagged line opens on and the line does not call, is the one who said it
                    opener = self._opening_subject(text)
                    first_sentence = _SENTENCE_END.split(text.strip(" 　"), maxsplit=1)[0]
                    if opener and (re.search(r"顔を出|入って(?:き|く)|現れ|やって(?:き|く)|戻って(?:き|く)|姿を見せ", first_sentence)
                                   or re.match(_JA_THEN, first_sentence)):
                        # 奥の厨房から、マスターが顔を出す / そのとき、木村の声がした: one who comes in now, or is heard
                        # now, did not say the line before
                        opener = None
                    voiced = self._speech_gender(scene.guessed.text)
                    # 宮本あかりはハンドルを押した。「お姉さん、アイスある？」/ 通路側の席から、男の子が身を乗り出していた: the one
                    # the narration before was about is not who calls out お姉さん to her, the one brought in after is
                    clauses = self._clauses(scene.guessed.text)
                    kin_call = len(clauses) > 1 and clauses[0].strip(" 　「」") in getattr(self.words, "KINSHIP_CALLS", {})
                    if opener and opener not in self._spoken and opener != scene.guessed.character \
                            and (not scene.guessed_by_subject or kin_call) \
                            and opener not in self._addressed(scene.guessed.text) and opener != scene.narrator \
                            and (voiced is None or self.cast.gender(opener) in (voiced, None)):
                        self._reassign(scene, scene.guessed, opener, self.cast.names.get(opener, opener))
                        if scene.guessed_by_subject:
                            # (the one the narration before was about is the one called: it is they who answer)
                            opened_by = opener
            if scene.guessed is not None and (shown := self._it_was(text)) and shown != scene.guessed.character:
                # 门口探进来一个脑袋：“张队，管家带过来了。” / 是李明远，刚从警校分来的: the narration says who it was
                self._reassign(scene, scene.guessed, shown, self.cast.names.get(shown, shown))
            scene.guessed = None
            self._voice_shown(text, scene)
            self._badge_read(text, scene)
            called_so = self._called_so(text, scene)
            self._signature_read(text, scene)
            scene.facing = self._facing(text)
            for _, _, cid in self._present(text):
                scene.mention(cid)
                scene.gone.discard(cid)
                scene.narrated = scene.narrated or cid == scene.narrator
            self._exits(text, scene)
            scene.open_quote_speaker = None
            # the sentence next to the coming quote is the one whose subject speaks it
            subject = self._narration_subject(text)
            named_here = [cid for _, _, cid in self.cast.mentions(text)]
            scene.last_actor = self._resolve(subject, named_here, scene) if subject else None
            if opened_by is not None and scene.last_actor == opened_by:
                # the narration that gave the line before to the one it brought in: the answer is the other's
                scene.last_actor = None
            if called_so is not None and scene.last_actor is None:
                scene.last_actor = called_so  # 三好先生と呼ばれたその人は、…封筒を置く: she is the one it is about
            unseen = self.cast.known.get(getattr(self.words, "UNSEEN_VOICE", ""))
            if self.language == "ja" and unseen is not None and scene.last_actor == unseen and self.cast.provisional(unseen) \
                    and scene.speakers:
                if re.search(r"声が[^。「」]{0,8}?返って", text):
                    # 「十年前？」/ 暖簾の向こうから、くぐもった声が返ってきた。: the one who answered goes on
                    scene.last_actor = scene.speakers[-1]
                elif not re.search(r"声(?:が|は)[^。「」]{0,12}?(?:した|する|聞こえ|飛んで|飛んでく|降って|響|届|かか)", text):
                    # 「火のー、用心！」/ 今度は声が裏返らない。: the voice of one who has spoken, no one new to speak next
                    scene.last_actor = None
            last_sentence = ([x for x in _SENTENCE_END.split(text) if x.strip()] or [""])[-1]
            seen_at = getattr(self.words, "SEEN_AT", None)
            seen = re.search(seen_at, last_sentence) if seen_at else None
            if seen is not None:
                # 我挂掉电话回过头，发现他正靠在门框上看着我，手里拿着我的围巾。/ “你的。”: the one seen at something speaks
                who = seen.group("who")
                found = self.cast.mentions(who)
                perceived = (self._resolve(_Tag(pronoun=self.words.PRONOUNS[who]), [], scene) if who in self.words.PRONOUNS
                             else found[0][2] if found and found[0][:2] == (0, len(who)) else None)
                if perceived is not None and perceived != scene.narrator:
                    scene.last_actor = perceived
            comes = getattr(self.words, "VOICE_COMES", None)
            if comes and (came := re.search(comes, last_sentence)):
                # Then, from behind the drawn curtain of bed six, comes a voice like a door that wants oiling.: the line
                # after is that voice's, a character of its own until it is named (a woman's voice: a woman's)
                scene.last_actor = self._new_voice(self._voice_kind(came))
            elif text.rstrip().endswith(("：", ":")) and (heard := self._voice_heard(text)):
                # 阿七刚走到门边，门外忽然传来一个男人的声音：: the line the narration leads into is that voice's
                scene.last_actor = heard
            elif self._several_subjects(text):
                # 宮下は爪を噛み、大森は工具袋のベルトをいじっている。: two busy at once while they wait; neither is the
                # one the narration hands the next line to
                scene.last_actor = None
            if scene.last_actor is not None and scene.speakers[-1:] == [scene.last_actor]:
                # 「この本、知ってます？」/ まどかが文庫本を遼に見せた。: one who just spoke hands or shows another something,
                # who answers (one who only looks at another may well go on speaking)
                others = [cid for cid in self._handed(text) if cid != scene.last_actor]
                if others:
                    scene.last_actor = others[0]
            asked = self._asked_in(last_sentence, named_here, scene)
            scene.reported_question = last_sentence if asked is not None else ""
            if asked is not None and asked != scene.last_actor:
                # 祁姐给他倒了一杯水，问他怎么称呼。/ She asked him his name.: a question the narration reports, closing
                # the paragraph, is answered by the one it was put to
                scene.last_actor = asked
            silence = getattr(self.words, "SILENCE", None)
            idle = getattr(self.words, "IDLE_ACTS", None)
            # the silence closes the sentence (not 他沉默了一下，掏出一张卡, which goes on to act)
            if scene.last_actor and (silence and re.search(rf"(?:{silence})[^，,、;；]{{0,8}}$", last_sentence.strip())
                                     or idle and re.search(idle, last_sentence)):
                # 青衫人没有抬头。/ Tom said nothing. / A woman in the front row coughed into a glove.: the one who keeps
                # silent, or only coughs, does not speak next; the one who spoke before goes on
                last = scene.speakers[-1] if scene.speakers else None
                scene.last_actor = last if last != scene.last_actor else None
            if scene.last_actor is None:
                # 今度は見かけない顔だ。二十代半ばくらいの女の人で…: one narration brings in who has not spoken yet
                # is the one to speak next
                narrator = self.cast.known.get(self.words.NARRATOR)
                # (not one whose doing is only a sound heard: 桐島さんがはさみを置く音がした)
                possessive = {"en": r"['’]s\b", "ja": rf"の|{_JA_SOUND_OF}", "zh": "的"}[self.language]
                new = {cid for _, end, cid in self.cast.mentions(text)
                       if cid not in self._spoken and cid != narrator and not re.match(possessive, text[end:])}
                if len(new) == 1:
                    scene.last_actor = new.pop()
            if self.language == "ja" and scene.speakers and not self.cast.mentions(last_sentence) \
                    and re.search(r"(?:声|口調|話し方)(?:だった|だ|である|をしていた|をしている)。?$", last_sentence.strip(" 　\n")):
                # 割烹着の女将が顔を上げた。五十がらみの、よく通る声だった。: the voice of the line just said
                voice = voice or scene.speakers[-1]
            if voice and scene.last_actor in (voice, None):
                scene.last_actor = None  # it describes the line before, not who speaks next
            if self.language == "en" and scene.speakers and (over := self._said_over.match(text)) \
                    and (said_so := self._resolve(self._subject(over.group("who")), [], scene)) and scene.speakers[-1] != said_so:
                # "Is that the locksmith?" / I said it was.: one who answers in the narration's own words has taken a
                # turn; the next line is the other one's
                scene.speakers.append(said_so)
            reported = self._reported(last_sentence, scene) if last_sentence.strip() != text.strip() else None
            if reported is not None and reported == scene.last_actor and scene.speakers[-1:] not in ([], [reported]):
                # 受話器の向こうの声は…かすれていた。私は経過を順に説明した。: one the narration says spoke, in its
                # own words, has taken a turn; the next line is the other one's
                scene.speakers.append(reported)
                scene.last_actor = None
            self._phone_taken(text, scene)
            self._phone_call(text, scene)
            reader = self._reader(text)
            if reader is not None:
                scene.reading = scene.last_actor = reader
            return [Beat(action=action, source=paragraph.span(self.source))] if action else []

        # narration pieces around the quotes: pieces[k] is before quotes[k], pieces[-1] after the last
        bounds = [0] + [edge for q in quotes for edge in (q[0], q[1])] + [len(text)]
        pieces = [(bounds[2 * k], bounds[2 * k + 1]) for k in range(len(quotes) + 1)]
        tags: list[_Tag | None] = []
        used: list[tuple[int, int]] = []
        for k in range(len(quotes)):
            after = self._tag_after(text, *pieces[k + 1])
            before = self._tag_before(text, *pieces[k])
            tag = after if after is not None and (after.who or after.pronoun) else before or after
            tags.append(tag)
            if tag is not None:
                used.append((tag.begin, tag.end))
        narration = _cut(text, pieces, used)
        narration_names = [cid for _, _, cid in self.cast.mentions(narration)]
        facing = self._facing(_unquoted(text)) or scene.facing
        scene.facing = []
        # the narration sentence nearest the first quote: the last one before it, else the first after
        before_first = [p for p in _SENTENCE_END.split(_cut(text, pieces[:1], used)) if p.strip()]
        paragraph_subject = (self._first_subject(before_first[-1]) if before_first else None) or self._first_subject(
            narration
        )
        owner = self._voice_owner(narration)
        comes = getattr(self.words, "VOICE_COMES", None)
        if owner is None and comes and not any(tags) and before_first and (came := re.search(comes, before_first[-1])):
            # Before he could, a voice came floating back across the dark water: "Hold on there!": the voice's line
            # (one that no tag gives to someone else)
            paragraph_subject = _Tag(who=self._new_voice(self._voice_kind(came)), new=True)
        if owner is not None:
            # "From the foretop the lookout's voice came down again." / 许多多的声音: whose voice the line is
            paragraph_subject = _Tag(who=owner)
            voice = self.cast.known.get(getattr(self.words, "UNSEEN_VOICE", ""))
            if voice is not None and voice != owner and voice in scene.speakers and owner not in self._spoken \
                    and self.cast.provisional(voice):
                # the voice heard from the foretop before was the lookout's
                self._merge(scene, voice, owner)
            elif owner not in self._spoken and not self.cast.provisional(owner):
                # 一个沙哑的男声冒了出来 … “在在在！”刘四海的声音都劈了叉: the one voice no one has named that has spoken
                # (of the owner's gender) was theirs
                heard = self._unnamed_voices(self.cast.gender(owner))
                if len(heard) == 1:
                    self._merge(scene, heard[0], owner)

        speakers: list[str | None] = []
        tag_names = self._subject_names(narration, narration_names) if any(tags) else narration_names
        for tag in tags:
            speakers.append(self._resolve(tag, tag_names, scene) if tag else None)
            if tag and tag.pronoun in ("m", "f") and speakers[-1] and self.cast.gender(speakers[-1]) is None:
                # "Hello?" she called.: the one it was, whose gender nothing had said, is a she from here on
                self.cast.vote(speakers[-1], tag.pronoun)
        for k, (start, end, _) in enumerate(quotes):
            if speakers[k] and speakers[k] in self._addressed(text[start + 1 : end]):
                # 胖子又转向孙浩然：“浩然，…”: the tag caught the one spoken to; the sentence's subject speaks
                subject = self._resolve(paragraph_subject, narration_names, scene) if paragraph_subject else None
                speakers[k] = subject if subject != speakers[k] else None
        guessed = not any(speakers)
        by_subject = by_turn = False
        if guessed:
            fallback = None
            if paragraph_subject is not None:
                fallback = self._resolve(paragraph_subject, narration_names, scene)
            subject_speaker = fallback
            last_speaker = scene.speakers[-1] if scene.speakers else None
            actor = scene.last_actor
            addressed = {cid for s, e, _ in quotes for cid in self._addressed(text[s + 1 : e])}
            # one the line before called by name answers it ("Tom, are you coming?" / "Not yet.")
            # (not a caller who has rung off, who is gone from the talk as well as the scene)
            reply = next((c for c in scene.called if c != last_speaker and c not in addressed
                          and (c not in scene.gone or c in scene.speakers)), None)
            fallback = fallback or scene.open_quote_speaker or actor or reply or scene.turn()
            said = " ".join(text[s + 1 : e] for s, e, _ in quotes)
            if scene.caller is not None and scene.caller not in scene.gone and fallback != scene.caller \
                    and self._name_asked_for(said):
                # 「陽子はいるか。少し話したいんだが」 / "Is Ann there?": on the phone, one asking for someone is the caller
                fallback = scene.caller
            answers = getattr(self.words, "ANSWER_OPENERS", None)
            if answers and fallback is not None and fallback == last_speaker and fallback != subject_speaker \
                    and re.search(self.words.QUESTION_END, scene.last_line) and re.search(answers, said):
                # 「いらっしゃい！　ひとり？」/ 鉄板の向こうで、女の人が声を張り上げた。/ 「いえ、あとでもう一人来ます」: no one
                # answers their own question yes or no; the other one does
                turn = scene.turn()
                fallback = turn if turn not in (None, last_speaker) else next(
                    (c for c in [*reversed(scene.speakers + scene.mentioned), scene.narrator]
                     if c is not None and c != last_speaker and c not in scene.gone), fallback)
            # nobody calls themselves by name, nor speaks of themselves by it: it is another one's line
            named = addressed | self._named_in(said)
            if fallback in named:
                fallback = next((c for c in reversed(scene.speakers + scene.mentioned) if c not in named), None)
            objected = re.search(self.words.OWN_NAME_OBJECTED, said.strip())
            found = self.cast.mentions(objected.group("name")) if objected else []
            if found and found[0][0] == 0 and found[0][2] not in scene.gone:
                # 「大ちゃん」/「大ちゃんはやめえや」 / "Don't call me Bobby.": one objects to being called so, not another
                fallback = found[0][2]
            voiced = self._speech_gender(said)
            if voiced and fallback and self.cast.gender(fallback) not in (voiced, None):
                # 「ないわ、そんなの」 is not the man's whose turn it seemed to be: the last one before who fits
                fallback = next((c for c in reversed(scene.speakers + scene.mentioned) if c not in named
                                 and c not in scene.gone and self.cast.gender(c) == voiced), fallback)
            service = getattr(self.words, "SERVICE_OPENERS", None)
            if fallback is not None and service and re.search(service, said) \
                    and any(alias in self.words.CUSTOMERS for alias in self.cast.aliases(fallback)):
                # その夜の客も…男の人で、…立ちつくしていた。/「何か、お探しですか」: the customer does not serve themself
                fallback = next((c for c in [scene.narrator, *reversed(scene.speakers + scene.mentioned)]
                                 if c and c != fallback and c not in named and c not in scene.gone), fallback)
            # a line's own words (its register, its word for I, its dialect) yield a turn-taking guess only: not one the
            # narration next to it or a call gave
            guess = fallback not in (subject_speaker, actor, scene.open_quote_speaker, reply)
            register = self._register(said)
            kept = self._registers.get(fallback or "", Counter())
            if register and fallback and guess and not kept[register] \
                    and kept["plain" if register == "polite" else "polite"]:
                # 「解析完了。…一致しません」 is not the blunt mechanic's whose turn it seemed to be: the last one before who
                # has only ever spoken so
                fallback = self._last_keeping(scene, named, self._registers, register, least=3) or fallback
            self_word = self._cue("SELF_WORDS", said)
            kept_words = self._selves.get(fallback or "", Counter())
            if self_word and fallback and guess and kept_words.total() and not kept_words[self_word]:
                # 「俺は別にどっちでもええよ」 is not the one whose turn it seemed to be, who says あたし: the last one before who
                # has only ever said 俺
                fallback = self._last_keeping(scene, named, self._selves, self_word, least=1) or fallback
            dialect = self._cue("DIALECTS", said)
            if dialect and fallback and guess and not self._dialects.get(fallback, Counter())[dialect] \
                    and self._line_counts[fallback] >= 2:
                # 「係又点？」 is not the one whose turn it seemed who has never spoken Cantonese: the last one before who
                # has spoken it (and no other dialect)
                fallback = self._last_keeping(scene, named, self._dialects, dialect, least=1) or fallback
            if scene.reading is not None and subject_speaker is None:
                # 便箋が、陽介の手に渡る。/ 「和夫、千賀子、それから陽介へ」: the one handed the letter reads it out, his own
                # name in it too
                fallback = scene.reading
            by_subject = fallback is not None and fallback in (subject_speaker, actor)
            by_turn = fallback not in (subject_speaker, actor, scene.open_quote_speaker)
            speakers = [fallback] * len(quotes)
        else:
            # an untagged quote belongs to the nearest tagged one in the paragraph before it, else after it
            last = next(s for s in speakers if s)
            for k, who in enumerate(speakers):
                if who:
                    last = who
                else:
                    speakers[k] = last
        unknown = None
        beats: list[Beat] = []
        pending: list[tuple[int, int]] = []  # quotes of the DialogueLine being gathered
        pending_speaker: str | None = None

        def flush() -> None:
            nonlocal pending, pending_speaker
            if not pending:
                return
            who = pending_speaker
            if who is None:
                nonlocal unknown
                unknown = unknown or self.cast.add(self.words.UNKNOWN_SPEAKER)
                who = unknown
            inner = [text[s + 1 : e - 1 if text[e - 1] in _CLOSING else e] for s, e in pending]
            by_role = who is not None and self.cast.provisional(who)
            # (a voice may give its name at the start of a later part: "I'm so sorry, I'm late." The woman comes round
            # through the door. "Siobhán. Siobhán Kearney. I'm on the list, I think?")
            parts = [" ".join(inner), *(inner[1:] if by_role else ())]
            if by_role and self.language == "en" and re.fullmatch(rf"\s*{CAPITALISED} {CAPITALISED},\s*", inner[0]) \
                    and not (len(inner) > 1 and inner[1].lstrip()[:1].islower()):
                # "Eustace Farrant," says the man, tugging off a glove. "Flat one.": a full name that is a part of its
                # own, before the tag, is the role giving it (not one that runs on: "Harold Pike," she said, "are you…")
                parts.append(inner[0].strip().rstrip(",") + ".")
            introduced = (next((cid for part in parts if (cid := self._introduced(part, scene.last_line, by_role))), None)
                          or self._answered_name(" ".join(inner), scene.reported_question or scene.last_line)
                          or self._answered_identity(who, " ".join(inner), scene)
                          or by_role and scene.speakers[-1:] == [who] and self._name_in_two(scene.last_line, " ".join(inner)))
            if introduced and who is not None and who == scene.answerer and not self.cast.provisional(who) \
                    and introduced not in self._spoken:
                # 「はい、佐々木です」: one who picks up the phone gives the household's name, not a name of their own
                introduced = None
            asker = scene.speakers[-1] if scene.speakers else None
            if introduced and who is not None and introduced != who and introduced not in self._spoken \
                    and self._unnamed_narrator(who) and re.search(self.words.NAME_QUESTION, scene.last_line):
                # "Can I take your name, please?" / "Delphine Asante. I work here.": a narrator asked for a name gives
                # their own
                given = self.cast.names.get(introduced, introduced)
                self.cast.merge(introduced, who)
                self.cast.join(given, who, show=True)
                introduced = None
            if introduced and introduced != who:
                # a role that has spoken is the one who gives a name only if that name has not spoken yet itself
                # (the narrator, 我 = 许知远, has: the line was wrongly guessed to be the role's)
                # (a role a tag says spoke the line is the one who gives the name, even one heard before as a voice)
                stranger = self._voice_to_name(introduced, asker) if guessed and introduced not in self._spoken else None
                if stranger is not None and stranger != who and stranger in {self.cast.known.get(d) for d in self.cast.described} \
                        and scene.speakers[-1:] != [stranger]:
                    # the one described so far (一个青衫人) gives the name, not the role whose turn it only seemed
                    self._merge(scene, stranger, introduced)
                elif who is not None and self.cast.provisional(who) and (introduced not in self._spoken or not guessed) \
                        and self.cast.known.get(self.words.NARRATOR) != introduced:
                    self._merge(scene, who, introduced)
                elif introduced not in self._spoken:
                    voice = self._voice_to_name(introduced, asker)
                    # one who answers the voice ("どなた？" / "水野です") is someone else
                    if voice is not None and scene.speakers[-1:] != [voice]:
                        self._merge(scene, voice, introduced)
                who = introduced
            elif introduced and introduced not in self._spoken:
                # guessed right, the name is still the one the stranger described so far (一个青衫人) gives, or the one
                # voice heard so far ("Hello? Is anybody in there?" It was a woman's voice. … "Bea. Beatrix Tolland.")
                voice = self._voice_to_name(introduced, asker)
                if voice is not None and scene.speakers[-1:] != [voice]:
                    self._merge(scene, voice, introduced)
            if self.language == "en" and who is not None and self.cast.merged.get(who, who) == scene.introduced and not introduced:
                self._surname_after(scene.introduced, " ".join(inner))
            scene.introduced = introduced  # who, when the line gave a name (the one who gave it is who from here)
            heard = self._voice_named(" ".join(inner), who, scene)
            if heard is not None:
                # a voice came floating back: "Hold on there!" / "That's Fergus. He's soft.": the voice was Fergus
                self._merge(scene, heard[0], heard[1])
            # a part the tag interrupts keeps its comma ("Nearly, give me an hour."); the line's end does not
            last = _clean(inner[-1])
            dash = re.search(r"[—―\-]+$", inner[-1].rstrip())
            if dash and not last.endswith(dash.group(0)):
                last += dash.group(0)  # a speech broken off (我们想——) is heard broken off
            body = _join_quotes([re.sub(r"[\s　]+", " ", part).strip() for part in inner[:-1]] + [last], self.cjk)
            line = DialogueLine(
                id="l000",  # the planner numbers lines within their scene
                speaker=self.cast.names.get(who, who),
                character=who,
                text=body,
                language=self.language,
                source=paragraph.span(self.source, pending[0][0], pending[-1][1]),
            )
            beats.append(Beat(line=line, source=line.source))
            self._role_asked(scene, line, " ".join(inner))
            self._spoken.add(who)
            self._line_counts[who] += 1
            if (register := self._register(" ".join(inner))):
                self._registers.setdefault(who, Counter())[register] += 1
            if not by_turn and (self_word := self._cue("SELF_WORDS", " ".join(inner))):
                self._selves.setdefault(who, Counter())[self_word] += 1
            if not by_turn and (dialect := self._cue("DIALECTS", " ".join(inner))):
                self._dialects.setdefault(who, Counter())[dialect] += 1
            scene.gone.discard(who)
            if who != unknown:
                # whoever the line calls by name ("Ellen, nobody crosses...") is likely to answer
                spoken = " ".join(inner)
                self._own_role(scene, who, spoken)
                introduced_other = self._other_introduced(scene, who, spoken)
                order = {cid: start for start, _, cid in reversed(self.cast.mentions(spoken))}
                # in the order the line calls them: the first one called is the first to answer
                called = sorted({c for s, e in pending for c in self._addressed(text[s + 1 : e]) if c != who},
                                key=lambda c: (order.get(c, len(spoken)), c))
                for c in called:
                    # "That thing is your heart, Mr. Jellicoe.": the title one is called by says whether a man or a woman
                    titled = self._called_title(c, spoken)
                    if titled:
                        self.cast.vote(c, titled, 2)
                clauses = self._clauses(" ".join(inner))
                if any(self._echoes(c, scene.last_line) and (len(clauses) == 1 or self.language == "en" and self._addressed(clauses[0]) == {c})
                       for c in called):
                    # "The Marsh girl wants to cross." / "Ellen Marsh?": a name said back, not a call, and so is one that
                    # opens an answer ("Mr Hume?" / "Mr Hume. He says he won't take his tablets…")
                    called = []
                if re.search(self.words.DOER_QUESTION, scene.last_line) and clauses:
                    # 「誰が売ったんだい」/「瀬川です。瀬川、和彦」: the name that answers who did it is no call
                    called = [c for c in called if c not in {cid for _, _, cid in self.cast.mentions(clauses[0])}]
                if not called:
                    # Owen turned to Gregory. "How is the bank?": the one the speaker turned to answers
                    called = [c for c in facing if c != who]
                if called or scene.speakers[-1:] != [who]:
                    # the call stands while its caller goes on talking, until another voice answers
                    scene.called = called
                if not called:
                    # "Lucy, we have a guest." / "Mrs Grant, you told the constable...": one called by a name no one has
                    # yet is in the scene, the likely one to answer (and the role that just spoke, if one did)
                    vocative = self._new_vocative(_spoken_sentences(text, pending, inner))
                    called = [self._familiar_one(vocative) or self.cast.add(vocative)] if vocative else called
                    if called:
                        scene.called = called
                self._name_the_one_answered(scene, who, called)
                self._caller_called_kin(scene, who, spoken)
                self._kin_called_back(scene, who, spoken)
                if not called and introduced_other is not None:
                    # 「こっちは親父です」/「どうも」: the one introduced answers (a call, not a name for the voice before)
                    called = scene.called = [introduced_other]
                if called:
                    scene.asked = (who, called[0])
                if who is not None and who == scene.caller:
                    scene.asked_for = self._asked_for(" ".join(inner)) or scene.asked_for
                for named in called:
                    scene.mention(named)
                if scene.speakers[-1:] != [who]:
                    scene.speakers.append(who)
                scene.mention(who)
            elif scene.speakers[-1:] != [who]:
                # a voice no one has named yet takes its turns all the same (「欢迎醒来。」/「这是哪儿？」/「第三生活舱。」)
                scene.speakers.append(who)
            scene.last_line = " ".join(inner)
            scene.reported_question = ""
            pending, pending_speaker = [], None

        for k, (start, end, closed) in enumerate(quotes):
            between = pieces[k]
            leftover = _clean(_cut(text, [between], used))
            if pending and speakers[k] != pending_speaker:
                flush()
            if leftover and _has_words(leftover):
                continues = text[between[0] : between[1]].rstrip(" 　").endswith((",", "，", "、"))
                if pending and continues:
                    # "嗯。"林夏点点头，"雨太大了。": business inside one speech; the line stays whole
                    # and the business plays just before it
                    beats.append(Beat(action=leftover, source=paragraph.span(self.source, *between)))
                else:
                    flush()
                    beats.append(Beat(action=leftover, source=paragraph.span(self.source, *between)))
            pending.append((start, end))
            pending_speaker = speakers[k]
            for _, _, cid in self._present(text[between[0] : between[1]]):
                scene.mention(cid)
        flush()
        tail = _clean(_cut(text, [pieces[-1]], used))
        if tail and _has_words(tail):
            beats.append(Beat(action=tail, source=paragraph.span(self.source, *pieces[-1])))
            for _, _, cid in self._present(tail):
                scene.mention(cid)
            self._exits(tail, scene)
        scene.open_quote_speaker = speakers[-1] if not quotes[-1][2] else None
        scene.last_actor = None
        scene.reading = None
        said = [beat.line for beat in beats if beat.line is not None]
        scene.guessed = said[0] if guessed and len(said) == 1 else None
        scene.guessed_by_subject = guessed and by_subject
        scene.narrated = False
        return beats

    def _reader(self, narration: str) -> str | None:
        """The one a paragraph of narration hands a letter or a note to read out (便箋が、陽介の手に渡る / Mr Tull read it
        aloud / 她念出了声): the last one it names before the reading."""
        pattern = getattr(self.words, "READS_OUT", None)
        for sentence in _SENTENCE_END.split(narration) if pattern else ():
            found = re.search(pattern, sentence)
            named = [cid for _, _, cid in self._present(sentence[: found.start()])] if found else []
            if named:
                return named[-1]
        return None

    def _name_in_two(self, given_line: str, speech: str) -> str | None:
        """"Declan," he said, holding his hand out. / "Moss. Tyler's dad.": an unnamed English voice whose line was a
        given name alone, and whose next line opens on one more name, gives its full name (Declan Moss); the character."""
        if self.language != "en":
            return None
        given = re.fullmatch(rf"\s*(?P<given>{CAPITALISED})[,.!]?\s*", given_line)
        surname = self._opening_surname(speech, ".")
        if given is None or surname is None:
            return None
        full = f"{given.group('given')} {surname}"
        if self._clean_name(full) != full or not self._name_word(given.group("given")) or surname not in self._midsentence \
                or self.cast.ambiguous(full) or any(self.cast.known.get(word) in self._spoken for word in full.split()):
            # a call to one who has spoken ("Tom," she said. "Sit down.") gives no name, nor does a call and a word the
            # narration never writes as a name in the middle of a sentence ("Tom," she said. "Stop.")
            return None
        return self.cast.add(full)

    def _surname_after(self, cid: str, speech: str) -> None:
        """"Alasdair." / "Munro, if you want the rest.": one known by a given name alone who has just given it, and
        opens the next line on one more name of no one else's, gives their surname: Alasdair Munro."""
        names = [a for a in self.cast.aliases(cid) if re.fullmatch(rf"{CAPITALISED}", a)]
        surname = self._opening_surname(speech, ",.")
        if len(names) != 1 or any(" " in a for a in self.cast.aliases(cid)) or surname is None:
            return
        other = self.cast.known.get(surname)
        if other is not None and (other in self._spoken or self.cast.aliases(other) != [surname]):
            return
        full = f"{names[0]} {surname}"
        if full in self.cast.known or self.cast.ambiguous(full):
            return
        if other is not None:
            self.cast.merge(other, cid)
        self.cast.join(full, cid, show=True)

    def _opening_surname(self, speech: str, stops: str) -> str | None:
        """The word an English line opens on, before one of ``stops``, if it may be a surname: a name word and no given
        name ("Moss. Tyler's dad." / "Munro, if you want the rest.")."""
        match = re.match(rf"\s*(?P<surname>{CAPITALISED})[{re.escape(stops)}](?:\s|$)", speech)
        surname = match.group("surname") if match else None
        return surname if surname and self._name_word(surname) and surname not in self.words.GIVEN_NAMES else None

    def _voice_named(self, speech: str, who: str | None, scene: _SceneState) -> tuple[str, str] | None:
        """(the voice, its name) when a line says who the unseen voice just heard was ("That's Fergus."), a name no one has
        spoken under yet."""
        said = getattr(self.words, "THAT_WAS", None)
        voice = self.cast.known.get(getattr(self.words, "UNSEEN_VOICE", ""))
        if not said or voice is None or scene.speakers[-1:] != [voice] or who == voice or not self.cast.provisional(voice):
            return None
        found = re.match(said, speech)
        name = self._clean_name(found.group("name")) if found else None
        cid = (self.cast.known.get(name) or self.cast.add(name)) if name and not self.cast.ambiguous(name) else None
        if cid is None or cid in self._spoken or self.cast.provisional(cid) or cid == who:
            return None
        return voice, cid

    def _new_voice(self, kind: str | None = None) -> str:
        """A voice no one is seen to have, a character of its own until it is named (a new one if the last such voice
        turned out to be someone); with kind, the kind of person the narration hears in it (a woman's voice)."""
        unseen = kind or self.words.UNSEEN_VOICE
        if unseen in self.cast.known and not self.cast.provisional(self.cast.known[unseen]):
            self.cast.release(unseen)
        return self._voice_as(unseen)

    def _voice_as(self, kind: str) -> str:
        """The character a voice heard as a kind of person is (a woman, 女人), of the gender the roles give that kind."""
        cid = self.cast.add(kind)
        if self.words.ROLES.get(kind):
            self.cast.vote(cid, self.words.ROLES[kind])
        return cid

    @staticmethod
    def _voice_kind(came: re.Match[str]) -> str | None:
        """The kind of person a voice the narration brings in is said to be (a woman's voice: woman), if it says."""
        groups = came.groupdict()
        return groups.get("who") or groups.get("kind")

    def _name_asked_for(self, speech: str) -> str | None:
        """The name a line asks for someone by, the way one does down a phone (陽子はいるか / Can I speak to Ann?)."""
        asks = getattr(self.words, "ASKS_FOR", None)
        found = re.search(asks, speech.strip(" 　" + _CLOSING)) if asks else None
        return next((v for k, v in found.groupdict().items() if k.startswith("name") and v), None) if found else None

    def _asked_for(self, speech: str) -> str | None:
        """The character a caller asks for (陽子はいるか / Is Ann there?), if the story knows them."""
        name = self._name_asked_for(speech)
        return self.cast.known.get(name) if name else None

    def _phone_taken(self, narration: str, scene: _SceneState) -> None:
        """One who takes the phone in a call (母が黙って受話器を受け取る) talks to the caller from here: the one the caller
        asked for, if that one has not spoken yet under their name (陽子はいるか: the mother is 陽子)."""
        taken = getattr(self.words, "PHONE_TAKEN", None)
        match = re.search(taken, narration) if taken and scene.caller else None
        if match is None:
            return
        sentence = _SENTENCE_END.split(narration[: match.start()])[-1]
        named = [cid for _, _, cid in self._present(sentence) if cid != scene.caller]  # あたしは受話器を取った: I
        taker = named[-1] if named else None
        if taker is None:
            return
        wanted = scene.asked_for
        if wanted is not None and wanted != taker and wanted not in self._spoken and self.cast.provisional(taker) \
                and not self.cast.provisional(wanted):
            self._merge(scene, taker, wanted)
            taker = wanted
        scene.asked_for = None
        scene.answerer = taker
        scene.last_actor = taker

    def _phone_call(self, narration: str, scene: _SceneState) -> None:
        """A phone that rings and says whose call it is (真理子の携帯電話が鳴った。母からだった / 我的手机响了，是多多 / Her
        phone buzzed. It was Grace.): its owner answers first, and the caller is the one who speaks back."""
        rings = getattr(self.words, "PHONE_RINGS", None)
        match = re.search(rings, narration) if rings else None
        if scene.caller is not None and re.search(self.words.PHONE_ENDS, narration):
            # 我挂掉电话回过头 / 電話を切ると: the caller is heard no more
            scene.gone.add(scene.caller)
            scene.speakers = [cid for cid in scene.speakers if cid != scene.caller]
            scene.caller = scene.answerer = None
        if match is None:
            return
        caller_match = re.search(self.words.PHONE_CALLER, narration[match.end() :])
        raw = next((v for k, v in caller_match.groupdict().items() if k.startswith("caller") and v), None) if caller_match else None
        caller = self._caller(raw) if raw else None
        owner = re.sub(r"['’]s$", "", (match.groupdict().get("owner") or "").strip())
        if match.groupdict().get("pos"):
            # 真理子の携帯 / 我的手机: the name or pronoun right before the possessive
            before = narration[: match.start()]
            named = [m for m in self.cast.mentions(before) if m[1] == len(before)]
            said = re.search(f"(?:{_alternation(list(self.words.PRONOUNS) + list(self.words.FIRST_PERSON))})$", before)
            owner = before[named[-1][0] :] if named else said.group(0) if said else ""
        if not owner:
            # the one who picks up (電話が鳴る。美咲が受話器を取る), else the one the narration before the ring is about
            tag = next((self._narration_subject(part) for part in (narration[match.end() :], narration[: match.start()])
                        if part.strip() and self._narration_subject(part)), None)
            answerer = self._resolve(tag, [], scene) if tag else scene.last_actor
            if answerer in (None, caller):
                # 鞄の中でスマートフォンが震えた。画面には『ユカ』: a phone no one is said to own or pick up (the one
                # named being the caller) is the one telling the story's
                answerer = scene.narrator
        elif owner in self.words.FIRST_PERSON or owner.lower() == "my":
            answerer = self.cast.known.get(self.words.NARRATOR) or self.cast.add(self.words.NARRATOR)
        else:
            answerer = self._resolve(self._subject({"his": "he", "her": "she"}.get(owner.lower(), owner)), [], scene)
        if caller is None and answerer is not None and getattr(self.words, "PHONE_VOICE", None):
            # a call no narration says whose it is: a voice of its own (each call its own) until the talk names it
            voice = self.words.PHONE_VOICE
            if voice in self.cast.known and not self.cast.provisional(self.cast.known[voice]):
                self.cast.release(voice)  # the last unknown caller turned out to be someone: this is a new one
            caller = self.cast.add(voice)
        if caller is None or answerer is None or caller == answerer:
            return
        scene.gone.discard(caller)
        scene.mention(caller)
        # the two take turns from here, whichever of them speaks first
        scene.speakers = [cid for cid in scene.speakers if cid not in (answerer, caller)] + [answerer, caller]
        scene.last_actor = answerer
        scene.caller, scene.answerer = caller, answerer

    def _caller_called_kin(self, scene: _SceneState, who: str, speech: str) -> None:
        """An unknown caller is the one the one who answers greets by name ("Grace."), or the kin they call them ("Mum, I
        can't talk."), in English, where the story has no such one yet: the caller goes by that word."""
        caller = scene.caller
        if self.language != "en" or caller is None or who != scene.answerer or not self.cast.provisional(caller) \
                or self.cast.aliases(caller) != [self.words.PHONE_VOICE]:
            return
        clauses = self._clauses(speech)
        calls = {clause.strip(" \"“”‘’'—-") for clause in (clauses[:1] + clauses[-1:])}
        named = {cid for clause in calls for start, end, cid in self.cast.mentions(clause)
                 if (start, end) == (0, len(clause)) and not self.cast.provisional(cid)}
        if len(named) == 1 and (known := named.pop()) != who and known not in scene.speakers:
            # My phone goes … "Grace.": the one the answer greets by name is the one calling
            self._merge(scene, caller, known)
            return
        kin = next((word for word in sorted(calls) if word.lower() in self.words.KIN and word[:1].isupper()), None)
        if kin is not None and kin not in self.cast.known and kin.lower() not in self.cast.known:
            self.cast.join(kin, caller)
            self.cast.names[caller] = kin
            if self.words.KIN[kin.lower()]:
                self.cast.vote(caller, self.words.KIN[kin.lower()], 2)

    def _kin_called_back(self, scene: _SceneState, who: str, speech: str) -> None:
        """One a line opens by calling by what family call them (妈，红的喜庆 / お母さん、…), right after they spoke, is
        the kin the story has heard or seen so far only as that (妈, 母亲: the voice at the door): the two are one."""
        clauses = self._clauses(speech)
        before = scene.speakers[-1] if scene.speakers else None
        if not clauses or before is None or before == who or self.cast.provisional(before) \
                or scene.guessed is not None and not scene.guessed_by_subject:
            return  # (one whose line was given only by turns may not have spoken it)
        roles = self._kin_roles(clauses[0].strip(" 　“”「」『』—-"))
        kin = {self.cast.known[role] for role in roles if role in self.cast.known}
        if len(kin) != 1 or (found := kin.pop()) in (who, before, scene.caller) or not self.cast.provisional(found):
            return  # (the mother on the phone is called so by the one who took the call, whoever spoke before)
        if self.cast.gender(found) is None or self.cast.gender(before) != self.cast.gender(found):
            return
        if found in self._spoken:
            self._merge_spoken(scene, found, before)
        else:
            self._merge(scene, found, before)

    def _caller(self, raw: str) -> str | None:
        """The character a phone call is from: one named or a role (母, her mother), added if the story has no such one yet."""
        raw = re.sub(r"^(?:[Mm]y|[Hh]is|[Hh]er)\s+", "", raw.strip())
        mentioned = self.cast.mentions(raw)
        if mentioned:
            return mentioned[0][2]
        roles = getattr(self.words, "ROLES", {})
        kin = getattr(self.words, "KIN", {})
        if raw in roles or raw.lower() in roles or raw in kin:
            cid = self.cast.add(raw.lower() if self.language == "en" else raw)
            gender = roles.get(raw) or roles.get(raw.lower()) or kin.get(raw)
            if gender:
                self.cast.vote(cid, gender, 2)
            return cid
        name = self._clean_name(raw)
        return self.cast.add(name) if name and not self.cast.ambiguous(name) else None

    def _familiar_one(self, name: str) -> str | None:
        """The one character known by a single given name of which ``name``'s is another form (Hal, called "Harold
        Pike" on the phone): the name joins that character, its given name too."""
        if self.language != "en":
            return None
        given, *surname = self.cast.core(name).split()
        _, forms = self._forms_of(given)
        found = {cid for alias, cid in self.cast.known.items()
                 if " " not in alias and alias in forms and not self.cast.provisional(cid)
                 and not any(" " in other for other in self.cast.aliases(cid))}
        if len(found) != 1:
            return None
        cid = found.pop()
        for alias in {given, name}:
            if alias not in self.cast.known:
                self.cast.join(alias, cid, show=alias == name and bool(surname))
        return cid

    def _new_vocative(self, speech: str) -> str | None:
        """A name an English line calls someone by, at the start or end of one of its sentences ("Lucy, we have a
        guest." / "Sit down, Mrs Hale."), that no character has yet and that is no title ("Doctor"). In Japanese, a
        name a line opens on as a sentence or clause of its own and then says you to, or calls with ちゃん or くん
        (「みのり。なんでお前がここに」 / 「あおいちゃん、待って」)."""
        if self.language == "ja":
            return self._new_japanese_vocative(speech)
        if self.language != "en":
            return None
        titles = _alternation(self.words.TITLES)
        pattern = re.compile(rf"(?:(?:{titles})\.?\s+)?{CAPITALISED}(?:\s{CAPITALISED})?")
        for sentence in re.split(rf"(?<=[.!?…]){_TITLE_STOPS}\s+", speech):
            clauses = self._clauses(sentence)
            if len(clauses) < 2:
                continue
            for clause in (clauses[0], clauses[-1]):
                core = clause.strip(" \"“”‘’'—-")
                if not pattern.fullmatch(core) or core in getattr(self.words, "TITLE_CALLS", {}) or core in self.words.TITLES \
                        or core in getattr(self.words, "FAMILIAR_CALLS", ()):
                    continue
                name = self._clean_name(core)
                if name and name.split()[0].lower() in self._lowercase:
                    continue  # a word the story also writes in lower case is a word, not a name ("Very," she said)
                first = name.split()[0] if name else ""
                if clause == clauses[0] and self._is_address(" ".join(clauses[1:])):
                    continue  # "Problem, gentlemen?" / "Tea, love?": the call is the word after, not the one before
                if name and clause == clauses[0] and first not in self._midsentence and self._capitalised[first] < 2 \
                        and not any(word.startswith(first) for word in self._midsentence) \
                        and not self._put_to_someone(sentence, " ".join(clauses[1:])):
                    # "Money, sometimes.": a word that opens a sentence once, and is nowhere else, before a word or two
                    # said to no one, is no name ("Rosie, take your boots off." / "Lou, which exit?" call; Lou, said
                    # once, may also be Louise cut short)
                    continue
                if name in self._placed:
                    continue  # "Fairholme, hello?": the home one rings from (she is in Fairholme now) answers, no one by name
                if name and name.lower() not in self.words.ROLES and not self.cast.mentions(name) \
                        and not self.cast.ambiguous(name) and not _EN_PLACE_BEFORE.search(name.split()[0].lower() + " "):
                    return name
        return None

    def _new_japanese_vocative(self, speech: str) -> str | None:
        """A name the tokenizer knows that a Japanese line opens on, called (see _new_vocative), and no one has yet."""
        match = re.match(r"[\s　「]*(?P<name>[\u3041-\u3093\u30a1-\u30fa\u30fc\u3005\u4e00-\u9fff]{2,5}?)(?P<title>ちゃん|くん|さん)?[。、！!]",
                         speech)
        if match is None:
            return None
        name = match.group("name")
        if not match.group("title") and not re.search(self.words.SPOKEN_TO, speech[match.end() : match.end() + 20]):
            return None
        if self._clean_name(name) != name or name in self.words.ROLES or name in self.words.TITLES or self.cast.mentions(name) \
                or japanese_function_word(name) or japanese_common_noun(name) or is_verb(name):
            return None
        # a name as the tokenizer knows one (みのり, 健太), not a word before a call (お父さん, 時計屋さん, いまはな)
        runs = person_names(name, "ja")
        if not runs or len(runs) != 1 or "".join(surface for surface, _ in runs[0]) != name:
            return None
        return name

    def _is_address(self, words: str) -> bool:
        """Whether English words are only a way of calling the ones spoken to (gentlemen, everyone, love)."""
        word = words.strip(" ?!.,;\"“”‘’'—-")
        return word.lower() in self.words.ADDRESSES or word.capitalize() in getattr(self.words, "FAMILIAR_CALLS", ())

    @staticmethod
    def _put_to_someone(sentence: str, rest: str) -> bool:
        """Whether what an English sentence says after its first clause is put to someone: a question, words with you
        in them, or more than a word or two."""
        return "?" in sentence or re.search(r"\b[Yy]ou", rest) is not None or len(rest.split()) > 2

    def _name_the_one_answered(self, scene: _SceneState, who: str, called: list[str]) -> None:
        """An unnamed voice that just spoke is the one the next speaker calls by a name no one has spoken under yet
        ("路上冷吗？" the man asked. / "许老师，别逗他了。"): that role's lines are that name's."""
        if len(called) != 1 or not scene.speakers:
            return
        name, previous = called[0], scene.speakers[-1]
        if self.language == "en" and previous != who and name not in self._spoken and self._given_and_surname(previous, name):
            # "She doesn't listen," Iris says to Joe. / "Thank you, Mrs Fairweather.": the one known only by a first name
            # is the one called by title and surname, who has not spoken under it: Iris Fairweather
            given = self.cast.aliases(previous)[0]
            # (the surname alone may be no alias of theirs: Mr and Mrs Bancroft share it)
            surname = self.cast.core(next(a for a in self.cast.aliases(name) if self.cast._title_gender(a))).split()[-1]
            self._merge(scene, name, previous)
            self.cast.add(f"{given} {surname}")
            return
        if not self.cast.provisional(previous):
            # "Bloods for bed four?" / "They're not," said Adaeze. / "Then no, thanks, Len.": the one role among the
            # last few voices, answered past the one who cut in
            roles = {c for c in scene.speakers[-3:] if c != who and self.cast.provisional(c)}
            previous = roles.pop() if len(roles) == 1 else previous
        voices = set(getattr(self.words, "VOICES", ()))
        if previous != who and name not in self._spoken and self.cast.provisional(name) and self.cast.provisional(previous) \
                and any(a in voices for a in self.cast.aliases(previous)) and not any(a in voices for a in self.cast.aliases(name)) \
                and len({self.cast.gender(previous), self.cast.gender(name)} - {None}) < 2:
            # 運転席から、白髪まじりの男が振り返った。「ご予約の…」 … 「あの、運転手さん。」: the man known so far only as a
            # voice is the driver the one he spoke to calls him
            self._merge(scene, previous, name)
            return
        if (previous == who or name in self._spoken or self.cast.provisional(name) or not self.cast.provisional(previous)
                or name == self.cast.known.get(self.words.NARRATOR)):
            return
        if scene.narrated and previous == scene.speakers[-1]:
            # "You'll pay double, love," (the driver) / I was in the middle seat … We set off at a crawl. / "Pritch, you
            # awake?": after the story's I has been told of, the call is no longer the answer to the voice before it
            return
        if len({self.cast.gender(previous), self.cast.gender(name)} - {None}) > 1:
            return
        self._merge(scene, previous, name)
        renamed = [name if c == previous else c for c in scene.mentioned]
        scene.mentioned = [c for k, c in enumerate(renamed) if c not in renamed[k + 1 :]]

    def _newcomer_enters(self, narration: str) -> None:
        """One English narration brings in as the subject of a sentence by a description with "a" (From the back of the
        hall a man in a waxed jacket got to his feet.) is one in the scene, called so, whom "he said" may be next: the
        role joins the cast if no one has it yet."""
        for sentence in _SENTENCE_END.split(narration):
            match = self._newcomer.search(sentence) if self._newcomer is not None else None
            if match is None or self.cast.mentions(sentence[: match.start()]) or re.search(r"\b(?:[Hh]e|[Ss]he|I|[Tt]hey)\b", sentence[: match.start()]):
                continue  # someone named or a he or she before it is the sentence's subject
            if re.search(rf"[{LOWER}]+ed|(?:saw|see|sees|heard|hear|hears|noticed)", sentence[: match.start()]):
                continue  # one the sentence's subject saw or heard, not its subject
            role = match.group(1).lower()
            if role not in self.cast.known:
                cid = self.cast.add(role)
                gender = self.words.ROLES.get(role)
                if gender:
                    self.cast.vote(cid, gender)
            return

    def _given_and_surname(self, given: str, titled: str) -> bool:
        """Whether one character is known only by one first name and another only by a title and a surname of a gender
        that fits (Iris; Mrs Fairweather, Fairweather): the two halves of one name."""
        first = self.cast.aliases(given)
        second = self.cast.aliases(titled)
        if len(first) != 1 or " " in first[0] or first[0] in self.words.TITLES or self.cast.provisional(given):
            return False
        if not second or not all(self.cast._title_gender(a) or " " not in a for a in second) \
                or not any(self.cast._title_gender(a) for a in second):
            return False
        genders = {self.cast.gender(given), self.cast.gender(titled)} - {None}
        return len(genders) <= 1

    def _present(self, narration: str) -> list[tuple[int, int, str]]:
        """The characters a piece of narration names, and the narrator wherever it says I (我低下头 / 僕は / I said):
        a narrator who speaks is in the scene as much as anyone named."""
        mentions = self.cast.mentions(narration)
        narrator = self.cast.known.get(self.words.NARRATOR)
        if narrator is None:
            return mentions
        first = _alternation(self.words.FIRST_PERSON)
        pattern = {"en": rf"\b(?:I|my|me)\b", "ja": rf"(?:{first})(?=[はがもの、])", "zh": rf"(?:{first})(?!们)"}[self.language]
        said = [(m.start(), m.end(), narrator) for m in re.finditer(pattern, narration)]
        return sorted(mentions + said) if said else mentions

    def _own_role(self, scene: _SceneState, who: str, speech: str) -> None:
        """A named English speaker who says what they are ("Peter Haskins. I'm the seasonal bee inspector.") is the one the
        narration calls by it from then on (said the inspector), and was that role wherever it spoke before."""
        if self.language != "en" or self.cast.provisional(who):
            return
        roles = getattr(self.words, "ROLES", {})
        said = re.finditer(rf"\bI(?:'m|’m| am) (?:the|your) (?P<phrase>(?:[{LOWER}-]+ ){{0,3}}[{LOWER}]+)"
                           r"(?=[.,!?;:—]|$| (?:for|at|in|on|here|from|with|round|around|today|tonight|now)\b)", speech)
        for match in said:
            role = match.group("phrase").split()[-1]
            if role not in roles:
                continue
            known = self.cast.known.get(role)
            if known is None:
                self.cast.join(role, who)
            elif known != who and self.cast.provisional(known):
                self._merge(scene, known, who)
            return

    def _role_asked(self, scene: _SceneState, line: DialogueLine, speech: str) -> None:
        """One who asks to be called by a role (「船長と呼んで」) goes by it: the role is the speaker's, once the line is
        known to be a named one's (a line given by turns waits for the narration after it to say whose it was)."""
        roles = getattr(self.words, "ROLES", {})
        asked = re.search(rf"(?P<role>{_alternation(roles)})と(?:呼んで|お呼びください|呼びなさい|呼べ)", speech) \
            if self.language == "ja" and roles else None
        scene.role_asked = None
        if asked is None:
            return
        if self.cast.provisional(line.character):
            scene.role_asked = (line, asked.group("role"))
        else:
            self._take_role(scene, asked.group("role"), line.character)

    def _take_role(self, scene: _SceneState, role: str, cid: str) -> None:
        """The role is ``cid``'s, merged with the role's character where it was one of its own that has not spoken."""
        known = self.cast.known.get(role)
        if known is None:
            self.cast.join(role, cid)
        elif known != cid and self.cast.provisional(known) and self._line_counts[known] <= 0:
            self._merge(scene, known, cid)

    def _other_introduced(self, scene: _SceneState, who: str, speech: str) -> str | None:
        """A line that tells who someone there is (その人は三浦杏奈さん、二〇三の奥さんだ): the one voice in the scene still
        known only by a role (女の人), other than the speaker, is that name, when the name has not spoken yet. Returns
        the one introduced (こっちは親父です: the father, who is likely to answer), if the story knows them."""
        pattern = getattr(self.words, "INTRODUCES_OTHER", None)
        if pattern is None:
            return None
        # one pointed at is seen: not a voice from behind a door, nor one on the phone
        unseen = {getattr(self.words, "UNSEEN_VOICE", None), getattr(self.words, "PHONE_VOICE", None)} - {None}
        for match in re.finditer(pattern, speech):
            mentioned = self.cast.mentions(speech[match.end() : match.end() + 12])
            if not mentioned or mentioned[0][0] != 0:
                continue
            named = mentioned[0][2]
            if named == who:
                continue
            if self.cast.provisional(named) or named in self._spoken:
                return named
            roles = {c for c in scene.speakers if c != who and c != scene.narrator and self.cast.provisional(c)
                     and c not in scene.gone and not unseen & set(self.cast.aliases(c))
                     and self.words.UNKNOWN_SPEAKER not in self.cast.aliases(c)}
            if len(roles) == 1:
                self._merge(scene, roles.pop(), named)
            return named
        return None

    def _merge(self, scene: _SceneState, provisional: str, cid: str) -> None:
        """The unnamed voice or role ``provisional`` turns out to be ``cid``: in the cast, and in the scene's turns."""
        self.cast.merge(provisional, cid)
        scene.speakers = [cid if c == provisional else c for c in scene.speakers]
        scene.caller = cid if scene.caller == provisional else scene.caller
        scene.answerer = cid if scene.answerer == provisional else scene.answerer
        for counted in (self._registers, self._dialects):
            if provisional in counted:
                counted.setdefault(cid, Counter()).update(counted.pop(provisional))

    def _merge_spoken(self, scene: _SceneState, voice: str, cid: str) -> None:
        """``_merge``, for a voice that has spoken: its lines are counted as ``cid``'s, who has spoken now too."""
        self._merge(scene, voice, cid)
        self._spoken.add(cid)
        self._line_counts[cid] += self._line_counts.pop(voice, 0)

    def _reassign(self, scene: _SceneState, line: DialogueLine, cid: str, name: str | None = None) -> None:
        """The line was cid's, not the one it was guessed to be; one left with no line has not spoken."""
        if scene.speakers[-1:] == [line.character]:
            scene.speakers.pop()
        if scene.speakers[-1:] != [cid]:
            scene.speakers.append(cid)
        self._line_counts[line.character] -= 1
        if self._line_counts[line.character] <= 0:
            self._spoken.discard(line.character)
        self._line_counts[cid] += 1
        self._spoken.add(cid)
        if register := self._register(line.text):
            self._registers.setdefault(line.character, Counter())[register] -= 1
            self._registers.setdefault(cid, Counter())[register] += 1
        if (dialect := self._cue("DIALECTS", line.text)) and self._dialects.get(line.character, Counter())[dialect] > 0:
            # (counted for the one it went to first, unless given by turns)
            self._dialects[line.character][dialect] -= 1
            self._dialects.setdefault(cid, Counter())[dialect] += 1
        line.character, line.speaker = cid, name or cid
        if scene.role_asked is not None and scene.role_asked[0] is line and not self.cast.provisional(cid):
            self._take_role(scene, scene.role_asked[1], cid)  # 「船長と呼んで」/ 船長席の久我レイコは…言う
            scene.role_asked = None

    def _acts_on(self, narration: str) -> bool:
        """Whether narration that opens on a speech verb goes on, in the same sentence, to more of its subject's doing
        (先生はそう言って、男子生徒を呼び止めた / 他说完，转身拿起了电话 / Tom muttered it, and picked up the phone)."""
        first = _SENTENCE_END.split(narration.strip(" 　\t"), maxsplit=1)[0]
        match = self._said_next.match(first)
        if match is None:
            return False
        said, rest = match.group(0), first[match.end():]
        if self.language == "ja":
            # (言って、… and 言いながら、…, and 言い、… whose joining comma is the verb's own)
            joined = said.endswith(("て", "ながら")) and re.match(r"[、，]", rest) or said.endswith("、") \
                or re.match(r"[^、。]{0,4}?て[、，]", rest)
        else:
            joined = re.match({"zh": r"[^，。]{0,3}[，,]", "en": r"[^,.]{0,25},?\s+and\s+"}[self.language], rest)
        # the rest is the same one's doing: no one else is named as a subject in it
        others = [m for m in self.cast.mentions(rest) if self.language != "ja" or re.match(r"[はが]", rest[m[1] : m[1] + 1])]
        return bool(joined) and not others and len(re.sub(r"\W", "", rest)) >= 6

    def _said_by(self, narration: str, scene: _SceneState) -> str | None:
        """Who the narration after an untagged line says spoke it: the subject of a speech verb in its first
        sentence (藤井は口の中でつぶやいた / 花子が言うと、/ 她小声嘀咕了一句 / Tom muttered, not looking up), or the one it
        says, as a cleft sentence, was who spoke (说话的是那个戴斗笠的女人)."""
        first = _SENTENCE_END.split(narration.strip(" 　\t"), maxsplit=1)[0]
        match = self._said_next.match(first)
        # 真っ先に声をあげたのは、米屋の光男だった / 说话的是那个戴斗笠的女人: the one a cleft sentence says spoke
        cleft = self._said_cleft.match(first) if self._said_cleft is not None else None
        found = self.cast.mentions(cleft.group("who")) if cleft else []
        if len(found) == 1 and found[0][:2] == (0, len(cleft.group("who"))):
            return found[0][2]
        if match is None:
            return None
        tag = self._subject(match.group("who"))
        if tag.who is None and tag.pronoun is None:
            return None
        guessed = scene.guessed.character if scene.guessed is not None else None
        if tag.pronoun and guessed and self.cast.gender(guessed) in (tag.pronoun, None):
            return None  # "She said it kindly": the one the line was given to, unless she cannot be
        return self._resolve(tag, [cid for _, _, cid in self.cast.mentions(first)], scene)

    def _reported(self, sentence: str, scene: _SceneState) -> str | None:
        """The one a sentence of narration, not its first, says told something, what they said being its object
        (私は経過を順に説明した; 健一が小声で訊く leads into the line after it)."""
        match = self._said_next.match(sentence.strip(" 　\t")) if self.language == "ja" else None
        # the object right before the verb, or with only a way of saying it between (経過を順に説明した, not 歯を見せて笑う)
        if match is None or not re.search(r"を(?:[^。「」、をがは]{1,4}に)?$", match.group(0)[: -len(self._said_verb(match.group(0)))]):
            return None
        tag = self._subject(match.group("who"))
        return self._resolve(tag, [cid for _, _, cid in self.cast.mentions(sentence)], scene) if tag.who or tag.pronoun else None

    def _said_verb(self, said: str) -> str:
        """The speech verb a match of the said-next pattern ends on."""
        return max((v for v in self.words.SPEECH_VERBS if said.endswith(v)), key=len, default="")

    def _it_was(self, narration: str) -> str | None:
        """The character a paragraph of narration opens by saying it was (是李明远，… / It was Tom.), if any."""
        pattern = getattr(self.words, "IT_WAS", None)
        match = re.match(pattern, narration.lstrip(" 　\t")) if pattern else None
        if match is None:
            return None
        named = self.cast.mentions(match.group("who"))
        return named[0][2] if len(named) == 1 and named[0][:2] == (0, len(match.group("who"))) else None

    def _voice_shown(self, narration: str, scene: _SceneState) -> None:
        """The voice just heard is the one the narration right after it shows: the one described person in it who has
        not spoken (楼梯上传来一个清亮的女声：“好大的口气。” / 众人抬头，只见一个红衣女子倚着栏杆)."""
        if not scene.speakers:
            return
        voice = scene.speakers[-1]
        voices = set(getattr(self.words, "VOICES", ()))
        if not self.cast.provisional(voice) or not set(self.cast.aliases(voice)) & voices:
            return
        described = {self.cast.known.get(d) for d in self.cast.described}
        # or, in English, one a sentence opens on as "the" and what they look like (She went. The old man was sitting
        # up against his pillows.), not a man in general (the way a man does)
        looks = set(getattr(self.words, "EPITHETS", ())) if self.language == "en" else set()
        shown = list(dict.fromkeys(cid for start, end, cid in self.cast.mentions(narration)
                                   if (cid in described or narration[start:end].lower() in looks
                                       and re.search(r"(?:^|[.!?]\s+)The\s+$", narration[:start]))
                                   and cid != voice and cid not in self._spoken))
        # (not one the scene had shown already, who only acts now: 门外传来一个男人的声音 … 络腮胡子先笑了)
        shown = [cid for cid in shown if cid not in scene.mentioned]
        if len(shown) != 1 or len({self.cast.gender(voice), self.cast.gender(shown[0])} - {None}) > 1:
            return
        self._merge_spoken(scene, voice, shown[0])

    def _badge_read(self, narration: str, scene: _SceneState) -> None:
        """The role that has spoken last is the name the narration reads off a badge (“Don't pull it,” says a woman
        behind the counter. / She is sixty or so, in a blue tabard with a badge that says TERESA.), a full name too (she
        turns the lanyard over, and he reads PRECIOUS ADEYEMI, COMPLIANCE)."""
        voice = next(iter(self._unnamed_in(scene)), None)
        badge = getattr(self.words, "BADGE", None)
        found = re.search(badge, narration) if voice is not None and badge else None
        if found is None:
            return
        if self.language == "en":
            # a name in capitals: each word one that names people in this story
            words = [word.capitalize() for word in (found.group("name"), found.group("surname")) if word]
            if not all(self._name_word(word) and word.lower() not in self._lowercase for word in words):
                return
            name = " ".join(words)
        else:
            name = self._clean_name(found.group("name"))  # (书包上挂着一块名牌，上面印着“许小满”三个字)
            if name is None:
                return
        cid = self.cast.known.get(name)
        if cid is not None and (cid in self._spoken or self.cast.provisional(cid) or self.cast.core(name) != name):
            return
        self._merge(scene, voice, cid if cid is not None else self.cast.add(name))

    def _called_so(self, narration: str, scene: _SceneState) -> str | None:
        """The unnamed one who has spoken last is the name the narration says they were just called by (「あら、三好先生
        じゃないですか」… 三好先生と呼ばれたその人は / 被称作三好老师的那个人), a name no one has spoken under yet."""
        pattern = getattr(self.words, "CALLED_SO", None)
        found = re.search(pattern, narration) if pattern else None
        voice = next(iter(self._unnamed_in(scene)), None)
        if found is None or voice is None:
            return
        name = found.group("name")
        # the name the phrase ends on (…で三好先生と呼ばれた: not what comes before it)
        ending = [cid for start, end, cid in self.cast.mentions(name) if end == len(name)
                  or self.words.TITLES and re.fullmatch(_alternation(self.words.TITLES), name[end:])]
        cid = ending[-1] if ending else None
        if cid is None or cid in self._spoken or self.cast.provisional(cid) \
                or len({self.cast.gender(voice), self.cast.gender(cid)} - {None}) > 1:
            return None
        self._merge_spoken(scene, voice, cid)
        return cid

    def _unnamed_in(self, scene: _SceneState) -> list[str]:
        """The ones who have spoken in the scene and are still there, known only as a role or a voice, the latest first."""
        return [c for c in reversed(scene.speakers) if self.cast.provisional(c) and c not in scene.gone]

    def _signature_read(self, narration: str, scene: _SceneState) -> None:
        """The unnamed one who has spoken is the full name the narration says they write down, as a sentence of its
        own (She wrote slowly. Cordelia Vane. / 彼は…書いた。二十五年、ありがとう。大橋正人。), a name no one has spoken
        under yet."""
        signed = getattr(self.words, "SIGNED", None)
        found = re.search(signed, narration) if signed else None
        name = self._clean_name(found.group("name")) if found else None
        full = name is not None and (" " in name if self.language == "en" else self._ja_full_name(name))
        if not full or self.cast.ambiguous(name):
            return
        cid = self.cast.known.get(name)
        if cid is not None and (cid in self._spoken or self.cast.provisional(cid)):
            return
        gender = self.words.PRONOUNS.get(found.group("who").lower())
        # (one the pronoun fits by gender before one whose gender is not known; not a line no one could be given)
        writers = sorted((c for c in self._unnamed_in(scene)
                          if self.cast.gender(c) in (gender, None) and self.words.UNKNOWN_SPEAKER not in self.cast.aliases(c)),
                         key=lambda c: self.cast.gender(c) != gender)
        if writers:
            self._merge(scene, writers[0], cid if cid is not None else self.cast.add(name))

    def _opening_subject(self, narration: str) -> str | None:
        """The character a paragraph of Japanese narration opens on as its subject (球審が両手を広げた)."""
        head = narration.lstrip(" 　\t")
        mentions = self.cast.mentions(head[:40])
        # at the very start, or after where they are and what they wear (カウンターの奥から、割烹着の女将が顔を上げた)
        # (or only what they wear: 黒いスーツの女性が、手拍子で拍を取った)
        where = re.match(r"(?:[^。「」、]{1,15}?(?:から|では|で|には)、)?(?:[^。「」、はがをに]{1,10}?の)?", head)
        start = where.end() if where else 0
        if not mentions or mentions[0][0] != start or not re.match(r"(?:さん|くん|ちゃん)?[はが]", head[mentions[0][1]:]):
            return None
        return mentions[0][2]

    def _narration_subject(self, text: str) -> _Tag | None:
        """The subject of a paragraph's last sentence that has one; a pronoun there is the character the sentence
        before named as its subject when the pronoun fits them (藤井はボールを握り直した。彼は岡本の目を見た。)."""
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        tags = [self._first_subject(sentence) for sentence in sentences]
        if self.language == "zh" and tags and tags[-1] is not None:
            # 我推门进去，他已经坐起来了: the last clause that opens on someone else is about who acts last
            clauses = [c for c in re.split(r"[，,；;]", sentences[-1]) if c.strip()]
            for clause in reversed(clauses[1:]):
                opener = self._first_subject(clause)
                if opener is not None:
                    head = clause.lstrip(" 　")
                    if self._pronoun_re.match(head) or any(start == 0 for start, _, _ in self.cast.mentions(head)[:1]):
                        tags[-1] = opener
                    break
        for k in range(len(tags) - 1, -1, -1):
            tag = tags[k]
            if tag is None:
                continue
            if tag.pronoun and k and tags[k - 1] is not None and tags[k - 1].who:
                earlier = tags[k - 1].who
                if self.cast.gender(earlier) in (tag.pronoun, None):
                    return _Tag(who=earlier)
            voice = self.cast.known.get(getattr(self.words, "UNSEEN_VOICE", ""))
            if voice is not None and tag.who == voice:
                # キヨさんは指を折って数えはじめた。…声は少しずつ落ち着いていった: the voice of the one just spoken of
                earlier = next((t.who for t in reversed(tags[:k]) if t is not None and t.who and t.who != voice), None)
                if earlier is not None:
                    return _Tag(who=earlier)
            return tag
        return None

    def _several_subjects(self, narration: str) -> bool:
        """Whether the narration's last sentence is about two or more at once, each the topic of a clause of its own
        (宮下は爪を噛み、大森は…いじっている); Japanese marks them so."""
        if self.language != "ja":
            return False
        sentences = [s for s in _SENTENCE_END.split(narration) if s.strip()]
        if not sentences:
            return False
        last = sentences[-1]
        topics = {cid for _, end, cid in self.cast.mentions(last) if re.match(r"(?:さん|くん|ちゃん|様)?は", last[end:])}
        return len(topics) >= 2

    def _exits(self, narration: str, scene: _SceneState) -> None:
        """Mark as gone whoever a sentence of the narration has leave the scene (The porter withdrew / 老人は去っていった)."""
        exits = getattr(self.words, "EXITS", None)
        if not exits:
            return
        for sentence in _SENTENCE_END.split(narration):
            gone = re.search(exits, sentence)
            if not gone:
                continue
            # the one who leaves is the subject of the clause that leaves (彼が出ていくと、静江は笑った: 彼, not 静江)
            clause = re.split(r"[、，,;；]", sentence[: gone.start()])[-1] if self.cjk else sentence[: gone.start()]
            tag = self._first_subject(clause) or self._first_subject(sentence)
            who = self._resolve(tag, [cid for _, _, cid in self.cast.mentions(sentence)], scene) if tag else None
            if who is not None and who != self.cast.known.get(self.words.NARRATOR):
                scene.gone.add(who)

    def _subject_names(self, narration: str, names: list[str]) -> list[str]:
        """The characters English narration names where a subject stands (Doyle poured the tea and handed it to
        Kerrigan: Doyle, not Kerrigan), for a pronoun tag beside it to mean; other languages keep every name."""
        if self.language != "en":
            return names
        subjects = []
        for start, _, cid in self.cast.mentions(narration):
            before = narration[max(0, start - 18) : start]
            # (to the old man: an article or a possessive may come between)
            objects = rf"\b(?:to|at|with|for|from|towards?|into|onto|on|of|by|beside|behind|past|than|like|[{LOWER}]+ed|gave|gives|told|tells|saw|sees|let|lets|made|met|held|took|brought|caught|hands|asks|watches)\s+(?:(?:the|a|an|his|her|their|my|our|your)\s+)?$"
            if not re.search(objects, before) and cid not in subjects:
                subjects.append(cid)
        return subjects

    def _named_in(self, speech: str) -> set[str]:
        """Characters a line names anywhere in it, not counting one it introduces as its speaker (I'm Hanne): one
        seldom says one's own name, so they are, most likely, not who speaks it."""
        # the quote's own closing mark is no part of what is said (「はい、佐々木です」 introduces its speaker)
        if re.search(self.words.SELF_INTRODUCTION, speech.rstrip(_CLOSING)):
            return set()
        # a role noun (the only doctor on the floor, 先生) is said of oneself as readily as of anyone
        own = set(self.words.FIRST_PERSON) | {self.words.NARRATOR} | set(getattr(self.words, "ROLES", {}))
        named = {cid for start, end, cid in self.cast.mentions(speech) if speech[start:end] not in own}
        if self._titled_surname is not None:
            # "did Mrs Carver really cry?": one spoken of by title and surname, a form the story has not used yet
            for match in self._titled_surname.finditer(speech):
                found = self.cast._matches(match.group(0))
                if len(found) == 1:
                    named |= found
        return named

    def _facing(self, narration: str) -> list[str]:
        """Characters narration has someone turn to, look at or ask (Owen turned to Gregory / 她看着林夏 / 部長に訊いた),
        in order: the one spoken to, who is the likely one to answer, since nobody turns to themself to speak."""
        before = getattr(self.words, "FACING", None)
        after = getattr(self.words, "FACING_AFTER", None)
        faced = []
        for start, end, cid in self.cast.mentions(narration):
            if (before and re.search(before, narration[max(0, start - 40) : start])
                    or after and re.match(after, narration[end : end + 12])):
                if cid not in faced:
                    faced.append(cid)
        return faced

    def _asked_in(self, sentence: str, named: list[str], scene: _SceneState) -> str | None:
        """The one a question the narration reports in its own words was put to (问他怎么称呼 / She asked him his name /
        彼に名前を聞いた): a name, the story's I, or the nearest character of a pronoun's gender but the asker."""
        pattern = getattr(self.words, "ASKED_IN_NARRATION", None)
        found = re.search(pattern, sentence.strip(" 　\n。．！!")) if pattern else None
        if found is None:
            return None
        if found.group("name") is not None:
            at = found.end("name") if self.language == "ja" else found.start("name")
            edge = 1 if self.language == "ja" else 0
            return next((cid for start, end, cid in self.cast.mentions(sentence) if (start, end)[edge] == at), None)
        if found.group("i") is not None:
            return self.cast.known.get(self.words.NARRATOR)
        gender = self.words.GENDER_WORDS.get(found.group("obj"))
        if gender is None:
            return None
        # the nearest of that gender, named in the paragraph or mentioned in the scene, but the asker and the narrator
        others = (scene.last_actor, self.cast.known.get(self.words.NARRATOR))
        nearest = [cid for cid in (*reversed(named), *reversed(scene.mentioned)) if cid not in others]
        # (one whose gender the story has not given yet, where no one has it)
        return next((cid for cid in nearest if self.cast.gender(cid) == gender),
                    next((cid for cid in nearest if self.cast.gender(cid) is None), None))

    def _handed(self, narration: str) -> list[str]:
        """Characters narration has someone hand or show something to (遼に見せた / 递给林夏 / showed Tom), in order."""
        before = getattr(self.words, "HANDED", None)
        after = getattr(self.words, "HANDED_AFTER", None)
        return [cid for start, end, cid in self.cast.mentions(narration)
                if before and re.search(before, narration[max(0, start - 20) : start])
                or after and re.match(after, narration[end : end + 8])]

    def _voice_owner(self, narration: str) -> str | None:
        """The one character whose voice narration beside a line speaks of (the lookout's voice / 正人の声 / 她的声音)."""
        if self.language == "en":
            roles = _alternation(self.words.ROLES)
            found = {m.group(1).lower() for m in re.finditer(rf"\b[Tt]he ({roles})['’]s voice\b", narration)}
            owners = {self.cast.add(role) for role in found}
            owners |= {cid for _, end, cid in self.cast.mentions(narration) if re.match(r"['’]s voice\b", narration[end:])}
        else:
            # 正人の声, ディレクターの低い声 / 她的声音
            # (小松さんの声: a title may come between)
            marker = (rf"(?:{_alternation(self.words.TITLES)})?の(?:[^、。「」\s　の]{{1,6}}?)?声(?!優)" if self.language == "ja"
                      else "的声音")
            owners = {cid for _, end, cid in self.cast.mentions(narration) if re.match(marker, narration[end:])}
            heard = self._voice_heard(narration) if not owners else None
            if heard:
                owners = {heard}
        return owners.pop() if len(owners) == 1 else None

    def _voice_heard(self, narration: str) -> str | None:
        """One not seen yet whose voice the narration says is heard (门外忽然传来一个男人的声音): a character of their
        own until named, as the role their voice is described by. Chinese says it so."""
        heard = self._voice_heard_re.search(narration) if self._voice_heard_re is not None else None
        if heard is None:
            return None
        return self._voice_as(heard.group("who"))

    def _voice_of(self, narration: str, heard: bool = False) -> str | None:
        """The character whose voice a paragraph opens on (正人の声は低かった / Tom's voice was flat / 他的声音), if any;
        with heard, in Japanese, also one whose voice it says came from somewhere (台所から母の声が飛んでくる)."""
        head = narration.lstrip(" 　\t")
        if self.language == "ja":
            # インカムから、ディレクターの低い声が耳に刺さった: the voice the first sentence is about, wherever it opens
            first = _SENTENCE_END.split(head, maxsplit=1)[0]
            # or, where the line before cannot have been the one it was given to, says a voice came from somewhere
            # (「美咲、まだそこ終わってないの」/ 台所から母の声が飛んでくる; そのとき、部長の声が飛んでくる is the next line's)
            came = r"|が(?:[^、。]{0,6}?)(?:飛んで|聞こえ|響|届|返って|降って|刺さ)" if heard else ""
            if not re.match(_JA_THEN, first):
                # 「どうした」/ スピーカーから木村主任の声がした。: a voice heard, told right after an untagged line, said it
                # (そのとき、部長の声がした is the next line's)
                came += r"|がした"
            # 女の子の声だった。: whose voice the line before was (電話の向こうの小松さんの声は: a title may come between)
            voiced = {cid for _, end, cid in self.cast.mentions(first)
                      if re.match(rf"(?:{_alternation(self.words.TITLES)})?{_JA_VOICE_OF}(?:は{came}|だった|でした)", first[end:])}
            if not voiced and not heard and (kind := re.match(rf"(?:[^、。「」の]{{1,6}}の)?(?P<kind>{_alternation(self.words.VOICES)})の声(?:だった|でした|だ|です)。?$", first)):
                # 「はい、夜間当番です」/ 若い女の声だった。/ 年配の女の声だ。: a kind of person no one has been yet, heard in
                # the line
                return self._new_voice(kind.group("kind"))
            return voiced.pop() if len(voiced) == 1 else None
        kind = re.match(self.words.VOICE_WAS, head) if not heard and getattr(self.words, "VOICE_WAS", None) else None
        if kind:
            return self._new_voice(kind.group("kind"))  # "Turn back." / The voice is a man's, dry and unhurried.
        mentions = self.cast.mentions(head[:40])
        # (电话里是个老太太的声音: in Chinese, the voice said to be one's after where it came from)
        lead = re.match(r"(?:[\u4e00-\u9fff]{1,6}?(?:里|那头|那边)[，,]?)?是(?:个|一个|一位)?", head) if self.language == "zh" else None
        if not mentions or mentions[0][0] != (lead.end() if lead else 0):
            return None
        after = head[mentions[0][1] :]
        if re.match(r"(?:的声音|['’]s voice (?:was|is)\b)", after):
            return mentions[0][2]
        return None


_JA_WOMAN = frozenset({"女", "女性", "女の人"})
_JA_MAN = frozenset({"男", "男性", "男の人"})
"""The plain words for a woman and for a man, each the same person said another way."""
_JA_VOICE_OF = r"の(?:[^、。「」\s　の]{1,6}?)?声"
"""What follows a name in Japanese narration that speaks of that one's voice (部長の声, ディレクターの低い声)."""
_JA_BODY_OF = r"の(?:肩|顔|目|眉|口元|唇|頬|表情|喉|手|背中|眉間|目元)"
"""What follows a name in Japanese narration that speaks of a part of that one that moves (間宮の肩が揺れた)."""
_JA_OF_SUBJECT = rf"(?:{_JA_VOICE_OF}|{_JA_BODY_OF})"
"""What may stand between a name and the particle that makes the sentence about that one (部長の声が, 間宮の肩が)."""
_JA_SOUND_OF = r"(?:さん|くん|ちゃん|様)?が[^。、「」]{0,12}?[うくぐすつぬぶむるた](?:音|物音|足音|気配)(?:が|は)"
"""What follows one whose doing the narration gives only as a sound heard (桐島さんがはさみを置く音がした): no subject."""
_JA_THEN = r"(?:そのとき|その時|すると|不意に|突然|ふいに)"
"""What opens a Japanese sentence that tells of something happening next (そのとき、部長の声が飛んでくる)."""


_QUOTED_WORD = re.compile(r"[^\W\d_](?:[^\W_]|[ \-'’・·.])*", re.UNICODE)
"""What a quote holding a word or a name and nothing else holds (“田老歪”, 「ゲンさん」, "Tiny"): no speech."""


def _unquoted(text: str, gap: str = " ", *, keep_words: bool = False) -> str:
    """The narration of a paragraph, each quote in it left as ``gap``; with ``keep_words``, a quote that holds a
    word or a name of a few words alone (村里人都叫他“田老歪”) is kept, marks and all, as the narration's own."""
    pieces = []
    pos = 0
    for start, end, closed in find_quotes(text):
        pieces.append(text[pos:start])
        inner = text[start + 1:end - 1] if closed else ""
        kept = keep_words and len(inner) <= 16 and len(inner.split()) <= 3 and _QUOTED_WORD.fullmatch(inner)
        pieces.append(text[start:end] if kept else gap)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _cut(text: str, pieces: list[tuple[int, int]], used: list[tuple[int, int]]) -> str:
    """The narration of the given pieces with the speech tags cut out."""
    out = []
    for begin, end in pieces:
        pos = begin
        for tag_begin, tag_end in sorted(used):
            if tag_end <= begin or tag_begin >= end:
                continue
            out.append(text[pos:max(pos, tag_begin)])
            pos = max(pos, tag_end)
        out.append(text[pos:end])
        out.append(" ")
    return "".join(out)


def _clean(text: str) -> str:
    """Whitespace collapsed and the stray punctuation a cut tag leaves (", .", "。，") dropped."""
    text = re.sub(r"[\s　]+", " ", text).strip()
    text = re.sub(r"^[\s,，、。.:：;；—\-]+", "", text)
    text = re.sub(r"[\s,，、:：;；—\-]+$", "", text)
    return text.strip()


def _has_words(text: str) -> bool:
    letters = sum(1 for ch in text if ch.isalpha())
    return letters >= 2


def _pet_stems(name: str) -> set[str]:
    """The first sounds a pet form of an English first name keeps of it, less its pet ending (Anni: Ann, An; Danny:
    Dann, Dan)."""
    cut = re.sub(r"(?:ie|y|i|e)$", "", name)
    return {cut, re.sub(r"([b-df-hj-np-tv-z])\1$", r"\1", cut)} - {name}


def _spoken_sentences(text: str, spans: list[tuple[int, int]], parts: list[str]) -> str:
    """A line's parts as the sentences they are: a part the tag ends a sentence after ("Secateurs," said Gran.
    "Nobody brings a knife.") ends its own sentence, though it closes on a comma; a part the tag runs on through
    ("Lucy," said Tom, "come here.") runs on into the next."""
    said = [parts[0].strip()]
    for k in range(1, len(parts)):
        between = text[spans[k - 1][1] + 1 : spans[k][0]].strip()
        if between.endswith((".", "!", "?", "…")) and said[-1].endswith((",", "，")):
            said[-1] = said[-1][:-1] + "."
        said.append(parts[k].strip())
    return " ".join(said)


def _join_quotes(parts: list[str], cjk: bool) -> str:
    parts = [p for p in parts if p]
    return ("" if cjk else " ").join(parts)


def story_chapters(lines: Iterable[SourceLine], *, language: str, source: str, reader: ProseReader | None = None) -> Iterator[Chapter]:
    """Stream a story's lines into Chapters, one at a time, through the offline rules."""
    reader = reader or ProseReader(language, source=source)
    for chapter in split_chapters(lines):
        yield reader.read(chapter)
