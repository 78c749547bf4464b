"""Fixtures: a small demo workspace (catalogs + seeded demo data + ingested store)."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """A small, ingested demo workspace shared by the session (treat as read-only)."""
    return make_workspace(tmp_path_factory.mktemp("demo_home"))


@pytest.fixture
def use_home(demo_home, monkeypatch) -> Path:
    """Point the catalog at the shared demo workspace for one test."""
    from workbench import catalog

    monkeypatch.setenv("WORKBENCH_HOME", str(demo_home))
    catalog.clear_cache()
    yield demo_home
    catalog.clear_cache()
