from retrieval.compose import render_sentence


def test_marker_goes_before_the_closing_full_stop():
    assert render_sentence("Walking helps.", "", 1) == "Walking helps [1]."


def test_item_title_introduces_a_bare_sentence():
    assert render_sentence("500 mg every 6 hours.", "Acetaminophen (Analgesic)", 2) == (
        "Acetaminophen (Analgesic): 500 mg every 6 hours [2]."
    )


def test_sub_field_sentences_read_naturally():
    assert render_sentence("Purpose: Reduce stiffness.", "Manual Therapy", 1) == "Manual Therapy (purpose): Reduce stiffness [1]."


def test_faq_question_introduces_its_answer():
    assert render_sentence("Yes, most can.", "Can I work?", 3) == "Can I work? Yes, most can [3]."


def test_title_already_in_sentence_is_not_repeated_and_odd_endings_get_a_stop():
    assert render_sentence("Yoga improves flexibility", "Yoga", 1) == "Yoga improves flexibility [1]."
    assert render_sentence("Doses vary;", "", 4) == "Doses vary [4]."


