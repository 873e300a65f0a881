"""Starlette's own HTTP errors (no route matched, method not allowed, a body that is not JSON) as
problem details, like every other error of the API, instead of FastAPI's bare ``{"detail": …}``."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from starlette.exceptions import HTTPException

from .problems import problem_response

_HINTS = {404: "; GET / lists the entry points and /docs the API",
          400: "; send well-formed JSON with Content-Type application/json"}


async def http_error(request: Request, exc: HTTPException):
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "Error"
    detail = str(exc.detail) if exc.detail else title
    if exc.status_code in _HINTS and detail in ("Not Found", "There was an error parsing the body"):
        detail += _HINTS[exc.status_code]
    return problem_response(exc.status_code, title, detail, request.url.path, headers=exc.headers)  # e.g. Allow on a 405
