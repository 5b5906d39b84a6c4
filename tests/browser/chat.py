"""Small page helpers shared by the browser tests."""

from __future__ import annotations

from typing import Any

BOT = '#chat [data-testid="bot"]'
USER = '#chat [data-testid="user"]'
TIMEOUT_MS = 60_000


def open_chat(page: Any, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Your question").wait_for(timeout=TIMEOUT_MS)


def ask(page: Any, question: str, submit: str = "Enter") -> Any:
    """Type a question, send it, wait for its answer; returns the answer's locator."""
    before = page.locator(BOT).count()
    box = page.get_by_label("Your question")
    box.fill(question)
    if submit == "Enter":
        box.press("Enter")
    else:
        page.get_by_role("button", name=submit, exact=True).click()
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length > n", arg=[BOT, before], timeout=TIMEOUT_MS
    )
    answer = page.locator(BOT).nth(before)
    answer.locator("em, .notice, .answer-disclaimer").first.wait_for(timeout=TIMEOUT_MS)
    return answer
