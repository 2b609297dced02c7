"""Hostile story files: devices, pipes, zip bombs, damaged archives and damaged UTF-8 give one clear line, quickly."""

from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path

import pytest

from mangaline.breakdown import breakdown_source
from mangaline.breakdown.readers import PROSE_MAX_BYTES, ProseSource, open_prose, read_fdx
from mangaline.breakdown.textio import read_source
from mangaline.errors import InputEncodingError, MangalineError, ScriptError

from .test_readers import FDX, W, _epub

JA = "第1話　雨\n\n　茶屋にて、花子は傘をたたんだ。\n「ひどい雨ですね」と花子は言った。\n「本当に」と山田が答えた。\n"
ZH = "第一章 茶馆\n\n　　在茶馆里，清晨的雾还没有散。\n　　“林姑娘，这么早？”王掌柜笑道。\n　　林夏收起油纸伞，轻声说：“睡不着。”\n"


def _one_line(err: MangalineError) -> str:
    first, _, _hint = str(err).partition("\n  hint: ")
    assert "\n" not in first, str(err)
    return first


def _docx_bytes(path: Path, document_xml: bytes, *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document_xml)
    return path


def _document(text: str) -> bytes:
    paragraphs = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.split("\n"))
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{paragraphs}</w:body></w:document>'.encode()


# --- what is not a file ----------------------------------------------------------------------

@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("name", ["zero.txt", "zero.fountain", "zero.docx", "zero.fdx", "zero"])
def test_a_device_is_refused_not_read_for_ever(tmp_path: Path, name: str) -> None:
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    for path in (link, Path("/dev/zero")):
        with pytest.raises(ScriptError) as caught:
            breakdown_source(path)
        assert "not a regular file" in _one_line(caught.value) and caught.value.hint


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("name", ["story.txt", "story.fountain", "story.epub", "story.fdx"])
def test_a_pipe_with_no_writer_is_refused_without_waiting(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    os.mkfifo(path)
    with pytest.raises(ScriptError) as caught:
        breakdown_source(path)  # opening the pipe would block for ever; it is never opened
    assert str(path) in _one_line(caught.value) and "save the text to a file" in caught.value.hint


# --- how much is read ------------------------------------------------------------------------

def test_prose_past_the_limit_is_refused_with_a_way_forward(tmp_path: Path) -> None:
    path = tmp_path / "saga.txt"
    line = "The wind rose over the harbour and the boats knocked together.\n"
    path.write_bytes((line * (PROSE_MAX_BYTES // len(line) + 10))[: PROSE_MAX_BYTES + 100].encode())
    with pytest.raises(ScriptError) as caught:
        breakdown_source(path)
    assert "limit for prose" in _one_line(caught.value) and "volumes" in caught.value.hint


def test_streaming_stops_at_the_limit_whatever_the_size_said(tmp_path: Path) -> None:
    # a file that grew after it was opened: the reader counts what it reads, not what stat said
    path = tmp_path / "growing.txt"
    path.write_text("A line of the story.\n" * 5_000, encoding="utf-8")
    source = open_prose(path)
    grown = ProseSource(path=path, encoding=source.encoding, sha256=source.sha256, language="en", max_bytes=50_000)
    with pytest.raises(ScriptError, match="grew past its size limit"):
        list(grown.lines())


def test_final_draft_past_its_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.fdx"
    path.write_text(FDX, encoding="utf-8")
    with pytest.raises(ScriptError, match="limit for a Final Draft screenplay"):
        read_fdx(path, max_bytes=200)
    assert read_fdx(path)[0].elements


# --- archives --------------------------------------------------------------------------------

def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = _docx_bytes(tmp_path / "bomb.docx", _document("All work and no play makes Jack a dull boy. " * 500_000))
    assert path.stat().st_size < 500_000  # about 22 MB of text packed into a few hundred KB
    with pytest.raises(InputEncodingError) as caught:
        breakdown_source(path)
    assert "zip bomb" in _one_line(caught.value) and "word/document.xml" in str(caught.value)


def test_text_past_what_a_story_may_unpack_to_is_refused(tmp_path: Path) -> None:
    words = random.Random(5).choices(["rain", "harbour", "ferry", "lamp", "coat", "island", "night", "rope"], k=60_000)
    path = _docx_bytes(tmp_path / "long.docx", _document("\n".join(" ".join(words[i:i + 12]) for i in range(0, len(words), 12))))
    with pytest.raises(ScriptError, match="unpacks to more than"):
        open_prose(path, max_bytes=10_000)
    with pytest.raises(ScriptError, match="MB of text, over the"):
        open_prose(path, max_bytes=200_000)
    assert open_prose(path, max_bytes=2_000_000).language == "en"


def test_a_docx_with_a_bad_checksum_is_one_line(tmp_path: Path) -> None:
    path = _docx_bytes(tmp_path / "damaged.docx", _document("Ellen stood by the window."), compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.index(b"Ellen")
    data[at] = ord("X")  # the stored text changes; the checksum in the header does not
    path.write_bytes(bytes(data))
    with pytest.raises(InputEncodingError) as caught:
        breakdown_source(path)
    line = _one_line(caught.value)
    assert "cannot be unpacked" in line and "CRC" in line and caught.value.hint


def test_an_epub_chapter_in_damaged_utf8_names_the_chapter_and_byte(tmp_path: Path) -> None:
    path = _epub(tmp_path / "tea.epub", ["<h1>第一章 茶馆</h1><p>回到茶馆，王掌柜正在擦桌子。</p>"])
    chapter = "OEBPS/text/c0.xhtml"
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    at = parts[chapter].index("擦".encode())
    parts[chapter] = parts[chapter][:at] + b"\xff" + parts[chapter][at + 1:]
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    with pytest.raises(InputEncodingError) as caught:
        breakdown_source(path)
    assert f"{chapter} is not valid UTF-8: byte {at}" in _one_line(caught.value)


# --- damaged UTF-8 is named, never turned into nonsense --------------------------------------

@pytest.mark.parametrize("name", ["story.txt", "scene.fountain"])
def test_utf8_with_a_stray_byte_names_the_byte_instead_of_decoding_it_as_something_else(tmp_path: Path, name: str) -> None:
    text = ZH if name.endswith(".txt") else "INT. 茶馆 - 日\n\n王掌柜\n林姑娘，这么早？\n\n林夏\n睡不着。\n"
    raw = text.encode("utf-8")
    at = raw.index("林".encode(), 20)
    damaged = raw[:at] + b"\xff" + raw[at:]
    path = tmp_path / name
    path.write_bytes(damaged)
    with pytest.raises(InputEncodingError) as caught:
        breakdown_source(path)
    line = _one_line(caught.value)
    assert f"byte {at} (0xff" in line and caught.value.line == damaged.count(b"\n", 0, at) + 1


@pytest.mark.parametrize("codec, text", [("gb18030", ZH), ("shift_jis", JA)])
def test_a_legacy_encoding_that_reads_cleanly_is_still_accepted(tmp_path: Path, codec: str, text: str) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(codec))
    assert "".join(line.text + "\n" for line in open_prose(path).lines()) == text
    assert read_source(path).text == text
