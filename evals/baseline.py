"""The naive pipeline of a LangChain tutorial, run side by side with ours so every report
shows what the engineering buys.

    corpus/ -> RecursiveCharacterTextSplitter(1000, 200) -> all-MiniLM-L6-v2 as shipped
            (sentence-transformers) -> FAISS top-4 -> the first chunk is the answer

No disclaimer, no escalation, never declines, no citations. Its index is built in
memory at run time from corpus/ (nothing is pickled or saved); a chunk is relevant when
its text contains one of a case's phrases (evals/relevance.py, as for ours).

    python -m evals.baseline "QUESTION"      # one answer object (JSON), for the cold-start benchmark
    python -m evals.baseline --build-only    # split and embed the corpus, then exit
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .sets import ABSTENTION, DISCLAIMER, ESCALATION, RETRIEVAL, WARNING, Case, Reply

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
NAME = "baseline"
DESCRIPTION = (
    "naive LangChain-tutorial RAG: RecursiveCharacterTextSplitter 1000/200, all-MiniLM-L6-v2 as shipped "
    "(sentence-transformers), FAISS top-4, first chunk as the answer"
)


class TutorialEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, as a tutorial uses it (needs the training extra)."""

    def __init__(self) -> None:
        from .train.export import bundled_model_dir, load_sentence_transformer

        self.model = load_sentence_transformer(bundled_model_dir())

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_passages([text])[0]

    def warm_up(self) -> None:
        self.encode_query("warm up")


@dataclass(frozen=True)
class BaselineChunk:
    chunk_id: str
    document: str
    text: str

    def to_passage(self, score: float | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"chunk_id": self.chunk_id, "document": self.document, "section": "", "text": self.text}
        if score is not None:
            out["score"] = round(float(score), 4)
        return out


def split_corpus(corpus_dir: Path) -> list[BaselineChunk]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from retrieval.corpus import load_corpus

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = []
    for d, doc in enumerate(load_corpus(corpus_dir)):
        for i, text in enumerate(splitter.split_text(doc.body)):
            chunks.append(BaselineChunk(f"baseline-{d}-{i:03d}", doc.title, text))
    return chunks


class NaiveRag:
    """Answers like the tutorial; has the Answerer shape of evals/answerers.py."""

    name = NAME
    mode = "in-process"
    capabilities = frozenset({RETRIEVAL, ESCALATION, WARNING, ABSTENTION, DISCLAIMER})

    def __init__(self, chunks: list[BaselineChunk], vectors: np.ndarray, embedder: Any) -> None:
        import faiss

        self.chunks = chunks
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.embedder = embedder
        self.index = faiss.IndexFlatIP(self.vectors.shape[1])
        self.index.add(self.vectors)
        self.notes = [f"baseline: {DESCRIPTION}; it never cites, so citation precision does not apply"]

    @classmethod
    def build(cls, corpus_dir: Path, embedder: Any = None) -> NaiveRag:
        embedder = embedder or TutorialEmbedder()
        chunks = split_corpus(corpus_dir)
        if not chunks:
            raise ValueError(f"no documents in {corpus_dir}")
        rag = cls(chunks, embedder.encode_passages([c.text for c in chunks]), embedder)
        rag.warm_up()
        return rag

    def warm_up(self) -> None:
        """Load the question model now, so the first timed answer does not pay for it."""
        warm = getattr(self.embedder, "warm_up", None)
        if warm is not None:
            warm()

    def search(self, question: str, k: int = TOP_K) -> list[tuple[BaselineChunk, float]]:
        query = np.asarray(self.embedder.encode_query(question), dtype=np.float32).reshape(1, -1)
        scores, rows = self.index.search(query, min(k, len(self.chunks)))
        return [(self.chunks[int(i)], float(s)) for s, i in zip(scores[0], rows[0], strict=True) if i >= 0]

    def answer(self, question: str) -> dict[str, Any]:
        started = time.perf_counter()
        hits = self.search(question)
        text = hits[0][0].text if hits else ""
        return {
            "question": question,
            "answer": text,
            "body": text,
            "citations": [],
            "retrieved": [chunk.to_passage(score) for chunk, score in hits],
            "escalation": None,
            "warning": None,
            "abstained": False,
            "disclaimer": "",
            "latency_ms": round((time.perf_counter() - started) * 1000.0, 2),
        }

    # -- the Answerer shape ----------------------------------------------------
    def passages(self) -> list[dict[str, Any]]:
        return [c.to_passage() for c in self.chunks]

    def ask(self, case: Case, k: int) -> Reply:
        """Always the tutorial's top-4, whatever k; a tutorial chain has no history."""
        started = time.perf_counter()
        answer = self.answer(case.question)
        return Reply(answer, (time.perf_counter() - started) * 1000.0)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mode": self.mode,
            "description": DESCRIPTION,
            "chunks": len(self.chunks),
            "top_k": TOP_K,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.baseline", description=__doc__.split("\n\n")[0])
    parser.add_argument("question", nargs="?")
    parser.add_argument("--build-only", action="store_true", help="split and embed the corpus, then exit")
    parser.add_argument("--corpus", type=Path, default=None, help="default: the settings' corpus folder")
    args = parser.parse_args(argv)
    if not args.build_only and not args.question:
        parser.error("give a QUESTION or --build-only")
    from retrieval.settings import load_settings

    rag = NaiveRag.build(args.corpus or load_settings().corpus_dir)
    if args.build_only:
        print(f"baseline: {len(rag.chunks)} chunks embedded", file=sys.stderr)
        return 0
    print(json.dumps(rag.answer(args.question), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
