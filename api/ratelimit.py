"""Per-client rate limits (the `limits` library's moving window, in memory): a client over the
limit gets 429 problem details with Retry-After, before any route or the store does work for it.

The client is the connection's peer address. Behind a reverse proxy every request comes from the
proxy, so limit there instead (or run uvicorn with --proxy-headers and a trusted --forwarded-allow-ips).
Off unless the operator sets a rate (``qigraph serve --rate-limit 60/minute``); /health is never limited,
so probes keep working while a client is being held back.
"""

from __future__ import annotations

import math
import time

from limits import parse_many, storage, strategies

from .problems import problem_response

EXEMPT = ("/health",)


def parse_rate(rate: str) -> list:
    """The rate items of a limit such as ``60/minute`` or ``10/second;500/hour``.

    Raises:
        ValueError: the text is not a rate the `limits` library reads.
    """
    try:
        return parse_many(rate)
    except ValueError:
        raise ValueError(f"--rate-limit {rate!r} is not a rate such as 60/minute or 10/second;500/hour") from None


class RateLimit:
    """Refuse a client's requests over ``rate`` with 429, Retry-After and problem details."""

    def __init__(self, app, *, rate: str):
        self.app, self.rate = app, rate
        self.items = parse_rate(rate)
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT):
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        for item in self.items:
            if not self.limiter.hit(item, client):
                reset = self.limiter.get_window_stats(item, client).reset_time
                return await self._refuse(scope, receive, send, max(1, math.ceil(reset - time.time())))
        return await self.app(scope, receive, send)

    async def _refuse(self, scope, receive, send, retry_after: int):
        await problem_response(429, "Too many requests", f"this client sent more than the server's limit of {self.rate} requests; "
                               f"wait {retry_after} s (Retry-After) and slow down", scope.get("path", ""),
                               headers={"Retry-After": str(retry_after)})(scope, receive, send)
