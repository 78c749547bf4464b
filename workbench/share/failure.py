"""The page a failed report run leaves behind: what failed, where, and why."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from workbench.share.export import write_text_atomic
from workbench.share.templating import render_block

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


def failure_page(path: Path, title: str, parameters: dict[str, Any], error: str, notebook: Path | None,
                 last_good: str | None = None, last_good_time: str = "") -> Path:
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
    last_good : str, optional
        Relative link to the last good version still published; without it the page says
        that no good version exists.
    last_good_time : str
        When the last good version ran.

    Returns
    -------
    Path
        The page (self-contained, no external resources; Jinja2 template ``failure.html.j2``).
    """
    source, trace = failing_cell(notebook) if notebook is not None and notebook.exists() else ("", "")
    page = render_block("failure.html.j2", title=title, error_line=error.splitlines()[0] if error else "",
                        last_good=last_good or "", last_good_time=last_good_time,
                        parameters=[(str(k), str(v)) for k, v in sorted(parameters.items())],
                        source=source, trace=trace or error)
    return write_text_atomic(path, page)
