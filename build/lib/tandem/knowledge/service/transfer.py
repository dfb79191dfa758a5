"""Import and export (CSV, XLSX, JSONL): good rows are kept and bad ones reported; the demo FAQ."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import InvalidInput
from tandem.knowledge.formats import EntryDraft, RowError, export, parse, validate
from tandem.knowledge.index import KnowledgeIndex
from tandem.knowledge.models import (
    KnowledgeEntry,
)
from tandem.knowledge.service.entries import create_entry, update_entry

DEMO_FAQ = Path(__file__).parents[1] / "data" / "demo_faq.jsonl"


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
