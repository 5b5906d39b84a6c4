"""One FastAPI app: the HTTP API, the chat at / and the compact chat at /embed.

    app = create_app(engine)        # engine loaded once (Engine.load)
    uvicorn.run(app, host=..., port=...)

Request path, outermost first: CORS -> security headers (CSP frame-ancestors)
-> body-size limit (413) -> routes. Routes: /api/ask, /api/info, /health,
/docs, /openapi.json, /gradio.js, /chat-bubble.js, /embed (Gradio), / (Gradio).
"""

from __future__ import annotations

from typing import Any, Literal

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from ..models import answer_schema
from .api import AnswerEngine, make_router
from .assets import add_api_docs, add_chat_bubble, add_web_component_loader
from .chat_ui import ChatHandlers, build_chat
from .feedback import FeedbackStore
from .limits import BodySizeLimit, RateLimiter
from .security import OriginPolicy, install_origin_policy
from .texts import UiTexts
from .theme import Palette, build_css, build_theme

EMBED_PATH = "/embed"


def ui_info(texts: UiTexts, disclaimer: str, palette: Palette) -> dict[str, Any]:
    return {
        "title": texts.title,
        "disclaimer": disclaimer,
        "question_label": texts.question_label,
        "ask_button": texts.ask_button,
        "sources_label": texts.sources_label,
        "alert_heading": dict(texts.alert_heading),
        "warning_heading": texts.warning_heading,
        "examples": list(texts.examples),
        "primary_color": palette.primary,
        "accent_color": palette.accent,
    }


def serve_answer_schema(app: FastAPI) -> None:
    """OpenAPI's Answer (and the records it holds) is the one schema of models.answer_schema()."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            answer = answer_schema(ref_template="#/components/schemas/{model}")
            spec["components"]["schemas"].update({**answer.pop("$defs", {}), "Answer": answer})
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    engine: AnswerEngine,
    *,
    texts: UiTexts | None = None,
    feedback: FeedbackStore | None | Literal["from_settings"] = "from_settings",
    limiter: RateLimiter | None = None,
) -> FastAPI:
    """The whole web app around an already-loaded engine.

    `feedback` defaults to the store settings ask for (None when logging is off).
    """
    settings = engine.settings
    texts = texts or UiTexts.load(settings)
    store = FeedbackStore.from_settings(settings) if feedback == "from_settings" else feedback
    limiter = limiter or RateLimiter(settings.rate_limit_per_minute)
    policy = OriginPolicy.from_settings(settings.allowed_origins)

    app = FastAPI(
        title=f"{texts.title}: HTTP API",
        description="Cited answers from a trusted patient-information article. "
        "`POST /api/ask` returns the answer object (docs/interfaces.md).",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, message=texts.too_large)
    install_origin_policy(app, policy)
    palette = Palette(settings)
    info = ui_info(texts, engine.messages.disclaimer, palette)
    app.include_router(make_router(engine, limiter, policy, texts, info))
    add_api_docs(app, texts.title)
    add_web_component_loader(app)
    add_chat_bubble(app)

    serve_answer_schema(app)

    @app.get(EMBED_PATH, include_in_schema=False)
    def embed_without_slash() -> RedirectResponse:
        return RedirectResponse(f"{EMBED_PATH}/", status_code=307)

    handlers = ChatHandlers(engine, texts, limiter, store)
    theme = build_theme(palette)
    disclaimer = engine.messages.disclaimer
    for path, compact in ((EMBED_PATH, True), ("/", False)):  # "/" last: it matches every other path
        blocks = build_chat(handlers, disclaimer, compact=compact, concurrency=settings.concurrency)
        gr.mount_gradio_app(
            app,
            blocks,
            path=path,
            theme=theme,
            css=build_css(palette, compact=compact),
            footer_links=[] if compact else ["api"],
            run_history=False,
            show_error=False,
            mcp_server=False,
            pwa=False,
        )
    return app
