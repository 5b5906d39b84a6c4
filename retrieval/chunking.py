"""Cut documents into passages along their own structure.

One passage per numbered item, bullet or paragraph. A titled numbered item
(`1. **Title**` followed by indented lines) becomes one passage whose heading path
ends with "1. Title"; its sub-fields ("Description: ...") stay on their own lines.
Passages longer than `max_chars` are split at sentence ends with LangChain's
RecursiveCharacterTextSplitter.

Headings are parsed here rather than with MarkdownHeaderTextSplitter because that
splitter drops indentation and blank lines, and those are what tell an item's body
from the next paragraph.

Ids come from the document path, the heading path without item numbers, and the
text, so they survive reordering and renumbering of items.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .models import Chunk, Document

SEPARATOR = " › "
DEFAULT_MAX_CHARS = 700

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ORDERED = re.compile(r"^(\d+)[.)]\s+(.*)$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_BOLD_TITLE = re.compile(r"^\*\*(.+?)\*\*:?\s*$")
_FIELD = re.compile(r"^(?:[-*+]\s+)?\*\*([^*]+?):\*\*\s*(.*)$")
_COMMENT = re.compile(r"\s*<!--(.*?)-->", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_ITEM_NUMBER = re.compile(r"^\d+[.)]\s*")
# a sentence end, with an optional sources comment that belongs to that sentence
_SENTENCE_SEP = r"(?<=[.!?;])(?:\s*<!--.*?-->)?\s+(?=[A-Z0-9\"'(])"


@dataclass(frozen=True)
class ChunkerSettings:
    max_chars: int = DEFAULT_MAX_CHARS

    def to_json(self) -> dict[str, object]:
        return {"max_chars": self.max_chars, "split_at": "sentence ends", "unit": "item/bullet/paragraph"}


@dataclass
class _Block:
    kind: str  # paragraph | item | bullet
    path: tuple[str, ...]
    lines: list[str]
    number: str = ""


def _is_block_start(line: str) -> bool:
    return bool(_HEADING.match(line) or _ORDERED.match(line) or _BULLET.match(line))


def _blocks(body: str, title: str) -> Iterator[_Block]:
    lines = body.split("\n")
    headings: dict[int, str] = {}
    i, n = 0, len(lines)
    while i < n:
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        if m := _HEADING.match(line):
            level, text = len(m.group(1)), m.group(2).strip()
            headings = {k: v for k, v in headings.items() if k < level}
            if not (level == 1 and text == title):
                headings[level] = text
            i += 1
            continue
        path = tuple(headings[k] for k in sorted(headings))
        if (m := _ORDERED.match(line)) or (m := _BULLET.match(line)):
            ordered = m.re is _ORDERED
            collected = [m.group(2) if ordered else m.group(1)]
            i += 1
            while i < n:
                nxt = lines[i].rstrip()
                if not nxt.strip():
                    j = i
                    while j < n and not lines[j].strip():
                        j += 1
                    if j < n and lines[j].startswith((" ", "\t")):
                        i = j
                        continue
                    break
                if not nxt.startswith((" ", "\t")) and _is_block_start(nxt):
                    break
                collected.append(nxt.strip())
                i += 1
            kind = "item" if ordered else "bullet"
            yield _Block(kind, path, collected, number=m.group(1) if ordered else "")
            continue
        collected = []
        while i < n and lines[i].strip() and not (collected and _is_block_start(lines[i])):
            collected.append(lines[i].strip())
            i += 1
        yield _Block("paragraph", path, collected)


def _plain(text: str) -> str:
    """Inline Markdown to plain text; sources comments are kept for later."""
    return _EMPHASIS.sub("", _LINK.sub(r"\1", text)).strip()


def _join(lines: list[str]) -> str:
    """Join wrapped lines with spaces; sub-field lines stay on lines of their own."""
    out: list[str] = []
    after_field = False
    for raw in lines:
        if m := _FIELD.match(raw):
            out.append(f"{m.group(1)}: {_plain(m.group(2))}")
            after_field = True
        elif out and not after_field:
            out[-1] = f"{out[-1]} {_plain(raw)}"
        else:
            out.append(_plain(raw))
            after_field = False
    return "\n".join(out)


def _split_sources(text: str) -> tuple[str, tuple[str, ...]]:
    sources: list[str] = []
    for comment in _COMMENT.findall(text):
        key, sep, value = comment.strip().partition(":")
        if sep and key.strip().lower() == "sources":
            sources += [s.strip() for s in value.split(";") if s.strip()]
    clean = _COMMENT.sub("", text)
    return re.sub(r"[ \t]+", " ", clean).strip(), tuple(dict.fromkeys(sources))


def _chunk_id(doc_path: str, section: str, text: str) -> str:
    stable_section = SEPARATOR.join(_ITEM_NUMBER.sub("", part) for part in section.split(SEPARATOR))
    key = "\x1f".join((doc_path, stable_section, text))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def chunk_document(doc: Document, settings: ChunkerSettings | None = None) -> list[Chunk]:
    settings = settings or ChunkerSettings()
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=settings.max_chars,
        chunk_overlap=0,
        separators=["\n", _SENTENCE_SEP],
        is_separator_regex=True,
        keep_separator="end",
        length_function=lambda s: len(_COMMENT.sub("", s)),
    )
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for block in _blocks(doc.body, doc.title):
        item_title = ""
        body_lines = block.lines
        if block.kind == "item" and len(block.lines) > 1 and (m := _BOLD_TITLE.match(block.lines[0])):
            item_title, body_lines = _plain(m.group(1)), block.lines[1:]
        path = list(block.path) or [doc.title]
        if item_title:
            path.append(f"{block.number}. {item_title}")
        section = SEPARATOR.join(path)
        kind = "faq" if item_title.endswith("?") else block.kind
        raw = _join(body_lines)
        pieces = [raw] if len(_COMMENT.sub("", raw)) <= settings.max_chars else splitter.split_text(raw)
        for piece in pieces:
            text, sources = _split_sources(piece)
            if not text:
                continue
            chunk_id = _chunk_id(doc.path, section, text)
            if chunk_id in seen:  # the same text twice under one heading
                seen[chunk_id] += 1
                chunk_id = f"{chunk_id}-{seen[chunk_id]}"
            else:
                seen[chunk_id] = 0
            chunks.append(
                Chunk(
                    chunk_id=chunk_id,
                    document=doc.title,
                    doc_path=doc.path,
                    section=section,
                    text=text,
                    kind=kind,
                    title=item_title,
                    sources=sources,
                )
            )
    return chunks


def chunk_corpus(docs: list[Document], settings: ChunkerSettings | None = None) -> list[Chunk]:
    return [chunk for doc in docs for chunk in chunk_document(doc, settings)]
