"""The fact guard on hand-written cases: each names what must be caught, or passed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.llm_guard_cases import PRODUCTS as ALL

from tandem.llm.guard import Sources, check, numbers

TEMPLATE_ZH = "您的订单 TD20261101 已于 11月3日 发出，顺丰单号 SF1234567890，预计 11月5日 送达。"
TEMPLATE_EN = (
    "Your order TD20261101 shipped on Nov 3 with tracking SF1234567890 and should arrive by Nov 5."
)
PRODUCTS = (
    "星耀 X5 智能手机 256G",
    "主动降噪无线耳机",
    "Xingyao X5 smartphone 256 GB",
    "Wireless mouse",
)


def zh(text: str, *extra: str) -> tuple[bool, tuple[str, ...]]:
    v = check(text, Sources((TEMPLATE_ZH, *extra), PRODUCTS, "zh"))
    return v.ok, v.reasons


def en(text: str, *extra: str) -> tuple[bool, tuple[str, ...]]:
    v = check(text, Sources((TEMPLATE_EN, *extra), PRODUCTS, "en"))
    return v.ok, v.reasons


def test_a_faithful_rewording_passes() -> None:
    assert zh(
        "亲，您的订单 TD20261101 在 11月3日 已经发货了，顺丰单号是 SF1234567890，预计 11月5日 能送到哦。"
    )[0]
    assert en(
        "Good news: order TD20261101 left us on Nov 3 (tracking SF1234567890); expect it by Nov 5."
    )[0]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "您的订单 TD20261101 已于 11月3日 发出，顺丰单号 SF1234567890，预计 11月6日 送达。",
            "date",
        ),
        ("您的订单 TD20261102 已于 11月3日 发出，顺丰单号 SF1234567890，预计 11月5日 送达。", "id"),
        ("您的订单 TD20261101 已于 11月3日 发出，预计 11月5日 送达，运费 12 元。", "number:12"),
        ("您的订单 TD20261101 已发出，我们保证 11月5日 送达。", "promise:guarantee"),
        ("您的订单 TD20261101 已发出，明天就能到。", "promise:tomorrow"),
        ("订单 TD20261101 已发出，送您一张优惠券表示歉意。", "promise:compensation"),
        ("订单 TD20261101 已发出，已为您转接人工客服，请稍候。", "transfer"),
        ("抱歉，这个问题我无法为您处理。", "refusal"),
        ("Your order TD20261101 shipped on Nov 3 and should arrive by Nov 5.", "wrong_language"),
        ("您的订单 TD20261101 已发出，两天内送达。", "number:2"),
        # 3 is in the sources (11月3日), three days is not.
        ("您的订单 TD20261101 已发出，三天内送达。", "quantity:3 day"),
        ("您购买的主动降噪无线耳机已于 11月3日 发出。", "product"),
    ],
)
def test_chinese_inventions_are_caught(text: str, reason: str) -> None:
    ok, reasons = zh(text)
    assert not ok
    assert reason in reasons


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Your order TD20261101 shipped on Nov 3 and should arrive by Nov 4.", "date"),
        ("Order TD20261101 shipped Nov 3; we'll refund the 15 yuan shipping fee.", "number:15"),
        ("Order TD20261101 shipped on Nov 3. I have transferred you to a human agent.", "transfer"),
        (
            "Order TD20261101 shipped on Nov 3, and I promise it arrives by Nov 5.",
            "promise:guarantee",
        ),
        ("I'm sorry, I cannot help with that.", "refusal"),
        ("您的订单 TD20261101 已于 11月3日 发出。", "wrong_language"),
        ("Your Xingyao X7 Pro shipped on Nov 3.", "name"),
    ],
)
def test_english_inventions_are_caught(text: str, reason: str) -> None:
    ok, reasons = en(text)
    assert not ok
    assert reason in reasons


def test_what_the_template_says_may_be_said_again() -> None:
    handoff = "好的，已为您转接人工客服，您现在排在第 2 位，预计等待约 3 分钟。"
    assert check(
        "好的，已经帮您转接人工客服了，目前第 2 位，大约等 3 分钟。", Sources((handoff,))
    ).ok
    # ...but not with another position.
    assert not check(
        "好的，已为您转接人工客服，您现在排在第 1 位，预计等待约 3 分钟。", Sources((handoff,))
    ).ok


def test_a_fact_from_the_grounding_may_be_added() -> None:
    knowledge = "签收后 7 天内可无理由退货，商品需保持完好。"
    assert zh("订单 TD20261101 已于 11月3日 发出。签收后 7 天内都可以无理由退货。", knowledge)[0]
    assert not zh("订单 TD20261101 已于 11月3日 发出。签收后 15 天内都可以无理由退货。", knowledge)[
        0
    ]


def test_numbers_agree_across_writings() -> None:
    # Hand-computed: 1,299.00 = 1299; 一千二百九十九元 = 1299; 两天 = 2; "一下" is no number.
    assert numbers("¥1,299.00") == {1299.0}
    assert numbers("一千二百九十九元") == {1299.0}
    assert numbers("两天") == {2.0}
    assert numbers("请稍等一下") == set()


def test_empty_and_rambling_outputs_are_rejected() -> None:
    assert not zh("   ")[0]
    assert "too_long" in zh("您的订单已发出。" * 60)[1]


def test_the_shipped_evaluation_set_holds() -> None:
    """A regression check on the set in docs/benchmarks.md: at least 200 replies; every correct
    rewording passes; every wrong one built by one change is caught."""
    path = Path(__file__).parent / "fixtures" / "guard_cases.jsonl"
    cases = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert len(cases) >= 200
    built = [c for c in cases if not c.get("heldout")]
    wrong = [
        c["text"]
        for c in built
        if check(c["text"], Sources((c["template"], *c["facts"]), tuple(ALL), c["language"])).ok
        != c["expect_ok"]
    ]
    assert wrong == []
