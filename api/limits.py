"""Limits every request meets before a route sees it: the size of its body, and who may write.

The body limit is pure ASGI, so it holds for chunked uploads that announce no length too: the
body is counted as it arrives and the request is refused (413) the moment it passes the limit,
before anything is parsed, stored or written.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from .problems import Problem, problem_response


class RequestTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413 problem details."""

    def __init__(self, app, *, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(scope, receive, send)
        seen = 0
        started = False

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise RequestTooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except RequestTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope, receive, send):
        await problem_response(413, "Request too large", f"the request body is larger than the {self.max_bytes:,} byte limit; "
                               f"send less (split a batch) or ask the operator to raise --max-request-bytes",
                               scope.get("path", ""))(scope, receive, send)


def require_writer(request: Request) -> None:
    """Writes need the operator's token: ``Authorization: Bearer <token>``.

    No token configured means writes are switched off (403), never open to everyone.
    """
    token = request.app.state.settings.write_token
    given = request.headers.get("authorization", "")
    if not given.lower().startswith("bearer "):
        raise Problem(401, "Authentication required", "send the operator's write token as `Authorization: Bearer <token>`")
    if not token:
        raise Problem(403, "Writes disabled", "this server has no write token configured ($QIGRAPH_WRITE_TOKEN); writes are off")
    if not secrets.compare_digest(given[7:].strip().encode(), token.encode()):
        raise Problem(403, "Not allowed", "the write token is not the one this server accepts")


WriterDep = Annotated[None, Depends(require_writer)]
