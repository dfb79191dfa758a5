"""A small OpenAI-compatible server for tests: `/v1/chat/completions`, plain or streamed, that
can be told to reword faithfully, hallucinate, stall, fail or send garbage (the one thing we
cannot run for real is a hosted model). Runs under uvicorn on a loopback port."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

# What a "hallucinating" model adds: a promise and an amount the sources never made.
HALLUCINATION = {
    "zh": "我们保证明天送达，并补偿您 50 元优惠券。",
    "en": "We guarantee delivery tomorrow and a 50 yuan coupon.",
}


def template_of(prompt: str) -> tuple[str, str]:
    """The template reply and its language from a reword prompt (or the facts of another)."""
    m = re.search(r"【模板回复】\n(.*?)\n\n【资料】", prompt, re.S)
    if m:
        return m.group(1), "zh"
    m = re.search(r"\[Template reply\]\n(.*?)\n\n\[Facts\]", prompt, re.S)
    if m:
        return m.group(1), "en"
    facts = re.findall(r"^- (.+)$", prompt, re.M)
    zh = bool(re.search(r"[\u4e00-\u9fff]", prompt[:40]))
    return (facts[0] if facts else ""), ("zh" if zh else "en")


def faithful(template: str, language: str) -> str:
    # A real rewording changes words; this one only adds a greeting, which keeps every
    # fact and every phrase the scenarios look for.
    return ("亲，" + template) if language == "zh" else ("Sure. " + template)


@dataclass
class FakeOpenAI:
    """`mode`: faithful | hallucinate | stall | fail | garbage | cycle (faithful, hallucinate,
    faithful, fail, …). `script`, when given, is used first, one answer per call."""

    mode: str = "faithful"
    script: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""
    usage: bool = True

    def answer(self, prompt: str) -> str | None:
        template, language = template_of(prompt)
        if self.script:
            return self.script.pop(0)
        mode = self.mode
        if mode == "cycle":
            mode = ("faithful", "hallucinate", "faithful", "fail")[(len(self.calls) - 1) % 4]
        if mode == "faithful":
            return faithful(template, language)
        if mode == "hallucinate":
            return faithful(template, language) + HALLUCINATION[language]
        if mode == "fail":
            return None
        return template

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.calls.append(body)
        prompt = "\n".join(m["content"] for m in body["messages"])
        mode = self.mode
        if mode == "stall":
            await self.released.wait()
        if mode == "garbage":
            return Response("this is not json", media_type="application/json")
        text = self.answer(prompt)
        if text is None:
            return JSONResponse({"error": {"message": "model overloaded"}}, status_code=503)
        usage = {"prompt_tokens": len(prompt), "completion_tokens": len(text)}
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": "cmpl-1",
                    "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
                    **({"usage": usage} if self.usage else {}),
                }
            )

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(0, len(text), 4):
                delta = {"choices": [{"index": 0, "delta": {"content": text[i : i + 4]}}]}
                yield f"data: {json.dumps(delta, ensure_ascii=False)}\n\n".encode()
            if self.usage:
                yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n".encode()
            yield b"data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")


@asynccontextmanager
async def serve_fake(fake: FakeOpenAI) -> AsyncIterator[FakeOpenAI]:
    app = Starlette(routes=[Route("/v1/chat/completions", fake.completions, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield fake
    finally:
        fake.released.set()
        server.should_exit = True
        await task
        sock.close()
