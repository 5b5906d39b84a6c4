"""The chat's event functions: one engine.answer() per question, with the conversation."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from retrieval.web.chat_ui import ChatHandlers, Conversation
from retrieval.web.limits import RateLimiter
from retrieval.web.service import InProcess
from retrieval.web.texts import UiTexts

from .fakes import FakeEngine


def handlers_for(engine: FakeEngine, per_minute: int = 100) -> ChatHandlers:
    return ChatHandlers(InProcess(engine), UiTexts.load(engine.settings), RateLimiter(per_minute), None)


def request_from(host: str, session: str = "s") -> SimpleNamespace:
    return SimpleNamespace(client=SimpleNamespace(host=host), session_hash=session)


def steps_of(updates) -> list:
    """Every update an async event handler yields."""

    async def collect() -> list:
        return [u async for u in updates]

    return asyncio.run(collect())


def run(coroutine):
    return asyncio.run(coroutine)


def test_question_is_shown_first_then_the_answer():
    engine = FakeEngine()
    steps = steps_of(handlers_for(engine).ask("<b>Can I take ibuprofen?</b>", None))
    assert len(steps) == 2
    first_messages, cleared, _ = steps[0]
    assert first_messages == [{"role": "user", "content": "&lt;b&gt;Can I take ibuprofen\\?&lt;\\/b&gt;"}]
    assert cleared == ""
    final_messages, _, conversation = steps[1]
    assert [m["role"] for m in final_messages] == ["user", "assistant"]
    assert "Ibuprofen: 200–400 mg" in final_messages[1]["content"]
    assert engine.calls == [{"question": "<b>Can I take ibuprofen?</b>", "history": [], "k": None}]
    assert conversation.answers[1].chunk_ids == ("c-ibu", "c-surg")


def test_follow_up_gets_the_earlier_turns_as_plain_text():
    engine = FakeEngine()
    handlers = handlers_for(engine)
    *_, (_, _, conversation) = steps_of(handlers.ask("Can I take ibuprofen?", None))
    *_, (messages, _, conversation) = steps_of(handlers.ask("is it safe?", conversation))
    history = engine.calls[-1]["history"]
    assert [t["role"] for t in history] == ["user", "assistant"]
    assert history[0]["content"] == "Can I take ibuprofen?"
    assert history[1]["content"].startswith("Ibuprofen: 200–400 mg")  # the cited body, not HTML
    assert len(messages) == 4


def test_blank_question_changes_nothing():
    engine = FakeEngine()
    steps = steps_of(handlers_for(engine).ask("   ", Conversation()))
    assert len(steps) == 1 and engine.calls == []


def test_too_many_questions_get_a_message_not_an_answer():
    engine = FakeEngine()
    handlers = handlers_for(engine, per_minute=2)
    conversation = None
    for _ in range(3):
        *_, (messages, _, conversation) = steps_of(handlers.ask("hi", conversation, request_from("10.0.0.1")))
    assert len(engine.calls) == 2
    assert "wait a minute" in messages[-1]["content"]
    *_, (messages, _, _) = steps_of(handlers.ask("hi", None, request_from("10.0.0.2", "t")))  # another patient is not affected
    assert len(engine.calls) == 3


def test_escalation_is_the_first_thing_in_the_answer_message():
    engine = FakeEngine()
    *_, (messages, _, _) = steps_of(handlers_for(engine).ask("my mum can't feel anything when she wipes and she's wet herself", None))
    assert messages[-1]["content"].startswith('<div class="escalation escalation-emergency" role="alert"')


def test_api_chat_returns_the_answer_object_and_keeps_the_session_conversation():
    engine = FakeEngine()
    handlers = handlers_for(engine)
    reply, turns = run(handlers.api_chat("Can I take ibuprofen?", None))
    assert reply == engine.answer("Can I take ibuprofen?").to_dict() | {"id": reply["id"]}
    _, turns = run(handlers.api_chat("is it safe?", turns))
    assert engine.calls[-1]["history"][0] == {"role": "user", "content": "Can I take ibuprofen?"}
    assert len(turns) == 4


def test_api_chat_over_the_limit_gets_a_polite_reply_not_an_error():
    handlers = handlers_for(FakeEngine(), per_minute=1)
    run(handlers.api_chat("hi", None, request_from("10.0.0.9")))
    reply, turns = run(handlers.api_chat("hi", None, request_from("10.0.0.9")))
    assert reply["error"] == "too_many_requests" and "wait a minute" in reply["detail"] and turns == []


def test_a_session_is_limited_whatever_address_it_comes_from():
    handlers = handlers_for(FakeEngine(), per_minute=1)
    run(handlers.api_chat("hi", None, request_from("10.0.0.1", session="same")))
    reply, _ = run(handlers.api_chat("hi", None, request_from("10.0.0.2", session="same")))
    assert reply["error"] == "too_many_requests"


def test_example_click_asks_that_example():
    engine = FakeEngine()
    event = SimpleNamespace(value={"text": "What are the symptoms?"})
    steps_of(handlers_for(engine).ask_example(None, event))
    assert engine.calls[0]["question"] == "What are the symptoms?"


def test_clear_starts_a_new_conversation():
    messages, conversation = ChatHandlers.clear()
    assert messages == [] and conversation.turns == [] and conversation.answers == {}
