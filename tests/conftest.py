"""Shared fixtures.

Unit tests use small inputs and a fake embedder; tests under integration/ use the
real model and index (loaded once per session, built first if missing or stale).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
# a clinic's local settings.toml must not change what the tests see
os.environ["CHATBOT_SETTINGS"] = str(ROOT / "tests" / "no-such-settings.toml")


class FakeEmbedder:
    """Deterministic unit vectors from a hash of the text: no model, milliseconds."""

    def __init__(self, dim: int = 16) -> None:
        from retrieval.encoder import EncoderInfo

        self.dim = dim
        self.info = EncoderInfo("fake", "fake-fingerprint", 256, dim, Path("."), {})

    def _vector(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def encode_queries(self, texts: list[str]) -> list[np.ndarray]:
        return [self._vector(t) for t in texts]

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return self.encode_passages(texts)

    def encode_with_spans(self, text: str, spans) -> tuple[np.ndarray, list[np.ndarray]]:
        return self._vector(text), [self._vector(text[a:b]) for a, b in spans]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def settings():
    from retrieval.settings import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def engine(settings):
    from retrieval.engine import Engine

    return Engine.load(settings, rebuild_if_stale=True)


def pytest_collection_modifyitems(config, items):
    """Every test under tests/integration/ uses the real model and index, and every test
    under tests/browser/ drives chromium: mark them so `make test-fast` can leave them out."""
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT).parts
        if "integration" in parts:
            item.add_marker(pytest.mark.integration)
        if "browser" in parts:
            item.add_marker(pytest.mark.browser)
