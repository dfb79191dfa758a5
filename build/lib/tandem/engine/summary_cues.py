"""The cue lists of the hand-off summariser (tandem.engine.summary): which turns are small talk,
which ask or name a problem, which answers are protocol rather than content, and the words for
emotions. Plain regular expressions and tables, kept apart so the algorithm reads on its own.

Every pattern is written without nested repetition ("(a+)+", "(a*b*)*"): customers paste long
repetitive text, and a backtracking blow-up would stall the engine for everyone.
"""

from __future__ import annotations

import re

# --- cleaning ----------------------------------------------------------------------------------

URL = re.compile(r"(https?://|www\.|javascript:)\S*", re.IGNORECASE)
# Emoji, pictographs and the desk's emoticon codes like "#E-s01": noise for a summary.
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\ufe0e\ufe0f\u200d]|#E-[A-Za-z]+\\[?[^\\s\\]]*\\]?"
)
SPACES = re.compile(r"\s+")
ORDER_ID = re.compile(
    r"(?:订单号?|订单编号|单号|order(?:\s?(?:no\.?|number|id))?)[\s:：#]{0,4}([A-Za-z]{0,4}\d{5,})"
    r"|\b(TD\d{4,})\b",
    re.IGNORECASE,
)


# --- Chinese cues --------------------------------------------------------------------------------

# A customer turn that carries nothing a summary needs: greetings, acknowledgements, thanks,
# a bare order number, a request for a person (the packet records that separately).
# The head is one word and the tail one flat set: no nested repetition (see the module doc).
ZH_CUSTOMER_FILLER = re.compile(
    r"^(?:[你您]好|在吗|在不在|有人吗|hello|hi|亲|客服|人工|人工客服|转人工|"
    r"好|好的|好吧|好滴|好哒|行|可以|可以的|嗯|恩|哦|噢|喔|额|啊|ok|okay|"
    r"是|是的|对|对的|对啊|没错|不是|没有|没有了|没了|没事了?|不用了?|知道了|明白了?|了解|"
    r"谢谢|谢谢你|谢谢您|多谢|感谢|辛苦了?|麻烦了?|麻烦你了|拜拜|再见|"
    r"[?？!！.。…~～]|\[[^\]]{0,12}\]|咨询订单号.{0,60}|订单业务咨询|"
    r"(?:这个|是这个|我的)?子?订单号?[:：是]?.{0,12}|\d{1,30})"
    r"(?:[,，.。!！~～ ?？…嗯恩哦噢喔额啊呢啦了呀哈你您]|谢谢|好的)*$",
    re.IGNORECASE,
)
ZH_QUESTION = re.compile(
    r"[?？]|吗|么|怎么|怎样|如何|什么|为什么|为啥|多久|多少|几天|几号|哪|能不能|能否|可不可以|"
    r"是否|可以.{0,12}[吧吗]|有没有|是不是|要不要|咋"
)
ZH_PROBLEM = re.compile(
    r"退款|退货|退换|换货|退回|取消|发票|保价|价保|差价|售后|维修|保修|坏|破损|质量|故障|错|"
    r"没收到|未收到|没到|还没|没有到|没发|不发货|发货|配送|物流|快递|送达|签收|地址|站点|自提|"
    r"优惠|券|活动|价格|便宜|赠品|付款|支付|扣款|到账|余额|白条|分期|订单|下单|修改|改|"
    r"缺|少|漏|投诉|催|延迟|慢|激活|安装|尺码|型号|库存|有货|预约|返修|上门"
)
# Agent turns that are protocol, not content: openings, hold messages, closings, apologies,
# rating requests, "is this your order?" confirmations.
ZH_AGENT_BOILERPLATE = re.compile(
    r"请问还有|还有其他|还有什么|有什么(问题|可以)|可以帮[到您]|为您服务|很高兴|很荣幸|"
    r"感谢您|谢谢您|不客气|客气了|应该做的|评价|祝您|再见|稍等|稍后|请您耐心|耐心等待|"
    r"马上为您|正在为您查|为您查询|帮您查询|给您查询|查看一下|提供.{0,6}(订单|单号|手机|电话)|"
    r"是这个(商品|订单)|这个订单吗|这个商品吗|您的订单是吗|订单是吗|"
    r"抱歉|歉意|不便|见谅|理解|添麻烦|乌云|阳光|小花|生气|善解人意|妹子祝|#E|"
    r"请问您是咨询之前|您好|你好|亲爱的客户|尊敬的|"
    # The AI's own hand-off, queue and fallback messages: the packet states those facts.
    r"转接|排在第|排第|队列|预计等待|客服接入|不用重复|没有忘记|催促了|不想乱猜|是哪一个|以下哪"
)
ZH_AGENT_PRODUCT_CARD = re.compile(
    r"\([A-Z][A-Za-z]+\)|^\[数字\][A-Za-z\u4e00-\u9fff]{0,8}[A-Z]{2,}"
)
ZH_ANSWER = re.compile(
    r"可以|不可以|无法|不能|会|已经|已|需要|建议|请您|支持|不支持|是的|没有|到账|工作日|"
    r"\[数字\]|\[日期\]|\[时间\]|小时|天|元|申请|安排|处理|联系|提交|退款|补发|备注|修改|"
    r"为您|帮您|给您|登记|反馈|催促|审核|预计|以.{0,8}为准"
)
ZH_AGENT_CLARIFY = re.compile(r"(对吗|是吗|是吧|呢)[?？]?$|^请问|[?？]$")

ZH_LEAD = re.compile(
    r"^(?:[你您]好|在吗|亲爱的|亲|哈喽|hello|hi|嗯|恩|哦|啊|额|那个|就是|请问一下|请问|"
    r"我想问问|我想问一下|我想问下|想问一下|想问下|问一下|问下|咨询一下|咨询下|客服|"
    r"好的|是的|对的|不是|没有呀|没有|[,，.。!！~～ 、])+",
    re.IGNORECASE,
)
TAIL_PARTICLES = "呢哦哟哈啦呀啊吧噢喔嘛哒滴~～"
TAIL_CHARS = TAIL_PARTICLES + ",，.。!！?？ "
ZH_FILLERS_INSIDE = re.compile(r"亲爱的|亲[，,]?|妹子|小妹|这边|哈")

# Same words as the packet's emotion labels (engine.packet), so the desk speaks one language.
EMOTION_ZH = {
    "anger": "愤怒",
    "angry": "愤怒",
    "anxiety": "焦急",
    "anxious": "焦急",
    "urgency": "焦急",
    "urgent": "焦急",
    "sadness": "失落",
    "sad": "失落",
    "disappointment": "失落",
    "fear": "担心",
    "satisfaction": "满意",
    "joy": "满意",
    "happy": "满意",
}
EMOTION_EN = {
    "anger": "angry",
    "angry": "angry",
    "anxiety": "anxious",
    "anxious": "anxious",
    "urgency": "anxious",
    "urgent": "anxious",
    "sadness": "sad",
    "sad": "sad",
    "disappointment": "sad",
    "fear": "worried",
    "satisfaction": "satisfied",
    "joy": "satisfied",
    "happy": "satisfied",
}
NEUTRAL = frozenset({"", "neutral", "none", "other"})

# Strong, unambiguous cues only: a summary that calls a calm customer angry misleads the agent.
ZH_ANGER = re.compile(
    r"投诉|垃圾|骗子|骗人|坑人|太差|差劲|气死|生气|愤怒|无语|受不了|什么破|忍无可忍|欺负|[!！]{3,}"
)
ZH_ANXIETY = re.compile(r"着急|急用|急死|很急|非常急|赶紧|快点|尽快|怎么办|担心|等不了")
EN_ANGER = re.compile(
    r"\b(ridiculous|unacceptable|terrible|awful|scam|furious|angry|worst|complain|useless)\b|!{3,}",
    re.IGNORECASE,
)
EN_ANXIETY = re.compile(
    r"\b(urgent|urgently|asap|worried|hurry|right now|immediately)\b", re.IGNORECASE
)

# --- English cues --------------------------------------------------------------------------------

EN_CUSTOMER_FILLER = re.compile(
    r"^(?:hi|hello|hey|thanks|thank you|thx|ok|okay|yes|yeah|yep|no|nope|sure|right|fine|great|"
    r"bye|goodbye|agent|human|person|cool|got it|i see|alright|\d+|[?!.]+)(?:[ ,.!]+(?:thanks|"
    r"thank you|so much|a lot|bye|then|there|ok))*[ .!?]*$",
    re.IGNORECASE,
)
EN_QUESTION = re.compile(
    r"\?|^(how|what|when|why|where|which|who|can|could|would|will|is|are|do|does|did|should)\b"
    r"|\b(how long|how much|whether)\b",
    re.IGNORECASE,
)
EN_PROBLEM = re.compile(
    r"refund|return|exchange|cancel|invoice|price|broken|damaged|defect|wrong|missing|late|"
    r"delay|deliver|shipping|shipped|tracking|parcel|package|address|order|charge|paid|payment|"
    r"coupon|discount|warranty|repair|size|stock|complain",
    re.IGNORECASE,
)
EN_AGENT_BOILERPLATE = re.compile(
    r"anything else|glad to help|happy to help|have a (nice|great) day|thank(s| you) for|"
    r"please wait|one moment|let me check|checking|sorry for|apolog|rate|how can i help|"
    r"how may i help|welcome|passed you to|in the queue|human agent|agent will see|"
    r"can't answer|rather not guess|not sure i follow|which of these|outside what i can",
    re.IGNORECASE,
)
EN_LEAD = re.compile(
    r"^(?:(?:hi|hello|hey|ok|okay|yes|well|so|um|uh|please)[ ,.!]+)+", re.IGNORECASE
)


PLACEHOLDER = re.compile(r"\[[^\]]{1,6}\]")
NUMBER = re.compile(r"\d|\[数字\]|\[金额\]|\[日期\]|\[时间\]")
