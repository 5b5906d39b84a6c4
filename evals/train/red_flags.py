"""Train the red-flag detector (retrieval/detector.py) and choose its cut-offs.

Data, read by writer (sets/writers.toml, role "train"):
- every safety writer's labelled messages (red flags with level and category, low mood,
  questions about red flags, traps, ordinary questions);
- the retrieval writers' questions (ordinary questions: benign);
- a seeded sample of MedQuAD questions about other conditions and drugs (benign).

Each message is read as the engine reads it (one forward pass: the message's vector and
each clause's). The message's vector carries its label; so does every clause of a message
that is not a red flag, and, for a red flag, the clauses holding the writer's evidence.
A softmax regression over these vectors is the detector.

Cut-offs are chosen on scores the encoder could not have learnt: a quarter of the safety
writers (`calibration_writers`), the MedQuAD questions it never saw and the patients'
questions left out of its benign sample are left out of the encoder's red-flag task, and
their messages are scored out of fold (grouped by writer, so a
writer's own messages never choose a cut-off for themselves). Scores of messages the
encoder was fine-tuned on are far more confident than a new writer's, and cut-offs chosen
on them would be too high for people who write differently. The detector itself is fitted
on every writer. The cut-offs (see `choose`): the escalate cut-off, set on emergency-level
messages; the suicide cut-off, set on suicidal messages on its own (a missed crisis is worse
than a gentle false check-in); each raised only as far as the false-alarm targets need (when
the two conflict, the false-alarm target wins, and the figures say so); the caution band below it, the
support and about lines, and the nerve-symptom level that makes infection or cancer an
emergency. The decision itself is retrieval.safety.decide: imported here, never copied.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.detector import NOT_RED, Detection, DetectorModel
from retrieval.question import Question, QuestionReader
from retrieval.safety import decide
from retrieval.text import fold

from .data import BENIGN, SafetyExample, read_medquad

C = 8.0
MEDQUAD_SAMPLE = 2000
# what the cut-offs must keep on out-of-fold scores (the product's targets are 97% of emergencies
# and crises, 95% of suicidal messages, at most 1% of ordinary questions escalated and 5% given
# a conditional warning, at most 10% of low mood given the crisis escalation; these leave a margin)
TARGETS = {"recall": 0.975, "suicide_recall": 0.97, "ordinary": 0.008, "low_mood_crisis": 0.08,
           "caution_ordinary": 0.04, "support_precision": 0.8, "about_ordinary": 0.04}
GRID = tuple(round(x, 3) for x in np.arange(0.05, 0.96, 0.025))
EMERGENCY_CATEGORIES = ("cauda_equina", "weakness", "infection", "cancer", "fracture", "vascular", "overdose")


@dataclass
class Read:
    """One message, read by the engine's QuestionReader, with its label."""

    example: SafetyExample
    question: Question
    evidence_parts: tuple[int, ...]  # clause positions holding the writer's evidence

    @property
    def vectors(self) -> np.ndarray:
        return np.stack([self.question.vector, *self.question.clause_vectors])


def evidence_clauses(question: Question, evidence: str, normalise) -> tuple[int, ...]:
    """The clauses of the normalised message that hold the evidence (normalised the same
    way); when the words were changed too much to find, the clauses sharing most words."""
    if not evidence:
        return ()
    target = normalise(evidence)
    text = question.normalised
    start = text.find(target)
    clauses = question.clauses
    if start >= 0:
        end, spans, position = start + len(target), [], 0
        for i, clause in enumerate(clauses):
            at = text.find(clause, position)
            position = at + len(clause)
            if at < end and position > start:
                spans.append(i)
        if spans:
            return tuple(spans)
    words = set(fold(target).split())
    overlap = [len(words & set(c.split())) for c in clauses]
    best = max(overlap, default=0)
    return tuple(i for i, n in enumerate(overlap) if n == best and n > 0)


def read_all(reader: QuestionReader, examples: Sequence[SafetyExample]) -> list[Read]:
    out = []
    for example in examples:
        question = reader.read(example.text)
        parts = evidence_clauses(question, example.evidence, reader.normalise) if example.kind == "red" else ()
        out.append(Read(example, question, parts))
    return out


def reader_for(settings: Any, encoder: Any = None) -> QuestionReader:
    """The engine's QuestionReader for the settings' index and the shipped (or given) encoder,
    without the learned layers that are about to be trained."""
    from retrieval.encoder import Encoder
    from retrieval.index_store import load_index
    from retrieval.lexical import LexicalIndex

    index = load_index(settings.index_dir)
    return QuestionReader.for_corpus(LexicalIndex(index.chunks).vocabulary, encoder or Encoder(threads=1))


CALIBRATION_EVERY = 4  # one safety writer in four calibrates the cut-offs instead of training the encoder


def calibration_writers(writers: Sequence[str], seed: int) -> frozenset[str]:
    """The safety writers whose messages the encoder never sees: they choose the cut-offs."""
    names = sorted(writers)
    random.Random(seed).shuffle(names)
    return frozenset(names[::CALIBRATION_EVERY])


def medquad_examples(path: Path, seed: int) -> list[SafetyExample]:
    questions = read_medquad(path)
    rng = random.Random(seed)
    return [SafetyExample("medquad", q.question, BENIGN, "ordinary") for q in rng.sample(questions, MEDQUAD_SAMPLE)]


# -- fitting ------------------------------------------------------------------------------
def training_matrix(reads: Sequence[Read]) -> tuple[np.ndarray, list[str]]:
    rows, labels = [], []
    for r in reads:
        vectors = r.vectors
        rows.append(vectors[0])
        labels.append(r.example.label)
        parts = r.evidence_parts if r.example.kind == "red" else (
            range(len(r.question.clauses)) if r.example.label in (BENIGN, "about") else ()
        )
        for i in parts:
            if np.linalg.norm(vectors[i + 1]) > 0:
                rows.append(vectors[i + 1])
                labels.append(r.example.label)
    return np.stack(rows), labels


def fit(reads: Sequence[Read], fingerprint: str, cut_offs: dict[str, Any] | None = None) -> DetectorModel:
    from sklearn.linear_model import LogisticRegression

    x, y = training_matrix(reads)
    classes = sorted(set(y) | set(NOT_RED))
    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(x, y)
    coef = np.zeros((len(classes), x.shape[1]), np.float32)
    intercept = np.full(len(classes), -30.0, np.float32)  # a class with no example is never predicted
    for row, name in enumerate(clf.classes_):
        coef[classes.index(name)] = clf.coef_[row]
        intercept[classes.index(name)] = clf.intercept_[row]
    return DetectorModel(tuple(classes), coef, intercept, cut_offs or {}, fingerprint, {})


# -- cut-offs -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scored:
    """A held-out message's detection (by a model that never saw its writer)."""

    read: Read
    detection: Detection

    @property
    def kind(self) -> str:
        return self.read.example.kind

    @property
    def label(self) -> str:
        return self.read.example.label


def out_of_fold(reads: Sequence[Read], fingerprint: str, folds: int, seed: int) -> list[Scored]:
    """Every message scored by a model trained without its writer (writers in `folds` groups)."""
    writers = sorted({r.example.writer for r in reads})
    random.Random(seed).shuffle(writers)
    group = {w: i % folds for i, w in enumerate(writers)}
    scored = []
    for g in range(folds):
        train = [r for r in reads if group[r.example.writer] != g]
        model = fit(train, fingerprint)
        for r in reads:
            if group[r.example.writer] == g:
                scored.append(Scored(r, model.read(r.vectors)))
    return scored


def _rate(flags: Sequence[bool]) -> float:
    return float(np.mean(flags)) if len(flags) else 0.0


def choose_cut_offs(scored: Sequence[Scored]) -> dict[str, Any]:
    """Cut-offs from out-of-fold scores, in the order the product's promises come:

    - escalate: the highest cut-off that still escalates TARGETS["recall"] of emergency-level
      messages (a red flag first, however it is put), raised only as far as keeping false
      escalations of ordinary questions within TARGETS["ordinary"] needs;
    - suicide: its own, the highest that still finds TARGETS["suicide_recall"] of suicidal
      messages, raised while low mood, or ordinary questions, would get the crisis escalation
      too often (a crisis reply holds no answer, so a false one costs the person their answer);
    - caution: the lowest cut-off below escalate that opens at most TARGETS["caution_ordinary"]
      of ordinary questions with a conditional warning;
    - support, about, nerve: see the helpers below.
    """
    red = [s for s in scored if s.kind == "red"]
    high = [s for s in red if s.label.split(":")[1] == "emergency"]
    suicidal = [s for s in red if s.label.startswith("suicide:")]
    ordinary = [s for s in scored if s.kind == "ordinary"]
    low_mood = [s for s in scored if s.kind == "low_mood"]
    # patients' questions and MedQuAD's are held to the false-alarm targets each on their own:
    # pooled, MedQuAD's many templated questions would dilute the patients' rate
    sources = [[s for s in ordinary if s.read.example.writer == "medquad"],
               [s for s in ordinary if s.read.example.writer != "medquad"]]

    def recall(items: Sequence[Scored], cut: float) -> float:
        return _rate([s.detection.red >= cut for s in items])

    def worst(test) -> float:
        return max((_rate([test(s) for s in group]) for group in sources if group), default=0.0)

    def crisis(s: Scored, cut: float) -> bool:
        return s.detection.red >= cut and s.detection.category == "suicide"

    escalate = max((c for c in GRID if recall(high, c) >= TARGETS["recall"]), default=GRID[0])
    while escalate < GRID[-1] and worst(lambda s, cut=escalate: s.detection.red >= cut) > TARGETS["ordinary"]:
        escalate = round(escalate + 0.025, 3)
    suicide = max((c for c in GRID if recall(suicidal, c) >= TARGETS["suicide_recall"]), default=GRID[0])
    while suicide < GRID[-1] and (_rate([crisis(s, suicide) for s in low_mood]) > TARGETS["low_mood_crisis"]
                                  or worst(lambda s, cut=suicide: crisis(s, cut)) > TARGETS["ordinary"]):
        suicide = round(suicide + 0.025, 3)
    caution = next((c for c in GRID if c < escalate and worst(
        lambda s, c=c: c <= s.detection.red < escalate and s.detection.category in EMERGENCY_CATEGORIES
    ) <= TARGETS["caution_ordinary"]), escalate)
    support = next((c for c in GRID if _precision([s.detection.low_mood >= c for s in scored],
                                                   [s.label == "low_mood" for s in scored]) >= TARGETS["support_precision"]), GRID[-1])
    about = next((c for c in GRID if worst(lambda s, c=c: s.detection.about >= c) <= TARGETS["about_ordinary"]), GRID[-1])
    return {
        "escalate": {"default": escalate, "suicide": suicide},
        "caution": {"default": caution},
        "emergency_categories": list(EMERGENCY_CATEGORIES),
        "support": support,
        "about": about,
        "nerve": _best_nerve(scored),
    }


def _precision(predicted: Sequence[bool], actual: Sequence[bool]) -> float:
    hits = sum(p and a for p, a in zip(predicted, actual, strict=True))
    return hits / max(1, sum(predicted))


def _best_nerve(scored: Sequence[Scored]) -> float:
    """The nerve-symptom level that best separates infection/cancer emergencies from urgent cases."""
    cases = [s for s in scored if s.label.split(":")[0] in ("infection", "cancer")]
    if not cases:
        return 0.5
    return max(GRID, key=lambda c: (_rate([(s.detection.nerve >= c) == s.label.endswith(":emergency") for s in cases]), c))


def cut_offs_for(reads: Sequence[Read], fingerprint: str, seed: int, unseen: set[str], folds: int = 5) -> dict[str, Any]:
    """Cut-offs from the out-of-fold scores of the messages whose text the encoder never saw."""
    scored = out_of_fold(reads, fingerprint, folds, seed)
    return choose_cut_offs([s for s in scored if s.read.example.text in unseen])


def decisions(model: DetectorModel, reads: Sequence[Read]) -> list[tuple[Read, Any]]:
    return [(r, decide(model.read(r.vectors), model.cut_offs)) for r in reads]
