"""python -m evals {run,compare,summary,bench,train,tune} ...

    run        a test set through the engine (or a server) and the baseline; writes reports
    compare    two report folders: what changed
    summary    several report folders as one Markdown table (for the README)
    bench      speed and memory: cold start, answer latency, index build, /api/ask under load
    train      rebuild the learned artefacts from data (red flags, scope)
    tune       search fusion weights on labelled sets
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "run": ("evals.runner", "main"),
    "compare": ("evals.compare", "compare_main"),
    "summary": ("evals.compare", "summary_main"),
    "bench": ("evals.bench", "main"),
    "train-red-flags": ("evals.train.red_flags", "main"),
    "scope-similarity": ("evals.train.scope_similarity", "main"),
    "tune": ("evals.train.tune", "main"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 64
    module, function = COMMANDS[argv[0]]
    return getattr(importlib.import_module(module), function)(argv[1:])
