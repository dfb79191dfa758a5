"""The inverted index's postings lists and BM25 over them (index.py's first stage)."""

from __future__ import annotations

import math
from array import array

import numpy as np
import numpy.typing as npt

from tandem.knowledge.text import Prepared


class Postings:
    """Rows holding one term, with term frequencies: 6 bytes a posting, append-only.

    Removed rows stay until the next compaction; searches mask them out with `_alive`.
    """

    __slots__ = ("rows", "tfs")

    def __init__(self) -> None:
        self.rows = array("i")
        self.tfs = array("H")

    def arrays(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint16]]:
        # Views, not copies: they must not outlive the search (an array with a live view
        # cannot grow).
        return np.frombuffer(self.rows, dtype=np.int32), np.frombuffer(self.tfs, dtype=np.uint16)


def term_counts(p: Prepared) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in p.terms():
        counts[t] = counts.get(t, 0) + 1
    return counts


K1 = 1.2
B = 0.75


def bm25_top(
    postings: dict[str, Postings],
    query_terms: dict[str, int],
    lengths: npt.NDArray[np.float64],
    alive: npt.NDArray[np.bool_] | None,
    n_rows: int,
    total_length: float,
    depth: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], float]:
    """The `depth` best rows by BM25, their scores (best first), and the query's score
    against itself. `lengths`: every row's length (removed ones too); `alive`: the live-row
    mask when rows were removed (None: all are live); `n_rows`: the live rows."""
    empty = np.zeros(0, dtype=np.int64), np.zeros(0), 1.0
    if n_rows == 0:
        return empty
    avg = total_length / n_rows
    size = len(lengths)
    norm = K1 * (1.0 - B + B * lengths / avg)
    query_norm = K1 * (1.0 - B + B * sum(query_terms.values()) / avg)
    self_score = 0.0
    all_rows: list[npt.NDArray[np.int32]] = []
    all_weights: list[npt.NDArray[np.float64]] = []
    for term, qtf in query_terms.items():
        found = postings.get(term)
        rows: npt.NDArray[np.int32] | None = None
        df = 0
        if found is not None:
            rows, tfs = found.arrays()
            if alive is not None:
                keep = alive[rows]
                rows, tfs = rows[keep], tfs[keep]
            df = len(rows)
        idf = math.log(1.0 + (n_rows - df + 0.5) / (df + 0.5))
        self_score += qtf * idf * qtf * (K1 + 1.0) / (qtf + query_norm)
        # Terms in over a fifth of all phrasings ("怎么", "的") barely move BM25 but would
        # make a large index slow; they still count in the matcher's judgement.
        if rows is None or df == 0 or (n_rows > 2000 and df > n_rows / 5):
            continue
        tf = tfs.astype(np.float64)
        all_rows.append(rows)
        all_weights.append(qtf * idf * tf * (K1 + 1.0) / (tf + norm[rows]))
    if not all_rows:
        return empty
    scores: npt.NDArray[np.float64] = np.bincount(
        np.concatenate(all_rows), weights=np.concatenate(all_weights), minlength=size
    ).astype(np.float64)
    depth = min(depth, int(np.count_nonzero(scores)))
    if depth == 0:
        return empty
    top = np.argpartition(-scores, depth - 1)[:depth]
    top = top[np.argsort(-scores[top])]
    return top.astype(np.int64), scores[top], max(self_score, 1e-9)
