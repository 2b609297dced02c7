"""Subtitles: SRT and ASS files with CJK fonts, wrapped to two lines inside the 9:16 safe area."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pysubs2

from mangaline.atomic import write_text_atomic
from mangaline.errors import RenderError
from mangaline.model.timing import SubtitleEvent

__all__ = [
    "write_srt",
    "write_ass",
    "wrap_lines",
    "subtitle_font_family",
    "subtitle_font_file",
    "SAFE_BOTTOM",
    "SAFE_BOTTOM_WIDE",
    "SAFE_SIDE",
]

SAFE_BOTTOM = 0.13
"""Share of a vertical frame's height kept clear under the text (platform buttons and captions live there)."""
SAFE_BOTTOM_WIDE = 0.08
"""Share of a landscape or square frame's height kept clear under the text: the players' title-safe line."""
SAFE_SIDE = 0.09
"""Share of the frame width kept clear on each side."""
_FONT_SCALE = 0.04  # ASS font size as a share of the frame height: readable on a phone at arm's length
# libass fits ascent + descent into the ASS font size; Noto Sans CJK's are 1.448 em,
# so one em (a CJK character's width) is this share of the ASS size.
_EM_PER_SIZE = 1 / 1.448
_MIN_FONT_SCALE = 0.6  # a long line shrinks at most this far before it is allowed to spill
_NARROW_EM = 0.55  # average advance of a Latin glyph in Noto Sans CJK, in ems (a little generous)
_NO_LINE_START = set("、。，．,.!?！？：；:;」』）)]】〉》ー…～〜ぁぃぅぇぉっゃゅょァィゥェォッャュョ")
_NO_LINE_END = set("「『（([【〈《")
_FAMILIES = {"ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR", "zh": "Noto Sans CJK SC"}
_TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def subtitle_font_file() -> Path:
    """The Noto Sans CJK collection bundled by noto-cjk-sans-otc."""
    try:
        import noto_cjk_sans_otc
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RenderError("subtitles", "the CJK font package is missing", hint="pip install noto-cjk-sans-otc") from exc
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def subtitle_font_family(language: str) -> str:
    """The family name inside the collection whose glyph forms suit ``language`` (JP covers Latin too)."""
    lang = language.lower().replace("_", "-")
    if lang.startswith(_TRADITIONAL):
        return "Noto Sans CJK TC"
    return _FAMILIES.get(lang.split("-")[0], "Noto Sans CJK JP")


def _em(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else _NARROW_EM


def _width(text: str) -> float:
    return sum(_em(ch) for ch in text)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Break text into unbreakable pieces: Latin words, single CJK characters (with kinsoku attached)."""
    tokens: list[tuple[str, bool]] = []
    space = False
    for ch in text:
        if ch.isspace():
            space = True
            continue
        wide = _em(ch) == 1.0
        if tokens and not space:
            prev, prev_space = tokens[-1]
            # Punctuation may not open a line, an opening bracket may not close one,
            # and a Latin word stays whole.
            glue = ch in _NO_LINE_START or prev[-1] in _NO_LINE_END or (not wide and _em(prev[-1]) != 1.0)
            if glue:
                tokens[-1] = (prev + ch, prev_space)
                continue
        tokens.append((ch, space))
        space = False
    return tokens


def _join(tokens: list[tuple[str, bool]]) -> str:
    return "".join((" " if space and i else "") + tok for i, (tok, space) in enumerate(tokens))


def wrap_lines(text: str, max_em: float) -> list[str]:
    """Split ``text`` into one line, or two balanced lines, measuring width in ems.

    CJK breaks between characters, other scripts between words; never more than two lines.
    """
    text = " ".join(text.split())
    tokens = _tokens(text)
    if len(tokens) < 2 or _width(_join(tokens)) <= max_em:
        return [_join(tokens)] if tokens else []
    best, best_width = 1, float("inf")
    for cut in range(1, len(tokens)):
        widest = max(_width(_join(tokens[:cut])), _width(_join(tokens[cut:])))
        if widest < best_width:
            best, best_width = cut, widest
    return [_join(tokens[:best]), _join(tokens[best:])]


def _check(events: list[SubtitleEvent], path: Path) -> None:
    for i, event in enumerate(events):
        if event.end <= event.start or event.start < 0:
            raise RenderError(
                f"subtitles {path}", f"event {i} ({event.text[:20]!r}) has times {event.start}..{event.end}"
            )


def _write_atomic(path: Path, text: str) -> None:
    write_text_atomic(path, text)


def _srt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def write_srt(events: list[SubtitleEvent], path: Path, *, max_chars: int = 42) -> None:
    """Write SubRip subtitles, each wrapped to at most two lines of about ``max_chars`` Latin characters."""
    path = Path(path)
    _check(events, path)
    blocks = []
    for i, event in enumerate(sorted(events, key=lambda e: e.start), start=1):
        lines = wrap_lines(event.text, max_chars * _NARROW_EM)
        blocks.append(f"{i}\n{_srt_time(event.start)} --> {_srt_time(event.end)}\n" + "\n".join(lines) + "\n")
    _write_atomic(path, "\n".join(blocks))


def write_ass(events: list[SubtitleEvent], path: Path, *, width: int, height: int, language: str) -> None:
    """Write ASS subtitles for a ``width`` x ``height`` frame: white text, dark outline, bottom-centred, safe area
    (a vertical frame keeps clear of the platforms' buttons; a landscape or square one sits on the title-safe line)."""
    path = Path(path)
    _check(events, path)
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"] = str(width)
    subs.info["PlayResY"] = str(height)
    subs.info["WrapStyle"] = "0"
    subs.info["ScaledBorderAndShadow"] = "yes"
    subs.info["YCbCr Matrix"] = "TV.709"
    size = round(height * _FONT_SCALE)
    margin_side = round(width * SAFE_SIDE)
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=subtitle_font_family(language),
        fontsize=size,
        primarycolor=pysubs2.Color(255, 255, 255, 0),
        outlinecolor=pysubs2.Color(16, 16, 16, 0),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        bold=False,
        outline=max(2, round(size * 0.09)),
        shadow=max(1, round(size * 0.03)),
        borderstyle=1,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=margin_side,
        marginr=margin_side,
        marginv=round(height * (SAFE_BOTTOM if height > width else SAFE_BOTTOM_WIDE)),
    )
    # A little slack under the measured width so the outline never touches the margin.
    max_em = (width - 2 * margin_side) / (size * _EM_PER_SIZE) * 0.95
    for event in sorted(events, key=lambda e: e.start):
        # ASS has no portable escape for braces: they would start an override block.
        text = event.text.replace("{", "(").replace("}", ")").replace("\\", "/")
        lines = wrap_lines(text, max_em)
        widest = max((_width(line) for line in lines), default=0.0)
        tag = ""
        if widest > max_em:
            fitted = max(_MIN_FONT_SCALE * size, size * max_em / widest)
            tag = f"{{\\fs{int(fitted)}}}"
        subs.events.append(
            pysubs2.SSAEvent(
                start=round(event.start * 1000),
                end=round(event.end * 1000),
                text=tag + "\\N".join(lines),
                name=event.speaker,
            )
        )
    _write_atomic(path, subs.to_string("ass"))
