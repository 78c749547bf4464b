"""Benchmark: the workbench at Traffik Analysis Hub scale (1.2 million incidents).

Usage: ``python bench/bench_scale.py [--rows 1200000] [--engine pandas|dask] [--small] [--repeats 1]
[--skip-forecast] [--forecast-series 1000] [--profile]``.

Builds a synthetic canonical-schema export (numpy, seeded: incidents clustered around
real cities, 60 weeks of dates, growing "emerging" clusters, 0.1% planted bad rows) in a
temporary workspace with its own catalog, then times:

(a) ingest into a fresh store through the catalog and the ``bulk`` collector (chunked
    read, H3 cells, vectorised schema gate, quarantine, Parquet commit);
(b) reading the store, H3 binning and Gi* hotspots (analytical, ``permutations=0``) at
    resolutions 5, 6 and 7;
(c) emerging hot spots over 52 weekly steps (resolution 5), when
    :mod:`workbench.analyse.emerging` is available;
(d) the 1,000-series forecast + backtest benchmark (``bench/bench_forecast.py``, its
    sides in their own processes).

Every step with a plain-library baseline runs beside it alternately (``--repeats`` each),
each side in its own process (``bench/common.py``: wall time and peak memory from
``os.wait4``), and prints ours, the baseline, the ratio and both peaks in one run: (a)
DuckDB with the same checks, h3-py once per distinct point, Parquet out
(``bench/bench_ingest.py``'s sides); (b) per resolution, our Gi* on the binned counts
beside libpysal weights from H3 adjacency and ``esda.G_Local(star=True)`` over the same
study area and counts (z-scores compared). (c) has no plain-library equivalent; (d)
alternates with its own baseline (statsforecast). Cores and load are printed at the start
and the end; ``--profile`` adds a cProfile top-10 of the ingest.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from common import alternate, machine, median, ratio_line, run_side, side_result  # noqa: E402

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


def run_prepare(root: Path, out: Path, engine: str) -> None:
    """One side: read the store, bin at resolutions 5-7 and fit Gi* once, saving each resolution's inputs.

    Writes ``counts_<res>.parquet`` (the binned counts, our input) and ``area_<res>.parquet``
    (the study area with our z-scores, the baseline's input and reference) under ``out``,
    and prints the seconds of reading, binning and Gi* as JSON.

    Parameters
    ----------
    root : Path
        The workspace (the store ingested by (a) is ``<root>/store``).
    out : Path
        Folder for the files.
    engine : str
        Engine for the binning.
    """
    os.environ["WORKBENCH_HOME"] = str(root)
    from workbench.analyse.getis_ord import GetisOrdHotspots
    from workbench.analyse.hexbin import hex_counts
    from workbench.store import Store

    t0 = time.perf_counter()
    incidents = Store(root / "store").query("SELECT incident_id, h3_cell, lat, lon, occurred_on FROM incidents")
    figures: dict[str, Any] = {"read": time.perf_counter() - t0, "rows": len(incidents)}
    out.mkdir(parents=True, exist_ok=True)
    for res in (5, 6, 7):
        t0 = time.perf_counter()
        counts = hex_counts(incidents, resolution=res, engine=engine)
        t1 = time.perf_counter()
        fit = GetisOrdHotspots(permutations=0).fit(counts)
        figures[str(res)] = {"bin": t1 - t0, "gi": time.perf_counter() - t1, "cells": len(counts),
                             "area": int(fit.n_cells), "hot": len(fit.hot), "cold": len(fit.cold)}
        counts.to_parquet(out / f"counts_{res}.parquet")
        fit.table[["h3_cell", "count", "gi_z"]].to_parquet(out / f"area_{res}.parquet")
    side_result(**figures)


def run_gi(out: Path, res: int, which: str) -> None:
    """One side: Gi* at one resolution, ours on the binned counts or the libpysal baseline on the study area.

    Parameters
    ----------
    out : Path
        The folder :func:`run_prepare` wrote.
    res : int
        H3 resolution.
    which : str
        ``workbench`` or ``pysal``.
    """
    import numpy as np
    import pandas as pd

    if which == "workbench":
        from workbench.analyse.getis_ord import GetisOrdHotspots

        counts = pd.read_parquet(out / f"counts_{res}.parquet")
        GetisOrdHotspots(permutations=0).fit(counts.head(50))  # warm up (lazy imports), as the baseline below
        t0 = time.perf_counter()
        fit = GetisOrdHotspots(permutations=0).fit(counts)
        side_result(seconds=time.perf_counter() - t0, area=int(fit.n_cells))
        return
    area = pd.read_parquet(out / f"area_{res}.parquet")
    pysal_gi(area.head(50))  # warm up (lazy imports, first calls)
    seconds, z = pysal_gi(area)
    side_result(seconds=seconds, area=len(area), max_dz=float(np.abs(z - area["gi_z"].to_numpy(dtype=float)).max()))


def _ingest_sides(root: Path, repeats: int) -> tuple[list[Any], list[Any]]:
    """(a) ours and the DuckDB baseline (bench_ingest's sides), alternately, each from an empty folder."""
    ingest = str(REPO / "bench" / "bench_ingest.py")
    ours, base = [], []
    for i in range(repeats):
        order = ("workbench", "duckdb") if i % 2 == 0 else ("duckdb", "workbench")
        for side in order:
            out = root / ("store" if side == "workbench" and i == 0 else f"out-{side}-{i}")
            run = run_side([ingest, "--side", side, "--root", str(root), "--out", str(out)], timeout=7200)
            (ours if side == "workbench" else base).append(run)
            print(f"    run {i + 1} {side:<10} {run.seconds:7.2f} s (work {run.result['seconds']:.2f} s)  "
                  f"peak {run.peak_mb:7,.0f} MB", flush=True)
            if out.name != "store":
                shutil.rmtree(out, ignore_errors=True)
    return ours, base


def main() -> None:
    """Build the export, run each step beside its baseline (alternately, own processes), print the figures.

    Long on purpose: the steps (a)-(d) in order, each printing its lines as it ends.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_200_000, help="incidents in the export (default 1,200,000)")
    parser.add_argument("--small", action="store_true", help="50,000 rows (a quick check)")
    parser.add_argument("--engine", choices=("pandas", "dask"), default="pandas", help="engine for ingest and binning")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=1, help="alternating runs per side of (a) and (b)")
    parser.add_argument("--profile", action="store_true", help="add a cProfile top-10 of the ingest (re-run)")
    parser.add_argument("--skip-forecast", action="store_true", help="do not run bench/bench_forecast.py")
    parser.add_argument("--forecast-series", type=int, default=1000, help="series of bench_forecast.py (d)")
    parser.add_argument("--side", choices=("prepare", "gi"), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--res", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--which", choices=("workbench", "pysal"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side == "prepare":
        return run_prepare(args.root, args.out, args.engine)
    if args.side == "gi":
        return run_gi(args.out, args.res, args.which)
    rows = 50_000 if args.small else args.rows
    script = str(Path(__file__).resolve())
    print(f"rows {rows:,}  engine {args.engine}  {machine()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        made = run_side([str(REPO / "bench" / "bench_ingest.py"), "--side", "generate", "--root", tmp, "--rows",
                         str(rows), "--engine", args.engine], timeout=7200)
        path = root / "data" / "bulk" / "tah_export.parquet"
        print(f"{'export (own process, not timed)':<40} {made.result['rows']:,} rows, {path.stat().st_size / 1e6:.1f} MB "
              "Parquet (with a few records sent twice)", flush=True)
        print("(a) ingest (collect + validate + commit) beside DuckDB with the same checks, h3-py per distinct point, "
              "Parquet out; alternately, each in its own process:", flush=True)
        ours, base = _ingest_sides(root, args.repeats)
        print(f"    {ours[0].result['report']}", flush=True)
        print("    " + ratio_line(f"(a) ingest {made.result['rows']:,} rows (median of {args.repeats}, work)",
                                  median([r.result["seconds"] for r in ours]),
                                  median([r.result["seconds"] for r in base]), baseline_name="DuckDB"), flush=True)
        print("    " + ratio_line("(a) ingest, whole process", median([r.seconds for r in ours]),
                                  median([r.seconds for r in base]), baseline_name="DuckDB")
              + f"; peak workbench {median([r.peak_mb for r in ours]):,.0f} MB | DuckDB "
              f"{median([r.peak_mb for r in base]):,.0f} MB", flush=True)
        prep = run_side([script, "--side", "prepare", "--root", tmp, "--out", str(root / "gi"), "--engine",
                         args.engine], timeout=7200)
        print(f"{'read store':<40} {prep.result['read']:8.2f} s ({prep.result['rows']:,} rows; own process, peak "
              f"{prep.peak_mb:,.0f} MB with binning and Gi* at 3 resolutions)", flush=True)
        for res in (5, 6, 7):
            fig = prep.result[str(res)]
            print(f"(b) res {res}: hex_counts {fig['bin']:.2f} s, Gi* {fig['gi']:.2f} s ({fig['cells']:,} cells with "
                  f"incidents; study area {fig['area']:,}, {fig['hot']:,} hot, {fig['cold']:,} cold)", flush=True)
            runs = alternate({which: [script, "--side", "gi", "--out", str(root / "gi"), "--res", str(res),
                                      "--which", which] for which in ("workbench", "pysal")}, args.repeats)
            print("    " + ratio_line(f"(b) Gi* res {res} (median of {args.repeats})",
                                      median([r.result["seconds"] for r in runs["workbench"]]),
                                      median([r.result["seconds"] for r in runs["pysal"]]),
                                      baseline_name="libpysal + esda.G_Local(star=True)")
                  + f"; max |z difference| {runs['pysal'][-1].result['max_dz']:.1e}; peak "
                  f"{median([r.peak_mb for r in runs['workbench']]):,.0f} MB | "
                  f"{median([r.peak_mb for r in runs['pysal']]):,.0f} MB", flush=True)
        _emerging(root)
        if args.profile:
            os.environ["WORKBENCH_HOME"] = str(root)
            from workbench.ingest import ingest_entry
            from workbench.store import Store

            print("cProfile top-10 of the ingest (re-run, cumulative time):")
            print(profile_top(lambda: ingest_entry("tah_export", Store(root / "store_profile"))))
    if args.skip_forecast:
        print("(d) forecast + backtest                  skipped (--skip-forecast)")
    else:
        done = subprocess.run([sys.executable, str(REPO / "bench" / "bench_forecast.py"), "--series",
                               str(args.forecast_series), "--repeats", str(args.repeats)],
                              capture_output=True, text=True, cwd=REPO)
        print(f"(d) bench/bench_forecast.py --series {args.forecast_series} (alternates with statsforecast), exit "
              f"{done.returncode}; its output:")
        print("\n".join("    " + line for line in (done.stdout + done.stderr).strip().splitlines()[-14:]))
    print(f"machine at the end: {machine()}")
    return None


def _emerging(root: Path) -> None:
    """(c) emerging hot spots over 52 weeks at resolution 5 (no plain-library baseline), in this process."""
    try:
        from workbench.analyse.emerging import EmergingHotspots, space_time_counts
    except ImportError:
        print("(c) emerging hot spots                   not available (workbench.analyse.emerging missing)")
        return
    import pandas as pd

    from workbench.store import Store

    incidents = Store(root / "store").query("SELECT h3_cell, lat, lon, occurred_on FROM incidents")
    t0 = time.perf_counter()
    end = incidents["occurred_on"].max()
    cube = space_time_counts(incidents, freq="W-MON", resolution=5, start=end - pd.Timedelta(weeks=51), end=end)
    result = EmergingHotspots().fit(cube)
    seconds = time.perf_counter() - t0
    table = getattr(result, "table", None)
    pattern_col = next((c for c in ("pattern", "category", "pattern_class") if table is not None
                        and c in table.columns), None)
    summary = table[pattern_col].value_counts().head(4).to_dict() if pattern_col else {}
    print(f"(c) emerging hot spots, 52 weeks, res 5  {seconds:8.2f} s ({cube['ds'].nunique()} steps x "
          f"{cube['h3_cell'].nunique():,} cells; {summary})", flush=True)
    print("    (c) no plain-library baseline: emerging hot spot analysis (Gi* per step + Mann-Kendall classes) is "
          "ArcGIS's, with no open-source equivalent to time against", flush=True)


if __name__ == "__main__":
    main()
