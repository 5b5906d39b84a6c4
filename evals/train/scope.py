"""Train the scope decision (retrieval/scope.py) from writers and MedQuAD, split by topic.

Answered (in scope): every question of the retrieval writers, and the scope writers'
questions the documents answer in full or in part. Declined: the scope writers'
out-of-scope and not-covered questions, and MedQuAD questions about topics no document
covers. A MedQuAD topic overlaps the documents, and is left out altogether, when its
name (without parentheses) appears in a document or every word of it does (spinal
stenosis, sciatica, back pain, the drugs a document lists, ...): the list of such topics
is written into the model file. MedQuAD topics are split in five groups by a hash of the
topic: group 0 is never trained on (held-out topics), so no condition is in both.

The cut-off keeps at least MIN_ANSWERED (95%) of the answerable questions answered on
out-of-fold scores (grouped by writer and by topic group) and declines as much as it can
below that. 95%, not 99%: on these features, out of fold, answering 99% of answerable
questions declined only a quarter of the writers' out-of-scope questions and 38% of
MedQuAD's, and a confident, cited answer to the wrong question is worse for a patient than
"the documents do not cover this" (which points them to their clinician). It is
chosen only on questions the encoder was not fine-tuned on (the scope writers' and
MedQuAD's): the retrieval writers' questions trained the encoder, so they look closer to
the passages than a new person's question would.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.question import QuestionReader
from retrieval.scope import FEATURES, NOT_COVERED, ScopeFeatures, ScopeModel
from retrieval.text import fold

from ..sets import load_set, writer_sets
from .data import read_medquad

TOPIC_GROUPS = 5
HELD_OUT_GROUP = 0
MIN_ANSWERED = 0.95
MEDQUAD_TRAIN = 4000
C = 1.0


@dataclass(frozen=True)
class ScopeExample:
    source: str  # a writer's name, or "medquad"
    text: str
    answer: bool  # the documents answer it (fully or in part)
    about_documents: bool  # declined but about the documents' topics (not_covered)
    topic: str
    group: int  # MedQuAD: the topic's group; writers: -1


def topic_group(topic: str) -> int:
    return int(hashlib.sha256(fold(topic).encode()).hexdigest(), 16) % TOPIC_GROUPS


def overlaps(focus: str, corpus_text: str, vocabulary: frozenset[str]) -> bool:
    """Does a MedQuAD topic overlap the documents? Its name, or every word of it, is in them."""
    name = fold(re.sub(r"\(.*?\)", " ", focus)).strip(" ?.")
    words = [w for w in re.findall(r"[a-z][a-z'-]+", name) if len(w) > 2]
    return bool(name) and (name in corpus_text or (bool(words) and all(w in vocabulary for w in words)))


def writer_examples(role: str = "train") -> list[ScopeExample]:
    out = []
    for writer, path in writer_sets("retrieval", role).items():
        out += [ScopeExample(writer, c.question, True, False, "", -1) for c in load_set(path).cases]
    for writer, path in writer_sets("scope", role).items():
        for c in load_set(path).cases:
            if c.expect_abstain is None:
                continue
            coverage = c.expect_coverage or ("not_covered" if "not-covered" in c.tags else "out_of_scope")
            out.append(ScopeExample(writer, c.question, not c.expect_abstain, coverage == NOT_COVERED,
                                    c.topic or c.question, -1))
    return out


def medquad_examples(path: Path, corpus_text: str, vocabulary: frozenset[str], seed: int,
                     train_size: int = MEDQUAD_TRAIN) -> tuple[list[ScopeExample], list[ScopeExample], list[str]]:
    """(training examples, held-out-topic examples, topics left out as overlapping)."""
    rows = read_medquad(path)
    overlapping = sorted({r.focus for r in rows if overlaps(r.focus, corpus_text, vocabulary)})
    left_out = set(overlapping)
    kept = [ScopeExample("medquad", r.question, False, False, r.focus, topic_group(r.focus))
            for r in rows if r.focus not in left_out]
    train = [e for e in kept if e.group != HELD_OUT_GROUP]
    held = [e for e in kept if e.group == HELD_OUT_GROUP]
    rng = np.random.default_rng(seed)
    train = [train[i] for i in sorted(rng.choice(len(train), size=min(train_size, len(train)), replace=False))]
    return train, held, overlapping


def featurise(reader: QuestionReader, features: ScopeFeatures, texts: Sequence[str]) -> np.ndarray:
    return np.stack([features.of(reader.read(t))[0] for t in texts])


def _logistic(x: np.ndarray, y: np.ndarray, balanced: bool = True) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced" if balanced else None).fit(x, y)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def fit(x: np.ndarray, examples: Sequence[ScopeExample], fingerprint: str, cut_off: float = 0.5) -> ScopeModel:
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    answer = np.array([e.answer for e in examples])
    coef, intercept = _logistic(z, answer)
    declined = ~answer
    about = np.array([e.about_documents for e in examples])[declined]
    if about.any() and not about.all():
        topic_coef, topic_intercept = _logistic(z[declined], about)
    else:
        topic_coef, topic_intercept = np.zeros(len(FEATURES)), -1.0
    return ScopeModel(mean, scale, coef, intercept, topic_coef, topic_intercept, cut_off, fingerprint)


def folds_of(examples: Sequence[ScopeExample]) -> list[int]:
    """Out-of-fold groups: each writer is one group; MedQuAD by topic group."""
    names = sorted({e.source for e in examples if e.source != "medquad"})
    index = {n: i for i, n in enumerate(names)}
    return [index[e.source] if e.source != "medquad" else len(names) + e.group for e in examples]


def choose_cut_off(x: np.ndarray, examples: Sequence[ScopeExample], fingerprint: str,
                   calibrating: Sequence[bool] | None = None) -> float:
    """The highest cut-off that still answers MIN_ANSWERED of the answerable questions out of
    fold, among the `calibrating` examples (all when None)."""
    groups = np.array(folds_of(examples))
    scores = np.zeros(len(examples))
    for g in np.unique(groups):
        held = groups == g
        train_examples = [e for e, h in zip(examples, held, strict=True) if not h]
        model = fit(x[~held], train_examples, fingerprint)
        scores[held] = [model.answerable(row) for row in x[held]]
    answer = np.array([e.answer for e in examples])
    if calibrating is not None:
        answer = answer & np.asarray(calibrating, bool)
    grid = np.linspace(0.01, 0.99, 99)
    allowed = [c for c in grid if (scores[answer] >= c).mean() >= MIN_ANSWERED]
    return float(max(allowed)) if allowed else 0.01


def about(examples: Sequence[ScopeExample], overlapping: Sequence[str]) -> dict[str, Any]:
    return {
        "trained_on": {
            "writers": sorted({e.source for e in examples if e.source != "medquad"}),
            "medquad_questions": sum(e.source == "medquad" for e in examples),
            "medquad_topic_groups": [g for g in range(TOPIC_GROUPS) if g != HELD_OUT_GROUP],
        },
        "medquad_topics_left_out_as_overlapping": list(overlapping),
    }
