"""The clinic HTTP API: POST /api/ask, GET /health and GET /api/info (docs/interfaces.md).

`/api/ask` takes `{"question": str, "history": [{"role", "content"}]?, "k": int?}`
and returns the answer object exactly as `Answer.to_dict()` makes it (its schema is
generated from retrieval/models.py),
through the one `engine.answer()` path. Errors are JSON with `error` and `detail`:
413 body too large, 429 too many questions (with Retry-After), 403 a browser page
on an origin that may not use the API, 422 malformed JSON. `/api/info` gives a
clinic page's own chat (embed/chat-bubble.js) the disclaimer, labels and colours.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..models import Answer
from .limits import RateLimiter, retry_after_header
from .security import OriginPolicy, origin_refused
from .texts import UiTexts


class AnswerEngine(Protocol):
    """What the web layer needs from retrieval.engine.Engine (a fake in unit tests)."""

    settings: Any
    messages: Any
    index: Any

    def answer(self, question: Any, history: Any = None, k: int | None = None) -> Any: ...


# -- request and documented response shapes -------------------------------------------
class TurnIn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    question: str = Field(description="What the person typed.", examples=["What are the symptoms?"])
    history: list[TurnIn] | None = Field(
        default=None, description="Earlier turns, oldest first, for follow-ups such as 'what about surgery?'."
    )
    k: int | None = Field(default=None, ge=1, le=20, description="How many passages to retrieve (default 5).")


class ErrorOut(BaseModel):
    error: str
    detail: str


class InfoOut(BaseModel):
    """Texts and colours a clinic page needs to show its own chat around /api/ask."""

    model_config = ConfigDict(extra="allow")
    title: str
    disclaimer: str
    question_label: str
    ask_button: str
    sources_label: str
    alert_heading: dict[str, str]
    warning_heading: str
    examples: list[str]
    primary_color: str
    accent_color: str


class HealthOut(BaseModel):
    status: Literal["ok"]
    index: dict[str, Any]


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def make_router(
    engine: AnswerEngine, limiter: RateLimiter, policy: OriginPolicy, texts: UiTexts, info: dict[str, Any]
) -> APIRouter:
    """`info` is the /api/info object: see InfoOut."""
    router = APIRouter()

    @router.post(
        "/api/ask",
        summary="Ask one question; get the cited answer object",
        response_model=None,
        responses={
            200: {"model": Answer, "description": "The answer object (docs/interfaces.md)."},
            403: {"model": ErrorOut, "description": "Called from a web page on an origin not in allowed_origins."},
            413: {"model": ErrorOut, "description": "Request body larger than max_body_bytes."},
            429: {"model": ErrorOut, "description": "More than rate_limit_per_minute questions from this client."},
        },
        tags=["answers"],
    )
    def ask(body: AskRequest, request: Request) -> JSONResponse:
        if origin_refused(request, policy):
            return JSONResponse({"error": "origin_not_allowed", "detail": "This site may not use the API."}, 403)
        wait = limiter.check(client_key(request))
        if wait is not None:
            return JSONResponse(
                {"error": "too_many_requests", "detail": texts.too_many_requests, "retry_after": round(wait)},
                429,
                headers={"Retry-After": retry_after_header(wait)},
            )
        history = [turn.model_dump() for turn in body.history or []]
        reply = engine.answer(body.question, history=history, k=body.k)
        return JSONResponse(reply.to_dict())

    @router.get("/api/info", response_model=InfoOut, summary="Texts and colours for a clinic's own chat", tags=["answers"])
    def ui_info() -> dict[str, Any]:
        return info

    @router.get("/health", response_model=HealthOut, summary="Ready to answer, and which index", tags=["service"])
    def health() -> dict[str, Any]:
        return {"status": "ok", "index": engine.index.summary()}

    return router
