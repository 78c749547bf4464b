"""Benchmark: the workbench at Traffik Analysis Hub scale (1.2 million incidents).

Usage: ``python bench/bench_scale.py [--rows 1200000] [--engine pandas|dask] [--small]``.

Builds a synthetic canonical-schema export (numpy, seeded: incidents clustered around
real cities, 60 weeks of dates, growing "emerging" clusters, 0.1% planted bad rows) in a
temporary workspace with its own catalog, then times:

(a) ingest into a fresh store through the catalog and the ``bulk`` collector (chunked
    read, H3 cells, vectorised schema gate, quarantine, Parquet commit);
(b) reading the store, H3 binning and Gi* hotspots (analytical, ``permutations=0``) at
    resolutions 5, 6 and 7;
(c) emerging hot spots over 52 weekly steps (resolution 5), when
    :mod:`workbench.analyse.emerging` is available;
(d) the 1,000-series forecast + backtest benchmark (``bench/bench_forecast.py``), when
    present, in its own process (run first, so that its peak memory is its own).

Prints each figure, rows/s, peak memory (``resource.getrusage`` RSS) and a cProfile
top-10 of the slowest step (run again under the profiler). Beside (a) and (b), in the same
run, the plain-library baselines doing the same work and the ratio: (a) DuckDB with the
same checks, h3-py once per distinct point, Parquet out (``bench/bench_ingest.py``'s
baseline, in its own process); (b) libpysal weights from H3 adjacency and
``esda.G_Local(star=True)`` over the same study area and counts (z-scores compared). (c)
has no plain-library equivalent; (d) prints its own (statsforecast). Cores and load are
printed at the start and the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CATALOG = """# Bulk export for the scale benchmark (intake 2 catalog)
version: 2
metadata:
  description: Synthetic Traffik Analysis Hub export (benchmark)
user_parameters: {{}}
aliases: {{}}
data:
  tah_export_file:
    datatype: intake.readers.datatypes:FileData
    kwargs: {{url: '{{CATALOG_DIR}}/../data/bulk/tah_export.parquet'}}
    metadata: {{}}
    user_parameters: {{}}
entries:
  tah_export:
    reader: workbench.catalog:SourceRecords
    output_instance: pandas:DataFrame
    kwargs: {{args: ['{{data(tah_export_file)}}']}}
    metadata:
      description: Export of another Traffik Analysis Hub instance (canonical schema)
      collector: bulk
      source_name: Traffik Analysis Hub
      engine: {engine}
    user_parameters: {{}}
"""


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func: Callable[[], Any], rows: int | None = None) -> tuple[Any, float]:
    """Run ``func`` once, print its wall time (and rows/s), return its result and time."""
    t0 = time.perf_counter()
    out = func()
    seconds = time.perf_counter() - t0
    rate = f"  ({rows:,} rows, {rows / seconds:,.0f} rows/s)" if rows else ""
    print(f"{label:<40} {seconds:8.2f} s{rate}  peak {peak_mb():,.0f} MB", flush=True)
    return out, seconds


def profile_top(func: Callable[[], Any], n: int = 10) -> str:
    """cProfile ``func`` and return the top ``n`` functions by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    func()
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(n)
    return text.getvalue()


def build_workspace(root: Path, rows: int, engine: str, seed: int) -> Path:
    """Write the synthetic export and the catalogs of a temporary workspace."""
    import numpy as np

    from workbench.synthetic.bulk import synthetic_export

    (root / "catalogs").mkdir(parents=True)
    (root / "data" / "bulk").mkdir(parents=True)
    shutil.copy(REPO / "catalogs" / "store.yaml", root / "catalogs" / "store.yaml")
    (root / "catalogs" / "bulk.yaml").write_text(CATALOG.format(engine=engine), "utf-8")
    frame = synthetic_export(rows, seed=seed)
    rng = np.random.default_rng(seed + 1)
    bad = rng.choice(rows, size=max(1, rows // 1000), replace=False)
    third = len(bad) // 3
    frame.loc[bad[:third], "lat"] = 123.0                                  # out of range
    frame.loc[bad[third:2 * third], "country_iso3"] = "XXX"                # unknown country
    types = frame["exploitation_types"].to_numpy(dtype=object)
    for i in bad[2 * third:]:
        types[i] = ["people_smuggling"]                                   # not in the taxonomy
    frame["exploitation_types"] = types
    path = root / "data" / "bulk" / "tah_export.parquet"
    frame.to_parquet(path, index=False, row_group_size=250_000)
    return path


def pysal_gi(table: Any) -> tuple[float, Any]:
    """The plain-library Gi*: libpysal binary weights from H3 adjacency, esda.G_Local(star=True).

    Parameters
    ----------
    table : pandas.DataFrame
        The study area of a workbench fit (``h3_cell``, ``count``).

    Returns
    -------
    seconds : float
        Weights + G_Local.
    z : numpy.ndarray
        The z-score of each cell, in the table's order.
    """
    import warnings

    import h3
    import numpy as np
    from esda.getisord import G_Local
    from libpysal.weights import W

    t0 = time.perf_counter()
    cells = table["h3_cell"].tolist()
    index = {c: i for i, c in enumerate(cells)}
    neighbours = {i: [index[n] for n in h3.grid_disk(c, 1) if n != c and n in index] for i, c in enumerate(cells)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands (cells with no neighbour in the area)
        w = W(neighbours, silence_warnings=True)
        g = G_Local(table["count"].to_numpy(dtype=float), w, transform="B", star=True, permutations=0)
    return time.perf_counter() - t0, np.asarray(g.Zs)


def main() -> None:
    """Build the export, run each step (and its baseline), print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_200_000, help="incidents in the export (default 1,200,000)")
    parser.add_argument("--small", action="store_true", help="50,000 rows (a quick check)")
    parser.add_argument("--engine", choices=("pandas", "dask"), default="pandas", help="engine for ingest and binning")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile re-run of the slowest step")
    parser.add_argument("--skip-forecast", action="store_true", help="do not run bench/bench_forecast.py")
    args = parser.parse_args()
    rows = 50_000 if args.small else args.rows

    from workbench import catalog
    from workbench.analyse.getis_ord import GetisOrdHotspots
    from workbench.analyse.hexbin import hex_counts
    from workbench.ingest import ingest_entry
    from workbench.store import Store

    steps: dict[str, float] = {}
    again: dict[str, Callable[[], Any]] = {}
    forecast = REPO / "bench" / "bench_forecast.py"
    forecast_run = None
    if not args.skip_forecast and forecast.exists():
        # first, in its own process: its peak memory must not include this one's (Linux keeps
        # the parent's high-water mark in a child's ru_maxrss)
        t0 = time.perf_counter()
        forecast_run = subprocess.run([sys.executable, str(forecast)], capture_output=True, text=True, cwd=REPO)
        steps["(d) forecast bench (own process)"] = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"rows {rows:,}  engine {args.engine}  cores {os.cpu_count()}  load "
              f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        path, _ = timed("generate export (not part of ingest)", lambda: build_workspace(root, rows, args.engine,
                                                                                          args.seed))
        print(f"{'export file':<40} {path.stat().st_size / 1e6:8.1f} MB Parquet", flush=True)
        os.environ["WORKBENCH_HOME"] = str(root)
        catalog.clear_cache()
        report, steps["(a) ingest"] = timed("(a) ingest (collect + validate + commit)",
                                            lambda: ingest_entry("tah_export"), rows)
        print(f"    {report}", flush=True)
        for reason, n in list(report.top_reasons.items())[:3]:
            print(f"    quarantined {n:>6}  {reason}", flush=True)
        base = subprocess.run([sys.executable, str(REPO / "bench" / "bench_ingest.py"), "--side", "duckdb", "--root",
                               str(root), "--out", str(root / "out-duckdb")], capture_output=True, text=True)
        if base.returncode == 0:
            duck = float(__import__("json").loads(base.stdout.strip().splitlines()[-1])["seconds"])
            print(f"    (a) ingest: workbench {steps['(a) ingest']:.2f} s | DuckDB, same checks, h3-py per distinct "
                  f"point, Parquet out {duck:.2f} s | ratio {steps['(a) ingest'] / duck:.2f}x "
                  "(run after ours, not alternated: bench/bench_ingest.py alternates)", flush=True)
        else:
            print(f"    (a) DuckDB baseline failed: {base.stderr[-500:]}", flush=True)
        again["(a) ingest"] = lambda: ingest_entry("tah_export", Store(root / "store_profile"))

        store = Store(catalog.store_root())
        incidents, steps["read store"] = timed(
            "read store (incidents needed for binning)",
            lambda: store.query("SELECT incident_id, h3_cell, lat, lon, occurred_on FROM incidents"), rows)
        for res in (5, 6, 7):
            counts, t_bin = timed(f"(b) hex_counts res {res}",
                                  lambda: hex_counts(incidents, resolution=res, engine=args.engine), rows)
            fit, t_gi = timed(f"(b) Gi* res {res} ({len(counts):,} cells with incidents)",
                              lambda: GetisOrdHotspots(permutations=0).fit(counts))
            print(f"    study area {fit.n_cells:,} cells, {len(fit.hot):,} hot, {len(fit.cold):,} cold; "
                  f"binning + Gi* {t_bin + t_gi:.2f} s", flush=True)
            t_pysal, z = pysal_gi(fit.table)
            same = float(abs(z - fit.table["gi_z"].to_numpy(dtype=float)).max())
            print(f"    (b) Gi* res {res}: workbench {t_gi:.2f} s | libpysal + esda.G_Local(star=True) {t_pysal:.2f} s "
                  f"| ratio {t_gi / t_pysal:.2f}x; max |z difference| {same:.1e}", flush=True)
            steps[f"(b) binning + Gi* res {res}"] = t_bin + t_gi
            again[f"(b) binning + Gi* res {res}"] = (
                lambda res=res: GetisOrdHotspots(permutations=0).fit(
                    hex_counts(incidents, resolution=res, engine=args.engine)))
        try:
            from workbench.analyse.emerging import EmergingHotspots, space_time_counts
        except ImportError:
            print("(c) emerging hot spots                   not available (workbench.analyse.emerging missing)")
        else:
            def emerging() -> Any:
                end = incidents["occurred_on"].max()
                cube = space_time_counts(incidents, freq="W-MON", resolution=5,
                                         start=end - __import__("pandas").Timedelta(weeks=51), end=end)
                return cube, EmergingHotspots().fit(cube)

            (cube, result), steps["(c) emerging hot spots"] = timed("(c) emerging hot spots, 52 weeks, res 5",
                                                                    emerging, rows)
            table = getattr(result, "table", None)
            n_steps = cube["ds"].nunique()
            pattern_col = next((c for c in ("pattern", "category", "pattern_class") if table is not None
                                and c in table.columns), None)
            summary = table[pattern_col].value_counts().head(4).to_dict() if pattern_col else {}
            print(f"    {n_steps} steps x {cube['h3_cell'].nunique():,} cells; {summary}", flush=True)
            print("    (c) no plain-library baseline: emerging hot spot analysis (Gi* per step + Mann-Kendall "
                  "classes) is ArcGIS's, with no open-source equivalent to time against", flush=True)
            again["(c) emerging hot spots"] = emerging
        if args.skip_forecast:
            print("(d) forecast + backtest                  skipped (--skip-forecast)")
        elif forecast_run is None:
            print("(d) forecast + backtest                  not available (bench/bench_forecast.py missing)")
        else:
            done = forecast_run
            print(f"(d) bench/bench_forecast.py (1,000 series, run first) exit {done.returncode}, "
                  f"{steps['(d) forecast bench (own process)']:.1f} s wall; its output:")
            print("\n".join("    " + line for line in (done.stdout + done.stderr).strip().splitlines()[-25:]))
        print(f"{'peak memory':<40} {peak_mb():8,.0f} MB", flush=True)
        one, five, fifteen = os.getloadavg()
        print(f"machine: cores {os.cpu_count()}, load {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)")
        slowest = max((k for k in steps if k in again), key=steps.get)
        print(f"\nslowest step: {slowest} ({steps[slowest]:.2f} s)")
        if not args.no_profile:
            print(f"cProfile top-10 (re-run of {slowest!r}, cumulative time):")
            print(profile_top(again[slowest]))


if __name__ == "__main__":
    main()
