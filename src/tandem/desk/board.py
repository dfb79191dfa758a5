"""The lead's control room: every open conversation on one board, and stepping into one.

Open means with the AI and active lately, waiting for a person, or with a person. Each row says
who the customer is, the state, the agent, how long the customer has been waiting for an answer,
the emotion detected and the flags. A supervisor monitors one (reads the live transcript), takes
it over (it becomes theirs, whoever had it), reassigns it (desk transfer) or closes it (desk
resolve); taking over is audited like every other supervisor action on a colleague's chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation, Message
from tandem.core.errors import Conflict, NotFound
from tandem.db.uow import UnitOfWork
from tandem.desk import workbench
from tandem.desk.service import current_emotion
from tandem.engine.replies import topic_label
from tandem.identity import audit
from tandem.identity.models import Account
from tandem.identity.service import Principal
from tandem.routing import assignment, wellbeing
from tandem.routing.models import HostileEventRow

# A conversation with the AI counts as open while the customer wrote in this window.
BOT_ACTIVE = timedelta(minutes=30)
LIVE_STATES = ("queued", "agent")


def waiting_since(
    state: str,
    queued_at: datetime | None,
    customer: Sequence[tuple[int, datetime]],
    last_reply_seq: int | None,
) -> datetime | None:
    """Since when the customer has been waiting for an answer: in the queue, since they joined
    it; otherwise since their oldest message after the last reply (`customer` are their
    messages as (seq, time) in order); None when the last word was ours."""
    if state == "queued":
        return queued_at
    for seq, at in customer:
        if last_reply_seq is None or seq > last_reply_seq:
            return at
    return None


async def _timeline(
    session: AsyncSession, cid: str, replier: tuple[str, ...]
) -> tuple[list[tuple[int, datetime]], int | None]:
    rows = (
        await session.execute(
            select(Message.seq, Message.created_at, Message.author)
            .where(Message.conversation_id == cid, Message.author.in_(("customer", *replier)))
            .order_by(Message.seq)
        )
    ).all()
    customer = [(seq, at) for seq, at, author in rows if author == "customer"]
    replies = [seq for seq, _, author in rows if author != "customer"]
    return customer, (replies[-1] if replies else None)


def _problem(packet: dict[str, Any], language: str | None) -> str | None:
    problem = packet.get("problem") or {}
    if language is not None and problem.get("label"):
        return topic_label(str(problem["label"]), language)
    text = problem.get("text")
    return str(text) if text else None


async def board(
    session: AsyncSession, now: datetime, language: str | None = None
) -> list[dict[str, Any]]:
    """Every open conversation, the longest-waiting first (flagged ones at the top); the
    problem and the emotion in `language` (the lead's page), else each conversation's own."""
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
        replier = ("agent",) if c.state == "agent" else ("agent", "bot")
        customer, last_reply = await _timeline(session, c.id, replier)
        since = waiting_since(c.state, c.queued_at, customer, last_reply)
        # Who was serving a flagged chat when the abuse moved it (the exposure event names them).
        abused = (
            await session.scalar(
                select(HostileEventRow.agent_id)
                .where(
                    HostileEventRow.conversation_id == c.id,
                    HostileEventRow.kind == wellbeing.KIND_ABUSIVE,
                )
                .order_by(HostileEventRow.at.desc())
                .limit(1)
            )
            if c.flagged
            else None
        )
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
                "emotion": await current_emotion(session, c, language),
                "problem": _problem(packet, language),
                "flagged": c.flagged,
                "previous_agent_name": None
                if abused == c.assigned_agent_id
                else names.get(abused or ""),
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
