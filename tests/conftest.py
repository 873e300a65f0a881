"""Shared fixtures: the assembled graph and a store built from the packaged data, once per run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from qigraph.build import assemble, build
from endpoints import qigraph_serve
from support import DATA_DIR


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The whole graph as the build assembles it (rdflib, in memory)."""
    return assemble(DATA_DIR)[0]


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> str:
    """A store built from the packaged data with `qigraph build`'s code path."""
    path = tmp_path_factory.mktemp("store") / "qigraph"
    build(str(path))
    return str(path)


@pytest.fixture(scope="session")
def store(store_path):
    from qigraph.store import open_store

    s = open_store(store_path, read_only=True)
    yield s
    s.close()


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    """A private copy of the curated data folder, for tests that edit or break it."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return target


@pytest.fixture(scope="session")
def live_server(store_path):
    """`qigraph serve` on a free port, as a user runs it; yields its base URL."""
    with qigraph_serve(store_path) as url:
        yield url


# The backends the API's contract suite runs on: the embedded store, and real remote servers
# loaded with the same graph through the remote store's loading path.
BACKENDS = ("embedded", "oxigraph-server", "virtuoso")


def _loaded(endpoint, store_path):
    """An endpoint holding the built graph, loaded through the remote store's own loading path."""
    from qigraph.store import open_store

    source = open_store(store_path, read_only=True)
    ntriples = source.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", accept="application/n-triples").body
    source.close()
    open_store(endpoint.url, **endpoint.options).replace_graph(ntriples)
    return endpoint


@pytest.fixture(scope="session")
def oxigraph_endpoint(store_path, tmp_path_factory):
    """A real Oxigraph server (PyPI `oxigraph`) on a free port, holding the built graph."""
    from endpoints import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as endpoint:
        yield _loaded(endpoint, store_path)


@pytest.fixture(scope="session")
def virtuoso_endpoint(store_path, tmp_path_factory):
    """A real Virtuoso (Debian `virtuoso-opensource`) on free ports, holding the built graph."""
    from endpoints import virtuoso_server

    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as endpoint:
        yield _loaded(endpoint, store_path)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, store_path):
    """Settings for an API on one backend, holding the built graph; the tests that take it run once per backend."""
    from qigraph.config import Settings

    if request.param == "embedded":
        return Settings(store=store_path)
    endpoint = request.getfixturevalue({"oxigraph-server": "oxigraph_endpoint", "virtuoso": "virtuoso_endpoint"}[request.param])
    return Settings(store=endpoint.url, store_options=endpoint.read_options)


@pytest.fixture(scope="module")
def api(backend):
    """The API (FastAPI's test client) on the backend of the current parametrisation."""
    from fastapi.testclient import TestClient

    from qigraph.api.app import create_app

    with TestClient(create_app(backend)) as c:
        yield c
