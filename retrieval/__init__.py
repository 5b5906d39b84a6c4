"""Cited answers from a trusted corpus.

    from retrieval import get_engine
    reply = get_engine().answer("What are the symptoms?")   # an Answer; .to_dict() is CONTRACT §1

`get_engine()` loads the model and index once per process (thread-safe);
`answer()` is a shortcut to it.
"""

from __future__ import annotations

import threading
from typing import Any

from .models import Answer, Chunk, Citation, Escalation, Passage

__all__ = ["Answer", "Chunk", "Citation", "Escalation", "Passage", "answer", "get_engine"]

_lock = threading.Lock()
_engine = None


def get_engine(rebuild_if_stale: bool = False) -> Any:
    """The process's Engine, loaded on first use."""
    global _engine
    with _lock:
        if _engine is None:
            from .engine import Engine

            _engine = Engine.load(rebuild_if_stale=rebuild_if_stale)
        return _engine


def answer(question: str, history: list[dict[str, Any]] | None = None, k: int | None = None) -> Answer:
    return get_engine().answer(question, history=history, k=k)
