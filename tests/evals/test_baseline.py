"""The naive tutorial pipeline, on a tiny corpus with the fake embedder."""

import pytest

from evals.baseline import CHUNK_OVERLAP, CHUNK_SIZE, TOP_K, NaiveRag, split_corpus

from .conftest import make_case


@pytest.fixture
def corpus(tmp_path):
    paragraphs = [f"Paragraph {i}: " + " ".join(f"word{i}x{j}" for j in range(12)) for i in range(40)]
    (tmp_path / "doc.md").write_text("# Title\n\n" + "\n\n".join(paragraphs) + "\n")
    (tmp_path / "second.md").write_text("# Second\n\nA short second document.\n")
    return tmp_path


def test_splits_each_document_at_1000_characters_with_overlap(corpus):
    chunks = split_corpus(corpus)
    assert (CHUNK_SIZE, CHUNK_OVERLAP, TOP_K) == (1000, 200, 4)
    assert all(len(c.text) <= CHUNK_SIZE for c in chunks)
    assert {c.document for c in chunks} == {"Title", "Second"}
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    first_doc = [c for c in chunks if c.document == "Title"]
    assert len(first_doc) > 4
    # every chunk after the first starts with text the one before ends with (the overlap)
    assert all(first_doc[i + 1].text[:40] in first_doc[i].text for i in range(len(first_doc) - 1))


def test_answers_with_the_first_of_four_chunks_and_nothing_else(corpus, fake_embedder):
    rag = NaiveRag.build(corpus, fake_embedder)
    target = rag.chunks[3]
    reply = rag.ask(make_case(question=target.text), k=10)  # k is ignored: always the top 4
    answer = reply.answer
    assert len(answer["retrieved"]) == TOP_K
    assert answer["retrieved"][0]["chunk_id"] == target.chunk_id  # same text, same vector
    assert answer["answer"] == target.text
    assert answer["citations"] == [] and answer["escalation"] is None and answer["warning"] is None
    assert answer["abstained"] is False and answer["disclaimer"] == ""
    assert reply.latency_ms > 0


def test_judged_on_its_own_chunks(corpus, fake_embedder):
    rag = NaiveRag.build(corpus, fake_embedder)
    passages = rag.passages()
    assert len(passages) == len(rag.chunks) and all(p["section"] == "" for p in passages)
    assert "citations" not in rag.capabilities and "disclaimer" in rag.capabilities


def test_an_empty_corpus_is_an_error(tmp_path, fake_embedder):
    with pytest.raises(ValueError, match="no documents"):
        NaiveRag.build(tmp_path, fake_embedder)
