"""Is a question something the documents answer? A learned decision measured against the corpus.

Every feature compares the question with the documents in the index, never with words of
one article, so the decision holds when a clinic adds or removes documents:

    dense_top1, dense_top3   cosine to the closest passages (and the mean of the top 3)
    unit_top1                cosine to the closest sentence of any passage
    summary_top1             cosine to the closest document's title and summary
    known_share              share of the question's words (stemmed) that some document uses
    top_overlap              share of them the closest passage itself uses
    bm25                     the best BM25 score per word of the question
    unknown_terms            how many of its words no document uses (nor a misspelling of one)
    unknown_weight           how specialised those words are: the sum of 6 - log10(English frequency)
    words                    the question's length

A logistic regression over these (data/scope_model.json, trained by `python -m evals
train` on writers' questions and MedQuAD topics the documents do not cover) gives the
chance the documents answer the question; below the cut-off it is declined. A second one
tells a question about the documents' own topics that they do not answer (`not_covered`)
from one about something else (`out_of_scope`).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelUnavailable
from .index_store import LoadedIndex
from .lexical import LexicalIndex
from .normalise import SpellingRepair, english_dictionary
from .question import Question

IN_SCOPE, OUT_OF_SCOPE, NOT_COVERED = "in_scope", "out_of_scope", "not_covered"
FEATURES = ("dense_top1", "dense_top3", "unit_top1", "summary_top1", "known_share", "top_overlap", "bm25",
            "unknown_terms", "unknown_weight", "words")
MODEL_FILE = "scope_model.json"
COMMON = 1_000_000  # a word seen this often in pyspellchecker's English counts says nothing about a topic
_WORD = re.compile(r"[a-z][a-z'-]{2,}")


@dataclass(frozen=True)
class ScopeVerdict:
    kind: str  # in_scope | not_covered | out_of_scope
    answerable: float  # the chance the documents answer it
    unknown_terms: tuple[str, ...]  # specialist words no document uses


@dataclass(frozen=True)
class ScopeModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # in scope vs declined
    intercept: float
    topic_coef: np.ndarray  # not_covered vs out_of_scope, among declined
    topic_intercept: float
    cut_off: float
    encoder_fingerprint: str

    @classmethod
    def load(cls, path: Path, encoder_fingerprint: str) -> ScopeModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(
                mean=np.asarray(data["mean"], np.float64),
                scale=np.asarray(data["scale"], np.float64),
                coef=np.asarray(data["coef"], np.float64),
                intercept=float(data["intercept"]),
                topic_coef=np.asarray(data["topic_coef"], np.float64),
                topic_intercept=float(data["topic_intercept"]),
                cut_off=float(data["cut_off"]),
                encoder_fingerprint=str(data["encoder_sha256"]),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"the scope model {path} is missing or unreadable (run: python -m evals train)") from exc
        if model.encoder_fingerprint != encoder_fingerprint:
            raise ModelUnavailable(f"the scope model {path.name} was trained on another encoder (run: python -m evals train)")
        return model

    def answerable(self, features: np.ndarray) -> float:
        z = (features - self.mean) / self.scale
        return float(1.0 / (1.0 + math.exp(-(z @ self.coef + self.intercept))))

    def about_the_documents(self, features: np.ndarray) -> float:
        z = (features - self.mean) / self.scale
        return float(1.0 / (1.0 + math.exp(-(z @ self.topic_coef + self.topic_intercept))))


class ScopeFeatures:
    """The corpus-relative features of a question (no model needed: training uses this too)."""

    def __init__(self, index: LoadedIndex, lexical: LexicalIndex, summary_vectors: np.ndarray) -> None:
        self.passages = index.passage_vectors
        self.passage_stems = [frozenset(lexical.stems(c.embedding_text())) for c in index.chunks]
        sentences = [i for i, u in enumerate(index.units) if u.kind == "sentence"]
        self.sentences = index.unit_vectors[sentences]
        self.summaries = summary_vectors
        self.lexical = lexical
        self._frequency = english_dictionary().word_frequency
        self._spelling = SpellingRepair((w for w in lexical.vocabulary if len(w) >= 4), min_length=5,
                                        known=lexical.vocabulary)

    def unknown_terms(self, text: str) -> tuple[str, ...]:
        """Words of the question that no document uses, nor a misspelling of one."""
        out = []
        for word in dict.fromkeys(_WORD.findall(text)):
            if word in self.lexical.vocabulary or self._frequency[word] >= COMMON:
                continue
            stems = self.lexical.stems(word)
            if not stems or all(s in self.lexical.stem_vocabulary for s in stems) or self._spelling.closest(word):
                continue
            out.append(word)
        return tuple(out)

    def of(self, question: Question) -> tuple[np.ndarray, tuple[str, ...]]:
        v = question.vector
        similarity = self.passages @ v if len(self.passages) else np.zeros(1)
        order = np.argsort(-similarity)
        stems = [s for s in self.lexical.stems(question.normalised) if len(s) > 2]
        known = sum(s in self.lexical.stem_vocabulary for s in stems) / max(1, len(stems))
        top = self.passage_stems[int(order[0])] if len(self.passage_stems) else frozenset()
        overlap = sum(s in top for s in stems) / max(1, len(stems))
        bm25 = float(self.lexical.scores(question.normalised).max(initial=0.0)) / max(1, len(stems))
        unknown = self.unknown_terms(question.normalised)
        weight = sum(max(0.0, 6.0 - math.log10(self._frequency[w] + 1)) for w in unknown)
        values = [
            float(similarity[order[0]]),
            float(similarity[order[:3]].mean()),
            float(np.max(self.sentences @ v)) if len(self.sentences) else 0.0,
            float(np.max(self.summaries @ v)) if len(self.summaries) else 0.0,
            known,
            overlap,
            bm25,
            float(len(unknown)),
            weight,
            float(min(len(question.normalised.split()), 80)) / 20.0,
        ]
        return np.asarray(values, np.float64), unknown


class ScopeJudge:
    def __init__(self, features: ScopeFeatures, model: ScopeModel) -> None:
        self.features = features
        self.model = model

    def check(self, question: Question) -> ScopeVerdict:
        values, unknown = self.features.of(question)
        answerable = self.model.answerable(values)
        if answerable >= self.model.cut_off:
            return ScopeVerdict(IN_SCOPE, answerable, unknown)
        kind = NOT_COVERED if self.model.about_the_documents(values) >= 0.5 else OUT_OF_SCOPE
        return ScopeVerdict(kind, answerable, unknown)


def model_data(model: ScopeModel, about: dict[str, Any]) -> dict[str, Any]:
    """scope_model.json's content."""
    return {
        **about,
        "features": list(FEATURES),
        "mean": model.mean.tolist(),
        "scale": model.scale.tolist(),
        "coef": model.coef.tolist(),
        "intercept": model.intercept,
        "topic_coef": model.topic_coef.tolist(),
        "topic_intercept": model.topic_intercept,
        "cut_off": model.cut_off,
        "encoder_sha256": model.encoder_fingerprint,
    }
