"""Answer latency inside the process: ours and the baseline over the dev set."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..sets import SETS_DIR, load_set


def latency_summary(samples_ms: Sequence[float]) -> dict[str, Any]:
    if not samples_ms:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    values = np.asarray(samples_ms, dtype=float)
    return {
        "n": int(values.size),
        "p50_ms": float(np.percentile(values, 50)),
        "p95_ms": float(np.percentile(values, 95)),
        "p99_ms": float(np.percentile(values, 99)),
        "mean_ms": float(values.mean()),
    }


def time_calls(questions: Sequence[str], answer: Callable[[str], Any]) -> list[float]:
    out = []
    for question in questions:
        started = time.perf_counter()
        answer(question)
        out.append((time.perf_counter() - started) * 1000.0)
    return out


def in_process_latency(passes: int) -> dict[str, Any]:
    """Ours and the baseline over the dev set, each pass with a fresh encoder (empty cache)."""
    from retrieval.encoder import Encoder
    from retrieval.engine import Engine

    from ..baseline import NaiveRag

    questions = [c.question for c in load_set(SETS_DIR / "retrieval" / "alder.jsonl").cases]
    loaded = Engine.load()
    ours: list[float] = []
    for _ in range(passes):
        engine = Engine.load(loaded.settings, encoder=Encoder(threads=loaded.settings.embedding_threads))
        engine.encoder.warm_up()
        ours += time_calls(questions, lambda q, e=engine: e.answer(q))
    base_rag = NaiveRag.build(loaded.settings.corpus_dir)
    base: list[float] = []
    for _ in range(passes):  # sentence-transformers keeps no cache
        base += time_calls(questions, base_rag.answer)
    return {
        "set": "evals/sets/retrieval/alder.jsonl",
        "questions": len(questions),
        "passes": passes,
        "ours": latency_summary(ours),
        "baseline": latency_summary(base),
    }
