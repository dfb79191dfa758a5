"""The AI path of `bench.load` alone: `tandem demo` served at 1 and 8 concurrent (after a
warm-up), then the in-process turn, with the same driver code (`tandem_ai`, `in_process_ai`).
JSON lines, one per result. A server of another commit: extract it with `git archive` and
run with `PYTHONPATH=<extract>/src` (the in-process turn follows it too); alternate the
versions in one run, the machine being shared.

    .venv/bin/python -m bench.ai_only [PER_WORKER] [TURNS]
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bench import load


async def main(per_worker: int, turns: int) -> None:
    out = []
    with tempfile.TemporaryDirectory(prefix="ai-only-") as tmp:
        work = Path(tmp)
        _, tandem = load._servers(work)
        async with tandem:
            await load.tandem_ai(tandem, 8, 2)  # warm-up: caches, the first fold
            for concurrency in (1, 8):
                out.append(await load.tandem_ai(tandem, concurrency, per_worker))
        out.append(load.in_process_ai(work, load._tandem_env(work), turns))
    for r in out:
        print(json.dumps(asdict(r)))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(args + [24, 160][len(args) :])))
