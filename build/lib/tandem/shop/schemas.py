"""Pydantic I/O of the shop API and service results (kept apart from the tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tandem.shop.present import status_label
from tandem.shop.types import ActionRequest, Order, TrackingEvent, Verdict

ActorKind = Literal["ai", "agent", "customer"]


class Actor(BaseModel):
    """Who asked for an action: the AI agent, a human agent (by account id) or the customer."""

    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    id: str


class OrderOut(BaseModel):
    """An order with the labels the chat's order picker and the desk show."""

    order: Order
    title_zh: str
    title_en: str
    status_zh: str
    status_en: str

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        return cls(
            order=order,
            title_zh=order.title_zh(),
            title_en=order.title_en(),
            status_zh=status_label(order, "zh"),
            status_en=status_label(order, "en"),
        )


class OrderList(BaseModel):
    orders: list[OrderOut]
    # Why the list is empty, for the chat (e.g. an anonymous customer).
    hint_zh: str | None = None
    hint_en: str | None = None


class OrderDetail(BaseModel):
    order: OrderOut
    tracking: list[TrackingEvent]


class ActionOutcome(BaseModel):
    """The result of one attempted action, as recorded in `shop_actions`."""

    action_id: str
    verdict: Verdict
    order: Order
    performed: bool
    proposal_id: str | None = None
    # An action the policy chains after this one (a refund once the return tracking is in).
    follow_up: ActionOutcome | None = None


class ActionRecord(BaseModel):
    id: str
    order_id: str
    customer_id: str
    kind: str
    actor_kind: str
    actor_id: str
    at: datetime
    outcome: str
    rule: str
    details: dict[str, Any]
    proposal_id: str | None
    conversation_id: str | None


class ProposalOut(BaseModel):
    id: str
    order_id: str
    customer_id: str
    kind: str
    request: dict[str, Any]
    amount_cents: int | None
    rule: str
    reason_zh: str
    status: Literal["pending", "approved", "rejected", "edited"]
    proposed_by_kind: str
    proposed_by_id: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    conversation_id: str | None


class DeskActionIn(BaseModel):
    """An agent's action on a customer's order from the desk."""

    customer_id: str = Field(min_length=1, max_length=100)
    request: ActionRequest
    conversation_id: str | None = Field(default=None, max_length=40)


class ApproveIn(BaseModel):
    # Approve a different (smaller) amount than proposed: the proposal becomes "edited".
    amount_cents: int | None = Field(default=None, gt=0)
    note: str = Field(default="", max_length=500)


class RejectIn(BaseModel):
    note: str = Field(min_length=1, max_length=500)
