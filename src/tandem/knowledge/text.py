"""Text preparation for retrieval: normalisation, language guess and tokenisation.

Chinese text is indexed three ways at once (rjieba words, character unigrams, character
bigrams) because customers' phrasings share characters far more reliably than they share
segmentations ("退款" vs "退钱", "啥时候" vs "什么时候"). English gets lower-cased words with a
light suffix strip. Pure functions; no I/O beyond the segmenter's built-in dictionary.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc
import rjieba

_T2S = opencc.OpenCC("t2s")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:\.\d+)?")
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z]+(?:'[a-z]+)?|\d+(?:\.\d+)?")
_EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
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
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "my",
        "me",
        "i",
        "you",
        "your",
        "it",
        "its",
        "this",
        "that",
        "there",
        "can",
        "could",
        "would",
        "will",
        "shall",
        "should",
        "please",
        "how",
        "what",
        "when",
        "where",
        "why",
        "which",
        "who",
        "hi",
        "hello",
    ]
)
# Particles that carry tone, not meaning; dropped from word tokens only (characters keep them
# as weak evidence, their idf makes them cheap).
_ZH_STOP = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嘛",
        "么",
        "是",
        "我",
        "你",
        "请问",
        "一下",
        "怎么",
        "如何",
        "可以",
        "能",
        "么",
    ]
)
_ZH_NEGATIONS = frozenset("不没无别非未")
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
_EN_NEGATIONS = frozenset(("not", "no", "never", "don't", "can't", "cannot", "won't", "didn't"))


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), Traditional to Simplified, lower case, trimmed."""
    text = unicodedata.normalize("NFKC", text)
    return str(_T2S.convert(text)).lower().strip()


def guess_language(text: str) -> str:
    """`zh` when the text holds any CJK character, else `en`."""
    return "zh" if _CJK.search(text) else "en"


def _stem(word: str) -> str:
    # Enough to unite "refunds"/"refunded"/"refunding"; a real stemmer buys little on FAQs.
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=65536)
def _segment(run: str) -> tuple[str, ...]:
    return tuple(rjieba.cut(run))


@dataclass(frozen=True)
class Prepared:
    """One text ready for matching: the normalised string and its token views."""

    text: str
    language: str
    words: tuple[str, ...]  # content words (Chinese words and English stems), stop words dropped
    chars: tuple[str, ...]  # Chinese characters and English stems, in order
    numbers: frozenset[str]
    negated: bool

    @property
    def bigrams(self) -> tuple[str, ...]:
        """Adjacent pairs of `chars` (derived, not stored: an index holds many of these)."""
        return tuple(a + b for a, b in zip(self.chars, self.chars[1:], strict=False))

    def terms(self) -> list[str]:
        """Index terms: words, characters and bigrams, each tagged so they never collide."""
        out = ["w:" + w for w in self.words]
        out.extend("c:" + c for c in self.chars)
        out.extend("b:" + b for b in self.bigrams)
        return out


def prepare(text: str) -> Prepared:
    norm = normalise(text)
    words: list[str] = []
    chars: list[str] = []
    numbers: set[str] = set()
    for match in _RUN.finditer(norm):
        run = match.group(0)
        if _CJK.match(run):
            chars.extend(run)
            words.extend(w for w in _segment(run) if w not in _ZH_STOP)
        elif run[0].isdigit():
            numbers.add(run)
            chars.append(run)
            words.append(run)
        elif run not in _EN_STOP:
            stem = _stem(run)
            chars.append(stem)
            words.append(stem)
    # "能不能", "有没有", "是不是" ask a question; they do not negate it.
    plain = _A_NOT_A.sub("", norm)
    negated = any(c in _ZH_NEGATIONS for c in plain) or any(
        w in _EN_NEGATIONS for w in _LATIN_WORD.findall(norm)
    )
    return Prepared(
        text=norm,
        language=guess_language(norm),
        # Interned: a large index then holds each distinct token once.
        words=tuple(sys.intern(w) for w in words),
        chars=tuple(sys.intern(c) for c in chars),
        numbers=frozenset(numbers),
        negated=negated,
    )


def latin_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(normalise(text))


def question_key(question: str) -> tuple[str, ...]:
    """Two questions with one key are the same question (case, spacing, punctuation aside)."""
    prepared = prepare(question)
    return prepared.chars or (prepared.text,)
