"""The relay path of `bench.load` alone: bare, then `tandem demo`, 1 and 12 desks, with the
same driver code (`bare_relay`, `tandem_relay`). JSON lines, one per result. A server of another
commit: extract it with `git archive` and run with `PYTHONPATH=<extract>/src`.

    .venv/bin/python -m bench.relay_only [MESSAGES] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bench import load


async def main(messages: int, rounds: int) -> None:
    out = []
    with tempfile.TemporaryDirectory(prefix="relay-only-") as tmp:
        bare, tandem = load._servers(Path(tmp))
        async with bare:
            for _ in range(rounds):
                for d in (1, 12):
                    out.append(await load.bare_relay(bare, d, messages))
        async with tandem:
            for _ in range(rounds):
                for d in (1, 12):
                    out.append(await load.tandem_relay(tandem, d, messages))
    for r in out:
        print(json.dumps(asdict(r)))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(args + [400, 1][len(args) :])))
