"""English prose vocabulary: speech verbs, pronouns, titles, place and time cues, as plain tables."""

from __future__ import annotations

import unicodedata


def _latin_letters(category: str) -> str:
    """The Latin letters beyond ASCII of one Unicode category, as ranges for a regular expression's character class."""
    codes = [c for c in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)) if unicodedata.category(chr(c)) == category]
    ranges: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code != previous + 1:
            ranges.append(chr(start) if start == previous else f"{chr(start)}-{chr(previous)}")
            start = code
        previous = code
    return "".join(ranges)


# Names are spelt in more than ASCII (Zsófia, Siobhán, Zoë, Stanisław): the letters a name may hold, for use inside a
# character class. A lower-case letter may be followed by a combining accent (Zoe + U+0308) where a text is decomposed.
UPPER = "A-Z" + _latin_letters("Lu")
LOWER = "a-z" + _latin_letters("Ll") + "\u0300-\u036f"
CAPITALISED = f"[{UPPER}](?:['’][{UPPER}])?[{LOWER}]+(?:(?<=Mc)[{UPPER}][{LOWER}]+|(?<=Mac)[{UPPER}][{LOWER}]+)?"
"""A capitalised word (Ellen, Zsófia, Ní), and one with a second capital after Mc, Mac or an apostrophe (McAteer,
MacLeod, O'Brien): the shape of a name's every part."""

# Verbs that tag a quote with its speaker ("...," said Ellen / Ellen asked, "...").
SPEECH_VERBS: tuple[str, ...] = (
    "said", "says", "say", "asked", "asks", "replied", "replies", "answered", "answers", "called", "calls",
    "shouted", "shouts", "yelled", "yells", "cried", "cries", "whispered", "whispers", "murmured", "murmurs",
    "muttered", "mutters", "told", "tells", "added", "adds", "continued", "went on", "began", "insisted",
    "snapped", "repeated", "agreed", "admitted", "explained", "laughed", "sighed", "demanded", "warned",
    "offered", "protested", "suggested", "observed", "remarked", "called out", "cut in", "interrupted",
    "breathed", "growled", "hissed", "pleaded", "begged", "announced", "declared", "wondered", "corrected",
    # the same verbs in the present tense, for stories told in it ("says Mateo", "she snaps")
    "insists", "snaps", "repeats", "agrees", "admits", "explains", "laughs", "sighs", "demands", "warns", "offers",
    "protests", "suggests", "observes", "remarks", "calls out", "cuts in", "interrupts", "breathes", "growls", "hisses",
    "pleads", "begs", "announces", "declares", "wonders", "corrects", "goes on", "begins", "continues",
    # one reading a note out says its words ("Irena," he read.)
    "read", "reads", "read out", "reads out", "read aloud", "reads aloud",
    # more verbs of saying, past and present
    "exclaimed", "exclaims", "mumbled", "mumbles", "stammered", "stammers", "retorted", "retorts", "responded",
    "responds", "barked", "barks", "roared", "roars", "bellowed", "bellows", "screamed", "screams", "grunted", "grunts",
    "gasped", "gasps", "croaked", "croaks", "rasped", "rasps", "drawled", "drawls", "spat", "spits", "sobbed", "sobs",
    "groaned", "groans", "moaned", "moans", "wailed", "wails", "chuckled", "chuckles", "teased", "teases",
    "joked", "jokes", "inquired", "inquires", "enquired", "enquires", "conceded", "concedes", "confirmed", "confirms",
    "ordered", "orders", "urged", "urges", "prompted", "prompts", "ventured", "ventures", "persisted", "persists",
    "objected", "objects", "countered", "counters", "echoed", "echoes", "chimed in", "chimes in", "put in",
    "shot back", "shoots back", "hollered", "hollers", "panted", "pants", "scoffed", "scoffs", "snorted", "snorts",
    "sniffed", "sniffs", "grumbled", "grumbles", "whimpered", "whimpers", "stuttered", "stutters", "blurted", "blurts",
    "reminded", "reminds", "reported", "reports", "promised", "promises", "assured", "assures",
)
# Speech verbs that also name a reaction (a laugh, a nod): after a line they may be the listener's.
REACTIONS: tuple[str, ...] = (
    "laughed", "sighed", "began", "continued", "went on", "agreed", "told", "tells", "offered", "called", "calls", "wondered",
    "breathed", "admitted", "laughs", "sighs", "begins", "continues", "goes on", "agrees", "offers", "wonders", "breathes",
    "admits", "chuckled", "chuckles", "gasped", "gasps", "groaned", "groans", "snorted", "snorts", "sniffed", "sniffs",
    "scoffed", "scoffs", "sobbed", "sobs", "moaned", "moans", "panted", "pants", "promised", "promises", "grunted", "grunts",
)
# Words that may stand between the speaker and the verb ("Ellen quietly said").
MANNER: tuple[str, ...] = ("quietly", "softly", "finally", "then", "slowly", "sharply", "simply", "only", "just", "again", "gently", "flatly")

PRONOUNS: dict[str, str] = {"he": "m", "she": "f"}
# Possessive and object pronouns that reveal a named character's gender in the same sentence.
GENDER_WORDS: dict[str, str] = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}
FIRST_PERSON: tuple[str, ...] = ("I",)
NARRATOR = "Narrator"
UNKNOWN_SPEAKER = "Stranger"

TITLES: dict[str, str | None] = {
    "Mr": "m", "Mr.": "m", "Mrs": "f", "Mrs.": "f", "Ms": "f", "Ms.": "f", "Miss": "f", "Dr": None, "Dr.": None,
    "Sir": "m", "Lady": "f", "Lord": "m", "Aunt": "f", "Uncle": "m", "Captain": None, "Professor": None,
    # ranks and callings that stand before a surname as Mr does (Commander Haddad, Inspector Vane)
    "Doctor": None, "Mister": "m", "Madam": "f", "Commander": None, "Sergeant": None, "Inspector": None,
    "Constable": None, "Detective": None, "Lieutenant": None, "Colonel": None, "Admiral": None, "Corporal": None,
    "Reverend": None, "Father": "m", "Sister": "f", "Brother": "m",
    # a judge's style (Mr Justice Harrow, Lord Justice Pell) and the calling it goes with
    "Justice": None, "Judge": None, "Nurse": None, "Matron": "f", "Officer": None, "Chief": None, "Major": None,
    # the forms of address other languages give an English story its foreign characters by (Frau Gruber, Monsieur Lenoir)
    "Frau": "f", "Herr": "m", "Madame": "f", "Monsieur": "m", "Mademoiselle": "f", "Signora": "f", "Signor": "m",
    "Signorina": "f", "Senora": "f", "Senor": "m",
}
# Role nouns that are also a title a name carries: "the judge" is the one character called Judge Pell or Mr Justice
# Harrow, "the captain" the one called Captain Thorne, when the story has exactly one such.
ROLE_TITLES: dict[str, tuple[str, ...]] = {
    "judge": ("Judge", "Justice"), "captain": ("Captain",), "doctor": ("Dr", "Dr.", "Doctor"), "nurse": ("Nurse",),
    "inspector": ("Inspector",), "sergeant": ("Sergeant",), "constable": ("Constable",), "commander": ("Commander",),
    "professor": ("Professor",), "detective": ("Detective",), "lieutenant": ("Lieutenant",), "colonel": ("Colonel",),
    "officer": ("Officer",), "priest": ("Father", "Reverend"), "matron": ("Matron",), "major": ("Major",),
}
# Months that are also given names: a name in a story that uses one as a person's (June says / June Bellamy / June's
# hand) and never as a date (in June, June the fifth, the 3rd of June).
MONTH_NAMES: tuple[str, ...] = ("April", "June", "August")
# Capitalised words that open sentences or name days and months: never a character (but see MONTH_NAMES).
NOT_NAMES: frozenset[str] = frozenset(
    """A An The And But Or So Then When While If As At In On Of To For From With Without Into Onto Over Under After
    Before Behind Beside Between Through Across Around Back Still Now Just Only Even Yet No Not Yes Oh Ah Well Why What
    Who Where How Which There Here This That These Those It Its He She Him Her His Hers They Them Their We Us Our You
    Your I Me My Mine Someone Somebody Something Nobody Nothing Everyone Everybody Everything Anyone Anybody Anything
    All Some Any One Two Three Four Five Six Seven
    Eight Nine Ten Chapter Part Book Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
    April May June July August September October November December God Okay OK Hey Hi Hello Good Sorry Thank Thanks
    Please Let Do Does Did Don Can Could Would Should Will Shall Must May Might Is Are Was Were Be Been Have Has Had
    Maybe Perhaps Because Since Though Although Once Twice Never Always Sometimes Outside Inside Upstairs Downstairs
    Morning Evening Night Tonight Today Tomorrow Yesterday Street Road Avenue Lane Very Really Quite Fine Right Sure
    Exactly Indeed Certainly Course Wait Look Listen Come Go Stop Goodnight Goodbye Bye Afternoon Excuse Pardon Honestly
    Seriously Absolutely Nonsense Rubbish Enough Again Done Ready True Rather Nearly Almost Agreed Rain Snow Wind Fog
    Mist Thunder Lightning Sunlight Moonlight Darkness Silence Smoke Dust Water Fire Frost Hail Dawn Dusk
    Eleven Twelve Thirteen Fourteen Fifteen Sixteen Seventeen Eighteen Nineteen Twenty Thirty Forty Fifty Sixty Seventy
    Eighty Ninety Hundred Thousand Lord Christ Jesus Heavens Gosh Blimey Cheers Congratulations
    Majesty Highness Lordship Ladyship Excellency Eminence Holiness Sire Milord Milady Ma'am Madam Lies
    Yep Yup Yeah Yah Nope Nah Aye Ok Alright Ta Hiya Oi Ooh Ahh Aah Aha Hmm Mm Mmm Uh Um Er Erm Whoa Wow Crikey Jeez
    Ugh Eh Huh Ow Ouch Shh Psst Tsk Phew Oops Hush Onstage Offstage Backstage Upstage Downstage Overhead Meanwhile
    Opposite Ahead Nearby
    Send Tell Ask Get Give Bring Take Fetch Call Ring Phone Leave Put Show Help Wake Keep Make Pass Meet Follow Grab
    Hold Find Watch Sit Stand Move Turn Open Close Shut Hurry Try Check Shout Warn Remind Forgive Ignore Lock Kiss Hug
    Pay Tip Fire Sack Arrest Search
    Name Names Ticket Tickets Passport Passports Address Signature Sugar Milk Coffee Change Receipt""".split()
)

# A paragraph that opens with one of these moves the story to a new place ("In the kitchen, ...").
PLACE_CUES: tuple[str, ...] = (
    rf"^(?:Back\s+)?(?:In|At|Inside|Outside|Across|Down|Up|Over)\s+(?:the\s+|a\s+|an\s+)?(?P<place>(?:[{UPPER}][\w'’]*\s+|[{LOWER}][\w'’]*\s+){{0,3}}?[\w'’]+)\s*,",
    r"^(?:Back|Later)\s+(?:at|in)\s+(?:the\s+)?(?P<place>[\w'’ ]{3,30}?)\s*[,.]",
)
# Nouns that make a chapter title or a cue a place, and which of them are out of doors.
PLACE_NOUNS: tuple[str, ...] = (
    "kitchen", "station", "house", "inn", "room", "street", "harbour", "harbor", "office", "shop", "garden", "bar",
    "cafe", "café", "hall", "school", "church", "pier", "ferry", "hospital", "market", "park", "yard", "bridge",
    "library", "study", "bedroom", "attic", "cellar", "road", "square", "dock", "beach", "farm", "barn", "hotel",
    "restaurant", "parlour", "parlor", "platform", "lighthouse", "tavern", "shore", "junction", "lane", "avenue",
    "manor", "abbey", "castle", "quay", "wharf",
)
OUTDOOR: tuple[str, ...] = ("street", "garden", "road", "park", "yard", "bridge", "pier", "square", "dock", "beach", "harbour",
                            "harbor", "platform", "shore", "field", "forest", "woods", "hill", "outside", "roof", "deck", "lane")
TIME_WORDS: dict[str, str] = {
    "night": "NIGHT", "midnight": "NIGHT", "dark": "NIGHT", "evening": "DUSK", "dusk": "DUSK", "sunset": "DUSK",
    "twilight": "DUSK", "morning": "MORNING", "dawn": "MORNING", "sunrise": "MORNING", "noon": "DAY", "afternoon": "DAY",
}
NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}

# Role nouns a story may call a character by, never naming them ("the porter said"), with their gender.
ROLES: dict[str, str | None] = {
    "queen": "f", "king": "m", "prince": "m", "princess": "f", "duke": "m", "duchess": "f", "emperor": "m", "empress": "f",
    "porter": None, "lookout": None, "boatman": "m", "dispatcher": None, "crier": None, "tanner": None, "crowd": None, "captain": None,
    "doctor": None, "nurse": None, "driver": None, "conductor": None, "guard": None, "clerk": None, "waiter": "m",
    "waitress": "f", "landlady": "f", "landlord": "m", "sergeant": None, "constable": None, "judge": None, "usher": None,
    "man": "m", "woman": "f", "old man": "m", "old woman": "f", "boy": "m", "girl": "f", "stranger": None, "voice": None,
    "mother": "f", "father": "m", "boatswain": "m", "mate": None, "officer": None, "clerk of the court": None,
    "bartender": None, "barman": "m", "shopkeeper": None, "baker": None, "fox": "n", "child": None,
    "lady": "f", "gentleman": "m", "young man": "m", "young woman": "f", "old lady": "f", "old gentleman": "m",
    "stranger": None, "newcomer": None, "visitor": None, "customer": None, "priest": "m", "soldier": None,
    "inspector": None, "commander": None, "professor": None, "detective": None, "lieutenant": None, "colonel": None,
    "matron": "f", "major": None, "witness": None, "prisoner": None, "counsel": None, "foreman": None, "chef": None,
    "cook": None, "maid": "f", "butler": "m", "housekeeper": None, "innkeeper": None, "ferryman": "m", "fisherman": "m",
    "farmer": None, "pilot": None, "operator": None, "receptionist": None, "teacher": None, "headmaster": "m",
    "headmistress": "f", "vicar": "m", "sheriff": None, "deputy": None, "guide": None, "hunter": None, "sailor": None,
    "watchman": "m", "gatekeeper": None, "coachman": "m", "groom": None, "servant": None, "page": None, "herald": None,
    "caller": None, "paramedic": None, "surgeon": None, "pharmacist": None, "postman": "m", "postwoman": "f", "policeman": "m",
    "policewoman": "f", "delivery driver": None, "cabbie": None, "taxi driver": None, "bus driver": None,
    # creatures and machines, which a story calls "it" ("n")
    "robot": "n", "computer": "n", "machine": "n", "dog": "n", "cat": "n", "raven": "n", "crow": "n", "owl": "n",
    "wolf": "n", "hare": "n", "creature": "n", "beast": "n", "dragon": "n", "parrot": "n", "android": "n",
}
# Roles that only describe a person (age, sex, manner), not what they do: "the old man" may be one the story has named.
EPITHETS: tuple[str, ...] = ("man", "woman", "old man", "old woman", "boy", "girl", "lady", "gentleman", "young man",
                             "young woman", "old lady", "old gentleman")
# Unnamed voices a character may turn out to be once they give their name.
VOICES: tuple[str, ...] = ("voice", "woman", "man", "lady", "gentleman", "young woman", "young man", "old woman", "old man",
                           "old lady", "old gentleman", "girl", "boy", "stranger", "newcomer", "visitor")
# The one voice heard from where no one is seen ("Deck there!" The cry came down from the foretop): a character of its
# own until the narration says whose voice it was.
UNSEEN_VOICE = "voice"
# What narration says the others call someone (我们都管他叫胖子): the nickname joins that character.
# Also an apposition after the name: "Mireille Dufresne, who is Mimi to everyone", "Tom Hale, known as Hal",
# "Sunil Rao, whom everybody calls Sunny".
NICKNAME = (rf"(?:\b(?:called|calls|call)\s+(?:him|her|{CAPITALISED})\s+|(?P<full>{CAPITALISED}(?: {CAPITALISED})?),\s+(?:who is|who was|(?:better\s+)?known as|"
            rf"nicknamed|whom?\s+(?:[{LOWER}]+\s+){{1,3}}?(?:calls?|called))\s+)[\"“‘']?(?P<nick>{CAPITALISED})\b")
SELF_INTRODUCTION = (
    # (and the officer who says who is present: "Present are myself, Detective Sergeant Hale, …")
    # ("And this is Joan, who runs it." / "This is Annette Mulvey, who does all our flowers.": one more introduced, not
    # the speaker)
    r"\b(?:I'm called|I am called|I'm known as|I'm|I am|[Mm]y name is|[Mm]y name's|(?<![Aa]nd )[Tt]his is|[Tt]he name's|[Cc]all(?:s|ed)? me|myself,)\s+"
    rf"(?P<name>(?:(?:Mr|Mrs|Ms|Miss|Dr|Captain|Commander|Sergeant|Detective Sergeant|Inspector)\.?\s+)?{CAPITALISED}(?:[ ]{CAPITALISED})?)"
    rf"(?![{LOWER}])(?!(?:[ ]{CAPITALISED})?,?\s+(?:who|whom)\b)"
)

# Familiar forms of English given names -> the formal name (Danny is Daniel, Tommo is Thomas): a story may call one
# person by both, and a nickname with the surname (Tommo Birch) is the formal one too (Thomas Birch).
HYPOCORISMS: dict[str, str] = {
    **dict.fromkeys(("Dan", "Danny", "Dannie"), "Daniel"), **dict.fromkeys(("Tom", "Tommy", "Tommo"), "Thomas"),
    **dict.fromkeys(("Bill", "Billy", "Willy", "Liam"), "William"), **dict.fromkeys(("Bob", "Bobby", "Rob", "Robbie"), "Robert"),
    **dict.fromkeys(("Jim", "Jimmy", "Jamie"), "James"), **dict.fromkeys(("Mike", "Mikey", "Mick", "Micky"), "Michael"),
    **dict.fromkeys(("Dick", "Rick", "Ricky", "Richie"), "Richard"), **dict.fromkeys(("Ed", "Eddie", "Ned", "Ted"), "Edward"),
    **dict.fromkeys(("Chris", "Kit"), "Christopher"), **dict.fromkeys(("Alex", "Sandy"), "Alexander"),
    **dict.fromkeys(("Andy", "Drew"), "Andrew"), **dict.fromkeys(("Ben", "Benny"), "Benjamin"),
    **dict.fromkeys(("Charlie", "Chuck"), "Charles"), **dict.fromkeys(("Fred", "Freddie", "Freddy"), "Frederick"),
    **dict.fromkeys(("Harry", "Hal"), "Henry"), **dict.fromkeys(("Jack", "Johnny"), "John"),
    **dict.fromkeys(("Joe", "Joey"), "Joseph"), **dict.fromkeys(("Matt", "Matty"), "Matthew"),
    **dict.fromkeys(("Nick", "Nicky"), "Nicholas"), **dict.fromkeys(("Pete",), "Peter"),
    **dict.fromkeys(("Sam", "Sammy"), "Samuel"), **dict.fromkeys(("Steve", "Stevie"), "Stephen"),
    **dict.fromkeys(("Tony",), "Anthony"), **dict.fromkeys(("Greg",), "Gregory"), **dict.fromkeys(("Len", "Lenny"), "Leonard"),
    **dict.fromkeys(("Abby", "Abbie"), "Abigail"), **dict.fromkeys(("Annie", "Nancy"), "Anne"),
    **dict.fromkeys(("Beth", "Betty", "Liz", "Lizzie", "Eliza", "Bess"), "Elizabeth"),
    **dict.fromkeys(("Cathy", "Kate", "Katie", "Kitty"), "Catherine"), **dict.fromkeys(("Jenny", "Jen"), "Jennifer"),
    **dict.fromkeys(("Maggie", "Meg", "Peggy"), "Margaret"), **dict.fromkeys(("Molly", "Polly"), "Mary"),
    **dict.fromkeys(("Sue", "Susie"), "Susan"), **dict.fromkeys(("Vicky", "Vic"), "Victoria"),
    **dict.fromkeys(("Nell", "Nellie"), "Eleanor"), **dict.fromkeys(("Becky",), "Rebecca"),
    **dict.fromkeys(("Jess", "Jessie"), "Jessica"), **dict.fromkeys(("Pat", "Patty"), "Patricia"),
    **dict.fromkeys(("Hattie", "Hatty"), "Harriet"), **dict.fromkeys(("Dec", "Deccie"), "Declan"),
    **dict.fromkeys(("Bev",), "Beverley"), **dict.fromkeys(("Win", "Winnie"), "Winifred"),
    **dict.fromkeys(("Alf", "Alfie"), "Alfred"), **dict.fromkeys(("Bert", "Bertie"), "Albert"),
    **dict.fromkeys(("Archie",), "Archibald"), **dict.fromkeys(("Barney",), "Barnaby"), **dict.fromkeys(("Bernie",), "Bernard"),
    **dict.fromkeys(("Des", "Dessie"), "Desmond"), **dict.fromkeys(("Don", "Donny"), "Donald"),
    **dict.fromkeys(("Doug", "Dougie"), "Douglas"), **dict.fromkeys(("Ern", "Ernie"), "Ernest"),
    **dict.fromkeys(("Gaz", "Gazza"), "Gary"), **dict.fromkeys(("Gerry",), "Gerald"), **dict.fromkeys(("Jez",), "Jeremy"),
    **dict.fromkeys(("Kev",), "Kevin"), **dict.fromkeys(("Larry",), "Lawrence"), **dict.fromkeys(("Mal",), "Malcolm"),
    **dict.fromkeys(("Marty",), "Martin"), **dict.fromkeys(("Ollie", "Olly"), "Oliver"), **dict.fromkeys(("Paddy",), "Patrick"),
    **dict.fromkeys(("Phil",), "Philip"), **dict.fromkeys(("Ray",), "Raymond"), **dict.fromkeys(("Reg", "Reggie"), "Reginald"),
    **dict.fromkeys(("Ron", "Ronnie"), "Ronald"), **dict.fromkeys(("Sid",), "Sidney"), **dict.fromkeys(("Stan",), "Stanley"),
    **dict.fromkeys(("Stu",), "Stuart"), **dict.fromkeys(("Terry",), "Terence"), **dict.fromkeys(("Theo",), "Theodore"),
    **dict.fromkeys(("Tim", "Timmy"), "Timothy"), **dict.fromkeys(("Toby",), "Tobias"), **dict.fromkeys(("Vince",), "Vincent"),
    **dict.fromkeys(("Wally", "Walt"), "Walter"), **dict.fromkeys(("Will",), "William"), **dict.fromkeys(("Dom",), "Dominic"),
    **dict.fromkeys(("Babs",), "Barbara"), **dict.fromkeys(("Bea", "Trixie"), "Beatrix"), **dict.fromkeys(("Bella", "Izzy"), "Isabella"),
    **dict.fromkeys(("Cass",), "Cassandra"), **dict.fromkeys(("Dot", "Dottie"), "Dorothy"), **dict.fromkeys(("Ellie",), "Eleanor"),
    **dict.fromkeys(("Gwen",), "Gwendolen"), **dict.fromkeys(("Ginny",), "Virginia"), **dict.fromkeys(("Jackie",), "Jacqueline"),
    **dict.fromkeys(("Lottie",), "Charlotte"), **dict.fromkeys(("Mandy",), "Amanda"), **dict.fromkeys(("Pam",), "Pamela"),
    **dict.fromkeys(("Penny",), "Penelope"), **dict.fromkeys(("Pip", "Pippa"), "Philippa"), **dict.fromkeys(("Sally", "Sal"), "Sarah"),
    **dict.fromkeys(("Shaz", "Shazza"), "Sharon"), **dict.fromkeys(("Steph",), "Stephanie"), **dict.fromkeys(("Tess", "Tessa"), "Theresa"),
    **dict.fromkeys(("Tilly",), "Matilda"), **dict.fromkeys(("Trish",), "Patricia"), **dict.fromkeys(("Val",), "Valerie"),
    **dict.fromkeys(("Viv",), "Vivienne"), **dict.fromkeys(("Mags", "Madge"), "Margaret"), **dict.fromkeys(("Libby",), "Elizabeth"),
    # as Scots and the Irish say them
    **dict.fromkeys(("Shug", "Shuggie"), "Hugh"), **dict.fromkeys(("Rab", "Rabbie"), "Robert"), **dict.fromkeys(("Tam",), "Thomas"),
    **dict.fromkeys(("Wullie",), "William"), **dict.fromkeys(("Dave", "Davie", "Davy"), "David"), **dict.fromkeys(("Jock",), "John"),
    **dict.fromkeys(("Sadie",), "Sarah"), **dict.fromkeys(("Seanie",), "Sean"), **dict.fromkeys(("Mairi",), "Mary"),
    **dict.fromkeys(("Lockie", "Lachie"), "Lachlan"), **dict.fromkeys(("Eck", "Ecky"), "Alexander"),
    **dict.fromkeys(("Paudie", "Páidí", "Paidi"), "Pádraig"), **dict.fromkeys(("Peig", "Peigí"), "Margaret"),
    **dict.fromkeys(("Shay",), "Séamus"), **dict.fromkeys(("Nuala",), "Fionnuala"),
    # and as Poles say them, in stories written in English
    **dict.fromkeys(("Aga", "Agusia"), "Agnieszka"), **dict.fromkeys(("Kasia",), "Katarzyna"), **dict.fromkeys(("Gosia",), "Małgorzata"),
    **dict.fromkeys(("Basia",), "Barbara"), **dict.fromkeys(("Asia",), "Joanna"), **dict.fromkeys(("Tomek",), "Tomasz"),
    **dict.fromkeys(("Kuba",), "Jakub"), **dict.fromkeys(("Zosia",), "Zofia"), **dict.fromkeys(("Wojtek",), "Wojciech"),
    **dict.fromkeys(("Bartek",), "Bartłomiej"), **dict.fromkeys(("Piotrek",), "Piotr"), **dict.fromkeys(("Jurek",), "Jerzy"),
}
# Common given names that are a man's or a woman's (the familiar forms above follow their formal names, where those
# are listed here): a vote for the gender of one known by them that the narration's pronouns can outweigh. Names given
# to both (Sam, Alex, Jo, Leslie) are left out.
_MEN = """Aaron Adam Adrian Aidan Alan Alasdair Albert Alexander Alfred Alistair Andrew Angus Anthony Archibald Arthur Barnaby
Barry Benjamin Bernard Brendan Brian Bruce Callum Calum Carl Charles Christopher Clive Colin Connor Craig Cyril Damian
Daniel David Declan Dennis Derek Desmond Dominic Donald Douglas Duncan Dylan Edmund Edward Edwin Eric Ernest Eugene Evan
Felix Fergus Francis Frank Frederick Gareth Gary Gavin Geoffrey George Gerald Gerard Gethin Gilbert Gordon Graham Gregory
Guy Harold Henry Herbert Hugh Ian Isaac Ivan Jacob James Jason Jeremy Jerome John Jonathan Joseph Joshua Julian Keith
Kenneth Kevin Kieran Lawrence Laurence Leonard Lewis Liam Lionel Luke Malcolm Marcus Mark Martin Matthew Maurice Michael
Neil Nicholas Nigel Noel Norman Oliver Oscar Owen Patrick Paul Peter Philip Ralph Raymond Reginald Richard Robert Roger
Ronald Rory Roy Rupert Russell Ryan Samuel Sean Sebastian Seamus Simon Stanley Stephen Stuart Terence Theodore Thomas
Timothy Tobias Trevor Tristan Victor Vincent Walter Wayne William"""
_WOMEN = """Abigail Agnes Alice Alison Amanda Amelia Amy Angela Anne Audrey Barbara Beatrice Beatrix Bernadette Beryl Beverley
Brenda Bridget Carol Caroline Carys Catherine Charlotte Chloe Christine Clare Claire Deborah Delphine Denise Diana Diane
Doris Dorothy Edith Eileen Eleanor Elizabeth Ellen Emily Emma Esther Evelyn Fiona Florence Frances Gemma Geraldine Gillian
Gladys Grace Gwendolen Hannah Harriet Hazel Heather Helen Hilda Imogen Irene Irena Iris Isabella Jane Janet Jean Jennifer
Jessica Joan Joanna Josephine Joyce Judith Julia Julie Karen Kathleen Laura Lily Linda Lisa Lorraine Louise Lucy Lydia
Mabel Madeleine Maeve Margaret Maria Marie Marion Martha Mary Maud Maureen Megan Melanie Mildred Miriam Moira Muriel Nadia
Natalie Niamh Nicola Nora Olive Olivia Pamela Patricia Pauline Penelope Philippa Phoebe Rachel Rebecca Rita Rose Rosalind
Rosemary Ruth Samantha Sandra Sarah Sharon Sheila Shirley Siobhan Sophie Stella Susan Sylvia Theresa Valerie Vera Victoria
Violet Vivienne Wendy Winifred Yvonne Zoe"""
GIVEN_NAMES: dict[str, str] = {**dict.fromkeys(_MEN.split(), "m"), **dict.fromkeys(_WOMEN.split(), "f")}
# Familiar forms that stand for more than one formal name besides the one above (Kit is Christopher or Catherine).
HYPOCORISMS_ALSO: dict[str, tuple[str, ...]] = {"Kit": ("Catherine",), "Chris": ("Christine", "Christina"),
                                                 "Sam": ("Samantha",), "Alex": ("Alexandra",), "Pat": ("Patrick",),
                                                 "Jo": ("Joanna", "Josephine"), "Nat": ("Natalie", "Nathaniel"),
                                                 "Harry": ("Harriet", "Harold"), "Hal": ("Harold",), "Bea": ("Beatrice",),
                                                 "Frankie": ("Frances", "Francis"), "Fran": ("Frances",), "Lou": ("Louise", "Louis"),
                                                 "Mo": ("Maureen", "Maurice"), "Gus": ("Angus", "Augustus"), "Al": ("Alan", "Albert", "Alfred"),
                                                 "Em": ("Emma", "Emily"), "Di": ("Diana", "Diane"), "Ali": ("Alison", "Alice"),
                                                 "Barney": ("Bernard",), "Gaz": ("Gareth",), "Gerry": ("Gerard",), "Kath": ("Catherine",),
                                                 "Ros": ("Rosalind",), "Roz": ("Rosalind",), "Jude": ("Judith",), "Sandy": ("Sandra",)}
# One formal name spelt more than one way: the same name (Katherine is Catherine).
NAME_SPELLINGS: dict[str, str] = {"Katherine": "Catherine", "Katharine": "Catherine", "Kathryn": "Catherine", "Teresa": "Theresa",
                                  "Phillip": "Philip", "Isabel": "Isabella", "Isobel": "Isabella", "Sara": "Sarah",
                                  "Jeffrey": "Geoffrey", "Gwendoline": "Gwendolen",
                                  "Catharine": "Catherine", "Steven": "Stephen", "Jon": "John", "Anna": "Anne",
                                  "Ann": "Anne", "Eleanore": "Eleanor", "Elinor": "Eleanor"}
# A line that says what the one it speaks to is called ("And you'll be Nell, is it?" / "Your gran calls you Nell.").
YOU_ARE_CALLED = rf"\b(?:[Yy]ou(?:['’]ll| will| must| would) be|calls? you|called you)\s+(?P<name>{CAPITALISED})\b(?!['’]s)"
# A question whether the one spoken to is someone by name (Are you Pavel Orlov? / 你是沈孤鸿吗？): an unnamed voice
# that answers it is that one.
# A line that asks the one spoken to for their name: the answer opens with the answerer's own name.
NAME_QUESTION = (r"(?:^|(?<=[.!?] ))(?:[Ff]ull )?[Nn]ame(?:,? please)?[?.]|\b(?:[Ss]tate your (?:full )?name|[Ww]hat(?:'s|’s| is) your name|[Yy]our name\b|[Ww]ho are you\b|[Aa]nd you are\b"
                 r"|[Ww]hat (?:do|does|should|shall|can|will) (?:they|people|we|I|folk|your friends) call you\b)")
# A line that asks who did something (Who sold it to you?): a name said in answer is the one who did it, not the one
# who answers.
DOER_QUESTION = r"\b[Ww]ho\s+(?:[a-z]+ed|sold|bought|brought|gave|sent|left|took|made|wrote|told|found|did|paid|rang|put|let)\b"
# A line that opens by answering yes or no (Yes. / No, not yet.): after a question, the one asked, not the asker.
ANSWER_OPENERS = r"^\s*(?:Yes|No|Yeah|Yep|Nope|Nah|Aye)\b(?:[,.!—–]|$)"
# How a question ends ("Table for one?").
QUESTION_END = r"\?\s*$"
# What the one serving says to a customer (Can I help you? / What can I get you?): never the customer's line.
SERVICE_OPENERS = r"^\s*(?:(?:Hello|Hi|Morning|Evening)[,!.]\s+)?(?:Can|May) I help you\b|^\s*What can I get (?:you|for you)\b|^\s*Welcome to\b"
CUSTOMERS: tuple[str, ...] = ("customer", "client", "shopper", "diner")
IDENTITY_QUESTION = rf"\b[Aa]re you (?P<name>(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?{CAPITALISED}(?: {CAPITALISED})?)\?"
# A title said alone to call someone ("Doctor." / "Captain, ..."), and the title their name carries (Dr Amara Osei).
TITLE_CALLS: dict[str, str] = {
    "Doctor": "Dr", "Dr": "Dr", "Captain": "Captain", "Commander": "Commander", "Sergeant": "Sergeant",
    "Inspector": "Inspector", "Professor": "Professor", "Detective": "Detective", "Nurse": "Nurse", "Judge": "Judge",
}
# What narration says just before a name when a character turns to someone to speak ("Owen turned to Gregory.",
# "she looked at Ruth", "asked Tom"): the one named is spoken to, and is the likely one to answer.
FACING = (r"\b(?:(?:turn|look|glance|stare|gaze|nod|smile|lean|frown|grin|point|gesture|wink|shout|call|bow)(?:s|ed|d|ing)?|"
          r"swung|swings|wheeled)\s+(?:back\s+|round\s+|around\s+|across\s+|over\s+|up\s+|down\s+|sharply\s+|slowly\s+)?"
          r"(?:to|at|towards?|on)\s+(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?$"
          r"|\b(?:asked|asks|told|tells|addressed|addresses|handed|hands|passed|passes|gave|gives)\s+(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?$")
# What narration says to give the name of one it has so far called by a role or a pronoun ("His name was Walter
# Hume", "she introduced herself as Sofia Lind", "the old man, whose name was Tom").
NAMED_AS = (rf"\b(?P<subj>[Hh]is|[Hh]er)\s+(?P<real>(?:real|full|proper|birth)\s+)?name\s+(?:was|is)"
            rf"\s+(?P<name>(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?{CAPITALISED}(?: {CAPITALISED})?)"
            rf"|\b(?P<subj2>[Hh]e|[Ss]he)\s+introduc(?:ed|es)\s+(?:himself|herself)\s+as\s+(?P<name2>(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?{CAPITALISED}(?: {CAPITALISED})?)"
            rf"|\b(?:[Tt]he|[Aa]n?)\s+(?P<subj3>[{LOWER}]+(?: [{LOWER}]+)?),?\s+whose name (?:was|is)\s+(?P<name3>{CAPITALISED}(?: {CAPITALISED})?)")
# What narration says when a character leaves the scene ("Hume left", "The porter withdrew"): they speak no more in it
# until they are back.
EXITS = (r"\b(?:left the (?:room|house|office|shop|ward|kitchen|building)|went out|goes out|walked out|walks out|walked off|walks off|"
         r"walked away|walks away|hurried out|hurries out|disappeared|disappears|departed|departs|withdrew|withdraws|"
         r"stalked out|stalks out|stormed out|storms out|slipped out|slips out)\b")
# A possessive that leads up to a name ("her brother Sam", "his wife, Ann"): the pronoun is another's, not the name's.
POSSESSIVE_BEFORE_NAME = (rf"\b(?:[Hh]is|[Hh]er)\s+(?:(?!(?:to|at|with|for|from|and|or|but|by|on|in|of|as|than|that)\b)[{LOWER}]+\s+){{1,2}},?\s*$")
# Kin nouns that give the gender of a name set beside them ("her brother Sam", "his aunt, Ruth Hale").
# Words with a calling's ending that name no one ("the other said", "the former asked").
NOT_CALLINGS: tuple[str, ...] = (
    "other", "another", "former", "latter", "older", "younger", "elder", "eldest", "youngest", "taller", "shorter",
    "nearer", "farther", "further", "bigger", "smaller", "present", "silent", "patient", "absent", "distant",
)
KIN: dict[str, str | None] = {
    "brother": "m", "sister": "f", "son": "m", "daughter": "f", "husband": "m", "wife": "f", "uncle": "m", "aunt": "f",
    "nephew": "m", "niece": "f", "grandfather": "m", "grandmother": "f", "grandson": "m", "granddaughter": "f",
    "boyfriend": "m", "girlfriend": "f", "mum": "f", "mom": "f", "dad": "m", "stepmother": "f", "stepfather": "m",
    "cousin": None, "fiancé": "m", "fiancée": "f", "partner": None, "friend": None, "neighbour": None,
    "gran": "f", "granny": "f", "grandma": "f", "nan": "f", "nana": "f", "nanna": "f", "grandad": "m", "granddad": "m",
    "grandpa": "m", "auntie": "f", "aunty": "f", "mam": "f", "mummy": "f", "daddy": "m", "stepson": "m",
    "stepdaughter": "f", "twin": None,
}


def _whose_voice(group: str) -> str:
    """What may say whose kind a voice is before the word (a woman's, a young man's), caught as ``group``."""
    kinds = "|".join(sorted((v for v in VOICES if v != "voice"), key=len, reverse=True))
    return rf"(?:(?:[{LOWER}]+\s+)??(?P<{group}>{kinds})['’]s\s+)?"


# What narration says to bring in a voice no one is seen to have (from behind the curtain comes a voice; a voice called
# from the stairs): the line after it is that voice's; one told by whose kind it is (a woman's voice came down from
# above) is a woman until she is named. (Each way of saying it names its kind's group apart: who, kind.)
VOICE_COMES = (rf"\b(?:comes?|came|there (?:is|was))\s+an?\s+{_whose_voice('who')}(?:[{LOWER}]+\s+){{0,2}}voice\b|"
               rf"\ban?\s+{_whose_voice('kind')}(?:[{LOWER}]+\s+){{0,2}}voice\s+(?:came|comes|called|calls|rang|rings|floated|floats|drifted|drifts)\b")
# What narration right after a line says of the kind of voice it was (The voice is a man's, dry and unhurried. / It was a
# young woman's voice.): the line is a voice of that kind, a character of its own until it is named.
VOICE_WAS = (rf"\s*(?:(?:The|That|Its|This) voice (?:is|was) (?:that of )?an?\s+|It (?:is|was) an?\s+)(?:[{LOWER}]+\s+)??"
             rf"(?P<kind>{'|'.join(sorted((v for v in VOICES if v != 'voice'), key=len, reverse=True))})['’]s\b")
# What a line opens with to say who the voice just heard was ("That's Fergus. He's soft."): that voice's name.
THAT_WAS = rf"\s*(?:That's|That’s|That is|That was|That'll be|That’ll be)\s+(?P<name>{CAPITALISED}(?: {CAPITALISED})?)(?=[.!,;]|\s*$)"
# What narration says when a phone rings ("Her phone buzzed") and whose call it is ("It was Grace"): the one whose phone
# it is answers, and the caller speaks back to them.
PHONE_RINGS = (rf"\b(?P<owner>{CAPITALISED}['’]s|[Mm]y|[Hh]is|[Hh]er)\s+(?:(?:desk|office|work|home|old|mobile|kitchen|bedside)\s+)?(?:mobile|phone|cell|cellphone|telephone)\s+(?:rang|rings|buzzed|buzzes|went off|goes off|vibrated|vibrates|lit up|lights up|"
                rf"(?:goes|went)(?!\s+(?:dead|flat|quiet|silent|missing|flying|off\s+the|into|in\b|on\b|out\b|back\b|down\b|under\b)))")
PHONE_CALLER = rf"\b(?:[Ii]t was|[Ii]t's|[Ii]t is)\s+(?P<caller>(?:[Mm]y|[Hh]is|[Hh]er)\s+(?:mother|father|sister|brother|mum|mom|dad|wife|husband)|{CAPITALISED}(?: {CAPITALISED})?)\b"
# What narration says when a call ends (電話を切ると / 我挂掉电话 / she hung up): the caller speaks no more.
PHONE_ENDS = (r"\b(?:hung up|hangs up|rang off|rings off|ended the call|ends the call|the line went dead|the line goes dead|"
              r"the line click(?:s|ed)|(?:put|puts|set|sets) (?:the|my|his|her) (?:phone|receiver|handset) down)\b")
PHONE_VOICE = "caller"  # one on the phone no narration has named yet
# What a body does of itself (A woman in the front row coughed into a glove.): one narration shows doing no more than
# this is not the one it hands the next line to.
IDLE_ACTS = (r"\b(?:coughed|coughs|sneezed|sneezes|yawned|yawns|sniffed|sniffs|snored|snores|dozed|dozes|slept|sleeps|"
             r"fidgeted|fidgets|hiccuped|hiccups|stirred in (?:his|her|their) sleep)\b")
# What narration says when someone else takes the phone in a call ("Mum took the phone from her"): they talk to the caller
# now; and what a caller says to ask for someone ("Is Ann there?"): the one who takes the phone next is that one.
PHONE_TAKEN = r"\b(?:took|takes|grabbed|grabs|snatched|snatches|picked up|picks up|answered|answers) the (?:phone|receiver|handset|call)\b"
ASKS_FOR = rf"\b(?:[Ii]s|[Ii]s that) (?P<name>{CAPITALISED}) (?:there|around|in)\b|\b[Cc]an I (?:speak|talk) to (?P<name2>{CAPITALISED})\b"
# What one calls family, strangers and friends to their face ("Papa, the pony's loose", "Yes, sir"): never a name.
FAMILIAR_CALLS: frozenset[str] = frozenset(
    """Papa Mama Mum Mom Dad Daddy Mummy Sir Madam Ma'am Sarge Doc Boss Mister Missus Son Lad Love Dear Darling
    Sweetheart Mate Pal Buddy Kid Miss""".split()
)
# Words that call the ones spoken to without naming them ("Problem, gentlemen?" / "Tea, anyone?"): the word before
# them in a line is what is said to them, not a name.
ADDRESSES: frozenset[str] = frozenset(
    "gentlemen ladies lads boys girls everyone everybody folks people anyone anybody children kids guys all".split()
)
# What narration says of one who keeps silent (青衫人没有抬头 / 彼は答えなかった / Tom said nothing): not the next to speak.
SILENCE = r"\b(?:said nothing|says nothing|did not (?:answer|reply|look up|speak)|didn\'t (?:answer|reply|look up|speak)|does not (?:answer|reply|look up)|doesn\'t (?:answer|reply|look up)|made no (?:answer|reply)|was silent|stayed silent|kept silent|is silent|ignored (?:him|her|them|it))\b"
# What narration says just before a name when one hands or shows it something ("She showed Tom the letter"): the one
# given it answers.
HANDED = r"\b(?:handed|hands|showed|shows|passed|passes|gave|gives)\s+(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?$"
# A question the narration says someone put to another, in its own words, closing the paragraph (She asked him his
# name.): the one asked (him, her, me or a name) answers in the next line; not a request (asked him to sit).
ASKED_IN_NARRATION = rf"\bask(?:ed|s) (?P<obj>him|her|(?P<i>me)|(?P<name>{CAPITALISED}))(?: (?:his|her|my|what|where|who|whether|if|how|why|when|which)\b[^,;:\"“”]*)?[.?]?$"
# What narration opens with to say whose the line just heard was (是李明远，刚从警校分来的 / It was Tom.).
IT_WAS = rf"It (?:was|is) (?P<who>{CAPITALISED}(?: {CAPITALISED})?)[.,;]"
# What narration says when it hands someone a letter or a note to read out: the next line is that one's.
READS_OUT = r"\\b(?:read|reads) (?:it |them |the \\w+ )?(?:aloud|out)\\b|\\b(?:began|begins|started|starts) to read\\b"
# One who writes their own name down, the name a sentence of its own after (She wrote slowly. Cordelia Vane.).
SIGNED = (rf"\b(?P<who>[Ss]he|[Hh]e)\s+(?:[{LOWER}]+\s+)?(?:wrote|signed|printed)\b[^.!?\"“”]*[.:]\s+"
          rf"(?P<name>{CAPITALISED} {CAPITALISED})\.")
# One who will not be called so ("Don't call me Bobby."): the line is the one so called's.
OWN_NAME_OBJECTED = rf"^\W*(?:[Dd]on['’]t call me |[Ss]top calling me )(?P<name>{CAPITALISED})\b"
# A name in capitals read off a badge or a tag (a badge on it that says TERESA; he reads PRECIOUS ADEYEMI, COMPLIANCE):
# the unnamed one who spoke last is that name.
BADGE = (rf"\b(?:badge|name ?tag|name-tag|lanyard|name ?plate)s?\b[^.!?\"“”]*?\b(?:says?|said|reads?|reading|saying|printed|with)"
         rf"\b[^.!?\"“”{UPPER}]{{0,12}}\b(?P<name>[{UPPER}]{{2,}})\b(?: (?P<surname>[{UPPER}]{{2,}})\b)?(?! [{UPPER}]{{2,}})")
