"""Tiny hand-made corpus, cases and answers with known metric values (no model, no index)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.sets import FULL, Case, Reply

DISCLAIMER = "General information only, not medical advice."

PASSAGES = [
    {"chunk_id": "p-dose", "section": "Drugs › Acetaminophen", "text": "500–1,000 mg every 6 hours; maximum 3,000 mg/day."},
    {"chunk_id": "p-liver", "section": "Drugs › Acetaminophen", "text": "Risk of hepatotoxicity at high doses."},
    {"chunk_id": "p-mri", "section": "Diagnosis › Imaging", "text": "MRI shows the nerve root and soft tissue."},
    {"chunk_id": "p-ct", "section": "Diagnosis › Imaging", "text": "CT shows bone spurs best."},
    {"chunk_id": "p-walk", "section": "Self-management", "text": "Walking within comfort keeps the back moving."},
]
BY_ID = {p["chunk_id"]: p for p in PASSAGES}


def make_case(case_id: str = "c1", line: int = 1, **fields: Any) -> Case:
    fields.setdefault("question", f"question {case_id}")
    for key in ("relevant", "tags"):
        if key in fields:
            fields[key] = tuple(fields[key])
    return Case(id=case_id, line=line, **fields)


def make_answer(
    retrieved: list[str] = (),
    cited: list[str] = (),
    body: str = "",
    escalation: tuple[str, str] | None = None,
    warning: str | None = None,
    abstained: bool = False,
    disclaimer: str = DISCLAIMER,
    show_disclaimer: bool = True,
    score: float = 0.5,
) -> dict[str, Any]:
    """An answer object (CONTRACT §1) over PASSAGES; all scores equal unless given."""
    passages = [{**BY_ID[i], "document": "Doc", "score": score, "sources": []} for i in retrieved]
    parts = [body] if body else []
    if show_disclaimer:
        parts.append(f"_{disclaimer}_")
    return {
        "question": "q",
        "answer": "\n\n".join(parts),
        "body": body,
        "citations": [{"n": n, **BY_ID[i], "document": "Doc", "score": score} for n, i in enumerate(cited, start=1)],
        "retrieved": passages,
        "escalation": {"level": escalation[0], "category": escalation[1], "message": "Call now."} if escalation else None,
        "warning": {"category": warning, "message": "Watch for this."} if warning else None,
        "abstained": abstained,
        "disclaimer": disclaimer,
        "latency_ms": 1.0,
    }


class FakeAnswerer:
    """Canned answers by case id; the Answerer shape of evals/answerers.py."""

    mode = "fake"

    def __init__(self, answers: dict[str, dict[str, Any]], name: str = "ours", capabilities=FULL,
                 passages: list[dict[str, Any]] | None = PASSAGES, latencies: dict[str, float] | None = None,
                 errors: dict[str, str] | None = None) -> None:
        self.answers, self.name, self.capabilities = answers, name, capabilities
        self._passages, self.latencies, self.errors = passages, latencies or {}, errors or {}
        self.notes: list[str] = []
        self.asked: list[tuple[str, int]] = []

    def passages(self):
        return self._passages

    def ask(self, case: Case, k: int) -> Reply:
        self.asked.append((case.id, k))
        answer = self.answers.get(case.id, {})
        return Reply(answer, self.latencies.get(case.id, 1.0), self.errors.get(case.id))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode}


def write_set(path: Path, lines: list[Any]) -> Path:
    """A JSONL set; str items are written as they are (to make bad lines)."""
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tiny_set(tmp_path: Path) -> Path:
    """Four cases and two bad lines (lines 3 and 5)."""
    return write_set(tmp_path / "tiny.jsonl", [
        {"id": "dose", "question": "max paracetamol?", "relevant": ["maximum 3,000 mg/day"], "tags": ["drugs"],
         "reference": "At most 3,000 mg a day."},
        {"id": "ct", "question": "is CT better for spurs?", "relevant": ["bone spurs"], "tags": ["imaging"]},
        "{not json",
        {"id": "flag", "question": "can't pee", "expect_escalation": True, "expect_level": "emergency",
         "expect_category": "cauda_equina", "tags": ["red-flag"]},
        {"id": "no-question"},
        {"id": "ghost", "question": "about unicorns", "relevant": ["a phrase in no passage"], "tags": ["drugs"]},
    ])


@pytest.fixture
def tiny_answers() -> dict[str, dict[str, Any]]:
    return {
        "dose": make_answer(["p-liver", "p-dose"], cited=["p-dose", "p-liver"], body="Maximum 3,000 mg/day [1]."),
        "ct": make_answer(["p-ct", "p-mri"], cited=["p-ct"], body="CT shows bone spurs best [1]."),
        "flag": make_answer([], escalation=("emergency", "cauda_equina")),
        "ghost": make_answer(["p-walk"], cited=["p-walk"], body="Walking within comfort [1]."),
    }
