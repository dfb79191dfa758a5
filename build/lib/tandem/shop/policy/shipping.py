"""Rules before delivery: changing the address and urging shipment."""

from __future__ import annotations

from datetime import datetime, tzinfo

from tandem.shop.policy.verdicts import decline
from tandem.shop.present import local_time
from tandem.shop.types import ActionRequest, Order, OrderStatus, Verdict


def change_address_rule(order: Order, request: ActionRequest) -> Verdict:
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
        return decline(
            "address_change_after_shipping",
            "包裹已经发出，店铺无法再修改收货地址。",
            "The parcel has shipped; the shop can no longer change the address.",
            "您可以联系快递员改派。",
            "You can ask the courier to redirect it.",
        )
    return decline(
        "address_change_not_possible",
        "这笔订单已经完成配送或已关闭，无法修改地址。",
        "This order is delivered or closed, so its address cannot be changed.",
    )


def urge_rule(order: Order, now: datetime, zone: tzinfo) -> Verdict:
    """Hurry an order: past its promised time it is urgent; the promise is stated in the
    shop's time zone, as every customer-facing time."""
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
        when_zh = f"，承诺在 {local_time(ship_by, zone, 'zh')} 前发出" if ship_by else ""
        when_en = (
            f"; it is promised to ship by {local_time(ship_by, zone, 'en')}" if ship_by else ""
        )
        return Verdict(
            outcome="allowed",
            rule="urge_shipping_recorded",
            reason_zh=f"已为您催促仓库尽快发货{when_zh}。",
            reason_en=f"The warehouse has been asked to ship soon{when_en}.",
        )
    if order.status == OrderStatus.UNPAID:
        return decline(
            "unpaid_pay_first",
            "订单还没有付款，付款后才会发货。",
            "The order is not paid yet; it ships after payment.",
        )
    if order.status == OrderStatus.SHIPPED:
        return decline(
            "already_shipped",
            "包裹已经发出了，正在运输途中。",
            "The parcel has already shipped and is on its way.",
            "可以为您查询物流进度。",
            "I can show you where it is.",
        )
    return decline(
        "urge_not_applicable",
        "这笔订单已经送达或已关闭，无需催发货。",
        "This order is delivered or closed; there is nothing to hurry.",
    )
