"""The retrieval index: answer from the knowledge base only when sure, else offer topics.

Two stages. BM25 over words + character uni/bigrams finds candidate phrasings quickly (an
inverted index updated entry by entry, so a changed entry is searchable at once). The matcher
then judges each candidate against the query (lexical + semantic pair features, a calibrated
probability); the best entry is the answer when its probability clears the matcher's
`answer_threshold`, otherwise the index abstains and returns the likely topics.

When the sentence encoder runs (multilingual-e5-small, shared with the understanding step),
each phrasing also has a dense vector and a search adds the nearest phrasings by exact inner
product to the BM25 candidates; the encoder's cosine then enters the pair probability and the
answer confidence (dense.py). A paraphrase that shares no words with the entry ("退货运费谁出"
vs "寄回去的邮费要我出吗") is found and judged on meaning. Pass the message's vector
(`search(text, vector=analysis.vector)`) and it is not encoded twice.

Phrasing vectors are cached in the index (built at start), not stored with the entries: they
are derived data, a function of (encoder, text), so the entries table needs no migration and
no rewrite when the encoder changes. A `VectorStore` seeds the cache (the demo FAQ's vectors
ship in the package), and only phrasings it lacks are encoded, one entry at a time on upsert
or in batches with a progress callback in `upsert_many`.

Pure: no database, no clock. Not thread-safe: mutate and search from one thread (the event
loop), as the product does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from tandem.knowledge.dense import (
    DenseLayers,
    default_layers,
    dense_answer_features,
    key_term_features,
    shipped_vectors,
)
from tandem.knowledge.matcher import Matcher, default_matcher
from tandem.knowledge.postings import Postings, bm25_top, term_counts
from tandem.knowledge.results import (
    ANSWER_FEATURES,
    IndexedEntry,
    Judged,
    Match,
    SearchResult,
    answer_key,
)
from tandem.knowledge.text import Prepared, prepare
from tandem.understanding.encoder import DIM, Encoder, NullEncoder, VectorStore, shared_encoder
from tandem.understanding.normalize import normalize

DENSE_ROWS = 24
__all__ = [
    "ANSWER_FEATURES",
    "IndexedEntry",
    "Judged",
    "KnowledgeIndex",
    "Match",
    "SearchResult",
    "answer_key",
]

EXACT_CONFIDENCE = 0.99


class KnowledgeIndex:
    """Entries in, answers out. `upsert`/`remove` take effect for the very next `search`."""

    def __init__(
        self,
        matcher: Matcher | None = None,
        *,
        answer_threshold: float | None = None,
        rerank_rows: int = 24,
        topic_floor: float = 0.05,
        lexical_only: bool = False,
        encoder: Encoder | None = None,
        vectors: VectorStore | None = None,
        dense: DenseLayers | None = None,
    ) -> None:
        """`encoder`: None uses the process-wide one (off with TANDEM_ENCODER=off);
        `vectors`: phrasing vectors computed earlier (default: the shipped demo FAQ's);
        `dense`: the encoder layers (default: shipped with the matcher)."""
        # lexical_only: BM25 candidates without a matcher, for mining training pairs.
        self.matcher: Matcher = None if lexical_only else (matcher or default_matcher())  # type: ignore[assignment]
        enc = NullEncoder("lexical index") if lexical_only else (encoder or shared_encoder())
        self.dense: DenseLayers | None = None
        if enc.available and not lexical_only:
            self.dense = dense or default_layers()
        self.encoder: Encoder = (
            enc if self.dense is not None else NullEncoder("no encoder layers for retrieval")
        )
        self._store = vectors if vectors is not None else shipped_vectors()
        if answer_threshold is None:
            if self.dense is not None:
                answer_threshold = self.dense.answer_threshold
            else:
                answer_threshold = self.matcher.answer_threshold if self.matcher else 0.5
        self.answer_threshold = answer_threshold
        self.rerank_rows = rerank_rows
        self.topic_floor = topic_floor
        # The stored knowledge revision this index reflects (kept by service.index_sync).
        self.revision = 0
        self._dim = self.matcher.lexicon.dim if self.matcher else 1
        self._entries: dict[str, IndexedEntry] = {}
        self._entry_rows: dict[str, list[int]] = {}
        # Each entry's (phrasing centroid, answer) vectors when the answer layer reads them
        # (dense.entry_vectors).
        self._entry_vectors: dict[str, npt.NDArray[np.float16]] = {}
        self._reset_rows(1024)

    def _reset_rows(self, capacity: int) -> None:
        self._postings: dict[str, Postings] = {}
        self._row_entry: list[str | None] = []
        self._row_prepared: list[Prepared | None] = []
        self._lengths = np.zeros(capacity, dtype=np.float64)
        self._alive = np.zeros(capacity, dtype=bool)
        # Semantic vectors of the rows, half precision: 768 bytes a phrasing.
        self._vectors = np.zeros((capacity, self._dim), dtype=np.float16)
        self._char_vectors = np.zeros((capacity, self._dim), dtype=np.float16)
        self._dense = np.zeros((capacity, DIM if self.dense else 1), dtype=np.float16)
        self._n_alive = 0
        self._n_dead = 0
        self._total_length = 0.0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries

    def get(self, entry_id: str) -> IndexedEntry | None:
        return self._entries.get(entry_id)

    def entries(self) -> list[IndexedEntry]:
        return list(self._entries.values())

    def upsert(self, entry: IndexedEntry) -> None:
        """Add the entry, or replace the one with the same id."""
        if entry.id in self._entries:
            self.remove(entry.id)
        self._entries[entry.id] = entry
        rows: list[int] = []
        seen: set[str] = set()
        phrasings: list[tuple[str, Prepared]] = []
        for phrasing in (entry.question, *entry.alternatives):
            prepared = prepare(phrasing)
            if not prepared.chars or prepared.text in seen:
                continue
            seen.add(prepared.text)
            phrasings.append((phrasing, prepared))
        texts = [p for p, _ in phrasings]
        dense = self._phrasing_vectors(texts + [entry.answer] if self._reads_entries else texts)
        if dense is not None and self._reads_entries:
            centroid = dense[:-1].sum(axis=0) if len(dense) > 1 else dense[-1]
            centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-9)
            self._entry_vectors[entry.id] = np.vstack([centroid, dense[-1]]).astype(np.float16)
        for i, (_, prepared) in enumerate(phrasings):
            rows.append(
                self._add_row(entry.id, prepared, dense=None if dense is None else dense[i])
            )
        self._entry_rows[entry.id] = rows

    def upsert_many(
        self, entries: Iterable[IndexedEntry], progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Upsert many entries, encoding the phrasings the vector store lacks in batches
        (`progress(done, total)` counts phrasings encoded)."""
        batch = list(entries)
        if self.dense is not None:
            texts = [p for e in batch for p in (e.question, *e.alternatives)]
            if self._reads_entries:
                texts += [e.answer for e in batch]
            self._store.embed([normalize(t) for t in texts], self.encoder, progress)
        for entry in batch:
            self.upsert(entry)

    @property
    def _reads_entries(self) -> bool:
        return self.dense is not None and self.dense.entry_vectors

    def _phrasing_vectors(self, phrasings: list[str]) -> npt.NDArray[np.float32] | None:
        if self.dense is None or not phrasings:
            return None
        return self._store.embed([normalize(p) for p in phrasings], self.encoder)

    def query_vector(self, text: str) -> npt.NDArray[np.float32] | None:
        """The encoder's vector of a query (None without the encoder)."""
        if self.dense is None:
            return None
        return self.encoder.encode(normalize(text))

    def remove(self, entry_id: str) -> None:
        """Forget the entry; unknown ids are ignored (removal is idempotent)."""
        if self._entries.pop(entry_id, None) is None:
            return
        self._entry_vectors.pop(entry_id, None)
        for row_id in self._entry_rows.pop(entry_id, []):
            self._alive[row_id] = False
            self._row_prepared[row_id] = None
            self._row_entry[row_id] = None
            self._total_length -= self._lengths[row_id]
            self._n_alive -= 1
            self._n_dead += 1
        if self._n_dead > 1000 and self._n_dead > self._n_alive // 2:
            self._compact()

    def _compact(self) -> None:
        """Rebuild the postings without removed rows (amortised over many removals)."""
        live = [
            (
                entry_id,
                prepared,
                self._vectors[row].copy(),
                self._char_vectors[row].copy(),
                self._dense[row].astype(np.float32),
            )
            for row, (entry_id, prepared) in enumerate(
                zip(self._row_entry, self._row_prepared, strict=True)
            )
            if entry_id is not None and prepared is not None
        ]
        self._reset_rows(max(1024, 2 * len(live)))
        self._entry_rows = {}
        for entry_id, prepared, vector, chars, dense in live:
            row = self._add_row(entry_id, prepared, (vector, chars), dense if self.dense else None)
            self._entry_rows.setdefault(entry_id, []).append(row)

    def _add_row(
        self,
        entry_id: str,
        prepared: Prepared,
        vectors: tuple[npt.NDArray[np.float16], npt.NDArray[np.float16]] | None = None,
        dense: npt.NDArray[np.float32] | None = None,
    ) -> int:
        row_id = len(self._row_entry)
        if row_id >= len(self._lengths):
            grow = len(self._lengths)
            self._lengths = np.concatenate([self._lengths, np.zeros(grow)])
            self._alive = np.concatenate([self._alive, np.zeros(grow, dtype=bool)])
            self._vectors = np.concatenate(
                [self._vectors, np.zeros((grow, self._dim), dtype=np.float16)]
            )
            self._char_vectors = np.concatenate(
                [self._char_vectors, np.zeros((grow, self._dim), dtype=np.float16)]
            )
            self._dense = np.concatenate(
                [self._dense, np.zeros((grow, self._dense.shape[1]), dtype=np.float16)]
            )
        if dense is not None:
            self._dense[row_id] = dense
        terms = term_counts(prepared)
        for term, tf in terms.items():
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = Postings()
            postings.rows.append(row_id)
            postings.tfs.append(min(tf, 65535))
        length = float(sum(terms.values()))
        self._lengths[row_id] = length
        self._alive[row_id] = True
        self._total_length += length
        self._n_alive += 1
        if self.matcher:
            lex = self.matcher.lexicon
            if vectors is None:
                self._vectors[row_id] = lex.embed(prepared)
                self._char_vectors[row_id] = lex.embed_chars(prepared)
            else:
                self._vectors[row_id], self._char_vectors[row_id] = vectors
        self._row_entry.append(entry_id)
        self._row_prepared.append(prepared)
        return row_id

    def _lexical(
        self, query: Prepared
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], float]:
        """Top rows by BM25, their scores (best first), and the query's score against itself."""
        size = len(self._row_entry)
        return bm25_top(
            self._postings,
            term_counts(query),
            self._lengths[:size],
            self._alive if self._n_dead else None,
            self._n_alive,
            self._total_length,
            self.rerank_rows,
        )

    def lexical_candidates(self, text: str) -> list[tuple[str, str]]:
        """(entry id, phrasing) of the BM25 candidate rows, best first."""
        rows, _, _ = self._lexical(prepare(text))
        out = []
        for r in rows.tolist():
            entry_id, prepared = self._row_entry[r], self._row_prepared[r]
            if entry_id is not None and prepared is not None:
                out.append((entry_id, prepared.text))
        return out

    def _dense_rows(
        self, qv: npt.NDArray[np.float32], language: str | None
    ) -> npt.NDArray[np.float32]:
        """Cosine of the query with every row (-inf for removed or other-language rows)."""
        size = len(self._row_entry)
        sims: npt.NDArray[np.float32] = self._dense[:size].astype(np.float32) @ qv
        keep = self._alive[:size].copy()
        if language is not None:
            for row, entry_id in enumerate(self._row_entry):
                if keep[row] and entry_id is not None:
                    keep[row] = self._entries[entry_id].language == language
        sims[~keep] = -np.inf
        return sims

    def judge(
        self,
        text: str,
        *,
        language: str | None = None,
        vector: npt.NDArray[np.float32] | None = None,
    ) -> list[Judged]:
        """Every candidate entry with its pair probability and answer features, best first.

        `vector`: the query's encoder vector if already computed (else encoded here when the
        encoder runs)."""
        query = prepare(text)
        rows, scores, self_score = self._lexical(query)
        lexical_score = dict(zip(rows.tolist(), scores.tolist(), strict=True))
        order = rows.tolist()
        qv = None
        sims: npt.NDArray[np.float32] | None = None
        if self.dense is not None and self._n_alive:
            qv = vector if vector is not None else self.query_vector(text)
        if qv is not None:
            sims = self._dense_rows(qv.astype(np.float32), language)
            depth = min(DENSE_ROWS, int(np.isfinite(sims).sum()))
            if depth:
                near = np.argpartition(-sims, depth - 1)[:depth]
                near = near[np.argsort(-sims[near])]
                order.extend(r for r in near.tolist() if r not in lexical_score)
        candidates: list[tuple[str, Prepared, int, float]] = []
        for row_id in order:
            entry_id, prepared = self._row_entry[row_id], self._row_prepared[row_id]
            if entry_id is None or prepared is None:
                continue
            if language is None or self._entries[entry_id].language == language:
                candidates.append((entry_id, prepared, row_id, lexical_score.get(row_id, 0.0)))
        if not candidates:
            return []
        query_vector = self.matcher.lexicon.embed(query)
        query_chars = self.matcher.lexicon.embed_chars(query)
        probs = self.matcher.score_pairs(
            [(query, prepared) for _, prepared, _, _ in candidates],
            [
                (
                    query_vector,
                    self._vectors[row].astype(np.float32),
                    query_chars,
                    self._char_vectors[row].astype(np.float32),
                )
                for _, _, row, _ in candidates
            ],
        )
        cosines = np.zeros(len(candidates))
        if sims is not None and self.dense is not None:
            cosines = np.array([float(sims[row]) for _, _, row, _ in candidates])
            probs = self.dense.pair_probability(probs, cosines)
        best: dict[str, tuple[float, float, float]] = {}
        for (entry_id, _, _, score), p, cos in zip(
            candidates, probs.tolist(), cosines.tolist(), strict=True
        ):
            seen = best.get(entry_id)
            if seen is None:
                best[entry_id] = (p, score, cos)
            else:
                best[entry_id] = (max(p, seen[0]), max(score, seen[1]), max(cos, seen[2]))
        top_score = max(max((c[3] for c in candidates), default=0.0), 1e-9)
        by_lexical = sorted(best, key=lambda e: -best[e][1])
        lexical_rank = {e: i for i, e in enumerate(by_lexical)}
        dense_features = (
            dense_answer_features({e: v[2] for e, v in best.items()}, self.dense)
            if sims is not None and self.dense is not None
            else None
        )
        entry_features = None
        if dense_features is not None and self.dense is not None and self._reads_entries:
            assert qv is not None
            entry_features = self._entry_features(qv, {e: v[2] for e, v in best.items()})
        out = []
        # The rival of an entry is the best entry that would give a *different* reply: two
        # entries saying the same thing (a sheet imported twice) are one answer, not a tie.
        keys = {e: answer_key(self._entries[e].answer) for e in best}
        by_prob = sorted(best, key=lambda e: -best[e][0])
        for entry_id, (p, score, _) in best.items():
            rival = next((best[e][0] for e in by_prob if keys[e] != keys[entry_id]), 0.0)
            features: tuple[float, ...] = (
                p,
                min(score / self_score, 1.5),
                score / top_score,
                float(lexical_rank[entry_id] == 0 and score > 0),
                math.log1p(lexical_rank[entry_id]),
                p - rival,
            )
            if dense_features is not None:
                features = features + dense_features[entry_id]
                if entry_features is not None:
                    features = features + entry_features[entry_id]
                if self.dense is not None and self.dense.key_terms:
                    e = self._entries[entry_id]
                    texts = (e.question, *e.alternatives, e.answer)
                    features = features + key_term_features(query, texts, self.matcher.lexicon)
            out.append(Judged(entry_id, p, score, features))
        x = np.array([j.features for j in out])
        if dense_features is not None and self.dense is not None:
            confidences = self.dense.answer_confidence(x)
        else:
            confidences = self.matcher.answer_confidence(x)
        # A query that is one of an entry's own phrasings (same tokens, punctuation aside) is
        # that entry: the shop wrote it so. Unless two entries with different replies claim
        # the phrasing; entries with one same reply are one answer (the best of them).
        exact = {e for e, prepared, _, _ in candidates if prepared.chars == query.chars}
        scored = sorted(
            zip(out, confidences.tolist(), strict=True), key=lambda jc: (-jc[1], -jc[0].score)
        )
        chosen = next((j.entry_id for j, _ in scored if j.entry_id in exact), None)
        if len({keys[e] for e in exact}) > 1:
            chosen = None
        judged = [
            Judged(
                j.entry_id,
                j.probability,
                j.score,
                j.features,
                max(float(c), EXACT_CONFIDENCE) if j.entry_id == chosen else float(c),
            )
            for j, c in scored
        ]
        judged.sort(key=lambda j: (-j.confidence, -j.score))
        return judged

    def _entry_features(
        self, query: npt.NDArray[np.float32], phrasing_cos: dict[str, float]
    ) -> dict[str, tuple[float, ...]]:
        """Per candidate entry: the dense answer features of its phrasing centroid, then of
        its answer (an entry whose texts could not be encoded reads its best phrasing's)."""
        assert self.dense is not None
        q = query.astype(np.float32)
        cos: list[dict[str, float]] = [{}, {}]
        for entry_id, fallback in phrasing_cos.items():
            vectors = self._entry_vectors.get(entry_id)
            sims = (fallback, fallback) if vectors is None else vectors.astype(np.float32) @ q
            cos[0][entry_id], cos[1][entry_id] = float(sims[0]), float(sims[1])
        centroid, answer = (dense_answer_features(c, self.dense) for c in cos)
        return {e: centroid[e] + answer[e] for e in phrasing_cos}

    def search(
        self,
        text: str,
        *,
        language: str | None = None,
        k: int = 3,
        vector: npt.NDArray[np.float32] | None = None,
    ) -> SearchResult:
        """Best entries for `text` with calibrated confidence; `answer` is None to abstain.

        `vector`: the query's encoder vector when the caller has it (`Analysis.vector`), so
        the message is encoded once per turn."""
        judged = self.judge(text, language=language, vector=vector)
        # One match per distinct reply: duplicates would crowd out the other topics.
        replies: set[str] = set()
        distinct = []
        for j in judged:
            key = answer_key(self._entries[j.entry_id].answer)
            if key not in replies:
                replies.add(key)
                distinct.append(j)
        query = prepare(text)
        matches = tuple(
            self._match(j.entry_id, j.confidence, j.score, query)
            for j in distinct[:k]
            if j.confidence >= self.topic_floor
        )
        answer = matches[0] if matches and matches[0].confidence >= self.answer_threshold else None
        return SearchResult(answer=answer, candidates=matches)

    def _match(self, entry_id: str, confidence: float, score: float, query: Prepared) -> Match:
        entry = self._entries[entry_id]
        texts = (entry.question, *entry.alternatives, entry.answer)
        uncovered = (
            key_term_features(query, texts, self.matcher.lexicon)[0] if self.matcher else 0.0
        )
        return Match(
            entry_id=entry.id,
            question=entry.question,
            answer=entry.answer,
            score=round(score, 4),
            confidence=round(confidence, 4),
            intent=entry.intent,
            uncovered=round(uncovered, 4),
        )
