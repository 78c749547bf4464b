"""The pipeline commands: demo data, init, ingest, fetch, run, demo, status, audit, doctor, repair, extract."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from workbench import catalog
from workbench import doctor as doctor_checks
from workbench.accounting import rows_in
from workbench.cli.base import _check_store, _entry_failure, _fail, _parse_params, app, debugging
from workbench.collect.fetch import FeedFetcher, feeds_of
from workbench.doctor import format_line
from workbench.engine import use as use_engine
from workbench.ingest import ingest_entry
from workbench.integrity import repair_store
from workbench.parameters import ParameterError, resolve_notebook, validate_parameters
from workbench.plan import RunPlan, plans_dir, run_plan, run_reports
from workbench.progress import Steps
from workbench.runner import DEFAULT_REPORTS
from workbench.share.disclosure import POLICIES
from workbench.share.extract import declared_partners, partner_extract, partner_id
from workbench.store import Store
from workbench.synthetic import DemoConfig, generate_demo
from workbench.workspace import init_workspace


@app.command("demo-data")
def demo_data(
    out: Optional[Path] = typer.Option(None, help="Folder (default: <workspace>/data/demo)."),
    seed: int = typer.Option(42, help="Random seed."),
    scale: float = typer.Option(1.0, help="Multiplies every incident rate."),
) -> None:
    """Write the seeded synthetic demo sources."""
    if not scale > 0 or scale > 100:
        _fail(f"--scale must be above 0 and at most 100, got {scale}")
    if seed < 0:
        _fail(f"--seed must be 0 or more, got {seed}")
    target = out or catalog.workspace() / "data" / "demo"
    truth = generate_demo(target, DemoConfig(seed=seed, scale=scale))
    typer.echo(f"demo data in {target}: " + ", ".join(f"{k} {v}" for k, v in truth["files"].items()))


@app.command()
def init(
    folder: Path = typer.Argument(..., help="The new workspace folder."),
    force: bool = typer.Option(False, help="Add what is missing to a folder that already has catalogs/."),
) -> None:
    """Create an empty workspace (catalogs, crosswalks, data, reports): no demo."""
    try:
        root = init_workspace(folder, force=force)
    except FileExistsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"workspace in {root}; use it with: export WORKBENCH_HOME={root}")
    typer.echo("add sources to catalogs/sources.yaml (README: 'Bring your own data'), then: workbench ingest")


@app.command()
def ingest(
    entries: list[str] = typer.Argument(None, help="Catalog source entries (default: all)."),
    engine: Optional[str] = typer.Option(None, help="pandas or dask: engine for bulk exports (collector bulk); "
                                                    "default: the entry's metadata, else pandas."),
    replace: bool = typer.Option(False, "--replace", help="Re-read files already ingested and replace their "
                                                          "batches atomically (after fixing a crosswalk or entry)."),
) -> None:
    """Collect raw sources into the store; prints rows in = stored + quarantined for each.

    A source that cannot be read at all (or a non-empty file that yields no record), or
    whose ingest fails in any unexpected way, is reported as one line with the entry and
    the reason (the traceback only with ``--debug``) and not recorded as ingested; the
    others are still ingested, and the command exits 1.
    """
    from contextlib import nullcontext

    failed = 0
    names = list(entries or [e.name for e in catalog.sources()])
    with Steps(len(names), "ingest") as steps:
        for name in names:
            steps.start(name)
            try:
                with use_engine(engine) if engine else nullcontext():
                    report = ingest_entry(name, replace=replace)
            except Exception as exc:  # noqa: BLE001 - any failure of one entry: named, the others still ingest
                failed += 1
                steps.done("NOT INGESTED")
                typer.echo(f"{name}: NOT INGESTED: {_entry_failure(exc)}", err=True)
                if debugging():
                    import traceback

                    typer.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
                continue
            steps.done("skipped" if report.skipped_reason else "ok")
            typer.echo(str(report))
            for line in report.notes.get("assumptions", []):
                typer.echo(f"    note: {line}")
            for reason, n in list(report.top_reasons.items())[:5]:
                typer.echo(f"    quarantined {n:>5}  {reason}")
    if failed:
        raise typer.Exit(code=1)


@app.command()
def run(
    notebooks: list[str] = typer.Argument(None, help="Notebooks to run (default: the three reports)."),
    param: list[str] = typer.Option([], "--param", "-p", help="key=value, repeatable (e.g. -p region=ESP)."),
    plan: Optional[Path] = typer.Option(None, help="A run plan (YAML): notebooks x parameter sets x audiences."),
) -> None:
    """Execute report notebooks with Papermill, export HTML, update reports/index.html.

    Exits 1 when any report failed (its error page names the cell and traceback; the last
    good version of that report stays published).
    """
    import os

    reports = catalog.workspace() / "reports"
    probe = reports if reports.exists() else reports.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        _fail(f"the reports folder {reports} is not writable: nothing run", code=1)
    if plan is not None:
        if notebooks or param:
            _fail("give either --plan or notebooks/--param, not both")
        try:
            checked = RunPlan.load(plan)
        except ValueError as exc:
            _fail(exc)
        _check_store("run-now")  # after the plan is checked: bad usage is exit 2 before an empty store
        results = run_plan(checked)
    else:
        params = _parse_params(param)
        try:  # every notebook and parameter checked before any kernel starts
            names = [resolve_notebook(n) for n in (notebooks or DEFAULT_REPORTS)]
            for name in names:
                validate_parameters(name, params)
        except ParameterError as exc:
            _fail(exc)
        _check_store("run-now")
        results = run_reports(names, params)
    for r in results:
        status = "ok " if r.ok else "FAILED"
        typer.echo(f"{status} {r.notebook:<22} {r.seconds:6.1f} s  {r.html or r.ipynb.with_suffix('.error.html')}")
        if r.error:
            typer.echo(f"       {r.error.splitlines()[0]}")
    if not all(r.ok for r in results):
        raise typer.Exit(code=1)


@app.command()
def demo(
    seed: int = typer.Option(42, help="Random seed of the synthetic world."),
    audience: str = typer.Option("partner", help="Audience of the reports: public, partner, law_enforcement."),
) -> None:
    """The main job: build the demo data, ingest it, run every report, write the gallery."""
    if audience not in POLICIES:
        _fail(f"unknown audience {audience!r}; choose one of {', '.join(sorted(POLICIES))}")
    start = time.perf_counter()
    demo_data(out=None, seed=seed, scale=1.0)
    ingest(None, engine=None, replace=False)
    if audience == "partner":
        run(None, [], plans_dir() / "demo.yaml")
    else:
        run(None, [f"audience={audience}"], None)
    index = catalog.workspace() / "reports" / "index.html"
    typer.echo(f"done in {time.perf_counter() - start:.0f} s; open {index}")


@app.command()
def fetch(
    sources: list[str] = typer.Argument(..., help="Catalog entries (their metadata.feeds) and/or feed URLs."),
    out: Optional[Path] = typer.Option(None, help="Folder (default: <workspace>/data/raw/osint)."),
    timeout: float = typer.Option(10.0, help="Seconds per request."),
    retries: int = typer.Option(3, help="Retries on 5xx / timeouts (never on 4xx)."),
    delay: float = typer.Option(1.0, help="Least seconds between requests to one host."),
) -> None:
    """Poll news feeds (conditional GET, retries, politeness) into immutable raw files; exit 1 on a failure."""
    try:
        urls = feeds_of(sources, catalog.metadata)
        fetcher = FeedFetcher(urls, out or catalog.workspace() / "data" / "raw" / "osint", timeout=timeout,
                              retries=retries, per_host_delay=delay)
    except (KeyError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    report = fetcher.fetch()
    for r in report.records:
        typer.echo(f"{r.outcome:<13} {r.status or '-':>4} {r.url}" + (f"  -> {r.path}" if r.path else "")
                   + (f"  ({r.error})" if r.error else ""))
    typer.echo(report.note)
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def catalog_entries() -> None:
    """List the catalog entries."""
    for e in catalog.entries():
        typer.echo(f"{e.catalog:<10} {e.name:<18} {e.description}")


@app.command()
def status() -> None:
    """Print the store's counts and its ingest ledger."""
    store = Store(catalog.store_root())
    counts = store.counts()
    console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    console.print(f"Store {catalog.store_root()}: {counts['incidents']:,} incidents, "
                  f"{counts['quarantined']:,} quarantined records, {counts['batches']:,} batches", markup=False)
    ledger = store.batches()
    if not len(ledger):
        console.print("No batch ingested yet: run workbench ingest.", markup=False)
        return
    table = Table(title="Ingest ledger (rows in = stored + quarantined + not relevant + merged duplicates)",
                  title_justify="left")
    heads = [("catalog_entry", "source"), ("rows in", "rows in"), ("new", "new"), ("already_stored", "already stored"),
             ("quarantined", "quarantined"), ("not_relevant", "not relevant"), ("merged", "merged duplicates"),
             ("ingested_at", "ingested (UTC)")]
    for _, head in heads:
        table.add_column(head, justify="left" if head in ("source", "ingested (UTC)") else "right")
    for batch in ledger.to_dict("records"):
        batch["rows in"] = rows_in(batch)
        cells = []
        for key, _ in heads:
            value = batch.get(key, "")
            if key == "ingested_at":
                cells.append(str(value)[:19].replace("T", " "))
            elif isinstance(value, (int, float)) and value == value:
                cells.append(f"{int(value):,}")
            else:
                cells.append("" if value is None or value != value else str(value))
        table.add_row(*cells)
    console.print(table)


@app.command()
def audit(
    run_folder: Optional[Path] = typer.Argument(None, help="A run folder (default: the latest under reports/runs)."),
) -> None:
    """Attack a run's exported reports (HTML), every audience apart: subtraction, listed rows, repeats.

    Prints per audience the numbers published, withheld, relations checked and withheld
    numbers recoverable; exits 1 when any is recoverable.
    """
    from workbench.share.html_audit import audit_folder

    if run_folder is None:
        runs = sorted(p for p in (catalog.workspace() / "reports" / "runs").glob("*") if p.is_dir())
        if not runs:
            _fail("no run under reports/runs: run `workbench run` first", code=1)
        run_folder = runs[-1]
    if not run_folder.is_dir():
        _fail(f"{run_folder} is not a run folder")
    results = audit_folder(run_folder)
    if not results:
        _fail(f"{run_folder}: no exported report to audit", code=1)
    console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"Disclosure audit of the exported reports of {run_folder}", title_justify="left")
    for head in ("audience", "reports", "numbers published", "withheld", "relations checked", "recoverable"):
        table.add_column(head, justify="left" if head == "audience" else "right")
    for audience, result in results.items():
        table.add_row(audience, f"{result.reports:,}", f"{result.published:,}", f"{result.withheld:,}",
                      f"{result.relations:,}", f"{len(result.recovered):,}")
    console.print(table)
    for audience, result in results.items():
        for r in result.recovered:
            console.print(f"RECOVERABLE {audience}: {r.report}: {r.label} = {r.low:g}..{r.high:g} ({r.how})", markup=False)
    if any(not r.ok for r in results.values()):
        raise typer.Exit(code=1)


@app.command()
def doctor() -> None:
    """Check the environment, every catalog entry and the store; exit 1 if anything failed."""
    findings, area = [], None
    typer.echo("checking the environment, every catalog entry and the store (one line per check as it finishes)")
    planned = doctor_checks.steps()
    with Steps(len(planned), "doctor") as progress:  # a bar on a terminal, plain lines on standard error otherwise
        for name, check in planned:
            progress.start(name)
            worst = "ok"
            for f in check():
                if f.area != area:
                    area = f.area
                    typer.echo(f"\n{area.upper()}")
                typer.echo(format_line(f))
                findings.append(f)
                worst = "FAILED" if (not f.ok and not f.warning) else ("warning" if f.warning and worst == "ok"
                                                                         else worst)
            progress.done(worst)
    failed = [f for f in findings if not f.ok and not f.warning]
    typer.echo(f"\n{len(findings)} checks, {len(failed)} failed")
    if failed:
        raise typer.Exit(code=1)


@app.command()
def repair() -> None:
    """Repair the store: rebuild an unreadable manifest, re-ingest batches whose files were lost."""
    for line in repair_store():
        typer.echo(line)


@app.command()
def extract(
    partner: str = typer.Argument(..., help="The partner's source name, e.g. 'Harbour Light Alliance'."),
    out: Optional[Path] = typer.Option(None, help="Folder (default: <workspace>/reports/extracts/<partner>)."),
) -> None:
    """Write a partner's extract: its own records plus disclosure-controlled aggregates (CSV)."""
    try:  # only a source its catalog entry declares as a partner; the folder is its canonical id
        result = partner_extract(catalog.load("incidents"), partner, partners=declared_partners())
    except ValueError as exc:
        _fail(exc)
    folder = out or catalog.workspace() / "reports" / "extracts" / partner_id(partner)
    for path in result.write(folder):
        typer.echo(f"wrote {path}")

