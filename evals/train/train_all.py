"""python -m evals train --medquad PATH [--seed 13] [--work build/train]

Rebuilds every learned artefact from data, in order, with one seed (pipeline.py), on every
training writer of sets/writers.toml (holdout and sealed writers are never read), and
writes them into retrieval/data/:

    encoder/              model.onnx, tokenizer.json, encoder.json (with parity.npy)
    red_flag_model.json   the red-flag detector and its cut-offs
    scope_model.json      the scope decision and its cut-off
    tuning.toml           the fusion weights [search] and how answers are composed [compose]
    artefacts.json        the manifest: each artefact's sha256, the encoder it reads, and
                          the sha256 of every data file it was trained on (checked in CI)

Needs the training extra (`pip install -e '.[train]'`) and MedQuAD's questions (see README,
"Training data"); takes about half an hour on two cores. Run `python -m retrieval build`
afterwards (make run does it: the index is stale once the encoder changes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
from pathlib import Path

from retrieval.encoder import CONFIG_FILE, ENCODER_DIR, MODEL_FILE, TOKENIZER_FILE, file_sha256
from retrieval.safety import MODEL_FILE as RED_FLAG_MODEL
from retrieval.scope import MODEL_FILE as SCOPE_MODEL
from retrieval.scope import model_data
from retrieval.settings import DATA_DIR, load_settings

from ..sets import writer_sets
from .data import data_hashes
from .export import PARITY_FILE
from .pipeline import SEED, Trained, train
from .tune import write_weights

MANIFEST = "artefacts.json"


def training_files(medquad: Path) -> list[Path]:
    files = [p for task in ("safety", "retrieval", "scope") for p in writer_sets(task).values()]
    return [*files, medquad]


def save_models(trained: Trained, folder: Path, made: dict, hashes: dict) -> None:
    """red_flag_model.json, scope_model.json and tuning.toml's learned sections, into `folder`."""
    fingerprint = trained.encoder.fingerprint
    detector = trained.detector
    red_flags = {
        "about": "The red-flag detector (retrieval/detector.py). Written by `python -m evals train`; do not edit by hand.",
        **made,
        "encoder_sha256": fingerprint,
        "data_sha256": hashes,
        "classes": list(detector.classes),
        "cut_offs": json.loads(json.dumps(detector.cut_offs, default=float)),
        "intercept": [round(float(v), 6) for v in detector.intercept],
        "coef": [[round(float(v), 6) for v in row] for row in detector.coef],
    }
    (folder / RED_FLAG_MODEL).write_text(json.dumps(red_flags) + "\n", encoding="utf-8")
    scope = model_data(trained.scope, {"about": "The scope decision (retrieval/scope.py). Written by `python -m evals "
                                       "train`; do not edit by hand.", **made, "data_sha256": hashes,
                                       **trained.about["scope"]})
    (folder / SCOPE_MODEL).write_text(json.dumps(scope, indent=1) + "\n", encoding="utf-8")
    if not (folder / "tuning.toml").is_file():
        shutil.copyfile(DATA_DIR / "tuning.toml", folder / "tuning.toml")
    write_weights(trained.weights, folder / "tuning.toml")
    write_weights(trained.composing, folder / "tuning.toml", section="compose")


def write_artefacts(trained: Trained, work: Path, medquad: Path, seed: int) -> dict:
    hashes = data_hashes(training_files(medquad))
    made = {"seed": seed, "generated_by": "python -m evals train", "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    ENCODER_DIR.mkdir(parents=True, exist_ok=True)
    for name in (MODEL_FILE, TOKENIZER_FILE, PARITY_FILE):
        shutil.copyfile(work / "encoder" / name, ENCODER_DIR / name)
    config = json.loads((work / "encoder" / CONFIG_FILE).read_text(encoding="utf-8"))
    config.update(made, data_sha256=hashes)
    (ENCODER_DIR / CONFIG_FILE).write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    save_models(trained, DATA_DIR, made, hashes)
    manifest = {
        **made,
        "encoder_sha256": trained.encoder.fingerprint,
        "data_sha256": hashes,
        "artefacts": {
            name: file_sha256(DATA_DIR / name)
            for name in (f"encoder/{MODEL_FILE}", f"encoder/{CONFIG_FILE}", RED_FLAG_MODEL, SCOPE_MODEL, "tuning.toml")
        },
        "search_on_training_writers": trained.about["search_on_training_writers"],
    }
    (DATA_DIR / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals train", description=__doc__.split("\n\n")[1])
    parser.add_argument("--medquad", type=Path, default=Path("../shared/data/medquad_questions.jsonl"),
                        help="MedQuAD's questions (JSON Lines; see README)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--work", type=Path, default=Path("build/train"), help="training outputs (git-ignored)")
    args = parser.parse_args(argv)
    trained = train(args.work, load_settings(), args.medquad, (), args.seed)
    manifest = write_artefacts(trained, args.work, args.medquad, args.seed)
    print(f"wrote {DATA_DIR}: " + ", ".join(manifest["artefacts"]))
    print("now run: python -m retrieval build")
    return 0
