"""Answer worker processes: one engine per process, one intra-op thread each.

    pool = WorkerPool(settings); pool.start()        # blocks until every worker is warm
    body = await pool.answer("what helps?", history, k)   # the answer object, JSON bytes

Each worker is a spawned process with its own Engine, connected to this process by a
local socket pair. A request is one length-prefixed frame of JSON
{"question", "history", "k"}; the reply is one frame holding the answer object's JSON. A
free worker takes the next question; a question waits for one otherwise (bounded by
queue_limit, see service.py). A worker that dies is replaced; the question it held gets a
503 and may be asked again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import os
import socket
import struct
from typing import Any

import orjson

from ..errors import ChatbotError
from ..index_store import index_summary, read_manifest
from ..messages import Messages
from ..settings import Settings, load_settings
from .service import Admission

log = logging.getLogger("retrieval.web")

HEADER = struct.Struct(">I")
READY, FAILED = b"ready", b"failed:"
START_TIMEOUT_S = 300.0


class WorkerFailed(ChatbotError):
    code = "worker_failed"


# -- in the worker process ------------------------------------------------------------------
def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(n - got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket) -> bytes | None:
    header = _recv_exactly(sock, HEADER.size)
    return None if header is None else _recv_exactly(sock, HEADER.unpack(header)[0])


def serve(sock: socket.socket, threads: int) -> None:
    """A worker's life: load an engine, say ready, answer frames until the socket closes."""
    from ..engine import Engine

    try:
        settings = dataclasses.replace(load_settings(), embedding_threads=threads)
        engine = Engine.load(settings)
        engine.answer("warm up")
    except ChatbotError as exc:
        _send(sock, FAILED + str(exc).encode())
        return
    _send(sock, READY)
    while (frame := _recv(sock)) is not None:
        request = orjson.loads(frame)
        reply = engine.answer(request.get("question"), request.get("history"), request.get("k"))
        _send(sock, orjson.dumps(reply.to_dict()))


# -- in the web process -------------------------------------------------------------------------
class Worker:
    def __init__(self, threads: int) -> None:
        parent, child = socket.socketpair()
        self.process = multiprocessing.get_context("spawn").Process(target=serve, args=(child, threads), daemon=True)
        self.process.start()
        child.close()
        self.sock = parent

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        self.sock.settimeout(timeout_s)
        try:
            reply = _recv(self.sock)
        except TimeoutError as exc:
            raise WorkerFailed(f"an answer worker did not start within {timeout_s:.0f} s") from exc
        if reply is None or reply.startswith(FAILED):
            detail = reply[len(FAILED) :].decode() if reply else "it exited while starting"
            raise WorkerFailed(f"an answer worker could not start: {detail}")
        self.sock.setblocking(False)

    async def ask(self, payload: bytes) -> bytes:
        loop = asyncio.get_running_loop()
        try:
            await loop.sock_sendall(self.sock, HEADER.pack(len(payload)) + payload)
            (size,) = HEADER.unpack(await self._read(loop, HEADER.size))
            return await self._read(loop, size)
        except (OSError, EOFError) as exc:
            raise WorkerFailed("an answer worker stopped") from exc

    async def _read(self, loop: asyncio.AbstractEventLoop, n: int) -> bytes:
        buffer = bytearray(n)
        view, got = memoryview(buffer), 0
        while got < n:
            read = await loop.sock_recv_into(self.sock, view[got:])
            if not read:
                raise EOFError
            got += read
        return bytes(buffer)

    def stop(self) -> None:
        self.sock.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


class WorkerPool:
    """`count` answer processes (0: one per core); this process keeps HTTP and the chat."""

    def __init__(self, settings: Settings, count: int | None = None) -> None:
        self.settings = settings
        manifest = read_manifest(settings.index_dir)
        self.document_titles = [d["title"] for d in manifest.get("documents", [])]
        self.messages = Messages.load(settings, self.document_titles)
        self.count = count or settings.workers or os.cpu_count() or 1
        self.admission = Admission(settings.queue_limit)
        self._summary = index_summary(manifest)
        self._workers: list[Worker] = []
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()

    def start(self) -> None:
        """Start every worker and wait until each has loaded and warmed its engine."""
        self._workers = [Worker(threads=1) for _ in range(self.count)]
        try:
            for worker in self._workers:
                worker.wait_ready()
        except WorkerFailed:
            self.stop()
            raise
        for worker in self._workers:
            self._idle.put_nowait(worker)

    def index_summary(self) -> dict[str, Any]:
        return self._summary

    async def answer(self, question: Any, history: Any = None, k: int | None = None) -> bytes:
        with self.admission:
            payload = orjson.dumps({"question": question, "history": history, "k": k})
            worker = await self._idle.get()
            # the exchange finishes even if this caller goes away (keeping the socket in step),
            # and only then is the worker free again
            exchange = asyncio.ensure_future(worker.ask(payload))
            exchange.add_done_callback(lambda done: self._release(worker, done))
            return await asyncio.shield(exchange)

    def _release(self, worker: Worker, exchange: asyncio.Future) -> None:
        if not exchange.cancelled() and isinstance(exchange.exception(), WorkerFailed):
            log.error("an answer worker stopped; starting another")
            asyncio.get_running_loop().create_task(self._replace(worker))
        else:
            self._idle.put_nowait(worker)

    async def _replace(self, dead: Worker) -> None:
        dead.stop()
        worker = Worker(threads=1)
        await asyncio.to_thread(worker.wait_ready)
        self._workers = [w for w in self._workers if w is not dead] + [worker]
        self._idle.put_nowait(worker)

    def stop(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers = []
