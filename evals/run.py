"""python -m evals run SET.jsonl [--out DIR] [--k 5] [--url URL [--client http|gradio]]
                                [--thresholds FILE] [--no-baseline]

Runs a CONTRACT §3 test set through the same answer() path as the CLI and web app (or
through a running server with --url), the naive baseline beside it, and writes
report.json, report.md, report.html and ragas.jsonl into DIR (default reports/<set>/).

Bad lines in the set are reported with their line number; the other cases still run.
Exit status: 0 done; 1 a metric is outside its threshold; 2 the run could not happen
(unreadable set, no valid case, no index, bad thresholds file, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answerers import Answerer, GradioAnswerer, HttpAnswerer
from .dataset import LoadedSet, load_set
from .outputs import write_reports
from .relevance import PhraseIndex
from .report import SetInfo, build_report
from .report_md import markdown_table
from .runner import Run, find_set_problems, run_answerer
from .tables import headline
from .thresholds import Breach, Limits, ThresholdsError, check, limits_for, load_thresholds

EXIT_OK, EXIT_BELOW_THRESHOLD, EXIT_CANNOT_RUN = 0, 1, 2


@dataclass
class Outcome:
    report: dict[str, Any]
    ours: Run
    baseline: Run | None
    files: list[Path] = field(default_factory=list)
    limits: Limits | None = None
    breaches: list[Breach] = field(default_factory=list)


def evaluate(
    loaded: LoadedSet,
    ours: Answerer,
    baseline: Answerer | None = None,
    k: int = 5,
    progress: bool = False,
    notes: list[str] | None = None,
) -> Outcome:
    """Run ours (and the baseline) over the set's valid cases and build report.json's object.

    Which cases count as set problems is decided on ours' corpus, and the baseline is
    judged on the same cases."""
    passages = ours.passages()
    set_problems, unmatched = find_set_problems(loaded.cases, PhraseIndex(passages) if passages else None)
    ours_run = run_answerer(loaded.cases, ours, k, unmatched, progress)
    base_run = run_answerer(loaded.cases, baseline, k, unmatched, progress) if baseline is not None else None
    info = SetInfo.of(loaded.path, loaded.problems, set_problems)
    return Outcome(build_report(info, ours_run, base_run, notes), ours_run, base_run)


def run_set(
    loaded: LoadedSet,
    ours: Answerer,
    baseline: Answerer | None,
    out_dir: Path,
    k: int = 5,
    thresholds: list[Limits] | None = None,
    progress: bool = False,
    notes: list[str] | None = None,
) -> Outcome:
    """What `evals run` does once its answerers exist: evaluate, write, check thresholds."""
    outcome = evaluate(loaded, ours, baseline, k, progress, notes)
    outcome.files = write_reports(out_dir, outcome.report, outcome.ours, outcome.baseline)
    if thresholds is not None:
        outcome.limits = limits_for(thresholds, loaded.path)
        if outcome.limits is not None:
            outcome.breaches = check(outcome.report["metrics"], outcome.limits)
    return outcome


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evals run",
        description=__doc__.split("\n\n")[1],
        epilog="\n\n".join(__doc__.split("\n\n")[2:]),
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("set", type=Path, help="a CONTRACT §3 JSONL test set")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default: reports/<set name>/)")
    parser.add_argument("--k", type=int, default=5, help="passages shown per answer (default 5; 10 are judged)")
    parser.add_argument("--url", help="test a running server instead, e.g. http://127.0.0.1:7860")
    parser.add_argument("--client", choices=("http", "gradio"), default="http", help="with --url: POST /api/ask (default) or gradio_client")
    parser.add_argument("--index", type=Path, default=None, help="with --url: local index/ whose passages give the qrels (default: settings)")
    parser.add_argument("--thresholds", type=Path, default=None, help="TOML of floors per set; exit 1 when one is not met")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _ours(args: argparse.Namespace, settings: Any) -> Answerer:
    if args.url and args.client == "gradio":
        from retrieval.messages import Messages

        return GradioAnswerer(args.url, Messages.load(settings).disclaimer, local_index=args.index or settings.index_dir)
    if args.url:
        return HttpAnswerer(args.url, local_index=args.index or settings.index_dir)
    from retrieval.engine import Engine

    from .answerers import EngineAnswerer

    return EngineAnswerer(Engine.load(settings))


def build_baseline(settings: Any) -> tuple[Answerer | None, str | None]:
    from .baseline import NaiveRag

    try:
        return NaiveRag.build(settings.corpus_dir), None
    except Exception as exc:  # the baseline is a comparison: its absence must not stop the run
        return None, f"the baseline could not be built ({type(exc).__name__}: {exc})"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    err = sys.stderr
    if args.k < 1:
        print("error: --k must be at least 1", file=err)
        return EXIT_CANNOT_RUN
    try:
        loaded = load_set(args.set)
    except OSError as exc:
        print(f"error: cannot read {args.set}: {exc.strerror or exc}", file=err)
        return EXIT_CANNOT_RUN
    for problem in loaded.problems:
        print(f"{args.set}: {problem} (skipped)", file=err)
    if not loaded.cases:
        print(f"error: {args.set} has no valid case", file=err)
        return EXIT_CANNOT_RUN
    try:
        thresholds = load_thresholds(args.thresholds) if args.thresholds else None
    except ThresholdsError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_CANNOT_RUN

    from retrieval.index_store import IndexUnavailable
    from retrieval.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        ours = _ours(args, settings)
    except (IndexUnavailable, SettingsError) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_CANNOT_RUN
    baseline, problem = (None, None) if args.no_baseline else build_baseline(settings)
    notes = [problem] if problem else []
    if baseline is not None and args.url:
        notes.append("the baseline ran in this process over the local corpus/")

    out_dir = args.out or Path("reports") / args.set.stem
    outcome = run_set(loaded, ours, baseline, out_dir, args.k, thresholds, not args.no_progress, notes)

    print(markdown_table(headline(outcome.report)))
    print(f"\n{len(outcome.report['failures'])} failed check(s); reports in {out_dir}/: "
          + ", ".join(p.name for p in outcome.files))
    if thresholds is not None and outcome.limits is None:
        print(f"no thresholds for {args.set} in {args.thresholds}", file=err)
    if outcome.breaches:
        print(f"\n{args.set}: {len(outcome.breaches)} metric(s) outside the thresholds in {args.thresholds} "
              f"[{outcome.limits.key}]:", file=err)
        for breach in outcome.breaches:
            print(f"  {breach}", file=err)
        return EXIT_BELOW_THRESHOLD
    return EXIT_OK
