"""Chinese prose vocabulary: speech verbs, manner words, pronouns, titles, place and time cues, as plain tables."""

from __future__ import annotations

# Verbs that tag a quote with its speaker (王掌柜笑道：“……” / “……”老王问。); longest are tried first.
SPEECH_VERBS: tuple[str, ...] = (
    "说道", "说", "道", "问道", "问", "喊道", "喊", "叫道", "叫", "笑道", "答道", "回答", "答", "嚷道", "嚷",
    "骂道", "骂", "叹道", "叹气道", "接着说", "补充道", "喝道", "应道", "应", "嘀咕道", "嘀咕", "开口", "插嘴", "吼道",
    "追问", "反问", "喃喃道", "自语道", "低语", "提醒道", "解释道", "催道", "劝道", "冷笑道", "叮嘱道", "吩咐道", "招呼道",
    "回道", "接口道", "打断道", "嚷嚷", "吆喝", "感叹", "念叨", "笑骂", "说着",
    # one reading a letter out says its words (阿福一字一顿地念道：)
    "念道", "读道", "念出了声", "念出声来", "念起来", "读起来", "念着",
)
# Speech verbs that also name a reaction (a laugh, a nod): after a line they may be the listener's.
REACTIONS: tuple[str, ...] = ("笑", "应", "叫", "开口", "说着", "感叹", "答", "回答")
# Words that stand between the speaker and the verb (王掌柜又低声说); stripped from the end of a tag.
MANNER: tuple[str, ...] = (
    "笑着", "笑了笑", "笑", "冷笑", "苦笑着", "苦笑", "低声", "小声", "轻声", "大声", "沉声", "柔声", "又", "也", "便", "就", "才",
    "却", "忙", "连忙", "赶紧", "急忙", "缓缓", "慢慢", "淡淡", "冷冷", "轻轻", "缓缓地", "点点头", "摇摇头", "皱眉",
    "抬头", "回头", "叹了口气", "想了想", "顿了顿", "还是", "一边", "终于", "立刻", "马上", "不由得", "忍不住", "再",
    "忽然", "突然", "顿时", "随即", "当即", "竟然", "居然", "果然", "仍然", "依然", "只好", "这才", "总算",
    "压低声音", "点点头", "点了点头", "摇了摇头", "笑了笑", "想了想", "愣了一下", "叹了一口气", "压低了声音", "提高声音", "对她", "对他", "对我", "朝她", "朝他", "冲她", "冲他", "看着她", "看着他", "对大家", "头也不抬地", "先",
)
# Words that open a tag before the speaker's name (这时王掌柜说); stripped from its start.
LEADING: tuple[str, ...] = (
    "这时", "此时", "于是", "只听", "然后", "接着", "随后", "忽然", "突然", "旁边的", "一旁的", "对面的", "却见", "只见",
    "但", "而", "可", "便", "倒是", "还是", "最后", "末了", "半晌", "良久", "片刻后",
    "连",  # 连胖子都放下了手机: even 胖子
)
# Names are also found by their familiar prefix or title (阿福, 老王, 陈先生, 林姑娘) when they recur;
# these words look like such names but are everyday words.
# A relative by birth order (三婶, 二叔, 四姨) is named so as well.
TITLED_NAME = r"(?:[阿老小][\u4e00-\u9fff]|[\u4e00-\u9fff]{1,2}(?:掌柜|先生|姑娘|小姐|老板|师傅|大娘|大爷|太太|老师|医生|大夫|经理|主任|队长)|[二三四五六七八九][叔婶姨舅姑伯嫂](?![\u4e00-\u9fff]?[们子]))"
NOT_TITLED: frozenset[str] = frozenset(
    """小心 小时 小声 老实 老是 小姐 老板 小孩 老人 老师 阿姨 小说 小路 老家 小小 老远 小事 老天 小伙 老爷 小的 老的
    小院 老街 小巷 老婆 小子 老头 小姑 小二 小弟 小妹 老大 老二 小鬼 阿们 小碗 小桌 小船 老样 小半 老早 小口 老位
    这位先生 那位先生 这位姑娘 那位姑娘 一位先生""".split()
)
# Characters that never stand in a name but often end a clause (叫了一声, 收起伞的): a tag holding one is no name.
NOT_IN_NAMES = "了着过一不在是把被声说道问就都也又很这那个们么吗呢吧啊里上下去来起到进得他她我你您替对向给和跟与从冲朝别没吵"
# Common surnames: a sentence that opens with one opens with a name (林夏收起伞，笑道：…).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧柳"
    "萧阮洪施骆岳柯葛殷庞樊邢裴凌霍焦祝聂伍卓颜倪翁詹鲁甄"
    # less common ones, from the Hundred Family Surnames, less those that are everyday words at a sentence's start
    # (和, 平, 明, 时, 常, 安, 文, 国, 关, 管, 谈, 连, 冷, 蒙, 齐, 蓝, 柴, 巢...)
    "甘尤简鲍牛章蔺褚卫戚喻柏窦奚郎苗俞费廉岑滕毕邬卞康卜穆湛祁禹狄米贝臧伏茅纪舒屈项闵席季麻娄童梅盛刁虞昝裘缪宣贲郁杭钮嵇荀"
    "芮靳巫弓隗宓蓬宫栾戎景韶郜蓟薄蒲邰鄂赖屠乔胥莘翟贡逄姬堵冉宰郦雍桑桂濮寿扈冀郏浦晏温庄瞿阎慕茹艾戈衡耿弘匡寇沃隆巩晁敖辛"
    "阚饶鞠蒯荆竺逯桓惠仲伊申燕符吉荣"
)
# Surnames left out above because they open everyday words (和, 宁可, 安静): a name from one is learnt only when the
# tokenizer does not know the word and it opens clause after clause as their subject (宁川拿起听筒).
EVERYDAY_SURNAMES = "和平明时常安文国关管谈连冷蒙齐蓝柴巢宁"
# Surnames of two characters (司徒敏, 慕容远): the given name is what follows both.
COMPOUND_SURNAMES: tuple[str, ...] = (
    "欧阳", "司马", "上官", "诸葛", "司徒", "慕容", "夏侯", "皇甫", "令狐", "东方", "公孙", "尉迟", "长孙", "宇文", "端木",
    "独孤", "南宫", "西门", "轩辕", "呼延", "钟离", "澹台", "百里", "万俟", "申屠", "闻人", "赫连", "拓跋", "司空", "淳于",
    "公冶", "宗政", "东郭", "左丘",
)
PRONOUNS: dict[str, str] = {"他": "m", "她": "f"}
GENDER_WORDS: dict[str, str] = {"他": "m", "她": "f"}
FIRST_PERSON: tuple[str, ...] = ("我",)
NARRATOR = "我"
UNKNOWN_SPEAKER = "路人"

# Titles a name carries, with the gender they imply; stripped when aliases are compared (王掌柜 = 老王).
TITLES: dict[str, str | None] = {
    "掌柜": "m", "先生": "m", "老板娘": "f", "老板": None, "小姐": "f", "姑娘": "f", "大娘": "f", "大爷": "m",
    "师傅": None, "太太": "f", "夫人": "f", "大哥": "m", "大姐": "f", "阿姨": "f", "叔": "m", "婶": "f", "哥": "m",
    "姐": "f", "妹": "f", "弟": "m", "伯": "m", "爷爷": "m", "奶奶": "f", "老师": None, "同学": None,
    "总": None, "队": None, "工": None, "医生": None, "主任": None, "书记": None, "探长": None, "经理": None, "局长": None,
    "科长": None, "所长": None, "警官": None, "护士": "f", "老大": "m",
    "大侠": "m", "少侠": "m", "女侠": "f", "公子": "m", "道长": "m", "员外": "m", "少爷": "m", "老爷": "m", "大人": None,
    "师兄": "m", "师姐": "f", "师弟": "m", "师妹": "f", "教授": None, "校长": None, "院长": None, "厂长": None, "村长": None,
    "队长": None, "班长": None, "部长": None, "处长": None, "律师": None, "法官": None, "舰长": None, "船长": None, "工程师": None,
    "导": None, "导演": None, "老爷子": "m", "老太太": "f", "哥哥": "m", "姐姐": "f", "主编": None, "记者": None,
    "教练": None, "大夫": None, "会计": None, "站长": None, "老总": None, "董": None, "组长": None, "干部": None,
    "领航": None, "大副": None, "二副": None, "轮机长": None, "机长": None, "政委": None, "参谋": None, "连长": None,
    "排长": None, "团长": None, "司令": None, "军医": None, "警长": None, "副官": None, "将军": None,
    "营长": None, "车长": None, "店长": None, "社长": None, "会长": None, "馆长": None, "行长": None, "镇长": None,
    "乡长": None, "县长": None, "市长": None, "董事长": None, "总监": None, "主席": None,
}
# Familiar prefixes on a surname or given name (老王, 小李, 阿福).
ALIAS_PREFIXES: tuple[str, ...] = ("老", "小", "阿")
NOT_NAMES: frozenset[str] = frozenset(
    """大家 众人 有人 对方 两人 二人 他们 她们 我们 你们 自己 这个 那个 声音 一个 什么 没有 谁 别人 客人 伙计 孩子 男人 女人
    那人 这人 此人 老人 旁人 众 人 它 那边 这边 外面 里面 门外 心里 嘴里 一声 后来 然后 只是 于是 这时""".split()
)

PLACE_CUES: tuple[str, ...] = (
    r"^(?:回到|来到|走进|走出|赶到|进了|到了|出了)(?P<place>[\u4e00-\u9fff]{2,6}?)(?:里|中|内|门口|外|时|后)?[，,。：；]",
    r"^在(?P<place>[\u4e00-\u9fff]{2,6}?)(?:里|中|内|门口|外|上)[，,]",
)
PLACE_NOUNS: tuple[str, ...] = (
    "馆", "店", "楼", "院", "室", "房", "厅", "站", "街", "场", "园", "堂", "宫", "府", "家", "屋", "码头", "渡口",
    "学校", "医院", "客栈", "河边", "桥", "巷", "市", "村", "庙", "寺", "山", "湖", "江", "天台", "阳台", "门口", "铺",
)
OUTDOOR: tuple[str, ...] = ("街", "巷", "码头", "渡口", "院子", "公园", "河边", "桥", "山", "湖", "江", "广场", "天台", "门口", "路", "村口", "田")
TIME_WORDS: dict[str, str] = {
    "深夜": "NIGHT", "夜里": "NIGHT", "晚上": "NIGHT", "夜": "NIGHT", "黄昏": "DUSK", "傍晚": "DUSK",
    "清晨": "MORNING", "早上": "MORNING", "早晨": "MORNING", "中午": "DAY", "下午": "DAY",
}

# Role nouns a story may call a character by, never naming them (母亲从厨房里喊 / 列车员问), with their gender.
ROLES: dict[str, str | None] = {
    "电话那头": None,  # one on the phone no narration has named yet (PHONE_VOICE)
    "母亲": "f", "父亲": "m", "妈妈": "f", "爸爸": "m", "奶奶": "f", "爷爷": "m", "店小二": "m", "小二": "m", "掌柜": "m",
    "列车员": None, "乘务员": None, "司机": None, "医生": None, "护士": "f", "老板娘": "f", "房东太太": "f", "房东": None,
    "瘦子": "m", "胖子": "m", "老人": None, "老头": "m", "老太太": "f", "年轻人": None, "男人": "m", "女人": "f", "女孩": "f",
    "男孩": "m", "姑娘": "f", "小伙子": "m", "服务员": None, "警察": None, "大汉": "m", "少年": "m", "少女": "f",
    "小女孩": "f", "小男孩": "m", "年轻妈妈": "f", "年轻女人": "f", "年轻男人": "m", "中年男人": "m", "中年女人": "f",
    "老大爷": "m", "老太婆": "f", "大妈": "f", "大婶": "f",
    "哥哥": "m", "姐姐": "f", "弟弟": "m", "妹妹": "f", "叔叔": "m", "婶婶": "f", "舅舅": "m", "姑姑": "f", "外婆": "f",
    "外公": "m", "姥姥": "f", "姥爷": "m", "丈夫": "m", "妻子": "f", "儿子": "m", "女儿": "f", "船长": None, "舰长": None,
    "队长": None, "厨师": None, "保安": None, "门卫": None, "快递员": None, "护工": None, "记者": None, "法官": None,
    "律师": None, "村长": None, "校长": None, "班主任": None, "班主": None, "售货员": None, "收银员": None, "保姆": "f", "渔夫": "m",
    "船夫": "m", "车夫": "m", "书生": "m", "和尚": "m", "道士": "m", "侍卫": None, "丫鬟": "f", "管家": None,
    # the rest of a family, as narration calls them (大伯清了清嗓子 / 小姑立刻打断他)
    "大伯": "m", "伯伯": "m", "伯父": "m", "伯母": "f", "大娘": "f", "小叔": "m", "叔父": "m", "小姑": "f", "大姑": "f",
    "姑妈": "f", "姑父": "m", "姑丈": "m", "大舅": "m", "小舅": "m", "舅妈": "f", "大姨": "f", "小姨": "f", "姨妈": "f",
    "姨父": "m", "嫂子": "f", "大嫂": "f", "姐夫": "m", "妹夫": "m", "表哥": "m", "表姐": "f", "表弟": "m", "表妹": "f",
    "堂哥": "m", "堂姐": "f", "堂弟": "m", "堂妹": "f", "公公": "m", "婆婆": "f", "岳父": "m", "岳母": "f", "孙子": "m",
    "孙女": "f", "外孙": "m", "外孙女": "f", "老伴": None, "媳妇": "f", "儿媳": "f", "女婿": "m",
    "女声": "f", "男声": "m",  # 一个平静的女声响起: a voice heard before anyone is seen
    # the heads of a ward, a team, a station (护士长陈美玲 is 陈美玲, not a nurse beside her)
    "护士长": None, "组长": None, "班长": None, "科长": None, "处长": None, "局长": None, "所长": None, "院长": None,
    "厂长": None, "站长": None, "连长": None, "排长": None, "营长": None, "团长": None, "车长": None, "店长": None,
    # what a family calls its own in narration, one character long (爸说 / 妈端着菜出来)
    "爸": "m", "妈": "f", "爹": "m", "娘": "f",
    # more people a story may never name
    "老爷子": "m", "大爷": "m", "老者": "m", "老妇人": "f", "女子": "f", "汉子": "m", "新郎": "m", "新娘": "f",
    "伴娘": "f", "伴郎": "m", "导演": None, "副导演": None, "场记": None, "制片": None, "实习生": None, "外卖员": None,
    "司仪": None, "主持人": None, "二爷爷": "m", "二奶奶": "f", "三爷爷": "m", "太奶奶": "f", "乘客": None, "病人": None,
    "师父": None, "徒弟": None, "学徒": None, "老师傅": "m",  # 师父说别扫了: a trade's master and apprentice
}
# Kin one character long that narration writes after whose they are (我妈从厨房出来, 他爸): the one it calls so.
POSSESSED_KIN: tuple[str, ...] = ("爸", "妈", "爹", "娘")
# Whose kin are, written right before them without 的 (我妈, 我堂弟林浩).
POSSESSORS = "我你他她咱"
# Doubled characters that are everyday words, not a pet name (朵朵, 念念 are names; 慢慢, 妈妈 are not).
NOT_DOUBLED_NAMES: frozenset[str] = frozenset(
    """妈妈 爸爸 哥哥 姐姐 弟弟 妹妹 爷爷 奶奶 姥姥 姥爷 婆婆 公公 叔叔 伯伯 舅舅 姑姑 宝宝 娃娃 常常 刚刚 渐渐 慢慢 轻轻
    静静 悄悄 默默 天天 人人 看看 想想 说说 试试 谢谢 等等 好好 明明 偏偏 往往 仅仅 早早 久久 匆匆 连连 纷纷 稍稍 微微
    走走 听听 聊聊 歇歇 快快 乖乖 哈哈 呵呵 嘿嘿 嘻嘻 嗯嗯 啊啊 哦哦 喂喂 是是 对对 好好 行行 不不 再再 个个 样样 处处
    家家 年年 次次 统统 通通 万万 白白 大大 小小 满满 星星 猩猩 齐齐 频频 屡屡 缓缓 暗暗 隐隐
    深深 紧紧 浅浅 冷冷 淡淡 呆呆 愣愣 傻傻 死死 牢牢 远远 高高 长长 团团 层层 重重 种种 滚滚 纷纷 区区""".split()
)
# Role nouns that say no more of a character than its voice: one such that speaks is the next one to give a name.
VOICES: tuple[str, ...] = ("女人", "男人", "声音", "女孩", "男孩", "少女", "少年", "女声", "男声")
# What family call one another to their face, and the role nouns narration uses for the one called.
KINSHIP_CALLS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(["爸", "爸爸", "老爸", "爹"], ("父亲", "爸爸")),
    **dict.fromkeys(["妈", "妈妈", "老妈", "娘"], ("母亲", "妈妈")),
    # a child calls any old man 爷爷 and any old woman 奶奶: the one narration calls 老人 is called so too
    **dict.fromkeys(["爷爷", "爷"], ("爷爷", "老人", "老头", "老大爷")),
    **dict.fromkeys(["奶奶"], ("奶奶", "老太太", "老太婆")),
    **dict.fromkeys(["哥", "哥哥"], ("哥哥",)), **dict.fromkeys(["姐", "姐姐"], ("姐姐",)),
    **dict.fromkeys(["外婆", "姥姥"], ("外婆", "姥姥")), **dict.fromkeys(["外公", "姥爷"], ("外公", "姥爷")),
    **dict.fromkeys(["舅舅"], ("舅舅",)), **dict.fromkeys(["叔叔"], ("叔叔",)), **dict.fromkeys(["姑姑"], ("姑姑",)),
}
# What narration says the others call someone (我们都管他叫胖子): the nickname joins that character.
NICKNAME = (r"(?:管(?:他|她|[\u4e00-\u9fff]{2,3}?)叫|都叫(?:他|她))(?P<nick>[\u4e00-\u9fff]{2,3}?)(?=[，。、；！]|$)"
            # (the name in quotes: 村里人都叫他“田老歪”, 大家管她叫「小辣椒」)
            r"|(?:管(?:他|她|[\u4e00-\u9fff]{2,3}?)(?:叫|喊)|[都也就]?(?:叫|喊|称)(?:他|她)(?:做|作|为)?)[“「]"
            r"(?P<quoted>[\u4e00-\u9fff]{2,4})[”」]")
# A question that asks the one spoken to for their name: the answer opens with the answerer's own name.
NAME_QUESTION = r"(?:你|您)(?:叫什么|贵姓|怎么称呼|是谁|的名字)|怎么称呼|尊姓大名|高姓大名|贵姓|报(?:一下|个|上)?(?:名字|姓名|名来)|名字报"
SELF_INTRODUCTION = (
    r"(?:[我俺]叫|[我俺]是|[我俺]就是|我便是|[我俺]姓|在下|本人)(?P<name>[\u4e00-\u9fff]{2,3}?)(?:[，。！,.!…]|$)"
    r"|[我俺]姓(?P<surname>[\u4e00-\u9fff])[，,、](?P<full>(?P=surname)[\u4e00-\u9fff]{1,2}?)(?:[，。！,.!…]|$)"
    # (俺, the northern word for I: 俺姓牛，叫俺老牛就中)
    r"|(?:叫[我俺]|喊[我俺]|称我为?)(?P<called>[\u4e00-\u9fff]{2,3}?)(?:就行|就好|就可以|就中|就成|吧|好了|[，。！,.!…]|$)"
    # 我是镇上派出所的，何勇: where one is from, and then one's name
    r"|我是[\u4e00-\u9fff]{1,10}的[，,](?P<own>[\u4e00-\u9fff]{2,3}?)(?:[。！,.!…]|$)"
)
# A question what a thing is (这是……, 这叫什么): the answer names the thing, not the one who gives it.
THING_QUESTION = r"这(?:是|叫)[…。？?]*$|(?:是|叫)什么(?!名)"
# A line that asks who did something (谁卖给你的？): a name said in answer is the one who did it, not the one who answers.
DOER_QUESTION = r"谁(?:卖|买|送|寄|留|带|写|拿|做|干|告诉|派)|是谁[\u4e00-\u9fff]{1,4}的"
# A line that opens by answering yes or no (是的。/ 不是，… / 没有): after a question, the one asked, not the asker.
ANSWER_OPENERS = r"^[\s　“]*(?:是的|是啊|是呀|对|对啊|对的|不是|不对|没有|没|不用|不|嗯|行)(?:[，。！!…]|$)"
# How a question ends (几位？).
QUESTION_END = r"[？?]\s*$"
# What the one serving says to a customer (欢迎光临 / 您要点什么): never the customer's line.
SERVICE_OPENERS = r"^[\s　“]*(?:欢迎光临|您(?:好，?)?(?:要|想)(?:点|买|吃|看)(?:点)?什么|请问(?:您)?(?:要|想)(?:点|买)(?:点)?什么|几位)"
CUSTOMERS: tuple[str, ...] = ("顾客", "客人", "客户")
# A question whether the one spoken to is someone by name (Are you Pavel Orlov? / 你是沈孤鸿吗？): an unnamed voice
# that answers it is that one (group name, checked or greeted).
# (and a name read out from a register and checked, its parts apart: “甘……淑贞，甘女士，是吧？”)
IDENTITY_QUESTION = (r"(?:你|您)(?:就)?是(?P<name>[\u4e00-\u9fff]{2,4}?)(?:吗|吧|么)[？?]"
                     r"|(?:^|[。！？，,\s　])(?P<checked>[\u4e00-\u9fff]{1,2}…*[\u4e00-\u9fff]{1,2})[，,](?:[^，,。？?]{1,5}[，,])?是吧[？?]"
                     # (and one greeted as who they are: 这不是宋玉兰女士嘛！)
                     r"|这不是(?P<greeted>[\u4e00-\u9fff]{2,4}?)(?:女士|先生|同志|老师|大姐|大哥|阿姨)?(?:嘛|吗|么)[！!？?]")
# Characters Chinese spells names from abroad and from its own peoples with (巴特尔, 阿依古丽, 吐尔逊, 安娜): a name jieba
# tags as one but that starts from no Chinese surname is a name only if it is mostly spelt with them (not 红绿灯).
FOREIGN_NAME_SOUNDS = ("阿巴贝比波伯布达德迪蒂多厄尔法菲费弗格哈赫亨吉加杰卡凯科克库拉莱兰劳勒雷里利莉丽琳卢鲁罗洛玛迈麦曼梅米密"
                       "莫姆穆纳娜尼妮诺帕佩皮普奇乔萨塞桑森莎什斯索塔泰坦特提托娅图瓦维温沃乌西希谢雅亚伊依尤扎泽卓兹古逊汗"
                       "热孜娃艾买木其仁花")
# A cleft sentence after a line that says who spoke it (说话的是那个戴斗笠的女人).
SAID_CLEFT = (r"[\s　]*(?:说话|开口|问话|答话|喊话|接话)的(?:人)?(?:是|，是)(?:那个|一个|个)?(?:[^，。！？“”]{0,10}的)?"
              r"(?P<who>[\u4e00-\u9fff]{1,6}?)[，。！]")
# Endings that make a word a group, a place or a thing, not a person (黑虎帮, 清河镇, 老槐树).
NOT_PERSON_ENDINGS: tuple[str, ...] = ("帮", "派", "会", "镇", "村", "府", "局", "店", "楼", "馆", "寨", "堂", "宫", "城",
                                        "树", "门", "桥", "街", "屋", "院", "墙", "窗", "桌", "车", "船")
# What narration says just before a name when a character turns to someone to speak (胖子转向孙浩然 / 她看着林夏 /
# 他问老王): the one named is spoken to, and is the likely one to answer.
FACING = r"(?:打量着|打量了|端详着|注视着|看了看|转向|转头对|转身对|扭头对|回头对|对着|看向|看着|望着|望向|盯着|瞪着|瞥了一眼|冲着|朝着|冲|朝|问|递给|拍了拍)$"
# What narration says to give the name of one it has so far called by a role or a pronoun (大汉……他叫赵黑虎), or the
# real name of one it calls by another (他的大名叫邝铁生: group real).
NAMED_AS = (r"(?:^|[。！？；，\s　])(?P<subj>他|她|[\u4e00-\u9fff]{1,4}?)(?:的名字|(?P<real>的?(?:大名|全名|本名|真名|学名)))?"
            r"(?<![说讲道答])(?:名叫|叫做|叫|姓名是|(?<=[名字])是)(?P<name>[\u4e00-\u9fff]{2,3}?)(?=[，。、；！？,]|$)"
            # or has them sign it (她在家属签字那一栏里，一笔一画地写下了三个字：何秀兰)
            r"|(?:^|[。！？；，\s　])(?P<subj2>他|她|[\u4e00-\u9fff]{1,4}?)(?:在[^。！？，]{0,16}[，,]?)?[^。！？：:]{0,10}?(?:写下|签下|签上|写上)了?"
            r"[^。！？：:]{0,10}[：:](?P<name2>[\u4e00-\u9fff]{2,3})(?=[，。、；！？,]|$)"
            # or gives the surname and then the whole name (师父姓常，叫常德贵)
            r"|(?:^|[。！？；，\s　])(?P<subj3>他|她|[\u4e00-\u9fff]{1,4}?)姓(?P<surname>[\u4e00-\u9fff])[，,]?(?:大名|全名|名字)?叫"
            r"(?P<name3>(?P=surname)[\u4e00-\u9fff]{1,2}?)(?=[，。、；！？,]|$)"
            # or leaves it (她在订单本上留了名字和电话，魏然，字写得很小)
            r"|(?:^|[。！？；，\s　]|(?=[他她]))(?P<subj4>他|她|[\u4e00-\u9fff]{1,4}?)(?:在[^。！？，]{0,16})?留(?:下)?了?(?:名字|姓名)[^。！？，]{0,6}[，,：:]"
            r"(?P<name4>[\u4e00-\u9fff]{2,3})(?=[，。、；！？,])")
# What narration says when a character leaves the scene (他转身走了 / 带着手下冒雪走了): they speak no more in it until
# they are back.
EXITS = r"(?:走了|离开了|离去|走出去了|出去了|扬长而去|退了出去|退下了|不见了|消失了|回屋去了)"
# A possessive that leads up to a name (她的哥哥林浩): the pronoun is another's, not the name's.
POSSESSIVE_BEFORE_NAME = r"[他她]的[\u4e00-\u9fff]{1,4}?[，,]?$"
# Prepositions that make the name after them an object (冲小杰笑了笑, 对林夏说): not the tag's speaker.
OBJECT_MARKERS = "冲朝对向给跟替和与把被"
# What narration says the narrator finds someone at, closing the paragraph (发现他正靠在门框上看着我): that one speaks next.
SEEN_AT = r"(?:发现|看见|看到|只见|瞧见)(?P<who>他|她|[\u4e00-\u9fff]{2,3}?)(?:正|在|已经|还|仍|早)"
# What narration says when a phone rings (小雨的手机响了) and whose call it is (是多多 / 来电显示：王静 / 屏幕上跳出两个字：江川):
# the one whose phone it is answers, and the caller speaks back to them.
PHONE_RINGS = r"(?P<pos>的)?(?:手机|电话)(?:突然|忽然|又)?(?:响了|响起来|响起|震了|震动)"
PHONE_CALLER = (r"(?:来电显示|屏幕上[^：:。]{0,8})[：:](?P<caller>[\u4e00-\u9fff]{1,4})"
                r"|(?:^|[，。])是(?P<caller2>[\u4e00-\u9fff]{1,4}?)(?:打来的)?(?=[。，！]|$)|(?P<caller3>[\u4e00-\u9fff]{1,4}?)打来的")
# What narration says when a call ends (電話を切ると / 我挂掉电话 / she hung up): the caller speaks no more.
PHONE_ENDS = r"(?:挂了电话|挂掉电话|挂断|挂上电话|电话挂了|电话断了)"
PHONE_VOICE = "电话那头"
# Words a tokenizer may run a two-character name on into (陈静刚挂了电话 / 小刘端着托盘): adverbs and verbs of one character.
RUN_ON_CHARACTERS = "刚才就又也还都正便却才说看笑拿走站坐端把被给让叫问答喊想听抬低点摇"
# A person narration brings in by a description (一个青衫人 / 一个红衣女子 / 一位白发老者), called so again later, and the
# gender each ending gives.
DESCRIBED_PERSON = (r"(?:一个|一位|一名|是个|着个)(?:[^，。！？；：“”「」\s　]{0,6}的)?"
                    r"(?P<role>[\u4e00-\u9fff]{0,2}(?:衫人|衣人|面人|袍人|女子|男子|汉子|老者|少年|少女|女人|男人|姑娘|书生|道人|大汉|胡子))")
DESCRIBED_GENDERS: dict[str, str] = {"大汉": "m", "女子": "f", "少女": "f", "女人": "f", "姑娘": "f", "男子": "m", "汉子": "m", "老者": "m",
                                     "少年": "m", "男人": "m", "书生": "m", "道人": "m", "胡子": "m"}
# What narration says of one who keeps silent (青衫人没有抬头 / 彼は答えなかった / Tom said nothing): not the next to speak.
SILENCE = (r"(?:没有|没|不|未)(?:抬头|说话|吭声|出声|作声|回答|答话|理会|理他|理她|搭理|回头|开口|应声|接话)|沉默|一言不发|不语|不吭"
           # a nod or a shake of the head that ends the narration is the answer itself (他抬头看了我一眼，点点头。)
           r"|点点头|点了点头|摇摇头|摇了摇头")
# What narration says just before a name when one hands it something (把信封递给林夏): the one given it answers.
HANDED = r"(?:递给|交给|塞给|拿给|推给)$"
# A question the narration says someone put to another, in its own words, closing the paragraph (问他怎么称呼。):
# the one asked (a pronoun, I, or a name) answers in the next line; not one asked for a thing (问我要了一顶帽子).
ASKED_IN_NARRATION = r"(?:^|[，,])(?:又|便|就|才|也|还|轻声|小声)?问(?P<obj>他|她|(?P<i>我)|(?P<name>[\u4e00-\u9fff]{1,4}?))(?!们|要|借|讨|拿|买)[^，,：:“”]{1,14}$"
# Words of a line that speak to someone (你, 别, 快): a name such a line opens on is a call, not the speaker's own.
SPOKEN_TO = r"[你您别]|不要|快点|赶紧"
# The elders of a family, as narration calls them before their names (父亲林建国): 老林 is the one of the 林s who is one.
FAMILY_ELDERS: tuple[str, ...] = ("父亲", "爸爸", "爷爷", "外公", "姥爷", "大伯", "伯伯", "伯父", "叔叔", "叔父", "舅舅", "姑父", "姨父",
                                  "岳父", "公公", "母亲", "妈妈", "奶奶", "外婆", "姥姥", "伯母", "婶婶", "舅妈", "姑妈", "姨妈")
# What narration opens with to say whose the line just heard was (是李明远，刚从警校分来的 / It was Tom.).
IT_WAS = r"(?:原来)?是(?P<who>[\u4e00-\u9fff]{2,4}?)(?=[，。,！])"
# What narration says when it hands someone a letter or a note to read out: the next line is that one's.
READS_OUT = r"念出了声|念了起来|读了起来|念起来|读出声|念出声"
# One who will not be called so (别叫我小宝): the line is the one so called's.
OWN_NAME_OBJECTED = r"^[“\s　]*(?:别|不要|不许)(?:再)?(?:叫|喊)我(?P<name>[\u4e00-\u9fff]{1,4}?)(?:了|啦)?[。！，!]"
# The one the narration says was called by a name (被称作三好老师的那个人): the unnamed one who has spoken is that name.
CALLED_SO = (r"被(?:人)?(?:叫做|叫作|称作|称为|唤作)(?P<name>[\u4e00-\u9fff]{1,6}?)的(?:那个|那位|这个|这位)?"
             r"(?:人|女人|男人|老人|姑娘|老太太|老头|小伙子|女子|男子)")
# A name read off a badge one wears (书包上挂着一块名牌，上面印着“许小满”三个字): the unnamed one who spoke last is that name.
BADGE = r"(?:名牌|胸牌|工牌|名签|铭牌|挂牌)[^。！？]*?(?:印着|写着|刻着|绣着)[“「\"](?P<name>[\u4e00-\u9fff]{2,4})[”」\"]"
# Words only a dialect says (佢, 唔使, 係 in Cantonese; 侬, 阿拉 in Shanghainese; 俺, 恁 in the north's countryside; 么斯,
# 伢 in Wuhan; 啥子 in Sichuan; 甭, 忒 in Beijing): one who speaks so keeps to it whoever they speak to, so it tells apart
# two who take turns where the turn-taking alone would guess, as a register does in Japanese.
DIALECTS: dict[str, str] = {
    r"[係佢嘅咗啲嚟喺哋嗰嘢冇睇]|唔[使该好知识想得去要会系准]|点解|边个|点样|乜嘢": "yue",
    r"侬|覅|阿拉(?![伯丁斯])|辰光": "wu",
    r"俺|恁": "north",
    r"么斯|么样|伢|搞么": "wuhan",
    r"啥子|要得|巴适": "sichuan",
    r"甭|忒|倍儿": "beijing",
}
