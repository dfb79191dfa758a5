"""Shop: demo seed time, policy evaluations per second, and recorded actions end to end.

Builds a fresh database (SQLite in a temporary directory by default), seeds the demo shop,
then measures:
- `seed_s`: seed_demo_shop (220 customers, ~470 orders) on the empty schema;
- `evaluate_per_s`: the pure policy over every demo order x every action kind;
- `action_ms_p50/p95`: perform_action through the demo adapter, one unit of work (read the
  order, apply the policy, act, record, commit) per action, on random customers' orders.
Prints one JSON object. Usage:

    .venv/bin/python -m bench.shop_actions [--actions 500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker, transaction
from tandem.shop.demo_adapter import DemoShopAdapter
from tandem.shop.models import ShopOrder
from tandem.shop.policy import evaluate
from tandem.shop.policy_config import load_policy
from tandem.shop.schemas import Actor
from tandem.shop.seed import seed_demo_shop
from tandem.shop.service import perform_action
from tandem.shop.types import ActionKind, ActionRequest, Address

REQUESTS = [
    ActionRequest(kind=ActionKind.CANCEL),
    ActionRequest(kind=ActionKind.REFUND),
    ActionRequest(kind=ActionKind.RETURN, reason="no_reason"),
    ActionRequest(kind=ActionKind.EXCHANGE, reason="quality", evidence_urls=("u",)),
    ActionRequest(kind=ActionKind.SET_RETURN_TRACKING, return_tracking_number="YT1234567890"),
    ActionRequest(
        kind=ActionKind.CHANGE_ADDRESS,
        new_address=Address(
            recipient="李四",
            phone="13900000000",
            province="上海市",
            city="上海市",
            line="南京东路 1 号",
        ),
    ),  # fmt: skip
    ActionRequest(kind=ActionKind.URGE_SHIPPING),
]


class _Clock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


async def run(actions: int, database_url: str | None) -> dict[str, object]:
    now = datetime.now(UTC)
    policy = load_policy()
    with tempfile.TemporaryDirectory() as d:
        settings = Settings(data_dir=Path(d), database_url=database_url)
        engine = build_engine(settings)
        await upgrade(settings, engine)
        sessions = build_sessionmaker(engine)
        t = time.perf_counter()
        async with transaction(sessions) as s:
            await seed_demo_shop(s, now=now)
        seed_s = time.perf_counter() - t

        async with sessions() as s:
            ids = list(await s.execute(select(ShopOrder.customer_id, ShopOrder.id)))
            adapter = DemoShopAdapter(s, _Clock(now))
            orders = [await adapter.get_order(c, o) for c, o in ids]
        loaded = [o for o in orders if o is not None]
        t = time.perf_counter()
        evaluations = 0
        for _ in range(20):
            for order in loaded:
                for request in REQUESTS:
                    evaluate(request, order, policy, now)
                    evaluations += 1
        eval_rate = evaluations / (time.perf_counter() - t)

        rng = random.Random(7)
        latencies: list[float] = []
        outcomes: dict[str, int] = {}
        for _ in range(actions):
            customer_id, order_id = rng.choice(ids)
            request = rng.choice(REQUESTS)
            t = time.perf_counter()
            async with transaction(sessions) as s:
                out = await perform_action(
                    s,
                    DemoShopAdapter(s, _Clock(now)),
                    policy,
                    customer_id=customer_id,
                    order_id=order_id,
                    request=request,
                    actor=Actor(kind="ai", id="bench"),
                    now=now,
                )
            latencies.append((time.perf_counter() - t) * 1000)
            outcomes[out.verdict.outcome] = outcomes.get(out.verdict.outcome, 0) + 1
        await engine.dispose()
    q = statistics.quantiles(latencies, n=20)
    return {
        "database": settings.sqlalchemy_url.split("://")[0],
        "orders": len(ids),
        "seed_s": round(seed_s, 3),
        "evaluate_per_s": round(eval_rate),
        "actions": actions,
        "action_ms_p50": round(statistics.median(latencies), 2),
        "action_ms_p95": round(q[18], 2),
        "outcomes": outcomes,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.actions, args.database_url)), ensure_ascii=False))


if __name__ == "__main__":
    main()
