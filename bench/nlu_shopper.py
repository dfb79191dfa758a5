"""The in-domain shopper set through the whole understanding step and the demo FAQ, with the
embeddings stored by bench/nlu_embed.py (so a run takes seconds, not minutes).

    python -m bench.nlu_shopper --part dev|test [--cache /work/cache/nlu/emb] [--lexical]
        [--models DIR]   # a model folder other than the shipped one (e.g. a candidate build)

Same code path as `tandem nlu eval --data FILE` and `tandem kb eval --shopper FILE`, which
encode live.
"""

from __future__ import annotations

import argparse
import json
import pathlib
from collections import Counter

from tandem.knowledge.evaluate import DEMO_FAQ, evaluate_kb, read_jsonl, shopper_queries
from tandem.understanding import load_understanding
from tandem.understanding.encoder import NullEncoder, StoredEncoder, VectorStore, load_encoder
from tandem.understanding.training import evaluate_shopper, read_shopper

DATA = pathlib.Path(__file__).parents[1] / "src/tandem/evaluation/data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", default="dev")
    ap.add_argument("--cache", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/emb"))
    ap.add_argument("--lexical", action="store_true")
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--models", type=pathlib.Path, default=None)
    args = ap.parse_args()
    enc = (
        NullEncoder("--lexical")
        if args.lexical
        else StoredEncoder(VectorStore(args.cache), load_encoder())
    )
    u = load_understanding(args.models, encoder=enc)
    path = DATA / f"shopper_{args.part}.jsonl"
    rows = read_shopper(path)
    result = evaluate_shopper(u, rows)
    result["encoder"] = u.encoder_status()
    print(json.dumps(result, ensure_ascii=False))
    if args.errors:
        conf: Counter[tuple[str, str]] = Counter()
        for r in rows:
            a = u.analyze(r.text)
            if a.act != r.act:
                conf[(r.act, a.act)] += 1
                print("ACT", r.act, a.act, r.text)
            if a.intent != r.intent:
                print("INTENT", r.intent, a.intent, round(a.confidence, 2), r.text)
        print(conf)
    kb = read_jsonl(DEMO_FAQ)
    queries = shopper_queries([json.loads(x) for x in path.read_text("utf-8").splitlines() if x])
    print(json.dumps(evaluate_kb(kb, queries, encoder=enc), ensure_ascii=False))


if __name__ == "__main__":
    main()
