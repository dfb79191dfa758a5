"""The agent's copilot: suggested replies and canned replies. Pure.

Suggestions come from two places: the knowledge base (the caller passes its matches) and how
colleagues answered similar questions before (pairs of a customer's question and the agent's
answer in resolved conversations, compared here by character unigrams and bigrams, which is
what works for short Chinese customer messages without a word segmenter). Every suggestion is
text the agent can edit before sending; nothing is sent on their behalf. Before it is shown,
`shown` cleans it (tandem.desk.personal): no other customer's data, no claimed action.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tandem.desk import personal

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[，。！？、,.!?;；:：~～…\"'“”‘’()（）【】\[\]<>《》]")
_VARIABLE = re.compile(r"\{([a-z_]+)\}")
MIN_SIMILARITY = 0.25


@dataclass(frozen=True)
class PastAnswer:
    """A customer's question and the answer an agent gave to it, in a resolved conversation."""

    conversation_id: str
    question: str
    answer: str
    agent_name: str | None = None
    # That conversation's own personal values, by placeholder (tandem.desk.personal).
    known: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    source: str  # knowledge | colleagues
    text: str
    score: float
    question: str
    ref: str  # knowledge entry id, or the conversation the answer came from
    known: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def features(text: str) -> Counter[str]:
    """Character unigrams and bigrams of the lower-cased text without spaces or punctuation."""
    clean = _PUNCT.sub("", _SPACE.sub("", text.lower()))
    grams: Counter[str] = Counter(clean)
    grams.update(clean[i : i + 2] for i in range(len(clean) - 1))
    return grams


def similarity(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def colleague_suggestions(
    query: str, past: Iterable[PastAnswer], k: int = 3, floor: float = MIN_SIMILARITY
) -> list[Suggestion]:
    """The answers given to the `k` past questions most like `query`, distinct answers only."""
    q = features(query)
    scored = sorted(
        ((similarity(q, features(p.question)), p) for p in past),
        key=lambda sp: (-sp[0], sp[1].conversation_id),
    )
    out: list[Suggestion] = []
    seen: set[str] = set()
    for score, p in scored:
        if score < floor or len(out) >= k:
            break
        key = _SPACE.sub("", p.answer)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Suggestion(
                "colleagues", p.answer, round(score, 3), p.question, p.conversation_id, p.known
            )
        )
    return out


def pair_answers(
    messages: Sequence[tuple[str, str]],
    conversation_id: str,
    agent_name: str | None = None,
    known: Mapping[str, tuple[str, ...]] | None = None,
) -> list[PastAnswer]:
    """(author, text) of one conversation in order -> each run of customer messages and the
    agent's reply that followed it."""
    pairs: list[PastAnswer] = []
    question: list[str] = []
    for author, text in messages:
        if author == "customer":
            question.append(text)
        elif author == "agent" and question:
            pairs.append(
                PastAnswer(conversation_id, " ".join(question[-2:]), text, agent_name, known or {})
            )
            question = []
    return pairs


@dataclass(frozen=True)
class Canned:
    id: str
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str


CANNED: tuple[Canned, ...] = (
    Canned(
        "greet",
        "问候",
        "Greeting",
        "{customer_name}您好，我是{agent_name}，已经看过您和智能助手的对话，马上为您处理。",
        "Hello {customer_name}, I'm {agent_name}. I've read your conversation and I'm on it.",
    ),
    Canned(
        "checking",
        "正在核实",
        "Checking",
        "正在为您核实订单 {order_id} 的情况，请稍等一两分钟。",
        "I'm checking order {order_id} for you, give me a minute or two.",
    ),
    Canned(
        "tracking",
        "物流单号",
        "Tracking number",
        "您的订单 {order_id} 物流单号是 {tracking_number}，可以随时查看最新进度。",
        "Your order {order_id} ships under tracking number {tracking_number}.",
    ),
    Canned(
        "sorry",
        "致歉",
        "Apology",
        "非常抱歉给您带来不好的体验，这件事我来负责跟进到底。",
        "I'm really sorry about this. I'll follow it through for you myself.",
    ),
    Canned(
        "calm",
        "请文明沟通",
        "Keep it civil",
        "理解您很着急，我在认真处理您的问题。也请您文明沟通，这样我能更快帮到您。",
        "I understand this is frustrating and I'm working on it. Please keep it civil so I can "
        "help you faster.",
    ),
    Canned(
        "closing",
        "结束语",
        "Closing",
        "还有其他可以帮您的吗？如果没有，稍后请为本次服务打个分，谢谢{customer_name}！",
        "Is there anything else I can help with? If not, please rate this conversation. "
        "Thank you, {customer_name}!",
    ),
)


def unfilled(text: str) -> list[str]:
    """The {variable}s `fill` left in `text` (nothing to fill them with), each once, sorted."""
    return sorted({m.group(0) for m in _VARIABLE.finditer(text)})


def fill(template: str, values: Mapping[str, str | None]) -> str:
    """Replace {variable}s with the conversation's values; unknown or empty ones are left in
    braces so the agent sees what to type before sending."""

    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        return value if value else m.group(0)

    return _VARIABLE.sub(one, template)


def canned_replies(language: str, values: Mapping[str, str | None]) -> list[dict[str, str]]:
    zh = language == "zh"
    return [
        {
            "id": c.id,
            "title": c.title_zh if zh else c.title_en,
            "template": c.text_zh if zh else c.text_en,
            "text": fill(c.text_zh if zh else c.text_en, values),
        }
        for c in CANNED
    ]


def shown(s: Suggestion, values: Mapping[str, str | None]) -> Suggestion | None:
    """`s` as this conversation's agent may see it, or None when nothing fit to offer is left:
    the text without claimed actions, with another customer's data replaced by this one's (or
    by placeholders), and the other customer's question with their data as placeholders."""
    text = personal.safe_suggestion(s.text, values, s.known)
    if not text:
        return None
    question = personal.as_template(s.question, s.known) if s.source == "colleagues" else s.question
    return Suggestion(s.source, text, s.score, question, s.ref)
