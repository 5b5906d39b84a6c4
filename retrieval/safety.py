"""Red flags, checked before any answer is looked up.

Two layers read the same Question:
1. the learned detector (detector.py) scores the whole message and each clause: the main
   layer;
2. a small core of unambiguous phrases (data/red_flags.toml [[rules]]), each with examples
   it must and must not match. A negation sets a match aside only when it governs the
   phrase; a past marker only inside the phrase's clause. A rule escalates on its own and
   never switches the detector off.

What follows from them (`decide`, the one place the cut-offs are applied; training imports it):
- escalate: the most urgent level found. Infection or cancer with nerve symptoms is an
  emergency (the clinical rules); emergencies and crises end the answer;
- uncertain: an emergency category between its two cut-offs opens the reply with that
  category's one-line conditional warning, before the answer;
- support: low mood without suicidal intent gets a short, kind line with the crisis
  number, and the answer follows;
- about: a question about a red flag gets the category's warning line after the answer;
- reminder: a later turn after an escalation carries a short reminder.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .detector import Detection, DetectorModel
from .errors import RuleFileError
from .messages import fill
from .models import Escalation, SafetyWarning
from .question import Question
from .rules import compile_all
from .settings import DATA_DIR, Settings
from .text import clause_spans

LEVELS = ("emergency", "crisis", "urgent")  # most urgent first
STOPS_ANSWER = frozenset({"emergency", "crisis"})  # no self-care advice after these
NERVE_RAISES = frozenset({"infection", "cancer"})  # with nerve symptoms, an emergency
MODEL_FILE = "red_flag_model.json"


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    level: str
    patterns: tuple[re.Pattern[str], ...]
    must_match: tuple[str, ...]
    must_not_match: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    name: str
    title: str
    warning: str
    messages: dict[str, str]
    third_party: dict[str, str]

    def message(self, level: str, third_party: bool) -> str:
        book = self.third_party if third_party and level in self.third_party else self.messages
        return book.get(level) or self.messages[max(self.messages, key=LEVELS.index)]


@dataclass(frozen=True)
class Verdict:
    """What the detector's reading means, by the cut-offs (decide())."""

    escalate: tuple[str, str] | None = None  # (category, level)
    caution: str | None = None  # an emergency category the detector is unsure about
    support: bool = False
    about: bool = False


def decide(detection: Detection, cut_offs: dict[str, Any]) -> Verdict:
    """The one definition of how a detection becomes a decision (training imports it)."""
    category, level = detection.category, detection.level
    escalate_at = {**cut_offs["escalate"]}
    caution_at = {**cut_offs["caution"]}
    escalate = detection.red >= escalate_at.get(category, escalate_at["default"])
    if escalate and category in NERVE_RAISES and level == "urgent" and detection.nerve >= cut_offs["nerve"]:
        level = "emergency"
    caution = None
    if not escalate and category in cut_offs["emergency_categories"]:
        if detection.red >= caution_at.get(category, caution_at["default"]):
            caution = category
    crisis = escalate and level == "crisis"
    return Verdict(
        escalate=(category, level) if escalate else None,
        caution=caution,
        support=not crisis and detection.low_mood >= cut_offs["support"],
        about=not escalate and detection.about >= cut_offs["about"],
    )


@dataclass
class SafetyResult:
    escalation: Escalation | None = None
    warning: SafetyWarning | None = None
    support: str | None = None
    findings: list[str] = field(default_factory=list)  # which rules and detector readings decided (for logs)

    @property
    def stops_answer(self) -> bool:
        return self.escalation is not None and self.escalation.level in STOPS_ANSWER


class RedFlagChecker:
    def __init__(self, settings: Settings, encoder_fingerprint: str, rules_path: Path | None = None,
                 model: DetectorModel | None = None) -> None:
        data = tomllib.loads((rules_path or DATA_DIR / "red_flags.toml").read_text(encoding="utf-8"))
        vocab = data.get("vocab", {})
        context = data["context"]
        self._negation = re.compile(context["negation"])
        self._negation_reach = int(context["negation_reach"])
        self._past = re.compile(context["past"])
        self._relation = re.compile(context["relation"])
        self._third_person = re.compile(context["third_person"])
        self._first_person = re.compile(context["first_person"])
        self.rules = tuple(
            Rule(r["id"], r["category"], r["level"], compile_all(r["patterns"], vocab),
                 tuple(r.get("must_match", ())), tuple(r.get("must_not_match", ())))
            for r in data.get("rules", [])
        )
        self.categories = {
            name: Category(
                name=name,
                title=c["title"],
                warning=fill(c["warning"], settings),
                messages={k: fill(v, settings) for k, v in c.get("messages", {}).items()},
                third_party={k: fill(v, settings) for k, v in c.get("third_party", {}).items()},
            )
            for name, c in data["categories"].items()
        }
        self.reminders = {k: fill(v, settings) for k, v in data["reminders"].items()}
        self.support_line = fill(data["support"]["message"], settings)
        for rule in self.rules:
            if rule.category not in self.categories or rule.level not in self.categories[rule.category].messages:
                raise RuleFileError(f"rule {rule.id}: no {rule.level} message for category {rule.category}")
        self.model = model or DetectorModel.load(DATA_DIR / MODEL_FILE, encoder_fingerprint)
        unknown = {c.split(":")[0] for c in self.model.classes if ":" in c} - set(self.categories)
        if unknown:
            raise RuleFileError(f"{MODEL_FILE} knows categories the rules file does not: {sorted(unknown)}")

    # -- the core phrases ------------------------------------------------------------
    def _set_aside(self, text: str, start: int, end: int) -> bool:
        """A negation governing the phrase, or a past marker in its clause."""
        clause = next(((a, b) for a, b in clause_spans(text) if a <= start < max(b, a + 1)), (0, len(text)))
        words = text[clause[0] : start].split()[-self._negation_reach :]
        if any(self._negation.fullmatch(w.strip(",;:!?.")) for w in words):
            return True
        return bool(self._past.search(text[clause[0] : clause[1]]))

    def rule_matches(self, text: str) -> list[Rule]:
        """The rules whose phrases stand in the (normalised) text, not set aside."""
        found = []
        for rule in self.rules:
            for pattern in rule.patterns:
                if any(not self._set_aside(text, m.start(), m.end()) for m in pattern.finditer(text)):
                    found.append(rule)
                    break
        return found

    def third_party(self, text: str) -> bool:
        return bool(self._relation.search(text) and self._third_person.search(text) and not self._first_person.search(text))

    # -- one message -------------------------------------------------------------------
    def detect(self, vectors: np.ndarray) -> Detection:
        return self.model.read(vectors)

    def assess(self, question: Question) -> SafetyResult:
        text = question.normalised
        found: list[tuple[str, str, str]] = [(r.category, r.level, f"rule {r.id}") for r in self.rule_matches(text)]
        detection = self.detect(np.stack([question.vector, *question.clause_vectors]))
        verdict = decide(detection, self.model.cut_offs)
        if verdict.escalate:
            found.append((*verdict.escalate, f"detector {detection.red:.2f}"))
        result = SafetyResult(findings=[f"{source}: {category}/{level}" for category, level, source in found])
        third = self.third_party(text)
        if found:
            ranked = sorted(found, key=lambda f: LEVELS.index(f[1]))  # stable: rules first among equals
            category, level, _ = ranked[0]
            messages = [self.categories[category].message(level, third)]
            if level == "emergency" and any(f[1] == "crisis" for f in ranked):  # an overdose taken on purpose
                crisis = next(f for f in ranked if f[1] == "crisis")
                messages.append(self.categories[crisis[0]].message("crisis", third))
            result.escalation = Escalation(level, category, " ".join(dict.fromkeys(messages)))
        elif verdict.caution:
            result.warning = SafetyWarning(verdict.caution, self.categories[verdict.caution].warning, "first")
        elif verdict.about:
            category = detection.category if detection.category in self.categories else "general"
            result.warning = SafetyWarning(category, self.categories[category].warning, "after")
        if verdict.support and not (result.escalation and result.escalation.level == "crisis"):
            result.support = self.support_line
        return result

    def reminder(self, earlier: Sequence[np.ndarray], earlier_texts: Sequence[str]) -> str | None:
        """A short reminder when an earlier user turn escalated. `earlier`: per turn, its
        message vector then its clause vectors stacked."""
        levels = [r.level for text in earlier_texts for r in self.rule_matches(text)]
        for vectors in earlier:
            verdict = decide(self.detect(vectors), self.model.cut_offs)
            if verdict.escalate:
                levels.append(verdict.escalate[1])
        if not levels:
            return None
        return self.reminders[sorted(levels, key=LEVELS.index)[0]]
