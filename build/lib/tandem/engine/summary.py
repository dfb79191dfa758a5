"""The hand-off summary: who, which order, what the problem is, what was tried, how they feel.

An extractive summariser that needs no model. The conversation is cut into exchanges (the
customer raises something, the other side answers); each customer turn and each answer is
scored with surface features (question and problem cues, length, boilerplate), the best
exchanges that fit the budget are kept in dialogue order, each compressed (greetings, particles
and politeness trimmed, "you" turned into "the customer") and rendered with a template:
"用户询问……。客服回答……。" / "Customer asked ... Agent answered ...". Known facts handed in
by the caller (customer name, order, problem) come first and (what the AI tried, emotion) last,
and keep their room when the budget is tight; without them the order number and a strong
emotion are read from the text.

Why extractive and template-based: the desk needs the customer's own words (an agent must not
act on an invented detail), it runs on every hand-off so it must take a few milliseconds, and
only 777 truncated labelled dialogues exist, too few to train a generator. The few numbers in
DEFAULT_PARAMS were picked on the first half of the CSDS dev file and confirmed by 5-fold
cross-validation; a logistic exchange scorer learned the same way (SummaryParams.exchange_weights,
tandem.evaluation.summary_weights) did no better, so the hand score ships (docs/benchmarks.md).

Pure: no I/O, no clock, no randomness; the same turns always give the same summary.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tandem.engine.summary_cues import (
    EMOJI,
    EMOTION_EN,
    EMOTION_ZH,
    EN_AGENT_BOILERPLATE,
    EN_ANGER,
    EN_ANXIETY,
    EN_CUSTOMER_FILLER,
    EN_LEAD,
    EN_PROBLEM,
    EN_QUESTION,
    NEUTRAL,
    NUMBER,
    ORDER_ID,
    PLACEHOLDER,
    SPACES,
    TAIL_CHARS,
    TAIL_PARTICLES,
    URL,
    ZH_AGENT_BOILERPLATE,
    ZH_AGENT_CLARIFY,
    ZH_AGENT_PRODUCT_CARD,
    ZH_ANGER,
    ZH_ANSWER,
    ZH_ANXIETY,
    ZH_CUSTOMER_FILLER,
    ZH_FILLERS_INSIDE,
    ZH_LEAD,
    ZH_PROBLEM,
    ZH_QUESTION,
)

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


def _clean(text: str) -> str:
    text = URL.sub("", text)
    text = EMOJI.sub("", text)
    return SPACES.sub(" ", text).strip()


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
        if ZH_CUSTOMER_FILLER.match(text):
            return 0.0
        question = bool(ZH_QUESTION.search(text))
        problem = bool(ZH_PROBLEM.search(text))
    else:
        if EN_CUSTOMER_FILLER.match(text):
            return 0.0
        question = bool(EN_QUESTION.search(text))
        problem = bool(EN_PROBLEM.search(text))
    length = min(len(text), 30 if zh else 120) / (30 if zh else 120)
    return params.question_weight * question + params.problem_weight * problem + length


def _mostly_placeholders(text: str) -> bool:
    """An address or name card ("[姓名][数字]内蒙古[地址]"): anonymised data, nothing to say."""
    return len(PLACEHOLDER.findall(text)) >= 2 and len(PLACEHOLDER.sub("", text)) < 10


def _answer_score(text: str, zh: bool) -> float:
    if zh:
        if (
            ZH_AGENT_BOILERPLATE.search(text)
            or ZH_AGENT_PRODUCT_CARD.search(text)
            or _mostly_placeholders(text)
        ):
            return 0.0
        cues = min(len(ZH_ANSWER.findall(text)), 3) / 3
        clarify = 0.5 if ZH_AGENT_CLARIFY.search(text) else 0.0
        length = min(len(text), 30) / 30
    else:
        if EN_AGENT_BOILERPLATE.search(text):
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


def _features(exchange: _Exchange, k: int, count: int, zh: bool) -> tuple[float, ...]:
    q = exchange.question.text
    a = " ".join(x.text for x in exchange.answers)
    if zh:
        question, problem = ZH_QUESTION.search(q), ZH_PROBLEM.search(q)
        cues = min(len(ZH_ANSWER.findall(a)), 3) / 3
        asks = bool(a) and bool(ZH_AGENT_CLARIFY.search(a))
        scale = 30.0
    else:
        question, problem = EN_QUESTION.search(q), EN_PROBLEM.search(q)
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
        float(bool(NUMBER.search(q))),
        float(bool(NUMBER.search(a))),
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
        stripped = text.rstrip(TAIL_CHARS)
        if stripped == text:
            return text
        # "的"/"了" before a particle is part of the particle ("的哦", "了呢"); alone it is content.
        if any(ch in TAIL_PARTICLES for ch in text[len(stripped) :]) and stripped.endswith(
            ("的", "了")
        ):
            stripped = stripped[:-1]
        text = stripped


def _compress_zh(text: str, *, customer: bool) -> str:
    text = ZH_LEAD.sub("", text)
    text = ZH_FILLERS_INSIDE.sub("", text)
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
    text = EN_LEAD.sub("", text).strip()
    return text.rstrip(" .!?,")


def _emotion_from_text(turns: Sequence[Turn], zh: bool) -> str:
    said = " ".join(t.text for t in turns if _is_customer(t.role))
    anger = ZH_ANGER if zh else EN_ANGER
    anxiety = ZH_ANXIETY if zh else EN_ANXIETY
    if len(anger.findall(said)) >= 1:
        return "anger"
    if len(anxiety.findall(said)) >= 2:
        return "anxiety"
    return ""


def _order_from_text(turns: Sequence[Turn]) -> str:
    for turn in turns:
        match = ORDER_ID.search(turn.text)
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
        if emotion not in NEUTRAL:
            tail.append(f"情绪：{EMOTION_ZH.get(emotion, emotion)}。")
    else:
        if customer:
            head.append(customer + (f" (order {order_id})" if order_id else "") + ".")
        elif order_id:
            head.append(f"Order {order_id}.")
        if problem:
            head.append(f"Problem: {problem}.")
        if tried:
            tail.append(f"Already tried: {tried}.")
        if emotion not in NEUTRAL:
            tail.append(f"Mood: {EMOTION_EN.get(emotion, emotion)}.")

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
        verb = "询问" if ZH_QUESTION.search(q) or ZH_PROBLEM.search(q) else "表示"
        parts = [f"用户{verb}{question}。"]
        for a in exchange.answers:
            answer = _compress_zh(a.text, customer=False)
            if answer:
                label = "AI回答" if turns[a.index].role == BOT else "客服回答"
                parts.append(f"{label}{answer}。")
        return "".join(parts)
    question = _compress_en(q)
    verb = "asked" if EN_QUESTION.search(q) else "said"
    parts = [f'Customer {verb}: "{question}".']
    for a in exchange.answers:
        answer = _compress_en(a.text)
        if answer:
            label = "The AI" if turns[a.index].role == BOT else "Agent"
            parts.append(f'{label} answered: "{answer}".')
    return " ".join(parts)
