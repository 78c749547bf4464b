"""Benchmark: bulk ingest beside DuckDB doing the same work, ratio and peak memory in one run.

Usage: ``python bench/bench_ingest.py [--rows 1200000] [--repeats 3] [--engine pandas|dask]``.

Writes a seeded synthetic canonical-schema export (Parquet, 0.1% planted bad rows: latitude
out of range, unknown country, an exploitation type outside the taxonomy; and a few
records repeated), then runs, alternately and each in its own process:

workbench
    ``ingest_entry`` through the catalog and the ``bulk`` collector into a fresh store
    (read, rename, ids, H3 cells, schema gate, quarantine with reasons, Parquet commit);
duckdb
    the plain-library baseline: one DuckDB query over the same file with the same checks
    (vocabularies, ISO codes, ranges, lengths, patterns, list codes, cross-field rules,
    repeated ids), h3-py once per distinct point, valid rows and rejects written as Parquet.

Prints each run, the medians, the ratio workbench / duckdb (whole-process wall time, as
``/usr/bin/time`` measures it) and each side's peak resident memory (``os.wait4``), the
machine's cores and load, and whether the outputs agree: the same stored ids, the same
H3 cell of every stored row, the same quarantined records with the same failing fields.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from common import machine, median, ratio_line, run_side, side_result  # noqa: E402

SOURCE = "Traffik Analysis Hub"


def generate(root: Path, rows: int, engine: str, seed: int) -> None:
    """Write the export and the workspace's catalogs (bench_scale's generator, plus repeated ids).

    Parameters
    ----------
    root : Path
        The temporary workspace.
    rows : int
        Incidents before the repeats (every ``rows // 20``-th record is sent twice).
    engine : str
        Engine named in the catalog entry.
    seed : int
        Random seed.
    """
    import pandas as pd

    from bench_scale import build_workspace

    path = build_workspace(root, rows, engine, seed)
    frame = pd.read_parquet(path)
    repeat = frame.iloc[:: max(1, rows // 20)].copy()  # a few records sent twice (the later copy is rejected)
    pd.concat([frame, repeat], ignore_index=True).to_parquet(path, index=False, row_group_size=250_000)
    print(json.dumps({"rows": len(frame) + len(repeat)}))


def run_workbench(root: Path, out: Path) -> None:
    """Ingest the export into a fresh store at ``out`` (one side; prints its figures as JSON).

    Parameters
    ----------
    root : Path
        The workspace (catalogs and export).
    out : Path
        The store's folder.
    """
    import os

    os.environ["WORKBENCH_HOME"] = str(root)
    from workbench import catalog
    from workbench.ingest import ingest_entry
    from workbench.store import Store

    catalog.clear_cache()
    t0 = time.perf_counter()
    report = ingest_entry("tah_export", Store(out))
    side_result(seconds=time.perf_counter() - t0, report=str(report))


def run_duckdb(root: Path, out: Path) -> None:
    """The baseline: DuckDB SQL with the same checks, h3-py once per distinct point, Parquet out.

    Parameters
    ----------
    root : Path
        The workspace (the export under ``data/bulk``).
    out : Path
        Folder for ``incidents.parquet`` (valid rows) and ``quarantine.parquet`` (record, failing fields).
    """
    t0 = time.perf_counter()
    import duckdb
    import h3
    import numpy as np
    import pyarrow as pa

    from workbench.schema import EARLIEST_DATE, MAX_TEXT, iso3_codes, latest_date
    from workbench.taxonomy import VOCABULARY_OF_COLUMN, load_taxonomy

    tax = load_taxonomy()

    def vocab(column: str) -> str:
        return "[" + ", ".join("'" + c + "'" for c in tax.codes(VOCABULARY_OF_COLUMN[column])) + "]"

    iso = "[" + ", ".join(f"'{c}'" for c in sorted(iso3_codes())) + "]"
    src = str(root / "data" / "bulk" / "tah_export.parquet")
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"""CREATE TABLE t AS SELECT row_number() OVER () - 1 AS row_no, source_record_id AS own_record_id, *
        REPLACE (CASE WHEN source_name IS NOT NULL AND trim(source_name) <> '' AND source_name <> '{SOURCE}'
                      AND source_record_id IS NOT NULL THEN trim(source_name) || '/' || source_record_id
                      ELSE source_record_id END AS source_record_id,
                 CASE WHEN exploitation_types IS NULL OR len(exploitation_types) = 0 THEN ['not_recorded']
                      ELSE exploitation_types END AS exploitation_types,
                 CASE WHEN lat IS NULL AND country_iso3 IS NULL THEN 'UNK' ELSE country_iso3 END AS country_iso3)
        FROM read_parquet('{src}')""")
    points = con.execute("SELECT DISTINCT lat, lon FROM t WHERE lat BETWEEN -90 AND 90 "
                         "AND lon BETWEEN -180 AND 180").fetchnumpy()
    cells = [h3.latlng_to_cell(a, b, 7) for a, b in zip(points["lat"].tolist(), points["lon"].tolist())]
    con.register("cells", pa.table({"lat": points["lat"], "lon": points["lon"], "h3_cell": cells}))
    latest = latest_date()
    rules = {  # field -> SQL that is true when the row fails (a missing optional value passes)
        "source_type": f"NOT list_contains({vocab('source_type')}, source_type)",
        "source_record_id": f"source_record_id IS NULL OR length(source_record_id) NOT BETWEEN 1 AND "
                            f"{MAX_TEXT['source_record_id']}",
        "reported_at": f"reported_at IS NULL OR reported_at::TIMESTAMPTZ < TIMESTAMPTZ '{EARLIEST_DATE.date()} "
                       f"00:00:00+00' OR reported_at::TIMESTAMPTZ > TIMESTAMPTZ '{latest}+00'",
        "occurred_on": f"occurred_on::TIMESTAMP < TIMESTAMP '{EARLIEST_DATE.date()}' OR occurred_on::TIMESTAMP > "
                       f"TIMESTAMP '{latest}' OR occurred_on::TIMESTAMP > "
                       "(reported_at::TIMESTAMPTZ AT TIME ZONE 'UTC') + INTERVAL 1 DAY",
        "occurred_precision": f"NOT list_contains({vocab('occurred_precision')}, occurred_precision) "
                              "OR (occurred_on IS NULL) <> (occurred_precision IS NULL)",
        "lat": "lat NOT BETWEEN -90 AND 90 OR (lat IS NULL) <> (lon IS NULL)",
        "lon": "lon NOT BETWEEN -180 AND 180",
        "location_precision": f"NOT list_contains({vocab('location_precision')}, location_precision)",
        "place_name": f"length(place_name) > {MAX_TEXT['place_name']}",
        "country_iso3": f"NOT list_contains({iso}, country_iso3) OR (lat IS NULL AND country_iso3 IS NULL)",
        "exploitation_types": f"len(list_filter(exploitation_types, lambda x: NOT list_contains("
                              f"{vocab('exploitation_types')}, x))) > 0",
        "means_of_control": f"means_of_control IS NULL OR len(list_filter(means_of_control, lambda x: NOT list_contains("
                            f"{vocab('means_of_control')}, x))) > 0",
        "recruitment_method": f"NOT list_contains({vocab('recruitment_method')}, recruitment_method)",
        "sector": f"NOT list_contains({vocab('sector')}, sector)",
        "transport": f"NOT list_contains({vocab('transport')}, transport)",
        "origin_country_iso3": f"NOT list_contains({iso}, origin_country_iso3)",
        "transit_country_iso3": f"NOT list_contains({iso}, transit_country_iso3)",
        "victim_gender": f"NOT list_contains({vocab('victim_gender')}, victim_gender)",
        "victim_age_band": f"NOT list_contains({vocab('victim_age_band')}, victim_age_band)",
        "victim_nationality_iso3": f"NOT list_contains({iso}, victim_nationality_iso3)",
        "victim_count": "victim_count NOT BETWEEN 1 AND 10000",
        "language": "NOT regexp_full_match(language, '[a-z]{2}')",
        "source_reliability": f"NOT list_contains({vocab('source_reliability')}, source_reliability)",
        "info_credibility": f"NOT list_contains({vocab('info_credibility')}, info_credibility)",
        "incident_id": "row_number() OVER (PARTITION BY incident_id ORDER BY row_no) > 1",
    }
    failing = ", ".join(f"CASE WHEN coalesce({sql}, false) THEN '{name}' END" for name, sql in rules.items())
    con.execute(f"""CREATE TABLE checked AS SELECT * EXCLUDE (lat_c, lon_c), list_filter([{failing}], lambda x: x IS NOT NULL)
                    AS failing FROM (
        SELECT t.* REPLACE (substr(sha256('{SOURCE}' || chr(31) || t.source_record_id), 1, 16) AS incident_id),
               c.h3_cell, t.lat AS lat_c, t.lon AS lon_c
        FROM t LEFT JOIN cells c ON t.lat = c.lat AND t.lon = c.lon) ORDER BY row_no""")
    con.execute(f"COPY (SELECT * EXCLUDE (failing, row_no, own_record_id) FROM checked WHERE len(failing) = 0) "
                f"TO '{out / 'incidents.parquet'}' (FORMAT parquet)")
    con.execute(f"""COPY (SELECT CASE WHEN trim(coalesce(own_record_id, '')) <> '' THEN own_record_id
                                      ELSE 'row ' || (row_no + 1) END AS record,
                                 array_to_string(failing, ', ') AS reason
                          FROM checked WHERE len(failing) > 0) TO '{out / 'quarantine.parquet'}' (FORMAT parquet)""")
    kept, rejected = con.execute("SELECT count(*) FILTER (WHERE len(failing) = 0), "
                                 "count(*) FILTER (WHERE len(failing) > 0) FROM checked").fetchone()
    side_result(seconds=time.perf_counter() - t0, stored=int(kept), quarantined=int(rejected),
                distinct_points=int(len(cells)), numpy=np.__version__)


def fields_of(reason: str) -> frozenset[str]:
    """The fields a workbench quarantine reason names (``field 'lat'=...``, ``fields lat, lon: ...``).

    Parameters
    ----------
    reason : str
        A quarantine reason.

    Returns
    -------
    frozenset of str
        Field names.
    """
    names = set(re.findall(r"field '(\w+)'", reason))
    for group in re.findall(r"fields ([\w, ]+):", reason):
        names.update(n.strip() for n in group.split(","))
    return frozenset(names)


def compare(ours: Path, base: Path) -> dict[str, object]:
    """Compare the two sides' outputs: stored ids, cells, quarantined records and fields.

    Parameters
    ----------
    ours : Path
        The workbench's store.
    base : Path
        The baseline's output folder.

    Returns
    -------
    dict
        Counts of both sides and whether ids, cells and quarantined records (with the
        fields they fail) are equal.
    """
    import duckdb

    con = duckdb.connect()
    mine = con.execute(f"SELECT incident_id, h3_cell FROM read_parquet('{ours}/incidents/*.parquet') "
                       "ORDER BY incident_id").fetchall()
    theirs = con.execute(f"SELECT incident_id, h3_cell FROM read_parquet('{base}/incidents.parquet') "
                         "ORDER BY incident_id").fetchall()
    q_mine = con.execute(f"SELECT record, reason FROM read_parquet('{ours}/quarantine/*.parquet')").fetchall()
    q_theirs = con.execute(f"SELECT record, reason FROM read_parquet('{base}/quarantine.parquet')").fetchall()
    # a planted row can fail twice in ours (lat and the cross rule) where the baseline names lat once;
    # a record repeated in a later chunk is named by the store by its filed id (``Other source/id``)
    mine_q = sorted((r.rsplit("/", 1)[-1], tuple(sorted(fields_of(t) - {"lon"}))) for r, t in q_mine)
    theirs_q = sorted((r.rsplit("/", 1)[-1], tuple(sorted(set(t.split(", ")) - {"lon"}))) for r, t in q_theirs)
    return {"stored": len(mine), "stored_baseline": len(theirs),
            "ids_equal": [i for i, _ in mine] == [i for i, _ in theirs],
            "cells_equal": mine == theirs,
            "quarantined": len(q_mine), "quarantined_baseline": len(q_theirs),
            "quarantine_equal": mine_q == theirs_q}


def main() -> None:
    """Run the sides alternately (or one side, when called as a child) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_200_000, help="incidents in the export (default 1,200,000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per side (default 3)")
    parser.add_argument("--engine", choices=("pandas", "dask"), default="pandas")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--side", choices=("generate", "workbench", "duckdb", "compare"), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side == "generate":
        return generate(args.root, args.rows, args.engine, args.seed)
    if args.side == "workbench":
        return run_workbench(args.root, args.out)
    if args.side == "duckdb":
        return run_duckdb(args.root, args.out)
    if args.side == "compare":
        return side_result(**compare(args.root / "out-workbench", args.root / "out-duckdb"))

    import shutil
    import tempfile

    script = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"bulk ingest, {args.rows:,} rows + repeats, engine {args.engine}; {machine()}", flush=True)
        made = run_side([script, "--side", "generate", "--root", tmp, "--rows", str(args.rows),
                         "--engine", args.engine, "--seed", str(args.seed)])
        rows = int(made.result["rows"])
        print(f"    export written ({rows:,} rows) in {made.seconds:.1f} s", flush=True)
        sides = {name: [script, "--side", name, "--root", tmp, "--out", str(root / f"out-{name}")]
                 for name in ("workbench", "duckdb")}
        runs: dict[str, list] = {name: [] for name in sides}
        for i in range(args.repeats):  # alternating, each run from an empty output folder
            for name in (list(sides) if i % 2 == 0 else list(sides)[::-1]):
                shutil.rmtree(root / f"out-{name}", ignore_errors=True)
                run = run_side(sides[name])
                runs[name].append(run)
                print(f"    run {i + 1} {name:<10} {run.seconds:7.2f} s  peak {run.peak_mb:7,.0f} MB", flush=True)
        same = run_side([script, "--side", "compare", "--root", tmp]).result
        load = machine()
    ours, base = (median([r.seconds for r in runs[n]]) for n in ("workbench", "duckdb"))
    work = {n: median([float(r.result["seconds"]) for r in runs[n]]) for n in runs}
    peak = {n: max(r.peak_mb for r in runs[n]) for n in runs}
    print(f"workbench report: {runs['workbench'][-1].result['report']}")
    print(ratio_line(f"ingest {rows:,} rows (median of {args.repeats}, whole process)", ours, base,
                     baseline_name="duckdb"))
    print(ratio_line("  the work alone (in-process timer)", work["workbench"], work["duckdb"],
                     baseline_name="duckdb"))
    print(f"  rows/s: workbench {rows / ours:,.0f} | duckdb {rows / base:,.0f}")
    print(f"  peak memory: workbench {peak['workbench']:,.0f} MB | duckdb {peak['duckdb']:,.0f} MB")
    print(f"  outputs: stored {same['stored']:,} vs {same['stored_baseline']:,}, ids equal {same['ids_equal']}, "
          f"cells equal {same['cells_equal']}; quarantined {same['quarantined']:,} vs "
          f"{same['quarantined_baseline']:,}, same records and fields {same['quarantine_equal']}")
    print(f"  machine: {load}")


if __name__ == "__main__":
    main()
