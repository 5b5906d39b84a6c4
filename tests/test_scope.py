"""Scope without the model: what it measures against the corpus, and the messages it fills in."""

from __future__ import annotations

import pytest

from evals.train.scope import overlaps
from retrieval.answerability import Answerability
from retrieval.messages import Messages, documents_phrase
from retrieval.models import Chunk, Citation, Passage
from retrieval.settings import load_settings

ANSWERABILITY = Answerability()
EXAMPLES = [(f.kind, text, True) for f in ANSWERABILITY.facts for text in f.must_match] + [
    (f.kind, text, False) for f in ANSWERABILITY.facts for text in f.must_not_match
]


def cited(text: str) -> list[Citation]:
    return [Citation.numbered(1, Passage(Chunk("c", "Doc", "d.md", "S", text), 1.0))]


@pytest.mark.parametrize(("kind", "question", "asks"), EXAMPLES)
def test_kinds_of_fact_match_their_examples(kind, question, asks):
    fact = next(f for f in ANSWERABILITY.facts if f.kind == kind)
    assert fact.asked(question.lower()) is asks


def test_a_fact_the_cited_passages_do_not_state_is_said_first():
    question = "how long is recovery after a foraminotomy?"
    assert ANSWERABILITY.missing(question, cited("Removal of bone to widen the foramen."), ()) == (
        "The documents do not say how long this takes."
    )
    assert ANSWERABILITY.missing(question, cited("Most people return to desk work in 2–4 weeks."), ()) is None
    assert "acupuncture" in ANSWERABILITY.missing("does acupuncture help", cited("Walking helps."), ("acupuncture",))
    assert ANSWERABILITY.missing("can it stop me lifting suitcases", cited("Lifting may hurt."), ("suitcases",)) is None


@pytest.mark.parametrize(("question", "unknown"), [("how do i treat diabetes?", "treat"),
                                                   ("how much does surgery cost?", "cost"),
                                                   ("are the tablets any good", "tablets")])
def test_a_word_that_asks_is_never_taken_for_a_treatment_no_document_names(question, unknown):
    assert ANSWERABILITY.unnamed_treatments(question, (unknown,)) == []
    assert ANSWERABILITY.unnamed_treatments("does acupuncture help", ("acupuncture",)) == ["acupuncture"]


def test_medicines_no_document_mentions_and_the_dose_notice():
    assert ANSWERABILITY.about_unknown_medicine("can i take metformin tablets with this", ("metformin",))
    assert not ANSWERABILITY.about_unknown_medicine("can i take ibuprofen tablets", ())
    assert ANSWERABILITY.medication_notice_applies("how much ibuprofen can i take", cited("200–400 mg every 6–8 hours."))
    assert not ANSWERABILITY.medication_notice_applies("what is ibuprofen", cited("200–400 mg every 6–8 hours."))


def test_medquad_topics_that_the_documents_cover_are_left_out():
    corpus = "narrowing of the spinal canal (spinal stenosis) and sciatica; ibuprofen 200 mg"
    vocabulary = frozenset(corpus.replace("(", " ").replace(")", " ").replace(";", " ").split())
    assert overlaps("Spinal Stenosis", corpus, vocabulary)
    assert overlaps("Sciatica", corpus, vocabulary)
    assert overlaps("Ibuprofen (Oral)", corpus, vocabulary)
    assert not overlaps("Lupus", corpus, vocabulary)
    assert not overlaps("Thyroid cancer", corpus, vocabulary)


def test_scope_messages_name_the_documents(tmp_path):
    settings = load_settings(tmp_path / "none.toml", env={})
    one = Messages.load(settings, ["Plantar fasciitis"])
    two = Messages.load(settings, ["Plantar fasciitis", "Hay fever"])
    assert "Plantar fasciitis" in one.out_of_scope and "{documents}" not in one.out_of_scope
    assert "Plantar fasciitis and Hay fever" in two.out_of_scope and "Hay fever" in two.empty
    assert documents_phrase(["A", "B", "C"]) == "A, B and C"
