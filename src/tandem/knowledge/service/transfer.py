"""Import and export (CSV, XLSX, JSONL): good rows are kept and bad ones reported; the demo FAQ."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import InvalidInput
from tandem.knowledge.formats import EntryDraft, ParseResult, export, parse, validate
from tandem.knowledge.index import KnowledgeIndex
from tandem.knowledge.messages import Problem, RowError
from tandem.knowledge.models import (
    KnowledgeEntry,
)
from tandem.knowledge.service.entries import create_entry, update_entry
from tandem.knowledge.service.import_plan import ImportPlan, Progress, no_progress, plan_import

DEMO_FAQ = Path(__file__).parents[1] / "data" / "demo_faq.jsonl"


@dataclass
class ImportReport:
    """What an import did (or, previewed, would do), row by row."""

    plan: ImportPlan
    applied: bool

    @property
    def created(self) -> int:
        return self.plan.count("add")

    @property
    def updated(self) -> int:
        return self.plan.count("update")

    @property
    def unchanged(self) -> int:
        return self.plan.count("unchanged")

    @property
    def duplicates(self) -> list[RowError]:
        return [r.problem for r in self.plan.rows if r.action == "duplicate" and r.problem]

    @property
    def errors(self) -> list[RowError]:
        return [r.problem for r in self.plan.rows if r.action == "failed" and r.problem]

    @property
    def warnings(self) -> list[RowError]:
        return [r.warning for r in self.plan.rows if r.warning]

    def as_dict(self, language: str = "zh") -> dict[str, Any]:
        def rows(errors: list[RowError]) -> list[dict[str, Any]]:
            return [{"row": e.row, "reason": e.text(language)} for e in errors]

        return {
            "applied": self.applied,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": rows(self.duplicates),
            "errors": rows(self.errors),
            "warnings": rows(self.warnings),
            "rows": [r.as_dict(language) for r in self.plan.rows],
        }


def read_file(data: bytes, fmt: str, language: str = "en") -> ParseResult:
    """The file's rows; InvalidInput in `language` when the file as a whole is unreadable."""
    try:
        return parse(data, fmt)
    except Problem as exc:
        raise InvalidInput(exc.text(language)) from exc
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


async def import_entries(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    data: bytes | ParseResult,
    fmt: str = "",
    *,
    actor: str | None,
    preview: bool = False,
    progress: Progress = no_progress,
    update_index: bool = True,
) -> ImportReport:
    """Add new entries, update those a row names (by `id`, else by its question), skip
    duplicates; bad rows are reported. `preview`: decide only, write nothing. `index` finds
    near-duplicates and, unless `update_index` is False, takes the changes at commit.

    Raises InvalidInput only when the file as a whole cannot be read.
    """
    parsed = data if isinstance(data, ParseResult) else read_file(data, fmt)
    plan = await plan_import(session, index, parsed, progress)
    if preview:
        return ImportReport(plan, applied=False)
    target = index if update_index else None
    todo = [r for r in plan.rows if r.action in ("add", "update") and r.draft is not None]
    for n, planned in enumerate(todo, 1):
        assert planned.draft is not None
        if planned.action == "update" and planned.entry_id:
            draft = replace(planned.draft, id=planned.entry_id)
            await update_entry(
                session,
                target,
                planned.entry_id,
                draft,
                actor=actor,
                change="imported",
                flush=False,
            )
        else:
            await create_entry(
                session, target, planned.draft, actor=actor, change="imported", flush=False
            )
        if n % 500 == 0 or n == len(todo):
            await session.flush()
            await progress("writing", n, len(todo))
    return ImportReport(plan, applied=True)


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
