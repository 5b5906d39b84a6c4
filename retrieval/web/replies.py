"""Every error reply of the web app has one shape: `{"error": <code>, "detail": <one line>}`.

Nothing a person sent is echoed back (a validation error names the field, never its
value), and the security headers are added by the gate (security.py) to every reply.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
         415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests", 500: "internal_error",
         503: "unavailable"}


def error_body(error: str, detail: str, **extra: Any) -> bytes:
    return json.dumps({"error": error, "detail": detail, **extra}).encode()


def error_response(status: int, error: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, **extra}, status_code=status, headers=headers)


def describe(exc: ValidationError | RequestValidationError) -> str:
    """Which fields are wrong and why, without the values sent."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(problems[:5]) or "the request is not valid"


def install_error_replies(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", describe(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, CODES.get(exc.status_code, "error"), detail, headers=exc.headers)
