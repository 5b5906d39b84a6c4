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

from retrieval import render
from retrieval.messages import Messages
from retrieval.models import Answer, Chunk, Citation, Escalation, Passage, Retrieved, SafetyWarning
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
    documents = [{"path": "doc.md", "title": DOC, "summary": "A narrowing of a nerve's exit channel."}]

    def summary(self) -> dict[str, Any]:
        return {"passages": len(PASSAGES), "documents": 1, "model": "fake"}


class FakeEngine:
    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        base = settings or load_settings(env={"CHATBOT_SETTINGS": str(Path("/nonexistent/settings.toml"))})
        self.settings = dataclasses.replace(base, **overrides)
        self.messages = Messages.load(self.settings, [DOC])
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
        fields: dict[str, Any] = {
            "citations": [Citation.numbered(1, PASSAGES[0]), Citation.numbered(2, PASSAGES[1])],
            "body": "Ibuprofen: 200–400 mg every 6–8 hours [1].\n- Keyhole surgery: small incision [2].",
            "coverage": "answered",
        }
        if "nothing" in lowered:
            fields = {"citations": [], "body": "", "abstained": True, "coverage": "not_covered",
                      "notices": [self.messages.not_covered], "reason": "not_covered"}
        if "wet herself" in lowered or "emergency" in lowered:
            fields.update(escalation=ESCALATION, reason="escalated")
        if "warning" in lowered:
            fields["warning"] = SafetyWarning("cauda_equina", "New bladder problems need urgent care.")
        shown = {k: fields[k] for k in ("escalation", "warning", "body", "notices") if k in fields}
        return Answer(
            question=text.strip(),
            answer=render.markdown(render.parts(**shown, disclaimer=self.messages.disclaimer)),
            retrieved=[Retrieved.of(p) for p in PASSAGES],
            disclaimer=self.messages.disclaimer,
            id=f"ans-{len(self.calls)}",
            latency_ms=1.0,
            **fields,
        )
