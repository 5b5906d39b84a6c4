"""The chat at 375 px wide (a small phone)."""

from __future__ import annotations

import pytest

from .chat import ask, open_chat

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_phone_sized_chat_fits_and_works(phone, live):
    open_chat(phone, live.url + "/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways: {width}px"
    disclaimer = phone.locator("#disclaimer")
    assert disclaimer.is_visible() and disclaimer.bounding_box()["width"] <= 375
    answer = ask(phone, "What are the symptoms?", submit="Ask")
    answer.locator("details.sources summary").tap()
    answer.locator("details.sources blockquote").first.wait_for(state="visible")
    box = answer.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    ask_button = phone.get_by_role("button", name="Ask", exact=True).bounding_box()
    assert ask_button["x"] + ask_button["width"] <= 375 and ask_button["height"] >= 24
