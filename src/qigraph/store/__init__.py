"""One front door to every store backend: ``open_store(descriptor)``.

A descriptor names the backend and where it is: ``oxigraph:/path/to/store`` (the default, an
embedded store on disk; a bare path means the same), or the ``http(s)://`` URL of a remote SPARQL
1.1 endpoint. Backends register lazily by module path, so a backend's dependencies (SPARQLWrapper
for a remote one) are imported only when it is used.
"""

from __future__ import annotations

from importlib import import_module

from .base import QueryResult, QuerySyntaxError, Store, StoreError

# scheme -> "module:factory"; the factory takes the descriptor's remainder and keyword options.
_BACKENDS = {
    "oxigraph": "qigraph.store.oxigraph_store:open_oxigraph",
    "http": "qigraph.store.remote_store:open_remote",
    "https": "qigraph.store.remote_store:open_remote",
}
# Backends whose descriptor is a URL: the factory takes it whole, scheme included.
_URL_SCHEMES = {"http", "https"}


def open_store(descriptor: str, **options) -> Store:
    """Open the store a descriptor names.

    Args:
        descriptor: ``oxigraph:PATH`` or a plain path (embedded store); ``http(s)://…`` (a remote
            endpoint's query URL).
        **options: passed to the backend (e.g. ``read_only=True``; for a remote endpoint
            ``update_url``, ``graph``, ``user``, ``password``, ``timeout``).

    Raises:
        StoreError: unknown backend, or the backend cannot open the store.
    """
    scheme, sep, rest = descriptor.partition(":")
    if not sep or scheme not in _BACKENDS or "/" in scheme:
        scheme, rest = "oxigraph", descriptor
    module_name, _, factory = _BACKENDS[scheme].partition(":")
    return getattr(import_module(module_name), factory)(descriptor if scheme in _URL_SCHEMES else rest, **options)


__all__ = ["open_store", "Store", "StoreError", "QueryResult", "QuerySyntaxError"]
