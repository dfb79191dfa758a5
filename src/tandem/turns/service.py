"""One customer turn, in the order the house is drawn (STYLE, "the shape of the house"):

1. read the message: understanding + knowledge retrieval, one pure step off the event loop,
   before any transaction and outside the database writer lock;
2. store the message and commit: from here on it is acknowledged and cannot be lost;
3. gather the facts once (conversation, queue, orders, tracking), read-only;
4. decide (the pure engine, called once; a shop action's outcome is worded by `after_action`);
5. apply the effects in one transaction (replies, shop action, hand-off with its enqueue,
   decision record) and stage the events, published after commit.

When step 5 fails (the shop's API, the queue, anything), its transaction rolls back, the
failure is recorded, and the customer still gets an answer: a person takes over when that
works, an apology otherwise. Never a 500 for an acknowledged message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tandem.attachments.evidence import with_evidence
from tandem.config import Settings
from tandem.conversations.models import Conversation, Message
from tandem.conversations.schemas import SendMessageIn
from tandem.conversations.service import (
    StateMoved,
    add_message,
    change_state,
    number_conversation,
    replies_to,
    require_caller_and_retry,
    require_conversation,
    require_customer_conversation,
    stored_turn,
)
from tandem.core.clock import Clock
from tandem.core.errors import ClientGone, Conflict, InvalidInput
from tandem.db.uow import UnitOfWork
from tandem.desk.service import desk_view_in
from tandem.engine import Inbound, TurnContext, after_action, decide
from tandem.engine.memory import EngineMemory
from tandem.engine.recovery import after_failure
from tandem.engine.types import Decision as EngineDecision
from tandem.engine.wording import DEFAULT_WORDING, Wording
from tandem.knowledge.index import KnowledgeIndex
from tandem.llm.grounding import reword_decision
from tandem.llm.service import Wordsmith
from tandem.shop.provider import Shop
from tandem.shop.schemas import Actor
from tandem.shop.service import perform_action
from tandem.turns.effects import (
    answer,
    answer_in_agent_hands,
    answers_only,
    apply_decision,
    record,
    with_outcome,
)
from tandem.turns.facts import (
    NO_QUEUE_FACTS,
    Facts,
    Reading,
    analysis_meta,
    decide_reading,
    engine_view,
    gather,
    queue_facts,
    queue_of,
    read_message,
)
from tandem.understanding import Understanding

log = logging.getLogger("tandem.turns")
AI_ACTOR = Actor(kind="ai", id="tandem-ai")


@dataclass(frozen=True)
class TurnDeps:
    """What a turn needs besides the database: built once at start-up."""

    settings: Settings
    understanding: Understanding
    knowledge: KnowledgeIndex
    shop: Shop
    clock: Clock
    wording: Wording = DEFAULT_WORDING
    # The optional LLM (docs/llm.md): rewords the replies the engine chose, never decides.
    wordsmith: Wordsmith | None = None


class Store(Protocol):
    """The database as a turn uses it: read-only sessions, and units of work that commit."""

    sessions: async_sessionmaker[AsyncSession]

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]: ...


@dataclass
class TurnGate:
    """One turn at a time per conversation in this process: a turn reads the conversation's
    memory before it writes the next one, so two turns of one conversation must not interleave.
    (Across instances each transaction still takes the conversation's row lock.)"""

    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _users: dict[str, int] = field(default_factory=dict)

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._users[conversation_id] = self._users.get(conversation_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[conversation_id] -= 1
            if self._users[conversation_id] == 0:
                del self._users[conversation_id], self._locks[conversation_id]


@dataclass
class TurnResult:
    message: Message
    replies: list[Message]
    conversation: Conversation
    queue: tuple[int, int] | None


def validated_text(body: SendMessageIn, settings: Settings) -> str:
    text = body.text.strip()
    if not text and not body.payload:
        raise InvalidInput("消息不能为空：请输入内容（或点选一个快捷回复）。text must not be empty")
    if len(body.text) > settings.max_message_chars:
        raise InvalidInput(
            f"消息太长：最多 {settings.max_message_chars} 个字符。"
            f"text is too long: at most {settings.max_message_chars} characters"
        )
    return text


async def take_customer_turn(
    store: Store,
    deps: TurnDeps,
    gate: TurnGate,
    conversation_id: str,
    token: str | None,
    body: SendMessageIn,
    *,
    admit: Callable[[str], Awaitable[None]] | None = None,
    screen: Callable[[AsyncSession, Conversation], Awaitable[None]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    verified: bool = False,
    gone: Callable[[], Awaitable[bool]] | None = None,
) -> TurnResult:
    """Store the customer's message, let the engine decide, carry out the decision.

    `admit(conversation_id)` may refuse the turn (the rate limit) once the caller is known
    and the message is not a retry of a stored one. `screen(session, conversation)` runs in
    the turn's first read, right after the caller is known (a block refuses even a retry): the
    channel's own checks share that read instead of opening one more. `attachments` (references to stored
    files) travel with the message. `verified`: the channel proved who writes (a signed
    webhook), so no customer token is asked for. `gone()`: whether the caller has closed the
    connection; asked once the message is read, before it is stored, so a turn whose client
    gave up while it waited (a server behind at the peak) is dropped unstored (ClientGone:
    nothing was acknowledged) instead of taking the writer's turn from the living.
    """
    text = validated_text(body, deps.settings)
    async with gate.hold(conversation_id):
        async with store.sessions() as session:
            retried: Message | None = None
            if body.client_msg_id:
                # A retry of a stored message is found by the caller's own query.
                conversation, retried = await require_caller_and_retry(
                    session, conversation_id, token, body.client_msg_id, verified=verified
                )
            elif verified:
                conversation = await require_conversation(session, conversation_id)
            else:
                conversation = await require_customer_conversation(session, conversation_id, token)
            if screen is not None:
                await screen(session, conversation)
            if retried is not None:
                return await _answered(session, conversation, retried, deps)
        if admit is not None:
            await admit(conversation_id)
        reading = await asyncio.to_thread(
            read_message,
            deps.understanding,
            deps.knowledge,
            text,
            body.payload,
            conversation.language,
        )
        if gone is not None and await gone():
            raise ClientGone("客户端已断开，消息未保存。the client went away; nothing was stored")
        try:
            conversation, message = await _store_message(
                store, conversation_id, body, text, reading, attachments
            )
        except IntegrityError:
            # The same client_msg_id raced in from elsewhere: answer with what was stored.
            if not body.client_msg_id:
                raise
            async with store.sessions() as session:
                conversation = await require_conversation(session, conversation_id)
                previous = await _previous(session, conversation, body.client_msg_id, deps)
            if previous is None:
                raise Conflict(
                    "消息没能保存，请重新发送。the message could not be stored; send it again"
                ) from None
            return previous
        try:
            return await _decide_and_apply(store, deps, conversation, message, text, body, reading)
        except Exception as exc:
            log.exception("turn %s: an effect failed; recovering", conversation_id)
            return await _recover(store, deps, conversation_id, message, reading, exc)


async def _previous(
    session: AsyncSession, conversation: Conversation, client_msg_id: str, deps: TurnDeps
) -> TurnResult | None:
    stored = await stored_turn(session, conversation, client_msg_id)
    if stored is None:
        return None
    return await _answered(session, conversation, stored[0], deps)


async def _answered(
    session: AsyncSession, conversation: Conversation, message: Message, deps: TurnDeps
) -> TurnResult:
    """The turn of a stored message as it was answered (a retry gets it back)."""
    replies = await replies_to(session, message)
    queue = await queue_of(session, conversation, deps.clock.now())
    return TurnResult(message, replies, conversation, queue)


async def _store_message(
    store: Store,
    conversation_id: str,
    body: SendMessageIn,
    text: str,
    reading: Reading,
    attachments: list[dict[str, Any]] | None,
) -> tuple[Conversation, Message]:
    """Step 2: the message is committed before any effect runs."""
    async with store.unit_of_work() as uow:
        # The row and the message's number in one statement, unless the conversation was
        # resolved (it is reopened first, below).
        numbered = await number_conversation(
            uow.session, conversation_id, uow.now(), Conversation.state != "resolved"
        )
        seq = None if numbered is None else numbered.last_seq
        conversation = numbered or await require_conversation(uow.session, conversation_id)
        if conversation.state == "resolved":
            # A new problem after a resolved one: the AI takes it from the start.
            conversation.assigned_agent_id = None
            conversation.rating = None
            conversation.rating_comment = None
            conversation.rated_at = None
            memory = EngineMemory.from_json(conversation.engine_state)
            conversation.engine_state = replace(
                EngineMemory(), sent_keys=memory.sent_keys
            ).to_json()
            await change_state(uow, conversation, "bot", reason="customer_returned")
        message = await add_message(
            uow,
            conversation,
            author="customer",
            text=text or body.payload or "",
            payload=body.payload,
            client_msg_id=body.client_msg_id,
            meta={"analysis": analysis_meta(reading.analysis)}
            | ({"attachments": attachments} if attachments else {}),
            desk_view=desk_view_in(conversation.language),
            seq=seq,
        )
    return conversation, message


def _context(deps: TurnDeps, facts: Facts, reading: Reading, now: datetime) -> TurnContext:
    return TurnContext(
        queue=facts.queue,
        now=now,
        rules=deps.shop.policy.engine,
        analysis=reading.analysis,
        knowledge=reading.knowledge,
        shop=facts.shop,
        policy=deps.shop.policy,
        tracking=facts.tracking,
        wording=deps.wording,
    )


async def _decide_and_apply(
    store: Store,
    deps: TurnDeps,
    conversation: Conversation,
    message: Message,
    text: str,
    body: SendMessageIn,
    reading: Reading,
) -> TurnResult:
    now = deps.clock.now()
    inbound = Inbound(text=text, payload=body.payload)
    if conversation.state == "agent":
        view = engine_view(conversation, None)
        ctx = TurnContext(
            queue=NO_QUEUE_FACTS,
            now=now,
            analysis=reading.analysis,
            rules=deps.shop.policy.engine,
            wording=deps.wording,
        )
        decision = decide(view, inbound, ctx)
        async with store.unit_of_work() as uow:
            current = await require_conversation(uow.session, conversation.id)
            await answer_in_agent_hands(uow, current, message, decision, reading.analysis, now)
        return TurnResult(message, [], current, None)

    async with store.sessions() as session:
        facts = await gather(session, deps.shop.adapter(session), conversation, now)
        # The queue facts are read only when the engine hands off (in this same read).
        decision, ctx = await decide_reading(
            _context(deps, facts, reading, now),
            lambda c: decide(facts.view, inbound, c),
            lambda: queue_facts(session, deps.shop.policy, now),
        )
    if deps.wordsmith is not None and decision.action != "act":
        # Before the effects' transaction, so a slow model holds no lock; the call's record
        # commits on its own. A shop action's outcome keeps the policy's exact wording.
        async with store.unit_of_work() as uow:
            decision = await reword_decision(
                deps.wordsmith, uow.session, decision, ctx, conversation.id
            )
    conversation_id, decided_for = conversation.id, conversation.state
    if decided_for == "bot" and answers_only(decision):
        try:
            async with store.unit_of_work() as uow:
                uow.session.add(conversation)
                replies = await answer(uow, conversation, message, decision, reading.analysis, now)
            return TurnResult(message, replies, conversation, None)
        except StateMoved:
            pass  # taken meanwhile (rolled back): read again below, and say nothing
    async with store.unit_of_work() as uow:
        current = await require_conversation(uow.session, conversation_id)
        if current.state != decided_for:
            # Someone else moved the conversation meanwhile (an agent took it): the decision
            # was made for a state that is gone. Keep the record, say nothing.
            decision = replace(decision, action="silent", replies=())
            await record(uow, current, message, decision, reading.analysis, now)
            return TurnResult(message, [], current, await queue_of(uow.session, current, now))
        if decision.action == "act" and decision.act is not None:
            decision = await _act(uow, deps, current, facts, inbound, ctx, decision, now)
        replies, queue = await apply_decision(
            uow, current, message, decision, reading.analysis, facts.shop, now, deps.wording
        )
        if queue is None and current.state == "queued" and facts.view.queue_position is not None:
            # Still waiting, and this turn did not move the queue: the place read for the
            # engine this turn is the place (the queue is read once per turn, not twice).
            queue = (facts.view.queue_position, facts.view.queue_eta_seconds or 0)
        elif queue is None:
            queue = await queue_of(uow.session, current, now)
    return TurnResult(message, replies, current, queue)


async def _act(
    uow: UnitOfWork,
    deps: TurnDeps,
    conversation: Conversation,
    facts: Facts,
    inbound: Inbound,
    ctx: TurnContext,
    decision: EngineDecision,
    now: datetime,
) -> EngineDecision:
    """The shop action through the shop's policy (which records it); the engine words what
    came of it."""
    assert decision.act is not None
    if facts.shop.customer is None:
        return decision
    outcome = await perform_action(
        uow.session,
        deps.shop.adapter(uow.session),
        deps.shop.policy,
        customer_id=facts.shop.customer.external_id,
        order_id=decision.act.order_id,
        request=await with_evidence(uow.session, conversation.id, decision.act.request),
        actor=AI_ACTOR,
        now=now,
        conversation_id=conversation.id,
    )
    # The outcome may hand off (a refused action a person must see): the queue facts then.
    worded, _ = await decide_reading(
        ctx,
        lambda c: after_action(facts.view, inbound, c, decision, outcome.verdict, outcome.order),
        lambda: queue_facts(uow.session, deps.shop.policy, now),
    )
    return with_outcome(
        worded,
        {
            "action_id": outcome.action_id,
            "performed": outcome.performed,
            "proposal_id": outcome.proposal_id,
        },
    )


async def _recover(
    store: Store,
    deps: TurnDeps,
    conversation_id: str,
    message: Message,
    reading: Reading,
    exc: Exception,
) -> TurnResult:
    """The effects' transaction rolled back. Record what failed and answer the customer: hand
    off to a person when that works, otherwise apologise (a fresh transaction each)."""
    failed = type(exc).__name__
    for can_hand_off in (True, False):
        now = deps.clock.now()
        try:
            async with store.unit_of_work() as uow:
                conversation = await require_conversation(uow.session, conversation_id)
                view = engine_view(conversation, None)
                decision = after_failure(
                    view, failed, can_hand_off=can_hand_off, wording=deps.wording
                )
                replies, queue = await apply_decision(
                    uow, conversation, message, decision, reading.analysis, None, now, deps.wording
                )
                if queue is None:
                    queue = await queue_of(uow.session, conversation, now)
            return TurnResult(message, replies, conversation, queue)
        except Exception:
            if not can_hand_off:
                raise
            log.exception("turn %s: the hand-off after a failure failed too", conversation_id)
    raise AssertionError("unreachable")
