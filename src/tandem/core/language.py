"""The one language detector: which language a customer's message is in.

The knowledge search and the AI's reply both ask it, with the same text and the same fallback
(the conversation's language), so a message is never searched in one language and answered
in another.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, default: str = "zh") -> str:
    """ "zh" when Chinese characters are at least as many as English words (a Chinese sentence
    with an English product name is Chinese), "en" for English; `default` when the text has
    neither (digits, emoji, an empty quick-reply text)."""
    cjk = len(_CJK.findall(text))
    latin_words = len(_LATIN_WORD.findall(text))
    if cjk == 0 and latin_words == 0:
        return "en" if _LATIN.search(text) else default
    return "zh" if cjk >= latin_words else "en"
