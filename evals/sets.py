"""Test sets and how one reply is judged.

- reading a set (docs/interfaces.md, "Test sets"): a bad line is reported with its number,
  the rest still run;
- what an answerer gives back (`Reply`) and which parts of the answer object it really
  carries (capabilities), so nothing is judged that was not there;
- relevance: a passage is relevant when its heading path or text contains one of the
  case's phrases (case, whitespace, dash and quote style ignored), or its chunk id is
  listed;
- judging one reply: which retrieved and cited passages are relevant, and which passages
  of the corpus should have been found (the case's qrels). metrics.py aggregates these.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.text import fold

SETS_DIR = Path(__file__).resolve().parent / "sets"
WRITERS_FILE = SETS_DIR / "writers.toml"


def writer_sets(task: str, role: str = "train") -> dict[str, Path]:
    """The sets of a task ("safety", "retrieval", "scope", "leaflets") with a role ("train",
    "holdout", "sealed", "test"), by writer, from sets/writers.toml."""
    import tomllib

    registry = tomllib.loads(WRITERS_FILE.read_text(encoding="utf-8"))
    folder = "sealed" if role == "sealed" else task
    return {name: SETS_DIR / folder / f"{name}.jsonl" for name in registry.get(task, {}).get(role, [])}


# -- reading a set ------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    question: str
    relevant: tuple[str, ...] = ()
    expect_escalation: bool | None = None
    expect_level: str | None = None
    expect_category: str | None = None
    expect_warning: bool | None = None
    expect_abstain: bool | None = None
    expect_support: bool | None = None
    expect_coverage: str | None = None
    reference: str = ""
    tags: tuple[str, ...] = ()
    history: tuple[dict[str, Any], ...] = ()
    line: int = 0
    # what writers add (kept for training and per-kind reports; the runner ignores them)
    kind: str = ""  # safety sets: red | low_mood | trap | about | ordinary
    evidence: str = ""  # the words that make a message a red flag
    topic: str = ""  # scope sets: the condition or subject asked about
    passage: str = ""  # retrieval sets: the chunk id of the passage that answers


@dataclass
class LoadedSet:
    path: Path
    cases: list[Case] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 7: not valid JSON ..."


def _optional_bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ValueError(f'"{key}" must be true or false')
    return value


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'"{key}" must be a list of strings')
    return tuple(value)


def parse_case(data: Any, line: int) -> Case:
    if not isinstance(data, dict):
        raise ValueError("a case must be a JSON object")
    case_id, question = data.get("id"), data.get("question")
    if not isinstance(case_id, str) or not case_id:
        raise ValueError('"id" must be a non-empty string')
    if not isinstance(question, str):
        raise ValueError('"question" must be a string')
    history = data.get("history") or []
    if not isinstance(history, list):
        raise ValueError('"history" must be a list of {"role", "content"} objects')
    return Case(
        id=case_id,
        question=question,
        relevant=_strings(data, "relevant"),
        expect_escalation=_optional_bool(data, "expect_escalation"),
        expect_level=data.get("expect_level"),
        expect_category=data.get("expect_category"),
        expect_warning=_optional_bool(data, "expect_warning"),
        expect_abstain=_optional_bool(data, "expect_abstain"),
        expect_support=_optional_bool(data, "expect_support"),
        expect_coverage=data.get("expect_coverage") or data.get("coverage"),
        reference=str(data.get("reference") or ""),
        tags=_strings(data, "tags"),
        history=tuple(h for h in history if isinstance(h, dict)),
        line=line,
        kind=str(data.get("kind") or ""),
        evidence=str(data.get("evidence") or ""),
        topic=str(data.get("topic") or ""),
        passage=str(data.get("passage") or ""),
    )


def load_set(path: Path) -> LoadedSet:
    loaded = LoadedSet(path)
    seen: set[str] = set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                case = parse_case(json.loads(raw), number)
            except json.JSONDecodeError as exc:
                loaded.problems.append(f"line {number}: not valid JSON ({exc.msg}, column {exc.colno})")
                continue
            except ValueError as exc:
                loaded.problems.append(f"line {number}: {exc}")
                continue
            if case.id in seen:
                loaded.problems.append(f"line {number}: duplicate id {case.id!r}")
                continue
            seen.add(case.id)
            loaded.cases.append(case)
    return loaded


# -- what an answerer gives back ------------------------------------------------------

RETRIEVAL, CITATIONS, ESCALATION, WARNING, ABSTENTION, DISCLAIMER = (
    "retrieval",
    "citations",
    "escalation",
    "warning",
    "abstention",
    "disclaimer",
)
FULL = frozenset({RETRIEVAL, CITATIONS, ESCALATION, WARNING, ABSTENTION, DISCLAIMER})


@dataclass
class Reply:
    answer: dict[str, Any]  # the answer object as received (possibly partial)
    latency_ms: float  # wall-clock time of the call, measured by the evaluator
    error: str | None = None  # transport problem, or the answer object's own `error`
    capabilities: frozenset[str] | None = None  # what this reply carries, when it differs from the answerer's


# -- relevance -------------------------------------------------------------------------

def passage_haystack(passage: dict[str, Any]) -> str:
    """What phrases are looked for in: the heading path and the text, folded."""
    return fold(f"{passage.get('section', '')}\n{passage.get('text', '')}")


def _matches(haystack: str, chunk_id: Any, relevant: Iterable[str]) -> bool:
    return any(phrase == chunk_id or fold(phrase) in haystack for phrase in relevant)


def is_relevant(passage: dict[str, Any], relevant: Iterable[str]) -> bool:
    return _matches(passage_haystack(passage), passage.get("chunk_id"), relevant)


def text_supports(text: str, relevant: Iterable[str]) -> bool:
    """Does an answer text contain one of the relevant phrases?"""
    folded = fold(text)
    return any(fold(p) in folded for p in relevant)


class PhraseIndex:
    """All passages of one corpus, folded once; answers "which passages are relevant?"."""

    def __init__(self, passages: Sequence[dict[str, Any]]) -> None:
        self._entries = [(str(p.get("chunk_id")), passage_haystack(p)) for p in passages]
        self.ids = frozenset(chunk_id for chunk_id, _ in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def relevant_ids(self, relevant: Iterable[str]) -> set[str]:
        phrases = list(relevant)
        return {chunk_id for chunk_id, haystack in self._entries if _matches(haystack, chunk_id, phrases)}


# -- judging one reply ------------------------------------------------------------------

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


def find_set_problems(cases: Sequence[Case], corpus: PhraseIndex | None) -> tuple[list[str], frozenset[str]]:
    """Cases whose relevant phrases (or chunk ids) match no passage of the corpus at all:
    a problem of the set, not a retrieval miss. Returns messages and the case ids."""
    if corpus is None:
        return [], frozenset()
    problems, ids = [], set()
    for case in cases:
        if case.relevant and not corpus.relevant_ids(case.relevant):
            problems.append(f"line {case.line}: case {case.id!r}: no passage contains any of its relevant phrases")
            ids.add(case.id)
    return problems, frozenset(ids)
