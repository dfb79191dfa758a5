"""Rules for money going back: cancelling, refunding, and the approval threshold."""

from __future__ import annotations

from tandem.shop.policy.verdicts import closed_verdict, decline, refundable_cents
from tandem.shop.policy_config import ShopPolicy
from tandem.shop.types import ActionRequest, Order, OrderStatus, Verdict, yuan


def _refund(
    order: Order,
    request: ActionRequest,
    policy: ShopPolicy,
    approved: bool,
    rule: str,
    reason_zh: str,
    reason_en: str,
) -> Verdict:
    """A refund the rules allow: done at once, or proposed to a human at/above the threshold."""
    left = refundable_cents(order)
    if left == 0:
        return decline(
            "nothing_left_to_refund",
            "这笔订单已经全额退款了。",
            "This order has already been refunded in full.",
        )
    amount = min(request.amount_cents or left, left)
    threshold = policy.refund_approval_threshold_cents
    # Counted on the order's cumulative refunds, so splitting a refund does not dodge it.
    if not approved and order.refunded_cents + amount >= threshold:
        return Verdict(
            outcome="needs_approval",
            rule="refund_above_threshold",
            reason_zh=f"退款金额 ¥{yuan(amount)} 达到店铺设定的 ¥{yuan(threshold)}，需要人工客服确认。",
            reason_en=(
                f"A refund of ¥{yuan(amount)} is at or above the shop's ¥{yuan(threshold)} limit "
                "for automatic refunds, so a person confirms it."
            ),
            next_step_zh="已为您提交退款申请，人工客服审批后立即退款，结果会在对话中通知您。",
            next_step_en=(
                "Your refund request has been submitted; it is paid as soon as a person "
                "approves it, and you will be told here."
            ),
            amount_cents=amount,
        )
    return Verdict(
        outcome="allowed",
        rule=rule,
        reason_zh=reason_zh,
        reason_en=reason_en,
        next_step_zh=f"¥{yuan(amount)} 将原路退回，一般 1-3 个工作日到账。",
        next_step_en=f"¥{yuan(amount)} goes back to your original payment method in 1-3 working days.",
        amount_cents=amount,
    )


def _unshipped_refund(
    order: Order, request: ActionRequest, policy: ShopPolicy, approved: bool
) -> Verdict:
    if not policy.refund.unshipped_refund_immediate and not approved:
        # The shop chose to look at these itself; still never a rejection.
        return Verdict(
            outcome="needs_approval",
            rule="unshipped_refund_review",
            reason_zh="订单尚未发货，店铺会人工确认后退款。",
            reason_en="The order has not shipped; the shop confirms the refund by hand.",
            next_step_zh="已为您提交退款申请，确认后立即退款。",
            next_step_en="Your refund request is submitted and paid once confirmed.",
            amount_cents=refundable_cents(order),
        )
    return _refund(
        order,
        request,
        policy,
        approved,
        "unshipped_refund_immediate",
        "订单还没有发货，已为您直接退款。",
        "The order has not shipped yet, so it is refunded at once.",
    )


def cancel_rule(
    order: Order, request: ActionRequest, policy: ShopPolicy, approved: bool
) -> Verdict:
    if closed := closed_verdict(order):
        return closed
    match order.status:
        case OrderStatus.UNPAID:
            return Verdict(
                outcome="allowed",
                rule="unpaid_cancel",
                reason_zh="订单尚未付款，已为您取消。",
                reason_en="The order was not paid yet, so it is cancelled.",
            )
        case OrderStatus.PAID:
            return _unshipped_refund(order, request, policy, approved)
        case OrderStatus.SHIPPED:
            return decline(
                "shipped_cannot_cancel",
                "包裹已经发出，无法直接取消订单。",
                "The parcel has already shipped, so the order cannot simply be cancelled.",
                "您可以拒收包裹，或签收后申请退货退款。",
                "You can refuse the parcel, or start a return once it arrives.",
            )
        case _:
            return decline(
                "delivered_use_return",
                "订单已经签收，无法取消。",
                "The order has been delivered and cannot be cancelled.",
                "如需退货，请申请退货退款。",
                "To send it back, start a return.",
            )


def refund_rule(
    order: Order, request: ActionRequest, policy: ShopPolicy, approved: bool
) -> Verdict:
    if closed := closed_verdict(order):
        return closed
    ret = order.return_info
    match order.status:
        case OrderStatus.UNPAID:
            return decline(
                "unpaid_nothing_to_refund",
                "订单还没有付款，无需退款。",
                "The order has not been paid, so there is nothing to refund.",
                "如不想要了，可以直接取消订单。",
                "You can simply cancel it.",
            )
        case OrderStatus.PAID:
            return _unshipped_refund(order, request, policy, approved)
        case OrderStatus.SHIPPED:
            return decline(
                "in_transit_refund_after_return",
                "包裹正在运输途中，需要先退回商品才能退款。",
                "The parcel is on its way; the goods must come back before a refund.",
                "您可以拒收包裹，包裹退回后自动退款；或签收后申请退货。",
                "Refuse the parcel and the refund follows its return, or start a return after delivery.",
            )
        case OrderStatus.DELIVERED | OrderStatus.EXCHANGED:
            return Verdict(
                outcome="needs_info",
                rule="delivered_refund_via_return",
                reason_zh="订单已签收，退款需要先申请退货。",
                reason_en="The order has been delivered; a refund goes through a return.",
                next_step_zh="请告诉我退货原因：七天无理由，还是商品有质量问题？",
                next_step_en="Tell me why: no reason within 7 days, or a problem with the goods?",
            )
        case OrderStatus.RETURN_IN_PROGRESS:
            if ret is not None and ret.kind == "exchange":
                return decline(
                    "exchange_in_progress",
                    "这笔订单正在换货中，不能同时退款。",
                    "This order is being exchanged, so it cannot also be refunded.",
                )
            if ret is None or not ret.tracking_number:
                return Verdict(
                    outcome="needs_info",
                    rule="return_needs_tracking",
                    reason_zh="退货退款需要先填写退货快递单号。",
                    reason_en="A return is refunded once you give the return tracking number.",
                    next_step_zh="请把商品寄回，并告诉我退货快递单号。",
                    next_step_en="Send the goods back and tell me the return tracking number.",
                )
            if not policy.refund.refund_on_return_tracking:
                return decline(
                    "return_awaiting_receipt",
                    "店铺收到退货后才会退款。",
                    "The shop refunds once the returned goods arrive.",
                    "收到退货后会立即退款并通知您。",
                    "You will be refunded and told as soon as they arrive.",
                )
            return _refund(
                order,
                request,
                policy,
                approved,
                "return_tracked_refund",
                "已收到您的退货快递单号，为您退款。",
                "We have your return tracking number, so the refund is made.",
            )
        case OrderStatus.RETURN_RECEIVED:
            return _refund(
                order,
                request,
                policy,
                approved,
                "return_received_refund",
                "店铺已收到退货，为您退款。",
                "The shop has the returned goods, so the refund is made.",
            )
    raise AssertionError(f"unhandled status {order.status}")  # pragma: no cover
