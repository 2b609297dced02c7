"""A Fountain 1.1 parser that keeps, for every element, the line of the source it came from.

The spec (fountain.io/syntax) is followed rule by rule; where it leaves a choice open the
choice is written next to the code. Parsing runs in three linear passes over the lines:

1. boneyard ``/* ... */`` is cut out (a line it empties disappears, so the text around it
   joins up as the writer sees it), and notes ``[[ ... ]]`` are cut out and kept with the
   line they sit in;
2. the title page (``Key: value`` lines at the very start) is read;
3. the body is read element by element, looking one line back and one line ahead for the
   blank lines that make scene headings, characters and transitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from mangaline.errors import FountainSyntaxError

__all__ = ["ElementType", "Element", "FountainDocument", "parse_fountain", "plain"]


class ElementType(StrEnum):
    """The kinds of paragraph a Fountain screenplay is made of."""

    SCENE_HEADING = "scene_heading"
    ACTION = "action"
    CHARACTER = "character"
    DIALOGUE = "dialogue"
    PARENTHETICAL = "parenthetical"
    LYRICS = "lyrics"
    TRANSITION = "transition"
    CENTERED = "centered"
    SECTION = "section"
    SYNOPSIS = "synopsis"
    PAGE_BREAK = "page_break"


@dataclass(frozen=True)
class Element:
    """One element of the screenplay body, with the 1-based source lines it spans.

    ``text`` keeps emphasis markup as written (see ``plain``) and has notes removed.
    A parenthetical keeps its parentheses: ``(wryly)``.
    """

    type: ElementType
    text: str
    line: int
    end_line: int
    scene_number: str | None = None
    forced: bool = False
    name: str | None = None
    extension: str | None = None
    dual: bool = False
    depth: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FountainDocument:
    """A parsed screenplay: the title page and the body's elements in order."""

    title_page: dict[str, str] = field(default_factory=dict)
    title_page_lines: dict[str, int] = field(default_factory=dict)
    elements: list[Element] = field(default_factory=list)


@dataclass
class _Line:
    """A line of the source once boneyard and notes are cut; ``no`` is its first source line."""

    no: int
    end: int
    text: str
    notes: list[str] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not self.text.strip()


# --- pass 1: boneyard and notes -------------------------------------------------------------


def _cut_spans(
    lines: list[_Line], opener: str, closer: str, *, path: str, what: str, hint: str, stop_at_blank: bool
) -> list[tuple[_Line, list[str], bool]]:
    """Cut every opener...closer span out; return (line, cut texts, whether anything was cut).

    A span may run over several lines: the text before it and the text after it then form one
    line, numbered by the source line where that text starts.
    """
    out: list[tuple[_Line, list[str], bool]] = []
    i = 0
    n = len(lines)
    while i < n:
        current = lines[i]
        if opener not in current.text:
            out.append((current, [], False))
            i += 1
            continue
        cuts: list[str] = []
        pieces: list[str] = []
        start_no = current.no
        notes = list(current.notes)
        text = current.text
        pos = 0
        while True:
            begin = text.find(opener, pos)
            if begin < 0:
                pieces.append(text[pos:])
                break
            pieces.append(text[pos:begin])
            close = text.find(closer, begin + len(opener))
            if close >= 0:
                cuts.append(text[begin + len(opener) : close])
                pos = close + len(closer)
                continue
            open_no = lines[i].no
            body = [text[begin + len(opener) :]]
            j = i + 1
            while True:
                if j >= n:
                    raise FountainSyntaxError(
                        path, f"{what} opened here with '{opener}' is never closed", line=open_no, hint=hint
                    )
                following = lines[j].text
                if stop_at_blank and not following.strip() and "  " not in following:
                    raise FountainSyntaxError(
                        path,
                        f"{what} opened here with '{opener}' is not closed before the blank line on line {lines[j].no}",
                        line=open_no,
                        hint=hint,
                    )
                close = following.find(closer)
                if close >= 0:
                    body.append(following[:close])
                    break
                body.append(following)
                j += 1
            cuts.append("\n".join(body))
            if not "".join(pieces).strip():
                # Nothing came before the span, so what follows it is where this line starts.
                start_no = lines[j].no
            i = j
            text = following
            pos = close + len(closer)
        out.append((_Line(start_no, lines[i].end, "".join(pieces), notes), cuts, True))
        i += 1
    return out


def _strip_boneyard(lines: list[_Line], path: str) -> list[_Line]:
    kept: list[_Line] = []
    for line, _cuts, touched in _cut_spans(
        lines,
        "/*",
        "*/",
        path=path,
        what="boneyard",
        hint="close the boneyard with '*/' where the cut text ends",
        stop_at_blank=False,
    ):
        # A line the boneyard empties is gone, so the lines around it join up as the writer reads them.
        if touched and line.blank:
            continue
        kept.append(line)
    return kept


def _strip_notes(lines: list[_Line], path: str) -> list[_Line]:
    kept: list[_Line] = []
    pending: list[str] = []
    for line, cuts, touched in _cut_spans(
        lines,
        "[[",
        "]]",
        path=path,
        what="note",
        hint="close the note with ']]'; a note may not hold a blank line (put two spaces on it instead)",
        stop_at_blank=True,
    ):
        line.notes.extend(note.strip() for note in cuts if note.strip())
        if touched and line.blank:
            # A line holding only a note belongs to the paragraph around it; a note standing
            # alone between blank lines belongs to no element and is dropped.
            if kept and not kept[-1].blank:
                kept[-1].notes.extend(line.notes)
                kept[-1].end = line.end
            else:
                pending.extend(line.notes)
            continue
        if line.blank:
            pending = []
        elif pending:
            line.notes[:0] = pending
            pending = []
        kept.append(line)
    return kept


# --- pass 2: title page ----------------------------------------------------------------------

_TITLE_KEY = re.compile(r"[^\W\d_][\w \-]*")


def _title_entry(text: str) -> tuple[str, str] | None:
    """Split a ``Key: value`` line; None when the line is not one (indented lines never are)."""
    if text[:1].isspace():
        return None
    colon = min((i for i in (text.find(":"), text.find("：")) if i >= 0), default=-1)
    if colon < 0:
        return None
    key = text[:colon].rstrip()
    if not _TITLE_KEY.fullmatch(key):
        return None
    return key, text[colon + 1 :].strip()


def _title_page(lines: list[_Line]) -> tuple[dict[str, str], dict[str, int], int]:
    """Read ``Key: value`` lines at the very start; return the page, key lines and where the body starts."""
    i = 0
    while i < len(lines) and lines[i].blank:
        i += 1
    if i == len(lines):
        return {}, {}, 0
    first = _title_entry(lines[i].text)
    # "FADE IN:" or "CUT TO:" opening a script is not a title page; "TITLE: RAIN" with a value is.
    if first is None or (lines[i].text.isupper() and not first[1]) or _is_transition(lines[i].text.strip()):
        return {}, {}, 0
    page: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    key = ""
    while i < len(lines) and not lines[i].blank:
        text = lines[i].text
        entry = _title_entry(text)
        if entry is not None:
            key, value = entry
            if key in page:
                page[key] = f"{page[key]}\n{value}" if value else page[key]
            else:
                page[key] = value
                key_lines[key] = lines[i].no
        else:
            # Values continue on lines indented under their key (the spec asks for three spaces
            # or a tab; we take any line of the block that is not a new key).
            value = text.strip()
            page[key] = f"{page[key]}\n{value}" if page[key] else value
        i += 1
    return page, key_lines, i


# --- pass 3: the body ------------------------------------------------------------------------

_HEADING = re.compile(r"(?:int\.?/ext|ext\.?/int|i/e|int|ext|est)[.\s]", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"[\w.\-]+")
_PAGE_BREAK = re.compile(r"={3,}")
_EXTENSIONS = re.compile(r"(?:\s*\([^()]*\))+\s*")
_EXTENSION = re.compile(r"\(([^()]*)\)")

_FULL_WIDTH_PARENS = str.maketrans("（）", "()")
_SPEECH = (ElementType.DIALOGUE, ElementType.PARENTHETICAL, ElementType.LYRICS)


def _is_transition(s: str) -> bool:
    return s.isupper() and s.endswith("TO:")


def _marker(s: str) -> ElementType | None:
    """The element a line is by its leading mark alone, wherever it stands (outside dialogue)."""
    if s.startswith("!"):
        return None
    if _PAGE_BREAK.fullmatch(s):
        return ElementType.PAGE_BREAK
    first = s[:1]
    if first == "#":
        return ElementType.SECTION
    if first == "=":
        return ElementType.SYNOPSIS
    if first == ">":
        return ElementType.CENTERED if s.endswith("<") and len(s) > 1 else ElementType.TRANSITION
    if first == "~":
        return ElementType.LYRICS
    return None


def _scene_number(text: str) -> tuple[str, str | None]:
    """Split a trailing scene number off a heading: ("INT. HOUSE - DAY", "1A") from "... #1A#"."""
    if text.endswith("#"):
        opening = text.rfind("#", 0, len(text) - 1)
        if opening >= 0 and _SCENE_NUMBER.fullmatch(text, opening + 1, len(text) - 1):
            return text[:opening].rstrip(), text[opening + 1 : -1]
    return text, None


def _character_cue(s: str) -> tuple[str, str | None, bool, bool] | None:
    """Return (name, extension, forced, dual) when the line reads as a character cue."""
    forced = s.startswith("@")
    body = s[1:] if forced else s
    dual = body.endswith("^")
    if dual:
        body = body[:-1].rstrip()
    # Chinese and Japanese writers type full-width parentheses: 林夏（画外音）.
    body = body.translate(_FULL_WIDTH_PARENS)
    paren = body.find("(")
    extension = None
    name = body
    if paren >= 0 and _EXTENSIONS.fullmatch(body, paren):
        name = body[:paren].strip()
        parts = [part.strip() for part in _EXTENSION.findall(body, paren)]
        extension = ", ".join(part for part in parts if part) or None
    name = name.strip()
    if not name:
        return None
    # str.isupper() needs at least one cased letter and no lower-case one: "R2D2" is a
    # character, "23" is not, and a CJK name (no case) must be forced with '@'. A line ending
    # in a colon ("FADE IN:", "CUT TO:") is a direction, never a name.
    if not forced and (not name.isupper() or name.endswith(":")):
        return None
    return name, extension, forced, dual


def _body(lines: list[_Line], start: int) -> list[Element]:
    elements: list[Element] = []
    n = len(lines)

    def blank_at(k: int) -> bool:
        return k < 0 or k >= n or lines[k].blank

    def add(kind: ElementType, text: str, first: int, last: int, **details: object) -> None:
        """Append an element made of lines[first..last], with the notes found in them."""
        notes = tuple(note for k in range(first, last + 1) for note in lines[k].notes)
        element = Element(kind, text, lines[first].no, lines[last].end, notes=notes, **details)  # type: ignore[arg-type]
        elements.append(element)

    def run(i: int, kind: ElementType) -> int:
        """Join consecutive centered or lyric lines into one element; return the next index."""
        j = i
        texts = []
        while j < n and not lines[j].blank:
            s = lines[j].text.strip()
            if kind is ElementType.LYRICS and s.startswith("~"):
                texts.append(s[1:].strip())
            elif kind is ElementType.CENTERED and _marker(s) is ElementType.CENTERED:
                texts.append(s[1:-1].strip())
            else:
                break
            j += 1
        add(kind, "\n".join(texts), i, j - 1)
        return j

    def action(i: int) -> int:
        j = i
        texts = []
        forced = lines[i].text.lstrip().startswith("!")
        while j < n and not lines[j].blank:
            text = lines[j].text.rstrip()
            s = text.lstrip()
            if j > i and _marker(s) is not None:
                break
            if s.startswith("!"):
                # Indentation is kept in action; only the forcing mark goes.
                cut = len(text) - len(s)
                text = text[:cut] + text[cut + 1 :]
            texts.append(text)
            j += 1
        add(ElementType.ACTION, "\n".join(texts), i, j - 1, forced=forced)
        return j

    def speech(i: int, cue: tuple[str, str | None, bool, bool]) -> int:
        name, extension, forced, dual = cue
        first = len(elements)
        cue_text = lines[i].text.strip()
        add(ElementType.CHARACTER, cue_text, i, i, name=name, extension=extension, forced=forced, dual=dual)
        buffer: list[int] = []
        texts: list[str] = []

        def flush() -> None:
            while texts and not texts[-1]:
                texts.pop()
                buffer.pop()
            if texts:
                add(ElementType.DIALOGUE, "\n".join(texts), buffer[0], buffer[-1], dual=dual)
            buffer.clear()
            texts.clear()

        j = i + 1
        while j < n:
            current = lines[j]
            if current.blank:
                # Two spaces on an otherwise empty line keep the speech going (spec: line breaks).
                if "  " in current.text and not blank_at(j + 1):
                    if texts:
                        buffer.append(j)
                        texts.append("")
                    j += 1
                    continue
                break
            s = current.text.strip()
            if s[:1] in "(（" and s[-1:] in ")）":
                flush()
                add(ElementType.PARENTHETICAL, s, j, j, dual=dual)
            elif s.startswith("~"):
                flush()
                add(ElementType.LYRICS, s[1:].strip(), j, j, dual=dual)
            else:
                buffer.append(j)
                texts.append(s)
            j += 1
        flush()

        if dual:
            # The caret marks the second speaker; the speech just before it is the first half.
            k = first - 1
            while k >= 0 and elements[k].type in _SPEECH:
                k -= 1
            if k >= 0 and elements[k].type is ElementType.CHARACTER:
                for m in range(k, first):
                    elements[m] = replace(elements[m], dual=True)
        return j

    i = start
    while i < n:
        if lines[i].blank:
            i += 1
            continue
        s = lines[i].text.strip()
        kind = _marker(s)
        if s.startswith("!"):
            i = action(i)
            continue
        if kind in (ElementType.CENTERED, ElementType.LYRICS):
            i = run(i, kind)
            continue
        if kind is ElementType.PAGE_BREAK:
            add(kind, "", i, i)
        elif kind is ElementType.SECTION:
            depth = len(s) - len(s.lstrip("#"))
            add(kind, s[depth:].strip(), i, i, depth=depth)
        elif kind is ElementType.SYNOPSIS:
            add(kind, s[1:].strip(), i, i)
        elif kind is ElementType.TRANSITION:
            add(kind, s[1:].strip(), i, i, forced=True)
        else:
            prev_blank = blank_at(i - 1)
            next_blank = blank_at(i + 1)
            if prev_blank and s.startswith(".") and s[1:2].isalnum():
                text, number = _scene_number(s[1:].strip())
                add(ElementType.SCENE_HEADING, text, i, i, scene_number=number, forced=True)
            elif prev_blank and _HEADING.match(s):
                if not next_blank:
                    # Not a heading without the blank line after it, and surely not a character
                    # named "INT. KITCHEN": read it as action so the writer sees it unformatted.
                    i = action(i)
                    continue
                text, number = _scene_number(s)
                add(ElementType.SCENE_HEADING, text, i, i, scene_number=number)
            elif prev_blank and next_blank and _is_transition(s):
                add(ElementType.TRANSITION, s, i, i)
            elif prev_blank and not next_blank and (cue := _character_cue(s)) is not None:
                i = speech(i, cue)
                continue
            else:
                i = action(i)
                continue
        i += 1
    return elements


def parse_fountain(text: str, path: str = "<text>") -> FountainDocument:
    """Parse Fountain 1.1 text; every element keeps the 1-based source line where it starts."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [_Line(no, no, raw) for no, raw in enumerate(text.split("\n"), start=1)]
    lines = _strip_notes(_strip_boneyard(lines, path), path)
    page, key_lines, start = _title_page(lines)
    return FountainDocument(title_page=page, title_page_lines=key_lines, elements=_body(lines, start))


# --- emphasis --------------------------------------------------------------------------------

_ESCAPED = {"\\*": "\ue000", "\\_": "\ue001"}
_EMPHASIS = [
    re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*"),
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"),
    re.compile(r"_(?=\S)(.+?)(?<=\S)_"),
]


def plain(text: str) -> str:
    """Strip emphasis markup (``*italic*``, ``**bold**``, ``***both***``, ``_underline_``); ``\\*`` stays ``*``.

    Emphasis never spans a line break, and a mark with a space on its inner side is not
    emphasis ("He dialed *69 and then *23" keeps both asterisks), as the spec says.
    """
    for escaped, placeholder in _ESCAPED.items():
        text = text.replace(escaped, placeholder)
    out = []
    for line in text.split("\n"):
        for pattern in _EMPHASIS:
            line = pattern.sub(r"\1", line)
        out.append(line)
    text = "\n".join(out)
    for escaped, placeholder in _ESCAPED.items():
        text = text.replace(placeholder, escaped[1])
    return text
