"""Turn one reply into judged facts: which retrieved and cited passages are relevant,
and which passages of the corpus should have been found (the case's qrels).

Nothing here is a metric yet; evals/metrics.py aggregates these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .answerers import CITATIONS, RETRIEVAL, Reply
from .dataset import Case
from .relevance import PhraseIndex, is_relevant


@dataclass
class CaseResult:
    case: Case
    answer: dict[str, Any]  # the answer object as received
    latency_ms: float
    error: str | None
    capabilities: frozenset[str]
    ranking: list[str] = field(default_factory=list)  # retrieved chunk ids, best first, no repeats
    ranking_relevant: list[bool] = field(default_factory=list)
    qrels: frozenset[str] = frozenset()  # every passage relevant to the case
    judged_retrieval: bool = False  # retrieval metrics apply to this case
    cited_relevant: list[bool] | None = None  # None: citations not available
    set_problem: bool = False  # the case's phrases are in no passage: not judged on relevance

    @property
    def labelled(self) -> bool:
        """Relevance-based checks (retrieval, support, citations) apply to this case."""
        return bool(self.case.relevant) and not self.set_problem


def _ranking(passages: list[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    ids, kept = [], []
    for p in passages:
        if not isinstance(p, dict):
            continue
        chunk_id = str(p.get("chunk_id", ""))
        if chunk_id and chunk_id not in ids:
            ids.append(chunk_id)
            kept.append(p)
    return ids, kept


def judge(
    case: Case,
    reply: Reply,
    capabilities: frozenset[str],
    corpus: PhraseIndex | None,
    unmatched: frozenset[str] = frozenset(),
) -> CaseResult:
    """`corpus`: all passages the answers come from, or None when unknown (then only the
    retrieved passages can be judged). `unmatched`: ids of cases whose phrases no passage
    of the reference corpus contains; they are set problems, not retrieval misses."""
    answer = reply.answer
    if reply.capabilities is not None:
        capabilities = reply.capabilities
    result = CaseResult(case, answer, reply.latency_ms, reply.error, capabilities, set_problem=case.id in unmatched)
    if RETRIEVAL in capabilities:
        ids, passages = _ranking(answer.get("retrieved") or [])
        result.ranking = ids
        result.ranking_relevant = [is_relevant(p, case.relevant) for p in passages] if case.relevant else []
        if result.labelled:
            in_corpus = corpus.relevant_ids(case.relevant) if corpus is not None else set()
            retrieved = {i for i, rel in zip(ids, result.ranking_relevant, strict=True) if rel}
            result.qrels = frozenset(in_corpus | retrieved)
            result.judged_retrieval = True
    if CITATIONS in capabilities and result.labelled:
        citations = [c for c in answer.get("citations") or [] if isinstance(c, dict)]
        result.cited_relevant = [is_relevant(c, case.relevant) for c in citations]
    return result
