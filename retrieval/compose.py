"""Compose the cited body of an answer from the top passages (extractive).

Only sentences that stand in the passages are used, word for word. A sentence
from a numbered item is introduced by the item's title ("Acetaminophen
(Analgesic): 500–1,000 mg ...") so it makes sense on its own; nothing else is
added. Every sentence ends with the [n] of the passage it came from, and
citations are numbered in the order they first appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .index_store import LoadedIndex
from .models import Citation, Passage
from .search import SearchResult
from .text import word_count

_FIELD_LINE = re.compile(r"^([A-Z][a-z]+): (.+)$", re.DOTALL)


@dataclass(frozen=True)
class ComposeSettings:
    max_sentences: int = 4
    max_words: int = 120
    from_passages: int = 3  # sentences are taken from this many top passages
    passage_weight: float = 0.35  # how much a passage's rank score lifts its sentences
    min_relative: float = 0.85  # a further sentence must score this share of the best one
    redundancy: float = 0.8  # a sentence this similar to a chosen one adds nothing


@dataclass(frozen=True)
class Sentence:
    passage: Passage
    unit: int  # position in LoadedIndex.units
    order: int  # position of the sentence inside its passage
    text: str


def _lead(passage: Passage) -> str:
    """What introduces a sentence from this passage: the item's title (a FAQ item's question)
    or, for a bare list item, its heading."""
    chunk = passage.chunk
    if chunk.title:
        return chunk.title
    if chunk.kind in ("item", "bullet"):
        return chunk.section.rsplit(" › ", 1)[-1]
    return ""


def render_sentence(sentence: str, lead: str, n: int) -> str:
    """`lead: sentence [n].` with the marker before the closing punctuation."""
    text = sentence.strip()
    if lead and lead.casefold() not in text.casefold():
        if lead.endswith("?"):
            text = f"{lead} {text}"
        elif m := _FIELD_LINE.match(text):
            text = f"{lead} ({m.group(1).lower()}): {m.group(2)}"
        else:
            text = f"{lead}: {text}"
    if text[-1:] in ".!?;:":
        return f"{text[:-1]} [{n}]{text[-1] if text[-1] in '.!?' else '.'}"
    return f"{text} [{n}]."


def candidate_sentences(result: SearchResult, index: LoadedIndex, settings: ComposeSettings) -> list[Sentence]:
    out = []
    for passage in result.passages[: settings.from_passages]:
        unit_ids = index.units_of_chunk[index.position_of(passage.chunk.chunk_id)]
        sentence_ids = [u for u in unit_ids if index.units[u].kind == "sentence"]
        out.extend(Sentence(passage, u, order, index.units[u].text) for order, u in enumerate(sentence_ids))
    return out


def select(result: SearchResult, index: LoadedIndex, settings: ComposeSettings) -> list[Sentence]:
    """Pick relevant, non-redundant sentences within the word budget.

    The first is the best sentence of the top passage: search ranks passages with
    more evidence than one sentence's similarity, so the answer starts there.
    """
    candidates = candidate_sentences(result, index, settings)
    if not candidates:
        return []
    top_score = max(result.passages[0].score, 1e-6)
    vectors = index.unit_vectors[[c.unit for c in candidates]]
    relevance = vectors @ result.query_vector + settings.passage_weight * np.array(
        [c.passage.score / top_score for c in candidates], dtype=np.float32
    )
    top_id = result.passages[0].chunk.chunk_id
    from_top = [i for i, c in enumerate(candidates) if c.passage.chunk.chunk_id == top_id]
    chosen: list[int] = [max(from_top, key=lambda i: relevance[i])] if from_top else [int(np.argmax(relevance))]
    words = word_count(candidates[chosen[0]].text)
    best = float(relevance[chosen[0]])
    for i in np.argsort(-relevance):
        i = int(i)
        if len(chosen) >= settings.max_sentences:
            break
        if i in chosen or relevance[i] < settings.min_relative * best:
            continue
        if float(np.max(vectors[chosen] @ vectors[i])) >= settings.redundancy:
            continue
        extra = word_count(candidates[i].text) + word_count(_lead(candidates[i].passage))
        if words + extra > settings.max_words:
            continue
        chosen.append(i)
        words += extra
    rank = {p.chunk.chunk_id: r for r, p in enumerate(result.passages)}
    picked = [candidates[i] for i in chosen]
    return sorted(picked, key=lambda s: (rank[s.passage.chunk.chunk_id], s.order))


def compose(result: SearchResult, index: LoadedIndex, settings: ComposeSettings) -> tuple[str, list[Citation]]:
    """The cited answer body (Markdown) and its citations in marker order."""
    sentences = select(result, index, settings)
    citations: list[Citation] = []
    number: dict[str, int] = {}
    rendered: list[tuple[str, str]] = []  # (chunk id, text)
    for s in sentences:
        cid = s.passage.chunk.chunk_id
        if cid not in number:
            number[cid] = len(number) + 1
            citations.append(Citation.numbered(number[cid], s.passage))
            lead = _lead(s.passage)
        else:
            lead = ""
        rendered.append((cid, render_sentence(s.text, lead, number[cid])))
    list_items = {cid for cid, _ in rendered if index.chunk_by_id(cid).kind in ("item", "bullet")}
    if len(list_items) >= 2:
        lines: list[str] = []
        previous = None
        for cid, text in rendered:
            if cid == previous:
                lines[-1] = f"{lines[-1]} {text}"
            else:
                lines.append(f"- {text}")
            previous = cid
        return "\n".join(lines), citations
    return " ".join(text for _, text in rendered), citations
