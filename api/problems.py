"""Errors as RFC 9457 problem details (application/problem+json), with a message that says what to fix."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

PROBLEM = "application/problem+json"


class Problem(Exception):
    """An error to send as problem details."""

    def __init__(self, status: int, title: str, detail: str, *, type_: str = "about:blank",
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.type = status, title, detail, type_
        self.headers = headers or {}


def problem_response(status: int, title: str, detail: str, instance: str | None = None, type_: str = "about:blank", *,
                     headers: dict[str, str] | None = None, **extra) -> JSONResponse:
    """Problem details (also an ASGI app, so middleware can send it); ``headers``: e.g. Retry-After;
    ``extra``: members of the problem's own (RFC 9457 §3.2), e.g. the ids in conflict."""
    body = {"type": type_, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    return JSONResponse({**body, **extra}, status_code=status, media_type=PROBLEM, headers=headers)


async def problem_handler(request: Request, exc: Problem) -> JSONResponse:
    return problem_response(exc.status, exc.title, exc.detail, request.url.path, exc.type, headers=exc.headers)
