"""The pure rules of the shop's written policy.

`evaluate` answers "may this be done to this order now, and what do we tell the customer?".
It never reads the clock, the database or the network: the caller hands in `now`.
Every declined verdict gives the reason and offers a person, so no customer hits a dead end
(the seeds' case: medicine never shipped, refund auto-rejected, nobody reachable).

Rule ids (`Verdict.rule`) are stable: analytics count them and the desk shows them.
"""

from __future__ import annotations

from datetime import datetime

from tandem.shop.policy.refunds import cancel_rule, refund_rule
from tandem.shop.policy.returns import return_rule, return_tracking_rule
from tandem.shop.policy.routing import (
    human_first_reason,
    next_service_opening,
    unstaffed_reply_by,
    within_service_hours,
)
from tandem.shop.policy.shipping import change_address_rule, urge_rule
from tandem.shop.policy.verdicts import refundable_cents
from tandem.shop.policy_config import ShopPolicy
from tandem.shop.types import ActionKind, ActionRequest, Order, Verdict

__all__ = [
    "evaluate",
    "human_first_reason",
    "next_service_opening",
    "refundable_cents",
    "unstaffed_reply_by",
    "within_service_hours",
]


def evaluate(
    request: ActionRequest,
    order: Order,
    policy: ShopPolicy,
    now: datetime,
    *,
    approved: bool = False,
) -> Verdict:
    """What the written policy says about `request` on `order` at `now`.

    `approved=True` means a person has approved it (an agent acting, or a proposal being
    approved): the refund threshold no longer applies, every other rule still does.
    """
    match request.kind:
        case ActionKind.CANCEL:
            return cancel_rule(order, request, policy, approved)
        case ActionKind.REFUND:
            return refund_rule(order, request, policy, approved)
        case ActionKind.RETURN | ActionKind.EXCHANGE:
            return return_rule(order, request, policy, now)
        case ActionKind.SET_RETURN_TRACKING:
            return return_tracking_rule(order, request)
        case ActionKind.CHANGE_ADDRESS:
            return change_address_rule(order, request)
        case ActionKind.URGE_SHIPPING:
            return urge_rule(order, now, policy.service_hours.zone)
    raise AssertionError(f"unhandled action {request.kind}")  # pragma: no cover
