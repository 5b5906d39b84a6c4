"""python -m evals bench [--out reports/bench] [--quick] [--skip server ...]

Measures speed and memory; these are measurements, not tests with time limits:

- cold start: `python -m retrieval ask "…" --json` as a fresh process (wall time and peak
  memory, median of --runs); the baseline's equivalent `python -m evals.baseline "…"`,
  which has to split and embed the corpus first because it keeps no index;
- answer latency inside the process over the dev set: p50 / p95 / p99, --passes passes,
  each with a fresh embedder so no question comes from the cache; the same for the baseline;
- index build: `python -m retrieval build` into a temporary folder (CHATBOT_INDEX_DIR),
  wall time and peak memory, median of --build-runs; the baseline's in-memory build;
- `/api/ask` under load: starts `python app.py` on 127.0.0.1 (a free port in 7880–7889),
  then 1, 8 and 32 concurrent clients, each level a bounded number of requests and a
  time limit; throughput and latency. Every question is asked once, so the server's
  question cache never answers. The clients share the machine with the server.

Peak memory is the process's maximum resident set size (os.wait4's rusage). Writes
bench.json and bench.md (tables for the README, with the machine they ran on).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.settings import ROOT

from .dataset import load_set

SETS = ROOT / "evals" / "sets"
COLD_QUESTION = "what is the maximum paracetamol a day?"
PORTS = range(7880, 7890)
LOAD_SETS = ("dev", "dev2", "holdout", "holdout2", "scope")  # questions for the server, each asked once


# -- the machine -------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": _version("torch"),
        "faiss": _version("faiss-cpu"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


# -- one process, measured ------------------------------------------------------------
@dataclass(frozen=True)
class ProcessSample:
    wall_s: float
    peak_mib: float
    returncode: int


# A small process that starts the measured one and reports its wall time and peak
# memory (os.wait4's rusage). Why not wait4 from here: on Linux a child's ru_maxrss
# starts at the resident size of the process that forked it, so a child of this (big)
# process would look at least as big as we are. Forked from this small shim instead,
# the measured program starts near 10 MiB and its own peak shows.
_SHIM = """
import json, os, subprocess, sys, time
limit, cmd = float(sys.argv[1]), sys.argv[2:]
started = time.perf_counter()
proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while True:
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if pid:
        break
    if time.perf_counter() - started > limit:
        proc.kill()
        pid, status, usage = os.wait4(proc.pid, 0)
        break
    time.sleep(0.005)
wall = time.perf_counter() - started
print(json.dumps({"wall_s": wall, "maxrss_kib": usage.ru_maxrss, "returncode": os.waitstatus_to_exitcode(status)}))
"""


def measure_process(cmd: Sequence[str], env: dict[str, str] | None = None, timeout_s: float = 600.0) -> ProcessSample:
    """Run a command to completion: its wall time and peak resident memory (ru_maxrss, KiB on Linux)."""
    shim = subprocess.run(
        [sys.executable, "-c", _SHIM, str(timeout_s), *cmd],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout_s + 60,
    )
    data = json.loads(shim.stdout.strip().splitlines()[-1])
    return ProcessSample(float(data["wall_s"]), data["maxrss_kib"] / 1024.0, int(data["returncode"]))


@dataclass
class ProcessStats:
    command: str
    runs: int
    wall_s_median: float | None
    peak_mib_median: float | None
    samples: list[ProcessSample] = field(default_factory=list)
    failed: int = 0


def repeat_process(cmd: Sequence[str], runs: int, env_for_run: Callable[[int], dict[str, str]] | None = None) -> ProcessStats:
    samples = [measure_process(cmd, env_for_run(i) if env_for_run else None) for i in range(runs)]
    ok = [s for s in samples if s.returncode == 0]
    return ProcessStats(
        command=shlex.join(["python", *cmd[1:]] if cmd and cmd[0] == sys.executable else list(cmd)),
        runs=runs,
        wall_s_median=statistics.median(s.wall_s for s in ok) if ok else None,
        peak_mib_median=statistics.median(s.peak_mib for s in ok) if ok else None,
        samples=samples,
        failed=len(samples) - len(ok),
    )


# -- latency numbers ------------------------------------------------------------------
def latency_summary(samples_ms: Sequence[float]) -> dict[str, Any]:
    if not samples_ms:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    values = np.asarray(samples_ms, dtype=float)
    return {
        "n": int(values.size),
        "p50_ms": float(np.percentile(values, 50)),
        "p95_ms": float(np.percentile(values, 95)),
        "p99_ms": float(np.percentile(values, 99)),
        "mean_ms": float(values.mean()),
    }


def time_calls(questions: Sequence[str], answer: Callable[[str], Any]) -> list[float]:
    out = []
    for question in questions:
        started = time.perf_counter()
        answer(question)
        out.append((time.perf_counter() - started) * 1000.0)
    return out


def in_process_latency(passes: int) -> dict[str, Any]:
    """Ours and the baseline over the dev set, each pass with a fresh embedder (empty cache)."""
    from retrieval.embedding import Embedder
    from retrieval.engine import Engine

    from .baseline import NaiveRag

    questions = [c.question for c in load_set(SETS / "dev.jsonl").cases]
    loaded = Engine.load()
    ours: list[float] = []
    for _ in range(passes):
        engine = Engine(loaded.settings, loaded.index, Embedder())
        engine.embedder.warm_up()
        ours += time_calls(questions, lambda q, e=engine: e.answer(q))
    base_rag = NaiveRag.build(loaded.settings.corpus_dir)
    base: list[float] = []
    for _ in range(passes):
        rag = base_rag.with_embedder(Embedder())
        base += time_calls(questions, rag.answer)
    return {
        "set": "evals/sets/dev.jsonl",
        "questions": len(questions),
        "passes": passes,
        "ours": latency_summary(ours),
        "baseline": latency_summary(base),
    }


# -- the server under load ---------------------------------------------------------------
def free_port(candidates: Sequence[int] = PORTS) -> int | None:
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None


@dataclass
class LoadLevel:
    concurrency: int
    requests: int  # sent
    ok: int
    errors: dict[str, int]
    wall_s: float
    throughput_rps: float
    latency: dict[str, Any]
    stopped_by_deadline: bool


def load_level(
    post: Callable[[Any, str], int],
    make_client: Callable[[], Any],
    questions: Sequence[str],
    concurrency: int,
    deadline_s: float,
) -> LoadLevel:
    """Send each question once from `concurrency` client threads; stop early at the deadline.

    `post(client, question)` returns the HTTP status; `make_client()` gives one client per thread."""
    lock = threading.Lock()
    position = iter(range(len(questions)))
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    started = time.perf_counter()
    stop_at = started + deadline_s
    stopped = False

    def worker() -> None:
        nonlocal sent, stopped
        client = make_client()
        try:
            while True:
                with lock:
                    if time.perf_counter() > stop_at:
                        stopped = True
                        return
                    i = next(position, None)
                    if i is None:
                        return
                    sent += 1
                t0 = time.perf_counter()
                try:
                    status = post(client, questions[i])
                    problem = None if status == 200 else f"HTTP {status}"
                except Exception as exc:  # count it and go on: the run is bounded anyway
                    problem = type(exc).__name__
                elapsed = (time.perf_counter() - t0) * 1000.0
                with lock:
                    if problem:
                        errors[problem] = errors.get(problem, 0) + 1
                    else:
                        latencies.append(elapsed)
        finally:
            close = getattr(client, "close", None)
            if close:
                close()

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    wall = time.perf_counter() - started
    return LoadLevel(concurrency, sent, len(latencies), errors, wall, len(latencies) / wall if wall else 0.0, latency_summary(latencies), stopped)


class Server:
    """`python app.py` on 127.0.0.1, started and stopped by us (by its pid only)."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "CHATBOT_RATE_LIMIT_PER_MINUTE": "1000000", "CHATBOT_LOG_QUESTIONS": "false"}
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, timeout_s: float = 180.0) -> str | None:
        """None when /api/ask answers; otherwise why not."""
        import httpx

        stop_at = time.perf_counter() + timeout_s
        while time.perf_counter() < stop_at:
            if self.proc.poll() is not None:
                return f"the server exited with status {self.proc.returncode} (log: {self.log_path})"
            try:
                response = httpx.post(f"{self.url}/api/ask", json={"question": "warm up"}, timeout=30)
                if response.status_code == 200:
                    return None
                if response.status_code in (404, 405):
                    return f"the server has no POST /api/ask (HTTP {response.status_code})"
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        return f"the server did not answer within {timeout_s:.0f} s (log: {self.log_path})"

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()


def load_questions() -> list[str]:
    seen, out = set(), []
    for name in LOAD_SETS:
        for case in load_set(SETS / f"{name}.jsonl").cases:
            if case.question not in seen:
                seen.add(case.question)
                out.append(case.question)
    return out


def server_load(levels: dict[int, int], deadline_s: float, out_dir: Path) -> dict[str, Any]:
    import httpx

    port = free_port()
    if port is None:
        return {"skipped": "no free port in 7880-7889"}
    questions = load_questions()
    needed = sum(levels.values())
    if needed > len(questions):
        return {"skipped": f"{needed} requests asked for, but only {len(questions)} distinct questions"}
    results = []
    with Server(port, out_dir / "server.log") as server:
        problem = server.wait_ready()
        if problem:
            return {"skipped": problem}

        def post(client: Any, question: str) -> int:
            return client.post(f"{server.url}/api/ask", json={"question": question}).status_code

        start = 0
        for concurrency, count in levels.items():
            chunk = questions[start : start + count]
            start += count
            level = load_level(post, lambda: httpx.Client(timeout=30), chunk, concurrency, deadline_s)
            results.append(asdict(level))
    return {"url": f"http://127.0.0.1:{port}/api/ask", "deadline_s": deadline_s, "levels": results}


# -- the report -------------------------------------------------------------------------
def _s(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    load = m.get("load_average_at_start")
    load_end = result.get("load_average_at_end") or "—"
    lines = [
        "# Benchmark",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}; Python {m['python']}, "
        f"torch {m['torch']}, faiss {m['faiss']}. Run {result['started_at']}; load average (1, 5, 15 min) "
        f"at start {load}, at end {load_end}: on a busy machine every number here is slower and noisier.",
        "",
        "| measurement | ours | baseline |",
        "|---|---|---|",
    ]
    cold = result.get("cold_start") or {}
    if cold:
        o, b = cold.get("ours") or {}, cold.get("baseline") or {}
        lines.append(
            f"| cold start, wall (median of {o.get('runs')}): `python -m retrieval ask \"…\" --json`; "
            f"baseline `python -m evals.baseline \"…\"` "
            f"| {_s(o.get('wall_s_median'), 2)} s | {_s(b.get('wall_s_median'), 2)} s |"
        )
        lines.append(f"| cold start, peak memory | {_s(o.get('peak_mib_median'), 0)} MiB | {_s(b.get('peak_mib_median'), 0)} MiB |")
    lat = result.get("answer_latency") or {}
    if lat:
        o, b = lat["ours"], lat["baseline"]
        lines.append(
            f"| answer in process, p50 / p95 / p99 ({lat['questions']} dev questions × {lat['passes']} passes) "
            f"| {_s(o['p50_ms'])} / {_s(o['p95_ms'])} / {_s(o['p99_ms'])} ms | {_s(b['p50_ms'])} / {_s(b['p95_ms'])} / {_s(b['p99_ms'])} ms |"
        )
    build = result.get("build") or {}
    if build:
        o, b = build.get("ours") or {}, build.get("baseline") or {}
        lines.append(
            f"| index build, wall (median of {o.get('runs')}; baseline: split + embed in memory, whole process) "
            f"| {_s(o.get('wall_s_median'), 2)} s | {_s(b.get('wall_s_median'), 2)} s |"
        )
        lines.append(f"| index build, peak memory | {_s(o.get('peak_mib_median'), 0)} MiB | {_s(b.get('peak_mib_median'), 0)} MiB |")
    server = result.get("server")
    if server:
        lines += ["", "`POST /api/ask` on 127.0.0.1 (ours only: the baseline has no server); client threads on the same machine.", ""]
        if "skipped" in server:
            lines.append(f"Not measured: {server['skipped']}.")
        else:
            lines += [
                "| concurrent clients | requests | ok | throughput (answers/s) | p50 | p95 | p99 (ms) |",
                "|---|---|---|---|---|---|---|",
            ]
            for lv in server["levels"]:
                lat_ = lv["latency"]
                note = " (stopped at the time limit)" if lv["stopped_by_deadline"] else ""
                lines.append(
                    f"| {lv['concurrency']} | {lv['requests']}{note} | {lv['ok']} | {lv['throughput_rps']:.1f} "
                    f"| {_s(lat_['p50_ms'])} | {_s(lat_['p95_ms'])} | {_s(lat_['p99_ms'])} |"
                )
    return "\n".join(lines) + "\n"


def _levels(text: str) -> dict[int, int]:
    """"1:50,8:120,32:256" -> {1: 50, 8: 120, 32: 256} (concurrency: requests)."""
    out = {}
    for part in text.split(","):
        c, _, n = part.partition(":")
        out[int(c)] = int(n)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("reports") / "bench")
    parser.add_argument("--runs", type=int, default=5, help="cold starts per program (median)")
    parser.add_argument("--build-runs", type=int, default=3, help="index builds (median)")
    parser.add_argument("--passes", type=int, default=3, help="passes over the dev set in process")
    parser.add_argument("--levels", type=_levels, default=_levels("1:50,8:120,32:256"), help="concurrency:requests,...")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds per load level at most")
    parser.add_argument("--skip", nargs="*", default=[], choices=("cold", "latency", "build", "server"))
    parser.add_argument("--quick", action="store_true", help="2 cold starts, 1 build, 1 pass, small load levels")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.build_runs, args.passes = 2, 1, 1
        args.levels = _levels("1:20,8:40,32:64")
    args.out.mkdir(parents=True, exist_ok=True)
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    python = sys.executable
    result: dict[str, Any] = {"machine": machine_info(), "started_at": time.strftime("%Y-%m-%d %H:%M:%S %z")}

    if "cold" not in args.skip:
        say(f"cold start × {args.runs} (ours, then the baseline) ...")
        result["cold_start"] = {
            "ours": asdict(repeat_process([python, "-m", "retrieval", "ask", COLD_QUESTION, "--json"], args.runs)),
            "baseline": asdict(repeat_process([python, "-m", "evals.baseline", COLD_QUESTION], args.runs)),
        }
    if "latency" not in args.skip:
        say(f"answer latency in process, {args.passes} pass(es) over the dev set ...")
        result["answer_latency"] = in_process_latency(args.passes)
    if "build" not in args.skip:
        say(f"index build × {args.build_runs} into a temporary folder ...")
        with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
            env = lambda i: {"CHATBOT_INDEX_DIR": str(Path(tmp) / f"run{i}")}  # noqa: E731
            result["build"] = {
                "ours": asdict(repeat_process([python, "-m", "retrieval", "build", "--quiet"], args.build_runs, env)),
                "baseline": asdict(repeat_process([python, "-m", "evals.baseline", "--build-only"], args.build_runs)),
            }
    if "server" not in args.skip:
        say(f"/api/ask under load {args.levels} ...")
        result["server"] = server_load(args.levels, args.deadline, args.out)

    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    (args.out / "bench.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    text = render_markdown(result)
    (args.out / "bench.md").write_text(text, encoding="utf-8")
    print(text)
    say(f"wrote {args.out / 'bench.json'} and {args.out / 'bench.md'}")
    return 0
