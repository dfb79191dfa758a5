"""The pure engine: rules decided from values alone (no server, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tandem.engine import (
    ConversationView,
    EngineMemory,
    Inbound,
    QueueFacts,
    TurnContext,
    after_action,
    decide,
)
from tandem.engine.decide import fill_answer
from tandem.engine.handoff import wants_human
from tandem.knowledge.index import Match, SearchResult
from tandem.shop.policy_config import ServiceHours, load_policy
from tandem.shop.present import ShopFacts
from tandem.shop.types import (
    Address,
    Category,
    Customer,
    Order,
    OrderItem,
    OrderStatus,
    Tier,
    Verdict,
)
from tandem.understanding.types import Abuse, Analysis, Emotion, Entity, IntentScore, Span

NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai: staffed
FACTS = QueueFacts(agents_online=2, position_if_queued=3, eta_seconds=420)
NOBODY = QueueFacts(
    agents_online=0,
    position_if_queued=1,
    eta_seconds=300,
    staffed_now=False,
    callback_at=NOW + timedelta(hours=12),
)
POLICY = load_policy()
ADDRESS = Address(
    recipient="张三", phone="13800000000", province="上海市", city="上海市", line="xx路1号"
)

SHOP_ZONE = ServiceHours().zone


def analysis(
    text: str,
    intent: str = "oos",
    confidence: float = 0.9,
    *,
    emotion: str = "neutral",
    intensity: float = 0.0,
    abusive: bool = False,
    others: tuple[str, ...] = (),
    entities: tuple[Entity, ...] = (),
) -> Analysis:
    scores = (IntentScore(intent, confidence), *(IntentScore(o, 0.1) for o in others))
    spans = (Span(0, 2, "insult"),) if abusive else ()
    return Analysis(
        text=text,
        normalized=text,
        language="en" if text.isascii() else "zh",
        intent=intent,
        confidence=confidence,
        out_of_scope=intent == "oos",
        intents=scores,
        emotion=Emotion(emotion, intensity),
        abuse=Abuse(abusive, ("insult",) if abusive else (), spans),
        entities=entities,
    )


def order(
    order_id: str,
    status: OrderStatus,
    cents: int = 19900,
    category: Category = Category.ACCESSORIES,
    delivered_days_ago: int | None = None,
) -> Order:
    delivered = NOW - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
    return Order(
        order_id=order_id,
        customer_id="c0001",
        status=status,
        total_cents=cents,
        items=(
            OrderItem(
                sku="s1",
                name_zh="数据线",
                name_en="Cable",
                category=category,
                unit_price_cents=cents,
            ),
        ),
        created_at=NOW - timedelta(days=20),
        paid_at=NOW - timedelta(days=20),
        delivered_at=delivered,
        address=ADDRESS,
    )


def shop(*orders: Order, tier: Tier = Tier.NORMAL) -> ShopFacts:
    return ShopFacts(customer=Customer(external_id="c0001", name="张三", tier=tier), orders=orders)


def ctx(a: Analysis | None = None, queue: QueueFacts = FACTS, **kw: object) -> TurnContext:
    return TurnContext(queue=queue, now=NOW, analysis=a, policy=POLICY, rules=POLICY.engine, **kw)  # type: ignore[arg-type]


def bot(**kw: object) -> ConversationView:
    return ConversationView(state="bot", **kw)  # type: ignore[arg-type]


def test_explicit_requests_for_a_person_are_recognised() -> None:
    for text in [
        "人工客服",
        "转人工",
        "找真人",
        "人工",
        "我要人工服务",
        "轉人工",
        "真人客服",
        "找个人跟我说",
        "客服人員在嗎",
        "human",
        "Human please",
        "I want to talk to a real person",
        "agent",
        "can I speak to someone",
        "representative",
    ]:
        assert wants_human(text), text


def test_asking_for_someone_in_charge_is_asking_for_a_person() -> None:
    for text in [
        "找你们店长",
        "叫你们经理出来",
        "让你们主管跟我说",
        "我要找負責人",
        "请领导处理一下",
        "找老板",
        "I want to speak to your manager",
        "get me a supervisor now",
        "can I talk to the person in charge",
    ]:
        assert wants_human(text), text


def test_a_request_for_a_person_typed_in_a_hurry_is_recognised() -> None:
    # One slip per word: a swapped pair, a letter missing, one too many, one wrong.
    for text in ["can i tlak to a real persn", "i need a huamn", "speak to an agnet pls"]:
        assert wants_human(text), text


@pytest.mark.parametrize(
    "text",
    [
        "人工智能手表有货吗",
        "这个是人工合成的吗",
        "我的快递到哪了",
        "hello",
        "how do I return this",
        # One slip from a way of asking and from nobody: not a request.
        "is this a real leather bag",
        "I want to get a refund",
        # Someone in charge named without asking for them.
        "老板，这件有货吗",
        "店长推荐的那款还有吗",
        "经理说可以退的",
        "my manager said it was a gift",
        "the store owner is nice",
        "I get it, my manager will pay",
    ],
)
def test_ordinary_messages_are_not_taken_for_a_hand_off(text: str) -> None:
    assert not wants_human(text)


def test_request_for_a_person_hands_off_with_position_and_wait() -> None:
    d = decide(bot(), Inbound("人工客服"), ctx(analysis("人工客服", "human", 0.99)))
    assert d.action == "hand_off" and d.handoff_reason == "customer_request"
    assert "第 3 位" in d.replies[0].text and "7 分钟" in d.replies[0].text


def test_nobody_on_duty_gives_a_ticket_with_a_callback_time() -> None:
    d = decide(
        bot(), Inbound("human please"), ctx(analysis("human please", "human", 0.99), queue=NOBODY)
    )
    assert d.action == "hand_off" and d.ticket and d.callback_at == NOBODY.callback_at
    assert "ticket" in d.replies[0].text and "Meanwhile I can keep helping" in d.replies[0].text
    assert "working hours" in d.replies[0].text  # closed: NOBODY is outside the staffed hours


def test_in_hours_with_nobody_signed_in_the_ticket_says_so() -> None:
    # Open, but nobody online: the customer is told the team is away, not that it is closed.
    open_unstaffed = replace(NOBODY, staffed_now=True)
    d = decide(bot(), Inbound("人工"), ctx(analysis("人工", "human", 0.99), queue=open_unstaffed))
    assert d.ticket and "暂时都不在线" in d.replies[0].text
    assert "在岗时间" not in d.replies[0].text


def test_silent_while_a_person_owns_the_conversation() -> None:
    d = decide(ConversationView(state="agent"), Inbound("人工客服"), ctx())
    assert d.action == "silent" and not d.replies


def test_queued_customer_asking_again_gets_fresh_wording_every_time() -> None:
    memory = EngineMemory()
    texts = []
    for _ in range(10):
        view = ConversationView(
            state="queued", memory=memory, queue_position=2, queue_eta_seconds=120
        )
        d = decide(view, Inbound("人工"), ctx(analysis("人工", "human", 0.99)))
        assert d.action == "reply" and len(d.replies) == 1
        texts.append(d.replies[0].text)
        assert d.memory is not None
        memory = d.memory
    assert len(set(texts)) == 10


def test_while_queued_the_ai_keeps_helping_with_routine_questions() -> None:
    kb = SearchResult(
        answer=Match("faq-1", "多久发货", "付款后 48 小时内发货。", 3.0, 0.95, "shipping_info"),
        candidates=(),
    )
    view = ConversationView(state="queued", queue_position=2, queue_eta_seconds=120)
    d = decide(
        view, Inbound("多久发货"), ctx(analysis("多久发货", "shipping_info", 0.95), knowledge=kb)
    )
    assert d.action == "reply" and d.rule == "knowledge_answer"
    assert "48 小时" in d.replies[0].text


def test_unsure_asks_one_clarifying_question_then_hands_off() -> None:
    a = analysis("那个东西怎么弄", "how_to_use", 0.3, others=("product_info", "warranty"))
    first = decide(bot(), Inbound("那个东西怎么弄"), ctx(a))
    assert first.action == "reply" and first.rule == "clarify"
    topics = [q.payload for q in first.replies[0].quick_replies]
    assert topics[:3] == ["topic:how_to_use", "topic:product_info", "topic:warranty"]
    assert first.memory is not None and first.memory.clarified
    second = decide(
        bot(memory=first.memory), Inbound("就是那个"), ctx(analysis("就是那个", "oos", 0.2))
    )
    assert second.action == "hand_off" and second.handoff_reason in (
        "low_confidence",
        "out_of_scope",
    )


def test_a_chosen_topic_counts_as_understood() -> None:
    kb = SearchResult(
        answer=Match("faq-9", "怎么开发票", "在订单页申请电子发票。", 3.0, 0.9, "invoice"),
        candidates=(),
    )
    d = decide(
        bot(memory=EngineMemory(clarified=True)),
        Inbound("发票", "topic:invoice"),
        ctx(analysis("发票", "oos", 0.1), knowledge=kb),
    )
    assert d.rule == "knowledge_answer" and "电子发票" in d.replies[0].text


def test_no_loops_the_same_answer_twice_becomes_a_hand_off() -> None:
    kb = SearchResult(
        answer=Match("faq-1", "多久发货", "付款后 48 小时内发货。", 3.0, 0.95, "shipping_info"),
        candidates=(),
    )
    first = decide(
        bot(), Inbound("多久发货"), ctx(analysis("多久发货", "shipping_info", 0.95), knowledge=kb)
    )
    again = decide(
        bot(memory=first.memory),
        Inbound("到底几天能发"),
        ctx(analysis("到底几天能发", "shipping_info", 0.9), knowledge=kb),
    )
    assert again.action == "hand_off" and again.handoff_reason == "repeated_problem"
    assert all(r.key not in first.memory.sent_keys for r in again.replies)  # type: ignore[union-attr]


def test_anger_is_acknowledged_in_words_that_fit_and_a_person_is_offered() -> None:
    kb = SearchResult(
        answer=Match("faq-1", "多久发货", "付款后 48 小时内发货。", 3.0, 0.95, "shipping_info"),
        candidates=(),
    )
    a = analysis("怎么还不发货！！", "shipping_info", 0.9, emotion="anger", intensity=0.8)
    d = decide(bot(), Inbound("怎么还不发货！！"), ctx(a, knowledge=kb))
    assert d.replies[0].key.startswith("ack.anger.parcel")
    assert d.priority >= POLICY.engine.priority_strong_emotion
    assert any(q.payload == "handoff" for r in d.replies for q in r.quick_replies)
    anxious = decide(
        bot(),
        Inbound("急死了"),
        ctx(analysis("急死了", "refund_status", 0.9, emotion="anxiety", intensity=0.5)),
    )
    assert anxious.replies[0].key.startswith("ack.anxiety.money")
    assert anxious.replies[0].text != d.replies[0].text


def test_abuse_is_warned_then_routed_to_a_supervisor() -> None:
    a = analysis("傻逼客服", "complaint", 0.4, abusive=True)
    first = decide(bot(), Inbound("傻逼客服"), ctx(a))
    assert first.replies[0].key.startswith("abuse_warning")
    second = decide(bot(memory=first.memory), Inbound("傻逼"), ctx(a))
    assert (
        second.action == "hand_off"
        and second.handoff_reason == "abuse"
        and second.skill == "supervisor"
    )


def test_abuse_over_the_limit_while_waiting_goes_to_the_supervisors() -> None:
    # Handed off already (a complaint), the customer keeps insulting while in the queue.
    a = analysis("傻逼客服", "complaint", 0.4, abusive=True)
    first = decide(ConversationView(state="queued"), Inbound("傻逼客服"), ctx(a))
    assert first.action == "reply" and not first.escalate
    second = decide(ConversationView(state="queued", memory=first.memory), Inbound("傻逼"), ctx(a))
    # Still a reply in the queue (not a second hand-off), now flagged for the supervisors.
    assert (second.action, second.escalate, second.skill, second.handoff_reason) == (
        "reply",
        True,
        "supervisor",
        "abuse",
    )
    assert second.replies[0].key.startswith("abuse_warning")


def test_unshipped_refund_is_an_action_and_its_outcome_is_worded() -> None:
    o = order("TD1", OrderStatus.PAID)
    c = ctx(analysis("我要退款", "refund", 0.95), shop=shop(o))
    asked = decide(bot(), Inbound("我要退款"), c)
    # A refund cannot be undone: the customer confirms it first, by tap or in words.
    assert asked.action == "reply" and asked.rule == "confirm_action"
    assert [q.payload for q in asked.replies[0].quick_replies] == ["shop:refund:TD1", "confirm:no"]
    assert asked.memory is not None
    yes = ctx(analysis("确认", "oos", 0.3), shop=shop(o))
    d = decide(bot(memory=asked.memory), Inbound("确认"), yes)
    assert (
        d.action == "act"
        and d.act is not None
        and d.act.order_id == "TD1"
        and d.act.request.kind == "refund"
    )
    verdict = Verdict(
        outcome="allowed",
        rule="unshipped_refund_immediate",
        reason_zh="已为您退款。",
        reason_en="Refunded.",
    )
    done = after_action(bot(), Inbound("我要退款"), c, d, verdict, o)
    assert (
        done.action == "reply"
        and done.rule == "shop_action_done"
        and "退款" in done.replies[0].text
    )


def test_several_orders_are_offered_as_quick_replies_and_the_pick_continues() -> None:
    a, b = order("TD1", OrderStatus.SHIPPED), order("TD2", OrderStatus.SHIPPED)
    c = ctx(analysis("快递到哪了", "where_is_parcel", 0.95), shop=shop(a, b))
    d = decide(bot(), Inbound("快递到哪了"), c)
    assert d.rule == "pick_order"
    payloads = [q.payload for q in d.replies[0].quick_replies]
    assert payloads == ["order:TD1", "order:TD2"]
    picked = decide(
        bot(memory=d.memory),
        Inbound("数据线", "order:TD2"),
        ctx(analysis("数据线", "product_info", 0.5), shop=shop(a, b)),
    )
    assert picked.rule == "order_status_answer"


def test_an_order_number_that_is_not_theirs_reveals_nothing() -> None:
    mine = order("TD1", OrderStatus.SHIPPED)
    e = Entity("order_id", "TD999", "TD999", 0, 5)
    d = decide(
        bot(),
        Inbound("TD999 到哪了"),
        ctx(analysis("TD999 到哪了", "where_is_parcel", 0.9, entities=(e,)), shop=shop(mine)),
    )
    assert d.rule == "order_not_found" and "TD999" in d.replies[0].text
    assert [q.payload for q in d.replies[0].quick_replies] == ["order:TD1"]


def test_high_value_goes_to_a_person_after_the_facts_are_gathered() -> None:
    big = order(
        "TD7",
        OrderStatus.DELIVERED,
        cents=899900,
        category=Category.ELECTRONICS,
        delivered_days_ago=2,
    )
    c = ctx(analysis("退货", "return", 0.95), shop=shop(big))
    ask = decide(bot(), Inbound("退货"), c)
    assert ask.rule == "gather_facts"
    told = decide(
        bot(memory=ask.memory),
        Inbound("屏幕有一条竖线，开机就有"),
        ctx(analysis("屏幕有一条竖线", "quality_issue", 0.8), shop=shop(big)),
    )
    assert told.action == "hand_off" and told.handoff_reason == "high_value"
    assert told.proposal is not None and told.proposal["order_id"] == "TD7"


def test_refund_above_the_threshold_becomes_a_proposal_for_a_person() -> None:
    o = order("TD3", OrderStatus.PAID, cents=150000)
    c = ctx(analysis("我要退款", "refund", 0.95), shop=shop(o))
    d = decide(bot(), Inbound("我要退款"), c)
    verdict = Verdict(
        outcome="needs_approval",
        rule="refund_above_threshold",
        reason_zh="需人工审批。",
        reason_en="Needs approval.",
        amount_cents=150000,
    )
    out = after_action(bot(), Inbound("我要退款"), c, d, verdict, o)
    assert out.action == "hand_off" and out.handoff_reason == "needs_approval"
    assert out.proposal is not None and out.proposal["amount_cents"] == 150000


def test_knowledge_answers_fill_order_facts_or_drop_what_they_cannot() -> None:
    text = "付款后 48 小时内发货。您这笔订单的状态是 {order_status}，发货后同步物流单号。"
    assert fill_answer(text, None, "zh", SHOP_ZONE) == "付款后 48 小时内发货。发货后同步物流单号。"
    filled = fill_answer(text, order("TD1", OrderStatus.PAID), "zh", SHOP_ZONE)
    assert "{" not in filled and "状态是" in filled


def test_answers_in_the_language_of_the_message() -> None:
    assert (
        decide(
            bot(language="zh"),
            Inbound("hello, is anyone there"),
            ctx(analysis("hello, is anyone there", "greeting", 0.99)),
        ).language
        == "en"
    )
    # A word alone, an order number or a product name keeps the conversation's language.
    for text in ("ok", "TD20241203001", "iPhone 15 Pro Max"):
        assert decide(bot(language="zh"), Inbound(text), ctx(None)).language == "zh"
    assert (
        decide(
            bot(language="en"), Inbound("你好，在吗"), ctx(analysis("你好，在吗", "greeting", 0.99))
        ).language
        == "zh"
    )


def test_memory_round_trips_through_json() -> None:
    m = replace(
        EngineMemory(), sent_keys=frozenset({"a", "b"}), emotions=(("anger", 0.7),), order_id="TD1"
    )
    assert EngineMemory.from_json(m.to_json()) == m


def test_an_acknowledgement_before_an_action_stays_in_the_reply() -> None:
    o = order("TD1", OrderStatus.PAID)
    a = analysis("气死了，还不发货我就退款", "refund", 0.9, emotion="anger", intensity=0.8)
    c = ctx(a, shop=shop(o))
    acted = decide(bot(), Inbound("气死了，还不发货我就退款"), c)
    assert acted.action == "reply" and acted.rule == "confirm_action"
    assert acted.replies[0].key.startswith("ack.anger")
    verdict = Verdict(
        outcome="allowed",
        rule="unshipped_refund_immediate",
        reason_zh="已为您退款。",
        reason_en="Refunded.",
    )
    assert acted.memory is not None
    tapped = decide(bot(memory=acted.memory), Inbound("确认", "shop:refund:TD1"), c)
    assert tapped.action == "act" and tapped.act is not None and tapped.act.order_id == "TD1"
    done = after_action(bot(), Inbound("确认"), c, tapped, verdict, o)
    assert any("退款" in r.text for r in done.replies)


def test_hurrying_a_parcel_that_has_left_gets_where_it_is() -> None:
    o = order("TD1", OrderStatus.SHIPPED)
    d = decide(
        bot(), Inbound("快点发货"), ctx(analysis("快点发货", "urge_shipping", 0.9), shop=shop(o))
    )
    assert d.rule == "order_status_answer" and d.intent == "where_is_parcel"
    again = decide(
        bot(memory=d.memory),
        Inbound("到底什么时候到"),
        ctx(analysis("到底什么时候到", "where_is_parcel", 0.9), shop=shop(o)),
    )
    assert again.action == "hand_off" and again.handoff_reason == "repeated_problem"
