"""Use cases of the knowledge base. Services flush, never commit (the edge commits).

The retrieval index changes only once the transaction that changed the entry commits: each
use case queues its index operations on the session, and a listener applies them after the
commit (and drops them on rollback). So the index never shows an entry the database lost,
and the very next search after the commit sees the change, without a restart.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.core.ids import new_id
from tandem.db.session import clock_of
from tandem.knowledge.formats import EntryDraft, RowError, export, parse, validate
from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.knowledge.models import (
    KnowledgeCandidate,
    KnowledgeEntry,
    KnowledgeEntryVersion,
    KnowledgeMiss,
)
from tandem.knowledge.text import guess_language, prepare

DEMO_FAQ = Path(__file__).parent / "data" / "demo_faq.jsonl"
_PENDING = "tandem.knowledge.index_ops"
_LISTENING = "tandem.knowledge.listening"
MIN_QUESTION_CHARS = 4  # "你好", "在吗", "ok" are not questions worth learning
# Two customers' questions are merged (candidates, gaps) only when the matcher is near certain:
# a wrong merge hides a question from the reviewer, a missed one only shows it twice. The
# matcher's own pair threshold is tuned for accuracy on balanced pairs and merges too much
# ("怎么退货" / "怎么退款").
DUPLICATE_PROBABILITY = 0.8


# --- keeping the index in step with committed data ---------------------------------------


def _apply_pending(sync_session: Session) -> None:
    for op in sync_session.info.pop(_PENDING, []):
        op()


def _drop_pending(sync_session: Session, _transaction: Any = None) -> None:
    sync_session.info.pop(_PENDING, None)


def _after_commit(session: AsyncSession, op: Callable[[], None]) -> None:
    sync_session = session.sync_session
    if not sync_session.info.get(_LISTENING):
        # Sessions live for one request or job, so the listeners die with them.
        event.listen(sync_session, "after_commit", _apply_pending)
        event.listen(sync_session, "after_soft_rollback", _drop_pending)
        sync_session.info[_LISTENING] = True
    sync_session.info.setdefault(_PENDING, []).append(op)


def indexed(entry: KnowledgeEntry) -> IndexedEntry:
    return IndexedEntry(
        id=entry.id,
        question=entry.question,
        alternatives=tuple(entry.alternatives or ()),
        answer=entry.answer,
        intent=entry.intent,
        language=entry.language,
        tags=tuple(entry.tags or ()),
    )


def _sync_index(session: AsyncSession, index: KnowledgeIndex | None, entry: KnowledgeEntry) -> None:
    if index is None:
        return
    if entry.status == "live":
        item = indexed(entry)
        _after_commit(session, lambda: index.upsert(item))
    else:
        entry_id = entry.id
        _after_commit(session, lambda: index.remove(entry_id))


async def load_index(session: AsyncSession, index: KnowledgeIndex | None = None) -> KnowledgeIndex:
    """An index of every live entry (start-up). Fills `index` when given, else a new one."""
    index = index if index is not None else KnowledgeIndex()
    rows = await session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.status == "live"))
    for entry in rows:
        index.upsert(indexed(entry))
    return index


# --- entries --------------------------------------------------------------------------


def _snapshot(entry: KnowledgeEntry) -> dict[str, Any]:
    return {
        "question": entry.question,
        "alternatives": list(entry.alternatives or ()),
        "answer": entry.answer,
        "intent": entry.intent,
        "tags": list(entry.tags or ()),
        "language": entry.language,
        "status": entry.status,
    }


def _record_version(
    session: AsyncSession, entry: KnowledgeEntry, change: str, actor: str | None, at: datetime
) -> None:
    session.add(
        KnowledgeEntryVersion(
            entry_id=entry.id,
            version=entry.version,
            change=change,
            snapshot=_snapshot(entry),
            changed_by=actor,
            changed_at=at,
        )
    )


async def get_entry(session: AsyncSession, entry_id: str) -> KnowledgeEntry | None:
    return await session.get(KnowledgeEntry, entry_id)


async def require_entry(session: AsyncSession, entry_id: str) -> KnowledgeEntry:
    entry = await session.get(KnowledgeEntry, entry_id)
    if entry is None:
        raise NotFound(
            f"knowledge entry {entry_id} does not exist; list entries at /api/v1/kb/entries"
        )
    return entry


async def create_entry(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    draft: EntryDraft,
    *,
    actor: str | None,
    status: str = "live",
    source: str = "written",
    conversation_id: str | None = None,
    change: str = "created",
    flush: bool = True,
) -> KnowledgeEntry:
    """A new entry (live by default: searchable once the transaction commits).

    `flush=False` lets a bulk import batch its inserts.
    """
    now = clock_of(session).now()
    entry = KnowledgeEntry(
        id=draft.id or new_id("kb"),
        question=draft.question,
        alternatives=list(draft.alternatives),
        answer=draft.answer,
        intent=draft.intent,
        tags=list(draft.tags),
        language=draft.language,
        status=status,
        source=source,
        source_conversation_id=conversation_id,
        updated_by=actor,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(entry)
    _record_version(session, entry, change, actor, now)
    if flush:
        await session.flush()
    _sync_index(session, index, entry)
    return entry


async def update_entry(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    entry_id: str,
    draft: EntryDraft,
    *,
    actor: str | None,
    status: str | None = None,
    expected_version: int | None = None,
    change: str = "updated",
    flush: bool = True,
) -> KnowledgeEntry:
    """Replace the entry's content; `expected_version` guards against overwriting an edit."""
    entry = await require_entry(session, entry_id)
    if expected_version is not None and expected_version != entry.version:
        raise Conflict(
            f"entry {entry_id} changed since you opened it (now version {entry.version}); "
            "reload it and apply your edit again"
        )
    entry.question = draft.question
    entry.alternatives = list(draft.alternatives)
    entry.answer = draft.answer
    entry.intent = draft.intent
    entry.tags = list(draft.tags)
    entry.language = draft.language
    if status is not None:
        _check_status(status)
        entry.status = status
    entry.version += 1
    entry.updated_by = actor
    entry.updated_at = clock_of(session).now()
    _record_version(session, entry, change, actor, entry.updated_at)
    if flush:
        await session.flush()
    _sync_index(session, index, entry)
    return entry


def _check_status(status: str) -> None:
    if status not in ("live", "pending", "retired"):
        raise InvalidInput(f"status must be live, pending or retired, not {status!r}")


async def set_status(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    entry_id: str,
    status: str,
    *,
    actor: str | None,
) -> KnowledgeEntry:
    """Retire, restore (live) or hold (pending) an entry; the index follows at commit."""
    _check_status(status)
    entry = await require_entry(session, entry_id)
    if entry.status == status:
        return entry
    entry.status = status
    entry.version += 1
    entry.updated_by = actor
    entry.updated_at = clock_of(session).now()
    await session.flush()
    _record_version(
        session, entry, "retired" if status == "retired" else "status", actor, entry.updated_at
    )
    _sync_index(session, index, entry)
    return entry


async def list_entries(
    session: AsyncSession,
    *,
    q: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[KnowledgeEntry], int]:
    stmt = select(KnowledgeEntry)
    if status:
        stmt = stmt.where(KnowledgeEntry.status == status)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                KnowledgeEntry.question.ilike(like),
                KnowledgeEntry.answer.ilike(like),
                KnowledgeEntry.id == q.strip(),
            )
        )
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(
        stmt.order_by(KnowledgeEntry.updated_at.desc(), KnowledgeEntry.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def entry_history(session: AsyncSession, entry_id: str) -> list[KnowledgeEntryVersion]:
    await require_entry(session, entry_id)
    rows = await session.scalars(
        select(KnowledgeEntryVersion)
        .where(KnowledgeEntryVersion.entry_id == entry_id)
        .order_by(KnowledgeEntryVersion.version.desc(), KnowledgeEntryVersion.id.desc())
    )
    return list(rows)


# --- import / export / seed -------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "errors": [{"row": e.row, "reason": e.reason} for e in self.errors],
        }


async def import_entries(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    data: bytes,
    fmt: str,
    *,
    actor: str | None,
    progress: Callable[[Sequence[Any]], Iterable[Any]] = lambda rows: rows,
) -> ImportReport:
    """Create new entries and update those whose `id` already exists; bad rows are reported.

    Raises InvalidInput only when the file as a whole cannot be read.
    """
    try:
        parsed = parse(data, fmt)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    report = ImportReport(errors=list(parsed.errors))
    ids = [d.id for _, d in parsed.drafts if d.id]
    existing: dict[str, KnowledgeEntry] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        # Loading the rows puts them in the identity map: updates below need no query each.
        found = await session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.id.in_(chunk)))
        existing.update((e.id, e) for e in found)
    seen: set[str] = set()
    for n, (row, draft) in enumerate(progress(parsed.drafts), 1):
        if draft.id and draft.id in seen:
            report.errors.append(
                RowError(row, f"id {draft.id} appears twice in the file; keep one row")
            )
            continue
        if draft.id:
            seen.add(draft.id)
        if draft.id and draft.id in existing:
            await update_entry(
                session, index, draft.id, draft, actor=actor, change="imported", flush=False
            )
            report.updated += 1
        else:
            await create_entry(session, index, draft, actor=actor, change="imported", flush=False)
            report.created += 1
        if n % 1000 == 0:
            await session.flush()
    await session.flush()
    report.errors.sort(key=lambda e: e.row)
    return report


def _draft_of(entry: KnowledgeEntry) -> EntryDraft:
    return EntryDraft(
        question=entry.question,
        answer=entry.answer,
        alternatives=tuple(entry.alternatives or ()),
        intent=entry.intent,
        tags=tuple(entry.tags or ()),
        language=entry.language,
        id=entry.id,
    )


async def export_entries(session: AsyncSession, fmt: str, *, status: str | None = "live") -> bytes:
    stmt = select(KnowledgeEntry).order_by(KnowledgeEntry.id)
    if status:
        stmt = stmt.where(KnowledgeEntry.status == status)
    entries = list(await session.scalars(stmt))
    try:
        return export([_draft_of(e) for e in entries], fmt)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


async def seed_demo_faq(session: AsyncSession, index: KnowledgeIndex | None) -> int:
    """Load the demo shop's FAQ when the knowledge base is empty; returns entries added."""
    if await session.scalar(select(func.count()).select_from(KnowledgeEntry)):
        return 0
    added = 0
    for line in DEMO_FAQ.read_text("utf-8").splitlines():
        if line.strip():
            await create_entry(session, index, validate(json.loads(line)), actor="demo")
            added += 1
    return added


# --- misses and gaps ------------------------------------------------------------------


async def record_miss(
    session: AsyncSession, *, text: str, language: str, conversation_id: str, now: datetime
) -> None:
    """Remember a question the AI could not answer from the knowledge base (for the gaps report)."""
    text = text.strip()
    if not text:
        return
    session.add(
        KnowledgeMiss(
            text=text[:1000],
            language=language,
            conversation_id=conversation_id,
            created_at=now,
        )
    )
    await session.flush()


@dataclass(frozen=True)
class Gap:
    question: str  # the most frequent phrasing of the group
    count: int
    examples: tuple[str, ...]
    language: str
    last_seen: datetime
    nearest_entry_id: str | None  # the live entry it resembles most, if any
    nearest_question: str | None


async def gaps_report(
    session: AsyncSession, index: KnowledgeIndex, *, limit: int = 20, window: int = 2000
) -> list[Gap]:
    """The questions the AI failed on most, near-duplicates grouped, most frequent first."""
    misses = list(
        await session.scalars(
            select(KnowledgeMiss).order_by(KnowledgeMiss.created_at.desc()).limit(window)
        )
    )
    groups = KnowledgeIndex(index.matcher, answer_threshold=DUPLICATE_PROBABILITY)
    members: dict[str, list[KnowledgeMiss]] = {}
    for miss in misses:
        judged = groups.judge(miss.text, language=miss.language)
        if judged and judged[0].probability >= DUPLICATE_PROBABILITY:
            members[judged[0].entry_id].append(miss)
            continue
        key = f"g{len(members)}"
        members[key] = [miss]
        groups.upsert(IndexedEntry(key, miss.text, (), "", None, miss.language))
    ranked = sorted(members.values(), key=lambda ms: (-len(ms), -max(m.id for m in ms)))[:limit]
    out = []
    for ms in ranked:
        texts: dict[str, int] = {}
        for m in ms:
            texts[m.text] = texts.get(m.text, 0) + 1
        phrasings = sorted(texts, key=lambda t: -texts[t])
        near = index.search(phrasings[0], language=ms[0].language, k=1).candidates
        out.append(
            Gap(
                question=phrasings[0],
                count=len(ms),
                examples=tuple(phrasings[1:6]),
                language=ms[0].language,
                last_seen=max(m.created_at for m in ms),
                nearest_entry_id=near[0].entry_id if near else None,
                nearest_question=near[0].question if near else None,
            )
        )
    return out


# --- the learning loop ------------------------------------------------------------------


def _question_and_rest(questions: Sequence[str]) -> tuple[str, list[str]] | None:
    cleaned = [q.strip() for q in questions if len(q.strip()) >= MIN_QUESTION_CHARS]
    if not cleaned:
        return None
    return cleaned[0], [q for q in dict.fromkeys(cleaned[1:]) if q != cleaned[0]]


async def learn_from_resolution(
    session: AsyncSession,
    index: KnowledgeIndex,
    *,
    conversation_id: str,
    customer_questions: list[str],
    agent_answers: list[str],
    language: str,
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
    """
    picked = _question_and_rest(customer_questions)
    answer = "\n".join(a.strip() for a in agent_answers if a.strip())
    if picked is None or not answer:
        return
    question, others = picked
    language = language or guess_language(question)
    now = clock_of(session).now()
    open_candidates = list(
        await session.scalars(
            select(KnowledgeCandidate).where(
                KnowledgeCandidate.status == "open", KnowledgeCandidate.language == language
            )
        )
    )
    matcher = index.matcher
    near = index.search(question, language=language, k=1).candidates
    if open_candidates:
        from_texts = [(question, c.question) for c in open_candidates]
        probs = matcher.score_pairs([(prepare(a), prepare(b)) for a, b in from_texts])
        best = int(probs.argmax())
        target = open_candidates[best]
        target_near = index.search(target.question, language=language, k=1).candidates
        told_apart = bool(near and target_near and near[0].entry_id != target_near[0].entry_id)
        if float(probs[best]) >= DUPLICATE_PROBABILITY and not told_apart:
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
) -> KnowledgeEntry:
    """The candidate (optionally edited by the reviewer) becomes a live entry at commit."""
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
    entry = await require_entry(session, entry_id)
    known = {entry.question, *entry.alternatives}
    added = [p for p in (candidate.question, *candidate.alternatives) if p not in known]
    draft = EntryDraft(
        question=entry.question,
        answer=entry.answer,
        alternatives=(*entry.alternatives, *added),
        intent=entry.intent,
        tags=tuple(entry.tags),
        language=entry.language,
        id=entry.id,
    )
    entry = await update_entry(session, index, entry.id, draft, actor=actor, change="merged")
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
