"""Does the answer hold what was asked? Kinds of fact from data/answerability.toml.

A question the documents cover can still ask for something they never state: how long
recovery takes, a success rate, a cost, how many sessions, or about a treatment or
medicine no document names. The reply then says first what the documents do not say,
and gives what they do say, cited (coverage "partial"). A question about a medicine no
document mentions is not covered at all.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .models import Citation
from .settings import DATA_DIR


@dataclass(frozen=True)
class Fact:
    kind: str
    asks: tuple[re.Pattern[str], ...]
    states: tuple[re.Pattern[str], ...]
    missing: str
    must_match: tuple[str, ...]
    must_not_match: tuple[str, ...]

    def asked(self, question: str) -> bool:
        return any(p.search(question) for p in self.asks)


class Answerability:
    def __init__(self, path: Path | None = None) -> None:
        data = tomllib.loads((path or DATA_DIR / "answerability.toml").read_text(encoding="utf-8"))
        self.facts = tuple(
            Fact(
                f["kind"],
                tuple(re.compile(p) for p in f["asks"]),
                tuple(re.compile(p) for p in f["states"]),
                f["missing"],
                tuple(f.get("must_match", ())),
                tuple(f.get("must_not_match", ())),
            )
            for f in data["facts"]
        )
        medication = data["medication"]
        self._asks_medication = re.compile(medication["asks"])
        self._dose = re.compile(medication["dose"])
        self._medicine = re.compile(medication["medicine"])
        self._treatment = re.compile(medication["treatment"])
        # words that ask (treat, cost, tablets, ...) are never the name of a treatment
        self._asking = (self._treatment, self._medicine, self._asks_medication, *(p for f in self.facts for p in f.asks))

    def unnamed_treatments(self, question: str, unknown_terms: Sequence[str]) -> list[str]:
        """The words no document uses that the question treats as a treatment or medicine."""
        words = question.split()
        out = []
        for term in unknown_terms:
            if any(p.search(term) for p in self._asking):
                continue
            at = [i for i, w in enumerate(words) if term in w]
            near = " ".join(w for i in at for w in words[max(0, i - 3) : i + 4])
            if at and self._treatment.search(near):
                out.append(term)
        return out

    def missing(self, question: str, cited: Sequence[Citation], unknown_terms: Sequence[str]) -> str | None:
        """What the documents do not say that the question asks, or None when the answer holds it."""
        text = "\n".join(c.text for c in cited).lower()
        lines = [f.missing for f in self.facts if f.asked(question) and not any(p.search(text) for p in f.states)]
        unnamed = self.unnamed_treatments(question, unknown_terms)
        if unnamed:
            lines.insert(0, f"The documents do not mention {_listed(unnamed)}.")
        return " ".join(lines) or None

    def about_unknown_medicine(self, question: str, unknown_terms: Sequence[str]) -> bool:
        """Asks about a medicine no document mentions (its name is one of the unknown terms)."""
        return bool(self.unnamed_treatments(question, unknown_terms)) and bool(self._medicine.search(question))

    def medication_notice_applies(self, question: str, cited: Sequence[Citation]) -> bool:
        """Asks about taking a medicine, and the answer gives a dose."""
        return bool(self._asks_medication.search(question)) and any(self._dose.search(c.text) for c in cited)


def _listed(terms: Sequence[str]) -> str:
    quoted = [f'"{t}"' for t in terms]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
