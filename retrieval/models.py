"""The typed records that flow through the pipeline.

corpus -> Document -> chunking -> Chunk -> index -> search -> Passage -> answer -> Answer

`Answer` is also the wire format: `Answer.to_dict()` is the answer object of
docs/interfaces.md ("The answer object"), and the web app's OpenAPI schema is generated
from these dataclasses (retrieval/web/api.py), so the contract is written once, here.
Its field names are a promise to callers and may only grow.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["emergency", "urgent", "crisis"]
Coverage = Literal["answered", "partial", "not_covered", "out_of_scope"]


@dataclass(frozen=True)
class Document:
    path: str  # relative to the corpus folder, with forward slashes
    title: str
    summary: str  # one line saying what the document covers (front matter, or its first paragraph)
    body: str  # Markdown without front matter


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage: a numbered item, a paragraph or a bullet."""

    chunk_id: str
    document: str  # document title
    doc_path: str
    section: str  # heading path, e.g. "Drugs for Symptomatic Relief › 5. Acetaminophen (Analgesic)"
    text: str  # the passage as shown to people
    kind: str = "paragraph"  # paragraph | item | bullet | faq
    title: str = ""  # the numbered item's own title (a FAQ item's question)
    sources: tuple[str, ...] = ()  # websites the original article credited for this passage

    def embedding_text(self) -> str:
        """What the model embeds: heading path and text together."""
        return f"{self.section}\n{self.text}"

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["sources"] = list(self.sources)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        return cls(
            chunk_id=str(data["chunk_id"]),
            document=str(data["document"]),
            doc_path=str(data["doc_path"]),
            section=str(data["section"]),
            text=str(data["text"]),
            kind=str(data.get("kind", "paragraph")),
            title=str(data.get("title", "")),
            sources=tuple(data.get("sources", ())),
        )


@dataclass(frozen=True)
class Passage:
    """A chunk as ranked for one question (inside the pipeline)."""

    chunk: Chunk
    score: float


# -- the wire format -------------------------------------------------------------------
# Every field below is always present in the JSON (only `error` is left out when None):
# the generated schema says so.
_WIRE = {"json_schema_serialization_defaults_required": True}


@dataclass(frozen=True)
class Retrieved:
    """A passage retrieval returned, as callers see it."""

    __pydantic_config__ = _WIRE

    chunk_id: str
    document: str
    section: str  # heading path
    text: str  # the passage exactly as stored in the index
    score: float
    sources: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, passage: Passage) -> Retrieved:
        c = passage.chunk
        return cls(c.chunk_id, c.document, c.section, c.text, round(float(passage.score), 4), list(c.sources))


@dataclass(frozen=True)
class Citation(Retrieved):
    """A cited passage: `n` is its [n] marker in the answer."""

    n: int = 0

    @classmethod
    def numbered(cls, n: int, passage: Passage) -> Citation:
        return cls(**dataclasses.asdict(Retrieved.of(passage)), n=n)


@dataclass(frozen=True)
class Escalation:
    __pydantic_config__ = _WIRE
    level: Level
    category: str
    message: str  # fixed text from the rules file


@dataclass(frozen=True)
class SafetyWarning:
    """One conditional warning line for a red-flag category.

    placement "after": the message asks ABOUT a red flag; the line follows the answer.
    placement "first": a red flag is possible but uncertain; the line opens the reply."""

    __pydantic_config__ = _WIRE

    category: str
    message: str
    placement: Literal["first", "after"] = "after"


@dataclass(frozen=True)
class Answer:
    __pydantic_config__ = _WIRE
    question: str  # as received, after trimming
    answer: str  # the Markdown a person reads (retrieval/render.py)
    citations: list[Citation]
    retrieved: list[Retrieved]
    disclaimer: str  # fixed, never empty, on every answer
    abstained: bool = False  # true when coverage is not_covered or out_of_scope
    coverage: Coverage | None = None  # None for escalations and empty or failed questions
    escalation: Escalation | None = None
    warning: SafetyWarning | None = None
    support: str | None = None  # a kind line with the crisis number for low mood without suicidal intent
    missing: str | None = None  # what the documents do not say that was asked (coverage "partial"), shown first
    latency_ms: float = 0.0
    id: str = ""
    body: str = ""  # only the cited sentences (the `answer` field also holds fixed text)
    reminder: str = ""  # a short reminder when an earlier turn escalated
    notices: list[str] = field(default_factory=list)  # fixed notices shown after the body
    reason: str = ""  # out_of_scope | not_covered | empty | too_long | error | escalated, or "" when answered
    error: str | None = None  # present only when something went wrong

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["latency_ms"] = round(self.latency_ms, 2)
        if self.error is None:
            del out["error"]
        return out


def answer_schema(ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
    """The JSON schema of the answer object, generated from `Answer`. The web app serves
    this same schema in its OpenAPI document (ref_template "#/components/schemas/{model}")."""
    from pydantic import TypeAdapter

    schema = TypeAdapter(Answer).json_schema(mode="serialization", ref_template=ref_template)
    schema["required"] = [name for name in schema["required"] if name != "error"]  # present only on failures
    return schema
