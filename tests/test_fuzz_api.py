"""Schemathesis against the API's own OpenAPI document: every operation, with requests generated from
its declared parameters and bodies (valid and invalid), on `qigraph serve` as a user runs it.

Checks: no 5xx; the status code is one the operation documents; the content type and the body
conform to what it declares. Bounded for CI (a few examples per operation, no deadline) and
derandomized, so every run sends the same requests.
"""

from __future__ import annotations

import urllib.request

import pytest
import schemathesis
from endpoints import qigraph_serve
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

WRITE_TOKEN = "fuzz-write-token"
EXAMPLES = 15  # per operation: two to five minutes for the whole API on two shared cores
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_server(store_path):
    """`qigraph serve` on the built store with a write token configured; yields its base URL."""
    with qigraph_serve(store_path, "--query-timeout", "10", env={"QIGRAPH_WRITE_TOKEN": WRITE_TOKEN}) as url:
        yield url


@pytest.fixture()
def writer_headers() -> dict[str, str]:
    """What a client allowed to write sends: the operator's token (routes that need none ignore it)."""
    return {"Authorization": f"Bearer {WRITE_TOKEN}"}


def _spec() -> dict:
    """The OpenAPI document the server publishes at /openapi.json (the app builds it without a store)."""
    from qigraph.api.app import create_app

    from qigraph.config import Settings

    return create_app(Settings(store="unused", write_token=WRITE_TOKEN)).openapi()


schema = schemathesis.openapi.from_dict(_spec())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_its_declaration(case, fuzz_server, writer_headers):
    case.call_and_validate(base_url=fuzz_server, headers=writer_headers, checks=CHECKS, timeout=60)


def test_the_spec_is_the_one_served(fuzz_server):
    """The spec fuzzed is the one the server serves, and it declares the main routes (a spec that
    lost them would make the fuzz test vacuous)."""
    import json

    served = json.load(urllib.request.urlopen(f"{fuzz_server}/openapi.json", timeout=10))
    assert served == json.loads(json.dumps(_spec()))
    paths = set(served["paths"])
    assert {"/sparql", "/queries/{name}", "/match", "/validate", "/centers", "/search"} <= paths
