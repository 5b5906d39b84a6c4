"""What the chat shows: a patient's words as plain text, an answer object as one message.

The chat renders Markdown with HTML sanitised. A patient's message must appear
exactly as typed, never as markup, so every HTML and Markdown character in it is
escaped. An answer becomes one message, in the engine's order: the escalation
as a `role="alert"` block, the reminder of an earlier escalation, the cited body
(Markdown with [n] markers), the warning line, the notices, the disclaimer, and a
collapsible Sources list with each citation's heading path and passage text. Text from the engine is HTML-escaped
too: only the few tags written here reach the page.
"""

from __future__ import annotations

import html
import string
from typing import Any

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


def answer_message(reply: dict[str, Any], texts: UiTexts) -> str:
    """The chat message for one answer object (CONTRACT §1 plus body/notices/warning)."""
    parts: list[str] = []
    if reply.get("escalation"):
        parts.append(alert_block(reply["escalation"], texts))
    if reply.get("reminder"):
        parts.append(f'<div class="reminder-note" role="note"><strong>{_escape_lines(str(reply["reminder"]))}</strong></div>')
    body = str(reply.get("body") or "")
    notices = [str(n) for n in reply.get("notices") or []]
    if body:
        parts.append(html.escape(body, quote=False))
    if reply.get("warning"):
        parts.append(warning_block(reply["warning"], texts))
    parts.extend(f"<p class=\"notice\">{_escape_lines(n)}</p>" for n in notices)
    if not body and not notices and not reply.get("escalation"):
        # an engine that only fills `answer`: show it (it already ends with the disclaimer)
        parts.append(html.escape(str(reply.get("answer") or ""), quote=False))
    elif reply.get("disclaimer"):
        parts.append(f'<p class="answer-disclaimer"><em>{_escape(str(reply["disclaimer"]))}</em></p>')
    if reply.get("citations"):
        parts.append(sources_block(list(reply["citations"]), texts))
    return "\n\n".join(parts)


def notice_message(text: str) -> str:
    """A fixed text from the app itself (for example the rate-limit message)."""
    return f'<p class="notice">{_escape_lines(text)}</p>'
