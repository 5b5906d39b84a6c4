"""Red-flag escalation, checked before any answer is looked up.

Two layers, both driven by data/red_flags.toml:
1. patterns: what people write ("cnt pee since this morning", "my mum can't feel when
   she wipes"), with clause-scoped negation, questions about a red flag told apart from
   reports of one, past events and third parties;
2. similarity: the message's embedding against example statements per category, for
   paraphrases the patterns miss; its threshold is measured on labelled sets.

The result says whether to escalate (and how urgently, with which fixed message),
whether to add a one-line warning (a question about a red flag), and whether an earlier
turn escalated (a short reminder).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .conversation import Turn
from .matching import Normaliser, compile_all, sentence_bounds, sentences
from .messages import fill
from .models import Escalation, Warning
from .settings import DATA_DIR, Settings

LEVELS = ("emergency", "crisis", "urgent")  # most urgent first
STOPS_ANSWER = frozenset({"emergency", "crisis"})  # no self-care advice after these
_NEGATION_REACH = 5  # words before a match a negation can reach, within its clause
MAX_SIMILARITY_SENTENCES = 8  # the similarity layer reads at most this many sentences ...
MAX_SIMILARITY_CHARS = 400  # ... of at most this length each
_SENTENCE_WITH_END = re.compile(r"([^.?!\n]+)([.?!\n]*)")


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
    examples: tuple[str, ...]
    messages: dict[str, str]
    third_party: dict[str, str]

    @property
    def default_level(self) -> str:
        """The level the similarity layer uses: the least urgent one the category defines."""
        return [level for level in LEVELS if level in self.messages][-1]


@dataclass(frozen=True)
class Finding:
    """One place in a message where a rule or topic matched."""

    source: str  # rule id, "topic", or "similar"
    category: str
    level: str  # "" for topics
    mode: str  # report | question
    sentence: str


@dataclass
class SafetyResult:
    escalation: Escalation | None = None
    warning: Warning | None = None
    reminder: str | None = None
    third_party: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def stops_answer(self) -> bool:
        return self.escalation is not None and self.escalation.level in STOPS_ANSWER


class RedFlagChecker:
    def __init__(self, settings: Settings, rules_path: Path | None = None, speak_path: Path | None = None) -> None:
        data = tomllib.loads((rules_path or DATA_DIR / "red_flags.toml").read_text(encoding="utf-8"))
        self.normalise = Normaliser.from_file(speak_path or DATA_DIR / "text_speak.toml")
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
                examples=tuple(c.get("examples", [])),
                messages={k: fill(v, settings) for k, v in c.get("messages", {}).items()},
                third_party={k: fill(v, settings) for k, v in c.get("third_party", {}).items()},
            )
            for name, c in data["categories"].items()
        }
        self.reminders = {k: fill(v, settings) for k, v in data["reminders"].items()}
        semantic = data["semantic"]
        self.similarity_threshold = float(semantic["threshold"])
        self.similarity_margin = float(semantic["margin"])
        self.negatives = tuple(semantic.get("negatives", []))
        self._example_vectors: dict[str, np.ndarray] = {}
        self._negative_vectors: np.ndarray | None = None
        for rule in self.rules:
            if rule.category not in self.categories or rule.level not in self.categories[rule.category].messages:
                raise ValueError(f"rule {rule.id}: no {rule.level} message for category {rule.category}")

    # -- the similarity layer needs the embedding model ---------------------------
    def embed_examples(self, encode: Callable[[list[str]], list[np.ndarray]]) -> None:
        """Embed each category's example statements and the benign ones, once."""
        self._example_vectors = {
            name: np.stack(encode(list(c.examples))) for name, c in self.categories.items() if c.examples
        }
        self._negative_vectors = np.stack(encode(list(self.negatives))) if self.negatives else None

    def similarities(self, vector: np.ndarray) -> dict[str, float]:
        return {name: float(np.max(vectors @ vector)) for name, vectors in self._example_vectors.items()}

    def benign_similarity(self, vector: np.ndarray) -> float:
        return float(np.max(self._negative_vectors @ vector)) if self._negative_vectors is not None else 0.0

    def reportable_sentences(self, message: str) -> list[str]:
        """Sentences that say something is happening (not questions, not negated, not about
        the past): what the similarity layer looks at."""
        out = []
        for match in _SENTENCE_WITH_END.finditer(message):
            sentence = match.group(1).strip()
            text = self.normalise(sentence)
            if not text or "?" in match.group(2):
                continue
            if not (self._asking.search(text) or self._negation.search(text) or self._past.search(text)):
                out.append(sentence[:MAX_SIMILARITY_CHARS])
            if len(out) == MAX_SIMILARITY_SENTENCES:
                break
        return out

    # -- pattern layer ------------------------------------------------------------
    def _negated(self, text: str, start: int) -> bool:
        clause_start = 0
        for m in self._pivots.finditer(text, 0, start):
            clause_start = m.end()
        words = text[clause_start:start].split()[-_NEGATION_REACH:]
        return bool(self._negation.search(" ".join(words)))

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
        for pattern in patterns:
            for m in pattern.finditer(text):
                if self._negated(text, m.start()):
                    continue
                left, right = sentence_bounds(text, m.start(), m.end())
                sentence = text[left:right]
                if not history_counts and self._past.search(sentence):
                    continue
                yield self._mode(text, m.start(), m.end(), always, topic), sentence

    def findings(self, text: str) -> list[Finding]:
        """Every rule and topic match in normalised text that is neither negated nor over."""
        found: list[Finding] = []
        for rule in self.rules:
            if rule.requires and not any(True for _ in self._matches(text, rule.requires, True, True)):
                continue
            seen_modes = set()
            for mode, sentence in self._matches(text, rule.patterns, rule.history_counts, rule.always):
                if mode not in seen_modes:
                    seen_modes.add(mode)
                    found.append(Finding(rule.id, rule.category, rule.level, mode, sentence))
        for category, patterns in self.topics:
            for mode, sentence in self._matches(text, patterns, False, False, topic=True):
                found.append(Finding("topic", category, "", mode, sentence))
                break
        # "...? Mine went numb yesterday." - a question about it plus a report of it
        if not any(f.mode == "report" for f in found) and any(f.level for f in found):
            reports = [s for s in sentences(text) if self._personal_report.search(s) and not self._asking.search(s)]
            if reports:
                found = [Finding(f.source, f.category, f.level, "report", f.sentence) if f.level else f for f in found]
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

    def assess_patterns(self, message: str) -> SafetyResult:
        text = self.normalise(message)
        found = self.findings(text)
        result = SafetyResult(findings=found)
        reports = [f for f in found if f.level and f.mode == "report"]
        if reports:
            result.escalation, result.third_party = self._escalation(reports, text)
        else:
            # a question about a red flag, or a mention that is not one: one warning line
            mentions = [f for f in found if f.mode == "question" or not f.level]
            if mentions:
                category = self.categories[mentions[0].category]
                result.warning = Warning(category.name, category.warning)
        return result

    def assess_similarity(
        self, message: str, encode: Callable[[list[str]], list[np.ndarray]], result: SafetyResult
    ) -> SafetyResult:
        """Escalate on a paraphrase the patterns missed: a reported sentence close to a
        category's examples and clearly closer to them than to any benign statement.
        Skipped when the patterns already escalated or found a question about a red flag."""
        if result.escalation is not None or result.warning is not None or not self._example_vectors:
            return result
        best: tuple[float, str] | None = None
        reported = self.reportable_sentences(message)
        for vector in encode(reported) if reported else []:
            benign = self.benign_similarity(vector)
            for category, score in self.similarities(vector).items():
                if score >= self.similarity_threshold and score - benign >= self.similarity_margin:
                    if best is None or score > best[0]:
                        best = (score, category)
        if best is None:
            return result
        category = self.categories[best[1]]
        level = category.default_level
        text = self.normalise(message)
        third = self._third_party(text, text)
        book = category.third_party if third and level in category.third_party else category.messages
        result.escalation = Escalation(level, category.name, book[level])
        result.third_party = third
        result.findings.append(Finding("similar", category.name, level, "report", text))
        return result

    def reminder(self, history: Sequence[Turn]) -> str | None:
        """A short reminder when an earlier user turn escalated (patterns only)."""
        levels = []
        for turn in history:
            if turn.role == "user":
                earlier = self.assess_patterns(turn.content)
                if earlier.escalation is not None:
                    levels.append(earlier.escalation.level)
        if not levels:
            return None
        level = sorted(levels, key=LEVELS.index)[0]
        return self.reminders[level]
