"""The wheel: one import package, data folders carried, and it builds and queries the graph."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return next(out.glob("qigraph-*.whl"))


@pytest.mark.slow
def test_wheel_holds_one_package_with_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"qigraph"}
    for required in ("qigraph/ontology/qigraph.ttl", "qigraph/queries/tasks-by-agency.rq", "qigraph/shapes/__init__.py",
                     "qigraph/data/policy-docs/2026-05-15_tic-key-tasks-2026.txt", "qigraph/data/agencies.yaml",
                     "qigraph/loaders/tasks.py", "qigraph/api/app.py", "qigraph/api/routes/sparql.py", "qigraph/store/base.py",
                     "qigraph/api/templates/base.html", "qigraph/api/static/qigraph.css",
                     "qigraph/api/static/vendor/codemirror/codemirror-sparql.min.js", "qigraph/api/static/vendor/codemirror/LICENSE"):
        assert required in names
    assert not [n for n in names if "/vendor/codemirror/build/" in n]  # the editor's build recipe stays in the repository


@pytest.mark.slow
def test_installed_wheel_builds_and_queries(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(target), QIGRAPH_STORE=str(tmp_path / "store"))
    where = subprocess.run([sys.executable, "-c", "import qigraph, qigraph.catalog as c; print(qigraph.__file__); print(c.default_data_dir())"],
                           env=env, check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert all(line.startswith(str(target)) for line in where.split())
    subprocess.run([sys.executable, "-m", "qigraph.cli", "build"], env=env, check=True, capture_output=True, cwd=tmp_path)
    out = subprocess.run([sys.executable, "-m", "qigraph.cli", "query", "--name", "tasks-by-agency", "--param", "agency=市科委",
                          "--format", "csv"], env=env, check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert len(out.splitlines()) == 18
