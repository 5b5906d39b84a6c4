"""Shared machinery for the rule files (red_flags.toml, scope.toml): how typed text is
normalised before matching, and how patterns with {VOCAB} words are compiled."""

from __future__ import annotations

import functools
import re
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path

from rapidfuzz import fuzz, process

from .textnorm import fold

_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")
_SENTENCE_END = re.compile(r"[.?!\n]+")
_WORD = re.compile(r"[a-z]+")
_CACHE_SIZE = 4096


class RuleFileError(ValueError):
    pass


def expand(pattern: str, vocab: Mapping[str, str]) -> str:
    """Replace {NAME} by the vocabulary entry, recursively; unknown names are an error."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in vocab:
            raise RuleFileError(f"unknown vocabulary word {{{name}}} in pattern {pattern!r}")
        return f"(?:{expand(vocab[name], vocab)})"

    return _MACRO.sub(replace, pattern)


def compile_all(patterns: Iterable[str], vocab: Mapping[str, str]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(expand(pattern, vocab)))
        except re.error as exc:
            raise RuleFileError(f"bad pattern {pattern!r}: {exc}") from exc
    return tuple(compiled)


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
    """fold(), the text-speak table ("cnt pee" -> "can't pee"), then a spelling repair:
    a word the English dictionary does not know that is close to one of a few
    safety-critical words becomes that word ("urin" -> "urine")."""

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
        self._cache: OrderedDict[str, str] = OrderedDict()  # one answer normalises the same text several times
        self._lock = threading.Lock()

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
        with self._lock:
            if (cached := self._cache.get(text)) is not None:
                return cached
        folded = fold(text)
        if self._pattern is not None:
            folded = self._pattern.sub(lambda m: self._table[m.group(1)], folded)
        if self._repair is not None:
            folded = _WORD.sub(lambda m: self._repair.closest(m.group(0)) or m.group(0), folded)
        with self._lock:
            self._cache[text] = folded
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return folded


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence around text[start:end]."""
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    right_match = _SENTENCE_END.search(text, end)
    return left, right_match.start() if right_match else len(text)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
