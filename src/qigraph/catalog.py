"""The one place that knows where qigraph's packaged files live.

Ontology, shapes, queries, curated data and policy documents ship inside the package (the
repository's root folders, mapped into ``qigraph`` by setuptools); everything else asks this
module for them, so no other module builds a path.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def _package_dir(package: str) -> Traversable:
    return resources.files(package)


def _files(package: str, suffix: str, sub: str | None = None) -> list[Traversable]:
    root = _package_dir(package)
    if sub:
        root = root / sub
    if not root.is_dir():
        return []
    return sorted((f for f in root.iterdir() if f.name.endswith(suffix)), key=lambda f: f.name)


def ontology_files() -> list[Traversable]:
    """The Turtle files of the OWL ontology."""
    return _files("qigraph.ontology", ".ttl")


def shape_files() -> list[Traversable]:
    """The Turtle files of the SHACL shapes."""
    return _files("qigraph.shapes", ".ttl")


def query_files() -> list[Traversable]:
    """The named queries, one ``.rq`` file each."""
    return _files("qigraph.queries", ".rq")


def default_data_dir() -> Path:
    """The curated data folder shipped with the package (the repository's ``data/``)."""
    root = _package_dir("qigraph.data")
    # Editable installs and wheels both unpack to real folders; the loaders read them as paths.
    return Path(str(root))


def industry_code_file() -> Traversable:
    """The GB/T 4754-2017 code table mapped to the industry concepts (``data/industry-codes/``)."""
    return _package_dir("qigraph.data") / "industry-codes" / "gbt4754-2017.yaml"


def static_dir() -> Path:
    """The web interface's static files (CSS, JavaScript, the bundled editor)."""
    return Path(str(_package_dir("qigraph.api") / "static"))
