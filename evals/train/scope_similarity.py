"""Measure the scope layer's similarity check and choose its threshold and margin.

    python -m evals scope-similarity [--min-answered 1.0]

Questions that must be declined come from the scope sets used in development
(expect_abstain: true); questions that must be answered are their in-scope cases plus
every case of the dev sets (dev, dev2), which the product must keep answering. The
*_final sets are never read here. For each (threshold, margin) it prints how many must-decline questions the
similarity check declines that the patterns missed, and how many must-answer questions
it wrongly declines, and its recall on its own (all must-decline questions, as if there
were no patterns); it picks the point with the highest recall on its own that keeps
--min-answered of the must-answer questions answered.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass

from ..sets import SETS_DIR as SETS
from ..sets import load_set

# the sets used while developing the scope rules; the *_final sets stay unseen
DECLINE_SETS = ("scope.jsonl", "scope_holdout.jsonl", "scope_blind.jsonl", "scope_blind2.jsonl")
ANSWER_SETS = ("scope.jsonl", "scope_holdout.jsonl", "scope_blind.jsonl", "scope_blind2.jsonl", "dev.jsonl", "dev2.jsonl")
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75)
MARGINS = (0.0, 0.05, 0.1, 0.15)


@dataclass(frozen=True)
class Scored:
    question: str
    decline: bool
    by_patterns: bool  # the patterns alone already decline it
    anchored: bool
    sims: dict[str, float]

    def fires(self, threshold: float, margin: float) -> bool:
        for kind in ("not_covered", "out_of_scope"):
            if kind == "out_of_scope" and self.anchored:
                continue
            if self.sims[kind] >= threshold and self.sims[kind] - self.sims["in_scope"] >= margin:
                return True
        return False


def score_questions(engine) -> list[Scored]:
    scope = engine.scope
    out, seen = [], set()
    for name in sorted(set(DECLINE_SETS + ANSWER_SETS)):
        for case in load_set(SETS / name).cases:
            decline = bool(case.expect_abstain)
            if case.expect_abstain is None and not case.relevant:
                continue
            if case.question in seen:
                continue
            seen.add(case.question)
            question = engine.reader.read(case.question)
            verdict = scope.check(question, use_examples=False)  # the patterns alone
            by_patterns = verdict.kind != "in_scope"
            out.append(Scored(case.question, decline, by_patterns, verdict.anchored, scope.similarities(question.vector)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals scope-similarity", description=__doc__)
    parser.add_argument("--min-answered", type=float, default=1.0)
    args = parser.parse_args(argv)

    from retrieval.engine import Engine

    scored = score_questions(Engine.load())
    decline = [s for s in scored if s.decline]
    answer = [s for s in scored if not s.decline]
    missed = [s for s in decline if not s.by_patterns]
    print(f"{len(decline)} must decline ({len(missed)} not declined by the patterns), {len(answer)} must answer\n")
    print("| threshold | margin | recall on its own | declines of those missed | wrongly declined | answered |")
    print("|---|---|---|---|---|---|")
    rows = []
    for threshold, margin in itertools.product(THRESHOLDS, MARGINS):
        alone = sum(s.fires(threshold, margin) for s in decline) / max(1, len(decline))
        caught = sum(s.fires(threshold, margin) for s in missed)
        wrong = [s for s in answer if not s.by_patterns and s.fires(threshold, margin)]
        answered = 1 - (len(wrong) + sum(s.by_patterns for s in answer)) / max(1, len(answer))
        rows.append((threshold, margin, alone, caught, len(wrong), answered))
        print(f"| {threshold:.2f} | {margin:.2f} | {alone:.3f} | {caught}/{len(missed)} | {len(wrong)} | {answered:.3f} |")
    allowed = [r for r in rows if r[5] >= args.min_answered]
    if allowed:
        best = max(allowed, key=lambda r: (r[2], r[3], -r[4], r[0]))
        print(f"\nchosen: threshold = {best[0]}, margin = {best[1]} (recall on its own {best[2]:.3f}, {best[4]} wrongly declined)")
        for s in answer:
            if not s.by_patterns and s.fires(best[0], best[1]):
                print(f"  wrongly declined: {s.question[:100]}")
    return 0
