"""The inverted index's postings lists (index.py's BM25 stage)."""

from __future__ import annotations

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
