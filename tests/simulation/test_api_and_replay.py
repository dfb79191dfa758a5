"""The what-if API (supervisors only, clear 4xx errors) and the replay of recorded
conversations, both against the real app on a real database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from tandem.simulation.bots import EngineServices
from tandem.simulation.replay import replay_period


async def login(client: httpx.AsyncClient, username: str) -> None:
    r = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": "tandem-demo"}
    )
    assert r.status_code == 200, r.text


async def test_a_supervisor_runs_a_what_if(client: httpx.AsyncClient) -> None:
    await login(client, "lead")
    r = await client.post(
        "/api/v1/simulate",
        json={"traffic": "normal_day", "scale": 0.2, "hours": 6, "agents": 3, "seed": 2},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [f["policy"] for f in body["figures"]] == [
        "human-only",
        "ai-only",
        "naive-bot",
        "tandem",
    ]
    counts = {f["conversations"] for f in body["figures"]}
    assert len(counts) == 1 and counts.pop() > 0
    again = await client.post(
        "/api/v1/simulate",
        json={"traffic": "normal_day", "scale": 0.2, "hours": 6, "agents": 3, "seed": 2},
    )
    assert again.json()["figures"] == body["figures"]


async def test_an_agent_may_not_and_bad_input_says_what_to_fix(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/simulate", json={})
    assert r.status_code == 401
    await login(client, "agent1")
    r = await client.post("/api/v1/simulate", json={})
    assert r.status_code == 403
    await login(client, "lead")
    r = await client.post("/api/v1/simulate", json={"traffic": "black_friday"})
    assert r.status_code == 422
    assert r.json()["message"].startswith("未知的流量曲线")
    r = await client.post("/api/v1/simulate", json={"policies": ["tandem", "magic"]})
    assert r.status_code == 422 and "magic" in r.json()["message"]
    r = await client.post("/api/v1/simulate", json={"traffic": "double11", "scale": 10})
    assert r.status_code == 422 and "tandem simulate compare" in r.json()["message"]


async def test_replay_reports_hand_offs_a_changed_policy_adds(
    open_customer,
    services,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    # Two recorded conversations: a knowledge question the AI answered, a person requested.
    a = await open_customer()
    r = await a.say("付款后多久发货？")
    assert r.status_code == 201, r.text
    b = await open_customer()
    assert (await b.say("转人工")).status_code == 201
    async with services.sessions() as session:
        now = services.clock.now()
        since, until = now - timedelta(hours=1), now + timedelta(hours=1)
        same = await replay_period(
            session,
            services.shop.adapter(session),
            EngineServices(services.understanding, services.knowledge, services.shop.policy),
            since,
            until,
        )
        # The same policy and knowledge: nothing changes.
        assert (same.conversations, same.turns, same.changed_turns) == (2, 2, 0)
        assert (same.handoffs_recorded, same.handoffs_added, same.handoffs_avoided) == (1, 0, 0)
        # A knowledge base without the shipping entries: the first question is no longer
        # answered from it (the decision differs).
        entries = [e for e in services.knowledge.entries() if e.intent != "shipping_info"]
        changed = await replay_period(
            session,
            services.shop.adapter(session),
            EngineServices.build(entries=entries),
            since,
            until,
        )
    assert changed.turns == 2
    assert changed.changed_turns == 1
    assert changed.examples[0].recorded == "reply/knowledge_answer"
    assert changed.examples[0].replayed != "reply/knowledge_answer"
    # The explicit request is honoured whatever the knowledge: still one hand-off.
    assert changed.handoffs_recorded == 1
    assert changed.handoffs_replayed - changed.handoffs_added == 1
