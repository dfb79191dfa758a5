"""The public sets on the subsamples whose embeddings bench/nlu_embed.py stored: lexical heads
vs heads over [n-grams ; e5], same training code as `tandem nlu train [--encoder]`.

    python -m bench.nlu_public [--cache /work/cache/nlu/emb] [--sub /work/cache/nlu/sub]
    python -m bench.nlu_public --full /work/shared/data [--max-train 10000] [--only NAME]
        [--dense-scale S] [--variant e5]

`--full DIR` reads the public files themselves (train on the training portion, score the
whole public dev portion; training portions above `--max-train` rows are cut to that many by
a fixed-seed label-stratified sample) and encodes what the cache lacks with a progress bar,
storing it in `--cache` so the next run reads it back; `--cached-only` instead keeps only the
rows the cache holds (a fixed part of a portion encoded with `bench.nlu_embed --part`).

Training uses the training subsample only (calibration and the oos floor on 15 % hold-outs of
it); the dev subsample is only scored. BANKING77 has no dev set here: its subsample is cut
80/20 by label. Pairs and the LCQMC-built KB use the held halves (`#held`).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bench.nlu_bench import split_banking
from bench.nlu_embed import sample_rows
from tandem.knowledge.dense import SHOP, DenseLayers
from tandem.knowledge.evaluate import evaluate_kb, evaluate_pairs, read_jsonl
from tandem.knowledge.train import read_pairs
from tandem.understanding.abuse import train_abuse
from tandem.understanding.encoder import (
    StoredEncoder,
    VectorStore,
    encoder_input,
    load_encoder,
)
from tandem.understanding.features import FeatureConfig
from tandem.understanding.linear import TrainOptions
from tandem.understanding.normalize import normalize
from tandem.understanding.training import Example, evaluate_task, train_task


def _rows(path: pathlib.Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]


def _examples(rows: list[dict[str, Any]]) -> list[Example]:
    return [Example(str(r["text"]), str(r["label"])) for r in rows]


def _vectors(
    store: VectorStore, enc: StoredEncoder, rows: list[Example], name: str | None = None
) -> np.ndarray:
    texts = [normalize(r.text) for r in rows]
    if name is None:
        out = store.embed(texts, enc)
    else:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        ) as bar:
            job = bar.add_task(f"encoding {name}", total=None)

            def seen(done: int, total: int) -> None:
                bar.update(job, completed=done, total=total)

            out = store.embed(texts, enc, seen, save_as=name)
    assert out is not None
    return out


def _full_sets(
    data: pathlib.Path, max_train: int
) -> list[tuple[str, str, list[Example], list[Example], dict[str, Any]]]:
    """(name, task, train, scored, options) on the public portions themselves."""

    def load(rel: str, cap: int | None = None) -> list[Example]:
        path = data / rel
        rows = sample_rows(path, cap, "label") if cap else _rows(path)
        return _examples(rows)

    # BANKING77 has no dev portion here: the same 10 % stratified cut as bench/nlu_bench.py.
    bank_train, bank_dev = split_banking(load("banking77/train.jsonl"))
    return [
        (
            "clinc150",
            "intent",
            load("clinc150/train.jsonl", max_train),
            load("clinc150/dev.jsonl"),
            {},
        ),
        ("banking77", "intent", bank_train, bank_dev, {}),
        (
            "virus",
            "emotion",
            load("smp2020_ewect/virus_train.jsonl", max_train),
            load("smp2020_ewect/virus_dev.jsonl"),
            {"balanced": True},
        ),
        (
            "cold",
            "abuse",
            load("cold/train.jsonl", max_train),
            load("cold/dev.jsonl"),
            {"min_df": 2},
        ),
        (
            "shopping",
            "emotion",
            load("online_shopping_10_cats/train.jsonl", max_train),
            load("online_shopping_10_cats/dev.jsonl"),
            {"min_df": 2},
        ),
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/emb"))
    ap.add_argument("--sub", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/sub"))
    ap.add_argument("--tmp", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/models"))
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--variant", action="append", default=[], help="lexical / e5 (default both)")
    ap.add_argument("--full", type=pathlib.Path, default=None, help="public data directory")
    ap.add_argument("--max-train", type=int, default=10_000)
    ap.add_argument(
        "--cached-only",
        action="store_true",
        help="with --full: keep only the rows the cache holds (a part encoded: bench.nlu_embed "
        "--part K/N leaves a fixed sample), encode nothing",
    )
    ap.add_argument(
        "--dense-scale", type=float, default=None, help="the embedding's scale (TrainOptions)"
    )
    args = ap.parse_args()
    store = VectorStore(args.cache)
    enc = StoredEncoder(store, load_encoder())
    sub = args.sub
    out: dict[str, Any] = {}

    def cached(e: Example) -> bool:
        return (encoder_input(normalize(e.text)) or " ") in store.vectors

    def run(name: str, task: str, train: list[Example], test: list[Example], **kw: Any) -> None:
        if args.only and name not in args.only:
            return
        if args.full is not None and args.cached_only:
            train, test = [e for e in train if cached(e)], [e for e in test if cached(e)]
            print(f"{name}: {len(train)} training / {len(test)} scored rows cached", flush=True)
        elif args.full is not None:
            _vectors(store, enc, train + test, f"{name}-full")
        for variant in args.variant or ("lexical", "e5"):
            vec = _vectors(store, enc, train) if variant == "e5" else None
            scale = args.dense_scale if variant == "e5" else None
            model = train_task(task, train, vectors=vec, dense_scale=scale, **kw)
            d = args.tmp / f"{name}-{variant}-{args.dense_scale}"
            model.save(d)
            res = evaluate_task(
                task, d, test, (lambda t: enc.encode(normalize(t))) if variant == "e5" else None
            )
            keep = ("accuracy", "macro_f1", "in_scope_accuracy", "oos_recall", "top1_accuracy")
            out[f"{name}/{variant}"] = {k: res[k] for k in keep if k in res} | {
                "n": len(test),
                "n_train": len(train),
            }
            print(name, variant, out[f"{name}/{variant}"], flush=True)

    if args.full is not None:
        for name, task, train, test, kw in _full_sets(args.full, args.max_train):
            run(name, task, train, test, **kw)
        args.tmp.mkdir(parents=True, exist_ok=True)
        (args.tmp / "public_full.json").write_text(json.dumps(out, indent=1), "utf-8")
        return
    run(
        "clinc150",
        "intent",
        _examples(_rows(sub / "clinc150_train.jsonl")),
        _examples(_rows(sub / "clinc150_dev.jsonl")),
    )
    bank = _examples(_rows(sub / "banking77.jsonl"))
    rng = random.Random(5)
    rng.shuffle(bank)
    cut = int(len(bank) * 0.8)
    run("banking77", "intent", bank[:cut], bank[cut:])
    cold_train = _rows(sub / "cold_train.jsonl")
    cold_dev = _rows(sub / "cold_dev.jsonl")
    run("cold", "abuse", _examples(cold_train), _examples(cold_dev), min_df=2)
    if not args.only or "cold_topics" in args.only:
        # Topic leakage check: train on two COLD topics, score the third.
        for mask in (False, True):
            for variant in ("lexical", "e5"):
                accs = []
                for topic in ("race", "gender", "region"):
                    tr = [r for r in cold_train if r["topic"] != topic]
                    te = [r for r in cold_dev if r["topic"] == topic]
                    ex = _examples(tr)
                    vec = _vectors(store, enc, ex) if variant == "e5" else None
                    opts = TrainOptions(c=0.3, min_df=2, features=FeatureConfig(mask_groups=mask))
                    m = train_abuse(
                        [normalize(e.text) for e in ex], [e.label for e in ex], opts, vectors=vec
                    )
                    ok = 0
                    for r in te:
                        v = enc.encode(normalize(r["text"])) if variant == "e5" else None
                        ok += int(
                            (m.probability(normalize(r["text"]), None, v) >= 0.5)
                            == (r["label"] == 1)
                        )
                    accs.append(round(ok / len(te), 3))
                key = f"cold_held_out_topic/{variant}{'+mask' if mask else ''}"
                out[key] = accs
                print(key, "race/gender/region", accs, flush=True)
    if not args.only or "pairs" in args.only:
        shipped = DenseLayers.load()
        banking = shipped is not None and "banking" in dict(shipped.domains)
        for name, spec in (
            ("lcqmc", f"{sub}/lcqmc.jsonl#held"),
            ("bq", f"{sub}/bq.jsonl#held"),
            ("atec", f"{sub}/atec_dev.jsonl"),
        ):
            pairs = [
                {"text_a": p.text_a, "text_b": p.text_b, "label": p.label} for p in read_pairs(spec)
            ]
            # The product's (shop) layer on every set; the banking sets also by their own
            # domain's layer when one is shipped (knowledge/pair_train.py).
            domains = [SHOP] + (["banking"] if name in ("bq", "atec") and banking else [])
            for domain in domains:
                res = evaluate_pairs(pairs, encoder=enc, domain=domain)
                key = f"pairs/{name}" + ("" if domain == SHOP else f"/{domain}")
                out[key] = res
                print("pairs", name, domain, res, flush=True)
        kb = read_jsonl(sub / "lcqmc_kb_held.jsonl")
        queries = read_jsonl(sub / "lcqmc_q_held.jsonl")
        res = evaluate_kb(kb, queries, encoder=enc)
        out["kb/lcqmc_held"] = res
        print("kb lcqmc held", res, flush=True)
    args.tmp.mkdir(parents=True, exist_ok=True)
    (args.tmp / "public.json").write_text(json.dumps(out, indent=1), "utf-8")


if __name__ == "__main__":
    main()
