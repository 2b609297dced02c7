"""English design vocabulary: words that describe characters and places, as plain tables."""

from __future__ import annotations

# Words are matched as whole lower-case words; nouns also match their plurals.
JOINER = " "

# word -> colour name (see mangaline.colour.NAMED), or (colour name, the slot it colours when no noun is near)
COLOURS: dict[str, str | tuple[str, str]] = {
    "red": "red", "crimson": "crimson", "scarlet": "scarlet", "maroon": "maroon", "burgundy": "maroon",
    "blue": "blue", "navy": "navy", "teal": "teal", "turquoise": "teal",
    "green": "green", "olive": "olive", "emerald": "green",
    "yellow": "yellow", "mustard": "yellow", "gold": "gold", "golden": "gold",
    "black": "black", "white": "white", "grey": "grey", "gray": "grey", "silver": "silver",
    "brown": "brown", "chocolate": "dark_brown", "tan": "beige", "beige": "beige", "khaki": "beige", "cream": "cream",
    "pink": "pink", "rose": "pink", "purple": "purple", "violet": "purple", "lilac": "purple", "orange": "orange",
    "blonde": ("blonde", "hair"), "blond": ("blonde", "hair"), "brunette": ("dark_brown", "hair"),
    "redhead": ("auburn", "hair"), "ginger": ("auburn", "hair"), "auburn": ("auburn", "hair"),
    "salt and pepper": ("grey", "hair"), "salt-and-pepper": ("grey", "hair"),
}
SHADES: dict[str, str] = {"dark": "dark", "deep": "dark", "faded": "light", "light": "light", "pale": "light", "bright": "", "dull": "dark"}

# word -> (slot, garment). Slots: hair, eyes, top, bottom, accessory.
WEAR: dict[str, tuple[str, str]] = {
    "hair": ("hair", "hair"), "haired": ("hair", "hair"), "eyes": ("eyes", "eyes"), "eye": ("eyes", "eyes"), "eyed": ("eyes", "eyes"),
    "coat": ("top", "coat"), "overcoat": ("top", "coat"), "raincoat": ("top", "raincoat"), "trench coat": ("top", "coat"),
    "jacket": ("top", "jacket"), "blazer": ("top", "jacket"), "parka": ("top", "coat"), "windbreaker": ("top", "jacket"),
    "dress": ("top", "dress"), "gown": ("top", "dress"), "shirt": ("top", "shirt"), "blouse": ("top", "shirt"),
    "t-shirt": ("top", "t-shirt"), "sweater": ("top", "sweater"), "jumper": ("top", "sweater"), "cardigan": ("top", "cardigan"),
    "hoodie": ("top", "hoodie"), "kimono": ("top", "kimono"), "uniform": ("top", "uniform"), "suit": ("top", "suit"),
    "vest": ("top", "vest"), "overalls": ("top", "overalls"),
    "trousers": ("bottom", "trousers"), "pants": ("bottom", "trousers"), "jeans": ("bottom", "jeans"),
    "skirt": ("bottom", "skirt"), "shorts": ("bottom", "shorts"),
    "scarf": ("accessory", "scarf"), "hat": ("accessory", "hat"), "cap": ("accessory", "cap"), "beanie": ("accessory", "hat"),
    "tie": ("accessory", "tie"), "apron": ("accessory", "apron"), "glasses": ("accessory", "glasses"),
    "spectacles": ("accessory", "glasses"), "earrings": ("accessory", "earrings"), "shawl": ("accessory", "scarf"),
    "headband": ("accessory", "headband"), "ribbon": ("accessory", "ribbon"), "backpack": ("accessory", "backpack"),
}
# Nouns a colour only attaches to when directly before them (none needed in English).
WEAR_ADJACENT: dict[str, tuple[str, str]] = {}

# Words after which a lone colour means the clothes ("dressed in black").
IN_WORDS: set[str] = {"in", "wearing", "wears", "dressed", "clad"}
# How many words may stand between a colour and the noun it colours ("a red wool scarf").
ATTACH_WINDOW = 3
# Name prefixes that say something about the character (the name is also read word by word).
NAME_PREFIXES: dict[str, str] = {}

HAIR_STYLES: dict[str, str] = {
    "ponytail": "ponytail", "braid": "ponytail", "braids": "ponytail", "pigtails": "ponytail", "bun": "bun",
    "topknot": "bun", "bob": "bob", "bobbed": "bob", "bald": "bald", "shaved head": "bald", "shaven": "bald",
    "spiky": "spiky", "mohawk": "spiky", "crew cut": "cropped", "buzz cut": "cropped", "cropped": "cropped",
    "long-haired": "long", "short-haired": "short",
}
# Length words that only speak of the hair when a hair noun follows ("long hair", not "long coat").
HAIR_LENGTHS: dict[str, str] = {"long": "long", "short": "short", "cropped": "cropped", "curly": "long", "wavy": "long"}

AGES: dict[str, str] = {
    "old": "elder", "elderly": "elder", "aged": "elder", "ageing": "elder", "aging": "elder", "wrinkled": "elder",
    "grandmother": "elder", "grandfather": "elder", "grandma": "elder", "grandpa": "elder", "granny": "elder",
    "young": "adult", "teen": "teen", "teenage": "teen", "teenager": "teen", "schoolgirl": "teen", "schoolboy": "teen",
    "child": "child", "kid": "child", "little girl": "child", "little boy": "child", "toddler": "child", "children": "child",
}
# (regex, how): "decade" reads "30s" as mid-thirties, "years" reads a plain age.
AGE_PATTERNS: list[tuple[str, str]] = [
    (r"\(\s*(?:early\s+|mid\s+|late\s+)?(\d{1,2})0s\s*\)", "decade"),
    (r"\(\s*(\d{1,2})\s*\)", "years"),
    (r"\bin (?:her|his|their) (?:early |mid |late )?(\d)0s\b", "decade"),
    (r"\b(\d{1,2})[- ]year[- ]old\b", "years"),
]

GENDER_WORDS: dict[str, str] = {
    "woman": "female", "women": "female", "girl": "female", "lady": "female", "mother": "female", "mum": "female",
    "mom": "female", "daughter": "female", "sister": "female", "wife": "female", "aunt": "female", "grandmother": "female",
    "grandma": "female", "granny": "female", "waitress": "female", "actress": "female", "schoolgirl": "female",
    "mrs": "female", "ms": "female", "miss": "female", "madam": "female", "widow": "female", "redhead": "female",
    "man": "male", "men": "male", "boy": "male", "gentleman": "male", "father": "male", "dad": "male", "son": "male",
    "brother": "male", "husband": "male", "uncle": "male", "grandfather": "male", "grandpa": "male", "schoolboy": "male",
    "mr": "male", "sir": "male", "widower": "male", "guy": "male",
}
PRONOUNS: dict[str, str] = {
    "she": "female", "her": "female", "hers": "female", "herself": "female",
    "he": "male", "him": "male", "his": "male", "himself": "male",
}
FEATURES: dict[str, str] = {
    "glasses": "glasses", "spectacles": "glasses", "beard": "beard", "bearded": "beard", "moustache": "moustache",
    "mustache": "moustache", "stubble": "stubble", "freckles": "freckles", "freckled": "freckles", "scar": "scar",
    "tattoo": "tattoo", "earrings": "earrings", "uniform": "uniform", "apron": "apron", "cane": "cane",
    "walking stick": "cane", "wrinkles": "wrinkles", "dimples": "dimples", "mole": "mole",
}
BUILDS: dict[str, str] = {
    "slim": "slim", "thin": "slim", "slender": "slim", "skinny": "slim", "wiry": "slim", "lanky": "slim", "petite": "slim",
    "broad": "broad", "burly": "broad", "stocky": "broad", "heavy": "broad", "heavyset": "broad", "stout": "broad",
    "muscular": "broad", "big": "broad", "hulking": "broad", "plump": "broad", "chubby": "broad",
}
HEIGHTS: dict[str, float] = {"tall": 0.12, "towering": 0.18, "lanky": 0.1, "petite": -0.1, "tiny": -0.12, "small": -0.06, "stooped": -0.06}
EYE_SHAPES: dict[str, str] = {
    "sharp eyes": "sharp", "narrow eyes": "narrow", "kind eyes": "droopy", "tired eyes": "droopy",
    "sleepy eyes": "droopy", "wide eyes": "round", "round eyes": "round", "keen eyes": "sharp",
}
# word -> index into design.characters.SKIN_TONES
SKINS: dict[str, int] = {"pale": 0, "fair": 0, "freckled": 1, "olive-skinned": 3, "tanned": 4, "sunburnt": 3, "weathered": 4, "dark-skinned": 5}

# word -> (element kind, the name it gets in the set)
ELEMENTS: dict[str, tuple[str, str]] = {
    "window": ("window", "window"), "porthole": ("window", "porthole"), "door": ("door", "door"),
    "doorway": ("door", "door"), "gate": ("door", "gate"),
    "pillar": ("pillar", "pillar"), "column": ("pillar", "column"), "post": ("pillar", "post"),
    "table": ("table", "table"), "counter": ("counter", "counter"), "bar": ("counter", "bar"),
    "ticket window": ("counter", "ticket window"), "chair": ("chair", "chair"), "stool": ("chair", "stool"),
    "bench": ("sofa", "bench"), "sofa": ("sofa", "sofa"), "couch": ("sofa", "couch"), "bed": ("bed", "bed"),
    "shelf": ("shelf", "shelf"), "shelves": ("shelf", "shelf"), "bookcase": ("shelf", "bookcase"),
    "bookshelf": ("shelf", "bookshelf"), "cabinet": ("shelf", "cabinet"), "lamp": ("lamp", "lamp"),
    "lantern": ("lamp", "lantern"), "plant": ("plant", "plant"), "fern": ("plant", "plant"),
    "potted plant": ("plant", "plant"), "picture": ("picture", "picture"), "painting": ("picture", "painting"),
    "poster": ("picture", "poster"), "map": ("picture", "map"), "timetable": ("picture", "timetable"),
    "screen": ("screen", "screen"), "tv": ("screen", "tv"), "television": ("screen", "tv"), "monitor": ("screen", "monitor"),
    "rail": ("rail", "rail"), "railing": ("rail", "railing"), "guardrail": ("rail", "railing"), "handrail": ("rail", "railing"),
    "tree": ("tree", "tree"), "building": ("building", "building"), "skyline": ("building", "skyline"),
    "tower": ("building", "tower"), "warehouse": ("building", "warehouse"),
    "streetlight": ("streetlight", "streetlight"), "street lamp": ("streetlight", "street lamp"),
    "streetlamp": ("streetlight", "street lamp"), "lamppost": ("streetlight", "lamppost"),
    "sign": ("sign", "sign"), "signboard": ("sign", "sign"), "neon sign": ("sign", "neon sign"), "billboard": ("sign", "billboard"),
    "fridge": ("fridge", "fridge"), "refrigerator": ("fridge", "fridge"), "stove": ("stove", "stove"),
    "oven": ("stove", "oven"), "cooker": ("stove", "stove"), "desk": ("desk", "desk"), "clock": ("clock", "clock"),
}
# word -> light kind (window, lamp, ceiling, sun, moon, neon, street)
LIGHTS: dict[str, str] = {
    "lamp": "lamp", "lantern": "lamp", "candle": "lamp", "lamplight": "lamp", "neon": "neon", "neon sign": "neon",
    "moon": "moon", "moonlight": "moon", "sun": "sun", "sunlight": "sun", "sunshine": "sun", "streetlight": "street",
    "street lamp": "street", "streetlamp": "street", "lamppost": "street", "fluorescent": "ceiling",
    "ceiling light": "ceiling", "bulb": "ceiling", "chandelier": "ceiling", "window light": "window",
}
# word -> place type (see design.places.PLACES)
PLACES: dict[str, str] = {
    "kitchen": "kitchen", "office": "office", "study": "office", "ticket office": "ticket_office",
    "ticket hall": "ticket_office", "booking office": "ticket_office", "waiting room": "ticket_office",
    "bedroom": "bedroom", "living room": "living_room", "lounge": "living_room", "apartment": "living_room",
    "flat": "living_room", "house": "living_room", "cafe": "cafe", "café": "cafe", "restaurant": "cafe", "bar": "cafe",
    "tea house": "cafe", "teahouse": "cafe", "diner": "cafe", "pub": "cafe", "shop": "shop", "store": "shop",
    "classroom": "classroom", "school": "classroom", "corridor": "hallway", "hallway": "hallway", "hall": "hallway",
    "station": "station", "platform": "station", "deck": "deck", "ferry": "deck", "boat": "deck", "ship": "deck",
    "harbour": "harbour", "harbor": "harbour", "pier": "harbour", "dock": "harbour", "wharf": "harbour", "quay": "harbour",
    "port": "harbour", "river": "riverbank", "riverbank": "riverbank", "shore": "riverbank", "beach": "riverbank",
    "bridge": "riverbank", "street": "street", "road": "street", "alley": "street", "avenue": "street", "square": "street",
    "park": "park", "garden": "park", "rooftop": "rooftop", "roof": "rooftop",
}
TIMES: dict[str, str] = {
    "night": "night", "midnight": "night", "evening": "dusk", "dusk": "dusk", "sunset": "dusk", "twilight": "dusk",
    "dawn": "dawn", "morning": "dawn", "sunrise": "dawn", "day": "day", "noon": "day", "afternoon": "day",
}
NUMBERS: dict[str, int] = {"a": 1, "an": 1, "one": 1, "two": 2, "pair": 2, "three": 3, "four": 4, "five": 5, "six": 6, "several": 3, "rows": 4}
# Words that look like vocabulary but mean something else here.
BLOCKED: set[str] = {"bar code", "post office", "sign language", "screen door", "old man's beard", "flat out", "hall pass"}
HEADING_PREFIXES: list[str] = ["INT./EXT.", "INT/EXT", "EXT./INT.", "I/E", "INT.", "EXT.", "EST.", "INT ", "EXT ", "EST "]
