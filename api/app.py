"""The FastAPI application factory: ``create_app(settings)``, with no import-time state."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from jinja2 import Environment, PackageLoader, select_autoescape

from qigraph import __version__
from qigraph.config import Settings
from qigraph.store import StoreError, open_store

from .problems import Problem, problem_handler, problem_response
from .routes import health, lookups, queries, resources, sparql


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build an app serving the store that ``settings.store`` names (opened read-only)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.store = open_store(settings.store, read_only=True)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="qigraph",
        version=__version__,
        summary="Knowledge graph of Shanghai's quality infrastructure: SPARQL endpoint and API",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalog = queries.catalog_state()
    app.state.templates = Environment(loader=PackageLoader("qigraph.api", "templates"), autoescape=select_autoescape())
    app.add_exception_handler(Problem, problem_handler)

    async def store_error(request, exc: StoreError):
        return problem_response(503, "Store unavailable", str(exc), request.url.path)

    app.add_exception_handler(StoreError, store_error)
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(queries.router)
    app.include_router(resources.router)
    app.include_router(lookups.router)

    @app.get("/", include_in_schema=False)
    def index() -> dict:
        return {"name": "qigraph", "version": __version__, "sparql": "/sparql", "queries": "/queries",
                "health": "/health", "docs": "/docs"}

    return app
