"""The cast: traits read in three languages, distinct defaults, voices, determinism and kept edits."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mangaline.colour import delta_e
from mangaline.design import KOKORO_FEMALE, MIN_HAIR_DISTANCE, MIN_OUTFIT_DISTANCE, design_bible
from mangaline.errors import ScriptError
from mangaline.model import Bible

from conftest import build_script


def _is_grey(hex_colour: str) -> bool:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) < 24 and 90 < r < 240


def _is_red(hex_colour: str) -> bool:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return r > 150 and g < 80 and b < 80


def _ferry(language: str = "en"):
    return build_script(language, [
        ("INT. HARBOUR TICKET OFFICE - NIGHT", "ticket_office", True, "NIGHT", [
            ("MAYA (30s), a woman in a red scarf and a long navy coat, shakes rain from her hair, pinned up in a bun. "
             "OLD TOM (70s), a grey-haired man with a beard, dozes behind the counter.",
             [("MAYA", "maya", "One ticket, please."), ("OLD TOM", "old_tom", "Last ferry left.")]),
            ("JUN (9), a boy in a yellow raincoat, runs in. He is soaked.", [("JUN", "jun", "Mum!")]),
        ]),
    ])


def test_english_traits_are_read_from_the_first_appearance():
    cast = design_bible(_ferry()).characters
    maya, tom, jun = cast["maya"], cast["old_tom"], cast["jun"]
    assert maya.design.gender == "female" and maya.design.age == "adult"
    outfit = maya.design.outfits["default"]
    assert outfit.accessory == "scarf" and _is_red(outfit.accessory_colour)
    assert outfit.top == "coat" and maya.design.palette.outfit == "#1f2f5a"  # navy
    assert maya.design.hair_style.value == "bun"  # "long" describes the coat, not the hair
    assert tom.design.gender == "male" and tom.design.age == "elder"
    assert _is_grey(tom.design.palette.hair) and "beard" in tom.design.features
    assert jun.design.age == "child" and jun.design.gender == "male"
    assert jun.design.outfits["default"].top == "raincoat" and jun.design.build.value == "child"
    assert jun.design.height < maya.design.height
    assert "red scarf" in maya.description and maya.name == "Maya" and tom.name == "Old Tom"


def test_chinese_traits():
    script = build_script("zh", [("内景 茶馆 - 夜", "tea_house", True, "夜", [
        ("林月，穿红色外套的女人，三十多岁，扎着马尾。老周，白发苍苍的老人，系着蓝色围裙，戴着眼镜。他在擦杯子。",
         [("林月", "lin_yue", "一壶龙井。"), ("老周", "lao_zhou", "打烊了。")]),
    ])])
    cast = design_bible(script).characters
    lin, zhou = cast["lin_yue"].design, cast["lao_zhou"].design
    assert lin.gender == "female" and lin.age == "adult" and lin.hair_style.value == "ponytail"
    assert lin.outfits["default"].top == "coat" and _is_red(lin.palette.outfit)
    assert zhou.gender == "male" and zhou.age == "elder" and "glasses" in zhou.features
    assert zhou.outfits["default"].accessory == "apron" and zhou.outfits["default"].accessory_colour == "#2f5fa8"
    assert cast["lao_zhou"].voice.pitch < cast["lin_yue"].voice.pitch


def test_japanese_traits_and_kokoro_voices():
    script = build_script("ja", [("室内 喫茶店 - 夜", "cafe", True, "夜", [
        ("銀髪の男、ケンジ（70代）がカウンターの奥に立つ。", [("ケンジ", "kenji", "いらっしゃい。")]),
        ("ハナ、赤いマフラーの少女が窓際に座る。彼女の瞳は茶色。", [("ハナ", "hana", "ココアを。")]),
        ("ユキ、黒髪の若い女性。", [("ユキ", "yuki", "はい。")]),
    ])])
    cast = design_bible(script).characters
    kenji, hana, yuki = cast["kenji"], cast["hana"], cast["yuki"]
    assert kenji.design.gender == "male" and kenji.design.age == "elder"
    assert kenji.design.palette.hair == "#c0c4c8"  # silver
    assert hana.design.gender == "female" and hana.design.age == "teen"
    assert hana.design.outfits["default"].accessory == "scarf" and _is_red(hana.design.outfits["default"].accessory_colour)
    assert hana.design.palette.eyes == "#6b4428"  # brown
    assert yuki.design.palette.hair == "#1c1c1f"
    assert kenji.voice.voice == "jm_kumo"
    assert hana.voice.voice in KOKORO_FEMALE and yuki.voice.voice in KOKORO_FEMALE
    assert hana.voice.voice != yuki.voice.voice


def test_same_script_gives_byte_identical_bible_in_another_process(tmp_path: Path):
    first = design_bible(_ferry()).model_dump_json()
    assert first == design_bible(_ferry()).model_dump_json()
    program = (
        "import sys; sys.path.insert(0, sys.argv[1]); from conftest import build_script; "
        "from test_characters import _ferry; from mangaline.design import design_bible; "
        "sys.stdout.write(design_bible(_ferry()).model_dump_json())"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", program, str(Path(__file__).parent)], env=env,
                         capture_output=True, text=True, check=True)
    assert out.stdout == first


def test_edits_win_and_new_characters_are_added():
    script = _ferry()
    edited = design_bible(script)
    maya = edited.characters["maya"]
    palette = maya.design.palette.model_copy(update={"outfit": "#00ff00", "hair": "#123456"})
    maya = maya.model_copy(update={"design": maya.design.model_copy(update={"palette": palette})})
    existing = Bible(characters={"maya": maya})
    result = design_bible(script, existing)
    assert result.characters["maya"] == maya
    assert set(result.characters) == {"maya", "old_tom", "jun"}
    # a new character's defaults keep away from the edited green
    assert delta_e(result.characters["jun"].design.palette.outfit, "#00ff00") > 0


def test_existing_entities_not_in_the_script_are_kept():
    kept = design_bible(_ferry())
    other = build_script("en", [("INT. KITCHEN - DAY", "kitchen", True, "DAY", [("A kettle.", [("ANA", "ana", "Hi.")])])])
    result = design_bible(other, kept)
    assert set(result.characters) == {"ana", "maya", "old_tom", "jun"}
    assert result.locations["ticket_office"] == kept.locations["ticket_office"]


def test_undescribed_cast_is_easy_to_tell_apart():
    names = ["ANNA", "BEA", "CARL", "DEV", "EVE", "FINN"]
    lines = [(n, n.lower(), "Hello.") for n in names]
    cast = design_bible(build_script("en", [("INT. ROOM - DAY", "room", True, "DAY", [("They wait.", lines)])])).characters
    designs = [c.design for c in cast.values()]
    for a, b in itertools.combinations(designs, 2):
        assert delta_e(a.palette.outfit, b.palette.outfit) >= MIN_OUTFIT_DISTANCE
        assert delta_e(a.palette.hair, b.palette.hair) >= MIN_HAIR_DISTANCE
    voices = [(c.voice.pitch, c.voice.rate) for c in cast.values()]
    assert len(set(voices)) == len(voices)
    assert all(0.85 <= rate <= 1.15 for _, rate in voices)


def test_defaults_never_change_what_the_text_said():
    script = build_script("en", [("INT. ROOM - DAY", "room", True, "DAY", [
        ("ANNA wears a red coat. BEA wears a red coat too. CARL, grey hair. DEV, grey hair.",
         [("ANNA", "anna", "A."), ("BEA", "bea", "B."), ("CARL", "carl", "C."), ("DEV", "dev", "D.")]),
    ])])
    cast = design_bible(script).characters
    assert cast["anna"].design.palette.outfit == cast["bea"].design.palette.outfit == "#c8302e"
    assert cast["carl"].design.palette.hair == cast["dev"].design.palette.hair == "#8c8c8c"


def test_pronoun_sentence_after_a_name_describes_that_character():
    script = build_script("en", [("INT. ROOM - DAY", "room", True, "DAY", [
        ("SAM enters. She pulls off her green beanie.", [("SAM", "sam", "Cold out.")]),
    ])])
    sam = design_bible(script).characters["sam"].design
    assert sam.gender == "female"
    assert sam.outfits["default"].accessory == "hat" and sam.outfits["default"].accessory_colour == "#3f8a4a"


def test_unknown_language_is_refused_with_the_source_file():
    script = build_script("en", [("INT. ROOM - DAY", "room", True, "DAY", [("x", [("A", "a", "b")])])])
    script = script.model_copy(update={"language": "fr"})
    with pytest.raises(ScriptError, match="story/test.en.fountain"):
        design_bible(script)
