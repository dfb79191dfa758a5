"""HTTP routes of orders: the customer's own, and the desk's actions and proposals (kept with the
desk, whose authorization and proposal use cases they call; the shop package stays below it).

Thin: each handler opens one unit of work, calls `tandem.shop.service` (the customer's) or
`tandem.desk.orders` (the desk's, authorised by `tandem.desk.authz`), and commits.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from tandem.core.errors import Forbidden, NotFound
from tandem.deps import AgentDep, CustomerAccess, CustomerDep, ServicesDep, SupervisorDep
from tandem.desk import authz, orders
from tandem.identity.service import Principal
from tandem.services import Services
from tandem.shop import service
from tandem.shop.policy_config import default_policy_text
from tandem.shop.schemas import (
    ActionOutcome,
    ActionRecord,
    Actor,
    ApproveIn,
    DeskActionIn,
    OrderDetail,
    OrderList,
    OrderOut,
    ProposalOut,
    RejectIn,
)
from tandem.shop.types import ActionRequest

router = APIRouter(tags=["shop"])

_ANON_ZH = "登录店铺账号后，才能在这里查看和办理您的订单。"
_ANON_EN = "Log in to the shop first to see and manage your orders here."


def _signed_customer(access: CustomerAccess) -> str:
    if not access.external_id:
        raise Forbidden(
            "this conversation is anonymous: the shop's page must sign the customer's id "
            "(see docs/api.md) before orders can be used"
        )
    return access.external_id


# --- the customer ----------------------------------------------------------------------


@router.get("/api/v1/conversations/{conversation_id}/orders", response_model=OrderList)
async def my_orders(services: ServicesDep, access: CustomerDep) -> OrderList:
    """The customer's own orders, newest first, for the chat's order picker."""
    if not access.external_id:
        return OrderList(orders=[], hint_zh=_ANON_ZH, hint_en=_ANON_EN)
    shop = services.shop
    async with services.sessions() as session:
        orders = await service.customer_orders(shop.adapter(session), access.external_id)
    return OrderList(orders=[OrderOut.of(o) for o in orders])


@router.get("/api/v1/conversations/{conversation_id}/orders/{order_id}", response_model=OrderDetail)
async def my_order(order_id: str, services: ServicesDep, access: CustomerDep) -> OrderDetail:
    customer_id = _signed_customer(access)
    shop = services.shop
    async with services.sessions() as session:
        adapter = shop.adapter(session)
        status = await service.parcel_status(adapter, customer_id, order_id)
    if status is None:
        raise NotFound(f"order {order_id} is not one of your orders; pick one from your list")
    return OrderDetail(order=OrderOut.of(status.order), tracking=list(status.events))


@router.post(
    "/api/v1/conversations/{conversation_id}/orders/{order_id}/actions",
    response_model=ActionOutcome,
)
async def act_on_my_order(
    order_id: str, body: ActionRequest, services: ServicesDep, access: CustomerDep
) -> ActionOutcome:
    """Self-service from the chat (order picker buttons), under the same written policy."""
    customer_id = _signed_customer(access)
    shop = services.shop
    async with services.unit_of_work() as uow:
        return await service.perform_action(
            uow.session,
            shop.adapter(uow.session),
            shop.policy,
            customer_id=customer_id,
            order_id=order_id,
            request=body,
            actor=Actor(kind="customer", id=customer_id),
            now=services.clock.now(),
            conversation_id=access.conversation_id,
        )


# --- the desk (who may: desk.authz; the use cases: desk.orders) ------------------------


async def _visible_customer(services: Services, agent: Principal, conversation_id: str) -> str:
    async with services.sessions() as session:
        conversation = await authz.require_visible(session, agent, conversation_id)
    if not conversation.customer_external_id:
        raise NotFound(
            "this customer is anonymous (the shop's page did not sign an id), so no orders "
            "can be linked; ask for the order number and look it up in the shop's back office"
        )
    return conversation.customer_external_id


@router.get("/api/v1/desk/conversations/{conversation_id}/orders", response_model=OrderList)
async def desk_orders(conversation_id: str, services: ServicesDep, agent: AgentDep) -> OrderList:
    customer_id = await _visible_customer(services, agent, conversation_id)
    shop = services.shop
    async with services.sessions() as session:
        orders = await service.customer_orders(shop.adapter(session), customer_id)
    return OrderList(orders=[OrderOut.of(o) for o in orders])


@router.get(
    "/api/v1/desk/conversations/{conversation_id}/orders/{order_id}", response_model=OrderDetail
)
async def desk_order(
    conversation_id: str, order_id: str, services: ServicesDep, agent: AgentDep
) -> OrderDetail:
    customer_id = await _visible_customer(services, agent, conversation_id)
    shop = services.shop
    async with services.sessions() as session:
        status = await service.parcel_status(shop.adapter(session), customer_id, order_id)
    if status is None:
        raise NotFound(f"order {order_id} is not this customer's")
    return OrderDetail(order=OrderOut.of(status.order), tracking=list(status.events))


@router.post(
    "/api/v1/desk/conversations/{conversation_id}/orders/{order_id}/actions",
    response_model=ActionOutcome,
)
async def desk_act(
    conversation_id: str,
    order_id: str,
    body: ActionRequest,
    services: ServicesDep,
    agent: AgentDep,
) -> ActionOutcome:
    """The agent who owns the conversation acts on its customer's order (policy applies)."""
    async with services.unit_of_work() as uow:
        conversation = await authz.require_owned(uow.session, agent, conversation_id)
        if not conversation.customer_external_id:
            raise NotFound(
                "this customer is anonymous (the shop's page did not sign an id): no orders "
                "can be linked; ask for the order number and check it in the shop's back office"
            )
        return await orders.act_on_order(
            uow,
            services.shop,
            agent,
            customer_id=conversation.customer_external_id or "",
            order_id=order_id,
            request=body,
            conversation_id=conversation_id,
            now=services.clock.now(),
        )


@router.post("/api/v1/shop/orders/{order_id}/actions", response_model=ActionOutcome)
async def desk_act_by_customer(
    order_id: str, body: DeskActionIn, services: ServicesDep, agent: AgentDep
) -> ActionOutcome:
    """By the shop's customer id: an agent from a conversation they own with that customer,
    a supervisor also from a ticket (no conversation)."""
    async with services.unit_of_work() as uow:
        return await orders.act_on_order(
            uow,
            services.shop,
            agent,
            customer_id=body.customer_id,
            order_id=order_id,
            request=body.request,
            conversation_id=body.conversation_id,
            now=services.clock.now(),
        )


@router.get("/api/v1/shop/orders/{order_id}/actions", response_model=list[ActionRecord])
async def order_actions(
    order_id: str, services: ServicesDep, supervisor: SupervisorDep
) -> list[ActionRecord]:
    """Every attempt on the order: who or what, when, the rule, the outcome. Newest first."""
    async with services.sessions() as session:
        return await service.list_actions(session, order_id=order_id)


@router.get(
    "/api/v1/desk/conversations/{conversation_id}/shop-actions",
    response_model=list[ActionRecord],
)
async def conversation_actions(
    conversation_id: str, services: ServicesDep, agent: AgentDep
) -> list[ActionRecord]:
    async with services.sessions() as session:
        await authz.require_visible(session, agent, conversation_id)
        return await service.list_actions(session, conversation_id=conversation_id)


@router.get("/api/v1/shop/proposals", response_model=list[ProposalOut])
async def proposals(
    services: ServicesDep,
    agent: AgentDep,
    status: Annotated[
        Literal["pending", "approved", "rejected", "edited", "all"], Query()
    ] = "pending",
    conversation_id: Annotated[str | None, Query(max_length=40)] = None,
) -> list[ProposalOut]:
    async with services.sessions() as session:
        return await orders.visible_proposals(
            session,
            agent,
            status=None if status == "all" else status,
            conversation_id=conversation_id,
        )


@router.post("/api/v1/shop/proposals/{proposal_id}/approve", response_model=ActionOutcome)
async def approve(
    proposal_id: str, body: ApproveIn, services: ServicesDep, agent: AgentDep
) -> ActionOutcome:
    """A person approves the AI's proposal; the action is performed and the customer told."""
    async with services.unit_of_work() as uow:
        return await orders.approve(
            uow,
            services.shop,
            agent,
            proposal_id,
            amount_cents=body.amount_cents,
            note=body.note,
            now=services.clock.now(),
        )


@router.post("/api/v1/shop/proposals/{proposal_id}/reject", response_model=ProposalOut)
async def reject(
    proposal_id: str, body: RejectIn, services: ServicesDep, agent: AgentDep
) -> ProposalOut:
    async with services.unit_of_work() as uow:
        return await orders.reject(
            uow, agent, proposal_id, note=body.note, now=services.clock.now()
        )


@router.get("/api/v1/shop/policy")
async def policy(services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    """The written policy as the desk shows it: the parsed values and the file itself."""
    shop = services.shop
    path = services.settings.shop_policy_file
    text = path.read_text("utf-8") if path else default_policy_text()
    return {
        "source": str(path) if path else "default",
        "policy": shop.policy.model_dump(mode="json"),
        "text": text,
    }
