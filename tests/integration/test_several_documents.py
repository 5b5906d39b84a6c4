"""A clinic adds two leaflets on unrelated conditions (written for this test) to the corpus:
no code or data changes, only the index is rebuilt. Questions about each leaflet must be
answered from that leaflet, questions no document covers declined, and the original
article's dev questions still answered."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from evals.sets import SETS_DIR, load_set
from retrieval.engine import Engine
from retrieval.index_store import build_index
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

LEAFLETS = SETS_DIR / "leaflets"
WRITERS = {"pat": "plantar-fasciitis", "june": "hay-fever"}


@pytest.fixture(scope="module")
def engine(settings, tmp_path_factory) -> Engine:
    corpus = tmp_path_factory.mktemp("corpus")
    for path in (ROOT / "corpus").glob("*.md"):
        shutil.copy(path, corpus / path.name)
    for stem in WRITERS.values():
        shutil.copy(LEAFLETS / f"{stem}.md", corpus / f"{stem}.md")
    index = tmp_path_factory.mktemp("index")
    local = dataclasses.replace(settings, corpus_dir=corpus, index_dir=index)
    engine = Engine(local)
    build_index(corpus, index, engine.encoder, progress=False)
    engine.warm_up()
    return engine


def test_the_documents_say_what_they_cover(engine):
    titles = [d["title"] for d in engine.index.documents]
    assert len(titles) == 3
    assert all(title in engine.messages.out_of_scope for title in titles)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_questions_about_a_leaflet_are_answered_from_it(engine, writer):
    cases = [c for c in load_set(LEAFLETS / f"{writer}.jsonl").cases if c.expect_abstain is False]
    title = next(d["title"] for d in engine.index.documents if d["path"].startswith(WRITERS[writer]))
    answered = [engine.answer(c.question).to_dict() for c in cases]
    from_it = sum(1 for a in answered if not a["abstained"] and a["citations"] and a["citations"][0]["document"] == title)
    assert from_it / len(cases) >= 0.90, f"{from_it}/{len(cases)} answered from {title}"


def test_questions_no_document_covers_are_declined(engine):
    cases = [c for w in WRITERS for c in load_set(LEAFLETS / f"{w}.jsonl").cases if c.expect_abstain]
    declined = sum(1 for c in cases if engine.answer(c.question).abstained)
    # a guard at the level reached (17 of 30 with the shipped scope model), and the target,
    # which is not met yet (README "Scope and answerability"): reported, not hidden
    assert declined / len(cases) >= 0.50, f"{declined}/{len(cases)} declined"
    if declined / len(cases) < 0.90:
        pytest.xfail(f"target 90% declined, reached {declined}/{len(cases)}")


def test_the_articles_dev_questions_are_still_answered(engine):
    cases = load_set(SETS_DIR / "retrieval" / "alder.jsonl").cases
    answered = sum(1 for c in cases if not engine.answer(c.question).abstained)
    assert answered / len(cases) >= 0.94, f"{answered}/{len(cases)} answered"  # guard: 152/159 reached
    if answered / len(cases) < 0.97:
        pytest.xfail(f"target 97% answered, reached {answered}/{len(cases)}")
