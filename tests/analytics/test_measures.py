"""Every measure on seeded conversations whose answers were worked out by hand (the comments
show the arithmetic). Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from tandem.analytics import queries
from tandem.analytics.queries import Filters
from tandem.analytics.refresh import refresh
from tandem.analytics.routes import gate, keep_fresh
from tandem.analytics.seed import Story, insert_agent_events, insert_stories
from tandem.core.errors import InvalidInput
from tandem.identity.models import Account
from tandem.knowledge.models import KnowledgeMiss
from tandem.routing.models import AgentStatus
from tandem.services import Services

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday; 02:00 UTC is 10:00 in Shanghai
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def at(h: int, m: int = 0) -> datetime:
    return DAY.replace(hour=h, minute=m)


def stories(a1: str, a2: str) -> list[Story]:
    # A: the AI answers, the customer thanks and leaves: resolved by the AI.
    a = Story("A", at(2, 0), channel="app").customer(0, "shipping_info").bot(2)
    a.customer(30, "thanks", rule="social").bot(31)
    # B: answered, asks the same again (repeated), then asks for a person: served by a1.
    b = Story("B", at(2, 10)).customer(0, "size").bot(3).customer(40, "size").bot(42)
    b.customer(
        60,
        "human",
        action="hand_off",
        rule="explicit_human_request",
        handoff_reason="customer_request",
    )
    b.queued(60, "customer_request", skill="pre_sale").bot(61)
    b.assigned(120, a1).agent(150, a1).resolved(420, a1).rated(430, "satisfied")
    # C: low confidence, nobody on duty: a ticket whose callback (2 h later) passed unanswered.
    c = Story("C", at(2, 20), callback_at=at(4, 20))
    c.customer(
        0,
        "invoice",
        action="hand_off",
        rule="low_confidence",
        handoff_reason="low_confidence",
        miss=True,
    )
    c.queued(1, "low_confidence", skill="pre_sale", ticket=True, estimate=7200).bot(2)
    # D: asks for a person, waits, nobody comes, no ticket: abandoned, a dead end.
    d = Story("D", at(2, 25)).customer(
        0,
        "human",
        action="hand_off",
        rule="explicit_human_request",
        handoff_reason="customer_request",
    )
    d.queued(1, "customer_request", skill="after_sale").bot(2)
    # E: a high-value refund goes to a2; the customer turns abusive; rated unsatisfied.
    e = Story("E", at(2, 30), customer_id="cust9")
    e.customer(0, "refund", action="hand_off", rule="human_first", handoff_reason="high_value")
    e.queued(1, "high_value", skill="after_sale").bot(2)
    e.assigned(301, a2).agent(331, a2)
    e.customer(400, "refund", action="silent", rule="abuse_warning", abusive=True)
    e.agent(460, a2).resolved(1201, a2).rated(1210, "unsatisfied")
    # F1, F2: the same signed-in customer asks where the parcel is, and again 5 h later in a
    # new conversation: F1 is not resolved (came back), F2 is.
    f1 = Story("F1", at(2, 40), customer_id="cust7").customer(0, "where_is_parcel").bot(1)
    f2 = Story("F2", at(7, 40), customer_id="cust7").customer(0, "where_is_parcel").bot(2)
    return [a, b, c, d, e, f1, f2]


async def seed(services: Services) -> tuple[str, str]:
    async with services.unit_of_work() as uow:
        s = uow.session
        a1 = await s.scalar(select(Account.id).where(Account.username == "agent1"))
        a2 = await s.scalar(select(Account.id).where(Account.username == "agent2"))
        assert a1 and a2
        await s.execute(update(Account).where(Account.id == a1).values(max_concurrent=3))
        await s.execute(update(Account).where(Account.id == a2).values(max_concurrent=2))
        await insert_stories(s, stories(a1, a2))
        await insert_agent_events(
            s,
            reveals=[(a2, "E", at(2, 40))],
            hostile=[(a1, "B", at(2, 20), "very_angry"), (a2, "E", at(2, 50), "abusive")],
        )
        s.add(
            KnowledgeMiss(
                text="能开专票吗", language="zh", conversation_id="C", created_at=at(2, 20)
            )
        )
        # a1 is on a break right now; a2 took one that ended at 05:00 on the 23rd.
        s.add(AgentStatus(agent_id=a1, break_until=NOW + timedelta(minutes=10), updated_at=NOW))
        s.add(AgentStatus(agent_id=a2, last_break_end=at(5), updated_at=NOW))
    return a1, a2


def filters(**kw: object) -> Filters:
    base = dict(
        start=datetime(2026, 11, 23, tzinfo=SHANGHAI),
        end=datetime(2026, 11, 26, tzinfo=SHANGHAI),
        zone=SHANGHAI,
    )
    return Filters(**(base | kw))  # type: ignore[arg-type]


async def test_every_measure_on_known_conversations(services: Services) -> None:
    a1, a2 = await seed(services)
    async with services.unit_of_work() as uow:
        stats = await refresh(uow.session, NOW, SHANGHAI)
    assert stats.conversations == 7
    async with services.sessions() as session:
        o = await queries.overview(session, filters())
    t = o["totals"]
    assert t["episodes"] == 7
    # AI resolved A and F2; every episode is decided (all ended, 24 h passed): 2/7.
    assert (t["ai_resolved"], t["ai_decided"]) == (2, 7)
    assert t["ai_resolution_rate"] == round(2 / 7, 4)
    # Hand-offs B, C, D, E: 4/7; asked B, D; low confidence C; value E.
    assert t["handed_off"] == 4
    assert t["handoff_rate"] == round(4 / 7, 4)
    assert t["handoff_by_reason"] == {
        "asked": 2,
        "rephrase": 0,
        "emotion": 0,
        "value": 1,
        "low_confidence": 1,
        "policy": 0,
        "other": 0,
    }
    # Customer turns before the hand-off: B 3, C 1, D 1, E 1 -> 6/4.
    assert t["avg_turns_to_handoff"] == 1.5
    assert (t["repeated"], t["repeated_rate"]) == (1, round(1 / 7, 4))
    # Dead ends: C (callback passed, nobody answered) and D (asked, got nobody, no ticket).
    assert (t["dead_ends"], t["callbacks_missed"], t["tickets"]) == (2, 1, 1)
    assert t["asked_person"] == 2
    # First AI reply: A 2, B 3, C 2, D 2, E 2, F1 1, F2 2 -> 14/7.
    assert t["first_ai_seconds"] == 2.0
    # First human reply after the hand-off: B 150-60 = 90, E 331-1 = 330 -> 210.
    assert t["first_human_seconds"] == 210.0
    # Waits: B 60, E 300; avg 180, max 300; abandoned D (1 of 4 hand-offs).
    assert (t["served"], t["avg_wait_seconds"], t["max_wait_seconds"]) == (2, 180.0, 300.0)
    assert o["waits"] == {"n": 2, "p50": 60.0, "p90": 300.0, "max": 300.0}
    assert (t["abandoned"], t["abandonment_rate"]) == (1, 0.25)
    # Handling: B 420-120 = 300, E 1201-301 = 900 -> 600.
    assert t["avg_handling_seconds"] == 600.0
    # Closed B and E; rated both, one satisfied: CSAT 0.5.
    assert (t["closed"], t["rated"], t["positive"], t["positive_rate"]) == (2, 2, 1, 0.5)
    assert (t["abusive_messages"], t["abuse_incidents"], t["reveals"]) == (1, 1, 1)
    assert t["breaks"] == 2
    # Occupancy: a1 held 300 s of 3 slots x 1 h, a2 900 s of 2 slots x 1 h: 1200 / 18000.
    assert t["occupancy"] == round(1200 / 18000, 4)

    team = {a["agent_id"]: a for a in o["agents"]}
    assert (team[a1]["closed"], team[a1]["positive_rate"], team[a1]["avg_handling_seconds"]) == (
        1,
        1.0,
        300.0,
    )
    assert (team[a2]["closed"], team[a2]["positive_rate"], team[a2]["avg_handling_seconds"]) == (
        1,
        0.0,
        900.0,
    )
    assert team[a1]["occupancy"] == round(300 / 10800, 4)
    assert team[a2]["occupancy"] == 0.125
    assert (team[a1]["hostile_conversations"], team[a1]["hostile_exposure"]) == (1, 0.6)
    assert (team[a2]["hostile_conversations"], team[a2]["hostile_exposure"]) == (1, 1.0)
    assert (team[a1]["reveals"], team[a2]["reveals"]) == (0, 1)
    assert (team[a1]["breaks"], team[a2]["breaks"]) == (1, 1)
    assert (team[a1]["name"], team[a2]["name"]) == ("小林", "小周")

    # Days in Shanghai: everything on the 23rd, nothing on the 24th or 25th.
    assert [(s["bucket"], s["episodes"]) for s in o["series"]] == [
        ("2026-11-23", 7),
        ("2026-11-24", 0),
        ("2026-11-25", 0),
    ]
    by_intent = {r["key"]: r["episodes"] for r in o["by"]["intent"]}
    assert by_intent == {
        "where_is_parcel": 2,
        "shipping_info": 1,
        "size": 1,
        "invoice": 1,
        "human": 1,
        "refund": 1,
    }
    assert {r["key"]: r["episodes"] for r in o["by"]["channel"]} == {"web": 6, "app": 1}
    assert {r["key"]: r["handed_off"] for r in o["by"]["skill"]} == {
        "pre_sale": 2,
        "after_sale": 2,
        "": 0,
    }
    # Failing: invoice (C, low confidence, 1 of 1) and where_is_parcel (F1 came back, 1 of 2).
    failing = [(r["intent"], r["failed"], r["episodes"]) for r in o["failing"]]
    assert failing == [("invoice", 1, 1), ("where_is_parcel", 1, 2)]
    assert o["failing"][0]["gaps"] == [{"text": "能开专票吗", "count": 1}]
    assert sorted((d["conversation_id"], d["kind"]) for d in o["dead_ends"]) == [
        ("C", "callback_missed"),
        ("D", "asked_no_person"),
    ]


async def test_hours_in_the_shop_zone_and_filters(services: Services) -> None:
    a1, a2 = await seed(services)
    async with services.unit_of_work() as uow:
        await refresh(uow.session, NOW, SHANGHAI)
    one_day = dict(end=datetime(2026, 11, 24, tzinfo=SHANGHAI), granularity="hour")
    async with services.sessions() as session:
        hourly = await queries.series(session, filters(**one_day))
        assert len(hourly) == 24
        busy = {s["bucket"]: s["episodes"] for s in hourly if s["episodes"]}
        # 02:xx UTC is 10:xx in Shanghai; F2 at 07:40 UTC is 15:40.
        assert busy == {"2026-11-23 10:00": 6, "2026-11-23 15:00": 1}
        weekly = await queries.series(session, filters(granularity="week"))
        assert [(s["bucket"], s["episodes"]) for s in weekly] == [("2026-11-23", 7)]
        mine = await queries.totals(session, filters(agent_id=a2))
        assert (mine["episodes"], mine["closed"], mine["positive_rate"]) == (1, 1, 0.0)
        after = await queries.totals(session, filters(skill="after_sale"))
        # D and E queued for after-sale; D abandoned.
        assert (after["handed_off"], after["abandoned"]) == (2, 1)


async def test_refresh_reads_only_what_changed_and_settles_with_time(services: Services) -> None:
    await seed(services)
    async with services.unit_of_work() as uow:
        await refresh(uow.session, NOW, SHANGHAI)
    async with services.unit_of_work() as uow:
        again = await refresh(uow.session, NOW, SHANGHAI)
    assert again.conversations == 0  # nothing new: no conversation is read again

    # A new chat three minutes ago: open (not decided) until 30 min of silence, then it waits
    # 24 h for a possible return before it counts as resolved by the AI.
    g = Story("G", NOW - timedelta(minutes=3)).customer(0, "coupon").bot(1)
    async with services.unit_of_work() as uow:
        await insert_stories(uow.session, [g])
    async with services.unit_of_work() as uow:
        step = await refresh(uow.session, NOW, SHANGHAI)
    assert step.conversations == 1
    f = filters()
    async with services.sessions() as session:
        t = await queries.totals(session, f)
    assert (t["episodes"], t["ai_decided"], t["ai_resolved"]) == (8, 7, 2)

    later = NOW + timedelta(hours=25)
    async with services.unit_of_work() as uow:
        step = await refresh(uow.session, later, SHANGHAI)
    # Only G was due (its 24 h passed); the 7 others had settled for good.
    assert step.conversations == 1
    async with services.sessions() as session:
        t = await queries.totals(session, f)
    assert (t["episodes"], t["ai_decided"], t["ai_resolved"]) == (8, 8, 3)


async def test_a_late_stamped_conversation_is_found_by_the_sweep(services: Services) -> None:
    """The quick path reads the log from the last refresh less a 5-minute margin; a
    conversation whose events are stamped earlier (a writer's clock far behind, a restore)
    waits for the sweep, which compares every conversation with its cursor."""
    await seed(services)
    async with services.unit_of_work() as uow:
        await refresh(uow.session, NOW, SHANGHAI)
    late = Story("H", NOW - timedelta(minutes=20)).customer(0, "coupon").bot(1)
    async with services.unit_of_work() as uow:
        await insert_stories(uow.session, [late])
    async with services.unit_of_work() as uow:
        quick = await refresh(uow.session, NOW, SHANGHAI)
    assert quick.conversations == 0
    async with services.unit_of_work() as uow:
        swept = await refresh(uow.session, NOW, SHANGHAI, sweep=True)
    assert swept.conversations == 1
    async with services.sessions() as session:
        t = await queries.totals(session, filters())
    assert t["episodes"] == 8  # the seven seeded ones and H


async def test_the_server_folds_in_the_background(services: Services) -> None:
    """`keep_fresh` (started with the app) folds at once and then every interval, so that a
    dashboard request only reads the rollups."""
    await seed(services)
    services.settings = services.settings.model_copy(update={"analytics_fold_seconds": 3600})
    task = asyncio.create_task(keep_fresh(services))
    try:
        await asyncio.wait_for(gate(services).folded.wait(), timeout=120)
    finally:
        task.cancel()
    async with services.sessions() as session:
        t = await queries.totals(session, filters())
    assert t["episodes"] == 7
    assert gate(services).last == services.clock.now()


@pytest.mark.parametrize("granularity", ["month", "1"])
def test_bad_granularity_is_a_clear_error(granularity: str) -> None:
    with pytest.raises(InvalidInput, match="粒度"):
        queries.parse_range(None, None, SHANGHAI, NOW, granularity)


async def test_a_bounded_refresh_says_there_is_more(services: Services) -> None:
    await seed(services)
    async with services.unit_of_work() as uow:
        first = await refresh(uow.session, NOW, SHANGHAI, max_batches=0)
    assert (first.conversations, first.more) == (0, True)
    async with services.unit_of_work() as uow:
        second = await refresh(uow.session, NOW, SHANGHAI, max_batches=1)
    assert (second.conversations, second.more) == (7, False)
