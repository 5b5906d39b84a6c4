"""Cited answers from a trusted corpus.

    from retrieval import get_engine
    reply = get_engine().answer("What are the symptoms?")   # an Answer; .to_dict() is the answer object

`get_engine()` loads the model and index once per process (thread-safe). The answer
object, the CLI, the HTTP API, test sets and settings are described in
docs/interfaces.md.
"""

from __future__ import annotations

import threading
from typing import Any

from .models import Answer, Chunk, Citation, Escalation, Passage, Retrieved, SafetyWarning

__all__ = ["Answer", "Chunk", "Citation", "Escalation", "Passage", "Retrieved", "SafetyWarning", "get_engine"]

_lock = threading.Lock()
_engine = None


def get_engine(rebuild_if_stale: bool = False) -> Any:
    """The process's Engine, loaded on first use. With `rebuild_if_stale`, a stale or
    missing index is rebuilt first, on this call too if the engine is already loaded."""
    global _engine
    with _lock:
        if _engine is None:
            from .engine import Engine

            _engine = Engine.load(rebuild_if_stale=rebuild_if_stale)
        elif rebuild_if_stale:
            from .index_store import index_status

            settings = _engine.settings
            if not index_status(settings.index_dir, settings.corpus_dir).fresh:
                from .engine import Engine

                _engine = Engine.load(settings, rebuild_if_stale=True)
        return _engine
