"""Provenance of a report: what it was made from, with what, when."""

from __future__ import annotations

import html
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from workbench import catalog

#: Packages whose versions every report records.
PACKAGES = ("workbench", "pandas", "numpy", "duckdb", "h3", "esda", "statsmodels", "prophet", "folium",
            "papermill", "nbconvert", "intake")


def git_commit(repo: Path | None = None) -> str:
    """Return the repository's commit (``unknown`` outside a git checkout).

    Parameters
    ----------
    repo : Path, optional
        Folder inside the repository (the package's by default).

    Returns
    -------
    str
        The commit hash, with ``+dirty`` when the work tree has changes.
    """
    where = repo or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Return installed versions.

    Parameters
    ----------
    names : tuple of str
        Distribution names.

    Returns
    -------
    dict
        Name -> version (``not installed`` when absent).
    """
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(parameters: dict[str, Any], entries: list[str], started: float, finished: float) -> dict[str, Any]:
    """Collect a report's provenance.

    Parameters
    ----------
    parameters : dict
        The parameters it ran with.
    entries : list of str
        Catalog entries it read.
    started, finished : float
        Epoch seconds.

    Returns
    -------
    dict
        ``parameters``, ``catalog_entries`` (name -> content hash), ``git_commit``,
        ``packages``, ``run_started``, ``run_seconds``.
    """
    return {
        "parameters": dict(parameters),
        "catalog_entries": {name: catalog.entry_hash(name) or "n/a" for name in sorted(set(entries))},
        "git_commit": git_commit(),
        "packages": package_versions(),
        "run_started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "run_seconds": round(finished - started, 1),
    }


def provenance_html(record: dict[str, Any]) -> str:
    """Render provenance as an escaped HTML block for the end of a report.

    Parameters
    ----------
    record : dict
        From :func:`provenance`.

    Returns
    -------
    str
        A ``<section class="wb-provenance">`` with a definition table.
    """

    def row(key: str, value: Any) -> str:
        return f"<tr><th>{html.escape(str(key))}</th><td><code>{html.escape(str(value))}</code></td></tr>"

    # as typed on the command line (-p name=value): parameter names are code, not headers
    params = "".join(f"<tr><td><code>-p {html.escape(str(k))}={html.escape(str(v))}</code></td></tr>"
                     for k, v in sorted(record["parameters"].items()))
    params += "<tr><td>all other parameters: the notebook's defaults</td></tr>"
    entries = "".join(f"<tr><td><code>{html.escape(str(k))}: {html.escape(str(v))}</code></td></tr>"
                      for k, v in record["catalog_entries"].items())  # entry names are code, not headers
    packages = ", ".join(f"{k} {v}" for k, v in record["packages"].items())
    return (
        '<section class="wb-provenance"><h2>Provenance</h2><table>'
        f"{row('run started (UTC)', record['run_started'])}{row('run time (s)', record['run_seconds'])}"
        f"{row('git commit', record['git_commit'])}</table>"
        f"<h3>Parameters</h3><table>{params}</table>"
        f"<h3>Catalog entries read (SHA-256 of content)</h3><table>{entries}</table>"
        f"<h3>Software</h3><p><code>{html.escape(packages)}</code></p></section>"
    )
