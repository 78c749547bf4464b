"""Run plans: which notebooks, with which parameter sets, for which audiences.

A plan is YAML (see ``plans/``)::

    name: nightly
    reports:
      - notebook: intelligence_report
        title: Intelligence report
        audiences: [public, partner, law_enforcement]
        parameters: {period_start: "2025-11-01"}
        parameter_sets: [{region: ALL}, {region: ESP}]   # optional, each merged over parameters
        pdf: true                                       # optional

:func:`run_plan` runs every combination into a new dated folder
``reports/runs/<run id>/``, publishes each successful report to
``reports/latest/<key>.html`` (a failed run never replaces the last good one), writes an
error page for each failure, and rewrites ``reports/index.html``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workbench import catalog, runner
from workbench.parameters import ParameterError, publish_key, resolve_notebook, validate_parameters
from workbench.runner import DEFAULT_REPORTS, RunResult
from workbench.share.disclosure import POLICIES
from workbench.share.export import write_text_atomic
from workbench.share.gallery import ReportEntry, write_index
from workbench.progress import Steps
from workbench.share.html_audit import audit_folder
from workbench.share.ledger import audit_run
from workbench.share.pdf import html_to_pdf


@dataclass(frozen=True)
class PlannedReport:
    """One line of a plan.

    Attributes
    ----------
    notebook : str
        Notebook stem in ``notebooks/``.
    title : str
        Title in the gallery.
    audiences : tuple of str
        Audiences (empty: the notebook's default).
    parameter_sets : tuple of dict
        Parameters of each run (already merged with the shared ones).
    pdf : bool
        Also print a PDF.
    """

    notebook: str
    title: str
    audiences: tuple[str, ...] = ()
    parameter_sets: tuple[dict[str, Any], ...] = ({},)
    pdf: bool = False


@dataclass(frozen=True)
class RunPlan:
    """A run plan.

    Attributes
    ----------
    name : str
        Plan name.
    reports : tuple of PlannedReport
        What to run.
    """

    name: str
    reports: tuple[PlannedReport, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "RunPlan":
        """Build a plan from its YAML structure, checking it.

        Parameters
        ----------
        raw : dict
            Parsed YAML.

        Returns
        -------
        RunPlan
            The plan.

        Raises
        ------
        ValueError
            Naming the report line and field that is wrong.
        """
        if not isinstance(raw, dict) or not isinstance(raw.get("reports"), list) or not raw["reports"]:
            raise ValueError("a run plan needs a non-empty 'reports' list")
        reports = []
        for i, item in enumerate(raw["reports"], start=1):
            if not isinstance(item, dict) or "notebook" not in item:
                raise ValueError(f"report {i}: needs 'notebook'")
            try:
                notebook = resolve_notebook(item["notebook"])
            except ParameterError as exc:
                raise ParameterError(f"report {i}: {exc}") from None
            raw_audiences = item.get("audiences") or []
            if isinstance(raw_audiences, str) or not isinstance(raw_audiences, list):
                raise ValueError(f"report {i}: 'audiences' must be a list, e.g. [partner]")
            audiences = tuple(a for a in raw_audiences if a)
            unknown = [a for a in audiences if not isinstance(a, str) or a not in POLICIES]
            if unknown:
                raise ValueError(f"report {i}: unknown audience(s) {unknown}; choose from {sorted(POLICIES)}")
            shared = item.get("parameters") or {}
            sets = item.get("parameter_sets") or [{}]
            if not isinstance(shared, dict):
                raise ValueError(f"report {i}: 'parameters' must be a mapping")
            if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
                raise ValueError(f"report {i}: 'parameter_sets' must be a list of mappings")
            checked_sets = []
            for s in sets:
                merged = {**shared, **s}
                try:  # names and values against the notebook's parameters cell, for every audience
                    for audience in audiences or (None,):
                        validate_parameters(notebook, {**merged, **({"audience": audience} if audience else {})})
                    checked_sets.append(validate_parameters(notebook, merged))
                except ParameterError as exc:
                    raise ParameterError(f"report {i}: {exc}") from None
            reports.append(PlannedReport(
                notebook=notebook,
                title=str(item.get("title") or notebook.replace("_", " ").title()),
                audiences=audiences,
                parameter_sets=tuple(checked_sets),
                pdf=bool(item.get("pdf", False)),
            ))
        return cls(name=str(raw.get("name", "plan")), reports=tuple(reports))

    @classmethod
    def load(cls, path: str | Path) -> "RunPlan":
        """Read a plan from a YAML file.

        Parameters
        ----------
        path : str or Path
            The plan file.

        Returns
        -------
        RunPlan
            The plan.
        """
        import yaml

        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the plan: {getattr(exc, 'strerror', None) or exc}") from None
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise ValueError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', None) or 'parse error'}") \
                from None
        try:
            return cls.from_dict(raw)
        except ValueError as exc:
            raise type(exc)(f"{path}: {exc}") from None


def plans_dir() -> Path:
    """Return the folder of run plans.

    Returns
    -------
    Path
        ``<workspace>/plans`` when it exists, else the repository's.
    """
    return catalog.workspace_folder("plans")


def _key(notebook: str, params: dict[str, Any]) -> str:
    """Stable file key of a report: notebook plus its parameter names and values."""
    return publish_key(notebook, params)


def run_plan(plan: RunPlan, reports_dir: Path | None = None, run_id: str | None = None,
             progress_stream: Any = None) -> list:
    """Run a plan into a dated folder, publish what succeeded, and update the gallery.

    Parameters
    ----------
    plan : RunPlan
        What to run.
    reports_dir : Path, optional
        ``<workspace>/reports`` by default.
    run_id : str, optional
        Folder name under ``runs/``; the current UTC time by default.
    progress_stream : file, optional
        Where progress goes (standard error by default: a bar on a terminal, one plain
        line per report otherwise).

    Returns
    -------
    list of RunResult
        One per notebook, audience and parameter set.
    """
    reports_dir = Path(reports_dir or catalog.workspace() / "reports")
    run_id = run_id or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out_dir = reports_dir / "runs" / run_id
    latest = reports_dir / "latest"
    published_path = latest / "published.json"  # key -> the last good run of each report
    published = json.loads(published_path.read_text(encoding="utf-8")) if published_path.exists() else {}
    results, failures = [], []
    todo = [(item, params, audience) for item in plan.reports for params in item.parameter_sets
            for audience in item.audiences or (None,)]
    steps = Steps(len(todo), f"run plan {plan.name}", stream=progress_stream)
    with steps:
        for item, params, audience in todo:
            run_params = {**params, **({"audience": audience} if audience else {})}
            key = _key(item.notebook, run_params)
            steps.start(f"{item.notebook} ({audience or 'default audience'})")
            before = published.get(key)
            last_good = (f"../../latest/{key}.html", str(before.get("run_time", ""))) if before else None
            result = runner.run_notebook(item.notebook, run_params, out_dir, title=item.title, stem=key,
                                  last_good=last_good)
            results.append(result)
            steps.done("ok" if result.ok else "FAILED")
            if result.ok:
                write_text_atomic(latest / f"{key}.html", result.html.read_text(encoding="utf-8"))
                if item.pdf:
                    pdf = html_to_pdf(result.html, out_dir / f"{key}.pdf")
                    shutil.copyfile(pdf, latest / f"{key}.pdf")
                else:
                    (latest / f"{key}.pdf").unlink(missing_ok=True)  # PDFs only where the plan asks
                published[key] = {"title": item.title, "parameters": run_params, "audience": audience or "",
                                  "run_time": result.started, "run_id": run_id}
            else:
                note = " (last good version kept)" if key in published else ""
                failures.append(ReportEntry(item.title + note, out_dir / f"{key}.error.html", run_params,
                                            audience or "", result.started, "failed"))
    audit = audit_run(out_dir)  # every report's disclosure ledger, attacked together (subtraction, counting rows)
    pages = audit_folder(out_dir)  # the exported HTML itself, one audience at a time
    stream = progress_stream or sys.stderr
    print(f"disclosure audit (ledgers): {audit}", file=stream, flush=True)
    for audience, found in pages.items():
        print(f"disclosure audit (exported HTML, {audience}): {str(found).splitlines()[0]}", file=stream, flush=True)
    write_text_atomic(out_dir / "run.json", json.dumps(
        {"plan": plan.name, "run_id": run_id, "results": [asdict(r) for r in results],
         "disclosure_audit": {"published": audit.published, "withheld": audit.withheld,
                              "recoverable": len(audit.recovered)},
         "html_disclosure_audit": {audience: {"reports": found.reports, "published": found.published,
                                              "withheld": found.withheld, "relations": found.relations,
                                              "recoverable": len(found.recovered)}
                                   for audience, found in pages.items()}}, default=str, indent=1))
    write_text_atomic(published_path, json.dumps(published, indent=1, default=str))
    good = [ReportEntry(v["title"], latest / f"{k}.html", v["parameters"], v["audience"], v["run_time"], "ok")
            for k, v in sorted(published.items())]
    write_index(reports_dir, failures + good)
    return results


def run_reports(
    names: list[str] | None = None,
    parameters: dict[str, Any] | None = None,
    reports_dir: Path | None = None,
    run_id: str | None = None,
) -> list[RunResult]:
    """Run report notebooks with one parameter set (a one-line run plan).

    Parameters
    ----------
    names : list of str, optional
        Notebooks to run; :data:`workbench.runner.DEFAULT_REPORTS` by default.
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
    params = dict(parameters or {})
    audience = params.pop("audience", None)
    plan = RunPlan.from_dict({
        "name": "ad hoc",
        "reports": [{"notebook": n, "parameters": params, "audiences": [audience] if audience else []}
                    for n in (names or DEFAULT_REPORTS)],
    })
    return run_plan(plan, reports_dir=reports_dir, run_id=run_id)
