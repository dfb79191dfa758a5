"""Build answer-or-abstain files (KB + queries) from a question-matching pair file.

    python bench/kb_build_lcqmc.py --pairs /work/shared/data/lcqmc/dev.jsonl --part held \
        --out-kb /tmp/lcqmc_kb.jsonl --out-queries /tmp/lcqmc_queries.jsonl

Pairs labelled 1 are paraphrases: their connected components are clusters. For each cluster
one member (the shortest, ties by text) becomes a KB entry and the other members become
queries expecting it. A quarter of the clusters (chosen by hash) are held out whole: their
members become queries expecting no answer. This is the construction the issue describes.
`--distractors` also puts the texts that sit only in pairs labelled 0 into the KB: they are
hard negatives (lexically close, different question), a much harder variant.

`--part train|held|all` keeps one half of the file as cut by `tandem.knowledge.train`
(connected components of all pairs, hashed): figures are reported on `held`; the matcher's
answer threshold is chosen on files built from `train`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from tandem.knowledge.train import Pair, component_keys, read_pairs


def _bucket(key: str, salt: str) -> int:
    return int(hashlib.md5((salt + key).encode("utf-8")).hexdigest(), 16) % 100


def build(
    pairs: list[Pair], holdout_percent: int = 25, distractors: bool = False
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    positives = [(p.text_a, p.text_b) for p in pairs if p.label == 1]
    clusters = component_keys(positives)
    members: dict[str, list[str]] = {}
    for text, key in clusters.items():
        members.setdefault(key, []).append(text)
    in_positive = set(clusters)
    kb: list[dict[str, object]] = []
    queries: list[dict[str, object]] = []
    for n, key in enumerate(sorted(members)):
        texts = sorted(members[key], key=lambda t: (len(t), t))
        if _bucket(key, "holdout") < holdout_percent:
            queries.extend({"text": t, "expected_id": None} for t in texts)
            continue
        entry_id = f"c{n}"
        kb.append({"id": entry_id, "question": texts[0], "answer": f"[answer for: {texts[0]}]"})
        queries.extend({"text": t, "expected_id": entry_id} for t in texts[1:])
    if not distractors:
        return kb, queries
    negatives = sorted(
        {t for p in pairs if p.label == 0 for t in (p.text_a, p.text_b)} - in_positive
    )
    for n, text in enumerate(negatives):
        kb.append({"id": f"d{n}", "question": text, "answer": f"[answer for: {text}]"})
    return kb, queries


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pairs", required=True, type=Path)
    ap.add_argument("--part", choices=["train", "held", "all"], default="held")
    ap.add_argument("--holdout-percent", type=int, default=25)
    ap.add_argument("--distractors", action="store_true", help="add label-0 texts to the KB")
    ap.add_argument("--out-kb", required=True, type=Path)
    ap.add_argument("--out-queries", required=True, type=Path)
    args = ap.parse_args()
    spec = str(args.pairs) if args.part == "all" else f"{args.pairs}#{args.part}"
    kb, queries = build(read_pairs(spec), args.holdout_percent, args.distractors)
    for path, rows in ((args.out_kb, kb), (args.out_queries, queries)):
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    answerable = sum(1 for q in queries if q["expected_id"] is not None)
    print(json.dumps({"kb": len(kb), "queries": len(queries), "answerable": answerable}))


if __name__ == "__main__":
    main()
