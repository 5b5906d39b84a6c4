"""The benchmark's parts that can be checked without timing anything against a limit."""

import sys
import threading

from evals.bench import _levels, render_markdown
from evals.bench.latency import latency_summary
from evals.bench.load import load_level
from evals.bench.machine import machine_info
from evals.bench.processes import measure_process


def test_latency_summary():
    s = latency_summary([float(i) for i in range(1, 101)])
    assert (s["n"], s["p50_ms"], s["p99_ms"]) == (100, 50.5, 99.01)
    assert latency_summary([])["p50_ms"] is None


def test_peak_memory_of_a_child_process_is_measured():
    small = measure_process([sys.executable, "-c", "pass"])
    big = measure_process([sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096])"])
    assert small.returncode == 0 and big.returncode == 0
    assert big.peak_mib - small.peak_mib > 250
    assert measure_process([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3


def test_load_level_sends_each_question_once_from_several_threads():
    seen, threads = [], set()
    lock = threading.Lock()

    def post(client, question):
        with lock:
            seen.append(question)
            threads.add(threading.get_ident())
        return 500 if question == "q3" else 200

    level = load_level(post, lambda: None, [f"q{i}" for i in range(20)], concurrency=4, deadline_s=60)
    assert sorted(seen) == sorted(f"q{i}" for i in range(20))
    assert (level.requests, level.ok, level.errors) == (20, 19, {"HTTP 500": 1})
    assert level.latency["n"] == 19 and level.throughput_rps > 0 and not level.stopped_by_deadline


def test_load_level_stops_at_its_deadline():
    level = load_level(lambda c, q: 200, lambda: None, ["q"] * 10, concurrency=2, deadline_s=0)
    assert level.requests == 0 and level.stopped_by_deadline


def test_levels_argument():
    assert _levels("1:50,8:120,32:256") == {1: 50, 8: 120, 32: 256}


def test_markdown_names_the_machine_and_says_when_the_server_was_not_measured():
    result = {
        "machine": machine_info(),
        "started_at": "now",
        "answer_latency": {"questions": 3, "passes": 1,
                           "ours": latency_summary([1.0, 2.0, 3.0]), "baseline": latency_summary([1.0, 1.0, 1.0])},
        "server": {"skipped": "the server has no POST /api/ask (HTTP 404)"},
    }
    text = render_markdown(result)
    assert f"{result['machine']['cores']} cores" in text and "Python" in text and "torch" in text
    assert "| answer in process, p50 / p95 / p99 (3 dev questions × 1 passes) | 2.0 / 2.9 / 3.0 ms | 1.0 / 1.0 / 1.0 ms |" in text
    assert "Not measured: the server has no POST /api/ask (HTTP 404)." in text
