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


class TinyServer:
    """A raw HTTP server answering POST /api/ask with 200 (500 for the question "q3")."""

    def __enter__(self) -> "TinyServer":
        import http.server
        import json

        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                question = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["question"]
                seen.append(question)
                body = b"{}"
                self.send_response(500 if question == "q3" else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_load_level_sends_each_question_once_from_several_connections():
    with TinyServer() as server:
        level = load_level(server.url, [f"q{i}" for i in range(20)], concurrency=4, deadline_s=60)
    assert sorted(server.seen) == sorted(f"q{i}" for i in range(20))
    assert (level.requests, level.ok, level.errors) == (20, 19, {"HTTP 500": 1})
    assert level.latency["n"] == 19 and level.throughput_rps > 0 and not level.stopped_by_deadline


def test_load_level_stops_at_its_deadline():
    with TinyServer() as server:
        level = load_level(server.url, ["q"] * 10, concurrency=2, deadline_s=0)
    assert level.requests == 0 and level.stopped_by_deadline


def test_levels_argument():
    assert _levels("1:50,8:120,32:256") == {1: 50, 8: 120, 32: 256}


def test_markdown_names_the_machine_and_says_when_the_server_was_not_measured():
    result = {
        "machine": machine_info(),
        "started_at": "now",
        "answer_latency": {"questions": 3, "passes": 1, "threads": 1, "ratio_to_sentence_transformers": 0.25,
                           "stages_p50_ms": {"read": 1.0, "safety": 0.1},
                           "ours": latency_summary([1.0, 2.0, 3.0]), "baseline": latency_summary([1.0, 1.0, 1.0]),
                           "sentence_transformers_encode": latency_summary([8.0, 8.0, 8.0])},
        "server": {"skipped": "the server has no POST /api/ask (HTTP 404)"},
    }
    text = render_markdown(result)
    assert f"{result['machine']['cores']} cores" in text and "Python" in text
    assert "| in process: latency_ms p50 / `SentenceTransformer.encode([q])` p50 | 0.250× | ≤ 0.4× | met |" in text
    assert "| answer in process, p50 / p95 (3 dev questions × 1 passes, 1 thread(s)) | 2.0 / 2.9 ms | 8.0 / 8.0 ms" in text
    assert "Not measured: the server has no POST /api/ask (HTTP 404)." in text
