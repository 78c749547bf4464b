"""Benchmark: typology screening of bank transactions, streamed from a file.

Usage: ``python bench/bench_screening.py [--rows 1000000] [--format parquet|csv]
[--chunksize 250000] [--small] [--repeats 3] [--engine auto|duckdb|pandas] [--profile]``.

Draws ``--rows`` synthetic transactions (vectorised: ~40 per account over 60 days, a mix
of card, cash, ATM, transfer and payroll rows, with a few planted suspicious accounts)
into a temporary file in a child process, then times :meth:`TypologyScreen.screen_file`
(validation, per-account aggregation, scores, hits and explanations) against its
plain-library baseline: one DuckDB ``GROUP BY account`` over the same file computing the
same 9 rules' counts, amounts and distinct values with ``FILTER`` clauses (no
validation, no explanations). The two run alternately ``--repeats`` times; the medians,
their ratio and whether the fired (account, typology) pairs are identical are printed in
one run, with the machine's load average. Parquet input uses the DuckDB engine; CSV is
streamed in chunks with pandas (the baseline then reads the CSV with DuckDB).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import io
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HIGH_RISK = ("NGA", "ROU", "VNM")
CITIES = np.array(["Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Murcia",
                   "Almería", "Palma"], dtype=object)
#: (channel, MCC or "", sign, share of rows, mean amount)
MIX = [
    ("card", "5411", -1, 0.36, 45), ("card", "5812", -1, 0.14, 30), ("card", "5541", -1, 0.07, 55),
    ("card", "7011", -1, 0.01, 110), ("card", "4511", -1, 0.01, 150), ("card", "7311", -1, 0.01, 20),
    ("atm", "", -1, 0.12, 80), ("atm", "", 1, 0.02, 300), ("cash", "", 1, 0.03, 250),
    ("direct_debit", "4900", -1, 0.08, 70), ("direct_debit", "6513", -1, 0.04, 850),
    ("transfer", "", -1, 0.06, 200), ("payroll", "", 1, 0.04, 2100), ("payroll", "", -1, 0.01, 1500),
]


def write_transactions(path: Path, rows: int, seed: int = 0) -> None:
    """Write ``rows`` synthetic transactions (vectorised) to CSV or Parquet.

    Parameters
    ----------
    path : Path
        ``.csv`` or ``.parquet``.
    rows : int
        Number of transactions.
    seed : int
        Random seed.
    """
    rng = np.random.default_rng(seed)
    n_acc = max(rows // 40, 10)
    acc_names = np.char.add("AC", np.arange(1_000_000, 1_000_000 + n_acc).astype(str)).astype(object)
    kind = rng.choice(len(MIX), size=rows, p=np.array([m[3] for m in MIX]) / sum(m[3] for m in MIX))
    channel = np.array([m[0] for m in MIX], dtype=object)[kind]
    mcc = np.array([m[1] for m in MIX], dtype=object)[kind]
    sign = np.array([m[2] for m in MIX])[kind]
    mean = np.array([m[4] for m in MIX], dtype=float)[kind]
    account = rng.integers(0, n_acc, rows)
    home = rng.integers(0, len(CITIES), n_acc)
    city_idx = np.where(rng.random(rows) < 0.9, home[account], rng.integers(0, len(CITIES), rows))
    hour = np.where(channel == "atm", rng.integers(0, 24, rows), rng.integers(7, 22, rows))
    day = rng.integers(0, 60, rows)
    ts = (np.datetime64("2026-09-01") + day.astype("timedelta64[D]") + hour.astype("timedelta64[h]")
          + rng.integers(0, 3600, rows).astype("timedelta64[s]"))
    country = np.where((channel == "transfer") & (rng.random(rows) < 0.1),
                       rng.choice(np.array(["NGA", "FRA", "ROU", "PRT", "DEU"], dtype=object), rows), "ESP")
    counterparty = np.char.add("CP", rng.integers(0, 50_000, rows).astype(str)).astype(object)
    frame = pd.DataFrame({
        "account": acc_names[account], "counterparty": counterparty,
        "amount": np.round(sign * np.maximum(rng.exponential(mean), 1.0), 2), "currency": "EUR",
        "timestamp": np.datetime_as_string(ts, unit="s"), "channel": channel, "merchant_category": mcc,
        "city": CITIES[city_idx], "country_iso3": country,
    })
    planted = rng.choice(n_acc, size=min(5, n_acc), replace=False)  # a few accounts doing everything
    extra = []
    for a in planted:
        for ch, code, sgn, h, n in (("card", "7311", -1, 14, 12), ("card", "7011", -1, 20, 8),
                                    ("atm", "", 1, 23, 6), ("transfer", "", -1, 11, 4)):
            extra.append(pd.DataFrame({
                "account": acc_names[a], "counterparty": "X", "amount": sgn * 50.0, "currency": "EUR",
                "timestamp": [f"2026-10-{20 + i % 10:02d}T{h:02d}:00:00" for i in range(n)], "channel": ch,
                "merchant_category": code, "city": CITIES[np.arange(n) % len(CITIES)],
                "country_iso3": "NGA" if ch == "transfer" else "ESP"}))
    frame = pd.concat([frame, *extra], ignore_index=True).head(rows)
    if path.suffix == ".csv":
        import pyarrow as pa
        import pyarrow.csv as pacsv

        pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path)
    else:
        frame.to_parquet(path, index=False)


def baseline_alerts(path: Path, window_days: int = 30) -> set[tuple[str, str]]:
    """The plain-library baseline: one DuckDB GROUP BY per account with the same rules.

    Parameters
    ----------
    path : Path
        The transactions file (Parquet or CSV).
    window_days : int
        Window ending on the latest day.

    Returns
    -------
    set of (str, str)
        Fired (account, typology) pairs.
    """
    import duckdb

    from workbench.apply.screening import TypologyScreen
    from workbench.apply.screening.duck import rule_predicate

    screen = TypologyScreen(high_risk_countries=HIGH_RISK)
    reader = (f"read_parquet('{path}')" if path.suffix == ".parquet"
              else f"read_csv('{path}', all_varchar = true)")
    items = []
    for i, rule in enumerate(screen.rules.rules):
        cond = f"{rule_predicate(rule, screen.params)} AND day > e - {rule.window_days or window_days}"
        measures = {"count": f"count(*) FILTER (WHERE {cond})",
                    "amount": f"coalesce(sum(abs(cents)) FILTER (WHERE {cond}), 0) / 100.0"}
        for f in rule.distinct_fields:
            col, blank = ("mcc", "-1") if f == "merchant_category" else (f, "''")
            measures[f"distinct_{f}"] = f"count(DISTINCT {col}) FILTER (WHERE {cond} AND {col} <> {blank})"
        fired = " AND ".join(f"{measures[k]} >= {v}" for k, v in rule.condition.items())
        items.append(f"{fired} AS r{i}")
    query = f"""
        WITH t AS (
            SELECT account, counterparty, city, country_iso3, currency, channel,
                   CAST(round(CAST(amount AS DOUBLE) * 100) AS BIGINT) AS cents,
                   CAST(CAST(timestamp AS TIMESTAMP) AS DATE) AS day,
                   hour(CAST(timestamp AS TIMESTAMP)) AS hour,
                   coalesce(TRY_CAST(merchant_category AS INTEGER), -1) AS mcc
            FROM {reader}),
        w AS (SELECT *, (SELECT max(day) FROM t) AS e FROM t)
        SELECT account, {", ".join(items)} FROM w GROUP BY account"""
    con = duckdb.connect()
    try:
        frame = con.execute(query).df()
    finally:
        con.close()
    ids = [r.id for r in screen.rules.rules]
    return {(a, ids[i]) for i in range(len(ids)) for a in frame.loc[frame[f"r{i}"], "account"]}


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="transactions to screen")
    parser.add_argument("--small", action="store_true", help="100,000 rows")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--chunksize", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs of each (medians compared)")
    parser.add_argument("--engine", choices=("auto", "duckdb", "pandas"), default="auto")
    parser.add_argument("--profile", action="store_true", help="add a cProfile top-10 of a profiled run")
    parser.add_argument("--write", help=argparse.SUPPRESS)  # child process: write the file and exit
    args = parser.parse_args()
    rows = 100_000 if args.small else args.rows
    if args.write:
        write_transactions(Path(args.write), rows)
        return

    from workbench.apply.screening import TypologyScreen

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"transactions.{args.format}"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--rows", str(rows), "--write", str(path)], check=True)
        t_gen = time.perf_counter() - t0
        screen = TypologyScreen(high_risk_countries=HIGH_RISK)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t_ours, t_base = [], []
        for _ in range(max(args.repeats, 1)):
            t0 = time.perf_counter()
            results = screen.screen_file(path, chunksize=args.chunksize, engine=args.engine)
            t_ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            base = baseline_alerts(path)
            t_base.append(time.perf_counter() - t0)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ours = set(zip(results.hits["account"], results.hits["typology"]))
        med_ours, med_base = float(np.median(t_ours)), float(np.median(t_base))
        engine = args.engine if args.engine != "auto" else ("duckdb" if args.format == "parquet" else "pandas")
        print(f"rows                  {results.n_rows_in:,} ({args.format}; engine {engine}); "
              f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"generate + write      {t_gen:8.2f} s (child process)")
        print(f"workbench screen      {med_ours:8.2f} s median of {len(t_ours)} "
              f"({', '.join(f'{x:.2f}' for x in t_ours)}; {results.n_rows_in / med_ours:,.0f} rows/s)")
        print(f"DuckDB GROUP BY       {med_base:8.2f} s median of {len(t_base)} "
              f"({', '.join(f'{x:.2f}' for x in t_base)}): same rules, no validation or explanations")
        print(f"ratio                 {med_ours / med_base:8.2f}x (target <= 1.3x)")
        print(f"outputs               {'identical' if ours == base else 'DIFFERENT'}: {len(ours):,} fired "
              f"(account, typology) pairs vs {len(base):,}; alerts {results.scores['n_typologies'].gt(0).sum():,}")
        print(f"accounts              {len(results.scores):,}; hits {len(results.hits):,}; "
              f"rejected {results.n_rows_rejected:,}")
        print(f"peak memory (RSS)     {peak:8.0f} MB (before screening {rss_before:.0f} MB)")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            screen.screen_file(path, chunksize=args.chunksize, engine=args.engine)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(10)
            print("\ncProfile, top 10 by cumulative time (profiled run):")
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
