"""Scope patterns on hand-picked questions (no model needed)."""

import pytest

from retrieval.normalise import Normaliser
from retrieval.question import QuestionReader
from retrieval.scope import IN_SCOPE, NOT_COVERED, OUT_OF_SCOPE, ScopeChecker
from retrieval.settings import DATA_DIR


class NoExpansion:
    def expand(self, text: str) -> str:
        return text


class Scope:
    """The scope patterns on raw questions, read as the engine reads them (no model)."""

    def __init__(self, fake_embedder) -> None:
        self.reader = QuestionReader(Normaliser.from_file(DATA_DIR / "text_speak.toml"), NoExpansion(), fake_embedder)
        self.checker = ScopeChecker()

    def check(self, question: str):
        return self.checker.check(self.reader.read(question), use_examples=False)


@pytest.fixture(scope="module")
def scope() -> Scope:
    from tests.conftest import FakeEmbedder

    return Scope(FakeEmbedder())


@pytest.mark.parametrize(
    "question",
    [
        "exercises for knee arthritis pls",
        "my shoulder clicks when I lift my arm over my head",
        "sprained my wrist at netball, how long to heal?",
        "foraminal narrowing at C6-C7 causing arm tingling, what can I do",
        "how do I treat my dog's back pain?",
        "write a funny limerick about a bad back",
        "is ibuprofen good for period cramps?",
        "who won the football last night",
        "can carpal tunnel come back after the op",
        "knee clicks going down stairs, is that arthritis?",
        "Squishy lump on the back of my wrist that comes and goes - ganglion?",
        "MRI says L5-S1 disc bulge touching the S1 root, what does that mean?",
        "how do I get my HbA1c down, my diabetes nurse says its too high",
    ],
)
def test_out_of_scope(scope, question):
    assert scope.check(question).kind == OUT_OF_SCOPE


@pytest.mark.parametrize(
    "question",
    [
        "how much does a foraminotomy cost privately?",
        "which surgeon in Manchester is best for L1-L2 problems?",
        "how many days will I be in hospital after a TLIF fusion?",
        "what's the success rate of foraminotomy in percent?",
        "can I take gabapentin while pregnant?",
        "is acupuncture any good for this?",
        "should I personally have surgery? my MRI says moderate narrowing",
        "My surgeon's given me the choice of fusion or just a decompression. Which should I go for?",
        "small stout with my tramadol at night, any problem?",
        "Would a spinal cord stimulator help me?",
        "is dr patel at st marys any good for backs",
    ],
)
def test_not_covered(scope, question):
    assert scope.check(question).kind == NOT_COVERED


@pytest.mark.parametrize(
    "question",
    [
        "weirdly touching my toes or curling up eases the pain - why?",
        "is the knees to chest stretch good for this",
        "is it ok to keep walking the dog and going on my bike?",
        "I'm type 2 diabetic, can diabetes make the nerve channel narrower?",
        "been on gabapentin for 3 weeks and my ankles are swelling, is that from the tablets?",
        "what are the benefits of a foraminotomy?",
        "my neck and my lower back hurt, what exercises help my back?",
        "im type 2 diabetic, has that got anything to do with it",
        "hot water bottle or ice pack - which one should i be using on my lower back??",
        "My dad had his at L4-L5, is L1-L2 an unusual place for it?",
    ],
)
def test_in_scope_questions_that_mention_other_things(scope, question):
    assert scope.check(question).kind == IN_SCOPE


@pytest.mark.parametrize(
    ("question", "medication"),
    [
        ("what's the max paracetamol a day?", True),
        ("can i take paracetamol and ibuprofen together", True),
        ("should I stop taking pregabalin?", True),
        ("what dose of gabapentin do they normally give", True),
        ("what does gabapentin do?", False),
        ("what exercises help?", False),
    ],
)
def test_medication_questions(scope, question, medication):
    assert scope.check(question).medication is medication
