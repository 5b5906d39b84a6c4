"""Red-flag escalation, checked before any answer is looked up.

Two layers:
1. patterns (data/red_flags.toml): what people write ("cnt pee since this morning", "my
   mum can't feel when she wipes"), with clause-scoped negation, questions about a red
   flag told apart from reports of one, past events and third parties;
2. a semantic model (data/red_flag_model.json): logistic regression over the message's
   embedding, trained on labelled statements per category, for the paraphrases,
   euphemisms and understatements the patterns miss. It needs a word of the category it
   predicts in the message ([semantic.evidence]); its cut-offs were chosen by
   cross-validation across writers (`python -m evals train-red-flags`).

The result says whether to escalate (and how urgently, with which fixed message),
whether to add a one-line warning (a question about a red flag), and whether an earlier
turn escalated (a short reminder).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ModelUnavailable, RuleFileError
from .messages import fill
from .models import Escalation, SafetyWarning
from .question import Question
from .rules import compile_all
from .settings import DATA_DIR, Settings
from .text import sentence_bounds, split_sentences

LEVELS = ("emergency", "crisis", "urgent")  # most urgent first
MODEL_FILE = "red_flag_model.json"
BENIGN = "benign"
STOPS_ANSWER = frozenset({"emergency", "crisis"})  # no self-care advice after these
_NEGATION_REACH = 5  # words before a match a negation can reach, within its clause
_LIST_NEGATION_REACH = 12  # ... or this many when a list follows it ("no fever, chills or numbness")


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    level: str
    patterns: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...] = ()
    always: bool = False  # escalate even inside a question (suicidal intent)
    history_counts: bool = False  # a past event still counts (a past cancer)


@dataclass(frozen=True)
class Category:
    name: str
    title: str
    warning: str
    messages: dict[str, str]
    third_party: dict[str, str]

    @property
    def default_level(self) -> str:
        """The level the semantic model uses: the least urgent one the category defines."""
        return [level for level in LEVELS if level in self.messages][-1]


@dataclass(frozen=True)
class RedFlagModel:
    """Weights of the semantic layer; scoring needs numpy only."""

    classes: tuple[str, ...]
    coef: np.ndarray  # classes x embedding size
    intercept: np.ndarray
    cut_off: float
    cut_offs: dict[str, float] = field(default_factory=dict)  # per category, where it differs

    @classmethod
    def load(cls, path: Path) -> RedFlagModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            classes=tuple(data["classes"]),
            coef=np.asarray(data["coef"], dtype=np.float32),
            intercept=np.asarray(data["intercept"], dtype=np.float32),
            cut_off=float(data["cut_off"]),
            cut_offs={k: float(v) for k, v in data.get("cut_offs", {}).items()},
        )

    def cut_off_for(self, category: str) -> float:
        return self.cut_offs.get(category, self.cut_off)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def strongest(self, vectors: np.ndarray) -> tuple[float, str]:
        """The highest probability of not being benign, and that vector's likeliest category."""
        probs = self.probabilities(vectors)
        benign = self.classes.index(BENIGN)
        not_benign = 1.0 - probs[:, benign]
        row = int(np.argmax(not_benign))
        ranked = [i for i in np.argsort(-probs[row]) if i != benign]
        return float(not_benign[row]), self.classes[ranked[0]]


@dataclass(frozen=True)
class Finding:
    """One place in a message where a rule or topic matched."""

    source: str  # rule id, "topic", or "model (probability)"
    category: str
    level: str  # "" for topics
    mode: str  # report | question | set aside (negated or past)
    sentence: str


@dataclass
class SafetyResult:
    escalation: Escalation | None = None
    warning: SafetyWarning | None = None
    reminder: str | None = None
    third_party: bool = False
    findings: list[Finding] = field(default_factory=list)
    # the patterns saw a red flag but judged it negated or in the past ("no numbness",
    # "years ago I lost some bladder control"); the semantic model defers to that
    set_aside: bool = False
    # the message asks ABOUT a red flag ("what is cauda equina?"): the model defers too
    asks_about_red_flag: bool = False

    @property
    def stops_answer(self) -> bool:
        return self.escalation is not None and self.escalation.level in STOPS_ANSWER


class RedFlagChecker:
    def __init__(
        self,
        settings: Settings,
        rules_path: Path | None = None,
        model_path: Path | None = None,
        require_model: bool = True,
    ) -> None:
        data = tomllib.loads((rules_path or DATA_DIR / "red_flags.toml").read_text(encoding="utf-8"))
        vocab = data.get("vocab", {})
        ctx = {k: re.compile(v) for k, v in data["context"].items()}
        self._negation, self._pivots, self._asking = ctx["negation"], ctx["pivots"], ctx["asking"]
        self._hypothetical, self._subject = ctx["hypothetical"], ctx["subject"]
        self._personal_report, self._past = ctx["personal_report"], ctx["past"]
        self._relation, self._third_person, self._first_person = ctx["relation"], ctx["third_person"], ctx["first_person"]
        self.rules = tuple(
            Rule(
                id=r["id"],
                category=r["category"],
                level=r["level"],
                patterns=compile_all(r["patterns"], vocab),
                requires=compile_all(r.get("requires", []), vocab),
                always=bool(r.get("always", False)),
                history_counts=bool(r.get("history_counts", False)),
            )
            for r in data["rules"]
        )
        self.topics = tuple((t["category"], compile_all(t["patterns"], vocab)) for t in data.get("topics", []))
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
        evidence = data["semantic"]["evidence"]
        self._evidence = dict(zip(evidence, compile_all(evidence.values(), vocab), strict=True))
        model_file = model_path or DATA_DIR / MODEL_FILE
        self.model: RedFlagModel | None = None
        if model_file.is_file():
            self.model = RedFlagModel.load(model_file)
            unknown = set(self.model.classes) - set(self.categories) - {BENIGN}
            if unknown:
                raise RuleFileError(f"{MODEL_FILE} knows categories the rules file does not: {sorted(unknown)}")
        elif require_model:
            raise ModelUnavailable(f"{model_file} is missing (run: python -m evals train-red-flags)")
        for rule in self.rules:
            if rule.category not in self.categories or rule.level not in self.categories[rule.category].messages:
                raise RuleFileError(f"rule {rule.id}: no {rule.level} message for category {rule.category}")

    def has_evidence(self, normalised: str, category: str) -> bool:
        """Does the (normalised) message hold a word of the category the model predicts ([semantic.evidence])?"""
        evidence = self._evidence.get(category)
        return evidence is None or bool(evidence.search(normalised))

    # -- pattern layer ------------------------------------------------------------
    def _negated(self, text: str, start: int) -> bool:
        clause_start = 0
        for m in self._pivots.finditer(text, 0, start):
            clause_start = m.end()
        words = text[clause_start:start].split()
        if self._negation.search(" ".join(words[-_NEGATION_REACH:])):
            return True
        # a negated list reaches further: "never had any bladder trouble or numbness"
        wider = words[-_LIST_NEGATION_REACH:]
        cues = [i for i, w in enumerate(wider) if self._negation.fullmatch(w.strip(",;"))]
        return bool(cues) and any(w in ("or", "nor") for w in wider[cues[-1] + 1 :])

    def _mode(self, text: str, start: int, end: int, always: bool, topic: bool = False) -> str:
        """report, or question: asked about rather than happening (topics only ask)."""
        left, right = sentence_bounds(text, start, end)
        sentence = text[left:right]
        if always or not self._asking.search(sentence.strip()):
            return "report"
        if topic:
            return "question"
        before = text[left:start]
        if self._hypothetical.search(before):
            return "question"
        return "report" if self._subject.search(before) else "question"

    def _matches(
        self, text: str, patterns: Sequence[re.Pattern[str]], history_counts: bool, always: bool, topic: bool = False
    ):
        """(mode, sentence) for each match that counts; ("set aside", sentence) for a match
        that is negated or about the past."""
        for pattern in patterns:
            for m in pattern.finditer(text):
                left, right = sentence_bounds(text, m.start(), m.end())
                sentence = text[left:right]
                if self._negated(text, m.start()) or (not history_counts and self._past.search(sentence)):
                    yield "set aside", sentence
                    continue
                yield self._mode(text, m.start(), m.end(), always, topic), sentence

    def findings(self, text: str) -> list[Finding]:
        """Every rule and topic match in normalised text; negated or past ones are kept
        with mode "set aside" (they never escalate)."""
        found: list[Finding] = []
        for rule in self.rules:
            if rule.requires and not any(
                mode != "set aside" for mode, _ in self._matches(text, rule.requires, True, True)
            ):
                continue
            seen_modes = set()
            for mode, sentence in self._matches(text, rule.patterns, rule.history_counts, rule.always):
                if mode not in seen_modes:
                    seen_modes.add(mode)
                    found.append(Finding(rule.id, rule.category, rule.level, mode, sentence))
        for category, patterns in self.topics:
            for mode, sentence in self._matches(text, patterns, False, False, topic=True):
                if mode != "set aside":
                    found.append(Finding("topic", category, "", mode, sentence))
                    break
        # "...? Mine went numb yesterday." - a question about it plus a report of it
        if not any(f.mode == "report" for f in found) and any(f.level and f.mode == "question" for f in found):
            reports = [s for s in split_sentences(text) if self._personal_report.search(s) and not self._asking.search(s)]
            if reports:
                found = [
                    Finding(f.source, f.category, f.level, "report", f.sentence)
                    if f.level and f.mode == "question"
                    else f
                    for f in found
                ]
        return found

    def _third_party(self, text: str, sentence: str) -> bool:
        return bool(
            self._relation.search(text) and self._third_person.search(sentence) and not self._first_person.search(sentence)
        )

    # -- decision -----------------------------------------------------------------
    def _escalation(self, reports: list[Finding], text: str) -> tuple[Escalation, bool]:
        ranked = sorted(reports, key=lambda f: LEVELS.index(f.level))  # stable: rule order breaks ties
        top = ranked[0]
        third = self._third_party(text, top.sentence)
        messages = []
        for level in dict.fromkeys(f.level for f in ranked):
            if level == "urgent" and top.level != "urgent":
                continue  # an emergency message already says what to do
            finding = next(f for f in ranked if f.level == level)
            category = self.categories[finding.category]
            book = category.third_party if third and level in category.third_party else category.messages
            messages.append(book[level])
        return Escalation(top.level, top.category, " ".join(dict.fromkeys(messages))), third

    def assess_patterns(self, text: str) -> SafetyResult:
        """The pattern layer on a normalised message."""
        found = self.findings(text)
        result = SafetyResult(
            findings=found,
            set_aside=any(f.mode == "set aside" for f in found),
            asks_about_red_flag=any(f.mode == "question" for f in found),
        )
        reports = [f for f in found if f.level and f.mode == "report"]
        if reports:
            result.escalation, result.third_party = self._escalation(reports, text)
        else:
            # a question about a red flag, or a mention that is not one: one warning line
            mentions = [f for f in found if f.mode == "question" or (not f.level and f.mode != "set aside")]
            if mentions:
                category = self.categories[mentions[0].category]
                result.warning = SafetyWarning(category.name, category.warning)
        return result

    def assess_semantic(self, question: Question, result: SafetyResult) -> SafetyResult:
        """Escalate on what the patterns missed: a message the model finds likely enough to
        be a red flag. The model scores whole messages, as it was trained and validated
        (single short sentences such as "what's the point of that" score too high alone).
        Skipped when the patterns already escalated, recognised a question ABOUT a red
        flag (that gets a warning line), or judged a red flag negated or in the past (the
        model cannot read negation or tense). A mention that was not itself a red flag
        ("a numb patch in my groin") does not stop it."""
        if result.escalation is not None or result.asks_about_red_flag or result.set_aside or self.model is None:
            return result
        probability, name = self.model.strongest(question.vector.reshape(1, -1))
        text = question.normalised
        if probability < self.model.cut_off_for(name) or not self.has_evidence(text, name):
            return result
        result.warning = None  # a mention that was not itself a red flag gave way to the escalation
        category = self.categories[name]
        level = category.default_level
        third = self._third_party(text, text)
        book = category.third_party if third and level in category.third_party else category.messages
        result.escalation = Escalation(level, category.name, book[level])
        result.third_party = third
        result.findings.append(Finding(f"model ({probability:.2f})", category.name, level, "report", text))
        return result

    def reminder(self, earlier_messages: Sequence[str]) -> str | None:
        """A short reminder when an earlier user turn (normalised) escalated (patterns only)."""
        levels = []
        for text in earlier_messages:
            earlier = self.assess_patterns(text)
            if earlier.escalation is not None:
                levels.append(earlier.escalation.level)
        if not levels:
            return None
        level = sorted(levels, key=LEVELS.index)[0]
        return self.reminders[level]
