"""The embedded store: pyoxigraph (RocksDB) on disk, nothing to install.

A store location is a folder holding generations of the database and a ``current`` link to the
one in use. A build writes a new generation and then swaps the link in one atomic rename, so a
crash leaves the store as it was before or as it is after, never half-written, and a server
reading the old generation keeps working until it reopens. Beside each generation, a
hidden ``.<generation>.triples`` file records how many triples it holds: pyoxigraph counts by scanning
every quad (1.4 s at a million triples, 15 s at ten million), and ``/health`` asks for the count.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Mapping

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from qigraph.namespaces import PREFIXES

from .base import GRAPH_TYPES, SOLUTION_TYPES, Dataset, QueryResult, QuerySyntaxError, Store, StoreError

CURRENT = "current"
COUNT_SUFFIX = ".triples"
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_POSITION = re.compile(r"error at (\d+):(\d+)")


def to_ox(term) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """An rdflib term as a pyoxigraph term, for binding query variables."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot bind a {type(term).__name__}; give an rdflib URIRef or Literal")


def syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's parse error, restated with its line and column."""
    message = str(exc)
    m = _POSITION.search(message)
    if m:
        detail = message[m.end():].lstrip(": ")
        return QuerySyntaxError(f"SPARQL syntax error at line {m.group(1)}, column {m.group(2)}: {detail}")
    return QuerySyntaxError(f"SPARQL syntax error: {message}")


class _Capped(io.BytesIO):
    """An output buffer that stops the serialisation once it passes ``limit`` bytes."""

    def __init__(self, limit: int | None):
        super().__init__()
        self.limit = limit

    def write(self, data) -> int:
        if self.limit is not None and self.tell() + len(data) > self.limit:
            from .bounded import ResultTooLarge

            raise ResultTooLarge(f"the result is larger than the {self.limit:,} byte limit; "
                                 f"narrow the query or add a LIMIT")
        return super().write(data)


class OxigraphStore(Store):
    """A pyoxigraph store at ``location``; see the module docstring for the on-disk layout."""

    supports_update = True
    supports_named_graphs = True

    def __init__(self, location: str | os.PathLike, *, read_only: bool = False, create: bool = False):
        self.location = Path(location)
        self.read_only = read_only
        self._store: ox.Store | None = None
        self._generation: Path | None = None
        self._count: int | None = None
        if not create and not (self.location / CURRENT).exists():
            raise StoreError(f"no qigraph store at {self.location}: run `qigraph build` first "
                             f"(or point --store / $QIGRAPH_STORE at a built store)")

    @property
    def _db(self) -> ox.Store:
        # Opened on first use, so a build never opens (or locks) the generation it replaces.
        if self._store is None:
            current = self.location / CURRENT
            if not current.exists():
                raise StoreError(f"no qigraph store at {self.location}: run `qigraph build` first")
            try:
                self._generation = current.resolve()
                path = str(self._generation)
                self._store = ox.Store.read_only(path) if self.read_only else ox.Store(path)
            except (OSError, RuntimeError) as exc:
                # RocksDB reports a truncated or garbled store as RuntimeError("Corruption: …").
                raise StoreError(f"the store at {self.location} is damaged or cannot be opened ({str(exc).splitlines()[0][:200]}); "
                                 f"rebuild it with `qigraph build --store {self.location}`") from exc
        return self._store

    def _run(self, query: str, bindings: Mapping[str, object] | None, dataset: Dataset | None = None):
        subs = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        options = {}
        if dataset and dataset.default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
        if dataset and dataset.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
        try:
            return self._db.query(query, substitutions=subs or None, **options)
        except SyntaxError as exc:
            raise syntax_error(exc) from exc

    def select(self, query: str, *, bindings: Mapping[str, object] | None = None, max_bytes: int | None = None) -> dict:
        result = self._run(query, bindings)
        if isinstance(result, ox.QueryTriples):
            raise ValueError("select() takes SELECT or ASK queries; use query() for CONSTRUCT/DESCRIBE")
        out = _Capped(max_bytes)
        result.serialize(out, format=ox.QueryResultsFormat.JSON)
        return json.loads(out.getvalue())

    def query(self, query: str, *, accept: str, bindings: Mapping[str, object] | None = None,
              max_bytes: int | None = None, dataset: Dataset | None = None) -> QueryResult:
        result = self._run(query, bindings, dataset)
        out = _Capped(max_bytes)
        if isinstance(result, ox.QueryTriples):
            media = accept if accept in GRAPH_TYPES else GRAPH_TYPES[0]
            fmt = _GRAPH_FORMATS[media]
            prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
            ox.serialize(result, out, format=fmt, prefixes=prefixes)
            return QueryResult("graph", media, out.getvalue())
        media = accept if accept in SOLUTION_TYPES else SOLUTION_TYPES[0]
        kind = "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
        result.serialize(out, format=_RESULT_FORMATS[media])
        return QueryResult(kind, media, out.getvalue())

    def triple_count(self) -> int:
        # A generation never changes once written, so its count is read from beside it when the
        # build recorded it, and counted (by a full scan) at most once otherwise.
        if self._count is None:
            db = self._db
            recorded = self._count_file(self._generation.name)
            try:
                self._count = int(recorded.read_text(encoding="ascii"))
            except (OSError, ValueError):
                self._count = len(db)
        return self._count

    def replace_graph(self, ntriples: bytes | os.PathLike) -> None:
        """Write a new generation with these triples (N-Triples bytes, or a file of them, which is
        streamed: benchmarks load millions of triples this way) and make it current atomically."""
        name = self.write_generation(ntriples)
        try:
            self.activate(name)
        except BaseException:
            self.discard(name)
            raise

    def write_generation(self, ntriples: bytes | os.PathLike, *, tag: str = "") -> str:
        """Write a new generation with these triples beside the current one, without making it
        current; returns its name, for :meth:`activate`. A data merge writes the generation first
        and switches to it only once the curated files are ready too (see ``qigraph.merge``).

        Args:
            ntriples: N-Triples bytes, or a file of them.
            tag: appended to the generation's name (``gen-…-<tag>``), so its writer can find it again.
        """
        if self.read_only:
            raise StoreError("this store was opened read-only")
        self.location.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}" + (f"-{tag}" if tag else "")
        generation = self.location / name
        try:
            fresh = ox.Store(str(generation))
            source = {"path": os.fspath(ntriples)} if isinstance(ntriples, os.PathLike) else {"input": ntriples}
            fresh.bulk_load(**source, format=ox.RdfFormat.N_TRIPLES)
            fresh.flush()
            count = len(fresh)
            del fresh
            self._count_file(name).write_text(str(count), encoding="ascii")
        except BaseException:
            self.discard(name)
            raise
        return name

    def activate(self, name: str) -> None:
        """Make the generation ``name`` current in one atomic rename, and prune older ones."""
        if self.read_only:
            raise StoreError("this store was opened read-only")
        link = self.location / f".{CURRENT}.{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        link.symlink_to(name)
        os.replace(link, self.location / CURRENT)  # the atomic step
        self._store = None  # reopened on next use, on the new generation
        self._count = None
        self._prune(keep={name})

    def current_generation(self) -> str | None:
        """The name of the generation in use, or None when there is none."""
        current = self.location / CURRENT
        return os.readlink(current) if current.is_symlink() else None

    def discard(self, name: str) -> None:
        """Delete a generation that is not current (one a failed or abandoned write left)."""
        if name == self.current_generation():
            raise StoreError(f"generation {name} is current; it cannot be discarded")
        shutil.rmtree(self.location / name, ignore_errors=True)
        self._count_file(name).unlink(missing_ok=True)

    def _count_file(self, generation: str) -> Path:
        return self.location / f".{generation}{COUNT_SUFFIX}"

    def _prune(self, keep: set[str]) -> None:
        # Keep the newest older generation too: a server may still be reading it.
        gens = sorted((p for p in self.location.glob("gen-*") if p.is_dir()), key=lambda p: p.name)
        older = [p for p in gens if p.name not in keep]
        for stale in older[:-1]:
            shutil.rmtree(stale, ignore_errors=True)
            self._count_file(stale.name).unlink(missing_ok=True)

    def close(self) -> None:
        self._store = None
        self._count = None


def open_oxigraph(location: str, *, read_only: bool = False, create: bool = False) -> OxigraphStore:
    """Backend factory for ``oxigraph:PATH`` descriptors."""
    return OxigraphStore(location, read_only=read_only, create=create)
