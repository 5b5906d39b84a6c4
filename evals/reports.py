"""A run's reports, all rendered from one object: report.json.

    {"schema", "created_at", "set": {...}, "k", "answerer", "metrics", "by_tag",
     "failures", "notes", "cases", "baseline": {"answerer", "metrics", "by_tag", "notes", "cases"} | null}

From it: report.md (the summary, ours next to the baseline), report.html (the same as one
standalone page with the plots embedded; the plots are also saved as PNG), and
ragas.jsonl (the answers in RAGAS's field names, for evaluators with an LLM judge:
user_input, retrieved_contexts, response, reference). `evals compare` and `evals
summary` read report.json alone, so an old report can always be re-rendered.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import importlib.metadata
import io
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .metrics import METRICS, CaseScores
from .sets import CaseResult

if TYPE_CHECKING:
    from .runner import Run

SCHEMA = 1


# -- report.json --------------------------------------------------------------------------

@dataclass
class SetInfo:
    path: str
    sha256: str
    lines_with_problems: list[str] = field(default_factory=list)  # from evals/dataset.py
    set_problems: list[str] = field(default_factory=list)  # phrases that match no passage

    @classmethod
    def of(cls, path: Path, lines_with_problems: list[str], set_problems: list[str]) -> SetInfo:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        return cls(str(path), digest, list(lines_with_problems), list(set_problems))


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def case_record(result: CaseResult, scores: CaseScores, k: int) -> dict[str, Any]:
    a = result.answer
    escalation = a.get("escalation") if isinstance(a.get("escalation"), dict) else None
    warning = a.get("warning") if isinstance(a.get("warning"), dict) else None
    return {
        "id": result.case.id,
        "line": result.case.line,
        "tags": list(result.case.tags),
        "question": result.case.question,
        "passed": scores.passed,
        "checks": {
            "hit_at_k": scores.hit_at_k,
            "supported": scores.supported,
            "citation_precision": scores.citation_precision,
            "escalation": scores.escalation,
            "level_correct": scores.level_correct,
            "category_correct": scores.category_correct,
            "warning": scores.warning,
            "abstention": scores.abstention,
            "disclaimer": scores.disclaimer,
        },
        "ir": scores.ir,
        "retrieved": result.ranking[:k],
        "relevant_ranks": [i + 1 for i, rel in enumerate(result.ranking_relevant) if rel],
        "relevant_in_corpus": len(result.qrels) if result.judged_retrieval else None,
        "escalation": {"level": escalation.get("level"), "category": escalation.get("category")} if escalation else None,
        "warning": warning.get("category") if warning else None,
        "warning_placement": warning.get("placement") if warning else None,
        "support": bool(a.get("support")),
        "coverage": a.get("coverage"),
        "abstained": a.get("abstained"),
        "reason": a.get("reason"),
        "latency_ms": round(result.latency_ms, 3),
        "error": result.error,
    }


def _run_section(run: Run) -> dict[str, Any]:
    return {
        "answerer": run.answerer,
        "metrics": run.metrics,
        "by_tag": run.tags,
        "notes": run.notes,
        "cases": [case_record(r, s, run.k) for r, s in zip(run.results, run.scores, strict=True)],
    }


def build_report(set_info: SetInfo, ours: Run, baseline: Run | None, notes: list[str] | None = None) -> dict[str, Any]:
    section = _run_section(ours)
    return {
        "schema": SCHEMA,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "set": {
            "path": set_info.path,
            "sha256": set_info.sha256,
            "cases": len(ours.results),
            "lines_with_problems": set_info.lines_with_problems,
            "set_problems": set_info.set_problems,
        },
        "k": ours.k,
        "answerer": section["answerer"],
        "metrics": section["metrics"],
        "by_tag": section["by_tag"],
        "failures": [f.to_dict() for f in ours.failures],
        "notes": [*section["notes"], *(notes or [])],
        "cases": section["cases"],
        "baseline": _run_section(baseline) if baseline else None,
        "environment": {
            "python": platform.python_version(),
            "ir_measures": _version("ir-measures"),
            "platform": platform.platform(),
        },
    }


def write_json(report: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read_report(path: Path) -> dict[str, Any]:
    """A report.json, given the file or the folder that holds it."""
    path = path / "report.json" if path.is_dir() else path
    return json.loads(path.read_text(encoding="utf-8"))


# -- tables chosen from report.json ---------------------------------------------------------

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


def tags_table(report: dict[str, Any]) -> Table:
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


def failures_table(report: dict[str, Any]) -> Table:
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


def problem_lines(report: dict[str, Any]) -> list[str]:
    s = report["set"]
    return [*s.get("lines_with_problems", []), *s.get("set_problems", [])]


def note_lines(report: dict[str, Any]) -> list[str]:
    base = report.get("baseline") or {}
    base_notes = [n if n.startswith("baseline") else f"baseline: {n}" for n in base.get("notes", [])]
    return [*report.get("notes", []), *base_notes]


def about_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
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


# -- report.md ------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    lines = [
        "| " + " | ".join(_cell(h) for h in table.headers) + " |",
        "|" + "---|" * len(table.headers),
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def render_md(report: dict[str, Any]) -> str:
    name = report["set"]["path"].rsplit("/", 1)[-1]
    out = [f"# Evaluation: {name}", ""]
    out += [f"- **{key}**: {value}" for key, value in about_rows(report)]
    out += ["", "## Headline", "", markdown_table(headline(report)), ""]
    problems = problem_lines(report)
    if problems:
        out += ["## Problems in the set", "", *[f"- {p}" for p in problems], ""]
    notes = note_lines(report)
    if notes:
        out += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    tag_table = tags_table(report)
    if tag_table.rows:
        out += ["## By tag", "", markdown_table(tag_table), ""]
    failures = failures_table(report)
    counts = ", ".join(f"{check} {n}" for check, n in sorted(failure_counts(report).items()))
    out += [f"## Failures ({len(failures.rows)}{': ' + counts if counts else ''})", ""]
    out += [markdown_table(failures) if failures.rows else "None.", ""]
    out += ["The same answers for an LLM judge: `ragas.jsonl` (RAGAS fields, one line per case, in set order).", ""]
    return "\n".join(out)


# -- plots and report.html ------------------------------------------------------------------

OURS, BASELINE = "#0b5394", "#b0b0b0"


def _pyplot() -> Any:
    """matplotlib's pyplot without a display (imported only when a report is drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def latency_histogram(report: dict[str, Any]) -> bytes:
    """Ours and the baseline on one axis; the slowest 1 % are gathered in the last bar so
    one slow first call does not squash the rest."""
    ours = [c["latency_ms"] for c in report["cases"] if c.get("latency_ms") is not None]
    base_cases = (report.get("baseline") or {}).get("cases") or []
    base = [c["latency_ms"] for c in base_cases if c.get("latency_ms") is not None]
    everything = np.asarray(ours + base or [1.0], dtype=float)
    top = max(float(np.percentile(everything, 99)) * 1.15, 1e-3)
    bins = np.linspace(0.0, top, 41)
    fig, ax = _pyplot().subplots(figsize=(7, 3.4))
    ax.hist(np.clip(ours, 0, top), bins=bins, color=OURS, alpha=0.85, label=f"ours (n={len(ours)})")
    if base:
        ax.hist(np.clip(base, 0, top), bins=bins, color=BASELINE, alpha=0.7, label=f"baseline (n={len(base)})")
    p50, p95 = report["metrics"].get("latency_p50_ms"), report["metrics"].get("latency_p95_ms")
    for value, style, name in ((p50, "--", "ours p50"), (p95, ":", "ours p95")):
        if value is not None:
            ax.axvline(min(value, top), color="black", linestyle=style, linewidth=1, label=name)
    title = "Time per answer" + (f" (ours: p50 {p50:.1f} ms, p95 {p95:.1f} ms)" if p50 is not None else "")
    slow = int((everything > top).sum())
    xlabel = "milliseconds per answer" + (f" ({slow} slower answer(s) counted in the last bar)" if slow else "")
    ax.set(title=title, xlabel=xlabel, ylabel="cases")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def tag_bars(report: dict[str, Any], metric: str = "pass_rate") -> bytes:
    """Per tag, the share of cases meeting every expectation: ours against the baseline."""
    ours = report.get("by_tag") or {}
    base = (report.get("baseline") or {}).get("by_tag") or {}
    tags = sorted(ours, key=lambda t: (-(ours[t].get("cases") or 0), t))
    fig, ax = _pyplot().subplots(figsize=(7.5, 1.2 + 0.3 * max(1, len(tags))))
    positions = np.arange(len(tags))
    height = 0.4 if base else 0.7
    series = [("ours", OURS, [ours[t].get(metric) for t in tags])]
    if base:
        series.append(("baseline", BASELINE, [(base.get(t) or {}).get(metric) for t in tags]))
    for i, (name, colour, values) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * height
        bars = ax.barh(positions + offset, [v or 0.0 for v in values], height, color=colour, label=name)
        labels = ["n/a" if v is None else f"{v:.2f}" for v in values]
        ax.bar_label(bars, labels=labels, padding=2, fontsize=7)
    ax.set_yticks(positions, [f"{t} ({ours[t].get('cases')})" for t in tags], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.1)
    ax.set_title("Share of cases meeting every expectation, by tag (number of cases)", fontsize=10, pad=24)
    ax.set_xlabel(metric.replace("_", " "))
    ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;max-width:1100px;margin:2em auto;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}
th,td{border:1px solid #d6d6d6;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f1f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:600}
img{max-width:100%;height:auto;display:block;margin:.6em 0}
"""


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).replace("—", "").isdigit() or text == "—"


def html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{html.escape(c)}</td>' if _is_number(c) else f"<td>{html.escape(c)}</td>" for c in row)
        + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def render_html(report: dict[str, Any], plots: dict[str, bytes]) -> str:
    """`plots`: {"latency": png, "tags": png} (either may be missing)."""
    name = report["set"]["path"].rsplit("/", 1)[-1]
    parts = [f"<h1>Evaluation: {html.escape(name)}</h1>", "<dl>"]
    parts += [f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in about_rows(report)]
    parts += ["</dl>", "<h2>Headline</h2>", html_table(headline(report))]
    if "latency" in plots:
        parts += ["<h2>Time per answer</h2>", _image(plots["latency"], "latency histogram")]
    problems = problem_lines(report)
    if problems:
        parts += ["<h2>Problems in the set</h2><ul>", *[f"<li>{html.escape(p)}</li>" for p in problems], "</ul>"]
    notes = note_lines(report)
    if notes:
        parts += ["<h2>Notes</h2><ul>", *[f"<li>{html.escape(n)}</li>" for n in notes], "</ul>"]
    tag_table = tags_table(report)
    if tag_table.rows:
        parts += ["<h2>By tag</h2>"]
        if "tags" in plots:
            parts.append(_image(plots["tags"], "pass rate by tag, ours and baseline"))
        parts.append(html_table(tag_table))
    failures = failures_table(report)
    parts += [f"<h2>Failures ({len(failures.rows)})</h2>", html_table(failures) if failures.rows else "<p>None.</p>"]
    body = "\n".join(parts)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Evaluation: {html.escape(name)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


# -- ragas.jsonl and writing a run's files ------------------------------------------------------

def ragas_rows(run: Run) -> list[dict[str, Any]]:
    rows = []
    for result in run.results:
        answer = result.answer
        contexts = [p.get("text", "") for p in (answer.get("retrieved") or [])[: run.k] if isinstance(p, dict)]
        rows.append(
            {
                "user_input": result.case.question,
                "retrieved_contexts": contexts,
                "response": answer.get("body") or answer.get("answer") or "",
                "reference": result.case.reference or None,
            }
        )
    return rows


def write_ragas(run: Run, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in ragas_rows(run):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")

def write_reports(out_dir: Path, report: dict[str, Any], ours: Run, baseline: Run | None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    images = {"latency": latency_histogram(report)}
    if report.get("by_tag"):
        images["tags"] = tag_bars(report)
    files = {
        "report.json": None,
        "report.md": render_md(report),
        "report.html": render_html(report, images),
    }
    write_json(report, out_dir / "report.json")
    for name, text in files.items():
        if text is not None:
            (out_dir / name).write_text(text, encoding="utf-8")
    for name, png in images.items():
        (out_dir / f"{name}.png").write_bytes(png)
    write_ragas(ours, out_dir / "ragas.jsonl")
    written = [out_dir / n for n in files] + [out_dir / f"{n}.png" for n in images] + [out_dir / "ragas.jsonl"]
    if baseline is not None:
        write_ragas(baseline, out_dir / "ragas_baseline.jsonl")
        written.append(out_dir / "ragas_baseline.jsonl")
    return written
