"""Shop use cases: every action goes through the written policy and is recorded.

Services never commit: the edge (HTTP handler, engine effect, CLI) owns the transaction.
Ownership is checked here as well as in the adapter: an order that is not the customer's is
"not found", with the same message as an order that does not exist, so typing someone
else's number reveals nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.core.ids import new_id
from tandem.shop.adapter import ShopActionRejected, ShopAdapter
from tandem.shop.models import ShopAction, ShopProposal
from tandem.shop.policy import evaluate
from tandem.shop.policy_config import ShopPolicy
from tandem.shop.present import ParcelStatus, ShopFacts
from tandem.shop.schemas import ActionOutcome, ActionRecord, Actor, ProposalOut
from tandem.shop.types import (
    ActionKind,
    ActionRequest,
    ItemCondition,
    Order,
    ReturnReason,
    Verdict,
)


def _not_found(order_id: str) -> NotFound:
    return NotFound(
        f"order {order_id} is not one of this customer's orders; "
        "pick one from the customer's order list"
    )


# --- reading ------------------------------------------------------------------------------


async def customer_orders(adapter: ShopAdapter, customer_id: str) -> list[Order]:
    """The customer's own orders, newest first (for the chat's order picker)."""
    orders = await adapter.list_orders(customer_id)
    return [o for o in orders if o.customer_id == customer_id]


async def get_customer_order(adapter: ShopAdapter, customer_id: str, order_id: str) -> Order | None:
    """The order if it is this customer's, else None (never another customer's order)."""
    order = await adapter.get_order(customer_id, order_id.strip())
    if order is None or order.customer_id != customer_id:
        return None
    return order


async def require_customer_order(adapter: ShopAdapter, customer_id: str, order_id: str) -> Order:
    order = await get_customer_order(adapter, customer_id, order_id)
    if order is None:
        raise _not_found(order_id)
    return order


async def parcel_status(
    adapter: ShopAdapter, customer_id: str, order_id: str
) -> ParcelStatus | None:
    """Where is my parcel: the order and its carrier events (latest last), or None."""
    order = await get_customer_order(adapter, customer_id, order_id)
    if order is None:
        return None
    events = await adapter.tracking(customer_id, order.order_id)
    return ParcelStatus(order=order, events=tuple(events))


async def load_shop_facts(adapter: ShopAdapter, customer_id: str | None) -> ShopFacts:
    """The customer's profile and own orders for the engine; empty for an anonymous customer."""
    if not customer_id:
        return ShopFacts(customer=None, orders=())
    customer = await adapter.get_customer(customer_id)
    orders = await customer_orders(adapter, customer_id)
    return ShopFacts(customer=customer, orders=tuple(orders))


# --- acting -------------------------------------------------------------------------------


async def _execute(
    adapter: ShopAdapter, order: Order, request: ActionRequest, verdict: Verdict
) -> Order:
    cid, oid = order.customer_id, order.order_id
    match request.kind:
        case ActionKind.CANCEL:
            return await adapter.cancel(cid, oid)
        case ActionKind.REFUND:
            return await adapter.refund(cid, oid, verdict.amount_cents or 0)
        case ActionKind.RETURN | ActionKind.EXCHANGE:
            return await adapter.start_return(
                cid,
                oid,
                kind=request.kind.value,
                reason=request.reason or ReturnReason.NO_REASON,
                condition=request.condition or ItemCondition.UNUSED,
                evidence_urls=request.evidence_urls,
                note=request.note,
            )
        case ActionKind.SET_RETURN_TRACKING:
            return await adapter.set_return_tracking(
                cid, oid, (request.return_tracking_number or "").strip(), request.return_carrier
            )
        case ActionKind.CHANGE_ADDRESS:
            if request.new_address is None:  # the policy asks for it first
                raise InvalidInput("new_address is required to change the address")
            return await adapter.change_address(cid, oid, request.new_address)
        case ActionKind.URGE_SHIPPING:
            return await adapter.urge_shipping(cid, oid)
    raise AssertionError(f"unhandled action {request.kind}")  # pragma: no cover


def _record(
    session: AsyncSession,
    *,
    order: Order,
    request: ActionRequest,
    actor: Actor,
    now: datetime,
    outcome: str,
    verdict: Verdict,
    conversation_id: str | None,
    proposal_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> ShopAction:
    details: dict[str, Any] = {
        "request": request.model_dump(mode="json", exclude_defaults=True),
        "reason_zh": verdict.reason_zh,
        "reason_en": verdict.reason_en,
        "amount_cents": verdict.amount_cents,
        "status_before": order.status.value,
    }
    details.update(extra or {})
    row = ShopAction(
        id=new_id("sact"),
        order_id=order.order_id,
        customer_id=order.customer_id,
        kind=request.kind.value,
        actor_kind=actor.kind,
        actor_id=actor.id,
        at=now,
        outcome=outcome,
        rule=verdict.rule,
        details=details,
        proposal_id=proposal_id,
        conversation_id=conversation_id,
    )
    session.add(row)
    return row


async def _propose(
    session: AsyncSession,
    *,
    order: Order,
    request: ActionRequest,
    verdict: Verdict,
    actor: Actor,
    now: datetime,
    conversation_id: str | None,
) -> ShopProposal:
    """One pending proposal per order and kind: asking twice does not queue it twice."""
    existing = await session.scalar(
        select(ShopProposal).where(
            ShopProposal.order_id == order.order_id,
            ShopProposal.kind == request.kind.value,
            ShopProposal.status == "pending",
        )
    )
    if existing is not None:
        return existing
    proposal = ShopProposal(
        id=new_id("prop"),
        order_id=order.order_id,
        customer_id=order.customer_id,
        kind=request.kind.value,
        request=request.model_dump(mode="json", exclude_defaults=True),
        amount_cents=verdict.amount_cents,
        rule=verdict.rule,
        reason_zh=verdict.reason_zh,
        status="pending",
        proposed_by_kind=actor.kind,
        proposed_by_id=actor.id,
        created_at=now,
        conversation_id=conversation_id,
    )
    session.add(proposal)
    return proposal


async def perform_action(
    session: AsyncSession,
    adapter: ShopAdapter,
    policy: ShopPolicy,
    *,
    customer_id: str,
    order_id: str,
    request: ActionRequest,
    actor: Actor,
    now: datetime,
    conversation_id: str | None = None,
) -> ActionOutcome:
    """Apply the written policy to `request` and do what it allows; record every attempt.

    A human agent's own action counts as approved (the refund threshold does not apply to
    it; every other rule does). A refund at or above the threshold asked by the AI or the
    customer becomes a pending proposal. Raises NotFound when the order is not the
    customer's; never raises for a declined request (the verdict says why).
    """
    order = await require_customer_order(adapter, customer_id, order_id)
    verdict = evaluate(request, order, policy, now, approved=actor.kind == "agent")
    if verdict.outcome == "needs_approval":
        proposal = await _propose(
            session,
            order=order,
            request=request,
            verdict=verdict,
            actor=actor,
            now=now,
            conversation_id=conversation_id,
        )
        row = _record(
            session,
            order=order,
            request=request,
            actor=actor,
            now=now,
            outcome="needs_approval",
            verdict=verdict,
            conversation_id=conversation_id,
            proposal_id=proposal.id,
        )
        await session.flush()
        return ActionOutcome(
            action_id=row.id, verdict=verdict, order=order, performed=False, proposal_id=proposal.id
        )
    if not verdict.allowed:
        row = _record(
            session,
            order=order,
            request=request,
            actor=actor,
            now=now,
            outcome=verdict.outcome,
            verdict=verdict,
            conversation_id=conversation_id,
        )
        await session.flush()
        return ActionOutcome(action_id=row.id, verdict=verdict, order=order, performed=False)
    try:
        updated = await _execute(adapter, order, request, verdict)
    except ShopActionRejected as e:
        refused = Verdict(
            outcome="declined",
            rule="shop_refused",
            reason_zh="店铺系统暂时无法办理这项操作。",
            reason_en="The shop's system could not do this just now.",
            next_step_zh="已记录，您可以转人工客服处理。",
            next_step_en="It is noted; a person from our team can take it from here.",
            human_review_offered=True,
        )
        row = _record(
            session,
            order=order,
            request=request,
            actor=actor,
            now=now,
            outcome="failed",
            verdict=verdict,
            conversation_id=conversation_id,
            extra={"error": e.message},
        )
        await session.flush()
        return ActionOutcome(action_id=row.id, verdict=refused, order=order, performed=False)
    row = _record(
        session,
        order=order,
        request=request,
        actor=actor,
        now=now,
        outcome="allowed",
        verdict=verdict,
        conversation_id=conversation_id,
        extra={"status_after": updated.status.value},
    )
    await session.flush()
    follow_up = None
    if request.kind == ActionKind.SET_RETURN_TRACKING and policy.refund.refund_on_return_tracking:
        # The written policy refunds a return once its tracking number is given.
        follow_up = await perform_action(
            session,
            adapter,
            policy,
            customer_id=customer_id,
            order_id=order.order_id,
            request=ActionRequest(kind=ActionKind.REFUND),
            actor=actor,
            now=now,
            conversation_id=conversation_id,
        )
        updated = follow_up.order
    return ActionOutcome(
        action_id=row.id, verdict=verdict, order=updated, performed=True, follow_up=follow_up
    )


# --- proposals: AI proposes, a human decides ---------------------------------------------


def proposal_out(p: ShopProposal) -> ProposalOut:
    return ProposalOut.model_validate(p, from_attributes=True)


def action_out(a: ShopAction) -> ActionRecord:
    return ActionRecord.model_validate(a, from_attributes=True)


async def require_proposal(session: AsyncSession, proposal_id: str) -> ShopProposal:
    proposal = await session.get(ShopProposal, proposal_id, with_for_update=True)
    if proposal is None:
        raise NotFound(f"proposal {proposal_id} does not exist; list pending ones first")
    return proposal


def _require_pending(proposal: ShopProposal) -> None:
    if proposal.status != "pending":
        raise Conflict(
            f"proposal {proposal.id} was already {proposal.status} by {proposal.decided_by}"
        )


async def approve_proposal(
    session: AsyncSession,
    adapter: ShopAdapter,
    policy: ShopPolicy,
    *,
    proposal_id: str,
    agent_id: str,
    now: datetime,
    amount_cents: int | None = None,
    note: str = "",
) -> ActionOutcome:
    """A human approves (optionally with a smaller amount: "edited") and the action is done.

    The policy is applied again, so an order that moved on meanwhile (already refunded,
    say) is not acted on twice; the proposal is then closed as rejected with the rule.
    """
    proposal = await require_proposal(session, proposal_id)
    _require_pending(proposal)
    request = ActionRequest.model_validate(proposal.request)
    edited = amount_cents is not None and amount_cents != proposal.amount_cents
    if edited:
        request = request.model_copy(update={"amount_cents": amount_cents})
    outcome = await perform_action(
        session,
        adapter,
        policy,
        customer_id=proposal.customer_id,
        order_id=proposal.order_id,
        request=request,
        actor=Actor(kind="agent", id=agent_id),
        now=now,
        conversation_id=proposal.conversation_id,
    )
    action = await session.get(ShopAction, outcome.action_id)
    if action is not None:
        action.proposal_id = proposal.id
    proposal.decided_by = agent_id
    proposal.decided_at = now
    if outcome.performed:
        proposal.status = "edited" if edited else "approved"
        proposal.decision_note = note or None
        if edited:
            proposal.request = request.model_dump(mode="json", exclude_defaults=True)
            proposal.amount_cents = outcome.verdict.amount_cents
    else:
        proposal.status = "rejected"
        proposal.decision_note = f"policy now says {outcome.verdict.rule}: {note}".strip(": ")
    await session.flush()
    return outcome


async def reject_proposal(
    session: AsyncSession, *, proposal_id: str, agent_id: str, now: datetime, note: str
) -> ProposalOut:
    """A human declines the proposal; the note is the reason the customer is given."""
    proposal = await require_proposal(session, proposal_id)
    _require_pending(proposal)
    proposal.status = "rejected"
    proposal.decided_by = agent_id
    proposal.decided_at = now
    proposal.decision_note = note
    session.add(
        ShopAction(
            id=new_id("sact"),
            order_id=proposal.order_id,
            customer_id=proposal.customer_id,
            kind=proposal.kind,
            actor_kind="agent",
            actor_id=agent_id,
            at=now,
            outcome="declined",
            rule="proposal_rejected",
            details={"note": note, "request": proposal.request},
            proposal_id=proposal.id,
            conversation_id=proposal.conversation_id,
        )
    )
    await session.flush()
    return proposal_out(proposal)


async def list_proposals(
    session: AsyncSession,
    *,
    status: str | None = "pending",
    conversation_id: str | None = None,
    limit: int = 100,
) -> list[ProposalOut]:
    q = select(ShopProposal).order_by(ShopProposal.created_at.desc()).limit(limit)
    if status is not None:
        q = q.where(ShopProposal.status == status)
    if conversation_id is not None:
        q = q.where(ShopProposal.conversation_id == conversation_id)
    return [proposal_out(p) for p in await session.scalars(q)]


async def list_actions(
    session: AsyncSession,
    *,
    order_id: str | None = None,
    conversation_id: str | None = None,
    limit: int = 200,
) -> list[ActionRecord]:
    """Recorded attempts, newest first, for one order or one conversation."""
    q = select(ShopAction).order_by(ShopAction.at.desc(), ShopAction.id.desc()).limit(limit)
    if order_id is not None:
        q = q.where(ShopAction.order_id == order_id)
    if conversation_id is not None:
        q = q.where(ShopAction.conversation_id == conversation_id)
    return [action_out(a) for a in await session.scalars(q)]
