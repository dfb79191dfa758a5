"""The agent's side of the conversation: a message into a conversation they hold.

This is the relay's hot path (issue 17): the session check one SELECT, the ownership check
and the message's number one conditional UPDATE, the message and its event two Core INSERTs,
in one short transaction, with no ORM load of the conversation; the agent's activity one
UPDATE more at most every `ACTIVITY_GRAIN` per agent. The slow path (why the conversation is
not theirs, a retried message) reads as before.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations import service as conversations
from tandem.conversations.models import Message
from tandem.core.errors import Forbidden, InvalidInput, Unauthorized
from tandem.db.uow import UnitOfWork
from tandem.desk import authz
from tandem.identity.service import SIGN_IN_AGAIN, Principal, principal_in_writer
from tandem.identity.signing import hash_token
from tandem.routing import service as routing
from tandem.routing.models import AgentStatus
from tandem.routing.policy import ACTIVITY_GRAIN

DESK_ID_PREFIX = "desk:"


# Sessions this process has seen signed in (token hashes, most recent last). Only a hint of
# which way to check: a session seen before is checked inside the message's own transaction
# (`signed_in`, one SELECT); one never seen is checked first by a read, so a stranger's token
# never waits for, or holds, the writer's turn. Never a grant: every message reads its session.
SEEN_KEPT = 4096
_seen: OrderedDict[str, None] = OrderedDict()


def seen(token: str | None) -> bool:
    return bool(token) and hash_token(token or "") in _seen


def saw(token: str) -> None:
    key = hash_token(token)
    _seen[key] = None
    _seen.move_to_end(key)
    if len(_seen) > SEEN_KEPT:
        _seen.popitem(last=False)


async def signed_in(uow: UnitOfWork, token: str, idle: timedelta) -> Principal:
    """The message's author, read in its own transaction: a session signed out, expired or
    idle too long, or an account whose role changed, is seen by the very next message,
    whichever process wrote it. The idle renewal, when due, is written here too."""
    principal = await principal_in_writer(uow.session, token, idle)
    if principal is None:
        _seen.pop(hash_token(token), None)
        raise Unauthorized(SIGN_IN_AGAIN)
    return principal


def desk_msg_id(client_msg_id: str | None) -> str | None:
    """The desk's retry ids live apart from the customer's (one column, one unique key per
    conversation): a customer who picks an agent's id must not get the agent's message back."""
    client_msg_id = (client_msg_id or "").strip()
    return DESK_ID_PREFIX + client_msg_id if client_msg_id else None


async def touch(session: AsyncSession, agent_id: str, now: datetime) -> None:
    """The agent did something in the desk: they have not stopped answering. One UPDATE (a
    routing row loaded in this session is kept in step), which never moves the time back (a
    later one may have committed first); the row is created if missing."""
    later = or_(AgentStatus.last_activity_at.is_(None), AgentStatus.last_activity_at < now)
    result = await session.execute(
        update(AgentStatus)
        .where(AgentStatus.agent_id == agent_id, later)
        .values(last_activity_at=now, updated_at=now)
    )
    if getattr(result, "rowcount", 1) == 0:
        status = await routing.require_status(session, agent_id)
        if status.last_activity_at is None or status.last_activity_at < now:
            status.last_activity_at = now
            status.updated_at = now


# When this process last committed each agent's activity, per database: a message within
# ACTIVITY_GRAIN of it writes none (the requeue allows for the lag, routing.policy). Only
# what was committed is noted (`noted`, after the commit), so a rolled-back write is not
# taken for one. Other processes keep their own; the UPDATE never moves the time back.
_written: WeakKeyDictionary[object, dict[str, datetime]] = WeakKeyDictionary()


def _written_in(session: AsyncSession) -> dict[str, datetime]:
    return _written.setdefault(session.sync_session.get_bind(), {})


async def note_activity(session: AsyncSession, agent_id: str, now: datetime) -> bool:
    """`touch`, unless this process committed the agent's activity less than ACTIVITY_GRAIN
    ago. True when it wrote (then call `noted` once the transaction has committed)."""
    last = _written_in(session).get(agent_id)
    if last is not None and last <= now < last + ACTIVITY_GRAIN:
        return False
    await touch(session, agent_id, now)
    return True


def noted(session: AsyncSession, agent_id: str, now: datetime) -> None:
    written = _written_in(session)
    if len(written) > SEEN_KEPT:
        written.clear()
    written[agent_id] = now


async def reply(
    uow: UnitOfWork,
    agent: Principal,
    conversation_id: str,
    text: str,
    client_msg_id: str | None,
    now: datetime,
) -> Message:
    """The agent's message, stored and announced after the commit. Only into a live
    conversation they hold (a supervisor: any live one); a retry with the same
    `client_msg_id` gets the stored message back, nothing written twice. The caller notes the
    agent's activity (`note_activity`)."""
    session = uow.session
    stored_id = desk_msg_id(client_msg_id)
    # A retry is not looked for first: the message's INSERT meets the (conversation,
    # client_msg_id) key and raises IntegrityError, which rolls the whole transaction back
    # (its number included); the caller then asks `retried` for the stored message.
    message = await conversations.add_held_message(
        uow,
        conversation_id,
        None if agent.is_supervisor else agent.id,
        author="agent",
        text=text.strip(),
        agent_id=agent.id,
        client_msg_id=stored_id,
        meta={"agent_name": agent.display_name},
    )
    if message is None:
        # Not held by them (any more): a retry of a message stored while it was gets that
        # message back, as `retried` would; else say why (no such conversation, or not theirs).
        existing = await retried(uow, agent, conversation_id, text, client_msg_id)
        if existing is not None:
            return existing
        await authz.require_owned(session, agent, conversation_id)
        raise Forbidden(authz.NOT_YOURS)
    _require_text(text)  # after the ownership check, as before; the raise rolls back
    return message


async def retried(
    uow: UnitOfWork,
    agent: Principal,
    conversation_id: str,
    text: str,
    client_msg_id: str | None,
) -> Message | None:
    """The agent's message already stored with this `client_msg_id` (checked as the message
    itself would be: theirs to write in, text not empty), or None."""
    stored_id = desk_msg_id(client_msg_id)
    if not stored_id:
        return None
    existing = await uow.session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id,
            Message.author == "agent",
            Message.client_msg_id == stored_id,
        )
    )
    if existing is not None:
        await authz.require_owned(uow.session, agent, conversation_id)
        _require_text(text)
    return existing


def _require_text(text: str) -> None:
    if not text.strip():
        raise InvalidInput("text must not be empty")
