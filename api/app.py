"""The FastAPI application factory: ``create_app(settings)``, with no import-time state."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from qigraph import __version__
from qigraph.catalog_queries import load_catalog
from qigraph.config import Settings
from qigraph.store import StoreError
from qigraph.store.bounded import BoundedStore, QueryTimeout, ResultTooLarge, StoreBusy
from qigraph.store.guard import ForbiddenQuery

from .http_errors import http_error
from .limits import BodySizeLimit
from .openapi_problems import declare as declare_problems
from .problems import Problem, problem_handler, problem_response
from .routes import data as data_routes
from .routes import (
    eligibility,
    health,
    lookups,
    match,
    obligations,
    queries,
    resources,
    sparql,
)
from .routes import validate as validate_routes
from .routes.resources import wants_html
from .routes.workbench import home
from .web import install as install_web_interface


def _problem_for(status: int, title: str):
    async def handler(request, exc):
        return problem_response(status, title, str(exc), request.url.path)

    return handler


def create_app(settings: Settings | None = None, *, store: BoundedStore | None = None) -> FastAPI:
    """Build an app serving the store that ``settings.store`` names: read-only, every query in a
    worker process under the settings' time limit and result-size cap. ``store``: one already
    started for these settings (the CLI starts its workers before importing the web stack, so
    both boot at once); the app closes it when it stops."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            if settings.data_dir:  # finish or undo a data merge a crash interrupted, before serving
                from qigraph.merge import recover_locked

                recover_locked(settings.data_dir, settings.store, options=settings.open_options())
            app.state.store = store or BoundedStore(settings.store, workers=settings.query_workers, timeout=settings.query_timeout,
                                                    max_bytes=settings.max_result_bytes, allowed_services=settings.allowed_services,
                                                    options=settings.open_options())
        except StoreError as exc:
            # Stay up and say why on every request (503), without the store's path in the answer.
            from qigraph.store.unavailable import UnavailableStore

            logging.getLogger("qigraph.api").error("serving no store: %s", exc)
            app.state.store = UnavailableStore("the server's store is missing or damaged: the operator must build it "
                                               "(`qigraph build --store …`, the path the server was started with) "
                                               "and restart the server")
        match.start_warming(app)
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
    app.state.catalog = load_catalog()
    app.state.templates = Environment(loader=PackageLoader("qigraph.api", "templates"), autoescape=select_autoescape())
    app.add_exception_handler(Problem, problem_handler)
    app.add_exception_handler(StarletteHTTPException, http_error)

    async def internal_error(request, exc):
        # Never a stack trace or a file path in the answer; the log has them.
        import logging

        logging.getLogger("qigraph.api").exception("unhandled error on %s", request.url.path)
        return problem_response(500, "Internal error", "the server failed on this request; it has been logged. "
                                "Try again, and tell the operator if it persists.", request.url.path)

    app.add_exception_handler(Exception, internal_error)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    if settings.rate_limit:
        from .ratelimit import RateLimit

        app.add_middleware(RateLimit, rate=settings.rate_limit)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Content-Type", "Authorization"])

    app.add_exception_handler(StoreError, _problem_for(503, "Store unavailable"))
    for exc_type, status, title in ((QueryTimeout, 503, "Query time limit exceeded"), (StoreBusy, 503, "Busy"),
                                    (ResultTooLarge, 422, "Result too large"), (ForbiddenQuery, 400, "Operation not allowed")):
        app.add_exception_handler(exc_type, _problem_for(status, title))
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(queries.router)
    app.include_router(resources.router)
    app.include_router(lookups.router)
    app.include_router(match.router)
    app.add_exception_handler(RequestValidationError, match.invalid_request)
    app.include_router(eligibility.router)
    app.include_router(obligations.router)
    app.include_router(validate_routes.router)
    app.include_router(data_routes.router)
    install_web_interface(app)
    declare_problems(app)

    @app.get("/", include_in_schema=False)
    def index(request: Request):
        if wants_html(request.headers.get("accept")):  # a browser gets the web interface's home page
            return home(request, request.app.state.store)
        return {"name": "qigraph", "version": __version__, "sparql": "/sparql", "queries": "/queries",
                "health": "/health", "docs": "/docs"}

    return app
