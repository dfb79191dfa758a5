"""The hand-off summary: who, which order, what the problem is, what was tried, how they feel.

An extractive summariser that needs no model. The conversation is cut into exchanges (the
customer raises something, the other side answers); each customer turn and each answer is
scored with surface features (question and problem cues, length, boilerplate), the best
exchanges that fit the budget are kept in dialogue order, each compressed (greetings, particles
and politeness trimmed, "you" turned into "the customer") and rendered with a template:
"用户询问……。客服回答……。" / "Customer asked ... Agent answered ...". Known facts handed in
by the caller (customer name, order, emotion, what the AI tried) come first; without them the
order number and a strong emotion are read from the text.

Why extractive and template-based: the desk needs the customer's own words (an agent must not
act on an invented detail), it runs on every hand-off so it must take a few milliseconds, and
only 777 truncated labelled dialogues exist, too few to train a generator. The few weights in
SummaryParams were chosen by cross-validation on CSDS (see docs/benchmarks.md).

Pure: no I/O, no clock, no randomness; the same turns always give the same summary.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CUSTOMER = "customer"
BOT = "bot"
AGENT = "agent"
SYSTEM = "system"


@dataclass(frozen=True)
class Turn:
    role: str  # "customer" | "bot" | "agent" | "system"
    text: str


@dataclass(frozen=True)
class SummaryParams:
    """The summariser's few tunable numbers (chosen by cross-validation, see module doc)."""

    question_weight: float = 1.0  # the customer turn asks something
    problem_weight: float = 1.0  # the customer turn names an e-commerce problem
    answer_weight: float = 0.5  # how much a good answer adds to an exchange's score
    min_exchange_score: float = 1.5  # exchanges below this are small talk, left out
    max_exchanges: int = 3
    answers_per_exchange: int = 1
    # A learned exchange scorer (logistic, over EXCHANGE_FEATURES): when set, it replaces the
    # hand-weighted score above and `min_probability` replaces `min_exchange_score`.
    exchange_weights: tuple[float, ...] | None = None
    exchange_bias: float = 0.0
    min_probability: float = 0.5


DEFAULT_PARAMS = SummaryParams()


# --- cleaning ----------------------------------------------------------------------------------

_URL = re.compile(r"(https?://|www\.|javascript:)\S*", re.IGNORECASE)
# Emoji, pictographs and the desk's emoticon codes like "#E-s01": noise for a summary.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\ufe0e\ufe0f\u200d]|#E-[A-Za-z]+\\[?[^\\s\\]]*\\]?"
)
_SPACES = re.compile(r"\s+")
_ORDER_ID = re.compile(
    r"(?:订单号?|订单编号|单号|order(?:\s?(?:no\.?|number|id))?)[\s:：#]{0,4}([A-Za-z]{0,4}\d{5,})"
    r"|\b(TD\d{4,})\b",
    re.IGNORECASE,
)


def _clean(text: str) -> str:
    text = _URL.sub("", text)
    text = _EMOJI.sub("", text)
    return _SPACES.sub(" ", text).strip()


# --- Chinese cues --------------------------------------------------------------------------------

# A customer turn that carries nothing a summary needs: greetings, acknowledgements, thanks,
# a bare order number, a request for a person (the packet records that separately).
# Written without nested repetition (no "(a*b*)*"), so a long run of "谢谢谢谢…" cannot send
# the regex engine into exponential backtracking: the head is one word, the tail one flat set.
_ZH_CUSTOMER_FILLER = re.compile(
    r"^(?:[你您]好|在吗|在不在|有人吗|hello|hi|亲|客服|人工|人工客服|转人工|"
    r"好|好的|好吧|好滴|好哒|行|可以|可以的|嗯|恩|哦|噢|喔|额|啊|ok|okay|"
    r"是|是的|对|对的|对啊|没错|不是|没有|没有了|没了|没事了?|不用了?|知道了|明白了?|了解|"
    r"谢谢|谢谢你|谢谢您|多谢|感谢|辛苦了?|麻烦了?|麻烦你了|拜拜|再见|"
    r"[?？!！.。…~～]|\[[^\]]{0,12}\]|咨询订单号.{0,60}|订单业务咨询|"
    r"(?:这个|是这个|我的)?子?订单号?[:：是]?.{0,12}|\d{1,30})"
    r"(?:[,，.。!！~～ ?？…嗯恩哦噢喔额啊呢啦了呀哈你您]|谢谢|好的)*$",
    re.IGNORECASE,
)
_ZH_QUESTION = re.compile(
    r"[?？]|吗|么|怎么|怎样|如何|什么|为什么|为啥|多久|多少|几天|几号|哪|能不能|能否|可不可以|"
    r"是否|可以.{0,12}[吧吗]|有没有|是不是|要不要|咋"
)
_ZH_PROBLEM = re.compile(
    r"退款|退货|退换|换货|退回|取消|发票|保价|价保|差价|售后|维修|保修|坏|破损|质量|故障|错|"
    r"没收到|未收到|没到|还没|没有到|没发|不发货|发货|配送|物流|快递|送达|签收|地址|站点|自提|"
    r"优惠|券|活动|价格|便宜|赠品|付款|支付|扣款|到账|余额|白条|分期|订单|下单|修改|改|"
    r"缺|少|漏|投诉|催|延迟|慢|激活|安装|尺码|型号|库存|有货|预约|返修|上门"
)
# Agent turns that are protocol, not content: openings, hold messages, closings, apologies,
# rating requests, "is this your order?" confirmations.
_ZH_AGENT_BOILERPLATE = re.compile(
    r"请问还有|还有其他|还有什么|有什么(问题|可以)|可以帮[到您]|为您服务|很高兴|很荣幸|"
    r"感谢您|谢谢您|不客气|客气了|应该做的|评价|祝您|再见|稍等|稍后|请您耐心|耐心等待|"
    r"马上为您|正在为您查|为您查询|帮您查询|给您查询|查看一下|提供.{0,6}(订单|单号|手机|电话)|"
    r"是这个(商品|订单)|这个订单吗|这个商品吗|您的订单是吗|订单是吗|"
    r"抱歉|歉意|不便|见谅|理解|添麻烦|乌云|阳光|小花|生气|善解人意|妹子祝|#E|"
    r"请问您是咨询之前|您好|你好|亲爱的客户|尊敬的|"
    # The AI's own hand-off, queue and fallback messages: the packet states those facts.
    r"转接|排在第|排第|队列|预计等待|客服接入|不用重复|没有忘记|催促了|不想乱猜|是哪一个|以下哪"
)
_ZH_AGENT_PRODUCT_CARD = re.compile(
    r"\([A-Z][A-Za-z]+\)|^\[数字\][A-Za-z\u4e00-\u9fff]{0,8}[A-Z]{2,}"
)
_ZH_ANSWER = re.compile(
    r"可以|不可以|无法|不能|会|已经|已|需要|建议|请您|支持|不支持|是的|没有|到账|工作日|"
    r"\[数字\]|\[日期\]|\[时间\]|小时|天|元|申请|安排|处理|联系|提交|退款|补发|备注|修改|"
    r"为您|帮您|给您|登记|反馈|催促|审核|预计|以.{0,8}为准"
)
_ZH_AGENT_CLARIFY = re.compile(r"(对吗|是吗|是吧|呢)[?？]?$|^请问|[?？]$")

_ZH_LEAD = re.compile(
    r"^(?:[你您]好|在吗|亲爱的|亲|哈喽|hello|hi|嗯|恩|哦|啊|额|那个|就是|请问一下|请问|"
    r"我想问问|我想问一下|我想问下|想问一下|想问下|问一下|问下|咨询一下|咨询下|客服|"
    r"好的|是的|对的|不是|没有呀|没有|[,，.。!！~～ 、])+",
    re.IGNORECASE,
)
_TAIL_PARTICLES = "呢哦哟哈啦呀啊吧噢喔嘛哒滴~～"
_TAIL_CHARS = _TAIL_PARTICLES + ",，.。!！?？ "
_ZH_FILLERS_INSIDE = re.compile(r"亲爱的|亲[，,]?|妹子|小妹|这边|哈")

# Same words as the packet's emotion labels (engine.packet), so the desk speaks one language.
_EMOTION_ZH = {
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
_EMOTION_EN = {
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
_NEUTRAL = frozenset({"", "neutral", "none", "other"})

# Strong, unambiguous cues only: a summary that calls a calm customer angry misleads the agent.
_ZH_ANGER = re.compile(
    r"投诉|垃圾|骗子|骗人|坑人|太差|差劲|气死|生气|愤怒|无语|受不了|什么破|忍无可忍|欺负|[!！]{3,}"
)
_ZH_ANXIETY = re.compile(r"着急|急用|急死|很急|非常急|赶紧|快点|尽快|怎么办|担心|等不了")
_EN_ANGER = re.compile(
    r"\b(ridiculous|unacceptable|terrible|awful|scam|furious|angry|worst|complain|useless)\b|!{3,}",
    re.IGNORECASE,
)
_EN_ANXIETY = re.compile(
    r"\b(urgent|urgently|asap|worried|hurry|right now|immediately)\b", re.IGNORECASE
)

# --- English cues --------------------------------------------------------------------------------

_EN_CUSTOMER_FILLER = re.compile(
    r"^(?:hi|hello|hey|thanks|thank you|thx|ok|okay|yes|yeah|yep|no|nope|sure|right|fine|great|"
    r"bye|goodbye|agent|human|person|cool|got it|i see|alright|\d+|[?!.]+)(?:[ ,.!]+(?:thanks|"
    r"thank you|so much|a lot|bye|then|there|ok))*[ .!?]*$",
    re.IGNORECASE,
)
_EN_QUESTION = re.compile(
    r"\?|^(how|what|when|why|where|which|who|can|could|would|will|is|are|do|does|did|should)\b"
    r"|\b(how long|how much|whether)\b",
    re.IGNORECASE,
)
_EN_PROBLEM = re.compile(
    r"refund|return|exchange|cancel|invoice|price|broken|damaged|defect|wrong|missing|late|"
    r"delay|deliver|shipping|shipped|tracking|parcel|package|address|order|charge|paid|payment|"
    r"coupon|discount|warranty|repair|size|stock|complain",
    re.IGNORECASE,
)
_EN_AGENT_BOILERPLATE = re.compile(
    r"anything else|glad to help|happy to help|have a (nice|great) day|thank(s| you) for|"
    r"please wait|one moment|let me check|checking|sorry for|apolog|rate|how can i help|"
    r"how may i help|welcome|passed you to|in the queue|human agent|agent will see|"
    r"can't answer|rather not guess|not sure i follow|which of these|outside what i can",
    re.IGNORECASE,
)
_EN_LEAD = re.compile(
    r"^(?:(?:hi|hello|hey|ok|okay|yes|well|so|um|uh|please)[ ,.!]+)+", re.IGNORECASE
)


# --- the pieces ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scored:
    index: int
    text: str
    score: float


@dataclass(frozen=True)
class _Exchange:
    question: _Scored
    answers: tuple[_Scored, ...]
    score: float
    n_questions: int
    n_answers: int


EXCHANGE_FEATURES = (
    "hand_score",
    "question_cue",
    "problem_cue",
    "question_length",
    "customer_turns",
    "has_answer",
    "answer_score",
    "answer_length",
    "answer_cues",
    "answer_is_question",
    "relative_position",
    "is_first",
    "is_last",
    "exchanges_in_dialogue",
    "question_has_number",
    "answer_has_number",
)


@dataclass(frozen=True)
class ExchangeCandidate:
    """One exchange as the summariser sees it: where it starts, how it would be written, and
    the features a learned scorer weighs (named by EXCHANGE_FEATURES)."""

    position: int  # index of the customer turn that opens it
    text: str
    hand_score: float
    features: tuple[float, ...]


def _is_customer(role: str) -> bool:
    return role == CUSTOMER


def _is_answerer(role: str) -> bool:
    return role in (AGENT, BOT)


def _customer_score(text: str, zh: bool, params: SummaryParams) -> float:
    if zh:
        if _ZH_CUSTOMER_FILLER.match(text):
            return 0.0
        question = bool(_ZH_QUESTION.search(text))
        problem = bool(_ZH_PROBLEM.search(text))
    else:
        if _EN_CUSTOMER_FILLER.match(text):
            return 0.0
        question = bool(_EN_QUESTION.search(text))
        problem = bool(_EN_PROBLEM.search(text))
    length = min(len(text), 30 if zh else 120) / (30 if zh else 120)
    return params.question_weight * question + params.problem_weight * problem + length


_PLACEHOLDER = re.compile(r"\[[^\]]{1,6}\]")


def _mostly_placeholders(text: str) -> bool:
    """An address or name card ("[姓名][数字]内蒙古[地址]"): anonymised data, nothing to say."""
    return len(_PLACEHOLDER.findall(text)) >= 2 and len(_PLACEHOLDER.sub("", text)) < 10


def _answer_score(text: str, zh: bool) -> float:
    if zh:
        if (
            _ZH_AGENT_BOILERPLATE.search(text)
            or _ZH_AGENT_PRODUCT_CARD.search(text)
            or _mostly_placeholders(text)
        ):
            return 0.0
        cues = min(len(_ZH_ANSWER.findall(text)), 3) / 3
        clarify = 0.5 if _ZH_AGENT_CLARIFY.search(text) else 0.0
        length = min(len(text), 30) / 30
    else:
        if _EN_AGENT_BOILERPLATE.search(text):
            return 0.0
        cues = 0.5
        clarify = 0.5 if text.rstrip().endswith("?") else 0.0
        length = min(len(text), 120) / 120
    if len(text) < (4 if zh else 8):
        return 0.0
    return max(cues + length - clarify, 0.0)


def _exchanges(turns: Sequence[Turn], zh: bool, params: SummaryParams) -> list[_Exchange]:
    """Cut the dialogue where a substantive customer turn follows a substantive answer.

    Filler turns ("好的", "对的") neither open nor close an exchange, so a customer confirming
    an order number does not split the agent's answer from the question it answers.
    """
    blocks: list[tuple[list[_Scored], list[_Scored]]] = []
    questions: list[_Scored] = []
    answers: list[_Scored] = []
    seen: set[str] = set()
    for i, turn in enumerate(turns):
        text = _clean(turn.text)
        if not text or text in seen:
            continue
        if _is_customer(turn.role):
            s = _customer_score(text, zh, params)
            if s <= 0:
                continue
            seen.add(text)
            if answers:
                blocks.append((questions, answers))
                questions, answers = [], []
            questions.append(_Scored(i, text, s))
        elif _is_answerer(turn.role) and questions:
            s = _answer_score(text, zh)
            if s > 0:
                seen.add(text)
                answers.append(_Scored(i, text, s))
    if questions:
        blocks.append((questions, answers))

    result: list[_Exchange] = []
    for qs, ans in blocks:
        best_q = max(qs, key=lambda s: (s.score, -s.index))
        best_a = sorted(ans, key=lambda s: (-s.score, s.index))[: params.answers_per_exchange]
        best_a.sort(key=lambda s: s.index)
        score = best_q.score + params.answer_weight * max((a.score for a in best_a), default=0.0)
        result.append(_Exchange(best_q, tuple(best_a), score, len(qs), len(ans)))
    return result


_NUMBER = re.compile(r"\d|\[数字\]|\[金额\]|\[日期\]|\[时间\]")


def _features(exchange: _Exchange, k: int, count: int, zh: bool) -> tuple[float, ...]:
    q = exchange.question.text
    a = " ".join(x.text for x in exchange.answers)
    if zh:
        question, problem = _ZH_QUESTION.search(q), _ZH_PROBLEM.search(q)
        cues = min(len(_ZH_ANSWER.findall(a)), 3) / 3
        asks = bool(a) and bool(_ZH_AGENT_CLARIFY.search(a))
        scale = 30.0
    else:
        question, problem = _EN_QUESTION.search(q), _EN_PROBLEM.search(q)
        cues = 0.5
        asks = a.rstrip().endswith("?")
        scale = 120.0
    return (
        exchange.score,
        float(bool(question)),
        float(bool(problem)),
        min(len(q), scale) / scale,
        min(exchange.n_questions, 3) / 3,
        float(bool(exchange.answers)),
        max((x.score for x in exchange.answers), default=0.0),
        min(len(a), scale) / scale,
        cues,
        float(asks),
        k / (count - 1) if count > 1 else 0.0,
        float(k == 0),
        float(k == count - 1),
        min(count, 10) / 10,
        float(bool(_NUMBER.search(q))),
        float(bool(_NUMBER.search(a))),
    )


def exchange_candidates(
    turns: Sequence[Turn], *, language: str = "zh", params: SummaryParams = DEFAULT_PARAMS
) -> list[ExchangeCandidate]:
    """The exchanges a summary can be built from, in dialogue order (used to learn weights)."""
    zh = language.lower().startswith("zh")
    exchanges = _exchanges(turns, zh, params)
    return [
        ExchangeCandidate(
            position=e.question.index,
            text=_render(e, turns, zh),
            hand_score=e.score,
            features=_features(e, k, len(exchanges), zh),
        )
        for k, e in enumerate(exchanges)
    ]


def _learned_score(features: tuple[float, ...], params: SummaryParams) -> float:
    assert params.exchange_weights is not None
    z = params.exchange_bias + sum(
        w * f for w, f in zip(params.exchange_weights, features, strict=True)
    )
    return 1.0 / (1.0 + math.exp(-z))


def _strip_tail(text: str) -> str:
    """Drop trailing particles and punctuation ("可以的哦~" -> "可以"), in linear time."""
    while True:
        stripped = text.rstrip(_TAIL_CHARS)
        if stripped == text:
            return text
        # "的"/"了" before a particle is part of the particle ("的哦", "了呢"); alone it is content.
        if any(ch in _TAIL_PARTICLES for ch in text[len(stripped) :]) and stripped.endswith(
            ("的", "了")
        ):
            stripped = stripped[:-1]
        text = stripped


def _compress_zh(text: str, *, customer: bool) -> str:
    text = _ZH_LEAD.sub("", text)
    text = _ZH_FILLERS_INSIDE.sub("", text)
    if customer:
        text = re.sub(r"^(?:我的|我们的|我那个|我这个|我这|我)", "", text)
        text = re.sub(r"我们|俺", "用户", text)
        text = text.replace("我", "用户")
    else:
        text = text.replace("您", "用户").replace("我们", "客服").replace("我", "客服")
    text = _strip_tail(text)
    text = re.sub(r"[?？!！]+", "，", text)
    return text.strip(" ,，、")


def _compress_en(text: str) -> str:
    text = _EN_LEAD.sub("", text).strip()
    return text.rstrip(" .!?,")


def _emotion_from_text(turns: Sequence[Turn], zh: bool) -> str:
    said = " ".join(t.text for t in turns if _is_customer(t.role))
    anger = _ZH_ANGER if zh else _EN_ANGER
    anxiety = _ZH_ANXIETY if zh else _EN_ANXIETY
    if len(anger.findall(said)) >= 1:
        return "anger"
    if len(anxiety.findall(said)) >= 2:
        return "anxiety"
    return ""


def _order_from_text(turns: Sequence[Turn]) -> str:
    for turn in turns:
        match = _ORDER_ID.search(turn.text)
        if match:
            return match.group(1) or match.group(2)
    return ""


def _cut(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 1] + "…" if max_chars > 0 else ""


def summarise(
    turns: Sequence[Turn],
    *,
    language: str = "zh",
    facts: Mapping[str, str] | None = None,
    max_chars: int = 200,
    params: SummaryParams = DEFAULT_PARAMS,
) -> str:
    """A summary of at most `max_chars` characters, in `language` ("zh", else English).

    `facts` may carry "customer", "order_id", "emotion" (a label such as "anger"), "tried" (what
    the AI already did) and "problem" (a label for the issue); each one given replaces what
    would otherwise be read from the turns. An empty conversation gives an empty string.
    """
    zh = language.lower().startswith("zh")
    facts = facts or {}
    customer = facts.get("customer", "").strip()
    order_id = facts.get("order_id", "").strip() or _order_from_text(turns)
    emotion = facts.get("emotion", "").strip().lower()
    if "emotion" not in facts:
        emotion = _emotion_from_text(turns, zh)
    tried = facts.get("tried", "").strip()
    problem = facts.get("problem", "").strip()

    candidates = exchange_candidates(turns, language=language, params=params)
    if params.exchange_weights is not None:
        scores = [_learned_score(c.features, params) for c in candidates]
        floor = params.min_probability
    else:
        scores = [c.hand_score for c in candidates]
        floor = params.min_exchange_score
    # The best exchange is kept whatever its score: a summary is never empty when there was talk.
    ranked = sorted(range(len(candidates)), key=lambda k: (-scores[k], k))
    chosen = [
        k for rank, k in enumerate(ranked) if rank < params.max_exchanges and scores[k] >= floor
    ]
    if not chosen and candidates:
        chosen = [ranked[0]]

    head: list[str] = []
    tail: list[str] = []
    if zh:
        if customer:
            head.append(customer + (f"（订单{order_id}）" if order_id else "") + "。")
        elif order_id:
            head.append(f"订单{order_id}。")
        if problem:
            head.append(f"问题：{problem}。")
        if tried:
            tail.append(f"AI已尝试：{tried}。")
        if emotion not in _NEUTRAL:
            tail.append(f"情绪：{_EMOTION_ZH.get(emotion, emotion)}。")
    else:
        if customer:
            head.append(customer + (f" (order {order_id})" if order_id else "") + ".")
        elif order_id:
            head.append(f"Order {order_id}.")
        if problem:
            head.append(f"Problem: {problem}.")
        if tried:
            tail.append(f"Already tried: {tried}.")
        if emotion not in _NEUTRAL:
            tail.append(f"Mood: {_EMOTION_EN.get(emotion, emotion)}.")

    sep = "" if zh else " "
    # The facts are the part an agent cannot get at a glance from the transcript, so they keep
    # their room and the extracted exchanges take what is left.
    fixed = len(sep.join(head + tail)) + (len(sep) if head or tail else 0)
    budget = max_chars - fixed
    picked: list[tuple[int, str]] = []
    used = 0
    for k in chosen:
        piece = candidates[k].text
        extra = len(piece) + (len(sep) if picked else 0)
        if used + extra <= budget:
            picked.append((candidates[k].position, piece))
            used += extra
        elif not picked and budget >= 8:
            picked.append((candidates[k].position, _cut(piece, budget)))
            used = budget
    # Selected by score, told in dialogue order: it reads naturally.
    body = [piece for _, piece in sorted(picked)]
    return _cut(sep.join(part for part in head + body + tail if part), max_chars)


def _render(exchange: _Exchange, turns: Sequence[Turn], zh: bool) -> str:
    q = exchange.question.text
    if zh:
        question = _compress_zh(q, customer=True)
        verb = "询问" if _ZH_QUESTION.search(q) or _ZH_PROBLEM.search(q) else "表示"
        parts = [f"用户{verb}{question}。"]
        for a in exchange.answers:
            answer = _compress_zh(a.text, customer=False)
            if answer:
                label = "AI回答" if turns[a.index].role == BOT else "客服回答"
                parts.append(f"{label}{answer}。")
        return "".join(parts)
    question = _compress_en(q)
    verb = "asked" if _EN_QUESTION.search(q) else "said"
    parts = [f'Customer {verb}: "{question}".']
    for a in exchange.answers:
        answer = _compress_en(a.text)
        if answer:
            label = "The AI" if turns[a.index].role == BOT else "Agent"
            parts.append(f'{label} answered: "{answer}".')
    return " ".join(parts)
