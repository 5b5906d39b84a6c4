"""Train the red-flag model: the semantic layer behind the red-flag patterns.

    python -m evals train-red-flags [--max-trap-false-alarms 0.05] [--max-ordinary-false-alarms 0.01]

A multinomial logistic regression over the question embeddings (all-MiniLM-L6-v2, as
the engine makes them) with one class per red-flag category and one "benign" class,
trained on labelled statements:
- the example statements and benign statements of retrieval/data/red_flags.toml;
- the labelled development sets: red flags and traps of the safety sets, and every
  question of the ordinary sets (benign). The *_final sets are never read: they are
  kept for an honest final measurement.

As in the engine, a message counts as flagged only when it also holds a word of the
predicted category ([semantic.evidence] in red_flags.toml).

The cut-offs (escalate when P(not benign) >= cut-off; suicide has its own, since a
missed crisis is worse than a gentle false check-in) are chosen by cross-validation
across writers: each safety set (one writer) is held out in turn, and each ordinary
set in turn, so every false alarm counted is on text the model never saw. The pair
that finds the most red flags while the false-alarm rates stay within the limits is
written, with the weights and the cross-validation table, to
retrieval/data/red_flag_model.json (plain numbers; no pickle). The engine reads it
with numpy only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import tomllib
from dataclasses import dataclass

import numpy as np

from retrieval.safety import MODEL_FILE
from retrieval.settings import DATA_DIR

from ..sets import SETS_DIR as SETS
from ..sets import load_set

SAFETY_SETS = ("safety.jsonl", "safety_holdout.jsonl", "safety_blind.jsonl", "safety_blind2.jsonl")
ORDINARY_SETS = (
    "dev.jsonl", "dev2.jsonl", "holdout.jsonl", "holdout2.jsonl",
    "scope.jsonl", "scope_holdout.jsonl", "scope_blind.jsonl", "scope_blind2.jsonl",
)
CUT_OFFS = (0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
C = 64.0
BENIGN = "benign"
CRISIS = "suicide"  # a missed crisis is worse than a gentle false check-in: its own cut-off


def labelled(name: str) -> list[tuple[str, str]]:
    out = []
    for case in load_set(SETS / name).cases:
        if name in SAFETY_SETS:
            if case.expect_escalation is True and case.expect_category:
                out.append((case.question, case.expect_category))
            elif case.expect_escalation is False:
                out.append((case.question, BENIGN))
        else:
            out.append((case.question, BENIGN))
    return out


def rules_statements() -> list[tuple[str, str]]:
    data = tomllib.loads((DATA_DIR / "red_flags.toml").read_text(encoding="utf-8"))
    out = [(e, name) for name, c in data["categories"].items() for e in c.get("examples", [])]
    out += [(n, BENIGN) for n in data["semantic"].get("negatives", [])]
    return out


def fit(vectors: np.ndarray, labels: list[str]):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(vectors, labels)


def not_benign(model, vectors: np.ndarray) -> np.ndarray:
    return 1.0 - model.predict_proba(vectors)[:, list(model.classes_).index(BENIGN)]


@dataclass(frozen=True)
class Scored:
    kind: str  # red | trap | ordinary
    probability: float  # P(not benign)
    predicted: str  # likeliest red-flag category
    label: str
    evidence: bool  # the message holds a word of the predicted category (the engine's gate)


def cross_validate(data: dict[str, tuple[list[tuple[str, str]], np.ndarray]], extra, checker, normalised) -> list[Scored]:
    """Every held-out message scored by a model that never saw it: each safety set (one
    writer) held out in turn, and each ordinary set in turn."""
    scored: list[Scored] = []
    for held_safety in SAFETY_SETS:
        for held_ordinary in ORDINARY_SETS:
            names = [n for n in data if n not in (held_safety, held_ordinary)]
            x = np.vstack([data[n][1] for n in names] + [extra[1]])
            y = [label for n in names for _, label in data[n][0]] + [label for _, label in extra[0]]
            model = fit(x, y)
            benign = list(model.classes_).index(BENIGN)

            def score(vectors: np.ndarray, pairs, kind_of) -> None:
                probs = model.predict_proba(vectors)
                for (text, label), row in zip(pairs, probs, strict=True):
                    ranked = [i for i in np.argsort(-row) if i != benign]
                    predicted = str(model.classes_[ranked[0]])
                    evidence = checker.has_evidence(normalised[text], predicted)
                    scored.append(Scored(kind_of(label), float(1 - row[benign]), predicted, label, evidence))

            if held_safety == SAFETY_SETS[0]:  # each ordinary set once is enough
                score(data[held_ordinary][1], data[held_ordinary][0], lambda _label: "ordinary")
            if held_ordinary == ORDINARY_SETS[0]:  # each safety set once is enough
                score(data[held_safety][1], data[held_safety][0], lambda label: "red" if label != BENIGN else "trap")
    return scored


def evaluate(scored: list[Scored], cut_off: float, crisis_cut_off: float) -> dict[str, float]:
    def fires(s: Scored) -> bool:
        return s.evidence and s.probability >= (crisis_cut_off if s.predicted == CRISIS else cut_off)

    def rate(items) -> float:
        items = list(items)
        return round(float(np.mean([fires(s) for s in items])), 4) if items else 0.0

    return {
        "cut_off": cut_off,
        "crisis_cut_off": crisis_cut_off,
        "recall": rate(s for s in scored if s.kind == "red"),
        "crisis_recall": rate(s for s in scored if s.kind == "red" and s.label == CRISIS),
        "trap": rate(s for s in scored if s.kind == "trap"),
        "ordinary": rate(s for s in scored if s.kind == "ordinary"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals train-red-flags", description=__doc__)
    # the product allows 10% false escalations on traps in all; the model gets half, the
    # patterns make their own
    parser.add_argument("--max-trap-false-alarms", type=float, default=0.05)
    parser.add_argument("--max-ordinary-false-alarms", type=float, default=0.01)
    args = parser.parse_args(argv)

    from retrieval.embedding import MODEL_NAME, model_version
    from retrieval.engine import Engine

    engine = Engine.load(require_red_flag_model=False)  # the model is what we are about to train

    normalised: dict[str, str] = {}

    def embed(pairs: list[tuple[str, str]]) -> np.ndarray:
        questions = [engine.reader.read(text) for text, _ in pairs]
        normalised.update((text, q.normalised) for (text, _), q in zip(pairs, questions, strict=True))
        return np.stack([q.vector for q in questions])

    data = {}
    for name in SAFETY_SETS + ORDINARY_SETS:
        pairs = labelled(name)
        data[name] = (pairs, embed(pairs))
    statements = rules_statements()
    extra = (statements, embed(statements))

    scored = cross_validate(data, extra, engine.safety, normalised)
    table = [evaluate(scored, t, t) for t in CUT_OFFS]
    print("one cut-off for every category:\n")
    print("| cut-off | recall, unseen writer | crisis recall | false alarms, unseen traps | false alarms, unseen questions |")
    print("|---|---|---|---|---|")
    for row in table:
        print(f"| {row['cut_off']:.2f} | {row['recall']:.3f} | {row['crisis_recall']:.3f} | {row['trap']:.3f} | {row['ordinary']:.3f} |")
    pairs = [evaluate(scored, t, tc) for t, tc in itertools.product(CUT_OFFS, CUT_OFFS) if tc <= t]
    allowed = [
        r for r in pairs if r["trap"] <= args.max_trap_false_alarms and r["ordinary"] <= args.max_ordinary_false_alarms
    ]
    if not allowed:
        print("no cut-off keeps the false alarms within the limits; nothing written")
        return 1
    # most red flags found; then most crises; then fewest false alarms
    chosen = max(allowed, key=lambda r: (r["recall"], r["crisis_recall"], -r["trap"], -r["ordinary"]))
    print(
        f"\nchosen: cut-off {chosen['cut_off']}, crisis cut-off {chosen['crisis_cut_off']} "
        f"(cross-validated recall {chosen['recall']:.3f}, crisis {chosen['crisis_recall']:.3f}, "
        f"false alarms {chosen['trap']:.3f} of traps, {chosen['ordinary']:.3f} of questions)"
    )

    x = np.vstack([d[1] for d in data.values()] + [extra[1]])
    y = [label for d in data.values() for _, label in d[0]] + [label for _, label in extra[0]]
    model = fit(x, y)
    out = {
        "about": "Red-flag model: logistic regression over question embeddings. Written by "
        "`python -m evals train-red-flags`; do not edit by hand.",
        "embedding_model": MODEL_NAME,
        "embedding_package_version": model_version(),
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "trained_on": list(data) + ["retrieval/data/red_flags.toml examples and negatives"],
        "examples": {label: int(sum(1 for v in y if v == label)) for label in sorted(set(y))},
        "C": C,
        "cut_off": chosen["cut_off"],
        "cut_offs": {CRISIS: chosen["crisis_cut_off"]},
        "cross_validation": {"single_cut_off": table, "chosen": chosen},
        "classes": [str(c) for c in model.classes_],
        "intercept": [round(float(v), 6) for v in model.intercept_],
        "coef": [[round(float(v), 6) for v in row] for row in model.coef_],
    }
    path = DATA_DIR / MODEL_FILE
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"wrote {path}")
    return 0
