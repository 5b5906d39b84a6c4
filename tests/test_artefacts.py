"""The learned artefacts' manifest (retrieval/data/artefacts.json, written by `python -m
evals train`) matches what is checked in: each artefact's sha256, the encoder every model
was built on, and the data it was trained on. A training set edited without retraining, or
an artefact edited by hand, fails here."""

import json
from pathlib import Path

import pytest

from retrieval.encoder import CONFIG_FILE, ENCODER_DIR, MODEL_FILE, file_sha256
from retrieval.safety import MODEL_FILE as RED_FLAG_MODEL
from retrieval.scope import MODEL_FILE as SCOPE_MODEL
from retrieval.settings import DATA_DIR

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((DATA_DIR / "artefacts.json").read_text(encoding="utf-8"))
SHARED = ROOT.parent / "shared" / "data"  # MedQuAD lives outside the project (see README)


def read(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(MANIFEST["artefacts"]))
def test_every_artefact_is_the_one_the_manifest_records(name):
    assert file_sha256(DATA_DIR / name) == MANIFEST["artefacts"][name], f"{name} changed since `python -m evals train`"


def test_every_model_reads_the_shipped_encoder():
    fingerprint = file_sha256(ENCODER_DIR / MODEL_FILE)
    assert json.loads((ENCODER_DIR / CONFIG_FILE).read_text(encoding="utf-8"))["model_sha256"] == fingerprint
    assert MANIFEST["encoder_sha256"] == fingerprint
    for name in (RED_FLAG_MODEL, SCOPE_MODEL):
        assert read(name)["encoder_sha256"] == fingerprint, name


def test_one_seeded_run_made_them_all():
    runs = {(read(n)["seed"], read(n)["trained_at"]) for n in (RED_FLAG_MODEL, SCOPE_MODEL)}
    config = json.loads((ENCODER_DIR / CONFIG_FILE).read_text(encoding="utf-8"))
    runs.add((config["seed"], config["trained_at"]))
    assert runs == {(MANIFEST["seed"], MANIFEST["trained_at"])}
    assert MANIFEST["generated_by"] == "python -m evals train"


def test_the_training_data_is_what_is_checked_in():
    for name in (RED_FLAG_MODEL, SCOPE_MODEL):
        assert read(name)["data_sha256"] == MANIFEST["data_sha256"], name
    in_project = {n: h for n, h in MANIFEST["data_sha256"].items() if "/" in n}
    assert len(in_project) >= 30, "the writers' sets are recorded"
    changed = [n for n, h in in_project.items() if file_sha256(ROOT / n) != h]
    assert not changed, f"trained on other versions of {changed}: run `python -m evals train`"
    assert not any("sealed/" in n or "/holdout" in n for n in in_project), "nothing sealed was trained on"


def test_medquad_is_the_recorded_file_where_it_is_present():
    outside = {n: h for n, h in MANIFEST["data_sha256"].items() if "/" not in n}
    assert list(outside) == ["medquad_questions.jsonl"]
    path = SHARED / "medquad_questions.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is not on this machine")
    assert file_sha256(path) == outside["medquad_questions.jsonl"]
