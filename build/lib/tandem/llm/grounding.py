"""From what the engine decided to what the model may say: the grounding of each reply, and
the decision with its replies reworded. Pure apart from the provider call it is handed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tandem.engine.types import Decision, TurnContext
from tandem.llm.service import Grounding, Wordsmith
from tandem.shop.present import status_label
from tandem.shop.types import Order


def _day(at: datetime, language: str, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return local.strftime("%b %d") if language == "en" else f"{local.month}月{local.day}日"


def order_facts(order: Order, language: str, zone: ZoneInfo) -> str:
    def day(at: datetime) -> str:
        return _day(at, language, zone)

    names = ", ".join(i.name_en if language == "en" else i.name_zh for i in order.items)
    total = f"¥{order.total_cents / 100:g}"
    parts = [order.order_id, status_label(order, "en" if language == "en" else "zh"), names, total]
    if order.promised_ship_by is not None:
        parts.append(
            ("ship by " if language == "en" else "承诺发货 ") + day(order.promised_ship_by)
        )
    if order.promised_delivery_by is not None:
        parts.append(
            ("deliver by " if language == "en" else "预计送达 ") + day(order.promised_delivery_by)
        )
    return " · ".join(p for p in parts if p)


def grounding_for(decision: Decision, ctx: TurnContext, zone: ZoneInfo) -> Grounding:
    """Only what the engine selected: the knowledge entry it answered from, the orders its
    replies are about (or acted on), the policy verdict it applied."""
    language = decision.language
    knowledge = None
    if decision.kb_entry_id and ctx.knowledge is not None:
        knowledge = next(
            (c.answer for c in ctx.knowledge.candidates if c.entry_id == decision.kb_entry_id),
            None,
        )
    said = " ".join(r.text for r in decision.replies)
    wanted = {decision.act.order_id} if decision.act is not None else set()
    orders = [
        o
        for o in (ctx.shop.orders if ctx.shop else ())
        if o.order_id in wanted or o.order_id in said
    ]
    facts = tuple(order_facts(o, language, zone) for o in orders)
    proposal = decision.proposal or {}
    policy = proposal.get("summary_en" if language == "en" else "summary_zh")
    return Grounding(knowledge, facts, str(policy) if policy else None)


async def reword_decision(
    wordsmith: Wordsmith,
    session: AsyncSession,
    decision: Decision,
    ctx: TurnContext,
    conversation_id: str,
) -> Decision:
    """The same decision (action, rule, keys, quick replies, hand-off) with each reply's text
    reworded where the guard lets it; the engine's text where it does not."""
    if decision.action == "silent" or not decision.replies:
        return decision
    grounding = grounding_for(decision, ctx, wordsmith.zone)
    replies = []
    for reply in decision.replies:
        text = await wordsmith.reword(
            session, reply.text, grounding, decision.language, conversation_id
        )
        replies.append(replace(reply, text=text))
    return replace(decision, replies=tuple(replies))
