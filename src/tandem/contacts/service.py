"""Who may open conversations and send messages: the cool-down and contact blocks.

Services never commit: the HTTP handler owns the transaction. A refusal raised inside the
handler's unit of work rolls the new conversation back, so nothing half-opened is left.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.config import Settings
from tandem.contacts.models import ContactBlock, ContactOrigin
from tandem.conversations.models import Conversation
from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from tandem.core.ids import new_id
from tandem.db.uow import UnitOfWork

# How far back a flagged conversation makes the limit strict.
ABUSE_MEMORY = timedelta(hours=24)

BLOCKED = {
    "zh": "很抱歉，您暂时无法使用在线客服。如需帮助，请通过订单页面的售后入口或拨打店铺客服电话联系我们。",
    "en": "Sorry, online chat is not available to you at the moment. For help, use the "
    "after-sale option on your order page or call the shop.",
}
COOL_DOWN = {
    "zh": "您开启新会话太频繁了，请 {seconds} 秒后再试。您之前的会话仍然有效，可以继续在原会话中留言。",
    "en": "You are opening new chats too often: try again in {seconds} s. Your earlier chat "
    "is still open and you can keep writing there.",
}


class ContactBlocked(Forbidden):
    code = "contact_blocked"


class CoolingDown(RateLimited):
    code = "cooling_down"


def _lang(language: str | None) -> str:
    return "en" if language == "en" else "zh"


async def active_block(
    session: AsyncSession, *, ip: str | None, customer_external_id: str | None
) -> ContactBlock | None:
    keys = []
    if customer_external_id:
        keys.append(
            (ContactBlock.kind == "customer") & (ContactBlock.value == customer_external_id)
        )
    if ip:
        keys.append((ContactBlock.kind == "ip") & (ContactBlock.value == ip))
    if not keys:
        return None
    return await session.scalar(
        select(ContactBlock).where(ContactBlock.active.is_(True), or_(*keys)).limit(1)
    )


async def _origin(session: AsyncSession, conversation_id: str) -> ContactOrigin | None:
    return await session.get(ContactOrigin, conversation_id)


async def require_not_blocked(session: AsyncSession, conversation: Conversation) -> None:
    """Raise ContactBlocked (403, said politely in the conversation's language) when the
    conversation's customer or address is blocked. One statement (every customer message
    pays it): the address is the conversation's origin, read in the same query."""
    ip = (
        select(ContactOrigin.ip)
        .where(ContactOrigin.conversation_id == conversation.id)
        .scalar_subquery()
    )
    keys = [(ContactBlock.kind == "ip") & (ContactBlock.value == ip)]
    if conversation.customer_external_id:
        keys.append(
            (ContactBlock.kind == "customer")
            & (ContactBlock.value == conversation.customer_external_id)
        )
    blocked = await session.scalar(
        select(ContactBlock.id).where(ContactBlock.active.is_(True), or_(*keys)).limit(1)
    )
    if blocked is not None:
        raise ContactBlocked(BLOCKED[_lang(conversation.language)])


async def _opened_since(session: AsyncSession, since: datetime, **key: str) -> list[datetime]:
    ((column, value),) = key.items()
    rows = await session.scalars(
        select(ContactOrigin.created_at)
        .where(getattr(ContactOrigin, column) == value, ContactOrigin.created_at > since)
        .order_by(ContactOrigin.created_at)
    )
    return list(rows)


async def _abused_recently(session: AsyncSession, since: datetime, **key: str) -> bool:
    ((column, value),) = key.items()
    flagged = await session.scalar(
        select(func.count())
        .select_from(ContactOrigin)
        .join(Conversation, Conversation.id == ContactOrigin.conversation_id)
        .where(
            getattr(ContactOrigin, column) == value,
            ContactOrigin.created_at > since,
            Conversation.flagged.is_(True),
        )
    )
    return bool(flagged)


async def admit_new_conversation(
    uow: UnitOfWork,
    settings: Settings,
    conversation: Conversation,
    ip: str,
    now: datetime,
) -> None:
    """Let the just-opened `conversation` stand, or refuse it: blocked contacts (403) and
    customers or addresses over their limit of new conversations (429 with Retry-After).

    The limit is per signed customer id and per IP address, in a sliding window; once a
    conversation of theirs was flagged for abuse (the engine warned them first), it drops
    to `new_conversations_after_abuse`.
    """
    session = uow.session
    language = _lang(conversation.language)
    external_id = conversation.customer_external_id
    if await active_block(session, ip=ip, customer_external_id=external_id) is not None:
        raise ContactBlocked(BLOCKED[language])
    window = timedelta(seconds=settings.new_conversation_window_seconds)
    keys = {"ip": ip} if not external_id else {"ip": ip, "customer_external_id": external_id}
    for column, value in keys.items():
        opened = await _opened_since(session, now - window, **{column: value})
        abused = await _abused_recently(session, now - ABUSE_MEMORY, **{column: value})
        normal = (
            settings.new_conversations_per_ip
            if column == "ip"
            else settings.new_conversations_per_customer
        )
        limit = settings.new_conversations_after_abuse if abused else normal
        if len(opened) >= limit:
            # The window frees up when the oldest counted opening leaves it.
            oldest = opened[len(opened) - limit]
            retry = max(1, math.ceil((oldest + window - now).total_seconds()))
            raise CoolingDown(COOL_DOWN[language].format(seconds=retry), retry)
    session.add(
        ContactOrigin(
            conversation_id=conversation.id,
            ip=ip,
            customer_external_id=external_id,
            created_at=now,
        )
    )


async def block_contact(
    uow: UnitOfWork, *, conversation_id: str, reason: str, by: str, now: datetime
) -> ContactBlock:
    """Block the customer behind a conversation: their signed customer id when the shop
    vouched for them, else the address the conversation came from."""
    session = uow.session
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason: say why the contact is blocked (it is recorded)")
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id}")
    origin = await _origin(session, conversation_id)
    if conversation.customer_external_id:
        kind, value = "customer", conversation.customer_external_id
    elif origin is not None:
        kind, value = "ip", origin.ip
    else:
        raise Conflict("this conversation has no known customer or address to block")
    existing = await session.scalar(
        select(ContactBlock).where(
            ContactBlock.kind == kind, ContactBlock.value == value, ContactBlock.active.is_(True)
        )
    )
    if existing is not None:
        return existing
    block = ContactBlock(
        id=new_id("blk"),
        kind=kind,
        value=value,
        active=True,
        reason=reason,
        conversation_id=conversation_id,
        blocked_by=by,
        blocked_at=now,
    )
    session.add(block)
    await session.flush()
    return block


async def unblock_contact(
    uow: UnitOfWork, *, block_id: str, reason: str, by: str, now: datetime
) -> ContactBlock:
    block = await uow.session.get(ContactBlock, block_id)
    if block is None:
        raise NotFound(f"no block {block_id}: list them with GET /api/v1/contacts/blocks")
    if not block.active:
        raise Conflict(f"block {block_id} was already lifted by {block.unblocked_by}")
    block.active = False
    block.unblocked_by = by
    block.unblocked_at = now
    block.unblock_reason = reason.strip() or None
    await uow.session.flush()
    return block


async def list_blocks(session: AsyncSession, *, active: bool | None = True) -> list[ContactBlock]:
    q = select(ContactBlock).order_by(ContactBlock.blocked_at.desc())
    if active is not None:
        q = q.where(ContactBlock.active.is_(active))
    return list(await session.scalars(q))
