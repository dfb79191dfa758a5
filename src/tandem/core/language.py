"""The one language detector: which language a customer's message is in.

The knowledge search and the AI's reply both ask it, with the same text and the same fallback
(the conversation's language), so a message is never searched in one language and answered
in another.

A conversation keeps its language until the customer writes a real sentence in another one:
an order number, "ok", an emoji or a Latin product name in a Chinese chat is still Chinese,
and a short Chinese word in an English chat ("好的") does not turn the chat Chinese.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Alphabetic tokens only: "TD20241203" or "iPhone15" are codes and names, not words.
_TOKEN = re.compile(r"[A-Za-z0-9']+")
_WORD = re.compile(r"[A-Za-z']+")
# Words that make a run of Latin tokens a sentence rather than a product name or a code.
_ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "i'm",
        "im",
        "me",
        "my",
        "mine",
        "you",
        "your",
        "we",
        "our",
        "it",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "don't",
        "can",
        "can't",
        "could",
        "would",
        "will",
        "won't",
        "should",
        "have",
        "has",
        "had",
        "not",
        "no",
        "yes",
        "please",
        "when",
        "where",
        "what",
        "why",
        "how",
        "which",
        "who",
        "there",
        "this",
        "that",
        "these",
        "those",
        "to",
        "of",
        "for",
        "from",
        "with",
        "in",
        "on",
        "at",
        "by",
        "about",
        "and",
        "or",
        "but",
        "if",
        "any",
        "still",
        "yet",
        "just",
    ]
)
# A greeting is a sentence of its own: "hi" alone opens an English chat ("ok" alone does not).
_ENGLISH_GREETINGS = frozenset(
    ["hi", "hii", "hiii", "hello", "hey", "heya", "hiya", "howdy", "morning", "evening"]
)
# A Chinese message that switches an English conversation: a few characters, not one word.
_CJK_SENTENCE = 3


def _english_words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if _WORD.fullmatch(t)]


def is_english_sentence(text: str) -> bool:
    """Two English words or more, one of them a function word ("where is my parcel", "human
    please"), unlike a product name ("iPhone 15 Pro") or a word alone ("ok")."""
    words = [w.lower() for w in _english_words(text)]
    if words and words[0] in _ENGLISH_GREETINGS and len(words) <= 3:
        return True
    return len(words) >= 2 and any(w in _ENGLISH_FUNCTION_WORDS for w in words)


def detect_language(text: str, default: str = "zh") -> str:
    """The language to read and answer `text` in, given the conversation's language
    `default`: "zh" or "en"."""
    cjk = len(_CJK.findall(text))
    words = _english_words(text)
    if default == "en":
        return "zh" if cjk >= _CJK_SENTENCE and cjk >= len(words) else "en"
    return "en" if is_english_sentence(text) and cjk < len(words) else default
