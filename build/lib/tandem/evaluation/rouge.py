"""Character-level ROUGE-1/2/L F1, as CSDS reports it for Chinese summaries.

CSDS (Lin et al., 2021) maps every character to a token and runs ROUGE-1.5.5. We do the same
in pure Python: every non-whitespace character is one token (punctuation included, as the
index mapping of the official script keeps it), ROUGE-N counts clipped n-gram matches and
ROUGE-L is the longest common subsequence of the two whole sequences. Scores are per pair;
a corpus score is the mean of the per-pair scores, as ROUGE-1.5.5 averages per document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RougeScores:
    """F1 values in 0..1."""

    rouge1: float
    rouge2: float
    rougeL: float  # noqa: N815 - the metric's conventional name, also the JSON key


def char_tokens(text: str) -> list[str]:
    return [ch for ch in text if not ch.isspace()]


def _f1(matches: int, candidate_total: int, reference_total: int) -> float:
    if matches == 0 or candidate_total == 0 or reference_total == 0:
        return 0.0
    precision = matches / candidate_total
    recall = matches / reference_total
    return 2 * precision * recall / (precision + recall)


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    cand = _ngrams(candidate, n)
    ref = _ngrams(reference, n)
    matches = sum((cand & ref).values())
    return _f1(matches, sum(cand.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence; O(len(a) * len(b)) time, O(len(b)) memory."""
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            if x == y:
                current.append(previous[j] + 1)
            else:
                current.append(max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    return _f1(lcs_length(candidate, reference), len(candidate), len(reference))


def score(candidate: str, reference: str) -> RougeScores:
    cand = char_tokens(candidate)
    ref = char_tokens(reference)
    return RougeScores(
        rouge1=rouge_n(cand, ref, 1), rouge2=rouge_n(cand, ref, 2), rougeL=rouge_l(cand, ref)
    )


def mean_scores(scores: Iterable[RougeScores]) -> RougeScores:
    items = list(scores)
    if not items:
        return RougeScores(0.0, 0.0, 0.0)
    n = len(items)
    return RougeScores(
        rouge1=sum(s.rouge1 for s in items) / n,
        rouge2=sum(s.rouge2 for s in items) / n,
        rougeL=sum(s.rougeL for s in items) / n,
    )
