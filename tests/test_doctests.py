"""The runnable examples in docstrings stay true."""

import doctest

import pytest
import qigraph.api.conneg
import qigraph.api.i18n
import qigraph.api.routes.validate_page
import qigraph.loaders.outline

import qigraph.matching.reasons
import qigraph.merge
import qigraph.sparql_parser
import qigraph.store.values
import qigraph.validation

MODULES = [qigraph.loaders.outline, qigraph.api.i18n, qigraph.api.conneg, qigraph.store.values, qigraph.validation,
           qigraph.sparql_parser, qigraph.matching.reasons, qigraph.api.routes.validate_page, qigraph.merge]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
