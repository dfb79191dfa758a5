"""Channel use cases: take an inbound webhook message as a customer turn, follow a
conversation by email, turn new events of followed conversations into deliveries, record
what came of each attempt, replay. Services never commit: the caller's unit of work does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.channels.models import ChannelFollow, Delivery, InboundReceipt
from tandem.channels.schemas import InboundData, InboundOut, ReplyOut
from tandem.config import Settings
from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation, Event, Message
from tandem.conversations.schemas import CustomerIn, OpenConversationIn, SendMessageIn
from tandem.core.errors import NotFound
from tandem.db.uow import UnitOfWork
from tandem.identity.signing import sign_external_id
from tandem.turns.service import Store, TurnDeps, TurnGate, take_customer_turn

WEBHOOK = "webhook"
EMAIL = "email"


# --- inbound -------------------------------------------------------------------------


async def find_receipt(session: AsyncSession, webhook_id: str) -> InboundReceipt | None:
    return await session.get(InboundReceipt, webhook_id)


async def take_inbound(
    store: Store,
    settings: Settings,
    deps: TurnDeps,
    gate: TurnGate,
    webhook_id: str,
    data: InboundData,
) -> InboundOut:
    """Open or continue the platform's conversation and take the customer's turn through the
    same function the HTTP API uses. The message is idempotent by its id (or the webhook-id),
    and the receipt stores the answer, so a replayed webhook-id gets this very answer and
    nothing is taken twice."""
    async with store.unit_of_work() as uow:
        session = uow.session
        follow = await session.scalar(
            select(ChannelFollow).where(
                ChannelFollow.channel == WEBHOOK, ChannelFollow.external_id == data.conversation_id
            )
        )
        if follow is None:
            customer = None
            if data.customer is not None:
                external = data.customer.external_id
                # The platform signed the whole message with the shared secret: the customer id
                # it names is as trusted as one the shop's page signed.
                customer = CustomerIn(
                    external_id=external,
                    name=data.customer.name,
                    signature=sign_external_id(settings.widget_secret, external)
                    if external
                    else None,
                )
            conversation, _token = await conversations.open_conversation(
                uow, settings, OpenConversationIn(customer=customer, language=data.language)
            )
            follow = ChannelFollow(
                conversation_id=conversation.id,
                channel=WEBHOOK,
                external_id=data.conversation_id,
                language=conversation.language,
                # The platform knows it opened the conversation: deliveries start after that.
                cursor_seq=conversation.last_seq,
            )
            session.add(follow)
        conversation_id = follow.conversation_id
    turn = await take_customer_turn(
        store,
        deps,
        gate,
        conversation_id,
        None,
        SendMessageIn(
            text=data.text,
            payload=data.payload,
            client_msg_id=data.message_id or webhook_id[:100],
        ),
        verified=True,
    )
    out = InboundOut(
        conversation_id=conversation_id,
        external_conversation_id=data.conversation_id,
        state=turn.conversation.state,
        replies=[
            ReplyOut(id=r.id, text=r.text, quick_replies=r.quick_replies) for r in turn.replies
        ],
    )
    async with store.unit_of_work() as uow:
        uow.session.add(
            InboundReceipt(
                webhook_id=webhook_id,
                conversation_id=conversation_id,
                response=out.model_dump(mode="json"),
                received_at=deps.clock.now(),
            )
        )
    return out


# --- email follow ----------------------------------------------------------------------


async def follow_by_email(
    uow: UnitOfWork, conversation: Conversation, email: str, now: datetime
) -> ChannelFollow:
    """The customer gave an address: agents' answers reach it while the chat is closed."""
    session = uow.session
    follow = await session.get(ChannelFollow, (conversation.id, EMAIL))
    if follow is None:
        follow = ChannelFollow(
            conversation_id=conversation.id,
            channel=EMAIL,
            external_id=email,
            language=conversation.language,
            cursor_seq=conversation.last_seq,
            created_at=now,
        )
        session.add(follow)
    else:
        follow.external_id = email
    if conversation.state == "queued" and conversation.callback_at is not None:
        # A ticket: confirm the promised time in writing at once.
        await add_once(
            session,
            Delivery(
                id=f"mail_{conversation.id}_ticket_{conversation.last_seq}",
                channel=EMAIL,
                conversation_id=conversation.id,
                seq=conversation.last_seq,
                type="ticket.opened",
                target=email,
                payload={"callback_at": conversation.callback_at.isoformat()},
                next_attempt_at=now,
                created_at=now,
            ),
        )
    return follow


async def queue_transcript(
    uow: UnitOfWork, conversation: Conversation, email: str, now: datetime
) -> Delivery:
    rows = (
        await uow.session.execute(
            select(Message.author, Message.text, Message.created_at)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.seq)
        )
    ).all()
    delivery = Delivery(
        id=f"mail_{conversation.id}_transcript_{conversation.last_seq}",
        channel=EMAIL,
        conversation_id=conversation.id,
        seq=conversation.last_seq,
        type="transcript",
        target=email,
        payload={
            "messages": [
                {"author": a, "text": t, "at": at.isoformat()} for a, t, at in rows if a != "system"
            ]
        },
        next_attempt_at=now,
        created_at=now,
    )
    return await add_once(uow.session, delivery)


async def add_once(session: AsyncSession, delivery: Delivery) -> Delivery:
    """The same request twice (same conversation state) is the same delivery, not two."""
    existing = await session.get(Delivery, delivery.id)
    if existing is not None:
        return existing
    session.add(delivery)
    return delivery


# --- from the event log to deliveries -------------------------------------------------


def webhook_payload(follow: ChannelFollow, event: Event) -> dict[str, Any]:
    """What the platform receives: the Standard Webhooks shape, our event inside."""
    return {
        "type": event.type,
        "timestamp": event.created_at.isoformat(),
        "data": {
            "conversation_id": follow.external_id,
            "tandem_conversation_id": event.conversation_id,
            "seq": event.seq,
            "event": event.data,
        },
    }


async def followed(session: AsyncSession) -> set[str]:
    """The conversations some channel follows."""
    return set((await session.scalars(select(ChannelFollow.conversation_id).distinct())).all())


async def has_new_events(session: AsyncSession) -> bool:
    """Whether any followed conversation has events past its cursor (a read: the dispatcher
    takes the writer only when there is something to write)."""
    found = await session.scalar(
        select(ChannelFollow.conversation_id)
        .join(Conversation, Conversation.id == ChannelFollow.conversation_id)
        .where(Conversation.last_seq > ChannelFollow.cursor_seq)
        .limit(1)
    )
    return found is not None


async def enqueue_new_events(
    session: AsyncSession,
    settings: Settings,
    listening: Any,
    now: datetime,
) -> int:
    """Turn every committed event after each follow's cursor into deliveries, and move the
    cursor in the same transaction. `listening(conversation_id)` says whether the customer has
    the chat open (then an agent's answer is not emailed)."""
    rows = (
        await session.execute(
            select(ChannelFollow, Conversation.last_seq)
            .join(Conversation, Conversation.id == ChannelFollow.conversation_id)
            .where(Conversation.last_seq > ChannelFollow.cursor_seq)
        )
    ).all()
    added = 0
    for follow, last_seq in rows:
        events = (
            await session.scalars(
                select(Event)
                .where(
                    Event.conversation_id == follow.conversation_id,
                    Event.seq > follow.cursor_seq,
                    Event.seq <= last_seq,
                )
                .order_by(Event.seq)
            )
        ).all()
        for event in events:
            delivery = _delivery_for(follow, event, settings, listening, now)
            if delivery is not None:
                session.add(delivery)
                added += 1
            follow.cursor_seq = event.seq
    return added


def _delivery_for(
    follow: ChannelFollow, event: Event, settings: Settings, listening: Any, now: datetime
) -> Delivery | None:
    if follow.channel == WEBHOOK:
        if not settings.webhook_outbound_url:
            return None
        return Delivery(
            id=f"msg_{event.conversation_id}_{event.seq}",
            channel=WEBHOOK,
            conversation_id=event.conversation_id,
            seq=event.seq,
            type=event.type,
            target=settings.webhook_outbound_url,
            payload=webhook_payload(follow, event),
            next_attempt_at=now,
            created_at=now,
        )
    if event.type != "message.created" or event.data.get("author") != "agent":
        return None
    if listening(event.conversation_id):
        return None
    return Delivery(
        id=f"mail_{event.conversation_id}_{event.seq}",
        channel=EMAIL,
        conversation_id=event.conversation_id,
        seq=event.seq,
        type="agent.replied",
        target=follow.external_id,
        payload={
            "text": event.data.get("text", ""),
            "agent_name": event.data.get("agent_name"),
            "at": event.data.get("created_at"),
        },
        next_attempt_at=now,
        created_at=now,
    )


# --- attempts ---------------------------------------------------------------------------


async def due_deliveries(session: AsyncSession, now: datetime, limit: int = 100) -> list[Delivery]:
    """Pending deliveries whose time has come, the oldest event of each conversation and
    channel first; a conversation whose earlier delivery waits keeps its later ones waiting
    too, so the receiver sees each conversation in order."""
    pending = (
        await session.scalars(
            select(Delivery)
            .where(Delivery.status == "pending")
            .order_by(Delivery.conversation_id, Delivery.channel, Delivery.seq, Delivery.created_at)
            .limit(limit * 5)
        )
    ).all()
    out: list[Delivery] = []
    blocked: set[tuple[str, str]] = set()
    for d in pending:
        key = (d.conversation_id, d.channel)
        if key in blocked:
            continue
        blocked.add(key)
        if d.next_attempt_at <= now:
            out.append(d)
        if len(out) >= limit:
            break
    return out


async def next_due_at(session: AsyncSession) -> datetime | None:
    at: datetime | None = await session.scalar(
        select(func.min(Delivery.next_attempt_at)).where(Delivery.status == "pending")
    )
    return at


async def claim(
    session: AsyncSession, delivery_id: str, attempts: int, lease_until: datetime
) -> bool:
    """Take the delivery for one attempt; another instance that read the same row loses."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status == "pending",
            Delivery.attempts == attempts,
        )
        .values(attempts=attempts + 1, next_attempt_at=lease_until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Exponential: base, 2×base, 4×base… up to the maximum."""
    seconds = settings.webhook_retry_base_seconds * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(seconds, settings.webhook_retry_max_seconds))


async def record_attempt(
    session: AsyncSession,
    settings: Settings,
    delivery_id: str,
    *,
    ok: bool,
    status: int | None,
    error: str | None,
    now: datetime,
) -> Delivery | None:
    d = await session.get(Delivery, delivery_id)
    if d is None:
        return None
    d.last_status = status
    d.last_error = error
    if ok:
        d.status = "delivered"
        d.delivered_at = now
        d.last_error = None
    elif d.attempts >= settings.webhook_max_attempts:
        # Kept in the log for a supervisor to replay; later events of the conversation go on.
        d.status = "failed"
    else:
        d.next_attempt_at = now + backoff(settings, d.attempts)
    return d


async def replay(session: AsyncSession, delivery_id: str, now: datetime) -> Delivery:
    """Send it again, with the same webhook-id (the receiver's idempotency key)."""
    d = await session.get(Delivery, delivery_id)
    if d is None:
        raise NotFound(f"没有这条投递记录 (no delivery {delivery_id})")
    d.status = "pending"
    d.attempts = 0
    d.next_attempt_at = now
    return d


def local_time(at: datetime, zone: ZoneInfo, language: str) -> str:
    local = at.astimezone(zone)
    if language == "en":
        return local.strftime("%Y-%m-%d %H:%M")
    return f"{local.month}月{local.day}日 {local:%H:%M}"
