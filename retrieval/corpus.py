"""Read the documents under corpus/: every .md and .txt file, at any depth.

A clinic adds a document by dropping a file into the folder; nothing else changes.
An optional front matter block (`---` lines with `key: value`) can give the `title` and
a one-line `summary`; otherwise the title is the first heading and the summary the
first paragraph's first sentence.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .models import Document
from .text import split_sentences

SUFFIXES = (".md", ".txt")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every document file, in a stable order; hidden files and folders are skipped."""
    files = [
        p
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    ]
    return sorted(files, key=lambda p: p.relative_to(corpus_dir).as_posix())


def parse_document(text: str, rel_path: str) -> Document:
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    meta: dict[str, str] = {}
    if m := _FRONT_MATTER.match(text):
        for line in m.group(1).split("\n"):
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip()] = value.strip()
        text = text[m.end() :]
    title = meta.get("title", "")
    if not title and (h1 := _H1.search(text)):
        title = h1.group(1)
    if not title:
        title = Path(rel_path).stem.replace("-", " ").replace("_", " ").strip().capitalize()
    return Document(path=rel_path, title=title, summary=meta.get("summary") or _first_sentence(text), body=text)


def _first_sentence(body: str) -> str:
    """The first sentence of the first plain paragraph (not a heading, list or comment)."""
    for block in re.split(r"\n\s*\n", body):
        block = _COMMENT.sub("", block).strip()
        if block and not block.startswith(("#", "-", "*", "+", "|", ">")) and not block[:1].isdigit():
            sentences = split_sentences(" ".join(block.split()))
            return sentences[0] if sentences else ""
    return ""


def load_corpus(corpus_dir: Path) -> list[Document]:
    docs = []
    for path in corpus_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        docs.append(parse_document(path.read_text(encoding="utf-8", errors="replace"), rel))
    return docs


def corpus_fingerprint(corpus_dir: Path) -> str:
    """sha256 over every document's relative path and bytes: changes when any file does."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.relative_to(corpus_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
