"""Text helpers shared by every step: what a person typed made safe, "the same text"
for comparisons, sentences, and word counts.

`fold` is the one definition of "the same text, ignoring case, whitespace, dash and
quote style"; `sentence_spans` is the one sentence splitter (passages at build time,
messages at answer time).
"""

from __future__ import annotations

import re
import unicodedata

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'}
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, NFKC, one kind of dash and quote, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


def clean_input(text: str) -> str:
    """What a person typed, made safe to process: no control characters, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


# Abbreviations that end with a full stop but do not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "dr.", "approx.", "no.")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: a sentence ends at . ! or ? followed by a space or
    the end, or at a line break; "e.g." and the like do not end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n" and text[start:end].casefold().endswith(_ABBREVIATIONS):
            continue
        if text[start:end].strip():
            spans.append(_trimmed(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trimmed(text, start, len(text)))
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the sentence around text[start:end]."""
    for left, right in sentence_spans(text):
        if left <= start < max(right, left + 1) or start < left:
            return left, max(right, end)
    return start, end


_CLAUSE_BREAK = re.compile(
    r"\s*[;:]\s+|\s+-+\s+|,\s+(?=(?:but|and|so|though|although|because|cos|coz|then|now|plus|also|or|which|when|while)\b)"
    r"|\s+(?=(?:but|though|although|however)\b)"
)


def clause_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of `text`, each cut further where a new clause starts (";", ":", " - ",
    ", but", ", and", " but", ...): the parts a message's red flags are looked for in."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        left = start
        for match in _CLAUSE_BREAK.finditer(text, start, end):
            if text[left : match.start()].strip():
                spans.append(_trimmed(text, left, match.start()))
            left = match.end()
        if text[left:end].strip():
            spans.append(_trimmed(text, left, end))
    return spans


def word_count(text: str) -> int:
    """Words as a reader counts them: space-separated tokens with a letter or digit."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))
