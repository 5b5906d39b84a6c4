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
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .latency import in_process_latency
from .load import server_load
from .machine import machine_info
from .processes import repeat_process

COLD_QUESTION = "what is the maximum paracetamol a day?"


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
