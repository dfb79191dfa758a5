"""The pure rules of the shop's written policy.

`evaluate` answers "may this be done to this order now, and what do we tell the customer?".
It never reads the clock, the database or the network: the caller hands in `now`.
Every declined verdict gives the reason and offers a person, so no customer hits a dead end
(the seeds' case: medicine never shipped, refund auto-rejected, nobody reachable).

Rule ids (`Verdict.rule`) are stable: analytics count them and the desk shows them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tandem.shop.policy_config import ShopPolicy
from tandem.shop.types import (
    ActionKind,
    ActionRequest,
    Category,
    ItemCondition,
    Order,
    OrderStatus,
    Tier,
    Verdict,
    yuan,
)

_TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9]{8,30}$")

_HUMAN_ZH = "如有疑问，可以转人工客服为您复核。"
_HUMAN_EN = "If you disagree, a person from our team can review it."

_CATEGORY_ZH = {
    Category.FRESH_FOOD: "生鲜商品",
    Category.CUSTOMISED: "定制商品",
    Category.OTC_MEDICINE: "已拆封的药品",
}
_CATEGORY_EN = {
    Category.FRESH_FOOD: "fresh food",
    Category.CUSTOMISED: "customised goods",
    Category.OTC_MEDICINE: "opened medicine",
}


def _decline(
    rule: str, reason_zh: str, reason_en: str, next_zh: str = "", next_en: str = ""
) -> Verdict:
    return Verdict(
        outcome="declined",
        rule=rule,
        reason_zh=reason_zh,
        reason_en=reason_en,
        next_step_zh=(next_zh + _HUMAN_ZH) if next_zh else _HUMAN_ZH,
        next_step_en=(next_en + " " + _HUMAN_EN) if next_en else _HUMAN_EN,
        human_review_offered=True,
    )


def refundable_cents(order: Order) -> int:
    return max(order.total_cents - order.refunded_cents, 0)


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
        return _decline(
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


def _closed(order: Order) -> Verdict | None:
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        word_zh = "已取消" if order.status == OrderStatus.CANCELLED else "已退款"
        return _decline(
            "order_closed",
            f"这笔订单{word_zh}，无法再办理。",
            f"This order is already {order.status.value}; nothing more can be done to it.",
        )
    return None


def _cancel(order: Order, request: ActionRequest, policy: ShopPolicy, approved: bool) -> Verdict:
    if closed := _closed(order):
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
            return _decline(
                "shipped_cannot_cancel",
                "包裹已经发出，无法直接取消订单。",
                "The parcel has already shipped, so the order cannot simply be cancelled.",
                "您可以拒收包裹，或签收后申请退货退款。",
                "You can refuse the parcel, or start a return once it arrives.",
            )
        case _:
            return _decline(
                "delivered_use_return",
                "订单已经签收，无法取消。",
                "The order has been delivered and cannot be cancelled.",
                "如需退货，请申请退货退款。",
                "To send it back, start a return.",
            )


def _refund_request(
    order: Order, request: ActionRequest, policy: ShopPolicy, approved: bool
) -> Verdict:
    if closed := _closed(order):
        return closed
    ret = order.return_info
    match order.status:
        case OrderStatus.UNPAID:
            return _decline(
                "unpaid_nothing_to_refund",
                "订单还没有付款，无需退款。",
                "The order has not been paid, so there is nothing to refund.",
                "如不想要了，可以直接取消订单。",
                "You can simply cancel it.",
            )
        case OrderStatus.PAID:
            return _unshipped_refund(order, request, policy, approved)
        case OrderStatus.SHIPPED:
            return _decline(
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
                return _decline(
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
                return _decline(
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


def _return(order: Order, request: ActionRequest, policy: ShopPolicy, now: datetime) -> Verdict:
    if closed := _closed(order):
        return closed
    kind_zh = "换货" if request.kind == ActionKind.EXCHANGE else "退货"
    kind_en = "exchange" if request.kind == ActionKind.EXCHANGE else "return"
    match order.status:
        case OrderStatus.UNPAID:
            return _decline(
                "unpaid_use_cancel",
                "订单还没有付款，无需退货。",
                "The order has not been paid; there is nothing to return.",
                "如不想要了，可以直接取消订单。",
                "You can simply cancel it.",
            )
        case OrderStatus.PAID:
            return Verdict(
                outcome="needs_info",
                rule="unshipped_use_refund",
                reason_zh="订单还没有发货，不需要退货，可以直接退款。",
                reason_en="The order has not shipped; no return is needed, it can be refunded directly.",
                next_step_zh="需要我现在为您退款吗？",
                next_step_en="Shall I refund it now?",
            )
        case OrderStatus.SHIPPED:
            return _decline(
                "not_delivered_yet",
                f"包裹还在运输途中，签收后才能申请{kind_zh}。",
                f"The parcel is still on its way; a {kind_en} can start once it is delivered.",
                "您也可以直接拒收包裹。",
                "You can also refuse the parcel.",
            )
        case OrderStatus.RETURN_IN_PROGRESS | OrderStatus.RETURN_RECEIVED:
            return _decline(
                "return_already_started",
                "这笔订单已经在退换货流程中了。",
                "A return or exchange is already under way for this order.",
            )
        case _:
            pass
    delivered = order.delivered_at or order.shipped_at or order.created_at
    if request.reason is None:
        return Verdict(
            outcome="needs_info",
            rule="return_needs_reason",
            reason_zh=f"申请{kind_zh}需要说明原因。",
            reason_en=f"A {kind_en} needs a reason.",
            next_step_zh="请问是七天无理由退换，还是商品有质量问题（破损、错发、与描述不符）？",
            next_step_en="Is it a no-reason return within 7 days, or a problem with the goods (damaged, wrong item, not as described)?",
        )
    rules = policy.returns
    if request.reason in rules.evidence_required_reasons:
        deadline = delivered + timedelta(days=rules.quality_window_days)
        if now > deadline:
            return _decline(
                "outside_quality_window",
                f"质量问题{kind_zh}需在签收后 {rules.quality_window_days} 天内申请，这笔订单已超出期限。",
                f"Quality problems can be raised within {rules.quality_window_days} days of delivery; this order is past that.",
            )
        if not request.evidence_urls:
            return Verdict(
                outcome="needs_evidence",
                rule="quality_needs_evidence",
                reason_zh="质量问题需要提供照片或视频作为凭证。",
                reason_en="A quality problem needs a photo or video as evidence.",
                next_step_zh="请上传能看清问题的照片或视频，收到后马上为您办理。",
                next_step_en="Upload a photo or video that shows the problem and I will start it at once.",
            )
        return Verdict(
            outcome="allowed",
            rule="quality_return",
            reason_zh=f"已收到凭证，质量问题{kind_zh}已受理，运费由店铺承担。",
            reason_en=f"Evidence received; the {kind_en} for a quality problem is accepted and the shop pays postage.",
            next_step_zh=_send_back_zh(kind_zh),
            next_step_en=_send_back_en(kind_en),
        )
    # No reason (七天无理由), including fit and size.
    cats = order.categories
    excluded = [c for c in rules.no_reason_excluded_categories if c in cats]
    opened_cats = [c for c in rules.excluded_when_opened if c in cats]
    if excluded:
        c = excluded[0]
        return _decline(
            "excluded_category",
            f"{_CATEGORY_ZH.get(c, c.value)}不适用七天无理由{kind_zh}。",
            f"{_CATEGORY_EN.get(c, c.value).capitalize()} cannot be returned without a reason.",
            "如商品有质量问题，请上传照片或视频，按质量问题处理。",
            "If something is wrong with it, send a photo or video and it is handled as a quality problem.",
        )
    if opened_cats:
        if request.condition is None:
            return Verdict(
                outcome="needs_info",
                rule="opened_state_needed",
                reason_zh="药品拆封后不适用七天无理由退货。",
                reason_en="Medicine cannot be returned without a reason once opened.",
                next_step_zh="请问药品包装是否已经拆封？",
                next_step_en="Has the medicine's packaging been opened?",
            )
        if request.condition in (ItemCondition.OPENED, ItemCondition.USED):
            return _decline(
                "excluded_category",
                f"已拆封的药品不适用七天无理由{kind_zh}。",
                "Opened medicine cannot be returned without a reason.",
                "如药品有质量问题，请上传照片或视频，按质量问题处理。",
                "If something is wrong with it, send a photo or video and it is handled as a quality problem.",
            )
    deadline = delivered + timedelta(days=rules.no_reason_days)
    used = request.condition == ItemCondition.USED
    if now > deadline:
        if used:
            return _decline(
                "outside_window_worn",
                f"商品签收已超过 {rules.no_reason_days} 天且已穿着或使用过，不符合无理由{kind_zh}条件。",
                f"It is more than {rules.no_reason_days} days since delivery and the goods have been worn or used, so a no-reason {kind_en} is not possible.",
            )
        return _decline(
            "outside_window",
            f"商品签收已超过 {rules.no_reason_days} 天，不适用七天无理由{kind_zh}。",
            f"It is more than {rules.no_reason_days} days since delivery, so a no-reason {kind_en} is not possible.",
            "如商品有质量问题，请上传照片或视频，按质量问题处理。",
            "If something is wrong with the goods, send a photo or video and it is handled as a quality problem.",
        )
    if used:
        return _decline(
            "no_reason_requires_unused",
            f"七天无理由{kind_zh}要求商品完好、未穿着或使用。",
            f"A no-reason {kind_en} needs the goods unworn and unused.",
        )
    return Verdict(
        outcome="allowed",
        rule="seven_day_no_reason",
        reason_zh=f"在签收 {rules.no_reason_days} 天内，可以无理由{kind_zh}。",
        reason_en=f"Within {rules.no_reason_days} days of delivery, a {kind_en} needs no reason.",
        next_step_zh=_send_back_zh(kind_zh) + "请保持商品完好、吊牌和包装齐全。",
        next_step_en=_send_back_en(kind_en) + " Keep the goods intact with tags and packaging.",
    )


def _send_back_zh(kind_zh: str) -> str:
    return f"{kind_zh}申请已提交。请把商品寄回店铺，寄出后告诉我退货快递单号。"


def _send_back_en(kind_en: str) -> str:
    return (
        f"Your {kind_en} is started. Send the goods back to the shop and tell me the "
        "return tracking number."
    )


def _return_tracking(order: Order, request: ActionRequest) -> Verdict:
    if order.status != OrderStatus.RETURN_IN_PROGRESS:
        return _decline(
            "no_return_started",
            "这笔订单还没有申请退换货，无法填写退货单号。",
            "No return has been started for this order, so there is no return tracking to record.",
            "请先申请退货。",
            "Start a return first.",
        )
    number = (request.return_tracking_number or "").strip()
    if not _TRACKING_NUMBER.match(number):
        return Verdict(
            outcome="needs_info",
            rule="return_needs_tracking",
            reason_zh="需要有效的退货快递单号（8-30 位字母或数字）。",
            reason_en="A valid return tracking number (8-30 letters or digits) is needed.",
            next_step_zh="请告诉我退货快递单号。",
            next_step_en="Tell me the return tracking number.",
        )
    return Verdict(
        outcome="allowed",
        rule="return_tracking_recorded",
        reason_zh=f"已记录退货快递单号 {number}。",
        reason_en=f"Return tracking number {number} is recorded.",
    )


def _change_address(order: Order, request: ActionRequest) -> Verdict:
    if request.new_address is None:
        return Verdict(
            outcome="needs_info",
            rule="address_needed",
            reason_zh="需要新的收货地址。",
            reason_en="A new delivery address is needed.",
            next_step_zh="请告诉我收件人、电话和详细地址。",
            next_step_en="Tell me the recipient, phone number and full address.",
        )
    if order.status in (OrderStatus.UNPAID, OrderStatus.PAID):
        return Verdict(
            outcome="allowed",
            rule="address_change_before_shipping",
            reason_zh=f"订单还没发货，收货地址已改为：{request.new_address.one_line_zh()}。",
            reason_en="The order has not shipped, so the delivery address is changed.",
        )
    if order.status == OrderStatus.SHIPPED:
        return _decline(
            "address_change_after_shipping",
            "包裹已经发出，店铺无法再修改收货地址。",
            "The parcel has shipped; the shop can no longer change the address.",
            "您可以联系快递员改派。",
            "You can ask the courier to redirect it.",
        )
    return _decline(
        "address_change_not_possible",
        "这笔订单已经完成配送或已关闭，无法修改地址。",
        "This order is delivered or closed, so its address cannot be changed.",
    )


def _urge(order: Order, now: datetime) -> Verdict:
    if order.status == OrderStatus.PAID:
        ship_by = order.promised_ship_by
        if ship_by is not None and now > ship_by:
            return Verdict(
                outcome="allowed",
                rule="urge_shipping_overdue",
                reason_zh="很抱歉，订单已超过承诺的发货时间，已加急通知仓库发货。",
                reason_en="Sorry: the order is past the promised shipping time; the warehouse has been told to ship it urgently.",
                next_step_zh="如果不想再等，也可以直接申请退款，或转人工客服处理。",
                next_step_en="If you would rather not wait, you can have it refunded now, or talk to a person.",
                human_review_offered=True,
            )
        when_zh = f"，承诺在 {ship_by:%m-%d %H:%M} (UTC) 前发出" if ship_by else ""
        when_en = f"; it is promised to ship by {ship_by:%Y-%m-%d %H:%M} UTC" if ship_by else ""
        return Verdict(
            outcome="allowed",
            rule="urge_shipping_recorded",
            reason_zh=f"已为您催促仓库尽快发货{when_zh}。",
            reason_en=f"The warehouse has been asked to ship soon{when_en}.",
        )
    if order.status == OrderStatus.UNPAID:
        return _decline(
            "unpaid_pay_first",
            "订单还没有付款，付款后才会发货。",
            "The order is not paid yet; it ships after payment.",
        )
    if order.status == OrderStatus.SHIPPED:
        return _decline(
            "already_shipped",
            "包裹已经发出了，正在运输途中。",
            "The parcel has already shipped and is on its way.",
            "可以为您查询物流进度。",
            "I can show you where it is.",
        )
    return _decline(
        "urge_not_applicable",
        "这笔订单已经送达或已关闭，无需催发货。",
        "This order is delivered or closed; there is nothing to hurry.",
    )


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
            return _cancel(order, request, policy, approved)
        case ActionKind.REFUND:
            return _refund_request(order, request, policy, approved)
        case ActionKind.RETURN | ActionKind.EXCHANGE:
            return _return(order, request, policy, now)
        case ActionKind.SET_RETURN_TRACKING:
            return _return_tracking(order, request)
        case ActionKind.CHANGE_ADDRESS:
            return _change_address(order, request)
        case ActionKind.URGE_SHIPPING:
            return _urge(order, now)
    raise AssertionError(f"unhandled action {request.kind}")  # pragma: no cover


# --- Settings the engine reads to choose AI-first or human-first -----------------------


def human_first_reason(order: Order | None, tier: Tier | None, policy: ShopPolicy) -> str | None:
    """Why this conversation should go to a person first, or None for AI-first.

    Returns one of "vip", "high_value", "human_first_category".
    """
    if tier == Tier.VIP and policy.vip_human_first:
        return "vip"
    if order is not None:
        if order.total_cents >= policy.high_value_threshold_cents:
            return "high_value"
        if order.categories & set(policy.human_first_categories):
            return "human_first_category"
    return None


def within_service_hours(policy: ShopPolicy, now: datetime) -> bool:
    """Whether human agents are scheduled to be on duty at `now` (shop's local time)."""
    hours = policy.service_hours
    local = now.astimezone(hours.zone).time()
    return hours.opens <= local < hours.closes


def next_service_opening(policy: ShopPolicy, now: datetime) -> datetime:
    """When human service next opens (now, if it is open), as an aware datetime in UTC."""
    if within_service_hours(policy, now):
        return now
    hours = policy.service_hours
    local = now.astimezone(hours.zone)
    opening = local.replace(
        hour=hours.opens.hour, minute=hours.opens.minute, second=0, microsecond=0
    )
    if opening <= local:
        opening += timedelta(days=1)
    return opening.astimezone(now.tzinfo)
