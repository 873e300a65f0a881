"""The store an API serves when its own could not be opened at start-up (missing, not a store,
damaged): every call fails with StoreError, which the API answers as 503 with what the operator
must do, so the server stays up and says why rather than crashing."""

from __future__ import annotations

from collections.abc import Mapping

from .base import Dataset, QueryResult, Store, StoreError


class UnavailableStore(Store):
    """Stands in for a store that could not be opened; ``message`` is what every call raises."""

    def __init__(self, message: str):
        self.message = message

    def _fail(self):
        raise StoreError(self.message)

    def select(self, query: str, *, bindings: Mapping[str, object] | None = None) -> dict:
        self._fail()

    def query(self, query: str, *, accept: str, bindings: Mapping[str, object] | None = None,
              max_bytes: int | None = None, dataset: Dataset | None = None) -> QueryResult:
        self._fail()

    def replace_graph(self, ntriples: bytes) -> None:
        self._fail()

    def triple_count(self) -> int:
        self._fail()
