"""What the engine remembers between turns, stored with the conversation as JSON.

The engine reads it from the view and returns the next one in its Decision: state in, state
out, so the engine stays a pure function.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

HISTORY = 12


@dataclass(frozen=True)
class EngineMemory:
    # Wordings already sent (the engine never sends one twice).
    sent_keys: frozenset[str] = frozenset()
    fallbacks: int = 0
    human_requests: int = 0
    # A clarifying question is open for the current problem: never guess twice.
    clarified: bool = False
    # What the AI asked and is waiting for: "order" (pick one), "describe" (what happened),
    # "evidence" (photo/video), with the intent it belongs to.
    pending: str | None = None
    pending_intent: str | None = None
    # The order the conversation is about, once known.
    order_id: str | None = None
    # The problem the AI last answered: the same problem again means the answer did not help.
    last_answered: str | None = None
    abuse_count: int = 0
    # An irreversible shop action (its quick-reply payload) waiting for the customer's yes.
    pending_action: str | None = None
    # Notes left while queued, and off-topic questions declined: each answer says the count.
    queued_notes: int = 0
    offtopic: int = 0
    # Trajectories, newest last: (label, value) pairs.
    emotions: tuple[tuple[str, float], ...] = ()
    intents: tuple[tuple[str, float], ...] = ()
    proposal: dict[str, Any] | None = field(default=None, compare=False)

    def with_sent(self, keys: tuple[str, ...]) -> EngineMemory:
        return replace(self, sent_keys=self.sent_keys | frozenset(keys))

    def observe(
        self, intent: str | None, confidence: float, emotion: str, intensity: float
    ) -> EngineMemory:
        intents = self.intents + (((intent, round(confidence, 3)),) if intent else ())
        emotions = self.emotions + ((emotion, round(intensity, 3)),)
        return replace(self, intents=intents[-HISTORY:], emotions=emotions[-HISTORY:])

    def chose(self, intent: str) -> EngineMemory:
        """The customer tapped a quick reply that names the problem: it is known for sure."""
        return replace(self, intents=(self.intents + ((intent, 1.0),))[-HISTORY:])

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sent_keys"] = sorted(self.sent_keys)
        data["emotions"] = [list(e) for e in self.emotions]
        data["intents"] = [list(i) for i in self.intents]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> EngineMemory:
        if not data:
            return cls()
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["sent_keys"] = frozenset(values.get("sent_keys", ()))
        values["emotions"] = tuple((str(a), float(b)) for a, b in values.get("emotions", ()))
        values["intents"] = tuple((str(a), float(b)) for a, b in values.get("intents", ()))
        return cls(**values)
