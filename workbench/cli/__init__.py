"""The ``workbench`` command: generate the demo, ingest, run reports, evaluate, screen.

One Typer app (:mod:`workbench.cli.base`) with its commands in three modules:
:mod:`~workbench.cli.workflow` (the pipeline: demo data, ingest, run, status, audit, doctor,
repair, extract), :mod:`~workbench.cli.analysis` (screen, campaign-export, hotspots) and
:mod:`~workbench.cli.evaluate` (evaluate-screening, evaluate-triage). Importing this package
registers every command and wraps each so an error prints one line (``--debug``: traceback).
"""

from __future__ import annotations

from workbench.cli import analysis, evaluate, workflow  # noqa: F401 - importing registers the commands
from workbench.cli.base import app, guard_commands, main

guard_commands()

__all__ = ["app", "main"]
