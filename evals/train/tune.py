"""Fusion weights for search, fitted on training writers only.

    python -m evals tune

Search's features are computed once per question (retrieval/search.py Searcher.features,
on the question as the engine reads it); every weight combination on the grid is then
scored with numpy at once. The winner maximises recall@1, then MRR@10, then recall@5 over
the training writers' questions (sets/writers.toml). This command only prints the table:
`python -m evals train` is what writes the weights into retrieval/data/tuning.toml, with the
encoder they were fitted for (a weight written on its own would break the artefacts' manifest).
The holdout and sealed writers play no part.
"""

from __future__ import annotations

import argparse
import itertools
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from retrieval.compose import ComposeSettings, compose
from retrieval.search import SearchWeights

from ..sets import text_supports
from .data import RetrievalPair

GRID = {
    "lexical": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
    "title": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
    "unit": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
    "faq": (0.0, 0.1, 0.2, 0.3, 0.5),
    "faq_min_similarity": (0.6, 0.7, 0.8),
    "heading": (0.0, 0.2, 0.4, 0.6),
}
LINEAR = ("dense", "lexical", "title", "unit", "heading")


@dataclass
class FeatureTable:
    """Every question's candidates and features, padded to one width (-inf where absent)."""

    values: np.ndarray  # questions x candidates x LINEAR
    title: np.ndarray  # questions x candidates: the FAQ title similarity
    is_faq: np.ndarray  # questions x candidates
    relevant: np.ndarray  # questions x candidates, bool
    present: np.ndarray  # questions x candidates, bool

    def __len__(self) -> int:
        return len(self.values)


def collect(engine, pairs: list[RetrievalPair]) -> FeatureTable:
    searcher, chunks = engine.searcher, engine.index.chunks
    rows = []
    for pair in pairs:
        question = engine.reader.read(pair.question)
        candidates, feats = searcher.features(question.search_text, question.search_vector)
        relevant = np.array([chunks[int(i)].chunk_id in pair.relevant for i in candidates])
        rows.append((feats, relevant))
    width = max(len(r[1]) for r in rows)
    n = len(rows)
    values = np.zeros((n, width, len(LINEAR)), np.float32)
    title = np.zeros((n, width), np.float32)
    is_faq = np.zeros((n, width), bool)
    relevant = np.zeros((n, width), bool)
    present = np.zeros((n, width), bool)
    for i, (feats, rel) in enumerate(rows):
        m = len(rel)
        values[i, :m] = np.stack([feats[name] for name in LINEAR], axis=1)
        title[i, :m], is_faq[i, :m], relevant[i, :m], present[i, :m] = feats["title"], feats["is_faq"] > 0, rel, True
    return FeatureTable(values, title, is_faq, relevant, present)


def metrics(table: FeatureTable, w: SearchWeights) -> dict[str, float]:
    """recall@1, recall@5 and MRR@10 of the fused ranking (ties keep candidate order)."""
    linear = np.array([getattr(w, name) for name in LINEAR], np.float32)
    fused = table.values @ linear + w.faq * (table.is_faq & (table.title >= w.faq_min_similarity))
    fused = np.where(table.present, fused, -np.inf)
    top = np.argsort(-fused, axis=1, kind="stable")[:, :10]
    hits = np.take_along_axis(table.relevant, top, axis=1)
    first = np.where(hits.any(axis=1), hits.argmax(axis=1), -1)
    return {
        "recall@1": float(hits[:, 0].mean()),
        "recall@5": float(hits[:, :5].any(axis=1).mean()),
        "mrr@10": float(np.where(first >= 0, 1.0 / np.maximum(first + 1, 1), 0.0).mean()),
    }


def fit(table: FeatureTable, base: SearchWeights | None = None) -> tuple[SearchWeights, dict[str, float]]:
    """The grid point with the best recall@1, then MRR@10, then recall@5."""
    base = base or SearchWeights()
    best: tuple[tuple[float, float, float], SearchWeights, dict[str, float]] | None = None
    names = list(GRID)
    for values in itertools.product(*(GRID[n] for n in names)):
        w = replace(base, dense=1.0, **dict(zip(names, values, strict=True)))
        m = metrics(table, w)
        key = (round(m["recall@1"], 6), round(m["mrr@10"], 6), round(m["recall@5"], 6))
        if best is None or key > best[0]:
            best = (key, w, m)
    assert best is not None
    return best[1], best[2]


COMPOSE_GRID = {
    "min_relative": (0.7, 0.8, 0.85, 0.9),
    "passage_weight": (0.2, 0.35, 0.5),
    "max_sentences": (3, 4),
    "from_passages": (2, 3),
}


def fit_compose(engine, pairs: list[RetrievalPair], base: ComposeSettings) -> tuple[ComposeSettings, float]:
    """The compose settings under which most answers hold a phrase the writer copied from the
    answering passage (answer support), on the training writers' questions."""
    results = [engine.searcher.search(engine.reader.read(p.question), 5) for p in pairs]
    best: tuple[float, ComposeSettings] | None = None
    names = list(COMPOSE_GRID)
    for values in itertools.product(*(COMPOSE_GRID[n] for n in names)):
        settings = replace(base, **dict(zip(names, values, strict=True)))
        support = float(np.mean([text_supports(compose(r, engine.index, settings)[0], p.phrases)
                                 for r, p in zip(results, pairs, strict=True) if p.phrases]))
        if best is None or support > best[0]:
            best = (support, settings)
    assert best is not None
    return best[1], best[0]


def dense_only(base: SearchWeights) -> SearchWeights:
    return replace(base, dense=1.0, lexical=0.0, title=0.0, unit=0.0, faq=0.0, heading=0.0)


def write_weights(w: SearchWeights | ComposeSettings, path: Path, section: str = "search") -> None:
    """Replace the [section] values in tuning.toml, adding keys it does not have yet."""
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition(f"[{section}]\n")
    body, nxt, tail = rest.partition("\n[")
    for key, value in asdict(w).items():
        line = f"{key} = {value}"
        body, count = re.subn(rf"(?m)^{key}\s*=.*$", line, body, count=1)
        if not count:
            body = f"{body.rstrip()}\n{line}\n"
    path.write_text(head + sep + body.rstrip() + "\n" + nxt + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals tune", description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)

    from retrieval.engine import Engine

    from .data import retrieval_pairs

    engine = Engine.load()
    pairs = retrieval_pairs(engine.index.chunks)
    table = collect(engine, pairs)
    weights, found = fit(table, engine.searcher.weights)
    print(f"{len(table)} training questions; dense only {metrics(table, dense_only(weights))}")
    print(f"best {found}: {asdict(weights)}")
    return 0
