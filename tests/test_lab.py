"""JupyterLab as analysts expect: make lab at the workspace root, .py notebooks open as notebooks."""

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_lab_override_makes_jupytext_the_default_viewer_for_python_files():
    settings = json.loads((REPO / "jupyter" / "overrides.json").read_text())
    assert settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["python"] == "Jupytext Notebook"
    # the viewer name is the one the installed Jupytext lab extension registers
    ext = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    if ext.is_dir():
        assert any("Jupytext Notebook" in p.read_text(errors="ignore") for p in ext.rglob("*.js"))


def test_make_lab_installs_the_override_and_roots_lab_at_the_workspace():
    make = (REPO / "Makefile").read_text()
    recipe = make.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "jupyter/overrides.json" in recipe and "share/jupyter/lab/settings/overrides.json" in recipe
    assert re.search(r"jupyter lab --ServerApp.root_dir=\.", recipe) and "notebooks/" not in recipe


def test_ipywidgets_is_installed_for_progress_widgets():
    import ipywidgets  # noqa: F401

    assert "ipywidgets" in (REPO / "requirements.lock").read_text()
