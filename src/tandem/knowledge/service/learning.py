"""The learning loop: what a person answered becomes a candidate entry that a reviewer
approves, merges into an existing entry, or rejects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.core.ids import new_id
from tandem.db.session import clock_of
from tandem.knowledge.formats import validate
from tandem.knowledge.index import KnowledgeIndex
from tandem.knowledge.messages import render
from tandem.knowledge.models import (
    KnowledgeCandidate,
    KnowledgeEntry,
)
from tandem.knowledge.service.entries import create_entry
from tandem.knowledge.service.gaps import (
    DUPLICATE_PROBABILITY,
    add_phrasings,
    question_and_rest,
)
from tandem.knowledge.service.import_plan import find_duplicate
from tandem.knowledge.text import guess_language, prepare, question_key
from tandem.understanding.normalize import mask_personal_data


async def learn_from_resolution(
    session: AsyncSession,
    index: KnowledgeIndex,
    *,
    conversation_id: str,
    customer_questions: list[str],
    agent_answers: list[str],
    language: str,
    asks_for_person: Callable[[str], bool],
) -> None:
    """A human resolved a conversation the AI handed over: propose its Q&A as knowledge.

    The customer's question becomes a candidate with the agent's answer. When an open
    candidate already asks the same thing, it is merged into that one instead and its count
    goes up; when a live entry already looks like it, the candidate names that entry so the
    reviewer can merge the new phrasing into it.

    "The same thing" takes two judgements: the matcher is near certain, and the shop's own
    knowledge does not tell the two apart (their closest live entries are not two different
    ones). The matcher alone sees "我想把这个订单退货" and "…退款" as one question; the shop
    has an entry for each.

    What is learned is clean: a message asking for a person (`asks_for_person`, the engine's
    own detector) is never a question, personal data is masked in questions and answer, and
    only the customer's messages that ask the same as the first question are kept as its
    phrasings (a second, different question in the conversation is not merged into it).
    """
    asked = [mask_personal_data(q) for q in customer_questions if not asks_for_person(q)]
    picked = question_and_rest(asked)
    answer = "\n".join(mask_personal_data(a.strip()) for a in agent_answers if a.strip())
    if picked is None or not answer:
        return
    question, others = picked
    key = question_key(question)
    language = language or guess_language(question)
    matcher = index.matcher
    if others:
        same = matcher.score_pairs([(prepare(question), prepare(o)) for o in others])
        others = [
            o
            for o, p in zip(others, same.tolist(), strict=True)
            if p >= DUPLICATE_PROBABILITY or question_key(o) == key
        ]
    now = clock_of(session).now()
    open_candidates = list(
        await session.scalars(
            select(KnowledgeCandidate).where(
                KnowledgeCandidate.status == "open", KnowledgeCandidate.language == language
            )
        )
    )
    near = index.search(question, language=language, k=1).candidates
    if open_candidates:
        from_texts = [(question, c.question) for c in open_candidates]
        probs = matcher.score_pairs([(prepare(a), prepare(b)) for a, b in from_texts])
        best = int(probs.argmax())
        target = open_candidates[best]
        target_near = index.search(target.question, language=language, k=1).candidates
        told_apart = bool(near and target_near and near[0].entry_id != target_near[0].entry_id)
        same_words = next(
            (i for i, c in enumerate(open_candidates) if question_key(c.question) == key), None
        )
        if same_words is not None:
            best, target, told_apart = same_words, open_candidates[same_words], False
        if (
            float(probs[best]) >= DUPLICATE_PROBABILITY or same_words is not None
        ) and not told_apart:
            phrasings = [
                p
                for p in (question, *others)
                if p != target.question and p not in target.alternatives
            ]
            target.alternatives = [*target.alternatives, *phrasings]
            target.occurrences += 1
            if conversation_id not in target.conversation_ids:
                target.conversation_ids = [*target.conversation_ids, conversation_id]
            target.updated_at = now
            await session.flush()
            return
    similar = (
        near[0].entry_id if near and near[0].confidence >= index.answer_threshold / 2 else None
    )
    session.add(
        KnowledgeCandidate(
            id=new_id("kbc"),
            question=question,
            alternatives=others,
            answer=answer[:5000],
            language=language,
            intent=near[0].intent if similar and near else None,
            occurrences=1,
            conversation_ids=[conversation_id],
            status="open",
            similar_entry_id=similar,
            created_at=now,
            updated_at=now,
        )
    )
    await session.flush()


async def require_candidate(session: AsyncSession, candidate_id: str) -> KnowledgeCandidate:
    candidate = await session.get(KnowledgeCandidate, candidate_id)
    if candidate is None:
        raise NotFound(
            f"candidate {candidate_id} does not exist; list them at /api/v1/kb/candidates"
        )
    if candidate.status != "open":
        raise Conflict(
            f"candidate {candidate_id} was already {candidate.status}; nothing left to review"
        )
    return candidate


async def list_candidates(
    session: AsyncSession, *, status: str = "open", limit: int = 100
) -> list[KnowledgeCandidate]:
    rows = await session.scalars(
        select(KnowledgeCandidate)
        .where(KnowledgeCandidate.status == status)
        .order_by(KnowledgeCandidate.occurrences.desc(), KnowledgeCandidate.updated_at.desc())
        .limit(limit)
    )
    return list(rows)


def _close(
    candidate: KnowledgeCandidate,
    status: str,
    actor: str | None,
    entry_id: str | None,
    now: datetime,
) -> None:
    candidate.status = status
    candidate.reviewed_by = actor
    candidate.reviewed_at = now
    candidate.updated_at = candidate.reviewed_at
    candidate.entry_id = entry_id


async def approve_candidate(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    candidate_id: str,
    *,
    actor: str | None,
    edits: dict[str, Any] | None = None,
    allow_duplicate: bool = False,
    language: str = "zh",
) -> KnowledgeEntry:
    """The candidate (optionally edited by the reviewer) becomes a live entry at commit.

    Refused (Conflict, in `language`) when a live entry already asks the same question or
    the index would already answer it with one: merge into that entry instead, or approve
    with `allow_duplicate` when the reviewer knows they differ."""
    candidate = await require_candidate(session, candidate_id)
    raw: dict[str, Any] = {
        "question": candidate.question,
        "alternatives": list(candidate.alternatives),
        "answer": candidate.answer,
        "intent": candidate.intent,
        "language": candidate.language,
        "tags": [],
    }
    raw.update({k: v for k, v in (edits or {}).items() if v is not None})
    try:
        draft = validate(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    duplicate = None if allow_duplicate else await find_duplicate(session, index, draft)
    if duplicate is not None:
        entry_id, question = duplicate
        raise Conflict(
            render("approve_duplicate", {"id": entry_id, "question": question}, language)
        )
    conversation = candidate.conversation_ids[0] if candidate.conversation_ids else None
    entry = await create_entry(
        session, index, draft, actor=actor, source="learned", conversation_id=conversation
    )
    _close(candidate, "approved", actor, entry.id, clock_of(session).now())
    await session.flush()
    return entry


async def merge_candidate(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    candidate_id: str,
    entry_id: str,
    *,
    actor: str | None,
) -> KnowledgeEntry:
    """Add the candidate's phrasings to an existing entry (its answer stays the entry's)."""
    candidate = await require_candidate(session, candidate_id)
    entry = await add_phrasings(
        session, index, entry_id, [candidate.question, *candidate.alternatives], actor=actor
    )
    _close(candidate, "merged", actor, entry.id, clock_of(session).now())
    await session.flush()
    return entry


async def reject_candidate(
    session: AsyncSession, candidate_id: str, *, actor: str | None
) -> KnowledgeCandidate:
    candidate = await require_candidate(session, candidate_id)
    _close(candidate, "rejected", actor, None, clock_of(session).now())
    await session.flush()
    return candidate
