"""python -m evals {run,compare,tune} ..."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"tune": "evals.tune"}
    if not argv or argv[0] not in commands:
        print(f"usage: python -m evals {{{','.join(commands)}}} ...", file=sys.stderr)
        return 64
    import importlib

    return importlib.import_module(commands[argv[0]]).main(argv[1:])
