"""Benchmark: how ingest and hotspots grow with the number of incidents (a scaling curve).

Usage: ``python bench/bench_curve.py [--sizes 100000 300000 1200000] [--with-5m] [--engine-5m dask]``.

For each size, a seeded synthetic export (``bench/bench_ingest.py``'s generator) is
ingested into a fresh store through the catalog and the ``bulk`` collector, then the
store is read and hot spots are computed (H3 counts at resolution 7 and Gi*, analytical,
``permutations=0``). Each step runs in its own process, so its wall time and peak
resident memory (``os.wait4``) are its own. Prints, per size and step, the seconds of the
step itself (and of its whole process),
rows/s and peak memory, then the growth between successive sizes: the time ratio over
the size ratio (1.0 is linear); a step whose time grows more than 1.25 times as fast as
its rows is named super-linear. 5 million rows take several minutes on a loaded
2-core machine, so that size is opt-in (``--with-5m``; ``--engine-5m dask`` runs it on
the dask engine). The ingest streams the file (each checked chunk is written as it is
read), so the pandas engine's peak memory stays about flat in the rows (0.93 GB at 5M).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from common import machine, run_side, side_result  # noqa: E402

#: Time growth over size growth above which a step is called super-linear.
SUPER_LINEAR = 1.25


def run_hotspots(root: Path, store: Path, engine: str) -> None:
    """Read the store, count incidents per H3 cell (res 7) and compute Gi* (one side; prints JSON).

    Parameters
    ----------
    root : Path
        The workspace.
    store : Path
        The store ingested by the previous step.
    engine : str
        ``pandas`` or ``dask`` for the H3 counts.
    """
    import os

    os.environ["WORKBENCH_HOME"] = str(root)
    from workbench.analyse.getis_ord import GetisOrdHotspots
    from workbench.analyse.hexbin import hex_counts
    from workbench.store import Store

    t0 = time.perf_counter()
    incidents = Store(store).query("SELECT incident_id, h3_cell, lat, lon FROM incidents")
    counts = hex_counts(incidents, resolution=7, engine=engine)
    fit = GetisOrdHotspots(permutations=0).fit(counts)
    side_result(seconds=time.perf_counter() - t0, cells=int(len(counts)), hot=int(len(fit.hot)),
                rows=int(len(incidents)))


def main() -> None:
    """Run every size's steps, each in its own process, and print the curve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_200_000])
    parser.add_argument("--with-5m", action="store_true", help="add 5,000,000 rows (several minutes)")
    parser.add_argument("--engine", choices=("pandas", "dask"), default="pandas")
    parser.add_argument("--engine-5m", choices=("pandas", "dask"), default="pandas", help="engine at 5M rows")
    parser.add_argument("--side", choices=("hotspots",), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side == "hotspots":
        return run_hotspots(args.root, args.out, args.engine)

    import shutil
    import tempfile

    ingest_script = str(BENCH / "bench_ingest.py")
    script = str(Path(__file__).resolve())
    sizes = list(args.sizes) + ([5_000_000] if args.with_5m else [])
    print(f"scaling curve, sizes {', '.join(f'{s:,}' for s in sizes)}; {machine()}", flush=True)
    table = []
    for size in sizes:
        engine = args.engine_5m if size >= 5_000_000 else args.engine
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            made = run_side([ingest_script, "--side", "generate", "--root", tmp, "--rows", str(size),
                             "--engine", engine], timeout=7200)
            rows = int(made.result["rows"])
            store = root / "store"
            shutil.rmtree(store, ignore_errors=True)
            ingest = run_side([ingest_script, "--side", "workbench", "--root", tmp, "--out", str(store)], timeout=7200)
            hot = run_side([script, "--side", "hotspots", "--root", tmp, "--out", str(store), "--engine", engine],
                           timeout=7200)
        for step, run in (("ingest", ingest), ("hotspots (H3 res 7 + Gi*)", hot)):
            work = float(run.result["seconds"])  # the step itself, without interpreter start and imports
            table.append((size, step, work, rows, run.peak_mb, engine))
            extra = f", {hot.result['cells']:,} cells" if step.startswith("hotspots") else ""
            print(f"{size:>10,} rows  {step:<26} {work:8.2f} s (process {run.seconds:6.1f} s)  "
                  f"{rows / work:>10,.0f} rows/s  peak {run.peak_mb:7,.0f} MB  engine {engine}{extra}", flush=True)
        print(f"{'':>16}{machine()}", flush=True)
    print("growth between sizes (time ratio / size ratio; 1.0 = linear):")
    for step in ("ingest", "hotspots (H3 res 7 + Gi*)"):
        points = [(size, seconds) for size, name, seconds, *_ in table if name == step]
        for (n0, t0), (n1, t1) in zip(points, points[1:]):
            growth = (t1 / t0) / (n1 / n0)
            label = "SUPER-LINEAR" if growth > SUPER_LINEAR else "sub-linear" if growth < 1 / SUPER_LINEAR \
                else "about linear"
            print(f"  {step:<26} {n0:>10,} -> {n1:>10,}: time x{t1 / t0:5.2f} for rows x{n1 / n0:5.2f} "
                  f"-> {growth:4.2f} ({label})")
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
