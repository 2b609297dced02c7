"""Reading every input format a writer hands us: plain text and Markdown streamed line by line, .docx and .epub unzipped, .fdx read as screenplay elements."""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree
from xml.parsers import expat

from ..errors import InputEncodingError, ScriptError
from .fountain import Element, ElementType, FountainDocument
from .textio import DEFAULT_MAX_BYTES, _decode, checked_size, detect_language, read_capped

__all__ = [
    "ARCHIVE_MAX_BYTES",
    "FDX_MAX_BYTES",
    "PROSE_MAX_BYTES",
    "ProseSource",
    "SourceLine",
    "open_prose",
    "read_fdx",
    "source_kind",
]

# Reading prose is quick (about 3 s a MB); writing what it becomes is slower: every line of dialogue
# is a shot in the script's YAML, about 14 MB of it per MB of a dialogue-heavy novel. A megabyte
# (about 170,000 English words or 330,000 Chinese characters) makes its project in about 17 s on a
# two-core machine (benchmarks/input_limits.py), so `mangaline new` ends well within a minute even
# on a slower one; a longer book is made as volumes, one project each.
PROSE_MAX_BYTES = 1_000_000
_PROSE_HINT = "split the book into volumes of up to 1 MB of text (about 170,000 English words) and make a project of each"

# A .docx or .epub also carries its pictures and fonts; only the text's parts are unpacked, within
# what the text may be (markup included, ZIP_MARKUP times the prose limit).
ARCHIVE_MAX_BYTES = 64_000_000
_ZIP_MARKUP = 16
# Text and its markup pack about tenfold; a part that unpacks past this many times is a zip bomb.
_ZIP_MAX_RATIO = 100

# Bytes read up front to choose the encoding and the language; the rest is decoded as it streams.
_SAMPLE_BYTES = 256_000
_LANGUAGE_SAMPLE_CHARS = 20_000

_FOUNTAIN_SUFFIXES = {".fountain", ".spmd"}
_PROSE_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".docx", ".epub"}
_HEADING_LINE = re.compile(r"^(?:\.[^.\s]|(?:INT|EXT|EST|INT\.?/EXT|EXT\.?/INT|I/E)[.\s]|(?:内景|外景|內景)[\s.:：])", re.IGNORECASE)


@dataclass(frozen=True)
class SourceLine:
    """One line of the source text: its 1-based number, the offset of its first character, its text (no newline)."""

    number: int
    start: int
    text: str


@dataclass
class ProseSource:
    """A prose file opened for streaming: its encoding, hash and language, and its lines on demand."""

    path: Path
    encoding: str
    sha256: str
    language: str
    max_bytes: int = PROSE_MAX_BYTES
    _text: str | None = field(default=None, repr=False)  # extracted text of a .docx / .epub

    def lines(self) -> Iterator[SourceLine]:
        """Yield the lines in order; plain text is decoded incrementally, never read whole nor past max_bytes."""
        if self._text is not None:
            yield from _numbered(self._text.split("\n"))
            return
        where = str(self.path)
        number = 0
        offset = 0
        try:
            with io.TextIOWrapper(io.BufferedReader(_Capped(self.path, self.max_bytes)), encoding=self.encoding, newline=None) as handle:
                for raw in handle:
                    number += 1
                    text = raw.removesuffix("\n")
                    if number == 1:
                        text = text.removeprefix("\ufeff")
                    yield SourceLine(number, offset, text)
                    offset += len(text) + 1
        except UnicodeDecodeError:
            line, byte = _first_bad_byte(self.path, self.encoding, self.max_bytes)
            raise InputEncodingError(
                where,
                f"the text stops being valid {self.encoding.upper()} at byte {byte}, on this line",
                line=line,
                hint="fix or delete the character there in a text editor and save the file as UTF-8",
            ) from None


class _Capped(io.RawIOBase):
    """A file read as bytes that stops with a ScriptError once more than ``max_bytes`` have come out of it."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        super().__init__()
        self._path = path
        self._handle = open(path, "rb")
        self._left = max_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._handle.readinto(buffer) or 0
        self._left -= count
        if self._left < 0:
            raise ScriptError(str(self._path), "the file grew past its size limit while it was read", hint=_PROSE_HINT)
        return count

    def close(self) -> None:
        self._handle.close()
        super().close()


def _first_bad_byte(path: Path, encoding: str, max_bytes: int) -> tuple[int, int]:
    """The 1-based line and the 0-based offset of the first byte that does not decode (the text reader buffers ahead)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    offset = 0
    with open(path, "rb") as handle:
        while offset <= max_bytes:
            block = handle.read(1 << 16)
            if not block:
                break
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                start = max(0, exc.start)
                return lines + block.count(b"\n", 0, start) + 1, offset + start
            lines += block.count(b"\n")
            offset += len(block)
    return lines + 1, offset


def _numbered(texts: list[str]) -> Iterator[SourceLine]:
    offset = 0
    for number, text in enumerate(texts, start=1):
        yield SourceLine(number, offset, text)
        offset += len(text) + 1


def source_kind(path: Path) -> str:
    """"fountain", "fdx" or "prose": by extension, and for plain text by whether it reads as a screenplay."""
    suffix = path.suffix.lower()
    if suffix in _FOUNTAIN_SUFFIXES:
        return "fountain"
    if suffix == ".fdx":
        return "fdx"
    if suffix in (".docx", ".epub", ".md", ".markdown"):
        return "prose"
    if suffix in (".txt", ".text"):
        if not path.is_file():
            return "fountain"  # read_source says what it is instead (a pipe would block the open below)
        try:
            with open(path, "rb") as handle:
                sample = handle.read(_SAMPLE_BYTES)
        except OSError:
            return "fountain"  # read_source reports the problem with the file's name
        try:
            text, _ = _decode(_whole_lines(sample, len(sample) == _SAMPLE_BYTES), str(path))
        except ScriptError:
            return "fountain"
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        # A scene heading stands alone between blank lines; prose never opens a line with "INT.".
        for i, line in enumerate(lines):
            before_blank = i == 0 or not lines[i - 1].strip()
            after_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
            if before_blank and after_blank and _HEADING_LINE.match(line.strip()):
                return "fountain"
        return "prose"
    # Anything else is read as Fountain, whose reader refuses binaries with a clear message.
    return "fountain"


def _whole_lines(sample: bytes, truncated: bool) -> bytes:
    """Cut a sample back to its last newline so no multi-byte character is split."""
    if truncated and b"\n" in sample:
        return sample[: sample.rindex(b"\n") + 1]
    return sample


def _stat(path: Path, max_bytes: int) -> int:
    where = str(path)
    size = checked_size(path, max_bytes, limit="limit for prose", hint=_PROSE_HINT)
    if size == 0:
        raise ScriptError(where, "the file is empty", hint="write the story into it, then run again")
    return size


def _file_sha256(path: Path, max_bytes: int) -> str:
    """The file's hash, read in blocks up to ``max_bytes``: a file that grew past its size is refused, not read on."""
    digest = hashlib.sha256()
    try:
        with _Capped(path, max_bytes) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ScriptError(str(path), f"the file cannot be read ({exc.strerror})") from None
    return digest.hexdigest()


def open_prose(path: Path, *, max_bytes: int = PROSE_MAX_BYTES) -> ProseSource:
    """Open a story (.txt, .md, .docx, .epub) for streaming: encoding and language from its opening."""
    path = Path(path)
    where = str(path)
    suffix = path.suffix.lower()
    if suffix in (".docx", ".epub"):
        _stat(path, max(max_bytes, ARCHIVE_MAX_BYTES))
        sha = _file_sha256(path, max(max_bytes, ARCHIVE_MAX_BYTES))
        unpacked = _Unpacked(max_bytes * _ZIP_MARKUP)
        text = _read_docx(path, unpacked) if suffix == ".docx" else _read_epub(path, unpacked)
        if not text.strip():
            raise ScriptError(where, "the document holds no text", hint="check that the story is in the body of the document")
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            raise ScriptError(where, f"the document holds {size / 1_000_000:.1f} MB of text, over the "
                                     f"{max_bytes / 1_000_000:.1f} MB limit for prose", hint=_PROSE_HINT)
        return ProseSource(path=path, encoding="utf-8", sha256=sha, language=detect_language(text[:_LANGUAGE_SAMPLE_CHARS]),
                           max_bytes=max_bytes, _text=text)
    _stat(path, max_bytes)
    sha = _file_sha256(path, max_bytes)
    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    truncated = len(sample) == _SAMPLE_BYTES
    text, encoding = _decode(_whole_lines(sample, truncated), where)
    if not text.strip():
        raise ScriptError(where, "the file is empty", hint="write the story into it, then run again")
    if encoding == "utf-8" and sample.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    return ProseSource(path=path, encoding=encoding, sha256=sha, language=detect_language(text[:_LANGUAGE_SAMPLE_CHARS]),
                       max_bytes=max_bytes)


# --- .docx -----------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class _Unpacked:
    """What the parts of one archive may unpack to, all together, and what they have so far."""

    limit: int
    used: int = 0


def _zip_member(archive: zipfile.ZipFile, name: str, where: str, unpacked: _Unpacked) -> bytes:
    """One part of a .docx or .epub, refused unread when its header says it is a zip bomb, and never read past what is left."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ScriptError(where, f"the document has no {name}", hint="save it again from the word processor") from None
    if info.file_size > 1_000_000 and info.file_size > _ZIP_MAX_RATIO * max(info.compress_size, 1):
        raise InputEncodingError(
            where, f"{name} unpacks {info.compress_size / 1_000:,.0f} KB into {info.file_size / 1_000_000:,.0f} MB, "
                   f"over {_ZIP_MAX_RATIO} times: refused as a zip bomb",
            hint="export the story as plain text (.txt) and use that",
        )
    left = unpacked.limit - unpacked.used
    too_much = ScriptError(where, f"{name} unpacks to more than the {unpacked.limit / 1_000_000:.0f} MB a story's text and markup may be",
                           hint=_PROSE_HINT)
    if info.file_size > left:
        raise too_much
    try:
        with archive.open(info) as member:
            raw = member.read(left + 1)  # the header's size may lie; the read does not trust it
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise InputEncodingError(where, f"{name} cannot be unpacked ({' '.join(str(exc).split())})",
                                 hint="the file is damaged: save it again from the word processor, or export the story as plain text") from None
    if len(raw) > left:
        raise too_much
    unpacked.used += len(raw)
    return raw


def _open_zip(path: Path, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise InputEncodingError(str(path), f"this is not a readable {what} (not a ZIP archive)",
                                 hint=f"save it again as {what}, or export the story as plain text") from None


def _parse_xml(raw: bytes, where: str, name: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise ScriptError(where, f"{name} is not well-formed XML ({exc})", line=exc.position[0]) from None


def _read_docx(path: Path, unpacked: _Unpacked) -> str:
    """The body's paragraphs, one per line; a paragraph styled as a heading becomes a Markdown heading."""
    where = str(path)
    with _open_zip(path, ".docx") as archive:
        root = _parse_xml(_zip_member(archive, "word/document.xml", where, unpacked), where, "word/document.xml")
    lines: list[str] = []
    for paragraph in root.iter(f"{_W}p"):
        pieces: list[str] = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t" and node.text:
                pieces.append(node.text)
            elif node.tag == f"{_W}tab":
                pieces.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                pieces.append("\n")
        text = "".join(pieces)
        style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        if style is not None and text.strip() and re.match(r"(?i)(heading|title)", style.get(f"{_W}val", "")):
            text = "# " + text.strip()
        lines.append(text)
    return "\n".join(lines)


# --- .epub -----------------------------------------------------------------------------------

_BLOCKS = {"p", "div", "br", "li", "tr", "blockquote", "section", "article", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "title"}


class _XhtmlText(HTMLParser):
    """Collect the readable text of an XHTML chapter: one line per block, headings marked '# '."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.in_body = False

    def _end_block(self) -> None:
        text = "".join(self.current).replace("\n", " ")
        self.current = []
        if text.strip():
            self.lines.append(text.strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in _BLOCKS:
            self._end_block()
            if tag in ("h1", "h2", "h3"):
                self.current.append("# ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)

    def text(self) -> list[str]:
        self._end_block()
        return [line for line in self.lines if line.strip("# ")]


def _read_epub(path: Path, unpacked: _Unpacked) -> str:
    """The spine's documents in reading order, a blank line between paragraphs."""
    where = str(path)
    with _open_zip(path, ".epub") as archive:
        container = _parse_xml(_zip_member(archive, "META-INF/container.xml", where, unpacked), where, "META-INF/container.xml")
        rootfile = next((node.get("full-path") for node in container.iter() if node.tag.endswith("rootfile")), None)
        if not rootfile:
            raise ScriptError(where, "META-INF/container.xml names no package document", hint="save the book again from the e-book editor")
        package = _parse_xml(_zip_member(archive, rootfile, where, unpacked), where, rootfile)
        base = PurePosixPath(rootfile).parent
        manifest = {
            node.get("id"): node.get("href")
            for node in package.iter()
            if node.tag.endswith("}item") or node.tag == "item"
        }
        paragraphs: list[str] = []
        for node in package.iter():
            if not (node.tag.endswith("}itemref") or node.tag == "itemref") or node.get("linear") == "no":
                continue
            href = manifest.get(node.get("idref"))
            if not href:
                raise ScriptError(where, f"the spine names {node.get('idref')!r}, which the manifest lacks")
            name = str(base / href) if str(base) != "." else href
            reader = _XhtmlText()
            reader.feed(_xhtml_text(_zip_member(archive, name, where, unpacked), where, name))
            reader.close()
            paragraphs.extend(reader.text())
    return "\n\n".join(paragraphs)


def _xhtml_text(raw: bytes, where: str, name: str) -> str:
    """An e-book chapter's text: UTF-8 (or UTF-16 with its mark), as EPUB requires; damage is named, not replaced."""
    encoding = "utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputEncodingError(where, f"{name} is not valid {encoding.removesuffix('-sig').upper()}: byte {exc.start} "
                                        f"(line {line} of that chapter) is not", hint="save the book again from the e-book editor") from None


# --- .fdx (Final Draft) ----------------------------------------------------------------------

# Final Draft wraps each paragraph of the screenplay in a few tags: allow four times a Fountain screenplay's limit.
FDX_MAX_BYTES = 4 * DEFAULT_MAX_BYTES

_FDX_TYPES = {
    "Scene Heading": ElementType.SCENE_HEADING,
    "Action": ElementType.ACTION,
    "General": ElementType.ACTION,
    "Shot": ElementType.ACTION,
    "Character": ElementType.CHARACTER,
    "Dialogue": ElementType.DIALOGUE,
    "Parenthetical": ElementType.PARENTHETICAL,
    "Transition": ElementType.TRANSITION,
    "Lyrics": ElementType.LYRICS,
}
_CUE = re.compile(r"^(.*?)\s*((?:[(（][^()（）]*[)）]\s*)+)$")


@dataclass
class _FdxParagraph:
    type: str
    line: int
    dual: bool
    title_page: bool
    texts: list[str] = field(default_factory=list)


def read_fdx(path: Path, *, max_bytes: int = FDX_MAX_BYTES) -> tuple[FountainDocument, str]:
    """Read a Final Draft screenplay into the elements a Fountain one gives; returns (document, sha256).

    Every element keeps the line of the FDX file where its <Paragraph> starts.
    """
    path = Path(path)
    where = str(path)
    raw = read_capped(path, max_bytes, limit="limit for a Final Draft screenplay", hint="split it into one file per episode")
    paragraphs: list[_FdxParagraph] = []
    stack: list[str] = []
    state = {"dual": 0, "title": 0, "text": 0}
    parser = expat.ParserCreate()

    roots: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if not roots:
            roots.append(tag)
        stack.append(tag)
        if tag == "DualDialogue":
            state["dual"] += 1
        elif tag == "TitlePage":
            state["title"] += 1
        elif tag == "Paragraph":
            paragraphs.append(_FdxParagraph(attrs.get("Type", "Action"), parser.CurrentLineNumber, state["dual"] > 0, state["title"] > 0))
        elif tag == "Text":
            state["text"] += 1

    def end(tag: str) -> None:
        stack.pop()
        if tag == "DualDialogue":
            state["dual"] -= 1
        elif tag == "TitlePage":
            state["title"] -= 1
        elif tag == "Text":
            state["text"] -= 1

    def data(text: str) -> None:
        if state["text"] and paragraphs and "Paragraph" in stack:
            paragraphs[-1].texts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        raise ScriptError(where, f"this is not well-formed Final Draft XML ({expat.errors.messages[exc.code]})", line=exc.lineno,
                          hint="open it in Final Draft (or another editor) and save it again") from None
    if roots != ["FinalDraft"]:
        raise ScriptError(where, "this XML is not a Final Draft document (no <FinalDraft> root)", hint="export the screenplay as .fdx or .fountain")

    title_page: dict[str, str] = {}
    elements: list[Element] = []
    for paragraph in paragraphs:
        text = "".join(paragraph.texts).strip()
        if not text:
            continue
        if paragraph.title_page:
            title_page.setdefault("Title", text)
            continue
        kind = _FDX_TYPES.get(paragraph.type)
        if kind is None:
            continue  # act breaks, cast lists and other layout paragraphs carry no story
        if kind is ElementType.CHARACTER:
            match = _CUE.match(text)
            name, extension = (match.group(1), ", ".join(re.findall(r"[(（]([^()（）]*)[)）]", match.group(2)))) if match else (text, None)
            elements.append(Element(kind, text, paragraph.line, paragraph.line, name=name.strip(), extension=extension or None,
                                    forced=True, dual=paragraph.dual))
        elif kind is ElementType.PARENTHETICAL:
            body = text if text.startswith(("(", "（")) else f"({text})"
            elements.append(Element(kind, body, paragraph.line, paragraph.line, dual=paragraph.dual))
        else:
            elements.append(Element(kind, text, paragraph.line, paragraph.line, forced=True, dual=paragraph.dual))
    return FountainDocument(title_page=title_page, elements=elements), hashlib.sha256(raw).hexdigest()
