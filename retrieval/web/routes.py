"""Which routes are served: an allow-list, decided route by route.

Gradio registers many routes the product never uses (file upload, file serving, dev
reload, monitoring, REST calls by name, login, streaming media, ...). Each route Gradio
registers is listed below as served or refused; anything not served answers 404 before
it reaches Gradio. tests/web/test_routes.py walks every route the installed Gradio
registers and fails on one that is in neither list, so a new Gradio route is refused
until someone decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# the app's own routes
APP_ROUTES = (
    ("POST", "/api/ask"),
    ("GET", "/api/info"),
    ("GET", "/health"),
    ("GET", "/docs"),
    ("GET", "/docs-assets/{path:path}"),
    ("GET", "/openapi.json"),
    ("GET", "/gradio.js"),
    ("GET", "/chat-bubble.js"),
    ("GET", "/embed"),
)

# Gradio routes (relative to each chat's mount, "/" and "/embed") the chat page needs
GRADIO_SERVED = (
    ("GET", "/"),
    ("HEAD", "/"),
    ("GET", "/config"),
    ("GET", "/config/"),
    ("GET", "/static/{path:path}"),
    ("GET", "/assets/{path:path}"),
    ("GET", "/svelte/{path:path}"),
    ("GET", "/favicon.ico"),
    ("GET", "/theme.css"),
    ("GET", "/gradio_api/theme.css"),
    ("GET", "/gradio_api/info"),
    ("GET", "/gradio_api/info/"),
    ("GET", "/gradio_api/heartbeat/{session_hash}"),
    ("POST", "/gradio_api/queue/join"),
    ("GET", "/gradio_api/queue/data"),
    ("GET", "/gradio_api/startup-events"),
    ("GET", "/gradio_api/app_id"),
    ("GET", "/gradio_api/app_id/"),
)

# Gradio routes the product does not use: refused (404)
GRADIO_REFUSED = (
    ("GET", "/openapi.json"),  # Gradio's own; the app serves /openapi.json
    ("HEAD", "/openapi.json"),
    ("POST", "/login"),
    ("POST", "/login/"),
    ("GET", "/logout"),
    ("GET", "/robots.txt"),
    ("GET", "/manifest.json"),
    ("GET", "/pwa_icon"),
    ("GET", "/pwa_icon/{size}"),
    ("GET", "/monitoring"),
    ("GET", "/monitoring/summary"),
    ("GET", "/monitoring/{key}"),
    ("GET", "/gradio_api/deep_link"),
    ("GET", "/gradio_api/user"),
    ("GET", "/gradio_api/user/"),
    ("GET", "/gradio_api/login_check"),
    ("GET", "/gradio_api/login_check/"),
    ("GET", "/gradio_api/token"),
    ("GET", "/gradio_api/token/"),
    ("GET", "/gradio_api/dev/reload"),
    ("GET", "/gradio_api/runs"),
    ("GET", "/gradio_api/runs/"),
    ("GET", "/gradio_api/openapi.json"),
    ("GET", "/gradio_api/custom_component/{id}/{environment}/{type}/{file_name}"),
    ("GET", "/gradio_api/proxy={url_path:path}"),
    ("HEAD", "/gradio_api/proxy={url_path:path}"),
    ("GET", "/gradio_api/file={path_or_url:path}"),
    ("HEAD", "/gradio_api/file={path_or_url:path}"),
    ("GET", "/gradio_api/file/{path:path}"),
    ("POST", "/gradio_api/stream/{event_id}"),
    ("POST", "/gradio_api/stream/{event_id}/close"),
    ("GET", "/gradio_api/stream/{session_hash}/{run}/{component_id}/playlist.m3u8"),
    ("GET", "/gradio_api/stream/{session_hash}/{run}/{component_id}/{segment_id}.{ext}"),
    ("GET", "/gradio_api/stream/{session_hash}/{run}/{component_id}/playlist-file"),
    ("POST", "/gradio_api/reset"),
    ("POST", "/gradio_api/reset/"),
    ("POST", "/gradio_api/api/{api_name}"),
    ("POST", "/gradio_api/api/{api_name}/"),
    ("POST", "/gradio_api/run/{api_name}"),
    ("POST", "/gradio_api/run/{api_name}/"),
    ("POST", "/gradio_api/call/{api_name}"),
    ("POST", "/gradio_api/call/{api_name}/"),
    ("POST", "/gradio_api/call/v2/{api_name}"),
    ("POST", "/gradio_api/call/v2/{api_name}/"),
    ("GET", "/gradio_api/call/{api_name}/{event_id}"),
    ("GET", "/gradio_api/call/v2/{api_name}/{event_id}"),
    ("POST", "/gradio_api/cancel"),
    ("POST", "/gradio_api/component_server"),
    ("POST", "/gradio_api/component_server/"),
    ("GET", "/gradio_api/queue/status"),
    ("GET", "/gradio_api/upload_progress"),
    ("POST", "/gradio_api/upload"),
    ("POST", "/gradio_api/process_recording"),
    ("POST", "/gradio_api/vibe-edit"),
    ("POST", "/gradio_api/vibe-edit/"),
    ("POST", "/gradio_api/undo-vibe-edit"),
    ("POST", "/gradio_api/undo-vibe-edit/"),
    ("GET", "/gradio_api/vibe-code"),
    ("GET", "/gradio_api/vibe-code/"),
    ("POST", "/gradio_api/vibe-code"),
    ("POST", "/gradio_api/vibe-code/"),
    ("POST", "/gradio_api/vibe-starter-queries"),
    ("POST", "/gradio_api/vibe-starter-queries/"),
)

_PARAM = re.compile(r"\{(\w+)(:path)?\}")


def template_regex(template: str) -> str:
    """"/assets/{path:path}" -> a regex matching that route's concrete paths."""
    out, last = [], 0
    for m in _PARAM.finditer(template):
        out.append(re.escape(template[last : m.start()]))
        out.append(".+" if m.group(2) else "[^/]+")
        last = m.end()
    out.append(re.escape(template[last:]))
    return "".join(out)


class AllowList:
    """(method, path) -> served? HEAD is served wherever GET is (Starlette answers it)."""

    def __init__(self, app_routes: Iterable[tuple[str, str]], gradio_mounts: Iterable[str]) -> None:
        routes = list(app_routes)
        for mount in gradio_mounts:
            prefix = mount.rstrip("/")
            routes += [(method, prefix + path) for method, path in GRADIO_SERVED]
        by_method: dict[str, list[str]] = {}
        for method, template in routes:
            methods = (method, "HEAD") if method == "GET" else (method,)
            for m in methods:
                by_method.setdefault(m, []).append(template_regex(template))
        self._patterns = {m: re.compile("|".join(f"(?:{p})" for p in ps)) for m, ps in by_method.items()}

    def serves(self, method: str, path: str) -> bool:
        if method == "OPTIONS":  # CORS preflight: answered (or refused) by the CORS layer
            return True
        pattern = self._patterns.get(method)
        return bool(pattern and pattern.fullmatch(path))
