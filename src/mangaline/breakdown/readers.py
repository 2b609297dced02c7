"""Reading every input format a writer hands us: plain text and Markdown streamed line by line, .docx and .epub unzipped, .fdx read as screenplay elements."""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree
from xml.parsers import expat

from ..errors import InputEncodingError, ScriptError
from .fountain import Element, ElementType, FountainDocument
from .textio import _decode, checked_size, detect_language

__all__ = [
    "PROSE_MAX_BYTES",
    "ProseSource",
    "SourceLine",
    "open_prose",
    "read_fdx",
    "source_kind",
]

# A long web novel runs to a few million characters (about 10 MB of UTF-8); 64 MB leaves room for
# the longest while still refusing a misplaced video. Prose is streamed, so the cap bounds disk
# reads and hashing time, not memory.
PROSE_MAX_BYTES = 64_000_000

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
    _text: str | None = field(default=None, repr=False)  # extracted text of a .docx / .epub

    def lines(self) -> Iterator[SourceLine]:
        """Yield the lines in order; plain text is decoded incrementally, never read whole."""
        if self._text is not None:
            yield from _numbered(self._text.split("\n"))
            return
        where = str(self.path)
        number = 0
        offset = 0
        try:
            with open(self.path, encoding=self.encoding, newline=None) as handle:
                for raw in handle:
                    number += 1
                    text = raw.removesuffix("\n")
                    if number == 1:
                        text = text.removeprefix("\ufeff")
                    yield SourceLine(number, offset, text)
                    offset += len(text) + 1
        except UnicodeDecodeError:
            bad = _first_bad_line(self.path, self.encoding)
            raise InputEncodingError(
                where,
                f"the text stops being valid {self.encoding.upper()} on this line",
                line=bad,
                hint="open it in a text editor and save it as UTF-8",
            ) from None


def _first_bad_line(path: Path, encoding: str) -> int:
    """The 1-based line holding the first byte that does not decode (the text reader buffers ahead)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return lines + block.count(b"\n", 0, max(0, exc.start)) + 1
            lines += block.count(b"\n")
    return lines + 1


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
    size = checked_size(
        path, max_bytes, limit="limit for prose", hint="split the book into volumes of a few million characters each"
    )
    if size == 0:
        raise ScriptError(where, "the file is empty", hint="write the story into it, then run again")
    return size


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_prose(path: Path, *, max_bytes: int = PROSE_MAX_BYTES) -> ProseSource:
    """Open a story (.txt, .md, .docx, .epub) for streaming: encoding and language from its opening."""
    path = Path(path)
    _stat(path, max_bytes)
    where = str(path)
    suffix = path.suffix.lower()
    sha = _file_sha256(path)
    if suffix in (".docx", ".epub"):
        text = _read_docx(path, max_bytes) if suffix == ".docx" else _read_epub(path, max_bytes)
        if not text.strip():
            raise ScriptError(where, "the document holds no text", hint="check that the story is in the body of the document")
        return ProseSource(path=path, encoding="utf-8", sha256=sha, language=detect_language(text[:_LANGUAGE_SAMPLE_CHARS]), _text=text)
    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    truncated = len(sample) == _SAMPLE_BYTES
    text, encoding = _decode(_whole_lines(sample, truncated), where)
    if not text.strip():
        raise ScriptError(where, "the file is empty", hint="write the story into it, then run again")
    if encoding == "utf-8" and sample.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    return ProseSource(path=path, encoding=encoding, sha256=sha, language=detect_language(text[:_LANGUAGE_SAMPLE_CHARS]))


# --- .docx -----------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _zip_member(archive: zipfile.ZipFile, name: str, where: str, max_bytes: int) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ScriptError(where, f"the document has no {name}", hint="save it again from the word processor") from None
    # The uncompressed size is checked before reading, so a zip bomb is refused unread.
    if info.file_size > 4 * max_bytes:
        raise ScriptError(where, f"{name} unpacks to {info.file_size / 1_000_000:.0f} MB, too large for a story")
    return archive.read(info)


def _open_zip(path: Path, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise InputEncodingError(str(path), f"this is not a readable {what} (not a ZIP archive)",
                                 hint=f"save it again as {what}, or export the story as plain text") from None


def _parse_xml(raw: bytes, where: str, name: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise ScriptError(where, f"{name} is not well-formed XML ({exc})", line=exc.position[0]) from None


def _read_docx(path: Path, max_bytes: int) -> str:
    """The body's paragraphs, one per line; a paragraph styled as a heading becomes a Markdown heading."""
    where = str(path)
    with _open_zip(path, ".docx") as archive:
        root = _parse_xml(_zip_member(archive, "word/document.xml", where, max_bytes), where, "word/document.xml")
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


def _read_epub(path: Path, max_bytes: int) -> str:
    """The spine's documents in reading order, a blank line between paragraphs."""
    where = str(path)
    with _open_zip(path, ".epub") as archive:
        container = _parse_xml(_zip_member(archive, "META-INF/container.xml", where, max_bytes), where, "META-INF/container.xml")
        rootfile = next((node.get("full-path") for node in container.iter() if node.tag.endswith("rootfile")), None)
        if not rootfile:
            raise ScriptError(where, "META-INF/container.xml names no package document", hint="save the book again from the e-book editor")
        package = _parse_xml(_zip_member(archive, rootfile, where, max_bytes), where, rootfile)
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
            reader.feed(_zip_member(archive, name, where, max_bytes).decode("utf-8", errors="replace"))
            reader.close()
            paragraphs.extend(reader.text())
    return "\n\n".join(paragraphs)


# --- .fdx (Final Draft) ----------------------------------------------------------------------

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


def read_fdx(path: Path, *, max_bytes: int = PROSE_MAX_BYTES) -> tuple[FountainDocument, str]:
    """Read a Final Draft screenplay into the elements a Fountain one gives; returns (document, sha256).

    Every element keeps the line of the FDX file where its <Paragraph> starts.
    """
    path = Path(path)
    where = str(path)
    _stat(path, max_bytes)
    raw = path.read_bytes()
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
