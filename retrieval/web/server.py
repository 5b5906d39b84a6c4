"""One FastAPI app: the HTTP API, the chat at / and the compact chat at /embed.

    app = create_app(WorkerPool(settings))   # answers from worker processes (app.py)
    app = create_app(engine)                 # or from an engine in this process (tests)
    uvicorn.run(app, **server_options(settings))

Request path, outermost first: the gate (allow-listed routes only, 403 for foreign
origins' POSTs, security headers on every reply, no traceback ever: security.py) ->
CORS -> body-size limit (413) -> routes: /api/ask, /api/info, /health, /docs,
/openapi.json, /gradio.js, /chat-bubble.js, /embed (Gradio), / (Gradio).
"""

from __future__ import annotations

from typing import Any, Literal

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from ..models import answer_schema
from ..render import PART_ORDER
from ..settings import Settings
from .api import AskRequest, make_router
from .assets import add_api_docs, add_chat_bubble, add_web_component_loader
from .chat_ui import ChatHandlers, build_chat
from .feedback import FeedbackStore
from .limits import BodySizeLimit, RateLimiter
from .replies import install_error_replies
from .routes import APP_ROUTES, AllowList
from .security import Gate, OriginPolicy, install_cors
from .service import AnswerService, InProcess
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
        "part_order": list(PART_ORDER),
    }


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options: X-Forwarded-For and -Proto are believed only from trusted_proxies
    (none by default), so a client cannot pick the address its rate limit counts."""
    trusted = ",".join(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted, "server_header": False,
            "log_level": "warning", "timeout_keep_alive": 5}


def serve_answer_schema(app: FastAPI) -> None:
    """OpenAPI's Answer (and the records it holds) is the one schema of models.answer_schema();
    the request of POST /api/ask is AskRequest's."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            ref = "#/components/schemas/{model}"
            answer = answer_schema(ref_template=ref)
            request = AskRequest.model_json_schema(ref_template=ref)
            spec["components"]["schemas"].update(
                {**answer.pop("$defs", {}), "Answer": answer, **request.pop("$defs", {}), "AskRequest": request}
            )
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    answers: AnswerService | Any,
    *,
    texts: UiTexts | None = None,
    feedback: FeedbackStore | None | Literal["from_settings"] = "from_settings",
    limiter: RateLimiter | None = None,
) -> FastAPI:
    """The whole web app around a ready answer service (or an engine, answered in this
    process). `feedback` defaults to the store settings ask for (None when logging is off)."""
    service: AnswerService = answers if hasattr(answers, "index_summary") else InProcess(answers)
    settings = service.settings
    texts = texts or UiTexts.load(settings, service.document_titles)
    store = FeedbackStore.from_settings(settings) if feedback == "from_settings" else feedback
    limiter = limiter or RateLimiter(settings.rate_limit_per_minute)
    policy = OriginPolicy.from_settings(settings.allowed_origins)

    app = FastAPI(
        title=f"{texts.title}: HTTP API",
        description="Cited answers from trusted patient-information documents. "
        "`POST /api/ask` returns the answer object (docs/interfaces.md).",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    install_error_replies(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, message=texts.too_large)
    install_cors(app, policy)
    app.add_middleware(Gate, policy=policy, allow=AllowList(APP_ROUTES, (EMBED_PATH, "/")),
                       public_origin=settings.public_origin)
    palette = Palette(settings)
    disclaimer = service.messages.disclaimer
    app.include_router(make_router(service, limiter, texts, ui_info(texts, disclaimer, palette)))
    add_api_docs(app, texts.title)
    add_web_component_loader(app)
    add_chat_bubble(app)
    serve_answer_schema(app)

    @app.get(EMBED_PATH, include_in_schema=False)
    def embed_without_slash() -> RedirectResponse:
        return RedirectResponse(f"{EMBED_PATH}/", status_code=307)

    handlers = ChatHandlers(service, texts, limiter, store)
    theme = build_theme(palette)
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
