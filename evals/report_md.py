"""report.md: the summary of one run, ours next to the baseline, for people and PRs."""

from __future__ import annotations

from typing import Any

from . import tables
from .tables import Table


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    lines = [
        "| " + " | ".join(_cell(h) for h in table.headers) + " |",
        "|" + "---|" * len(table.headers),
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def render(report: dict[str, Any]) -> str:
    name = report["set"]["path"].rsplit("/", 1)[-1]
    out = [f"# Evaluation: {name}", ""]
    out += [f"- **{key}**: {value}" for key, value in tables.about(report)]
    out += ["", "## Headline", "", markdown_table(tables.headline(report)), ""]
    problems = tables.problems(report)
    if problems:
        out += ["## Problems in the set", "", *[f"- {p}" for p in problems], ""]
    notes = tables.notes(report)
    if notes:
        out += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    tag_table = tables.by_tag(report)
    if tag_table.rows:
        out += ["## By tag", "", markdown_table(tag_table), ""]
    failures = tables.failures(report)
    counts = ", ".join(f"{check} {n}" for check, n in sorted(tables.failure_counts(report).items()))
    out += [f"## Failures ({len(failures.rows)}{': ' + counts if counts else ''})", ""]
    out += [markdown_table(failures) if failures.rows else "None.", ""]
    out += ["The same answers for an LLM judge: `ragas.jsonl` (RAGAS fields, one line per case, in set order).", ""]
    return "\n".join(out)
