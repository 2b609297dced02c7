"""Japanese design vocabulary: words that describe characters and places, as plain tables."""

from __future__ import annotations

# Words are matched character by character, longest first, so 街灯 wins over 灯.
JOINER = ""

COLOURS: dict[str, str | tuple[str, str]] = {
    "赤": "red", "赤い": "red", "真っ赤": "scarlet", "真っ赤な": "scarlet", "紅": "crimson", "深紅": "crimson",
    "えんじ": "maroon", "青": "blue", "青い": "blue", "紺": "navy", "紺色": "navy", "水色": "light_blue",
    "緑": "green", "緑色": "green", "深緑": "dark_green", "黄色": "yellow", "黄色い": "yellow", "金": "gold",
    "金色": "gold", "黒": "black", "黒い": "black", "真っ黒": "black", "白": "white", "白い": "white", "真っ白": "white",
    "灰色": "grey", "グレー": "grey", "銀": "silver", "銀色": "silver", "茶色": "brown", "茶色い": "brown",
    "茶": "brown", "焦げ茶": "dark_brown", "ベージュ": "beige", "ピンク": "pink", "桃色": "pink", "紫": "purple",
    "紫色": "purple", "オレンジ": "orange", "橙色": "orange", "金髪": ("blonde", "hair"), "白髪": ("grey", "hair"),
    "ごま塩": ("grey", "hair"), "黒ずくめ": ("black", "top"),
}
SHADES: dict[str, str] = {"濃い": "dark", "暗い": "dark", "薄い": "light", "淡い": "light", "色あせた": "light"}

WEAR: dict[str, tuple[str, str]] = {
    "髪": ("hair", "hair"), "髪の毛": ("hair", "hair"), "頭髪": ("hair", "hair"), "目": ("eyes", "eyes"),
    "瞳": ("eyes", "eyes"), "コート": ("top", "coat"), "トレンチコート": ("top", "coat"), "外套": ("top", "coat"),
    "レインコート": ("top", "raincoat"), "ジャケット": ("top", "jacket"), "上着": ("top", "jacket"),
    "ドレス": ("top", "dress"), "ワンピース": ("top", "dress"), "服": ("top", "shirt"), "洋服": ("top", "shirt"), "シャツ": ("top", "shirt"), "ブラウス": ("top", "shirt"),
    "Tシャツ": ("top", "t-shirt"), "セーター": ("top", "sweater"), "パーカー": ("top", "hoodie"), "着物": ("top", "kimono"),
    "浴衣": ("top", "kimono"), "制服": ("top", "uniform"), "スーツ": ("top", "suit"), "背広": ("top", "suit"),
    "ズボン": ("bottom", "trousers"), "パンツ": ("bottom", "trousers"), "ジーンズ": ("bottom", "jeans"),
    "スカート": ("bottom", "skirt"), "短パン": ("bottom", "shorts"), "マフラー": ("accessory", "scarf"),
    "スカーフ": ("accessory", "scarf"), "ストール": ("accessory", "scarf"), "帽子": ("accessory", "hat"),
    "キャップ": ("accessory", "cap"), "ネクタイ": ("accessory", "tie"), "エプロン": ("accessory", "apron"),
    "前掛け": ("accessory", "apron"), "眼鏡": ("accessory", "glasses"), "メガネ": ("accessory", "glasses"),
    "めがね": ("accessory", "glasses"), "イヤリング": ("accessory", "earrings"), "リボン": ("accessory", "ribbon"),
    "カチューシャ": ("accessory", "headband"), "リュック": ("accessory", "backpack"),
}
# 目 already stands alone; these only count right after a colour word.
WEAR_ADJACENT: dict[str, tuple[str, str]] = {}

# Japanese says "dressed in black" with one word (黒ずくめ, in COLOURS), so nothing is needed here.
IN_WORDS: set[str] = set()
ATTACH_WINDOW = 6
NAME_PREFIXES: dict[str, str] = {}

HAIR_STYLES: dict[str, str] = {
    "ポニーテール": "ponytail", "三つ編み": "ponytail", "おさげ": "ponytail", "お団子": "bun", "団子": "bun",
    "まとめ髪": "bun", "長髪": "long", "長い髪": "long", "ロングヘア": "long", "ロング": "long", "短髪": "short",
    "短い髪": "short", "ショートヘア": "short", "ショート": "short", "ボブ": "bob", "おかっぱ": "bob",
    "坊主": "cropped", "丸刈り": "cropped", "スキンヘッド": "bald", "禿げ": "bald", "はげ": "bald",
    "ツンツン": "spiky", "ツンツン頭": "spiky",
}
HAIR_LENGTHS: dict[str, str] = {}

AGES: dict[str, str] = {
    "老人": "elder", "老婆": "elder", "老女": "elder", "老紳士": "elder", "老いた": "elder", "年老いた": "elder",
    "おばあさん": "elder", "おじいさん": "elder", "お婆さん": "elder", "お爺さん": "elder", "祖母": "elder",
    "祖父": "elder", "年配": "elder", "初老": "elder", "若い": "adult", "青年": "adult", "少年": "teen",
    "少女": "teen", "高校生": "teen", "中学生": "teen", "子供": "child", "子ども": "child", "女の子": "child",
    "男の子": "child", "幼い": "child",
}
AGE_PATTERNS: list[tuple[str, str]] = [
    (r"(\d{1,2})\s*代", "decade"),
    (r"(\d{1,2})\s*歳", "years"),
    (r"([一二三四五六七八九]?十[一二三四五六七八九]?)\s*(?:代)", "cjk_decade"),
    (r"([一二三四五六七八九]?十[一二三四五六七八九]?)\s*歳", "cjk_years"),
]

GENDER_WORDS: dict[str, str] = {
    "女": "female", "女性": "female", "女の子": "female", "少女": "female", "おばあさん": "female", "お婆さん": "female",
    "老婆": "female", "老女": "female", "母": "female", "母親": "female", "姉": "female", "妹": "female", "妻": "female",
    "祖母": "female", "おばさん": "female", "娘": "female", "男": "male", "男性": "male", "男の子": "male",
    "少年": "male", "おじいさん": "male", "お爺さん": "male", "老紳士": "male", "父": "male", "父親": "male",
    "兄": "male", "弟": "male", "夫": "male", "祖父": "male", "おじさん": "male", "青年": "male", "息子": "male",
}
PRONOUNS: dict[str, str] = {"彼女": "female", "彼": "male"}
FEATURES: dict[str, str] = {
    "眼鏡": "glasses", "メガネ": "glasses", "めがね": "glasses", "髭": "beard", "ひげ": "beard", "あごひげ": "beard",
    "口ひげ": "moustache", "そばかす": "freckles", "傷": "scar", "傷跡": "scar", "刺青": "tattoo", "入れ墨": "tattoo",
    "イヤリング": "earrings", "制服": "uniform", "エプロン": "apron", "前掛け": "apron", "杖": "cane", "しわ": "wrinkles",
    "皺": "wrinkles", "えくぼ": "dimples",
}
BUILDS: dict[str, str] = {
    "細身": "slim", "痩せた": "slim", "やせた": "slim", "華奢": "slim", "小柄": "slim", "がっしり": "broad",
    "がっしりした": "broad", "大柄": "broad", "太った": "broad", "恰幅": "broad", "筋肉質": "broad",
}
HEIGHTS: dict[str, float] = {"背が高い": 0.12, "長身": 0.14, "のっぽ": 0.14, "背が低い": -0.1, "小柄": -0.1, "腰の曲がった": -0.08}
EYE_SHAPES: dict[str, str] = {"切れ長": "narrow", "細い目": "narrow", "鋭い目": "sharp", "鋭い": "sharp", "垂れ目": "droopy", "丸い目": "round", "大きな目": "round"}
SKINS: dict[str, int] = {"色白": 0, "青白い": 0, "日焼け": 4, "褐色": 5, "浅黒い": 4}

ELEMENTS: dict[str, tuple[str, str]] = {
    "窓": ("window", "window"), "丸窓": ("window", "porthole"), "ドア": ("door", "door"), "扉": ("door", "door"),
    "戸": ("door", "door"), "門": ("door", "gate"), "柱": ("pillar", "pillar"), "テーブル": ("table", "table"),
    "卓": ("table", "table"), "ちゃぶ台": ("table", "table"), "カウンター": ("counter", "counter"),
    "窓口": ("counter", "ticket window"), "切符売り場": ("counter", "ticket window"), "椅子": ("chair", "chair"),
    "イス": ("chair", "chair"), "いす": ("chair", "chair"), "スツール": ("chair", "stool"), "ベンチ": ("sofa", "bench"),
    "長椅子": ("sofa", "bench"), "ソファ": ("sofa", "sofa"), "ソファー": ("sofa", "sofa"), "ベッド": ("bed", "bed"),
    "布団": ("bed", "futon"), "本棚": ("shelf", "bookcase"), "棚": ("shelf", "shelf"), "戸棚": ("shelf", "cabinet"),
    "ランプ": ("lamp", "lamp"), "電灯": ("lamp", "lamp"), "提灯": ("lamp", "lantern"), "行灯": ("lamp", "lantern"),
    "スタンド": ("lamp", "lamp"), "植物": ("plant", "plant"), "観葉植物": ("plant", "plant"), "鉢植え": ("plant", "plant"),
    "絵": ("picture", "picture"), "掛け軸": ("picture", "scroll"), "ポスター": ("picture", "poster"),
    "時刻表": ("picture", "timetable"), "テレビ": ("screen", "tv"), "スクリーン": ("screen", "screen"),
    "モニター": ("screen", "monitor"), "画面": ("screen", "screen"), "手すり": ("rail", "railing"),
    "手摺": ("rail", "railing"), "柵": ("rail", "railing"), "欄干": ("rail", "railing"), "木": ("tree", "tree"),
    "樹": ("tree", "tree"), "木々": ("tree", "tree"), "並木": ("tree", "tree"), "ビル": ("building", "building"),
    "建物": ("building", "building"), "倉庫": ("building", "warehouse"), "街灯": ("streetlight", "streetlight"),
    "外灯": ("streetlight", "streetlight"), "看板": ("sign", "sign"), "ネオン": ("sign", "neon sign"),
    "冷蔵庫": ("fridge", "fridge"), "コンロ": ("stove", "stove"), "かまど": ("stove", "stove"),
    "ストーブ": ("stove", "stove"), "机": ("desk", "desk"), "デスク": ("desk", "desk"), "時計": ("clock", "clock"),
    "掛け時計": ("clock", "clock"),
}
LIGHTS: dict[str, str] = {
    "ランプ": "lamp", "電灯": "lamp", "提灯": "lamp", "行灯": "lamp", "ろうそく": "lamp", "蝋燭": "lamp",
    "ネオン": "neon", "月": "moon", "月明かり": "moon", "月光": "moon", "日差し": "sun", "陽射し": "sun",
    "太陽": "sun", "街灯": "street", "外灯": "street", "蛍光灯": "ceiling", "シャンデリア": "ceiling",
}
PLACES: dict[str, str] = {
    "台所": "kitchen", "キッチン": "kitchen", "厨房": "kitchen", "事務所": "office", "オフィス": "office",
    "書斎": "office", "切符売り場": "ticket_office", "待合室": "ticket_office", "寝室": "bedroom", "部屋": "bedroom",
    "居間": "living_room", "リビング": "living_room", "家": "living_room", "アパート": "living_room",
    "茶屋": "cafe", "喫茶店": "cafe", "カフェ": "cafe", "食堂": "cafe", "居酒屋": "cafe", "バー": "cafe",
    "店": "shop", "教室": "classroom", "学校": "classroom", "廊下": "hallway", "駅": "station", "ホーム": "station",
    "甲板": "deck", "デッキ": "deck", "フェリー": "deck", "船": "deck", "港": "harbour", "桟橋": "harbour",
    "埠頭": "harbour", "川辺": "riverbank", "河原": "riverbank", "川": "riverbank", "海辺": "riverbank",
    "浜辺": "riverbank", "橋": "riverbank", "通り": "street", "道": "street", "路地": "street", "街": "street",
    "公園": "park", "庭": "park", "屋上": "rooftop",
}
TIMES: dict[str, str] = {
    "夜": "night", "深夜": "night", "夜中": "night", "夕方": "dusk", "夕暮れ": "dusk", "黄昏": "dusk",
    "朝": "dawn", "早朝": "dawn", "夜明け": "dawn", "昼": "day", "日中": "day", "午後": "day",
}
NUMBERS: dict[str, int] = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "数": 3}
BLOCKED: set[str] = {
    "木の", "木製", "月曜", "毎月", "今月", "目的", "目立", "目指", "注目", "白状", "明白", "空白", "青年", "面白", "戸惑", "一戸", "傷つ",
    "男女", "金曜", "お金", "料金", "茶碗",
}
HEADING_PREFIXES: list[str] = ["室内/屋外", "屋外/室内", "室内", "屋外", "内景", "外景", "INT.", "EXT.", "INT ", "EXT "]
