"""What the retrieval index takes in and gives out (index.py): entries, matches, judgements."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexedEntry:
    id: str
    question: str
    alternatives: tuple[str, ...]
    answer: str
    intent: str | None
    language: str
    tags: tuple[str, ...] = ()
    version: int = 0  # the stored entry's version (what a follower compares to catch up)


def answer_key(answer: str) -> str:
    """Two entries with this same key give the customer the same reply."""
    return " ".join(answer.split())


@dataclass(frozen=True)
class Match:
    entry_id: str
    question: str
    answer: str
    score: float  # lexical (BM25) score of the best phrasing: for ordering and debugging only
    confidence: float  # calibrated probability that this entry answers the query
    intent: str | None
    # How much of what the query asks this entry leaves out: the idf-weighted share of the
    # query's content words its phrasings and answer neither contain nor hold a near word for
    # (dense.key_term_features; 0.0 when not measured, e.g. an entry the customer tapped).
    uncovered: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    answer: Match | None  # None = abstain
    candidates: tuple[Match, ...]  # best first, at most k; when abstaining, the likely topics


# What the answer decision sees about one candidate entry (matcher.answer_confidence).
ANSWER_FEATURES = (
    "pair_probability",
    "bm25_vs_self",
    "bm25_vs_top",
    "lexical_top",
    "log_lexical_rank",
    "probability_margin",
)


@dataclass(frozen=True)
class Judged:
    entry_id: str
    probability: float
    score: float
    features: tuple[float, ...]
    confidence: float = 0.0
