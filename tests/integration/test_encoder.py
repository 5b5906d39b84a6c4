"""The torch-free encoder against sentence-transformers (cosine >= 0.999)."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.encoder import Encoder, EncoderInfo
from retrieval.text import clause_spans

MIN_COSINE = 0.999


def test_shipped_encoder_matches_its_sentence_transformers_vectors():
    """parity.npy holds the vectors sentence-transformers gave the parity texts (the dev
    questions) when the shipped model was exported; the ONNX runtime must give the same."""
    info = EncoderInfo.read()
    texts = info.about["parity"]["texts"]
    reference = np.load(info.folder / info.about["parity"]["file"], allow_pickle=False)
    encoder = Encoder(threads=2)
    batch = encoder.encode(texts)
    single = np.stack(encoder.encode_queries(texts))
    assert len(texts) >= 100
    assert float((batch * reference).sum(axis=1).min()) >= MIN_COSINE
    assert float((single * reference).sum(axis=1).min()) >= MIN_COSINE


def test_the_export_reproduces_sentence_transformers(tmp_path):
    """Export the bundled model with the training command's code and compare it with
    sentence-transformers on the dev questions, long and odd inputs included."""
    pytest.importorskip("sentence_transformers")
    from evals.sets import SETS_DIR, load_set
    from evals.train.export import bundled_model_dir, export, load_sentence_transformer

    texts = [c.question for c in load_set(SETS_DIR / "retrieval" / "alder.jsonl").cases]
    texts += ["", "x " * 400, "émoji 🙂 ünïcode", "cnt pee since this morning!!"]
    export(bundled_model_dir(), tmp_path, "bundled", {}, texts[:5])
    ours = Encoder(tmp_path, threads=2).encode(texts)
    theirs = load_sentence_transformer(bundled_model_dir()).encode(texts, normalize_embeddings=True)
    assert float((ours * theirs).sum(axis=1).min()) >= MIN_COSINE


def test_parts_come_from_the_same_pass_and_long_messages_are_read_in_windows():
    encoder = Encoder(threads=2)
    text = "no numbness but i cant feel when i wipe. what stretches help?"
    vector, parts = encoder.encode_with_spans(text, clause_spans(text))
    assert np.allclose(vector, encoder.encode([text])[0], atol=1e-5)
    assert len(parts) == 3 and all(abs(float(np.linalg.norm(p)) - 1) < 1e-4 for p in parts)
    long = " ".join(["My back has ached for years and the physio helps a bit."] * 40) + " Now i cant feel it when i wipe."
    spans = clause_spans(long)
    vector, parts = encoder.encode_with_spans(long, spans)
    last = encoder.encode(["Now i cant feel it when i wipe."])[0]
    assert float(np.linalg.norm(parts[-1])) > 0.99 and float(parts[-1] @ last) > 0.6  # read, not cut off
    assert np.allclose(vector, encoder.encode([long])[0], atol=1e-5)  # the message's own vector: its first window
