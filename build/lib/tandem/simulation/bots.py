"""The AI side of each compared policy, and the shared engine services.

- `tandem`: the product's own engine (`tandem.engine.decide` / `after_action`) with the shop's
  policy file, the shipped understanding models and the knowledge index, called exactly as
  `turns/service.py` calls it (decide without queue facts, again with them before a
  hand-off; shop actions through the written policy, `tandem.shop.policy.evaluate`).
- `ai-only`: the same engine with no people behind it: a hand-off reaches nobody.
- `naive-bot`: a keyword FAQ bot with canned replies that repeats itself and hands over to a
  person only after the third explicit request (the seeds' 循环重复 bot).
- `human-only`: no bot at all (the simulator queues every customer at once).

Understanding and retrieval are cached per distinct text: the message bank is finite and both
are pure functions of the text (and of the knowledge base, fixed for a run), so the engine's
own rules, not repeated encoding, are what a run measures. The cache is keyed by the raw text,
not its normalised form, because the analysis keeps raw-text facts (abuse spans, entities).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from tandem.engine import (
    BotReply,
    ConversationView,
    Decision,
    Inbound,
    QueueFacts,
    TurnContext,
    after_action,
    decide,
)
from tandem.engine.memory import EngineMemory
from tandem.knowledge.formats import parse_csv, parse_jsonl
from tandem.knowledge.index import IndexedEntry, KnowledgeIndex, Match, SearchResult
from tandem.knowledge.service import DEMO_FAQ
from tandem.shop.policy import evaluate, next_service_opening, within_service_hours
from tandem.shop.policy_config import PolicyError, ShopPolicy, load_policy
from tandem.shop.present import ShopFacts
from tandem.shop.types import TrackingEvent
from tandem.simulation.errors import SimulationInputError
from tandem.understanding import Analysis, Understanding, load_understanding

POLICIES = ("human-only", "ai-only", "naive-bot", "tandem")
NO_QUEUE_FACTS = QueueFacts(agents_online=0, position_if_queued=0, eta_seconds=0)


def check_policies(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in POLICIES]
    if unknown or not names:
        raise SimulationInputError(
            f"未知的策略：{'、'.join(unknown) or '（空）'}。可选：{'、'.join(POLICIES)}。",
            f"unknown policy: {', '.join(unknown) or '(none)'}; choose from {', '.join(POLICIES)}.",
        )
    return list(dict.fromkeys(names))


def knowledge_entries(path: Path | None = None) -> list[IndexedEntry]:
    """Live entries from a knowledge file (JSON lines or CSV, the `tandem kb import` formats);
    None: the demo shop's FAQ that `tandem demo` seeds."""
    source = path or DEMO_FAQ
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SimulationInputError(
            f"无法读取知识库文件 {source}（{exc}）。",
            f"cannot read knowledge file {source} ({exc}).",
        ) from None
    result = parse_csv(text) if source.suffix.lower() == ".csv" else parse_jsonl(text)
    if result.errors:
        first = result.errors[0]
        raise SimulationInputError(
            f"知识库文件 {source} 第 {first.row} 行有误：{first.reason}",
            f"knowledge file {source}, row {first.row}: {first.reason}",
        )
    out = []
    for n, d in result.drafts:
        out.append(
            IndexedEntry(
                id=d.id or f"kb-{n:04d}",
                question=d.question,
                alternatives=tuple(d.alternatives),
                answer=d.answer,
                intent=d.intent,
                language=d.language,
                tags=tuple(d.tags),
            )
        )
    return out


def load_shop_policy(path: Path | None) -> ShopPolicy:
    try:
        return load_policy(path)
    except PolicyError as exc:
        raise SimulationInputError(f"店铺规则文件有误：{exc}", f"shop policy file: {exc}") from None


@dataclass
class EngineServices:
    """What the server builds at start-up (app.build_services + the knowledge index it loads),
    built once per run, with the per-text caches."""

    understanding: Understanding
    knowledge: KnowledgeIndex
    policy: ShopPolicy
    analyses: dict[str, Analysis] = field(default_factory=dict)
    searches: dict[tuple[str, str], SearchResult] = field(default_factory=dict)
    engine_calls: int = 0

    @classmethod
    def build(
        cls,
        *,
        policy_file: Path | None = None,
        knowledge_file: Path | None = None,
        model_dir: Path | None = None,
        entries: list[IndexedEntry] | None = None,
    ) -> EngineServices:
        index = KnowledgeIndex()
        for entry in entries if entries is not None else knowledge_entries(knowledge_file):
            index.upsert(entry)
        return cls(load_understanding(model_dir), index, load_shop_policy(policy_file))

    def analyze(self, text: str) -> Analysis:
        a = self.analyses.get(text)
        if a is None:
            a = self.analyses[text] = self.understanding.analyze(text)
        return a

    def search(self, text: str, payload: str | None, language: str) -> SearchResult:
        if payload and payload.startswith("kb:"):
            entry = self.knowledge.get(payload[3:])
            if entry is not None:
                match = Match(entry.id, entry.question, entry.answer, 0.0, 1.0, entry.intent)
                return SearchResult(answer=match, candidates=(match,))
        key = (text, language)
        r = self.searches.get(key)
        if r is None:
            r = self.searches[key] = self.knowledge.search(text, language=language)
        return r


@dataclass
class EngineConversation:
    """The conversation row as the engine sees it (state, language, memory)."""

    language: str
    state: str = "bot"
    memory: EngineMemory = field(default_factory=EngineMemory)


@dataclass(frozen=True)
class EngineTurn:
    decision: Decision
    analysis: Analysis
    verdict: str | None = None  # for a shop action: the written policy's outcome


def queue_facts(
    policy: ShopPolicy, now: datetime, agents_online: int, position: int, eta_seconds: int
) -> QueueFacts:
    """QueueFacts as `turns/service.py` computes them (service hours, callback time)."""
    staffed = within_service_hours(policy, now)
    callback_at = None
    if not staffed:
        callback_at = next_service_opening(policy, now)
    elif agents_online == 0:
        callback_at = now.replace(microsecond=0) + timedelta(seconds=eta_seconds)
    return QueueFacts(
        agents_online=agents_online,
        position_if_queued=position,
        eta_seconds=eta_seconds,
        staffed_now=staffed,
        callback_at=callback_at,
    )


def engine_turn(
    services: EngineServices,
    conv: EngineConversation,
    text: str,
    payload: str | None,
    now: datetime,
    facts: ShopFacts,
    tracking: dict[str, tuple[TrackingEvent, ...]],
    queue: Callable[[], QueueFacts],
) -> EngineTurn:
    """One customer turn through the real engine; updates `conv` as the server would."""
    services.engine_calls += 1
    analysis = services.analyze(text or payload or "")
    policy = services.policy
    ctx = TurnContext(
        queue=NO_QUEUE_FACTS,
        now=now,
        rules=policy.engine,
        analysis=analysis,
        knowledge=services.search(text, payload, analysis.language),
        shop=facts,
        policy=policy,
        tracking=tracking,
    )
    view = ConversationView(state=conv.state, language=conv.language, memory=conv.memory)
    inbound = Inbound(text=text, payload=payload)
    decision = decide(view, inbound, ctx)
    outcome: str | None = None
    if conv.state == "bot" and decision.action in ("hand_off", "act"):
        ctx = replace(ctx, queue=queue())
        if decision.action == "hand_off":
            services.engine_calls += 1
            decision = decide(view, inbound, ctx)
    if decision.action == "act" and decision.act is not None:
        order = next((o for o in facts.orders if o.order_id == decision.act.order_id), None)
        if order is not None:
            verdict = evaluate(decision.act.request, order, policy, now)
            outcome = verdict.outcome
            decision = after_action(view, inbound, ctx, decision, verdict, order)
    if decision.memory is not None:
        conv.memory = decision.memory
    if decision.action == "hand_off":
        conv.state = "queued"
    return EngineTurn(decision, analysis, outcome)


# --- the naive keyword bot -------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset({"the", "a", "an", "is", "my", "i", "you", "do", "to", "it", "of", "for", "can"})
NAIVE_FALLBACK = {
    "zh": "亲，没有理解您的问题呢，请换个说法试试~",
    "en": "Sorry, I did not understand. Please rephrase your question.",
}
NAIVE_PERSON_NAG = {
    "zh": "亲，请先描述您的问题，机器人客服会为您解答哦~",
    "en": "Please describe your problem first, our assistant will help you.",
}
NAIVE_PERSON_WORDS = ("人工", "真人", "客服人员", "human", "agent", "person", "representative")
NAIVE_PERSON_AFTER = 3  # the third explicit request reaches a person


def _keys(text: str) -> frozenset[str]:
    lowered = text.lower()
    words = {w for w in _WORD.findall(lowered) if w not in _STOP and len(w) > 1}
    han = [c for c in lowered if "\u4e00" <= c <= "\u9fff"]
    bigrams = {a + b for a, b in zip(han, han[1:], strict=False)}
    return frozenset(words | bigrams)


@dataclass(frozen=True)
class NaiveReply:
    entry_id: str | None  # the FAQ entry whose canned answer it sent, None for the fallback
    intent: str | None
    hand_off: bool = False


class NaiveBot:
    """Matches keywords (Chinese character pairs, English words) against the FAQ questions and
    sends the best entry's canned answer; no orders, no understanding, no memory of what it
    said, a person only after the third explicit request."""

    def __init__(self, entries: list[IndexedEntry], min_shared: int = 2) -> None:
        self.entries = [(e, _keys(" ".join((e.question, *e.alternatives)))) for e in entries]
        self.min_shared = min_shared
        self._cache: dict[str, NaiveReply] = {}

    def match(self, text: str) -> NaiveReply:
        hit = self._cache.get(text)
        if hit is None:
            keys = _keys(text)
            best, best_score = None, 0
            for entry, ek in self.entries:
                score = len(keys & ek)
                if score > best_score:
                    best, best_score = entry, score
            if best is None or best_score < self.min_shared:
                hit = NaiveReply(None, None)
            else:
                hit = NaiveReply(best.id, best.intent)
            self._cache[text] = hit
        return hit

    def respond(self, text: str, person_requests: int) -> NaiveReply:
        """`person_requests`: explicit requests so far, this one included."""
        lowered = text.lower()
        if any(w in lowered for w in NAIVE_PERSON_WORDS):
            if person_requests >= NAIVE_PERSON_AFTER:
                return NaiveReply(None, "human", hand_off=True)
            return NaiveReply(None, "human")
        return self.match(text)


def is_person_request(text: str) -> bool:
    lowered = text.lower()
    return any(w in lowered for w in NAIVE_PERSON_WORDS)


def replies_payloads(replies: tuple[BotReply, ...]) -> list[tuple[str, str]]:
    return [(q.label, q.payload) for r in replies for q in r.quick_replies]
