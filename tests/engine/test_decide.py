"""The pure engine: rules decided from values alone (no server, no database)."""

from __future__ import annotations

import pytest

from tandem.engine import ConversationView, Inbound, QueueFacts, decide
from tandem.engine.handoff import wants_human

FACTS = QueueFacts(agents_online=2, position_if_queued=3, eta_seconds=420)
NOBODY = QueueFacts(agents_online=0, position_if_queued=1, eta_seconds=300)


@pytest.mark.parametrize(
    "text",
    [
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
    ],
)
def test_explicit_requests_for_a_person_are_recognised(text: str) -> None:
    assert wants_human(text)


@pytest.mark.parametrize(
    "text",
    ["人工智能手表有货吗", "这个是人工合成的吗", "我的快递到哪了", "hello", "how do I return this"],
)
def test_ordinary_messages_are_not_taken_for_a_hand_off(text: str) -> None:
    assert not wants_human(text)


def test_request_for_a_person_hands_off_with_position_and_wait() -> None:
    d = decide(ConversationView(state="bot"), Inbound("人工客服"), FACTS)
    assert d.action == "hand_off" and d.handoff_reason == "customer_request"
    assert "第 3 位" in d.replies[0].text and "7 分钟" in d.replies[0].text


def test_nobody_online_is_said_plainly() -> None:
    d = decide(ConversationView(state="bot"), Inbound("human please"), NOBODY)
    assert d.action == "hand_off" and d.language == "en"
    assert "Nobody is online" in d.replies[0].text


def test_silent_while_a_person_owns_the_conversation() -> None:
    d = decide(ConversationView(state="agent"), Inbound("人工客服"), FACTS)
    assert d.action == "silent" and not d.replies


def test_queued_customer_gets_fresh_wording_every_time() -> None:
    view = ConversationView(state="queued", queue_position=2, queue_eta_seconds=120)
    sent: set[str] = set()
    texts = []
    for n in range(10):
        d = decide(
            ConversationView(
                state="queued",
                queue_position=2,
                queue_eta_seconds=120,
                sent_reply_keys=frozenset(sent),
                human_requests=n,
            ),
            Inbound("人工"),
            FACTS,
        )
        assert d.action == "reply" and len(d.replies) == 1
        sent.add(d.replies[0].key)
        texts.append(d.replies[0].text)
    assert len(set(texts)) == 10
    assert view.state == "queued"


def test_honest_fallback_then_hand_off_instead_of_looping() -> None:
    first = decide(ConversationView(state="bot"), Inbound("这个支架能承重多少"), FACTS)
    assert first.action == "reply" and first.rule == "fallback_offer_human"
    assert first.replies[0].quick_replies[0].payload == "handoff"
    second = decide(
        ConversationView(
            state="bot", sent_reply_keys=frozenset({first.replies[0].key}), fallbacks=1
        ),
        Inbound("那承重到底多少"),
        FACTS,
    )
    assert second.action == "reply" and second.replies[0].text != first.replies[0].text
    third = decide(
        ConversationView(
            state="bot",
            sent_reply_keys=frozenset({first.replies[0].key, second.replies[0].key}),
            fallbacks=2,
        ),
        Inbound("问你呢"),
        FACTS,
    )
    assert third.action == "hand_off" and third.handoff_reason == "cannot_answer"


def test_answers_in_the_language_of_the_message() -> None:
    assert (
        decide(ConversationView(state="bot", language="zh"), Inbound("hello"), FACTS).language
        == "en"
    )
    assert (
        decide(ConversationView(state="bot", language="en"), Inbound("你好"), FACTS).language
        == "zh"
    )
