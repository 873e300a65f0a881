"""The store interface every backend implements: run SPARQL queries (parameters bound, never
spliced), serialise their results, and replace the whole graph."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Mapping

# Media types of SPARQL results, keyed by the result kind they can carry.
SOLUTION_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message says what to do."""


class QuerySyntaxError(ValueError):
    """The query does not parse; the message names the line and column where the engine says so."""


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names (SPARQL Protocol default-graph-uri / named-graph-uri)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryResult:
    """A query's result, already serialised in the requested media type.

    kind is ``solutions`` (SELECT), ``boolean`` (ASK) or ``graph`` (CONSTRUCT/DESCRIBE).
    """

    kind: str
    media_type: str
    body: bytes


class Store(ABC):
    """A SPARQL 1.1 store. Backends declare what they can do through capability flags."""

    supports_update: bool = False
    supports_named_graphs: bool = False

    @abstractmethod
    def select(self, query: str, *, bindings: Mapping[str, object] | None = None) -> dict:
        """Run a SELECT or ASK query; the result as SPARQL 1.1 JSON (a dict), for every backend.

        Args:
            query: the SPARQL text.
            bindings: variable name -> rdflib term (URIRef/Literal), bound by the engine.
        """

    @abstractmethod
    def query(self, query: str, *, accept: str, bindings: Mapping[str, object] | None = None,
              max_bytes: int | None = None, dataset: Dataset | None = None) -> QueryResult:
        """Run any query and serialise its result; ``accept`` is a media type of the result's kind
        (the other kind's default is used when it does not fit); ``dataset`` overrides the query's
        dataset as the protocol's default-graph-uri / named-graph-uri do."""

    @abstractmethod
    def replace_graph(self, ntriples: bytes) -> None:
        """Replace the whole default graph with the given N-Triples."""

    @abstractmethod
    def triple_count(self) -> int:
        """How many triples the store holds."""

    def size(self) -> dict:
        """What a health check reports of the store's content, as cheaply as the backend can say it
        truthfully: ``{"triples": n}`` here (an embedded store keeps its count)."""
        return {"triples": self.triple_count()}

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release the backend's resources."""
