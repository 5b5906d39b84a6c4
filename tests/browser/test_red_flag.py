"""A red-flag message: the alert (role="alert", strong colour) comes before any answer text."""

from __future__ import annotations

import httpx
import pytest

from .audit import contrast_failures
from .chat import ask, open_chat

pytestmark = pytest.mark.browser
RED_FLAG = "my mum can't feel anything when she wipes and she's wet herself today"


def assert_alert_first(answer, message: str) -> None:
    alert = answer.locator('[role="alert"]')
    assert alert.count() == 1
    assert alert.is_visible()
    assert message in alert.inner_text()
    # the alert is the first thing in the answer, above every line of answer text
    first = answer.locator(".message-content .md > *").first
    assert first.evaluate("el => el.getAttribute('role')") == "alert"
    top = alert.bounding_box()["y"]
    for other in answer.locator(".message-content .md > :not([role=alert])").all():
        assert other.bounding_box()["y"] > top
    colours = alert.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]")
    assert colours[0] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")  # a strong, distinct colour
    checked, failures = contrast_failures(answer)
    assert checked and failures == []


def test_escalation_is_rendered_as_an_alert_above_the_answer(page, fake_live):
    """Rendering, with a fake engine that escalates (isolates the page from the rules)."""
    open_chat(page, fake_live + "/")
    answer = ask(page, RED_FLAG)
    assert_alert_first(answer, "Call 999 now")
    assert "Emergency: get help now" in answer.locator('[role="alert"]').inner_text()


@pytest.mark.integration
def test_red_flag_message_escalates_in_the_real_chat(page, live):
    reply = httpx.post(f"{live.url}/api/ask", json={"question": RED_FLAG}, timeout=60).json()
    assert reply["escalation"] is not None and reply["escalation"]["level"] == "emergency"
    open_chat(page, live.url + "/")
    answer = ask(page, RED_FLAG)
    assert_alert_first(answer, reply["escalation"]["message"])
