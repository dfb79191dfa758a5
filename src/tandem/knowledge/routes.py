"""HTTP routes of the knowledge base: supervisors curate it, agents get suggestions from it.

Thin: each handler opens one unit of work, calls `tandem.knowledge.service`, and commits.
The index changes when that commit succeeds (see service.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, UploadFile
from fastapi.responses import Response, StreamingResponse

from tandem.core.errors import InvalidInput, TandemError
from tandem.deps import AgentDep, ServicesDep, SupervisorDep
from tandem.identity import audit
from tandem.knowledge import service
from tandem.knowledge.formats import FORMATS, format_of, validate
from tandem.knowledge.messages import Problem, pick_language
from tandem.knowledge.schemas import (
    ApproveIn,
    CandidateOut,
    EntryDetail,
    EntryIn,
    EntryList,
    EntryOut,
    EntryUpdateIn,
    GapOut,
    ImportOut,
    MergeIn,
    PhrasingIn,
    StatusIn,
    SuggestOut,
    VersionOut,
)

router = APIRouter(prefix="/api/v1/kb", tags=["knowledge"])
log = logging.getLogger("tandem.knowledge")

MAX_IMPORT_BYTES = 20 * 1024 * 1024
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


def _draft(raw: dict[str, Any]) -> Any:
    try:
        return validate(raw)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


@router.get("/suggest", response_model=SuggestOut)
async def suggest(
    services: ServicesDep,
    _agent: AgentDep,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    language: str | None = None,
    k: Annotated[int, Query(ge=1, le=10)] = 3,
) -> SuggestOut:
    """Knowledge entries that answer `q`, best first, for the agent's copilot."""
    index = services.knowledge
    return SuggestOut.of(index.search(q, language=language, k=k))


@router.get("/entries", response_model=EntryList)
async def list_entries(
    services: ServicesDep,
    _sup: SupervisorDep,
    q: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> EntryList:
    async with services.sessions() as session:
        entries, total = await service.list_entries(
            session, q=q, status=status, limit=limit, offset=offset
        )
    return EntryList(entries=[EntryOut.of(e) for e in entries], total=total)


@router.post("/entries", response_model=EntryOut, status_code=201)
async def create_entry(body: EntryIn, services: ServicesDep, sup: SupervisorDep) -> EntryOut:
    index = services.knowledge
    draft = _draft(body.raw())
    async with services.unit_of_work() as uow:
        entry = await service.create_entry(
            uow.session, index, draft, actor=sup.username, status=body.status
        )
        out = EntryOut.of(entry)
    return out


@router.get("/entries/{entry_id}", response_model=EntryDetail)
async def get_entry(entry_id: str, services: ServicesDep, _sup: SupervisorDep) -> EntryDetail:
    async with services.sessions() as session:
        entry = await service.require_entry(session, entry_id)
        history = await service.entry_history(session, entry_id)
        return EntryDetail(entry=EntryOut.of(entry), history=[VersionOut.of(v) for v in history])


@router.put("/entries/{entry_id}", response_model=EntryOut)
async def update_entry(
    entry_id: str, body: EntryUpdateIn, services: ServicesDep, sup: SupervisorDep
) -> EntryOut:
    index = services.knowledge
    draft = _draft(body.model_dump(exclude={"status", "version"}))
    async with services.unit_of_work() as uow:
        entry = await service.update_entry(
            uow.session,
            index,
            entry_id,
            draft,
            actor=sup.username,
            status=body.status,
            expected_version=body.version,
        )
        out = EntryOut.of(entry)
    return out


@router.put("/entries/{entry_id}/status", response_model=EntryOut)
async def set_status(
    entry_id: str, body: StatusIn, services: ServicesDep, sup: SupervisorDep
) -> EntryOut:
    """Retire (`retired`), restore (`live`) or hold back (`pending`) an entry."""
    index = services.knowledge
    async with services.unit_of_work() as uow:
        entry = await service.set_status(
            uow.session, index, entry_id, body.status, actor=sup.username
        )
        out = EntryOut.of(entry)
    return out


@router.delete("/entries/{entry_id}", response_model=EntryOut)
async def retire_entry(entry_id: str, services: ServicesDep, sup: SupervisorDep) -> EntryOut:
    """Entries are retired, never deleted: their history stays."""
    index = services.knowledge
    async with services.unit_of_work() as uow:
        entry = await service.set_status(
            uow.session, index, entry_id, "retired", actor=sup.username
        )
        out = EntryOut.of(entry)
    return out


@router.get("/candidates", response_model=list[CandidateOut])
async def list_candidates(
    services: ServicesDep, _sup: SupervisorDep, status: str = "open"
) -> list[CandidateOut]:
    async with services.sessions() as session:
        candidates = await service.list_candidates(session, status=status)
        out = []
        for c in candidates:
            similar = (
                await service.get_entry(session, c.similar_entry_id) if c.similar_entry_id else None
            )
            out.append(CandidateOut.of(c, similar.question if similar else None))
    return out


@router.post("/candidates/{candidate_id}/approve", response_model=EntryOut)
async def approve_candidate(
    candidate_id: str,
    services: ServicesDep,
    sup: SupervisorDep,
    body: ApproveIn | None = None,
    lang: str | None = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> EntryOut:
    """The candidate, with the reviewer's edits, goes live; the AI uses it from now on. 409
    when a live entry already answers it (merge instead, or send `allow_duplicate`)."""
    index = services.knowledge
    async with services.unit_of_work() as uow:
        entry = await service.approve_candidate(
            uow.session,
            index,
            candidate_id,
            actor=sup.username,
            edits=body.model_dump(exclude_none=True, exclude={"allow_duplicate"}) if body else None,
            allow_duplicate=bool(body and body.allow_duplicate),
            language=pick_language(lang, accept_language),
        )
        out = EntryOut.of(entry)
    return out


@router.post("/candidates/{candidate_id}/merge", response_model=EntryOut)
async def merge_candidate(
    candidate_id: str, body: MergeIn, services: ServicesDep, sup: SupervisorDep
) -> EntryOut:
    """The candidate's phrasings join an existing entry."""
    index = services.knowledge
    async with services.unit_of_work() as uow:
        entry = await service.merge_candidate(
            uow.session, index, candidate_id, body.entry_id, actor=sup.username
        )
        out = EntryOut.of(entry)
    return out


@router.post("/candidates/{candidate_id}/reject", response_model=CandidateOut)
async def reject_candidate(
    candidate_id: str, services: ServicesDep, sup: SupervisorDep
) -> CandidateOut:
    async with services.unit_of_work() as uow:
        candidate = await service.reject_candidate(uow.session, candidate_id, actor=sup.username)
        out = CandidateOut.of(candidate)
    return out


@router.get("/gaps", response_model=list[GapOut])
async def gaps(
    services: ServicesDep, _sup: SupervisorDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[GapOut]:
    """The questions the AI failed on most often, grouped: what to write next."""
    index = services.knowledge
    async with services.sessions() as session:
        report = await service.gaps_report(session, index, limit=limit)
    return [GapOut.of(g) for g in report]


@router.post("/gaps/phrasing", response_model=EntryOut)
async def add_gap_phrasing(body: PhrasingIn, services: ServicesDep, sup: SupervisorDep) -> EntryOut:
    """A gap's question becomes a phrasing of an entry (its closest one, in the page): one
    click, and the AI answers it from then on."""
    async with services.unit_of_work() as uow:
        entry = await service.add_phrasings(
            uow.session, services.knowledge, body.entry_id, body.phrasings, actor=sup.username
        )
        out = EntryOut.of(entry)
    return out


@router.post("/import", response_model=ImportOut)
async def import_file(
    services: ServicesDep,
    sup: SupervisorDep,
    file: Annotated[UploadFile, File()],
    preview: bool = False,
    stream: bool = False,
    lang: str | None = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Any:
    """CSV, XLSX, JSONL or Markdown (by extension). Bad rows are reported; good rows go in.

    `preview=true`: what would be added, updated, skipped as duplicate or fail; nothing is
    written. `stream=true`: NDJSON lines `{"phase", "done", "total"}` while it works, then
    `{"report": ...}` (or `{"error": ...}`). Messages in `lang` (zh, the default, or en).
    """
    language = pick_language(lang, accept_language)
    try:
        fmt = format_of(file.filename or "")
    except Problem as exc:
        raise InvalidInput(exc.text(language)) from exc
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(
            "文件超过 20 MB：请拆分，或用 `tandem kb import 文件` 导入"
            if language == "zh"
            else "the file is larger than 20 MB; split it, or import it with `tandem kb import FILE`"
        )
    parsed = service.read_file(data, fmt, language)
    index = services.knowledge

    async def run(progress: service.Progress) -> ImportOut:
        async with services.unit_of_work() as uow:
            report = await service.import_entries(
                uow.session, index, parsed, actor=sup.username, preview=preview, progress=progress
            )
        return ImportOut.model_validate(report.as_dict(language))

    if not stream:
        return await run(_no_progress)
    return StreamingResponse(_streamed(run, language), media_type="application/x-ndjson")


async def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


async def _streamed(
    run: Callable[[service.Progress], Awaitable[ImportOut]], language: str
) -> AsyncIterator[str]:
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    async def progress(phase: str, done: int, total: int) -> None:
        queue.put_nowait({"phase": phase, "done": done, "total": total})

    async def work() -> None:
        try:
            report = await run(progress)
            queue.put_nowait({"report": report.model_dump(mode="json")})
        except TandemError as exc:
            queue.put_nowait({"error": exc.message})
        except Exception:
            log.exception("knowledge import failed")
            queue.put_nowait(
                {
                    "error": "导入失败，未写入任何内容；请重试"
                    if language == "zh"
                    else "the import failed and nothing was written; try again"
                }
            )
        finally:
            queue.put_nowait(None)

    task = asyncio.create_task(work())
    try:
        while (item := await queue.get()) is not None:
            yield json.dumps(item, ensure_ascii=False) + "\n"
    finally:
        if not task.done():
            task.cancel()  # the page went away: the transaction rolls back


@router.get("/export")
async def export_file(
    services: ServicesDep,
    _sup: SupervisorDep,
    format: Annotated[str, Query(pattern="^(csv|xlsx|jsonl|md)$")] = "xlsx",
    status: str | None = "live",
) -> Response:
    assert format in FORMATS
    async with services.unit_of_work() as uow:
        data = await service.export_entries(uow.session, format, status=status or None)
        await audit.record(
            uow, actor=_sup, action="export", at=services.clock.now(), target=f"knowledge.{format}"
        )
    return Response(
        content=data,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="knowledge.{format}"'},
    )
