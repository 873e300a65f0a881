"""Liveness and readiness: is the store open, and how much does it hold (a remote endpoint says
only whether it holds anything: counting it is a scan of the whole endpoint)."""

from __future__ import annotations

from fastapi import APIRouter

from qigraph import __version__

from ..deps import StoreDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Service health and store size")
def health(store: StoreDep) -> dict:
    return {"status": "ok", "version": __version__, **store.size()}
