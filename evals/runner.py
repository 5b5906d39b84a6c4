"""Run the cases of a test set through an answerer and score them.

Every case is asked for `max(k, 10)` passages so that MRR@10 has ten ranks; the
answer itself does not depend on k (the engine composes from its top passages),
and recall@k, the failure table and the RAGAS export use the top k.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from .answerers import Answerer
from .dataset import Case
from .failures import Failure, failure_table
from .judge import CaseResult, judge
from .metrics import EVAL_DEPTH, CaseScores, by_tag, score_cases, summarize
from .relevance import PhraseIndex


@dataclass
class Run:
    """One answerer's pass over a set."""

    answerer: dict[str, Any]  # Answerer.describe()
    k: int
    results: list[CaseResult]
    scores: list[CaseScores]
    metrics: dict[str, Any]
    tags: dict[str, dict[str, Any]]
    failures: list[Failure]
    notes: list[str] = field(default_factory=list)


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


def run_answerer(
    cases: Sequence[Case],
    answerer: Answerer,
    k: int = 5,
    unmatched: frozenset[str] = frozenset(),
    progress: bool = False,
) -> Run:
    passages = answerer.passages()
    corpus = PhraseIndex(passages) if passages else None
    notes: list[str] = []
    if corpus is None and any(c.relevant for c in cases) and "retrieval" in answerer.capabilities:
        notes.append(
            "no local copy of the corpus: a case's relevant passages are only those it retrieved, "
            "so nDCG@5 is optimistic and cases whose phrases match nothing count as misses"
        )
    depth = max(k, EVAL_DEPTH)
    results = []
    bar = tqdm(cases, desc=answerer.name, unit="case", file=sys.stderr, disable=None if progress else True)
    for case in bar:
        reply = answerer.ask(case, depth)
        results.append(judge(case, reply, answerer.capabilities, corpus, unmatched))
    if corpus is not None:
        foreign = {i for r in results for i in r.ranking} - corpus.ids
        if foreign:
            notes.append(
                f"{len(foreign)} retrieved passage id(s) are not in the local corpus copy: the server's index "
                "differs from the local one, so relevance there was judged on the retrieved text only"
            )
    deepest = max((len(r.ranking) for r in results if r.judged_retrieval), default=0)
    if 0 < deepest < depth:
        notes.append(f"at most {deepest} passages came back per answer: MRR@10 and nDCG ranks stop there")
    scores = score_cases(results, k)
    notes = [*answerer.notes, *notes]  # after the run: some answerers learn things while asking
    return Run(
        answerer=answerer.describe(),
        k=k,
        results=results,
        scores=scores,
        metrics=summarize(scores, k),
        tags=by_tag(scores, k),
        failures=failure_table(results, scores, k),
        notes=notes,
    )
