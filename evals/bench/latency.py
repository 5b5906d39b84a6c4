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


def dev_questions() -> list[str]:
    return [c.question for c in load_set(SETS_DIR / "retrieval" / "alder.jsonl").cases]


def in_process_latency(passes: int) -> dict[str, Any]:
    """Over the dev questions, in this process: ours (each pass with a fresh encoder, so no
    question comes from the cache), the time of each step, a bare sentence-transformers
    encode of the same questions (the floor the ratios are taken against), the baseline,
    and a pass of repeated questions (the cache's hit rate)."""
    from retrieval.encoder import Encoder
    from retrieval.engine import Engine

    from ..baseline import NaiveRag, TutorialEmbedder

    questions = dev_questions()
    loaded = Engine.load()
    ours: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(passes):
        engine = Engine.load(loaded.settings, encoder=Encoder(threads=loaded.settings.embedding_threads))
        engine.encoder.warm_up()
        for question in questions:
            started = time.perf_counter()
            engine.answer(question)
            ours.append((time.perf_counter() - started) * 1000.0)
            for stage, ms in engine.stage_ms.items():
                stages.setdefault(stage, []).append(ms)
    repeated = Engine.load(loaded.settings, encoder=Encoder(threads=loaded.settings.embedding_threads))
    time_calls(questions, repeated.answer)  # the first pass fills the cache
    cached = time_calls(questions, repeated.answer)
    floor_model = TutorialEmbedder()
    floor_model.warm_up()
    floor = time_calls(questions * passes, floor_model.encode_query)
    base_rag = NaiveRag.build(loaded.settings.corpus_dir, floor_model)
    base = time_calls(questions * passes, base_rag.answer)
    p50 = latency_summary(ours)["p50_ms"]
    floor_p50 = latency_summary(floor)["p50_ms"]
    return {
        "set": "evals/sets/retrieval/alder.jsonl",
        "questions": len(questions),
        "passes": passes,
        "threads": loaded.settings.embedding_threads,
        "ours": latency_summary(ours),
        "stages_p50_ms": {stage: float(np.percentile(values, 50)) for stage, values in stages.items()},
        "sentence_transformers_encode": latency_summary(floor),
        "ratio_to_sentence_transformers": p50 / floor_p50 if floor_p50 else None,
        "repeated_questions": {**latency_summary(cached), "cache_hit_rate": repeated.encoder.cache_hits
                               / max(1, repeated.encoder.cache_hits + repeated.encoder.cache_misses)},
        "baseline": latency_summary(base),
    }
