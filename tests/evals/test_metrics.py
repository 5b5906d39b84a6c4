"""Every metric on tiny hand-made cases whose values are worked out by hand."""

import math

import pytest

from evals.metrics import METRICS, score_cases, summarize
from evals.sets import DISCLAIMER, FULL, PhraseIndex, Reply, judge

from .conftest import PASSAGES, make_answer, make_case

CORPUS = PhraseIndex(PASSAGES)
REQUIRED = ("recall@1", "recall@5", "mrr@10", "ndcg@5", "answer_support", "citation_precision", "escalation_recall",
            "false_alarm_rate", "abstention_recall", "disclaimer_rate", "latency_p50_ms", "latency_p95_ms")


def run(pairs, k=5, capabilities=FULL, corpus=CORPUS, unmatched=frozenset(), latencies=None):
    """pairs: [(case, answer object)] -> (per-case scores, summary)."""
    results = [
        judge(case, Reply(answer, (latencies or {}).get(case.id, 1.0)), capabilities, corpus, unmatched)
        for case, answer in pairs
    ]
    scores = score_cases(results, k)
    return scores, summarize(scores, k)


def test_ranking_metrics_on_one_known_ranking():
    # relevant: p-dose and p-liver (both Acetaminophen passages); ranked 2nd and 4th
    case = make_case(relevant=["Acetaminophen"])
    _, m = run([(case, make_answer(["p-mri", "p-dose", "p-ct", "p-liver", "p-walk"]))])
    assert m["recall@1"] == 0.0
    assert m["recall@3"] == 1.0 and m["recall@5"] == 1.0
    assert m["mrr@10"] == pytest.approx(0.5)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 / math.log2(2) + 1 / math.log2(3)
    assert m["ndcg@5"] == pytest.approx(dcg / ideal)


def test_ndcg_ideal_counts_relevant_passages_that_were_not_retrieved():
    # both Acetaminophen passages are relevant, only one was retrieved, first
    _, m = run([(make_case(relevant=["Acetaminophen"]), make_answer(["p-dose", "p-mri"]))])
    assert m["recall@1"] == 1.0 and m["mrr@10"] == 1.0
    assert m["ndcg@5"] == pytest.approx(1 / (1 + 1 / math.log2(3)))


@pytest.mark.parametrize("order", [["p-ct", "p-walk"], ["p-walk", "p-ct"]])
def test_ranks_are_the_answerers_order_even_when_scores_tie(order):
    # all scores equal: trec_eval would break the tie by document id; the order returned must count
    case = make_case(relevant=["bone spurs"])
    _, m = run([(case, make_answer(order, score=0.5))])
    assert m["mrr@10"] == (1.0 if order[0] == "p-ct" else 0.5)


def test_recall_averages_over_cases_and_counts_empty_retrieval_as_a_miss():
    pairs = [
        (make_case("a", relevant=["bone spurs"]), make_answer(["p-ct"])),
        (make_case("b", relevant=["bone spurs"]), make_answer(["p-mri", "p-walk", "p-dose", "p-liver", "p-ct"])),
        (make_case("c", relevant=["bone spurs"]), make_answer([])),  # e.g. escalated before search
        (make_case("d", relevant=["bone spurs"]), make_answer(["p-walk"])),
    ]
    _, m = run(pairs)
    assert m["recall@1"] == pytest.approx(1 / 4)
    assert m["recall@3"] == pytest.approx(1 / 4)
    assert m["recall@5"] == pytest.approx(2 / 4)
    assert m["mrr@10"] == pytest.approx((1 + 1 / 5) / 4)


def test_recall_at_the_shown_k_when_k_is_not_1_3_or_5():
    case = make_case(relevant=["bone spurs"])
    scores, m = run([(case, make_answer(["p-mri", "p-walk", "p-dose", "p-ct"]))], k=3)
    assert scores[0].hit_at_k is False and m["recall@5"] == 1.0
    _, m4 = run([(case, make_answer(["p-mri", "p-walk", "p-dose", "p-ct"]))], k=4)
    assert m4["recall@4"] == 1.0


def test_chunk_ids_are_accepted_as_relevant():
    _, m = run([(make_case(relevant=["p-walk"]), make_answer(["p-mri", "p-walk"]))])
    assert m["mrr@10"] == pytest.approx(0.5)


def test_set_problem_cases_are_not_judged_on_relevance():
    ghost = make_case("ghost", relevant=["no passage says this"])
    scores, m = run([(ghost, make_answer(["p-ct"], cited=["p-ct"], body="x"))], unmatched=frozenset({"ghost"}))
    assert scores[0].ir is None and scores[0].supported is None and scores[0].citation_precision is None
    assert m["recall@1"] is None and m["answer_support"] is None


def test_answer_support_and_citation_precision():
    pairs = [
        # supported; cites one relevant and one not: precision 1/2
        (make_case("a", relevant=["maximum 3,000 mg/day"]),
         make_answer(["p-dose", "p-mri"], cited=["p-dose", "p-mri"], body="Maximum 3,000 mg/day [1]. MRI [2].")),
        # not supported; its only citation is relevant: precision 1
        (make_case("b", relevant=["bone spurs"]), make_answer(["p-ct"], cited=["p-ct"], body="CT is a scan [1].")),
        # no citations (declined): no precision, not supported
        (make_case("c", relevant=["bone spurs"]), make_answer(["p-ct"], abstained=True)),
    ]
    scores, m = run(pairs)
    assert [s.supported for s in scores] == [True, False, False]
    assert [s.citation_precision for s in scores] == [0.5, 1.0, None]
    assert m["answer_support"] == pytest.approx(1 / 3)
    assert m["citation_precision"] == pytest.approx(0.75)


def test_escalation_recall_precision_false_alarms_and_level_accuracy():
    em, ur = ("emergency", "cauda_equina"), ("urgent", "infection")
    red = lambda i, level, cat: make_case(i, expect_escalation=True, expect_level=level, expect_category=cat)
    pairs = [
        (red("r1", "emergency", "cauda_equina"), make_answer(escalation=em)),  # tp, right level and category
        (red("r2", "emergency", "cauda_equina"), make_answer(escalation=ur)),  # tp, wrong level and category
        (red("r3", "urgent", "infection"), make_answer(escalation=ur)),  # tp, right
        (red("r4", "urgent", "infection"), make_answer()),  # fn
        (make_case("t1", expect_escalation=False), make_answer(escalation=em)),  # fp
        (make_case("t2", expect_escalation=False), make_answer()),  # tn
        (make_case("t3", expect_escalation=False), make_answer()),  # tn
        (make_case("u1"), make_answer(escalation=em)),  # no label: not in the confusion
    ]
    scores, m = run(pairs)
    assert [s.escalation for s in scores] == ["tp", "tp", "tp", "fn", "fp", "tn", "tn", None]
    assert m["escalation_recall"] == pytest.approx(3 / 4)
    assert m["escalation_precision"] == pytest.approx(3 / 4)
    assert m["false_alarm_rate"] == pytest.approx(1 / 3)
    assert m["escalation_level_accuracy"] == pytest.approx(2 / 3)
    assert m["escalation_category_accuracy"] == pytest.approx(2 / 3)
    assert m["escalation_rate_unlabelled"] == 1.0
    assert [s.passed for s in scores] == [True, False, True, False, False, True, True, True]


def test_warning_recall_and_false_alarms():
    pairs = [
        (make_case("w1", expect_warning=True), make_answer(warning="cauda_equina")),
        (make_case("w2", expect_warning=True), make_answer()),
        (make_case("w3", expect_warning=False), make_answer(warning="infection")),
        (make_case("w4", expect_warning=False), make_answer()),
    ]
    _, m = run(pairs)
    assert m["warning_recall"] == 0.5 and m["warning_false_alarm_rate"] == 0.5


def test_abstention_precision_recall_and_rate():
    pairs = [
        (make_case("a1", expect_abstain=True), make_answer(abstained=True)),  # tp
        (make_case("a2", expect_abstain=True), make_answer()),  # fn
        (make_case("a3", expect_abstain=True), make_answer()),  # fn
        (make_case("a4", expect_abstain=False), make_answer(abstained=True)),  # fp
        (make_case("a5", expect_abstain=False), make_answer()),  # tn
    ]
    _, m = run(pairs)
    assert m["abstention_recall"] == pytest.approx(1 / 3)
    assert m["abstention_precision"] == pytest.approx(1 / 2)
    assert m["abstention_rate"] == pytest.approx(2 / 5)
    assert m["pass_rate"] == pytest.approx(2 / 5)


def test_precision_is_none_when_nothing_was_predicted():
    _, m = run([(make_case("a", expect_abstain=True), make_answer()), (make_case("b", expect_escalation=True), make_answer())])
    assert m["abstention_precision"] is None and m["escalation_precision"] is None
    assert m["abstention_recall"] == 0.0 and m["escalation_recall"] == 0.0


def test_disclaimer_must_be_in_the_answer_text_not_only_in_its_field():
    pairs = [
        (make_case("a"), make_answer(body="x")),
        (make_case("b"), make_answer(body="x", show_disclaimer=False)),
        (make_case("c"), make_answer(body="x", disclaimer="", show_disclaimer=False)),
        (make_case("d"), make_answer(body="x", disclaimer="General   INFORMATION only, not medical advice.")),
    ]
    scores, m = run(pairs)
    assert [s.disclaimer for s in scores] == [True, False, False, True]
    assert m["disclaimer_rate"] == 0.5


def test_latency_percentiles():
    pairs = [(make_case(f"c{i}"), make_answer()) for i in range(1, 101)]
    _, m = run(pairs, latencies={f"c{i}": float(i) for i in range(1, 101)})
    assert m["latency_p50_ms"] == pytest.approx(50.5)
    assert m["latency_p95_ms"] == pytest.approx(95.05)


def test_errors_count_and_fail_the_case():
    results = [judge(make_case("e", relevant=["bone spurs"]), Reply({}, 5.0, "HTTP 500: boom"), FULL, CORPUS)]
    scores = score_cases(results, 5)
    m = summarize(scores)
    assert m["error_rate"] == 1.0 and m["pass_rate"] == 0.0 and m["recall@5"] == 0.0


def test_not_applicable_metrics_are_none_but_every_key_is_there():
    _, m = run([(make_case(relevant=["bone spurs"]), make_answer(["p-ct"], cited=["p-ct"], body="bone spurs [1]"))])
    assert set(REQUIRED) <= set(m)
    assert m["escalation_recall"] is None and m["false_alarm_rate"] is None and m["abstention_recall"] is None
    assert set(m) <= set(METRICS)


def test_text_only_answers_get_support_and_disclaimer_but_no_retrieval_metrics():
    scores, m = run(
        [(make_case(relevant=["bone spurs"], expect_escalation=True), {"answer": f"CT shows bone spurs. {'x'}", "disclaimer": "D"})],
        capabilities=frozenset({DISCLAIMER}), corpus=None,
    )
    assert m["answer_support"] == 1.0 and m["disclaimer_rate"] == 0.0
    assert m["recall@1"] is None and m["escalation_recall"] is None and m["citation_precision"] is None


def test_without_a_corpus_copy_qrels_are_the_relevant_retrieved_passages():
    scores, m = run([(make_case(relevant=["Acetaminophen"]), make_answer(["p-mri", "p-dose"]))], corpus=None)
    assert m["mrr@10"] == 0.5
    assert m["ndcg@5"] == pytest.approx((1 / math.log2(3)) / 1.0)


def test_per_tag_breakdown():
    from evals.metrics import by_tag

    pairs = [
        (make_case("a", relevant=["bone spurs"], tags=["imaging", "short"]), make_answer(["p-ct"])),
        (make_case("b", relevant=["bone spurs"], tags=["imaging"]), make_answer(["p-mri"])),
        (make_case("c", expect_abstain=True, tags=["scope"]), make_answer(abstained=True)),
    ]
    scores, _ = run(pairs)
    tags = by_tag(scores)
    assert set(tags) == {"imaging", "short", "scope"}
    assert tags["imaging"]["cases"] == 2 and tags["imaging"]["recall@1"] == 0.5
    assert tags["short"]["recall@1"] == 1.0
    assert tags["scope"]["abstention_recall"] == 1.0 and tags["scope"]["recall@1"] is None
