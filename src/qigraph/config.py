"""Settings shared by the CLI and the API: where the store is and how the server behaves."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

STORE_ENV = "QIGRAPH_STORE"
WRITE_TOKEN_ENV = "QIGRAPH_WRITE_TOKEN"
DATA_ENV = "QIGRAPH_DATA"
# A remote endpoint's options, read from the environment (a password never goes on a command line).
ENDPOINT_ENV = {"update_url": "QIGRAPH_ENDPOINT_UPDATE", "store_url": "QIGRAPH_ENDPOINT_STORE", "graph": "QIGRAPH_ENDPOINT_GRAPH",
                "user": "QIGRAPH_ENDPOINT_USER", "password": "QIGRAPH_ENDPOINT_PASSWORD"}


def is_remote(descriptor: str) -> bool:
    """Whether a store descriptor names a remote SPARQL endpoint rather than an embedded store."""
    return descriptor.startswith(("http://", "https://"))


def endpoint_options(env: Mapping[str, str] | None = None) -> dict:
    """A remote endpoint's options (update URL, graph, credentials) from ``$QIGRAPH_ENDPOINT_*``."""
    env = os.environ if env is None else env
    return {key: env[name] for key, name in ENDPOINT_ENV.items() if env.get(name)}


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
    store_options: Mapping[str, str] | None = None  # a remote endpoint's options; None: from the environment
    max_request_bytes: int = 8 * 1024 * 1024  # request body cap (queries, uploads); larger gets 413
    cors_origins: tuple[str, ...] = ()  # origins browsers may call the API from; none by default
    write_token: str | None = field(default_factory=lambda: os.environ.get(WRITE_TOKEN_ENV) or None)  # writes need it
    # the curated data folder POST /data merges into ($QIGRAPH_DATA); None: writes of data are off
    data_dir: str | None = field(default_factory=lambda: os.environ.get(DATA_ENV) or None)
    rate_limit: str | None = None  # requests per client address, e.g. "60/minute"; None: no limit (see api/ratelimit)

    def open_options(self) -> dict:
        """The options ``open_store`` takes for ``store``: a remote endpoint's, else none."""
        if not is_remote(self.store):
            return {}
        return dict(endpoint_options() if self.store_options is None else self.store_options)
