"""The error answers of each operation, declared in the OpenAPI document.

The routes raise ``Problem``s (and the app maps store errors, the body limit and FastAPI's own
validation to problem details), but FastAPI documents only what a route declares; a client reading
/openapi.json, and schemathesis in tests/test_fuzz_api.py, would see a 404 or a 503 as a breach
of the contract. ``declare(app)`` adds each operation's problem statuses, read off its route's code.
"""

from __future__ import annotations

from fastapi import FastAPI

from .problems import PROBLEM

PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem details (RFC 9457)",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "instance": {"type": "string"}},
    "required": ["type", "title", "status", "detail"],
}
_STORE = {503: "the store is unavailable or busy, or the query ran past its time limit"}
_TOO_LARGE_RESULT = {422: "the result is larger than the server's cap; narrow the query"}
_BODY = {413: "the request body is over the size limit"}
_NOT_ACCEPTABLE = {406: "none of the formats asked for (Accept or format=) is offered"}
_VALIDATION = {422: "a parameter or the profile is malformed (problem details, or FastAPI's validation error as JSON)"}

# (method, path) -> {status: what it means}; every operation not listed here answers only with
# the generic errors its route declares itself.
ERRORS: dict[tuple[str, str], dict[int, str]] = {
    ("GET", "/sparql"): {400: "no query, a syntax error, an update, or an operation not allowed (e.g. SERVICE)",
                         **_NOT_ACCEPTABLE, **_TOO_LARGE_RESULT, **_STORE},
    ("POST", "/sparql"): {400: "no query, a syntax error, an update, or an operation not allowed (e.g. SERVICE)",
                          **_NOT_ACCEPTABLE, **_BODY, 415: "the body is neither a form nor application/sparql-query",
                          **_TOO_LARGE_RESULT, **_STORE},
    ("GET", "/queries/{name}"): {400: "a parameter is missing, unknown or of the wrong type", 404: "no such named query",
                                 **_NOT_ACCEPTABLE, **_TOO_LARGE_RESULT, **_STORE},
    ("GET", "/id/{path}"): {404: "not an IRI qigraph mints, or not in the graph", **_NOT_ACCEPTABLE, **_STORE},
    ("GET", "/ontology"): {**_NOT_ACCEPTABLE},
    ("GET", "/centers"): {400: "an unknown kind or state", **_VALIDATION, **_STORE},
    ("GET", "/centers/{body_id}"): {404: "no such body", **_STORE},
    ("GET", "/industries"): {**_VALIDATION, **_STORE},
    ("GET", "/agencies"): {**_STORE},
    ("GET", "/agencies/{agency_id}/tasks"): {404: "no such agency", **_VALIDATION, **_STORE},
    ("GET", "/documents"): {**_STORE},
    ("GET", "/documents/{doc_id}/clauses"): {404: "no such document", **_VALIDATION, **_STORE},
    ("GET", "/search"): {**_VALIDATION, **_STORE},
    ("GET", "/match"): {**_STORE},
    ("POST", "/match"): {400: "the body is not JSON", **_BODY, **_STORE},
    ("GET", "/obligations"): {400: "an unknown status", 404: "no such body", **_VALIDATION, **_STORE},
    ("POST", "/eligibility"): {404: "no such program", 415: "the profile's Content-Type is not offered",
                               **_VALIDATION, **_BODY, **_NOT_ACCEPTABLE, **_STORE},
    ("GET", "/validate"): {400: "the date is not YYYY-MM-DD", **_NOT_ACCEPTABLE, **_STORE},
    ("POST", "/validate"): {400: "the body is empty or does not parse", **_NOT_ACCEPTABLE, **_BODY,
                            415: "unsupported Content-Type", 422: "the body parses but its records are malformed", **_STORE},
}


def declare(app: FastAPI) -> None:
    """Have the app's OpenAPI document list the problem answers of ``ERRORS`` (FastAPI's documented
    way to extend the generated document: replace ``app.openapi``)."""
    generate = app.openapi

    def openapi() -> dict:
        if not app.openapi_schema:
            add_errors(generate())
        return app.openapi_schema

    app.openapi = openapi


def add_errors(spec: dict) -> dict:
    """Add each operation's problem answers to an OpenAPI document, in place."""
    for (method, path), errors in ERRORS.items():
        operation = spec.get("paths", {}).get(path, {}).get(method.lower())
        if operation is None:
            continue
        for status, description in errors.items():
            declared = operation.setdefault("responses", {}).setdefault(str(status), {})
            declared.setdefault("description", description)
            declared.setdefault("content", {})[PROBLEM] = {"schema": PROBLEM_SCHEMA}
            if status == 422 and description == _VALIDATION[422]:
                # FastAPI answers a parameter it cannot validate with its own JSON, not problem details
                declared["content"].setdefault("application/json", {"schema": {"type": "object"}})
    return spec
