"""Files the browser needs, served from installed packages (nothing from a CDN).

- /docs: Swagger UI for the HTTP API, from the `swagger-ui-py` package's bundle
  (FastAPI's default /docs loads it from a CDN, which an offline clinic lacks).
- /gradio.js: the loader of Gradio's `<gradio-app>` web component, so a clinic page
  can show the chat with `<script type="module" src="https://chat.clinic.example/gradio.js">`.
- /chat-bubble.js: the dependency-free chat bubble, which calls
  /api/ask from a clinic's page (retrieval/web/static/chat-bubble.js).
"""

from __future__ import annotations

from pathlib import Path

import gradio
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

CHAT_BUBBLE = Path(__file__).resolve().parent / "static" / "chat-bubble.js"
GRADIO_LOADER = Path(gradio.__file__).parent / "templates" / "frontend" / "gradio.js"


def swagger_static_dir() -> Path | None:
    try:
        import swagger_ui
    except ImportError:
        return None
    folder = Path(swagger_ui.__file__).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def add_api_docs(app: FastAPI, title: str) -> None:
    folder = swagger_static_dir()
    if folder is None:
        return
    app.mount("/docs-assets", StaticFiles(directory=folder), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title}: HTTP API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def add_web_component_loader(app: FastAPI) -> None:
    loader = GRADIO_LOADER.read_text(encoding="utf-8")  # import("./assets/index-<hash>.js"), served by the / mount

    @app.get("/gradio.js", include_in_schema=False)
    def gradio_js() -> Response:
        return Response(loader, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


def add_chat_bubble(app: FastAPI) -> None:
    if not CHAT_BUBBLE.is_file():
        return
    script = CHAT_BUBBLE.read_text(encoding="utf-8")

    @app.get("/chat-bubble.js", include_in_schema=False)
    def chat_bubble_js() -> Response:
        return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
