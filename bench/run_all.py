"""Run every benchmark in bench/ (what `make bench` runs), one after the other, each in its own
process, and say which ran, which failed and which need a data set you did not give.

    .venv/bin/python -m bench.run_all [--quick] [--data-dir DIR] [--only NAME,NAME]

`--quick` runs the small sizes (a couple of minutes in all), for checking that they run; the
figures for docs/benchmarks.md come from the full run. Benchmarks on public data sets
(LCQMC, CLINC150, CSDS, ...) run only with `--data-dir`, the folder that holds them; each is
then given its files by the table below. A benchmark added to bench/ and not in the table runs
with no arguments (and `--quick` when its source mentions that option).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Bench:
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    # Arguments naming files under --data-dir ("{data}" is replaced); None: needs no data.
    data: tuple[str, ...] | None = None
    notes: str = ""


KNOWN: dict[str, Bench] = {
    "api_throughput": Bench(quick=("--messages", "200", "--concurrency", "8")),
    "desk_waits": Bench(quick=("--loads", "0.95", "--hours", "0.5")),
    "shop_actions": Bench(quick=("--actions", "50")),
    "routing_erlang": Bench(quick=("--arrivals", "2000")),
    "routing_rounds": Bench(),
    # The 66 hand-off chats (about 15 s); its SMP2020-EWECT part is run by hand with
    # `--smp DIR` (about 6 minutes with the encoder: long Weibo posts).
    "packet_emotion": Bench(),
    "routing_waits": Bench(quick=("--loads", "0.95")),
    "kb_scale": Bench(
        full=("--sizes", "1000,10000,100000"), quick=("--sizes", "1000", "--queries", "50")
    ),
    "nlu_bench": Bench(data=("--data", "{data}"), notes="intent sets (CLINC150, ...)"),
    "nlu_latency": Bench(data=("--data", "{data}/clinc150/dev.jsonl"), quick=("--limit", "300")),
    "nlu_encoder": Bench(data=("--data", "{data}", "--set", "clinc150")),
    "summary_csds": Bench(data=("--data", "{data}/csds/dev.jsonl"), quick=("--no-cv",)),
    "kb_build_lcqmc": Bench(data=("--pairs", "{data}/lcqmc/dev.jsonl")),
    # PostgreSQL + Redis started on loopback from the installed binaries (issue 17).
    "workers": Bench(quick=("--quick",)),
    "soak": Bench(quick=("--quick",)),
}
# kb_split_pairs writes a split for the others: a helper, not a measurement.
SKIP = {"__init__", "run_all", "kb_split_pairs"}


def discover() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in SKIP)


def command(name: str, quick: bool, data_dir: Path | None) -> list[str] | str:
    """The command line for `name`, or the reason it cannot run."""
    bench = KNOWN.get(name)
    if bench is None:
        source = (HERE / f"{name}.py").read_text(encoding="utf-8")
        if "required=True" in source:
            return "needs arguments: add it to bench/run_all.py's table"
        args = ("--quick",) if quick and "--quick" in source else ()
        return [sys.executable, "-m", f"bench.{name}", *args]
    args: list[str] = []
    if bench.data is not None:
        if data_dir is None:
            return f"needs --data-dir ({bench.notes or ' '.join(bench.data)})"
        args += [a.replace("{data}", str(data_dir)) for a in bench.data]
    args += bench.quick if quick else bench.full
    return [sys.executable, "-m", f"bench.{name}", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: check they run")
    parser.add_argument("--data-dir", type=Path, help="folder with the public data sets")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    console = Console()
    names = discover()
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = wanted - set(names)
        if unknown:
            raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}: see bench/")
        names = [n for n in names if n in wanted]
    results: list[tuple[str, str, float]] = []
    for n, name in enumerate(names, 1):
        cmd = command(name, args.quick, args.data_dir)
        if isinstance(cmd, str):
            results.append((name, f"skipped: {cmd}", 0.0))
            continue
        console.rule(f"[bold]{n}/{len(names)} {name}[/bold]  {' '.join(cmd[3:])}")
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=HERE.parent, check=False)
        took = time.perf_counter() - started
        results.append(
            (name, "ok" if done.returncode == 0 else f"failed ({done.returncode})", took)
        )
    table = Table(title="bench/" + (" (quick)" if args.quick else ""))
    table.add_column("benchmark")
    table.add_column("result")
    table.add_column("seconds", justify="right")
    for name, result, took in results:
        table.add_row(name, result, f"{took:.1f}" if took else "")
    console.print(table)
    if any(r.startswith("failed") for _, r, _ in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
