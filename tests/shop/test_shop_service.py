"""The demo shop's seed data and the recorded use cases, on a real SQLite database."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tandem.config import Settings
from tandem.core.errors import Conflict, NotFound
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker
from tandem.identity.signing import sign_external_id
from tandem.shop.demo_adapter import DemoShopAdapter
from tandem.shop.models import ShopAction, ShopCustomer, ShopOrder, ShopProduct, ShopProposal
from tandem.shop.policy_config import ServiceHours, load_policy
from tandem.shop.present import order_choices, parcel_message
from tandem.shop.schemas import Actor
from tandem.shop.seed import demo_customers, seed_demo_shop
from tandem.shop.service import (
    approve_proposal,
    customer_orders,
    list_actions,
    list_proposals,
    load_shop_facts,
    parcel_status,
    perform_action,
    reject_proposal,
)
from tandem.shop.types import ActionKind, ActionRequest, OrderStatus

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
POLICY = load_policy()
AI = Actor(kind="ai", id="tandem-ai")
AGENT = Actor(kind="agent", id="acc_agent1")

SHOP_ZONE = ServiceHours().zone


class FixedClock:
    def now(self) -> datetime:
        return NOW


Sessions = async_sessionmaker[AsyncSession]


async def _seeded(sessions: Sessions) -> dict[str, dict[str, str]]:
    async with sessions() as s, s.begin():
        assert await seed_demo_shop(s, now=NOW) is True
        return await demo_customers(s, "secret")


async def _snapshot(sessions: Sessions) -> list[tuple[object, ...]]:
    async with sessions() as s:
        rows = await s.execute(
            select(
                ShopOrder.id,
                ShopOrder.customer_id,
                ShopOrder.status,
                ShopOrder.total_cents,
                ShopOrder.paid_at,
                ShopOrder.tracking_number,
            ).order_by(ShopOrder.id)
        )
        return [tuple(r) for r in rows]


async def test_seed_is_rich_deterministic_and_idempotent(
    shop_sessions: Sessions, tmp_path_factory: pytest.TempPathFactory
) -> None:
    await _seeded(shop_sessions)
    first = await _snapshot(shop_sessions)
    async with shop_sessions() as s, s.begin():
        assert await seed_demo_shop(s, now=NOW) is False
    assert await _snapshot(shop_sessions) == first

    async with shop_sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ShopProduct)) >= 40
        assert await s.scalar(select(func.count()).select_from(ShopCustomer)) >= 200
        categories = set(await s.scalars(select(ShopProduct.category).distinct()))
        assert {"electronics", "accessories", "otc_medicine", "clothing", "shoes"} <= categories
        assert {"fresh_food", "customised"} <= categories
        statuses = set(await s.scalars(select(ShopOrder.status).distinct()))
        assert {s.value for s in OrderStatus if s != OrderStatus.EXCHANGED} <= statuses
        orders = list(await s.scalars(select(ShopOrder)))
    assert all(re.fullmatch(r"TD\d{14}", o.id) for o in orders)
    shipped = [o for o in orders if o.shipped_at is not None]
    assert shipped and all(
        o.paid_at is not None and o.shipped_at - o.paid_at <= timedelta(hours=48) for o in shipped
    )
    assert {o.carrier for o in shipped} == {"sf", "yto"}
    delivered = [o for o in orders if o.status == "delivered"]
    assert any(NOW - o.delivered_at < timedelta(days=7) for o in delivered)  # type: ignore[operator]
    assert any(NOW - o.delivered_at > timedelta(days=7) for o in delivered)  # type: ignore[operator]


async def test_seed_is_the_same_in_another_database(shop_sessions: Sessions) -> None:
    await _seeded(shop_sessions)
    # A second database seeded with the same `now` holds exactly the same orders.
    with tempfile.TemporaryDirectory() as d:
        settings = Settings(data_dir=Path(d))
        engine = build_engine(settings)
        await upgrade(settings, engine)
        other = build_sessionmaker(engine)
        await _seeded(other)
        assert await _snapshot(other) == await _snapshot(shop_sessions)
        await engine.dispose()


async def test_demo_customers_cover_the_situations(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    needed = {
        "unshipped",
        "in_transit",
        "delivered_recent",
        "delivered_over_7_days",
        "high_value",
        "several_orders",
    }
    assert needed <= demo.keys()
    for entry in demo.values():
        assert entry["signature"] == sign_external_id("secret", entry["external_id"])
    async with shop_sessions() as s:
        adapter = DemoShopAdapter(s, FixedClock())

        async def order_of(key: str):  # type: ignore[no-untyped-def]
            e = demo[key]
            o = await adapter.get_order(e["external_id"], e["order_id"])
            assert o is not None
            return o

        assert (await order_of("unshipped")).status == OrderStatus.PAID
        transit = await order_of("in_transit")
        assert transit.status == OrderStatus.SHIPPED
        assert await adapter.tracking(transit.customer_id, transit.order_id)
        recent = await order_of("delivered_recent")
        assert recent.delivered_at and NOW - recent.delivered_at < timedelta(days=7)
        old = await order_of("delivered_over_7_days")
        assert old.delivered_at and NOW - old.delivered_at > timedelta(days=7)
        assert (await order_of("high_value")).total_cents >= POLICY.refund_approval_threshold_cents
        assert len(await adapter.list_orders(demo["several_orders"]["external_id"])) >= 2
        vip = await adapter.get_customer(demo["vip"]["external_id"])
        assert vip is not None and vip.tier == "vip"


async def test_unshipped_refund_is_done_and_recorded(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    e = demo["otc_medicine_unshipped"]
    async with shop_sessions() as s, s.begin():
        out = await perform_action(
            s,
            DemoShopAdapter(s, FixedClock()),
            POLICY,
            customer_id=e["external_id"],
            order_id=e["order_id"],
            request=ActionRequest(kind=ActionKind.REFUND),
            actor=AI,
            now=NOW,
            conversation_id="conv_1",
        )
    assert out.performed and out.order.status == OrderStatus.REFUNDED
    assert out.order.refunded_cents == out.order.total_cents
    async with shop_sessions() as s:
        [rec] = await list_actions(s, order_id=e["order_id"])
    assert (rec.outcome, rec.rule, rec.actor_kind, rec.actor_id) == (
        "allowed",
        "unshipped_refund_immediate",
        "ai",
        "tandem-ai",
    )
    assert rec.at == NOW and rec.conversation_id == "conv_1"


async def test_someone_elses_order_is_not_found_and_not_touched(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    victim = demo["unshipped"]
    async with shop_sessions() as s, s.begin():
        adapter = DemoShopAdapter(s, FixedClock())
        assert await adapter.get_order("c0003", victim["order_id"]) is None
        assert await adapter.tracking("c0003", demo["in_transit"]["order_id"]) == []
        with pytest.raises(NotFound, match="not one of this customer's orders"):
            await perform_action(
                s,
                adapter,
                POLICY,
                customer_id="c0003",
                order_id=victim["order_id"],
                request=ActionRequest(kind=ActionKind.REFUND),
                actor=Actor(kind="customer", id="c0003"),
                now=NOW,
            )
        assert await parcel_status(adapter, "c0003", demo["in_transit"]["order_id"]) is None
        mine = await customer_orders(adapter, "c0003")
        assert mine and all(o.customer_id == "c0003" for o in mine)
    async with shop_sessions() as s:
        o = await s.get(ShopOrder, victim["order_id"])
        assert o is not None and o.status == "paid"


async def test_refund_above_threshold_is_proposed_then_approved(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    e = demo["high_value"]
    async with shop_sessions() as s, s.begin():
        adapter = DemoShopAdapter(s, FixedClock())
        kw = dict(customer_id=e["external_id"], order_id=e["order_id"], now=NOW)
        out = await perform_action(
            s,
            adapter,
            POLICY,
            request=ActionRequest(kind=ActionKind.REFUND),
            actor=AI,
            **kw,  # type: ignore[arg-type]
        )
        again = await perform_action(
            s,
            adapter,
            POLICY,
            request=ActionRequest(kind=ActionKind.REFUND),
            actor=AI,
            **kw,  # type: ignore[arg-type]
        )
    assert not out.performed and out.verdict.rule == "refund_above_threshold"
    assert out.order.status == OrderStatus.PAID
    assert again.proposal_id == out.proposal_id  # asked twice, proposed once
    async with shop_sessions() as s, s.begin():
        [p] = await list_proposals(s)
        assert (p.status, p.amount_cents, p.proposed_by_kind) == ("pending", 189900, "ai")
        done = await approve_proposal(
            s,
            DemoShopAdapter(s, FixedClock()),
            POLICY,
            proposal_id=p.id,
            agent_id="acc_agent1",
            now=NOW,
        )
    assert done.performed and done.order.status == OrderStatus.REFUNDED
    async with shop_sessions() as s:
        proposal = await s.get(ShopProposal, p.id)
        assert proposal is not None
        assert (proposal.status, proposal.decided_by) == ("approved", "acc_agent1")
        assert await list_proposals(s) == []
        history = await list_actions(s, order_id=e["order_id"])
    assert sorted((a.actor_kind, a.outcome) for a in history) == [
        ("agent", "allowed"),
        ("ai", "needs_approval"),
        ("ai", "needs_approval"),
    ]
    async with shop_sessions() as s, s.begin():
        with pytest.raises(Conflict, match="already approved"):
            await approve_proposal(
                s, DemoShopAdapter(s, FixedClock()), POLICY, proposal_id=p.id, agent_id="x", now=NOW
            )


async def test_edited_and_rejected_proposals(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    e = demo["high_value"]
    async with shop_sessions() as s, s.begin():
        adapter = DemoShopAdapter(s, FixedClock())
        out = await perform_action(
            s,
            adapter,
            POLICY,
            customer_id=e["external_id"],
            order_id=e["order_id"],
            request=ActionRequest(kind=ActionKind.REFUND),
            actor=Actor(kind="customer", id=e["external_id"]),
            now=NOW,
        )
        assert out.proposal_id
        rejected = await reject_proposal(
            s, proposal_id=out.proposal_id, agent_id="acc_agent2", now=NOW, note="客户已撤回"
        )
        assert (rejected.status, rejected.decision_note) == ("rejected", "客户已撤回")
        out2 = await perform_action(
            s,
            adapter,
            POLICY,
            customer_id=e["external_id"],
            order_id=e["order_id"],
            request=ActionRequest(kind=ActionKind.REFUND),
            actor=AI,
            now=NOW,
        )
        assert out2.proposal_id and out2.proposal_id != out.proposal_id
        edited = await approve_proposal(
            s,
            adapter,
            POLICY,
            proposal_id=out2.proposal_id,
            agent_id="acc_agent1",
            now=NOW,
            amount_cents=50_000,
        )
        assert edited.performed and edited.order.refunded_cents == 50_000
        assert edited.order.status == OrderStatus.PAID  # partly refunded
        p = await s.get(ShopProposal, out2.proposal_id)
        assert p is not None and (p.status, p.amount_cents) == ("edited", 50_000)


async def test_return_inside_window_then_tracking_refunds(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    e = demo["delivered_recent"]
    cust = Actor(kind="customer", id=e["external_id"])
    async with shop_sessions() as s, s.begin():
        adapter = DemoShopAdapter(s, FixedClock())
        kw = dict(customer_id=e["external_id"], order_id=e["order_id"], now=NOW)
        started = await perform_action(
            s,
            adapter,
            POLICY,
            actor=cust,
            request=ActionRequest(kind=ActionKind.RETURN, reason="no_reason"),
            **kw,  # type: ignore[arg-type]
        )
        assert started.performed and started.order.status == OrderStatus.RETURN_IN_PROGRESS
        early = await perform_action(
            s,
            adapter,
            POLICY,
            actor=cust,
            request=ActionRequest(kind=ActionKind.REFUND),
            **kw,  # type: ignore[arg-type]
        )
        assert (early.performed, early.verdict.rule) == (False, "return_needs_tracking")
        tracked = await perform_action(
            s,
            adapter,
            POLICY,
            actor=cust,
            request=ActionRequest(
                kind=ActionKind.SET_RETURN_TRACKING, return_tracking_number="YT1234567890123"
            ),
            **kw,  # type: ignore[arg-type]
        )
    assert tracked.performed and tracked.follow_up is not None
    assert tracked.follow_up.verdict.rule == "return_tracked_refund"
    assert tracked.order.status == OrderStatus.REFUNDED
    assert tracked.order.return_info and tracked.order.return_info.tracking_number == (
        "YT1234567890123"
    )
    async with shop_sessions() as s:
        rules = [a.rule for a in await list_actions(s, order_id=e["order_id"])]
    assert sorted(rules) == sorted(
        [
            "seven_day_no_reason",
            "return_needs_tracking",
            "return_tracking_recorded",
            "return_tracked_refund",
        ]
    )


async def test_worn_old_clothing_is_declined_and_recorded(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    e = demo["worn_clothing_old"]
    async with shop_sessions() as s, s.begin():
        out = await perform_action(
            s,
            DemoShopAdapter(s, FixedClock()),
            POLICY,
            customer_id=e["external_id"],
            order_id=e["order_id"],
            request=ActionRequest(kind=ActionKind.RETURN, reason="no_reason", condition="used"),
            actor=AI,
            now=NOW,
        )
    assert (out.performed, out.verdict.rule, out.verdict.human_review_offered) == (
        False,
        "outside_window_worn",
        True,
    )
    assert out.order.status == OrderStatus.DELIVERED
    async with shop_sessions() as s:
        n = await s.scalar(
            select(func.count()).select_from(ShopAction).where(ShopAction.outcome == "declined")
        )
    assert n == 1


async def test_where_is_my_parcel_and_order_choices(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    e = demo["in_transit"]
    async with shop_sessions() as s:
        adapter = DemoShopAdapter(s, FixedClock())
        status = await parcel_status(adapter, e["external_id"], e["order_id"])
        assert status is not None and status.latest is not None
        msg = parcel_message(status, "zh", SHOP_ZONE)
        assert status.latest.description_zh in msg and "预计" in msg
        assert status.order.tracking_number and status.order.tracking_number in msg
        assert "Expected by" in parcel_message(status, "en", SHOP_ZONE)
        orders = await customer_orders(adapter, demo["several_orders"]["external_id"])
        choices = order_choices(orders, "zh")
    assert len(choices) == len(orders) >= 2
    assert choices[0].payload == f"order:{orders[0].order_id}" and "¥" in choices[0].label


async def test_shop_facts_for_the_engine(shop_sessions: Sessions) -> None:
    demo = await _seeded(shop_sessions)
    async with shop_sessions() as s:
        adapter = DemoShopAdapter(s, FixedClock())
        vip = await load_shop_facts(adapter, demo["vip"]["external_id"])
        several = await load_shop_facts(adapter, demo["several_orders"]["external_id"])
        anon = await load_shop_facts(adapter, None)
    assert vip.tier == "vip" and len(vip.orders) == 1
    assert several.order(demo["several_orders"]["order_id"].lower()) is not None
    assert several.order(demo["unshipped"]["order_id"]) is None  # not theirs
    assert [o.created_at for o in several.orders] == sorted(
        (o.created_at for o in several.orders), reverse=True
    )
    assert anon.customer is None and anon.orders == ()
