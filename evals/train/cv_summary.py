"""python -m evals cv-summary [--work build/cv] [--out reports/cv]

The figures of a cross-validation run (cv.py), per held-out writer and over all of them:

- red flags: emergency and crisis messages escalated, with the level right; urgent ones
  escalated; false alarms on traps (and on the safety writers' ordinary questions);
  missed red flags that got the conditional warning; low mood that got the crisis
  escalation or the support line; suicidal messages that got the crisis escalation;
- ordinary questions (the retrieval writers'): false escalations and conditional warnings;
- retrieval: recall@1, recall@5, answer support, and the naive baseline on the same writers;
- scope: declined when it should be, answered when it should be, partial coverage said.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..figures import add, ordinary_figures, retrieval_table, safety_figures, scope_figures, table


def summarise(results: list[dict[str, Any]]) -> str:
    safety, ordinary, scope = {}, {}, {}
    retrieval: dict[str, dict[str, Any]] = {}
    totals = {k: defaultdict(lambda: [0, 0]) for k in ("safety", "ordinary", "scope")}
    weighted: dict[str, float] = defaultdict(float)
    for result in results:
        for writer, s in result["sets"].items():
            if s["task"] == "safety":
                safety[writer] = safety_figures(s["cases"])
                add(totals["safety"], safety[writer])
            elif s["task"] == "retrieval":
                ordinary[writer] = ordinary_figures(s["cases"])
                add(totals["ordinary"], ordinary[writer])
                m = s["metrics"]
                retrieval[writer] = m
                for name in ("recall@1", "recall@5", "answer_support"):
                    weighted[name] += (m.get(name) or 0.0) * m["cases"]
                weighted["cases"] += m["cases"]
            else:
                scope[writer] = scope_figures(s["cases"])
                add(totals["scope"], scope[writer])
    retrieval["all"] = {"cases": int(weighted["cases"]), **{n: weighted[n] / max(1, weighted["cases"])
                                                            for n in ("recall@1", "recall@5", "answer_support")}}
    out = ["# Cross-validation by writer", ""]
    for title, rows, total in (("Red flags (safety writers)", safety, totals["safety"]),
                               ("Ordinary questions (retrieval writers)", ordinary, totals["ordinary"]),
                               ("Scope (scope writers)", scope, totals["scope"])):
        rows = {**rows, "all": {k: tuple(v) for k, v in total.items()}}
        out += [f"## {title}", "", table(rows), ""]
    out += ["## Retrieval (retrieval writers)", "", retrieval_table(retrieval), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals cv-summary", description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("build/cv"))
    parser.add_argument("--out", type=Path, default=Path("reports/cv"))
    args = parser.parse_args(argv)
    results = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(args.work.glob("fold-*/results.json"))]
    if not results:
        print(f"no results in {args.work}/ (run: python -m evals cv)")
        return 2
    text = summarise(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0
