"""Questions the AI could not answer, remembered and grouped into the gaps report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import InvalidInput
from tandem.knowledge.formats import MAX_QUESTION, EntryDraft
from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.knowledge.models import (
    KnowledgeEntry,
    KnowledgeMiss,
)
from tandem.knowledge.service.entries import require_entry, update_entry
from tandem.knowledge.text import question_key

_LISTENING = "tandem.knowledge.listening"
MIN_QUESTION_CHARS = 4  # "你好", "在吗", "ok" are not questions worth learning


# Two customers' questions are merged (candidates, gaps) only when the matcher is near certain:
# a wrong merge hides a question from the reviewer, a missed one only shows it twice. The
# matcher's own pair threshold is tuned for accuracy on balanced pairs and merges too much
# ("怎么退货" / "怎么退款").
DUPLICATE_PROBABILITY = 0.8


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
    by_key: dict[tuple[str, tuple[str, ...]], str] = {}
    for miss in misses:
        # The same words are one group whatever the matcher says; else the matcher decides.
        key = (miss.language, question_key(miss.text))
        if key in by_key:
            members[by_key[key]].append(miss)
            continue
        judged = groups.judge(miss.text, language=miss.language)
        if judged and judged[0].probability >= DUPLICATE_PROBABILITY:
            members[judged[0].entry_id].append(miss)
            by_key[key] = judged[0].entry_id
            continue
        group = by_key[key] = f"g{len(members)}"
        members[group] = [miss]
        groups.upsert(IndexedEntry(group, miss.text, (), "", None, miss.language))
    ranked = sorted(members.values(), key=lambda ms: (-len(ms), -max(m.id for m in ms)))
    out: list[Gap] = []
    for ms in ranked:
        texts: dict[str, int] = {}
        for m in ms:
            texts[m.text] = texts.get(m.text, 0) + 1
        phrasings = sorted(texts, key=lambda t: -texts[t])
        found = index.search(phrasings[0], language=ms[0].language, k=1)
        if found.answer is not None:
            continue  # answered now (an entry was written, or the question added to one)
        near = found.candidates
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
        if len(out) >= limit:
            break
    return out


async def add_phrasings(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    entry_id: str,
    phrasings: Sequence[str],
    *,
    actor: str | None,
) -> KnowledgeEntry:
    """A gap's question (and its other phrasings) become phrasings of an entry: the AI
    answers them with that entry's answer from the commit on."""
    entry = await require_entry(session, entry_id)
    known = {entry.question, *(entry.alternatives or ())}
    added = [p.strip() for p in dict.fromkeys(phrasings) if p.strip() and p.strip() not in known]
    if any(len(p) > MAX_QUESTION for p in added):
        raise InvalidInput(f"a phrasing is longer than {MAX_QUESTION} characters; shorten it")
    if not added:
        return entry
    draft = EntryDraft(
        question=entry.question,
        answer=entry.answer,
        alternatives=(*(entry.alternatives or ()), *added),
        intent=entry.intent,
        tags=tuple(entry.tags or ()),
        language=entry.language,
        id=entry.id,
    )
    return await update_entry(session, index, entry.id, draft, actor=actor, change="merged")


def question_and_rest(questions: Sequence[str]) -> tuple[str, list[str]] | None:
    cleaned = [q.strip() for q in questions if len(q.strip()) >= MIN_QUESTION_CHARS]
    if not cleaned:
        return None
    return cleaned[0], [q for q in dict.fromkeys(cleaned[1:]) if q != cleaned[0]]
