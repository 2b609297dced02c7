"""Reading source files: size limit, binaries, encodings a writer's editor may have used, language."""

from __future__ import annotations

import hashlib
import random
import zlib
from pathlib import Path

import pytest

from mangaline.breakdown.textio import SourceText, detect_language, read_source
from mangaline.errors import InputEncodingError, ScriptError

ZH = (
    "INT. 屋顶 - 夜\n\n"
    "林夏站在天台边缘，风吹乱了她的头发。远处的城市灯火通明。\n\n"
    "@林夏\n你终于来了。我等了你整整三年。\n\n"
    "@陈默\n（低声）\n对不起，我迟到了。\n"
)
JA = (
    "INT. 屋上 - 夜\n\n"
    "ハルカは屋上の端に立っている。風が髪を乱す。遠くに街の灯りが見える。\n\n"
    "@ハルカ\nやっと来たのね。三年も待っていたのよ。\n\n"
    "@カイト\nごめん、遅くなった。\n"
)
EN = "INT. ROOFTOP - NIGHT\n\nMaya stands at the edge.\n\nMAYA\nYou came back.\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_text_is_read_with_newlines_normalised(tmp_path: Path) -> None:
    raw = EN.replace("\n", "\r\n").encode("utf-8")
    path = write(tmp_path, "ep01.fountain", raw)
    source = read_source(path)
    assert isinstance(source, SourceText)
    assert source == SourceText(path=path, text=EN, encoding="utf-8", sha256=hashlib.sha256(raw).hexdigest())


def test_old_mac_newlines_and_utf8_bom(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf" + EN.replace("\n", "\r").encode("utf-8")
    source = read_source(write(tmp_path, "mac.fountain", raw))
    assert source.text == EN
    assert source.encoding == "utf-8"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path: Path, codec: str) -> None:
    raw = (ZH + EN).encode(codec)
    if codec != "utf-16":
        # The explicit-endian codecs write no BOM; add one for the -le case only to cover both.
        raw = (b"\xff\xfe" + raw) if codec == "utf-16-le" else raw
    source = read_source(write(tmp_path, f"{codec}.fountain", raw))
    assert source.text == ZH + EN
    assert source.encoding.startswith("utf-16")


def test_bomless_utf16_english(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "le.txt", EN.encode("utf-16-le")))
    assert (source.text, source.encoding) == (EN, "utf-16-le")


def test_gb18030_chinese_is_decoded(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "zh.fountain", ZH.encode("gb18030")))
    assert source.text == ZH
    assert source.encoding == "gb18030"


def test_short_gb18030_line_is_not_mistaken_for_korean(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "zh-short.txt", "你好世界".encode("gb18030")))
    assert source.text == "你好世界"


def test_shift_jis_japanese_is_decoded(tmp_path: Path) -> None:
    source = read_source(write(tmp_path, "ja.fountain", JA.encode("shift_jis")))
    assert source.text == JA
    assert source.encoding in {"cp932", "shift_jis"}


def test_cp1252_western_text_is_decoded(tmp_path: Path) -> None:
    text = "INT. CAFÉ - JOUR\n\nHélène entre dans le café. Elle sourit à François.\n\nHÉLÈNE\nÇa va ? Où étais-tu ?\n"
    source = read_source(write(tmp_path, "fr.fountain", text.encode("cp1252")))
    assert source.text == text


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf", b"\xff\xfe \x00\n\x00"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "empty.fountain", content)
    with pytest.raises(ScriptError) as caught:
        read_source(path)
    assert str(path) in str(caught.value) and "empty" in str(caught.value)
    assert caught.value.hint


def test_too_big_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "season.fountain", EN.encode() * 40)
    with pytest.raises(ScriptError) as caught:
        read_source(path, max_bytes=1_000)
    message = str(caught.value)
    assert str(path) in message
    assert "0.0 MB" in message and "limit" in message
    assert "one file per episode" in message


def test_too_big_names_size_in_megabytes(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"a" * 1_100_000)
    with pytest.raises(ScriptError, match=r"1\.1 MB, over the 1\.0 MB limit"):
        read_source(path)


def test_png_is_not_text(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + zlib.compress(bytes(range(256)) * 8)
    path = write(tmp_path, "cover.fountain", png)
    with pytest.raises(InputEncodingError) as caught:
        read_source(path)
    assert f"{path}: this is not a text file (it looks like a PNG image)" in str(caught.value)


def test_random_bytes_are_not_text(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(5000)
    path = write(tmp_path, "noise.bin", noise)
    with pytest.raises(InputEncodingError) as caught:
        read_source(path)
    assert "this is not a text file" in str(caught.value)


def test_control_characters_without_nul_are_not_text(tmp_path: Path) -> None:
    data = bytes(b for b in random.Random(3).randbytes(8000) if b != 0)
    with pytest.raises(InputEncodingError, match="control characters"):
        read_source(write(tmp_path, "ctl.bin", data))


def test_docx_gets_an_export_hint(tmp_path: Path) -> None:
    with pytest.raises(InputEncodingError) as caught:
        read_source(write(tmp_path, "script.docx", b"PK\x03\x04" + b"\x14\x00" * 50))
    assert "ZIP" in str(caught.value) and "Fountain" in (caught.value.hint or "")


def test_undecodable_bytes_name_the_line_and_ask_for_utf8(tmp_path: Path) -> None:
    # Valid UTF-8 up to line 3, then bytes no candidate codec reads as sensible text.
    data = "Line one.\nLine two.\n".encode() + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D] * 40) + b"\n"
    path = write(tmp_path, "bad.txt", data)
    with pytest.raises(InputEncodingError) as caught:
        read_source(path)
    message = str(caught.value)
    assert str(path) in message and "line 3" in message and "UTF-8" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="does not exist"):
        read_source(tmp_path / "nope.fountain")


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="folder"):
        read_source(tmp_path)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (ZH, "zh"),
        (JA, "ja"),
        (EN, "en"),
        ("Title: 屋顶\n\nINT. ROOFTOP - NIGHT\n\n[[林夏 is the lead]]\nMaya waits.\n", "en"),
        (EN + "\n/* 旧的版本：林夏和陈默在天台上说话。 */\n", "en"),
        ("漫画の世界へようこそ。" * 3, "ja"),
        ("他说：“我喜欢の这个。”我们一起去北京看看吧，那里的天气很好。", "zh"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_chinese_with_few_nul_bytes(tmp_path: Path, codec: str) -> None:
    text = "一二三四五六七八九十。林夏站在天台边缘，风吹乱了她的头发。" * 20 + "\n"
    source = read_source(write(tmp_path, "zh16.txt", text.encode(codec)))
    assert (source.text, source.encoding) == (text, codec)


def test_short_random_bytes_with_nul_are_not_read_as_utf16(tmp_path: Path) -> None:
    rng = random.Random(11)
    for attempt in range(50):
        noise = rng.randbytes(64) + b"\x00\x00"
        with pytest.raises(InputEncodingError):
            read_source(write(tmp_path, f"noise{attempt}.bin", noise))
