"""What a run measured, and whether it is good enough.

- metrics over judged cases (sets.py): retrieval metrics come from `ir-measures`
  (trec_eval underneath), not hand-written formulas. "recall@k" means "at least one
  relevant passage in the top k" (ir-measures `Success@k`); mrr@10 is `RR@10`; ndcg@5 is
  `nDCG@5` with binary relevance and the ideal ranking taken over every relevant passage
  of the corpus. Every metric is None when no case of the set applies to it;
- the failures table: one row per failed check, expected against got;
- thresholds: floors (and ceilings) per set, so CI can hold a change back
  (`evals run --thresholds FILE` exits 1 when a metric is outside them). The file is TOML,
  one table per set keyed by its path (matched by trailing path parts); metrics where
  lower is better take a ceiling in a `.max` sub-table.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import ir_measures
import numpy as np
from ir_measures import RR, Qrel, ScoredDoc, Success, nDCG

from retrieval.text import fold

from .sets import ABSTENTION, DISCLAIMER, ESCALATION, WARNING, CaseResult, text_supports

IR_MEASURES = {"recall@1": Success @ 1, "recall@3": Success @ 3, "recall@5": Success @ 5, "mrr@10": RR @ 10, "ndcg@5": nDCG @ 5}
EVAL_DEPTH = 10  # passages asked for, so that MRR@10 has ten ranks


@dataclass(frozen=True)
class MetricInfo:
    label: str
    higher_is_better: bool = True
    unit: str = ""  # "" = a share in [0, 1]; "ms"; "count"


METRICS: dict[str, MetricInfo] = {
    "recall@1": MetricInfo("a relevant passage ranked first"),
    "recall@3": MetricInfo("a relevant passage in the top 3"),
    "recall@5": MetricInfo("a relevant passage in the top 5"),
    "mrr@10": MetricInfo("mean reciprocal rank of the first relevant passage (top 10)"),
    "ndcg@5": MetricInfo("nDCG of the top 5 (binary relevance)"),
    "answer_support": MetricInfo("the answer contains a relevant phrase"),
    "citation_precision": MetricInfo("share of cited passages that are relevant"),
    "escalation_recall": MetricInfo("red flags that escalated"),
    "escalation_precision": MetricInfo("escalations that were expected"),
    "false_alarm_rate": MetricInfo("non-red-flag cases that escalated", higher_is_better=False),
    "escalation_level_accuracy": MetricInfo("escalations with the expected level"),
    "escalation_category_accuracy": MetricInfo("escalations with the expected category"),
    "escalation_recall_emergency": MetricInfo("emergency red flags escalated as emergency"),
    "escalation_recall_crisis": MetricInfo("crisis red flags escalated as crisis"),
    "escalation_recall_urgent": MetricInfo("urgent red flags escalated as urgent"),
    "escalation_rate_unlabelled": MetricInfo("cases without an escalation label that escalated", False),
    "warning_recall": MetricInfo("questions about a red flag that got the warning line"),
    "warning_false_alarm_rate": MetricInfo("warnings where none was expected", higher_is_better=False),
    "abstention_precision": MetricInfo("declines that were expected"),
    "abstention_recall": MetricInfo("expected declines that happened"),
    "abstention_rate": MetricInfo("all cases the bot declined", higher_is_better=False),
    "disclaimer_rate": MetricInfo("answers showing the disclaimer"),
    "error_rate": MetricInfo("answers with an error", higher_is_better=False),
    "pass_rate": MetricInfo("cases meeting every labelled expectation"),
    "latency_p50_ms": MetricInfo("median time per answer", higher_is_better=False, unit="ms"),
    "latency_p95_ms": MetricInfo("95th percentile time per answer", higher_is_better=False, unit="ms"),
    "cases": MetricInfo("cases run", unit="count"),
}


@dataclass(frozen=True)
class CaseScores:
    """What one case scored; None = this check does not apply to the case."""

    case_id: str
    tags: tuple[str, ...]
    ir: dict[str, float] | None  # IR_MEASURES names (and recall@k) -> value
    hit_at_k: bool | None  # a relevant passage among the k shown
    supported: bool | None
    citation_precision: float | None
    escalation: str | None  # "tp" | "fp" | "fn" | "tn" against expect_escalation
    escalated_unlabelled: bool | None  # escalated although the case has no expect_escalation
    level_correct: bool | None  # only for expected escalations that happened
    expected_level: str | None  # the level a red flag should get (expect_level)
    category_correct: bool | None
    warning: str | None  # "tp" | "fp" | "fn" | "tn" against expect_warning
    abstention: str | None  # "tp" | "fp" | "fn" | "tn" against expect_abstain
    abstained: bool | None
    disclaimer: bool | None
    latency_ms: float
    error: bool

    @property
    def passed(self) -> bool:
        """Every labelled expectation holds (the disclaimer is reported on its own)."""
        return not (
            self.error
            or self.hit_at_k is False
            or self.supported is False
            or self.escalation in ("fp", "fn")
            or self.level_correct is False
            or self.category_correct is False
            or self.warning in ("fp", "fn")
            or self.abstention in ("fp", "fn")
        )


def ir_scores(results: Sequence[CaseResult], k: int) -> dict[str, dict[str, float]]:
    """Per case id, the IR measures (plus recall@k for the k shown), via ir-measures.

    The run gives trec_eval scores that fall with rank, so the ranking judged is exactly
    the order the answerer returned (trec_eval breaks score ties by document id).
    Cases with no retrieved passage, or no relevant passage anywhere, score 0.
    """
    measures = dict(IR_MEASURES)
    measures.setdefault(f"recall@{k}", Success @ k)
    judged = [r for r in results if r.judged_retrieval]
    scores = {r.case.id: dict.fromkeys(measures, 0.0) for r in judged}
    qrels = [Qrel(r.case.id, doc, 1) for r in judged for doc in sorted(r.qrels)]
    run = [ScoredDoc(r.case.id, doc, float(len(r.ranking) - i)) for r in judged for i, doc in enumerate(r.ranking)]
    if qrels and run:
        by_measure = {m: name for name, m in measures.items()}
        for metric in ir_measures.iter_calc(list(by_measure), qrels, run):
            scores[metric.query_id][by_measure[metric.measure]] = float(metric.value)
    return scores


def _confusion(expected: bool | None, got: bool) -> str | None:
    if expected is None:
        return None
    return {(True, True): "tp", (True, False): "fn", (False, True): "fp", (False, False): "tn"}[(expected, got)]


def disclaimer_shown(answer: dict[str, Any]) -> bool:
    disclaimer = str(answer.get("disclaimer") or "")
    return bool(disclaimer.strip()) and fold(disclaimer) in fold(str(answer.get("answer") or ""))


def score_case(result: CaseResult, ir: dict[str, float] | None, k: int) -> CaseScores:
    case, answer, caps = result.case, result.answer, result.capabilities
    escalation = answer.get("escalation") if isinstance(answer.get("escalation"), dict) else None
    escalated = escalation is not None
    can_escalate = ESCALATION in caps
    expected_hit = escalated and case.expect_escalation is True
    cited = result.cited_relevant
    return CaseScores(
        case_id=case.id,
        tags=case.tags,
        ir=ir,
        hit_at_k=bool(ir[f"recall@{k}"]) if ir is not None else None,
        supported=text_supports(str(answer.get("answer") or ""), case.relevant) if result.labelled else None,
        citation_precision=sum(cited) / len(cited) if cited else None,
        escalation=_confusion(case.expect_escalation, escalated) if can_escalate else None,
        escalated_unlabelled=escalated if can_escalate and case.expect_escalation is None else None,
        level_correct=escalation.get("level") == case.expect_level if expected_hit and case.expect_level else None,
        expected_level=case.expect_level if can_escalate and case.expect_escalation else None,
        category_correct=(
            escalation.get("category") == case.expect_category if expected_hit and case.expect_category else None
        ),
        warning=_confusion(case.expect_warning, answer.get("warning") is not None) if WARNING in caps else None,
        abstention=_confusion(case.expect_abstain, bool(answer.get("abstained"))) if ABSTENTION in caps else None,
        abstained=bool(answer.get("abstained")) if ABSTENTION in caps else None,
        disclaimer=disclaimer_shown(answer) if DISCLAIMER in caps else None,
        latency_ms=float(result.latency_ms),
        error=result.error is not None,
    )


def score_cases(results: Sequence[CaseResult], k: int) -> list[CaseScores]:
    ir = ir_scores(results, k)
    return [score_case(r, ir.get(r.case.id), k) for r in results]


# -- aggregation ---------------------------------------------------------------
def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _ratio(outcomes: Iterable[str | None], hit: str, miss: str) -> float | None:
    """hit / (hit + miss) over confusion outcomes, e.g. recall = tp / (tp + fn)."""
    values = list(outcomes)
    n_hit, n_miss = values.count(hit), values.count(miss)
    return n_hit / (n_hit + n_miss) if n_hit + n_miss else None


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def summarize(scores: Sequence[CaseScores], k: int = 5) -> dict[str, float | int | None]:
    """The metrics object of report.json, for a whole set or one tag."""
    ir = [s.ir for s in scores if s.ir is not None]
    out: dict[str, float | int | None] = {name: _mean(x[name] for x in ir) for name in IR_MEASURES}
    if k not in (1, 3, 5):
        out[f"recall@{k}"] = _mean(x[f"recall@{k}"] for x in ir)
    escalation = [s.escalation for s in scores]
    warning = [s.warning for s in scores]
    abstention = [s.abstention for s in scores]
    latencies = [s.latency_ms for s in scores]
    out.update(
        answer_support=_mean(s.supported for s in scores),
        citation_precision=_mean(s.citation_precision for s in scores),
        escalation_recall=_ratio(escalation, "tp", "fn"),
        escalation_precision=_ratio(escalation, "tp", "fp"),
        false_alarm_rate=_ratio(escalation, "fp", "tn"),
        escalation_level_accuracy=_mean(s.level_correct for s in scores),
        escalation_category_accuracy=_mean(s.category_correct for s in scores),
        escalation_rate_unlabelled=_mean(s.escalated_unlabelled for s in scores),
        **{
            f"escalation_recall_{level}": _mean(
                s.escalation == "tp" and s.level_correct is True for s in scores if s.expected_level == level
            )
            for level in ("emergency", "crisis", "urgent")
        },
        warning_recall=_ratio(warning, "tp", "fn"),
        warning_false_alarm_rate=_ratio(warning, "fp", "tn"),
        abstention_precision=_ratio(abstention, "tp", "fp"),
        abstention_recall=_ratio(abstention, "tp", "fn"),
        abstention_rate=_mean(s.abstained for s in scores),
        disclaimer_rate=_mean(s.disclaimer for s in scores),
        error_rate=_mean(s.error for s in scores),
        pass_rate=_mean(s.passed for s in scores),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        cases=len(scores),
    )
    return out


def by_tag(scores: Sequence[CaseScores], k: int = 5) -> dict[str, dict[str, float | int | None]]:
    tags = sorted({t for s in scores for t in s.tags})
    return {tag: summarize([s for s in scores if tag in s.tags], k) for tag in tags}


# -- the failures table ----------------------------------------------------------------

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


# -- thresholds -------------------------------------------------------------------------

_DYNAMIC = re.compile(r"^recall@\d+$")


class ThresholdsError(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    key: str  # the table's key in the file
    floors: dict[str, float] = field(default_factory=dict)
    ceilings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Breach:
    metric: str
    value: float | None
    limit: float
    kind: str  # "floor" | "ceiling"

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.metric}: not measured (its {self.kind} is {self.limit})"
        word = "below its floor" if self.kind == "floor" else "above its ceiling"
        return f"{self.metric} = {self.value:.3f}, {word} {self.limit}"


def _known(metric: str) -> bool:
    return metric in METRICS or bool(_DYNAMIC.match(metric))


def _numbers(table: dict[str, Any], where: str) -> dict[str, float]:
    out = {}
    for metric, value in table.items():
        if not _known(metric):
            raise ThresholdsError(f"{where}: unknown metric {metric!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ThresholdsError(f"{where}: {metric} must be a number")
        out[metric] = float(value)
    return out


def load_thresholds(path: Path) -> list[Limits]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdsError(f"cannot read {path}: {exc}") from exc
    limits = []
    for key, table in data.items():
        if not isinstance(table, dict):
            raise ThresholdsError(f"{path}: {key!r} must be a table of metric = floor")
        ceilings = table.get("max", {})
        floors = {k: v for k, v in table.items() if k != "max"}
        limits.append(Limits(key, _numbers(floors, f"{path} [{key}]"), _numbers(ceilings, f"{path} [{key}.max]")))
    return limits


def _same_set(key: str, set_path: Path) -> bool:
    wanted = Path(key)
    if wanted.is_absolute():
        return wanted.resolve() == set_path.resolve()
    parts, mine = wanted.parts, set_path.resolve().parts
    return len(parts) <= len(mine) and mine[-len(parts) :] == parts


def limits_for(limits: list[Limits], set_path: Path) -> Limits | None:
    matching = [lim for lim in limits if _same_set(lim.key, set_path)]
    # the most specific key wins ("evals/sets/dev.jsonl" over "dev.jsonl")
    return max(matching, key=lambda lim: len(Path(lim.key).parts)) if matching else None


def check(metrics: dict[str, Any], limits: Limits) -> list[Breach]:
    breaches = []
    for metric, floor in limits.floors.items():
        value = metrics.get(metric)
        if value is None or value < floor:
            breaches.append(Breach(metric, value, floor, "floor"))
    for metric, ceiling in limits.ceilings.items():
        value = metrics.get(metric)
        if value is None or value > ceiling:
            breaches.append(Breach(metric, value, ceiling, "ceiling"))
    return breaches
