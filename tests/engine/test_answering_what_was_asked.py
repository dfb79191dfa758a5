"""An answer must answer what was asked: a product-fact entry near the message is not sent when
it leaves out what the message asks; a question about the service's hours is not a request for
a person; a follow-up narrowing an answer already given is answered with that part; a greeting
is answered in its own language."""

from __future__ import annotations

from dataclasses import replace

from tandem.core.language import detect_language
from tandem.engine import Inbound, decide
from tandem.engine.memory import EngineMemory
from tandem.engine.rules.human_request import asks_about_the_service
from tandem.engine.rules.knowledge import narrowed_part
from tandem.knowledge.index import Match, SearchResult

from .test_decide import analysis, bot, ctx

GENUINE = Match(
    "faq-g", "Are your products genuine?", "Everything we sell is genuine.", 2.0, 0.43,
    "product_info", uncovered=1.0,
)  # fmt: skip
FEES = Match(
    "faq-fee",
    "包邮吗？",
    "全店满 99 元包邮（港澳台除外）；不满 99 元收取 8 元运费。新疆、西藏等偏远地区满 199 元包邮。",
    2.0,
    0.93,
    "shipping_info",
)


def asked(text: str, intent: str, confidence: float = 0.9, act: str = "question") -> object:
    return replace(analysis(text, intent, confidence), act=act, act_confidence=0.9)


def test_a_product_fact_entry_leaving_out_what_was_asked_is_not_sent() -> None:
    # Below the bar, the two readings agree on the broad intent, but the entry speaks of
    # something else ("pill" is nowhere in it): the AI asks instead.
    a = asked("does this sweater pill?", "product_info", 0.95)
    d = decide(
        bot(), Inbound("does this sweater pill?"), ctx(a, knowledge=SearchResult(None, (GENUINE,)))
    )
    assert d.rule != "knowledge_answer"
    # The retriever's own answer, not sure of it, leaving out most of the message: same.
    fabric = Match(
        "faq-f", "衣服是什么面料？", "羊绒大衣羊绒含量 100%。", 2.0, 0.53, "product_info", 0.43
    )
    a = asked("羊绒大衣可不可以免费改衣长", "product_info", 0.9)
    d = decide(
        bot(),
        Inbound("羊绒大衣可不可以免费改衣长"),
        ctx(a, knowledge=SearchResult(fabric, (fabric,))),
    )
    assert d.rule != "knowledge_answer"
    # The same entries covering the message are sent; so is one the retriever is sure of.
    for match in (
        replace(GENUINE, uncovered=0.2),
        replace(fabric, uncovered=0.3),
        replace(fabric, confidence=0.9),
    ):
        kb = SearchResult(match if match.confidence >= 0.5 else None, (match,))
        d = decide(bot(), Inbound("x"), ctx(a, knowledge=kb))
        assert d.rule == "knowledge_answer" and d.kb_entry_id == match.entry_id
    # A policy entry holds for every product: the share left out does not gate it.
    policy = replace(fabric, intent="return", uncovered=0.9)
    a = asked("羊绒大衣能退吗", "return", 0.9)
    d = decide(bot(), Inbound("羊绒大衣能退吗"), ctx(a, knowledge=SearchResult(policy, (policy,))))
    assert d.rule == "knowledge_answer"


def test_a_question_about_the_service_hours_is_not_a_request_for_a_person() -> None:
    for text in ["人工客服几点到几点", "人工周末上班吗", "what are your agents' hours?"]:
        assert asks_about_the_service(text), text
    for text in ["转人工", "几点能给我转人工", "人工呢 都等多久了", "I want to talk to an agent"]:
        assert not asks_about_the_service(text), text
    hours = Match("faq-h", "客服几点上班？", "人工客服每天 09:00-21:00 在线。", 2.0, 0.9, "human")
    a = asked("人工客服几点到几点", "human", 0.9)
    d = decide(
        bot(), Inbound("人工客服几点到几点"), ctx(a, knowledge=SearchResult(hours, (hours,)))
    )
    assert d.rule == "knowledge_answer" and d.action != "hand_off"
    # Without an entry on the hours, the person is still put through.
    d = decide(bot(), Inbound("人工客服几点到几点"), ctx(a, knowledge=SearchResult(None, ())))
    assert d.action == "hand_off"


def test_a_follow_up_narrowing_the_answer_gets_that_part_once() -> None:
    assert narrowed_part("偏远地区呢 新疆", FEES) == ("2", "新疆、西藏等偏远地区满 199 元包邮。")
    assert narrowed_part("到底包不包邮", FEES) is None  # a rephrase adds nothing
    sent = EngineMemory().with_sent(("kb:faq-fee",))
    view = bot(memory=replace(sent, last_answered="shipping_info"))
    a = asked("偏远地区呢 新疆", "shipping_info", 0.9)
    d = decide(view, Inbound("偏远地区呢 新疆"), ctx(a, knowledge=SearchResult(FEES, (FEES,))))
    assert d.rule == "knowledge_answer" and d.action != "hand_off"
    assert d.replies[0].text == "新疆、西藏等偏远地区满 199 元包邮。"
    # The same narrowing again is a loop: handed off.
    assert d.memory is not None
    again = decide(
        bot(memory=d.memory),
        Inbound("偏远地区呢 新疆"),
        ctx(a, knowledge=SearchResult(FEES, (FEES,))),
    )
    assert again.action == "hand_off" and again.handoff_reason == "repeated_problem"
    # A plain rephrase is handed off as before.
    a = asked("到底包不包邮", "shipping_info", 0.9)
    d = decide(view, Inbound("到底包不包邮"), ctx(a, knowledge=SearchResult(FEES, (FEES,))))
    assert d.action == "hand_off" and d.handoff_reason == "repeated_problem"


def test_a_greeting_is_answered_in_its_language() -> None:
    for text in ["hi", "Hiii 👋", "hello there"]:
        assert detect_language(text, "zh") == "en", text
    for text in ["ok", "iPhone 15 Pro", "hi 我的快递到哪了"]:
        assert detect_language(text, "zh") == "zh", text
