"""python -m evals {run,compare,summary,bench,tune} ...

    run      a test set through the engine (or a server) and the baseline; writes reports
    compare  two report folders: what changed
    summary  several report folders as one Markdown table (for the README)
    bench    speed and memory: cold start, answer latency, index build, /api/ask under load
    tune     search fusion weights on labelled sets
    train-red-flags    train the red-flag model (the semantic layer) and choose its cut-off
    scope-similarity   threshold and margin of the scope similarity check
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "run": "evals.run",
    "compare": "evals.compare",
    "summary": "evals.summary",
    "bench": "evals.bench",
    "tune": "evals.tune",
    "train-red-flags": "evals.train_red_flags",
    "scope-similarity": "evals.scope_similarity",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 64
    return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])
