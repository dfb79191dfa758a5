"""Intent and out-of-scope on a small data set built here."""

import numpy as np
import pytest

from tandem.understanding.intent import IntentModel, choose_floors, train_intent
from tandem.understanding.normalize import normalize

DATA = {
    "refund": [
        "我要退款",
        "怎么退款",
        "把钱退给我",
        "申请退款",
        "能退钱吗",
        "i want a refund",
        "refund me please",
        "give me my money back",
        "退款怎么申请",
        "我想退款",
    ],
    "where_is_parcel": [
        "我的快递到哪了",
        "查一下物流",
        "包裹到哪里了",
        "快递怎么还没到",
        "物流不更新",
        "where is my package",
        "track my parcel",
        "my parcel has not arrived",
        "快递到哪了",
        "帮我查快递",
    ],
    "size": [
        "穿什么码",
        "尺码偏大吗",
        "170穿多大",
        "尺码表在哪",
        "what size should i get",
        "does it run small",
        "is it true to size",
        "我该选哪个尺码",
        "鞋子偏码吗",
        "m码合适吗",
    ],
    "oos": [
        "今天天气怎么样",
        "给我讲个笑话",
        "帮我写作文",
        "股票会涨吗",
        "what's the weather",
        "tell me a joke",
        "who is the president",
        "推荐部电影",
        "how old are you",
        "你几岁了",
    ],
}


def build():  # type: ignore[no-untyped-def]
    texts = [normalize(t) for label, rows in DATA.items() for t in rows]
    labels = [label for label, rows in DATA.items() for _ in rows]
    return train_intent(texts, labels)


def test_in_scope_messages_get_their_intent() -> None:
    model = build()
    assert model.predict(normalize("我的包裹到哪里了？")).intent == "where_is_parcel"
    assert model.predict(normalize("我想申請退款")).intent == "refund"
    assert model.predict(normalize("which size should I get")).intent == "size"


def test_out_of_scope_verdict() -> None:
    model = build()
    res = model.predict(normalize("明天天气怎么样"))
    assert res.out_of_scope and res.intent == "oos"
    # The likely in-scope topics are still offered, each with a probability.
    assert len(res.top) == 3 and all(0.0 <= s.confidence <= 1.0 for s in res.top)


def test_unknown_text_is_out_of_scope_not_a_guess() -> None:
    model = build()
    res = model.predict(normalize("🙂🙂"))
    assert res.out_of_scope


def test_confidences_are_probabilities_sorted_descending() -> None:
    model = build()
    res = model.predict(normalize("查一下物流"))
    confs = [s.confidence for s in res.top]
    assert confs == sorted(confs, reverse=True)
    assert res.confidence == confs[0] > 0.5
    assert "oos" not in model.labels


class _Classes:
    """Just what IntentModel.decide reads from a classifier."""

    classes = ("a", "b", "oos")


def test_margin_floor_catches_a_message_torn_between_two_intents() -> None:
    model = IntentModel(_Classes(), threshold=0.0)  # type: ignore[arg-type]
    held = np.array(
        [
            [0.90, 0.05, 0.05],  # a, sure: confidence 0.90, margin 0.85
            [0.45, 0.44, 0.11],  # oos, torn between a and b: confidence 0.45, margin 0.01
            [0.42, 0.20, 0.38],  # a, unsure but clear of b: confidence 0.42, margin 0.22
        ],
        dtype=np.float32,
    )
    # A confidence floor alone cannot separate row 2 (0.45) from row 3 (0.42); a margin floor
    # above 0.01 and up to 0.22 does. The lowest such on the grid (step 0.02) is 0.02.
    threshold, margin = choose_floors(model, held, ["a", "oos", "a"])
    assert threshold == 0.0
    assert margin == pytest.approx(0.02)
    model.margin = margin
    assert [model.decide(p).out_of_scope for p in held] == [False, True, False]
