"""Who may embed the chat or call it from a browser: CORS and CSP frame-ancestors.

The allowed origins are the page's own origin, localhost (any port, for a
clinic's web team testing on their machine) and `allowed_origins` from settings,
e.g. CHATBOT_ALLOWED_ORIGINS="https://www.clinic.example,https://clinic.example".

- CORS: Starlette's CORSMiddleware answers only those origins (Gradio then leaves
  CORS to the parent app instead of reflecting any origin).
- Framing: every response carries `Content-Security-Policy: frame-ancestors 'self'
  <localhost> <allowed origins>`, so the browser refuses to show the chat inside
  any other site's page.
- A POST from a browser page on any other origin is refused with 403 (the API and the
  chat's event routes alike): `Gate`, the app's outermost layer, which also serves only
  the allow-listed routes (routes.py) and puts the security headers on every reply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .replies import error_body
from .routes import AllowList

log = logging.getLogger("retrieval.web")

LOCALHOST_ORIGIN = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?"
LOCALHOST_SOURCES = ("http://localhost:*", "http://127.0.0.1:*", "https://localhost:*", "https://127.0.0.1:*")
_LOCALHOST = re.compile(f"^{LOCALHOST_ORIGIN}$")


def normalize_origin(value: str) -> str | None:
    """'https://Clinic.example:443/' -> 'https://clinic.example'; None when not an origin."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or "*" in value:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


@dataclass(frozen=True)
class OriginPolicy:
    allowed: tuple[str, ...]

    @classmethod
    def from_settings(cls, origins: Iterable[str]) -> OriginPolicy:
        allowed = []
        for raw in origins:
            origin = normalize_origin(raw)
            if origin is None:
                log.warning("ignoring allowed_origins entry %r: not an origin like https://clinic.example", raw)
            elif origin not in allowed:
                allowed.append(origin)
        return cls(tuple(allowed))

    def allows(self, origin: str) -> bool:
        """True for localhost and the configured origins (same-origin is checked separately)."""
        normal = normalize_origin(origin)
        return normal is not None and (bool(_LOCALHOST.match(normal)) or normal in self.allowed)

    def frame_ancestors(self) -> str:
        return " ".join(("frame-ancestors", "'self'", *LOCALHOST_SOURCES, *self.allowed))


def is_same_origin(origin: str, host: str, public_origin: str | None) -> bool:
    """The page's origin is this server: the configured public origin when there is one,
    else the Host the request was sent to. A client-sent X-Forwarded-Host is never believed."""
    normal = normalize_origin(origin)
    if public_origin:
        return normal is not None and normal == normalize_origin(public_origin)
    return urlsplit(origin).netloc.lower() == host.strip().lower()


class Gate:
    """The outermost layer of the app (ASGI), for every HTTP request:

    - routes that are not on the allow-list (routes.py) answer 404;
    - a POST from a web page on an origin that may not use the app answers 403 (the API and
      the chat's event routes alike);
    - every reply carries the security headers (frame-ancestors CSP, nosniff, referrer);
    - an exception inside the app becomes a 500 `{"error", "detail"}` and one log line naming
      the exception's type: never a traceback, never what the person sent.
    """

    def __init__(self, app: ASGIApp, policy: OriginPolicy, allow: AllowList, public_origin: str = "") -> None:
        self.app = app
        self.policy = policy
        self.allow = allow
        self.public_origin = public_origin
        self.headers = [
            (b"content-security-policy", policy.frame_ancestors().encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        method, path = scope["method"], scope["path"]
        if not self.allow.serves(method, path):
            await self._reply(send_with_headers, 404, "not_found", "There is nothing here.")
            return
        if method == "POST" and self._foreign(scope):
            await self._reply(send_with_headers, 403, "origin_not_allowed", "This site may not use the chat.")
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # noqa: BLE001 - the person gets one clear reply; the log one line
            log.error("request failed: %s", type(exc).__name__)
            if not started:
                await self._reply(send_with_headers, 500, "internal_error", "Something went wrong. Please try again.")

    def _foreign(self, scope: Scope) -> bool:
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1")
        if not origin:  # not a browser page (curl, a clinic's backend, gradio_client)
            return False
        host = headers.get(b"host", b"").decode("latin-1")
        return not is_same_origin(origin, host, self.public_origin) and not self.policy.allows(origin)

    @staticmethod
    async def _reply(send: Send, status: int, error: str, detail: str) -> None:
        body = error_body(error, detail)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def install_cors(app: FastAPI, policy: OriginPolicy) -> None:
    """CORS answers only the allowed origins (and localhost); nothing uses cookies, so no
    credentials header."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(policy.allowed),
        allow_origin_regex=LOCALHOST_ORIGIN,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["content-type", "x-gradio-user"],  # the Gradio web component sends x-gradio-user
        allow_credentials=False,
        max_age=600,
    )
