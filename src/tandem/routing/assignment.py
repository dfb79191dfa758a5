"""Assignment rounds in the product: the pure rules' decisions carried out on the database.

`assign_waiting(uow, now)` is called whenever something changes (a hand-off, a presence
change, a resolve, a transfer): it brings the queue rows in line with the conversations, ends
breaks that are over, takes conversations back from agents who went away or stopped
answering (to the front of the queue), assigns what can be assigned (most room first, hostile
conversations to the least exposed), tracks time at capacity, raises break suggestions and
supervisor alerts, and tells the waiting customers whose place or wait changed materially
(`routing.announce`).

This module uses the conversation use cases (messages, state changes, events), so it sits
above `conversations.service`; `routing.service` (queries and waits) stays below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, String, cast, func, literal, null, select, union_all, update

from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation, Message
from tandem.core import events
from tandem.core.ids import new_id
from tandem.db.uow import UnitOfWork
from tandem.identity.models import Account
from tandem.realtime.hub import DESK_TOPIC
from tandem.routing import policy, queue, upkeep, wellbeing
from tandem.routing import service as routing
from tandem.routing.announce import announce_waits, changed_materially, lock_free, mark_announced
from tandem.routing.models import ASSIGNED, LEFT, WAITING, HostileEventRow, QueueRow
from tandem.routing.policy import HeldConversation, QueueEntry
from tandem.routing.service import Desk, Snapshot
from tandem.routing.wellbeing import HostileEvent

__all__ = [
    "announce_waits",
    "assign_waiting",
    "changed_materially",
    "lock_free",
    "mark_announced",
    "run_round",
    "sync_queue",
]

SYSTEM_TEXT = {
    "accepted": {
        "zh": "客服 {name} 已接入，正在查看您之前的对话。",
        "en": "{name} from our team has joined and is reading your conversation.",
    },
    "transferred": {"zh": "已为您转接给客服 {name}。", "en": "You've been transferred to {name}."},
    "requeued": {
        "zh": "正在为您转接其他客服，请稍候。",
        "en": "We're passing you to another agent, one moment.",
    },
}


def system_text(kind: str, language: str, **facts: str) -> str:
    texts = SYSTEM_TEXT[kind]
    return texts.get(language, texts["zh"]).format(**facts)


@dataclass(frozen=True)
class Assignment:
    conversation_id: str
    agent_id: str


@dataclass(frozen=True)
class Requeued:
    conversation_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True)
class RoundResult:
    assigned: list[Assignment]
    requeued: list[Requeued]


# --- queue rows ---------------------------------------------------------------------------------


async def enqueue(uow: UnitOfWork, c: Conversation, now: datetime, entry: QueueEntry) -> QueueRow:
    """A waiting row for `c` (any earlier waiting row of it ends)."""
    await _end_rows(uow, c.id, now, outcome="left", state=LEFT)
    row = QueueRow(
        version=await queue.touch(uow.session),
        id=new_id("q"),
        conversation_id=c.id,
        skill=entry.skill,
        language=entry.language,
        enqueued_at=entry.enqueued_at,
        emotion=entry.emotion,
        emotion_intensity=entry.emotion_intensity,
        order_value_cents=entry.order_value_cents,
        vip=entry.vip,
        hostile=entry.hostile,
        requeued=entry.requeued,
        avoid_agent_id=entry.avoid_agent_id,
        rank=policy.rank_score(entry),
        state=WAITING,
    )
    uow.session.add(row)
    await uow.session.flush()
    return row


async def _end_rows(
    uow: UnitOfWork,
    conversation_id: str,
    now: datetime,
    *,
    outcome: str,
    state: str,
    agent_id: str | None = None,
) -> None:
    rows = (
        await uow.session.scalars(
            select(QueueRow).where(
                QueueRow.conversation_id == conversation_id, QueueRow.state == WAITING
            )
        )
    ).all()
    if not rows:
        return
    version = await queue.touch(uow.session)
    for row in rows:
        row.state, row.outcome, row.ended_at, row.agent_id = state, outcome, now, agent_id
        row.version = version


async def sync_queue(uow: UnitOfWork, now: datetime) -> bool:
    """Queued conversations get a waiting row; rows of conversations no longer queued end
    (the customer left, the AI took it back, someone assigned it outside a round). Asks the
    database for the differences only (none, almost always), in one statement, so it costs
    the same for ten waiting customers as for ten thousand. Returns whether anything changed."""
    session = uow.session
    found = (await session.execute(_differences())).all()
    by_kind: dict[str, list[tuple[str | None, str, str | None]]] = {}
    for kind, row_id, conversation_id, skill in found:
        by_kind.setdefault(kind, []).append((row_id, conversation_id, skill))
    newest: dict[str, str] = {}
    for row_id, cid, _ in by_kind.get("duplicate", []):
        if row_id is not None and (cid not in newest or row_id > newest[cid]):
            newest[cid] = row_id
    # Two rounds enqueued the same conversation at once: one waiting row stays (the newest).
    ended = {
        "duplicate": sorted(
            row_id
            for row_id, cid, _ in by_kind.get("duplicate", [])
            if row_id is not None and newest[cid] != row_id
        ),
    }
    gone = set(ended["duplicate"])
    ended["left"] = sorted(
        row_id
        for row_id, _, _ in by_kind.get("left", [])
        if row_id is not None and row_id not in gone
    )
    for outcome, ids in ended.items():
        if ids:
            await session.execute(
                update(QueueRow)
                .where(QueueRow.id.in_(ids))
                .values(
                    state=LEFT, outcome=outcome, ended_at=now, version=await queue.touch(session)
                )
            )
    changed = any(ended.values())
    missing = sorted(cid for _, cid, _ in by_kind.get("missing", []))
    if missing:
        conversations_missing = (
            await session.scalars(
                select(Conversation).where(Conversation.id.in_(missing)).order_by(Conversation.id)
            )
        ).all()
        for c in conversations_missing:
            await enqueue(uow, c, now, await routing.new_entry(session, c, now))
            changed = True
    # Someone changed the conversation's skill while it waited (transfer to a skill).
    for row_id, _, skill in by_kind.get("reskilled", []):
        if row_id is None or row_id in gone:
            continue
        await session.execute(
            update(QueueRow)
            .where(QueueRow.id == row_id)
            .values(skill=skill, version=await queue.touch(session))
        )
        changed = True
    return changed


def _differences() -> CompoundSelect[str, str | None, str, str | None]:
    """(kind, waiting row, conversation, skill) for each way the queue rows and the queued
    conversations disagree: "duplicate" (a conversation with more than one waiting row: each
    of them), "left" (the conversation is no longer queued), "missing" (a queued conversation
    with no waiting row: no row id) and "reskilled" (queued under another skill now)."""
    waiting = QueueRow.state == WAITING
    text = String(16)
    duplicate = select(
        literal("duplicate", text), QueueRow.id, QueueRow.conversation_id, QueueRow.skill
    ).where(
        waiting,
        QueueRow.conversation_id.in_(
            select(QueueRow.conversation_id)
            .where(waiting)
            .group_by(QueueRow.conversation_id)
            .having(func.count() > 1)
        ),
    )
    on_conversation = Conversation.id == QueueRow.conversation_id
    left = (
        select(literal("left", text), QueueRow.id, QueueRow.conversation_id, QueueRow.skill)
        .join(Conversation, on_conversation)
        .where(waiting, Conversation.state != "queued")
    )
    reskilled = (
        select(
            literal("reskilled", text), QueueRow.id, QueueRow.conversation_id, Conversation.skill
        )
        .join(Conversation, on_conversation)
        .where(
            waiting,
            Conversation.state == "queued",
            Conversation.skill.is_not(None),
            Conversation.skill != QueueRow.skill,
        )
    )
    # NOT IN an uncorrelated subquery: built once (a correlated NOT EXISTS would scan the
    # waiting rows once per queued conversation on SQLite).
    missing = select(
        literal("missing", text), cast(null(), String(40)), Conversation.id, Conversation.skill
    ).where(
        Conversation.state == "queued",
        Conversation.id.not_in(select(QueueRow.conversation_id).where(waiting)),
    )
    return union_all(duplicate, left, missing, reskilled)


# --- effects ------------------------------------------------------------------------------------


async def record_hostile(
    uow: UnitOfWork, agent_id: str, conversation_id: str, kind: str, now: datetime
) -> None:
    uow.session.add(
        HostileEventRow(agent_id=agent_id, conversation_id=conversation_id, at=now, kind=kind)
    )


async def take_from_queue(uow: UnitOfWork, c: Conversation, *, wait: bool = True) -> bool:
    """Mark a queued conversation as taken, atomically: False when another transaction (a
    colleague's claim, another instance's round) took it first. One conditional UPDATE, so
    two rounds or claims racing on PostgreSQL cannot both assign it. A round does not wait
    (`wait=False`): a conversation locked elsewhere is left for the next round."""
    if not wait and c.id not in await lock_free(uow, [c.id]):
        return False
    table = Conversation.__table__
    taken = await uow.session.scalar(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == c.id, table.c.state == "queued")
        .values(state="agent")
        .returning(table.c.id)
    )
    return taken is not None


async def lock_agent(uow: UnitOfWork, agent_id: str, *, wait: bool = True) -> Account | None:
    """The agent's account row, locked until the commit (PostgreSQL; SQLite has one writer).

    Whoever holds it is the only one giving this agent work, so counting their load and
    assigning cannot interleave with another instance doing the same: the cap holds. A round
    does not wait (`wait=False`, SKIP LOCKED: a locked agent is someone else's to fill now and
    the next round sees them again); a claim or a transfer to a colleague waits, and takes this
    one lock first, so no two transactions wait on each other's agents.
    """
    query = (
        select(Account)
        .where(Account.id == agent_id)
        # NO KEY UPDATE: rows that only reference the account (routing_agents, sessions)
        # can still be written meanwhile, so this lock does not deadlock with them.
        .with_for_update(skip_locked=not wait, key_share=True)
        .execution_options(populate_existing=True)
    )
    return await uow.session.scalar(query)


async def has_room(uow: UnitOfWork, account: Account) -> bool:
    """Below the cap, counted now (after `lock_agent`, this sees every committed assignment)."""
    return await routing.active_load(uow.session, account.id) < account.max_concurrent


async def assign(
    uow: UnitOfWork,
    c: Conversation,
    account: Account,
    now: datetime,
    *,
    kind: str = "accepted",
    outcome: str = "auto",
) -> HostileEvent | None:
    """`account` owns `c` from now: state, system message, the queue row, hostile load.
    Returns the hostile event recorded, if the conversation is hostile."""
    session = uow.session
    c.assigned_agent_id = account.id
    c.assigned_at = now
    await _end_rows(uow, c.id, now, outcome=outcome, state=ASSIGNED, agent_id=account.id)
    await conversations.change_state(
        uow, c, "agent", agent_id=account.id, agent_name=account.display_name, how=outcome
    )
    await conversations.add_message(
        uow,
        c,
        author="system",
        text=system_text(kind, c.language, name=account.display_name),
        meta={"event": kind},
    )
    # A flagged conversation (repeated abuse) counts as abusive whatever the last message was.
    hostile = wellbeing.KIND_ABUSIVE if c.flagged else await routing.hostile_kind(session, c.id)
    if hostile is None:
        return None
    await record_hostile(uow, account.id, c.id, hostile, now)
    return HostileEvent(account.id, c.id, now, hostile)


async def requeue(
    uow: UnitOfWork,
    c: Conversation,
    now: datetime,
    *,
    from_agent_id: str | None,
    reason: str,
    skill: str | None = None,
) -> None:
    """Back to the front of its (or another) skill queue, not straight back to `from_agent_id`."""
    if skill is not None:
        c.skill = skill
    c.assigned_agent_id = None
    c.assigned_at = None
    c.queued_at = c.queued_at or now
    await conversations.change_state(uow, c, "queued", reason=reason)
    entry = await routing.new_entry(uow.session, c, now)
    entry = policy.requeued(entry, from_agent_id) if from_agent_id else entry
    await enqueue(uow, c, now, entry)
    await conversations.add_message(
        uow,
        c,
        author="system",
        text=system_text("requeued", c.language),
        meta={"event": "requeued", "reason": reason},
    )


async def _awaiting_reply(uow: UnitOfWork, held: Sequence[Any]) -> dict[str, datetime | None]:
    """For each held conversation, the customer's oldest message the agent has not answered
    (what the customer wrote before the agent joined counts from the joining). One grouped
    query over the messages after each conversation's last agent message (the index on
    (conversation, seq)), not every message of every held conversation."""
    if not held:
        return {}
    ids = [c.id for c in held]
    last_agent = (
        select(Message.conversation_id.label("cid"), func.max(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(ids), Message.author == "agent")
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = (
        await uow.session.execute(
            select(Message.conversation_id, func.min(Message.created_at))
            .outerjoin(last_agent, last_agent.c.cid == Message.conversation_id)
            .where(
                Message.conversation_id.in_(ids),
                Message.author == "customer",
                Message.seq > func.coalesce(last_agent.c.seq, -1),
            )
            .group_by(Message.conversation_id)
        )
    ).all()
    since: dict[str, datetime | None] = {c.id: None for c in held}
    assigned = {c.id: c.assigned_at for c in held}
    for cid, at in rows:
        start = assigned.get(cid)
        since[cid] = max(at, start) if start is not None else at
    return since


async def _requeue_departed(uow: UnitOfWork, now: datetime, desk: Desk) -> list[Requeued]:
    session = uow.session
    # Columns only: the conversations themselves are loaded for the few taken back.
    held = (
        await session.execute(
            select(Conversation.id, Conversation.assigned_agent_id, Conversation.assigned_at).where(
                Conversation.state == "agent"
            )
        )
    ).all()
    if not held:
        return []
    accounts = {a.id: a for a in desk.accounts}
    statuses = desk.statuses
    agents = [
        routing.agent_state(a, statuses.get(a.id), desk.loads.get(a.id, 0), [], now, desk.zone)
        for a in accounts.values()
    ]
    last_activity = {}
    for a in accounts.values():
        status = statuses.get(a.id)
        seen = [a.presence_changed_at]
        if status is not None and status.last_activity_at is not None:
            seen.append(status.last_activity_at + policy.ACTIVITY_GRAIN)  # it may lag
        last_activity[a.id] = max(seen)
    waiting_since = await _awaiting_reply(uow, held)
    decisions = policy.conversations_to_requeue(
        [HeldConversation(c.id, c.assigned_agent_id or "", waiting_since.get(c.id)) for c in held],
        agents,
        last_activity,
        now,
    )
    mine = await lock_free(uow, [d.conversation_id for d in decisions])
    out = []
    for d in decisions:
        if d.conversation_id not in mine:
            continue
        c = await session.get(Conversation, d.conversation_id, populate_existing=True)
        if c is None or c.state != "agent" or c.assigned_agent_id != d.agent_id:
            continue  # changed hands meanwhile (committed by another instance)
        await requeue(uow, c, now, from_agent_id=d.agent_id, reason=d.reason)
        desk.gave_back(d.agent_id)
        out.append(Requeued(d.conversation_id, d.agent_id, d.reason))
    return out


async def assign_waiting(
    uow: UnitOfWork, now: datetime, snap: Snapshot | None = None
) -> list[Assignment]:
    """One assignment round (see the module docstring). Returns what was assigned."""
    return (await run_round(uow, now, snap)).assigned


async def run_round(uow: UnitOfWork, now: datetime, snap: Snapshot | None = None) -> RoundResult:
    """`snap`: the queue as the caller just read it in this transaction (a hand-off turn
    reads it to tell its customer their place); the round reads it again only when its own
    housekeeping (breaks over, rows out of line, conversations taken back) changed it. One
    snapshot serves the assignments and, updated in memory, the announcements."""
    session = uow.session
    desk = snap.desk if snap is not None and snap.desk is not None else None
    desk = desk or await routing.read_desk(session, now)
    changed = await upkeep.end_breaks(uow, now, desk)
    changed = await sync_queue(uow, now) or changed
    requeued = await _requeue_departed(uow, now, desk)
    if snap is None or changed or requeued:
        snap = await routing.snapshot(session, now, desk=desk)
    assigned = []
    for conversation_id, agent_id in policy.next_assignments(snap.entries, snap.agents, now):
        c = await session.get(Conversation, conversation_id)
        if c is None or c.state != "queued":
            continue
        account = await lock_agent(uow, agent_id, wait=False)
        if account is None or not await has_room(uow, account):
            continue
        if not await take_from_queue(uow, c, wait=False):
            continue
        desk.took(agent_id, await assign(uow, c, account, now))
        assigned.append(Assignment(conversation_id, agent_id))
    await session.flush()
    await upkeep.wellbeing_round(uow, now, desk)
    await announce_waits(
        uow, now, snap.after_assignments([(a.conversation_id, a.agent_id) for a in assigned])
    )
    if assigned or requeued:
        uow.stage((DESK_TOPIC, events.queue_changed()))
    return RoundResult(assigned, requeued)
