"""CPU of one analytics fold after each batch of AI-answered conversations on the demo.

    python -m bench.analytics_fold [ROUNDS]

Migrates and seeds a demo data directory (`TANDEM_DATA_DIR`, a fresh one per run) as `tandem
demo` does; each round opens len(AI_TEXTS) conversations, takes one AI turn in each, then folds
(`analytics.refresh`) and prints the fold's CPU. The server folds every
TANDEM_ANALYTICS_FOLD_SECONDS; the first fold builds and compiles, the rest are the steady cost.
Compare two checkouts by running each with its own PYTHONPATH, back to back.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime


async def main(rounds: int) -> None:
    from bench.load import AI_TEXTS
    from tandem.analytics.refresh import refresh
    from tandem.config import Settings
    from tandem.conversations.schemas import OpenConversationIn, SendMessageIn
    from tandem.conversations.service import open_conversation
    from tandem.db.migrate import upgrade
    from tandem.demo import seed_demo
    from tandem.services import build_services
    from tandem.turns.service import take_customer_turn

    settings = Settings()
    services = build_services(settings)
    await upgrade(settings, services.engine)
    await seed_demo(services)
    serial = 0
    folds: list[float] = []
    try:
        for _ in range(rounds):
            for text in AI_TEXTS:
                async with services.unit_of_work() as uow:
                    c, token = await open_conversation(uow, settings, OpenConversationIn())
                await take_customer_turn(
                    services,
                    services.turn_deps,
                    services.turn_gate,
                    c.id,
                    token,
                    SendMessageIn(text=text, client_msg_id=f"m{serial}"),
                )
                serial += 1
            cpu = time.process_time()
            async with services.unit_of_work() as uow:
                await refresh(uow.session, datetime.now(UTC))
            folds.append(1000 * (time.process_time() - cpu))
    finally:
        await services.engine.dispose()
    steady = folds[1:] or folds
    print(
        f"fold CPU ms: first {folds[0]:.0f}, then median {statistics.median(steady):.0f} "
        f"(min {min(steady):.0f}, max {max(steady):.0f}) over {len(steady)} folds of "
        f"{len(AI_TEXTS)} new conversations"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 9))
