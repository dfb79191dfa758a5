"""Shifts (班次): an agent's working hours in the shop's time zone, and what they mean for
who is offered a new conversation. Pure: the time and the zone are handed in.

A shift reads "HH:MM-HH:MM" ("09:00-18:00"; "22:00-06:00" crosses midnight; "00:00-24:00" is
the whole day). The start minute is in the shift, the end minute is not: "09:00-18:00" covers
09:00 to 17:59. An agent with no shift is taken to work whenever they are signed in.

Standing at a moment, in the order routing prefers them:
- IN_SHIFT: inside the shift, or no shift set;
- ENDING: the last `wind_down_minutes` of the shift (so an agent is not handed a new customer
  on their way out while a colleague who stays could take it);
- OFF_SHIFT: outside the shift (signed in early, or staying late).
Routing offers a conversation to the best standing that can take it: off-shift agents take
new work only when nobody in shift (or ending) could. What an agent already holds stays theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

DAY_MINUTES = 24 * 60
DEFAULT_WIND_DOWN_MINUTES = 10

IN_SHIFT = "in_shift"
ENDING = "ending"
OFF_SHIFT = "off_shift"
STANDINGS = (IN_SHIFT, ENDING, OFF_SHIFT)

# Lenient on what a person types: "9:00-18:00", "09：00～18：00", "22:00 至 06:00".
_SHIFT = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*(?:-|~|～|—|–|至|到)\s*(\d{1,2})[:：](\d{2})\s*$")

SHIFT_FORMAT_MESSAGE = (
    "班次格式为 开始-结束，如 09:00-18:00（可跨午夜，如 22:00-06:00；全天为 00:00-24:00）。"
    " / A shift reads start-end, such as 09:00-18:00 (22:00-06:00 crosses midnight;"
    " 00:00-24:00 is the whole day)."
)


class ShiftError(ValueError):
    """A shift string that does not read as a shift (the message is in Chinese and English)."""


@dataclass(frozen=True)
class Shift:
    """Working hours as minutes of the day in `zone`: `start` in [0, 1440), `end` in
    (0, 1440]; `end < start` crosses midnight, `end - start == 1440` is the whole day."""

    start: int
    end: int
    zone: tzinfo = UTC

    @property
    def text(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"

    @property
    def length(self) -> int:
        return (self.end - self.start) % DAY_MINUTES or DAY_MINUTES


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_shift(text: str, zone: tzinfo = UTC) -> Shift:
    """The shift `text` names, or ShiftError. Start and end must differ (a whole day is
    "00:00-24:00"); 24:00 is allowed as an end only."""
    m = _SHIFT.match(text)
    if m is None:
        raise ShiftError(SHIFT_FORMAT_MESSAGE)
    sh, sm, eh, em = (int(g) for g in m.groups())
    if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em != 0):
        raise ShiftError(SHIFT_FORMAT_MESSAGE)
    start, end = sh * 60 + sm, eh * 60 + em
    if start == end % DAY_MINUTES and end != DAY_MINUTES:
        raise ShiftError(SHIFT_FORMAT_MESSAGE)
    if end == DAY_MINUTES and start != 0:
        end = 0  # "22:00-24:00" is "22:00-00:00"
    return Shift(start, end, zone)


def normalise_shift(text: str | None) -> str | None:
    """What to store for `text`: None for an empty one, "HH:MM-HH:MM" otherwise (ShiftError
    if it does not read as a shift)."""
    if text is None or not text.strip():
        return None
    return parse_shift(text).text


def shift_of(text: str | None, zone: tzinfo) -> Shift | None:
    """The stored shift of an account, or None when it has none or it no longer parses (an
    account is never shut out of routing by a malformed row)."""
    if not text:
        return None
    try:
        return parse_shift(text, zone)
    except ShiftError:
        return None


def local_minute(shift: Shift, now: datetime) -> int:
    """Minute of the day at `now` in the shift's zone (a naive `now` is taken as UTC)."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    local = aware.astimezone(shift.zone)
    return local.hour * 60 + local.minute


def covers(shift: Shift, minute: int) -> bool:
    """Whether local minute-of-day `minute` is inside the shift (start in, end out)."""
    return (minute - shift.start) % DAY_MINUTES < shift.length


def minutes_left(shift: Shift, minute: int) -> int | None:
    """Whole minutes from `minute` to the end of the shift, None when outside it. At 17:50
    of "09:00-18:00": 10; at 17:59: 1."""
    if not covers(shift, minute):
        return None
    return shift.length - (minute - shift.start) % DAY_MINUTES


def standing_at(
    shift: Shift | None, now: datetime, wind_down_minutes: int = DEFAULT_WIND_DOWN_MINUTES
) -> str:
    """IN_SHIFT, ENDING or OFF_SHIFT at `now` (see the module docstring). A whole-day shift
    never ends."""
    if shift is None:
        return IN_SHIFT
    left = minutes_left(shift, local_minute(shift, now))
    if left is None:
        return OFF_SHIFT
    if shift.length < DAY_MINUTES and left <= wind_down_minutes:
        return ENDING
    return IN_SHIFT


def standing_rank(standing: str) -> int:
    """0 for the standing routing prefers most (IN_SHIFT), then ENDING, then OFF_SHIFT."""
    return STANDINGS.index(standing)


@dataclass(frozen=True)
class ShiftCover:
    """Agents who could take new work now (signed in, not on a break), by shift standing.
    `falling_back`: nobody in shift is there, so those outside their shift are taking it."""

    in_shift: int
    ending: int
    off_shift: int

    @property
    def falling_back(self) -> bool:
        return self.in_shift + self.ending == 0 and self.off_shift > 0
