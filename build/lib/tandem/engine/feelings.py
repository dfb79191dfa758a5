"""Acknowledging how the customer feels, in words that fit the situation.

An upset customer's reply starts with an acknowledgement chosen by the emotion *and* what the
problem is about (a late parcel, money, a broken item...), never one fixed sentence, and never
the same sentence twice in a conversation.
"""

from __future__ import annotations

from tandem.engine.types import BotReply

PARCEL = {"where_is_parcel", "urge_shipping", "order_status", "shipping_info"}
MONEY = {"refund", "refund_status", "cancel_order", "payment", "price_promotion", "coupon"}
ITEM = {"damaged_or_wrong_item", "quality_issue", "return", "exchange", "warranty", "how_to_use"}

_ACK: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("anger", "parcel"): {
        "zh": (
            "等了这么久还没收到，换谁都会生气，非常抱歉。",
            "物流这么慢确实让人恼火，抱歉让您久等了。",
        ),
        "en": (
            "Waiting this long would annoy anyone. I'm sorry.",
            "A delivery this slow is frustrating, sorry to keep you waiting.",
        ),
    },
    ("anger", "money"): {
        "zh": (
            "涉及钱的事让您不满，我非常理解，抱歉给您添了麻烦。",
            "您的不满我完全理解，钱款的事我们一定给您说清楚。",
        ),
        "en": (
            "I understand you're unhappy about the money, and I'm sorry for the trouble.",
            "I hear you. We'll get the money side absolutely clear.",
        ),
    },
    ("anger", "item"): {
        "zh": ("收到的东西有问题，真的很抱歉让您生气了。", "商品出问题确实糟心，给您添麻烦了。"),
        "en": (
            "I'm really sorry the item let you down.",
            "A faulty item is maddening. Sorry for the hassle.",
        ),
    },
    ("anger", "other"): {
        "zh": (
            "非常抱歉让您不满意了，我来帮您处理。",
            "理解您的心情，给您添麻烦了。",
            "您的不满我收到了，我们认真对待。",
        ),
        "en": (
            "I'm sorry we've upset you. Let me help.",
            "I understand how you feel, and I'm sorry for the trouble.",
            "I hear your frustration and we take it seriously.",
        ),
    },
    ("anxiety", "parcel"): {
        "zh": ("理解您等快递很着急，我马上帮您查。", "别着急，包裹的情况我这就帮您看。"),
        "en": (
            "I know waiting for a parcel is stressful. Let me check right away.",
            "Don't worry, I'm looking at your parcel now.",
        ),
    },
    ("anxiety", "money"): {
        "zh": (
            "钱款的事着急很正常，我这就帮您确认。",
            "别担心，您的钱不会不明不白，我马上帮您处理。",
        ),
        "en": (
            "It's natural to worry about money. Let me confirm it for you now.",
            "Don't worry, your money won't go missing. I'm on it.",
        ),
    },
    ("anxiety", "item"): {
        "zh": ("别着急，商品的问题我们一定帮您解决。", "理解您着急用，我尽快帮您处理。"),
        "en": ("Don't worry, we'll sort out the item.", "I know you need it soon; I'll be quick."),
    },
    ("anxiety", "other"): {
        "zh": ("别着急，我马上帮您处理。", "理解您很着急，我们尽快。"),
        "en": ("Don't worry, I'm on it.", "I understand it's urgent; let's be quick."),
    },
    ("sadness", "other"): {
        "zh": ("遇到这样的事真的很抱歉。", "让您失望了，真的很抱歉。"),
        "en": ("I'm truly sorry this happened.", "I'm sorry we've disappointed you."),
    },
}


def _group(intent: str | None) -> str:
    if intent in PARCEL:
        return "parcel"
    if intent in MONEY:
        return "money"
    if intent in ITEM:
        return "item"
    return "other"


def acknowledgement(
    emotion: str,
    intent: str | None,
    language: str,
    sent: frozenset[str],
    *,
    parcel_moving: bool | None = None,
) -> BotReply | None:
    """The first unused acknowledgement for this emotion and situation, or None.

    Empathy follows the facts: the words about a slow parcel are for a parcel that has left
    (`parcel_moving` False: the order has not shipped, so they would be untrue)."""
    if emotion not in ("anger", "anxiety", "sadness"):
        return None
    lang = language if language in ("zh", "en") else "zh"
    first = _group(intent)
    if first == "parcel" and parcel_moving is False:
        first = "other"
    for group in dict.fromkeys((first, "other")):
        texts = _ACK.get((emotion, group))
        if texts is None:
            continue
        for index, text in enumerate(texts[lang]):
            key = f"ack.{emotion}.{group}#{index}"
            if key not in sent:
                return BotReply(key=key, text=text)
    return None
