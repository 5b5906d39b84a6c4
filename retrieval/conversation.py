"""Conversation history: one shape for every caller, and follow-up questions.

Callers send history as role/content dicts. From the browser Gradio sends content
as a list of blocks ([{"type": "text", "text": ...}]); gradio_client and HTTP
send plain strings. `normalize_history` turns all of them into Turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .text import clean_input

MAX_TURNS = 20
MAX_TURN_CHARS = 4000

_FOLLOW_UP_START = re.compile(
    r"^(and|also|but|so|what about|how about|what if|and if|is it|is that|is this|are they|are those|"
    r"does it|does that|do they|can it|can they|will it|would it|should i|how long|how often|how much|"
    r"any other|anything else|which one|why)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(it|its|that|this|they|them|those|these|one|ones)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    role: str  # user | assistant
    content: str


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(_text_of(part) for part in content)
    return ""


def normalize_history(history: Any) -> list[Turn]:
    """Keep the last MAX_TURNS well-formed turns; anything malformed is skipped, never fatal."""
    if not isinstance(history, (list, tuple)):
        return []
    turns = []
    for item in history[-MAX_TURNS:]:
        if not isinstance(item, dict):
            continue
        role = str(item.get("role", "")).lower()
        if role not in ("user", "assistant"):
            continue
        text = clean_input(_text_of(item.get("content")))[:MAX_TURN_CHARS]
        if text:
            turns.append(Turn(role, text))
    return turns


def is_follow_up(question: str) -> bool:
    words = re.findall(r"[\w'’-]+", question)
    if len(words) <= 2:
        return True
    if _FOLLOW_UP_START.match(question.strip()):
        return len(words) <= 10
    return len(words) <= 6 and bool(_PRONOUN.search(question))


def search_query(question: str, history: list[Turn]) -> str:
    """The text to search for: the question, or for a follow-up, the topic so far plus the question."""
    topic = ""
    for turn in history:
        if turn.role == "user":
            topic = f"{topic} {turn.content}".strip() if topic and is_follow_up(turn.content) else turn.content
    if topic and is_follow_up(question):
        return f"{topic[-400:]} {question}"
    return question
