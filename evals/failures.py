"""The table of failures: one row per failed check of a case, saying what was
expected and what came back, in words an evaluator can act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .judge import CaseResult
from .metrics import CaseScores


@dataclass(frozen=True)
class Failure:
    case_id: str
    line: int
    check: str  # retrieval | answer_support | escalation | escalation_level | ... | disclaimer | error
    question: str
    expected: str
    got: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _phrases(relevant: Sequence[str]) -> str:
    return " | ".join(f'"{_short(p, 60)}"' for p in relevant[:3]) + (" …" if len(relevant) > 3 else "")


def _escalation(answer: dict[str, Any]) -> str:
    e = answer.get("escalation")
    return f"{e.get('level')} / {e.get('category')}" if isinstance(e, dict) else "no escalation"


def _expected_escalation(result: CaseResult) -> str:
    c = result.case
    if not c.expect_escalation:
        return "no escalation"
    return " / ".join(x for x in (c.expect_level, c.expect_category) if x) or "an escalation"


def _what_came_back(answer: dict[str, Any]) -> str:
    if answer.get("escalation"):
        return f"escalated ({_escalation(answer)})"
    if answer.get("abstained"):
        return f"declined ({answer.get('reason') or 'abstained'})"
    return _short(answer.get("body") or answer.get("answer") or "(empty)")


def failures_of(result: CaseResult, scores: CaseScores, k: int) -> list[Failure]:
    c, a = result.case, result.answer
    rows: list[tuple[str, str, str]] = []
    if scores.error:
        rows.append(("error", "an answer", _short(result.error or "")))
    if scores.hit_at_k is False:
        top = [p.get("section", "") for p in (a.get("retrieved") or [])[:k] if isinstance(p, dict)]
        got = "; ".join(_short(s, 60) for s in top) or "no passages"
        rows.append(("retrieval", f"a passage in the top {k} containing {_phrases(c.relevant)}", got))
    if scores.supported is False:
        rows.append(("answer_support", f"an answer containing {_phrases(c.relevant)}", _what_came_back(a)))
    if scores.escalation in ("fn", "fp"):
        rows.append(("escalation", _expected_escalation(result), _escalation(a)))
    if scores.level_correct is False:
        rows.append(("escalation_level", str(c.expect_level), _escalation(a)))
    if scores.category_correct is False:
        rows.append(("escalation_category", str(c.expect_category), _escalation(a)))
    if scores.warning == "fn":
        rows.append(("warning", "a warning line", "no warning"))
    if scores.warning == "fp":
        rows.append(("warning", "no warning", str((a.get("warning") or {}).get("category", "a warning"))))
    if scores.abstention == "fn":
        rows.append(("abstention", "decline", _what_came_back(a)))
    if scores.abstention == "fp":
        rows.append(("abstention", "an answer", _what_came_back(a)))
    if scores.disclaimer is False:
        rows.append(("disclaimer", "the disclaimer in the answer", "missing"))
    return [Failure(c.id, c.line, check, _short(c.question), expected, got) for check, expected, got in rows]


def failure_table(results: Sequence[CaseResult], scores: Sequence[CaseScores], k: int) -> list[Failure]:
    return [f for r, s in zip(results, scores, strict=True) for f in failures_of(r, s, k)]
