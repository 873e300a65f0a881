"""Settings shared by the CLI and the API: where the store is and how the server behaves."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

STORE_ENV = "QIGRAPH_STORE"


def default_store_location() -> str:
    """The store used when none is given: ``$QIGRAPH_STORE``, else the user's data folder."""
    if os.environ.get(STORE_ENV):
        return os.environ[STORE_ENV]
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return str(base / "qigraph" / "store")


@dataclass(frozen=True)
class Settings:
    """What an API instance needs to know; built by the CLI or by tests."""

    store: str = field(default_factory=default_store_location)
    query_timeout: float = 30.0  # seconds a query may run before its worker is stopped
    max_result_bytes: int = 64 * 1024 * 1024  # serialised result size cap
    query_workers: int = 2  # worker processes answering queries (this machine has 2 cores)
    allowed_services: tuple[str, ...] = ()  # SERVICE endpoints a query may call; none by default
