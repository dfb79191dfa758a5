"""What an import will do, row by row, decided before anything is written (the preview).

Each good row is one of: `add` (a new entry), `update` (its `id`, or its question, names an
entry that exists), `unchanged` (it says what that entry already says), `duplicate` (it asks
what an entry or an earlier row already asks: skipped, with which one). Bad rows are `failed`.

A row without an `id` is matched to an entry by its question (the same words, punctuation and
spacing aside), so importing the same sheet twice updates instead of duplicating. A new row
whose question the knowledge index already answers with a live entry (or with an earlier new
row) is a near-duplicate and is skipped: the same judgement that answers customers decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.knowledge.formats import EntryDraft, ParseResult
from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.knowledge.messages import Problem, RowError
from tandem.knowledge.models import KnowledgeEntry
from tandem.knowledge.service.gaps import DUPLICATE_PROBABILITY
from tandem.knowledge.text import question_key

# progress(phase, done, total): "checking" while planning, "writing" while applying.
Progress = Callable[[str, int, int], Awaitable[None]]
ACTIONS = ("add", "update", "unchanged", "duplicate", "failed")
_YIELD_EVERY = 25


async def no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class PlannedRow:
    row: int
    action: str
    question: str
    draft: EntryDraft | None = None
    entry_id: str | None = None  # the entry updated, or the one this row duplicates
    problem: RowError | None = None
    warning: RowError | None = None

    def as_dict(self, language: str) -> dict[str, Any]:
        return {
            "row": self.row,
            "action": self.action,
            "question": self.question,
            "entry_id": self.entry_id,
            "reason": self.problem.text(language) if self.problem else None,
            "warning": self.warning.text(language) if self.warning else None,
        }


@dataclass
class ImportPlan:
    rows: list[PlannedRow] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def same_content(entry: KnowledgeEntry, draft: EntryDraft) -> bool:
    return (
        entry.question == draft.question
        and list(entry.alternatives or ()) == list(draft.alternatives)
        and entry.answer == draft.answer
        and entry.intent == draft.intent
        and list(entry.tags or ()) == list(draft.tags)
        and entry.language == draft.language
    )


def _near(
    index: KnowledgeIndex | None, draft: EntryDraft, vector: npt.NDArray[np.float32] | None = None
) -> str | None:
    """The entry of `index` that already answers the draft's question: the index would answer
    with it (its calibrated confidence) and judges the two questions one (pair probability).
    The pair probability alone is too loose ("怎么退货" / "怎么申请退款"); the confidence
    weighs the rival entries too."""
    if index is None or not len(index):
        return None
    judged = index.judge(draft.question, language=draft.language, vector=vector)
    if not judged:
        return None
    best = judged[0]
    sure = max(index.answer_threshold, DUPLICATE_PROBABILITY)
    if best.confidence >= sure and best.probability >= DUPLICATE_PROBABILITY:
        return best.entry_id
    return None


async def plan_import(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    parsed: ParseResult,
    progress: Progress = no_progress,
) -> ImportPlan:
    """Decide every row; reads only. `index`: the live index (None: no near-duplicate check)."""
    planner = _Planner(list(await session.scalars(select(KnowledgeEntry))), index)
    warnings = {w.row: w for w in parsed.warnings}
    plan = ImportPlan(rows=[PlannedRow(e.row, "failed", "", problem=e) for e in parsed.errors])
    total = len(parsed.drafts)
    for n, (row, draft) in enumerate(parsed.drafts, 1):
        planned = planner.decide(row, draft)
        if planned.action != "failed":
            planned = replace(planned, warning=warnings.get(row))
        plan.rows.append(planned)
        if n % _YIELD_EVERY == 0 or n == total:
            await progress("checking", n, total)
            await asyncio.sleep(0)  # a long check must not hold up the server's other work
    plan.rows.sort(key=lambda r: r.row)
    return plan


class _Planner:
    """The rows decided so far, so each next row is judged against the entries and them."""

    def __init__(self, entries: list[KnowledgeEntry], index: KnowledgeIndex | None) -> None:
        self.entries = {e.id: e for e in entries}
        self.by_key: dict[tuple[str, ...], KnowledgeEntry] = {}
        for e in sorted(entries, key=lambda e: e.status != "live"):
            self.by_key.setdefault(question_key(e.question), e)
        self.index = index
        # The file's new rows, judged by the same matcher and encoder as the live index.
        self.fresh = (
            KnowledgeIndex(index.matcher, encoder=index.encoder) if index is not None else None
        )
        self.seen_keys: dict[tuple[str, ...], int] = {}  # question -> its first row
        self.targeted: dict[str, int] = {}  # entry id -> the row that changes it
        self.new_rows: dict[str, tuple[int, str]] = {}  # fresh id -> (row, question)

    def decide(self, row: int, draft: EntryDraft) -> PlannedRow:
        key = question_key(draft.question)

        def skip(problem: Problem, entry_id: str | None = None) -> PlannedRow:
            return PlannedRow(
                row, "duplicate", draft.question, draft, entry_id, RowError.of(row, problem)
            )

        if draft.id and draft.id in self.targeted:
            twice = RowError.of(row, Problem("id_twice", id=draft.id))
            return PlannedRow(row, "failed", draft.question, problem=twice)
        if key in self.seen_keys:
            return skip(Problem("same_as_row", other=self.seen_keys[key], question=draft.question))
        target = self.entries.get(draft.id) if draft.id else self.by_key.get(key)
        if target is not None and not draft.id and target.id in self.targeted:
            other = self.targeted[target.id]
            return skip(Problem("same_as_row", other=other, question=target.question), target.id)
        self.seen_keys[key] = row
        if target is not None:
            self.targeted[target.id] = row
            action = "unchanged" if same_content(target, draft) else "update"
            return PlannedRow(row, action, draft.question, draft, target.id)
        if draft.id is not None and key in self.by_key:  # a new id for a question we have
            other_entry = self.by_key[key]
            problem = Problem(
                "duplicate_of_entry", id=other_entry.id, question=other_entry.question
            )
            return skip(problem, other_entry.id)
        return self._new(row, draft, skip)

    def _new(self, row: int, draft: EntryDraft, skip: Callable[..., PlannedRow]) -> PlannedRow:
        """A question no entry and no row has in these words: is it one in meaning?"""
        vector = self.index.query_vector(draft.question) if self.index is not None else None
        near = _near(self.index, draft, vector)
        held = self.index.get(near) if self.index is not None and near is not None else None
        if held is not None and held.id not in self.targeted:
            return skip(Problem("duplicate_of_entry", id=held.id, question=held.question), held.id)
        earlier = _near(self.fresh, draft, vector)
        if earlier is not None:
            first_row, first_question = self.new_rows[earlier]
            return skip(Problem("same_as_row", other=first_row, question=first_question))
        if draft.id:
            self.targeted[draft.id] = row
        if self.fresh is not None:
            fresh_id = f"row{row}"
            self.new_rows[fresh_id] = (row, draft.question)
            self.fresh.upsert(
                IndexedEntry(fresh_id, draft.question, (), draft.answer, None, draft.language)
            )
        return PlannedRow(row, "add", draft.question, draft)


async def duplicate_groups(session: AsyncSession) -> list[list[KnowledgeEntry]]:
    """Live entries that ask one question (same words), the one to keep first: the most
    recently changed. What earlier imports left behind (`tandem kb dedupe`)."""
    groups: dict[tuple[str, tuple[str, ...]], list[KnowledgeEntry]] = {}
    live = await session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.status == "live"))
    for entry in live:
        groups.setdefault((entry.language, question_key(entry.question)), []).append(entry)
    out = [
        sorted(g, key=lambda e: (e.updated_at, e.version, e.id), reverse=True)
        for g in groups.values()
        if len(g) > 1
    ]
    return sorted(out, key=lambda g: g[0].question)


async def find_duplicate(
    session: AsyncSession, index: KnowledgeIndex | None, draft: EntryDraft
) -> tuple[str, str] | None:
    """(id, question) of the live entry that already asks the draft's question (same words),
    or that the index would already answer it with; None when the draft is new."""
    key = question_key(draft.question)
    live = await session.scalars(
        select(KnowledgeEntry).where(
            KnowledgeEntry.status == "live", KnowledgeEntry.language == draft.language
        )
    )
    for entry in live:
        if question_key(entry.question) == key:
            return entry.id, entry.question
    near = _near(index, draft)
    held = index.get(near) if index is not None and near is not None else None
    return (held.id, held.question) if held is not None else None
