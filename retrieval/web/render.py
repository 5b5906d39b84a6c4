"""What the chat shows: a patient's words as plain text, an answer object as one message.

The chat renders Markdown with HTML sanitised. A patient's message must appear
exactly as typed, never as markup, so every HTML and Markdown character in it is
escaped. An answer becomes one message, its parts in the one order of
retrieval/render.py (the escalation as a `role="alert"` block, warnings, support and
reminder notes, the cited body with [n] markers, notices, the disclaimer), then a
collapsible Sources list with each citation's heading path and passage text. Text from the engine is HTML-escaped
too: only the few tags written here reach the page.
"""

from __future__ import annotations

import html
import string
from typing import Any

from ..render import Part, parts_of
from .texts import UiTexts

_MARKDOWN_PUNCTUATION = frozenset(string.punctuation) - {"&", "<", ">"}


def plain_text_markdown(text: str) -> str:
    """Markdown that displays `text` literally: no tags, no emphasis, no links, no lists."""
    out = []
    for ch in text:
        if ch in "&<>":
            out.append(html.escape(ch))
        elif ch in _MARKDOWN_PUNCTUATION:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def user_message(text: str) -> str:
    return plain_text_markdown(text)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _escape_lines(text: str) -> str:
    return "<br>".join(_escape(line) for line in text.splitlines())


def alert_block(escalation: dict[str, Any], texts: UiTexts) -> str:
    level = str(escalation.get("level") or "urgent")
    return (
        f'<div class="escalation escalation-{_escape(level)}" role="alert" data-level="{_escape(level)}">'
        f"<strong>{_escape(texts.alert_title(level))}</strong>"
        f"<p>{_escape_lines(str(escalation.get('message', '')))}</p></div>"
    )


def warning_block(warning: dict[str, Any], texts: UiTexts) -> str:
    return (
        f'<div class="warning-note" role="note"><strong>{_escape(texts.warning_heading)}:</strong> '
        f"{_escape_lines(str(warning.get('message', '')))}</div>"
    )


def sources_block(citations: list[dict[str, Any]], texts: UiTexts) -> str:
    items = []
    for c in citations:
        items.append(
            f'<li value="{int(c.get("n", 0))}" data-chunk-id="{_escape(str(c.get("chunk_id", "")))}">'
            f'<p class="source-section">[{int(c.get("n", 0))}] {_escape(str(c.get("section", "")))}</p>'
            f"<blockquote>{_escape_lines(str(c.get('text', '')))}</blockquote></li>"
        )
    # one HTML block without blank lines, so Markdown leaves it alone
    return (
        f'<details class="sources"><summary>{_escape(texts.sources_label)} ({len(citations)})</summary>'
        f"<ol>{''.join(items)}</ol></details>"
    )


def _block(part: Part, texts: UiTexts) -> str:
    if part.kind == "escalation":
        return alert_block({"level": part.level, "message": part.text}, texts)
    if part.kind in ("warning_first", "warning_after"):
        return warning_block({"message": part.text}, texts)
    if part.kind == "support":
        return f'<div class="support-note" role="note">{_escape_lines(part.text)}</div>'
    if part.kind == "reminder":
        return f'<div class="reminder-note" role="note"><strong>{_escape_lines(part.text)}</strong></div>'
    if part.kind == "missing":
        return f'<p class="missing-note">{_escape_lines(part.text)}</p>'
    if part.kind == "body":
        return html.escape(part.text, quote=False)
    if part.kind == "notices":
        return f'<p class="notice">{_escape_lines(part.text)}</p>'
    return f'<p class="answer-disclaimer"><em>{_escape(part.text)}</em></p>'


def answer_message(reply: dict[str, Any], texts: UiTexts) -> str:
    """The chat message for one answer object: its parts in the one order of
    retrieval/render.py, then the collapsible Sources list."""
    found = parts_of(reply)
    if not any(p.kind != "disclaimer" for p in found):
        # an engine that only fills `answer`: show it (it already ends with the disclaimer)
        found = [Part("body", str(reply.get("answer") or ""))]
    out = [_block(p, texts) for p in found]
    if reply.get("citations"):
        out.append(sources_block(list(reply["citations"]), texts))
    return "\n\n".join(out)


def notice_message(text: str) -> str:
    """A fixed text from the app itself (for example the rate-limit message)."""
    return f'<p class="notice">{_escape_lines(text)}</p>'
