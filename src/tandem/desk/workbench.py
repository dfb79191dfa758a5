"""What sits beside the chat in the agent's workbench: internal notes (never sent to the
customer), tags, and the customer's profile with their past conversations.

Notes live in their own table (`desk_notes`), not among the messages, so no customer-facing
path (the widget's history, its events, a channel's outbound) can ever carry one; they reach
colleagues only through the desk API and the desk's own event topic.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation, Message
from tandem.core.errors import InvalidInput
from tandem.db.uow import UnitOfWork
from tandem.desk import authz
from tandem.desk.models import Note, Tag
from tandem.identity.service import Principal

NOTE_KINDS = ("note", "transfer")
MAX_NOTE = 2000
MAX_TAGS = 10
_TAG = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff \-/]{0,31}$")
HISTORY_LIMIT = 10


def note_dict(n: Note) -> dict[str, Any]:
    return {
        "id": n.id,
        "conversation_id": n.conversation_id,
        "author_id": n.author_id,
        "author_name": n.author_name,
        "kind": n.kind,
        "text": n.text,
        "at": n.at,
    }


async def add_note(
    uow: UnitOfWork,
    principal: Principal,
    conversation_id: str,
    text: str,
    now: datetime,
    kind: str = "note",
) -> dict[str, Any]:
    """A note for colleagues on a conversation this person may read."""
    c = await authz.require_visible(uow.session, principal, conversation_id)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            "备注不能为空，请写下要告诉同事的内容。 / The note is empty: write what colleagues should know."
        )
    if len(text) > MAX_NOTE:
        raise InvalidInput(
            f"备注最多 {MAX_NOTE} 字，请缩短。 / A note holds at most {MAX_NOTE} characters: shorten it."
        )
    note = Note(
        conversation_id=c.id,
        author_id=principal.id,
        author_name=principal.display_name,
        kind=kind if kind in NOTE_KINDS else "note",
        text=text,
        at=now,
    )
    uow.session.add(note)
    await uow.session.flush()
    return note_dict(note)


async def notes(session: AsyncSession, conversation_id: str) -> list[dict[str, Any]]:
    rows = (
        await session.scalars(
            select(Note).where(Note.conversation_id == conversation_id).order_by(Note.id)
        )
    ).all()
    return [note_dict(n) for n in rows]


def clean_tag(tag: str) -> str:
    tag = " ".join((tag or "").split())
    if not _TAG.match(tag):
        raise InvalidInput(
            "标签为 1 到 32 个字（中文、字母、数字、空格、- 或 /），请修改后再试。"
            " / A tag is 1 to 32 letters, digits, spaces, '-' or '/': change it and try again."
        )
    return tag


async def tags(session: AsyncSession, conversation_id: str) -> list[str]:
    rows = await session.scalars(
        select(Tag.tag).where(Tag.conversation_id == conversation_id).order_by(Tag.id)
    )
    return list(rows.all())


async def add_tag(
    uow: UnitOfWork, principal: Principal, conversation_id: str, tag: str, now: datetime
) -> list[str]:
    c = await authz.require_visible(uow.session, principal, conversation_id)
    tag = clean_tag(tag)
    current = await tags(uow.session, c.id)
    if tag in current:
        return current
    if len(current) >= MAX_TAGS:
        raise InvalidInput(
            f"每个会话最多 {MAX_TAGS} 个标签，请先删掉一个。"
            f" / At most {MAX_TAGS} tags on a conversation: remove one first."
        )
    uow.session.add(Tag(conversation_id=c.id, tag=tag, added_by=principal.id, at=now))
    await uow.session.flush()
    return [*current, tag]


async def remove_tag(
    uow: UnitOfWork, principal: Principal, conversation_id: str, tag: str
) -> list[str]:
    c = await authz.require_visible(uow.session, principal, conversation_id)
    await uow.session.execute(delete(Tag).where(Tag.conversation_id == c.id, Tag.tag == tag))
    return await tags(uow.session, c.id)


async def customer_history(session: AsyncSession, c: Conversation) -> list[dict[str, Any]]:
    """The same customer's other conversations, newest first (signed-in customers only: an
    anonymous visitor has no identity to link by)."""
    if not c.customer_external_id:
        return []
    rows = (
        await session.scalars(
            select(Conversation)
            .where(
                Conversation.customer_external_id == c.customer_external_id,
                Conversation.id != c.id,
            )
            .order_by(Conversation.created_at.desc())
            .limit(HISTORY_LIMIT)
        )
    ).all()
    out = []
    for other in rows:
        first = await session.scalar(
            select(Message.text)
            .where(Message.conversation_id == other.id, Message.author == "customer")
            .order_by(Message.seq)
            .limit(1)
        )
        packet = other.handoff_packet or {}
        problem = (packet.get("problem") or {}).get("text") if packet else None
        out.append(
            {
                "id": other.id,
                "state": other.state,
                "created_at": other.created_at,
                "handoff_reason": other.handoff_reason,
                "problem": problem,
                "rating": other.rating,
                "first_message": first,
            }
        )
    return out


async def conversation_counts(session: AsyncSession, external_id: str | None) -> int:
    if not external_id:
        return 0
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.customer_external_id == external_id)
        )
        or 0
    )
