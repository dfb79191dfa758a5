"""A turn applies the AI's answer to the conversation as it stored the message, without reading
it again (issue 17): what someone else changes in between must still win. Here a supervisor
takes the conversation over after the customer's message is stored and before the answer is
written: the AI says nothing, the decision is kept as silent, and no number is skipped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select

from tandem.conversations.models import Conversation, Decision, Event, Message
from tandem.conversations.schemas import OpenConversationIn, SendMessageIn
from tandem.conversations.service import open_conversation
from tandem.core.errors import ClientGone
from tandem.db.uow import UnitOfWork
from tandem.desk import board
from tandem.identity.models import Account
from tandem.identity.service import principal_of
from tandem.services import Services
from tandem.turns.service import take_customer_turn


class TakenOverBetween:
    """The turn's store, with a supervisor's take-over committed just before the turn's second
    transaction (the first stores the message, the second applies the answer)."""

    def __init__(self, services: Services, conversation_id: str) -> None:
        self.services = services
        self.sessions = services.sessions
        self.conversation_id = conversation_id
        self.transactions = 0

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        return self._unit_of_work()

    @asynccontextmanager
    async def _unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        self.transactions += 1
        if self.transactions == 2:
            async with self.services.unit_of_work() as uow:
                lead = await uow.session.scalar(select(Account).where(Account.username == "lead"))
                assert lead is not None
                await board.take_over(
                    uow, principal_of(lead), self.conversation_id, self.services.clock.now()
                )
        async with self.services.unit_of_work() as uow:
            yield uow


async def _open(services: Services) -> tuple[str, str]:
    async with services.unit_of_work() as uow:
        c, token = await open_conversation(uow, services.settings, OpenConversationIn())
    return c.id, token


async def test_a_take_over_between_storing_and_answering_silences_the_ai(
    services: Services,
) -> None:
    cid, token = await _open(services)
    store = TakenOverBetween(services, cid)
    turn = await take_customer_turn(
        store,
        services.turn_deps,
        services.turn_gate,
        cid,
        token,
        SendMessageIn(text="你们默认发什么快递", client_msg_id="m-1"),
    )

    assert store.transactions >= 2
    assert turn.replies == []
    async with services.sessions() as session:
        conversation = await session.get(Conversation, cid)
        # Out of the AI's hands (the supervisor is offline in this fixture, so the round may
        # queue it again): the turn reports the state the row has.
        assert conversation is not None and conversation.state != "bot"
        assert turn.conversation.state == conversation.state
        messages = (
            await session.scalars(select(Message).where(Message.conversation_id == cid))
        ).all()
        # The customer's message and the take-over's notices: no reply of the AI's.
        assert [m.text for m in messages if m.author == "customer"] == ["你们默认发什么快递"]
        assert [m.author for m in messages if m.author == "bot"] == []
        assert any(m.author == "system" for m in messages)
        decisions = (
            await session.scalars(select(Decision).where(Decision.conversation_id == cid))
        ).all()
        assert [d.action for d in decisions] == ["silent"]
        seqs = (
            await session.scalars(
                select(Event.seq).where(Event.conversation_id == cid).order_by(Event.seq)
            )
        ).all()
        # opened, the message, the take-over's events: numbered 1, 2, 3 ... without a gap
        # (the answer's attempt took no number before it rolled back).
        assert list(seqs) == list(range(1, len(seqs) + 1))
        assert conversation.last_seq == len(seqs)


async def test_the_answer_writes_the_engine_memory_with_its_number(services: Services) -> None:
    """The memory the engine returns is stored by the reply's numbering UPDATE (no UPDATE of
    its own): the row holds the answer's wording as sent, and the reply's number."""
    cid, token = await _open(services)
    body = SendMessageIn(text="你们默认发什么快递", client_msg_id="m-1")
    first = await take_customer_turn(
        services, services.turn_deps, services.turn_gate, cid, token, body
    )
    assert first.conversation.state == "bot" and len(first.replies) == 1
    async with services.sessions() as session:
        stored = await session.get(Conversation, cid)
        assert stored is not None
        sent = stored.engine_state.get("sent_keys") or []
        assert first.replies[0].meta is not None
        assert first.replies[0].meta["key"] in sent
        assert stored.last_seq == first.replies[0].seq == 3  # opened, the message, the reply


async def test_a_client_gone_before_its_message_is_stored_leaves_nothing_stored(
    services: Services,
) -> None:
    """A customer who closed the connection while the server read their message (a server
    behind at the peak) is not answered: nothing was acknowledged, so nothing is stored and
    no number is taken, and the same message sent again is answered as new."""
    cid, token = await _open(services)
    asked: list[bool] = []

    def closed(answer: bool) -> Any:
        async def gone() -> bool:
            asked.append(answer)
            return answer

        return gone

    body = SendMessageIn(text="你们默认发什么快递", client_msg_id="m-1")
    deps, gate = services.turn_deps, services.turn_gate
    with pytest.raises(ClientGone) as raised:
        await take_customer_turn(services, deps, gate, cid, token, body, gone=closed(True))
    assert raised.value.status_code == 499 and asked == [True]
    async with services.sessions() as session:
        conversation = await session.get(Conversation, cid)
        assert conversation is not None and conversation.last_seq == 1  # opened, nothing since
        assert (
            await session.scalars(select(Message).where(Message.conversation_id == cid))
        ).all() == []

    turn = await take_customer_turn(services, deps, gate, cid, token, body, gone=closed(False))
    assert asked == [True, False]
    assert turn.message.text == "你们默认发什么快递" and turn.message.seq == 2
    assert len(turn.replies) == 1 and turn.conversation.state == "bot"
