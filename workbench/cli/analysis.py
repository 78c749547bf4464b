"""Analyst commands over the store: ``screen`` (transactions), ``campaign-export`` and ``hotspots``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from workbench import catalog
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.scope import Scope
from workbench.apply.campaign_export import export_dir, export_targets
from workbench.apply.campaigns import CampaignTargeting
from workbench.apply.screening import TransferScreen, TypologyScreen, high_risk_countries
from workbench.apply.screening.transfers import is_transfer_layout, transfer_file_columns
from workbench.cli.base import app
from workbench.share.extract import write_safe_csv
from workbench.store import Store


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

