"""Running a set: bad lines reported by line number, the rest still run; set problems;
the depth asked for; the baseline judged on the same cases."""

from evals.metrics import EVAL_DEPTH
from evals.runner import evaluate
from evals.sets import FULL, load_set

from .conftest import FakeAnswerer, make_answer


def test_bad_lines_are_reported_with_their_number_and_the_rest_run(tiny_set, tiny_answers):
    loaded = load_set(tiny_set)
    ours = FakeAnswerer(tiny_answers)
    outcome = evaluate(loaded, ours)
    problems = outcome.report["set"]["lines_with_problems"]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 5"]
    assert [c["id"] for c in outcome.report["cases"]] == ["dose", "ct", "flag", "ghost"]
    assert outcome.report["set"]["cases"] == 4


def test_phrases_found_in_no_passage_are_set_problems_not_misses(tiny_set, tiny_answers):
    outcome = evaluate(load_set(tiny_set), FakeAnswerer(tiny_answers))
    assert outcome.report["set"]["set_problems"] == [
        "line 6: case 'ghost': no passage contains any of its relevant phrases"
    ]
    # dose: relevant passage ranked 2nd; ct: 1st -> recall@1 = 1/2 over the two judged cases
    assert outcome.report["metrics"]["recall@1"] == 0.5
    assert outcome.report["metrics"]["mrr@10"] == 0.75
    ghost = next(c for c in outcome.report["cases"] if c["id"] == "ghost")
    assert ghost["ir"] is None and ghost["checks"]["supported"] is None


def test_every_case_is_asked_for_ten_passages(tiny_set, tiny_answers):
    ours = FakeAnswerer(tiny_answers)
    evaluate(load_set(tiny_set), ours, k=3)
    assert {k for _, k in ours.asked} == {EVAL_DEPTH}


def test_baseline_runs_on_the_same_cases_and_is_reported_beside_ours(tiny_set, tiny_answers):
    base_answers = {cid: make_answer(["p-walk"], body="Walking.", disclaimer="", show_disclaimer=False) for cid in tiny_answers}
    baseline = FakeAnswerer(base_answers, name="baseline", capabilities=FULL - {"citations"})
    outcome = evaluate(load_set(tiny_set), FakeAnswerer(tiny_answers), baseline)
    base = outcome.report["baseline"]
    assert [c["id"] for c in base["cases"]] == ["dose", "ct", "flag", "ghost"]
    assert base["metrics"]["recall@5"] == 0.0 and base["metrics"]["disclaimer_rate"] == 0.0
    assert base["metrics"]["escalation_recall"] == 0.0
    assert base["metrics"]["citation_precision"] is None
    assert outcome.report["metrics"]["escalation_recall"] == 1.0


def test_failures_say_what_was_expected_and_what_came_back(tiny_set, tiny_answers):
    answers = dict(tiny_answers, flag=make_answer(["p-walk"], body="Walking is good [1].", cited=["p-walk"]))
    outcome = evaluate(load_set(tiny_set), FakeAnswerer(answers, errors={"ct": "HTTP 500: boom"}))
    rows = {(f["case_id"], f["check"]): f for f in outcome.report["failures"]}
    assert rows[("flag", "escalation")]["expected"] == "emergency / cauda_equina"
    assert rows[("flag", "escalation")]["got"] == "no escalation"
    assert rows[("flag", "escalation")]["line"] == 4
    assert "HTTP 500" in rows[("ct", "error")]["got"]
    assert ("dose", "retrieval") not in rows  # its relevant passage is in the top 5
    assert outcome.report["metrics"]["error_rate"] == 0.25


def test_retrieval_failure_lists_what_was_retrieved(tiny_set, tiny_answers):
    answers = dict(tiny_answers, ct=make_answer(["p-walk", "p-mri"], body="Walking."))
    outcome = evaluate(load_set(tiny_set), FakeAnswerer(answers))
    row = next(f for f in outcome.report["failures"] if f["case_id"] == "ct" and f["check"] == "retrieval")
    assert '"bone spurs"' in row["expected"]
    assert row["got"] == "Self-management; Diagnosis › Imaging"
