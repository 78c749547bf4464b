"""Run report notebooks with Papermill and export them as shareable HTML.

Notebooks live in ``notebooks/`` as jupytext percent scripts (no outputs). A run turns
one into an ``.ipynb`` with kernel metadata, injects the parameters (Papermill), runs it
in a ``python3`` kernel with ``WORKBENCH_HOME`` set, and exports HTML without code
(nbconvert). Each run writes into its own dated folder ``reports/runs/<run id>/``; the
gallery ``reports/index.html`` lists the newest run of each report.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import catalog
from workbench.parameters import available_notebooks as listed
from workbench.parameters import validate_parameters
from workbench.share.export import export_html
from workbench.share.failure import failure_page
from workbench.share.provenance import provenance, provenance_html

#: The report notebooks of the default plan (``workbench run`` with no notebook named).
DEFAULT_REPORTS = ("hotspot_map", "trend_forecast", "intelligence_report")


@dataclass
class RunResult:
    """The outcome of one notebook run.

    Attributes
    ----------
    notebook : str
        Notebook name.
    parameters : dict
        Parameters injected.
    ok : bool
        True when every cell ran.
    html : Path or None
        Exported HTML.
    ipynb : Path
        Executed notebook.
    seconds : float
        Wall time.
    error : str or None
        The failing cell's error, when the run failed.
    """

    notebook: str
    parameters: dict[str, Any]
    ok: bool
    html: Path | None
    ipynb: Path
    seconds: float
    error: str | None = None
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S"))


def _ipc_kernel_manager():
    """A kernel manager talking to the kernel over local IPC sockets, not loopback TCP."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)

    return IPCKernelManager


def notebooks_dir() -> Path:
    """Return the folder of report notebooks.

    Returns
    -------
    Path
        ``<workspace>/notebooks`` when it exists, else the repository's.
    """
    return catalog.workspace_folder("notebooks")


def available_notebooks() -> list[str]:
    """List runnable notebooks.

    Returns
    -------
    list of str
        Stems of ``notebooks/*.py``.
    """
    return listed()


def to_ipynb(name: str, path: Path) -> Path:
    """Write a jupytext notebook as ``.ipynb`` with kernel and language metadata.

    Parameters
    ----------
    name : str
        Notebook stem in ``notebooks/``.
    path : Path
        Where to write the ``.ipynb``.

    Returns
    -------
    Path
        ``path``.
    """
    import jupytext
    import nbformat

    source = notebooks_dir() / f"{name}.py"
    if not source.is_file():
        raise FileNotFoundError(f"no notebook {name!r} in {notebooks_dir()}; have {available_notebooks()}")
    nb = jupytext.read(source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@contextmanager
def _kernel_environment(access_log: Path, disclosure_ledger: Path) -> Iterator[None]:
    """The kernel's environment: this workspace, its catalog access log and disclosure ledger (then restored)."""
    saved = {k: os.environ.get(k) for k in ("WORKBENCH_HOME", "WORKBENCH_ACCESS_LOG", "WORKBENCH_DISCLOSURE_LEDGER")}
    os.environ["WORKBENCH_HOME"] = str(catalog.workspace())
    os.environ["WORKBENCH_ACCESS_LOG"] = str(access_log)
    os.environ["WORKBENCH_DISCLOSURE_LEDGER"] = str(disclosure_ledger)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _add_provenance(executed: Path, record: dict[str, Any]) -> None:
    """Store the provenance record in the executed notebook's metadata and as its last cell."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["workbench_provenance"] = record
    nb.cells.append(nbformat.v4.new_markdown_cell(provenance_html(record)))
    nbformat.write(nb, str(executed))

def run_notebook(name: str, parameters: dict[str, Any], out_dir: Path, title: str | None = None,
                 stem: str | None = None, last_good: tuple[str, str] | None = None) -> RunResult:
    """Execute one notebook with Papermill and export it to HTML with its provenance.

    Parameters
    ----------
    name : str
        Notebook stem.
    parameters : dict
        Values for the notebook's ``parameters`` cell.
    out_dir : Path
        Folder for the executed ``.ipynb`` and the ``.html``.
    title : str, optional
        Title of the HTML page.
    stem : str, optional
        File name stem (``<name>-<audience>`` by default).
    last_good : tuple of str, optional
        ``(relative link, run time)`` of the last good version still published, for the
        error page of a failed run (without it the page says there is none).

    Returns
    -------
    RunResult
        ``ok`` False (never an exception) when a cell fails: the executed notebook keeps
        the traceback and ``<stem>.error.html`` shows the failing cell and traceback.

    Raises
    ------
    workbench.parameters.ParameterError
        Before anything runs or is written, when the notebook is unknown or a parameter
        name or value does not fit the notebook's ``parameters`` cell.
    """
    parameters = validate_parameters(name, parameters)  # before any kernel, file or export

    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or name + "".join(f"-{parameters[k]}" for k in ("audience",) if k in parameters)
    source = to_ipynb(name, out_dir / f".{stem}.input.ipynb")
    executed = out_dir / f"{stem}.ipynb"
    access_log = out_dir / f".{stem}.entries"
    access_log.unlink(missing_ok=True)
    disclosure_ledger = out_dir / f"{stem}.disclosure.json"  # every number the report shows, for the auditor
    disclosure_ledger.unlink(missing_ok=True)
    started = time.time()
    try:
        with _kernel_environment(access_log, disclosure_ledger):
            papermill.execute_notebook(
                str(source), str(executed), parameters=parameters, kernel_name="python3",
                progress_bar=False, cwd=str(out_dir), kernel_manager_class=_ipc_kernel_manager(),
                log_output=False, extra_arguments=["--IPKernelApp.log_level=CRITICAL"],  # no shutdown noise in logs
            )
        error = None
    except papermill.PapermillExecutionError as exc:
        error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, bad parameters...
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    finally:
        source.unlink(missing_ok=True)
    finished = time.time()
    entries = access_log.read_text(encoding="utf-8").split() if access_log.exists() else []
    access_log.unlink(missing_ok=True)
    title = title or name.replace("_", " ").title()
    html = None
    if error is None:
        _add_provenance(executed, provenance(parameters, entries, started, finished))
        try:
            html = export_html(executed, out_dir / f"{stem}.html", title=title)
        except ValueError as exc:  # the page would fetch something from the network: a failure
            error = f"export refused: {exc}"
    if error is not None:
        failure_page(out_dir / f"{stem}.error.html", title, parameters, error,
                     executed if executed.exists() else None, *(last_good or ()))
    return RunResult(name, dict(parameters), error is None, html, executed, finished - started, error)
