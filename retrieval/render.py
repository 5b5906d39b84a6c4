"""The one place that orders an answer's parts and turns them into Markdown.

    escalation -> warning (uncertain) -> support -> reminder -> missing -> body
               -> warning (about) -> notices -> disclaimer

The engine renders `Answer.answer` with `markdown()`; the CLI prints `text()`; the web
chat maps the same `parts()` to HTML (retrieval/web/render.py); the chat bubble
(retrieval/web/static/chat-bubble.js) follows PART_ORDER, which /api/info publishes and a
test pins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .models import Escalation, SafetyWarning

PART_ORDER = (
    "escalation", "warning_first", "support", "reminder", "missing", "body", "warning_after", "notices", "disclaimer",
)


@dataclass(frozen=True)
class Part:
    kind: str  # one of PART_ORDER
    text: str
    level: str = ""  # the escalation's level


def parts(
    *,
    escalation: Escalation | None = None,
    warning: SafetyWarning | None = None,
    support: str | None = None,
    reminder: str = "",
    missing: str | None = None,
    body: str = "",
    notices: Sequence[str] = (),
    disclaimer: str = "",
) -> list[Part]:
    """The parts present, in PART_ORDER."""
    found: dict[str, list[Part]] = {
        "escalation": [Part("escalation", escalation.message, escalation.level)] if escalation else [],
        "warning_first": [Part("warning_first", warning.message)] if warning and warning.placement == "first" else [],
        "support": [Part("support", support)] if support else [],
        "reminder": [Part("reminder", reminder)] if reminder else [],
        "missing": [Part("missing", missing)] if missing else [],
        "body": [Part("body", body)] if body else [],
        "warning_after": [Part("warning_after", warning.message)] if warning and warning.placement != "first" else [],
        "notices": [Part("notices", n) for n in notices if n],
        "disclaimer": [Part("disclaimer", disclaimer)] if disclaimer else [],
    }
    return [p for kind in PART_ORDER for p in found[kind]]


_MARKDOWN = {
    "escalation": "**{}**",
    "warning_first": "**{}**",
    "support": "**{}**",
    "reminder": "**{}**",
    "missing": "{}",
    "body": "{}",
    "warning_after": "**{}**",
    "notices": "{}",
    "disclaimer": "_{}_",
}


def markdown(answer_parts: Sequence[Part]) -> str:
    """What a person reads: fixed texts in bold, the cited body as it is, the disclaimer last."""
    return "\n\n".join(_MARKDOWN[p.kind].format(p.text) for p in answer_parts)


_TEXT_PREFIX = {"escalation": "!!! ", "warning_first": "! ", "support": "", "reminder": "!! ", "warning_after": "! "}


def parts_of(answer: dict[str, Any]) -> list[Part]:
    """The parts of an answer object (a dict, as callers receive it), in PART_ORDER."""
    escalation = answer.get("escalation") if isinstance(answer.get("escalation"), dict) else None
    warning = answer.get("warning") if isinstance(answer.get("warning"), dict) else None
    return parts(
        escalation=Escalation(str(escalation.get("level", "")), str(escalation.get("category", "")),
                              str(escalation.get("message", ""))) if escalation else None,
        warning=SafetyWarning(str(warning.get("category", "")), str(warning.get("message", "")),
                              warning.get("placement", "after")) if warning else None,
        support=answer.get("support"),
        reminder=str(answer.get("reminder") or ""),
        missing=answer.get("missing"),
        body=str(answer.get("body") or ""),
        notices=[str(n) for n in answer.get("notices") or []],
        disclaimer=str(answer.get("disclaimer") or ""),
    )


def text(answer: dict[str, Any]) -> str:
    """The answer object as plain text for a terminal: its parts, then the cited passages
    before the disclaimer."""
    found = parts_of(answer)
    blocks = [_TEXT_PREFIX.get(p.kind, "") + p.text for p in found if p.kind != "disclaimer"]
    for c in answer.get("citations") or []:
        blocks.append(f"[{c['n']}] {c['section']}\n    " + c["text"].replace("\n", "\n    "))
    blocks += [p.text for p in found if p.kind == "disclaimer"]
    return "\n\n".join(blocks)
