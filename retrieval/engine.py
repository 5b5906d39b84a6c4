"""The one answer() path every interface shares: CLI, HTTP, Gradio, evaluation.

question -> clean -> search -> relevant enough? -> compose cited answer -> Answer

The engine holds the loaded-once model and index; nothing else is global.
`answer()` never raises: a failure becomes an Answer with an `error` field,
the fixed error text and the disclaimer.
"""

from __future__ import annotations

import logging
import time
import tomllib
import uuid
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .answer import ComposeSettings, compose
from .conversation import normalize_history, search_query
from .embedding import Embedder
from .index_store import IndexUnavailable, LoadedIndex, build_index, index_status, load_index
from .lexical import LexicalIndex, QueryExpander
from .messages import Messages
from .models import Answer, Passage
from .search import Searcher, SearchResult, SearchWeights
from .settings import DATA_DIR, Settings, load_settings
from .textnorm import clean_input

log = logging.getLogger("retrieval")

MAX_K = 20


@dataclass(frozen=True)
class AbstainSettings:
    min_score: float = 0.6  # best fused search score below which nothing relevant was found


@dataclass(frozen=True)
class Tuning:
    search: SearchWeights
    compose: ComposeSettings
    abstain: AbstainSettings

    @classmethod
    def load(cls, path: Path | None = None) -> Tuning:
        data = tomllib.loads((path or DATA_DIR / "tuning.toml").read_text(encoding="utf-8"))

        def make(kind: type, section: str) -> Any:
            known = {f.name for f in fields(kind)}
            return kind(**{k: v for k, v in data.get(section, {}).items() if k in known})

        return cls(make(SearchWeights, "search"), make(ComposeSettings, "compose"), make(AbstainSettings, "abstain"))


class Engine:
    def __init__(
        self,
        settings: Settings,
        index: LoadedIndex,
        embedder: Embedder,
        tuning: Tuning | None = None,
        messages: Messages | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.tuning = tuning or Tuning.load()
        self.messages = messages or Messages.load(settings)
        lexical = LexicalIndex(index.chunks)
        expander = QueryExpander.from_file(DATA_DIR / "lay_terms.toml", lexical.vocabulary)
        self.searcher = Searcher(index, embedder, expander, lexical, self.tuning.search)

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        rebuild_if_stale: bool = False,
        progress: bool = False,
        say: Any = None,
    ) -> Engine:
        """Load the index (rebuilding it first when asked and it is stale) and the model.

        Without `rebuild_if_stale`, a stale or missing index raises IndexUnavailable
        whose message says what to run.
        """
        settings = settings or load_settings()
        embedder = Embedder()
        status = index_status(settings.index_dir, settings.corpus_dir)
        if not status.fresh:
            if not rebuild_if_stale:
                raise IndexUnavailable(f"{status.reason.split(' (run:')[0]} (run: python -m retrieval build)")
            if say:
                say(f"Rebuilding the index: {status.reason}.")
            build_index(settings.corpus_dir, settings.index_dir, embedder, progress=progress)
        engine = cls(settings, load_index(settings.index_dir), embedder)
        embedder.warm_up()
        return engine

    # -- the answer path -------------------------------------------------------
    def answer(self, question: Any, history: Any = None, k: int | None = None) -> Answer:
        started = time.perf_counter()
        try:
            result = self._answer(question, history, k)
        except Exception as exc:  # never crash on odd input; say so and keep the disclaimer
            log.exception("answer failed")
            result = self._fixed(clean_input(question) if isinstance(question, str) else "", self.messages.error)
            result.reason, result.error = "error", f"{type(exc).__name__}: internal error"
        result.latency_ms = (time.perf_counter() - started) * 1000.0
        return result

    def _answer(self, question: Any, history: Any, k: int | None) -> Answer:
        if not isinstance(question, str):
            reply = self._fixed("", self.messages.empty, reason="empty")
            reply.error = "question must be a string"
            return reply
        text = clean_input(question)
        k = max(1, min(MAX_K, int(k or self.settings.k)))
        if not any(ch.isalnum() for ch in text):
            return self._fixed(text, self.messages.empty, reason="empty")
        if len(text) > self.settings.max_question_chars:
            return self._fixed(text, self.messages.too_long, reason="too_long")
        turns = normalize_history(history)
        result = self.searcher.search(search_query(text, turns), k)
        if not self.is_covered(result):
            return self._fixed(text, self.messages.not_covered, reason="not_covered", retrieved=result)
        body, citations = compose(result, self.index, self.tuning.compose)
        reply = Answer(
            question=text,
            answer="",
            citations=citations,
            retrieved=result.passages,
            disclaimer=self.messages.disclaimer,
            id=uuid.uuid4().hex[:16],
            body=body,
        )
        reply.answer = self.render(reply)
        return reply

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """Ranked passages for a question, without composing an answer."""
        k = max(1, min(MAX_K, int(k or self.settings.k)))
        return self.searcher.search(clean_input(question), k).passages

    def is_covered(self, result: SearchResult) -> bool:
        return bool(result.passages) and result.passages[0].score >= self.tuning.abstain.min_score

    def render(self, reply: Answer) -> str:
        """The Markdown a person reads: escalation first, cited body, notices, disclaimer."""
        parts = []
        if reply.escalation:
            parts.append(f"**{reply.escalation.message}**")
        if reply.body:
            parts.append(reply.body)
        parts.extend(reply.notices)
        parts.append(f"_{reply.disclaimer}_")
        return "\n\n".join(parts)

    def _fixed(
        self, question: str, text: str, reason: str = "", retrieved: SearchResult | None = None
    ) -> Answer:
        reply = Answer(
            question=question,
            answer="",
            citations=[],
            retrieved=retrieved.passages if retrieved else [],
            disclaimer=self.messages.disclaimer,
            abstained=True,
            id=uuid.uuid4().hex[:16],
            notices=[text],
            reason=reason,
        )
        reply.answer = self.render(reply)
        return reply
