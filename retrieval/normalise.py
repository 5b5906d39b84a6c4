"""How a message is normalised before it is matched, scored and searched: fold(), the
text-speak table ("cnt pee" -> "can't pee"), then a spelling repair onto a few
safety-critical words ("urin" -> "urine"). Built once per answer, in question.py.

The same spelling repair, pointed at the corpus vocabulary, serves search expansion
(lexical.py): a word the English dictionary does not know that is close to a known
word is probably a misspelling of it; ordinary English words are never "repaired".
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from rapidfuzz import fuzz, process

from .text import fold

_WORD = re.compile(r"[a-z]+")


@functools.cache
def english_dictionary():
    """pyspellchecker's English word list, loaded once per process."""
    from spellchecker import SpellChecker

    return SpellChecker(distance=1)


class SpellingRepair:
    """A word the English dictionary does not know, and close to one of `choices`, is
    probably a misspelling of it ("urin" -> "urine", "ibuprofin" -> "ibuprofen").
    Ordinary English words are never repaired, so "getting" never becomes "setting"."""

    def __init__(
        self, choices: Iterable[str], min_length: int, min_similarity: float = 85.0, known: Iterable[str] = ()
    ) -> None:
        self._choices = sorted(set(choices))
        self._known = frozenset(self._choices) | frozenset(known)
        self._min_length = min_length
        self._min_similarity = min_similarity

    def closest(self, word: str) -> str | None:
        if len(word) < self._min_length or word in self._known or english_dictionary().known([word]):
            return None
        best = process.extractOne(word, self._choices, scorer=fuzz.ratio, score_cutoff=self._min_similarity)
        return best[0] if best else None


class Normaliser:
    """fold(), then the text-speak table, then the spelling repair."""

    def __init__(
        self,
        replacements: Mapping[str, str],
        fuzzy_words: Iterable[str] = (),
        min_similarity: float = 85.0,
        min_length: int = 4,
    ) -> None:
        table = {fold(k): fold(v) for k, v in replacements.items()}
        keys = sorted(table, key=len, reverse=True)
        self._table = table
        self._pattern = re.compile(r"(?<![\w'])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w'])") if keys else None
        fuzzy = [fold(w) for w in fuzzy_words]
        self._repair = SpellingRepair(fuzzy, min_length, min_similarity) if fuzzy else None

    @classmethod
    def from_file(cls, path: Path) -> Normaliser:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        fuzzy = data.get("fuzzy", {})
        return cls(
            data.get("replace", {}),
            fuzzy.get("words", ()),
            float(fuzzy.get("min_similarity", 85)),
            int(fuzzy.get("min_length", 4)),
        )

    def __call__(self, text: str) -> str:
        folded = fold(text)
        if self._pattern is not None:
            folded = self._pattern.sub(lambda m: self._table[m.group(1)], folded)
        if self._repair is not None:
            folded = _WORD.sub(lambda m: self._repair.closest(m.group(0)) or m.group(0), folded)
        return folded
