"""Values the engine takes and returns. All frozen: the engine never mutates its inputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tandem.engine.memory import EngineMemory
from tandem.engine.rules import EngineRules
from tandem.engine.wording import DEFAULT_WORDING, Wording
from tandem.knowledge.index import SearchResult
from tandem.shop.policy_config import ShopPolicy
from tandem.shop.present import ShopFacts
from tandem.shop.types import ActionRequest, TrackingEvent
from tandem.understanding.types import Analysis

# The written policy as shipped, for a context built without one (tests, evaluation).
DEFAULT_POLICY = ShopPolicy()

Action = Literal["reply", "hand_off", "silent", "act"]


@dataclass(frozen=True)
class QuickReply:
    label: str
    payload: str


@dataclass(frozen=True)
class BotReply:
    """One message from the AI. `key` names what was said (the wording and the facts it is
    about) so the engine can tell a repeat: it never sends the same key twice in a conversation."""

    key: str
    text: str
    quick_replies: tuple[QuickReply, ...] = ()


@dataclass(frozen=True)
class QueueFacts:
    """The human side as it stands now, computed by the caller before deciding."""

    agents_online: int
    position_if_queued: int
    eta_seconds: int
    # Inside the shop's staffed hours. Outside them, or with nobody online, a hand-off is a
    # ticket with a promised callback time.
    staffed_now: bool = True
    callback_at: datetime | None = None

    @property
    def nobody_on_duty(self) -> bool:
        # An agent who is online is on duty, staffed hours or not.
        return self.agents_online == 0


@dataclass(frozen=True)
class ConversationView:
    """What the engine knows of the conversation so far."""

    state: str  # bot | queued | agent | resolved
    language: str = "zh"
    memory: EngineMemory = field(default_factory=EngineMemory)
    queue_position: int | None = None
    queue_eta_seconds: int | None = None


@dataclass(frozen=True)
class Inbound:
    text: str
    payload: str | None = None


@dataclass(frozen=True)
class TurnContext:
    """Everything else the engine may know this turn, gathered at the edge and handed in."""

    queue: QueueFacts
    now: datetime
    rules: EngineRules = field(default_factory=EngineRules)
    analysis: Analysis | None = None
    knowledge: SearchResult | None = None
    shop: ShopFacts | None = None
    policy: ShopPolicy | None = None
    tracking: Mapping[str, tuple[TrackingEvent, ...]] = field(default_factory=dict)
    # What the AI says: the shipped wording, or the shop's (engine/wording).
    wording: Wording = DEFAULT_WORDING

    @property
    def zone(self) -> ZoneInfo:
        """The shop's time zone, from its policy: every time the customer reads is in it."""
        return (self.policy or DEFAULT_POLICY).service_hours.zone


@dataclass(frozen=True)
class ShopAct:
    """An action on one of the customer's orders, for the caller to perform through the
    shop's policy (which records it); the engine then words the outcome (`after_action`)."""

    order_id: str
    request: ActionRequest


@dataclass(frozen=True)
class Decision:
    action: Action
    rule: str
    language: str
    replies: tuple[BotReply, ...] = ()
    handoff_reason: str | None = None
    priority: int = 0
    skill: str | None = None
    intent: str | None = None
    confidence: float | None = None
    act: ShopAct | None = None
    # The memory to keep for the next turn (None: unchanged).
    memory: EngineMemory | None = None
    # The AI could not answer a question (feeds the knowledge gaps report).
    miss: bool = False
    kb_entry_id: str | None = None
    ticket: bool = False
    callback_at: datetime | None = None
    proposal: dict[str, Any] | None = None
    # Repeated abuse while a person owns the conversation: flag it, bring in a supervisor.
    escalate: bool = False
    details: dict[str, Any] = field(default_factory=dict)
