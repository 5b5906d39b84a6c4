"""The one answer() path every interface shares: CLI, HTTP, Gradio, evaluation.

    message -> Question (cleaned, normalised, embedded once) -> red flags -> scope
            -> search -> relevant enough? -> compose cited body -> Answer (rendered once)

An emergency or crisis escalation ends the path: the person sees the escalation and
the disclaimer, and no self-care advice. An urgent escalation comes first and the
answer may follow.

`Engine(settings)` is light; `warm_up()` loads the index, the model and the rules, once.
`Engine.load()` does both (and rebuilds a stale index when asked). `answer()` never
raises: a failure becomes an Answer with an `error` field, the fixed error text and the
disclaimer.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import tomllib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from . import render
from .answerability import Answerability
from .compose import ComposeSettings, compose
from .detector import DetectorModel
from .encoder import Encoder
from .errors import IndexUnavailable
from .index_store import LoadedIndex, build_index, index_status, load_index
from .lexical import LexicalIndex
from .messages import Messages
from .models import Answer, Passage, Retrieved
from .question import Question, QuestionReader
from .safety import RedFlagChecker, SafetyResult
from .scope import IN_SCOPE, NOT_COVERED, OUT_OF_SCOPE, ScopeFeatures, ScopeJudge, ScopeModel
from .scope import MODEL_FILE as SCOPE_MODEL
from .search import Searcher, SearchResult, SearchWeights
from .settings import DATA_DIR, Settings, load_settings
from .text import clean_input

log = logging.getLogger("retrieval")

MAX_K = 20


@dataclass(frozen=True)
class AbstainSettings:
    min_score: float = 0.3  # best fused search score below which nothing at all matched


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


class _Stages:
    """Stamps the time each step of an answer took into a dict."""

    def __init__(self, into: dict[str, float]) -> None:
        into.clear()
        self.into = into
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.into[stage] = (now - self.last) * 1000.0
        self.last = now


class Engine:
    def __init__(
        self,
        settings: Settings,
        *,
        encoder: Encoder | None = None,
        tuning: Tuning | None = None,
        detector: DetectorModel | None = None,
        scope_model: ScopeModel | None = None,
    ) -> None:
        """Light: nothing is read until warm_up(). The learned models default to the shipped
        ones in data/ (the cross-validation passes its own)."""
        self.settings = settings
        self.tuning = tuning or Tuning.load()
        self.messages = Messages.load(settings)
        self.encoder = encoder or Encoder(threads=settings.embedding_threads)
        self._detector = detector
        self._scope_model = scope_model
        self._warm = threading.Lock()
        self.index: LoadedIndex | None = None
        self.stage_ms: dict[str, float] = {}  # how long each step of the last answer took (for benchmarks)

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        rebuild_if_stale: bool = False,
        progress: bool = False,
        say: Callable[[str], Any] | None = None,
        **options: Any,
    ) -> Engine:
        """An engine ready to answer. A stale or missing index is rebuilt first when
        `rebuild_if_stale`; otherwise it raises IndexUnavailable saying what to run."""
        engine = cls(settings or load_settings(), **options)
        if rebuild_if_stale:
            engine.rebuild_if_stale(progress=progress, say=say)
        engine.warm_up()
        return engine

    def rebuild_if_stale(self, progress: bool = False, say: Callable[[str], Any] | None = None) -> None:
        status = index_status(self.settings.index_dir, self.settings.corpus_dir, encoder=self.encoder.info)
        if not status.fresh:
            if say:
                say(f"Rebuilding the index: {status.reason}.")
            build_index(self.settings.corpus_dir, self.settings.index_dir, self.encoder, progress=progress)

    def warm_up(self) -> None:
        """Load the index, the model and the rules (once; later calls return at once)."""
        with self._warm:
            if self.index is not None:
                return
            status = index_status(self.settings.index_dir, self.settings.corpus_dir, encoder=self.encoder.info)
            if not status.fresh:
                raise IndexUnavailable(f"{status.reason.split(' (run:')[0]} (run: python -m retrieval build)")
            index = load_index(self.settings.index_dir)
            titles = [d["title"] for d in index.documents]
            self.messages = Messages.load(self.settings, titles)
            lexical = LexicalIndex(index.chunks)
            self.reader = QuestionReader.for_corpus(lexical.vocabulary, self.encoder)
            self.searcher = Searcher(index, lexical, self.tuning.search)
            self.safety = RedFlagChecker(self.settings, self.encoder.fingerprint, model=self._detector)
            summaries = self.encoder.encode([f"{d['title']}. {d['summary']}" for d in index.documents])
            scope_model = self._scope_model or ScopeModel.load(DATA_DIR / SCOPE_MODEL, self.encoder.fingerprint)
            self.scope = ScopeJudge(ScopeFeatures(index, lexical, summaries), scope_model)
            self.answerability = Answerability()
            self.index = index

    # -- the answer path -------------------------------------------------------
    def answer(self, question: Any, history: Any = None, k: int | None = None) -> Answer:
        started = time.perf_counter()
        try:
            reply = self._answer(question, history, k)
        except Exception as exc:  # never crash on odd input; say so and keep the disclaimer
            log.error("answer failed: %s", type(exc).__name__, exc_info=log.isEnabledFor(logging.DEBUG))
            text = clean_input(question) if isinstance(question, str) else ""
            reply = self._reply(text, notices=[self.messages.error], reason="error", abstained=True,
                                error=f"{type(exc).__name__}: internal error")
        return dataclasses.replace(reply, latency_ms=(time.perf_counter() - started) * 1000.0)

    def _answer(self, message: Any, history: Any, k: int | None) -> Answer:
        if not isinstance(message, str):
            return self._reply("", notices=[self.messages.empty], reason="empty", abstained=True,
                               error="question must be a string")
        self.warm_up()
        clock = _Stages(self.stage_ms)
        q = self.reader.read(message, history)
        clock("read")
        if q.is_empty:
            return self._reply(q.text, notices=[self.messages.empty], reason="empty", abstained=True)
        k = max(1, min(MAX_K, int(k or self.settings.k)))

        # 1. red flags, before anything else, in everything the person typed
        safety = self.safety.assess(q)
        clock("safety")
        if safety.stops_answer:
            return self._escalated(q, safety)
        if len(q.text) > self.settings.max_question_chars:
            return self._declined(q, self.messages.too_long, "too_long", safety)
        reminder = "" if safety.escalation else (self.safety.reminder(q.turn_vectors, q.turns_normalised) or "")

        # 2. is it something the documents can answer?
        verdict = self.scope.check(q)
        clock("scope")
        if verdict.kind != IN_SCOPE:
            return self._declined(q, self._notice(verdict.kind), verdict.kind, safety, reminder)
        if self.answerability.about_unknown_medicine(q.normalised, verdict.unknown_terms):
            return self._declined(q, self.messages.not_covered, NOT_COVERED, safety, reminder)

        # 3. search and compose; say first what the documents do not say
        result = self.searcher.search(q, k)
        clock("search")
        if not self.is_covered(result):
            return self._declined(q, self.messages.out_of_scope, OUT_OF_SCOPE, safety, reminder, result.passages)
        body, citations = compose(result, self.index, self.tuning.compose)
        missing = self.answerability.missing(q.normalised, citations, verdict.unknown_terms)
        notices = [self.messages.medication_notice] if self.answerability.medication_notice_applies(q.normalised, citations) else []
        clock("compose")
        return self._reply(
            q.text,
            citations=citations,
            retrieved=result.passages,
            coverage="partial" if missing else "answered",
            escalation=safety.escalation,
            warning=safety.warning,
            support=safety.support,
            reminder=reminder,
            missing=missing,
            body=body,
            notices=notices,
        )

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """Ranked passages for a question, without composing an answer."""
        self.warm_up()
        k = max(1, min(MAX_K, int(k or self.settings.k)))
        return self.searcher.search(self.reader.read(question), k).passages

    def is_covered(self, result: SearchResult) -> bool:
        return bool(result.passages) and result.passages[0].score >= self.tuning.abstain.min_score

    def _notice(self, kind: str) -> str:
        return self.messages.not_covered if kind == NOT_COVERED else self.messages.out_of_scope

    # -- building the reply (once) ------------------------------------------------
    def _reply(self, question: str, *, retrieved: Sequence[Passage] = (), **fields: Any) -> Answer:
        """The Answer, with its Markdown rendered from the same fields (retrieval/render.py)."""
        shown = {name: fields[name] for name in ("escalation", "warning", "support", "reminder", "missing", "body", "notices")
                 if name in fields}
        text = render.markdown(render.parts(**shown, disclaimer=self.messages.disclaimer))
        return Answer(
            question=question,
            answer=text,
            citations=list(fields.pop("citations", [])),
            retrieved=[Retrieved.of(p) for p in retrieved],
            disclaimer=self.messages.disclaimer,
            id=uuid.uuid4().hex[:16],
            **fields,
        )

    def _escalated(self, q: Question, safety: SafetyResult) -> Answer:
        """Emergency or crisis: the escalation and the disclaimer, nothing else."""
        return self._reply(q.text, escalation=safety.escalation, reason="escalated")

    def _declined(
        self,
        q: Question,
        notice: str,
        reason: str,
        safety: SafetyResult,
        reminder: str = "",
        retrieved: Sequence[Passage] = (),
    ) -> Answer:
        """A declined or refused question: fixed text only, after any escalation."""
        return self._reply(
            q.text,
            retrieved=retrieved,
            abstained=True,
            coverage=reason if reason in (NOT_COVERED, OUT_OF_SCOPE) else None,
            escalation=safety.escalation,
            warning=safety.warning,
            support=safety.support,
            reminder=reminder,
            notices=[notice],
            reason=reason,
        )
