"""The wording lives in one file per language, and a shop's file in its data directory wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tandem.core.language import detect_language
from tandem.engine.replies import compose, handoff_quick_reply, topic_label, with_queue_place
from tandem.engine.wording import DEFAULT_WORDING, WordingError, load_wording


def test_the_shipped_wording_has_every_situation_in_both_languages() -> None:
    for situation, texts in DEFAULT_WORDING.situations.items():
        assert set(texts) == {"zh", "en"}, situation
    reply = compose("handoff_queued", "zh", frozenset(), position=3, eta_seconds=120)
    assert reply is not None and "第 3 位" in reply.text and "2 分钟" in reply.text


def test_a_shop_overrides_a_greeting_in_toml(tmp_path: Path) -> None:
    (tmp_path / "wording.toml").write_text(
        '[zh.situations]\ngreeting = ["欢迎光临小店！"]\n[en.topics]\nrefund = "Money back"\n'
        '[zh.quick_replies]\nhandoff = "找客服"\n',
        encoding="utf-8",
    )
    wording = load_wording(tmp_path)
    hello = compose("greeting", "zh", frozenset(), wording=wording)
    assert hello is not None and hello.text == "欢迎光临小店！"
    # What the shop did not override stays as shipped.
    english = compose("greeting", "en", frozenset(), wording=wording)
    assert english is not None and english.text.startswith("Hello!")
    assert topic_label("refund", "en", wording) == "Money back"
    assert topic_label("refund", "zh", wording) == "退款"
    assert handoff_quick_reply("zh", wording).label == "找客服"


def test_json_works_too(tmp_path: Path) -> None:
    (tmp_path / "wording.json").write_text(
        json.dumps({"en": {"situations": {"bye": "See you!"}}}), encoding="utf-8"
    )
    bye = compose("bye", "en", frozenset(), wording=load_wording(tmp_path))
    assert bye is not None and bye.text == "See you!"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('[zh.situations]\ngreetings = ["hi"]\n', "zh.situations.greetings does not exist"),
        ('[fr.situations]\ngreeting = ["salut"]\n', "unknown language 'fr'"),
        ('[zh.situations]\nhandoff_queued = ["第 {place} 位"]\n', "{place}"),
        ('[zh.situations]\ngreeting = [""]\n', "needs non-empty text"),
        ("[zh.situations\n", "not valid toml"),
    ],
)
def test_a_bad_override_says_which_key_to_fix(tmp_path: Path, body: str, says: str) -> None:
    (tmp_path / "wording.toml").write_text(body, encoding="utf-8")
    with pytest.raises(WordingError) as error:
        load_wording(tmp_path)
    assert says in str(error.value)
    assert "wording.toml" in str(error.value)


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("我的快递到哪了", "en", "zh"),
        ("where is my parcel", "zh", "en"),
        ("我买的 iPhone 还没发货", "en", "zh"),
        ("Refund my order TD123 please 谢谢", "zh", "en"),
        ("👍", "en", "en"),
        ("12345", "zh", "zh"),
    ],
)
def test_one_language_detector(text: str, default: str, expected: str) -> None:
    assert detect_language(text, default) == expected


def test_the_hand_off_reply_is_told_with_the_queues_own_place() -> None:
    told = compose("handoff_queued", "zh", frozenset(), position=1, eta_seconds=60)
    assert told is not None
    (again,) = with_queue_place((told,), "zh", 4, 600)
    assert again.key == told.key
    assert "第 4 位" in again.text and "10 分钟" in again.text
    other = compose("greeting", "zh", frozenset())
    assert other is not None
    assert with_queue_place((other,), "zh", 4, 600) == (other,)
