"""A refund question answers where the customer's money is, never where the parcel went."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tandem.engine import Inbound, decide
from tandem.engine.decide import fill_answer
from tandem.knowledge.index import Match, SearchResult
from tandem.shop.types import Carrier, OrderStatus, ReturnInfo, ReturnReason

from .test_decide import NOW, SHOP_ZONE, analysis, bot, ctx, order, shop

REFUND_RULE = Match(
    "faq-zh-098",
    "退款多久到账？",
    "仓库收到退货后 1-3 个工作日内原路退款；银行卡 1-5 个工作日。",
    3.0,
    0.93,
    "refund_status",
)
KB = SearchResult(answer=REFUND_RULE, candidates=(REFUND_RULE,))


def asked(text: str) -> object:
    return replace(analysis(text, "refund_status", 0.95), act="question", act_confidence=0.95)


def shipped_then(status: OrderStatus, **kw: object):  # type: ignore[no-untyped-def]
    base = order("TD1", status, cents=23800, delivered_days_ago=6)
    return base.model_copy(
        update={"carrier": Carrier.YTO, "tracking_number": "YT1234567890123", **kw}
    )


def test_a_refunded_order_says_how_much_and_when_not_the_outbound_parcel() -> None:
    o = shipped_then(
        OrderStatus.REFUNDED, refunded_cents=23800, refunded_at=NOW - timedelta(days=1)
    )
    d = decide(bot(), Inbound("退款到账了吗"), ctx(asked("退款到账了吗"), shop=shop(o)))  # type: ignore[arg-type]
    text = d.replies[0].text
    assert d.rule == "order_status_answer"
    # NOW is 14:00 in Shanghai on 11-21: a day earlier, in the shop's zone.
    assert "已于 11月20日 14:00 退款 ¥238" in text
    assert "YT1234567890123" not in text and "配送" not in text


def test_a_return_without_its_tracking_number_asks_for_it() -> None:
    ret = ReturnInfo(kind="return", reason=ReturnReason.NO_REASON, requested_at=NOW)
    o = shipped_then(OrderStatus.RETURN_IN_PROGRESS, return_info=ret)
    d = decide(bot(), Inbound("退款什么时候到"), ctx(asked("退款什么时候到"), shop=shop(o)))  # type: ignore[arg-type]
    text = d.replies[0].text
    assert "退货运单号" in text and "YT1234567890123" not in text


def test_a_return_on_its_way_back_names_its_own_tracking_number() -> None:
    ret = ReturnInfo(
        kind="return",
        reason=ReturnReason.QUALITY,
        requested_at=NOW,
        tracking_number="SF0000000000001",
        carrier="sf",
    )
    o = shipped_then(OrderStatus.RETURN_IN_PROGRESS, return_info=ret)
    d = decide(bot(), Inbound("退款呢"), ctx(asked("退款呢"), shop=shop(o)))  # type: ignore[arg-type]
    assert "SF0000000000001" in d.replies[0].text
    assert "YT1234567890123" not in d.replies[0].text


def test_a_refund_question_about_an_order_without_one_gets_the_rule() -> None:
    o = shipped_then(OrderStatus.DELIVERED)
    d = decide(
        bot(),
        Inbound("退款多久到账"),
        ctx(asked("退款多久到账"), shop=shop(o), knowledge=KB),  # type: ignore[arg-type]
    )
    assert d.rule == "knowledge_answer" and d.act is None
    assert d.replies[0].text.startswith("仓库收到退货后 1-3 个工作日")


def test_without_a_rule_to_give_it_says_there_is_no_refund_and_offers_to_start_one() -> None:
    o = shipped_then(OrderStatus.DELIVERED)
    d = decide(bot(), Inbound("退款呢"), ctx(asked("退款呢"), shop=shop(o)))  # type: ignore[arg-type]
    assert d.rule == "no_refund_on_order" and d.act is None
    assert "没有退款或退货在办理" in d.replies[0].text


def test_asking_on_after_the_refund_was_told_gets_the_rule_then_a_person() -> None:
    o = shipped_then(
        OrderStatus.REFUNDED, refunded_cents=23800, refunded_at=NOW - timedelta(days=1)
    )
    c = ctx(asked("退款到账了吗"), shop=shop(o), knowledge=KB)
    first = decide(bot(), Inbound("退款到账了吗"), c)  # type: ignore[arg-type]
    assert first.memory is not None
    view = bot(memory=first.memory)
    second = decide(view, Inbound("退款多久到账"), replace(c, analysis=asked("退款多久到账")))  # type: ignore[arg-type]
    assert second.rule == "knowledge_answer"
    assert second.memory is not None
    third = decide(
        bot(memory=second.memory),
        Inbound("到底多久能到"),
        replace(c, analysis=asked("到底多久能到")),  # type: ignore[arg-type]
    )
    assert third.action == "hand_off" and third.handoff_reason == "repeated_problem"


def test_a_slot_said_in_general_words_when_no_order_names_it() -> None:
    text = "Before shipping, tap Change address. Once shipped, we can ask {carrier} to redirect it."
    assert fill_answer(text, None, "en", SHOP_ZONE) == (
        "Before shipping, tap Change address. Once shipped, we can ask the carrier to redirect it."
    )
    zh = "已经发货的订单需要联系{carrier}改派，我们可以协助。"
    assert (
        fill_answer(zh, None, "zh", SHOP_ZONE)
        == "已经发货的订单需要联系快递公司改派，我们可以协助。"
    )


def test_a_sentence_whose_last_clause_cannot_be_filled_goes_whole() -> None:
    text = "Orders ship in 48 hours. Once shipped, your tracking number is {tracking_number}."
    assert fill_answer(text, None, "en", SHOP_ZONE) == "Orders ship in 48 hours."
    # An earlier clause goes alone: what follows it still stands.
    zh = "最晚发货时间是 {promised_ship_date}，发货后会同步物流单号。"
    assert fill_answer(zh, None, "zh", SHOP_ZONE) == "发货后会同步物流单号。"


def test_where_is_my_refund_with_none_under_way_says_so_rather_than_the_rule() -> None:
    o = shipped_then(OrderStatus.DELIVERED)
    for text in ("where is my refund", "我的退款怎么还没到"):
        d = decide(bot(), Inbound(text), ctx(asked(text), shop=shop(o), knowledge=KB))  # type: ignore[arg-type]
        assert d.rule == "no_refund_on_order", text
