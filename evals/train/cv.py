"""Cross-validation by writer: every learned artefact retrained without the held-out writers,
and their sets answered by the product's own answer() path.

    python -m evals cv [--medquad PATH] [--folds 8] [--work build/cv] [--only N ...] [--again]
    python -m evals cv-summary [--out reports/cv]

The training writers of each task (sets/writers.toml) are dealt into folds: each fold holds
out two safety writers, one or two retrieval writers and one scope writer. For each fold the
whole pipeline (pipeline.py: encoder, index, search weights, red-flag detector, scope) is
trained on everyone else, and the held-out writers' sets are run through an Engine built
from what was trained, exactly as `python -m evals run` runs a set. So every figure is on
writers whose messages trained nothing, not the encoder, not a cut-off. A fold's results
are kept in WORK/<fold>/results.json: an interrupted run resumes where it stopped.
`summary` then reads them all (cv_summary.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

from retrieval.detector import DetectorModel
from retrieval.encoder import Encoder
from retrieval.engine import Engine, Tuning
from retrieval.safety import MODEL_FILE as RED_FLAG_MODEL
from retrieval.scope import MODEL_FILE as SCOPE_MODEL
from retrieval.scope import ScopeModel
from retrieval.settings import load_settings

from ..figures import answered_cases
from ..sets import writer_sets
from .pipeline import SEED, train
from .train_all import save_models


def deal(folds: int) -> list[dict[str, list[str]]]:
    """Each task's training writers dealt round-robin into `folds` folds."""
    out: list[dict[str, list[str]]] = [{"safety": [], "retrieval": [], "scope": []} for _ in range(folds)]
    for task in ("safety", "retrieval", "scope"):
        for i, writer in enumerate(writer_sets(task)):
            out[i % folds][task].append(writer)
    return out


def fold_engine(work: Path, settings: Any) -> Engine:
    """An Engine from a fold's saved artefacts (its encoder, index, models and tuning)."""
    encoder = Encoder(work / "encoder", threads=2)
    engine = Engine(
        dataclasses.replace(settings, index_dir=work / "index"),
        encoder=encoder,
        tuning=Tuning.load(work / "tuning.toml"),
        detector=DetectorModel.load(work / RED_FLAG_MODEL, encoder.fingerprint),
        scope_model=ScopeModel.load(work / SCOPE_MODEL, encoder.fingerprint),
    )
    engine.warm_up()
    return engine


def run_fold(number: int, held: dict[str, list[str]], work: Path, medquad: Path, say=print) -> dict[str, Any]:
    """Train without the held-out writers (unless done already: the fold's artefacts are
    kept in `work`), then answer the held-out writers' sets."""
    settings = load_settings()
    held_out = {w for writers in held.values() for w in writers}
    started = time.perf_counter()
    about: dict[str, Any] = {}
    if not (work / RED_FLAG_MODEL).is_file():
        trained = train(work, settings, medquad, held_out, SEED, say=say)
        save_models(trained, work, {"seed": SEED, "held_out_writers": sorted(held_out)}, {})
        about = trained.about
        (work / "about.json").write_text(json.dumps(about, default=str) + "\n", encoding="utf-8")
    elif (work / "about.json").is_file():
        about = json.loads((work / "about.json").read_text(encoding="utf-8"))
    engine = fold_engine(work, settings)
    sets = {}
    for task, writers in held.items():
        for writer in writers:
            sets[writer] = {"task": task, **answered_cases(engine, writer_sets(task)[writer])}
    return {"fold": number, "held_out": held, "seconds": round(time.perf_counter() - started), "about": about,
            "sets": sets}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals cv", description=__doc__.split("\n\n")[0])
    parser.add_argument("--medquad", type=Path, default=Path("../shared/data/medquad_questions.jsonl"))
    parser.add_argument("--folds", type=int, default=8)
    parser.add_argument("--work", type=Path, default=Path("build/cv"))
    parser.add_argument("--only", type=int, nargs="*", default=None, help="run these folds only")
    parser.add_argument("--again", action="store_true",
                        help="answer the held-out sets again with each fold's kept artefacts (after a change to the answer path)")
    args = parser.parse_args(argv)
    for number, held in enumerate(deal(args.folds)):
        if args.only is not None and number not in args.only:
            continue
        folder = args.work / f"fold-{number}"
        results = folder / "results.json"
        if results.is_file() and not args.again:
            print(f"fold {number}: done already ({results})", flush=True)
            continue
        print(f"fold {number}: holding out {held}", flush=True)
        result = run_fold(number, held, folder, args.medquad, say=lambda text: print(text, flush=True))
        results.write_text(json.dumps(result, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"fold {number}: done in {result['seconds']} s", flush=True)
    return 0
