"""Runs side by side: `evals compare` (what changed between two runs) and `evals summary`
(several runs as the README's tables).

    python -m evals compare DIR_A DIR_B [--out FILE]
    python -m evals summary DIR [DIR ...]

compare: every metric of ours and of the baseline side by side with the change and
whether it is better or worse, tags whose pass rate moved, and the cases that started or
stopped failing, with the checks involved. summary: ours and the baseline on adjacent
rows, answer quality for sets with relevant phrases, safety for sets with escalation
labels, scope for sets with abstention labels. Both print Markdown and read report.json
alone (speed is left to `python -m evals bench`).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .metrics import METRICS
from .reports import Table, fmt, markdown_table, metric_names, read_report

EPSILON = 1e-9


@dataclass(frozen=True)
class CaseChange:
    case_id: str
    question: str
    checks_before: list[str]  # failed checks in A
    checks_after: list[str]  # failed checks in B


def _direction(name: str, a: Any, b: Any) -> str:
    if a is None or b is None:
        return "" if a is None and b is None else "new" if a is None else "gone"
    if abs(b - a) <= EPSILON:
        return "="
    info = METRICS.get(name)
    if info is None or info.unit == "count":
        return "changed"
    better = (b > a) == info.higher_is_better
    return "better" if better else "worse"


def _delta(name: str, a: Any, b: Any) -> str:
    if a is None or b is None:
        return ""
    diff = b - a
    if name in METRICS and METRICS[name].unit == "count":
        return f"{diff:+d}"
    return f"{diff:+.1f}" if name in METRICS and METRICS[name].unit == "ms" else f"{diff:+.3f}"


def metric_table(a: dict[str, Any] | None, b: dict[str, Any] | None) -> Table:
    a, b = a or {}, b or {}
    rows = [[n, fmt(n, a.get(n)), fmt(n, b.get(n)), _delta(n, a.get(n), b.get(n)), _direction(n, a.get(n), b.get(n))] for n in metric_names(a, b)]
    return Table(["metric", "A", "B", "change", ""], rows)


def _failed_checks(report: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c["id"]: [] for c in report.get("cases", [])}
    for f in report.get("failures", []):
        out.setdefault(f["case_id"], []).append(f["check"])
    return out


def case_changes(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[CaseChange], list[CaseChange]]:
    """(cases that fail in B but passed in A, cases that pass in B but failed in A);
    a case whose failed checks changed counts in the first list when it gained one."""
    before, after = _failed_checks(a), _failed_checks(b)
    questions = {c["id"]: c["question"] for c in [*a.get("cases", []), *b.get("cases", [])]}
    worse, better = [], []
    for case_id in [i for i in after if i in before]:
        old, new = before[case_id], after[case_id]
        change = CaseChange(case_id, questions.get(case_id, ""), old, new)
        if set(new) - set(old):
            worse.append(change)
        elif set(old) - set(new):
            better.append(change)
    return worse, better


def _outcome(case: dict[str, Any]) -> str:
    e = case.get("escalation")
    if e:
        return f"escalated ({e.get('level')} / {e.get('category')})"
    return "declined" if case.get("abstained") else "answered"


def behaviour_changes(a: dict[str, Any], b: dict[str, Any], skip: set[str]) -> Table:
    """Cases that escalate, decline or answer differently, even where the set has no label
    for it (e.g. an ordinary question that now escalates), unless already listed."""
    before = {c["id"]: c for c in a.get("cases", [])}
    rows = []
    for case in b.get("cases", []):
        old = before.get(case["id"])
        if old is None or case["id"] in skip:
            continue
        if _outcome(old) != _outcome(case):
            rows.append([case["id"], case["question"][:120], _outcome(old), _outcome(case)])
    return Table(["case", "question", "A", "B"], rows)


def tag_table(a: dict[str, Any], b: dict[str, Any]) -> Table:
    ta, tb = a.get("by_tag") or {}, b.get("by_tag") or {}
    rows = []
    for tag in sorted(set(ta) | set(tb)):
        pa, pb = (ta.get(tag) or {}).get("pass_rate"), (tb.get(tag) or {}).get("pass_rate")
        if pa is None or pb is None or abs(pa - pb) > EPSILON:
            rows.append([tag, fmt("pass_rate", pa), fmt("pass_rate", pb), _delta("pass_rate", pa, pb)])
    return Table(["tag", "pass rate A", "pass rate B", "change"], rows)


def _change_rows(changes: list[CaseChange]) -> Table:
    return Table(
        ["case", "question", "failed in A", "failed in B"],
        [[c.case_id, c.question[:120], ", ".join(c.checks_before) or "—", ", ".join(c.checks_after) or "—"] for c in changes],
    )


def render(a: dict[str, Any], b: dict[str, Any], name_a: str = "A", name_b: str = "B") -> str:
    out = [f"# Compare: A = {name_a}, B = {name_b}", ""]
    out += [f"- A: {a['set']['path']} ({a['set']['cases']} cases), {a['answerer'].get('mode')}, {a.get('created_at')}"]
    out += [f"- B: {b['set']['path']} ({b['set']['cases']} cases), {b['answerer'].get('mode')}, {b.get('created_at')}"]
    if a["set"].get("sha256") != b["set"].get("sha256"):
        out.append("- **The two runs used different test sets** (or different versions of one): compare with care.")
    out += ["", "## Ours", "", markdown_table(metric_table(a["metrics"], b["metrics"])), ""]
    base_a, base_b = (a.get("baseline") or {}).get("metrics"), (b.get("baseline") or {}).get("metrics")
    if base_a or base_b:
        out += ["## Baseline", ""]
        same = base_a == base_b or all(
            _direction(n, (base_a or {}).get(n), (base_b or {}).get(n)) == "="
            for n in metric_names(base_a, base_b)
            if not n.startswith("latency")
        )
        if same:
            out += ["Unchanged apart from timing (the baseline is the same in both runs).", ""]
        else:
            out += [markdown_table(metric_table(base_a, base_b)), ""]
    tags = tag_table(a, b)
    if tags.rows:
        out += ["## Tags whose pass rate changed", "", markdown_table(tags), ""]
    worse, better = case_changes(a, b)
    out += [f"## Cases that now fail ({len(worse)})", ""]
    out += [markdown_table(_change_rows(worse)) if worse else "None.", ""]
    out += [f"## Cases that now pass ({len(better)})", ""]
    out += [markdown_table(_change_rows(better)) if better else "None.", ""]
    behaviour = behaviour_changes(a, b, {c.case_id for c in worse + better})
    if behaviour.rows:
        out += [f"## Other cases that escalate, decline or answer differently ({len(behaviour.rows)})", ""]
        out += [markdown_table(behaviour), ""]
    only_a = sorted({c["id"] for c in a.get("cases", [])} - {c["id"] for c in b.get("cases", [])})
    only_b = sorted({c["id"] for c in b.get("cases", [])} - {c["id"] for c in a.get("cases", [])})
    if only_a or only_b:
        out += ["## Cases in one run only", "", f"- only in A: {', '.join(only_a) or '—'}", f"- only in B: {', '.join(only_b) or '—'}", ""]
    return "\n".join(out)


def compare_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals compare", description="What changed between two runs.")
    parser.add_argument("a", type=Path, help="the earlier run: its folder or report.json")
    parser.add_argument("b", type=Path, help="the later run")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown here")
    args = parser.parse_args(argv)
    try:
        a, b = read_report(args.a), read_report(args.b)
    except (OSError, ValueError) as exc:
        print(f"error: cannot read a report: {exc}", file=sys.stderr)
        return 2
    text = render(a, b, str(args.a), str(args.b))
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


# -- summary -------------------------------------------------------------------------------
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


def render_summary(reports: list[dict[str, Any]]) -> str:
    out = []
    for group in GROUPS:
        table = group_table(reports, group)
        if table.rows:
            out += [f"### {group}", "", markdown_table(table), ""]
    return "\n".join(out)


def summary_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals summary", description="Several runs as Markdown tables.")
    parser.add_argument("runs", type=Path, nargs="+", help="report folders (or report.json files)")
    args = parser.parse_args(argv)
    try:
        reports = [read_report(p) for p in args.runs]
    except (OSError, ValueError) as exc:
        print(f"error: cannot read a report: {exc}", file=sys.stderr)
        return 2
    print(render_summary(reports))
    return 0
