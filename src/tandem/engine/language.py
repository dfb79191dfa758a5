"""Which language to answer in: the customer's, message by message."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, default: str) -> str:
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return default
