"""Wait estimates from the staffing actually on hand. Pure functions."""

from __future__ import annotations

import math

DEFAULT_HANDLE_SECONDS = 300.0
MIN_WAIT_SECONDS = 30


def estimate_wait(
    *,
    position: int,
    agents_online: int,
    free_slots: int,
    slots_per_agent: int,
    avg_handle_seconds: float,
) -> int:
    """Seconds until the conversation at `position` (1-based) is picked up.

    The first `free_slots` conversations are picked up as soon as an agent clicks; after that a
    slot frees every `avg_handle_seconds / capacity` seconds on average, capacity being the
    concurrent conversations the online agents can hold. Nobody online: assume one agent comes
    on duty (the shop's minimum staffing) and add the time that takes.
    """
    handle = avg_handle_seconds if avg_handle_seconds > 0 else DEFAULT_HANDLE_SECONDS
    if agents_online <= 0:
        capacity = max(1, slots_per_agent)
        return max(
            MIN_WAIT_SECONDS, int(handle / 2 + math.ceil(position / capacity) * handle / capacity)
        )
    if position <= free_slots:
        return MIN_WAIT_SECONDS
    capacity = max(1, agents_online * slots_per_agent)
    behind = position - free_slots
    return max(MIN_WAIT_SECONDS, int(behind * handle / capacity))
