"""The LLM provider protocol and its one implementation: any OpenAI-compatible
`/v1/chat/completions` endpoint (DeepSeek, Qwen/DashScope, vLLM, Ollama, llama.cpp's server).

No retries here: a reply that is late is worse than the template, so the caller falls back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from tandem.llm.types import Message


class ProviderError(Exception):
    """The endpoint answered with an error, or with something that is not a completion."""


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    # Whether the endpoint reported the token counts (else they are estimates).
    usage_reported: bool = True


class Provider(Protocol):
    model: str

    async def complete(self, messages: Sequence[Message]) -> Completion: ...

    def stream(self, messages: Sequence[Message]) -> AsyncIterator[str]: ...

    async def aclose(self) -> None: ...


def estimate_tokens(text: str) -> int:
    # About one token per CJK character and per four Latin characters: for the budget only
    # when an endpoint does not report usage.
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    return cjk + max(0, len(text) - cjk) // 4 + 1


class OpenAICompatible:
    """Chat completions over HTTP. `stream=True` reads server-sent events chunk by chunk (so a
    stall is noticed by the caller's deadline while the text arrives)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        stream: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        base = base_url.rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # The caller's deadline bounds every call; httpx's own timeout is only a backstop.
        self._client = httpx.AsyncClient(
            base_url=base, headers=headers, timeout=httpx.Timeout(60.0), transport=transport
        )
        self.model = model
        self.streaming = stream

    async def aclose(self) -> None:
        await self._client.aclose()

    def _body(self, messages: Sequence[Message], stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "temperature": 0.3,
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    async def complete(self, messages: Sequence[Message]) -> Completion:
        if self.streaming:
            return await self._complete_streaming(messages)
        r = await self._client.post("/chat/completions", json=self._body(messages, False))
        if r.status_code >= 400:
            raise ProviderError(f"HTTP {r.status_code}: {r.text[:200]}")
        try:
            data = r.json()
            text = data["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise ProviderError(f"not a chat completion: {r.text[:200]}") from e
        usage = data.get("usage") or {}
        prompt = "".join(m["content"] for m in messages)
        return Completion(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens") or estimate_tokens(prompt)),
            completion_tokens=int(usage.get("completion_tokens") or estimate_tokens(text)),
            usage_reported=bool(usage),
        )

    async def _complete_streaming(self, messages: Sequence[Message]) -> Completion:
        parts: list[str] = []
        usage: dict[str, Any] = {}
        async for chunk in self._events(messages):
            if chunk.get("usage"):
                usage = chunk["usage"]
            for choice in chunk.get("choices") or ():
                delta = (choice.get("delta") or {}).get("content")
                if delta:
                    parts.append(delta)
        text = "".join(parts)
        prompt = "".join(m["content"] for m in messages)
        return Completion(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens") or estimate_tokens(prompt)),
            completion_tokens=int(usage.get("completion_tokens") or estimate_tokens(text)),
            usage_reported=bool(usage),
        )

    async def stream(self, messages: Sequence[Message]) -> AsyncIterator[str]:
        """The text as it arrives, delta by delta."""
        async for chunk in self._events(messages):
            for choice in chunk.get("choices") or ():
                delta = (choice.get("delta") or {}).get("content")
                if delta:
                    yield delta

    async def _events(self, messages: Sequence[Message]) -> AsyncIterator[dict[str, Any]]:
        async with self._client.stream(
            "POST", "/chat/completions", json=self._body(messages, True)
        ) as r:
            if r.status_code >= 400:
                body = (await r.aread()).decode("utf-8", "replace")
                raise ProviderError(f"HTTP {r.status_code}: {body[:200]}")
            kind = r.headers.get("content-type", "")
            if not kind.startswith("text/event-stream"):
                body = (await r.aread()).decode("utf-8", "replace")
                raise ProviderError(
                    f"asked for a stream, got {kind or 'no content type'}: {body[:200]}"
                )
            async for line in r.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    yield json.loads(data)
                except ValueError as e:
                    raise ProviderError(f"not a server-sent chunk: {data[:200]}") from e
