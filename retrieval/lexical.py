"""Word-based search: BM25 (bm25s, Snowball stemming, English stopwords) and the
question expansion that maps patients' words onto the article's words.

Expansion never removes what the person typed; it only appends:
- the article's terms for lay words in data/lay_terms.toml (paracetamol -> acetaminophen);
- the corpus word closest to a misspelt word (ibuprofin -> ibuprofen). Words that
  are ordinary English (pyspellchecker's word list) are never "corrected", so
  "getting" does not become "setting".
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from .models import Chunk
from .normalise import SpellingRepair
from .text import fold

_WORD = re.compile(r"[a-z][a-z0-9'-]+")
_STEMMER = Stemmer.Stemmer("english")


def _tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(
        [fold(t) for t in texts], stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )


class LexicalIndex:
    """BM25 over heading path + text of every passage; built in memory at load (milliseconds)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        corpus = [c.embedding_text() for c in chunks]
        self._bm25 = bm25s.BM25()
        self._bm25.index(
            bm25s.tokenize([fold(t) for t in corpus], stopwords="en", stemmer=_STEMMER, show_progress=False),
            show_progress=False,
        )
        self.size = len(chunks)
        self.vocabulary = frozenset(w for text in corpus for w in _WORD.findall(fold(text)))
        self.stem_vocabulary = frozenset(stem for tokens in _tokenize(corpus) for stem in tokens)

    @staticmethod
    def stems(text: str) -> list[str]:
        """The text's words as BM25 sees them: stemmed, without English stopwords."""
        return _tokenize([text])[0]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when no word matches)."""
        tokens = _tokenize([query])[0]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)


class QueryExpander:
    def __init__(self, lay_terms: dict[str, str], vocabulary: frozenset[str], min_similarity: float = 85.0):
        self._lay = {fold(k): v for k, v in lay_terms.items()}
        phrases = sorted(self._lay, key=len, reverse=True)
        self._lay_pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])") if phrases else None
        )
        self._spelling = SpellingRepair(
            (w for w in vocabulary if len(w) >= 5), min_length=6, min_similarity=min_similarity,
            known=vocabulary | self._lay.keys(),
        )

    @classmethod
    def from_file(cls, path: Path, vocabulary: frozenset[str]) -> QueryExpander:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(data.get("expand", {}), vocabulary)

    def lay_additions(self, folded: str) -> list[str]:
        if self._lay_pattern is None:
            return []
        return [self._lay[m.group(1)] for m in self._lay_pattern.finditer(folded)]

    def spelling_additions(self, folded: str) -> list[str]:
        """Corpus words that unknown long words are probably misspellings of."""
        found = (self._spelling.closest(word) for word in set(_WORD.findall(folded)))
        return sorted(word for word in found if word)

    def expand(self, question: str) -> str:
        folded = fold(question)
        additions = self.lay_additions(folded) + self.spelling_additions(folded)
        return f"{question} {' '.join(additions)}" if additions else question
