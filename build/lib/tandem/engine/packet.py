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


# What the AI did, in words an agent reads at a glance.
TRIED = {
    "knowledge_answer": ("用知识库回答了{topic}", "answered {topic} from the knowledge base"),
    "order_status_answer": ("查询了订单/物流", "looked up the order and parcel"),
    "clarify": ("问了一个澄清问题", "asked a clarifying question"),
    "fallback_offer_human": (
        "表示无法回答并提供人工",
        "said it could not answer, offered a person",
    ),
    "shop_action_done": ("按店铺规则办理了{topic}", "did the {topic} under the shop's policy"),
    "shop_declined": (
        "按店铺规则拒绝了{topic}并说明原因",
        "declined the {topic} under the policy, with the reason",
    ),
    "shop_needs_evidence": ("请顾客提供照片/视频凭证", "asked for photo or video evidence"),
    "shop_needs_info": ("询问了办理所需的信息", "asked for what the action needs"),
    "pick_order": ("请顾客选择订单", "asked which order"),
    "gather_facts": ("请顾客描述问题", "asked what happened"),
}


def _tried(decisions: Sequence[Mapping[str, Any]], language: str) -> str:
    done = []
    zh = language == "zh"
    for d in decisions:
        words = TRIED.get(str(d.get("rule", "")))
        if words is None:
            continue
        topic = topic_label(str(d.get("intent")), language) if d.get("intent") else ""
        done.append((words[0] if zh else words[1]).format(topic=topic))
    if not done:
        return "无" if zh else "nothing yet"
    return ("；" if zh else "; ").join(dict.fromkeys(done))


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
    emotion = memory.emotions[-1] if memory.emotions else ("neutral", 0.0)
    who = customer_name or (shop.customer.name if shop is not None and shop.customer else None)
    facts: dict[str, str] = {"tried": _tried(decisions, language), "emotion": emotion[0]}
    if who:
        facts["customer"] = who
    if order is not None:
        facts["order_id"] = order.order_id
    intents = [
        (label, value)
        for label, value in memory.intents
        if label not in ("oos", "human", "greeting", "thanks", "bye")
    ]
    if intents:
        facts["problem"] = topic_label(intents[-1][0], language)
    # The summary reads what the desk shows: a customer's abusive words masked as in the
    # transcript (the analysis of each message, when the caller passes it).
    turns = []
    for item in transcript:
        role, text = item[0], item[1]
        analysis = item[2] if len(item) > 2 else None
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
        "entities": list(entities),
        "order": _order_facts(order, language) if order is not None else None,
        "tried": facts["tried"],
        "proposal": dict(proposal) if proposal else None,
        "turns": len(transcript),
    }
