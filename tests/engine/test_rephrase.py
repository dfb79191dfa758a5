"""Rephrase detection on meaning: the same question asked in other words is seen as such."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine import Inbound, decide
from tandem.knowledge.index import Match, SearchResult
from tandem.shop.types import OrderStatus

from .test_decide import analysis, bot, ctx, order, shop


def test_the_same_question_read_as_another_intent_is_still_a_rephrase() -> None:
    # "到底几天能发出来啊" after "你们一般多久发货": the words lean to urge_shipping, but retrieval
    # (on the message's meaning) answers it with the entry already sent: the answer did not help.
    kb = SearchResult(
        answer=Match("faq-1", "多久发货", "付款后 48 小时内发货。", 3.0, 0.9, "shipping_info"),
        candidates=(),
    )
    o = order("TD1", OrderStatus.PAID)
    first = decide(
        bot(),
        Inbound("你们一般多久发货"),
        ctx(analysis("你们一般多久发货", "shipping_info", 0.95), knowledge=kb, shop=shop(o)),
    )
    assert first.rule == "knowledge_answer"
    asked = replace(analysis("到底几天能发出来啊", "urge_shipping", 0.9), act_confidence=0.8)
    again = decide(
        bot(memory=first.memory),
        Inbound("到底几天能发出来啊"),
        ctx(asked, knowledge=kb, shop=shop(o)),
    )
    assert again.action == "hand_off" and again.handoff_reason == "repeated_problem"
    # A request to hurry the order is not the question again: the order is worked on.
    urged = replace(asked, act="request")
    work = decide(
        bot(memory=first.memory), Inbound("快点给我发"), ctx(urged, knowledge=kb, shop=shop(o))
    )
    assert work.handoff_reason != "repeated_problem" and work.rule != "knowledge_answer"
    # A question about their own order after the rule is a new question, not the same one.
    own = replace(asked, text="我这单什么时候发", normalized="我这单什么时候发")
    mine = decide(
        bot(memory=first.memory), Inbound("我这单什么时候发"), ctx(own, knowledge=kb, shop=shop(o))
    )
    assert mine.handoff_reason != "repeated_problem"
