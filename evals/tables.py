"""What the reports show, as plain tables (headers + rows of strings), chosen from a
report.json object. report_md.py and report_html.py only render these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .metrics import METRICS

# per-tag columns, shown when at least one tag has a value
TAG_COLUMNS = (
    "recall@1",
    "recall@5",
    "answer_support",
    "escalation_recall",
    "false_alarm_rate",
    "escalation_level_accuracy",
    "abstention_recall",
    "abstention_precision",
)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


def fmt(name: str, value: Any) -> str:
    if value is None:
        return "—"
    unit = METRICS[name].unit if name in METRICS else ""
    if unit == "ms":
        return f"{value:.1f}"
    if unit == "count" or isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"{value:.3f}"


def metric_names(*metric_dicts: dict[str, Any] | None) -> list[str]:
    """Known metrics in their usual order (then any others, e.g. recall@4), skipping
    those with no value anywhere."""
    present = [m for m in metric_dicts if m]
    names = list(METRICS) + sorted({k for m in present for k in m} - set(METRICS))
    return [n for n in names if any(m.get(n) is not None for m in present)]


def baseline_metrics(report: dict[str, Any]) -> dict[str, Any] | None:
    return (report.get("baseline") or {}).get("metrics")


def headline(report: dict[str, Any]) -> Table:
    ours, base = report["metrics"], baseline_metrics(report)
    headers = ["metric", "ours", "baseline", "what it measures"] if base else ["metric", "ours", "what it measures"]
    rows = []
    for name in metric_names(ours, base):
        label = METRICS[name].label if name in METRICS else ""
        row = [name, fmt(name, ours.get(name))]
        if base:
            row.append(fmt(name, base.get(name)))
        rows.append([*row, label])
    return Table(headers, rows)


def by_tag(report: dict[str, Any]) -> Table:
    ours = report.get("by_tag") or {}
    base = (report.get("baseline") or {}).get("by_tag") or {}
    columns = [c for c in TAG_COLUMNS if any(m.get(c) is not None for m in ours.values())]
    headers = ["tag", "cases", "pass rate", *(["baseline pass rate"] if base else []), *columns]
    rows = []
    for tag, m in ours.items():
        row = [tag, fmt("cases", m.get("cases")), fmt("pass_rate", m.get("pass_rate"))]
        if base:
            row.append(fmt("pass_rate", (base.get(tag) or {}).get("pass_rate")))
        rows.append(row + [fmt(c, m.get(c)) for c in columns])
    return Table(headers, rows)


def failures(report: dict[str, Any]) -> Table:
    rows = [
        [f["case_id"], str(f["line"]), f["check"], f["question"], f["expected"], f["got"]]
        for f in report.get("failures") or []
    ]
    return Table(["case", "line", "check", "question", "expected", "got"], rows)


def failure_counts(report: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in report.get("failures") or []:
        counts[f["check"]] = counts.get(f["check"], 0) + 1
    return counts


def problems(report: dict[str, Any]) -> list[str]:
    s = report["set"]
    return [*s.get("lines_with_problems", []), *s.get("set_problems", [])]


def notes(report: dict[str, Any]) -> list[str]:
    base = report.get("baseline") or {}
    base_notes = [n if n.startswith("baseline") else f"baseline: {n}" for n in base.get("notes", [])]
    return [*report.get("notes", []), *base_notes]


def about(report: dict[str, Any]) -> list[tuple[str, str]]:
    """Key facts for the head of a report."""
    a = report.get("answerer") or {}
    where = a.get("url") or ", ".join(f"{k} {v}" for k, v in (a.get("index") or {}).items())
    return [
        ("set", f"{report['set']['path']} ({report['set']['cases']} cases)"),
        ("answers", f"{a.get('mode', '?')}" + (f": {where}" if where else "")),
        ("k", str(report.get("k"))),
        ("baseline", (report.get("baseline") or {}).get("answerer", {}).get("description", "not run")),
        ("created", report.get("created_at", "")),
    ]
