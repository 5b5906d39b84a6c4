"""Train the red-flag model: the semantic layer behind the red-flag patterns.

    python -m evals train-red-flags [--max-trap-false-alarms 0.10] [--max-ordinary-false-alarms 0.01]

A multinomial logistic regression over the question embeddings (all-MiniLM-L6-v2, as
the engine makes them) with one class per red-flag category and one "benign" class,
trained on labelled statements:
- the example statements and benign statements of retrieval/data/red_flags.toml;
- the labelled development sets: red flags and traps of the safety sets, and every
  question of the ordinary sets (benign). The *_final sets are never read: they are
  kept for an honest final measurement.

The cut-off (escalate when P(not benign) >= cut-off) is chosen by cross-validation
across writers: each safety set (one writer) is held out in turn, and each ordinary
set in turn, so every false alarm counted is on text the model never saw. The most
sensitive cut-off whose false-alarm rates stay within the limits is written, with the
weights and the cross-validation table, to retrieval/data/red_flag_model.json (plain
numbers; no pickle). The engine reads it with numpy only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tomllib
from pathlib import Path

import numpy as np

from retrieval.safety import MODEL_FILE
from retrieval.settings import DATA_DIR

from .dataset import load_set

SETS = Path(__file__).resolve().parent / "sets"
SAFETY_SETS = ("safety.jsonl", "safety_holdout.jsonl", "safety_blind.jsonl", "safety_blind2.jsonl")
ORDINARY_SETS = (
    "dev.jsonl", "dev2.jsonl", "holdout.jsonl", "holdout2.jsonl",
    "scope.jsonl", "scope_holdout.jsonl", "scope_blind.jsonl", "scope_blind2.jsonl",
)
CUT_OFFS = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
C = 64.0
BENIGN = "benign"


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


def cross_validate(data: dict[str, tuple[list[tuple[str, str]], np.ndarray]], extra) -> list[dict]:
    """Per cut-off: recall on a held-out writer's red flags, false alarms on its traps,
    and false alarms on a held-out ordinary set."""
    rows = {t: {"recall": [], "trap": [], "ordinary": []} for t in CUT_OFFS}
    for held_safety in SAFETY_SETS:
        for held_ordinary in ORDINARY_SETS:
            names = [n for n in data if n not in (held_safety, held_ordinary)]
            x = np.vstack([data[n][1] for n in names] + [extra[1]])
            y = [label for n in names for _, label in data[n][0]] + [label for _, label in extra[0]]
            model = fit(x, y)
            ordinary = not_benign(model, data[held_ordinary][1])
            for t in CUT_OFFS:
                rows[t]["ordinary"] += list(ordinary >= t)
            if held_ordinary != ORDINARY_SETS[0]:
                continue  # the safety set's own scores do not depend on which ordinary set is out
            scores = not_benign(model, data[held_safety][1])
            for (_, label), score in zip(data[held_safety][0], scores, strict=True):
                for t in CUT_OFFS:
                    rows[t]["recall" if label != BENIGN else "trap"].append(score >= t)
    return [
        {"cut_off": t, **{k: round(float(np.mean(v)), 4) for k, v in r.items()}} for t, r in rows.items()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals train-red-flags", description=__doc__)
    parser.add_argument("--max-trap-false-alarms", type=float, default=0.10)
    parser.add_argument("--max-ordinary-false-alarms", type=float, default=0.01)
    args = parser.parse_args(argv)

    from retrieval.embedding import MODEL_NAME, model_version
    from retrieval.engine import Engine

    engine = Engine.load(require_red_flag_model=False)  # the model is what we are about to train

    def embed(pairs: list[tuple[str, str]]) -> np.ndarray:
        return np.stack(engine.encode_texts([text for text, _ in pairs]))

    data = {}
    for name in SAFETY_SETS + ORDINARY_SETS:
        pairs = labelled(name)
        data[name] = (pairs, embed(pairs))
    statements = rules_statements()
    extra = (statements, embed(statements))

    table = cross_validate(data, extra)
    print("| cut-off | recall, unseen writer | false alarms, unseen traps | false alarms, unseen questions |")
    print("|---|---|---|---|")
    for row in table:
        print(f"| {row['cut_off']:.2f} | {row['recall']:.3f} | {row['trap']:.3f} | {row['ordinary']:.3f} |")
    allowed = [
        r for r in table if r["trap"] <= args.max_trap_false_alarms and r["ordinary"] <= args.max_ordinary_false_alarms
    ]
    if not allowed:
        print("no cut-off keeps the false alarms within the limits; nothing written")
        return 1
    chosen = max(allowed, key=lambda r: (r["recall"], r["cut_off"]))
    print(f"\nchosen cut-off {chosen['cut_off']} (cross-validated recall {chosen['recall']:.3f})")

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
        "cross_validation": table,
        "classes": [str(c) for c in model.classes_],
        "intercept": [round(float(v), 6) for v in model.intercept_],
        "coef": [[round(float(v), 6) for v in row] for row in model.coef_],
    }
    path = DATA_DIR / MODEL_FILE
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"wrote {path}")
    return 0
