"""Build, save, check and load the search index under index/.

Files (no pickle anywhere):
- passages.faiss   FAISS IndexFlatIP over normalised passage vectors (cosine scores)
- passages.json    the passages, and the sentence/title units the answer picks from
- units.npy        normalised vectors of those units (loaded with allow_pickle=False)
- manifest.json    corpus sha256, model and version, chunker settings, counts,
                   build time, and a sha256 of each file above

The manifest is written last, so an interrupted build is seen as corrupt, never
silently used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import ChunkerSettings, chunk_corpus
from .corpus import corpus_files, corpus_fingerprint, load_corpus
from .encoder import Encoder, EncoderInfo
from .errors import IndexUnavailable
from .models import Chunk
from .text import split_sentences

SCHEMA = 4
FILES = ("passages.faiss", "passages.json", "units.npy")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Unit:
    """A piece of a passage that search compares with the question on its own:
    one sentence, the item's title, or the heading path the passage sits under."""

    chunk: int  # position of the chunk in LoadedIndex.chunks
    kind: str  # sentence | title | heading
    text: str


@dataclass
class LoadedIndex:
    manifest: dict[str, Any]
    chunks: list[Chunk]
    faiss_index: Any
    units: list[Unit]
    unit_vectors: np.ndarray
    units_of_chunk: list[list[int]]
    positions: dict[str, int] = field(default_factory=dict)
    passage_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), np.float32))

    def __post_init__(self) -> None:
        self.positions = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        n = self.faiss_index.ntotal
        self.passage_vectors = self.faiss_index.reconstruct_n(0, n) if n else np.zeros((0, 384), np.float32)

    @property
    def documents(self) -> list[dict[str, str]]:
        """Each document's path, title and one-line summary (what it covers)."""
        return list(self.manifest.get("documents", []))

    def position_of(self, chunk_id: str) -> int:
        return self.positions[chunk_id]

    def chunk_by_id(self, chunk_id: str) -> Chunk:
        return self.chunks[self.positions[chunk_id]]

    def summary(self) -> dict[str, Any]:
        return index_summary(self.manifest)


def index_summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """What /health says about the index."""
    return {
        "passages": manifest["counts"]["passages"],
        "documents": manifest["counts"]["documents"],
        "model": manifest["model"]["name"],
        "built_at": manifest["built_at"],
        "corpus_sha256": manifest["corpus_sha256"][:12],
    }


@dataclass(frozen=True)
class Status:
    fresh: bool
    reason: str  # "" when fresh


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _save_npy(path: Path, array: np.ndarray) -> None:
    with path.open("wb") as fh:  # a file handle, so numpy does not append ".npy" to the name
        np.save(fh, array, allow_pickle=False)


def unit_embedding_text(chunk: Chunk, unit: Unit) -> str:
    if unit.kind != "sentence" or not chunk.title:
        return unit.text
    return f"{chunk.title}: {unit.text}"


def parent_heading(chunk: Chunk) -> str:
    """The heading path above the passage, without the item's own "N. Title"."""
    return chunk.section.rsplit(" › ", 1)[0] if chunk.title else chunk.section


def make_units(chunks: list[Chunk]) -> list[Unit]:
    units: list[Unit] = []
    for i, chunk in enumerate(chunks):
        units.append(Unit(i, "heading", parent_heading(chunk)))
        if chunk.title:
            units.append(Unit(i, "title", chunk.title))
        units.extend(Unit(i, "sentence", s) for s in split_sentences(chunk.text))
    return units


def expected_settings(chunker: ChunkerSettings, encoder: EncoderInfo | None = None) -> dict[str, Any]:
    """What the manifest must say for the index to be current (cheap: reads encoder.json only)."""
    info = encoder or EncoderInfo.read()
    return {
        "schema": SCHEMA,
        "model": {"name": info.name, "fingerprint": info.fingerprint},
        "chunker": chunker.to_json(),
    }


def read_manifest(index_dir: Path) -> dict[str, Any]:
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexUnavailable(f"no index in {index_dir}/ (run: python -m retrieval build)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["files"], manifest["counts"], manifest["model"]
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexUnavailable(
            f"the index manifest {path} is corrupted (run: python -m retrieval build)"
        ) from exc
    return manifest


def index_status(
    index_dir: Path, corpus_dir: Path, chunker: ChunkerSettings | None = None, encoder: EncoderInfo | None = None
) -> Status:
    """Is index/ current for corpus/ and the encoder? Reads only small files; never loads the model."""
    try:
        manifest = read_manifest(index_dir)
    except IndexUnavailable as exc:
        return Status(False, str(exc))
    expected = expected_settings(chunker or ChunkerSettings(), encoder)
    if manifest.get("schema") != expected["schema"]:
        return Status(False, "the index was built by an older version of this program")
    if manifest["model"].get("fingerprint") != expected["model"]["fingerprint"]:
        return Status(False, "the encoder changed since the index was built")
    if manifest.get("chunker") != expected["chunker"]:
        return Status(False, "the chunking settings changed since the index was built")
    if not corpus_files(corpus_dir):
        return Status(False, f"the corpus folder {corpus_dir}/ has no .md or .txt documents")
    if manifest.get("corpus_sha256") != corpus_fingerprint(corpus_dir):
        return Status(False, "the documents in corpus/ changed since the index was built")
    return Status(True, "")


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    encoder: Encoder | None = None,
    chunker: ChunkerSettings | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Chunk and embed the corpus and write index/. Returns the manifest."""
    import faiss

    started = time.perf_counter()
    chunker = chunker or ChunkerSettings()
    docs = load_corpus(corpus_dir)
    if not docs:
        raise IndexUnavailable(f"the corpus folder {corpus_dir}/ has no .md or .txt documents")
    fingerprint = corpus_fingerprint(corpus_dir)
    chunks = chunk_corpus(docs, chunker)
    if not chunks:
        raise IndexUnavailable(f"the documents in {corpus_dir}/ contain no text to index")
    units = make_units(chunks)
    encoder = encoder or Encoder()

    texts = [c.embedding_text() for c in chunks] + [unit_embedding_text(chunks[u.chunk], u) for u in units]
    unique = list(dict.fromkeys(texts))  # headings repeat; embed each distinct text once
    unique_vectors = encoder.encode(unique, progress=progress)
    row = {text: i for i, text in enumerate(unique)}
    vectors = unique_vectors[[row[t] for t in texts]]
    passage_vectors, unit_vectors = vectors[: len(chunks)], vectors[len(chunks) :]

    index = faiss.IndexFlatIP(passage_vectors.shape[1])
    index.add(passage_vectors)

    index_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "chunks": [c.to_json() for c in chunks],
        "units": [{"chunk": u.chunk, "kind": u.kind, "text": u.text} for u in units],
    }
    writers = {
        "passages.faiss": lambda p: faiss.write_index(index, str(p)),
        "passages.json": lambda p: p.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8"),
        "units.npy": lambda p: _save_npy(p, unit_vectors),
    }
    (index_dir / MANIFEST).unlink(missing_ok=True)  # an interrupted build must not look valid
    file_hashes = {}
    for name, write in writers.items():
        tmp = index_dir / f".{name}.tmp"
        write(tmp)
        os.replace(tmp, index_dir / name)
        file_hashes[name] = _sha256(index_dir / name)

    manifest = {
        **expected_settings(chunker, encoder.info),
        "corpus_sha256": fingerprint,
        "corpus_files": [d.path for d in docs],
        "documents": [{"path": d.path, "title": d.title, "summary": d.summary} for d in docs],
        "counts": {"documents": len(docs), "passages": len(chunks), "units": len(units)},
        "dim": int(passage_vectors.shape[1]),
        "build_seconds": round(time.perf_counter() - started, 2),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": file_hashes,
    }
    manifest["model"]["dim"] = int(passage_vectors.shape[1])
    tmp = index_dir / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, index_dir / MANIFEST)
    return manifest


def load_index(index_dir: Path) -> LoadedIndex:
    """Load and verify index/; any problem is one IndexUnavailable with a one-line message."""
    import faiss

    manifest = read_manifest(index_dir)
    rebuild = "(run: python -m retrieval build)"
    for name in FILES:
        path = index_dir / name
        if not path.is_file():
            raise IndexUnavailable(f"the index file {path} is missing {rebuild}")
        if _sha256(path) != manifest["files"].get(name):
            raise IndexUnavailable(f"the index file {path} is corrupted or was changed {rebuild}")
    try:
        payload = json.loads((index_dir / "passages.json").read_text(encoding="utf-8"))
        chunks = [Chunk.from_json(c) for c in payload["chunks"]]
        units = [Unit(int(u["chunk"]), str(u["kind"]), str(u["text"])) for u in payload["units"]]
        faiss_index = faiss.read_index(str(index_dir / "passages.faiss"))
        unit_vectors = np.load(index_dir / "units.npy", allow_pickle=False)
    except Exception as exc:  # any parse error means the same thing to the person: rebuild
        raise IndexUnavailable(f"the index in {index_dir}/ cannot be read ({type(exc).__name__}) {rebuild}") from exc
    if faiss_index.ntotal != len(chunks) or unit_vectors.shape[0] != len(units):
        raise IndexUnavailable(f"the index in {index_dir}/ is inconsistent {rebuild}")
    units_of_chunk: list[list[int]] = [[] for _ in chunks]
    for i, unit in enumerate(units):
        units_of_chunk[unit.chunk].append(i)
    return LoadedIndex(manifest, chunks, faiss_index, units, unit_vectors, units_of_chunk)
