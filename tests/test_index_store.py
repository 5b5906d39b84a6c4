"""Index build, verification and staleness, with a fake embedder (no model)."""

from pathlib import Path

import pytest

from retrieval.index_store import IndexUnavailable, build_index, index_status, load_index
from tests.conftest import FakeEmbedder

FAKE_INFO = FakeEmbedder().info


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "doc.md").write_text(
        "# Doc\n\nFirst paragraph. Second sentence.\n\n## Items\n\n1. **Alpha**\n   Alpha text.\n", encoding="utf-8"
    )
    return folder


@pytest.fixture
def built(corpus: Path, fake_embedder) -> Path:
    index_dir = corpus.parent / "index"
    build_index(corpus, index_dir, encoder=fake_embedder, progress=False)
    return index_dir


def test_build_writes_manifest_and_loads_back(built: Path, corpus: Path):
    index = load_index(built)
    assert [c.section for c in index.chunks] == ["Doc", "Items › 1. Alpha"]
    manifest = index.manifest
    assert manifest["counts"] == {"documents": 1, "passages": 2, "units": len(index.units)}
    assert manifest["model"] == {"name": "fake", "fingerprint": "fake-fingerprint", "dim": 16}
    assert manifest["chunker"]["max_chars"] == 700
    assert len(manifest["corpus_sha256"]) == 64
    assert index_status(built, corpus, encoder=FAKE_INFO).fresh
    kinds = {u.kind for u in index.units}
    assert kinds == {"sentence", "title", "heading"}


def test_no_pickle_files(built: Path):
    for path in built.iterdir():
        assert path.suffix in (".faiss", ".json", ".npy"), path
        if path.suffix == ".npy":
            import numpy as np

            np.load(path, allow_pickle=False)  # raises if it needed pickle


def test_changed_corpus_makes_the_index_stale(built: Path, corpus: Path):
    (corpus / "new.txt").write_text("A new clinic leaflet.\n", encoding="utf-8")
    status = index_status(built, corpus, encoder=FAKE_INFO)
    assert not status.fresh
    assert "changed" in status.reason


def test_missing_index_is_one_clear_line(tmp_path: Path, corpus: Path):
    status = index_status(tmp_path / "nowhere", corpus, encoder=FAKE_INFO)
    assert not status.fresh and "python -m retrieval build" in status.reason
    with pytest.raises(IndexUnavailable, match="no index"):
        load_index(tmp_path / "nowhere")


@pytest.mark.parametrize("victim", ["passages.json", "passages.faiss", "units.npy"])
def test_corrupted_file_is_detected(built: Path, victim: str):
    path = built / victim
    path.write_bytes(path.read_bytes()[:-7] + b"garbage")
    with pytest.raises(IndexUnavailable) as err:
        load_index(built)
    assert "corrupted" in str(err.value) and "\n" not in str(err.value)


def test_corrupted_manifest_is_detected(built: Path, corpus: Path):
    (built / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="manifest"):
        load_index(built)
    assert not index_status(built, corpus, encoder=FAKE_INFO).fresh


def test_interrupted_build_is_never_used(built: Path, corpus: Path, fake_embedder, monkeypatch):
    import retrieval.index_store as store

    def boom(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "_save_npy", boom)
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, built, encoder=fake_embedder, progress=False)
    with pytest.raises(IndexUnavailable):
        load_index(built)


def test_empty_corpus_cannot_be_built(tmp_path: Path, fake_embedder):
    (tmp_path / "c").mkdir()
    with pytest.raises(IndexUnavailable, match="no .md or .txt"):
        build_index(tmp_path / "c", tmp_path / "i", encoder=fake_embedder, progress=False)
