"""Regression guard: retrieval and answer quality on the shipped sets must not fall
below the floors in evals/thresholds.toml."""

import tomllib

import pytest

from evals.dataset import load_set
from evals.relevance import is_relevant, text_supports
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

FLOORS = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))


def measure(engine, path):
    cases = [c for c in load_set(ROOT / path).cases if c.relevant]
    hits1 = hits5 = support = 0
    for case in cases:
        reply = engine.answer(case.question, history=list(case.history)).to_dict()
        relevant = [is_relevant(p, case.relevant) for p in reply["retrieved"]]
        hits1 += any(relevant[:1])
        hits5 += any(relevant[:5])
        support += text_supports(reply["answer"], case.relevant)
    n = len(cases)
    return {"recall@1": hits1 / n, "recall@5": hits5 / n, "answer_support": support / n}


@pytest.mark.parametrize("path", sorted(p for p in FLOORS if p.startswith("evals/sets/dev")))
def test_quality_does_not_regress(engine, path):
    measured = measure(engine, path)
    floors = FLOORS[path]
    below = {k: round(measured[k], 3) for k in floors if k in measured and measured[k] < floors[k]}
    assert not below, f"{path}: below the floor {floors}: {below}"
