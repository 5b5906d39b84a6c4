"""The patient chat at / in Debian chromium, against the real engine and index."""

from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

from .audit import contrast_failures, focus_is_visible, focused
from .chat import BOT, USER, ask, open_chat

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def api_answer(live, question: str, history: list | None = None) -> dict:
    response = httpx.post(f"{live.url}/api/ask", json={"question": question, "history": history or []}, timeout=60)
    response.raise_for_status()
    return response.json()


def test_question_gets_a_cited_answer_with_the_disclaimer_and_sources(page, live):
    expected = api_answer(live, "What are the symptoms?")
    open_chat(page, live.url + "/")
    disclaimer = page.locator("#disclaimer")
    assert disclaimer.is_visible()
    assert expected["disclaimer"] in disclaimer.inner_text()

    answer = ask(page, "What are the symptoms?")
    text = answer.inner_text()
    assert "[1]" in text
    assert expected["disclaimer"] in text
    assert disclaimer.is_visible()  # still visible above the conversation, not only inside answers

    sources = answer.locator("details.sources")
    passage = sources.locator("blockquote").first
    assert not passage.is_visible()  # collapsed until opened
    sources.locator("summary").click()
    passage.wait_for(state="visible")
    first = expected["citations"][0]
    assert first["section"] in sources.inner_text()
    assert first["text"].splitlines()[0] in passage.inner_text()
    assert sources.locator("li").count() == len(expected["citations"])


def test_follow_up_question_uses_the_conversation(page, live):
    open_chat(page, live.url + "/")
    ask(page, "Can I take ibuprofen?")
    follow_up = ask(page, "is it safe?", submit="Ask")
    follow_up.locator("details.sources summary").click()
    assert "Ibuprofen" in follow_up.locator("details.sources").inner_text()
    # the same words with no conversation are not about ibuprofen
    alone = api_answer(live, "is it safe?")
    assert not any("Ibuprofen" in c["section"] for c in alone["citations"])
    # and "Clear" starts a new conversation
    page.get_by_role("button", name="Clear", exact=True).click()
    page.locator(BOT).first.wait_for(state="detached")
    fresh = ask(page, "is it safe?")
    assert "Ibuprofen" not in (fresh.locator("details.sources").text_content() if fresh.locator("details.sources").count() else "")


def test_markup_and_script_in_a_question_are_shown_as_text_and_never_run(page, live):
    payload = (
        '<img src=x onerror="alert(1)"><script>alert(2)</script><b>bold</b> '
        "**stars** [link](javascript:alert(3)) <a href=x>a</a> what are the symptoms?"
    )
    open_chat(page, live.url + "/")
    ask(page, payload)
    shown = page.locator(USER).last
    assert shown.inner_text().strip() == payload
    assert shown.locator("img, script, b, strong, a, em, iframe").count() == 0
    assert page.locator("#chat img, #chat script").count() == 0
    assert page.dialogs == []


def test_like_stores_answer_id_and_cited_passages_but_not_the_question(page, live):
    question = "What's the most paracetamol I can take in a day?"
    expected = api_answer(live, question)
    open_chat(page, live.url + "/")
    ask(page, question)
    page.get_by_role("button", name="Like", exact=True).last.click()
    page.get_by_text("Thank you for your feedback.").first.wait_for(timeout=20_000)
    deadline = time.monotonic() + 20
    rows: list = []
    while time.monotonic() < deadline and not rows:
        with sqlite3.connect(live.feedback_db) as db:
            rows = db.execute("SELECT answer_id, chunk_ids, verdict, question FROM feedback").fetchall()
        time.sleep(0.2)
    assert len(rows) == 1
    answer_id, chunk_ids, verdict, stored_question = rows[0]
    assert verdict == "like" and answer_id
    assert chunk_ids == str([c["chunk_id"] for c in expected["citations"]]).replace("'", '"')
    assert stored_question is None  # log_questions is off


def test_keyboard_alone_reaches_the_question_box_and_opens_sources_with_visible_focus(page, live):
    open_chat(page, live.url + "/")
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(focused(page, "el.tagName + ':' + (el.innerText || el.getAttribute('aria-label') || '')"))
        assert focus_is_visible(page), f"no visible focus on {stops[-1]}"
        if focused(page, "el.getAttribute('data-testid')") == "textbox":
            break
    else:
        pytest.fail(f"Tab never reached the question box: {stops}")
    assert any("What are the symptoms?" in s for s in stops)  # the examples are on the way

    page.keyboard.type("Can I take ibuprofen?")
    page.keyboard.press("Enter")
    page.locator(f"{BOT} details.sources").first.wait_for(timeout=60_000)
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        if focused(page, "el.tagName") == "SUMMARY":
            break
    else:
        pytest.fail("Shift+Tab never reached the Sources toggle")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.locator(f"{BOT} details.sources blockquote").first.wait_for(state="visible")


def test_example_question_can_be_asked_with_the_keyboard(page, live):
    open_chat(page, live.url + "/")
    example = page.get_by_role("button", name="What treatments are there?")
    example.focus()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.locator(f"{BOT} details.sources").first.wait_for(timeout=60_000)
    assert page.locator(USER).first.inner_text().strip() == "What treatments are there?"


def test_labels_live_region_and_contrast(page, live):
    open_chat(page, live.url + "/")
    assert page.get_by_role("textbox", name="Your question").count() == 1
    assert page.get_by_role("button", name="Ask", exact=True).count() == 1
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"  # new answers are announced politely
    ask(page, "When should I see a doctor?")
    checked, failures = contrast_failures(page)
    assert checked > 10
    assert failures == []
