"""Request dependencies: the store an app instance serves, as a named alias for route signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from qigraph.store import Store


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]
