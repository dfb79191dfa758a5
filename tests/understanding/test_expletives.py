"""Swearing aimed at no one is frustration: masked for the agent, never warned or counted.

Swearing aimed at the listener (你他妈的, fuck you) stays abuse. Through the shipped models and
the pure engine, with sentences written for this test.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tandem.engine import ConversationView, Inbound, QueueFacts, TurnContext, decide
from tandem.engine.masking import masked_text, segments
from tandem.shop.policy_config import load_policy
from tandem.understanding import Analysis, load_understanding
from tandem.understanding.lexicon import default_lexicon
from tandem.understanding.types import EXPLETIVE

POLICY = load_policy()
NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def understanding():  # type: ignore[no-untyped-def]
    return load_understanding()


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in default_lexicon().find(text)]


def test_a_swear_word_is_aimed_only_when_the_listener_is_named_next_to_it() -> None:
    assert kinds("靠北 物流怎么又卡住了") == [("靠北", EXPLETIVE)]
    assert kinds("特么的 到底哪天发") == [("特么", EXPLETIVE)]
    assert kinds("holy shit the box is crushed") == [("shit", EXPLETIVE)]
    # The listener right before or after it: aimed, so profanity.
    assert kinds("你特么能不能快点") == [("特么", "profanity")]
    assert kinds("特么你们能不能快点") == [("特么", "profanity")]
    assert kinds("shit u are slow") == [("shit", "profanity")]
    assert kinds("you fucking liar") == [("fucking", "profanity")]
    # "you" further away does not aim it.
    assert kinds("fucking courier lost it, can you check") == [("fucking", EXPLETIVE)]


def reply_keys(a: Analysis) -> list[str]:
    facts = QueueFacts(agents_online=2, position_if_queued=1, eta_seconds=60)
    c = TurnContext(queue=facts, now=NOW, analysis=a, policy=POLICY, rules=POLICY.engine)
    d = decide(ConversationView(state="bot"), Inbound(a.text), c)
    assert d.memory.abuse_count == (1 if a.abuse.is_abusive else 0)
    return [r.key for r in d.replies]


@pytest.mark.parametrize(
    "text",
    ["靠北，快递五天了还在转运", "特么的 发票到底开不开", "fucking courier left it in the rain"],
)
def test_frustrated_swearing_is_not_abuse_and_is_not_warned(understanding, text: str) -> None:  # type: ignore[no-untyped-def]
    a = understanding.analyze(text)
    assert not a.abuse.is_abusive
    assert a.abuse.kinds == (EXPLETIVE,)
    assert not any(k.startswith("abuse_warning") for k in reply_keys(a))
    # The agent still does not read the word: it is masked, labelled.
    pieces = segments(text, a.to_dict())
    assert pieces is not None
    assert "粗口" in masked_text(pieces, "zh")
    assert [p["kind"] for p in pieces if p.get("masked")] == [EXPLETIVE]


@pytest.mark.parametrize("text", ["你特么是不是听不懂", "shit u are useless, fix it"])
def test_swearing_at_the_agent_is_abuse_and_is_warned(understanding, text: str) -> None:  # type: ignore[no-untyped-def]
    a = understanding.analyze(text)
    assert a.abuse.is_abusive and "profanity" in a.abuse.kinds
    assert EXPLETIVE not in a.abuse.kinds
    assert reply_keys(a)[0].startswith("abuse_warning")
    assert a.emotion.label == "anger"


def test_a_clean_message_has_nothing_to_mask(understanding) -> None:  # type: ignore[no-untyped-def]
    a = understanding.analyze("快递五天了还在转运")
    assert a.abuse.spans == () and segments(a.text, a.to_dict()) is None
