"""What the rules work on: queue entries, agent states, presences, skills."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tandem.routing.policy.shifts import Shift

PRESENCE_ONLINE = "online"
PRESENCE_AWAY = "away"
PRESENCE_BREAK = "break"
PRESENCE_OFFLINE = "offline"
DEFAULT_MAX_CONCURRENT = 3
KNOWN_SKILLS = ("pre_sale", "after_sale", "logistics", "vip", "zh", "en")
LANGUAGE_SKILLS = ("zh", "en")


@dataclass(frozen=True)
class QueueEntry:
    """A conversation waiting for a person.

    `hostile` means abusive or very angry (see `is_hostile`); such conversations go to the least
    exposed agent. `requeued` means it was taken back from an agent who went offline or stopped
    answering: it goes to the front. `avoid_agent_id` is that agent, so it does not bounce back.
    """

    conversation_id: str
    skill: str
    enqueued_at: datetime
    emotion: str = "neutral"
    emotion_intensity: float = 0.0
    order_value_cents: int = 0
    vip: bool = False
    hostile: bool = False
    requeued: bool = False
    avoid_agent_id: str | None = None
    # The customer's language; None: any agent with the skill will do (see `speaks`).
    language: str | None = None


@dataclass(frozen=True)
class AgentState:
    """One agent as routing sees them.

    `active`: conversations they hold now. `exposure`: from `wellbeing.exposure_score`.
    `on_break_until`: end of the break they are on, if any (honoured even if `presence` lags).
    `last_break_end`: when their last break ended. `at_capacity_since`: when `active` last
    reached `max_concurrent` without dropping below since; None when below the cap.
    `team`: the team (班组) the lead put them in, if any. `shift`: their working hours in the
    shop's zone (`policy.shifts`); None: they work whenever they are signed in.
    """

    agent_id: str
    presence: str
    skills: frozenset[str]
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    active: int = 0
    exposure: float = 0.0
    on_break_until: datetime | None = None
    last_break_end: datetime | None = None
    at_capacity_since: datetime | None = None
    team: str | None = None
    shift: Shift | None = None

    @property
    def room(self) -> int:
        return max(0, self.max_concurrent - self.active)
