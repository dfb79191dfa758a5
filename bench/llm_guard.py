"""The fact guard on the evaluation set: how many wrong replies it catches, how many correct
ones it lets through, by kind; against a baseline measured in the same run (a guard that
checks numbers only, the obvious first idea).

    .venv/bin/python -m bench.llm_guard --cases tests/llm/fixtures/guard_cases.jsonl
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import track
from rich.table import Table

from bench.llm_guard_cases import PRODUCTS
from tandem.llm.guard import Sources, Verdict, check, numbers


def numbers_only(text: str, sources: Sources, language: str) -> Verdict:
    extra = numbers(text) - numbers(sources.joined)
    return Verdict(not extra, ("number",) if extra else ())


def run(cases: list[dict[str, Any]], guard: Any) -> tuple[dict[tuple[str, bool], list[int]], float]:
    tally: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0, 0])
    started = time.perf_counter()
    for c in cases:
        sources = Sources((c["template"], *c["facts"]), tuple(PRODUCTS), c["language"])
        verdict = guard(c["text"], sources, c["language"])
        right = verdict.ok == c["expect_ok"]
        key = (c["kind"], bool(c.get("heldout")))
        tally[key][0] += int(right)
        tally[key][1] += 1
    return tally, (time.perf_counter() - started) / len(cases) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=Path, required=True)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.cases.read_text("utf-8").splitlines() if line]
    console = Console()
    for _ in track(range(1), description="checking", console=console):
        ours, us = run(cases, check)
        base, base_us = run(cases, numbers_only)
    table = Table(title=f"fact guard on {len(cases)} replies ({args.cases.name})")
    for col in ("kind", "set", "n", "guard", "numbers-only baseline"):
        table.add_column(col)
    totals = {"bad": [0, 0, 0], "ok": [0, 0, 0]}
    for key in sorted(ours):
        kind, held = key
        right, n = ours[key]
        b_right = base[key][0]
        verb = "passed" if kind == "correct" else "caught"
        table.add_row(
            kind,
            "held-out" if held else "built",
            str(n),
            f"{verb} {right}/{n} ({right / n:.0%})",
            f"{b_right}/{n} ({b_right / n:.0%})",
        )
        t = totals["ok" if kind == "correct" else "bad"]
        t[0] += right
        t[1] += n
        t[2] += b_right
    console.print(table)
    bad, ok = totals["bad"], totals["ok"]
    console.print(
        f"wrong replies caught: {bad[0]}/{bad[1]} ({bad[0] / bad[1]:.1%}); baseline {bad[2]}/{bad[1]} ({bad[2] / bad[1]:.1%})"
    )
    console.print(
        f"correct replies passed: {ok[0]}/{ok[1]} ({ok[0] / ok[1]:.1%}); baseline {ok[2]}/{ok[1]} ({ok[2] / ok[1]:.1%})"
    )
    console.print(f"time per check: guard {us:.0f} µs, baseline {base_us:.0f} µs")
    console.print(
        f"{platform.machine()} {platform.python_version()} {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    if args.show_misses:
        for c in cases:
            sources = Sources((c["template"], *c["facts"]), tuple(PRODUCTS), c["language"])
            v = check(c["text"], sources, c["language"])
            if v.ok != c["expect_ok"]:
                console.print(f"[red]{c['kind']}[/red] {c['text']} {v.reasons}")


if __name__ == "__main__":
    main()
