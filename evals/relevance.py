"""CONTRACT §3 relevance: a passage is relevant when its heading path or text contains
one of the case's phrases (case, whitespace, dash and quote style ignored), or when
its chunk id is listed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from retrieval.textnorm import fold


def is_relevant(passage: dict[str, Any], relevant: Iterable[str]) -> bool:
    haystack = fold(f"{passage.get('section', '')}\n{passage.get('text', '')}")
    for phrase in relevant:
        if phrase == passage.get("chunk_id") or fold(phrase) in haystack:
            return True
    return False


def text_supports(text: str, relevant: Iterable[str]) -> bool:
    """Does an answer text contain one of the relevant phrases?"""
    folded = fold(text)
    return any(fold(p) in folded for p in relevant)
