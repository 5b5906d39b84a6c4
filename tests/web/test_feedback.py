"""Feedback is stored only when the clinic turns it on; question text only with log_questions."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from retrieval.web.chat_ui import ChatHandlers, Conversation
from retrieval.web.feedback import FeedbackRecord, FeedbackStore
from retrieval.web.limits import RateLimiter
from retrieval.web.service import InProcess
from retrieval.web.texts import UiTexts

from .fakes import FakeEngine


def test_logging_off_means_no_store_and_no_file(tmp_path):
    engine = FakeEngine(log_feedback=False, log_questions=True, feedback_db=tmp_path / "fb.sqlite3")
    assert FeedbackStore.from_settings(engine.settings) is None
    assert not (tmp_path / "fb.sqlite3").exists()


def test_verdicts_store_answer_id_and_cited_passages_but_not_the_question(tmp_path):
    engine = FakeEngine(log_feedback=True, log_questions=False, feedback_db=tmp_path / "var" / "fb.sqlite3")
    store = FeedbackStore.from_settings(engine.settings)
    assert store is not None
    store.record(FeedbackRecord("ans-1", ("c-ibu", "c-surg"), "like", question="my private question"))
    store.record(FeedbackRecord("ans-2", (), "dislike", question="another"))
    rows = store.rows()
    assert [(r["answer_id"], r["chunk_ids"], r["verdict"], r["question"]) for r in rows] == [
        ("ans-1", ["c-ibu", "c-surg"], "like", None),
        ("ans-2", [], "dislike", None),
    ]
    assert b"my private question" not in (tmp_path / "var" / "fb.sqlite3").read_bytes()


def test_question_text_is_stored_only_when_log_questions_is_on(tmp_path):
    engine = FakeEngine(log_feedback=True, log_questions=True, feedback_db=tmp_path / "fb.sqlite3")
    store = FeedbackStore.from_settings(engine.settings)
    store.record(FeedbackRecord("ans-1", ("c-ibu",), "dislike", question="Can I take ibuprofen?"))
    assert store.rows()[0]["question"] == "Can I take ibuprofen?"


def like_event(index: int, liked: object) -> SimpleNamespace:
    return SimpleNamespace(index=index, liked=liked, value=None)


def test_like_in_the_chat_records_the_answer_shown_at_that_index(tmp_path):
    engine = FakeEngine(log_feedback=True, feedback_db=tmp_path / "fb.sqlite3", rate_limit_per_minute=100)
    store = FeedbackStore.from_settings(engine.settings)
    handlers = ChatHandlers(InProcess(engine), UiTexts.load(engine.settings), RateLimiter(100), store)
    updates = asyncio.run(_collect(handlers.ask("Can I take ibuprofen?", None)))
    conversation = updates[-1][2]
    session = SimpleNamespace(client=SimpleNamespace(host="10.0.0.1"), session_hash="s1")
    handlers.like(conversation, like_event(1, True), session)
    handlers.like(conversation, like_event(1, "Dislike"), session)  # one verdict per answer and session
    handlers.like(conversation, like_event(0, True), session)  # the patient's own message: nothing to store
    rows = store.rows()
    assert [(r["verdict"], r["chunk_ids"]) for r in rows] == [("like", ["c-ibu", "c-surg"])]
    assert rows[0]["answer_id"] == conversation.answers[1].answer_id
    assert rows[0]["question"] is None and rows[0]["session"] and rows[0]["session"] != "s1"
    assert (store.path.stat().st_mode & 0o777) == 0o600


async def _collect(updates):
    return [u async for u in updates]


def test_like_without_a_store_does_nothing():
    engine = FakeEngine()
    handlers = ChatHandlers(InProcess(engine), UiTexts.load(engine.settings), RateLimiter(100), None)
    handlers.like(Conversation(), like_event(1, True))  # no error, nothing to write to
