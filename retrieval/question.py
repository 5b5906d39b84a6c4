"""A question, read once: everything later steps need, computed here and only here.

    raw message + history -> clean -> normalise -> clauses -> expand -> embed -> Question

The message is embedded in one forward pass: its vector (for scope and search) and a
vector for each clause (for the red-flag detector) come from the same token states.

Safety, scope and search all read the same Question; none of them cleans, normalises
or embeds the message again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .conversation import Turn, normalize_history, search_query
from .normalise import Normaliser
from .text import clause_spans, clean_input, split_sentences

MAX_SAFETY_CHARS = 20_000  # red flags are looked for in this much of even an over-long message


class Expander(Protocol):
    def expand(self, question: str) -> str: ...


class Encoder(Protocol):
    def encode_with_spans(self, text: str, spans: Any) -> tuple[np.ndarray, list[np.ndarray]]: ...


@dataclass(frozen=True)
class Question:
    text: str  # what the person typed, cleaned (shown back as `question`)
    normalised: str  # folded, text-speak fixed, spelling repaired (what rules match)
    sentences: tuple[str, ...]  # of `normalised`
    clauses: tuple[str, ...]  # of `normalised`: sentences cut where a new clause starts
    clause_vectors: tuple[np.ndarray, ...]  # one per clause, from the same forward pass as `vector`
    turns: tuple[Turn, ...]  # the conversation so far, oldest first
    turns_normalised: tuple[str, ...]  # each earlier user turn, normalised
    turn_vectors: tuple[np.ndarray, ...]  # each earlier user turn: its vector, then its clauses' (stacked)
    expanded: str  # `normalised` plus the corpus's words for lay terms (what is embedded)
    vector: np.ndarray  # embedding of `expanded`
    search_text: str  # what search looks for: `expanded`, or the topic so far plus it for a follow-up
    search_vector: np.ndarray

    @property
    def is_empty(self) -> bool:
        return not any(ch.isalnum() for ch in self.text)


class QuestionReader:
    """Turns (message, history) into a Question; one per engine."""

    def __init__(self, normalise: Normaliser, expander: Expander, encoder: Encoder) -> None:
        self.normalise = normalise
        self.expander = expander
        self.encoder = encoder

    @classmethod
    def for_corpus(cls, vocabulary: frozenset[str], encoder: Encoder) -> QuestionReader:
        """The reader the engine uses: data/text_speak.toml, and the lay terms and spelling
        of data/lay_terms.toml and the corpus vocabulary."""
        from .lexical import QueryExpander
        from .settings import DATA_DIR

        expander = QueryExpander.from_file(DATA_DIR / "lay_terms.toml", vocabulary)
        return cls(Normaliser.from_file(DATA_DIR / "text_speak.toml"), expander, encoder)

    def read(self, message: str, history: Any = None) -> Question:
        text = clean_input(message)
        turns = tuple(normalize_history(history))
        normalised = self.normalise(text[:MAX_SAFETY_CHARS])
        user_turns = tuple(self.normalise(t.content) for t in turns if t.role == "user")
        expanded = self.expander.expand(normalised)
        topic_query = search_query(normalised, [Turn("user", t) for t in user_turns])
        search_text = expanded if topic_query == normalised else self.expander.expand(topic_query)
        spans = clause_spans(normalised)  # `expanded` starts with `normalised`: the spans hold in both
        turn_vectors = tuple(self._stacked(t) for t in user_turns)
        if any(ch.isalnum() for ch in text):
            vector, clause_vectors = self.encoder.encode_with_spans(expanded, spans)
            search_vector = vector if search_text == expanded else self.encoder.encode_with_spans(search_text, ())[0]
        else:
            vector = search_vector = _EMPTY
            clause_vectors = [_EMPTY for _ in spans]
        return Question(
            text=text,
            normalised=normalised,
            sentences=tuple(split_sentences(normalised)),
            clauses=tuple(normalised[a:b] for a, b in spans),
            clause_vectors=tuple(clause_vectors),
            turns=turns,
            turns_normalised=user_turns,
            turn_vectors=turn_vectors,
            expanded=expanded,
            vector=vector,
            search_text=search_text,
            search_vector=search_vector,
        )


    def _stacked(self, normalised: str) -> np.ndarray:
        """An earlier turn's vector and its clauses' (the encoder's cache usually has them)."""
        vector, parts = self.encoder.encode_with_spans(self.expander.expand(normalised), clause_spans(normalised))
        return np.stack([vector, *parts])


_EMPTY = np.zeros(0, dtype=np.float32)
