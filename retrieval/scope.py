"""Is a question something the article can answer? Driven by data/scope.toml.

- out_of_scope: another condition, body part, an animal, an unrelated task;
- not_covered: about this condition, but the article has no answer (costs, providers,
  exact recovery times, success rates, personal decisions, pregnancy, alcohol ...);
- medication: a question about doses, starting, stopping or combining medicines,
  which gets the article's facts plus a fixed notice.

Patterns come first; behind them a nearest-examples check on the question's embedding
catches paraphrases, with a threshold and margin measured on labelled sets.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .question import Question
from .rules import compile_all
from .settings import DATA_DIR

IN_SCOPE, OUT_OF_SCOPE, NOT_COVERED = "in_scope", "out_of_scope", "not_covered"


@dataclass(frozen=True)
class ScopeVerdict:
    kind: str  # in_scope | out_of_scope | not_covered
    medication: bool = False
    anchored: bool = False  # the question names this condition or the spine


class ScopeChecker:
    def __init__(self, path: Path | None = None) -> None:
        data = tomllib.loads((path or DATA_DIR / "scope.toml").read_text(encoding="utf-8"))
        vocab = data.get("vocab", {})
        oos = data["out_of_scope"]
        self._strong = compile_all(oos["strong"], vocab)
        self._weak = compile_all(oos["weak"], vocab)
        self._anchors = compile_all(oos["anchors"], vocab)
        self._other_levels = re.compile(oos["other_levels"])
        self._this_level = re.compile(oos["this_level"])
        self._not_covered = compile_all(data["not_covered"]["patterns"], vocab)
        self._drugs = re.compile(data["medication"]["drugs"])
        self._actions = re.compile(data["medication"]["actions"])
        semantic = data["semantic"]
        self.threshold = float(semantic["threshold"])
        self.margin = float(semantic["margin"])
        self.examples = {kind: tuple(semantic[kind]) for kind in (OUT_OF_SCOPE, NOT_COVERED, IN_SCOPE)}
        self._vectors: dict[str, np.ndarray] = {}

    def set_example_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        """The example questions' vectors, made by the engine's QuestionReader at warm-up."""
        self._vectors = vectors

    def similarities(self, vector: np.ndarray) -> dict[str, float]:
        return {kind: float(np.max(vectors @ vector)) for kind, vectors in self._vectors.items()}

    @staticmethod
    def _first(patterns, text: str) -> str:
        for pattern in patterns:
            if m := pattern.search(text):
                return m.group(0)
        return ""

    def is_medication_question(self, text: str) -> bool:
        return bool(self._drugs.search(text) and self._actions.search(text))

    def check(self, question: Question, use_examples: bool = True) -> ScopeVerdict:
        text = question.normalised
        medication = self.is_medication_question(text)
        anchored = bool(self._first(self._anchors, text))
        if self._first(self._strong, text):
            return ScopeVerdict(OUT_OF_SCOPE, medication, anchored)
        if self._other_levels.search(text) and not self._this_level.search(text):
            return ScopeVerdict(OUT_OF_SCOPE, medication, anchored)
        if self._first(self._not_covered, text):
            return ScopeVerdict(NOT_COVERED, medication, anchored)
        if not anchored and self._first(self._weak, text):
            return ScopeVerdict(OUT_OF_SCOPE, medication, anchored)
        if use_examples and self._vectors:
            sims = self.similarities(question.vector)
            for kind in (NOT_COVERED, OUT_OF_SCOPE):
                if kind == OUT_OF_SCOPE and anchored:
                    continue
                if sims[kind] >= self.threshold and sims[kind] - sims[IN_SCOPE] >= self.margin:
                    return ScopeVerdict(kind, medication, anchored)
        return ScopeVerdict(IN_SCOPE, medication, anchored)
