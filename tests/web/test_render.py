"""What the chat shows: patient text as text; an answer as alert, body, notices, disclaimer, sources."""

from __future__ import annotations

import re

import pytest

from retrieval.web.render import answer_message, plain_text_markdown
from retrieval.web.texts import UiTexts

from .fakes import FakeEngine


@pytest.fixture(scope="module")
def texts() -> UiTexts:
    return UiTexts.load(FakeEngine().settings)


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<b>bold</b> **stars** _under_ `code`",
        "[click](javascript:alert(1)) ![x](http://x/y.png)",
        "# heading\n1. list\n> quote\n- item",
        "a & b < c > d",
    ],
)
def test_patient_text_has_no_live_markup(typed):
    shown = plain_text_markdown(typed)
    assert "<" not in shown and ">" not in shown  # no HTML tag can start
    # every Markdown character is backslash-escaped, so none can start emphasis, links or lists
    unescaped = re.sub(r"\\.", "", shown)
    assert not re.search(r"[*_`\[\]()#!|~-]", unescaped)
    # and undoing the escapes gives back exactly what was typed
    restored = re.sub(r"\\(.)", r"\1", shown).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert restored == typed


def test_answer_order_alert_reminder_body_warning_notices_disclaimer_sources(texts):
    reply = FakeEngine().answer("emergency warning").to_dict()
    reply["notices"] = ["Doses are general figures."]
    reply["reminder"] = "Earlier you described an emergency: please get help now."
    shown = answer_message(reply, texts)
    order = [
        shown.index('role="alert"'),
        shown.index("Earlier you described an emergency"),
        shown.index("Ibuprofen: 200–400 mg every 6–8 hours [1]."),
        shown.index('class="warning-note"'),
        shown.index("Doses are general figures."),
        shown.index(reply["disclaimer"]),
        shown.index('<details class="sources">'),
    ]
    assert order == sorted(order)
    assert shown.startswith('<div class="escalation escalation-emergency" role="alert"')
    assert texts.alert_heading["emergency"] in shown
    assert reply["escalation"]["message"] in shown


def test_sources_list_each_citation_heading_path_and_passage(texts):
    reply = FakeEngine().answer("Can I take ibuprofen?").to_dict()
    shown = answer_message(reply, texts)
    sources = shown[shown.index("<details"):]
    assert "\n\n" not in sources  # one HTML block: Markdown must not break it up
    assert "<summary>Sources (2)</summary>" in sources
    for c in reply["citations"]:
        assert f"[{c['n']}] {c['section']}" in sources
        assert c["text"].splitlines()[0] in sources
    assert "Small incision, less muscle damage, faster recovery.<br>For selected patients." in sources
    assert "<details open" not in sources  # collapsed until the patient opens it


def test_engine_text_cannot_inject_markup(texts):
    reply = FakeEngine().answer("Can I take ibuprofen?").to_dict()
    reply["body"] = "Take <img src=x onerror=alert(1)> care [1]."
    reply["citations"][0]["section"] = "<script>alert(1)</script>"
    reply["citations"][0]["text"] = '<a href="javascript:alert(1)">x</a>'
    shown = answer_message(reply, texts)
    assert "<img" not in shown and "<script" not in shown and "<a " not in shown


def test_abstained_answer_shows_the_notice_and_disclaimer_but_no_sources(texts):
    engine = FakeEngine()
    reply = engine.answer("nothing about bread").to_dict()
    shown = answer_message(reply, texts)
    assert engine.messages.not_covered in shown.replace("&#x27;", "'")
    assert reply["disclaimer"] in shown
    assert "<details" not in shown
    assert 'role="alert"' not in shown


def test_answer_without_parts_falls_back_to_the_answer_markdown(texts):
    reply = {"answer": "Plain answer [1].\n\n_disclaimer_", "citations": [], "disclaimer": "disclaimer"}
    assert answer_message(reply, texts) == "Plain answer [1].\n\n_disclaimer_"
