"""Benchmark: demo generation, collection and ingest throughput, printed as figures.

Usage: ``python bench/bench_ingest.py [--scale 5]``. Builds a scaled synthetic world in a
temporary workspace and times each stage; prints rows/s and peak memory (RSS).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.workspace import make_workspace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=5.0, help="world size (1.0 ~ 6,600 incidents)")
    args = parser.parse_args()
    from workbench import catalog
    from workbench.ingest import ingest_all
    from workbench.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        make_workspace(root, scale=args.scale, ingest=False)
        t_gen = time.perf_counter() - t0
        os.environ["WORKBENCH_HOME"] = str(root)
        catalog.clear_cache()
        t0 = time.perf_counter()
        reports = ingest_all()
        t_ingest = time.perf_counter() - t0
        rows = sum(r.rows_in for r in reports)
        t0 = time.perf_counter()
        again = ingest_all()
        t_again = time.perf_counter() - t0
        t0 = time.perf_counter()
        frame = Store(catalog.store_root()).incidents()
        t_read = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scale                 {args.scale}")
    print(f"generate demo         {t_gen:8.2f} s")
    print(f"collect + ingest      {t_ingest:8.2f} s  ({rows} rows, {rows / t_ingest:,.0f} rows/s)")
    print(f"re-ingest (no-op)     {t_again:8.2f} s  (skipped {sum(bool(r.skipped_reason) for r in again)} files)")
    print(f"read store            {t_read:8.2f} s  ({len(frame)} incidents)")
    print(f"peak memory           {peak_mb:8.0f} MB")


if __name__ == "__main__":
    main()
