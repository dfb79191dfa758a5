"""Dense retrieval: the encoder finds entries that share no words with the query, reuses the
vector the understanding step computed, and the index still works when the encoder is off."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.understanding import load_understanding
from tandem.understanding.encoder import NullEncoder, load_encoder

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


def test_pair_layer_reads_which_dimensions_agree_not_only_the_cosine(tmp_path: Path) -> None:
    from tandem.knowledge.dense import DenseLayers

    # Two unit vectors in 2 of 384 dims; weights only on the first dim of u*v and |u-v|.
    dim = 384
    w = [0.0] * (2 * dim)
    w[0], w[dim] = 4.0, -2.0
    layers = DenseLayers(0.9, 0.05, (1.0, 0.0, 0.0), 0.5, (0.0,) * 10, 0.5, False, tuple(w))
    u = np.zeros((1, dim), np.float32)
    v = np.zeros((1, dim), np.float32)
    u[0, 0], u[0, 1] = 0.6, 0.8
    v[0, 0], v[0, 1] = 0.0, 1.0
    # logit(0.5) = 0; u*v on dim 0 = 0, |u-v| on dim 0 = 0.6 -> z = -2 * 0.6 = -1.2
    p = layers.pair_probability(np.array([0.5]), np.array([0.8]), u, v)
    assert abs(float(p[0]) - 1 / (1 + np.exp(1.2))) < 1e-6  # float32 inputs
    # Without the vectors only the cosine part is read: sigmoid(0) = 0.5.
    assert float(layers.pair_probability(np.array([0.5]), np.array([0.8]))[0]) == 0.5
    layers.save(tmp_path)
    loaded = DenseLayers.load(tmp_path)
    assert loaded is not None and loaded.pair_vector_weights[0] == 4.0
    assert loaded.pair_vector_weights[dim] == -2.0
