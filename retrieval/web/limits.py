"""Limits per request and per client: 413 for large bodies, 429 for too many questions.

`BodySizeLimit` refuses any request body over `max_body_bytes` before the app reads it
(by Content-Length, or by counting a streamed body). `RateLimiter` allows
`rate_limit_per_minute` per key (a client's address, a chat session), refilled evenly (a
token bucket): each check is constant time, and it remembers at most `max_keys` keys
(the least recently seen are forgotten first), so memory is bounded however many
clients come. A client is its address as uvicorn reports it: X-Forwarded-For is believed
only from `trusted_proxies` (server.py), so nobody can choose their own address.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .replies import error_body

MAX_KEYS = 50_000


class RateLimiter:
    """Token buckets in a bounded LRU; thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS) -> None:
        self.per_minute = max(1, int(per_minute))
        self.rate = self.per_minute / 60.0
        self.clock = clock
        self.max_keys = max(1, int(max_keys))
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, when)
        self._lock = threading.Lock()

    def check(self, *keys: str) -> float | None:
        """Count one request against every key: None when allowed, else seconds until it would be."""
        now = self.clock()
        with self._lock:
            states = {}
            for key in keys:
                tokens, when = self._buckets.pop(key, (float(self.per_minute), now))
                states[key] = min(float(self.per_minute), tokens + (now - when) * self.rate)
            short = [t for t in states.values() if t < 1.0]
            for key, tokens in states.items():
                self._buckets[key] = (tokens if short else tokens - 1.0, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        if short:
            return max(1.0, (1.0 - min(short)) / self.rate)
        return None

    def __len__(self) -> int:
        return len(self._buckets)


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
        body = error_body("too_large", self.message, limit_bytes=self.max_bytes)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def retry_after_header(seconds: float) -> str:
    return str(math.ceil(seconds))
