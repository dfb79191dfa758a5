"""The copilot in the desk: suggestions for the conversation the agent has open.

Knowledge-base matches for what the customer asked, answers colleagues gave to similar
questions in resolved conversations, canned replies filled with this conversation's values,
and the AI's proposal from the hand-off packet. All of it is offered, never sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation, Message
from tandem.desk import copilot
from tandem.knowledge.index import KnowledgeIndex
from tandem.shop.types import CARRIER_NAMES

# How far back colleagues' answers are searched (most recently resolved conversations).
PAST_CONVERSATIONS = 300
QUERY_MESSAGES = 2


async def past_answers(session: AsyncSession, exclude: str) -> list[copilot.PastAnswer]:
    recent = (
        await session.execute(
            select(Conversation.id, Conversation.customer_name, Conversation.handoff_packet)
            .where(Conversation.resolved_at.is_not(None), Conversation.id != exclude)
            .order_by(Conversation.resolved_at.desc())
            .limit(PAST_CONVERSATIONS)
        )
    ).all()
    if not recent:
        return []
    known = {cid: _known_values(name, packet) for cid, name, packet in recent}
    rows = (
        await session.execute(
            select(Message.conversation_id, Message.author, Message.text, Message.meta)
            .where(
                Message.conversation_id.in_(list(known)),
                Message.author.in_(("customer", "agent")),
            )
            .order_by(Message.conversation_id, Message.seq)
        )
    ).all()
    by_conversation: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str | None] = {}
    for cid, author, text, meta in rows:
        by_conversation.setdefault(cid, []).append((author, text))
        if author == "agent":
            names[cid] = (meta or {}).get("agent_name")
    out: list[copilot.PastAnswer] = []
    for cid, messages in by_conversation.items():
        out.extend(copilot.pair_answers(messages, cid, names.get(cid), known[cid]))
    return out


def _known_values(name: str | None, packet: dict[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """A conversation's own personal values (its customer's name, its order and tracking
    numbers, what the customer gave), so that they can be taken out of the answers given in it."""
    packet = packet or {}
    order = packet.get("order") or {}
    customer = packet.get("customer") or {}
    said: dict[str, list[str]] = {}
    for e in packet.get("entities") or []:
        if isinstance(e, dict) and e.get("kind") in ("order_id", "phone", "tracking_number"):
            said.setdefault(str(e["kind"]), []).append(str(e.get("text") or ""))
    return {
        "customer_name": tuple(v for v in (name, customer.get("name")) if v),
        "order_id": tuple(v for v in (order.get("order_id"), *said.get("order_id", [])) if v),
        "tracking_number": tuple(
            v for v in (order.get("tracking_number"), *said.get("tracking_number", [])) if v
        ),
        "phone": tuple(v for v in said.get("phone", []) if v),
    }


def _values(c: Conversation, agent_name: str) -> dict[str, str | None]:
    packet = c.handoff_packet or {}
    order = packet.get("order") or {}
    customer = packet.get("customer") or {}
    names = CARRIER_NAMES.get(order.get("carrier") or "")
    return {
        "customer_name": c.customer_name or customer.get("name"),
        "order_id": order.get("order_id"),
        "tracking_number": order.get("tracking_number"),
        # The knowledge base's answers name the carrier as the customer reads it.
        "carrier": (names[0] if c.language == "zh" else names[1]) if names else None,
        "agent_name": agent_name,
    }


async def suggestions(
    session: AsyncSession, index: KnowledgeIndex, conversation_id: str, agent_name: str
) -> dict[str, Any]:
    c = await conversations.require_conversation(session, conversation_id)
    asked = (
        await session.scalars(
            select(Message.text)
            .where(Message.conversation_id == c.id, Message.author == "customer")
            .order_by(Message.seq.desc())
            .limit(QUERY_MESSAGES)
        )
    ).all()
    query = " ".join(reversed(asked))
    found: list[copilot.Suggestion] = []
    if query and len(index):
        result = index.search(query, language=c.language, k=3)
        found += [
            copilot.Suggestion(
                "knowledge", m.answer, round(m.confidence, 3), m.question, m.entry_id
            )
            for m in result.candidates
        ]
    if query:
        found += copilot.colleague_suggestions(query, await past_answers(session, c.id))
    packet = c.handoff_packet or {}
    values = _values(c, agent_name)
    offered = [s for s in (copilot.shown(f, values) for f in found) if s is not None]
    return {
        "query": query,
        "suggestions": [
            {
                "source": s.source,
                "text": s.text,
                "score": s.score,
                "question": s.question,
                "ref": s.ref,
            }
            for s in offered
        ],
        "canned": copilot.canned_replies(c.language, values),
        "proposal": packet.get("proposal"),
    }
