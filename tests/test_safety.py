"""Red-flag patterns on hand-picked messages (no model needed).

The full labelled sets are checked in tests/integration/test_quality.py; these cases pin
down each behaviour the safety issue asks for, so a rule edit that breaks one says which.
"""

import re

import pytest

from retrieval.normalise import Normaliser
from retrieval.safety import RedFlagChecker
from retrieval.settings import DATA_DIR, load_settings

NORMALISE = Normaliser.from_file(DATA_DIR / "text_speak.toml")


class Checker:
    """The pattern layer on raw messages: normalised first, as the engine's QuestionReader does."""

    def __init__(self, checker: RedFlagChecker) -> None:
        self.checker = checker
        self.normalise = NORMALISE
        self.rules, self.categories, self.model = checker.rules, checker.categories, checker.model

    def assess_patterns(self, message: str):
        return self.checker.assess_patterns(NORMALISE(message))

    def reminder(self, earlier: list[str]):
        return self.checker.reminder([NORMALISE(m) for m in earlier])


@pytest.fixture(scope="module")
def checker(tmp_path_factory) -> Checker:
    return Checker(RedFlagChecker(load_settings(tmp_path_factory.mktemp("s") / "none.toml", env={})))


def level(checker, message):
    result = checker.assess_patterns(message)
    return (result.escalation.level, result.escalation.category) if result.escalation else None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # cauda equina / conus: emergency, whatever the spelling
        ("I can't feel anything when I wipe", ("emergency", "cauda_equina")),
        ("cnt pee properly since this morning", ("emergency", "cauda_equina")),
        ("havent peed since yday and my belly feels tight", ("emergency", "cauda_equina")),
        ("ive become incontinant of my bowels", ("emergency", "cauda_equina")),
        ("my privates feel numb", ("emergency", "cauda_equina")),
        ("i've been dribbling urine since yesterday", ("emergency", "cauda_equina")),
        ("since my back got worse i cant get an erection", ("emergency", "cauda_equina")),
        ("sciatica in both legs now", ("emergency", "cauda_equina")),
        # weakness
        ("suddenly both my legs went weak", ("emergency", "weakness")),
        ("my right foot keeps slapping on the floor when I walk", ("urgent", "weakness")),
        ("my left leg is getting weaker every day", ("urgent", "weakness")),
        # infection, cancer: urgent, emergency with nerve symptoms
        ("back pain much worse and I've got a temp of 38.9", ("urgent", "infection")),
        ("fever 39 and now my legs feel numb and wobbly", ("emergency", "infection")),
        ("I had prostate cancer 5 years ago and now new back pain", ("urgent", "cancer")),
        ("lost a stone without trying and my back aches", ("urgent", "cancer")),
        ("had lung cancer and now my legs are going numb and weak", ("emergency", "cancer")),
        # fracture
        ("was in a car crash an hour ago and my back hurts", ("emergency", "fracture")),
        ("I have osteoporosis and sneezed and felt a crack in my back", ("urgent", "fracture")),
        # vascular and other mimics
        ("sudden ripping pain through my back and belly", ("emergency", "vascular")),
        ("had back pain then fainted in the shower", ("emergency", "vascular")),
        # overdose and suicidal thoughts
        ("I took too many tablets for my back", ("emergency", "overdose")),
        ("my toddler swallowed some of my tramadol", ("emergency", "overdose")),
        ("I want to end it", ("crisis", "suicide")),
        ("been saving up my tramadol", ("crisis", "suicide")),
        ("honestly wish i wouldnt wake up tomorrow", ("crisis", "suicide")),
        ("how many amitriptyline would it take to kill someone", ("crisis", "suicide")),
        # indirect suicidal thoughts, slang and other Englishes
        ("honestly dont see the point of carrying on if this is my life now", ("crisis", "suicide")),
        ("lowkey want to kms this pain is unbearable", ("crisis", "suicide")),
        ("nobody would really notice if I wasn't here", ("crisis", "suicide")),
        ("I've sorted my will. Won't be needing the physio appointments after this month", ("crisis", "suicide")),
        ("i just wan sleep and no wake up again", ("crisis", "suicide")),
        ("been stockpiling my oxy, not going to say why", ("crisis", "suicide")),
        ("numbnes in my privat area and cant pass urin proper", ("emergency", "cauda_equina")),
        ("my mother is having no control over motion, passing stool in bed without knowing", ("emergency", "cauda_equina")),
        ("had an accident at work, didn't even feel it coming", ("emergency", "cauda_equina")),
        ("got rear-ended at speed on the motorway an hour ago", ("emergency", "fracture")),
        ("I have to press on my tummy to get my wee out", ("emergency", "cauda_equina")),
        ("today he let slip he wet the bed", ("emergency", "cauda_equina")),
        ("My grandmother's legs are not carrying her since yesterday", ("emergency", "weakness")),
        ("The weakness in my left thigh is definitely worse than a month ago", ("urgent", "weakness")),
        ("I bought a rope last week", ("crisis", "suicide")),
        ("don't worry mum, I won't be your problem much longer", ("crisis", "suicide")),
        ("if this is what the rest of my life looks like I'd rather not have one", ("crisis", "suicide")),
        ("i keep looking up how high the car park roof at uni is", ("crisis", "suicide")),
    ],
)
def test_red_flags_escalate_at_their_level(checker, message, expected):
    assert level(checker, message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "no bladder or bowel problems, just stiffness",
        "I don't have any numbness between my legs, is stretching ok?",
        "no fever, just aching",
        "I'm not suicidal, just fed up with this pain",
        "my bike saddle is uncomfortable after a long ride",
        "my back is killing me after gardening",
        "does all the keystroke-heavy typing make this worse?",
        "I'm dying to know if yoga helps",
        "i get pain in my groin on the right side",
        "aching down the front of my thigh when I stand",
        "hurts more when i bend backwards, better leaning forward",
        "I had a fever last month, it's completely gone now. Can I swim?",
        "broke my wrist falling off a horse when I was 12",
        "can I take ibuprofen with food?",
        "I'm passing out leaflets all day for work",
        "my wee boy keeps wanting piggybacks",
        "ive basically overdosed on youtube stretching videos",
        "I used to inject heroin but I've been clean 12 years. Will that stop them giving me painkillers?",
        "can carpal tunnel come back after the op",
        "I nearly wet myself laughing at my physio's jokes",
        "Never had any bladder trouble or numbness in the saddle area, the doctor checked all that.",
        "Last winter I had a fever and chills with flu. That's long gone now.",
    ],
)
def test_traps_do_not_escalate(checker, message):
    assert level(checker, message) is None


def test_misspellings_of_key_words_are_repaired(checker):
    assert checker.normalise("numbnes in my privat area") == "numbness in my private area"
    assert checker.normalise("tempreture of 39") == "temperature of 39"
    assert checker.normalise("I work at Tesco in Leeds with Siobhan") == "i work at tesco in leeds with siobhan"


def test_negation_is_scoped_to_its_clause(checker):
    assert level(checker, "no numbness but I can't pee since this morning") == ("emergency", "cauda_equina")
    assert level(checker, "I don't have any leg pain at all but I lost control of my bladder") == (
        "emergency",
        "cauda_equina",
    )
    assert level(checker, "if the surgery doesnt work im going to kill myself") == ("crisis", "suicide")


@pytest.mark.parametrize(
    "message",
    [
        "what is cauda equina syndrome?",
        "What happens if I get bladder problems with this?",
        "can this cause incontinence?",
        "if i ever got numb between my legs would that be serious?",
        "what are the red flags i should watch out for",
    ],
)
def test_questions_about_a_red_flag_get_one_warning_not_an_escalation(checker, message):
    result = checker.assess_patterns(message)
    assert result.escalation is None
    assert result.warning is not None and result.warning.message


def test_a_question_followed_by_a_report_escalates(checker):
    message = "Is it normal to lose feeling in your back passage with this condition? Mine went numb yesterday."
    assert level(checker, message) == ("emergency", "cauda_equina")


def test_third_parties_get_advice_addressed_to_the_helper(checker):
    own = checker.assess_patterns("I can't feel anything when I wipe")
    mum = checker.assess_patterns("my mum can't feel when she wipes")
    assert (mum.escalation.level, mum.escalation.category) == ("emergency", "cauda_equina")
    assert mum.third_party and not own.third_party
    assert "them" in mum.escalation.message and mum.escalation.message != own.escalation.message


def test_emergency_messages_name_the_numbers_and_say_do_not_drive(checker):
    message = checker.assess_patterns("cnt pee since this morning").escalation.message
    for number in ("911", "999", "112"):
        assert number in message
    assert "Do not drive yourself" in message
    crisis = checker.assess_patterns("I want to end it").escalation.message
    assert "988" in crisis and "116 123" in crisis


def test_phone_numbers_come_from_settings(tmp_path):
    gb = Checker(RedFlagChecker(load_settings(tmp_path / "none.toml", env={"CHATBOT_COUNTRY": "GB"})))
    message = gb.assess_patterns("cnt pee since this morning").escalation.message
    assert "999" in message and "911" not in message


def test_several_levels_combine_most_urgent_first(checker):
    result = checker.assess_patterns("took the whole box of co-codamol on purpose, I just want it all to end")
    assert result.escalation.level == "emergency"
    assert "Taking more than the safe amount" in result.escalation.message
    assert "you don't have to face this alone" in result.escalation.message.lower()


def test_an_earlier_escalation_is_reminded_later(checker):
    assert "emergency" in checker.reminder(["I can't feel anything when I wipe"])
    assert checker.reminder(["what causes it?"]) is None


def test_rules_file_is_complete(checker):
    for rule in checker.rules:
        assert rule.level in checker.categories[rule.category].messages, rule.id
    for category in checker.categories.values():
        for text in (category.warning, *category.messages.values(), *category.third_party.values()):
            assert not re.search(r"\{[a-z_]+\}", text), f"unfilled placeholder in {category.name}"
        assert category.warning


def test_red_flag_model_matches_the_rules(checker):
    model = checker.model
    assert model is not None, "retrieval/data/red_flag_model.json is missing (python -m evals train-red-flags)"
    assert "benign" in model.classes and set(model.classes) - {"benign"} <= set(checker.categories)
    assert model.coef.shape == (len(model.classes), 384) and 0.5 <= model.cut_off < 1.0


def test_the_final_sets_are_never_used_for_training():
    import json

    from retrieval.settings import DATA_DIR

    trained_on = json.loads((DATA_DIR / "red_flag_model.json").read_text(encoding="utf-8"))["trained_on"]
    assert trained_on and not any("final" in name for name in trained_on)
