"""Japanese prose vocabulary: speech verbs, pronouns, honorifics, place and time cues, as plain tables."""

from __future__ import annotations

# Verbs that tag a quote with its speaker (「……」と花子は言った。); longest are tried first.
SPEECH_VERBS: tuple[str, ...] = (
    "言った", "言う", "言いました", "言って", "聞いた", "訊いた", "尋ねた", "答えた", "叫んだ", "呟いた", "つぶやいた",
    "囁いた", "ささやいた", "笑った", "続けた", "返した", "怒鳴った", "言い返した", "促した", "問うた", "付け加えた",
    "漏らした", "口を開いた", "声をかけた", "呼んだ", "告げた", "頷いた", "首を振った", "ため息をついた", "微笑んだ",
    # the same acts in the present (a story told in the present, or before と: 健太が茶化すと、) and more of them
    "答える", "尋ねる", "訊く", "聞く", "叫ぶ", "呟く", "つぶやく", "囁く", "ささやく", "怒鳴る", "促す", "問う", "告げる",
    "付け加える", "言い返す", "返す", "漏らす", "続ける", "茶化す", "茶化した", "たしなめる", "たしなめた", "からかう",
    "からかった", "冷やかす", "冷やかした", "口を挟む", "口を挟んだ", "口をはさんだ", "遮る", "遮った", "さえぎった",
    "応じる", "応じた", "念を押す", "念を押した", "言い添えた", "切り出す", "切り出した", "繰り返す", "繰り返した",
    "叱る", "叱った", "諭す", "諭した", "なだめる", "なだめた", "謝る", "謝った", "ぼやく", "ぼやいた", "こぼす", "こぼした",
    "独りごちた", "命じる", "命じた", "報告する", "報告した", "説明する", "説明した", "反論する", "反論した", "問いかける",
    "問いかけた", "声をかける", "呼びかける", "呼びかけた", "話しかける", "話しかけた", "声を上げる", "声を上げた", "声をあげた",
    "うなずく", "うなずいた", "頷く", "笑う", "微笑む", "呼ぶ",
    # a voice lifted by what was just said (森田大輝が声を弾ませる)
    "声を弾ませる", "声を弾ませた",
)
# Speech verbs that also name a reaction (a laugh, a nod): after a line they may be the listener's.
REACTIONS: tuple[str, ...] = ("笑った", "頷いた", "首を振った", "ため息をついた", "微笑んだ", "呼んだ", "続けた", "口を開いた", "声をかけた",
                               "うなずいた", "うなずく", "頷く", "笑う", "微笑む", "呼ぶ", "続ける", "声を上げる", "声を上げた", "声をあげた")


def _going_on(verbs: tuple[str, ...]) -> tuple[str, ...]:
    """The past forms as something going on (そうつぶやいていた / 叫んでいた / 笑っていた)."""
    return tuple(v[:-1] + ("て" if v.endswith("た") else "で") + "いた"
                 for v in verbs if v.endswith(("いた", "った", "した", "んだ", "えた", "けた", "げた", "めた", "れた", "じた")))


SPEECH_VERBS += _going_on(SPEECH_VERBS)
# and the forms that join the sentence on to what comes next (女将が呆れたように言い、私は吹き出した / 言いながら)
SPEECH_VERBS += ("言い、", "答え、", "叫び、", "呟き、", "つぶやき、", "尋ね、", "訊き、", "怒鳴り、", "囁き、", "ささやき、",
                 "促し、", "告げ、", "言い返し、", "付け加え、", "言いながら", "答えながら", "呟きながら", "つぶやきながら")
# A cleft sentence after a line that says who spoke it (真っ先に声をあげたのは、米屋の光男だった); {said} is the speech verbs.
SAID_CLEFT = (r"[\s　]*[^。「」]{0,12}?(?:{said})のは、?(?:[^。「」、]{0,12}?の)?(?P<who>[^。「」、の]{1,12}?)"
              r"(?:だった|だ|である|であった)。?$")
REACTIONS += _going_on(REACTIONS)
MANNER: tuple[str, ...] = ("静かに", "小さく", "そっと", "低く", "ぽつりと", "また", "すぐに", "やがて", "少し", "笑って", "にやりと")
PRONOUNS: dict[str, str] = {"彼女": "f", "彼": "m"}
GENDER_WORDS: dict[str, str] = {"彼女": "f", "彼": "m"}
FIRST_PERSON: tuple[str, ...] = ("私", "僕", "俺", "わたし", "あたし")
# Words for I that a character says but that hardly tell a story (an old man's わし, a child's おいら)
OTHER_FIRST_PERSON: tuple[str, ...] = ("わし", "わたくし", "おいら", "うち", "拙者", "それがし", "あっし")
NARRATOR = "私"
UNKNOWN_SPEAKER = "誰か"

# Honorifics stripped when aliases are compared (花子さん = 花子), with the gender they lean to.
TITLES: dict[str, str | None] = {
    "さん": None, "くん": "m", "君": "m", "ちゃん": None, "様": None, "さま": None, "先生": None, "先輩": None,
    "殿": "m", "部長": None, "課長": None, "社長": None, "おじさん": "m", "おばさん": "f", "婆さん": "f", "爺さん": "m",
}
NOT_NAMES: frozenset[str] = frozenset(
    """誰 誰か 二人 みんな 皆 彼ら 自分 それ これ あれ 声 男 女 店 今日 明日 昨日 今 一人 相手 客 子供 少年 少女
    老人 全員 私達 僕ら 俺たち 何 誰も 店主 外 中 茶 雨 風 空 夜 朝 昼 夕方 三人 四人 五人 六人 数人 何人 大勢 一同 皆さん
    せや ほな""".split()  # (Kansai's "so it is" and "well then", which sudachi reads as a name)
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

# Role nouns a story may call a character by, never naming them (母が鍋の蓋を開けた / 運転手が振り返った),
# with the gender they imply. A role standing before a name (父の佐伯正人) is that named character.
ROLES: dict[str, str | None] = {
    "母": "f", "父": "m", "祖母": "f", "祖父": "m", "兄": "m", "姉": "f", "弟": "m", "妹": "f", "叔父": "m", "叔母": "f",
    "伯父": "m", "伯母": "f", "夫": "m", "妻": "f", "息子": "m", "娘": "f", "母親": "f", "父親": "m", "祖母ちゃん": "f",
    "女将": "f", "主人": "m", "亭主": "m", "店主": None, "マスター": None, "番頭": "m", "運転手": None, "車掌": None,
    "駅員": None, "店員": None, "ウェイター": "m", "ウェイトレス": "f", "監督": None, "球審": None, "部長": None, "課長": None,
    "社長": None, "係長": None, "先生": None, "医者": None, "看護師": None, "刑事": None, "警官": None, "巡査": None,
    "男": "m", "女": "f", "男の人": "m", "女の人": "f", "老人": None, "老婆": "f", "少年": "m", "少女": "f", "若い男": "m", "若い女": "f", "紳士": "m",
    "侍": "m", "浪人": "m", "客": None, "ロボット": None, "声": None, "電話の相手": None, "先輩": None, "後輩": None,
    # people narration brings in by what they look like (制服姿の女子高生が入ってきた)
    "女性": "f", "男性": "m", "女の子": "f", "男の子": "m", "青年": "m", "若者": None, "婦人": "f", "老紳士": "m",
    "女子高生": "f", "男子高校生": "m", "女子学生": "f", "男子学生": "m", "学生": None, "生徒": None,
    # ranks and trades on a ship, in an office or a shop (艦長の風間凛 / 整備士の大森吾郎)
    "艦長": None, "船長": None, "機長": None, "副長": None, "航海士": None, "航法士": None, "整備士": None, "操縦士": None,
    "技師": None, "隊長": None, "班長": None, "署長": None, "警部": None, "院長": None, "校長": None, "教頭": None,
    "店長": None, "編集長": None, "局長": None, "所長": None, "主任": None, "医師": None, "板前": None, "親方": None,
    "館長": None, "副館長": None, "学芸員": None, "住職": "m", "和尚": "m", "管理人": None, "警備員": None, "支配人": None,
    "会長": None, "理事長": None, "室長": None, "師匠": None, "棟梁": "m", "船頭": "m", "駐在": None, "組長": None,
    "席主": None, "奥さん": "f",
    # a court and a castle (近衛騎士のハルトムート / 北方王国の伝令だ)
    "騎士": None, "女王": "f", "王妃": "f", "王女": "f", "王子": "m", "国王": "m", "宰相": None, "伝令": None, "使者": None,
    "兵士": None, "衛兵": None, "従者": None, "侍女": "f", "司祭": None, "神父": "m", "修道女": "f",
    # trades a story brings in by what they do (式場のプランナーだ / 牧師の隣に並ぶ)
    "プランナー": None, "牧師": "m", "司会": None, "係員": None, "美容師": None, "薬剤師": None,
    "記者": None, "カメラマン": None, "配達員": None, "獣医": None, "弁護士": None, "検事": None, "裁判官": None,
}
UNSEEN_VOICE = "声"  # a voice no one is seen to have (奥から声がした), heard so far
# Role nouns that say no more of a character than its voice: one such that speaks is the next one to give a name.
VOICES: tuple[str, ...] = ("女", "男", "声", "若い女", "若い男", "女の人", "男の人", "少女", "少年", "女性", "男性", "女の子", "男の子",
                           "青年", "若者")
# What family call one another to their face, and the role nouns narration uses for the one called.
KINSHIP_CALLS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(["お父さん", "父さん", "父ちゃん", "お父様", "親父"], ("父", "父親")),
    **dict.fromkeys(["お母さん", "母さん", "母ちゃん", "お母様", "お袋"], ("母", "母親")),
    **dict.fromkeys(["おじいちゃん", "じいちゃん", "おじいさん", "じいさん", "お祖父さん"], ("祖父",)),
    **dict.fromkeys(["おばあちゃん", "ばあちゃん", "おばあさん", "ばあさん", "お祖母さん"], ("祖母", "祖母ちゃん")),
    **dict.fromkeys(["お兄ちゃん", "兄ちゃん", "お兄さん", "兄さん", "兄貴"], ("兄",)),
    **dict.fromkeys(["お姉ちゃん", "姉ちゃん", "お姉さん", "姉さん"], ("姉",)),
}
# What narration says the others call someone (我们都管他叫胖子): the nickname joins that character.
# (or what people call one just brought in, who goes unsaid: 大人たちは、紙芝居屋と呼んだ)
NICKNAME = r"(?:(?:彼|彼女|[\u3005\u4e00-\u9fff\u30a0-\u30ff]{1,6})を|(?:たち|みんな|皆|誰もが|人々)は、?)[「『]?(?P<nick>[\u3041-\u3093\u30a0-\u30ff\u3005\u4e00-\u9fff]{1,8}?)[」』]?と呼(?:ぶ|んで|んだ)"
# A question that asks the one spoken to for their name: the answer opens with the answerer's own name.
NAME_QUESTION = r"(?:あなた|君|きみ|お前|おまえ)?(?:の)?お名前|(?:あなた|君|きみ|お前|おまえ)の名前|どなたですか|名前は？"
# What a self-introduction looks like (私、志保っていいます / 担当の岡田です / ……航平です): the name is the speaker's.
SELF_INTRODUCTION = (
    r"(?:^|[、。！？…―\s　])(?:(?P<i>私|わたし|あたし|僕|ぼく|俺|おれ|わし)(?:は|、)?[\s　]*)?(?:[^、。「」\s　]{1,8}の)?"
    r"(?P<name>[\u3005\u4e00-\u9fff\u30a0-\u30ff\u3041-\u3093]{1,6}?)(?:と申します|っていいます|といいます|と言います|です|でございます"
    # (浜田いいます, as the west says it: the と left out, after a name in kanji or katakana)
    r"|(?<=[\u3005\u4e00-\u9fff\u30a0-\u30ff])(?:いいます|言います|申します))(?=[。！、\s　]|$)"
    r"|(?:^|[、。！？\s　])(?P<called>[\u3005\u4e00-\u9fff\u30a0-\u30ff\u3041-\u3093]{1,6}?)と(?:呼んで|お呼びください)"
    # わたくしは柏木。/ わしは辰巳源蔵じゃ。: a name the story knows, said of oneself as a sentence of its own
    r"|(?:^|[、。！？\s　])(?:私|わたし|わたくし|あたし|僕|俺|わし|おいら|うち)は(?P<own>[\u3005\u4e00-\u9fff\u30a0-\u30ff]{1,6}?)"
    r"(?:じゃ|や|だ|よ|さ)?(?=[。！]|$)"
)
# A line that tells who someone there is (その人は三浦杏奈さん / こちらは田中さんです): the one it points at is that name.
INTRODUCES_OTHER = (r"(?:^|[、。！？\s　])(?:この|その|あの)(?:人|方|女性|男性|女|男|子|娘|奥さん)は|(?:^|[、。！？\s　])(?:こちら|こっち)(?:の方)?は")
# A line that asks who did something (誰が売ったんだい): a name said in answer (「瀬川です」) is the one who did it, not the
# one who answers, unless they say it was they (私です).
DOER_QUESTION = r"(?:誰|だれ|どなた|どいつ)(?:が|に|から)"
# A line that opens by answering yes or no (はい。/ いえ、あとで… / ううん), or taken aback by it (え、予約なんて…): after a
# question, the one asked, not the asker.
ANSWER_OPENERS = r"^[\s　「]*(?:(?:はい|いえ|いいえ|ええ|うん|ううん|いや)(?:[、。！!…]|$)|えっ?[、？?])"
# How a question ends (a Japanese one may end on か with no question mark: 水野夏希様でよろしいですか).
QUESTION_END = r"(?:[？?]|(?:ですか|ますか|でしょうか|ませんか|のか|かい|かね|だろうか)。?)\s*$"
# What the one serving says to a customer (いらっしゃいませ / 何か、お探しですか): never the customer's line.
SERVICE_OPENERS = r"^[\s　「]*(?:いらっしゃいませ|いらっしゃい[！!。、]|何か、?お探しですか|ご注文は|ご注文、|お決まりでしたら|お決まりですか)"
CUSTOMERS: tuple[str, ...] = ("客", "お客", "お客さん")
# A line that names the one spoken to as someone (間宮源之丞だな / 田中さんですね): an unnamed voice that answers it is that one.
IDENTITY_QUESTION = r"(?:^|[。！？!?　\s、の])(?P<name>お[\u3005\u4e00-\u9fff]{1,3}|[\u3005\u4e00-\u9fff\u30a0-\u30ff]{2,8}?)(?:殿|様|さん)?(?:だな|ですね|ですな|じゃな|だろう|でいらっしゃいますね|でいらっしゃいますか|でございますね|でしょう|ですか|じゃねえか|じゃないか|じゃないの|だよね|だよな)[？?。！!]?$"
# What narration says just after a name when a character turns to someone to speak (花子は太郎に向き直った /
# 母が健太の方を見た / 部長に訊いた): the one named is spoken to, and is the likely one to answer.
FACING_AFTER = (r"^(?:さん|くん|君|ちゃん|様|先生)?(?:に向(?:かって|き直|け)|の方(?:を|へ)(?:向|見|振り)|の(?:顔|目)を(?:見|覗)|を見(?:た|て|る|つめ|上げ|下ろ|や)|"
                r"に(?:言|尋ね|訊|聞|問|声をかけ|話しかけ|呼びかけ))")
# What narration says to give the name of one it has so far called by a role or a pronoun (老人は榊原と名乗った /
# 彼女の名前は志保といった).
NAMED_AS = (r"(?:(?P<subj>[\u3005\u4e00-\u9fff\u30a0-\u30ff]{1,6}?)(?:の(?P<real>本名)は|の名前?は))"
            r"(?P<name>[\u3005\u4e00-\u9fff\u30a0-\u30ff\u3041-\u3093]{2,6}?)(?:といった|という|だった|です|だ)"
            r"|(?P<name2>[\u3005\u4e00-\u9fff\u30a0-\u30ff]{2,6}?)(?:と名乗(?:った|る|り|って))"
            # 葵と呼ばれた少女は / ミナという名の女性が: the role named so
            r"|(?:^|(?<=[、。\s　]))(?P<name3>[\u3005\u4e00-\u9fff\u30a0-\u30ff]{1,6}?)(?:と呼ばれた|という名の|という名前の)(?P<subj3>[\u3005\u4e00-\u9fff\u30a0-\u30ff\u3041-\u3093]{1,6}?)(?=[はがもの、])")
# What narration says when a character leaves the scene (老人は障子を閉めて去っていった): they speak no more in it until
# they are back.
EXITS = r"(?:去って(?:いった|行った|いく|行く)|出て(?:いった|行った|いく|行く|いき|行き)|部屋を出た|部屋を出る|立ち去った|立ち去る|帰って(?:いった|行った)|姿を消した|いなくなった|引っ込んだ|戻っていった)"
# A possessive that leads up to a name (彼女の兄の健太 / 彼の妹、花子): the pronoun is another's, not the name's.
POSSESSIVE_BEFORE_NAME = r"(?:彼女|彼)の[^、。「」はがもを]{1,6}?(?:の|、)?$"
# What a line's own words say of its speaker's gender: a first person or a sentence ending that women or men use.
SPEECH_GENDER: dict[str, str] = {
    r"(?:俺|僕|おれ|ぼく)(?:[はがもの、]|$)": "m",
    r"(?:[^ゃ]ぞ|ぜ|だろう|じゃねえ|やがる)(?:[。！？!?…、　\s]|$)": "m",
    r"(?:あたし|わたくし)(?:[はがもの、]|$)": "f",
    r"(?:わよ|わね|のよ|かしら|だわ|ないわ)(?:[。！？!?…、　\s]|$)": "f",
}
# The register a line is spoken in: polite (〜です, 〜ます, 〜ございます) or plain and blunt (〜だ, 〜だろう, 〜しろ). Most
# characters keep to one whoever they speak to (a clerk, a machine, a junior; a father, a captain), so it tells
# apart two who take turns in a scene where the turn-taking alone would guess.
REGISTERS: dict[str, str] = {
    r"(?:です|ます|ました|ません|でした|ましょう|ございま|いたしま|でしょう|ませ)(?:か|ね|よ|が|けど|から|の)?(?:[。！？!?…、　\s]|$)": "polite",
    r"(?:[^でま]す|だ|だろう|だろ|だよ|だな|だぞ|ぞ|ぜ|じゃないか|んだ|のか|かよ|しろ|しな|やれ|てくれ|ないか|ねえ)(?:[。！？!?…、　\s]|$)": "plain",
}
# The word for I a line uses (俺, 僕, あたし, わし), which a character keeps to whoever they speak to: it tells apart
# two who take turns where the turn-taking alone would guess, as the register does.
SELF_WORDS: dict[str, str] = {
    r"(?:^|[^\u3005\u4e00-\u9fff])(?:俺|オレ)(?:[はがもをのにだ、]|たち|ら)": "俺",
    r"(?:^|[^\u3005\u4e00-\u9fff])(?:僕|ボク)(?:[はがもをのにだ、]|たち|ら)": "僕",
    r"(?:^|[^\u3005\u4e00-\u9fff\u3041-\u3093])(?:私|わたし)(?:[はがもをのにだ、]|たち)": "私",
    r"(?:^|[^\u3041-\u3093])あたし(?:[はがもをのにだ、]|たち)": "あたし",
    r"(?:^|[^\u3041-\u3093])わし(?:[はがもをのにゃ、]|ら)": "わし",
    r"(?:^|[^\u3041-\u3093])わたくし(?:[はがもをのに、]|ども)": "わたくし",
}
# What narration says when a phone rings (真理子の携帯電話が鳴った) and whose call it is (母からだった): the one whose phone
# it is answers, and the caller speaks back to them.
PHONE_RINGS = r"(?P<pos>の)?(?:携帯電話|携帯|スマホ|スマートフォン|電話|外線|内線|受話器|インターホン)(?:が|も)(?:鳴った|鳴る|鳴り出した|震えた|震える|鳴っている)"
PHONE_CALLER = r"(?:^|[。、\s　])(?:相手は|画面には)?(?P<caller>[\u3005\u4e00-\u9fff\u30a0-\u30ff\u3041-\u3093]{1,8}?)(?:からだった|からの電話|からの着信|からだ)|(?:画面|表示)に(?:は)?[『「](?P<caller_shown>[^』」]{1,8})[』」]"  # 画面には『ユカ』の二文字: the name the screen shows
# What narration says when a call ends (電話を切ると / 我挂掉电话 / she hung up): the caller speaks no more.
PHONE_ENDS = r"(?:電話を切|電話が切れ|通話を切|通話が切れ|通話を終え|受話器を(?:置|戻)|電話を置)"
PHONE_VOICE = "電話の相手"  # one on the phone no narration has named yet
# What narration says when someone else takes the phone in a call (母が受話器を受け取る): they talk to the caller now; and
# what a caller says to ask for someone (陽子はいるか): the one who takes the phone next is that one.
PHONE_TAKEN = r"受話器を(?:受け取|取り上げ|取っ|取る|取り|とっ|とる)|電話を(?:代わ|替わ|受け取)|スマホを受け取|電話に出"
ASKS_FOR = r"^(?P<name>[\u3005\u4e00-\u9fff\u30a0-\u30ff]{1,6}?)(?:さん|ちゃん|くん)?(?:は|、)?(?:いるか|いる？|いますか|おるか|おる？|そこにいる)"
# What follows a name that opens a question about that one (ユウタはどう思う / 花子さんも来る？): the question is put to them.
ASKED_BY_TOPIC = r"(?:さん|くん|君|ちゃん|様|先輩|先生)?[はも]"
# How one speaks of an elder or a stranger by a name and what they are (榊原のおじいさん / 佐藤のおばさん), with the role
# nouns narration uses for such a one: an unnamed 老人 the story has is the 榊原 it later speaks of so.
NAMED_ELDERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(["おじいさん", "じいさん", "おじいちゃん", "じいちゃん", "爺さん", "翁"], ("老人", "老爺")),
    **dict.fromkeys(["おばあさん", "ばあさん", "おばあちゃん", "ばあちゃん", "婆さん"], ("老婆", "老女")),
    **dict.fromkeys(["おじさん", "おっさん"], ("男", "男の人", "中年男")),
    **dict.fromkeys(["おばさん"], ("女", "女の人", "中年女")),
}
# What narration says of one who keeps silent (青衫人没有抬头 / 彼は答えなかった / Tom said nothing): not the next to speak.
SILENCE = r"(?:答えなかった|答えない|黙り込んだ|黙ったままだった|口を開かなかった|何も言わなかった|何も言わない|返事をしなかった|返事はなかった|顔も上げなかった|顔を上げなかった)"
# What narration says just after a name when one hands or shows it something (遼に見せた / 彼女に手渡した): the one given
# it answers the one who gave it.
HANDED_AFTER = r"^(?:さん|くん|君|ちゃん|様|先生)?に(?:見せ|差し出|手渡|渡し)"
# A question the narration says someone put to another, in its own words, closing the paragraph (彼に名前を聞いた。):
# the one asked answers in the next line.
ASKED_IN_NARRATION = r"(?P<obj>彼女|彼|(?P<i>私|僕)|(?P<name>[\u3005\u4e00-\u9fff\u30a0-\u30ff]{1,6}?))(?:さん|くん|君|ちゃん|様|先生)?に[^、。「」]{0,16}?(?:聞いた|訊いた|尋ねた|聞く|訊く|尋ねる|問うた)$"
# Words of a line that speak to someone (あなた, お前, なさい): a name such a line opens on is a call, not the speaker's own.
SPOKEN_TO = r"あなた|あんた|お前|おまえ|君は|君が|なさい|ないで|ください|てくれ|やろ|だろ|でしょ|じゃろ"
# What narration says when it hands someone a letter or a note to read out: the next line is that one's.
READS_OUT = r"の手に渡|読み上げ|読みはじめ|読み始め|声に出して読|音読"
# The one the narration says was called by a name (三好先生と呼ばれたその人は): the unnamed one who has spoken is that name.
CALLED_SO = (r"(?P<name>[\u3005\u4e00-\u9fff\u30a0-\u30ff]{1,8}?(?:さん|先生|様|くん|ちゃん)?)と呼ばれた"
             r"(?:その|この)?(?:人|方|女性|男性|女の人|男の人|女|男|老人|老婆|少年|少女|娘)")
# One who writes their own name down, the name a sentence of its own after what they write (彼は…書いた。二十五年、
# ありがとう。大橋正人。).
SIGNED = (r"(?P<who>彼女|彼)は[^。「」]*?(?:書いた|書く|書きつけた|記した|署名した|サインした)。(?:[^。「」]{1,24}。)?"
          r"(?P<name>[\u3005\u4e00-\u9fff\u3041-\u3093\u30a1-\u30fa]{2,8})。")
# One who will not be called so (大ちゃんはやめえや): the line is the one so called's.
OWN_NAME_OBJECTED = r"^[「\s　]*(?P<name>[\u3005\u4e00-\u9fff\u30a0-\u30ff\u3041-\u3093]{1,6}?(?:ちゃん|くん|さん)?)(?:は|って呼ぶの(?:は)?)(?:やめ|よせ|よして|勘弁)"
# Words only a dialect or a way of speaking says (へん, ねん, あかん in Kansai; じゃけえ and a closing じゃ or のう further
# west; だべ in the north; ござる of a samurai): one who speaks so keeps to it whoever they speak to, as to a register.
DIALECTS: dict[str, str] = {
    # (not the へんな, strange, nor the 〜ちゃう, 〜てしまう, that all Japanese say)
    r"(?:[^たっ]へん|ねん|(?:^|[、。\s　「])ちゃう|あかん|せや|ほんま|なんぼ|おおきに|しもた|やんか|やろ|はる)(?:[。！？!?…、　\s]|$|か|で|わ|よ|ぞ)"
    r"|(?:^|[、。\s　「])ほな": "kansai",
    r"じゃけ[えぇん]?|じゃろ(?:う)?(?:[。！？!?…、　\s]|$)|(?<![でん])じゃ(?:[。！？!?…、　\s]|$|のう|よ|わい)|のう(?:[。！？!?…、　\s]|$)": "chugoku",
    r"(?:だ|ん|ねぇ|ねえ)べ(?:[。！？!?…、　\s]|$|さ|な|よ)": "tohoku",
    r"ござる|拙者|それがし|ござらぬ": "samurai",
}
