"""Chinese design vocabulary: words that describe characters and places, as plain tables."""

from __future__ import annotations

# Words are matched character by character, longest first, so 路灯 wins over 灯.
JOINER = ""

COLOURS: dict[str, str | tuple[str, str]] = {
    "红": "red", "红色": "red", "赤": "red", "赤色": "red", "大红": "scarlet", "深红": "crimson", "酒红": "maroon",
    "蓝": "blue", "蓝色": "blue", "青": "teal", "青色": "teal", "藏青": "navy", "藏青色": "navy", "深蓝": "navy",
    "天蓝": "light_blue", "浅蓝": "light_blue", "绿": "green", "绿色": "green", "墨绿": "dark_green",
    "黄": "yellow", "黄色": "yellow", "金": "gold", "金色": "gold", "黑": "black", "黑色": "black", "乌黑": "black",
    "白": "white", "白色": "white", "雪白": "white", "灰": "grey", "灰色": "grey", "灰白": "grey", "花白": ("grey", "hair"),
    "斑白": ("grey", "hair"), "银": "silver", "银色": "silver", "银白": "silver", "棕": "brown", "棕色": "brown",
    "褐色": "brown", "咖啡色": "dark_brown", "米色": "beige", "米白": "cream", "粉": "pink", "粉色": "pink",
    "粉红": "pink", "粉红色": "pink", "紫": "purple", "紫色": "purple", "橙": "orange", "橙色": "orange", "橘色": "orange",
    "金发": ("blonde", "hair"),
}
SHADES: dict[str, str] = {"深": "dark", "暗": "dark", "浅": "light", "淡": "light", "褪色": "light", "旧": "light"}

WEAR: dict[str, tuple[str, str]] = {
    "头发": ("hair", "hair"), "发丝": ("hair", "hair"), "长发": ("hair", "hair"), "短发": ("hair", "hair"),
    "卷发": ("hair", "hair"), "眼睛": ("eyes", "eyes"), "眼眸": ("eyes", "eyes"), "瞳孔": ("eyes", "eyes"),
    "外套": ("top", "coat"), "大衣": ("top", "coat"), "风衣": ("top", "coat"), "雨衣": ("top", "raincoat"),
    "夹克": ("top", "jacket"), "西装": ("top", "suit"), "裙子": ("top", "dress"), "连衣裙": ("top", "dress"),
    "长裙": ("top", "dress"), "旗袍": ("top", "dress"), "衬衫": ("top", "shirt"), "衬衣": ("top", "shirt"),
    "T恤": ("top", "t-shirt"), "毛衣": ("top", "sweater"), "卫衣": ("top", "hoodie"), "制服": ("top", "uniform"),
    "长衫": ("top", "coat"), "马褂": ("top", "jacket"), "棉袄": ("top", "coat"), "上衣": ("top", "shirt"), "衣服": ("top", "shirt"), "衣裳": ("top", "shirt"),
    "裤子": ("bottom", "trousers"), "长裤": ("bottom", "trousers"), "牛仔裤": ("bottom", "jeans"),
    "短裙": ("bottom", "skirt"), "半身裙": ("bottom", "skirt"), "短裤": ("bottom", "shorts"),
    "围巾": ("accessory", "scarf"), "丝巾": ("accessory", "scarf"), "帽子": ("accessory", "hat"),
    "领带": ("accessory", "tie"), "围裙": ("accessory", "apron"), "眼镜": ("accessory", "glasses"),
    "耳环": ("accessory", "earrings"), "发带": ("accessory", "headband"), "发夹": ("accessory", "hairpin"),
    "披肩": ("accessory", "scarf"), "背包": ("accessory", "backpack"),
}
# 发 alone is hair only right after a colour (白发, 银发); elsewhere it is 出发, 发现 ...
WEAR_ADJACENT: dict[str, tuple[str, str]] = {"发": ("hair", "hair"), "衣": ("top", "shirt"), "眸": ("eyes", "eyes")}

IN_WORDS: set[str] = {"穿", "穿着", "身穿", "一身", "披着", "戴着", "戴"}
# How many characters may stand between a colour and the noun it colours (红色的旧外套).
ATTACH_WINDOW = 5
# 老王 is an older man, 小李 a young one.
NAME_PREFIXES: dict[str, str] = {"老": "elder", "小": "adult"}

HAIR_STYLES: dict[str, str] = {
    "马尾": "ponytail", "马尾辫": "ponytail", "辫子": "ponytail", "麻花辫": "ponytail", "发髻": "bun",
    "丸子头": "bun", "盘发": "bun", "长发": "long", "卷发": "long", "披肩发": "long", "短发": "short",
    "齐耳短发": "bob", "波波头": "bob", "光头": "bald", "秃头": "bald", "秃顶": "bald", "寸头": "cropped",
    "平头": "cropped", "刺猬头": "spiky",
}
HAIR_LENGTHS: dict[str, str] = {}

AGES: dict[str, str] = {
    "老人": "elder", "老头": "elder", "老太太": "elder", "老奶奶": "elder", "老爷爷": "elder", "老妇人": "elder",
    "老者": "elder", "老先生": "elder", "年迈": "elder", "苍老": "elder", "白发苍苍": "elder", "爷爷": "elder",
    "奶奶": "elder", "年轻": "adult", "少年": "teen", "少女": "teen", "学生": "teen", "小孩": "child",
    "孩子": "child", "小女孩": "child", "小男孩": "child", "儿童": "child",
}
AGE_PATTERNS: list[tuple[str, str]] = [
    (r"(\d{1,2})\s*多?岁", "years"),
    (r"([一二三四五六七八九]?十[一二三四五六七八九]?)\s*(?:多|来)?岁", "cjk_years"),
]

GENDER_WORDS: dict[str, str] = {
    "女": "female", "女人": "female", "女子": "female", "女孩": "female", "女士": "female", "姑娘": "female",
    "母亲": "female", "妈妈": "female", "奶奶": "female", "姐姐": "female", "妹妹": "female", "阿姨": "female",
    "老太太": "female", "老妇人": "female", "少女": "female", "小女孩": "female", "妻子": "female", "大婶": "female",
    "男": "male", "男人": "male", "男子": "male", "男孩": "male", "先生": "male", "父亲": "male", "爸爸": "male",
    "爷爷": "male", "哥哥": "male", "弟弟": "male", "叔叔": "male", "老头": "male", "少年": "male",
    "小男孩": "male", "丈夫": "male", "大叔": "male", "老先生": "male", "老爷爷": "male",
}
PRONOUNS: dict[str, str] = {"她": "female", "他": "male"}
FEATURES: dict[str, str] = {
    "眼镜": "glasses", "胡子": "beard", "胡须": "beard", "络腮胡": "beard", "小胡子": "moustache",
    "雀斑": "freckles", "伤疤": "scar", "疤": "scar", "纹身": "tattoo", "耳环": "earrings", "制服": "uniform",
    "围裙": "apron", "拐杖": "cane", "皱纹": "wrinkles", "酒窝": "dimples",
}
BUILDS: dict[str, str] = {
    "瘦": "slim", "瘦削": "slim", "纤细": "slim", "苗条": "slim", "瘦小": "slim", "魁梧": "broad", "壮": "broad",
    "健壮": "broad", "结实": "broad", "胖": "broad", "粗壮": "broad", "高大": "broad",
}
HEIGHTS: dict[str, float] = {"高": 0.12, "高大": 0.14, "高挑": 0.12, "矮": -0.1, "矮小": -0.12, "娇小": -0.1, "驼背": -0.06}
EYE_SHAPES: dict[str, str] = {"细长的眼睛": "narrow", "眯着眼": "narrow", "大眼睛": "round", "圆眼睛": "round", "锐利": "sharp", "眼神犀利": "sharp"}
SKINS: dict[str, int] = {"白皙": 0, "苍白": 0, "黝黑": 5, "黑黝黝": 5, "晒黑": 4, "古铜色": 4}

ELEMENTS: dict[str, tuple[str, str]] = {
    "窗": ("window", "window"), "窗户": ("window", "window"), "窗子": ("window", "window"), "舷窗": ("window", "porthole"),
    "门": ("door", "door"), "大门": ("door", "door"), "柱": ("pillar", "pillar"), "柱子": ("pillar", "pillar"),
    "桌": ("table", "table"), "桌子": ("table", "table"), "茶桌": ("table", "tea table"), "餐桌": ("table", "table"),
    "柜台": ("counter", "counter"), "吧台": ("counter", "bar"), "售票窗口": ("counter", "ticket window"),
    "椅子": ("chair", "chair"), "凳子": ("chair", "stool"), "长椅": ("sofa", "bench"), "长凳": ("sofa", "bench"),
    "沙发": ("sofa", "sofa"), "床": ("bed", "bed"), "书架": ("shelf", "bookcase"), "架子": ("shelf", "shelf"),
    "柜子": ("shelf", "cabinet"), "货架": ("shelf", "shelf"), "灯": ("lamp", "lamp"), "台灯": ("lamp", "lamp"),
    "灯笼": ("lamp", "lantern"), "油灯": ("lamp", "oil lamp"), "植物": ("plant", "plant"), "盆栽": ("plant", "plant"),
    "花盆": ("plant", "plant"), "画": ("picture", "picture"), "字画": ("picture", "scroll"), "挂画": ("picture", "picture"),
    "海报": ("picture", "poster"), "电视": ("screen", "tv"), "屏幕": ("screen", "screen"), "栏杆": ("rail", "railing"),
    "护栏": ("rail", "railing"), "扶手": ("rail", "railing"), "树": ("tree", "tree"), "柳树": ("tree", "willow"),
    "楼": ("building", "building"), "大楼": ("building", "building"), "高楼": ("building", "building"),
    "房子": ("building", "house"), "路灯": ("streetlight", "streetlight"), "街灯": ("streetlight", "streetlight"),
    "招牌": ("sign", "sign"), "牌匾": ("sign", "signboard"), "霓虹灯": ("sign", "neon sign"), "冰箱": ("fridge", "fridge"),
    "灶": ("stove", "stove"), "灶台": ("stove", "stove"), "炉子": ("stove", "stove"), "书桌": ("desk", "desk"),
    "办公桌": ("desk", "desk"), "钟": ("clock", "clock"), "挂钟": ("clock", "clock"), "时钟": ("clock", "clock"),
}
LIGHTS: dict[str, str] = {
    "灯": "lamp", "台灯": "lamp", "灯笼": "lamp", "油灯": "lamp", "蜡烛": "lamp", "烛光": "lamp", "霓虹": "neon",
    "霓虹灯": "neon", "月亮": "moon", "月光": "moon", "阳光": "sun", "太阳": "sun", "路灯": "street",
    "街灯": "street", "日光灯": "ceiling", "吊灯": "ceiling", "顶灯": "ceiling",
}
PLACES: dict[str, str] = {
    "厨房": "kitchen", "办公室": "office", "书房": "office", "售票处": "ticket_office", "售票厅": "ticket_office",
    "候船室": "ticket_office", "候车室": "ticket_office", "卧室": "bedroom", "房间": "bedroom", "客厅": "living_room",
    "家": "living_room", "公寓": "living_room", "茶馆": "cafe", "茶楼": "cafe", "咖啡馆": "cafe", "餐厅": "cafe",
    "饭馆": "cafe", "酒吧": "cafe", "商店": "shop", "店": "shop", "教室": "classroom", "学校": "classroom",
    "走廊": "hallway", "车站": "station", "站台": "station", "甲板": "deck", "渡轮": "deck", "船": "deck",
    "码头": "harbour", "港口": "harbour", "河边": "riverbank", "江边": "riverbank", "河岸": "riverbank",
    "海边": "riverbank", "桥": "riverbank", "街": "street", "街道": "street", "路": "street", "巷子": "street",
    "胡同": "street", "公园": "park", "花园": "park", "院子": "park", "天台": "rooftop", "屋顶": "rooftop",
}
TIMES: dict[str, str] = {
    "夜": "night", "夜晚": "night", "晚上": "night", "深夜": "night", "傍晚": "dusk", "黄昏": "dusk",
    "清晨": "dawn", "早晨": "dawn", "黎明": "dawn", "日": "day", "白天": "day", "中午": "day", "下午": "day",
}
NUMBERS: dict[str, int] = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "几": 3}
BLOCKED: set[str] = {
    "分钟", "钟头", "楼梯", "楼上", "楼下", "画面", "计划", "出发", "发现", "发出", "发生", "月台", "岁月", "路上", "白天", "明白", "空白",
    "黑暗", "一路", "路过", "马路", "青年", "年青", "灰心", "红包", "老师", "老板", "老公", "老婆", "老家", "桌面", "天色", "高兴",
}
HEADING_PREFIXES: list[str] = ["内景/外景", "外景/内景", "内景", "外景", "内/外", "内", "外", "INT.", "EXT.", "INT ", "EXT "]
