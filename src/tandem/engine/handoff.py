"""Recognising an explicit request for a person, in Simplified, Traditional Chinese and English.

This is rule 1 of the engine ("a person in one turn") and must never miss: a keyword rule that
runs before any model, so a classifier's off day cannot keep a customer from a human.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

# Simplified and Traditional forms; 人工 alone counts (customers type just that), but not as part
# of words like 人工智能 (AI) or 人工合成 (synthetic).
_ZH = re.compile(
    r"(人工(?!智能|智慧|合成|养殖|種植|种植|湖|降雨)|真人|活人|客服人[员員]|[转轉接找叫要].{0,2}客服"
    r"|[转轉]接|找.{0,2}[个個]?人(?!民)|人[类類]客服|有人[吗嗎在]|人呢)"
)
_EN = re.compile(
    r"\b(human|humans|real person|a person|live (agent|person|chat)|(an |a |your )?agent"
    r"|representative|rep|operator|someone real|real (human|people)|"
    r"(talk|speak|chat) (to|with) (someone|somebody|a person|staff|a human))\b",
    re.IGNORECASE,
)

# Asking for someone in charge ("找你们店长", "叫你们经理出来", "I want to speak to your
# manager") is asking for a person, a senior one. A verb of asking must come first: "经理推荐的"
# or "老板，在吗" (shoppers call the seller 老板) are not requests.
_IN_CHARGE_ZH = re.compile(
    r"([找叫让讓请請喊]|要求|我要).{0,4}(店长|店長|经理|經理|主管|负责人|負責人|掌柜|掌櫃|领导|領導)"
    r"|[找叫喊].{0,3}(老板|老闆)"
)
_IN_CHARGE_EN = re.compile(
    r"\b(speak|talk|chat|get|see|want|need|call|escalate)\b.{0,16}"
    r"\b((your|the|a|an) (manager|supervisor|boss)|(someone|somebody|person) in charge)\b",
    re.IGNORECASE,
)

PAYLOAD = "handoff"

# "Are you a bot?" asks what we are, not for a person: answered, with a person offered.
_BOT_QUESTION_ZH = re.compile(
    r"(是不是|是)?(机器人|機器人|人工智能|AI|ai|真人)(吗|嗎|啊|呀|么|麼|\?|？)"
)
_BOT_QUESTION_EN = re.compile(
    r"\b(are you|is this|am i (talking|chatting) (to|with))\b.{0,20}\b(bot|robot|ai|machine|human|real)",
    re.IGNORECASE,
)
_ASKS_FOR_ONE = re.compile(
    r"([转轉接找叫要].{0,2}(人工|客服|真人))|\b(talk|speak|chat|connect|transfer)\b|\b(want|need|get)\b",
    re.IGNORECASE,
)


def asks_if_bot(text: str) -> bool:
    """A question about whether the customer talks to a machine ("你是机器人吗", "is this a bot
    or a real person?"), not a request for a person ("我要真人", "talk to a human")."""
    if _ASKS_FOR_ONE.search(text):
        return False
    return bool(_BOT_QUESTION_ZH.search(text) or _BOT_QUESTION_EN.search(text))


# Typed in a hurry ("can i tlak to a real persn"): a word one slip (a letter missing, extra,
# wrong or two swapped) from one of these, next to a word one slip from a way of asking.
_EN_WHO = ("human", "person", "agent", "representative", "operator")
_EN_ASK = ("talk", "speak", "chat", "connect", "transfer", "want", "need", "real", "live")
_WORD = re.compile(r"[a-z]+")


def _near(word: str, targets: tuple[str, ...]) -> bool:
    # Short words only match exactly: one slip from "rep" or "get" is too many other words.
    return any(
        word == t or (len(word) >= 4 and len(t) >= 4 and OSA.distance(word, t) <= 1)
        for t in targets
    )


def _misspelled_request(text: str) -> bool:
    words = _WORD.findall(text.lower())
    return any(_near(w, _EN_WHO) for w in words) and any(_near(w, _EN_ASK) for w in words)


def wants_human(text: str, payload: str | None = None) -> bool:
    if payload == PAYLOAD:
        return True
    return bool(
        _ZH.search(text)
        or _EN.search(text)
        or _IN_CHARGE_ZH.search(text)
        or _IN_CHARGE_EN.search(text)
        or _misspelled_request(text)
    )
