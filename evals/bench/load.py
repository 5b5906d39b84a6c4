"""`POST /api/ask` under load: a real server, 1 to 32 concurrent clients, distinct questions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..sets import SETS_DIR, load_set
from .latency import latency_summary
from .processes import ROOT

PORTS = range(7880, 7890)
LOAD_SETS = ("retrieval/alder", "retrieval/briar", "retrieval/cypress", "retrieval/dogwood", "scope/maple")  # each asked once


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
        for case in load_set(SETS_DIR / f"{name}.jsonl").cases:
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
