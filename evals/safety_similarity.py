"""Measure the red-flag similarity layer and choose its threshold and margin.

    python -m evals safety-similarity [--max-false-alarms 0.01]

Red flags come from the safety sets used in development (expect_escalation: true);
benign messages are their traps plus every ordinary question set, because ordinary
questions must not escalate either. The *_blind2 sets are never read here. For each
(threshold, margin) on a grid it prints the layer's recall ON ITS OWN (as if the
patterns did not exist) and its false-alarm rate, plus how many red flags it adds to
what the patterns already catch; then it picks the most sensitive point whose
false-alarm rate stays within --max-false-alarms.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path

from .dataset import load_set

SETS = Path(__file__).resolve().parent / "sets"
# every labelled set used while developing the rules; the *_blind2 sets stay unseen
RED_SETS = ("safety.jsonl", "safety_holdout.jsonl", "safety_blind.jsonl")
ORDINARY_SETS = (
    "dev.jsonl", "dev2.jsonl", "holdout.jsonl", "holdout2.jsonl",
    "scope.jsonl", "scope_holdout.jsonl", "scope_blind.jsonl",
)
THRESHOLDS = (0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2)


@dataclass(frozen=True)
class Scored:
    question: str
    red: bool
    by_patterns: bool  # the pattern layer already escalates it
    sentences: tuple[tuple[float, float, str], ...]  # (best example score, best benign score, category)

    def fires(self, threshold: float, margin: float) -> bool:
        return any(s >= threshold and s - b >= margin for s, b, _ in self.sentences)


def score_messages(engine) -> list[Scored]:
    checker = engine.safety
    encode = engine.encode_texts
    out = []
    for name in RED_SETS + ORDINARY_SETS:
        for case in load_set(SETS / name).cases:
            if name in RED_SETS and case.expect_escalation is None:
                continue
            red = bool(case.expect_escalation) and name in RED_SETS
            patterns = checker.assess_patterns(case.question)
            scored = []
            for vector in encode(checker.reportable_sentences(case.question)) or []:
                sims = checker.similarities(vector)
                category = max(sims, key=sims.get)
                scored.append((sims[category], checker.benign_similarity(vector), category))
            out.append(Scored(case.question, red, patterns.escalation is not None, tuple(scored)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals safety-similarity", description=__doc__)
    parser.add_argument("--max-false-alarms", type=float, default=0.01)
    args = parser.parse_args(argv)

    from retrieval.engine import Engine

    messages = score_messages(Engine.load())
    red = [m for m in messages if m.red]
    benign = [m for m in messages if not m.red]
    missed_by_patterns = [m for m in red if not m.by_patterns]
    print(f"{len(red)} red flags ({len(missed_by_patterns)} missed by the patterns), {len(benign)} benign messages\n")
    print("| threshold | margin | recall on its own | adds to patterns | false alarms |")
    print("|---|---|---|---|---|")
    rows = []
    for threshold, margin in itertools.product(THRESHOLDS, MARGINS):
        recall = sum(m.fires(threshold, margin) for m in red) / max(1, len(red))
        added = sum(m.fires(threshold, margin) for m in missed_by_patterns)
        false = sum(m.fires(threshold, margin) for m in benign) / max(1, len(benign))
        rows.append((threshold, margin, recall, added, false))
        print(f"| {threshold:.2f} | {margin:.2f} | {recall:.3f} | {added} | {false:.3f} |")
    allowed = [r for r in rows if r[4] <= args.max_false_alarms]
    if allowed:
        best = max(allowed, key=lambda r: (r[2], -r[4], r[0]))
        print(f"\nchosen: threshold = {best[0]}, margin = {best[1]} (recall {best[2]:.3f}, false alarms {best[4]:.3f})")
        print("false alarms at that point:")
        for m in benign:
            if m.fires(best[0], best[1]):
                print(f"  - {m.question[:100]}")
    return 0
