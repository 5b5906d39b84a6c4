"""Limits per request and per client: 413 for large bodies, 429 for too many questions.

`BodySizeLimit` refuses any request body over `max_body_bytes` before the app
reads it (by Content-Length, or by counting a streamed body). `RateLimiter`
allows `rate_limit_per_minute` questions per client in any 60-second window;
the HTTP API answers 429 with Retry-After, the chat says the same in words.
A client is its IP address as uvicorn reports it (behind a proxy, run uvicorn
with --forwarded-allow-ips so this is the patient's address, not the proxy's).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WINDOW_SECONDS = 60.0
MAX_TRACKED_CLIENTS = 10_000


class RateLimiter:
    """Sliding one-minute window per client key; thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = max(1, int(per_minute))
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float | None:
        """Count one request for `key`: None when allowed, else seconds until it would be."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1.0, WINDOW_SECONDS - (now - hits[0]))
            hits.append(now)
            if len(self._hits) > MAX_TRACKED_CLIENTS:
                self._forget_idle(now)
            return None

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or now - h[-1] >= WINDOW_SECONDS]:
            del self._hits[key]


def json_error(error: str, detail: str, **extra: object) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps({"error": error, "detail": detail, **extra}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return body, headers


class BodySizeLimit:
    """ASGI middleware: 413 for any request body larger than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int, message: str) -> None:
        self.app = app
        self.max_bytes = int(max_bytes)
        self.message = message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send)
            return
        # no (or an honest) Content-Length: read at most max_bytes + 1, then replay it
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body, headers = json_error("too_large", self.message, limit_bytes=self.max_bytes)
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def retry_after_header(seconds: float) -> str:
    return str(math.ceil(seconds))
