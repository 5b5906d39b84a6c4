"""/embed, and embed/example.html served from a second origin: allowed works, others are refused."""

from __future__ import annotations

import pytest

from .chat import ask, open_chat

pytestmark = [pytest.mark.browser, pytest.mark.integration]
XSS = '<img src=x onerror="alert(1)"><b>bold</b> what are the symptoms?'


def test_embed_is_compact_with_clinic_name_and_colours(page, live):
    open_chat(page, live.url + "/embed")
    assert page.locator("h1").count() == 0
    assert page.locator("footer").count() == 0 or not page.locator("footer").first.is_visible()
    assert page.locator("#clinic-title").inner_text().strip() == "Spine health information"
    assert page.locator("#disclaimer").is_visible()
    ask_bg = page.get_by_role("button", name="Ask", exact=True).evaluate("el => getComputedStyle(el).backgroundColor")
    assert ask_bg == "rgb(11, 83, 148)"  # settings.primary_color #0b5394
    answer = ask(page, "What are the symptoms?")
    assert answer.locator("details.sources").count() == 1


def test_allowed_origin_can_use_iframe_web_component_and_bubble(page, live, clinic_pages):
    page.goto(clinic_pages.allowed + "/", wait_until="domcontentloaded")

    frame = page.frame_locator("#iframe iframe")
    frame.get_by_label("Your question").fill("What are the symptoms?")
    frame.get_by_label("Your question").press("Enter")
    frame.locator("details.sources").first.wait_for(timeout=60_000)

    component = page.locator("gradio-app")
    component.get_by_label("Your question").fill("Can I take ibuprofen?")
    component.get_by_role("button", name="Ask", exact=True).click()
    component.locator("details.sources").first.wait_for(timeout=60_000)
    assert "Ibuprofen" in component.locator("details.sources").first.text_content()

    page.locator(".scb-toggle").click()
    page.locator("#scb-input").fill("Can I take ibuprofen?")
    page.locator("#scb-input").press("Enter")
    reply = page.locator(".scb-a").first
    reply.wait_for(timeout=60_000)
    assert reply.locator("details.scb-sources li").count() >= 1
    assert "This assistant gives general information" in page.locator("#scb-disclaimer").inner_text()
    # markup a person types is shown as text, never run (whatever the answer to it is)
    page.locator("#scb-input").fill(XSS)
    page.locator("#scb-input").press("Enter")
    page.locator(".scb-a").nth(1).wait_for(timeout=60_000)
    asked = page.locator(".scb-q").nth(1)
    assert asked.inner_text() == XSS and asked.locator("*").count() == 0
    assert page.dialogs == []


def test_other_origin_is_refused_by_the_browser(page, live, clinic_pages):
    with page.expect_console_message(lambda m: "gradio.js" in m.text and "CORS" in m.text, timeout=30_000):
        page.goto(clinic_pages.refused + "/", wait_until="domcontentloaded")
    # the iframe is blocked by frame-ancestors: its frame shows Chromium's error page
    page.wait_for_function("() => document.querySelector('#iframe iframe') !== null")
    deadline_frames = [f for f in page.frames if f.url.startswith("chrome-error://")]
    for _ in range(100):
        if deadline_frames:
            break
        page.wait_for_timeout(100)
        deadline_frames = [f for f in page.frames if f.url.startswith("chrome-error://")]
    assert deadline_frames, [f.url for f in page.frames]
    assert page.frame_locator("#iframe iframe").get_by_label("Your question").count() == 0
    # the web component never loaded, so there is no chat in it
    assert page.locator("gradio-app textarea").count() == 0
    # the bubble's /api/ask call is refused by CORS, and it says so
    page.locator(".scb-toggle").click()
    page.locator("#scb-input").fill("What are the symptoms?")
    page.locator("#scb-input").press("Enter")
    page.locator(".scb-a", has_text="could not be reached").wait_for(timeout=30_000)
