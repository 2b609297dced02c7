"""Japanese prose vocabulary: speech verbs, pronouns, honorifics, place and time cues, as plain tables."""

from __future__ import annotations

# Verbs that tag a quote with its speaker (「……」と花子は言った。); longest are tried first.
SPEECH_VERBS: tuple[str, ...] = (
    "言った", "言う", "言いました", "言って", "聞いた", "訊いた", "尋ねた", "答えた", "叫んだ", "呟いた", "つぶやいた",
    "囁いた", "ささやいた", "笑った", "続けた", "返した", "怒鳴った", "言い返した", "促した", "問うた", "付け加えた",
    "漏らした", "口を開いた", "声をかけた", "呼んだ", "告げた", "頷いた", "首を振った", "ため息をついた", "微笑んだ",
)
MANNER: tuple[str, ...] = ("静かに", "小さく", "そっと", "低く", "ぽつりと", "また", "すぐに", "やがて", "少し", "笑って", "にやりと")
PRONOUNS: dict[str, str] = {"彼女": "f", "彼": "m"}
GENDER_WORDS: dict[str, str] = {"彼女": "f", "彼": "m"}
FIRST_PERSON: tuple[str, ...] = ("私", "僕", "俺", "わたし")
NARRATOR = "私"
UNKNOWN_SPEAKER = "誰か"

# Honorifics stripped when aliases are compared (花子さん = 花子), with the gender they lean to.
TITLES: dict[str, str | None] = {
    "さん": None, "くん": "m", "君": "m", "ちゃん": None, "様": None, "さま": None, "先生": None, "先輩": None,
    "殿": "m", "おじさん": "m", "おばさん": "f", "婆さん": "f", "爺さん": "m",
}
NOT_NAMES: frozenset[str] = frozenset(
    """誰 誰か 二人 みんな 皆 彼ら 自分 それ これ あれ 声 男 女 店 今日 明日 昨日 今 一人 相手 客 子供 少年 少女
    老人 全員 私達 僕ら 俺たち 何 誰も 店主 外 中 茶 雨 風 空 夜 朝 昼 夕方""".split()
)

PLACE_CUES: tuple[str, ...] = (
    r"^(?P<place>[^\s、。「」『』]{2,10}?)にて[、。\s]?",
    r"^(?P<place>[^\s、。「」『』]{2,10}?)(?:に戻ると|に着くと|に入ると|では)[、，]",
    r"^場面は(?P<place>[^\s、。「」『』]{2,10}?)へ",
)
PLACE_NOUNS: tuple[str, ...] = (
    "茶屋", "駅", "店", "家", "部屋", "台所", "学校", "教室", "屋上", "港", "橋", "庭", "道", "神社", "寺", "病院",
    "喫茶店", "事務所", "宿", "旅館", "廊下", "玄関", "川辺", "浜", "公園", "通り", "市場", "境内",
)
OUTDOOR: tuple[str, ...] = ("屋上", "港", "橋", "庭", "道", "川辺", "浜", "公園", "通り", "駅前", "境内", "外", "市場")
TIME_WORDS: dict[str, str] = {
    "深夜": "NIGHT", "夜": "NIGHT", "夕方": "DUSK", "夕暮れ": "DUSK", "朝": "MORNING", "明け方": "MORNING", "昼": "DAY",
}
