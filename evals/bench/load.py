"""`POST /api/ask` under load: `python app.py` (its worker processes), 1 to 32 concurrent
clients on keep-alive connections, every question distinct."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..sets import load_set, writer_sets
from .latency import latency_summary
from .processes import ROOT

PORTS = range(7880, 7890)


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


async def _client(host: str, port: int, questions: list[str], position: list[int], stop_at: float,
                  latencies: list[float], errors: dict[str, int]) -> None:
    """One keep-alive connection asking questions until none are left (raw HTTP/1.1: the
    client's own CPU time stays small beside the server's)."""
    import orjson

    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at and position[0] < len(questions):
            question = questions[position[0]]
            position[0] += 1
            body = orjson.dumps({"question": question})
            started = time.perf_counter()
            writer.write(b"POST /api/ask HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % (host.encode(), len(body)) + body)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            if status == 200:
                latencies.append((time.perf_counter() - started) * 1000.0)
            else:
                errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
    finally:
        writer.close()


def load_level(url: str, questions: Sequence[str], concurrency: int, deadline_s: float) -> LoadLevel:
    """Each question once, from `concurrency` keep-alive connections; stop at the deadline."""
    host, port = url.split("//", 1)[1].split(":")
    latencies: list[float] = []
    errors: dict[str, int] = {}
    position = [0]

    async def run() -> None:
        stop_at = time.perf_counter() + deadline_s
        await asyncio.gather(*(_client(host, int(port), list(questions), position, stop_at, latencies, errors)
                               for _ in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(run())
    wall = time.perf_counter() - started
    return LoadLevel(concurrency, position[0], len(latencies), errors, wall, len(latencies) / wall if wall else 0.0,
                     latency_summary(latencies), position[0] < len(questions))


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
    """Distinct questions (every question is asked once, so the encoder's cache never answers)."""
    seen: dict[str, None] = {}
    for task in ("retrieval", "scope"):
        for path in writer_sets(task).values():
            for case in load_set(path).cases:
                seen.setdefault(case.question, None)
    return list(seen)


def server_load(levels: dict[int, int], deadline_s: float, out_dir: Path) -> dict[str, Any]:
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
        start = 0
        for concurrency, count in levels.items():
            chunk = questions[start : start + count]
            start += count
            results.append(asdict(load_level(server.url, chunk, concurrency, deadline_s)))
    return {"url": f"http://127.0.0.1:{port}/api/ask", "deadline_s": deadline_s, "levels": results}
