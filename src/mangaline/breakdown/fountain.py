"""A Fountain 1.1 parser that keeps, for every element, the line of the source it came from.

The spec (fountain.io/syntax) is followed rule by rule. Where it leaves a choice open, the
reading the established parsers share (afterwriting, jouvence, screenplain, Fountain.js and
the reference Objective-C parser) is taken; each choice is written next to the code and in
docs/fountain.md. Parsing never fails: markup that cannot be read as markup stays the text it
is, and the document's ``warnings`` name its line. Three linear passes:

1. boneyard ``/* ... */`` is cut out (a line it empties becomes a gap: a blank line between
   elements, skipped inside a speech), then notes ``[[ ... ]]`` are cut out and kept with the
   line they sit in;
2. the title page (``Key: value`` lines at the very start, with at least one known key) is read;
3. the body is read element by element, looking one line back and one line ahead for the
   blank lines that make scene headings, characters and transitions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

__all__ = ["ElementType", "Element", "FountainDocument", "TITLE_KEYS", "parse_fountain", "plain"]


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
    """A parsed screenplay: the title page, the body's elements in order, and what was read as plain text.

    Title page keys are kept as the writer spelled them; ``title_value`` finds one in any case.
    ``warnings`` are one line each, ``path:line: what was read literally or set aside``.
    """

    title_page: dict[str, str] = field(default_factory=dict)
    title_page_lines: dict[str, int] = field(default_factory=dict)
    elements: list[Element] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def title_value(self, key: str) -> str:
        """The title page's value for ``key`` however it is cased ("Title", "title:", "TITLE"); "" when absent."""
        wanted = _fold_key(key)
        return next((value for spelled, value in self.title_page.items() if _fold_key(spelled) == wanted), "")


@dataclass
class _Line:
    """A line of the source once boneyard and notes are cut; ``no`` is its first source line.

    A ``gap`` is a line the boneyard emptied: a blank line between elements, skipped inside a speech.
    """

    no: int
    end: int
    text: str
    notes: list[str] = field(default_factory=list)
    gap: bool = False

    @property
    def blank(self) -> bool:
        return not self.text.strip()


_Warn = Callable[[int, str], None]


# --- pass 1: boneyard and notes -------------------------------------------------------------


def _note_break(text: str) -> bool:
    """A blank line ends a note, unless it holds two spaces (the spec's way to keep one going)."""
    return not text.strip() and "  " not in text


def _reach(lines: list[_Line], closer: str, *, stop_at_blank: bool) -> list[tuple[int, int] | None]:
    """For each line, the furthest closer a span opened on it can end at: (line index, column), or None.

    One backward pass, so that finding no closer costs nothing however many openers are stray.
    """
    reach: list[tuple[int, int] | None] = [None] * len(lines)
    furthest: tuple[int, int] | None = None
    for k in range(len(lines) - 1, -1, -1):
        text = lines[k].text
        if stop_at_blank and _note_break(text):
            furthest = None
            continue
        if furthest is None and (column := text.rfind(closer)) >= 0:
            furthest = (k, column)
        reach[k] = furthest
    return reach


def _cut_spans(
    lines: list[_Line], opener: str, closer: str, *, stop_at_blank: bool, stray: Callable[[int], None]
) -> list[tuple[_Line, list[str]]]:
    """Cut every opener...closer span out; return each resulting line with the texts cut from it.

    A span may run over several lines: the text before it and the text after it then form one
    line, numbered by the source line where that text starts. An opener that no closer answers
    (before a blank line, for notes) is left in the text, and ``stray`` is told its source line.
    """
    reach = _reach(lines, closer, stop_at_blank=stop_at_blank)
    out: list[tuple[_Line, list[str]]] = []
    i = 0
    n = len(lines)
    while i < n:
        current = lines[i]
        if opener not in current.text:
            out.append((current, []))
            i += 1
            continue
        cuts: list[str] = []
        pieces: list[str] = []
        start_no = current.no
        text = current.text
        pos = 0
        while True:
            begin = text.find(opener, pos)
            if begin < 0:
                pieces.append(text[pos:])
                break
            furthest = reach[i]
            if furthest is None or furthest < (i, begin + len(opener)):
                stray(lines[i].no)
                pieces.append(text[pos : begin + len(opener)])
                pos = begin + len(opener)
                continue
            pieces.append(text[pos:begin])
            close = text.find(closer, begin + len(opener))
            if close >= 0:
                cuts.append(text[begin + len(opener) : close])
                pos = close + len(closer)
                continue
            body = [text[begin + len(opener) :]]
            j = i + 1
            while (close := lines[j].text.find(closer)) < 0:  # reach promises a closer by line furthest[0]
                body.append(lines[j].text)
                j += 1
            body.append(lines[j].text[:close])
            cuts.append("\n".join(body))
            if not "".join(pieces).strip():
                # Nothing came before the span, so what follows it is where this line starts.
                start_no = lines[j].no
            i = j
            text = lines[j].text
            pos = close + len(closer)
        out.append((_Line(start_no, lines[i].end, "".join(pieces), list(current.notes)), cuts))
        i += 1
    return out


def _strip_boneyard(lines: list[_Line], warn: _Warn) -> list[_Line]:
    stray: list[int] = []
    kept: list[_Line] = []
    for line, cuts in _cut_spans(lines, "/*", "*/", stop_at_blank=False, stray=stray.append):
        if cuts and line.blank:
            # What the boneyard empties reads as a blank line (as in afterwriting and screenplain;
            # jouvence joins the lines around it instead): "CUT TO:", a cut-out line, then a
            # heading stay two elements.
            line.text = ""
            line.gap = True
        kept.append(line)
    if stray:
        # Every opener after the first stray one is stray too: no closer follows any of them.
        warn(stray[0], "'/*' is never closed by '*/', so it is read as text, as is every '/*' after it")
    return kept


def _strip_notes(lines: list[_Line], warn: _Warn) -> list[_Line]:
    stray: list[int] = []
    kept: list[_Line] = []
    pending: list[str] = []
    for line, cuts in _cut_spans(lines, "[[", "]]", stop_at_blank=True, stray=stray.append):
        line.notes.extend(note.strip() for note in cuts if note.strip())
        if cuts and line.blank:
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
    for no in dict.fromkeys(stray):
        warn(no, "'[[' is not closed by ']]' before the next blank line, so it is read as text "
                 "(a note may hold a blank line only as a line of two spaces)")
    return kept


# --- pass 2: title page ----------------------------------------------------------------------

TITLE_KEYS = frozenset({
    # the spec's set, and the keys afterwriting, Fountain.js, Beat, Highland and Slugline write
    "title", "credit", "author", "authors", "source", "draft date", "date", "contact", "contact info",
    "copyright", "notes", "revision", "watermark", "font", "episode", "writer", "writers", "written by",
    # Chinese and Japanese writers' own words for them
    "标题", "片名", "剧名", "作者", "编剧", "原作", "日期", "联系", "联系方式", "版权", "备注", "版本",
    "タイトル", "題名", "脚本", "日付", "連絡先", "著作権", "備考",
})
"""Keys a title page is known by (compared case-insensitively); a block of ``Key: value`` lines at the
start is a title page only when it holds one of them."""

_CUSTOM_KEY = re.compile(r"[^\W\d_][\w'’.\-]*(?: [\w'’.\-]+){0,2}")
_CUSTOM_KEY_MAX = 30


def _fold_key(key: str) -> str:
    return " ".join(key.split()).casefold()


def _title_entry(text: str) -> tuple[str, str, bool] | None:
    """Split a ``Key: value`` line into key, value and whether the key is a known one.

    None when the line is not one: indented lines never are (they continue a value), nor is a
    line whose "key" is more than three words or longer than a key would be ("Steel enters the
    code on the keypad: 9765" is action), nor a custom key without any cased letter (a Chinese
    "林夏：你好。" is a line of dialogue, not a key).
    """
    if text[:1].isspace():
        return None
    colon = min((i for i in (text.find(":"), text.find("：")) if i >= 0), default=-1)
    if colon < 0:
        return None
    key = text[:colon].rstrip()
    value = text[colon + 1 :].strip()
    if _fold_key(key) in TITLE_KEYS:
        return key, value, True
    if len(key) <= _CUSTOM_KEY_MAX and _CUSTOM_KEY.fullmatch(key) and any(c.isupper() or c.islower() for c in key):
        return key, value, False
    return None


def _title_page(lines: list[_Line]) -> tuple[dict[str, str], dict[str, int], int]:
    """Read ``Key: value`` lines at the very start; return the page, key lines and where the body starts.

    The page is the first block of lines (up to a blank line). It is a title page when it opens
    with a key line and holds a known key (TITLE_KEYS), as afterwriting and Fountain.js require;
    other keys on it are kept as the writer spelled them. A custom key with no value cannot open
    a page: "FADE IN:" and "CUT TO:" open a script.
    """
    i = 0
    while i < len(lines) and lines[i].blank:
        i += 1
    if i == len(lines):
        return {}, {}, 0
    first = _title_entry(lines[i].text)
    if first is None or (not first[2] and not first[1]):
        return {}, {}, 0
    page: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    spelled: dict[str, str] = {}  # folded key -> the spelling it was first given
    known = False
    key = ""
    while i < len(lines) and not (lines[i].blank and not lines[i].gap):
        if lines[i].gap:
            i += 1
            continue
        text = lines[i].text
        entry = _title_entry(text)
        if entry is not None:
            written, value, is_known = entry
            known = known or is_known
            # Keys are case-insensitive: "title:" and "Title:" are one entry, spelled as first written.
            key = spelled.setdefault(_fold_key(written), written)
            if key in page:
                page[key] = f"{page[key]}\n{value}" if value else page[key]
            else:
                page[key] = value
                key_lines[key] = lines[i].no
        else:
            # Values continue on lines indented under their key (the spec asks for three spaces
            # or a tab; like afterwriting and the reference parser we take any line of the block).
            value = text.strip()
            page[key] = f"{page[key]}\n{value}" if page[key] else value
        i += 1
    if not known:
        return {}, {}, 0
    return page, key_lines, i


# --- pass 3: the body ------------------------------------------------------------------------

_HEADING = re.compile(r"(?:int\.?/ext|ext\.?/int|i\.?/e|int|ext|est)[.\s]", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"[\w.\-]+")
_PAGE_BREAK = re.compile(r"={3,}")
_EXTENSIONS = re.compile(r"(?:\s*\([^()]*\))+\s*")
_EXTENSION = re.compile(r"\(([^()]*)\)")

_FULL_WIDTH_PARENS = str.maketrans("（）", "()")
_SPEECH = (ElementType.DIALOGUE, ElementType.PARENTHETICAL, ElementType.LYRICS)


def _forced_heading(s: str) -> bool:
    """Whether a line is a heading forced with a leading dot and a letter or digit after it (".SNIPER SCOPE POV"; an
    ellipsis is not)."""
    return s.startswith(".") and s[1:2].isalnum()


def _is_transition(s: str) -> bool:
    return s.isupper() and s.endswith("TO:")


def _marker(s: str) -> ElementType | None:
    """The element a line is by its leading mark alone, where a paragraph opens (outside dialogue)."""
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
    # Chinese and Japanese writers type full-width parentheses: 林夏（画外音）.
    body = (s[1:] if forced else s).translate(_FULL_WIDTH_PARENS).strip()
    dual = body.endswith("^")
    if dual:
        body = body[:-1].rstrip()
    paren = body.find("(")
    extension = None
    name = body
    if paren >= 0 and _EXTENSIONS.fullmatch(body, paren):
        name = body[:paren].strip()
        parts = [part.strip() for part in _EXTENSION.findall(body, paren)]
        extension = ", ".join(part for part in parts if part) or None
    if name.endswith("^"):
        # "STEEL ^ (V.O.)": the caret may stand before the extension too.
        dual = True
        name = name[:-1]
    name = name.strip()
    if not name:
        return None
    # str.isupper() needs at least one cased letter and no lower-case one: "R2D2" is a
    # character, "23" is not, and a CJK name (no case) must be forced with '@'. A line ending
    # in a colon ("FADE IN:", "CUT TO:") is a direction, never a name.
    if not forced and (not name.isupper() or name.endswith(":")):
        return None
    return name, extension, forced, dual


def _body(lines: list[_Line], start: int, warn: _Warn) -> list[Element]:
    elements: list[Element] = []
    n = len(lines)

    def blank_at(k: int) -> bool:
        return k < 0 or k >= n or lines[k].blank

    def past_gaps(k: int) -> int:
        while k < n and lines[k].gap:
            k += 1
        return k

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
        """An action paragraph runs to the next blank line.

        A line marked as a section, synopsis, transition, lyric or centred text inside it is
        action text ("#1 SEED", "> rm -rf"), as in jouvence and screenplain: marks count only
        in a paragraph of marked lines. A page break ("===", a line of nothing else) still ends it.
        """
        j = i
        texts = []
        forced = lines[i].text.lstrip().startswith("!")
        while j < n and not lines[j].blank:
            text = lines[j].text.rstrip()
            s = text.lstrip()
            if j > i and _PAGE_BREAK.fullmatch(s):
                break
            if (j > i or not forced) and s.isupper() and _HEADING.match(s):
                # the commonest slip (FADE IN: right over INT. HOUSE - DAY, or no blank line after a heading): the
                # spec reads it as action, and so does the parser, but the writer is told
                where = "with no blank line after it" if j == i else "inside a paragraph of action"
                warn(lines[j].no, f"{s!r} looks like a scene heading but stands {where}: read as action; "
                                  "put a blank line before and after a scene heading")
            if s.startswith("!"):
                # Indentation is kept in action; only the forcing mark goes.
                cut = len(text) - len(s)
                text = text[:cut] + text[cut + 1 :]
            texts.append(text)
            j += 1
        add(ElementType.ACTION, "\n".join(texts), i, j - 1, forced=forced)
        return j

    def previous_speech() -> int | None:
        """The index of the cue whose speech ends just before the next element, if one does."""
        k = len(elements) - 1
        while k >= 0 and elements[k].type in _SPEECH:
            k -= 1
        return k if k >= 0 and elements[k].type is ElementType.CHARACTER else None

    def speech(i: int, cue: tuple[str, str | None, bool, bool]) -> int:
        name, extension, forced, dual = cue
        partner = previous_speech() if dual else None
        if dual and partner is None:
            # The caret marks the second of two speeches side by side; alone it asks for nothing.
            warn(lines[i].no, f"the caret (^) on {name} asks for dual dialogue, but no speech comes right before it: "
                              "read as a speech of its own")
            dual = False
        elif partner is not None and elements[partner].dual:
            warn(lines[i].no, f"the caret (^) on {name} asks for dual dialogue, but the speech before it already "
                              "shares the screen with another: read as a speech of its own")
            dual = False
            partner = None
        add(ElementType.CHARACTER, lines[i].text.strip(), i, i, name=name, extension=extension, forced=forced, dual=dual)
        buffer: list[int] = []
        texts: list[str] = []
        kind = ElementType.DIALOGUE

        def flush() -> None:
            while texts and not texts[-1]:
                texts.pop()
                buffer.pop()
            if texts:
                add(kind, "\n".join(texts), buffer[0], buffer[-1], dual=dual)
            buffer.clear()
            texts.clear()

        j = i + 1
        while j < n:
            current = lines[j]
            if current.gap:
                # The boneyard cut a line out of the speech; the speech reads on past it.
                j += 1
                continue
            if current.blank:
                # Two spaces on an otherwise empty line keep the speech going (spec: line breaks); any other
                # blank line ends it, three spaces or a tab too, as afterwriting and fountain-js read it.
                if current.text == "  " and not blank_at(j + 1):
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
            else:
                # Lyric lines in a run are one element, in a speech as outside one.
                line_kind = ElementType.LYRICS if s.startswith("~") else ElementType.DIALOGUE
                if line_kind is not kind:
                    flush()
                    kind = line_kind
                buffer.append(j)
                texts.append(s[1:].strip() if line_kind is ElementType.LYRICS else s)
            j += 1
        flush()

        if partner is not None:
            # The caret marks the second speaker; the speech just before it is the first half.
            for m in range(partner, len(elements)):
                elements[m] = replace(elements[m], dual=True)
        return j

    def marked_until(i: int) -> int | None:
        """Where the paragraph opening at i ends when every line of it is marked; None when one is not.

        A paragraph is read by its marks only when all its lines carry one ("# ACT I" over
        "= synopsis"); one unmarked line makes it action, marks and all ("#1 SEED" over a line of
        prose), as jouvence and screenplain read it. A page break ends the paragraph either way.
        """
        k = i
        while k < n and not lines[k].blank:
            s = lines[k].text.strip()
            if k > i and _PAGE_BREAK.fullmatch(s):
                break
            if _marker(s) is None:
                return None
            k += 1
        return k

    def opens_scene(k: int) -> bool:
        """Whether line k is a scene heading, as a line after a blank would be."""
        s = lines[k].text.strip() if k < n else ""
        return bool(_HEADING.match(s)) or _forced_heading(s)

    i = start
    marked = -1  # lines before this index, from where a marked paragraph opened, are known to be marked
    opened: set[int] = set()  # headings a section or synopsis line right above them opens a paragraph for
    while i < n:
        if lines[i].blank:
            i += 1
            continue
        s = lines[i].text.strip()
        if s.startswith("!"):
            i = action(i)
            continue
        if _PAGE_BREAK.fullmatch(s):
            add(ElementType.PAGE_BREAK, "", i, i)
            i += 1
            continue
        # a page break ends the paragraph it stands in: the line after it opens one, as after a blank line
        prev_blank = blank_at(i - 1) or i in opened or bool(_PAGE_BREAK.fullmatch(lines[i - 1].text.strip()))
        kind = _marker(s)
        if kind is not None and i >= marked:
            end = marked_until(i) if prev_blank else None
            if end is None and prev_blank and kind in (ElementType.SECTION, ElementType.SYNOPSIS) and opens_scene(i + 1):
                # "# EPISODE 2" right over "EXT. ROAD - NIGHT": the section, then the scene it opens (as the spec,
                # the reference parser and afterwriting read it); over a line of prose it is still action
                end = i + 1
                opened.add(i + 1)
            if end is None:
                i = action(i)
                continue
            marked = end
        if kind in (ElementType.CENTERED, ElementType.LYRICS):
            i = run(i, kind)
            continue
        if kind is not None:
            if kind is ElementType.SECTION:
                depth = len(s) - len(s.lstrip("#"))
                add(kind, s[depth:].strip(), i, i, depth=depth)
            elif kind is ElementType.SYNOPSIS:
                add(kind, s[1:].strip(), i, i)
            else:
                add(kind, s[1:].strip(), i, i, forced=True)
            i += 1
            continue
        next_blank = blank_at(i + 1)
        if prev_blank and _forced_heading(s):
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
        elif prev_blank and not blank_at(past_gaps(i + 1)) and (cue := _character_cue(s)) is not None:
            i = speech(i, cue)
            continue
        else:
            i = action(i)
            continue
        i += 1
    return elements


_WARNINGS_MAX = 20


def parse_fountain(text: str, path: str = "<text>") -> FountainDocument:
    """Parse Fountain 1.1 text; every element keeps the 1-based source line where it starts.

    Never raises: what cannot be read as markup stays text, with a warning in ``warnings``.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[tuple[int, str]] = []

    def warn(line: int, message: str) -> None:
        warnings.append((line, message))

    lines = [_Line(no, no, raw) for no, raw in enumerate(text.split("\n"), start=1)]
    lines = _strip_notes(_strip_boneyard(lines, warn), warn)
    page, key_lines, start = _title_page(lines)
    elements = _body(lines, start, warn)
    warnings.sort(key=lambda item: item[0])
    said = [f"{path}:{line}: {message}" for line, message in warnings[:_WARNINGS_MAX]]
    if len(warnings) > _WARNINGS_MAX:
        said.append(f"{path}: and {len(warnings) - _WARNINGS_MAX} more warnings like these, "
                    f"the last on line {warnings[-1][0]}")
    return FountainDocument(title_page=page, title_page_lines=key_lines, elements=elements, warnings=said)


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
