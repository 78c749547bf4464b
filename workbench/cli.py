"""The ``workbench`` command: generate the demo, ingest, run reports."""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="Intelligence-Led Prevention Workbench: collect, analyse, share, apply.",
                  no_args_is_help=True, add_completion=False)


def _parse_params(pairs: list[str]) -> dict[str, object]:
    """Parse ``key=value`` pairs; values are Python literals when they parse, else strings."""
    params: dict[str, object] = {}
    for pair in pairs:
        if "=" not in pair:
            raise typer.BadParameter(f"{pair!r} is not key=value")
        key, value = pair.split("=", 1)
        try:
            params[key.strip()] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key.strip()] = value
    return params


@app.command("demo-data")
def demo_data(
    out: Optional[Path] = typer.Option(None, help="Folder (default: <workspace>/data/demo)."),
    seed: int = typer.Option(42, help="Random seed."),
    scale: float = typer.Option(1.0, help="Multiplies every incident rate."),
) -> None:
    """Write the seeded synthetic demo sources."""
    from workbench import catalog
    from workbench.demo import DemoConfig, generate_demo

    target = out or catalog.workspace() / "data" / "demo"
    truth = generate_demo(target, DemoConfig(seed=seed, scale=scale))
    typer.echo(f"demo data in {target}: " + ", ".join(f"{k} {v}" for k, v in truth["files"].items()))


@app.command()
def ingest(entries: list[str] = typer.Argument(None, help="Catalog source entries (default: all).")) -> None:
    """Collect raw sources into the store; prints rows in = stored + quarantined for each.

    A source that cannot be read at all is reported with its file and reason; the others
    are still ingested, and the command exits 1.
    """
    from workbench import catalog
    from workbench.ingest import ingest_entry

    failed = 0
    for name in entries or [e.name for e in catalog.sources()]:
        try:
            report = ingest_entry(name)
        except (ValueError, KeyError, OSError) as exc:  # unreadable file, unknown entry: named, not a traceback
            failed += 1
            typer.echo(f"{name}: NOT INGESTED: {exc}", err=True)
            continue
        typer.echo(str(report))
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
    from workbench.plan import RunPlan, run_plan
    from workbench.runner import run_reports

    if plan is not None:
        if notebooks or param:
            raise typer.BadParameter("give either --plan or notebooks/--param, not both")
        try:
            results = run_plan(RunPlan.load(plan))
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from None
    else:
        results = run_reports(notebooks or None, _parse_params(param))
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
    from workbench import catalog

    start = time.perf_counter()
    demo_data(out=None, seed=seed, scale=1.0)
    ingest(None)
    if audience == "partner":
        from workbench.plan import plans_dir

        run(None, [], plans_dir() / "demo.yaml")
    else:
        run(None, [f"audience={audience}"], None)
    index = catalog.workspace() / "reports" / "index.html"
    typer.echo(f"done in {time.perf_counter() - start:.0f} s; open {index}")


@app.command()
def catalog_entries() -> None:
    """List the catalog entries."""
    from workbench import catalog

    for e in catalog.entries():
        typer.echo(f"{e.catalog:<10} {e.name:<18} {e.description}")


@app.command()
def status() -> None:
    """Print the store's counts and its ingest ledger."""
    from workbench import catalog
    from workbench.store import Store

    store = Store(catalog.store_root())
    typer.echo(str(store.counts()))
    ledger = store.batches()
    if len(ledger):
        typer.echo(ledger[["catalog_entry", "rows_in", "new", "already_stored", "quarantined", "ingested_at"]]
                   .to_string(index=False))


@app.command()
def doctor() -> None:
    """Check the environment, every catalog entry and the store; exit 1 if anything failed."""
    from workbench.doctor import format_report, run_checks

    findings = run_checks()
    typer.echo(format_report(findings))
    if any(not f.ok and not f.warning for f in findings):
        raise typer.Exit(code=1)


@app.command()
def extract(
    partner: str = typer.Argument(..., help="The partner's source name, e.g. 'Harbour Light Alliance'."),
    out: Optional[Path] = typer.Option(None, help="Folder (default: <workspace>/reports/extracts/<partner>)."),
) -> None:
    """Write a partner's extract: its own records plus disclosure-controlled aggregates (CSV)."""
    import re

    from workbench import catalog
    from workbench.share.extract import partner_extract

    try:
        result = partner_extract(catalog.load("incidents"), partner)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    folder = out or catalog.workspace() / "reports" / "extracts" / re.sub(r"[^A-Za-z0-9_-]+", "_", partner)
    for path in result.write(folder):
        typer.echo(f"wrote {path}")


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    main()
