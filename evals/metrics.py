"""Metrics over judged cases (evals/judge.py).

Retrieval metrics come from `ir-measures` (trec_eval underneath), not hand-written
formulas. In this product "recall@k" means "at least one relevant passage in the top k"
(ir-measures `Success@k`); mrr@10 is `RR@10`, ndcg@5 is `nDCG@5` with binary relevance
and the ideal ranking taken over every relevant passage of the corpus.

Every metric is None when no case of the set applies to it (e.g. escalation metrics on
a set without `expect_escalation`), or when the answers did not carry what it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ir_measures
import numpy as np
from ir_measures import RR, Qrel, ScoredDoc, Success, nDCG

from retrieval.textnorm import fold

from .answerers import ABSTENTION, DISCLAIMER, ESCALATION, WARNING
from .judge import CaseResult
from .relevance import text_supports

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
