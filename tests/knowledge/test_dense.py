"""Dense retrieval: the encoder finds entries that share no words with the query, reuses the
vector the understanding step computed, and the index still works when the encoder is off."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tandem.knowledge.dense import (
    DENSE_ANSWER_FEATURES,
    ENTRY_VECTOR_FEATURES,
    DenseLayers,
    PairLayer,
)
from tandem.knowledge.evaluate import evaluate_pairs
from tandem.knowledge.index import ANSWER_FEATURES, IndexedEntry, KnowledgeIndex
from tandem.understanding import load_understanding
from tandem.understanding.encoder import NullEncoder, VectorStore, load_encoder
from tandem.understanding.normalize import normalize

ENTRIES = (
    IndexedEntry("ret", "退货运费谁出？", (), "七天无理由退货的运费由买家承担。", "return", "zh"),
    IndexedEntry("inv", "可以开发票吗？", (), "可以，下单时填写抬头。", "invoice", "zh"),
    IndexedEntry("ship", "付款后多久发货？", (), "48 小时内发货。", "shipping_info", "zh"),
    IndexedEntry("bat", "耳机续航多久？", (), "单次 8 小时。", "product_info", "zh"),
)
# Not one character in common with "退货运费谁出？".
NO_SHARED_CHARACTER = "寄回去的邮资要我自己掏吗"


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    enc = load_encoder("e5")
    if not enc.available:
        pytest.skip(enc.status)
    return enc


def _index(**kwargs) -> KnowledgeIndex:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(**kwargs)
    index.upsert_many(ENTRIES)
    return index


def test_a_paraphrase_without_shared_words_is_found_by_meaning(encoder) -> None:  # type: ignore[no-untyped-def]
    assert not set(NO_SHARED_CHARACTER) & set("退货运费谁出？")
    dense = _index(encoder=encoder)
    assert dense.dense is not None
    # the best candidate (on a four-entry base it stays a topic, not an answer)
    judged = dense.judge(NO_SHARED_CHARACTER, language="zh")
    assert judged and judged[0].entry_id == "ret"

    lexical = _index(encoder=NullEncoder("off"))
    assert lexical.dense is None
    # BM25 alone never sees it (only "吗" is shared, with another entry)
    assert "ret" not in [j.entry_id for j in lexical.judge(NO_SHARED_CHARACTER, language="zh")]


def test_the_message_vector_is_reused(encoder) -> None:  # type: ignore[no-untyped-def]
    index = _index(encoder=encoder)
    understanding = load_understanding(encoder=encoder)
    analysis = understanding.analyze("开票怎么弄")
    given = index.search("开票怎么弄", language="zh", vector=analysis.vector)
    assert given == index.search("开票怎么弄", language="zh")
    assert given.candidates[0].entry_id == "inv"


def test_removed_entries_are_not_found_by_the_encoder_either(encoder) -> None:  # type: ignore[no-untyped-def]
    index = _index(encoder=encoder)
    index.remove("ret")
    ids = [j.entry_id for j in index.judge(NO_SHARED_CHARACTER, language="zh")]
    assert "ret" not in ids


def _layers_with_banking() -> DenseLayers:
    # Shop: sigmoid(logit(p)) = p itself. Banking: reads the vectors, weight 4 on dim 0 of
    # u*v and -2 on dim 0 of |u-v| (2 * 384 weights), no cosine, threshold 0.3.
    dim = 384
    w = [0.0] * (2 * dim)
    w[0], w[dim] = 4.0, -2.0
    shop = DenseLayers(0.9, 0.05, (1.0, 0.0, 0.0), 0.45, (0.0,) * 10, 0.5)
    return shop.with_domain("banking", PairLayer((1.0, 0.0, 0.0), 0.3, tuple(w)))


def _unit_pair() -> tuple[np.ndarray, np.ndarray]:
    u = np.zeros((1, 384), np.float32)
    v = np.zeros((1, 384), np.float32)
    u[0, 0], u[0, 1] = 0.6, 0.8
    v[0, 0], v[0, 1] = 0.0, 1.0
    return u, v


def test_a_domain_pair_layer_judges_apart_from_the_shop_one(tmp_path: Path) -> None:
    layers = _layers_with_banking()
    u, v = _unit_pair()
    p, cos = np.array([0.5]), np.array([0.8])
    # The shop layer (the product's) ignores the vectors: sigmoid(logit(0.5)) = 0.5.
    assert float(layers.pair_probability(p, cos, a_vectors=u, b_vectors=v)[0]) == 0.5
    # Banking: u*v on dim 0 = 0.6 * 0.0 = 0, |u-v| on dim 0 = 0.6 -> z = -2 * 0.6 = -1.2.
    banking = layers.pair_probability(p, cos, domain="banking", a_vectors=u, b_vectors=v)
    assert abs(float(banking[0]) - 1 / (1 + math.exp(1.2))) < 1e-6
    assert layers.pair_layer("banking").threshold == 0.3
    assert layers.pair_layer().threshold == 0.45
    with pytest.raises(ValueError, match="reads the two vectors"):
        layers.pair_probability(p, cos, domain="banking")
    with pytest.raises(ValueError, match="known: shop, banking"):
        layers.pair_layer("insurance")
    layers.save(tmp_path)
    loaded = DenseLayers.load(tmp_path)
    assert loaded == layers


def test_evaluate_pairs_refuses_an_unknown_domain() -> None:
    with pytest.raises(ValueError, match="insurance"):
        evaluate_pairs([{"text_a": "a", "text_b": "b", "label": 1}], domain="insurance")


def test_entry_vectors_are_the_phrasing_centroid_and_the_answer(encoder) -> None:  # type: ignore[no-untyped-def]
    shipped = DenseLayers.load()
    assert shipped is not None
    width = len(ANSWER_FEATURES) + len(DENSE_ANSWER_FEATURES) + len(ENTRY_VECTOR_FEATURES) + 1
    layers = replace(shipped, entry_vectors=True, key_terms=False, answer_weights=(0.0,) * width)
    index = KnowledgeIndex(encoder=encoder, vectors=VectorStore(None), dense=layers)
    index.upsert_many(ENTRIES)
    query = "耳机能用几个小时"
    qv = encoder.encode(normalize(query))

    def z(text: str) -> float:
        return (float(qv @ encoder.encode(normalize(text))) - layers.cos_mean) / layers.cos_scale

    def features() -> tuple[float, ...]:
        return next(j.features for j in index.judge(query, language="zh") if j.entry_id == "bat")

    # After the phrasing features: z(cos) with the centroid (one phrasing: itself), then,
    # three further on, z(cos) with the answer. float16 storage: two decimals.
    first = len(ANSWER_FEATURES) + len(DENSE_ANSWER_FEATURES)
    assert len(features()) == width - 1
    assert abs(features()[first] - z("耳机续航多久？")) < 1e-2
    assert abs(features()[first + 3] - z("单次 8 小时。")) < 1e-2
    # A second phrasing moves the centroid to the mean of the two; a new answer replaces it.
    index.upsert(
        IndexedEntry(
            "bat", "耳机续航多久？", ("电池能撑多久",), "单次 6 小时。", "product_info", "zh"
        )
    )
    a, b = encoder.encode(normalize("耳机续航多久？")), encoder.encode(normalize("电池能撑多久"))
    mean = (a + b) / np.linalg.norm(a + b)
    expected = (float(qv @ mean) - layers.cos_mean) / layers.cos_scale
    assert abs(features()[first] - expected) < 1e-2
    assert abs(features()[first + 3] - z("单次 6 小时。")) < 1e-2
    index.remove("bat")
    assert "bat" not in index._entry_vectors
