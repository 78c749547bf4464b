"""Run report notebooks with Papermill and export them as shareable HTML.

Notebooks live in ``notebooks/`` as jupytext percent scripts (no outputs). A run turns
one into an ``.ipynb`` with kernel metadata, injects the parameters (Papermill), runs it
in a ``python3`` kernel with ``WORKBENCH_HOME`` set, and exports HTML without code
(nbconvert). Each run writes into its own dated folder ``reports/runs/<run id>/``; the
gallery ``reports/index.html`` lists the newest run of each report.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench import catalog

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
    local = catalog.workspace() / "notebooks"
    return local if local.is_dir() else Path(__file__).resolve().parent.parent / "notebooks"


def available_notebooks() -> list[str]:
    """List runnable notebooks.

    Returns
    -------
    list of str
        Stems of ``notebooks/*.py``.
    """
    return sorted(p.stem for p in notebooks_dir().glob("*.py"))


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


def run_notebook(name: str, parameters: dict[str, Any], out_dir: Path, title: str | None = None) -> RunResult:
    """Execute one notebook with Papermill and export it to HTML.

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

    Returns
    -------
    RunResult
        ``ok`` False (never an exception) when a cell fails; the executed notebook keeps
        the traceback.
    """
    import papermill

    from workbench.share.export import export_html

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = name + "".join(f"-{parameters[k]}" for k in ("audience",) if k in parameters)
    source = to_ipynb(name, out_dir / f".{stem}.input.ipynb")
    executed = out_dir / f"{stem}.ipynb"
    env_before = os.environ.get("WORKBENCH_HOME")
    os.environ["WORKBENCH_HOME"] = str(catalog.workspace())
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=parameters, kernel_name="python3",
            progress_bar=False, cwd=str(out_dir), kernel_manager_class=_ipc_kernel_manager(),
        )
        error = None
    except papermill.PapermillExecutionError as exc:
        error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, bad parameters...
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    finally:
        if env_before is None:
            os.environ.pop("WORKBENCH_HOME", None)
        else:
            os.environ["WORKBENCH_HOME"] = env_before
        source.unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    html = None
    if error is None:
        html = export_html(executed, out_dir / f"{stem}.html", title=title or name.replace("_", " ").title())
    return RunResult(name, dict(parameters), error is None, html, executed, seconds, error)


def run_reports(
    names: list[str] | None = None,
    parameters: dict[str, Any] | None = None,
    reports_dir: Path | None = None,
    run_id: str | None = None,
) -> list[RunResult]:
    """Run several report notebooks into a new dated folder and update the gallery.

    Parameters
    ----------
    names : list of str, optional
        Notebooks to run; :data:`DEFAULT_REPORTS` by default.
    parameters : dict, optional
        Parameters given to every notebook (each keeps its defaults for the rest).
    reports_dir : Path, optional
        ``<workspace>/reports`` by default.
    run_id : str, optional
        Folder name; the current UTC time by default.

    Returns
    -------
    list of RunResult
        One per notebook.
    """
    from workbench.share.gallery import ReportEntry, write_index

    reports_dir = reports_dir or catalog.workspace() / "reports"
    run_id = run_id or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out_dir = reports_dir / "runs" / run_id
    results = [run_notebook(n, dict(parameters or {}), out_dir) for n in (names or DEFAULT_REPORTS)]
    (out_dir / "run.json").write_text(
        json.dumps([asdict(r) for r in results], default=str, indent=1), encoding="utf-8"
    )
    entries = [
        ReportEntry(
            title=r.notebook.replace("_", " ").title(),
            path=(r.html or r.ipynb).relative_to(reports_dir),
            parameters=r.parameters,
            audience=str(r.parameters.get("audience", "")),
            run_time=r.started,
            status="ok" if r.ok else "failed",
        )
        for r in results
    ]
    write_index(reports_dir, entries)
    return results
