"""The lead's control room: every open conversation on one board, and stepping into one.

Open means with the AI and active lately, waiting for a person, or with a person. Each row says
who the customer is, the state, the agent, how long the customer has been waiting for an answer,
the emotion detected and the flags. A supervisor monitors one (reads the live transcript), takes
it over (it becomes theirs, whoever had it), reassigns it (desk transfer) or closes it (desk
resolve); taking over is audited like every other supervisor action on a colleague's chat.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation, Message
from tandem.core.errors import Conflict, NotFound
from tandem.db.uow import UnitOfWork
from tandem.desk import workbench
from tandem.identity import audit
from tandem.identity.models import Account
from tandem.identity.service import Principal
from tandem.routing import assignment

# A conversation with the AI counts as open while the customer wrote in this window.
BOT_ACTIVE = timedelta(minutes=30)
LIVE_STATES = ("queued", "agent")


def waiting_since(
    state: str,
    queued_at: datetime | None,
    last_customer: datetime | None,
    last_reply: datetime | None,
) -> datetime | None:
    """Since when the customer has been waiting for a person's (or the AI's) answer: in the
    queue, since they joined it; with a person, since their oldest unanswered message; None
    when the last word was ours."""
    if state == "queued":
        return queued_at
    if last_customer is None:
        return None
    if last_reply is not None and last_reply >= last_customer:
        return None
    return last_customer


async def _last_at(session: AsyncSession, cid: str, authors: tuple[str, ...]) -> datetime | None:
    return await session.scalar(
        select(Message.created_at)
        .where(Message.conversation_id == cid, Message.author.in_(authors))
        .order_by(Message.seq.desc())
        .limit(1)
    )


async def _first_unanswered(
    session: AsyncSession, cid: str, after: datetime | None
) -> datetime | None:
    query = select(Message.created_at).where(
        Message.conversation_id == cid, Message.author == "customer"
    )
    if after is not None:
        query = query.where(Message.created_at > after)
    return await session.scalar(query.order_by(Message.seq).limit(1))


async def board(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Every open conversation, the longest-waiting first (flagged ones at the top)."""
    rows = (
        await session.scalars(
            select(Conversation).where(
                or_(
                    Conversation.state.in_(LIVE_STATES),
                    (Conversation.state == "bot") & (Conversation.updated_at > now - BOT_ACTIVE),
                )
            )
        )
    ).all()
    names = {a.id: a.display_name for a in (await session.scalars(select(Account))).all()}
    out = []
    for c in rows:
        packet = c.handoff_packet or {}
        who = packet.get("customer") or {}
        last_customer = await _last_at(session, c.id, ("customer",))
        replier = ("agent",) if c.state == "agent" else ("agent", "bot")
        last_reply = await _last_at(session, c.id, replier)
        since = waiting_since(c.state, c.queued_at, last_customer, last_reply)
        if since is not None and c.state == "agent":
            since = await _first_unanswered(session, c.id, last_reply) or since
        out.append(
            {
                "id": c.id,
                "state": c.state,
                "customer_name": c.customer_name or who.get("name"),
                "customer_tier": who.get("tier"),
                "customer_external_id": c.customer_external_id,
                "language": c.language,
                "skill": c.skill,
                "agent_id": c.assigned_agent_id,
                "agent_name": names.get(c.assigned_agent_id or ""),
                "waiting_seconds": max(0, round((now - since).total_seconds())) if since else None,
                "emotion": packet.get("emotion"),
                "problem": (packet.get("problem") or {}).get("text"),
                "flagged": c.flagged,
                "priority": c.priority,
                "handoff_reason": c.handoff_reason,
                "tags": await workbench.tags(session, c.id),
                "updated_at": c.updated_at,
            }
        )
    return sorted(
        out,
        key=lambda r: (not r["flagged"], -(r["waiting_seconds"] or -1), r["id"]),
    )


async def take_over(
    uow: UnitOfWork, supervisor: Principal, conversation_id: str, now: datetime
) -> Conversation:
    """The supervisor owns the conversation from now, whoever had it (or from the queue). The
    cap does not stop a supervisor stepping in; the agent who had it is told by the desk event."""
    session = uow.session
    c = await conversations.require_conversation(session, conversation_id)
    if c.state not in LIVE_STATES and c.state != "bot":
        raise Conflict(
            "这个会话已结束，无法接管。 / This conversation is closed: there is nothing to take over."
        )
    if c.state == "agent" and c.assigned_agent_id == supervisor.id:
        return c
    account = await assignment.lock_agent(uow, supervisor.id)
    if account is None:
        raise NotFound(f"no account {supervisor.id}")
    previous, was = (c.assigned_agent_id if c.state == "agent" else None), c.state
    if c.state == "queued" and not await assignment.take_from_queue(uow, c):
        raise Conflict(
            "这个会话刚被同事接入，请刷新看板。 / A colleague has just taken it: refresh the board."
        )
    await assignment.assign(uow, c, account, now, kind="transferred", outcome="taken_over")
    await audit.record(
        uow,
        actor=supervisor,
        action="supervisor_take_over",
        at=now,
        target=c.id,
        details={"from": previous, "state": was},
    )
    await assignment.assign_waiting(uow, now)
    return c
