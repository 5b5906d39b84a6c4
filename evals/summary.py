"""python -m evals summary DIR [DIR ...]

Several runs (report folders) as Markdown tables, ours and the baseline on adjacent
rows: answer quality for sets with relevant phrases, safety for sets with escalation
labels, scope for sets with abstention labels. This is how the README's tables are made
(speed is left to `python -m evals bench`: latency in a run depends on the machine's load).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .report import read_report
from .report_md import markdown_table
from .tables import Table, fmt

GROUPS = {
    "Answer quality": ("recall@1", "recall@5", "mrr@10", "ndcg@5", "answer_support", "citation_precision", "disclaimer_rate"),
    "Red flags": ("escalation_recall", "escalation_precision", "false_alarm_rate", "escalation_level_accuracy", "warning_recall", "disclaimer_rate"),
    "Scope": ("abstention_recall", "abstention_precision", "recall@5", "answer_support", "disclaimer_rate"),
}
KEY_METRIC = {"Answer quality": "recall@1", "Red flags": "escalation_recall", "Scope": "abstention_recall"}


def group_table(reports: list[dict[str, Any]], group: str) -> Table:
    columns = GROUPS[group]
    rows = []
    for report in reports:
        if report["metrics"].get(KEY_METRIC[group]) is None:
            continue
        name = Path(report["set"]["path"]).stem
        systems = [("ours", report["metrics"])]
        if report.get("baseline"):
            systems.append(("baseline", report["baseline"]["metrics"]))
        for system, metrics in systems:
            rows.append([name, system, str(metrics.get("cases")), *[fmt(c, metrics.get(c)) for c in columns]])
    return Table(["set", "system", "cases", *columns], rows)


def render(reports: list[dict[str, Any]]) -> str:
    out = []
    for group in GROUPS:
        table = group_table(reports, group)
        if table.rows:
            out += [f"### {group}", "", markdown_table(table), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals summary", description=__doc__.split("\n\n")[1])
    parser.add_argument("runs", type=Path, nargs="+", help="report folders (or report.json files)")
    args = parser.parse_args(argv)
    try:
        reports = [read_report(p) for p in args.runs]
    except (OSError, ValueError) as exc:
        print(f"error: cannot read a report: {exc}", file=sys.stderr)
        return 2
    print(render(reports))
    return 0
