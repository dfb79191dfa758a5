"""A fact the knowledge base holds about one product is never given for another one."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine import Inbound, decide
from tandem.knowledge.index import Match, SearchResult
from tandem.understanding.entities import extract_entities

from .test_decide import analysis, bot, ctx

EARBUDS = Match(
    "faq-60",
    "耳机续航多久？",
    "主动降噪无线耳机单次续航约 6 小时，充电盒总续航约 30 小时。",
    4.0,
    0.91,
    "product_info",
)
SPEAKER = Match(
    "faq-61", "音箱能用多久？", "便携蓝牙音箱满电可连续播放 12 小时。", 2.0, 0.6, "product_info"
)
RETURNS = Match(
    "faq-70",
    "支持七天无理由退货吗？",
    "签收后 7 天内，商品完好的可以申请无理由退货。",
    4.0,
    0.9,
    "return",
)


def _ask(text: str, first: Match, *others: Match, memory=None):  # type: ignore[no-untyped-def]
    a = analysis(text, "product_info", 0.9, entities=extract_entities(text))
    kb = SearchResult(answer=first, candidates=(first, *others))
    view = bot(memory=memory) if memory is not None else bot()
    return decide(view, Inbound(text), ctx(a, knowledge=kb))


def test_another_products_fact_is_not_given_and_a_person_is_offered() -> None:
    d = _ask("这个音箱续航多久啊", EARBUDS)
    assert d.rule == "product_not_held"
    text = d.replies[0].text
    assert "音箱" in text and "6 小时" not in text
    assert any(q.payload for q in d.replies[0].quick_replies)  # the "转人工" button
    # Asked again: no second non-answer, a person takes it.
    again = _ask("那音箱到底能用几个小时", EARBUDS, memory=d.memory)
    assert again.action == "hand_off"


def test_the_same_product_in_other_words_is_answered() -> None:
    # "蓝牙耳机" is an "耳机": the entry fits.
    d = _ask("蓝牙耳机充一次电能用多久", EARBUDS)
    assert d.rule == "knowledge_answer" and d.kb_entry_id == "faq-60"


def test_a_nearby_entry_about_the_product_asked_is_preferred() -> None:
    d = _ask("这个音箱续航多久啊", EARBUDS, SPEAKER)
    assert d.rule == "knowledge_answer" and d.kb_entry_id == "faq-61"


def test_a_policy_entry_holds_for_every_product() -> None:
    text = "耳机支持七天无理由退货吗"
    a = analysis(text, "return", 0.9, entities=extract_entities(text))
    a = replace(a, act="question", act_confidence=0.9)
    kb = SearchResult(answer=RETURNS, candidates=(RETURNS,))
    d = decide(bot(), Inbound(text), ctx(a, knowledge=kb))
    assert d.rule == "knowledge_answer" and d.kb_entry_id == "faq-70"


def test_in_english_too() -> None:
    earbuds = Match(
        "faq-en-60",
        "How long does the earbuds' battery last?",
        "The noise-cancelling earbuds last about 6 hours per charge.",
        4.0,
        0.9,
        "product_info",
    )
    d = _ask("how long does the speaker battery last", earbuds)
    assert d.rule == "product_not_held"
    assert "speaker" in d.replies[0].text and "6 hours" not in d.replies[0].text


def test_a_message_naming_no_product_gets_the_entry() -> None:
    d = _ask("续航多久", EARBUDS)
    assert d.rule == "knowledge_answer"


def test_a_product_called_by_another_word_is_the_same_product() -> None:
    # "音响" is what many shoppers call an "音箱": the earbuds' figure is not theirs, and the
    # speaker's entry is, though it says "音箱".
    d = _ask("这个音响续航多久", EARBUDS)
    assert d.rule == "product_not_held"
    assert "音响" in d.replies[0].text and "6 小时" not in d.replies[0].text
    d = _ask("这个音响续航多久", EARBUDS, SPEAKER)
    assert d.rule == "knowledge_answer" and d.kb_entry_id == "faq-61"
    # "耳塞" and "头戴耳机" are earbuds and headphones: the earbuds' entry fits.
    d = _ask("头戴耳机充满能用多久", EARBUDS)
    assert d.rule == "knowledge_answer" and d.kb_entry_id == "faq-60"
