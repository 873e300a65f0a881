"""A remote SPARQL 1.1 endpoint as a store (Oxigraph server, Virtuoso, Fuseki, GraphDB…), through
SPARQLWrapper.

Queries go out with their parameters as a VALUES block (see ``values``) and come back in the media
type asked for. Graph results are fetched as N-Triples and written out here, so CONSTRUCT and
DESCRIBE answers have the same form, prefixes included, whichever engine produced them.

Loading replaces the graph without a half-written moment: the triples go into a fresh staging
graph — in one Graph Store Protocol ``PUT`` where the endpoint offers it, else in chunks of SPARQL
Update ``INSERT DATA`` — and one final ``MOVE`` puts them in place; if anything fails, the staging
graph is dropped and the data the endpoint served before is untouched. (Virtuoso 7.2 refuses some
typed literals, xsd:duration among them, in ``INSERT DATA`` but takes them through its Graph Store.)
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Mapping

import pyoxigraph as ox

from qigraph.namespaces import PREFIXES

from .base import GRAPH_TYPES, SOLUTION_TYPES, Dataset, QueryResult, QuerySyntaxError, Store, StoreError
from .values import bind_values, query_form

# What an endpoint may answer a graph query with, and how to read it.
_GRAPH_READERS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_CHUNK_BYTES = 256 * 1024  # one request's worth of triples; endpoints cap request sizes (Virtuoso ~10 MB)
_READ_BLOCK = 64 * 1024


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint at ``url``.

    Args:
        url: the query endpoint.
        update_url: the SPARQL Update endpoint, needed only to load data (defaults to ``url``).
        store_url: the Graph Store Protocol endpoint, if any (e.g. Oxigraph's ``/store``,
            Virtuoso's ``/sparql-graph-crud-auth``); loading uses it rather than INSERT DATA.
        graph: the named graph that holds qigraph's data. Queries use it as their default graph
            (unless the request names its own dataset) and loading replaces it. Without it, the
            endpoint's default graph is used — right for Oxigraph or Fuseki, while Virtuoso's
            default graph is the union of all its graphs, system ones included.
        user, password: HTTP credentials (Digest, as Virtuoso's ``/sparql-auth`` asks, falls back to Basic).
        timeout: seconds to wait for the endpoint.
    """

    supports_update = True
    supports_named_graphs = True

    def __init__(self, url: str, *, update_url: str | None = None, store_url: str | None = None,
                 graph: str | None = None, user: str | None = None, password: str | None = None,
                 timeout: float = 30.0, read_only: bool = False):
        self.url, self.update_url, self.store_url, self.graph = url, update_url or url, store_url, graph
        self.user, self.password, self.timeout, self.read_only = user, password, timeout, read_only

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r}, graph={self.graph!r})"

    # -- requests --------------------------------------------------------------------------------

    def _wrapper(self, endpoint: str):
        from SPARQLWrapper import POST, SPARQLWrapper

        sw = SPARQLWrapper(endpoint)
        sw.setMethod(POST)
        sw.setOnlyConneg(True)
        sw.setTimeout(int(max(1, self.timeout)))
        if self.user:
            from SPARQLWrapper import DIGEST

            sw.setHTTPAuth(DIGEST)
            sw.setCredentials(self.user, self.password or "")
        return sw

    def _send(self, sw, what: str):
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException, Unauthorized

        try:
            return sw.query().response
        except QueryBadFormed as exc:
            raise _syntax_error(sw.queryString, _endpoint_message(exc)) from None
        except Unauthorized:
            raise StoreError(f"the endpoint {sw.endpoint} refused the credentials for {what}; "
                             f"set $QIGRAPH_ENDPOINT_USER and $QIGRAPH_ENDPOINT_PASSWORD") from None
        except SPARQLWrapperException as exc:
            raise StoreError(f"the endpoint {sw.endpoint} failed on {what}: {_endpoint_message(exc)}") from None
        except urllib.error.HTTPError as exc:
            raise StoreError(f"the endpoint {sw.endpoint} answered {exc.code} {exc.reason} to {what}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"the SPARQL endpoint {sw.endpoint} is unreachable or too slow ({reason}); "
                             f"check that it is running, then retry") from None

    def _request(self, query: str, accept: str, dataset: Dataset | None):
        sw = self._wrapper(self.url)
        sw.setQuery(query)
        sw.addCustomHttpHeader("Accept", accept)
        if dataset:
            for g in dataset.default_graphs:
                sw.addDefaultGraph(g)
            for g in dataset.named_graphs:
                sw.addNamedGraph(g)
        elif self.graph:
            sw.addDefaultGraph(self.graph)
        response = self._send(sw, "a query")
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return response, media

    def _update(self, update: str) -> None:
        if self.read_only:
            raise StoreError("this store was opened read-only")
        sw = self._wrapper(self.update_url)
        sw.setQuery(update)
        self._send(sw, "an update").read()

    def check_writable(self) -> None:
        """Raise StoreError unless the endpoint takes updates (a DROP SILENT of a graph nothing
        uses), so that a writer learns it before it changes anything else (see qigraph.merge)."""
        self._update("DROP SILENT GRAPH <https://w3id.org/qigraph/id/loading/probe>")

    def _put(self, graph: str, ntriples: bytes, *, append: bool = False) -> None:
        """Graph Store Protocol: replace ``graph`` with the N-Triples (PUT), or add them (POST)."""
        if self.read_only:
            raise StoreError("this store was opened read-only")
        url = f"{self.store_url}{'&' if '?' in self.store_url else '?'}graph={urllib.parse.quote(graph, safe='')}"
        request = urllib.request.Request(url, data=ntriples, method="POST" if append else "PUT",
                                         headers={"Content-Type": "application/n-triples"})
        handlers = []
        if self.user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.store_url, self.user, self.password or "")
            handlers = [urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)]
        try:
            with urllib.request.build_opener(*handlers).open(request, timeout=max(self.timeout, 60)) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise StoreError(f"the graph store {self.store_url} answered {exc.code} {exc.reason} to the upload: {detail}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise StoreError(f"the graph store {self.store_url} is unreachable ({getattr(exc, 'reason', exc)}); "
                             f"check that it is running, then retry") from None

    # -- the Store interface ---------------------------------------------------------------------

    def select(self, query: str, *, bindings: Mapping[str, object] | None = None, max_bytes: int | None = None) -> dict:
        response, media = self._request(bind_values(query, bindings), "application/sparql-results+json", None)
        body = _read_capped(response, max_bytes)
        if not media.endswith("json"):
            if query_form(query) in ("CONSTRUCT", "DESCRIBE"):
                raise ValueError("select() takes SELECT or ASK queries; use query() for CONSTRUCT/DESCRIBE")
            raise StoreError(f"the endpoint {self.url} answered a SELECT or ASK with {media or 'no media type'}, "
                             f"not SPARQL results; check that it is a SPARQL 1.1 query endpoint")
        return self._results(body, query_form(query))

    def _results(self, body: bytes, form: str | None) -> dict:
        # An endpoint that answers with something other than SPARQL JSON results is failing, not the caller.
        try:
            results = _normalise(json.loads(body))
        except (ValueError, AttributeError, TypeError):
            results = None
        key = {"SELECT": "results", "ASK": "boolean"}.get(form or "")
        if not isinstance(results, dict) or not (key in results if key else ("results" in results or "boolean" in results)):
            raise StoreError(f"the endpoint {self.url} answered with something that is not SPARQL results; "
                             f"check that it is a SPARQL 1.1 query endpoint")
        return results

    def query(self, query: str, *, accept: str, bindings: Mapping[str, object] | None = None,
              max_bytes: int | None = None, dataset: Dataset | None = None) -> QueryResult:
        # Solutions come back as SPARQL JSON and graphs as N-Triples, the forms every endpoint
        # writes most faithfully; qigraph writes the format asked for, as the embedded store does.
        # The query's form picks the one to ask for: Virtuoso answers a CONSTRUCT with an empty
        # table when a results type comes first in Accept. The form comes from the query's
        # keywords, not a full parse, which a query worker would repeat for every new query.
        if query_form(query) in ("CONSTRUCT", "DESCRIBE"):
            ask = f"application/n-triples, text/turtle;q=0.9, {SOLUTION_TYPES[0]};q=0.5"
        else:
            ask = f"{SOLUTION_TYPES[0]}, application/n-triples;q=0.9, text/turtle;q=0.8"
        response, media = self._request(bind_values(query, bindings), ask, dataset)
        body = _read_capped(response, max_bytes)
        if media in _GRAPH_READERS:
            return self._graph_result(body, media, accept if accept in GRAPH_TYPES else GRAPH_TYPES[0], max_bytes)
        if media.endswith("json"):
            return self._solutions_result(body, accept if accept in SOLUTION_TYPES else SOLUTION_TYPES[0], max_bytes)
        raise StoreError(f"the endpoint {self.url} answered with {media or 'no media type'}, which qigraph cannot read")

    def _solutions_result(self, body: bytes, want: str, max_bytes: int | None) -> QueryResult:
        from .oxigraph_store import _RESULT_FORMATS, _Capped

        results = self._results(body, None)
        parsed = ox.parse_query_results(json.dumps(results).encode(), format=ox.QueryResultsFormat.JSON)
        out = _Capped(max_bytes)
        parsed.serialize(out, format=_RESULT_FORMATS[want])
        return QueryResult("boolean" if "boolean" in results else "solutions", want, out.getvalue())

    def _graph_result(self, body: bytes, media: str, want: str, max_bytes: int | None) -> QueryResult:
        from .oxigraph_store import _GRAPH_FORMATS, _Capped

        triples = ox.parse(body, format=_GRAPH_READERS[media])
        fmt = _GRAPH_FORMATS[want]
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
        out = _Capped(max_bytes)
        ox.serialize(triples, out, format=fmt, prefixes=prefixes)
        return QueryResult("graph", want, out.getvalue())

    def triple_count(self) -> int:
        result = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(result["results"]["bindings"][0]["n"]["value"])

    def size(self) -> dict:
        """An ASK, not a count: COUNT(*) scans the whole endpoint (minutes at ten million triples,
        on every health check); whether it holds anything is what a health check can afford."""
        result = self.select("ASK { ?s ?p ?o }")
        return {"triples": None, "nonempty": bool(result.get("boolean")),
                "note": "a remote endpoint is not counted on each health check; use triple_count() or "
                        "SELECT (COUNT(*) AS ?n) when the size is needed"}

    def replace_graph(self, ntriples: bytes) -> None:
        target = f"GRAPH <{self.graph}>" if self.graph else "DEFAULT"
        staging = f"https://w3id.org/qigraph/id/loading/{uuid.uuid4()}"
        try:
            if self.store_url:
                # With credentials every request is first refused (Digest); small requests make
                # sure the refusal never arrives while a large body is still being sent.
                for n, chunk in enumerate(_chunks(ntriples, size=_CHUNK_BYTES if self.user else None)):
                    self._put(staging, chunk, append=n > 0)
            else:
                for chunk in _chunks(ntriples):
                    self._update(f"INSERT DATA {{ GRAPH <{staging}> {{\n{chunk.decode('utf-8')}\n}} }}")
            # One request swaps the new data in; until then queries see the old data.
            self._update(f"MOVE SILENT GRAPH <{staging}> TO {target}")
        except BaseException:
            try:
                self._update(f"DROP SILENT GRAPH <{staging}>")
            except StoreError:
                pass  # the endpoint is gone; the staging graph holds nothing queries look at
            raise


def _chunks(ntriples: bytes, *, size: int | None = _CHUNK_BYTES):
    """N-Triples in chunks of whole lines of about ``size`` bytes (None: one chunk); every line
    with a blank node goes in the first chunk, because a blank node label means the same node
    only within one request."""
    lines = [line for line in ntriples.splitlines() if line.strip() and not line.lstrip().startswith(b"#")]
    with_bnodes = [line for line in lines if b"_:" in line]
    rest = [line for line in lines if b"_:" not in line]
    if with_bnodes:
        yield b"\n".join(with_bnodes)
    limit, chunk, size = size, [], 0
    for line in rest:
        chunk.append(line)
        size += len(line) + 1
        if limit is not None and size >= limit:
            yield b"\n".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield b"\n".join(chunk)


def _read_capped(response, max_bytes: int | None) -> bytes:
    parts, size = [], 0
    try:
        while block := response.read(_READ_BLOCK):
            size += len(block)
            if max_bytes is not None and size > max_bytes:
                from .bounded import ResultTooLarge

                raise ResultTooLarge(f"the result is larger than the {max_bytes:,} byte limit; narrow the query or add a LIMIT")
            parts.append(block)
    finally:
        response.close()
    return b"".join(parts)


def _normalise(results: dict) -> dict:
    """SPARQL 1.1 JSON as the standard writes it, whichever engine wrote it.

    Virtuoso 7.2 says ``typed-literal``, types simple literals as xsd:string (the same literal in
    RDF 1.1, written plainly by every other engine), and answers ASK with a one-row table
    ``__ASK_RETVAL`` instead of a boolean (openlink/virtuoso-opensource#464 and kin).
    """
    head_vars = results.get("head", {}).get("vars")
    if head_vars == ["__ASK_RETVAL"]:
        rows = results.get("results", {}).get("bindings", [])
        value = rows[0]["__ASK_RETVAL"]["value"] if rows else "0"
        return {"head": {}, "boolean": value not in ("0", "false")}
    for row in results.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "typed-literal":
                term["type"] = "literal"
            if term.get("datatype") == _XSD_STRING:
                del term["datatype"]
    head = results.get("head", {})
    if "link" in head and not head["link"]:
        del head["link"]
    return results


def _endpoint_message(exc) -> str:
    """What the endpoint said about a failed request, in short."""
    response = getattr(exc, "response", None)
    text = response.decode("utf-8", "replace") if isinstance(response, bytes) else str(exc)
    return " ".join(text.split())[:500]


def _syntax_error(query: str, said: str) -> QuerySyntaxError:
    """A rejected query, with line and column: each engine words its errors its own way, so the
    position comes from parsing the query here (rdflib) when the endpoint's words do not give one."""
    from pyparsing import ParseException

    from qigraph.sparql_parser import parse_query

    try:
        parse_query(query)
    except ParseException as exc:
        return QuerySyntaxError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg} "
                                f"(the endpoint said: {said})")
    except Exception:  # noqa: BLE001, S110 - rdflib failing otherwise gives no position; the endpoint's words stand
        pass
    return QuerySyntaxError(f"the endpoint rejected the query: {said}")


def open_remote(url: str, *, read_only: bool = False, create: bool = False, **options) -> RemoteStore:
    """The ``open_store`` factory for ``http://`` and ``https://`` descriptors (``create`` means
    nothing here: an endpoint exists or it does not)."""
    return RemoteStore(url, read_only=read_only, **options)
