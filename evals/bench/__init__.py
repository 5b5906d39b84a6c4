"""python -m evals bench [--out reports/bench] [--quick] [--skip server ...]

Measures speed and memory; these are measurements, not tests with time limits:

- cold start: `python -m retrieval ask "…" --json` as a fresh process (wall time and peak
  memory, median of --runs), against the floor of sentence-transformers (import it, load
  the bundled model, embed one question) in the same run; the baseline's equivalent
  `python -m evals.baseline "…"`, which splits and embeds the corpus first;
- answer latency inside the process over the dev set: p50 / p95 / p99, --passes passes,
  each with a fresh encoder so no question comes from the cache, each step's share, and a
  bare sentence-transformers encode of the same questions in the same run (the ratio);
  the cache's hit rate on a pass of repeated questions; the same for the baseline;
- index build: `python -m retrieval build` into a temporary folder (CHATBOT_INDEX_DIR),
  wall time and peak memory, median of --build-runs; the baseline's in-memory build;
- `/api/ask` under load: starts `python app.py` on 127.0.0.1 (a free port in 7880–7889),
  then 1, 8 and 32 concurrent keep-alive clients, each level a bounded number of requests
  and a time limit; throughput, latency, errors, and the targets: throughput against
  cores × 1000 / in-process p50, p95 against the mean wait the throughput implies. Every
  question is asked once, so the cache never answers. The clients share the machine.

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
# the floor a cold start is compared with: import sentence-transformers, load the bundled model, embed one question
ST_FLOOR = (
    "import os; os.environ['HF_HUB_OFFLINE'] = '1'; "
    "from sentence_transformers import SentenceTransformer; from evals.train.export import bundled_model_dir; "
    f"SentenceTransformer(str(bundled_model_dir()), device='cpu').encode([{COLD_QUESTION!r}])"
)


def _s(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def targets(result: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(what, measured, target, met) for the light-path issue's ratios, all from this one run."""
    out: list[tuple[str, str, str, bool | None]] = []
    cold = result.get("cold_start") or {}
    ours, floor = (cold.get("ours") or {}).get("wall_s_median"), (cold.get("sentence_transformers") or {}).get("wall_s_median")
    if ours and floor:
        ratio = ours / floor
        out.append(("cold start: `ask --json` / sentence-transformers import + load + encode", f"{ratio:.3f}×", "≤ 0.15×", ratio <= 0.15))
    lat = result.get("answer_latency") or {}
    if lat.get("ratio_to_sentence_transformers"):
        ratio = lat["ratio_to_sentence_transformers"]
        out.append(("in process: latency_ms p50 / `SentenceTransformer.encode([q])` p50", f"{ratio:.3f}×", "≤ 0.4×", ratio <= 0.4))
        stages = lat.get("stages_p50_ms") or {}
        if stages.get("read") and "safety" in stages:
            out.append(("safety layer's time / reading and embedding the question (p50)",
                        f"{stages['safety'] / stages['read']:.3f}×", "—", None))
    server = result.get("server") or {}
    level = next((lv for lv in server.get("levels", []) if lv["concurrency"] == 32), None)
    if level and lat.get("ours"):
        cores = result["machine"].get("cores") or 1
        ideal = cores * 1000.0 / lat["ours"]["p50_ms"]
        share = level["throughput_rps"] / ideal
        errors = sum(level["errors"].values())
        out.append(("32 clients: errors", str(errors), "0", errors == 0))
        out.append(("32 clients: throughput / (cores × 1000 / in-process p50)", f"{share:.3f}", "≥ 0.7", share >= 0.7))
        if level["throughput_rps"] and level["latency"].get("p95_ms"):
            wait = 32 / level["throughput_rps"] * 1000.0
            ratio = level["latency"]["p95_ms"] / wait
            out.append(("32 clients: p95 / mean wait (32 / throughput)", f"{ratio:.2f}", "≤ 2", ratio <= 2))
    return out


def render_markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    load = m.get("load_average_at_start")
    load_end = result.get("load_average_at_end") or "—"
    lines = [
        "# Benchmark",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}; Python {m['python']}. Run "
        f"{result['started_at']}; load average (1, 5, 15 min) at start {load}, at end {load_end}. Absolute times "
        "differ between machines: the ratios, all measured in this one run, are what to compare.",
        "",
    ]
    checks = targets(result)
    if checks:
        lines += ["| ratio | measured | target | |", "|---|---|---|---|"]
        lines += [f"| {what} | {value} | {goal} | {'met' if ok else '' if ok is None else 'NOT met'} |"
                  for what, value, goal, ok in checks]
        lines.append("")
    lines += ["| measurement | ours | sentence-transformers floor | baseline |", "|---|---|---|---|"]
    cold = result.get("cold_start") or {}
    if cold:
        o, f, b = cold.get("ours") or {}, cold.get("sentence_transformers") or {}, cold.get("baseline") or {}
        lines.append(
            f"| cold start, wall (median of {o.get('runs')}) | {_s(o.get('wall_s_median'), 2)} s "
            f"| {_s(f.get('wall_s_median'), 2)} s | {_s(b.get('wall_s_median'), 2)} s |"
        )
        lines.append(f"| cold start, peak memory | {_s(o.get('peak_mib_median'), 0)} MiB | {_s(f.get('peak_mib_median'), 0)} MiB "
                     f"| {_s(b.get('peak_mib_median'), 0)} MiB |")
    lat = result.get("answer_latency") or {}
    if lat:
        o, f, b = lat["ours"], lat["sentence_transformers_encode"], lat["baseline"]
        lines.append(
            f"| answer in process, p50 / p95 ({lat['questions']} dev questions × {lat['passes']} passes, "
            f"{lat['threads']} thread(s)) | {_s(o['p50_ms'])} / {_s(o['p95_ms'])} ms | {_s(f['p50_ms'])} / {_s(f['p95_ms'])} ms "
            f"(encode only) | {_s(b['p50_ms'])} / {_s(b['p95_ms'])} ms |"
        )
        stages = ", ".join(f"{k} {v:.2f}" for k, v in (lat.get("stages_p50_ms") or {}).items())
        lines.append(f"| steps of an answer, p50 (ms) | {stages} | | |")
        r = lat.get("repeated_questions") or {}
        if r:
            lines.append(f"| repeated questions (the encoder's cache), p50 | {_s(r['p50_ms'])} ms, hit rate {r['cache_hit_rate']:.2f} | | |")
    build = result.get("build") or {}
    if build:
        o, b = build.get("ours") or {}, build.get("baseline") or {}
        lines.append(f"| index build, wall (median of {o.get('runs')}) | {_s(o.get('wall_s_median'), 2)} s | "
                     f"| {_s(b.get('wall_s_median'), 2)} s |")
        lines.append(f"| index build, peak memory | {_s(o.get('peak_mib_median'), 0)} MiB | | {_s(b.get('peak_mib_median'), 0)} MiB |")
    server = result.get("server")
    if server:
        lines += ["", "`POST /api/ask` on 127.0.0.1 (`python app.py`, its default workers); keep-alive clients on the "
                  "same machine; every question distinct.", ""]
        if "skipped" in server:
            lines.append(f"Not measured: {server['skipped']}.")
        else:
            lines += [
                "| concurrent clients | requests | ok | errors | throughput (answers/s) | p50 | p95 | p99 (ms) |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for lv in server["levels"]:
                lat_ = lv["latency"]
                note = " (stopped at the time limit)" if lv["stopped_by_deadline"] else ""
                lines.append(
                    f"| {lv['concurrency']} | {lv['requests']}{note} | {lv['ok']} | {sum(lv['errors'].values())} "
                    f"| {lv['throughput_rps']:.1f} | {_s(lat_['p50_ms'])} | {_s(lat_['p95_ms'])} | {_s(lat_['p99_ms'])} |"
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
    parser.add_argument("--levels", type=_levels, default=_levels("1:100,8:300,32:800"), help="concurrency:requests,...")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds per load level at most")
    parser.add_argument("--skip", nargs="*", default=[], choices=("cold", "latency", "build", "server"))
    parser.add_argument("--quick", action="store_true", help="2 cold starts, 1 build, 1 pass, small load levels")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.build_runs, args.passes = 2, 1, 1
        args.levels = _levels("1:20,8:60,32:160")
    args.out.mkdir(parents=True, exist_ok=True)
    say = lambda text: print(text, file=sys.stderr, flush=True)
    python = sys.executable
    result: dict[str, Any] = {"machine": machine_info(), "started_at": time.strftime("%Y-%m-%d %H:%M:%S %z")}

    if "cold" not in args.skip:
        say(f"cold start × {args.runs} (ours, then the baseline) ...")
        result["cold_start"] = {
            "ours": asdict(repeat_process([python, "-m", "retrieval", "ask", COLD_QUESTION, "--json"], args.runs)),
            "sentence_transformers": asdict(repeat_process([python, "-c", ST_FLOOR], args.runs)),
            "baseline": asdict(repeat_process([python, "-m", "evals.baseline", COLD_QUESTION], args.runs)),
        }
    if "latency" not in args.skip:
        say(f"answer latency in process, {args.passes} pass(es) over the dev set ...")
        result["answer_latency"] = in_process_latency(args.passes)
    if "build" not in args.skip:
        say(f"index build × {args.build_runs} into a temporary folder ...")
        with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
            env = lambda i: {"CHATBOT_INDEX_DIR": str(Path(tmp) / f"run{i}")}
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
