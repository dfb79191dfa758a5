"""The decision rules, in the order they apply (docs/engine.md).

decide(view, inbound, ctx) -> Decision. Pure: everything it needs is in its arguments, the
time included. `after_action` words the outcome of a shop action the caller performed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, tzinfo

from tandem.engine.feelings import acknowledgement
from tandem.engine.handoff import PAYLOAD as HANDOFF_PAYLOAD
from tandem.engine.handoff import wants_human
from tandem.engine.language import detect_language
from tandem.engine.orders import (
    STATUS_INTENTS,
    placeholder_values,
    relevant_orders,
    request_for,
    worn_or_used,
)
from tandem.engine.replies import HANDOFF_QUICK_REPLY, compose, topic_label
from tandem.engine.types import (
    BotReply,
    ConversationView,
    Decision,
    Inbound,
    QuickReply,
    ShopAct,
    TurnContext,
)
from tandem.knowledge.index import Match
from tandem.shop.chat import (
    outcome_reply,
    parcel_reply,
    parse_action_payload,
    parse_order_payload,
    pick_order_reply,
)
from tandem.shop.policy import evaluate, human_first_reason
from tandem.shop.present import ParcelStatus, local_time
from tandem.shop.types import ActionKind, ItemCondition, Order, OrderStatus, Verdict
from tandem.understanding.taxonomy import KNOWLEDGE_INTENTS, ORDER_INTENTS, SOCIAL_INTENTS
from tandem.understanding.types import Analysis

SOCIAL = SOCIAL_INTENTS
TOPIC_PAYLOAD = "topic:"
KB_PAYLOAD = "kb:"


class _Turn:
    """The working state of one decision: language, memory so far, replies so far."""

    def __init__(self, view: ConversationView, inbound: Inbound, ctx: TurnContext) -> None:
        self.view = view
        self.inbound = inbound
        self.ctx = ctx
        self.language = detect_language(inbound.text, view.language)
        self.memory = view.memory
        self.prefix: list[BotReply] = []
        self.priority = 0
        a = ctx.analysis
        self.intent: str | None = a.intent if a else None
        self.confidence: float | None = a.confidence if a else None

    @property
    def sent(self) -> frozenset[str]:
        return self.memory.sent_keys | frozenset(r.key for r in self.prefix)

    def decision(
        self, action: str, rule: str, replies: tuple[BotReply, ...] = (), **kw: object
    ) -> Decision:
        replies = tuple(self.prefix) + replies
        memory = self.memory.with_sent(tuple(r.key for r in replies))
        if "memory" in kw:
            memory = kw.pop("memory").with_sent(tuple(r.key for r in replies))  # type: ignore[attr-defined]
        priority = max(self.priority, int(kw.pop("priority", 0)))  # type: ignore[call-overload]
        return Decision(
            action=action,  # type: ignore[arg-type]
            rule=rule,
            language=self.language,
            replies=replies,
            priority=priority,
            intent=self.intent,
            confidence=self.confidence,
            memory=memory,
            **kw,  # type: ignore[arg-type]
        )


def decide(view: ConversationView, inbound: Inbound, ctx: TurnContext) -> Decision:
    turn = _Turn(view, inbound, ctx)
    if view.state == "agent":
        # A person owns the conversation: the AI never talks over them (rule 8). Abuse is
        # still counted, so repeated abuse reaches a supervisor whoever is in the chat.
        if ctx.analysis is not None and ctx.analysis.abuse.is_abusive:
            return _abuse_with_agent(turn)
        return Decision(
            action="silent",
            rule="human_owns_conversation",
            language=turn.language,
            intent=turn.intent,
            confidence=turn.confidence,
        )
    _observe(turn)
    if (stop := _payloads(turn)) is not None:
        return stop
    if wants_human(inbound.text, inbound.payload) or (
        turn.intent == "human" and (turn.confidence or 0) >= ctx.rules.min_confidence
    ):
        return _human_request(turn)
    if (stop := _feelings(turn)) is not None:
        return stop
    return _understood(turn)


# Intents that ask for the same outcome in different words. Their calibrated probabilities
# add up for "one of these", so a message split between "refund" and "cancel" is still sure
# that the customer wants their money back.
FAMILIES = (
    frozenset({"refund", "cancel_order", "return"}),
    frozenset({"where_is_parcel", "order_status", "urge_shipping"}),
    frozenset({"damaged_or_wrong_item", "quality_issue", "return", "exchange"}),
)


def family_confidence(a: Analysis) -> float:
    family = next((f for f in FAMILIES if a.intent in f), None)
    if family is None:
        return a.confidence
    return min(1.0, sum(s.confidence for s in a.intents if s.label in family))


def _observe(turn: _Turn) -> None:
    a = turn.ctx.analysis
    if a is None:
        return
    if not a.out_of_scope:
        turn.confidence = family_confidence(a)
    turn.memory = turn.memory.observe(a.intent, a.confidence, a.emotion.label, a.emotion.intensity)


# --- rule 1: a person in one turn -------------------------------------------------------


def _human_request(turn: _Turn) -> Decision:
    if turn.view.state == "queued":
        return _status_while_queued(turn, asked_again=True)
    return _hand_off(turn, "customer_request", "handoff_queued", rule="explicit_human_request")


def _status_while_queued(turn: _Turn, *, asked_again: bool) -> Decision:
    position = turn.view.queue_position or 1
    eta = turn.view.queue_eta_seconds or 0
    situation = "still_queued" if asked_again else "queued_note"
    reply = compose(situation, turn.language, turn.sent, position=position, eta_seconds=eta)
    if reply is None:
        # Every wording used: still answer, with the live figures, never silence.
        n = turn.memory.human_requests + 1
        minutes = max(1, round(eta / 60))
        text = (
            f"Received (message {n} while waiting). Queue position {position}, about {minutes} min."
            if turn.language == "en"
            else f"已收到（排队期间第 {n} 条）。当前第 {position} 位，预计约 {minutes} 分钟。"
        )
        reply = BotReply(key=f"status#{n}:{position}:{minutes}", text=text)
    memory = turn.memory
    if asked_again:
        memory = replace(memory, human_requests=memory.human_requests + 1)
    return turn.decision(
        "reply",
        "human_requested_again" if asked_again else "note_while_queued",
        (reply,),
        memory=memory,
        details={"position": position, "eta_seconds": eta},
    )


def _hand_off(
    turn: _Turn,
    reason: str,
    situation: str,
    *,
    rule: str | None = None,
    skill: str | None = None,
    priority: int = 0,
    miss: bool = False,
    proposal: Mapping[str, object] | None = None,
    lead: tuple[BotReply, ...] = (),
) -> Decision:
    """Hand the conversation to a person, or, with nobody on duty, open a ticket with a
    promised callback time while the AI keeps helping (rule 7)."""
    if turn.view.state == "queued":
        # Already waiting for a person: say where they stand instead of queueing twice.
        turn.prefix.extend(lead)
        return _status_while_queued(turn, asked_again=reason == "customer_request")
    q = turn.ctx.queue
    ticket = q.nobody_on_duty and q.callback_at is not None
    if ticket:
        assert q.callback_at is not None
        wait = max(0, int((q.callback_at - turn.ctx.now).total_seconds())) or q.eta_seconds
        when = _callback_text(q.callback_at, turn.ctx, turn.language, wait)
        reply = compose("ticket", turn.language, frozenset(), callback=when)
    else:
        if situation == "handoff_queued" and q.agents_online == 0:
            situation = "handoff_unstaffed"
        reply = compose(
            situation,
            turn.language,
            frozenset(),
            position=q.position_if_queued,
            eta_seconds=q.eta_seconds,
        )
    assert reply is not None
    kept = dict(proposal) if proposal is not None else None
    memory = replace(turn.memory, clarified=False, pending=None, pending_intent=None, proposal=kept)
    return turn.decision(
        "hand_off",
        rule or reason,
        (*lead, replace(reply, key=f"{reply.key}@{len(turn.memory.sent_keys)}")),
        handoff_reason=reason,
        skill=skill or _skill_for(turn),
        priority=priority,
        miss=miss,
        memory=memory,
        ticket=ticket,
        callback_at=q.callback_at if ticket else None,
        proposal=kept,
        details={"position": q.position_if_queued, "eta_seconds": q.eta_seconds},
    )


def _callback_text(at: datetime, ctx: TurnContext, language: str, wait_seconds: int) -> str:
    style = "time" if wait_seconds < 12 * 3600 else "date"
    return local_time(at, ctx.zone, language, style=style)


def _skill_for(turn: _Turn) -> str:
    shop = turn.ctx.shop
    if shop is not None and shop.tier is not None and shop.tier.value == "vip":
        return "vip"
    if turn.intent in ("where_is_parcel", "urge_shipping", "order_status"):
        return "logistics"
    if turn.intent in KNOWLEDGE_INTENTS:
        return "pre_sale"
    return "after_sale"


# --- quick-reply payloads -------------------------------------------------------------------


def _payloads(turn: _Turn) -> Decision | None:
    payload = turn.inbound.payload
    if not payload or payload == HANDOFF_PAYLOAD:
        return None
    if payload.startswith(TOPIC_PAYLOAD):
        turn.intent, turn.confidence = payload[len(TOPIC_PAYLOAD) :], 1.0
        turn.memory = replace(turn.memory, clarified=False)
        return _understood(turn, chosen=True)
    if payload.startswith(KB_PAYLOAD):
        turn.memory = replace(turn.memory, clarified=False)
        match = turn.ctx.knowledge.answer if turn.ctx.knowledge else None
        if match is not None:
            return _answer_from_knowledge(turn, match)
        return None
    if (order_id := parse_order_payload(payload)) is not None:
        intent = turn.memory.pending_intent or "order_status"
        turn.intent, turn.confidence = intent, 1.0
        turn.memory = replace(turn.memory, order_id=order_id, pending=None)
        return _order_work(turn, intent)
    if (parsed := parse_action_payload(payload)) is not None:
        order_id, request = parsed
        turn.memory = replace(turn.memory, order_id=order_id, pending=None)
        return _act(turn, order_id, request)
    return None


# --- rule 4: emotion and abuse -------------------------------------------------------------


def _feelings(turn: _Turn) -> Decision | None:
    a, rules = turn.ctx.analysis, turn.ctx.rules
    if a is None:
        return None
    if a.abuse.is_abusive:
        count = turn.memory.abuse_count + 1
        turn.memory = replace(turn.memory, abuse_count=count)
        warning = compose("abuse_warning", turn.language, turn.sent)
        if warning is not None:
            turn.prefix.append(warning)
        if count >= rules.abuse_limit:
            return _hand_off(
                turn,
                "abuse",
                "handoff_abuse",
                rule="repeated_abuse",
                skill="supervisor",
                priority=rules.priority_abuse,
            )
    emotion = a.emotion
    if emotion.intensity >= rules.acknowledge_emotion and not a.abuse.is_abusive:
        ack = acknowledgement(emotion.label, turn.intent, turn.language, turn.sent)
        if ack is not None:
            turn.prefix.append(ack)
    if emotion.label in ("anger", "anxiety") and emotion.intensity >= rules.strong_emotion:
        turn.priority = max(turn.priority, rules.priority_strong_emotion)
        turn.memory = replace(turn.memory)  # priority travels with the decision
    return None


def _abuse_with_agent(turn: _Turn) -> Decision:
    """The platform (not the AI) warns the customer; the limit flags the conversation and
    asks for a supervisor."""
    count = turn.memory.abuse_count + 1
    memory = replace(turn.memory, abuse_count=count)
    warning = compose("abuse_warning", turn.language, turn.memory.sent_keys)
    escalate = count >= turn.ctx.rules.abuse_limit
    return Decision(
        action="silent",
        rule="repeated_abuse" if escalate else "abuse_warning",
        language=turn.language,
        replies=(warning,) if warning is not None else (),
        intent=turn.intent,
        confidence=turn.confidence,
        memory=memory.with_sent((warning.key,) if warning is not None else ()),
        handoff_reason="abuse" if escalate else None,
        skill="supervisor" if escalate else None,
        escalate=escalate,
    )


def _strong(turn: _Turn) -> bool:
    a = turn.ctx.analysis
    return bool(
        a
        and a.emotion.label in ("anger", "anxiety")
        and a.emotion.intensity >= turn.ctx.rules.strong_emotion
    )


def _offer_person(turn: _Turn, replies: tuple[BotReply, ...]) -> tuple[BotReply, ...]:
    """Strong emotion: offer a person at once, beside whatever the AI could do."""
    if not _strong(turn) or turn.view.state == "queued":
        return replies
    offer = compose(
        "offer_person",
        turn.language,
        turn.sent | frozenset(r.key for r in replies),
        quick_replies=(HANDOFF_QUICK_REPLY[turn.language],),
    )
    return replies + ((offer,) if offer is not None else ())


# --- what the message asks for ------------------------------------------------------------


def _understood(turn: _Turn, *, chosen: bool = False) -> Decision:
    ctx, rules = turn.ctx, turn.ctx.rules
    a = ctx.analysis
    intent, confidence = turn.intent, turn.confidence or 0.0
    kb = ctx.knowledge
    # A message naming one of the customer's orders keeps the conversation on that order.
    if a is not None and ctx.shop is not None:
        for entity in a.entities:
            if entity.kind == "order_id":
                turn.memory = replace(turn.memory, order_id=entity.value)
    # An open question of ours gets its answer first.
    if turn.memory.pending == "describe" and turn.memory.pending_intent and not chosen:
        return _after_description(turn)
    if turn.memory.pending == "evidence" and turn.memory.pending_intent and not chosen:
        return _missing_evidence(turn)
    if intent in SOCIAL and confidence >= rules.min_confidence:
        return _social(turn, intent)
    if intent == "complaint" and confidence >= rules.min_confidence:
        return _hand_off(turn, "complaint", "handoff_complaint", priority=turn.priority + 10)
    if intent in ORDER_INTENTS and confidence >= rules.min_confidence:
        return _order_work(turn, intent)
    if (
        intent in KNOWLEDGE_INTENTS
        and confidence >= rules.min_confidence
        and intent == turn.memory.last_answered
        and not chosen
    ):
        # The same question again, in other words: the answer did not help (rule 3).
        return _hand_off(turn, "repeated_problem", "handoff_repeated", miss=True)
    if kb is not None and kb.answer is not None:
        return _answer_from_knowledge(turn, kb.answer)
    if (agreed := _agreeing_entry(turn)) is not None:
        return _answer_from_knowledge(turn, agreed)
    # Not sure what is asked, or sure but with nothing reliable to say: rule 2.
    return _unsure(turn)


def _social(turn: _Turn, intent: str) -> Decision:
    reply = compose(intent, turn.language, turn.sent)
    if reply is None:
        return turn.decision("reply", intent, ())
    memory = replace(turn.memory, clarified=False)
    if intent in ("thanks", "bye"):
        memory = replace(memory, last_answered=None)
    return turn.decision("reply", intent, (reply,), memory=memory)


def _unsure(turn: _Turn) -> Decision:
    """Ask one clarifying question with at most three likely topics; never guess twice."""
    ctx = turn.ctx
    a = ctx.analysis
    if turn.view.state == "queued":
        return _status_while_queued(turn, asked_again=False)
    if turn.memory.clarified or turn.memory.fallbacks >= ctx.rules.max_fallbacks:
        reason = "out_of_scope" if a is not None and a.out_of_scope else "low_confidence"
        return _hand_off(turn, reason, "handoff_unsure", miss=True)
    topics: list[QuickReply] = []
    if a is not None:
        for score in a.intents:
            if score.label in ("oos", "human", *SOCIAL) or len(topics) >= 3:
                continue
            topics.append(
                QuickReply(topic_label(score.label, turn.language), f"{TOPIC_PAYLOAD}{score.label}")
            )
    if ctx.knowledge is not None:
        for match in ctx.knowledge.candidates:
            if len(topics) >= 3:
                break
            if match.intent and any(t.payload == f"{TOPIC_PAYLOAD}{match.intent}" for t in topics):
                continue
            topics.append(QuickReply(match.question[:20], f"{KB_PAYLOAD}{match.entry_id}"))
    if not topics:
        reply = compose(
            "fallback",
            turn.language,
            turn.sent,
            quick_replies=(HANDOFF_QUICK_REPLY[turn.language],),
        )
        if reply is None:
            return _hand_off(turn, "cannot_answer", "handoff_after_fallbacks", miss=True)
        memory = replace(turn.memory, fallbacks=turn.memory.fallbacks + 1, clarified=True)
        return turn.decision(
            "reply", "fallback_offer_human", _offer_person(turn, (reply,)), memory=memory, miss=True
        )
    situation = "clarify_oos" if a is not None and a.out_of_scope else "clarify"
    reply = compose(
        situation,
        turn.language,
        turn.sent,
        quick_replies=(*topics, HANDOFF_QUICK_REPLY[turn.language]),
    )
    if reply is None:
        return _hand_off(turn, "low_confidence", "handoff_unsure", miss=True)
    memory = replace(turn.memory, clarified=True)
    return turn.decision(
        "reply",
        "clarify",
        (reply,),
        memory=memory,
        miss=True,
        details={"topics": [t.payload for t in topics]},
    )


# --- knowledge ------------------------------------------------------------------------------


def _answer_from_knowledge(turn: _Turn, match: Match) -> Decision:
    key = f"kb:{match.entry_id}"
    if key in turn.memory.sent_keys or (match.intent and match.intent == turn.memory.last_answered):
        # The same answer again would be a loop: the first one did not help (rule 3).
        return _hand_off(turn, "repeated_problem", "handoff_repeated", miss=True)
    order = _focus_order(turn)
    text = fill_answer(match.answer, order, turn.language, turn.ctx.zone)
    reply = BotReply(key=key, text=text)
    memory = replace(turn.memory, clarified=False, last_answered=match.intent or key, fallbacks=0)
    if turn.intent is None or turn.intent in ("oos",) or turn.intent not in KNOWLEDGE_INTENTS:
        turn.intent = match.intent or turn.intent
    return turn.decision(
        "reply",
        "knowledge_answer",
        _offer_person(turn, (reply,)),
        memory=memory,
        kb_entry_id=match.entry_id,
        details={"kb_confidence": round(match.confidence, 3)},
    )


def _agreeing_entry(turn: _Turn) -> Match | None:
    """Two independent readings agree: the classifier is sure of a knowledge intent and the
    best knowledge entry, below the retriever's own bar, is about that very intent."""
    kb, rules = turn.ctx.knowledge, turn.ctx.rules
    if kb is None or not kb.candidates or turn.intent not in KNOWLEDGE_INTENTS:
        return None
    best = kb.candidates[0]
    agree = best.intent == turn.intent and (turn.confidence or 0.0) >= rules.intent_sure
    return best if agree and best.confidence >= rules.kb_agreement_confidence else None


def fill_answer(answer: str, order: Order | None, language: str, zone: tzinfo) -> str:
    """Fill order placeholders ({carrier}, {promised_ship_date}, ...) from the order in focus;
    without an order, drop the clause that needs one rather than show a blank."""
    values = placeholder_values(order, language, zone) if order is not None else {}
    out: list[str] = []
    clause = ""
    for ch in answer:
        clause += ch
        if ch in "，。；！？,.;!?\n":
            out.append(clause)
            clause = ""
    if clause:
        out.append(clause)
    kept: list[str] = []
    for piece in out:
        try:
            kept.append(piece.format_map(_Strict(values)))
        except KeyError:
            continue
    text = "".join(kept).strip()
    return text.rstrip("，,") + (
        ""
        if text.endswith(("。", ".", "！", "!", "？", "?"))
        else ("。" if language == "zh" else ".")
    )


class _Strict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


# --- orders -------------------------------------------------------------------------------


def _focus_order(turn: _Turn) -> Order | None:
    shop = turn.ctx.shop
    if shop is None or turn.memory.order_id is None:
        return None
    return shop.order(turn.memory.order_id)


def _order_work(turn: _Turn, intent: str) -> Decision:
    shop = turn.ctx.shop
    lang = turn.language
    if shop is None or shop.customer is None:
        reply = compose(
            "anonymous_orders", lang, turn.sent, quick_replies=(HANDOFF_QUICK_REPLY[lang],)
        )
        if reply is None:
            return _hand_off(turn, "order_needs_identity", "handoff_queued")
        return turn.decision("reply", "order_needs_login", _offer_person(turn, (reply,)))
    order = _focus_order(turn)
    if turn.memory.order_id is not None and order is None:
        # A number that is not theirs: say so without revealing anything, offer their own.
        choices = relevant_orders(shop, intent)
        picker = pick_order_reply(choices, lang)
        reply = compose(
            "order_not_yours",
            lang,
            frozenset(),
            order_id=turn.memory.order_id,
            quick_replies=tuple(QuickReply(c.label, c.payload) for c in picker.choices),
        )
        assert reply is not None
        memory = replace(turn.memory, order_id=None, pending="order", pending_intent=intent)
        return turn.decision(
            "reply",
            "order_not_found",
            (replace(reply, key=f"{reply.key}:{len(turn.sent)}"),),
            memory=memory,
        )
    if order is None:
        candidates = relevant_orders(shop, intent)
        if len(candidates) == 1:
            order = candidates[0]
            turn.memory = replace(turn.memory, order_id=order.order_id)
        else:
            picker = pick_order_reply(candidates, lang)
            reply = BotReply(
                picker.key + f"@{len(turn.sent)}",
                picker.text,
                tuple(QuickReply(c.label, c.payload) for c in picker.choices),
            )
            memory = replace(
                turn.memory, pending="order" if candidates else None, pending_intent=intent
            )
            return turn.decision(
                "reply", "pick_order" if candidates else "no_orders", (reply,), memory=memory
            )
    return _about_order(turn, intent, order)


def _about_order(turn: _Turn, intent: str, order: Order) -> Decision:
    ctx, rules = turn.ctx, turn.ctx.rules
    if intent == "urge_shipping" and order.status not in (OrderStatus.UNPAID, OrderStatus.PAID):
        # Hurrying a parcel that has left: what they need is where it is.
        intent = turn.intent = "where_is_parcel"
    if intent in STATUS_INTENTS:
        status = ParcelStatus(order=order, events=tuple(ctx.tracking.get(order.order_id, ())))
        reply = parcel_reply(status, turn.language, turn.ctx.zone)
        bot = BotReply(
            reply.key, reply.text, tuple(QuickReply(c.label, c.payload) for c in reply.choices)
        )
        if (
            bot.key in turn.memory.sent_keys
            or turn.memory.last_answered == f"{intent}:{order.order_id}"
        ):
            return _hand_off(turn, "repeated_problem", "handoff_repeated")
        memory = replace(turn.memory, last_answered=f"{intent}:{order.order_id}", clarified=False)
        return turn.decision(
            "reply", "order_status_answer", _offer_person(turn, (bot,)), memory=memory
        )
    # Human-first by value, tier or category, after the facts are gathered (rule 5).
    if ctx.policy is not None and intent in rules.human_first_intents:
        reason = human_first_reason(order, ctx.shop.tier if ctx.shop else None, ctx.policy)
        if reason is not None:
            if _too_short(turn) and turn.memory.pending != "describe":
                ask = compose("describe", turn.language, frozenset())
                assert ask is not None
                memory = replace(turn.memory, pending="describe", pending_intent=intent)
                return turn.decision(
                    "reply",
                    "gather_facts",
                    (replace(ask, key=f"describe@{len(turn.sent)}"),),
                    memory=memory,
                )
            return _human_first(turn, reason, intent, order)
    request = request_for(intent, turn.inbound.text, order)
    if request is None:
        return _unsure(turn)
    if request.kind in (ActionKind.RETURN, ActionKind.EXCHANGE) and worn_or_used(turn.inbound.text):
        request = request.model_copy(update={"condition": ItemCondition.USED})
    return _act(turn, order.order_id, request)


def _too_short(turn: _Turn) -> bool:
    """Did the message say what happened, beyond naming the intent?"""
    text = turn.inbound.text.strip()
    return len(text) < (24 if turn.language == "en" else 8)


def _after_description(turn: _Turn) -> Decision:
    intent = turn.memory.pending_intent or "complaint"
    turn.intent = intent
    turn.memory = replace(turn.memory, pending=None)
    order = _focus_order(turn)
    reason = "human_first"
    if order is not None and turn.ctx.policy is not None:
        reason = (
            human_first_reason(
                order, turn.ctx.shop.tier if turn.ctx.shop else None, turn.ctx.policy
            )
            or reason
        )
    return _human_first(turn, reason, intent, order)


def _human_first(turn: _Turn, reason: str, intent: str, order: Order | None) -> Decision:
    """A person first (value, tier, category), with the facts and the AI's proposal."""
    rules = turn.ctx.rules
    bonus = {"vip": rules.priority_vip, "high_value": rules.priority_high_value}.get(reason, 0)
    return _hand_off(
        turn,
        reason,
        "handoff_human_first",
        rule="human_first",
        priority=bonus,
        skill="vip" if reason == "vip" else None,
        proposal=_proposal(turn, intent, order) if order else None,
    )


def _proposal(turn: _Turn, intent: str, order: Order) -> dict[str, object] | None:
    """What the AI would do, for the agent to approve, edit or reject (rule 6)."""
    request = request_for(intent, turn.inbound.text, order)
    if request is None or turn.ctx.policy is None:
        return None
    verdict = evaluate(request, order, turn.ctx.policy, turn.ctx.now)
    return {
        "order_id": order.order_id,
        "action": request.kind.value,
        "reason": request.reason.value if request.reason else None,
        "policy_outcome": verdict.outcome,
        "policy_rule": verdict.rule,
        "summary_zh": verdict.reason_zh,
        "summary_en": verdict.reason_en,
    }


def _act(turn: _Turn, order_id: str, request: object) -> Decision:
    shop = turn.ctx.shop
    if shop is None or shop.order(order_id) is None:
        turn.memory = replace(turn.memory, order_id=order_id)
        return _order_work(turn, turn.intent or "order_status")
    return turn.decision("act", "shop_action", (), act=ShopAct(order_id=order_id, request=request))  # type: ignore[arg-type]


def after_action(
    view: ConversationView,
    inbound: Inbound,
    ctx: TurnContext,
    acted: Decision,
    verdict: Verdict,
    order: Order,
) -> Decision:
    """Word the outcome of the shop action `acted` asked for, now performed (or refused)."""
    turn = _Turn(replace(view, memory=acted.memory or view.memory), inbound, ctx)
    turn.intent, turn.confidence = acted.intent, acted.confidence
    turn.priority = acted.priority
    # What was said before acting (an acknowledgement, a warning) still leads the reply.
    turn.prefix.extend(acted.replies)
    reply = outcome_reply(verdict, order, turn.language)
    bot = BotReply(
        reply.key, reply.text, tuple(QuickReply(c.label, c.payload) for c in reply.choices)
    )
    details = {
        "order_id": order.order_id,
        "policy_rule": verdict.rule,
        "policy_outcome": verdict.outcome,
    }
    if verdict.outcome == "needs_approval":
        proposal = {
            "order_id": order.order_id,
            "action": acted.act.request.kind.value if acted.act else None,
            "policy_outcome": verdict.outcome,
            "policy_rule": verdict.rule,
            "summary_zh": verdict.reason_zh,
            "summary_en": verdict.reason_en,
            "amount_cents": verdict.amount_cents,
        }
        return _hand_off(
            turn,
            "needs_approval",
            "handoff_proposal",
            rule="ai_proposes",
            lead=(bot,),
            proposal=proposal,
            priority=ctx.rules.priority_high_value,
        )
    if bot.key in turn.memory.sent_keys:
        # The same verdict twice: the customer is stuck on it; a person takes over (rule 3).
        return _hand_off(turn, "repeated_problem", "handoff_repeated", proposal=None)
    memory = replace(
        turn.memory, last_answered=f"{acted.intent}:{order.order_id}", clarified=False, pending=None
    )
    if verdict.outcome == "needs_evidence":
        memory = replace(memory, pending="evidence", pending_intent=acted.intent)
    rule = "shop_action_done" if verdict.allowed else f"shop_{verdict.outcome}"
    replies: tuple[BotReply, ...] = (bot,)
    if (
        not verdict.allowed
        and verdict.human_review_offered
        and not any(q.payload == HANDOFF_PAYLOAD for q in bot.quick_replies)
    ):
        replies = (
            replace(bot, quick_replies=bot.quick_replies + (HANDOFF_QUICK_REPLY[turn.language],)),
        )
    return turn.decision(
        "reply", rule, _offer_person(turn, replies), memory=memory, details=details
    )


def _missing_evidence(turn: _Turn) -> Decision:
    """Asked for photos or video and the customer answered without them: a person decides,
    with the AI's proposal (rule 6)."""
    intent = turn.memory.pending_intent or "quality_issue"
    turn.intent = intent
    turn.memory = replace(turn.memory, pending=None)
    order = _focus_order(turn)
    proposal = _proposal(turn, intent, order) if order else None
    if proposal is not None:
        proposal["note"] = "顾客暂无法提供照片/视频凭证，请人工判断是否同意退换。"
    return _hand_off(
        turn, "missing_evidence", "handoff_proposal", rule="ai_proposes", proposal=proposal
    )


__all__ = ["after_action", "decide", "fill_answer"]
