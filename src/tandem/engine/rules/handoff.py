"""Handing off to a person, as every rule that does it words it: the queue or a ticket with a
callback time (in the shop's zone), the skill, offering a person alongside an answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from tandem.engine.replies import compose, format_wait, handoff_quick_reply
from tandem.engine.rules.turn import (
    Turn,
)
from tandem.engine.types import (
    BotReply,
    Decision,
    TurnContext,
)
from tandem.shop.present import local_time
from tandem.understanding.taxonomy import KNOWLEDGE_INTENTS


def counted(turn: Turn, situation: str, n: int, **values: object) -> BotReply:
    """The situation's first wording with its count `n`, keyed by the count: for answers that
    must come however often they are asked (nothing else to say is no reason for silence)."""
    variants = turn.ctx.wording.variants(situation, turn.language)
    text = variants[0]
    if "eta_seconds" in values:
        values["eta"] = format_wait(int(str(values.pop("eta_seconds"))), turn.language)
    fields = {"n": n, **values}
    body = text.format(**fields)
    if "{n}" not in text:
        body = f"{body}（{n}）" if turn.language == "zh" else f"{body} ({n})"
    return BotReply(key=f"{situation}#n{n}", text=body)


def status_while_queued(turn: Turn, *, asked_again: bool) -> Decision:
    position = turn.view.queue_position or 1
    eta = turn.view.queue_eta_seconds or 0
    situation = "still_queued" if asked_again else "queued_note"
    reply = compose(
        situation,
        turn.language,
        turn.sent,
        position=position,
        eta_seconds=eta,
        wording=turn.ctx.wording,
    )
    memory = turn.memory
    if asked_again:
        memory = replace(memory, human_requests=memory.human_requests + 1)
    else:
        memory = replace(memory, queued_notes=memory.queued_notes + 1)
    if reply is None and not asked_again:
        # Every wording used: a short receipt that counts the notes (so it is never the same
        # words twice), without repeating the queue figures the banner already shows.
        reply = counted(turn, "queued_ack", memory.queued_notes)
    if reply is None:
        # Asked again with every wording used: still answer, with the live figures.
        reply = counted(
            turn, "still_queued", memory.human_requests, position=position, eta_seconds=eta
        )
    return turn.decision(
        "reply",
        "human_requested_again" if asked_again else "note_while_queued",
        (reply,),
        memory=memory,
        details={"position": position, "eta_seconds": eta},
    )


def hand_off(
    turn: Turn,
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
        status = status_while_queued(turn, asked_again=reason == "customer_request")
        if reason == "abuse":
            # Abuse over the limit while waiting: the waiting conversation goes to the
            # supervisors, flagged, as it would have from the AI.
            status = replace(
                status,
                rule=rule or reason,
                handoff_reason=reason,
                skill=skill,
                priority=max(status.priority, priority),
                escalate=True,
            )
        return status
    q = turn.ctx.queue
    ticket = q.nobody_on_duty and q.callback_at is not None
    if ticket:
        assert q.callback_at is not None
        wait = max(0, int((q.callback_at - turn.ctx.now).total_seconds())) or q.eta_seconds
        when = callback_text(q.callback_at, turn.ctx, turn.language, wait)
        # Closed, or open with nobody signed in: the customer is told which.
        situation = "ticket_unstaffed" if q.staffed_now else "ticket"
        reply = compose(
            situation, turn.language, frozenset(), callback=when, wording=turn.ctx.wording
        )
    else:
        if situation == "handoff_queued" and q.agents_online == 0:
            situation = "handoff_unstaffed"
        reply = compose(
            situation,
            turn.language,
            frozenset(),
            position=q.position_if_queued,
            eta_seconds=q.eta_seconds,
            wording=turn.ctx.wording,
        )
    assert reply is not None
    kept = dict(proposal) if proposal is not None else None
    memory = replace(turn.memory, clarified=False, pending=None, pending_intent=None, proposal=kept)
    return turn.decision(
        "hand_off",
        rule or reason,
        (*lead, replace(reply, key=f"{reply.key}@{len(turn.memory.sent_keys)}")),
        handoff_reason=reason,
        skill=skill or skill_for(turn),
        priority=priority,
        miss=miss,
        memory=memory,
        ticket=ticket,
        callback_at=q.callback_at if ticket else None,
        proposal=kept,
        details={"position": q.position_if_queued, "eta_seconds": q.eta_seconds},
    )


def callback_text(at: datetime, ctx: TurnContext, language: str, wait_seconds: int) -> str:
    style = "time" if wait_seconds < 12 * 3600 else "date"
    return local_time(at, ctx.zone, language, style=style)


def skill_for(turn: Turn) -> str:
    shop = turn.ctx.shop
    if shop is not None and shop.tier is not None and shop.tier.value == "vip":
        return "vip"
    if turn.intent in ("where_is_parcel", "urge_shipping", "order_status"):
        return "logistics"
    if turn.intent in KNOWLEDGE_INTENTS:
        return "pre_sale"
    return "after_sale"


def strong(turn: Turn) -> bool:
    a = turn.ctx.analysis
    return bool(
        a
        and a.emotion.label in ("anger", "anxiety")
        and a.emotion.intensity >= turn.ctx.rules.strong_emotion
    )


def offer_person(turn: Turn, replies: tuple[BotReply, ...]) -> tuple[BotReply, ...]:
    """Strong emotion: offer a person at once, beside whatever the AI could do."""
    if not strong(turn) or turn.view.state == "queued":
        return replies
    offer = compose(
        "offer_person",
        turn.language,
        turn.sent | frozenset(r.key for r in replies),
        quick_replies=(handoff_quick_reply(turn.language, turn.ctx.wording),),
        wording=turn.ctx.wording,
    )
    return replies + ((offer,) if offer is not None else ())
