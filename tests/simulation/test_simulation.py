"""The simulator around the real engine and routing rules: the four policies on scripted
customers (outcomes worked out from the product's rules by hand), reproducibility, and the
comparison's figures on a small message bank in the evaluation set's format."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tandem.shop.present import ShopFacts
from tandem.shop.types import OrderStatus
from tandem.simulation.agents import AgentSpec, Roster
from tandem.simulation.bots import NAIVE_PERSON_AFTER, EngineServices, NaiveBot
from tandem.simulation.messages import Message, load_bank
from tandem.simulation.population import (
    CustomerMix,
    SimCustomer,
    build_profiles,
    owning,
    quoted_order,
)
from tandem.simulation.report import figures_json
from tandem.simulation.run import Scenario, compare
from tandem.simulation.simulator import (
    AI_RESOLVED,
    DEAD_END,
    HUMAN_RESOLVED,
    Simulation,
)
from tandem.simulation.traffic import load_curve

BANK = Path(__file__).parent / "data" / "messages.jsonl"
# 14:00 in Shanghai on 11.11: inside the default policy's service hours (09:00–21:00).
AFTERNOON = datetime(2026, 11, 11, 6, 0, tzinfo=UTC)
# 03:00 in Shanghai: outside them.
NIGHT = datetime(2026, 11, 10, 19, 0, tzinfo=UTC)
PERSON = Message("p", "转人工", "zh", "human", "request")
SHIPPING = Message("q", "付款以后多久能发货呀", "zh", "shipping_info", "question", "faq-zh-001")


@pytest.fixture(scope="module")
def services() -> EngineServices:
    return EngineServices.build()


def customer(*problem: Message, person_asks: int = 3, bot_tries: int = 2) -> SimCustomer:
    return SimCustomer(
        id="c-1",
        arrival=10.0,
        lang="zh",
        intent=problem[0].intent,
        feeling="calm",
        opening=(),
        problem=problem,
        person_request=PERSON,
        thanks=None,
        vip=False,
        facts=ShopFacts(None, ()),
        tracking={},
        focus_order_id=None,
        order_value_cents=0,
        patience_seconds=3600.0,
        bot_tries=bot_tries,
        person_asks=person_asks,
        think_seconds=5.0,
    )


def one_agent(from_seconds: float = 0.0) -> Roster:
    return Roster((AgentSpec("a1", from_seconds, 7200.0),), break_seconds=0.0)


def run(
    policy: str,
    c: SimCustomer,
    services: EngineServices,
    start: datetime = AFTERNOON,
    roster: Roster | None = None,
):
    roster = roster or one_agent()
    sim = Simulation(
        policy=policy,
        customers=[c],
        roster=roster if policy != "ai-only" else Roster(()),
        start=start,
        seed=1,
        horizon_seconds=7200.0,
        services=services if policy in ("tandem", "ai-only") else None,
        naive=NaiveBot(services.knowledge.entries()),
    )
    return sim.run().records[0]


def test_asking_for_a_person_tandem_hands_off_at_once_the_naive_bot_on_the_third_ask(
    services: EngineServices,
) -> None:
    c = customer(PERSON)
    tandem = run("tandem", c, services)
    assert (tandem.outcome, tandem.bot_turns, tandem.handoff_reason) == (
        HUMAN_RESOLVED,
        1,
        "customer_request",
    )
    naive = run("naive-bot", c, services)
    assert (naive.outcome, naive.bot_turns) == (HUMAN_RESOLVED, NAIVE_PERSON_AFTER)
    # The AI promises a person and there is none: a dead end.
    assert run("ai-only", c, services).outcome == DEAD_END
    human = run("human-only", c, services)
    assert (human.outcome, human.bot_turns, human.queued_at) == (HUMAN_RESOLVED, 0, 10.0)


def test_the_engine_answers_a_question_its_knowledge_base_covers(services: EngineServices) -> None:
    r = run("tandem", customer(SHIPPING), services)
    assert (r.outcome, r.bot_turns, r.queued_at) == (AI_RESOLVED, 1, None)


def test_a_canned_answer_to_a_request_is_not_a_resolution(services: EngineServices) -> None:
    """Asked to ship, the keyword bot sends the shipping-times text of the entry its words hit:
    the same entry that answers the question, but the customer asked for something to be done."""
    question = SHIPPING
    request = replace(SHIPPING, id="r", text="付款以后多久能发货呀，快点给我发货", act="request")
    assert run("naive-bot", customer(question), services).outcome == AI_RESOLVED
    asked = run("naive-bot", customer(request, person_asks=0), services)
    assert (asked.outcome, asked.queued_at) == (DEAD_END, None)


def test_simulated_time_reaches_the_engine_outside_service_hours_a_ticket(
    services: EngineServices,
) -> None:
    # Nobody on duty until an hour in. The engine sees 03:00 shop time from the injected clock:
    # outside service hours a hand-off is a ticket with a promised callback (engine rule 7),
    # answered when the agent comes on; in the afternoon the same hand-off is a live queue.
    late = one_agent(from_seconds=3600.0)
    night = run("tandem", customer(PERSON), services, start=NIGHT, roster=late)
    assert (night.ticket, night.outcome, night.answered_at) == (True, HUMAN_RESOLVED, 3600.0)
    day = run("tandem", customer(PERSON), services, start=AFTERNOON)
    assert (day.ticket, day.answered_at) == (False, 10.0)


def test_a_customer_the_naive_bot_loses_gives_up_with_nobody_reached(
    services: EngineServices,
) -> None:
    # Only two requests for a person in them: the naive bot needs three.
    off_topic = Message("o", "你们老板几岁了", "zh", None, "other")
    r = run("naive-bot", customer(off_topic, person_asks=2), services)
    assert (r.outcome, r.queued_at) == (DEAD_END, None)
    # The same customer with Tandem: told politely it is nothing this shop answers, with what
    # it can do, and goes: handled by the AI, no dead end, nobody's time taken.
    t = run("tandem", customer(off_topic, person_asks=2), services)
    assert (t.outcome, t.queued_at) == ("ai_resolved", None)


def test_a_customer_who_quotes_an_order_number_owns_that_order(
    services: EngineServices,
) -> None:
    """The bank's messages are real text with real order numbers: the simulated customer's
    order takes the number their words quote, so that the engine finds it theirs."""
    profile = build_profiles(random.Random(1), CustomerMix(), datetime(2026, 11, 11, tzinfo=UTC))
    paid = profile[(OrderStatus.PAID, False)][0]
    assert quoted_order("pls refund 我的订单 td20261101000999 now") == "TD20261101000999"
    assert quoted_order("refund my last order") is None
    mine = owning(paid, "TD20261101000999")
    assert mine.focus_order_id == "TD20261101000999"
    assert [o.order_id for o in mine.facts.orders][0] == "TD20261101000999"
    # The other order keeps its number; the original profile is unchanged (shared).
    assert mine.facts.orders[1].order_id == paid.facts.orders[1].order_id
    assert paid.focus_order_id != "TD20261101000999"


def scenario(seed: int) -> Scenario:
    return Scenario(
        curve=load_curve("normal_day").scaled(0.5).truncated(12),
        agents=4,
        seed=seed,
        messages=BANK,
        start=datetime(2026, 11, 10, 16, 0, tzinfo=UTC),
    )


def test_same_seed_same_result_and_another_seed_another(services: EngineServices) -> None:
    a = figures_json(compare(scenario(3), services=services))
    b = figures_json(compare(scenario(3), services=services))
    c = figures_json(compare(scenario(4), services=services))
    assert a == b
    assert a != c


def test_the_four_policies_side_by_side(services: EngineServices) -> None:
    cmp = compare(scenario(3), services=services)
    by = {f.policy: f for f in cmp.figures}
    assert list(by) == ["human-only", "ai-only", "naive-bot", "tandem"]
    # The same customers for every policy.
    assert len({f.conversations for f in cmp.figures}) == 1
    assert by["human-only"].ai_resolution == 0 and by["human-only"].ai_turns == 0
    assert by["ai-only"].wage_cost == 0 and by["ai-only"].human_resolved == 0
    assert by["ai-only"].dead_ends > 0 and by["naive-bot"].dead_ends > 0
    # Tandem hands every problem it cannot solve to a person: no dead ends.
    assert by["tandem"].dead_ends == 0
    assert by["tandem"].ai_resolution > 0
    # A request for a person: Tandem puts it through in the same turn; the keyword bot only
    # on the third; with people only nobody has to ask.
    assert by["tandem"].refused_person == 0 and by["human-only"].refused_person == 0
    assert by["naive-bot"].refused_person > 0
    for f in cmp.figures:
        total = f.ai_resolution + f.human_resolved + f.abandonment + f.dead_ends + f.open_at_end
        assert total == pytest.approx(1.0)
        assert 0 <= f.occupancy <= 1
        assert f.wait_p50 <= f.wait_p90
    # Understanding and retrieval ran once per distinct text, not once per turn.
    assert services.engine_calls > len(services.analyses)
    assert cmp.bank.name == "messages.jsonl" and not cmp.bank.fallback


def test_cost_per_contact_is_wages_plus_ai_turns(services: EngineServices) -> None:
    cmp = compare(replace(scenario(3), policies=["human-only", "tandem"]), services=services)
    human, tandem = cmp.figures
    # 4 agents in 8-hour shifts over 12 hours: two shifts (0–8 h, 8–12 h), two agents each:
    # 8 + 4 + 8 + 4 = 24 paid hours at ¥35.
    assert human.wage_cost == pytest.approx(24 * 35.0)
    assert human.cost_per_contact == pytest.approx(24 * 35.0 / human.conversations)
    assert tandem.ai_cost == pytest.approx(tandem.ai_turns * 0.02)


def test_the_default_bank_says_when_it_is_the_fallback() -> None:
    bank = load_bank()
    assert bank.fallback is (bank.name == "messages_fallback.jsonl")
    assert {"zh", "en"} <= set(bank.languages)


def test_routing_in_the_simulator_winds_a_shift_down_as_the_desk_does(
    services: EngineServices,
) -> None:
    """Two agents with room, one whose shift ends at 3,600 s: early on the tie goes to the
    first by name; 50 s before the end (inside the 10-minute wind-down), to the one who stays."""
    roster = Roster((AgentSpec("a1", 0.0, 3600.0), AgentSpec("a2", 0.0, 7200.0)), break_seconds=0.0)
    early = run("human-only", customer(PERSON), services, roster=roster)
    assert early.agent == "a1"
    late = run("human-only", replace(customer(PERSON), arrival=3550.0), services, roster=roster)
    assert (late.queued_at, late.agent) == (3550.0, "a2")
