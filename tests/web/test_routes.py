"""Only allow-listed routes are served. Every route the installed Gradio registers must be
decided (served or refused, retrieval/web/routes.py): a new one fails here until someone
decides, and every refused one answers 404."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from retrieval.web.routes import APP_ROUTES, GRADIO_REFUSED, GRADIO_SERVED
from retrieval.web.server import EMBED_PATH, create_app

from .fakes import FakeEngine

MOUNTS = ("/", EMBED_PATH)


def registered(app: Any) -> list[tuple[str, str, str]]:
    """(mount, method, path template) of every route Gradio registers under a chat mount."""
    found = []

    def walk(routes: list[Any], mount: str | None) -> None:
        for route in routes:
            kind = type(route).__name__
            if kind == "_IncludedRouter":
                walk(route.original_router.routes, mount)
            elif kind == "Mount" and getattr(getattr(route, "app", None), "router", None) is not None:
                walk(route.app.router.routes, route.path or "/")
            elif mount is not None:
                for method in sorted(getattr(route, "methods", None) or ()):
                    found.append((mount, method, route.path))

    walk(app.routes, None)
    return found


@pytest.fixture(scope="module")
def app():
    return create_app(FakeEngine(), feedback=None)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as client:
        yield client


def test_every_gradio_route_is_decided(app):
    decided = set(GRADIO_SERVED) | set(GRADIO_REFUSED)
    routes = registered(app)
    assert {m for m, _, _ in routes} == {"/", EMBED_PATH}
    undecided = sorted({(method, path) for _, method, path in routes} - decided)
    assert not undecided, f"Gradio routes nobody decided on (add to routes.py): {undecided}"
    print(f"{len({(m, p) for _, m, p in routes})} Gradio routes: {len(GRADIO_SERVED)} served, {len(GRADIO_REFUSED)} refused")


def concrete(template: str) -> str:
    return (template.replace("{path:path}", "x/y").replace("{url_path:path}", "x").replace("{path_or_url:path}", "x")
            .replace("{", "").replace("}", "").replace(":path", ""))


@pytest.mark.parametrize(("method", "template"), GRADIO_REFUSED)
def test_refused_routes_answer_404(client, method, template):
    own = {(m, p) for m, p in APP_ROUTES} | {("HEAD", p) for m, p in APP_ROUTES if m == "GET"}
    for mount in MOUNTS:
        path = (mount.rstrip("/") + concrete(template)) or "/"
        if (method, path) in own:  # the app's own route at the same path (its /openapi.json) comes first
            continue
        response = client.request(method, path)
        assert response.status_code == 404, (method, path)
        if method != "HEAD":
            assert response.json()["error"] == "not_found"


def test_the_apps_own_routes_and_the_chat_are_served(client):
    assert client.get("/health").status_code == 200
    assert client.get("/").status_code == 200 and client.get("/embed/").status_code == 200
    assert client.get("/config").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert ("POST", "/api/ask") in APP_ROUTES
    assert client.get("/no/such/page").status_code == 404


def test_every_chat_event_runs_through_the_queue():
    """The page reaches its handlers only through /gradio_api/queue/*: an event with
    queue=False would call /gradio_api/run/..., which is refused, so it would fail silently in
    the browser (the Clear button once did: the screen emptied, the conversation stayed)."""
    from retrieval.settings import Settings
    from retrieval.web.chat_ui import ChatHandlers, build_chat
    from retrieval.web.limits import RateLimiter
    from retrieval.web.service import InProcess
    from retrieval.web.texts import UiTexts

    handlers = ChatHandlers(InProcess(FakeEngine()), UiTexts.load(Settings()), RateLimiter(30), feedback=None)
    for compact in (False, True):
        blocks = build_chat(handlers, "disclaimer", compact=compact, concurrency=2)
        unqueued = [fn.name for fn in blocks.fns.values() if fn.queue is False]
        assert not unqueued, unqueued
