"""Stored ledgers: ``<store>/findings/<key>.json``, read back when the scope and the store match."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from workbench import catalog
from workbench.findings.compute import compute_findings
from workbench.findings.ledger import Findings, FindingsScope


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never a half-written ledger)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def ledger_dir() -> Path:
    """Folder of stored ledgers: ``<store>/findings``.

    Returns
    -------
    Path
        The folder (created on first write).
    """
    return catalog.store_root() / "findings"


def findings_for(region: str = "ALL", exploitation_type: str = "ALL", sources: str = "ALL", end_month: str = "",
                 window_months: int = 6, trend_months: int = 24, resolution: int = 5,
                 recompute: bool = False, judge: Any = None) -> Findings:
    """Return the ledger of a scope: read from the store, or computed once and stored.

    Parameters
    ----------
    region, exploitation_type, sources, end_month, window_months, trend_months, resolution
        The scope (see :class:`FindingsScope`).
    recompute : bool
        Compute even when a stored ledger exists (it is then replaced).
    judge : module-like, optional
        Judgement builders (see :func:`compute_findings`); reports go through
        :func:`workbench.share.report.findings_for`, which passes them.

    Returns
    -------
    Findings
        The ledger; its ``key`` names ``<store>/findings/<key>.json``.
    """
    scope = FindingsScope(str(region or "ALL"), str(exploitation_type or "ALL"), str(sources or "ALL"),
                          str(end_month or "")[:7], int(window_months), int(trend_months), int(resolution))
    store_hash = catalog.entry_hash("incidents")
    path = ledger_dir() / f"{scope.key(store_hash)}{'' if judge else '-nojudge'}.json"
    if path.is_file() and not recompute:
        catalog.load("incidents", where="1 = 0")  # the report read the store: keep it in the provenance
        return Findings.from_json(path.read_text(encoding="utf-8"))
    found = compute_findings(catalog.load("incidents"), scope, store_hash, judge)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, found.to_json())
    return Findings.from_json(found.to_json())  # exactly what later readers will see
