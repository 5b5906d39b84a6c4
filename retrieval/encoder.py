"""The encoder: sentence vectors from ONNX Runtime and the `tokenizers` library, no torch.

The model is all-MiniLM-L6-v2 fine-tuned on the writers' questions (or the bundled model
as it is), exported by `python -m evals train` into retrieval/data/encoder/:

    model.onnx      input ids -> token states; weights stored as fp16 and computed in fp32
    tokenizer.json  the model's tokenizer
    encoder.json    how to use it (max_seq_length, pooling), where it came from, the sha256
                    of model.onnx, and reference vectors the parity test compares against

A sentence vector is the mean of the token states (special tokens included, as
sentence-transformers pools), L2-normalised. `encode_with_spans` also pools parts of a
text (its sentences and clauses) from the same forward pass, so a message is embedded
once however many parts the red-flag detector scores.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelUnavailable
from .settings import DATA_DIR

ENCODER_DIR = DATA_DIR / "encoder"
MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE = "model.onnx", "tokenizer.json", "encoder.json"


@dataclass(frozen=True)
class EncoderInfo:
    """encoder.json: what the model is and how to run it."""

    name: str
    fingerprint: str  # sha256 of model.onnx: every artefact built on its vectors records it
    max_seq_length: int
    dim: int
    folder: Path
    about: dict[str, Any]

    @classmethod
    def read(cls, folder: Path | None = None) -> EncoderInfo:
        folder = folder or ENCODER_DIR
        path = folder / CONFIG_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                name=str(data["name"]),
                fingerprint=str(data["model_sha256"]),
                max_seq_length=int(data["max_seq_length"]),
                dim=int(data["dim"]),
                folder=folder,
                about=data,
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"the encoder is missing or unreadable in {folder}/ (run: python -m evals train)") from exc


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Encoder:
    """Loads on first use; safe to share between threads. Repeated single texts come from
    a small cache (an identical question is not embedded twice)."""

    def __init__(self, folder: Path | None = None, threads: int = 1, cache_size: int = 2048) -> None:
        self.info = EncoderInfo.read(folder)
        self.threads = max(1, int(threads))
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._cache_size = cache_size
        self.cache_hits = 0
        self.cache_misses = 0

    @property
    def fingerprint(self) -> str:
        return self.info.fingerprint

    def load(self) -> None:
        """Open the ONNX session and the tokenizer (once); checks the model's sha256."""
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model = self.info.folder / MODEL_FILE
            if not model.is_file() or file_sha256(model) != self.info.fingerprint:
                raise ModelUnavailable(
                    f"the encoder model {model} is missing or does not match encoder.json (run: python -m evals train)"
                )
            options = ort.SessionOptions()
            options.intra_op_num_threads = min(self.threads, os.cpu_count() or 1)
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            tokenizer = Tokenizer.from_file(str(self.info.folder / TOKENIZER_FILE))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer = tokenizer
            self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    # -- forward passes ---------------------------------------------------------------
    def _states(self, encodings: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Token states (batch x seq x dim) and attention masks for tokenised texts, each cut to
        max_seq_length (keeping the final [SEP])."""
        limit = self.info.max_seq_length
        rows = [(e.ids[: limit - 1] + e.ids[-1:]) if len(e.ids) > limit else e.ids for e in encodings]
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        states = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        return states, mask

    @staticmethod
    def _pool(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
        weights = mask[..., None].astype(np.float32)
        summed = (states * weights).sum(axis=-2) / np.maximum(weights.sum(axis=-2), 1e-9)
        return _normalised(summed)

    def _tokenise(self, texts: Sequence[str]) -> list[Any]:
        return self._tokenizer.encode_batch(list(texts))

    # -- public -------------------------------------------------------------------------
    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Normalised float32 vectors, one row per text (passages at build time, examples)."""
        self.load()
        out = np.zeros((len(texts), self.info.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths batch together
        batches = range(0, len(order), batch_size)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        for start in batches:
            chosen = order[start : start + batch_size]
            states, mask = self._states(self._tokenise([texts[i] for i in chosen]))
            out[chosen] = self._pool(states, mask)
        return out

    def encode_queries(self, texts: Sequence[str]) -> list[np.ndarray]:
        """One vector per short text; repeated texts come from the cache."""
        return [self.encode_with_spans(t, ())[0] for t in texts]

    def encode_with_spans(self, text: str, spans: Sequence[tuple[int, int]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The text's vector, and a vector for each (start, end) character span of it pooled
        from the same token states. A text longer than the model's window is read in
        windows for the spans; its own vector is that of its first window, as for passages."""
        key = (text, tuple(spans))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                return cached
        self.load()
        encoding = self._tokenise([text])[0]
        limit = self.info.max_seq_length
        if len(encoding.ids) <= limit:
            states, mask = self._states([encoding])
            vector = self._pool(states, mask)[0]
            parts = [self._pool_span(states[0], encoding.offsets, span) for span in spans]
        else:
            vector, parts = self._windows(text, encoding, spans)
        result = (_frozen(vector), [_frozen(p) for p in parts])
        with self._lock:
            self.cache_misses += 1
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def _pool_span(self, states: np.ndarray, offsets: Sequence[tuple[int, int]], span: tuple[int, int]) -> np.ndarray:
        start, end = span
        rows = [i for i, (a, b) in enumerate(offsets[: len(states)]) if b > a and a < end and b > start]
        if not rows:
            return np.zeros(self.info.dim, dtype=np.float32)
        return _normalised(states[rows].mean(axis=0))

    def _windows(self, text: str, encoding: Any, spans: Sequence[tuple[int, int]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """A text longer than the model's window: its vector is that of its first window (as a
        passage's is); each span is pooled inside a window that holds it, opened where the
        span starts when the previous window does not reach its end (a span longer than a
        window is cut)."""
        first, last = encoding.ids[0], encoding.ids[-1]  # [CLS] and [SEP]
        inner_ids, inner_offsets = encoding.ids[1:-1], encoding.offsets[1:-1]
        size = self.info.max_seq_length - 2
        windows = [0]
        placed: list[tuple[int, int, int]] = []  # (window, first token, end token) per span
        for start, end in spans:
            tokens = [i for i, (a, b) in enumerate(inner_offsets) if b > a and a < end and b > start]
            if not tokens:
                placed.append((-1, 0, 0))
                continue
            t0, t1 = tokens[0], tokens[-1] + 1
            if t1 > windows[-1] + size:
                windows.append(t0)
            w = windows[-1]
            placed.append((len(windows) - 1, t0 - w, min(t1, w + size) - w))
        rows = [[first, *inner_ids[w : w + size], last] for w in windows]
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, row in enumerate(rows):
            ids[i, : len(row)], mask[i, : len(row)] = row, 1
        states = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        vector = self._pool(states[:1], mask[:1])[0]
        parts = []
        for window, t0, t1 in placed:
            if window < 0:
                parts.append(np.zeros(self.info.dim, dtype=np.float32))
            else:  # +1: the window's first row is [CLS]
                parts.append(_normalised(states[window, 1 + t0 : 1 + t1].mean(axis=0)))
        return vector, parts

    def warm_up(self) -> None:
        self.encode_with_spans("warm up", ((0, 4),))


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _frozen(vector: np.ndarray) -> np.ndarray:
    vector = np.ascontiguousarray(vector, dtype=np.float32)
    vector.setflags(write=False)
    return vector
