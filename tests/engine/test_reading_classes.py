"""Questions read as questions: a question about the service is answered, not put through;
a question about a property is not answered with an entry about a problem it does not report."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine import Inbound, decide
from tandem.knowledge.index import Match, SearchResult

from .test_decide import analysis, bot, ctx

HOURS = Match("faq-h", "客服几点上班？", "人工客服每天 09:00-21:00 在线。", 2.0, 0.42, "human")
PILLING = Match(
    "faq-q", "衣服开线了起球了", "抱歉衣服出现了质量问题，请拍照。", 3.0, 0.91, "quality_issue"
)


def test_a_question_about_service_hours_is_answered_not_handed_off() -> None:
    # Below the retriever's answer bar, but the entry is itself about people: it answers.
    kb = SearchResult(answer=None, candidates=(HOURS,))
    asked = replace(analysis("客服周日上班吗", "human", 0.95), act="question", act_confidence=0.8)
    d = decide(bot(), Inbound("客服周日上班吗"), ctx(asked, knowledge=kb))
    assert d.rule == "knowledge_answer" and d.action != "hand_off"
    # The same intent as a request ("找个客服来") is put through.
    wanted = replace(asked, act="request")
    d = decide(bot(), Inbound("找个客服来"), ctx(wanted, knowledge=kb))
    assert d.action == "hand_off" and d.handoff_reason == "customer_request"
    # A question whose best entry is about something else is no answer: put through as before.
    other = replace(HOURS, intent="shipping_info")
    d = decide(bot(), Inbound("客服周日上班吗"), ctx(asked, knowledge=SearchResult(None, (other,))))
    assert d.action == "hand_off"


def test_a_property_question_is_not_answered_with_a_problem_entry() -> None:
    kb = SearchResult(answer=PILLING, candidates=(PILLING,))
    asked = replace(
        analysis("这款卫衣会起球吗", "product_info", 0.6), act="question", act_confidence=0.9
    )
    d = decide(bot(), Inbound("这款卫衣会起球吗"), ctx(asked, knowledge=kb))
    assert d.rule != "knowledge_answer"
    # The gate is about the entry's kind: an entry about the product itself answers it.
    fabric = Match("faq-f", "衣服是什么面料？", "纯棉，不易起球。", 2.0, 0.91, "product_info")
    d = decide(
        bot(),
        Inbound("这款卫衣会起球吗"),
        ctx(asked, knowledge=SearchResult(answer=fabric, candidates=(fabric,))),
    )
    assert d.rule == "knowledge_answer" and "纯棉" in d.replies[0].text


def _claimed(text: str, intent: str, act: str, *, others: tuple[str, ...] = ()) -> object:
    return replace(analysis(text, intent, 0.97, others=others), act=act, act_confidence=0.93)


def test_a_fault_read_as_a_product_question_is_a_claim_on_the_delivered_order() -> None:
    from tandem.shop.types import OrderStatus, ReturnReason

    from .test_decide import order, shop

    crabs = order("TD1", OrderStatus.DELIVERED, delivered_days_ago=1)
    # The product's name pulled the words to product_info; the act says something is wrong.
    a = _claimed("螃蟹死了好几只", "product_info", "complaint", others=("damaged_or_wrong_item",))
    d = decide(bot(), Inbound("螃蟹死了好几只"), ctx(a, shop=shop(crabs)))  # type: ignore[arg-type]
    assert d.intent == "damaged_or_wrong_item" and d.rule != "knowledge_answer"
    assert d.act is not None and d.act.order_id == "TD1"
    assert d.act.request.reason == ReturnReason.DAMAGED
    # Asked as a question, it stays one.
    q = replace(a, act="question")  # type: ignore[type-var]
    d = decide(bot(), Inbound("螃蟹死了能赔吗"), ctx(q, shop=shop(crabs)))  # type: ignore[arg-type]
    assert d.intent != "damaged_or_wrong_item"
    # Nothing delivered yet, or nobody signed in: no order to claim on.
    on_the_way = order("TD2", OrderStatus.SHIPPED)
    d = decide(bot(), Inbound("螃蟹死了好几只"), ctx(a, shop=shop(on_the_way)))  # type: ignore[arg-type]
    assert d.intent == "product_info"
    d = decide(bot(), Inbound("螃蟹死了好几只"), ctx(a))  # type: ignore[arg-type]
    assert d.intent == "product_info"


def test_a_use_question_the_knowledge_base_answers_is_tried_before_a_claim() -> None:
    from tandem.shop.types import OrderStatus

    from .test_decide import order, shop

    pairing = Match("faq-p", "耳机怎么配对", "长按耳机按键 3 秒进入配对。", 3.0, 0.9, "how_to_use")
    buds = order("TD1", OrderStatus.DELIVERED, delivered_days_ago=2)
    a = _claimed("耳机连不上手机", "how_to_use", "complaint", others=("quality_issue",))
    kb = SearchResult(answer=pairing, candidates=(pairing,))
    d = decide(bot(), Inbound("耳机连不上手机"), ctx(a, shop=shop(buds), knowledge=kb))  # type: ignore[arg-type]
    assert d.rule == "knowledge_answer"
    d = decide(bot(), Inbound("耳机连不上手机"), ctx(a, shop=shop(buds)))  # type: ignore[arg-type]
    assert d.intent == "quality_issue"
