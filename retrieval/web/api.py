"""The clinic HTTP API: POST /api/ask, GET /health and GET /api/info (docs/interfaces.md).

`/api/ask` takes `{"question": str, "history": [{"role", "content"}]?, "k": int?}` and
returns the answer object exactly as `Answer.to_dict()` makes it (its schema is generated
from retrieval/models.py), through the one `engine.answer()` path (service.py). Errors
are `{"error", "detail"}` (replies.py): 400 not JSON (NaN and Infinity are not JSON),
422 fields of the wrong type, 429 too many questions (with Retry-After), 503 overloaded
or not ready (with Retry-After); 403 and 413 come from the layers around the routes.
`/api/info` gives a clinic page's own chat (the chat bubble) its texts, colours and the
order of an answer's parts.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ChatbotError
from ..models import Answer
from .limits import RateLimiter, retry_after_header
from .replies import describe, error_response
from .service import AnswerService, Overloaded
from .texts import UiTexts


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
    part_order: list[str]


class HealthOut(BaseModel):
    status: Literal["ok"]
    index: dict[str, Any]


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def read_ask(body: bytes) -> AskRequest:
    """The request, or ValueError (not JSON, NaN/Infinity included) / ValidationError."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValueError("The request body is not valid JSON (NaN and Infinity are not JSON).") from exc
    return AskRequest.model_validate(data)


def make_router(service: AnswerService, limiter: RateLimiter, texts: UiTexts, info: dict[str, Any]) -> APIRouter:
    """`info` is the /api/info object: see InfoOut."""
    router = APIRouter()

    @router.post(
        "/api/ask",
        summary="Ask one question; get the cited answer object",
        response_model=None,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AskRequest"}}}}},
        responses={
            200: {"model": Answer, "description": "The answer object (docs/interfaces.md)."},
            400: {"model": ErrorOut, "description": "The body is not valid JSON."},
            403: {"model": ErrorOut, "description": "Called from a web page on an origin not in allowed_origins."},
            413: {"model": ErrorOut, "description": "Request body larger than max_body_bytes."},
            422: {"model": ErrorOut, "description": "A field has the wrong type or range."},
            429: {"model": ErrorOut, "description": "More than rate_limit_per_minute questions from this client."},
            503: {"model": ErrorOut, "description": "Too many questions waiting, or not ready: try again after Retry-After."},
        },
        tags=["answers"],
    )
    async def ask(request: Request) -> Response:
        wait = limiter.check(client_key(request))
        if wait is not None:
            return error_response(429, "too_many_requests", texts.too_many_requests,
                                  headers={"Retry-After": retry_after_header(wait)}, retry_after=round(wait))
        try:
            body = read_ask(await request.body())
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                return error_response(422, "invalid_request", describe(exc))
            return error_response(400, "bad_json", str(exc))
        history = [turn.model_dump() for turn in body.history or []]
        try:
            answer = await service.answer(body.question, history, body.k)
        except Overloaded:
            return error_response(503, "overloaded", texts.busy, headers={"Retry-After": "1"})
        except ChatbotError:
            return error_response(503, "unavailable", texts.busy, headers={"Retry-After": "5"})
        return Response(answer, media_type="application/json")

    @router.get("/api/info", response_model=InfoOut, summary="Texts and colours for a clinic's own chat", tags=["answers"])
    def ui_info() -> dict[str, Any]:
        return info

    @router.get("/health", response_model=HealthOut, summary="Ready to answer, and which index", tags=["service"])
    def health() -> dict[str, Any]:
        return {"status": "ok", "index": service.index_summary()}

    return router
