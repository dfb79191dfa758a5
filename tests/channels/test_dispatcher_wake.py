"""The dispatcher is woken only by events a channel may deliver: the logged events of a
followed conversation. The many conversations no channel follows cost it no round."""

from __future__ import annotations

from tandem.channels.dispatcher import Dispatcher
from tandem.channels.service import follow_by_email
from tandem.conversations.models import Conversation
from tandem.conversations.schemas import OpenConversationIn
from tandem.conversations.service import open_conversation
from tandem.core import events
from tandem.services import Services


async def _open(services: Services) -> str:
    async with services.unit_of_work() as uow:
        c, _ = await open_conversation(uow, services.settings, OpenConversationIn())
    return c.id


def _message(conversation_id: str, services: Services) -> events.ConversationEvent:
    return events.conversation_event(
        "message.created",
        conversation_id,
        2,
        {
            "id": "m1",
            "seq": 2,
            "author": "agent",
            "text": "您好",
            "payload": None,
            "quick_replies": None,
            "client_msg_id": None,
            "agent_name": "小王",
            "created_at": services.clock.now(),
        },
        services.clock.now(),
    )


async def test_only_a_followed_conversations_events_wake_the_dispatcher(
    services: Services,
) -> None:
    followed, other, later = [await _open(services) for _ in range(3)]
    async with services.unit_of_work() as uow:
        conversation = await uow.session.get(Conversation, followed)
        assert conversation is not None
        await follow_by_email(uow, conversation, "a@example.com", services.clock.now())
    d = Dispatcher(services)
    try:
        # Before the follows are read, any conversation's event may matter.
        assert d.wanted(_message(other, services))
        await d.pump(refresh=True)
        assert d.wanted(_message(followed, services))
        assert not d.wanted(_message(other, services))
        # Desk events and typing are never delivered by a channel.
        assert not d.wanted(events.presence_changed("a1", "online"))
        assert not d.wanted(events.typing(followed, "agent", True, services.clock.now()))
        # A follow this process creates counts at once, before the next timer round.
        assert not d.wanted(_message(later, services))
        d.follows(later)
        assert d.wanted(_message(later, services))
    finally:
        await d.stop()
