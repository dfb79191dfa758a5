"""What the AI says, in Chinese and English. Several wordings per situation: the engine never
sends the same reply twice in a conversation, so a second occurrence takes the next wording."""

from __future__ import annotations

from collections.abc import Mapping

from tandem.engine.types import BotReply, QuickReply

Texts = Mapping[str, tuple[str, ...]]

TEMPLATES: dict[str, Texts] = {
    "greeting": {
        "zh": (
            "您好，我是店铺的智能客服，订单、物流、退换货都可以问我。需要真人客服时，随时说“人工”即可。",
            "您好，请问有什么可以帮您？",
            "在的，请说说您遇到的问题。",
        ),
        "en": (
            "Hello! I'm the shop's AI assistant: ask me about orders, delivery, returns. "
            'Say "human" at any time to reach a person.',
            "Hi, how can I help you?",
            "I'm here. What can I do for you?",
        ),
    },
    "thanks": {
        "zh": ("不客气，还有其他问题随时找我。", "很高兴能帮到您。", "不客气！"),
        "en": ("You're welcome. Anything else, just ask.", "Glad I could help.", "Any time!"),
    },
    "bye": {
        "zh": ("再见，祝您购物愉快！", "好的，有需要随时回来找我们。"),
        "en": ("Goodbye, happy shopping!", "Take care, we're here whenever you need us."),
    },
    "handoff_queued": {
        "zh": (
            "好的，已为您转接人工客服，您现在排在第 {position} 位，预计等待约 {eta}。"
            "客服接入后能看到我们之前的全部对话，您不用再重复说明。",
        ),
        "en": (
            "Sure, I've passed you to a human agent. You are number {position} in the queue; "
            "the estimated wait is about {eta}. The agent will see our whole conversation, so "
            "you won't need to repeat anything.",
        ),
    },
    "handoff_unstaffed": {
        "zh": (
            "好的，已为您转接人工客服。现在暂时没有客服在线，您排在第 {position} 位，"
            "预计约 {eta}后有客服接入；客服能看到我们之前的全部对话。等待期间我也可以继续帮您查询。",
        ),
        "en": (
            "Sure, I've passed you to a human agent. Nobody is online right now; you are "
            "number {position} and an agent should pick up in about {eta}. They will see our "
            "whole conversation. Meanwhile I can keep helping if you like.",
        ),
    },
    "handoff_after_fallbacks": {
        "zh": (
            "抱歉，这个问题我没能帮您解决，已为您转接人工客服，您排在第 {position} 位，"
            "预计等待约 {eta}。客服会看到之前的对话，您不用重复。",
        ),
        "en": (
            "Sorry I couldn't sort this out. I've passed you to a human agent: you are number "
            "{position} in the queue, about {eta} to wait. They will see our conversation.",
        ),
    },
    "still_queued": {
        "zh": (
            "您已在人工客服队列中，目前排第 {position} 位，预计还需约 {eta}，请稍候。",
            "人工客服马上就来：您现在是第 {position} 位，预计约 {eta}。我们没有忘记您。",
            "已经为您催促了，当前第 {position} 位，预计约 {eta}。等待时有什么想先告诉客服的，可以直接留言。",
            "您仍在排队（第 {position} 位，约 {eta}）。您的留言客服接入后都能看到。",
        ),
        "en": (
            "You're in the queue for a human agent: number {position}, about {eta} to go.",
            "An agent is on the way: you're number {position}, roughly {eta}. We haven't forgotten you.",
            "I've nudged the team: you're number {position}, about {eta}. Anything you write now "
            "the agent will see.",
            "Still in the queue (number {position}, about {eta}). Your messages will be read.",
        ),
    },
    "queued_note": {
        "zh": ("收到，已记下，客服接入后会看到您的留言。当前第 {position} 位，预计约 {eta}。",),
        "en": (
            "Noted: the agent will see this when they pick up. You're number {position}, about {eta}.",
        ),
    },
    "fallback": {
        "zh": (
            "抱歉，这个问题我暂时还回答不了，不想随便回答误导您。需要为您转接人工客服吗？",
            "这个我确实答不上来。您可以换个说法，或者直接点“转人工”，由真人客服帮您处理。",
        ),
        "en": (
            "Sorry, I can't answer that yet, and I'd rather not guess. Shall I get you a human agent?",
            'I really can\'t answer this one. Try wording it differently, or tap "Human agent" '
            "and a person will help.",
        ),
    },
    "reopened": {
        "zh": ("您好，欢迎回来，有什么可以帮您？",),
        "en": ("Welcome back. How can I help?",),
    },
}

HANDOFF_QUICK_REPLY = {
    "zh": QuickReply("转人工", "handoff"),
    "en": QuickReply("Human agent", "handoff"),
}


def format_wait(seconds: int, language: str) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes >= 90:
        hours = round(minutes / 60)
        return f"{hours} 小时" if language == "zh" else f"{hours} hours"
    return (
        f"{minutes} 分钟" if language == "zh" else f"{minutes} minute{'s' if minutes > 1 else ''}"
    )


def compose(
    situation: str,
    language: str,
    sent_keys: frozenset[str],
    *,
    quick_replies: tuple[QuickReply, ...] = (),
    **facts: object,
) -> BotReply | None:
    """The first wording of `situation` not used yet in this conversation; None when every
    wording has been used (the caller must then do something else than repeat itself)."""
    variants = TEMPLATES[situation][language if language in ("zh", "en") else "zh"]
    values = dict(facts)
    if "eta_seconds" in values:
        values["eta"] = format_wait(int(str(values.pop("eta_seconds"))), language)
    for index, variant in enumerate(variants):
        text = variant.format(**values)
        key = f"{situation}#{index}"
        if key not in sent_keys:
            return BotReply(key=key, text=text, quick_replies=quick_replies)
    return None
