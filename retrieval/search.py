"""Hybrid search: dense (FAISS, cosine) and lexical (BM25) scores fused with weights.

The fused score of a passage is a weighted sum of features, each in [0, 1]:
- dense:   cosine between the (expanded) question and heading path + text
- lexical: BM25 score divided by the best BM25 score for this question
- title:   cosine between the question and the item's own title
- unit:    best cosine between the question and one sentence of the passage
- heading: cosine between the question and the heading path above the passage
           (what kind of thing is asked: a cause, a test, a treatment ...)
- faq:     1 when the passage is a FAQ item whose question is very close to this one

The weights were tuned on evals/sets/dev.jsonl with `python -m evals tune`
(plain reciprocal-rank fusion scored lower; see README). They are data in
SearchWeights, not magic numbers spread through the code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index_store import LoadedIndex
from .lexical import LexicalIndex
from .models import Passage
from .question import Question


@dataclass(frozen=True)
class SearchWeights:
    dense: float = 1.0
    lexical: float = 0.3
    title: float = 0.3
    unit: float = 0.3
    faq: float = 0.3
    heading: float = 0.0
    faq_min_similarity: float = 0.75  # question-to-FAQ-question cosine that counts as "the same question"
    candidates: int = 50  # passages taken from each of FAISS and BM25 before fusion


@dataclass
class SearchResult:
    passages: list[Passage]  # best first, top k
    query_vector: np.ndarray  # the question's search vector (the answer picks sentences with it)


def fuse(features: dict[str, np.ndarray], w: SearchWeights) -> np.ndarray:
    """The fused score of each candidate (the one formula search and tuning share)."""
    faq = features["is_faq"] * (features["title"] >= w.faq_min_similarity)
    return (
        w.dense * features["dense"]
        + w.lexical * features["lexical"]
        + w.title * features["title"]
        + w.unit * features["unit"]
        + w.faq * faq
        + w.heading * features["heading"]
    )


class Searcher:
    def __init__(
        self,
        index: LoadedIndex,
        lexical: LexicalIndex,
        weights: SearchWeights | None = None,
    ) -> None:
        self.index = index
        self.lexical = lexical
        self.weights = weights or SearchWeights()
        n = len(index.chunks)
        self._passage_vectors = index.passage_vectors
        # per chunk: its title's vector and its parent heading's vector (zeros when it has none)
        dim = self._passage_vectors.shape[1]
        self._title_vectors = np.zeros((n, dim), dtype=np.float32)
        self._heading_vectors = np.zeros((n, dim), dtype=np.float32)
        for i, unit in enumerate(index.units):
            if unit.kind == "title":
                self._title_vectors[unit.chunk] = index.unit_vectors[i]
            elif unit.kind == "heading":
                self._heading_vectors[unit.chunk] = index.unit_vectors[i]
        self._is_faq = np.array([c.kind == "faq" for c in index.chunks], dtype=bool)
        self._unit_chunk = np.array([u.chunk for u in index.units], dtype=np.int64)
        self._is_sentence = np.array([u.kind == "sentence" for u in index.units], dtype=bool)

    def features(self, query: str, qvec: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Candidate passage positions and each feature per candidate, for the search text
        and its vector."""
        n = len(self.index.chunks)
        take = min(n, self.weights.candidates)
        _, dense_ids = self.index.faiss_index.search(qvec.reshape(1, -1), take)
        bm25 = self.lexical.scores(query)
        top_bm25 = np.argsort(-bm25)[:take]
        lexical_ids = top_bm25[bm25[top_bm25] > 0]
        candidates = np.unique(np.concatenate([dense_ids[0][dense_ids[0] >= 0], lexical_ids]))

        dense = self._passage_vectors[candidates] @ qvec
        best_bm25 = float(bm25.max()) if bm25.size else 0.0
        # relative to the best match for this question (a saturating s/(s+K) scored lower on dev)
        lexical = bm25[candidates] / best_bm25 if best_bm25 > 0 else np.zeros(len(candidates), np.float32)
        title = np.clip(self._title_vectors[candidates] @ qvec, 0.0, None)
        unit_scores = self.index.unit_vectors @ qvec
        best_unit = np.zeros(n, dtype=np.float32)
        sentence_scores = np.where(self._is_sentence, unit_scores, -1.0)
        np.maximum.at(best_unit, self._unit_chunk, sentence_scores.astype(np.float32))
        unit = np.clip(best_unit[candidates], 0.0, None)
        is_faq = self._is_faq[candidates].astype(np.float32)
        heading = np.clip(self._heading_vectors[candidates] @ qvec, 0.0, None)
        features = {"dense": dense, "lexical": lexical, "title": title, "unit": unit, "is_faq": is_faq, "heading": heading}
        return candidates, features

    def search(self, question: Question, k: int = 5) -> SearchResult:
        candidates, feats = self.features(question.search_text, question.search_vector)
        fused = fuse(feats, self.weights)
        order = np.argsort(-fused, kind="stable")[: max(1, k)]
        passages = [Passage(self.index.chunks[int(candidates[i])], float(fused[i])) for i in order]
        return SearchResult(passages, question.search_vector)
