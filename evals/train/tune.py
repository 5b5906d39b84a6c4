"""Tune the search fusion weights on a labelled set, and compare with plain RRF.

    python -m evals tune [--set SET ...] [--check HELD_OUT ...] [--write]

Features are computed once per question; every weight combination on the grid is
then scored with numpy. The winner maximises recall@1, then MRR, then recall@5.
`--write` stores it in retrieval/data/tuning.toml; `--check` reports the chosen
weights on a held-out set that played no part in choosing them.
"""

from __future__ import annotations

import argparse
import itertools
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from retrieval.search import SearchWeights, fuse
from retrieval.settings import DATA_DIR

from ..sets import is_relevant, load_set

GRID = {
    "lexical": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
    "title": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
    "unit": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
    "faq": [0.0, 0.1, 0.2, 0.3, 0.5],
    "faq_min_similarity": [0.6, 0.7, 0.8],
    "heading": [0.0, 0.2, 0.4, 0.6],
}


@dataclass
class CaseFeatures:
    features: dict[str, np.ndarray]
    relevant: np.ndarray  # bool per candidate


def collect(engine, path: Path) -> list[CaseFeatures]:
    searcher = engine.searcher
    out = []
    for case in load_set(path).cases:
        if not case.relevant:
            continue
        question = engine.reader.read(case.question, list(case.history))  # as the engine reads it
        candidates, feats = searcher.features(question.search_text, question.search_vector)
        chunks = [engine.index.chunks[int(i)] for i in candidates]
        relevant = np.array([is_relevant({"section": c.section, "text": c.text, "chunk_id": c.chunk_id}, case.relevant) for c in chunks])
        out.append(CaseFeatures(feats, relevant))
    return out


def _ranking_metrics(cases: list[CaseFeatures], scores_of) -> dict[str, float]:
    """recall@1, recall@5 and MRR@10 when each case's candidates are ranked by scores_of(case)."""
    r1 = r5 = mrr = 0.0
    for case in cases:
        ranked = case.relevant[np.argsort(-scores_of(case), kind="stable")]
        hits = np.flatnonzero(ranked[:10])
        r1 += bool(ranked[:1].any())
        r5 += bool(ranked[:5].any())
        mrr += 1.0 / (hits[0] + 1) if hits.size else 0.0
    n = max(1, len(cases))
    return {"recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": mrr / n}


def score(cases: list[CaseFeatures], w: SearchWeights) -> dict[str, float]:
    return _ranking_metrics(cases, lambda case: fuse(case.features, w))


def _rrf_scores(features: dict[str, np.ndarray], k: int = 60) -> np.ndarray:
    fused = np.zeros_like(features["dense"])
    for name in ("dense", "lexical"):
        ranks = np.empty(len(fused))
        ranks[np.argsort(-features[name], kind="stable")] = np.arange(1, len(fused) + 1)
        fused += 1.0 / (k + ranks)
    return fused


def rrf(cases: list[CaseFeatures], k: int = 60) -> dict[str, float]:
    """Plain reciprocal-rank fusion of dense and BM25, for comparison."""
    return _ranking_metrics(cases, lambda case: _rrf_scores(case.features, k))


def search_grid(cases: list[CaseFeatures], base: SearchWeights) -> list[tuple[dict[str, float], SearchWeights]]:
    results = []
    names = list(GRID)
    for values in itertools.product(*(GRID[n] for n in names)):
        w = replace(base, **dict(zip(names, values, strict=True)))
        results.append((score(cases, w), w))
    results.sort(key=lambda r: (r[0]["recall@1"], r[0]["mrr@10"], r[0]["recall@5"]), reverse=True)
    return results


def write_weights(w: SearchWeights, path: Path) -> None:
    """Replace the [search] values in tuning.toml, adding keys it does not have yet."""
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("[search]\n")
    body, nxt, tail = rest.partition("\n[")
    for key, value in asdict(w).items():
        line = f"{key} = {value}"
        body, count = re.subn(rf"(?m)^{key}\s*=.*$", line, body, count=1)
        if not count:
            body = f"{body.rstrip()}\n{line}\n"
    path.write_text(head + sep + body.rstrip() + "\n" + nxt + tail, encoding="utf-8")


def _row(name: str, m: dict[str, float]) -> str:
    return f"| {name} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | {m['mrr@10']:.3f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals tune", description=__doc__)
    parser.add_argument("--set", type=Path, nargs="+", default=[Path("evals/sets/dev.jsonl")])
    parser.add_argument("--check", type=Path, nargs="*", default=[], help="held-out sets to report, never tuned on")
    parser.add_argument("--write", action="store_true", help="store the best weights in tuning.toml")
    args = parser.parse_args(argv)

    from retrieval.engine import Engine

    engine = Engine.load()
    current = engine.searcher.weights
    wide = replace(current, candidates=max(current.candidates, 50))
    engine.searcher.weights = wide
    cases = [c for path in args.set for c in collect(engine, path)]
    ranked = search_grid(cases, wide)
    best_metrics, best = ranked[0]
    dense_only = replace(wide, lexical=0, title=0, unit=0, faq=0)
    lexical_only = replace(wide, dense=0, lexical=1, title=0, unit=0, faq=0)
    print(f"{len(cases)} cases from {' '.join(map(str, args.set))}, {len(ranked)} weight combinations\n")
    print("| fusion | recall@1 | recall@5 | MRR@10 |\n|---|---|---|---|")
    print(_row("dense only", score(cases, dense_only)))
    print(_row("BM25 only", score(cases, lexical_only)))
    print(_row("plain RRF (k=60)", rrf(cases)))
    print(_row("current tuning.toml", score(cases, current)))
    print(_row("best on grid", best_metrics))
    print(f"\nbest weights: {asdict(best)}")
    if args.check:
        held = [c for path in args.check for c in collect(engine, path)]
        print(f"\nheld-out {' '.join(map(str, args.check))} ({len(held)} cases):")
        print(_row("current tuning.toml", score(held, current)))
        print(_row("best on grid", score(held, best)))
        print(_row("plain RRF (k=60)", rrf(held)))
    if args.write:
        write_weights(best, DATA_DIR / "tuning.toml")
        print(f"\nwrote {DATA_DIR / 'tuning.toml'}")
    return 0
