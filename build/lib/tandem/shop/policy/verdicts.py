"""Shared pieces of the policy rules: the declined verdict that always offers a person."""

from __future__ import annotations

from tandem.shop.types import Category, Order, OrderStatus, Verdict

HUMAN_ZH = "如有疑问，可以转人工客服为您复核。"
HUMAN_EN = "If you disagree, a person from our team can review it."

CATEGORY_ZH = {
    Category.FRESH_FOOD: "生鲜商品",
    Category.CUSTOMISED: "定制商品",
    Category.OTC_MEDICINE: "已拆封的药品",
}
CATEGORY_EN = {
    Category.FRESH_FOOD: "fresh food",
    Category.CUSTOMISED: "customised goods",
    Category.OTC_MEDICINE: "opened medicine",
}


def decline(
    rule: str, reason_zh: str, reason_en: str, next_zh: str = "", next_en: str = ""
) -> Verdict:
    """A declined verdict: the reason, any alternative, and always a person to review it."""
    return Verdict(
        outcome="declined",
        rule=rule,
        reason_zh=reason_zh,
        reason_en=reason_en,
        next_step_zh=(next_zh + HUMAN_ZH) if next_zh else HUMAN_ZH,
        next_step_en=(next_en + " " + HUMAN_EN) if next_en else HUMAN_EN,
        human_review_offered=True,
    )


def refundable_cents(order: Order) -> int:
    return max(order.total_cents - order.refunded_cents, 0)


def closed_verdict(order: Order) -> Verdict | None:
    """Cancelled and refunded orders take no further action."""
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        word_zh = "已取消" if order.status == OrderStatus.CANCELLED else "已退款"
        return decline(
            "order_closed",
            f"这笔订单{word_zh}，无法再办理。",
            f"This order is already {order.status.value}; nothing more can be done to it.",
        )
    return None
