"""Measurements on text that trained nothing, through the shipped artefacts.

    python -m evals unseen [--medquad PATH] [--public PATH] [--sample 1500] [--out reports/unseen]
    python -m evals sealed [--out reports/sealed] [--again]

`unseen` runs, through the same answer() path as the CLI and the web app:
- the holdout writers of sets/writers.toml (never trained or tuned on);
- MedQuAD questions on the held-out topic group (evals/train/scope.py: no topic of that
  group, nor any topic overlapping the documents, was trained on), a seeded sample: how many
  are declined, and how many raised an alarm;
- real questions from the public (`--public`, JSON Lines in the test-set format; for
  evaluation only: never train, tune or write rules from them): declined and answered
  when they should be, by the file's `scope` field.

`sealed` runs the sealed sets (written before any training, never opened) once, as the
last step, and writes what they say. It refuses to run again over its own report unless
told `--again`, so the figures are a first measurement, not a tuned one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from .figures import answered_cases, ordinary_figures, retrieval_table, safety_figures, scope_figures, share, table
from .sets import writer_sets

PUBLIC = Path("../shared/external/consumer_questions.jsonl")
MEDQUAD = Path("../shared/data/medquad_questions.jsonl")
FIGURES = {"safety": safety_figures, "retrieval": ordinary_figures, "scope": scope_figures}


def shipped_engine() -> Any:
    from retrieval.engine import Engine
    from retrieval.settings import load_settings

    engine = Engine(load_settings())
    engine.warm_up()
    return engine


def stamp() -> dict[str, Any]:
    """What was measured: the manifest of the learned artefacts, and when."""
    from retrieval.settings import DATA_DIR

    manifest = json.loads((DATA_DIR / "artefacts.json").read_text(encoding="utf-8"))
    return {"measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "encoder_sha256": manifest["encoder_sha256"], "trained_at": manifest.get("trained_at")}


def writer_sections(engine: Any, role: str) -> tuple[list[str], dict[str, Any]]:
    """Each task's sets of one role, run and counted; Markdown and the raw figures."""
    out: list[str] = []
    raw: dict[str, Any] = {}
    for task, figures in FIGURES.items():
        rows, metrics = {}, {}
        for writer, path in writer_sets(task, role).items():
            result = answered_cases(engine, path)
            rows[writer] = figures(result["cases"])
            metrics[writer] = result["metrics"]
            raw[writer] = {"task": task, "figures": rows[writer], "metrics": result["metrics"]}
        if rows:
            out += [f"## {task.capitalize()} ({role} writers)", "", table(rows), ""]
        if task == "retrieval" and metrics:
            out += [retrieval_table(metrics), ""]
    return out, raw


def medquad_held_out(engine: Any, medquad: Path, sample: int, seed: int) -> dict[str, tuple[int, int]]:
    """MedQuAD questions on held-out topics no document covers: declined, and alarms raised."""
    import numpy as np

    from retrieval.text import fold

    from .train.scope import medquad_examples

    index = engine.index
    corpus_text = fold(" ".join(c.embedding_text() for c in index.chunks))
    _, held, _ = medquad_examples(medquad, corpus_text, engine.searcher.lexical.vocabulary, seed)
    rng = np.random.default_rng(seed)
    chosen = [held[i] for i in sorted(rng.choice(len(held), size=min(sample, len(held)), replace=False))]
    answers = [engine.answer(e.text).to_dict() for e in chosen]
    return {
        "declined": share(answers, lambda a: a.get("abstained")),
        "escalated": share(answers, lambda a: a.get("escalation") is not None),
        "opened with a conditional warning": share(answers, lambda a: (a.get("warning") or {}).get("placement") == "first"),
    }


def public_questions(engine: Any, path: Path) -> dict[str, dict[str, tuple[int, int]]]:
    """Real questions from the public, by the file's `scope` field: declined or answered as expected."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    groups: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for row in rows:
        answer = engine.answer(row["question"]).to_dict()
        groups[row.get("scope", "?")].append((row, answer))
        groups["all"].append((row, answer))
    out = {}
    for name, pairs in groups.items():
        out[name] = {
            "declined when they should be": share([p for p in pairs if p[0].get("expect_abstain") is True],
                                                  lambda p: p[1].get("abstained")),
            "answered when they should be": share([p for p in pairs if p[0].get("expect_abstain") is False],
                                                  lambda p: not p[1].get("abstained")),
            "escalated": share(pairs, lambda p: p[1].get("escalation") is not None),
        }
    return out


def write(out: Path, title: str, lines: list[str], raw: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    text = "\n".join([f"# {title}", "", *lines])
    (out / "summary.md").write_text(text + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(raw, indent=1, default=list) + "\n", encoding="utf-8")
    print(text)


def unseen_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals unseen", description=__doc__.split("\n\n")[2])
    parser.add_argument("--medquad", type=Path, default=MEDQUAD)
    parser.add_argument("--public", type=Path, default=PUBLIC, help="real questions, for evaluation only")
    parser.add_argument("--sample", type=int, default=1500, help="MedQuAD held-out-topic questions to ask")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=Path("reports/unseen"))
    args = parser.parse_args(argv)
    engine = shipped_engine()
    lines, raw = writer_sections(engine, "holdout")
    raw = {"stamp": stamp(), "writers": raw}
    if args.medquad.is_file():
        medquad = medquad_held_out(engine, args.medquad, args.sample, args.seed)
        raw["medquad_held_out_topics"] = medquad
        lines += ["## MedQuAD questions on held-out topics", "", table({"medquad": medquad}), ""]
    if args.public.is_file():
        public = public_questions(engine, args.public)
        raw["public_questions"] = public
        lines += [f"## Real questions from the public ({args.public.name}, evaluation only)", "", table(public), ""]
    write(args.out, "Unseen data", lines, raw)
    return 0


def sealed_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals sealed", description=__doc__.split("\n\n")[3])
    parser.add_argument("--out", type=Path, default=Path("reports/sealed"))
    parser.add_argument("--again", action="store_true", help="measure again over an earlier sealed report")
    args = parser.parse_args(argv)
    if (args.out / "summary.md").is_file() and not args.again:
        print(f"the sealed sets were measured already ({args.out}/summary.md); pass --again to measure again")
        return 2
    engine = shipped_engine()
    lines, raw = writer_sections(engine, "sealed")
    write(args.out, "Sealed sets, measured once", lines, {"stamp": stamp(), "writers": raw})
    return 0
