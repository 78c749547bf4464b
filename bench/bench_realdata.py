"""Real-data ingest at CTDC scale: a CTDC-shaped CSV the size of the public global file.

Repeats the fixture's 63 well-formed victim rows to 48,825 rows (the public file has
48,773), ingests them through the collector and the store, and prints rows in / stored /
quarantined and the seconds taken, beside the plain-library floor on the same file (pandas
``read_csv`` of every cell as text and ``to_parquet``: parsing and writing, without the
CTDC mapping, the checks or the quarantine) with the ratio, the cores and the load.
Run: ``.venv/bin/python bench/bench_realdata.py``.
"""

from __future__ import annotations

import os
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
        start = time.perf_counter()
        pd.read_csv(path, dtype=str, keep_default_na=False).to_parquet(Path(tmp) / "plain.parquet", index=False)
        floor = time.perf_counter() - start
    print(f"CTDC-shaped CSV: {report}")
    print(f"collect {collected:.1f} s, collect + validate + store {total:.1f} s "
          f"({report.rows_in / total:,.0f} rows/s)")
    print(f"real-data ingest {report.rows_in:,} rows: workbench {total:.2f} s | pandas read_csv + to_parquet "
          f"(a floor: no mapping, checks or quarantine) {floor:.2f} s | ratio {total / floor:.2f}x")
    one, five, fifteen = os.getloadavg()
    print(f"machine: cores {os.cpu_count()}, load {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)")


if __name__ == "__main__":
    main()
