"""The LLM for people (docs/llm.md): supervisors read every call; agents ask for a draft reply
or a hand-off summary. Every text is checked by the fact guard before it is shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel
from sqlalchemy import func, select

from tandem.conversations.models import Conversation, Decision, Message
from tandem.conversations.service import require_conversation
from tandem.core.errors import TandemError
from tandem.deps import AgentDep, ServicesDep, SupervisorDep
from tandem.llm import guard, prompts
from tandem.llm.grounding import order_facts
from tandem.llm.models import LlmCall
from tandem.llm.service import Wordsmith
from tandem.services import Services
from tandem.shop.service import load_shop_facts


class LlmOff(TandemError):
    status_code = 503
    code = "llm_off"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    wordsmith = app.state.services.extras.get("wordsmith")
    if isinstance(wordsmith, Wordsmith):
        await wordsmith.aclose()


router = APIRouter(prefix="/api/v1/llm", tags=["llm"], lifespan=lifespan)


class CallOut(BaseModel):
    id: int
    purpose: str
    conversation_id: str | None
    model: str
    prompt_hash: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    cost_yuan: float
    outcome: str
    reasons: list[Any] | None
    language: str
    template: str | None
    output: str | None
    created_at: datetime


class CallsOut(BaseModel):
    enabled: bool
    model: str | None
    today: dict[str, Any]
    calls: list[CallOut]


class DraftOut(BaseModel):
    text: str
    used: bool
    outcome: str
    reasons: list[str]


def _wordsmith(services: Services) -> Wordsmith:
    w = services.extras.get("wordsmith")
    if not isinstance(w, Wordsmith):
        raise LlmOff(
            "大模型未开启：请设置 TANDEM_LLM_BASE_URL (the LLM is off: set TANDEM_LLM_BASE_URL)"
        )
    return w


@router.get("/calls", response_model=CallsOut)
async def list_calls(
    services: ServicesDep,
    _who: SupervisorDep,
    outcome: Annotated[
        str | None, Query(pattern="^(used|rejected|timeout|error|over_budget)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CallsOut:
    """Every call, newest first, and today's totals against the budget (the shop's day)."""
    w = services.extras.get("wordsmith")
    async with services.sessions() as session:
        q = select(LlmCall).order_by(LlmCall.id.desc()).limit(limit)
        if outcome:
            q = q.where(LlmCall.outcome == outcome)
        rows = (await session.scalars(q)).all()
        today: dict[str, Any] = {}
        if isinstance(w, Wordsmith):
            since = w.day_start(services.clock.now())
            by_outcome = (
                await session.execute(
                    select(LlmCall.outcome, func.count())
                    .where(LlmCall.created_at >= since)
                    .group_by(LlmCall.outcome)
                )
            ).all()
            cost, tokens = await w.spent_today(session)
            today = {
                "since": since.isoformat(),
                "calls": {k: int(v) for k, v in by_outcome},
                "cost_yuan": round(cost, 4),
                "tokens": tokens,
                "budget_yuan": services.settings.llm_daily_budget_yuan,
                "budget_tokens": services.settings.llm_daily_budget_tokens,
            }
    return CallsOut(
        enabled=isinstance(w, Wordsmith),
        model=w.provider.model if isinstance(w, Wordsmith) else None,
        today=today,
        calls=[CallOut.model_validate(r, from_attributes=True) for r in rows],
    )


async def _facts(services: Services, conversation: Conversation, session: Any) -> list[str]:
    lang = conversation.language
    shop_facts = await load_shop_facts(
        services.shop.adapter(session), conversation.customer_external_id
    )
    zone = services.shop.policy.service_hours.zone
    return [order_facts(o, lang, zone) for o in shop_facts.orders[:5]]


async def _knowledge_answer(
    services: Services, session: Any, conversation: Conversation, last: str
) -> str:
    """The entry the engine answered from most recently, else the best match for the last
    customer message."""
    data = await session.scalar(
        select(Decision.data)
        .where(Decision.conversation_id == conversation.id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    entry_id = (data or {}).get("kb_entry_id")
    entry = services.knowledge.get(entry_id) if entry_id else None
    if entry is not None:
        return str(entry.answer)
    found = services.knowledge.search(last, language=conversation.language) if last else None
    return found.answer.answer if found is not None and found.answer is not None else ""


@router.post("/conversations/{conversation_id}/draft", response_model=DraftOut)
async def draft_reply(conversation_id: str, services: ServicesDep, _who: AgentDep) -> DraftOut:
    """A reply for the agent to edit, from the conversation, the best knowledge entry and the
    customer's orders. Falls back to the knowledge answer (or nothing) when rejected."""
    w = _wordsmith(services)
    async with services.unit_of_work() as uow:
        session = uow.session
        conversation = await require_conversation(session, conversation_id)
        transcript = [
            (a, t)
            for a, t in (
                await session.execute(
                    select(Message.author, Message.text)
                    .where(Message.conversation_id == conversation.id)
                    .order_by(Message.seq)
                )
            ).all()
        ]
        last = next((t for a, t in reversed(transcript) if a == "customer"), "")
        facts = await _facts(services, conversation, session)
        fallback = await _knowledge_answer(services, session, conversation, last)
        if fallback:
            facts.insert(0, fallback)
        messages = prompts.draft_prompt(transcript, facts, conversation.language)
        sources = guard.Sources(
            (*facts, *(t for _, t in transcript)), w.products, conversation.language
        )
        result = await w.generate(
            session, "draft", messages, sources, fallback, conversation.language, conversation.id
        )
    return DraftOut(
        text=result.text, used=result.used, outcome=result.outcome, reasons=list(result.reasons)
    )


@router.post("/conversations/{conversation_id}/summary", response_model=DraftOut)
async def draft_summary(conversation_id: str, services: ServicesDep, _who: AgentDep) -> DraftOut:
    """The hand-off summary in the model's words, checked against the packet; the engine's
    own summary when rejected."""
    w = _wordsmith(services)
    async with services.unit_of_work() as uow:
        session = uow.session
        conversation = await require_conversation(session, conversation_id)
        packet = conversation.handoff_packet or {}
        summary = str(packet.get("summary") or "")
        facts = [summary] if summary else []
        facts += [f"{k}: {v}" for k, v in packet.items() if k not in ("summary", "transcript")]
        facts += await _facts(services, conversation, session)
        messages = prompts.summary_prompt(facts, conversation.language)
        sources = guard.Sources(tuple(facts), w.products, conversation.language)
        result = await w.generate(
            session, "summary", messages, sources, summary, conversation.language, conversation.id
        )
    return DraftOut(
        text=result.text, used=result.used, outcome=result.outcome, reasons=list(result.reasons)
    )
