"""Fixtures: a small demo workspace (catalogs + seeded demo data + ingested store).

The demo workspace is built once per test session (the shared unit ``demo``, see
:mod:`tests.shared`), by whichever xdist worker needs it first; each worker then works
in its own copy (``demo_home``), so a test that writes into its workspace never
disturbs another worker.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.shared import SharedUnits, shared_root, unit, wanted_units

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def home(root: Path):
    """Point the catalog at workspace ``root`` for the duration of a block."""
    from workbench import catalog

    old = os.environ.get("WORKBENCH_HOME")
    os.environ["WORKBENCH_HOME"] = str(root)
    catalog.clear_cache()
    try:
        yield root
    finally:
        if old is None:
            os.environ.pop("WORKBENCH_HOME", None)
        else:
            os.environ["WORKBENCH_HOME"] = old
        catalog.clear_cache()


def make_workspace(root: Path, scale: float = 0.3, seed: int = 7, ingest: bool = True) -> Path:
    """Build a workspace like the repository's, with a small demo, under ``root``."""
    from workbench.synthetic import DemoConfig, generate_demo

    shutil.copytree(REPO / "catalogs", root / "catalogs")
    (root / "data" / "reference").mkdir(parents=True)
    for f in (REPO / "data" / "reference").glob("*.geojson"):
        (root / "data" / "reference" / f.name).symlink_to(f)
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    generate_demo(root / "data" / "demo", DemoConfig(seed=seed, scale=scale, news_items=80))
    if ingest:
        from workbench.ingest import ingest_all

        with home(root):
            ingest_all()
    return root


@unit("demo", fixtures=("demo_home", "use_home"))
def _demo(out: Path, get) -> Path:
    """The small demo workspace, generated and ingested once per session."""
    return make_workspace(out)


@pytest.fixture(scope="session")
def shared_units(request, tmp_path_factory) -> SharedUnits:
    """This session's shared units (built once, by whichever worker asks first)."""
    return SharedUnits(shared_root(tmp_path_factory), wanted_units(request.session.items))  # selected tests only


@pytest.fixture(scope="session")
def demo_home(shared_units, tmp_path_factory) -> Path:
    """A small, ingested demo workspace: this worker's own copy of the session's one (treat as read-only)."""
    root = tmp_path_factory.mktemp("demo_home")
    shutil.copytree(shared_units.get("demo"), root, symlinks=True, dirs_exist_ok=True)
    return root


@pytest.fixture
def use_home(demo_home, monkeypatch) -> Path:
    """Point the catalog at the shared demo workspace for one test."""
    from workbench import catalog

    monkeypatch.setenv("WORKBENCH_HOME", str(demo_home))
    catalog.clear_cache()
    yield demo_home
    catalog.clear_cache()
