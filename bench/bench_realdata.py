"""Real-data ingest at CTDC scale: a CTDC-shaped CSV the size of the public global file.

Repeats the fixture's 63 well-formed victim rows to 48,825 rows (the public file has
48,773), ingests them through the collector and the store, and prints rows in / stored /
quarantined and the seconds taken. Run: ``.venv/bin/python bench/bench_realdata.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "data" / "realdata" / "ctdc_global_synthetic.csv"


def main(copies: int = 775) -> None:
    """Build the large file, ingest it, print the figures."""
    from workbench.collect import collect
    from workbench.store import Store

    rows = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False).iloc[:63]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ctdc_global_large.csv"
        pd.concat([rows] * copies, ignore_index=True).to_csv(path, index=False)
        start = time.perf_counter()
        result = collect(path, {"collector": "ctdc", "source_name": "CTDC global"})
        collected = time.perf_counter() - start
        report = Store(Path(tmp) / "store").ingest(result.candidates, result.rejects, catalog_entry="ctdc",
                                                   source_file_sha256=result.source_file_sha256,
                                                   rows_in=result.rows_in)
        total = time.perf_counter() - start
    print(f"CTDC-shaped CSV: {report}")
    print(f"collect {collected:.1f} s, collect + validate + store {total:.1f} s "
          f"({report.rows_in / total:,.0f} rows/s)")


if __name__ == "__main__":
    main()
