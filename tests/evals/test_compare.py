"""`evals compare`: what changed between two runs."""

import copy

from evals.compare import case_changes, metric_table, render
from evals.compare import compare_main as main
from evals.runner import evaluate
from evals.sets import load_set

from .conftest import FakeAnswerer, make_answer


def two_reports(tiny_set, tiny_answers):
    a = evaluate(load_set(tiny_set), FakeAnswerer(tiny_answers)).report
    worse = dict(tiny_answers, flag=make_answer(["p-walk"], body="Walking [1].", cited=["p-walk"]))
    b = evaluate(load_set(tiny_set), FakeAnswerer(worse)).report
    return a, b


def test_metric_changes_know_which_way_is_better():
    table = metric_table({"recall@1": 0.5, "false_alarm_rate": 0.1, "latency_p50_ms": 8.0},
                         {"recall@1": 0.6, "false_alarm_rate": 0.2, "latency_p50_ms": 8.0})
    rows = {r[0]: r for r in table.rows}
    assert rows["recall@1"][3:] == ["+0.100", "better"]
    assert rows["false_alarm_rate"][3:] == ["+0.100", "worse"]
    assert rows["latency_p50_ms"][4] == "="


def test_cases_that_start_failing_are_listed_with_their_checks(tiny_set, tiny_answers):
    a, b = two_reports(tiny_set, tiny_answers)
    worse, better = case_changes(a, b)
    assert [c.case_id for c in worse] == ["flag"] and worse[0].checks_after == ["escalation"]
    assert better == []
    worse_back, better_back = case_changes(b, a)
    assert [c.case_id for c in better_back] == ["flag"] and worse_back == []


def test_render_and_cli(tmp_path, tiny_set, tiny_answers, capsys):
    import json

    a, b = two_reports(tiny_set, tiny_answers)
    text = render(a, b)
    assert "## Cases that now fail (1)" in text and "| flag |" in text
    assert "| escalation_recall | 1.000 | 0.000 | -1.000 | worse |" in text
    for name, report in (("a", a), ("b", b)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(report))
    assert main([str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "diff.md")]) == 0
    assert "Cases that now fail (1)" in capsys.readouterr().out
    assert (tmp_path / "diff.md").read_text().startswith("# Compare")


def test_different_sets_are_flagged(tiny_set, tiny_answers):
    a, b = two_reports(tiny_set, tiny_answers)
    b = copy.deepcopy(b)
    b["set"]["sha256"] = "something else"
    assert "different test sets" in render(a, b)


def test_behaviour_changes_without_a_label_are_shown(tiny_set, tiny_answers):
    a = evaluate(load_set(tiny_set), FakeAnswerer(tiny_answers)).report
    escalates = dict(tiny_answers, ghost=make_answer(escalation=("urgent", "cancer")))
    b = evaluate(load_set(tiny_set), FakeAnswerer(escalates)).report
    text = render(a, b)
    assert "## Other cases that escalate, decline or answer differently (1)" in text
    assert "| ghost | about unicorns | answered | escalated (urgent / cancer) |" in text
