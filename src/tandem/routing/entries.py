"""Queue entries read from the database: a waiting row or a conversation joining the queue as
the pure rules see it (`policy.QueueEntry`), and the hostility of a customer's messages.

Below `routing.service` (which re-exports these names): it imports only tables.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation, Message
from tandem.routing.models import WAITING, QueueRow
from tandem.routing.policy import QueueEntry
from tandem.routing.wellbeing import KIND_ABUSIVE, KIND_VERY_ANGRY

DEFAULT_SKILL = "after_sale"
# Exposure counts "very angry" from this intensity (the bar); routing's hostile flag too.
VERY_ANGRY_AT = 0.6
_MONEY = re.compile(r"[\d,]+(?:\.\d+)?")

# The columns a queue entry is read from, in the order of `QueueEntry`'s fields after the
# row id: rows are read as tuples, not ORM objects, so a snapshot of ten thousand waiting
# customers costs one query and no identity map.
ENTRY_COLUMNS = (
    QueueRow.id,
    QueueRow.conversation_id,
    QueueRow.skill,
    QueueRow.enqueued_at,
    QueueRow.emotion,
    QueueRow.emotion_intensity,
    QueueRow.order_value_cents,
    QueueRow.vip,
    QueueRow.hostile,
    QueueRow.requeued,
    QueueRow.avoid_agent_id,
    QueueRow.language,
)
_FIELDS = len(ENTRY_COLUMNS)


def entry_of(row: Any) -> QueueEntry:
    """The pure rules' entry for a queue row (an ORM row or a row of `ENTRY_COLUMNS`)."""
    return QueueEntry(
        conversation_id=row.conversation_id,
        skill=row.skill,
        enqueued_at=row.enqueued_at,
        emotion=row.emotion,
        emotion_intensity=row.emotion_intensity,
        order_value_cents=row.order_value_cents,
        vip=row.vip,
        hostile=row.hostile,
        requeued=row.requeued,
        avoid_agent_id=row.avoid_agent_id,
        language=row.language,
    )


def entry_of_columns(row: Any) -> QueueEntry:
    """`entry_of` for a row that starts with `ENTRY_COLUMNS`, positionally (the snapshot's ten
    thousand rows: no attribute look-up per field)."""
    return QueueEntry(*row[1:_FIELDS])


def _cents(total: Any) -> int:
    """'¥1,299.00' (the packet's order total) -> 129900."""
    match = _MONEY.search(str(total or ""))
    if match is None:
        return 0
    try:
        return round(float(match.group(0).replace(",", "")) * 100)
    except ValueError:
        return 0


def is_hostile_analysis(analysis: dict[str, Any] | None) -> str | None:
    """'abusive', 'very_angry' or None for a message's stored understanding."""
    if not analysis:
        return None
    if (analysis.get("abuse") or {}).get("is_abusive"):
        return KIND_ABUSIVE
    emotion = analysis.get("emotion") or {}
    if emotion.get("label") == "anger" and float(emotion.get("intensity") or 0) >= VERY_ANGRY_AT:
        return KIND_VERY_ANGRY
    return None


async def hostile_kind(
    session: AsyncSession, conversation_id: str, since: datetime | None = None
) -> str | None:
    """The worst hostility among the customer's messages (since `since`), or None."""
    query = select(Message.meta).where(
        Message.conversation_id == conversation_id, Message.author == "customer"
    )
    if since is not None:
        query = query.where(Message.created_at >= since)
    kinds = {
        is_hostile_analysis((meta or {}).get("analysis"))
        for (meta,) in (await session.execute(query)).all()
    }
    if KIND_ABUSIVE in kinds:
        return KIND_ABUSIVE
    return KIND_VERY_ANGRY if KIND_VERY_ANGRY in kinds else None


async def new_entry(
    session: AsyncSession, c: Conversation, now: datetime, hostile: bool | None = None
) -> QueueEntry:
    """The queue entry for a conversation joining the queue now, from its hand-off packet
    (latest emotion, order value, tier) and its customer's messages (hostility; a caller that
    already knows it, like the turn that hands off, passes `hostile`)."""
    packet = c.handoff_packet or {}
    emotions = packet.get("emotions") or []
    emotion, intensity = "neutral", 0.0
    if emotions:
        emotion = str(emotions[-1].get("label") or "neutral")
        intensity = float(emotions[-1].get("intensity") or 0.0)
    customer = packet.get("customer") or {}
    order = packet.get("order") or {}
    if hostile is None:
        hostile = await hostile_kind(session, c.id) is not None
    hostile = c.flagged or hostile
    return QueueEntry(
        conversation_id=c.id,
        skill=c.skill or DEFAULT_SKILL,
        enqueued_at=c.queued_at or now,
        emotion=emotion,
        emotion_intensity=intensity,
        order_value_cents=_cents(order.get("total")),
        vip=customer.get("tier") == "vip",
        hostile=hostile,
        language=c.language,
    )


async def waiting_rows(session: AsyncSession) -> list[QueueRow]:
    return list(
        (
            await session.scalars(
                select(QueueRow).where(QueueRow.state == WAITING).order_by(QueueRow.rank.desc())
            )
        ).all()
    )
