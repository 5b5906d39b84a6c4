"""CONTRACT §3 relevance: a passage is relevant when its heading path or text contains
one of the case's phrases (case, whitespace, dash and quote style ignored), or when
its chunk id is listed.

`is_relevant` judges one passage; `PhraseIndex` judges a whole corpus of passages at
once (folded once, so every case of a set can be matched against every passage) and
gives the qrels of a case: the ids of all passages relevant to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from retrieval.textnorm import fold


def passage_haystack(passage: dict[str, Any]) -> str:
    """What phrases are looked for in: the heading path and the text, folded."""
    return fold(f"{passage.get('section', '')}\n{passage.get('text', '')}")


def _matches(haystack: str, chunk_id: Any, relevant: Iterable[str]) -> bool:
    return any(phrase == chunk_id or fold(phrase) in haystack for phrase in relevant)


def is_relevant(passage: dict[str, Any], relevant: Iterable[str]) -> bool:
    return _matches(passage_haystack(passage), passage.get("chunk_id"), relevant)


def text_supports(text: str, relevant: Iterable[str]) -> bool:
    """Does an answer text contain one of the relevant phrases?"""
    folded = fold(text)
    return any(fold(p) in folded for p in relevant)


class PhraseIndex:
    """All passages of one corpus, folded once; answers "which passages are relevant?"."""

    def __init__(self, passages: Sequence[dict[str, Any]]) -> None:
        self._entries = [(str(p.get("chunk_id")), passage_haystack(p)) for p in passages]
        self.ids = frozenset(chunk_id for chunk_id, _ in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def relevant_ids(self, relevant: Iterable[str]) -> set[str]:
        phrases = list(relevant)
        return {chunk_id for chunk_id, haystack in self._entries if _matches(haystack, chunk_id, phrases)}
