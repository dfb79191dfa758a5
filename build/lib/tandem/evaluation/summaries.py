"""Scoring the hand-off summariser on CSDS-format dialogues (the text-only path: no facts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tandem.engine.summary import DEFAULT_PARAMS, SummaryParams, summarise
from tandem.evaluation.csds import CsdsDialogue
from tandem.evaluation.rouge import RougeScores, mean_scores, score


@dataclass(frozen=True)
class SummaryEvaluation:
    scores: RougeScores  # mean per-dialogue F1, 0..1
    n: int
    summaries: tuple[tuple[str, str], ...]  # (dialogue id, summary), in input order


def evaluate_summaries(
    dialogues: Sequence[CsdsDialogue],
    *,
    max_chars: int = 200,
    params: SummaryParams = DEFAULT_PARAMS,
    on_progress: Callable[[int], None] | None = None,
) -> SummaryEvaluation:
    """Summarise every dialogue and score it against its reference `summary`.

    `on_progress(k)` is called after each dialogue with the number done so far.
    """
    per_dialogue: list[RougeScores] = []
    summaries: list[tuple[str, str]] = []
    for k, dialogue in enumerate(dialogues, start=1):
        text = summarise(dialogue.turns, language="zh", max_chars=max_chars, params=params)
        summaries.append((dialogue.id, text))
        per_dialogue.append(score(text, dialogue.summary))
        if on_progress is not None:
            on_progress(k)
    return SummaryEvaluation(mean_scores(per_dialogue), len(per_dialogue), tuple(summaries))
