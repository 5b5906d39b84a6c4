"""Regression guard, through the same code as `python -m evals run`: every shipped set
runs through the real engine and the naive baseline, writes its three reports, and
meets its floors in evals/thresholds.toml (CI: `make test` runs this file)."""

import pytest

from evals.metrics import limits_for, load_thresholds
from evals.runner import EngineAnswerer, build_baseline, run_set
from evals.sets import load_set
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

THRESHOLDS = load_thresholds(ROOT / "evals" / "thresholds.toml")
SHIPPED = sorted(lim.key for lim in THRESHOLDS)


@pytest.fixture(scope="module")
def baseline(settings):
    """Built once for the module (the corpus is split and embedded here, in memory)."""
    rag, problem = build_baseline(settings)
    assert problem is None, problem
    return rag


def test_every_shipped_set_is_checked():
    assert len(SHIPPED) >= 8 and "evals/sets/retrieval/alder.jsonl" in SHIPPED and "evals/sets/safety/elm.jsonl" in SHIPPED


def test_the_dev_sets_have_floors():
    for path in ("evals/sets/retrieval/alder.jsonl", "evals/sets/retrieval/briar.jsonl"):
        limits = limits_for(THRESHOLDS, ROOT / path)
        assert limits is not None and {"recall@1", "recall@5", "answer_support"} <= set(limits.floors)


@pytest.mark.parametrize("path", SHIPPED)
def test_shipped_set_meets_its_thresholds(engine, baseline, path, tmp_path):
    loaded = load_set(ROOT / path)
    assert loaded.problems == [], f"{path} has bad lines"
    outcome = run_set(loaded, EngineAnswerer(engine), baseline, tmp_path, thresholds=THRESHOLDS)
    report = outcome.report
    assert {p.name for p in outcome.files} >= {"report.json", "report.md", "report.html", "ragas.jsonl"}
    assert report["set"]["set_problems"] == [], f"{path}: phrases that match no passage"
    assert report["metrics"]["error_rate"] == 0.0
    assert report["metrics"]["disclaimer_rate"] == 1.0 and report["baseline"]["metrics"]["disclaimer_rate"] == 0.0
    assert not outcome.breaches, f"{path} [{outcome.limits.key}]: " + "; ".join(map(str, outcome.breaches))


def test_recall_is_judged_on_the_shown_top_k_while_ten_ranks_feed_mrr(engine):
    """The runner asks for 10 passages; the answer itself must not depend on k, or the
    evaluation would judge an answer nobody sees."""
    for case in load_set(ROOT / "evals" / "sets" / "retrieval" / "cypress.jsonl").cases[:15]:
        five = engine.answer(case.question, k=5).to_dict()
        ten = engine.answer(case.question, k=10).to_dict()
        assert five["answer"] == ten["answer"] and five["abstained"] == ten["abstained"]
        assert [p["chunk_id"] for p in ten["retrieved"][:5]] == [p["chunk_id"] for p in five["retrieved"]]
