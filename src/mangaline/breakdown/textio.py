"""Reading the source text a writer hands us: size limit, binary check, encoding detection, language."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mangaline.errors import InputEncodingError, ScriptError

__all__ = ["SourceText", "read_source", "detect_language", "DEFAULT_MAX_BYTES"]

# A feature film is about 0.3 MB of Fountain. Every line of dialogue becomes a shot in the script's
# YAML, about 10 MB of it per MB of screenplay, and writing that is what takes the time: 1 MB
# (three features) makes its project in about 25 s on a two-core machine (benchmarks/input_limits.py),
# so `mangaline new` stays well within a minute.
DEFAULT_MAX_BYTES = 1_000_000

# Encodings a screenplay is plausibly saved in when it is not UTF-8: the CJK legacy codecs of
# the markets we serve, and the Windows/ISO Western codecs. Anything wider invites nonsense guesses.
_CANDIDATES = ("gb18030", "cp932", "shift_jis", "big5", "euc_kr", "utf_16", "cp1252", "latin_1")

# Above this mess ratio (charset-normalizer's "chaos"), a decoding is not a credible reading.
_MAX_CHAOS = 0.2

# Control bytes that never appear in text; tab, newline, form feed, carriage return and escape do.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_MAX_CONTROL_SHARE = 0.05

_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive, e.g. a .docx or .pages document"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_RESAVE_HINT = "open it in a text editor and save it as UTF-8 (plain text or .fountain)"


@dataclass(frozen=True)
class SourceText:
    """A source file decoded to text with newlines normalised to "\\n" and any BOM removed."""

    path: Path
    text: str
    encoding: str
    sha256: str


def checked_size(path: Path, max_bytes: int, *, hint: str, limit: str = "limit") -> int:
    """The file's size, or a ScriptError naming it when it is missing, not a plain file or over ``max_bytes``.

    A pipe or a device (``/dev/zero``) is refused here, before it is opened: opening a pipe with no
    writer waits for ever, and a device may never end. The size is only a first check; readers
    still stop after ``max_bytes`` (``read_capped``), since a file can grow while it is read.
    """
    where = str(path)
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise ScriptError(where, "the file does not exist", hint="check the path") from None
    except OSError as exc:
        raise ScriptError(where, f"the file cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(status.st_mode):
        raise ScriptError(where, "this is a folder, not a file", hint="name the file inside it")
    if not stat.S_ISREG(status.st_mode):
        raise ScriptError(where, "this is not a regular file (a pipe, a socket or a device)",
                          hint="save the text to a file and give that file's path")
    if status.st_size > max_bytes:
        raise ScriptError(where, f"the file is {status.st_size / 1_000_000:.1f} MB, over the {max_bytes / 1_000_000:.1f} MB {limit}",
                          hint=hint)
    return status.st_size


def read_capped(path: Path, max_bytes: int, *, hint: str, limit: str = "limit") -> bytes:
    """The file's bytes, reading no more than ``max_bytes`` + 1 of them, whatever its size said."""
    where = str(path)
    checked_size(path, max_bytes, hint=hint, limit=limit)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ScriptError(where, f"the file cannot be read ({exc.strerror})") from None
    if len(raw) > max_bytes:
        raise ScriptError(where, f"the file is over the {max_bytes / 1_000_000:.1f} MB {limit}", hint=hint)
    return raw


def read_source(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Read a screenplay or story file, refusing binaries, oversize files and undecodable bytes."""
    path = Path(path)
    where = str(path)
    raw = read_capped(path, max_bytes, hint="split it into one file per episode (a whole feature film is about 0.3 MB of Fountain)")

    text, encoding = _decode(raw, where)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ScriptError(where, "the file is empty", hint="write the screenplay or story into it, then run again")
    return SourceText(path=path, text=text, encoding=encoding, sha256=hashlib.sha256(raw).hexdigest())


def _decode(raw: bytes, where: str) -> tuple[str, str]:
    """Return (text, encoding name) or raise; BOM first, then UTF-8, then a restricted guess."""
    if not raw.strip():
        raise ScriptError(where, "the file is empty", hint="write the screenplay or story into it, then run again")

    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding.removesuffix("-sig")
            except UnicodeDecodeError as exc:
                raise InputEncodingError(
                    where,
                    f"the file starts with a {encoding.removesuffix('-sig').upper()} byte-order mark "
                    f"but byte {exc.start} is not valid {encoding.removesuffix('-sig').upper()}",
                    hint=_RESAVE_HINT,
                ) from None

    for signature, kind in _SIGNATURES:
        if raw.startswith(signature):
            raise InputEncodingError(
                where,
                f"this is not a text file (it looks like {kind})",
                hint="export the script as Fountain (.fountain) or plain text",
            )

    if b"\x00" in raw:
        utf16 = _utf16_without_bom(raw)
        if utf16 is not None:
            return utf16
        raise InputEncodingError(
            where,
            "this is not a text file (it contains NUL bytes)",
            hint="export the script as Fountain (.fountain) or plain text",
        )

    control = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if control > _MAX_CONTROL_SHARE * len(raw):
        raise InputEncodingError(
            where,
            f"this is not a text file ({control * 100 // len(raw)}% of its bytes are control characters)",
            hint="export the script as Fountain (.fountain) or plain text",
        )

    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start

    if _mostly_utf8(raw):
        # A damaged UTF-8 file would read "cleanly" as Windows-1252, every accent and CJK character turned
        # to nonsense: say where the damage is instead.
        line = raw.count(b"\n", 0, first_bad) + 1
        raise InputEncodingError(
            where,
            f"the text is UTF-8 but byte {first_bad} (0x{raw[first_bad]:02x}, on line {line}) is not: the file is damaged or mixes encodings",
            line=line,
            hint="fix or delete the character there in a text editor and save the file as UTF-8",
        )

    guess = _guess_legacy(raw)
    if guess is None:
        line = raw.count(b"\n", 0, first_bad) + 1
        raise InputEncodingError(
            where,
            f"the text is not UTF-8 (first bad byte on line {line}) and its encoding cannot be recognised",
            hint=_RESAVE_HINT,
        )
    return guess


# One well-formed UTF-8 sequence of two to four bytes (no overlongs, no surrogates).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_ASCII = bytes(range(128))


def _mostly_utf8(raw: bytes) -> bool:
    """True when nearly all non-ASCII bytes form UTF-8 sequences: UTF-8 text with a few bad bytes.

    Legacy encodings form such sequences only by chance: about a third of GB18030, Shift-JIS or
    EUC-KR bytes do, and almost none of Windows-1252's.
    """
    high = len(raw.translate(None, _ASCII))  # the bytes left once ASCII is deleted
    valid = sum(len(match) for match in _UTF8_SEQUENCE.findall(raw))
    return high > 0 and valid >= 0.9 * high


def _utf16_without_bom(raw: bytes) -> tuple[str, str] | None:
    """Recognise BOM-less UTF-16: it decodes cleanly and reads as ordinary characters.

    ASCII-heavy text puts its NUL bytes on one side, which picks the byte order; CJK-heavy text
    has few NULs, so both orders are tried and the one that reads as text wins.
    """
    if len(raw) % 2:
        return None
    even_nuls = raw[0::2].count(0)
    odd_nuls = raw[1::2].count(0)
    orders = ["utf-16-le", "utf-16-be"] if odd_nuls >= even_nuls else ["utf-16-be", "utf-16-le"]
    for encoding in orders:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_share(text) <= _MAX_CONTROL_SHARE and _ordinary_share(text) >= 0.9:
            return text, encoding
    return None


def _ordinary_share(text: str) -> float:
    """Share of characters from the scripts and punctuation screenplays are written in."""
    ordinary = 0
    for ch in text:
        code = ord(ch)
        if (
            code < 0x250  # ASCII, Latin-1, Latin Extended
            or 0x2000 <= code <= 0x206F  # general punctuation
            or 0x3000 <= code <= 0x30FF  # CJK punctuation, kana
            or 0x4E00 <= code <= 0x9FFF  # CJK ideographs
            or 0xAC00 <= code <= 0xD7AF  # Hangul
            or 0xFF00 <= code <= 0xFFEF  # full-width forms
        ):
            ordinary += 1
    return ordinary / max(len(text), 1)


def _control_share(text: str) -> float:
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\x1b")
    return bad / max(len(text), 1)


# The script each legacy codec exists to carry; used to break ties between equally clean readings
# (a few Chinese characters decode cleanly as Korean Hanja too, but nobody writes Korean that way).
_EXPECTED_SCRIPT = {
    "gb18030": "han",
    "big5": "han",
    "cp932": "kana",
    "shift_jis": "kana",
    "euc_kr": "hangul",
    "cp1252": "latin",
    "latin_1": "latin",
    "utf_16": "any",
}


def _guess_legacy(raw: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(raw, cp_isolation=list(_CANDIDATES)) if m.encoding in _EXPECTED_SCRIPT]
    credible = [m for m in matches if m.chaos <= _MAX_CHAOS]
    if not credible:
        return None
    least_chaos = min(m.chaos for m in credible)
    tied = [m for m in credible if m.chaos <= least_chaos + 0.01]
    best = max(tied, key=lambda m: _script_fit(str(m), _EXPECTED_SCRIPT[m.encoding]))
    text = str(best)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        return None
    return text, codecs.lookup(best.encoding).name


def _script_fit(text: str, script: str) -> float:
    """Share of the non-ASCII letters of text that belong to the given script."""
    letters = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
    if not letters or script == "any":
        return 0.5
    counts = {"han": 0, "kana": 0, "hangul": 0, "latin": 0}
    for ch in letters:
        counts[_script_of(ch)] += 1
    if script == "kana":
        # Japanese mixes kana and kanji; any kana at all is strong evidence.
        return 1.0 if counts["kana"] else counts["han"] / len(letters) * 0.5
    return counts[script] / len(letters)


def _script_of(ch: str) -> str:
    code = ord(ch)
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "kana"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or code >= 0x20000:
        return "han"
    return "latin"


_MARKUP = re.compile(r"/\*.*?\*/|\[\[.*?\]\]", re.DOTALL)
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def detect_language(text: str) -> str:
    """Return "ja", "zh" or "en" from the script's own characters (notes and boneyard ignored)."""
    body = _MARKUP.sub(" ", text)
    kana = len(_KANA.findall(body))
    han = len(_HAN.findall(body))
    latin = len(_LATIN.findall(body))
    cjk = kana + han
    # One CJK character carries about a word, an English word about five letters; the Latin
    # scene-heading prefixes (INT., EXT.) of a CJK script stay well below this bar.
    if cjk == 0 or cjk * 5 < latin:
        return "en"
    # A Chinese script may quote a stray kana (a Japanese name, "の" as slang); Japanese prose
    # runs at roughly half kana.
    if kana >= 0.1 * cjk:
        return "ja"
    return "zh"
