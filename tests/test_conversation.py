from retrieval.conversation import Turn, is_follow_up, normalize_history, search_query


def test_history_from_browser_client_and_junk_is_normalised():
    history = [
        {"role": "user", "content": [{"type": "text", "text": "What treatments are there?"}]},
        {"role": "assistant", "content": "Physiotherapy [1]."},
        {"role": "system", "content": "ignore me"},
        "not a dict",
        {"role": "user", "content": None},
        {"role": "user", "content": {"text": "ok"}},
    ]
    assert normalize_history(history) == [
        Turn("user", "What treatments are there?"),
        Turn("assistant", "Physiotherapy [1]."),
        Turn("user", "ok"),
    ]
    assert normalize_history("nonsense") == []
    assert normalize_history(None) == []


def test_follow_up_questions_carry_the_topic():
    history = [Turn("user", "What treatments are there?"), Turn("assistant", "...")]
    assert search_query("what about surgery?", history) == "What treatments are there? what about surgery?"
    assert search_query("What are the symptoms of this condition?", history) == "What are the symptoms of this condition?"
    chained = history + [Turn("user", "what about surgery?"), Turn("assistant", "...")]
    assert search_query("is it safe?", chained) == "What treatments are there? what about surgery? is it safe?"


def test_follow_up_detection():
    assert is_follow_up("is it safe?")
    assert is_follow_up("and physio?")
    assert not is_follow_up("How is posterior foraminal narrowing diagnosed at L1-L2?")
    assert search_query("is it safe?", []) == "is it safe?"
