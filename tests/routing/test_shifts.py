"""Shifts and teams in routing: reading a shift, who is in it at a moment (shop time, across
midnight, the last minutes), and who is offered a new conversation because of it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tandem.routing.policy import (
    ENDING,
    IN_SHIFT,
    OFF_SHIFT,
    AgentState,
    AssignmentConfig,
    ShiftError,
    choose_agent,
    next_assignments,
    normalise_shift,
    parse_shift,
    requeued,
    shift_cover,
    standing_at,
)
from tandem.routing.policy.shifts import covers, local_minute, minutes_left

from .factories import agent, entry

SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8, no summer time


def shanghai(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment given in shop time, as the UTC instant routing is handed."""
    return datetime(2026, 11, 21, hour, minute, second, tzinfo=SHANGHAI).astimezone(UTC)


def on_shift(a: AgentState, text: str, team: str | None = None) -> AgentState:
    return replace(a, shift=parse_shift(text, SHANGHAI), team=team)


# --- reading a shift ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("09:00-18:00", "09:00-18:00"),
        ("9:00-18:00", "09:00-18:00"),
        (" 09：00～18：00 ", "09:00-18:00"),
        ("22:00 至 06:00", "22:00-06:00"),
        ("00:00-24:00", "00:00-24:00"),
        ("18:00-24:00", "18:00-00:00"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_a_shift_is_read_leniently_and_stored_one_way(typed: str | None, stored: str) -> None:
    assert normalise_shift(typed) == stored


@pytest.mark.parametrize(
    "bad", ["9-18", "09:00", "09:00-09:00", "25:00-06:00", "09:60-18:00", "08:00-24:30", "a-b"]
)
def test_a_string_that_is_no_shift_is_refused_in_both_languages(bad: str) -> None:
    with pytest.raises(ShiftError) as e:
        parse_shift(bad)
    assert "班次格式" in str(e.value) and "A shift reads" in str(e.value)


def test_minutes_in_and_out_of_a_day_shift() -> None:
    s = parse_shift("09:00-18:00")
    assert (s.start, s.end, s.length) == (540, 1080, 540)
    assert covers(s, 540) and covers(s, 1079)  # 09:00 in, 17:59 in
    assert not covers(s, 539) and not covers(s, 1080)  # 08:59 out, 18:00 out
    assert minutes_left(s, 1070) == 10  # 17:50
    assert minutes_left(s, 1079) == 1
    assert minutes_left(s, 1080) is None


def test_a_night_shift_crosses_midnight() -> None:
    s = parse_shift("22:00-06:00")
    assert s.length == 480
    assert covers(s, 22 * 60) and covers(s, 23 * 60 + 59) and covers(s, 0) and covers(s, 359)
    assert not covers(s, 360) and not covers(s, 21 * 60 + 59) and not covers(s, 12 * 60)
    assert minutes_left(s, 23 * 60) == 420  # 23:00 -> 06:00
    assert minutes_left(s, 5 * 60 + 55) == 5


def test_the_local_minute_is_taken_in_the_shops_zone() -> None:
    s = parse_shift("09:00-18:00", SHANGHAI)
    # 01:30 UTC is 09:30 in Shanghai; a naive time is taken as UTC.
    assert local_minute(s, datetime(2026, 11, 21, 1, 30, tzinfo=UTC)) == 570
    assert local_minute(s, datetime(2026, 11, 21, 1, 30)) == 570


def test_standing_at_the_boundaries() -> None:
    day = parse_shift("09:00-18:00", SHANGHAI)
    assert standing_at(day, shanghai(8, 59, 59)) == OFF_SHIFT
    assert standing_at(day, shanghai(9, 0)) == IN_SHIFT
    assert standing_at(day, shanghai(17, 49, 59)) == IN_SHIFT  # 11 minutes left
    assert standing_at(day, shanghai(17, 50)) == ENDING  # the last 10 minutes
    assert standing_at(day, shanghai(17, 59, 59)) == ENDING
    assert standing_at(day, shanghai(18, 0)) == OFF_SHIFT
    assert standing_at(day, shanghai(17, 50), wind_down_minutes=0) == IN_SHIFT
    night = parse_shift("22:00-06:00", SHANGHAI)
    assert standing_at(night, shanghai(23, 30)) == IN_SHIFT
    assert standing_at(night, shanghai(3, 0)) == IN_SHIFT
    assert standing_at(night, shanghai(5, 55)) == ENDING
    assert standing_at(night, shanghai(6, 0)) == OFF_SHIFT
    # No shift: works whenever signed in; a whole-day shift never winds down.
    assert standing_at(None, shanghai(3, 0)) == IN_SHIFT
    assert standing_at(parse_shift("00:00-24:00", SHANGHAI), shanghai(23, 59)) == IN_SHIFT


# --- who is offered the conversation ------------------------------------------------------------


def test_an_in_shift_agent_is_preferred_to_one_outside_their_shift() -> None:
    # 19:00: the day agent stayed signed in after 18:00 and has more room; the evening one
    # takes the new customer.
    late = on_shift(agent("day", active=0), "09:00-18:00")
    evening = on_shift(agent("eve", active=2), "18:00-02:00")
    assert choose_agent(entry("c1"), [late, evening], shanghai(19, 0)) == "eve"
    # Before 18:00 it is the other way round (most room among those in shift).
    assert choose_agent(entry("c1"), [late, evening], shanghai(16, 0)) == "day"


def test_nobody_in_shift_falls_back_to_those_signed_in_outside_it() -> None:
    late = on_shift(agent("day"), "09:00-18:00")
    assert choose_agent(entry("c1"), [late], shanghai(20, 0)) == "day"
    strict = AssignmentConfig(off_shift_fallback=False)
    assert choose_agent(entry("c1"), [late], shanghai(20, 0), strict) is None
    assert choose_agent(entry("c1"), [late], shanghai(10, 0), strict) == "day"


def test_an_in_shift_agent_who_is_full_leaves_the_customer_to_an_off_shift_one() -> None:
    full = on_shift(agent("eve", active=3), "18:00-02:00")
    late = on_shift(agent("day"), "09:00-18:00")
    assert choose_agent(entry("c1"), [full, late], shanghai(19, 0)) == "day"


def test_the_last_minutes_of_a_shift_come_after_those_staying_and_before_those_gone() -> None:
    ending = on_shift(agent("ending", active=0), "09:00-18:00")
    staying = on_shift(agent("staying", active=2), "12:00-21:00")
    gone = on_shift(agent("gone", active=0), "06:00-15:00")
    now = shanghai(17, 55)
    assert choose_agent(entry("c1"), [ending, staying, gone], now) == "staying"
    assert choose_agent(entry("c1"), [ending, gone], now) == "ending"


def test_shifts_order_hostile_conversations_too() -> None:
    # Least exposed first, but only among those in shift.
    rested_late = on_shift(agent("late", exposure=0.0), "09:00-18:00")
    tired_eve = on_shift(agent("eve", exposure=2.0), "18:00-02:00")
    hostile = entry("c1", hostile=True)
    assert choose_agent(hostile, [rested_late, tired_eve], shanghai(19, 0)) == "eve"


def test_a_round_fills_in_shift_agents_before_spilling_over() -> None:
    # Four waiting, the evening agent has room for two: two go to them, two to the day agent
    # still signed in.
    eve = on_shift(agent("eve", active=1), "18:00-02:00")
    late = on_shift(agent("day"), "09:00-18:00")
    queue = [entry(f"c{i}", minute=i) for i in range(4)]
    pairs = next_assignments(queue, [late, eve], shanghai(19, 0))
    assert pairs == [("c0", "eve"), ("c1", "eve"), ("c2", "day"), ("c3", "day")]
    strict = AssignmentConfig(off_shift_fallback=False)
    assert next_assignments(queue, [late, eve], shanghai(19, 0), strict) == [
        ("c0", "eve"),
        ("c1", "eve"),
    ]


def test_a_conversation_that_left_an_agent_goes_to_their_teammates_first() -> None:
    leaving = on_shift(agent("wang", active=1), "09:00-18:00", team="售后一组")
    mate = on_shift(agent("li", active=2), "09:00-18:00", team="售后一组")
    other = on_shift(agent("zhao", active=0), "09:00-18:00", team="售后二组")
    back = requeued(entry("c1"), "wang")
    now = shanghai(11, 0)
    assert choose_agent(back, [leaving, mate, other], now) == "li"
    # A fresh conversation has no team: most room wins.
    assert choose_agent(entry("c2"), [leaving, mate, other], now) == "zhao"
    # A teammate outside their shift does not beat a colleague in shift.
    mate_off = on_shift(agent("li", active=2), "00:00-08:00", team="售后一组")
    assert choose_agent(back, [leaving, mate_off, other], now) == "zhao"
    # A full teammate: the next best.
    mate_full = replace(mate, active=3)
    assert choose_agent(back, [leaving, mate_full, other], now) == "zhao"


def test_no_team_means_no_team_preference() -> None:
    leaving = agent("wang", active=1)
    a = agent("a", active=2)
    b = agent("b", active=0)
    assert choose_agent(requeued(entry("c1"), "wang"), [leaving, a, b], shanghai(11, 0)) == "b"


def test_shift_cover_counts_the_available_by_standing() -> None:
    late = on_shift(agent("day"), "09:00-18:00")
    eve = on_shift(agent("eve"), "18:00-02:00")
    away = on_shift(agent("away", presence="away"), "18:00-02:00")
    cover = shift_cover([late, eve, away], shanghai(19, 0))
    assert (cover.in_shift, cover.ending, cover.off_shift, cover.falling_back) == (1, 0, 1, False)
    cover = shift_cover([late, away], shanghai(19, 0))
    assert (cover.in_shift, cover.off_shift, cover.falling_back) == (0, 1, True)
    assert not shift_cover([away], shanghai(19, 0)).falling_back


def test_an_escalation_goes_to_the_teams_own_supervisor_first() -> None:
    wang = on_shift(agent("wang", ("after_sale",), active=1), "09:00-18:00", team="售后一组")
    own = on_shift(agent("lead1", ("supervisor",), active=2), "09:00-18:00", team="售后一组")
    other = on_shift(agent("lead2", ("supervisor",), active=0), "09:00-18:00", team="售后二组")
    up = requeued(entry("c1", skill="supervisor"), "wang")
    assert choose_agent(up, [wang, own, other], shanghai(11, 0)) == "lead1"
    # Their own supervisor outside their shift: the one in shift.
    own_off = on_shift(agent("lead1", ("supervisor",), active=2), "18:00-02:00", team="售后一组")
    assert choose_agent(up, [wang, own_off, other], shanghai(11, 0)) == "lead2"
