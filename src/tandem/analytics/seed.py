"""Stored conversation histories written straight into the tables, in the exact shape the
message path stores them (events by type string and JSON payload, decisions, queue rows).

For tests with hand-computed answers (`Story`), for the benchmark's million messages and for
the dashboard screenshot (`history`, reproducible from a seed). Bulk inserts, no engine run.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation, Decision, Event, Message
from tandem.desk.models import Reveal
from tandem.routing import queue
from tandem.routing.models import HostileEventRow, QueueRow


@dataclass
class Story:
    """One conversation, told event by event; offsets are seconds after `start`."""

    id: str
    start: datetime
    customer_id: str | None = None
    channel: str | None = None
    callback_at: datetime | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    queue: list[dict[str, Any]] = field(default_factory=list)
    seq: int = 0

    def __post_init__(self) -> None:
        data: dict[str, Any] = {"state": "bot"}
        if self.channel:
            data["channel"] = self.channel
        self._event("conversation.opened", data, self.start)

    def at(self, offset: float) -> datetime:
        return self.start + timedelta(seconds=offset)

    def _event(self, type_: str, data: dict[str, Any], at: datetime) -> int:
        self.seq += 1
        self.events.append(
            {
                "conversation_id": self.id,
                "seq": self.seq,
                "type": type_,
                "data": data,
                "created_at": at,
            }
        )
        return self.seq

    def _message(self, author: str, text: str, offset: float, agent_id: str | None = None) -> str:
        at = self.at(offset)
        mid = f"msg_{self.id}_{self.seq + 1}"
        seq = self.seq + 1
        self.messages.append(
            {
                "id": mid,
                "conversation_id": self.id,
                "seq": seq,
                "author": author,
                "agent_id": agent_id,
                "text": text,
                "created_at": at,
            }
        )
        self._event(
            "message.created",
            {"id": mid, "seq": seq, "author": author, "text": text, "created_at": at.isoformat()},
            at,
        )
        return mid

    def customer(
        self,
        offset: float,
        intent: str | None,
        *,
        text: str = "你好",
        action: str = "reply",
        rule: str = "knowledge_answer",
        handoff_reason: str | None = None,
        abusive: bool = False,
        miss: bool = False,
    ) -> Story:
        mid = self._message("customer", text, offset)
        data: dict[str, Any] = {
            "language": "zh",
            "analysis": {"intent": intent, "abuse": {"is_abusive": abusive, "kinds": []}},
        }
        if miss:
            data["miss"] = True
        self.decisions.append(
            {
                "conversation_id": self.id,
                "message_id": mid,
                "action": action,
                "rule": rule,
                "intent": intent,
                "confidence": 0.9,
                "handoff_reason": handoff_reason,
                "data": data,
                "created_at": self.at(offset),
            }
        )
        return self

    def bot(self, offset: float, text: str = "好的") -> Story:
        self._message("bot", text, offset)
        return self

    def agent(self, offset: float, agent_id: str, text: str = "您好") -> Story:
        self._message("agent", text, offset, agent_id)
        return self

    def queued(
        self,
        offset: float,
        reason: str,
        *,
        skill: str = "after_sale",
        ticket: bool = False,
        estimate: int | None = None,
    ) -> Story:
        data: dict[str, Any] = {"state": "queued", "reason": reason}
        if ticket:
            data["ticket"] = True
        self._event("conversation.state_changed", data, self.at(offset))
        self.queue.append(
            {
                "id": f"q_{self.id}_{self.seq}",
                "conversation_id": self.id,
                "skill": skill,
                "enqueued_at": self.at(offset),
                "rank": 0.0,
                "state": "waiting",
                "first_estimate_seconds": estimate,
            }
        )
        return self

    def assigned(self, offset: float, agent_id: str) -> Story:
        self._event(
            "conversation.state_changed",
            {"state": "agent", "agent_id": agent_id, "agent_name": agent_id, "how": "auto"},
            self.at(offset),
        )
        for q in self.queue:
            if q["state"] == "waiting":
                q.update(
                    state="assigned", outcome="auto", agent_id=agent_id, ended_at=self.at(offset)
                )
        return self

    def resolved(self, offset: float, by: str) -> Story:
        self._event(
            "conversation.state_changed", {"state": "resolved", "resolved_by": by}, self.at(offset)
        )
        self._event("conversation.rating_requested", {}, self.at(offset))
        return self

    def rated(self, offset: float, rating: str) -> Story:
        self._event("conversation.rated", {"rating": rating, "comment": None}, self.at(offset))
        return self

    def back_to_ai(self, offset: float) -> Story:
        self._event(
            "conversation.state_changed", {"state": "bot", "reason": "handed_back"}, self.at(offset)
        )
        return self

    def returned(self, offset: float) -> Story:
        self._event(
            "conversation.state_changed",
            {"state": "bot", "reason": "customer_returned"},
            self.at(offset),
        )
        return self

    def conversation(self) -> dict[str, Any]:
        last = max(e["created_at"] for e in self.events)
        return {
            "id": self.id,
            "token_hash": "0" * 64,
            "customer_external_id": self.customer_id,
            "language": "zh",
            "state": "bot",
            "priority": 0,
            "last_seq": self.seq,
            "engine_state": {},
            "flagged": False,
            "callback_at": self.callback_at,
            "created_at": self.start,
            "updated_at": last,
        }


async def insert_stories(session: AsyncSession, stories: Sequence[Story]) -> None:
    """Bulk-insert the stories (conversations first: the others reference them). The queue
    rows are written at the version this transaction bumps, so every process's queue memory
    reads them (`routing.queue`)."""
    version = await queue.touch(session) if any(s.queue for s in stories) else 0
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (Conversation, [s.conversation() for s in stories]),
        (Message, [m for s in stories for m in s.messages]),
        (Event, [e for s in stories for e in s.events]),
        (Decision, [d for s in stories for d in s.decisions]),
        (QueueRow, [queue_row(q) | {"version": version} for s in stories for q in s.queue]),
    ]
    for model, rows in tables:
        for i in range(0, len(rows), 5000):
            if rows[i : i + 5000]:
                await session.execute(insert(model.__table__), rows[i : i + 5000])


def queue_row(q: dict[str, Any]) -> dict[str, Any]:
    base = {
        "language": "zh",
        "emotion": "neutral",
        "emotion_intensity": 0.0,
        "order_value_cents": 0,
        "vip": False,
        "hostile": False,
        "requeued": False,
        "agent_id": None,
        "outcome": None,
        "ended_at": None,
    }
    return base | q


async def insert_agent_events(
    session: AsyncSession,
    reveals: Iterable[tuple[str, str, datetime]] = (),
    hostile: Iterable[tuple[str, str, datetime, str]] = (),
) -> None:
    """Reveals (agent, conversation, at) and hostile-load events (agent, conversation, at, kind)."""
    rv = [
        {"message_id": f"m_{c}", "conversation_id": c, "agent_id": a, "at": at}
        for a, c, at in reveals
    ]
    hs = [{"agent_id": a, "conversation_id": c, "at": at, "kind": k} for a, c, at, k in hostile]
    if rv:
        await session.execute(insert(Reveal.__table__), rv)  # type: ignore[arg-type]
    if hs:
        await session.execute(insert(HostileEventRow.__table__), hs)  # type: ignore[arg-type]


# --- a plausible history, reproducible from a seed -----------------------------------------

KNOWLEDGE = ["shipping_info", "size", "coupon", "price_promotion", "product_info", "invoice"]
SOCIAL = ["thanks", "greeting"]
ORDERS = ["where_is_parcel", "refund", "return", "order_status", "change_address"]
SKILL_OF = {i: "pre_sale" for i in KNOWLEDGE} | {i: "after_sale" for i in ORDERS}
REASONS = [
    ("customer_request", 0.35),
    ("low_confidence", 0.2),
    ("repeated_problem", 0.15),
    ("complaint", 0.1),
    ("high_value", 0.08),
    ("needs_approval", 0.12),
]


def history(
    rng: random.Random,
    start: datetime,
    days: int,
    per_day: int,
    agents: Sequence[str],
    *,
    prefix: str = "conv",
) -> Iterable[Story]:
    """`per_day` conversations a day over `days` days, busier in the shop's afternoon, about a
    third handed off; about 10 stored messages per conversation on average."""
    n = 0
    for day in range(days):
        for _ in range(per_day):
            n += 1
            hour = min(23, max(0, int(rng.gauss(6.5, 3.0))))  # UTC: 14:30 in Shanghai
            t0 = start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
            customer = f"cust{rng.randrange(max(1, per_day * days // 3))}"
            s = Story(
                f"{prefix}{n}", t0, customer_id=customer, channel=rng.choice(["web", "web", "app"])
            )
            intent = rng.choice(KNOWLEDGE + ORDERS)
            t = 0.0
            turns = rng.randint(2, 5)
            for i in range(turns):
                t += rng.uniform(5, 40)
                # Mostly a new question each turn; now and then the same one again.
                asked = intent if i == 0 or rng.random() < 0.1 else rng.choice(SOCIAL + KNOWLEDGE)
                s.customer(t, asked, miss=rng.random() < 0.08, abusive=rng.random() < 0.01)
                t += rng.uniform(0.5, 3)
                s.bot(t)
            if rng.random() < 0.33:
                reason = rng.choices([r for r, _ in REASONS], [w for _, w in REASONS])[0]
                t += rng.uniform(5, 30)
                s.customer(
                    t,
                    "human" if reason == "customer_request" else intent,
                    action="hand_off",
                    rule="explicit_human_request" if reason == "customer_request" else reason,
                    handoff_reason=reason,
                )
                s.queued(t + 0.5, reason, skill=SKILL_OF[intent])
                s.bot(t + 1)
                if rng.random() < 0.9:
                    agent = rng.choice(agents)
                    t += rng.expovariate(1 / 90)
                    s.assigned(t, agent)
                    t += rng.uniform(10, 60)
                    s.agent(t, agent)
                    for _ in range(rng.randint(1, 2)):
                        t += rng.uniform(20, 90)
                        s.customer(t, intent, action="silent", rule="human_owns_conversation")
                        t += rng.uniform(20, 90)
                        s.agent(t, agent)
                    t += rng.uniform(30, 300)
                    s.resolved(t, agent)
                    if rng.random() < 0.6:
                        s.rated(t + 20, "satisfied" if rng.random() < 0.82 else "unsatisfied")
            yield s
