"""Intent and out-of-scope on a small data set built here."""

import numpy as np
import pytest

from tandem.understanding.intent import (
    IntentModel,
    choose_floors,
    class_centroids,
    held_out_cosines,
    train_intent,
)
from tandem.understanding.linear import holdout_splits
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
    floors = choose_floors(model, held, ["a", "oos", "a"])
    assert floors.threshold == 0.0
    assert floors.margin == pytest.approx(0.02)
    assert floors.cos_floor == 0.0  # no cosines given: no cosine floor
    model.margin = floors.margin
    assert [model.decide(p).out_of_scope for p in held] == [False, True, False]


def test_cosine_floor_catches_a_confident_message_far_from_every_intent() -> None:
    model = IntentModel(_Classes(), threshold=0.0)  # type: ignore[arg-type]
    held = np.array(
        [
            [0.90, 0.05, 0.05],  # a: confidence 0.90, margin 0.85, cosine 0.9
            [0.80, 0.10, 0.10],  # oos read as a: confidence 0.80, margin 0.70, cosine 0.5
            [0.70, 0.20, 0.10],  # a: confidence 0.70, margin 0.50, cosine 0.9
        ],
        dtype=np.float32,
    )
    cosines = np.array([0.9, 0.5, 0.9], dtype=np.float32)
    # No confidence floor catches row 2 (0.80) without row 3 (0.70), no margin floor on the
    # grid (<= 0.3) reaches 0.70; the in-scope cosines are all 0.9, so every quantile tried is
    # 0.9, which catches row 2 alone: score 1.0 against 2/3 with no floor at all.
    floors = choose_floors(model, held, ["a", "oos", "a"], held_cosines=cosines)
    assert (floors.threshold, floors.margin) == (0.0, 0.0)
    assert floors.cos_floor == pytest.approx(0.9)
    model.cos_floor = floors.cos_floor
    assert [model.decide(p, float(c)).out_of_scope for p, c in zip(held, cosines, strict=True)] == [
        False,
        True,
        False,
    ]
    # Without the message's cosine (no embedding), the cosine floor does not apply.
    assert model.decide(held[1]).out_of_scope is False


def test_nearest_cosine_reads_the_unit_centroids() -> None:
    vectors = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    cen = class_centroids(vectors, ["a", "b", "a", "oos"], ("a", "b"))
    assert cen.tolist() == [[1.0, 0.0], [0.0, 1.0]]  # means (2, 0) and (0, 2), unit length
    model = IntentModel(_Classes(), threshold=0.0, centroids=cen)  # type: ignore[arg-type]
    # (3, 4) has length 5: cosines 0.6 to a and 0.8 to b.
    assert model.nearest_cosine(np.array([3.0, 4.0], dtype=np.float32)) == pytest.approx(0.8)
    assert model.nearest_cosine(None) is None
    assert IntentModel(_Classes(), 0.0).nearest_cosine(np.ones(2, np.float32)) is None  # type: ignore[arg-type]


def test_held_out_cosines_never_count_a_text_in_its_own_centroid() -> None:
    # 20 texts of `a` on one axis, each also holding its own private direction: a text's
    # cosine to a centroid that included it would be larger than to one that did not.
    n, dim = 20, 22
    vectors = np.zeros((n + 2, dim), np.float32)
    vectors[:n, 0] = 1.0
    vectors[np.arange(n), 1 + np.arange(n)] = 1.0
    vectors[n:, dim - 1] = 1.0  # two of `b`
    labels = ["a"] * n + ["b", "b"]
    got = list(held_out_cosines(vectors, labels, ("a", "b")))
    # Centroid of a from its k training texts: (k e0 + their own axes) / k, of norm
    # sqrt(1 + 1/k); a held-out text (e0 + its own axis, norm sqrt 2) meets only e0, so its
    # cosine is 1 / (sqrt 2 sqrt(1 + 1/k)) (it would be higher if its own axis were in).
    expected = []
    for tr, ho in holdout_splits(labels):
        k = sum(1 for i in tr if labels[i] == "a")
        assert all(labels[i] == "a" for i in ho)  # two of b: too few to hold one out
        expected += [1 / (np.sqrt(2) * np.sqrt(1 + 1 / k))] * len(ho)
    assert got == pytest.approx(expected, rel=1e-5)


def test_a_head_over_the_embedding_keeps_its_centroids_and_cosine_floor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Each intent's texts share one direction of the embedding; out-of-scope ones point
    # anywhere else. Stand-ins for the encoder: the head only needs one unit row per text.
    rng = np.random.default_rng(3)
    texts = [normalize(t) for label, rows in DATA.items() for t in rows]
    labels = [label for label, rows in DATA.items() for _ in rows]
    axis = {label: k for k, label in enumerate(DATA)}
    vectors = rng.normal(0, 0.2, (len(texts), 16)).astype(np.float32)
    for i, label in enumerate(labels):
        vectors[i, axis[label] if label != "oos" else 4 + i % 12] += 1.0
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    model = train_intent(texts, labels, vectors=vectors)
    assert model.centroids is not None
    assert model.centroids.shape == (3, 16)  # the three in-scope intents, not oos
    assert np.allclose(np.linalg.norm(model.centroids, axis=1), 1.0, atol=1e-5)
    model.cos_floor = 0.5  # whatever was chosen: the round trip must keep it
    model.save(tmp_path / "m")
    back = IntentModel.load(tmp_path / "m")
    assert back.cos_floor == 0.5 and back.margin == model.margin
    assert back.centroids is not None and np.allclose(back.centroids, model.centroids)
    probe = vectors[0]
    assert back.nearest_cosine(probe) == pytest.approx(model.nearest_cosine(probe))
    # Far from every centroid (an axis no intent uses) and under the floor: out of scope.
    far = np.zeros(16, np.float32)
    far[15] = 1.0
    assert back.predict(texts[0], None, far).out_of_scope
    # A lexical model saved over it drops the centroids file.
    build().save(tmp_path / "m")
    lexical = IntentModel.load(tmp_path / "m")
    assert lexical.centroids is None and lexical.cos_floor == 0.0
