"""Exact abuse spans from a word list, robust to the usual evasions.

Chinese terms are matched with Aho-Corasick on a "squeezed" copy of the folded text that keeps
only letters, digits and CJK characters, so 傻 逼 / 傻*逼 / 傻.逼 and Traditional spellings are
found. Latin terms (English words and pinyin abbreviations such as nmsl) go through one regex
that tolerates repeated letters, leet digits and single separators, on word boundaries so
"usb" never matches "sb". Every span maps back to the original characters.
"""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import ahocorasick

from tandem.understanding.normalize import fold
from tandem.understanding.types import ABUSE_KINDS, EXPLETIVE, Span

LEXICON_PATH = pathlib.Path(__file__).parent / "data" / "abuse_lexicon.json"

_LEET: Mapping[str, str] = {
    "a": "a4@",
    "b": "b8",
    "e": "e3",
    "g": "g9",
    "i": "i1!|",
    "l": "l1|",
    "o": "o0",
    "s": "s5$",
    "t": "t7+",
    "u": "uv",
}
_HAS_LATIN = re.compile(r"[a-z]")
_SEP = r"[\s._\-*~·]?"
# The listener named right next to a swear word aims it at them: 你他妈的, 妈的你们, fuck you.
_AIMED_BEFORE = re.compile(r"(?:你|您|\b(?:you|u|ur|your))\s*$")
_AIMED_AFTER = re.compile(r"^\s*(?:你|您|(?:you|u|ya|ur|your|yourself|yourselves|off)\b)")


def _latin_pattern(term: str) -> str:
    parts: list[str] = []
    for ch in term:
        if ch == " ":
            parts.append(r"\s+")
            continue
        if ch == "'":
            parts.append("'?")
            continue
        chars = re.escape(_LEET.get(ch, ch))
        # A letter may repeat (fuuuck) or be replaced by one masking symbol (f*ck, sh#t).
        parts.append(f"(?:[{chars}]+|[*#@$%])" if ch.isalpha() else f"[{chars}]")
    return _SEP.join(parts)


def _squeeze(folded: str) -> tuple[str, list[int]]:
    keep: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(folded):
        if ch.isalnum():
            keep.append(ch)
            where.append(i)
    return "".join(keep), where


class AbuseLexicon:
    def __init__(self, terms: Mapping[str, Sequence[str]]) -> None:
        """`terms` maps an abuse kind to its terms (any language)."""
        self._automaton = ahocorasick.Automaton()
        latin: list[tuple[str, str]] = []
        n_cjk = 0
        for kind, words in terms.items():
            if kind not in ABUSE_KINDS:
                raise ValueError(f"unknown abuse kind {kind!r}: use one of {ABUSE_KINDS}")
            for word in words:
                key = fold(word.strip())
                if not key:
                    continue
                if key.isascii():
                    latin.append((kind, key))
                else:
                    squeezed, _ = _squeeze(key)
                    self._automaton.add_word(squeezed, (kind, squeezed))
                    n_cjk += 1
        self._has_cjk = n_cjk > 0
        if self._has_cjk:
            self._automaton.make_automaton()
        latin.sort(key=lambda kw: -len(kw[1]))
        self._latin_kinds = [kind for kind, _ in latin]
        # One alternation behind a single boundary check: much faster than one per term.
        self._latin = (
            re.compile(
                "(?<![a-z0-9])(?:"
                + "|".join(f"(?P<t{i}>{_latin_pattern(w)})" for i, (_, w) in enumerate(latin))
                + ")(?![a-z])"
            )
            if latin
            else None
        )

    @classmethod
    def from_file(cls, path: pathlib.Path = LEXICON_PATH) -> AbuseLexicon:
        raw = json.loads(path.read_text(encoding="utf-8"))
        merged: dict[str, list[str]] = {}
        for lang in ("zh", "en"):
            for kind, words in raw.get(lang, {}).items():
                merged.setdefault(kind, []).extend(words)
        return cls(merged)

    def find(self, text: str) -> tuple[Span, ...]:
        """Non-overlapping spans (longest first) into `text`, sorted by start."""
        folded = fold(text)
        hits: list[Span] = []
        if self._has_cjk:
            squeezed, where = _squeeze(folded)
            for end, (kind, key) in self._automaton.iter(squeezed):
                start = end - len(key) + 1
                hits.append(Span(where[start], where[end] + 1, kind))
        if self._latin is not None and _HAS_LATIN.search(folded):
            for m in self._latin.finditer(folded):
                group = m.lastgroup
                if group is not None:
                    hits.append(Span(m.start(), m.end(), self._latin_kinds[int(group[1:])]))
        hits.sort(key=lambda s: (s.start, -(s.end - s.start)))
        chosen: list[Span] = []
        for span in hits:
            if chosen and span.start < chosen[-1].end:
                continue
            if span.kind == EXPLETIVE and aimed(folded, span):
                span = Span(span.start, span.end, "profanity")
            chosen.append(span)
        return tuple(chosen)


def aimed(folded: str, span: Span) -> bool:
    """Whether a swear word is aimed at the listener: 你/you right before or after it."""
    return bool(
        _AIMED_BEFORE.search(folded[max(0, span.start - 8) : span.start])
        or _AIMED_AFTER.search(folded[span.end : span.end + 12])
    )


@lru_cache(maxsize=1)
def default_lexicon() -> AbuseLexicon:
    return AbuseLexicon.from_file()
