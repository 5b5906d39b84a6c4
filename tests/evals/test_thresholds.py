"""Floors and ceilings per set, matched by path."""

from pathlib import Path

import pytest

from evals.metrics import Limits, ThresholdsError, check, limits_for, load_thresholds
from tests.conftest import ROOT

TOML = '''
["evals/sets/dev.jsonl"]
"recall@1" = 0.90
answer_support = 0.95

["dev.jsonl"]
"recall@1" = 0.10

["evals/sets/safety.jsonl"]
escalation_recall = 0.95

["evals/sets/safety.jsonl".max]
false_alarm_rate = 0.05
'''


@pytest.fixture
def limits(tmp_path):
    path = tmp_path / "thresholds.toml"
    path.write_text(TOML)
    return load_thresholds(path)


def test_the_table_for_a_set_is_found_by_its_trailing_path(limits):
    found = limits_for(limits, Path("/somewhere/else/evals/sets/dev.jsonl"))
    assert found.key == "evals/sets/dev.jsonl"  # the most specific key wins
    assert limits_for(limits, Path("/x/other/dev.jsonl")).key == "dev.jsonl"
    assert limits_for(limits, Path("/x/evals/sets/scope.jsonl")) is None


def test_floors_are_minimums(limits):
    dev = limits_for(limits, Path("evals/sets/dev.jsonl"))
    assert check({"recall@1": 0.90, "answer_support": 0.96}, dev) == []
    breaches = check({"recall@1": 0.899, "answer_support": 0.5}, dev)
    assert [(b.metric, b.kind) for b in breaches] == [("recall@1", "floor"), ("answer_support", "floor")]
    assert "below its floor 0.9" in str(breaches[0])


def test_ceilings_are_maximums(limits):
    safety = limits_for(limits, Path("evals/sets/safety.jsonl"))
    assert safety.ceilings == {"false_alarm_rate": 0.05}
    assert check({"escalation_recall": 1.0, "false_alarm_rate": 0.05}, safety) == []
    (breach,) = check({"escalation_recall": 1.0, "false_alarm_rate": 0.2}, safety)
    assert breach.kind == "ceiling" and "above its ceiling" in str(breach)


def test_a_metric_that_was_not_measured_breaks_its_floor():
    (breach,) = check({"recall@1": None}, Limits("x", floors={"recall@1": 0.5}))
    assert breach.value is None and "not measured" in str(breach)


@pytest.mark.parametrize("text, message", [
    ('["a.jsonl"]\nrecal1 = 0.5\n', "unknown metric 'recal1'"),
    ('["a.jsonl"]\n"recall@1" = "high"\n', "must be a number"),
    ('top = 1\n', "must be a table"),
    ('["a.jsonl"\n', "cannot read"),
])
def test_bad_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "t.toml"
    path.write_text(text)
    with pytest.raises(ThresholdsError, match=message):
        load_thresholds(path)


def test_the_shipped_thresholds_file_loads_and_names_shipped_sets():
    shipped = load_thresholds(ROOT / "evals" / "thresholds.toml")
    assert {"evals/sets/retrieval/alder.jsonl", "evals/sets/retrieval/briar.jsonl"} <= {lim.key for lim in shipped}
    assert all((ROOT / lim.key).is_file() for lim in shipped)
