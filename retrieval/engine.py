"""The one answer() path every interface shares: CLI, HTTP, Gradio, evaluation.

question -> clean -> red flags (patterns, then semantic model) -> scope -> search
         -> relevant enough? -> compose cited answer -> Answer

An emergency or crisis escalation ends the path: the person sees the escalation and
the disclaimer, and no self-care advice. An urgent escalation comes first and the
answer may follow.

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
from .safety import RedFlagChecker, SafetyResult
from .scope import NOT_COVERED, OUT_OF_SCOPE, ScopeChecker
from .search import Searcher, SearchResult, SearchWeights
from .settings import DATA_DIR, Settings, load_settings
from .textnorm import clean_input

log = logging.getLogger("retrieval")

MAX_K = 20
MAX_SAFETY_CHARS = 20_000  # red flags are looked for in this much of even an over-long message


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
        require_red_flag_model: bool = True,
    ) -> None:
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.tuning = tuning or Tuning.load()
        self.messages = messages or Messages.load(settings)
        lexical = LexicalIndex(index.chunks)
        expander = QueryExpander.from_file(DATA_DIR / "lay_terms.toml", lexical.vocabulary)
        self.searcher = Searcher(index, embedder, expander, lexical, self.tuning.search)
        self.safety = RedFlagChecker(settings, require_model=require_red_flag_model)
        self.scope = ScopeChecker(self.safety.normalise)

    def encode_texts(self, texts: list[str]) -> list:
        """Vectors as search makes them (text-speak fixed, lay terms added), in one batch;
        a one-sentence question is embedded once for safety, scope and search together."""
        return self.embedder.encode_queries([self.searcher.expander.expand(self.safety.normalise(t)) for t in texts])

    def embed_examples(self) -> None:
        """Embed the scope example questions (once, at start-up)."""
        self.scope.embed_examples(self.encode_texts)

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        rebuild_if_stale: bool = False,
        progress: bool = False,
        say: Any = None,
        require_red_flag_model: bool = True,
    ) -> Engine:
        """Load the index (rebuilding it first when asked and it is stale) and the model.

        Without `rebuild_if_stale`, a stale or missing index raises IndexUnavailable
        whose message says what to run.
        """
        settings = settings or load_settings()
        embedder = Embedder(threads=settings.embedding_threads)
        status = index_status(settings.index_dir, settings.corpus_dir)
        if not status.fresh:
            if not rebuild_if_stale:
                raise IndexUnavailable(f"{status.reason.split(' (run:')[0]} (run: python -m retrieval build)")
            if say:
                say(f"Rebuilding the index: {status.reason}.")
            build_index(settings.corpus_dir, settings.index_dir, embedder, progress=progress)
        engine = cls(settings, load_index(settings.index_dir), embedder, require_red_flag_model=require_red_flag_model)
        engine.embed_examples()
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

        # 1. red flags, before anything else, in everything the person typed
        safety = self.safety.assess_patterns(text[:MAX_SAFETY_CHARS])
        if safety.stops_answer:
            return self._escalated(text, safety)
        if len(text) > self.settings.max_question_chars:
            return self._fixed(text, self.messages.too_long, reason="too_long", safety=safety)
        safety = self.safety.assess_semantic(text, self.encode_texts, safety)
        if safety.stops_answer:
            return self._escalated(text, safety)
        turns = normalize_history(history)
        reminder = "" if safety.escalation else (self.safety.reminder(turns) or "")

        # 2. is it something the article can answer?
        verdict = self.scope.check(text, self.encode_texts([text])[0])
        if verdict.kind == OUT_OF_SCOPE:
            return self._fixed(text, self.messages.out_of_scope, "out_of_scope", safety=safety, reminder=reminder)
        if verdict.kind == NOT_COVERED:
            return self._fixed(text, self.messages.not_covered, "not_covered", safety=safety, reminder=reminder)

        # 3. search and compose
        result = self.searcher.search(self.safety.normalise(search_query(text, turns)), k)
        if not self.is_covered(result):
            reason = "not_covered" if verdict.anchored else "out_of_scope"
            notice = self.messages.not_covered if verdict.anchored else self.messages.out_of_scope
            return self._fixed(text, notice, reason, retrieved=result, safety=safety, reminder=reminder)
        body, citations = compose(result, self.index, self.tuning.compose)
        reply = Answer(
            question=text,
            answer="",
            citations=citations,
            retrieved=result.passages,
            disclaimer=self.messages.disclaimer,
            escalation=safety.escalation,
            warning=safety.warning,
            reminder=reminder,
            id=uuid.uuid4().hex[:16],
            body=body,
            notices=[self.messages.medication_notice] if verdict.medication else [],
        )
        reply.answer = self.render(reply)
        return reply

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """Ranked passages for a question, without composing an answer."""
        k = max(1, min(MAX_K, int(k or self.settings.k)))
        return self.searcher.search(self.safety.normalise(clean_input(question)), k).passages

    def is_covered(self, result: SearchResult) -> bool:
        return bool(result.passages) and result.passages[0].score >= self.tuning.abstain.min_score

    def render(self, reply: Answer) -> str:
        """The Markdown a person reads: escalation first, then a reminder of an earlier one,
        the cited answer, its warning line, fixed notices, and the disclaimer."""
        parts = []
        if reply.escalation:
            parts.append(f"**{reply.escalation.message}**")
        if reply.reminder:
            parts.append(f"**{reply.reminder}**")
        if reply.body:
            parts.append(reply.body)
        if reply.warning:
            parts.append(f"**{reply.warning.message}**")
        parts.extend(reply.notices)
        parts.append(f"_{reply.disclaimer}_")
        return "\n\n".join(parts)

    def _escalated(self, question: str, safety: SafetyResult) -> Answer:
        """Emergency or crisis: the escalation and the disclaimer, nothing else."""
        reply = Answer(
            question=question,
            answer="",
            citations=[],
            retrieved=[],
            disclaimer=self.messages.disclaimer,
            escalation=safety.escalation,
            id=uuid.uuid4().hex[:16],
            reason="escalated",
        )
        reply.answer = self.render(reply)
        return reply

    def _fixed(
        self,
        question: str,
        text: str,
        reason: str = "",
        retrieved: SearchResult | None = None,
        safety: SafetyResult | None = None,
        reminder: str = "",
    ) -> Answer:
        """A declined or refused question: fixed text only, after any escalation."""
        reply = Answer(
            question=question,
            answer="",
            citations=[],
            retrieved=retrieved.passages if retrieved else [],
            disclaimer=self.messages.disclaimer,
            abstained=True,
            escalation=safety.escalation if safety else None,
            warning=safety.warning if safety else None,
            reminder=reminder,
            id=uuid.uuid4().hex[:16],
            notices=[text],
            reason=reason,
        )
        reply.answer = self.render(reply)
        return reply
