"""The discrete-event simulator: customers, the policy's AI side, the routing rules, agents.

Events sit on one heap ordered by (time, sequence number): arrivals, customer messages, queue
abandonments, ends of handling, shift and break changes. Time is seconds from the start of the
run; `clock` (a `FixedClock`) is set to the event's instant before anything reads the time, so
the engine and the routing rules see simulated time, never the wall clock.

Routing is the desk's own: waiting conversations are `QueueEntry` values ordered by
`routing.policy.rank_score` (emotion, order value, tier, aging), and each round is
`routing.policy.next_assignments` over the agents' `AgentState` (skills, caps, breaks, hostile
exposure, shifts: an agent is not handed a new customer in the last minutes of their shift
while a colleague could take one). Agents are signed in exactly for their shift here, so the
off-shift fallback of the desk never arises. Rounds run whenever a conversation is queued or a slot, a shift or a break frees.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tandem.core.clock import FixedClock
from tandem.engine import BotReply, QueueFacts
from tandem.routing.erlang import wait_at_position_seconds
from tandem.routing.policy import (
    PRESENCE_ONLINE,
    AgentState,
    QueueEntry,
    Shift,
    is_hostile,
    next_assignments,
    rank_score,
)
from tandem.simulation.agents import AgentSpec, HandlingTimes, Roster
from tandem.simulation.bots import (
    EngineConversation,
    EngineServices,
    NaiveBot,
    engine_turn,
    is_person_request,
    queue_facts,
)
from tandem.simulation.messages import Message
from tandem.simulation.population import SOCIAL, SimCustomer
from tandem.understanding.taxonomy import KNOWLEDGE_INTENTS

# Intents that ask for the same outcome in other words (the engine adds their probabilities).
FAMILIES = (
    frozenset({"refund", "cancel_order", "return", "exchange"}),
    frozenset({"where_is_parcel", "order_status", "urge_shipping"}),
)
# Questions a reply about the order itself settles.
STATUS_INTENTS = frozenset({"order_status", "where_is_parcel", "refund_status", "urge_shipping"})
BOT_REPLY_SECONDS = 2.0
SHOP_KINDS = {"cancel": "cancel_order", "urge": "urge_shipping", "urge_shipping": "urge_shipping"}
# What the customer wants done or put right (the bank's `act`): the text of the matching
# knowledge entry (the refund policy for "refund order TD… now") does not do it.
WANTS_DONE = ("request", "complaint")


def _informs(message: Message) -> bool:
    """Whether an answer from the knowledge base can be what this message needs."""
    return message.act not in WANTS_DONE


OFF_TOPIC = (None, "oos")  # the message bank's label for a question no shop answers
MAX_TURNS = 12  # a safety bound: no customer types more than this to a bot

# Outcomes of one conversation.
AI_RESOLVED = "ai_resolved"
HUMAN_RESOLVED = "human_resolved"
ABANDONED = "abandoned"
DEAD_END = "dead_end"
OPEN = "open"  # still waiting when the run ended (a ticket nobody reached)


def same_problem(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    return a == b or any(a in f and b in f for f in FAMILIES)


def skill_for(intent: str | None, vip: bool) -> str:
    """The queue a customer picks from a menu when there is no bot (human-only)."""
    if vip:
        return "vip"
    if intent in ("where_is_parcel", "urge_shipping", "order_status"):
        return "logistics"
    if intent in KNOWLEDGE_INTENTS:
        return "pre_sale"
    return "after_sale"


@dataclass
class Record:
    """What happened to one conversation."""

    customer: SimCustomer
    outcome: str = OPEN
    bot_turns: int = 0
    queued_at: float | None = None
    answered_at: float | None = None
    ticket: bool = False
    agent: str | None = None
    handoff_reason: str | None = None
    skill: str | None = None
    hostile_read: bool = False
    ended_at: float | None = None
    # Asked for a person and was not put through in that turn (the seeds' 转人工失败).
    refused_person: bool = False

    @property
    def wait(self) -> float | None:
        if self.queued_at is None:
            return None
        end = self.answered_at if self.answered_at is not None else self.ended_at
        return None if end is None else end - self.queued_at


def sim_shift(spec: AgentSpec, start: datetime) -> Shift | None:
    """The shift an account with `spec`'s hours would have, in the run's time (UTC)."""
    length = spec.end_seconds - spec.start_seconds
    if length >= 24 * 3600 or length <= 0:
        return None
    begin = start + timedelta(seconds=spec.start_seconds)
    end = begin + timedelta(seconds=length)
    return Shift(begin.hour * 60 + begin.minute, end.hour * 60 + end.minute, UTC)


@dataclass
class SimAgent:
    spec: AgentSpec
    # The spec's shift as routing reads an account's (so the last minutes of it are a
    # wind-down, `routing.policy.shifts`); None for a shift of a day or more.
    shift: Shift | None = None
    active: int = 0
    on_shift: bool = False
    break_until: float | None = None
    next_break_at: float = 0.0
    busy_slot_seconds: float = 0.0
    available_slot_seconds: float = 0.0
    handled: int = 0
    hostile: int = 0
    exposure: float = 0.0
    last_change: float = 0.0
    _state: AgentState | None = field(default=None, repr=False)
    _state_key: tuple[int, float] | None = field(default=None, repr=False)

    def state(self) -> AgentState:
        """The agent as the routing rules see them, rebuilt only when it changed (a round
        runs on every hand-off and every freed slot, and most agents did not change)."""
        key = (self.active, self.exposure)
        if self._state is None or self._state_key != key:
            self._state = AgentState(
                agent_id=self.spec.name,
                presence=PRESENCE_ONLINE,
                skills=self.spec.skills,
                max_concurrent=self.spec.max_concurrent,
                active=self.active,
                exposure=self.exposure,
                shift=self.shift,
            )
            self._state_key = key
        return self._state

    def account(self, now: float) -> None:
        """Slot time since the last change: busy slots, and slots on duty (not on a break)."""
        span = now - self.last_change
        if span > 0:
            self.busy_slot_seconds += self.active * span
            if self.on_shift and self.break_until is None:
                self.available_slot_seconds += self.spec.max_concurrent * span
        self.last_change = now


@dataclass
class _Waiting:
    entry: QueueEntry
    record: Record
    token: int
    key: tuple[float, float, str]
    patience_deadline: float | None


@dataclass
class RunResult:
    policy: str
    records: list[Record]
    agents: list[SimAgent]
    horizon_seconds: float
    engine_calls: int = 0
    roster: Roster | None = None


@dataclass
class Simulation:
    """One policy over one stream of customers."""

    policy: str
    customers: list[SimCustomer]
    roster: Roster
    start: datetime
    seed: int
    horizon_seconds: float
    services: EngineServices | None = None
    naive: NaiveBot | None = None
    handling: HandlingTimes = field(default_factory=HandlingTimes)
    progress: Callable[[int], None] | None = None
    clock: FixedClock = field(init=False)

    def __post_init__(self) -> None:
        self.clock = FixedClock(self.start)
        self.rng = random.Random(f"{self.seed}:{self.policy}:agents")
        self._heap: list[tuple[float, int, str, object]] = []
        self._seq = 0
        self._queues: dict[tuple[str, str | None], list[tuple[tuple[float, float, str], str]]] = {}
        self._waiting: dict[str, _Waiting] = {}
        self.agents = [SimAgent(spec, sim_shift(spec, self.start)) for spec in self.roster.agents]
        self._by_id = {a.spec.name: a for a in self.agents}
        self._on_duty: list[SimAgent] = []
        self.records: list[Record] = []
        self._now = 0.0
        self._finished = 0

    # --- the event loop ---------------------------------------------------------------------

    def _push(self, t: float, kind: str, data: object) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, data))

    def now_dt(self) -> datetime:
        return self.start + timedelta(seconds=self._now)

    def run(self) -> RunResult:
        for agent in self.agents:
            self._push(agent.spec.start_seconds, "shift_on", agent)
            self._push(agent.spec.end_seconds, "shift_off", agent)
        # Arrivals are fed one at a time (each pushes the next): the heap stays small.
        self._next_arrival = 0
        self._push_next_arrival()
        handlers = {
            kind: getattr(self, f"_on_{kind}")
            for kind in (
                "arrive",
                "message",
                "abandon",
                "done",
                "shift_on",
                "shift_off",
                "break_on",
                "break_off",
            )
        }
        while self._heap:
            t, _, kind, data = heapq.heappop(self._heap)
            self._now = t
            self.clock.set(self.start + timedelta(seconds=t))
            handlers[kind](data)
        for w in list(self._waiting.values()):
            self._finish(w.record, OPEN)
        for agent in self.agents:
            agent.account(self._now)
        calls = self.services.engine_calls if self.services else 0
        return RunResult(
            self.policy, self.records, self.agents, self.horizon_seconds, calls, self.roster
        )

    # --- customers ---------------------------------------------------------------------------

    def _push_next_arrival(self) -> None:
        if self._next_arrival < len(self.customers):
            c = self.customers[self._next_arrival]
            self._next_arrival += 1
            self._push(c.arrival, "arrive", c)

    def _on_arrive(self, c: SimCustomer) -> None:
        self._push_next_arrival()
        record = Record(c)
        self.records.append(record)
        if self.policy == "human-only":
            self._enqueue(record, skill_for(c.intent, c.vip), ticket=False)
            return
        conv = _Conversation(record, EngineConversation(language=c.lang))
        messages = [*c.opening, *c.problem[:1]]
        conv.script = messages
        self._push(self._now, "message", (conv, messages[0], None))

    def _on_message(self, item: tuple[_Conversation, Message, tuple[str, str] | None]) -> None:
        conv, message, choice = item
        record = conv.record
        if record.outcome != OPEN:
            return
        record.bot_turns += 1
        conv.turns += 1
        text = record.customer.text(message) if choice is None else choice[0]
        payload = choice[1] if choice else None
        if self.policy == "naive-bot":
            step = self._naive_step(conv, message, text)
        else:
            step = self._engine_step(conv, message, text, payload)
        self._continue(conv, message, step)

    def _engine_step(
        self, conv: _Conversation, message: Message, text: str, payload: str | None
    ) -> _Step:
        assert self.services is not None
        c = conv.record.customer
        ai_only = self.policy == "ai-only"

        def facts() -> QueueFacts:
            return self._queue_facts(conv, ai_only)

        turn = engine_turn(
            self.services,
            conv.engine,
            text,
            payload,
            self.clock.now(),
            c.facts,
            c.tracking,
            facts,
        )
        d = turn.decision
        if d.action == "hand_off":
            a = turn.analysis
            hostile = is_hostile(a.emotion.label, a.emotion.intensity, a.abuse.is_abusive)
            return _Step(
                "hand_off",
                skill=d.skill or skill_for(c.intent, c.vip),
                priority=d.priority,
                ticket=d.ticket,
                reason=d.handoff_reason,
                hostile=hostile,
                emotion=(a.emotion.label, a.emotion.intensity),
            )
        if turn.verdict == "allowed":
            return _Step("resolved")
        if turn.verdict == "declined":
            return _Step("offered_person")  # declined with the reason, and a person offered
        return self._judge_reply(c, message, d.replies, d.intent, d.kb_entry_id, d.rule, conv)

    def _judge_reply(
        self,
        c: SimCustomer,
        message: Message,
        replies: tuple[BotReply, ...],
        intent: str | None,
        kb_entry_id: str | None,
        rule: str,
        conv: _Conversation,
    ) -> _Step:
        """What the customer makes of the AI's reply, knowing what they meant (the label)."""
        true = message.intent
        if true in SOCIAL:
            return _Step("social")
        if true in OFF_TOPIC:
            # Nothing this shop does: a polite "not something I can help with, here is what I
            # can" is the right answer, and the customer goes.
            return _Step("resolved" if rule == "decline_off_topic" else "wrong")
        if true == "human":
            return _Step("wrong")
        wanted = []
        if true is not None:
            wanted.append(f"topic:{true}")
        if message.faq:
            wanted.append(f"kb:{message.faq}")
        if c.focus_order_id:
            wanted.append(f"order:{c.focus_order_id}")
        choices = [(q.label, q.payload) for r in replies for q in r.quick_replies]
        for want in wanted:
            for label, payload in choices:
                if payload == want and payload not in conv.clicked:
                    conv.clicked.add(payload)
                    return _Step("choose", choice=(label, payload))
        quality = true in ("quality_issue", "damaged_or_wrong_item")
        buttons = sorted(
            (p for p in choices if p[1].startswith("shop:") and p[1] not in conv.clicked),
            # The reason that fits: a fault for a faulty item, no reason otherwise.
            key=lambda p: (("quality" in p[1] or "damaged" in p[1]) != quality, p[1]),
        )
        for label, payload in buttons:
            # A button for the action the customer came for (or its twin: refund / return).
            kind = payload.split(":")[1]
            if same_problem(SHOP_KINDS.get(kind, kind), true):
                conv.clicked.add(payload)
                return _Step("choose", choice=(label, payload))
        if kb_entry_id is not None:
            ok = kb_entry_id == message.faq if message.faq else same_problem(intent, true)
            return _Step("resolved" if ok and _informs(message) else "wrong")
        if true is not None and same_problem(intent, true) and rule != "clarify":
            if true in STATUS_INTENTS:
                return _Step("resolved")
            return _Step("asked")  # the AI asks what happened / which order: answer it
        return _Step("wrong")

    def _naive_step(self, conv: _Conversation, message: Message, text: str) -> _Step:
        assert self.naive is not None
        if is_person_request(text):
            conv.person_requests += 1
        reply = self.naive.respond(text, conv.person_requests)
        c = conv.record.customer
        if reply.hand_off:
            return _Step("hand_off", skill=skill_for(c.intent, c.vip), reason="customer_request")
        if message.intent in SOCIAL:
            return _Step("social")
        if not _informs(message):
            return _Step("wrong")  # a canned text does not do what was asked
        if reply.entry_id is not None and message.faq:
            return _Step("resolved" if reply.entry_id == message.faq else "wrong")
        if reply.entry_id is not None and message.intent in KNOWLEDGE_INTENTS:
            return _Step("resolved" if reply.intent == message.intent else "wrong")
        return _Step("wrong")

    def _continue(self, conv: _Conversation, message: Message, step: _Step) -> None:
        record = conv.record
        c = record.customer
        later = self._now + BOT_REPLY_SECONDS + c.think_seconds
        if message.intent == "human" and step.kind != "hand_off":
            record.refused_person = True
        if step.kind == "hand_off":
            record.handoff_reason = step.reason
            if self.policy == "ai-only":
                # The AI says a person will take over, and there is nobody.
                self._finish(record, DEAD_END)
                return
            record.hostile_read = step.hostile
            self._enqueue(
                record,
                step.skill or "after_sale",
                ticket=step.ticket,
                priority_emotion=step.emotion,
                hostile=step.hostile,
            )
            return
        if step.kind == "resolved":
            self._finish(record, AI_RESOLVED)
            return
        if conv.turns >= MAX_TURNS:
            self._finish(record, DEAD_END)
            return
        if step.kind == "choose":
            self._push(later, "message", (conv, message, step.choice))
            return
        if step.kind == "social":
            nxt = c.problem[0] if c.problem else None
            if nxt is None or message is nxt:
                self._finish(record, DEAD_END)
            else:
                self._push(later, "message", (conv, nxt, None))
            return
        if step.kind == "asked":
            conv.problem_tries += 1
            self._push(later, "message", (conv, self._rephrase(conv), None))
            return
        # wrong / offered_person: try again in other words, then ask for a person.
        if step.kind == "wrong" and message.intent != "human":
            conv.problem_tries += 1
        if step.kind == "offered_person" or conv.problem_tries >= c.bot_tries:
            if c.person_request is not None and conv.person_asked < c.person_asks:
                conv.person_asked += 1
                self._push(later, "message", (conv, c.person_request, None))
                return
            self._finish(record, DEAD_END)
            return
        self._push(later, "message", (conv, self._rephrase(conv), None))

    def _rephrase(self, conv: _Conversation) -> Message:
        """The customer's next wording of the same problem (a repeat once they run out)."""
        problem = conv.record.customer.problem
        conv.rephrase = min(conv.rephrase + 1, len(problem) - 1) if problem else 0
        return problem[conv.rephrase]

    # --- the queue ---------------------------------------------------------------------------

    def _agents_with(self, skill: str) -> list[SimAgent]:
        return [a for a in self._on_duty if skill in a.spec.skills]

    def _queue_facts(self, conv: _Conversation, ai_only: bool) -> QueueFacts:
        assert self.services is not None
        now = self.clock.now()
        if ai_only:
            return queue_facts(self.services.policy, now, 0, 1, 0)
        c = conv.record.customer
        skill = skill_for(c.intent, c.vip)
        online = self._on_duty
        ahead = sum(len(q) for (s, _), q in self._queues.items() if s == skill)
        servers = sum(a.spec.max_concurrent for a in self._agents_with(skill)) or 1
        aht = self.handling.mean_seconds.get(skill, 240.0)
        eta = (
            int(wait_at_position_seconds(min(ahead, 10_000), servers, aht))
            if ahead or not online
            else 0
        )
        return queue_facts(self.services.policy, now, len(online), ahead + 1, eta)

    def _enqueue(
        self,
        record: Record,
        skill: str,
        *,
        ticket: bool,
        priority_emotion: tuple[str, float] | None = None,
        hostile: bool = False,
    ) -> None:
        c = record.customer
        record.queued_at = self._now
        record.skill = skill
        record.ticket = ticket
        emotion, intensity = priority_emotion or ("neutral", 0.0)
        entry = QueueEntry(
            conversation_id=c.id,
            skill=skill,
            enqueued_at=self.now_dt(),
            emotion=emotion,
            emotion_intensity=intensity,
            # Without a bot nobody has read the order or the feeling: first come, first served.
            order_value_cents=c.order_value_cents if self.policy != "human-only" else 0,
            vip=c.vip and self.policy != "human-only",
            hostile=hostile,
            language=c.lang,
        )
        self._seq += 1
        key = (-rank_score(entry), self._now, c.id)
        deadline = None if ticket else self._now + c.patience_seconds
        w = _Waiting(entry, record, self._seq, key, deadline)
        self._waiting[c.id] = w
        heapq.heappush(self._queues.setdefault((skill, c.lang), []), (key, c.id))
        if deadline is not None and math.isfinite(deadline):
            self._push(deadline, "abandon", (c.id, w.token))
        self._assign()

    def _on_abandon(self, item: tuple[str, int]) -> None:
        cid, token = item
        w = self._waiting.get(cid)
        if w is None or w.token != token:
            return
        del self._waiting[cid]
        self._finish(w.record, ABANDONED)

    def _heads(self, room: int) -> list[QueueEntry]:
        """The first `room` live entries of every (skill, language) queue: a round never takes
        more than `room` entries in all, and within one queue it takes them in order, so these
        are all it can pick (the rest need not be sorted again)."""
        out: list[QueueEntry] = []
        for heap in self._queues.values():
            taken: list[tuple[tuple[float, float, str], str]] = []
            while heap and len(taken) < room:
                item = heapq.heappop(heap)
                w = self._waiting.get(item[1])
                if w is not None and w.key == item[0]:
                    taken.append(item)
                    out.append(w.entry)
            for item in taken:
                heapq.heappush(heap, item)
        return out

    def _assign(self) -> None:
        if not self._waiting:
            return
        # Only agents with a free slot can take anyone: leaving the full ones out changes
        # nothing in the round (they are never eligible) and saves building their states.
        free = [
            a for a in self._on_duty if a.break_until is None and a.active < a.spec.max_concurrent
        ]
        if not free:
            return
        room = sum(a.spec.max_concurrent - a.active for a in free)
        states = [a.state() for a in free]
        for cid, agent_id in next_assignments(self._heads(room), states, self.now_dt()):
            w = self._waiting.pop(cid)
            self._serve(w.record, self._by_id[agent_id])

    def _serve(self, record: Record, agent: SimAgent) -> None:
        agent.account(self._now)
        agent.active += 1
        agent.handled += 1
        c = record.customer
        record.answered_at = self._now
        record.agent = agent.spec.name
        if c.hostile:
            agent.hostile += 1
            agent.exposure += 1.0
        duration = self.handling.draw(
            self.rng, record.skill or "after_sale", c.hostile, agent.active
        )
        self._push(self._now + duration, "done", (record, agent))

    def _on_done(self, item: tuple[Record, SimAgent]) -> None:
        record, agent = item
        agent.account(self._now)
        agent.active -= 1
        self._finish(record, HUMAN_RESOLVED)
        self._assign()

    # --- agents ------------------------------------------------------------------------------

    def _on_shift_on(self, agent: SimAgent) -> None:
        agent.account(self._now)
        agent.on_shift = True
        self._on_duty.append(agent)
        agent.exposure = 0.0
        # Breaks staggered across the team (one break length apart, in four waves), so a shift
        # that starts together does not leave the queue together.
        wave = self.agents.index(agent) % 4
        agent.next_break_at = (
            self._now + self.roster.break_every_seconds + (wave - 1.5) * self.roster.break_seconds
        )
        if self.roster.break_seconds > 0 and agent.next_break_at < agent.spec.end_seconds:
            self._push(agent.next_break_at, "break_on", agent)
        self._assign()

    def _on_shift_off(self, agent: SimAgent) -> None:
        agent.account(self._now)
        agent.on_shift = False
        self._on_duty.remove(agent)
        agent.break_until = None

    def _on_break_on(self, agent: SimAgent) -> None:
        if not agent.on_shift:
            return
        agent.account(self._now)
        agent.break_until = self._now + self.roster.break_seconds
        self._push(agent.break_until, "break_off", agent)

    def _on_break_off(self, agent: SimAgent) -> None:
        if not agent.on_shift:
            return
        agent.account(self._now)
        agent.break_until = None
        # Hostile conversations weigh less after a break (wellbeing: exposure decays with rest).
        agent.exposure *= 0.5
        agent.next_break_at = self._now + self.roster.break_every_seconds
        if agent.next_break_at < agent.spec.end_seconds:
            self._push(agent.next_break_at, "break_on", agent)
        self._assign()

    def _finish(self, record: Record, outcome: str) -> None:
        if record.outcome != OPEN:
            return
        record.outcome = outcome
        record.ended_at = self._now
        self._finished += 1
        if self.progress is not None:
            self.progress(1)


@dataclass
class _Conversation:
    record: Record
    engine: EngineConversation
    script: list[Message] = field(default_factory=list)
    turns: int = 0
    problem_tries: int = 0
    person_asked: int = 0
    person_requests: int = 0
    rephrase: int = 0
    clicked: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Step:
    kind: str  # resolved | wrong | choose | asked | social | offered_person | hand_off
    choice: tuple[str, str] | None = None
    skill: str | None = None
    priority: int = 0
    ticket: bool = False
    reason: str | None = None
    hostile: bool = False
    emotion: tuple[str, float] | None = None


def run_all(sims: Iterable[Simulation]) -> list[RunResult]:
    return [s.run() for s in sims]
