"""The customer's side of a conversation (issue 12's classes), decided by the pure engine."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine import EngineMemory, Inbound, decide
from tandem.engine.decide import fill_answer
from tandem.engine.feelings import acknowledgement
from tandem.engine.types import ConversationView
from tandem.knowledge.index import Match, SearchResult
from tandem.shop.types import OrderStatus

from .test_decide import SHOP_ZONE, analysis, bot, ctx, order, shop

RETURN_RULE = Match(
    "faq-zh-020",
    "七天无理由退货的规则",
    "签收后 7 天内、商品不影响二次销售可无理由退货，运费由买家承担。",
    3.0,
    0.92,
    "return",
)


def asked(text: str, intent: str, act: str, act_confidence: float = 0.9) -> object:
    return replace(analysis(text, intent, 0.9), act=act, act_confidence=act_confidence)


def test_a_question_about_the_return_rule_is_answered_and_nothing_is_done() -> None:
    o = order("TD1", OrderStatus.DELIVERED, delivered_days_ago=2)
    kb = SearchResult(answer=RETURN_RULE, candidates=(RETURN_RULE,))
    a = asked("七天无理由是怎么算的呀", "return", "question")
    d = decide(bot(), Inbound("七天无理由是怎么算的呀"), ctx(a, shop=shop(o), knowledge=kb))  # type: ignore[arg-type]
    assert d.action == "reply" and d.rule == "knowledge_answer" and d.act is None
    assert "7 天内" in d.replies[0].text


def test_a_request_for_the_same_thing_asks_before_it_acts() -> None:
    o = order("TD1", OrderStatus.DELIVERED, delivered_days_ago=2)
    kb = SearchResult(answer=RETURN_RULE, candidates=(RETURN_RULE,))
    a = asked("这个不想要了 帮我退掉", "return", "request")
    d = decide(bot(), Inbound("这个不想要了 帮我退掉"), ctx(a, shop=shop(o), knowledge=kb))  # type: ignore[arg-type]
    assert d.rule == "confirm_action" and d.act is None
    payloads = [q.payload for q in d.replies[0].quick_replies]
    assert payloads == ["shop:return:TD1:no_reason", "confirm:no"]
    assert d.memory is not None and d.memory.pending_action == "shop:return:TD1:no_reason"
    # "不用了" drops it; nothing is done and the question lapses.
    no = decide(
        bot(memory=d.memory), Inbound("不用了"), ctx(analysis("不用了", "oos", 0.2), shop=shop(o))
    )
    assert no.action == "reply" and no.rule == "action_not_confirmed" and no.act is None
    assert no.memory is not None and no.memory.pending_action is None


def test_a_slot_without_a_value_never_shows_as_a_blank() -> None:
    unshipped = order("TD1", OrderStatus.PAID)
    text = fill_answer(
        "退款原路返回，一般 1-3 个工作日到账。由{carrier}配送，运单号 {tracking_number}。",
        unshipped,
        "zh",
        SHOP_ZONE,
    )
    assert text == "退款原路返回，一般 1-3 个工作日到账。"


def test_a_second_off_topic_question_is_declined_again_and_nobody_is_queued() -> None:
    first = decide(bot(), Inbound("帮我写首诗吧"), ctx(analysis("帮我写首诗吧", "oos", 0.9)))
    assert first.action == "reply" and first.rule == "decline_off_topic"
    assert [q.payload for q in first.replies[0].quick_replies] == ["handoff"]
    second = decide(
        bot(memory=first.memory), Inbound("那讲个笑话"), ctx(analysis("那讲个笑话", "oos", 0.9))
    )
    assert second.action == "reply" and second.rule == "decline_off_topic"
    assert second.replies[0].text != first.replies[0].text


def test_off_topic_while_queued_is_answered_not_met_with_the_queue_status() -> None:
    view = ConversationView(state="queued", queue_position=2, queue_eta_seconds=300)
    d = decide(
        view, Inbound("今晚有什么好看的电影"), ctx(analysis("今晚有什么好看的电影", "oos", 0.9))
    )
    assert d.rule == "decline_off_topic" and "队列" not in d.replies[0].text


def test_are_you_a_bot_is_answered_honestly_and_queues_nobody() -> None:
    for text in ("你是不是机器人啊", "is this a bot or a real person?"):
        d = decide(bot(), Inbound(text), ctx(analysis(text, "human", 0.9)))
        assert d.action == "reply" and d.rule == "bot_identity", text
        assert [q.payload for q in d.replies[0].quick_replies] == ["handoff"]
    # Asking for one is still honoured in the same turn.
    d = decide(bot(), Inbound("我要真人客服"), ctx(analysis("我要真人客服", "human", 0.9)))
    assert d.action == "hand_off"


def test_another_question_of_the_same_intent_is_answered_not_handed_off() -> None:
    courier = Match("faq-zh-002", "你们用什么快递？", "默认顺丰和圆通。", 3.0, 0.9, "shipping_info")
    when = Match(
        "faq-zh-001", "付款后多久发货？", "付款后 48 小时内发货。", 3.0, 0.9, "shipping_info"
    )
    first = decide(
        bot(),
        Inbound("发啥快递"),
        ctx(analysis("发啥快递", "shipping_info"), knowledge=SearchResult(courier, (courier,))),
    )
    assert first.rule == "knowledge_answer"
    second = decide(
        bot(memory=first.memory),
        Inbound("那一般几天能发出"),
        ctx(analysis("那一般几天能发出", "shipping_info"), knowledge=SearchResult(when, (when,))),
    )
    assert second.rule == "knowledge_answer" and "48 小时" in second.replies[0].text
    # The first entry again, in other words, is the same unsolved problem: a person.
    third = decide(
        bot(memory=second.memory),
        Inbound("到底用哪家快递"),
        ctx(analysis("到底用哪家快递", "shipping_info"), knowledge=SearchResult(courier, ())),
    )
    assert third.action == "hand_off" and third.handoff_reason == "repeated_problem"


def test_notes_while_queued_never_repeat_word_for_word_and_count_right() -> None:
    view = ConversationView(state="queued", queue_position=2, queue_eta_seconds=300)
    memory = EngineMemory()
    texts = []
    for note in ("订单是TD1", "颜色要白色", "尽快哈", "还有发票", "地址别改"):
        d = decide(
            replace(view, memory=memory), Inbound(note), ctx(analysis(note, "product_info", 0.3))
        )
        assert d.action == "reply"
        assert d.memory is not None
        memory = d.memory
        texts.append(d.replies[0].text)
    assert len(set(texts)) == 5
    assert memory.queued_notes == 5
    assert "第 5 条" in texts[-1]


def test_no_talk_of_a_slow_parcel_for_one_that_has_not_left() -> None:
    ack = acknowledgement("anger", "where_is_parcel", "zh", frozenset(), parcel_moving=False)
    assert ack is not None and "物流" not in ack.text and "等了这么久" not in ack.text
    moving = acknowledgement("anger", "where_is_parcel", "zh", frozenset(), parcel_moving=True)
    assert moving is not None and moving.key.startswith("ack.anger.parcel")


def test_a_worn_down_jacket_that_sheds_is_a_quality_claim() -> None:
    o = order("TD1", OrderStatus.DELIVERED, delivered_days_ago=40)
    text = "羽绒服穿了两次就一直跑绒，要退货"
    d = decide(bot(), Inbound(text), ctx(asked(text, "return", "request"), shop=shop(o)))  # type: ignore[arg-type]
    # Judged on the fault, not the wear: a quality return (which needs evidence, so it is
    # handed to the policy rather than confirmed as if it were sure to go through).
    assert d.action == "act" and d.act is not None
    assert d.act.request.reason is not None and d.act.request.reason.value == "quality"
    assert d.act.request.condition is None
