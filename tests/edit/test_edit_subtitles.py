"""SRT and ASS writing: CJK families, safe-area margins, two-line wrapping, atomic files."""

import pysubs2
import pytest
from PIL import ImageFont

from mangaline.edit import subtitle_font_family, subtitle_font_file, wrap_lines, write_ass, write_srt
from mangaline.model.timing import SubtitleEvent
from mangaline.errors import RenderError

EVENTS = [
    SubtitleEvent(start=0.25, end=1.75, text="Where were you last night? I waited for hours and you never called.", speaker="MAYA"),
    SubtitleEvent(start=2.0, end=3.5, text="你好！我昨天晚上一直在等你，你到底去哪儿了？我们需要谈谈。", speaker="KEN"),
]


def test_family_names_exist_in_the_bundled_collection():
    names = {ImageFont.truetype(str(subtitle_font_file()), 12, index=i).getname()[0] for i in range(4)}
    for lang in ("ja", "zh", "zh-TW", "ko", "en"):
        assert subtitle_font_family(lang) in names
    assert subtitle_font_family("zh") == "Noto Sans CJK SC"
    assert subtitle_font_family("ja") == "Noto Sans CJK JP"
    assert subtitle_font_family("zh-Hant") == "Noto Sans CJK TC"


def test_ass_has_frame_play_res_cjk_family_and_safe_margins(tmp_path):
    path = tmp_path / "ep01.ass"
    write_ass(EVENTS, path, width=1080, height=1920, language="zh")
    subs = pysubs2.load(str(path))
    assert (subs.info["PlayResX"], subs.info["PlayResY"]) == ("1080", "1920")
    style = subs.styles["Default"]
    assert style.fontname == "Noto Sans CJK SC"
    assert style.alignment == pysubs2.Alignment.BOTTOM_CENTER
    assert style.marginv >= 0.12 * 1920 and style.marginl >= 0.08 * 1080 and style.marginr >= 0.08 * 1080
    assert (style.primarycolor.r, style.primarycolor.g, style.primarycolor.b) == (255, 255, 255)
    assert max(style.outlinecolor.r, style.outlinecolor.g, style.outlinecolor.b) < 64 and style.outline > 0
    assert [(e.start, e.end, e.name) for e in subs.events] == [(250, 1750, "MAYA"), (2000, 3500, "KEN")]
    for event in subs.events:
        assert event.text.count("\\N") == 1, "long lines wrap to exactly two lines"
    assert not list(tmp_path.glob(".*tmp")), "no temp file left behind"


def test_wrapping_is_by_words_for_latin_and_by_characters_for_cjk():
    latin = wrap_lines("Where were you last night? I waited for hours and you never called.", 20)
    assert (
        len(latin) == 2
        and " ".join(latin).split() == "Where were you last night? I waited for hours and you never called.".split()
    )
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in latin)
    cjk = wrap_lines("你好！我昨天晚上一直在等你，你到底去哪儿了？", 12)
    assert len(cjk) == 2 and "".join(cjk) == "你好！我昨天晚上一直在等你，你到底去哪儿了？"
    assert abs(len(cjk[0]) - len(cjk[1])) <= 3, "two balanced lines"
    assert not cjk[1].startswith(("，", "。", "！", "？")), "punctuation never opens a line"
    assert wrap_lines("Short line.", 20) == ["Short line."]


def test_overlong_line_keeps_two_lines_and_shrinks(tmp_path):
    path = tmp_path / "long.ass"
    write_ass([SubtitleEvent(start=0, end=2, text="这是一句非常非常长的台词" * 6)], path, width=1080, height=1920, language="zh")
    event = pysubs2.load(str(path)).events[0]
    assert event.text.count("\\N") == 1
    assert event.text.startswith("{\\fs")


def test_braces_cannot_inject_override_tags(tmp_path):
    path = tmp_path / "b.ass"
    write_ass([SubtitleEvent(start=0, end=1, text="Look {\\an8} up")], path, width=1080, height=1920, language="en")
    assert "{" not in pysubs2.load(str(path)).events[0].text


def test_srt_round_trips(tmp_path):
    path = tmp_path / "ep01.srt"
    write_srt(EVENTS, path)
    text = path.read_text(encoding="utf-8")
    assert "00:00:00,250 --> 00:00:01,750" in text
    subs = pysubs2.load(str(path))
    assert len(subs) == 2
    assert subs[1].plaintext.replace("\n", "") == EVENTS[1].text


def test_backwards_event_is_refused_with_its_text(tmp_path):
    with pytest.raises(RenderError, match="Oops"):
        write_srt([SubtitleEvent(start=2.0, end=1.0, text="Oops")], tmp_path / "x.srt")
    assert not (tmp_path / "x.srt").exists()
