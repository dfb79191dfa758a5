"""What rewording costs a customer turn: the same turns with the LLM off (baseline) and on,
in one run, against a local OpenAI-compatible server that answers at once (so the figure is
our own overhead: the prompt, the HTTP round trip on loopback, streaming, the guard, the call
record — a real model adds its own latency, bounded by TANDEM_LLM_TIMEOUT_SECONDS).

    .venv/bin/python -m bench.llm_turn --turns 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.progress import Progress
from tests.llm.fake_openai import FakeOpenAI, serve_fake

from tandem.config import Settings
from tandem.conversations.schemas import OpenConversationIn, SendMessageIn
from tandem.conversations.service import open_conversation
from tandem.db.migrate import upgrade
from tandem.demo import seed_demo
from tandem.knowledge.service import load_index
from tandem.services import build_services
from tandem.turns.service import take_customer_turn

TEXTS = [
    "怎么开发票",
    "你们发什么快递",
    "衣服尺码怎么选",
    "你好",
    "谢谢",
    "how do I get an invoice",
]


async def run(turns: int) -> dict[str, object]:
    async with serve_fake(FakeOpenAI(mode="cycle")) as fake:
        data = Path(tempfile.mkdtemp(prefix="tandem-bench-llm-"))
        settings = Settings(data_dir=data, llm_base_url=fake.url, log_level="warning")
        services = build_services(settings)
        await upgrade(settings, services.engine)
        await seed_demo(services)
        async with services.sessions() as session:
            await load_index(session, services.knowledge)
        wordsmith = services.extras["wordsmith"]
        timings: dict[str, list[float]] = {"off": [], "on": []}
        with Progress() as progress:
            task = progress.add_task("turns", total=2 * turns)
            for i in range(turns):
                # Alternate off and on, so both see the same machine load.
                for mode in ("off", "on"):
                    services.extras["wordsmith"] = wordsmith if mode == "on" else None
                    async with services.unit_of_work() as uow:
                        conversation, token = await open_conversation(
                            uow, settings, OpenConversationIn()
                        )
                    started = time.perf_counter()
                    await take_customer_turn(
                        services,
                        services.turn_deps,
                        services.turn_gate,
                        conversation.id,
                        token,
                        SendMessageIn(text=TEXTS[i % len(TEXTS)]),
                    )
                    timings[mode].append((time.perf_counter() - started) * 1000)
                    progress.advance(task)
        await wordsmith.aclose()
        await services.engine.dispose()

    def q(xs: list[float], p: float) -> float:
        return round(statistics.quantiles(xs, n=100)[int(p) - 1], 1)

    return {
        "turns_each": turns,
        "off_ms": {"p50": q(timings["off"], 50), "p95": q(timings["off"], 95)},
        "on_ms": {"p50": q(timings["on"], 50), "p95": q(timings["on"], 95)},
        "llm_calls": len(fake.calls),
        "machine": f"{platform.machine()} Python {platform.python_version()}",
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    }


def main() -> None:
    # The fake fails one call in four on purpose; its warnings are not news here.
    logging.getLogger("tandem.llm").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.turns)), ensure_ascii=False))


if __name__ == "__main__":
    main()
