"""The LLM's use cases: reword the reply the engine chose, draft a reply for an agent, draft a
hand-off summary. Each goes through the fact guard; each call is recorded (`LlmCall`) in the
caller's session, so it is committed with the turn that made it. Services never commit.

Every failure — over the day's budget, an error, a timeout, a rejection — gives back the
engine's template text at once: the customer is never kept waiting for a better sentence.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.config import Settings
from tandem.core.clock import Clock
from tandem.llm import guard, prompts
from tandem.llm.models import LlmCall
from tandem.llm.provider import OpenAICompatible, Provider, ProviderError
from tandem.llm.types import Message
from tandem.shop.catalogue import PRODUCTS
from tandem.shop.provider import Shop

log = logging.getLogger("tandem.llm")


@dataclass(frozen=True)
class Grounding:
    """What the engine selected this turn, as plain facts: the knowledge entry's answer, the
    order facts, the policy clause. The model may say these and nothing else."""

    knowledge: str | None = None
    facts: tuple[str, ...] = ()
    policy: str | None = None

    def lines(self) -> tuple[str, ...]:
        return tuple(x for x in (self.knowledge, *self.facts, self.policy) if x)


@dataclass(frozen=True)
class Generated:
    text: str
    used: bool  # False: the fallback (template) text
    outcome: str
    reasons: tuple[str, ...] = field(default=())


class Wordsmith:
    """The LLM behind the guard. Built once at start-up (`build_wordsmith`)."""

    def __init__(
        self,
        provider: Provider,
        settings: Settings,
        clock: Clock,
        *,
        zone: ZoneInfo | None = None,
        products: Sequence[str] = (),
    ) -> None:
        self.provider = provider
        self.settings = settings
        self.clock = clock
        self.zone = zone or ZoneInfo("Asia/Shanghai")
        self.products = tuple(products)

    async def aclose(self) -> None:
        await self.provider.aclose()

    async def reword(
        self,
        session: AsyncSession,
        reply_text: str,
        grounding: Grounding,
        language: str,
        conversation_id: str | None = None,
    ) -> str:
        """The engine's reply in the model's words when the guard passes them; else the reply."""
        messages = prompts.reword_prompt(reply_text, grounding.lines(), language)
        sources = guard.Sources((reply_text, *grounding.lines()), self.products, language)
        result = await self.generate(
            session, "reword", messages, sources, reply_text, language, conversation_id
        )
        return result.text

    async def generate(
        self,
        session: AsyncSession,
        purpose: str,
        messages: list[Message],
        sources: guard.Sources,
        fallback: str,
        language: str,
        conversation_id: str | None = None,
    ) -> Generated:
        call = LlmCall(
            purpose=purpose,
            conversation_id=conversation_id,
            model=self.provider.model,
            prompt_hash=prompts.prompt_hash(messages),
            language=language,
            template=fallback[:4000],
            created_at=self.clock.now(),
        )
        session.add(call)
        if await self._over_budget(session):
            call.outcome = "over_budget"
            return Generated(fallback, False, "over_budget")
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.llm_timeout_seconds):
                completion = await self.provider.complete(messages)
        except TimeoutError:
            call.outcome = "timeout"
            call.latency_ms = round((time.perf_counter() - started) * 1000)
            return Generated(fallback, False, "timeout")
        except (ProviderError, OSError, ValueError) as e:
            # httpx errors are OSError/ValueError subclasses or ProviderError: all mean "no text".
            log.warning("llm call failed: %s", e)
            call.outcome = "error"
            call.reasons = [str(e)[:200]]
            call.latency_ms = round((time.perf_counter() - started) * 1000)
            return Generated(fallback, False, "error")
        except Exception as e:  # noqa: BLE001 (any transport failure falls back; never a 500)
            log.warning("llm call failed: %r", e)
            call.outcome = "error"
            call.reasons = [type(e).__name__]
            call.latency_ms = round((time.perf_counter() - started) * 1000)
            return Generated(fallback, False, "error")
        call.latency_ms = round((time.perf_counter() - started) * 1000)
        call.prompt_tokens = completion.prompt_tokens
        call.completion_tokens = completion.completion_tokens
        call.cost_yuan = self.cost(completion.prompt_tokens, completion.completion_tokens)
        text = completion.text.strip()
        call.output = text[:4000]
        verdict = guard.check(text, sources, language)
        if not verdict.ok:
            call.outcome = "rejected"
            call.reasons = list(verdict.reasons)
            return Generated(fallback, False, "rejected", verdict.reasons)
        call.outcome = "used"
        return Generated(text, True, "used")

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        s = self.settings
        return round(
            prompt_tokens / 1000 * s.llm_price_input_per_1k_tokens
            + completion_tokens / 1000 * s.llm_price_output_per_1k_tokens,
            6,
        )

    def day_start(self, now: datetime) -> datetime:
        """Midnight of the shop's day (the budget is per shop day), as UTC."""
        local = now.astimezone(self.zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight.astimezone(now.tzinfo) if now.tzinfo else midnight

    async def spent_today(self, session: AsyncSession) -> tuple[float, int]:
        since = self.day_start(self.clock.now())
        cost, tokens = (
            await session.execute(
                select(
                    func.coalesce(func.sum(LlmCall.cost_yuan), 0.0),
                    func.coalesce(func.sum(LlmCall.prompt_tokens + LlmCall.completion_tokens), 0),
                ).where(LlmCall.created_at >= since, LlmCall.outcome != "over_budget")
            )
        ).one()
        return float(cost), int(tokens)

    async def _over_budget(self, session: AsyncSession) -> bool:
        s = self.settings
        if s.llm_daily_budget_yuan is None and s.llm_daily_budget_tokens is None:
            return False
        with session.no_autoflush:
            cost, tokens = await self.spent_today(session)
        if s.llm_daily_budget_yuan is not None and cost >= s.llm_daily_budget_yuan:
            return True
        return s.llm_daily_budget_tokens is not None and tokens >= s.llm_daily_budget_tokens


def build_wordsmith(
    settings: Settings,
    clock: Clock,
    *,
    zone: ZoneInfo | None = None,
    products: Sequence[str] = (),
) -> Wordsmith | None:
    """The configured LLM, or None when `TANDEM_LLM_BASE_URL` is not set (the default)."""
    if not settings.llm_base_url:
        return None
    provider = OpenAICompatible(
        settings.llm_base_url,
        settings.llm_model,
        settings.llm_api_key,
        stream=settings.llm_stream,
    )
    return Wordsmith(provider, settings, clock, zone=zone, products=products)


def wordsmith_for(settings: Settings, clock: Clock, shop: Shop) -> Wordsmith | None:
    """The configured LLM for this shop (its day, its catalogue's names), or None when off."""
    names: list[str] = []
    if shop.kind == "demo":
        for _sku, name_zh, name_en, *_rest in PRODUCTS:
            names += [name_zh, name_en]
    return build_wordsmith(
        settings, clock, zone=shop.policy.service_hours.zone, products=tuple(names)
    )
