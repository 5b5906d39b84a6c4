"""A small stand-in for retrieval.engine.Engine: no model, no index, answers in microseconds.

It returns real `Answer` objects, so `to_dict()` is the contract's answer object.
Questions containing "wet herself" or "emergency" escalate; "warning" adds a warning
line; "nothing" abstains. `gate` (a threading.Event) makes questions containing
"wait" block until it is set, to test that one patient never waits for another.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

from retrieval.messages import Messages
from retrieval.models import Answer, Chunk, Citation, Escalation, Passage, Warning
from retrieval.settings import Settings, load_settings

DOC = "Posterior Neural Foraminal Narrowing at L1–L2"
PASSAGES = [
    Passage(Chunk("c-ibu", DOC, "doc.md", "Drugs for Symptomatic Relief › 1. Ibuprofen (NSAID)",
                  "200–400 mg every 6–8 hours; take with food.", kind="item"), 0.91),
    Passage(Chunk("c-surg", DOC, "doc.md", "Surgical Options › 6. Minimally Invasive Endoscopic Decompression",
                  "Small incision, less muscle damage, faster recovery.\nFor selected patients.", kind="item"), 0.84),
]
ESCALATION = Escalation("emergency", "cauda_equina", "Call 999 now: numbness when wiping and wetting yourself can be an emergency.")


class FakeIndex:
    def summary(self) -> dict[str, Any]:
        return {"passages": len(PASSAGES), "documents": 1, "model": "fake"}


class FakeEngine:
    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        base = settings or load_settings(env={"CHATBOT_SETTINGS": str(Path("/nonexistent/settings.toml"))})
        self.settings = dataclasses.replace(base, **overrides)
        self.messages = Messages.load(self.settings)
        self.index = FakeIndex()
        self.calls: list[dict[str, Any]] = []
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()

    def answer(self, question: Any, history: Any = None, k: int | None = None) -> Answer:
        with self._lock:
            self.calls.append({"question": question, "history": history, "k": k})
        text = question if isinstance(question, str) else ""
        if self.gate is not None and "wait" in text:
            self.gate.wait(timeout=60)
        lowered = text.lower()
        reply = Answer(
            question=text.strip(),
            answer="",
            citations=[Citation(1, PASSAGES[0]), Citation(2, PASSAGES[1])],
            retrieved=list(PASSAGES),
            disclaimer=self.messages.disclaimer,
            id=f"ans-{len(self.calls)}",
            body="Ibuprofen: 200–400 mg every 6–8 hours [1].\n- Keyhole surgery: small incision [2].",
            latency_ms=1.0,
        )
        if "nothing" in lowered:
            reply.citations, reply.body, reply.abstained = [], "", True
            reply.notices, reply.reason = [self.messages.not_covered], "not_covered"
        if "wet herself" in lowered or "emergency" in lowered:
            reply.escalation, reply.reason = ESCALATION, "escalated"
        if "warning" in lowered:
            reply.warning = Warning("cauda_equina", "New bladder problems need urgent care.")
        parts = [f"**{reply.escalation.message}**"] if reply.escalation else []
        parts += [p for p in [reply.body, *reply.notices] if p] + [f"_{reply.disclaimer}_"]
        reply.answer = "\n\n".join(parts)
        return reply
