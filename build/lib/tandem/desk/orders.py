"""The desk's use cases on a customer's orders: acting on an order, deciding the shop's
proposals, telling the customer. Who may do it is asked of `desk.authz`; what the shop allows
is the shop's written policy (`shop.service`), applied exactly as for the AI.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation
from tandem.conversations.service import add_message, require_conversation
from tandem.core.errors import InvalidInput
from tandem.db.uow import UnitOfWork
from tandem.desk import authz
from tandem.identity import audit
from tandem.identity.service import Principal
from tandem.shop import service as shop_service
from tandem.shop.models import ShopProposal
from tandem.shop.policy.verdicts import refundable_cents
from tandem.shop.provider import Shop
from tandem.shop.schemas import ActionOutcome, Actor, ProposalOut
from tandem.shop.types import ActionKind, ActionRequest, yuan

TOLD = {
    "approved": "好消息：您的申请已由人工客服审核通过，退款{money}将原路退回，一般 1-3 个工作日到账。",
    "not_done": "您的申请未能办理：{reason}{next_step}",
    "rejected": "您的申请经人工客服审核未通过：{note}。如有疑问，可以继续在这里留言。",
}


async def act_on_order(
    uow: UnitOfWork,
    shop: Shop,
    principal: Principal,
    *,
    customer_id: str,
    order_id: str,
    request: ActionRequest,
    conversation_id: str | None,
    now: datetime,
) -> ActionOutcome:
    """A person's action on an order, inside a conversation they own with its customer (a
    supervisor may act from a ticket), within their role's refund limit."""
    session = uow.session
    await authz.require_order_conversation(session, principal, conversation_id, customer_id)
    adapter = shop.adapter(session)
    order = await shop_service.require_customer_order(adapter, customer_id, order_id)
    authz.require_refund_within_limit(shop.policy, principal, request, order)
    outcome = await shop_service.perform_action(
        session,
        adapter,
        shop.policy,
        customer_id=customer_id,
        order_id=order_id,
        request=request,
        actor=Actor(kind="agent", id=principal.id),
        now=now,
        conversation_id=conversation_id,
    )
    await audit.record(
        uow,
        actor=principal,
        action="refund" if request.kind == ActionKind.REFUND else "order_action",
        at=now,
        target=order_id,
        details={
            "kind": request.kind.value,
            "outcome": outcome.verdict.outcome,
            "amount_cents": outcome.verdict.amount_cents,
            "conversation": conversation_id,
        },
    )
    return outcome


async def _require_decidable(
    session: AsyncSession, principal: Principal, proposal: ShopProposal
) -> None:
    """An agent decides the proposals of a conversation they own; a supervisor any."""
    if principal.is_supervisor:
        return
    if proposal.conversation_id is None:
        authz.require_supervisor(principal)
        return
    await authz.require_owned(session, principal, proposal.conversation_id)


async def visible_proposals(
    session: AsyncSession, principal: Principal, *, status: str | None, conversation_id: str | None
) -> list[ProposalOut]:
    """Proposals the caller may see: a conversation's (if they may see it), or, without one,
    all (supervisor) or those of the conversations the agent owns."""
    if conversation_id is not None:
        await authz.require_visible(session, principal, conversation_id)
    found = await shop_service.list_proposals(
        session, status=status, conversation_id=conversation_id
    )
    if principal.is_supervisor or conversation_id is not None:
        return found
    owned = set(
        (
            await session.scalars(
                select(Conversation.id).where(
                    Conversation.assigned_agent_id == principal.id, Conversation.state == "agent"
                )
            )
        ).all()
    )
    return [p for p in found if p.conversation_id in owned]


async def approve(
    uow: UnitOfWork,
    shop: Shop,
    principal: Principal,
    proposal_id: str,
    *,
    amount_cents: int | None,
    note: str,
    now: datetime,
) -> ActionOutcome:
    """Approve (optionally another amount) and tell the customer. An amount above what the
    order can still refund is refused with what can be (422), never silently lowered."""
    session = uow.session
    proposal = await shop_service.require_proposal(session, proposal_id)
    await _require_decidable(session, principal, proposal)
    adapter = shop.adapter(session)
    order = await shop_service.require_customer_order(
        adapter, proposal.customer_id, proposal.order_id
    )
    request = ActionRequest.model_validate(proposal.request)
    if amount_cents is not None:
        if request.kind != ActionKind.REFUND:
            raise InvalidInput(
                "只有退款方案可以修改金额。 / Only a refund proposal takes another amount."
            )
        left = refundable_cents(order)
        if amount_cents > left:
            raise InvalidInput(
                f"金额 ¥{yuan(amount_cents)} 超过该订单还可退的 ¥{yuan(left)}："
                f"请改为不超过 ¥{yuan(left)} 的金额（您的备注未丢失，可直接重新提交）。"
                f" / ¥{yuan(amount_cents)} is more than the ¥{yuan(left)} this order can still "
                "refund: enter at most that."
            )
        request = request.model_copy(update={"amount_cents": amount_cents})
    authz.require_refund_within_limit(shop.policy, principal, request, order)
    outcome = await shop_service.approve_proposal(
        session,
        adapter,
        shop.policy,
        proposal_id=proposal_id,
        agent_id=principal.id,
        now=now,
        amount_cents=amount_cents,
        note=note,
    )
    if proposal.conversation_id:
        await _tell_customer(uow, proposal.conversation_id, outcome, proposal.id, note)
    await audit.record(
        uow,
        actor=principal,
        action="proposal_approved",
        at=now,
        target=proposal.id,
        details={
            "order": proposal.order_id,
            "amount_cents": outcome.verdict.amount_cents,
            "performed": outcome.performed,
            "note": note or None,
        },
    )
    return outcome


async def reject(
    uow: UnitOfWork, principal: Principal, proposal_id: str, *, note: str, now: datetime
) -> ProposalOut:
    session = uow.session
    proposal = await shop_service.require_proposal(session, proposal_id)
    await _require_decidable(session, principal, proposal)
    out = await shop_service.reject_proposal(
        session, proposal_id=proposal_id, agent_id=principal.id, now=now, note=note
    )
    await audit.record(
        uow,
        actor=principal,
        action="proposal_rejected",
        at=now,
        target=proposal_id,
        details={"note": note},
    )
    if out.conversation_id:
        conversation = await require_conversation(session, out.conversation_id)
        await add_message(
            uow,
            conversation,
            author="system",
            text=TOLD["rejected"].format(note=note),
            meta={"shop_proposal": out.id, "status": "rejected"},
        )
    return out


async def _tell_customer(
    uow: UnitOfWork, conversation_id: str, outcome: ActionOutcome, proposal_id: str, note: str
) -> None:
    conversation = await require_conversation(uow.session, conversation_id)
    if outcome.performed:
        amount = outcome.verdict.amount_cents
        text = TOLD["approved"].format(money=f" ¥{yuan(amount)}" if amount else "")
    else:
        text = TOLD["not_done"].format(
            reason=outcome.verdict.reason_zh, next_step=outcome.verdict.next_step_zh
        )
    await add_message(
        uow,
        conversation,
        author="system",
        text=text,
        meta={"shop_proposal": proposal_id, "rule": outcome.verdict.rule, "note": note or None},
    )
