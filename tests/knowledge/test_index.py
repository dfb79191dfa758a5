"""The retrieval index with the shipped matcher: answer when sure, abstain otherwise, and
follow every change to an entry at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.knowledge.evaluate import kb_entry, read_jsonl
from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.knowledge.matcher import default_matcher
from tandem.knowledge.service import DEMO_FAQ
from tandem.understanding.encoder import NullEncoder


@pytest.fixture(scope="module")
def faq() -> KnowledgeIndex:
    index = KnowledgeIndex()
    for row in read_jsonl(Path(DEMO_FAQ)):
        index.upsert(kb_entry(row))
    return index


@pytest.mark.parametrize(
    ("query", "intent"),
    [
        ("快递到哪里了", "where_is_parcel"),
        ("退款多久能到账", "refund_status"),
        ("为什么优惠券用不了", "coupon"),
        ("怎么联系人工", "human"),
        ("where is my parcel", "where_is_parcel"),
        ("can i get a refund", "refund"),
    ],
)
def test_demo_faq_answers_common_questions(faq: KnowledgeIndex, query: str, intent: str) -> None:
    result = faq.search(query)
    assert result.answer is not None, result
    assert result.answer.intent == intent
    assert result.answer.confidence >= faq.answer_threshold


@pytest.mark.parametrize(
    "query", ["今天天气怎么样", "帮我写一首诗", "给我讲个笑话", "what is the weather like"]
)
def test_off_topic_questions_are_not_answered(faq: KnowledgeIndex, query: str) -> None:
    result = faq.search(query)
    assert result.answer is None
    assert len(result.candidates) <= 3


def test_unsure_questions_abstain_but_offer_likely_topics(faq: KnowledgeIndex) -> None:
    # Return or exchange? The message hesitates between two readings: no entry is sure enough.
    result = faq.search("这个能退吗还是换")
    topics = [m.intent for m in result.candidates]
    assert 1 <= len(result.candidates) <= 3
    assert "return" in topics
    assert result.answer is None, result
    assert all(m.confidence < faq.answer_threshold for m in result.candidates)


def test_a_clear_question_is_answered_by_its_best_candidate(faq: KnowledgeIndex) -> None:
    result = faq.search("我想退货怎么弄呀")
    assert result.answer is not None, result
    assert result.answer == result.candidates[0]
    assert result.answer.intent == "return"
    assert all(m.confidence <= result.answer.confidence for m in result.candidates)


def test_language_filter_keeps_to_the_asked_language(faq: KnowledgeIndex) -> None:
    result = faq.search("refund", language="zh")
    assert all(faq.get(m.entry_id).language == "zh" for m in result.candidates)  # type: ignore[union-attr]


def _entry(entry_id: str, question: str, *alternatives: str) -> IndexedEntry:
    return IndexedEntry(entry_id, question, alternatives, f"answer {entry_id}", None, "zh")


def test_upsert_replaces_and_remove_forgets_at_once() -> None:
    index = KnowledgeIndex()
    index.upsert(_entry("a", "怎么开发票？", "能开发票吗"))
    index.upsert(_entry("b", "支持七天无理由退货吗？"))
    assert index.search("能开发票吗").answer.entry_id == "a"  # type: ignore[union-attr]

    index.upsert(_entry("a", "可以指定发顺丰吗？"))  # same id, new content
    stale = index.search("能开发票吗")
    assert stale.answer is None or stale.answer.entry_id != "a"
    assert all(m.question != "怎么开发票？" for m in stale.candidates)
    assert index.search("可以指定发顺丰吗").answer.entry_id == "a"  # type: ignore[union-attr]

    index.remove("a")
    index.remove("a")  # idempotent
    assert "a" not in index and len(index) == 1
    assert all(m.entry_id != "a" for m in index.search("可以指定发顺丰吗？").candidates)


def test_many_removals_compact_the_index_without_losing_entries() -> None:
    # Lexical index: compaction is bookkeeping over rows; encoding 1,500 phrasings with the
    # sentence encoder would make this test minutes long on a loaded machine.
    index = KnowledgeIndex(default_matcher(), encoder=NullEncoder("compaction test"))
    for n in range(1500):
        index.upsert(_entry(f"e{n}", f"第{n}号商品的保修期是多久"))
    for n in range(1200):
        index.remove(f"e{n}")
    assert len(index) == 300
    result = index.search("第1400号商品的保修期是多久")
    assert result.candidates[0].entry_id == "e1400"
    assert all(int(m.entry_id[1:]) >= 1200 for m in index.search("第5号商品的保修期").candidates)


def test_empty_index_abstains() -> None:
    result = KnowledgeIndex().search("怎么退货")
    assert result.answer is None and result.candidates == ()
