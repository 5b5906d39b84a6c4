from retrieval.text import clean_input, fold, split_sentences, word_count


def test_fold_ignores_case_space_dashes_and_quotes():
    assert fold("Paget’s  Disease\n at L1–L2") == fold("paget's disease at l1-l2")


def test_clean_input_removes_control_characters():
    assert clean_input("  what\x00 is\x1b[31m  this?\n ") == "what is [31m this?"


def test_split_sentences_keeps_abbreviations_and_lines():
    text = "Low-risk exercises (e.g., bird-dog) help. Second one.\nPurpose: Third."
    assert split_sentences(text) == ["Low-risk exercises (e.g., bird-dog) help.", "Second one.", "Purpose: Third."]


def test_word_count():
    assert word_count("500–1,000 mg every 6 hours") == 5
