"""Builders for desk and routing tests on a real database: staff presence and conversations
waiting for a person, written directly so each test states only what it is about."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from tandem.conversations.models import Conversation, Message
from tandem.core.ids import new_id
from tandem.db.uow import UnitOfWork
from tandem.identity.models import Account
from tandem.services import Services

ABUSIVE = {
    "abuse": {
        "is_abusive": True,
        "kinds": ["insult"],
        "spans": [{"start": 0, "end": 2, "kind": "insult"}],
    },
    "emotion": {"label": "anger", "intensity": 0.8},
}
CALM = {
    "abuse": {"is_abusive": False, "kinds": [], "spans": []},
    "emotion": {"label": "neutral", "intensity": 0.0},
}


async def account(uow: UnitOfWork, username: str) -> Account:
    found = await uow.session.scalar(select(Account).where(Account.username == username))
    assert found is not None
    return found


async def set_online(
    services: Services, *usernames: str, presence: str = "online"
) -> dict[str, str]:
    """Presence written directly (no round): returns username -> account id."""
    ids = {}
    async with services.unit_of_work() as uow:
        for name in usernames:
            a = await account(uow, name)
            a.presence = presence
            a.presence_changed_at = uow.now()
            ids[name] = a.id
    return ids


async def ids_of(services: Services) -> dict[str, str]:
    async with services.sessions() as session:
        return {a.username: a.id for a in (await session.scalars(select(Account))).all()}


async def waiting(
    uow: UnitOfWork,
    *,
    skill: str = "after_sale",
    language: str = "zh",
    text: str = "我要退款",
    analysis: dict[str, Any] | None = None,
    queued_at: datetime | None = None,
    flagged: bool = False,
    name: str | None = None,
) -> Conversation:
    """A conversation the AI handed off and that waits for a person (no round run yet)."""
    now = queued_at or uow.now()
    c = Conversation(
        id=new_id("conv"),
        token_hash=new_id("tok"),
        customer_name=name,
        language=language,
        state="queued",
        priority=0,
        skill=skill,
        queued_at=now,
        handoff_reason="customer_request",
        last_seq=1,
        engine_state={},
        flagged=flagged,
        created_at=now - timedelta(minutes=1),
        updated_at=now,
    )
    uow.session.add(c)
    await uow.session.flush()
    uow.session.add(
        Message(
            id=new_id("msg"),
            conversation_id=c.id,
            seq=1,
            author="customer",
            text=text,
            meta={"analysis": analysis or CALM},
            created_at=now,
        )
    )
    await uow.session.flush()
    return c


async def owner_of(services: Services, conversation_id: str) -> tuple[str, str | None]:
    async with services.sessions() as session:
        c = await session.get(Conversation, conversation_id)
        assert c is not None
        return c.state, c.assigned_agent_id
