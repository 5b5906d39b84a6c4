"""python -m evals run SET.jsonl [--out DIR] [--k 5] [--url URL [--client http|gradio]]
                                [--thresholds FILE] [--no-baseline]

Runs a test set (docs/interfaces.md, "Test sets") through the same answer() path as the
CLI and web app (or through a running server with --url), the naive baseline beside it,
and writes report.json, report.md, report.html and ragas.jsonl into DIR (default
reports/<set>/).

Where answers come from (each gives back the answer object it received, with the
wall-clock time of the call):
- `EngineAnswerer`: the same `engine.answer()` path the CLI and the web app use;
- `HttpAnswerer`: a running server, over `POST /api/ask`;
- `GradioAnswerer`: a running server's Gradio chat, through `gradio_client`;
- the naive baseline (evals/baseline.py) has the same shape.

Every case is asked for `max(k, 10)` passages so that MRR@10 has ten ranks; the answer
itself does not depend on k. Bad lines in the set are reported with their line number;
the other cases still run. Exit status: 0 done; 1 a metric is outside its threshold; 2
the run could not happen (unreadable set, no valid case, no index, bad thresholds file,
bad arguments).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from .metrics import (
    EVAL_DEPTH,
    Breach,
    CaseScores,
    Failure,
    Limits,
    ThresholdsError,
    by_tag,
    check,
    failure_table,
    limits_for,
    load_thresholds,
    score_cases,
    summarize,
)
from .reports import SetInfo, build_report, headline, markdown_table, write_reports
from .sets import (
    DISCLAIMER,
    FULL,
    Case,
    CaseResult,
    LoadedSet,
    PhraseIndex,
    Reply,
    find_set_problems,
    judge,
    load_set,
)

EXIT_OK, EXIT_BELOW_THRESHOLD, EXIT_CANNOT_RUN = 0, 1, 2


# -- where answers come from ---------------------------------------------------------

class Answerer(Protocol):
    name: str
    mode: str
    capabilities: frozenset[str]
    notes: list[str]

    def passages(self) -> list[dict[str, Any]] | None:
        """Every passage of the corpus answers come from (for qrels), or None if unknown."""

    def ask(self, case: Case, k: int) -> Reply: ...

    def describe(self) -> dict[str, Any]: ...


def read_index_passages(index_dir: Path) -> list[dict[str, Any]] | None:
    """The passages of a local index (index/passages.json), read as JSON without the model."""
    try:
        payload = json.loads((index_dir / "passages.json").read_text(encoding="utf-8"))
        return [dict(c) for c in payload["chunks"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _own_error(answer: dict[str, Any]) -> str | None:
    error = answer.get("error")
    return str(error) if error else None


class EngineAnswerer:
    """In-process: `engine.answer(question, history, k)`."""

    mode = "in-process"
    capabilities = FULL

    def __init__(self, engine: Any, name: str = "ours") -> None:
        self.engine = engine
        self.name = name
        self.notes: list[str] = []

    def passages(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.engine.index.chunks]

    def ask(self, case: Case, k: int) -> Reply:
        started = time.perf_counter()
        answer = self.engine.answer(case.question, history=list(case.history), k=k).to_dict()
        return Reply(answer, (time.perf_counter() - started) * 1000.0, _own_error(answer))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode, "index": self.engine.index.summary()}


@dataclass
class HttpAnswerer:
    """`POST {url}/api/ask` with {"question", "history", "k"}.

    `k` is an added field (our server takes it); a server that refuses it (HTTP 422) is
    asked again without it, and then ranks only its own k passages. 429 and 503 are
    retried after the server's Retry-After (a server's rate limit slows the run down;
    raise its rate_limit_per_minute for a fast run)."""

    url: str
    client: Any = None  # an httpx.Client (tests pass one with a mock transport)
    local_index: Path | None = None  # the local index/ whose passages.json gives the qrels
    timeout_s: float = 60.0
    max_retries: int = 10
    max_wait_s: float = 65.0
    send_k: bool = True
    waits: int = 0  # how often the server said "too many requests" or "unavailable"
    name: str = "ours"
    mode: str = "http"
    capabilities: frozenset[str] = FULL
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        base = self.url.rstrip("/")
        self.endpoint = base if base.endswith("/api/ask") else f"{base}/api/ask"
        if self.client is None:
            import httpx

            self.client = httpx.Client(timeout=self.timeout_s)
        self.notes.append("answers came over HTTP; latency is the client's round trip")

    def passages(self) -> list[dict[str, Any]] | None:
        return read_index_passages(self.local_index) if self.local_index else None

    def ask(self, case: Case, k: int) -> Reply:
        body: dict[str, Any] = {"question": case.question, "history": list(case.history)}
        started = time.perf_counter()
        for attempt in range(self.max_retries + 1):
            if self.send_k:
                body["k"] = k
            try:
                response = self.client.post(self.endpoint, json=body)
            except Exception as exc:  # connection refused, timeout ...: this case fails, the rest run
                return Reply({}, (time.perf_counter() - started) * 1000.0, f"{type(exc).__name__}: {exc}")
            if response.status_code == 422 and self.send_k and '"k"' in response.text:
                self.send_k = False
                body.pop("k", None)
                self.notes.append(
                    "the server does not take k: MRR@10 and nDCG@5 rank only the passages it returned"
                )
                continue
            if response.status_code in (429, 503) and attempt < self.max_retries:
                self.waits += 1
                time.sleep(self._wait(response, attempt))
                started = time.perf_counter()  # latency is the answered attempt, not the waiting
                continue
            break
        latency = (time.perf_counter() - started) * 1000.0
        if response.status_code != 200:
            return Reply({}, latency, f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError:
            return Reply({}, latency, "the response is not JSON")
        if not isinstance(answer, dict):
            return Reply({}, latency, "the response is not a JSON object")
        return Reply(answer, latency, _own_error(answer))

    def _wait(self, response: Any, attempt: int) -> float:
        try:
            wait = float(response.headers.get("retry-after", ""))
        except ValueError:
            wait = 0.5 * 2**attempt
        return max(0.0, min(self.max_wait_s, wait))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode, "url": self.endpoint, "rate_limited_waits": self.waits}


def text_of_chat_output(output: Any) -> str:
    """The answer text in what a Gradio chat function returned: a string, a message
    dict, or a list of them (e.g. the answer and a collapsible "Sources" message)."""
    if isinstance(output, str):
        return output
    if isinstance(output, dict):
        content = output.get("content", output.get("text", ""))
        return text_of_chat_output(content)
    if isinstance(output, list | tuple):
        return "\n\n".join(t for t in (text_of_chat_output(o) for o in output) if t)
    return "" if output is None else str(output)


def looks_like_answer_object(output: Any) -> bool:
    return isinstance(output, dict) and {"answer", "disclaimer", "retrieved"} <= set(output)


@dataclass
class GradioAnswerer:
    """`gradio_client.Client(url).predict(question, api_name="/chat")`, a fresh session per case.

    When the chat returns the answer object (our app's /chat does), everything is judged
    as over HTTP. When it returns only text, answer support and disclaimer presence
    (against this installation's disclaimer text) are judged; retrieval, citations,
    escalation and abstention are reported as not available. The request has no k and
    no history: ranks stop at the server's k, and a case's history is not sent.
    """

    url: str
    disclaimer: str = ""  # the disclaimer text to look for in a text reply; "" = cannot judge
    client_factory: Any = None  # gradio_client.Client, or a fake in tests
    local_index: Path | None = None  # its passages.json gives the qrels
    api_name: str = "/chat"
    name: str = "ours"
    mode: str = "gradio"
    capabilities: frozenset[str] = FULL
    object_replies: int = 0
    text_replies: int = 0
    cases_with_history: int = 0

    def __post_init__(self) -> None:
        self._client = None
        self.text_capabilities = frozenset({DISCLAIMER}) if self.disclaimer else frozenset()

    @property
    def notes(self) -> list[str]:
        out = ["answers came through gradio_client; latency is the client's round trip"]
        if self.text_replies:
            out.append(
                f"{self.text_replies} answer(s) came back as text only: retrieval, citation, escalation and "
                "abstention metrics are not available for them"
                + ("; disclaimer presence was checked against this installation's text" if self.disclaimer else "")
            )
        if self.cases_with_history:
            out.append(f"{self.cases_with_history} case(s) have a history, which gradio_client cannot send")
        return out

    def passages(self) -> list[dict[str, Any]] | None:
        return read_index_passages(self.local_index) if self.local_index else None

    def _connect(self) -> Any:
        if self._client is None:
            factory = self.client_factory
            if factory is None:
                from gradio_client import Client as factory
            self._client = factory(self.url, verbose=False)
        return self._client

    def ask(self, case: Case, k: int) -> Reply:
        self.cases_with_history += bool(case.history)
        started = time.perf_counter()
        try:
            client = self._connect()
            client.reset_session()
            output = client.predict(case.question, api_name=self.api_name)
        except Exception as exc:
            return Reply({}, (time.perf_counter() - started) * 1000.0, f"{type(exc).__name__}: {exc}")
        latency = (time.perf_counter() - started) * 1000.0
        if isinstance(output, tuple | list) and output and looks_like_answer_object(output[0]):
            output = output[0]
        if looks_like_answer_object(output):
            self.object_replies += 1
            return Reply(output, latency, _own_error(output))
        self.text_replies += 1
        answer = {"question": case.question, "answer": text_of_chat_output(output), "disclaimer": self.disclaimer}
        return Reply(answer, latency, capabilities=self.text_capabilities)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode, "url": self.url, "api_name": self.api_name,
                "object_replies": self.object_replies, "text_replies": self.text_replies}


# -- one answerer over a set ------------------------------------------------------------

@dataclass
class Run:
    """One answerer's pass over a set."""

    answerer: dict[str, Any]  # Answerer.describe()
    k: int
    results: list[CaseResult]
    scores: list[CaseScores]
    metrics: dict[str, Any]
    tags: dict[str, dict[str, Any]]
    failures: list[Failure]
    notes: list[str] = field(default_factory=list)

def run_answerer(
    cases: Sequence[Case],
    answerer: Answerer,
    k: int = 5,
    unmatched: frozenset[str] = frozenset(),
    progress: bool = False,
) -> Run:
    passages = answerer.passages()
    corpus = PhraseIndex(passages) if passages else None
    notes: list[str] = []
    if corpus is None and any(c.relevant for c in cases) and "retrieval" in answerer.capabilities:
        notes.append(
            "no local copy of the corpus: a case's relevant passages are only those it retrieved, "
            "so nDCG@5 is optimistic and cases whose phrases match nothing count as misses"
        )
    depth = max(k, EVAL_DEPTH)
    results = []
    bar = tqdm(cases, desc=answerer.name, unit="case", file=sys.stderr, disable=None if progress else True)
    for case in bar:
        reply = answerer.ask(case, depth)
        results.append(judge(case, reply, answerer.capabilities, corpus, unmatched))
    if corpus is not None:
        foreign = {i for r in results for i in r.ranking} - corpus.ids
        if foreign:
            notes.append(
                f"{len(foreign)} retrieved passage id(s) are not in the local corpus copy: the server's index "
                "differs from the local one, so relevance there was judged on the retrieved text only"
            )
    deepest = max((len(r.ranking) for r in results if r.judged_retrieval), default=0)
    if 0 < deepest < depth:
        notes.append(f"at most {deepest} passages came back per answer: MRR@10 and nDCG ranks stop there")
    scores = score_cases(results, k)
    notes = [*answerer.notes, *notes]  # after the run: some answerers learn things while asking
    return Run(
        answerer=answerer.describe(),
        k=k,
        results=results,
        scores=scores,
        metrics=summarize(scores, k),
        tags=by_tag(scores, k),
        failures=failure_table(results, scores, k),
        notes=notes,
    )


# -- the command ----------------------------------------------------------------------------

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

    from retrieval.errors import ChatbotError
    from retrieval.settings import load_settings

    try:
        settings = load_settings()
        ours = _ours(args, settings)
    except ChatbotError as exc:
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
