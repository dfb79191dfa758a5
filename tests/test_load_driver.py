"""The load driver's agent (bench/load.py) outlives a broken connection: a request that meets a
connection the server closed (httpx.ReadError, the keep-alive race) is sent again once with the
same client_msg_id, and one that fails again is counted and the agent goes on."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import httpx
from bench.load import AI_TEXTS, Tandem, _agent_loop, ai_conversations, ai_turn


async def test_the_agent_survives_and_counts_read_errors() -> None:
    stop = asyncio.Event()
    calls: Counter[str] = Counter()
    message_ids: list[str] = []

    def desk(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        calls[path] += 1
        if path == "/api/v1/desk/conversations":
            return httpx.Response(200, json=[{"id": "c1", "state": "agent"}])
        if path.endswith("/messages"):
            message_ids.append(json.loads(request.content)["client_msg_id"])
            if calls[path] == 1:
                raise httpx.ReadError("connection closed", request=request)
            return httpx.Response(201, json={})
        # resolve: broken twice (the retry too), then done
        if calls[path] <= 2:
            raise httpx.ReadError("connection closed", request=request)
        stop.set()
        return httpx.Response(200, json={})

    errors: Counter[str] = Counter()
    async with httpx.AsyncClient(
        base_url="http://desk.test", transport=httpx.MockTransport(desk)
    ) as client:
        t = Tandem(client)
        await asyncio.wait_for(_agent_loop(t, {}, stop, errors), 10)

    assert errors == Counter({"agent: ReadError": 1})
    # The message's retry, the resolve's retry.
    assert t.retries == 2
    # The retried message kept its id; the second round answered again with a new one.
    assert message_ids[0] == message_ids[1] != message_ids[2]
    assert calls["/api/v1/desk/conversations/c1/resolve"] == 3


def test_the_ai_path_never_asks_a_question_twice_in_one_conversation() -> None:
    # 8 texts: 20 messages are conversations 0, 1 (8 each) and 2 (4), every text once in each.
    assert len(AI_TEXTS) == 8
    assert ai_conversations(20) == 3
    assert ai_conversations(8) == 1
    for worker in (0, 3, 31):
        turns = [ai_turn(worker, k) for k in range(20)]
        assert [n for n, _ in turns] == [0] * 8 + [1] * 8 + [2] * 4
        assert len(set(turns)) == 20
        assert {text for n, text in turns if n == 0} == set(AI_TEXTS)
        # Worker i starts at text i.
        assert turns[0][1] == AI_TEXTS[worker % 8]
