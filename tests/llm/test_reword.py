"""The LLM rewords the engine's replies through the API, against the fake OpenAI-compatible
server: used when the guard passes it, the template at once when it hallucinates, stalls,
fails or is over budget; the engine's decisions are the same with it on or off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tandem.config import Settings
from tandem.identity.signing import sign_external_id
from tandem.llm.models import LlmCall
from tandem.shop.seed import SITUATIONS
from tests.llm.fake_openai import HALLUCINATION, FakeOpenAI

pytestmark = pytest.mark.asyncio
PRICE_IN, PRICE_OUT = 0.002, 0.008


@pytest.fixture
def settings(tmp_path: Path, db_url: str, fake_llm: FakeOpenAI) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=db_url,
        argon2_time_cost=1,
        argon2_memory_cost=64,
        rate_limit_per_minute=1000,
        log_level="warning",
        llm_base_url=fake_llm.url,
        llm_model="fake-qwen",
        llm_timeout_seconds=0.5,
        llm_price_input_per_1k_tokens=PRICE_IN,
        llm_price_output_per_1k_tokens=PRICE_OUT,
    )


async def _calls(server: Any) -> list[LlmCall]:
    async with server.services.sessions() as session:
        return list((await session.scalars(select(LlmCall).order_by(LlmCall.id))).all())


async def test_a_faithful_rewording_reaches_the_customer_and_is_recorded(
    server: Any, open_customer: Any, fake_llm: FakeOpenAI
) -> None:
    customer = await open_customer()
    r = await customer.say("怎么开发票")
    assert r.status_code == 201, r.text
    reply = r.json()["replies"][0]["text"]
    calls = await _calls(server)
    assert len(calls) == 1
    call = calls[0]
    assert call.outcome == "used" and call.purpose == "reword"
    assert reply == "亲，" + call.template
    assert "发票" in reply
    # The fake reports usage as characters: prompt and completion lengths.
    prompt = "\n".join(m["content"] for m in fake_llm.calls[0]["messages"])
    assert call.prompt_tokens == len(prompt)
    assert call.completion_tokens == len(reply)
    expected_cost = len(prompt) / 1000 * PRICE_IN + len(reply) / 1000 * PRICE_OUT
    assert call.cost_yuan == pytest.approx(expected_cost, abs=1e-6)
    assert len(call.prompt_hash) == 64 and call.conversation_id == customer.id
    assert fake_llm.calls[0]["stream"] is True


@pytest.mark.parametrize(
    ("mode", "outcome"),
    [("hallucinate", "rejected"), ("stall", "timeout"), ("fail", "error"), ("garbage", "error")],
)
async def test_anything_but_a_sound_rewording_gives_the_template(
    server: Any, open_customer: Any, fake_llm: FakeOpenAI, mode: str, outcome: str
) -> None:
    fake_llm.mode = mode
    customer = await open_customer()
    r = await customer.say("怎么开发票")
    assert r.status_code == 201, r.text
    reply = r.json()["replies"][0]["text"]
    [call] = await _calls(server)
    assert call.outcome == outcome
    assert reply == call.template
    assert HALLUCINATION["zh"] not in reply and not reply.startswith("亲，")
    if mode == "hallucinate":
        assert {"promise:guarantee", "promise:tomorrow", "promise:compensation"} <= set(
            call.reasons or []
        )


async def test_non_streaming_endpoints_work_too(
    settings: Settings, server: Any, open_customer: Any, fake_llm: FakeOpenAI
) -> None:
    settings.llm_stream = False
    server.services.extras["wordsmith"].provider.streaming = False
    customer = await open_customer()
    r = await customer.say("怎么开发票")
    assert r.json()["replies"][0]["text"].startswith("亲，")
    assert fake_llm.calls[0]["stream"] is False


async def test_over_the_day_budget_the_model_is_not_asked(
    settings: Settings, server: Any, open_customer: Any, fake_llm: FakeOpenAI
) -> None:
    settings.llm_daily_budget_tokens = 1
    customer = await open_customer()
    first = (await customer.say("怎么开发票")).json()["replies"][0]["text"]
    second = (await customer.say("你们发什么快递")).json()["replies"][0]["text"]
    assert first.startswith("亲，")
    assert not second.startswith("亲，")
    assert len(fake_llm.calls) == 1
    assert [c.outcome for c in await _calls(server)] == ["used", "over_budget"]


TURNS = ["你好", "怎么开发票", "你们发什么快递", "我的快递到哪了", "谢谢"]


async def _run(client: httpx.AsyncClient, server: Any) -> tuple[list[Any], list[str]]:
    external_id = SITUATIONS["in_transit"].external_id
    signature = sign_external_id(server.services.settings.widget_secret, external_id)
    opened = (
        await client.post(
            "/api/v1/conversations",
            json={"customer": {"external_id": external_id, "signature": signature}},
        )
    ).json()
    headers = {"Authorization": f"Bearer {opened['customer_token']}"}
    texts = []
    for text in TURNS:
        r = await client.post(
            f"/api/v1/conversations/{opened['id']}/messages", json={"text": text}, headers=headers
        )
        texts += [m["text"] for m in r.json()["replies"]]
    async with httpx.AsyncClient(base_url=server.url) as lead:
        await lead.post("/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"})
        detail = (await lead.get(f"/api/v1/desk/conversations/{opened['id']}")).json()
    decisions = [
        (d["action"], d["rule"], d["intent"], d["handoff_reason"]) for d in detail["decisions"]
    ]
    return decisions + [detail["conversation"]["state"]], texts


async def test_the_engine_decides_the_same_with_the_model_on_or_off(
    server: Any, client: httpx.AsyncClient, fake_llm: FakeOpenAI
) -> None:
    on, said_on = await _run(client, server)
    templates = [c.template for c in await _calls(server)]
    wordsmith = server.services.extras.pop("wordsmith")
    try:
        off, said_off = await _run(client, server)
    finally:
        server.services.extras["wordsmith"] = wordsmith
    assert on == off
    # With the model off the customer reads exactly the templates the model was given.
    assert said_off == templates
    assert said_on == ["亲，" + t for t in templates]
    # The order status answer, with its tracking number, went through reworded.
    assert any("SF" in t and "运单号" in t for t in said_on)


async def test_supervisors_read_every_call_agents_may_not(
    server: Any, open_customer: Any, fake_llm: FakeOpenAI
) -> None:
    fake_llm.mode = "hallucinate"
    customer = await open_customer()
    await customer.say("怎么开发票")
    async with httpx.AsyncClient(base_url=server.url) as agent:
        await agent.post(
            "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
        )
        assert (await agent.get("/api/v1/llm/calls")).status_code == 403
    async with httpx.AsyncClient(base_url=server.url) as lead:
        await lead.post("/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"})
        body = (await lead.get("/api/v1/llm/calls")).json()
    assert body["enabled"] is True and body["model"] == "fake-qwen"
    assert body["today"]["calls"] == {"rejected": 1}
    [call] = body["calls"]
    assert call["outcome"] == "rejected" and HALLUCINATION["zh"] in call["output"]


async def test_an_agent_gets_a_checked_draft(
    server: Any, open_customer: Any, agent_client: httpx.AsyncClient, fake_llm: FakeOpenAI
) -> None:
    customer = await open_customer()
    await customer.say("怎么开发票")
    fake_llm.script = ["您好，发票可以在订单详情里申请，我们保证今天开出。"]
    r = await agent_client.post(f"/api/v1/llm/conversations/{customer.id}/draft")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["used"] is False and body["outcome"] == "rejected"
    assert "promise:guarantee" in body["reasons"] and "promise:today" in body["reasons"]
    assert "发票" in body["text"]  # the knowledge answer instead
