"""report.json: everything one `evals run` measured, in one JSON object.

The Markdown and HTML reports and `evals compare` are rendered from this object
alone, so an old report.json can always be re-rendered or compared.

    {"schema", "created_at", "set": {...}, "k", "answerer", "metrics", "by_tag",
     "failures", "notes", "cases", "baseline": {"answerer", "metrics", "by_tag", "notes", "cases"} | null}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .judge import CaseResult
from .metrics import CaseScores
from .runner import Run

SCHEMA = 1


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
