"""The typed records that flow through the pipeline.

corpus -> Document -> chunking -> Chunk -> index -> search -> Passage -> answer -> Answer

`Answer.to_dict()` is the answer object of CONTRACT.md §1: its field names are a
promise to callers and may only grow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    path: str  # relative to the corpus folder, with forward slashes
    title: str
    body: str  # Markdown without front matter
    meta: dict[str, str] = field(default_factory=dict)


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
        return {
            "chunk_id": self.chunk_id,
            "document": self.document,
            "doc_path": self.doc_path,
            "section": self.section,
            "text": self.text,
            "kind": self.kind,
            "title": self.title,
            "sources": list(self.sources),
        }

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
    """A chunk as ranked for one question."""

    chunk: Chunk
    score: float

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "chunk_id": c.chunk_id,
            "document": c.document,
            "section": c.section,
            "text": c.text,
            "score": round(float(self.score), 4),
            "sources": list(c.sources),
        }


@dataclass(frozen=True)
class Citation:
    n: int
    passage: Passage

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, **self.passage.to_dict()}


@dataclass(frozen=True)
class Escalation:
    level: str  # emergency | urgent | crisis
    category: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "category": self.category, "message": self.message}


@dataclass(frozen=True)
class Warning:
    """One conditional warning line for a question *about* a red flag (not having it)."""

    category: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "message": self.message}


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Citation]
    retrieved: list[Passage]
    disclaimer: str
    abstained: bool = False
    escalation: Escalation | None = None
    warning: Warning | None = None
    latency_ms: float = 0.0
    id: str = ""
    body: str = ""  # only the cited sentences (the `answer` field also holds fixed text)
    reminder: str = ""  # a short reminder when an earlier turn escalated
    notices: list[str] = field(default_factory=list)  # fixed notices shown after the body
    reason: str = ""  # out_of_scope | not_covered | empty | too_long | error | escalated, or "" when answered
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [p.to_dict() for p in self.retrieved],
            "escalation": self.escalation.to_dict() if self.escalation else None,
            "warning": self.warning.to_dict() if self.warning else None,
            "abstained": self.abstained,
            "disclaimer": self.disclaimer,
            "latency_ms": round(self.latency_ms, 2),
            "id": self.id,
            "body": self.body,
            "reminder": self.reminder,
            "notices": list(self.notices),
            "reason": self.reason,
        }
        if self.error is not None:
            out["error"] = self.error
        return out
