"""Composing what the AI says from the wording (engine/wording): several wordings per
situation, and the engine never sends the same reply twice in a conversation, so a second
occurrence takes the next wording."""

from __future__ import annotations

import string

from tandem.engine.types import BotReply, QuickReply
from tandem.engine.wording import DEFAULT_WORDING, Wording

# The texts themselves: engine/wording/zh.toml and en.toml (a shop may override them).


def handoff_quick_reply(language: str, wording: Wording = DEFAULT_WORDING) -> QuickReply:
    return QuickReply(wording.quick_reply("handoff", language), "handoff")


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
    wording: Wording = DEFAULT_WORDING,
    **facts: object,
) -> BotReply | None:
    """The first wording of `situation` not used yet in this conversation; None when every
    wording has been used (the caller must then do something else than repeat itself)."""
    variants = wording.variants(situation, language)
    values = dict(facts)
    if "eta_seconds" in values and "eta" not in values:
        values["eta"] = format_wait(int(str(values.pop("eta_seconds"))), language)
    for index, variant in enumerate(variants):
        text = variant.format(**values)
        key = f"{situation}#{index}"
        if key not in sent_keys:
            return BotReply(key=key, text=text, quick_replies=quick_replies)
    return None


def topic_label(intent: str, language: str, wording: Wording = DEFAULT_WORDING) -> str:
    """How a topic is offered when the AI asks which one the customer means."""
    return wording.topic(intent, language)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def with_queue_place(
    replies: tuple[BotReply, ...],
    language: str,
    position: int,
    eta_seconds: int,
    wording: Wording = DEFAULT_WORDING,
) -> tuple[BotReply, ...]:
    """The hand-off replies told with the place the queue actually gave the conversation.

    The engine decides with the queue as a newcomer would find it (before its skill and
    priority are known); once the caller has enqueued it, the same wording (same key, so no
    repeat) says the queue's own position and wait.
    """
    out = []
    for reply in replies:
        situation, _, rest = reply.key.partition("#")
        index = rest.split("@", 1)[0]
        if situation in wording.situations and index.isdigit():
            variants = wording.variants(situation, language)
            variant = variants[int(index)] if int(index) < len(variants) else ""
            if "position" in _fields(variant) and _fields(variant) <= {"position", "eta"}:
                text = variant.format(position=position, eta=format_wait(eta_seconds, language))
                reply = BotReply(key=reply.key, text=text, quick_replies=reply.quick_replies)
        out.append(reply)
    return tuple(out)
