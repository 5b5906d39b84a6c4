"""Who may embed the chat or call it from a browser: CORS and CSP frame-ancestors.

The allowed origins are the page's own origin, localhost (any port, for a
clinic's web team testing on their machine) and `allowed_origins` from settings,
e.g. CHATBOT_ALLOWED_ORIGINS="https://www.clinic.example,https://clinic.example".

- CORS: Starlette's CORSMiddleware answers only those origins (Gradio then leaves
  CORS to the parent app instead of reflecting any origin).
- Framing: every response carries `Content-Security-Policy: frame-ancestors 'self'
  <localhost> <allowed origins>`, so the browser refuses to show the chat inside
  any other site's page.
- POST /api/ask from a browser page on any other origin is refused with 403.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def is_same_origin(request: Request, origin: str) -> bool:
    """The Origin header names the host the request was sent to (directly or via a proxy)."""
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    return urlsplit(origin).netloc.lower() == host.split(",")[0].strip().lower()


def origin_refused(request: Request, policy: OriginPolicy) -> bool:
    """A browser call from a page whose origin may not use the API."""
    origin = request.headers.get("origin")
    return bool(origin) and not is_same_origin(request, origin) and not policy.allows(origin)


class SecurityHeaders:
    """ASGI middleware: frame-ancestors CSP and a few safe defaults on every HTTP response."""

    def __init__(self, app: ASGIApp, policy: OriginPolicy) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", policy.frame_ancestors().encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_origin_policy(app: FastAPI, policy: OriginPolicy) -> None:
    app.add_middleware(SecurityHeaders, policy=policy)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(policy.allowed),
        allow_origin_regex=LOCALHOST_ORIGIN,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        allow_credentials=True,
        max_age=600,
    )
