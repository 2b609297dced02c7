"""spoken_seconds: the planner's estimate of how long a line takes before any audio exists."""

import pytest

from mangaline.voice import spoken_seconds
from mangaline.voice.timing import language_code


def test_english_counts_words_at_the_given_pace():
    assert spoken_seconds("one two three four five six", "en") == pytest.approx(6 * 60 / 150)
    assert spoken_seconds("one two three four five six", "en", words_per_minute=120) == pytest.approx(3.0)


def test_cjk_counts_characters_but_not_punctuation():
    assert spoken_seconds("我们走吧", "zh") == pytest.approx(4 / 4.5)
    # The closing 。 adds nothing: it ends the line, it is not a pause inside it.
    assert spoken_seconds("我们走吧。", "zh") == pytest.approx(4 / 4.5)
    assert spoken_seconds("ありがとう", "ja", chars_per_second=5) == pytest.approx(1.0)


def test_pauses_inside_a_line_add_time():
    plain = spoken_seconds("Wait for me here please", "en")
    assert spoken_seconds("Wait, for me. Here, please", "en") > plain
    assert spoken_seconds("待って、ここで。お願い", "ja") > spoken_seconds("待ってここでお願い", "ja")


def test_short_lines_get_a_readable_minimum():
    assert spoken_seconds("Oh.", "en") == pytest.approx(0.6)
    assert spoken_seconds("……", "zh") == pytest.approx(0.6)
    assert spoken_seconds("", "en") == pytest.approx(0.6)


def test_language_tags_are_reduced_to_their_primary_code():
    assert language_code("en-US") == "en"
    assert language_code("zh_Hans") == "zh"
    assert language_code("cmn") == "zh"
    assert spoken_seconds("我们走吧", "zh-CN") == spoken_seconds("我们走吧", "zh")


def test_a_pace_of_zero_is_refused():
    with pytest.raises(ValueError):
        spoken_seconds("hello", "en", words_per_minute=0)
