"""Rules for goods going back: returns and exchanges, and the return tracking number."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tandem.shop.policy.verdicts import CATEGORY_EN, CATEGORY_ZH, closed_verdict, decline
from tandem.shop.policy_config import ShopPolicy
from tandem.shop.types import ActionKind, ActionRequest, ItemCondition, Order, OrderStatus, Verdict

_TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9]{8,30}$")


def return_rule(order: Order, request: ActionRequest, policy: ShopPolicy, now: datetime) -> Verdict:
    if closed := closed_verdict(order):
        return closed
    kind_zh = "换货" if request.kind == ActionKind.EXCHANGE else "退货"
    kind_en = "exchange" if request.kind == ActionKind.EXCHANGE else "return"
    match order.status:
        case OrderStatus.UNPAID:
            return decline(
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
            return decline(
                "not_delivered_yet",
                f"包裹还在运输途中，签收后才能申请{kind_zh}。",
                f"The parcel is still on its way; a {kind_en} can start once it is delivered.",
                "您也可以直接拒收包裹。",
                "You can also refuse the parcel.",
            )
        case OrderStatus.RETURN_IN_PROGRESS | OrderStatus.RETURN_RECEIVED:
            return decline(
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
            return decline(
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
        return decline(
            "excluded_category",
            f"{CATEGORY_ZH.get(c, c.value)}不适用七天无理由{kind_zh}。",
            f"{CATEGORY_EN.get(c, c.value).capitalize()} cannot be returned without a reason.",
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
            return decline(
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
            return decline(
                "outside_window_worn",
                f"商品签收已超过 {rules.no_reason_days} 天且已穿着或使用过，不符合无理由{kind_zh}条件。",
                f"It is more than {rules.no_reason_days} days since delivery and the goods have been worn or used, so a no-reason {kind_en} is not possible.",
            )
        return decline(
            "outside_window",
            f"商品签收已超过 {rules.no_reason_days} 天，不适用七天无理由{kind_zh}。",
            f"It is more than {rules.no_reason_days} days since delivery, so a no-reason {kind_en} is not possible.",
            "如商品有质量问题，请上传照片或视频，按质量问题处理。",
            "If something is wrong with the goods, send a photo or video and it is handled as a quality problem.",
        )
    if used:
        return decline(
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


def return_tracking_rule(order: Order, request: ActionRequest) -> Verdict:
    if order.status != OrderStatus.RETURN_IN_PROGRESS:
        return decline(
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
