"""One order for an answer's parts, in every renderer (retrieval/render.py PART_ORDER)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from retrieval import render
from retrieval.web.render import answer_message
from retrieval.web.texts import UiTexts

BUBBLE = Path(render.__file__).parent / "web" / "static" / "chat-bubble.js"

EVERY_PART = {
    "escalation": {"level": "urgent", "category": "weakness", "message": "ESCALATION see a doctor today."},
    "warning": {"category": "cauda_equina", "message": "WARNING if you get numbness, call 999.", "placement": "after"},
    "support": "SUPPORT you can call 116 123.",
    "reminder": "REMINDER earlier you described symptoms.",
    "missing": "MISSING the documents do not say how long.",
    "body": "BODY walking helps [1].",
    "notices": ["NOTICE doses are general."],
    "citations": [{"n": 1, "chunk_id": "c1", "section": "A › B", "text": "Walking helps."}],
    "disclaimer": "DISCLAIMER general information only.",
}
EXPECTED = ["ESCALATION", "SUPPORT", "REMINDER", "MISSING", "BODY", "WARNING", "NOTICE", "DISCLAIMER"]
FIRST = {**EVERY_PART, "warning": {**EVERY_PART["warning"], "placement": "first"}}
EXPECTED_FIRST = ["ESCALATION", "WARNING", "SUPPORT", "REMINDER", "MISSING", "BODY", "NOTICE", "DISCLAIMER"]


def in_order(text: str, markers: list[str]) -> bool:
    positions = [text.index(m) for m in markers]
    return positions == sorted(positions)


def test_markdown_text_and_chat_html_follow_one_order(settings):
    texts = UiTexts.load(settings)
    for answer, expected in ((EVERY_PART, EXPECTED), (FIRST, EXPECTED_FIRST)):
        markdown = render.markdown(render.parts_of(answer))
        assert in_order(markdown, expected)
        assert in_order(render.text(answer), [*expected[:-1], "[1] A › B", "DISCLAIMER"])
        assert in_order(answer_message(answer, texts), expected)


def test_the_chat_bubble_uses_the_same_order():
    source = BUBBLE.read_text(encoding="utf-8")
    declared = re.search(r"var PART_ORDER = (\[[^\]]*\]);", source)
    assert declared, "chat-bubble.js must declare PART_ORDER"
    assert tuple(json.loads(declared.group(1))) == render.PART_ORDER
    handlers = re.search(r"var PARTS = \{(.*?)\n    \};", source, re.DOTALL).group(1)
    assert set(re.findall(r"^      (\w+): function", handlers, re.MULTILINE)) == set(render.PART_ORDER)
