"""Queue order: priority from emotion, order value, tier and waiting time (aging), so
nobody starves."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tandem.routing.policy.types import QueueEntry


@dataclass(frozen=True)
class PriorityConfig:
    """Points that order a skill queue. Static points are bounded, aging is not: that bound is
    what guarantees nobody starves (see `max_static_points`)."""

    anger_points: float = 40.0  # at intensity 1.0
    anxiety_points: float = 30.0
    sadness_points: float = 10.0
    value_points_per_tenfold: float = 7.5  # 10 yuan -> 8, 100 -> 15, 1,000 -> 22.5, 10,000 -> 30
    value_points_cap: float = 30.0
    vip_points: float = 30.0
    aging_points_per_minute: float = 5.0
    # Larger than any static score plus a working day of aging: re-queued entries lead.
    requeue_points: float = 10_000.0

    @property
    def max_static_points(self) -> float:
        emotion = max(self.anger_points, self.anxiety_points, self.sadness_points)
        return emotion + self.value_points_cap + self.vip_points

    @property
    def starvation_bound(self) -> timedelta:
        """After waiting this much longer than a newcomer, any entry outranks it."""
        return timedelta(minutes=self.max_static_points / self.aging_points_per_minute)


DEFAULT_PRIORITY = PriorityConfig()


def is_hostile(
    emotion: str, emotion_intensity: float, abusive: bool, very_angry_at: float = 0.7
) -> bool:
    """Abusive, or angry at or above `very_angry_at` intensity: counts towards exposure."""
    return abusive or (emotion == "anger" and emotion_intensity >= very_angry_at)


# An entry is immutable, so its points under the default config are computed once and kept
# on it: a snapshot's entries are ordered and estimated several times per change (the round,
# its announcements, the turn's own place), and these were most of those passes' work.
_STATIC = "_static_points"
_RANK = "_rank_score"


def _shared(config: PriorityConfig) -> PriorityConfig:
    """`DEFAULT_PRIORITY` itself for a config equal to it (an `AssignmentConfig()` builds its
    own), so a whole pass reads the points kept on the entries."""
    return DEFAULT_PRIORITY if config == DEFAULT_PRIORITY else config


def _kept(
    entry: QueueEntry,
    name: str,
    config: PriorityConfig,
    compute: Callable[[QueueEntry, PriorityConfig], float],
) -> float:
    """`compute(entry, config)`, kept on the entry for the default config: a cache beside the
    fields (not in eq, repr or replace), written past the frozen setter."""
    if config is not DEFAULT_PRIORITY:
        return compute(entry, config)
    kept = entry.__dict__
    value: float | None = kept.get(name)
    if value is None:
        value = kept[name] = compute(entry, config)
    return value


def static_points(entry: QueueEntry, config: PriorityConfig = DEFAULT_PRIORITY) -> float:
    """Priority that does not change with time: emotion, order value, tier (and re-queue)."""
    return _kept(entry, _STATIC, config, _static_points)


def _static_points(entry: QueueEntry, config: PriorityConfig) -> float:
    intensity = min(1.0, max(0.0, entry.emotion_intensity))
    emotion_weight = {
        "anger": config.anger_points,
        "anxiety": config.anxiety_points,
        "sadness": config.sadness_points,
    }.get(entry.emotion, 0.0)
    yuan = max(0, entry.order_value_cents) / 100
    value = min(config.value_points_cap, config.value_points_per_tenfold * math.log10(1 + yuan))
    points = emotion_weight * intensity + value + (config.vip_points if entry.vip else 0.0)
    return points + (config.requeue_points if entry.requeued else 0.0)


def priority(entry: QueueEntry, now: datetime, config: PriorityConfig = DEFAULT_PRIORITY) -> float:
    """Static points plus `aging_points_per_minute` for every minute waited. Higher goes first."""
    waited = max(0.0, (now - entry.enqueued_at).total_seconds() / 60)
    return static_points(entry, config) + config.aging_points_per_minute * waited


def rank_score(entry: QueueEntry, config: PriorityConfig = DEFAULT_PRIORITY) -> float:
    """A number that orders entries exactly as `priority` does, at every `now`.

    Aging is linear and the same for everyone, so priority(now) − rate·now is constant per
    entry: static − rate·enqueued_minutes. Storing it lets the database keep the queue in
    order with a plain index, without rewriting rows as time passes.
    """
    return _kept(entry, _RANK, config, _rank_score)


def _rank_score(entry: QueueEntry, config: PriorityConfig) -> float:
    minutes = entry.enqueued_at.timestamp() / 60
    return static_points(entry, config) - config.aging_points_per_minute * minutes


def queue_order(
    entries: Iterable[QueueEntry], config: PriorityConfig = DEFAULT_PRIORITY
) -> list[QueueEntry]:
    """Highest priority first; ties first come, first served, then by id (deterministic)."""
    config = _shared(config)
    return sorted(entries, key=lambda e: order_key(e, config))


def order_key(
    entry: QueueEntry, config: PriorityConfig = DEFAULT_PRIORITY
) -> tuple[float, datetime, str]:
    """What `queue_order` sorts by: an entry goes before every entry with a greater key."""
    return (-rank_score(entry, config), entry.enqueued_at, entry.conversation_id)


def queues_by_skill(
    entries: Iterable[QueueEntry], config: PriorityConfig = DEFAULT_PRIORITY
) -> dict[str, list[QueueEntry]]:
    """One ordered queue per skill."""
    queues: dict[str, list[QueueEntry]] = {}
    for entry in queue_order(entries, config):
        queues.setdefault(entry.skill, []).append(entry)
    return queues


def position_in_queue(
    conversation_id: str, entries: Iterable[QueueEntry], config: PriorityConfig = DEFAULT_PRIORITY
) -> int | None:
    """1-based place of a conversation in its skill's queue, None if it is not queued."""
    ordered = queue_order(entries, config)
    mine = next((e for e in ordered if e.conversation_id == conversation_id), None)
    if mine is None:
        return None
    same_skill = [e for e in ordered if e.skill == mine.skill]
    return same_skill.index(mine) + 1
