"""The page a failed report run leaves behind: what failed, where, and why."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from workbench.share.export import write_text_atomic

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def failing_cell(notebook: Path) -> tuple[str, str]:
    """Find the first cell with an error output in an executed notebook.

    Parameters
    ----------
    notebook : Path
        The executed ``.ipynb``.

    Returns
    -------
    tuple of str
        ``(cell source, traceback text)``; empty strings when no cell holds an error.
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                trace = _ANSI.sub("", "\n".join(out.get("traceback", [])))
                return cell.source, trace
    return "", ""


def failure_page(path: Path, title: str, parameters: dict[str, Any], error: str, notebook: Path | None) -> Path:
    """Write a readable, escaped error page for a failed run.

    Parameters
    ----------
    path : Path
        Output ``.html``.
    title : str
        Report title.
    parameters : dict
        Parameters of the run.
    error : str
        One-line error.
    notebook : Path or None
        The executed notebook, if any (its failing cell and traceback are shown).

    Returns
    -------
    Path
        The page (self-contained, no external resources).
    """
    source, trace = failing_cell(notebook) if notebook is not None and notebook.exists() else ("", "")
    params = "".join(f"<tr><th>{html.escape(str(k))}</th><td><code>{html.escape(str(v))}</code></td></tr>"
                     for k, v in sorted(parameters.items()))
    page = (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>FAILED: {html.escape(title)}</title><style>body{{font:14px/1.5 system-ui,sans-serif;"
        "max-width:1000px;margin:2em auto;padding:0 1em}} pre{{background:#f6f6f6;padding:1em;overflow:auto}}"
        " .err{{color:#b00020}}</style></head><body>"
        f"<h1 class=\"err\">Report failed: {html.escape(title)}</h1>"
        f"<p class=\"err\"><b>{html.escape(error.splitlines()[0] if error else '')}</b></p>"
        "<p>The last good version of this report was kept; this run's output was not published.</p>"
        f"<h2>Parameters</h2><table>{params}</table>"
        f"<h2>Failing cell</h2><pre>{html.escape(source)}</pre>"
        f"<h2>Traceback</h2><pre>{html.escape(trace or error)}</pre></body></html>"
    )
    return write_text_atomic(path, page)
