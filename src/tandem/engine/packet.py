"""The hand-off packet: what the agent reads first, so the customer never repeats anything.

Pure: built from the transcript, the engine's memory and the facts the caller gathered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tandem.engine import masking
from tandem.engine.memory import EngineMemory
from tandem.engine.replies import topic_label
from tandem.engine.summary import Turn, summarise
from tandem.shop.present import ShopFacts, status_label
from tandem.shop.types import Order, yuan

REASONS = {
    "customer_request": ("客户要求人工", "Customer asked for a person"),
    "cannot_answer": ("AI 无法回答", "The AI could not answer"),
    "low_confidence": ("AI 不确定客户的问题", "The AI was unsure what the customer needs"),
    "out_of_scope": ("超出 AI 服务范围", "Outside what the AI handles"),
    "repeated_problem": ("同一问题反复出现", "The same problem came back"),
    "high_value": ("高客单价订单，人工优先", "High-value order: human first"),
    "vip": ("VIP 客户，人工优先", "VIP customer: human first"),
    "human_first_category": ("人工优先品类", "Human-first category"),
    "needs_approval": ("需人工审批的退款", "Refund needs approval"),
    "missing_evidence": ("缺少凭证，需人工判断", "Evidence missing: a person decides"),
    "complaint": ("投诉", "Complaint"),
    "abuse": ("多次辱骂，转主管", "Repeated abuse: supervisor"),
    "order_needs_identity": ("未登录，需核实身份", "Not signed in: verify identity"),
}
EMOTIONS = {
    "anger": ("愤怒", "angry"),
    "anxiety": ("焦急", "anxious"),
    "sadness": ("失落", "sad"),
    "satisfaction": ("满意", "satisfied"),
    "neutral": ("平静", "calm"),
}


_SPECIAL = {
    "oos": ("超出范围", "out of scope"),
    "human": ("要人工", "asked for a person"),
    "greeting": ("问候", "greeting"),
    "thanks": ("感谢", "thanks"),
    "bye": ("道别", "goodbye"),
}


def _intent_text(label: str, language: str) -> str:
    if label in _SPECIAL:
        zh, en = _SPECIAL[label]
        return zh if language == "zh" else en
    return topic_label(label, language)


def _order_facts(order: Order, language: str) -> dict[str, Any]:
    zh = language == "zh"
    return {
        "order_id": order.order_id,
        "title": order.title_zh() if zh else order.title_en(),
        "status": status_label(order, language),
        "total": f"¥{yuan(order.total_cents)}",
        "refunded": f"¥{yuan(order.refunded_cents)}" if order.refunded_cents else None,
        "carrier": order.carrier.value if order.carrier else None,
        "tracking_number": order.tracking_number,
        "categories": sorted(c.value for c in order.categories),
        "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
    }


# What the AI did, in words an agent reads at a glance: one line per rule the engine can
# decide with that did something for the customer (hand-off rules and small talk did nothing
# to report). A rule missing here is reported by the test that walks `engine.rules`.
TRIED = {
    "knowledge_answer": ("用知识库回答了{topic}", "answered {topic} from the knowledge base"),
    "order_status_answer": ("查询了订单/物流", "looked up the order and parcel"),
    "no_refund_on_order": (
        "查询了退款：该订单没有退款在办理",
        "looked up refunds: none under way on the order",
    ),
    "clarify": ("问了一个澄清问题", "asked a clarifying question"),
    "fallback_offer_human": (
        "表示无法回答并提供人工",
        "said it could not answer, offered a person",
    ),
    "product_not_held": (
        "表示没有该商品的这项资料并提供人工",
        "said it holds nothing on that for the product, offered a person",
    ),
    "shop_action_done": ("按店铺规则办理了{topic}", "did the {topic} under the shop's policy"),
    "shop_declined": (
        "按店铺规则拒绝了{topic}并说明原因",
        "declined the {topic} under the policy, with the reason",
    ),
    "shop_needs_evidence": ("请顾客提供照片/视频凭证", "asked for photo or video evidence"),
    "shop_needs_info": ("询问了办理所需的信息", "asked for what the action needs"),
    "pick_order": ("请顾客选择订单", "asked which order"),
    "order_not_found": (
        "订单号不属于该顾客，请其选择自己的订单",
        "the order number was not theirs: asked which order",
    ),
    "no_orders": ("查询了订单：该顾客没有相关订单", "looked up the orders: none fits"),
    "order_needs_login": ("请顾客登录以查询订单", "asked the customer to sign in to see orders"),
    "gather_facts": ("请顾客描述问题", "asked what happened"),
    "confirm_action": (
        "按店铺规则核对了{topic}，请顾客确认",
        "checked the {topic} against the policy, asked the customer to confirm",
    ),
    "action_not_confirmed": (
        "顾客未确认{topic}，未办理",
        "the customer did not confirm the {topic}: nothing done",
    ),
    "ai_proposes": ("按店铺规则核对了{topic}", "checked the {topic} against the policy"),
    "human_first": (
        "核对了订单（人工优先），未自行办理",
        "looked up the order (human first), did nothing itself",
    ),
    "missing_evidence": ("请顾客提供凭证，顾客未提供", "asked for evidence, none was sent"),
    "decline_off_topic": ("婉拒了与店铺无关的问题", "declined an off-topic question"),
    "bot_identity": ("说明了自己是智能助手", "said it is an AI assistant"),
    "repeated_problem": ("同一回答未解决问题", "its answer did not solve the problem"),
}
# Rules that hand over or chat without doing anything for the customer.
SILENT_RULES = frozenset(
    {
        "shop_action",  # the action itself is reported by the rule that words its outcome
        "explicit_human_request",
        "customer_request",
        "cannot_answer",
        "low_confidence",
        "out_of_scope",
        "complaint",
        "repeated_abuse",
        "abuse",
        "abuse_warning",
        "needs_approval",  # the hand-off reason; the rule that proposed is "ai_proposes"
        "order_needs_identity",
        "human_owns_conversation",
        "human_requested_again",
        "note_while_queued",
        "greeting",
        "thanks",
        "bye",
    }
)


def _proposal_text(proposal: Mapping[str, Any], language: str) -> str:
    zh = language == "zh"
    action = str(proposal.get("action") or "")
    words = _ACTIONS.get(action, (action, action))
    amount = proposal.get("amount_cents")
    money = f" ¥{yuan(int(amount))}" if isinstance(amount, int) and amount > 0 else ""
    order = proposal.get("order_id") or ""
    if zh:
        return f"提出了{words[0]}{money}方案（订单 {order}），待人工审批"
    return f"proposed a {words[1]}{money} (order {order}) for approval"


_ACTIONS = {
    "refund": ("退款", "refund"),
    "return": ("退货退款", "return"),
    "exchange": ("换货", "exchange"),
    "cancel": ("取消订单", "cancellation"),
    "urge_shipping": ("催发货", "shipping reminder"),
    "change_address": ("修改地址", "address change"),
}


def _tried(
    decisions: Sequence[Mapping[str, Any]],
    language: str,
    proposal: Mapping[str, Any] | None = None,
) -> str:
    done = []
    zh = language == "zh"
    for d in decisions:
        words = TRIED.get(str(d.get("rule", "")))
        if words is None:
            continue
        intent = d.get("intent")
        topic = topic_label(str(intent), language) if intent and intent not in _SPECIAL else ""
        if not topic:
            topic = "办理" if zh else "request"
        elif not zh:
            topic = topic[:1].lower() + topic[1:]  # mid-sentence in English
        done.append((words[0] if zh else words[1]).format(topic=topic))
    if proposal:
        done.append(_proposal_text(proposal, language))
    if not done:
        return "无" if zh else "nothing yet"
    return ("；" if zh else "; ").join(dict.fromkeys(done))


# Below this intensity an emotion reading is a guess the engine itself does not act on
# (EngineRules.acknowledge_emotion, 0.5 by default): the desk shows the customer as calm.
SHOWN_EMOTION = 0.5
_PROBLEM_SKIP = frozenset(_SPECIAL)


def shown_emotion(
    emotions: Sequence[tuple[str, float]], threshold: float = SHOWN_EMOTION
) -> tuple[str, float]:
    """The customer's emotion as the desk states it: the latest reading strong enough to act
    on, when it is among the last three messages; otherwise calm."""
    for label, value in reversed(emotions[-3:]):
        if label != "neutral" and value >= threshold:
            return label, value
    return "neutral", 0.0


def emotion_view(emotions: Sequence[tuple[str, float]], language: str) -> dict[str, str | float]:
    """The emotion the desk states (`shown_emotion`), with its words in `language`: what the
    hand-off packet says at the hand-off, and what the board and the lists say later from the
    engine's memory, which every customer message updates (an insult to the agent after the
    hand-off makes the board say 愤怒, not the packet's 平静)."""
    label, intensity = shown_emotion(emotions)
    zh, en = EMOTIONS.get(label, (label, label))
    return {"label": label, "intensity": intensity, "text": zh if language == "zh" else en}


def problem_intent(decisions: Sequence[Mapping[str, Any]], memory: EngineMemory) -> str | None:
    """The problem the customer described: the engine's own reading of the latest turn that was
    about a problem (a tapped order keeps the problem it was picked for), else the latest
    problem intent the understanding read."""
    for d in reversed(decisions):
        intent = d.get("intent")
        if intent and str(intent) not in _PROBLEM_SKIP:
            return str(intent)
    for label, _ in reversed(memory.intents):
        if label not in _PROBLEM_SKIP:
            return label
    return None


def build_packet(
    *,
    reason: str,
    language: str,
    transcript: Sequence[tuple[str, str] | tuple[str, str, dict[str, Any] | None]],
    decisions: Sequence[Mapping[str, Any]],
    memory: EngineMemory,
    shop: ShopFacts | None,
    customer_name: str | None,
    entities: Sequence[Mapping[str, Any]],
    proposal: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The packet stored with the hand-off and shown at the top of the desk."""
    order = shop.order(memory.order_id) if shop is not None and memory.order_id else None
    emotion = emotion_view(memory.emotions, language)
    who = customer_name or (shop.customer.name if shop is not None and shop.customer else None)
    tried = _tried(decisions, language, proposal)
    facts: dict[str, str] = {"tried": tried, "emotion": str(emotion["label"])}
    if who:
        facts["customer"] = who
    if order is not None:
        facts["order_id"] = order.order_id
    problem = problem_intent(decisions, memory)
    if problem:
        facts["problem"] = topic_label(problem, language)
    # The summary reads what the desk shows: a customer's abusive words masked as in the
    # transcript (the analysis of each message, when the caller passes it).
    turns = []
    for item in transcript:
        role, text = item[0], item[1]
        analysis = item[2] if len(item) > 2 else None
        if role == "customer" and analysis and analysis.get("tapped"):
            continue  # a quick reply's label: the choice is in the facts (the order)
        pieces = masking.segments(text, analysis) if role == "customer" else None
        turns.append(Turn(role, masking.masked_text(pieces, language) if pieces else text))
    summary = summarise(turns, language=language, facts=facts)
    zh = language == "zh"
    reason_zh, reason_en = REASONS.get(reason, (reason, reason))
    return {
        "summary": summary,
        "reason": reason,
        "reason_text": reason_zh if zh else reason_en,
        "customer": {
            "name": who,
            "external_id": shop.customer.external_id
            if shop is not None and shop.customer
            else None,
            "tier": shop.tier.value if shop is not None and shop.tier is not None else None,
            "orders": len(shop.orders) if shop is not None else 0,
        },
        "intents": [
            {"label": label, "text": _intent_text(label, language), "confidence": value}
            for label, value in memory.intents
        ],
        "emotions": [
            {
                "label": label,
                "intensity": value,
                "text": EMOTIONS.get(label, (label, label))[0 if zh else 1],
            }
            for label, value in memory.emotions
        ],
        "emotion": emotion,
        "problem": {"label": problem, "text": facts["problem"]} if problem else None,
        "entities": list(entities),
        "order": _order_facts(order, language) if order is not None else None,
        "tried": facts["tried"],
        "proposal": dict(proposal) if proposal else None,
        "turns": len(transcript),
    }
