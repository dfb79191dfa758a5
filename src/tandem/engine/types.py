"""Values the engine takes and returns. All frozen: the engine never mutates its inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["reply", "hand_off", "silent", "reopen"]


@dataclass(frozen=True)
class QuickReply:
    label: str
    payload: str


@dataclass(frozen=True)
class BotReply:
    """One message from the AI. `key` names what was said (template and facts) so the engine can
    tell a repeat: it never sends the same key twice in a conversation."""

    key: str
    text: str
    quick_replies: tuple[QuickReply, ...] = ()


@dataclass(frozen=True)
class QueueFacts:
    """The human side as it stands now, computed by the caller before deciding."""

    agents_online: int
    position_if_queued: int
    eta_seconds: int
    staffed_now: bool = True


@dataclass(frozen=True)
class ConversationView:
    """What the engine knows of the conversation so far."""

    state: str  # bot | queued | agent | resolved
    language: str = "zh"
    sent_reply_keys: frozenset[str] = frozenset()
    queue_position: int | None = None
    queue_eta_seconds: int | None = None
    fallbacks: int = 0
    human_requests: int = 0


@dataclass(frozen=True)
class Inbound:
    text: str
    payload: str | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    rule: str
    language: str
    replies: tuple[BotReply, ...] = ()
    handoff_reason: str | None = None
    priority: int = 0
    details: dict[str, Any] = field(default_factory=dict)
