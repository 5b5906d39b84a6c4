"""Every learned artefact, trained in order from the writers' sets (and MedQuAD), seeded.

    encoder  fine-tune all-MiniLM-L6-v2 on the retrieval writers' questions and the safety
             writers' labelled messages (one model, two tasks), export it to ONNX
    index    build the search index with it
    search   fusion weights, on the retrieval writers' questions
    safety   the red-flag detector and its cut-offs, on the safety writers' messages
    scope    the scope decision, on writers' questions and MedQuAD topics

`train(...)` runs them for a set of writers, leaving out any writer named in `held_out`;
`python -m evals train` (train_all.py) runs it on every training writer and writes the
artefacts into retrieval/data/, and the cross-validation (cv.py) runs it once per fold.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.compose import ComposeSettings
from retrieval.detector import DetectorModel
from retrieval.encoder import Encoder
from retrieval.engine import Tuning
from retrieval.index_store import LoadedIndex, build_index, load_index
from retrieval.lexical import LexicalIndex
from retrieval.question import QuestionReader
from retrieval.scope import ScopeFeatures, ScopeModel
from retrieval.search import Searcher, SearchWeights
from retrieval.settings import Settings
from retrieval.text import fold

from ..sets import SETS_DIR, load_set
from . import red_flags, scope, tune
from .data import ordinary_questions, retrieval_pairs, safety_examples
from .encoder import EncoderTraining, fine_tune
from .export import export

SEED = 13
BENIGN_SAMPLE = 1200  # ordinary questions among the encoder's red-flag examples (the detector sees all)


@dataclass
class Trained:
    """One run of the pipeline: where things are and what was fitted."""

    encoder: Encoder
    index: LoadedIndex
    index_dir: Path
    reader: QuestionReader
    searcher: Searcher
    weights: SearchWeights
    composing: ComposeSettings
    detector: DetectorModel
    scope: ScopeModel
    scope_features: ScopeFeatures
    reads: list[red_flags.Read]
    about: dict[str, Any]


def _keep(examples: dict[str, list], held_out: Collection[str]) -> list:
    return [e for writer, rows in examples.items() if writer not in held_out for e in rows]


def labelled_texts(reader_normalise, expand, examples: list, seed: int) -> tuple[list[str], list[str]]:
    """The encoder's red-flag task: each message as the engine reads it, and each red flag's
    evidence on its own."""
    texts = [expand(reader_normalise(e.text)) for e in examples]
    labels = [e.label for e in examples]
    for e in examples:
        if e.kind == "red" and e.evidence:
            texts.append(reader_normalise(e.evidence))
            labels.append(e.label)
    return texts, labels


def train(work: Path, settings: Settings, medquad: Path, held_out: Collection[str] = (), seed: int = SEED,
          training: EncoderTraining | None = None, say=print) -> Trained:
    work.mkdir(parents=True, exist_ok=True)
    base = load_index(settings.index_dir)  # only its chunks: what the writers' questions point at
    frozen_reader = red_flags.reader_for(settings)

    # 1. the encoder: retrieval pairs, and red-flag messages of the writers neither held out nor calibrating
    pairs = [p for p in retrieval_pairs(base.chunks) if p.writer not in held_out]
    by_writer = {w: rows for w, rows in safety_examples().items() if w not in held_out}
    calibrating = red_flags.calibration_writers(list(by_writer), seed)
    safety = [e for rows in by_writer.values() for e in rows]
    ordinary = _keep(ordinary_questions(), held_out)
    medquad_benign = red_flags.medquad_examples(medquad, seed)
    sample = random.Random(seed).sample(ordinary, min(BENIGN_SAMPLE, len(ordinary)))
    taught = [e for e in safety if e.writer not in calibrating] + sample + medquad_benign[: BENIGN_SAMPLE // 2]
    texts, labels = labelled_texts(frozen_reader.normalise, frozen_reader.expander.expand, taught, seed)
    model_dir = work / "encoder-model" / "model"
    if not (model_dir / "config.json").is_file():
        say(f"  encoder: {len(pairs)} question-passage pairs, {len(texts)} labelled messages")
        fine_tune(pairs, base.chunks, model_dir.parent, seed, training, labelled=(texts, labels))
    encoder_dir = work / "encoder"
    if not (encoder_dir / "encoder.json").is_file():
        parity = [c.question for c in load_set(SETS_DIR / "retrieval" / "alder.jsonl").cases]
        export(model_dir, encoder_dir, "all-MiniLM-L6-v2, fine-tuned on the writers' questions and messages",
               {"base_model": "sentence-transformers/all-MiniLM-L6-v2", "seed": seed,
                "held_out_writers": sorted(held_out)}, parity)
    encoder = Encoder(encoder_dir, threads=2)

    # 2. the index, with that encoder
    index_dir = work / "index"
    build_index(settings.corpus_dir, index_dir, encoder, progress=False)
    index = load_index(index_dir)
    lexical = LexicalIndex(index.chunks)
    reader = QuestionReader.for_corpus(lexical.vocabulary, encoder)

    # 3. search fusion weights
    searcher = Searcher(index, lexical)
    table = tune.collect(_Engine(index, reader, searcher), pairs)
    weights, found = tune.fit(table, searcher.weights)
    searcher.weights = weights
    composing, support = tune.fit_compose(_Engine(index, reader, searcher), pairs, Tuning.load().compose)
    say(f"  search: training writers {found}; answer support {support:.3f}")

    # 4. the red-flag detector
    reads = red_flags.read_all(reader, safety + ordinary + medquad_benign)
    seen = {e.text for e in taught} | {p.question for p in pairs}
    # the cut-offs are chosen on messages the red-flag task never saw: the calibration writers',
    # the MedQuAD questions left out of it, and the patients' questions (retrieval writers) left
    # out of its benign sample. Those questions did train the retrieval task; without them the
    # only ordinary questions would be MedQuAD's, which read nothing like a patient's, and a
    # cut-off chosen there let one ordinary question in eight escalate.
    labelled = {e.text for e in taught}
    unseen = {e.text for e in safety + ordinary + medquad_benign if e.text not in labelled}
    cut_offs = red_flags.cut_offs_for(reads, encoder.fingerprint, seed, unseen)
    detector = red_flags.fit(reads, encoder.fingerprint, cut_offs)
    say(f"  red flags: {len(reads)} messages ({len(unseen)} unseen by the encoder choose the cut-offs: writers "
        f"{sorted(calibrating)} and MedQuAD), cut-offs {cut_offs['escalate']}, caution {cut_offs['caution']}")

    # 5. scope
    summaries = encoder.encode([f"{d['title']}. {d['summary']}" for d in index.documents])
    features = ScopeFeatures(index, lexical, summaries)
    corpus_text = fold(" ".join(c.embedding_text() for c in index.chunks))
    writers = [e for e in scope.writer_examples() if e.source not in held_out]
    mq_train, _, overlapping = scope.medquad_examples(medquad, corpus_text, lexical.vocabulary, seed)
    examples = writers + mq_train
    x = scope.featurise(reader, features, [e.text for e in examples])
    cut_off = scope.choose_cut_off(x, examples, encoder.fingerprint, calibrating=[e.text not in seen for e in examples])
    scope_model = scope.fit(x, examples, encoder.fingerprint, cut_off)
    say(f"  scope: {len(examples)} questions, cut-off {cut_off:.2f}")

    about = {"seed": seed, "held_out_writers": sorted(held_out), "search": dataclasses.asdict(weights),
             "compose": dataclasses.asdict(composing), "calibration_writers": sorted(calibrating), "search_on_training_writers": {**found, "answer_support": support},
             "scope": scope.about(examples, overlapping)}
    return Trained(encoder, index, index_dir, reader, searcher, weights, composing, detector, scope_model, features, reads, about)


@dataclass
class _Engine:
    """What tune.collect needs of an engine."""

    index: LoadedIndex
    reader: QuestionReader
    searcher: Searcher


def search_metrics(trained: Trained, pairs: list) -> dict[str, float]:
    return tune.metrics(tune.collect(_Engine(trained.index, trained.reader, trained.searcher), pairs), trained.weights)


def vectors_of(read: red_flags.Read) -> np.ndarray:
    return read.vectors
