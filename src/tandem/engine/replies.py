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
    "clarify": {
        "zh": (
            "我想确认一下，您是想问下面哪一类问题？",
            "抱歉我没完全明白，是以下哪种情况呢？",
        ),
        "en": (
            "Just to be sure, which of these is it about?",
            "Sorry, I'm not sure I follow. Is it one of these?",
        ),
    },
    "clarify_oos": {
        "zh": (
            "这个问题不在我能回答的范围内（我负责本店的商品、订单和售后）。您是想问下面这些吗？",
        ),
        "en": (
            "That's outside what I can answer here (I help with this shop's products, orders and "
            "after-sales). Is your question about one of these?",
        ),
    },
    "handoff_unsure": {
        "zh": (
            "抱歉，我还是没能确定您的问题，不想乱猜耽误您。已为您转接人工客服，您排在第 {position} 位，预计等待约 {eta}。",
        ),
        "en": (
            "Sorry, I still can't tell what you need and I won't guess. I've passed you to a human "
            "agent: number {position} in the queue, about {eta}.",
        ),
    },
    "handoff_repeated": {
        "zh": (
            "看来刚才的回答没能解决您的问题，我不再重复同样的内容了。已为您转接人工客服，您排在第 {position} 位，"
            "预计等待约 {eta}，客服会看到之前的全部对话。",
        ),
        "en": (
            "It looks like my answer didn't solve this, so I won't repeat it. I've passed you to a "
            "human agent: number {position}, about {eta}. They will see everything so far.",
        ),
    },
    "handoff_human_first": {
        "zh": (
            "这笔订单由人工客服优先为您处理，我已把订单和问题整理好转给客服，您排在第 {position} 位，"
            "预计等待约 {eta}，不用再重复说明。",
        ),
        "en": (
            "A member of our team handles this order personally. I've passed on the order and the "
            "problem: you are number {position}, about {eta}, no need to repeat anything.",
        ),
    },
    "handoff_complaint": {
        "zh": (
            "您的反馈很重要，这件事需要由专人认真处理。我已转接人工客服（第 {position} 位，预计约 {eta}），"
            "并把情况整理给了客服。",
        ),
        "en": (
            "Your complaint matters and deserves a person's attention. I've passed it to a human "
            "agent (number {position}, about {eta}) with a summary of what happened.",
        ),
    },
    "handoff_proposal": {
        "zh": (
            "我已为您准备好处理方案，需要人工客服确认后执行。已转接客服，您排在第 {position} 位，预计约 {eta}。",
        ),
        "en": (
            "I've prepared a resolution that a member of our team needs to approve. You're number "
            "{position} in the queue, about {eta}.",
        ),
    },
    "handoff_abuse": {
        "zh": ("我会请主管来跟进这次对话。您排在第 {position} 位，预计约 {eta}。",),
        "en": (
            "I'm asking a supervisor to take over this conversation. You're number {position}, about {eta}.",
        ),
    },
    "ticket": {
        "zh": (
            "现在不是人工客服的在岗时间（或暂时无人在线），已为您登记工单，客服会在 {callback} 前回复您，"
            "我们已保留全部对话，您不用重复说明。在此之前，订单、物流、退换货的问题我可以继续帮您处理。",
        ),
        "en": (
            "Our team isn't available right now, so I've opened a ticket: someone will get back to "
            "you by {callback}. Everything we said is kept. Meanwhile I can keep helping with "
            "orders, delivery and returns.",
        ),
    },
    "abuse_warning": {
        "zh": (
            "我理解您现在很生气。为了更好地帮您解决问题，请文明沟通。",
            "请不要使用侮辱性的语言，我们是真心想帮您解决问题的。",
            "再次提醒：请文明沟通。",
        ),
        "en": (
            "I understand you're upset. To help you best, please keep the conversation respectful.",
            "Please don't use insulting language: we do want to sort this out for you.",
            "A further reminder: please keep it respectful.",
        ),
    },
    "offer_person": {
        "zh": (
            "如果您希望由真人处理，点“转人工”我马上为您转接。",
            "需要的话我现在就可以帮您转人工。",
        ),
        "en": (
            "If you'd rather talk to a person, tap \"Human agent\" and I'll connect you now.",
            "I can get you a person right away if you prefer.",
        ),
    },
    "anonymous_orders": {
        "zh": (
            "查询订单需要先登录店铺账号（在店铺页面登录后打开客服窗口即可）。也可以转人工，由客服核实身份后帮您查询。",
        ),
        "en": (
            "To look up your orders, please sign in to the shop first and open the chat from there. "
            "Or a human agent can verify who you are and check for you.",
        ),
    },
    "order_not_yours": {
        "zh": ("没有在您的账号下找到订单 {order_id}（我只能查询您自己的订单）。请选择您的订单：",),
        "en": (
            "I can't find order {order_id} on your account (I can only see your own orders). Please pick one:",
        ),
    },
    "describe": {
        "zh": (
            "好的，请简单描述一下遇到的问题（比如商品出了什么状况），我整理好交给客服，您就不用重复说明了。",
        ),
        "en": (
            "Sure. Please describe briefly what went wrong, so I can pass it on and you won't have to repeat it.",
        ),
    },
    "reopened": {
        "zh": ("您好，欢迎回来，有什么可以帮您？",),
        "en": ("Welcome back. How can I help?",),
    },
    "effect_failed_handoff": {
        "zh": (
            "抱歉，系统处理时出了点问题。我已为您转接人工客服，客服能看到我们之前的对话，会接着帮您处理，您不用重复说明。",
        ),
        "en": (
            "Sorry, something went wrong on our side while handling that. I've passed you to a "
            "human agent, who will see our conversation and take it from here.",
        ),
    },
    "effect_failed": {
        "zh": (
            "抱歉，系统处理时出了点问题，您的消息我们已经收到。请稍后再试一次，或回复“人工”联系客服。",
        ),
        "en": (
            "Sorry, something went wrong on our side. We have your message: please try again "
            'in a moment, or say "human" to reach a person.',
        ),
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
    if "eta_seconds" in values and "eta" not in values:
        values["eta"] = format_wait(int(str(values.pop("eta_seconds"))), language)
    for index, variant in enumerate(variants):
        text = variant.format(**values)
        key = f"{situation}#{index}"
        if key not in sent_keys:
            return BotReply(key=key, text=text, quick_replies=quick_replies)
    return None


# How each topic is offered when the AI asks which one the customer means.
TOPIC_LABELS: dict[str, tuple[str, str]] = {
    "product_info": ("商品信息", "Product details"),
    "stock": ("库存/到货", "Stock"),
    "price_promotion": ("价格优惠", "Price and offers"),
    "coupon": ("优惠券", "Coupons"),
    "size": ("尺码", "Sizes"),
    "shipping_info": ("发货与快递", "Shipping"),
    "payment": ("付款", "Payment"),
    "invoice": ("发票", "Invoices"),
    "order_status": ("订单状态", "Order status"),
    "change_address": ("修改地址", "Change address"),
    "cancel_order": ("取消订单", "Cancel an order"),
    "urge_shipping": ("催发货", "Hurry shipping"),
    "where_is_parcel": ("查物流", "Track my parcel"),
    "return": ("退货", "Return"),
    "exchange": ("换货", "Exchange"),
    "refund": ("退款", "Refund"),
    "refund_status": ("退款进度", "Refund status"),
    "damaged_or_wrong_item": ("破损/错发", "Damaged or wrong item"),
    "quality_issue": ("质量问题", "Quality problem"),
    "how_to_use": ("使用方法", "How to use"),
    "warranty": ("保修", "Warranty"),
    "complaint": ("投诉", "Complaint"),
}


def topic_label(intent: str, language: str) -> str:
    zh, en = TOPIC_LABELS.get(intent, (intent, intent))
    return zh if language == "zh" else en
