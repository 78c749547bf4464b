"""The ``workbench`` command: generate the demo, ingest, run reports."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from workbench import catalog
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.scope import Scope
from workbench.apply.calibration import evaluate_screen, evaluation_table
from workbench.apply.campaign_export import export_dir, export_targets
from workbench.apply.campaigns import CampaignTargeting
from workbench.apply.screening import TransferScreen, TypologyScreen, high_risk_countries
from workbench.apply.screening.transfers import is_transfer_layout, transfer_file_columns
from workbench.collect.evaluation import evaluate, hand_labelled_path, load_labelled
from workbench.collect.fetch import FeedFetcher, feeds_of
from workbench.collect.news_evaluation import evaluate_real, load_real_labelled, real_labelled_path
from workbench.collect.triage import RelevanceClassifier, Triage
from workbench.synthetic import DemoConfig, generate_demo
from workbench.synthetic.transfers import HIGH_RISK, make_transfers
from workbench import doctor as doctor_checks
from workbench.accounting import rows_in
from workbench.doctor import format_line
from workbench.engine import use as use_engine
from workbench.ingest import ingest_entry
from workbench.progress import Steps
from workbench.integrity import check_store, repair_store
from workbench.parameters import ParameterError, resolve_notebook, validate_parameters
from workbench.plan import RunPlan, plans_dir, run_plan, run_reports
from workbench.runner import DEFAULT_REPORTS
from workbench.share.disclosure import POLICIES
from workbench.share.extract import declared_partners, partner_extract, partner_id, write_safe_csv
from workbench.store import Store
from workbench.workspace import init_workspace
from workbench.synthetic.labelled_news import make_labelled_set

app = typer.Typer(help="Intelligence-Led Prevention Workbench: collect, analyse, share, apply.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

#: Set by ``--debug``: show tracebacks instead of one error line.
_DEBUG = False
#: Commands that read or write the store: each checks the store's integrity first.
STORE_COMMANDS = frozenset({"ingest", "run", "status", "extract", "hotspots", "screen", "campaign-export"})


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors.")) -> None:
    """Intelligence-Led Prevention Workbench: collect, analyse, share, apply."""
    global _DEBUG
    _DEBUG = debug


def _check_store(command: str) -> None:
    """Stop with one line when the store's manifest and files disagree (``workbench repair`` fixes it)."""
    try:
        root = catalog.store_root()
        declared = bool(catalog.sources())
    except Exception:  # noqa: BLE001 - no readable store entry: the command itself says what is wrong
        return
    check_store(root)
    if command == "run-now" and not (root / "manifest.json").exists() and declared:
        raise RuntimeError(f"the store at {root} holds nothing yet: run `workbench ingest` first "
                           "(a report on an empty store would be published as if there were no incidents)")


def _guarded(command: str, func):
    """Wrap a command: store check first; any error as one ``error:`` line, exit 1 (``--debug``: traceback)."""
    import functools

    import click

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            if command in STORE_COMMANDS:
                _check_store(command)
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - every error path: one line, no traceback
            if _DEBUG:
                raise
            text = " ".join(str(exc).split()) or type(exc).__name__
            if isinstance(exc, (OSError, KeyError, TypeError, AttributeError, RuntimeError)) and \
                    type(exc).__name__ not in text:
                text = f"{type(exc).__name__}: {text}"
            typer.echo(f"error: {text[:500]} (--debug for details)", err=True)
            raise typer.Exit(code=1) from None

    return wrapper


def _entry_failure(exc: BaseException) -> str:
    """One-line reason an entry was not ingested.

    Expected failures (unreadable file, unknown entry: ``ValueError``, ``KeyError``,
    ``OSError``) say only their message; anything else is named by its type too, with a
    pointer to ``--debug``.

    Parameters
    ----------
    exc : BaseException
        What was raised while ingesting the entry.

    Returns
    -------
    str
        At most about 400 characters, on one line.
    """
    text = " ".join(str(exc).split())
    if isinstance(exc, (ValueError, KeyError, OSError)) and text:
        return text[:400]
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"{reason[:400]} (unexpected; --debug for the traceback)"


def _fail(message: object, code: int = 2) -> None:
    """Print one ``error:`` line on stderr and exit with ``code`` (2: bad usage, 1: failure)."""
    text = " ".join(str(message).split()) or "failed"
    typer.echo(f"error: {text}", err=True)
    raise typer.Exit(code=code)


def _parse_params(pairs: list[str]) -> dict[str, object]:
    """Parse ``key=value`` pairs into strings.

    Values stay text here; :func:`workbench.parameters.validate_parameters` coerces each to
    the type the notebook declares (so ``top=15`` becomes 15 and ``region=ESP`` stays text).
    """
    params: dict[str, object] = {}
    for pair in pairs:
        if "=" not in pair:
            _fail(f"-p {pair!r} is not name=value")
        key, value = pair.split("=", 1)
        if key.strip() in params:
            _fail(f"-p {key.strip()!r} given twice")
        params[key.strip()] = value
    return params


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
                if _DEBUG:
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


@app.command("evaluate-screening")
def evaluate_screening(
    n: int = typer.Option(5000, help="Ordinary transfers per generated file (training and held-out)."),
    seed: int = typer.Option(0, help="Seed of the generated training file (the held-out file uses seed + 1)."),
    budget: int = typer.Option(100, help="Alert budget: accounts reviewed."),
    train: Path = typer.Option(None, help="A labelled transfers file (CSV) to calibrate on instead."),
    train_labels: Path = typer.Option(None, help="Its labels (CSV: account, is_laundering)."),
    holdout: Path = typer.Option(None, help="A held-out labelled transfers file (CSV) to measure on."),
    holdout_labels: Path = typer.Option(None, help="Its labels (CSV: account, is_laundering)."),
    high_risk: str = typer.Option("", help="Corridor countries, comma-separated ISO3 (default: the generator's)."),
) -> None:
    """Measure transaction-level screening: ROC AUC and precision at the budget vs a random baseline."""
    import pandas as pd

    given = [train, train_labels, holdout, holdout_labels]
    if any(given) and not all(given):
        raise typer.BadParameter("give all of --train, --train-labels, --holdout and --holdout-labels, or none")
    if all(given):
        files = {k: pd.read_csv(p, dtype=str, keep_default_na=False) for k, p in
                 zip(("train", "train_labels", "holdout", "holdout_labels"), given)}
        source = f"{train.name} (calibration) and {holdout.name} (held out)"
    else:
        (a, la), (b, lb) = make_transfers(n, seed), make_transfers(n, seed + 1)
        files = {"train": a, "train_labels": la, "holdout": b, "holdout_labels": lb}
        source = f"generated files (n={n:,}, seeds {seed} and {seed + 1})"
    countries = tuple(c.strip() for c in high_risk.split(",") if c.strip()) or HIGH_RISK
    screen = TransferScreen(high_risk_countries=countries)
    fitted_train, fitted_holdout = screen.fit(files["train"]), screen.fit(files["holdout"])
    result = evaluate_screen(fitted_train, files["train_labels"], fitted_holdout, files["holdout_labels"],
                             budget=budget)
    typer.echo(f"== transaction-level screening on {source} ==")
    typer.echo(fitted_holdout.summary())
    typer.echo(evaluation_table(result).to_string(index=False))
    typer.echo(result.note)


@app.command("evaluate-triage")
def evaluate_triage(
    n: int = typer.Option(600, help="Generated labelled articles to evaluate on."),
    seed: int = typer.Option(0, help="Seed of the generated set (the training set uses seed + 1000)."),
    classifier: bool = typer.Option(False, "--classifier", help="Also train the learned classifier on a "
                                    "separate generated set and evaluate lexicon + classifier."),
) -> None:
    """Evaluate OSINT triage on real labelled news (fresh held-back, first held-back and dev parts), a generated set and the hand-written set."""
    real = real_labelled_path()
    if real is not None:
        news = load_real_labelled(real)
        parts = news["split"].value_counts()
        typer.echo(f"Real labelled news: {real} ({len(news)} items, {int(news['relevant'].sum())} relevant). Parts: "
                   f"holdout2 {int(parts.get('holdout2', 0))} (fresh, never trained or tuned on), holdout "
                   f"{int(parts.get('holdout', 0))} (looked at twice, now trained on), dev {int(parts.get('dev', 0))} "
                   "(trained and tuned on)")
        for part in ("holdout2", "holdout", "dev"):
            if part not in parts:
                continue
            result = evaluate_real(news, part)
            typer.echo(result.format())
            if part == "holdout2":
                typer.echo("")
                typer.echo(result.headline())
                if not result.errors.empty:
                    typer.echo("\nRelevance mistakes on the fresh held-back part")
                    typer.echo(result.errors.to_string(index=False))
            typer.echo("")
    sets = {f"generated (n={n}, seed={seed})": make_labelled_set(n, seed)}
    hand = hand_labelled_path()
    if hand is not None:
        labelled = load_labelled(hand)
        sets[f"hand-labelled ({hand.name}, all)"] = labelled
        holdout = labelled[labelled["split"] == "holdout"].reset_index(drop=True)
        if len(holdout):
            sets[f"hand-labelled ({hand.name}, held-out part only)"] = holdout
    triages = {"lexicon": Triage()}
    if classifier:
        train = make_labelled_set(max(n, 1000), seed + 1000)
        triages["lexicon + classifier"] = Triage(RelevanceClassifier().fit(train["text"], train["relevant"]))
    for set_name, labelled in sets.items():
        for triage_name, triage in triages.items():
            result = evaluate(triage, labelled, note=f"== {triage_name} on {set_name} ==")
            typer.echo(result.format())
            if triage.classifier is not None:
                alone = (triage.classifier.predict_proba(list(labelled["text"])) >= 0.5)
                truth = labelled["relevant"].astype(bool).to_numpy()
                tp, fp, fn = int((alone & truth).sum()), int((alone & ~truth).sum()), int((~alone & truth).sum())
                typer.echo(f"classifier alone (p >= 0.5): precision {tp / max(tp + fp, 1):.3f}, "
                           f"recall {tp / max(tp + fn, 1):.3f}")
            typer.echo("")


@app.command()
def screen(
    entry: str = typer.Argument("bank_transactions", help="Catalog entry, or a .csv/.parquet file to stream."),
    window_days: int = typer.Option(30, help="Screening window in days, ending on the latest transaction."),
    top: int = typer.Option(20, help="Alerts printed (highest scores first)."),
    high_risk_top: int = typer.Option(6, help="High-risk countries taken from the incident store."),
    home_country: Optional[str] = typer.Option(None, help="Left out of the high-risk list (default: the entry's "
                                               "metadata)."),
    rules: Optional[Path] = typer.Option(None, help="Typology rules YAML (default: the packaged rules)."),
    out: Optional[Path] = typer.Option(None, help="Folder for scores.csv, hits.csv and rejects.csv."),
    chunksize: int = typer.Option(250_000, help="Rows per chunk when streaming a file."),
) -> None:
    """Screen bank transactions for trafficking typologies; print the ranked alerts with explanations.

    Account statements (``account, amount, channel, ...``) go through the account-level
    rules; transfer files (``from_account, to_account, type, ...``, accounts mostly seen
    once) through the transaction-level rules.
    """
    import pandas as pd

    path = Path(entry)
    is_file = path.suffix.lower() in (".csv", ".parquet")
    try:
        meta = {} if is_file else catalog.metadata(entry)
        home = home_country or meta.get("home_country")
        risk = high_risk_countries(catalog.load("incidents"), top=high_risk_top, exclude=[home] if home else ())
        frame = None if is_file else catalog.load(entry)
        columns = list(frame.columns) if frame is not None else transfer_file_columns(path)
        if is_transfer_layout(columns):  # from/to transfers (one-off accounts, no MCC or city)
            if frame is None:
                frame = (pd.read_parquet(path) if path.suffix.lower() == ".parquet"
                         else pd.read_csv(path, dtype=str, keep_default_na=False))
            results = TransferScreen(rules=rules, high_risk_countries=risk,
                                     currency=meta.get("currency", "EUR")).fit(frame)
        else:
            screener = TypologyScreen(rules=rules, high_risk_countries=risk, window_days=window_days,
                                      currency=meta.get("currency", "EUR"))
            results = screener.screen_file(path, chunksize=chunksize) if frame is None else screener.fit(frame)
    except (ValueError, KeyError, OSError) as exc:  # bad rules, unknown entry, unreadable file: named
        typer.echo(f"screen: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(results.summary())
    for row in results.alerts(top).itertuples():
        typer.echo(f"#{row.rank} {row.account} score {row.score:.2f}: {row.explanation}")
    if out:
        out.mkdir(parents=True, exist_ok=True)
        for name in ("scores", "hits", "rejects"):
            write_safe_csv(getattr(results, name), out / f"{name}.csv")
        typer.echo(f"scores, hits and rejects written to {out}")


@app.command("campaign-export")
def campaign_export(
    top: int = typer.Option(15, help="Target areas exported (best first)."),
    unit: str = typer.Option("h3", help="h3 (hexagons at resolution 5) or city."),
    region: str = typer.Option("ALL", help="ALL, an ISO3 code or several joined by commas."),
    since: str = typer.Option("", help="Only incidents that occurred on or after this date (YYYY-MM-DD)."),
    out: Optional[Path] = typer.Option(None, help="Folder (default: reports/campaigns/<UTC time>)."),
) -> None:
    """Rank places for geo-targeted prevention campaigns; write GeoJSON and CSV for ad platforms."""
    try:
        incidents = Scope(region, since, "", "ALL").apply(catalog.load("incidents"))
        results = CampaignTargeting(unit=unit).fit(incidents)
        paths = export_targets(results, out or export_dir(), k=10, top=top)
    except (ValueError, KeyError, OSError) as exc:
        typer.echo(f"campaign-export: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(results.note)
    for kind, path in paths.items():
        typer.echo(f"wrote {kind}: {path}")


@app.command()
def hotspots(
    resolution: int = typer.Option(5, help="H3 resolution (0-15)."),
    k_ring: int = typer.Option(1, help="Neighbourhood radius in cells."),
    alpha: float = typer.Option(0.05, help="False discovery rate."),
    engine: str = typer.Option("pandas", help="pandas or dask: engine that counts incidents per cell."),
    top: int = typer.Option(10, help="Hot cells listed."),
) -> None:
    """Gi* hot spots of every stored incident (analytical z, FDR-controlled); internal use.

    With ``--engine dask`` the store's Parquet batches are counted partition by partition
    (the counts, not the incidents, come back); Gi* runs on the counts either way.
    """
    t0 = time.perf_counter()
    store = Store(catalog.store_root())
    columns = ["incident_id", "h3_cell", "lat", "lon"]
    if engine == "dask":
        import dask.dataframe as dd

        files = [str(store.root / f) for b in store.manifest()["batches"] for f in b.get("files", {}).get("incidents", [])]
        if not files:
            typer.echo("the store holds no incidents", err=True)
            raise typer.Exit(code=1)
        incidents = dd.read_parquet(files, columns=columns)
    else:
        incidents = store.query("SELECT " + ", ".join(columns) + " FROM incidents")
    try:
        counts = hex_counts(incidents, resolution=resolution, engine=engine)
        result = GetisOrdHotspots(k_ring=k_ring, alpha=alpha, permutations=0).fit(counts)
    except ValueError as exc:
        typer.echo(f"hotspots: {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"resolution {resolution}: {counts['count'].sum()} located incidents in {len(counts)} cells "
               f"({counts.attrs['unlocated']} unlocated); study area {result.n_cells} cells; "
               f"{len(result.hot)} hot, {len(result.cold)} cold at FDR {alpha} ({time.perf_counter() - t0:.1f} s)")
    if result.note:
        typer.echo(f"note: {result.note}")
    for row in result.hot.head(top).itertuples(index=False):
        typer.echo(f"    {row.h3_cell}  count {row.count:>7}  z {row.gi_z:7.2f}  q {row.q_value:.2g}  {row.hotspot_class}")


@app.command()
def repair() -> None:
    """Repair the store: rebuild an unreadable manifest, re-ingest batches whose files were lost."""
    for line in repair_store():
        typer.echo(line)


for _command in app.registered_commands:  # every command: one error line, never a traceback (unless --debug)
    _command.callback = _guarded(_command.name or _command.callback.__name__.replace("_", "-"), _command.callback)


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    main()
