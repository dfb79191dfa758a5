"""Dense retrieval: the encoder finds entries that share no words with the query, reuses the
vector the understanding step computed, and the index still works when the encoder is off."""

from __future__ import annotations

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
