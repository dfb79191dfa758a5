"""Conversation lifecycle use cases: open, store messages, state changes, rating.

Every change appends to the conversation's event log (monotonic `seq`) in the same transaction,
and stages the event for realtime fan-out after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tandem.config import Settings
from tandem.conversations.models import Conversation, Event, Message
from tandem.conversations.schemas import OpenConversationIn
from tandem.core.errors import Conflict, Forbidden, NotFound, Unauthorized
from tandem.core.events import ConversationEvent, conversation_event, wire
from tandem.core.ids import new_id, new_token
from tandem.db.uow import UnitOfWork
from tandem.identity.signing import hash_token, signature_age_problem, verify_external_id
from tandem.realtime.hub import DESK_TOPIC, conversation_topic


def message_dict(m: Message) -> dict[str, Any]:
    meta = m.meta or {}
    return {
        "id": m.id,
        "seq": m.seq,
        "author": m.author,
        "text": m.text,
        "payload": m.payload,
        "quick_replies": m.quick_replies,
        "client_msg_id": m.client_msg_id,
        "agent_name": meta.get("agent_name"),
        "created_at": m.created_at.isoformat(),
        "attachments": meta.get("attachments") or [],
    }


async def open_conversation(
    uow: UnitOfWork, settings: Settings, body: OpenConversationIn
) -> tuple[Conversation, str]:
    customer = body.customer
    external_id: str | None = None
    # Without a signature the id is not trusted: the customer stays anonymous.
    now = uow.now()
    if customer is not None and customer.external_id and customer.signature:
        if customer.ts is None and settings.widget_require_timestamp:
            raise Unauthorized(
                "this shop accepts only expiring customer signatures: add ts (Unix seconds) "
                "and sign external_id.ts with the widget secret"
            )
        if not verify_external_id(
            settings.widget_secret, customer.external_id, customer.signature, customer.ts
        ):
            raise Unauthorized(
                "the customer signature does not match external_id: sign it with the shop's "
                "widget secret (hex HMAC-SHA256 of external_id, or of external_id.ts with ts), "
                "or leave both out to chat anonymously"
            )
        if customer.ts is not None:
            problem = signature_age_problem(
                customer.ts, now.timestamp(), settings.widget_signature_max_age_seconds
            )
            if problem:
                raise Unauthorized(problem)
        external_id = customer.external_id
    token = new_token()
    conversation = Conversation(
        id=new_id("conv"),
        token_hash=hash_token(token),
        customer_external_id=external_id,
        customer_name=(customer.name if customer else None),
        language=body.language or "zh",
        state="bot",
        priority=0,
        last_seq=0,
        engine_state={},
        created_at=now,
        updated_at=now,
    )
    uow.session.add(conversation)
    await uow.session.flush()
    await append_event(uow, conversation, "conversation.opened", {"state": "bot"})
    return conversation, token


async def require_customer_conversation(
    session: AsyncSession, conversation_id: str, token: str | None
) -> Conversation:
    """The conversation a customer token opens; anything else is refused without a hint."""
    _require_token(token)
    return _opened_by(await session.get(Conversation, conversation_id), token)


def _require_token(token: str | None) -> None:
    if not token:
        raise Unauthorized(
            "send the conversation's customer_token as 'Authorization: Bearer <token>'"
        )


def _opened_by(conversation: Conversation | None, token: str | None) -> Conversation:
    """`conversation` if `token` opens it (any caller when None: one the channel proved)."""
    if conversation is None:
        raise NotFound("no such conversation")
    if token is not None and conversation.token_hash != hash_token(token):
        raise Forbidden("this token does not open this conversation")
    return conversation


async def require_caller_and_retry(
    session: AsyncSession,
    conversation_id: str,
    token: str | None,
    client_msg_id: str,
    *,
    verified: bool = False,
) -> tuple[Conversation, Message | None]:
    """`require_customer_conversation` (`require_conversation` when `verified`: the channel
    proved the caller) and, in the same query, the customer message already stored under
    `client_msg_id` (the request is a retry of it), else None."""
    if not verified:
        _require_token(token)
    row = (
        await session.execute(
            select(Conversation, Message)
            .outerjoin(
                Message,
                and_(
                    Message.conversation_id == Conversation.id,
                    Message.author == "customer",
                    Message.client_msg_id == client_msg_id,
                ),
            )
            .where(Conversation.id == conversation_id)
        )
    ).first()
    if row is None and verified:
        raise NotFound(f"no conversation {conversation_id}")
    conversation = _opened_by(None if row is None else row[0], None if verified else token)
    return conversation, None if row is None else row[1]


async def require_conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id}")
    return conversation


class StateMoved(Exception):
    """The conversation left the state a change was decided for (an agent took it meanwhile):
    nothing was numbered; the caller's transaction should roll back."""


def _pending_columns(conversation: Conversation) -> dict[str, Any] | None:
    """The conversation's column changes not flushed yet, or None when it is not a loaded row
    of its session (a new one: the ordinary flush inserts it first)."""
    state = inspect(conversation)
    if not state.persistent:
        return None
    columns = state.mapper.column_attrs
    out: dict[str, Any] = {}
    for key in list(state.committed_state):
        if key in columns:
            added = state.attrs[key].history.added
            if added:
                out[key] = added[0]
    return out


async def next_seq(
    session: AsyncSession,
    conversation: Conversation,
    touched: datetime | None = None,
    *,
    expect_state: str | None = None,
) -> int:
    """The conversation's next event number. With `touched`, its `updated_at` moves to that
    time in the same statement (a message touches its conversation: one UPDATE, not two).
    The conversation's own unflushed changes (its memory, language, state ...) are written by
    that statement too, instead of a flush's UPDATE before it. With `expect_state`, nothing is
    numbered or written unless the row is still in that state: StateMoved."""
    pending = _pending_columns(conversation)
    table = Conversation.__table__
    guards = [] if expect_state is None else [table.c.state == expect_state]
    if pending is None:
        seq = await _bump_seq(session, conversation.id, touched, *guards)
    else:
        with session.no_autoflush:
            seq = await _bump_seq(session, conversation.id, touched, *guards, values=pending)
    if seq is None:
        if expect_state is not None:
            raise StateMoved(conversation.id)
        raise AssertionError(f"no conversation {conversation.id} to number")
    for key, value in (pending or {}).items():
        set_committed_value(conversation, key, value)
    set_committed_value(conversation, "last_seq", seq)
    if touched is not None:
        set_committed_value(conversation, "updated_at", touched)
    return seq


async def number_conversation(
    session: AsyncSession, conversation_id: str, touched: datetime, *guards: Any
) -> Conversation | None:
    """The conversation's row, loaded with its next event number already taken and its
    `updated_at` moved to `touched`, in one statement (UPDATE ... RETURNING the row, instead
    of a SELECT and an UPDATE). None, with nothing written, when it does not exist or
    `guards` (conditions on the row) do not hold. Its `last_seq` is the number taken."""
    numbered: Conversation | None = (
        await session.scalars(
            update(Conversation)
            .where(Conversation.id == conversation_id, *guards)
            .values(last_seq=Conversation.last_seq + 1, updated_at=touched)
            .returning(Conversation)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    ).one_or_none()
    return numbered


async def _bump_seq(
    session: AsyncSession,
    conversation_id: str,
    touched: datetime | None,
    *guards: Any,
    values: dict[str, Any] | None = None,
) -> int | None:
    """The next event number, taken in one atomic statement: concurrent writers to the same
    conversation get distinct numbers (PostgreSQL row lock; SQLite serialises writers). With
    `guards` (conditions on the row), nothing is taken unless they hold: None. `values`: other
    columns written by the same statement."""
    table = Conversation.__table__
    written: dict[str, Any] = {**(values or {}), "last_seq": table.c.last_seq + 1}
    if touched is not None:
        written["updated_at"] = touched
    seq = await session.scalar(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == conversation_id, *guards)
        .values(**written)
        .returning(table.c.last_seq)
    )
    return None if seq is None else int(seq)


def _logged(
    uow: UnitOfWork,
    conversation_id: str,
    type_: str,
    seq: int,
    data: dict[str, Any],
    desk_data: dict[str, Any] | None,
) -> tuple[ConversationEvent, dict[str, Any]]:
    """The event (staged for after the commit, on the conversation's topic and the desk's)
    and its log row's values."""
    now = uow.now()
    event = conversation_event(type_, conversation_id, seq, data, now)
    uow.stage((conversation_topic(conversation_id), event))
    desk_event = event
    if desk_data is not None:
        desk_event = conversation_event(type_, conversation_id, seq, desk_data, now)
    uow.stage((DESK_TOPIC, desk_event))
    row = {
        "conversation_id": conversation_id,
        "seq": seq,
        "type": type_,
        "data": wire(event)["data"],
        "created_at": now,
    }
    return event, row


async def append_event(
    uow: UnitOfWork,
    conversation: Conversation,
    type_: str,
    data: dict[str, Any],
    seq: int | None = None,
    desk_data: dict[str, Any] | None = None,
) -> ConversationEvent:
    """Log the event with the conversation's next number and stage it for after the commit.
    `type_` and `data` are checked against the event's model (tandem.core.events).
    `desk_data`: the desk's own view of the same event (a customer message masked), built
    once here and fanned out as it is to every open desk; the log keeps `data`."""
    if seq is None:
        seq = await next_seq(uow.session, conversation)
    event, row = _logged(uow, conversation.id, type_, seq, data, desk_data)
    uow.session.add(Event(**row))
    return event


async def append_events(
    uow: UnitOfWork, items: list[tuple[Conversation, str, dict[str, Any]]]
) -> list[ConversationEvent]:
    """`append_event` for many conversations at once (one event each): their sequence
    numbers in one UPDATE ... RETURNING and the rows in one batched INSERT, so telling fifty
    waiting customers costs two statements, not a hundred."""
    if not items:
        return []
    by_id = {c.id: c for c, _, _ in items}
    if len(by_id) != len(items):
        raise ValueError("append_events takes one event per conversation")
    table = Conversation.__table__
    rows = await uow.session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id.in_(sorted(by_id)))
        .values(last_seq=table.c.last_seq + 1)
        .returning(table.c.id, table.c.last_seq)
    )
    seqs = {str(cid): int(seq) for cid, seq in rows.all()}
    out = []
    for conversation, type_, data in items:
        seq = seqs[conversation.id]
        set_committed_value(conversation, "last_seq", seq)
        out.append(await append_event(uow, conversation, type_, data, seq=seq))
    return out


async def add_message(
    uow: UnitOfWork,
    conversation: Conversation,
    *,
    author: str,
    text: str,
    payload: str | None = None,
    quick_replies: list[dict[str, str]] | None = None,
    client_msg_id: str | None = None,
    reply_to: str | None = None,
    agent_id: str | None = None,
    meta: dict[str, Any] | None = None,
    desk_view: Callable[[Message], dict[str, Any]] | None = None,
    seq: int | None = None,
    expect_state: str | None = None,
) -> Message:
    """Store a message and log its `message.created` event. `desk_view(message)`, when given,
    is the message as the desk shows it (see `append_event`'s `desk_data`). `seq`: the number
    the caller already took for it (`number_conversation`), else the next one is taken here
    (`next_seq`, with `expect_state`)."""
    now = uow.now()
    if seq is None:
        seq = await next_seq(uow.session, conversation, touched=now, expect_state=expect_state)
    message = Message(
        id=new_id("msg"),
        conversation_id=conversation.id,
        seq=seq,
        author=author,
        agent_id=agent_id,
        text=text,
        payload=payload,
        quick_replies=quick_replies,
        client_msg_id=client_msg_id,
        reply_to=reply_to,
        meta=meta,
        created_at=now,
    )
    await _write_message(uow, message, desk_view(message) if desk_view is not None else None)
    return message


async def _write_message(
    uow: UnitOfWork, message: Message, desk_data: dict[str, Any] | None
) -> None:
    """The message's row and its `message.created` event's row, written now as two Core
    INSERTs (no ORM objects for the commit's flush to sort and write); the event is staged
    for after the commit. The message stays a plain object, outside the session."""
    messages, events = Message.__table__, Event.__table__
    values = {c.key: getattr(message, c.key) for c in messages.columns}
    await uow.session.execute(insert(messages).values(values))  # type: ignore[arg-type]
    _, row = _logged(
        uow,
        message.conversation_id,
        "message.created",
        message.seq,
        message_dict(message),
        desk_data,
    )
    await uow.session.execute(insert(events).values(row))  # type: ignore[arg-type]


async def add_held_message(
    uow: UnitOfWork,
    conversation_id: str,
    held_by: str | None,
    *,
    author: str,
    text: str,
    agent_id: str | None = None,
    client_msg_id: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Message | None:
    """`add_message` into a conversation that is with an agent (`held_by`'s, or anyone's when
    None), checked in the same statement that takes its number: three Core statements (number,
    message, event) and no ORM load. None, with nothing written, when it is not held so."""
    table = Conversation.__table__
    guards = [table.c.state == "agent"]
    if held_by is not None:
        guards.append(table.c.assigned_agent_id == held_by)
    now = uow.now()
    seq = await _bump_seq(uow.session, conversation_id, now, *guards)
    if seq is None:
        return None
    message = Message(
        id=new_id("msg"),
        conversation_id=conversation_id,
        seq=seq,
        author=author,
        agent_id=agent_id,
        text=text,
        payload=None,
        quick_replies=None,
        client_msg_id=client_msg_id,
        reply_to=None,
        meta=meta,
        created_at=now,
    )
    await _write_message(uow, message, None)
    return message


async def change_state(
    uow: UnitOfWork, conversation: Conversation, state: str, **extra: Any
) -> None:
    conversation.state = state
    conversation.updated_at = uow.now()
    data: dict[str, Any] = {"state": state, **extra}
    await append_event(uow, conversation, "conversation.state_changed", data)


async def stored_turn(
    session: AsyncSession, conversation: Conversation, client_msg_id: str
) -> tuple[Message, list[Message]] | None:
    """The message already stored with this client_msg_id and the replies to it (an idempotent
    retry gets these back), or None."""
    message = await session.scalar(
        select(Message).where(
            Message.conversation_id == conversation.id,
            Message.author == "customer",
            Message.client_msg_id == client_msg_id,
        )
    )
    if message is None:
        return None
    return message, await replies_to(session, message)


async def replies_to(session: AsyncSession, message: Message) -> list[Message]:
    """The messages written in answer to `message`, in order."""
    replies = (
        await session.scalars(
            select(Message).where(Message.reply_to == message.id).order_by(Message.seq)
        )
    ).all()
    return list(replies)


async def rate_conversation(
    uow: UnitOfWork, conversation: Conversation, rating: str, comment: str | None
) -> None:
    if conversation.state != "resolved":
        raise Conflict("a conversation can be rated once it is resolved")
    conversation.rating = rating
    conversation.rating_comment = (comment or "").strip() or None
    conversation.rated_at = uow.now()
    await append_event(
        uow,
        conversation,
        "conversation.rated",
        {"rating": rating, "comment": conversation.rating_comment},
    )
