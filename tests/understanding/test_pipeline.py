"""The shipped demo models, through the public interface the engine uses."""

import json

import pytest

from tandem.understanding import Analysis, load_understanding
from tandem.understanding.types import ABUSE_KINDS, EMOTION_LABELS


@pytest.fixture(scope="module")
def understanding():  # type: ignore[no-untyped-def]
    return load_understanding()


DEMO_LABELS = {
    "greeting",
    "thanks",
    "bye",
    "human",
    "product_info",
    "stock",
    "price_promotion",
    "coupon",
    "size",
    "shipping_info",
    "payment",
    "invoice",
    "order_status",
    "change_address",
    "cancel_order",
    "urge_shipping",
    "where_is_parcel",
    "return",
    "exchange",
    "refund",
    "refund_status",
    "damaged_or_wrong_item",
    "quality_issue",
    "how_to_use",
    "warranty",
    "complaint",
}


def test_demo_taxonomy_is_exactly_the_agreed_labels(understanding) -> None:  # type: ignore[no-untyped-def]
    assert set(understanding.intent_labels) == DEMO_LABELS


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你好，我要退货", "return"),
        ("給我轉人工", "human"),
        ("我的快递到哪了", "where_is_parcel"),
        ("退款什么时候到账", "refund_status"),
        ("I want to talk to a real person", "human"),
    ],
)
def test_demo_intents(understanding, text: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    a = understanding.analyze(text)
    assert a.intent == intent and not a.out_of_scope


@pytest.mark.parametrize(
    "text", ["今天天气怎么样", "帮我写一篇作文", "what is the meaning of life"]
)
def test_demo_out_of_scope(understanding, text: str) -> None:  # type: ignore[no-untyped-def]
    a = understanding.analyze(text)
    assert a.out_of_scope and a.intent == "oos"
    # "帮我写一篇作文" asks for something, but nothing the shop does: never a request to act.
    assert a.act != "request"


def test_emotion_and_abuse(understanding) -> None:  # type: ignore[no-untyped-def]
    calm = understanding.analyze("这件衣服有M码吗")
    assert calm.emotion.label == "neutral" and not calm.abuse.is_abusive
    angry = understanding.analyze("你个傻逼客服，到底什么时候发货！！！")
    assert angry.abuse.is_abusive and "insult" in angry.abuse.kinds
    span = angry.abuse.spans[0]
    assert angry.text[span.start : span.end] == "傻逼"
    assert angry.emotion.label == "anger" and angry.emotion.intensity > 0.5
    assert set(angry.abuse.kinds) <= set(ABUSE_KINDS)
    assert understanding.analyze("急用！！明天就要，能不能今天发").emotion.label in EMOTION_LABELS


def test_analysis_is_json_ready(understanding) -> None:  # type: ignore[no-untyped-def]
    a: Analysis = understanding.analyze("订单TD20261101000123还没发货？？")
    data = json.loads(json.dumps(a.to_dict(), ensure_ascii=False))
    assert data["entities"][0]["value"] == "TD20261101000123"
    assert data["language"] == "zh"
    assert len(data["intents"]) == 3
