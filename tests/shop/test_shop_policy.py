"""Every rule of the written policy, one verdict at a time (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tandem.shop.policy import (
    evaluate,
    human_first_reason,
    next_service_opening,
    unstaffed_reply_by,
    within_service_hours,
)
from tandem.shop.policy_config import PolicyError, ShopPolicy, load_policy, parse_policy
from tandem.shop.present import verdict_message
from tandem.shop.types import (
    ActionKind,
    ActionRequest,
    Category,
    ItemCondition,
    Order,
    OrderStatus,
    ReturnInfo,
    ReturnReason,
    Tier,
)

from .factories import ADDRESS, NOW, order

POLICY = load_policy()


def req(kind: ActionKind, **kw: object) -> ActionRequest:
    return ActionRequest.model_validate({"kind": kind, **kw})


def test_default_policy_file_loads_with_the_documented_values() -> None:
    assert POLICY.refund_approval_threshold_cents == 100_000
    assert POLICY.returns.no_reason_days == 7
    assert Category.FRESH_FOOD in POLICY.returns.no_reason_excluded_categories
    assert POLICY.service_hours.hours == "09:00-21:00"
    assert POLICY.service_hours.timezone == "Asia/Shanghai"
    assert POLICY.vip_human_first is True


def test_bad_key_is_named_in_the_error() -> None:
    with pytest.raises(PolicyError, match=r"returns\.no_reason_days"):
        parse_policy("[returns]\nno_reason_days = -1\n", "shop.toml")
    with pytest.raises(PolicyError, match=r"refund\.approval_treshold_yuan: unknown key"):
        parse_policy("[refund]\napproval_treshold_yuan = 5\n", "shop.toml")
    with pytest.raises(PolicyError, match=r"service_hours\.hours"):
        parse_policy('[service_hours]\nhours = "9-21"\n')
    with pytest.raises(PolicyError, match=r"returns\.no_reason_excluded_categories\.0"):
        parse_policy('[returns]\nno_reason_excluded_categories = ["fresh"]\n')
    with pytest.raises(PolicyError, match="not valid TOML"):
        parse_policy("[refund\n")


def test_missing_policy_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="TANDEM_SHOP_POLICY_FILE"):
        load_policy(tmp_path / "nope.toml")


def test_shop_file_overrides_defaults(tmp_path: Path) -> None:
    p = tmp_path / "p.toml"
    p.write_text("[refund]\napproval_threshold_yuan = 200\n", "utf-8")
    policy = load_policy(p)
    assert policy.refund_approval_threshold_cents == 20_000
    assert policy.returns.no_reason_days == 7  # untouched keys keep defaults


# --- unshipped orders: refunded at once, never auto-rejected ---------------------------


@pytest.mark.parametrize("kind", [ActionKind.REFUND, ActionKind.CANCEL])
def test_unshipped_order_is_refunded_at_once(kind: ActionKind) -> None:
    v = evaluate(req(kind), order(OrderStatus.PAID, category=Category.OTC_MEDICINE), POLICY, NOW)
    assert (v.outcome, v.rule, v.amount_cents) == ("allowed", "unshipped_refund_immediate", 19900)


def test_unshipped_refund_under_review_setting_is_never_a_rejection() -> None:
    policy = parse_policy("[refund]\nunshipped_refund_immediate = false\n")
    v = evaluate(req(ActionKind.REFUND), order(OrderStatus.PAID), policy, NOW)
    assert (v.outcome, v.rule) == ("needs_approval", "unshipped_refund_review")


def test_unpaid_order_is_cancelled_and_not_refunded() -> None:
    assert evaluate(req(ActionKind.CANCEL), order(OrderStatus.UNPAID), POLICY, NOW).rule == (
        "unpaid_cancel"
    )
    v = evaluate(req(ActionKind.REFUND), order(OrderStatus.UNPAID), POLICY, NOW)
    assert (v.outcome, v.rule) == ("declined", "unpaid_nothing_to_refund")


# --- refund threshold -------------------------------------------------------------------


def test_refund_at_threshold_needs_approval_and_approval_lifts_it() -> None:
    o = order(OrderStatus.PAID, category=Category.ELECTRONICS, price_cents=100_000)
    v = evaluate(req(ActionKind.REFUND), o, POLICY, NOW)
    assert (v.outcome, v.rule, v.amount_cents) == (
        "needs_approval",
        "refund_above_threshold",
        100_000,
    )
    v2 = evaluate(req(ActionKind.REFUND), o, POLICY, NOW, approved=True)
    assert (v2.outcome, v2.rule) == ("allowed", "unshipped_refund_immediate")


def test_refund_just_below_threshold_is_immediate() -> None:
    o = order(OrderStatus.PAID, price_cents=99_999)
    assert evaluate(req(ActionKind.REFUND), o, POLICY, NOW).outcome == "allowed"


def test_partial_refund_is_capped_at_what_is_left() -> None:
    o = order(OrderStatus.PAID, price_cents=50_000, refunded_cents=40_000)
    v = evaluate(req(ActionKind.REFUND, amount_cents=30_000), o, POLICY, NOW)
    assert v.amount_cents == 10_000
    full = order(OrderStatus.PAID, price_cents=50_000, refunded_cents=50_000)
    assert evaluate(req(ActionKind.REFUND), full, POLICY, NOW).rule == "nothing_left_to_refund"


# --- 7-day no-reason returns --------------------------------------------------------------


@pytest.mark.parametrize("kind", [ActionKind.RETURN, ActionKind.EXCHANGE])
def test_seven_day_no_reason_inside_window(kind: ActionKind) -> None:
    v = evaluate(req(kind, reason="no_reason"), order(delivered_days_ago=6.9), POLICY, NOW)
    assert (v.outcome, v.rule) == ("allowed", "seven_day_no_reason")
    assert "退货快递单号" in v.next_step_zh


def test_no_reason_outside_window_is_declined_with_a_person_offered() -> None:
    v = evaluate(
        req(ActionKind.RETURN, reason="no_reason"), order(delivered_days_ago=8), POLICY, NOW
    )
    assert (v.outcome, v.rule, v.human_review_offered) == ("declined", "outside_window", True)
    assert "7" in v.reason_zh and "人工" in v.next_step_zh


def test_worn_goods_past_window_are_declined_with_reason_and_review() -> None:
    v = evaluate(
        req(ActionKind.RETURN, reason="no_reason", condition="used"),
        order(delivered_days_ago=90),
        POLICY,
        NOW,
    )
    assert (v.outcome, v.rule, v.human_review_offered) == ("declined", "outside_window_worn", True)
    assert "穿着" in v.reason_zh and v.reason_en


def test_worn_goods_inside_window_do_not_qualify_for_no_reason() -> None:
    v = evaluate(req(ActionKind.RETURN, reason="no_reason", condition="used"), order(), POLICY, NOW)
    assert (v.outcome, v.rule) == ("declined", "no_reason_requires_unused")


@pytest.mark.parametrize("category", [Category.FRESH_FOOD, Category.CUSTOMISED])
def test_excluded_categories_have_no_no_reason_return(category: Category) -> None:
    v = evaluate(req(ActionKind.RETURN, reason="no_reason"), order(category=category), POLICY, NOW)
    assert (v.outcome, v.rule, v.human_review_offered) == ("declined", "excluded_category", True)
    assert "质量问题" in v.next_step_zh


def test_opened_medicine_is_excluded_unopened_is_not() -> None:
    med = order(category=Category.OTC_MEDICINE)
    asked = evaluate(req(ActionKind.RETURN, reason="no_reason"), med, POLICY, NOW)
    assert (asked.outcome, asked.rule) == ("needs_info", "opened_state_needed")
    opened = evaluate(
        req(ActionKind.RETURN, reason="no_reason", condition=ItemCondition.OPENED), med, POLICY, NOW
    )
    assert (opened.outcome, opened.rule) == ("declined", "excluded_category")
    sealed = evaluate(
        req(ActionKind.RETURN, reason="no_reason", condition=ItemCondition.UNUSED), med, POLICY, NOW
    )
    assert (sealed.outcome, sealed.rule) == ("allowed", "seven_day_no_reason")


def test_return_without_reason_asks_for_one() -> None:
    v = evaluate(req(ActionKind.RETURN), order(), POLICY, NOW)
    assert (v.outcome, v.rule) == ("needs_info", "return_needs_reason")


def test_return_before_delivery_or_shipping() -> None:
    shipped = evaluate(
        req(ActionKind.RETURN, reason="no_reason"), order(OrderStatus.SHIPPED), POLICY, NOW
    )
    assert (shipped.outcome, shipped.rule) == ("declined", "not_delivered_yet")
    unshipped = evaluate(
        req(ActionKind.RETURN, reason="no_reason"), order(OrderStatus.PAID), POLICY, NOW
    )
    assert (unshipped.outcome, unshipped.rule) == ("needs_info", "unshipped_use_refund")


# --- quality problems need evidence -------------------------------------------------------


@pytest.mark.parametrize("reason", ["quality", "damaged", "wrong_item", "not_as_described"])
def test_quality_problem_needs_photo_or_video(reason: str) -> None:
    v = evaluate(req(ActionKind.RETURN, reason=reason), order(), POLICY, NOW)
    assert (v.outcome, v.rule) == ("needs_evidence", "quality_needs_evidence")
    ok = evaluate(
        req(ActionKind.RETURN, reason=reason, evidence_urls=["https://img.example/1.jpg"]),
        order(),
        POLICY,
        NOW,
    )
    assert (ok.outcome, ok.rule) == ("allowed", "quality_return")


def test_quality_problem_on_excluded_category_is_accepted_with_evidence() -> None:
    v = evaluate(
        req(ActionKind.RETURN, reason="damaged", evidence_urls=["https://img.example/1.jpg"]),
        order(category=Category.FRESH_FOOD, delivered_days_ago=1),
        POLICY,
        NOW,
    )
    assert v.rule == "quality_return"


def test_quality_problem_past_quality_window_is_declined() -> None:
    v = evaluate(
        req(ActionKind.RETURN, reason="quality", evidence_urls=["u"]),
        order(delivered_days_ago=16),
        POLICY,
        NOW,
    )
    assert (v.outcome, v.rule, v.human_review_offered) == (
        "declined",
        "outside_quality_window",
        True,
    )


# --- returns are refunded only after the return tracking number ----------------------------


def _returning(tracking: str | None, kind: str = "return", price: int = 19900) -> Order:
    info = ReturnInfo(
        kind=kind,  # type: ignore[arg-type]
        reason=ReturnReason.NO_REASON,
        requested_at=NOW - timedelta(days=1),
        tracking_number=tracking,
    )
    return order(OrderStatus.RETURN_IN_PROGRESS, return_info=info, price_cents=price)


def test_return_refund_waits_for_tracking_number() -> None:
    v = evaluate(req(ActionKind.REFUND), _returning(None), POLICY, NOW)
    assert (v.outcome, v.rule) == ("needs_info", "return_needs_tracking")
    v2 = evaluate(req(ActionKind.REFUND), _returning("SF1234567890"), POLICY, NOW)
    assert (v2.outcome, v2.rule) == ("allowed", "return_tracked_refund")


def test_return_refund_waits_for_receipt_when_the_shop_says_so() -> None:
    policy = parse_policy("[refund]\nrefund_on_return_tracking = false\n")
    v = evaluate(req(ActionKind.REFUND), _returning("SF1234567890"), policy, NOW)
    assert (v.outcome, v.rule) == ("declined", "return_awaiting_receipt")
    received = order(OrderStatus.RETURN_RECEIVED)
    assert evaluate(req(ActionKind.REFUND), received, policy, NOW).rule == "return_received_refund"


def test_high_value_return_refund_is_proposed() -> None:
    v = evaluate(req(ActionKind.REFUND), _returning("SF1234567890", price=600_000), POLICY, NOW)
    assert (v.outcome, v.rule) == ("needs_approval", "refund_above_threshold")


def test_exchange_cannot_be_refunded() -> None:
    v = evaluate(req(ActionKind.REFUND), _returning("SF1234567890", kind="exchange"), POLICY, NOW)
    assert v.rule == "exchange_in_progress"


def test_set_return_tracking_validates_number_and_state() -> None:
    r = _returning(None)
    bad = evaluate(req(ActionKind.SET_RETURN_TRACKING, return_tracking_number="x"), r, POLICY, NOW)
    assert (bad.outcome, bad.rule) == ("needs_info", "return_needs_tracking")
    ok = evaluate(
        req(ActionKind.SET_RETURN_TRACKING, return_tracking_number="YT9876543210"), r, POLICY, NOW
    )
    assert (ok.outcome, ok.rule) == ("allowed", "return_tracking_recorded")
    none = evaluate(
        req(ActionKind.SET_RETURN_TRACKING, return_tracking_number="YT9876543210"),
        order(),
        POLICY,
        NOW,
    )
    assert none.rule == "no_return_started"


# --- delivered / in transit refunds, cancel after shipping ----------------------------------


def test_refund_of_delivered_order_goes_through_a_return() -> None:
    v = evaluate(req(ActionKind.REFUND), order(), POLICY, NOW)
    assert (v.outcome, v.rule) == ("needs_info", "delivered_refund_via_return")


def test_refund_or_cancel_in_transit_is_declined_with_alternatives() -> None:
    o = order(OrderStatus.SHIPPED)
    r = evaluate(req(ActionKind.REFUND), o, POLICY, NOW)
    c = evaluate(req(ActionKind.CANCEL), o, POLICY, NOW)
    assert (r.rule, c.rule) == ("in_transit_refund_after_return", "shipped_cannot_cancel")
    assert r.human_review_offered and "拒收" in r.next_step_zh


def test_closed_orders_are_declined() -> None:
    for status in (OrderStatus.REFUNDED, OrderStatus.CANCELLED):
        for kind in (ActionKind.REFUND, ActionKind.CANCEL, ActionKind.RETURN):
            assert evaluate(req(kind), order(status), POLICY, NOW).rule == "order_closed"


# --- address and urging ------------------------------------------------------------------------


def test_address_change_only_before_shipping() -> None:
    new = ADDRESS.model_copy(update={"line": "新地址 2 号"})
    ok = evaluate(
        req(ActionKind.CHANGE_ADDRESS, new_address=new), order(OrderStatus.PAID), POLICY, NOW
    )
    assert (ok.outcome, ok.rule) == ("allowed", "address_change_before_shipping")
    late = evaluate(
        req(ActionKind.CHANGE_ADDRESS, new_address=new), order(OrderStatus.SHIPPED), POLICY, NOW
    )
    assert (late.outcome, late.rule) == ("declined", "address_change_after_shipping")
    missing = evaluate(req(ActionKind.CHANGE_ADDRESS), order(OrderStatus.PAID), POLICY, NOW)
    assert missing.rule == "address_needed"


def test_urge_shipping_and_overdue_offers_refund_and_person() -> None:
    on_time = order(OrderStatus.PAID, promised_ship_by=NOW + timedelta(hours=5))
    assert evaluate(req(ActionKind.URGE_SHIPPING), on_time, POLICY, NOW).rule == (
        "urge_shipping_recorded"
    )
    late = evaluate(req(ActionKind.URGE_SHIPPING), order(OrderStatus.PAID), POLICY, NOW)
    assert (late.rule, late.human_review_offered) == ("urge_shipping_overdue", True)
    assert "退款" in late.next_step_zh
    shipped = evaluate(req(ActionKind.URGE_SHIPPING), order(OrderStatus.SHIPPED), POLICY, NOW)
    assert shipped.rule == "already_shipped"
    unpaid = evaluate(req(ActionKind.URGE_SHIPPING), order(OrderStatus.UNPAID), POLICY, NOW)
    assert unpaid.rule == "unpaid_pay_first"


def test_every_decline_offers_a_person() -> None:
    cases = [
        (ActionKind.CANCEL, order(OrderStatus.SHIPPED)),
        (ActionKind.RETURN, order(OrderStatus.SHIPPED)),
        (ActionKind.URGE_SHIPPING, order()),
        (ActionKind.CHANGE_ADDRESS, order()),
    ]
    for kind, o in cases:
        v = evaluate(req(kind, reason="no_reason", new_address=ADDRESS), o, POLICY, NOW)
        assert v.outcome == "declined" and v.human_review_offered, v.rule


# --- human-first settings and staffed hours ----------------------------------------------------


def test_human_first_reasons() -> None:
    assert human_first_reason(None, Tier.VIP, POLICY) == "vip"
    assert human_first_reason(order(price_cents=300_000), Tier.NORMAL, POLICY) == "high_value"
    assert human_first_reason(order(category=Category.CUSTOMISED), None, POLICY) == (
        "human_first_category"
    )
    assert human_first_reason(order(), Tier.NORMAL, POLICY) is None
    no_vip = ShopPolicy.model_validate({"routing": {"vip_human_first": False}})
    assert human_first_reason(None, Tier.VIP, no_vip) is None


def test_service_hours_in_shanghai_time() -> None:
    # 00:30 UTC is 08:30 in Shanghai (closed); 01:00 UTC is 09:00 (open); 13:00 UTC is 21:00.
    assert not within_service_hours(POLICY, datetime(2026, 11, 21, 0, 30, tzinfo=UTC))
    assert within_service_hours(POLICY, datetime(2026, 11, 21, 1, 0, tzinfo=UTC))
    assert not within_service_hours(POLICY, datetime(2026, 11, 21, 13, 0, tzinfo=UTC))
    late = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)  # 22:00 Shanghai
    assert next_service_opening(POLICY, late) == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    early = datetime(2026, 11, 21, 0, 30, tzinfo=UTC)
    assert next_service_opening(POLICY, early) == datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def test_verdict_message_joins_reason_and_next_step() -> None:
    v = evaluate(
        req(ActionKind.RETURN, reason="no_reason"), order(delivered_days_ago=9), POLICY, NOW
    )
    zh, en = verdict_message(v, "zh"), verdict_message(v, "en")
    assert zh.startswith(v.reason_zh) and zh.endswith("复核。")
    assert en.startswith(v.reason_en) and "review" in en


def test_splitting_a_refund_does_not_dodge_the_threshold() -> None:
    o = order(OrderStatus.PAID, price_cents=189_900, refunded_cents=90_000)
    v = evaluate(req(ActionKind.REFUND, amount_cents=20_000), o, POLICY, NOW)
    assert (v.outcome, v.rule, v.amount_cents) == (
        "needs_approval",
        "refund_above_threshold",
        20_000,
    )
    small = order(OrderStatus.PAID, price_cents=189_900)
    assert evaluate(req(ActionKind.REFUND, amount_cents=20_000), small, POLICY, NOW).allowed


def test_a_ticket_with_nobody_signed_in_promises_what_the_policy_commits_to() -> None:
    # Service 09:00-21:00 in Shanghai (UTC+8); 30 minutes by default.
    at_two = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
    assert unstaffed_reply_by(POLICY, at_two, eta_seconds=60) == at_two + timedelta(minutes=30)
    # A queue estimate longer than the commitment wins: never promise sooner than it.
    assert unstaffed_reply_by(POLICY, at_two, eta_seconds=3600) == at_two + timedelta(hours=1)
    # 20:50: 21:20 is after closing, so the promise is the next opening, 09:00 tomorrow.
    late = datetime(2026, 12, 2, 12, 50, tzinfo=UTC)
    assert unstaffed_reply_by(POLICY, late, eta_seconds=60) == datetime(
        2026, 12, 3, 1, 0, tzinfo=UTC
    )
    strict = parse_policy("[service_hours]\nunstaffed_reply_minutes = 10\n")
    assert unstaffed_reply_by(strict, at_two, 60) == at_two + timedelta(minutes=10)
