"""python -m evals {run,compare,summary,bench,train,cv,cv-summary,tune,unseen,sealed} ...

    run        a test set through the engine (or a server) and the baseline; writes reports
    compare    two report folders: what changed
    summary    several report folders as one Markdown table (for the README)
    bench      speed and memory: cold start, answer latency, index build, /api/ask under load
    train      rebuild every learned artefact from data, seeded (encoder, search weights, red flags, scope)
    cv         cross-validation by writer: every artefact retrained without the held-out writers
    cv-summary the figures of a cross-validation run, per writer
    tune       search fusion weights on the training writers
    unseen     the shipped artefacts on holdout writers, held-out MedQuAD topics and real public questions
    sealed     the sealed sets, once, last
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "run": ("evals.runner", "main"),
    "compare": ("evals.compare", "compare_main"),
    "summary": ("evals.compare", "summary_main"),
    "bench": ("evals.bench", "main"),
    "train": ("evals.train.train_all", "main"),
    "cv": ("evals.train.cv", "main"),
    "cv-summary": ("evals.train.cv_summary", "main"),
    "tune": ("evals.train.tune", "main"),
    "unseen": ("evals.held_out", "unseen_main"),
    "sealed": ("evals.held_out", "sealed_main"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 64
    module, function = COMMANDS[argv[0]]
    return getattr(importlib.import_module(module), function)(argv[1:])
