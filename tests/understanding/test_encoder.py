"""One sentence encoder per message, shared by every head; and the lexical fallback when the
encoder cannot run. Both paths through the public interface (`load_understanding`)."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.understanding import load_understanding
from tandem.understanding.encoder import (
    MAX_CHARS,
    NullEncoder,
    encoder_input,
    load_encoder,
)
from tandem.understanding.types import ACT_LABELS


@pytest.fixture(scope="module")
def encoded():  # type: ignore[no-untyped-def]
    u = load_understanding(encoder=load_encoder("e5"))
    if not u.encoder.available:
        pytest.skip(f"encoder not available here: {u.encoder_status()}")
    return u


@pytest.fixture(scope="module")
def lexical():  # type: ignore[no-untyped-def]
    return load_understanding(encoder=NullEncoder("switched off for this test"))


def test_the_switch_turns_the_encoder_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_ENCODER", "off")
    enc = load_encoder()
    assert not enc.available
    assert enc.encode("你好") is None
    assert "TANDEM_ENCODER=off" in enc.status


def test_input_is_cut_before_encoding() -> None:
    assert len(encoder_input("退" * 500)) == MAX_CHARS == 128
    assert encoder_input("  在吗  ") == "在吗"


def test_one_unit_vector_per_message_reused_from_the_cache(encoded) -> None:  # type: ignore[no-untyped-def]
    a = encoded.analyze("我的快递到哪了？")
    b = encoded.analyze("我的快递到哪了？")
    assert a.vector is not None and a.vector.shape == (384,)
    assert abs(float(np.linalg.norm(a.vector)) - 1.0) < 1e-3
    assert b.vector is a.vector  # second time from the LRU cache, not encoded again
    # the same message folded differently (full width, Traditional) is the same cache key
    c = encoded.analyze("我的快遞到哪了？")
    assert c.vector is a.vector
    assert "vector" not in a.to_dict()
    assert encoded.encoder_status().startswith("encoder: multilingual-e5-small")
    assert "heads: intent, act, emotion, abuse" in encoded.encoder_status()


def test_the_lexical_models_serve_without_the_encoder(lexical) -> None:  # type: ignore[no-untyped-def]
    a = lexical.analyze("我要退货，订单号TD20261101000123")
    assert a.vector is None
    assert a.intent == "return"
    assert a.act in ACT_LABELS
    assert lexical.encoder_status() == "lexical only: switched off for this test"


@pytest.mark.parametrize(
    ("text", "act"),
    [
        ("请问寄回来的邮费是你们出还是我出", "question"),
        ("七天无理由退货具体是怎么规定的？", "question"),
        ("麻烦把TD20261105000111这单取消掉", "request"),
        ("please refund order TD20261101000321", "request"),
        ("盒子压坏了，里面的杯子也碎了", "complaint"),
        ("谢谢啦，没别的事了", "chitchat"),
    ],
)
def test_dialogue_act(encoded, text: str, act: str) -> None:  # type: ignore[no-untyped-def]
    a = encoded.analyze(text)
    assert a.act == act, (a.act, a.act_confidence)
    assert 0.0 < a.act_confidence <= 1.0
    assert a.to_dict()["act"] == act


def test_a_question_about_returns_is_not_a_request_to_return(encoded) -> None:  # type: ignore[no-untyped-def]
    ask = encoded.analyze("退货的话要在几天内申请？")
    do = encoded.analyze("这件衣服帮我退了吧")
    assert (ask.intent, ask.act) == ("return", "question")
    assert (do.intent, do.act) == ("return", "request")
