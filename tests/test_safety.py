"""Red flags without the model: every core rule against its own examples, how negation and
the past are scoped, and how a detector's reading becomes a decision (safety.decide).

The learned detector itself is measured on writers it never saw (python -m evals
cv-safety) and on the labelled sets in tests/integration/test_quality.py.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from retrieval.detector import Detection, DetectorModel
from retrieval.normalise import Normaliser
from retrieval.safety import RedFlagChecker, decide
from retrieval.settings import DATA_DIR, load_settings

NORMALISE = Normaliser.from_file(DATA_DIR / "text_speak.toml")
CLASSES = ("about", "benign", "cauda_equina:emergency", "infection:urgent", "low_mood", "suicide:crisis")
CUT_OFFS = {
    "escalate": {"default": 0.6, "suicide": 0.4},
    "caution": {"default": 0.3},
    "emergency_categories": ["cauda_equina", "infection"],
    "support": 0.5,
    "about": 0.5,
    "nerve": 0.3,
}


def quiet_model() -> DetectorModel:
    """A detector that always reads "benign": only the rules speak."""
    intercept = np.array([0.0 if c == "benign" else -20.0 for c in CLASSES], np.float32)
    return DetectorModel(CLASSES, np.zeros((len(CLASSES), 4), np.float32), intercept, CUT_OFFS, "test", {})


@pytest.fixture(scope="module")
def checker(tmp_path_factory) -> RedFlagChecker:
    settings = load_settings(tmp_path_factory.mktemp("s") / "none.toml", env={})
    return RedFlagChecker(settings, "test", model=quiet_model())


RULES = RedFlagChecker(load_settings(env={}), "test", model=quiet_model()).rules
EXAMPLES = [(r.id, text, True) for r in RULES for text in r.must_match] + [
    (r.id, text, False) for r in RULES for text in r.must_not_match
]


def test_every_rule_has_examples_both_ways():
    for rule in RULES:
        assert rule.must_match and rule.must_not_match, rule.id


@pytest.mark.parametrize(("rule_id", "text", "matches"), EXAMPLES)
def test_rules_match_their_examples(checker, rule_id, text, matches):
    found = {r.id for r in checker.rule_matches(NORMALISE(text))}
    assert (rule_id in found) is matches


def test_the_core_stays_small():
    assert sum(len(r.patterns) for r in RULES) <= 40  # the learned detector is the main layer


def test_negation_governs_only_its_phrase(checker):
    assert {r.id for r in checker.rule_matches(NORMALISE("no numbness but i cant pee since this morning"))} == {
        "urinary_retention"
    }
    assert not checker.rule_matches(NORMALISE("I don't have any trouble peeing"))
    # a negation earlier in the sentence does not cancel a later phrase
    assert checker.rule_matches(NORMALISE("not sure if related, can't pee since this morning"))


def test_the_past_counts_only_in_its_own_clause(checker):
    assert not checker.rule_matches(NORMALISE("years ago I wet myself after surgery"))
    assert checker.rule_matches(NORMALISE("that was years ago, but today I wet myself without noticing"))


def reading(red=0.0, category="", level="", low_mood=0.0, about=0.0, nerve=0.0) -> Detection:
    return Detection(red, category, level, 0, low_mood, about, nerve)


def test_decide_escalates_above_the_cut_off_and_cautions_below_it():
    assert decide(reading(0.7, "cauda_equina", "emergency"), CUT_OFFS).escalate == ("cauda_equina", "emergency")
    uncertain = decide(reading(0.4, "cauda_equina", "emergency"), CUT_OFFS)
    assert uncertain.escalate is None and uncertain.caution == "cauda_equina"
    assert decide(reading(0.2, "cauda_equina", "emergency"), CUT_OFFS).caution is None
    assert decide(reading(0.45, "suicide", "crisis"), CUT_OFFS).escalate == ("suicide", "crisis")  # its own cut-off


def test_infection_with_nerve_symptoms_is_an_emergency():
    assert decide(reading(0.8, "infection", "urgent", nerve=0.5), CUT_OFFS).escalate == ("infection", "emergency")
    assert decide(reading(0.8, "infection", "urgent", nerve=0.1), CUT_OFFS).escalate == ("infection", "urgent")


def test_low_mood_gets_support_but_a_crisis_does_not_need_it():
    assert decide(reading(0.1, low_mood=0.9), CUT_OFFS).support
    assert not decide(reading(0.9, "suicide", "crisis", low_mood=0.9), CUT_OFFS).support


def test_third_parties_get_advice_addressed_to_the_helper(checker):
    own = checker.categories["cauda_equina"].message("emergency", checker.third_party(NORMALISE("i cant pee")))
    mum = checker.categories["cauda_equina"].message(
        "emergency", checker.third_party(NORMALISE("my mum can't feel when she wipes"))
    )
    assert own != mum and "them" in mum


def test_phone_numbers_come_from_settings(tmp_path):
    gb = RedFlagChecker(load_settings(tmp_path / "none.toml", env={"CHATBOT_COUNTRY": "GB"}), "test", model=quiet_model())
    message = gb.categories["cauda_equina"].messages["emergency"]
    assert "999" in message and "911" not in message
    assert "116 123" in gb.categories["suicide"].messages["crisis"]


def test_rules_file_is_complete(checker):
    for category in checker.categories.values():
        for text in (category.warning, *category.messages.values(), *category.third_party.values()):
            assert not re.search(r"\{[a-z_]+\}", text), f"unfilled placeholder in {category.name}"
        assert category.warning
    assert "{" not in checker.support_line and checker.support_line
