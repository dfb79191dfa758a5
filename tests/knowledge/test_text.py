"""Tokenisation for Chinese and English retrieval."""

from __future__ import annotations

from tandem.knowledge.text import guess_language, normalise, prepare


def test_traditional_and_full_width_are_normalised() -> None:
    assert normalise("這個ＡＢＣ怎麼退貨？") == "这个abc怎么退货?"


def test_chinese_gets_words_characters_and_bigrams() -> None:
    p = prepare("我想退货怎么办")
    assert "退货" in p.words
    assert "我" not in p.words  # particles and pronouns are not content words
    assert p.chars == ("我", "想", "退", "货", "怎", "么", "办")
    assert "退货" in p.bigrams and "货怎" in p.bigrams
    assert p.language == "zh"


def test_english_words_are_stemmed_and_stop_words_dropped() -> None:
    p = prepare("How do I get my refunds?")
    assert p.words == ("get", "refund")
    assert p.language == "en"


def test_numbers_and_negation_are_noted() -> None:
    assert prepare("订单 123 没收到").numbers == frozenset({"123"})
    assert prepare("订单没收到").negated
    assert not prepare("订单收到了").negated
    assert prepare("I did not get it").negated


def test_language_guess() -> None:
    assert guess_language("hello 你好") == "zh"
    assert guess_language("where is my parcel") == "en"
