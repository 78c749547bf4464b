"""Every finding of a scope computed at once: :func:`compute_findings`."""

from __future__ import annotations

import subprocess
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.analyse.scope import Scope, frequency_for
from workbench.findings.corridors import corridor_findings
from workbench.findings.hotspots import emerging_findings, hotspot_findings
from workbench.findings.ledger import _COLUMNS, Findings, FindingsScope, Period
from workbench.findings.surges import surge_findings
from workbench.findings.trends import trend_findings
from workbench.places.gazetteer import country_name


def _git_commit() -> str:
    """The commit of the code computing the ledger (``"unknown"`` outside a git checkout)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _in_scope(incidents: pd.DataFrame, scope: FindingsScope) -> pd.DataFrame:
    """The incidents of the scope's region, type and sources (all dates)."""
    return Scope(scope.region, "", "", scope.exploitation_type, scope.sources).apply(incidents)


def last_complete_month(incidents: pd.DataFrame) -> pd.Timestamp:
    """The last month of the data that is over (the month before the latest incident's).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents.

    Returns
    -------
    pandas.Timestamp
        First day of that month.
    """
    latest = incidents["occurred_on"].dropna().max()
    if pd.isna(latest):
        raise ValueError("no dated incident in scope: cannot choose the last complete month")
    return (pd.Timestamp(latest).to_period("M") - 1).to_timestamp()


def judged_period(dated: pd.DataFrame, scope: FindingsScope) -> Period:
    """The period a ledger judges: the end month and the latest and previous windows.

    Parameters
    ----------
    dated : pandas.DataFrame
        Dated incidents in scope (at least one).
    scope : FindingsScope
        The scope (``end_month``, ``window_months``).

    Returns
    -------
    Period
        Month windows of ``window_months`` ending with the end month (by default the last
        complete month); for records dated only to the year
        (:func:`workbench.analyse.scope.frequency_for` gives ``"Y"``), the latest year and
        the year before.
    """
    yearly = frequency_for(dated) == "Y"  # year-only records: windows are whole years, never months
    if yearly:
        last = int(scope.end_month[:4]) if scope.end_month else int(dated["occurred_on"].max().year)
        end = pd.Timestamp(f"{last}-12-01")
        stop = pd.Timestamp(f"{last + 1}-01-01")
        mid, start = pd.Timestamp(f"{last}-01-01"), pd.Timestamp(f"{last - 1}-01-01")
    else:
        end = pd.Timestamp(scope.end_month + "-01") if scope.end_month else last_complete_month(dated)
        stop = end + pd.offsets.MonthBegin(1)
        mid = stop - pd.DateOffset(months=scope.window_months)
        start = mid - pd.DateOffset(months=scope.window_months)
    return Period(end, stop, mid, start, yearly)


def compute_findings(incidents: pd.DataFrame, scope: FindingsScope, store_hash: str | None = None,
                     judge: Any = None) -> Findings:
    """Compute every finding of a scope (the library's one definition of each).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (all of them; the scope is applied here).
    scope : FindingsScope
        The scope.
    store_hash : str, optional
        SHA-256 of the store manifest, for the key and provenance.
    judge : module-like, optional
        The judgement builders (``hotspot_judgements``, ``surge_judgements``,
        ``trend_judgements``, ``confidence``, ``source_summary``, ``rank``,
        ``judgement`` and ``screen``, the artefact checks), e.g. :mod:`workbench.share.assessment` as passed by
        :func:`workbench.share.report.findings_for`. They live in the share layer, above
        this one, so they are handed in rather than imported. Without them the ledger
        holds the analyses and no judgement.

    Returns
    -------
    Findings
        The ledger (not yet stored; see :func:`findings_for`).
    """
    started = time.time()
    data = _in_scope(incidents, scope)
    dated = data[data["occurred_on"].notna()]
    out = Findings(scope=scope, end_month="", key=scope.key(store_hash),
                   **{name: pd.DataFrame(columns=cols) for name, cols in _COLUMNS.items()})
    out.totals = {"incidents": int(len(data)), "latest": 0, "previous": 0}
    out.provenance = {"store_manifest_sha256": store_hash, "git_commit": _git_commit(),
                      "computed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seconds": 0.0}
    if dated.empty:
        return out
    period = judged_period(dated, scope)
    end, stop, mid, start = period.end, period.stop, period.mid, period.start
    latest = dated[(dated["occurred_on"] >= mid) & (dated["occurred_on"] < stop)]
    earlier = dated[(dated["occurred_on"] >= start) & (dated["occurred_on"] < mid)]
    day = pd.Timedelta(days=1)
    out.end_month = f"{end:%Y-%m}"
    out.frequency = "Y" if period.yearly else "M"
    out.windows = {"latest": [str(mid.date()), str((stop - day).date())],
                   "previous": [str(start.date()), str((mid - day).date())]}
    out.totals = {"incidents": int(len(data)), "latest": int(len(latest)), "previous": int(len(earlier))}

    withheld: list = []  # (candidate, checks) the artefact checks withheld, in the order they were judged
    found = hotspot_findings(out, latest, earlier, judge, withheld)
    found += surge_findings(out, dated, period, judge, withheld)
    found += corridor_findings(out, data, dated, period, judge, withheld)
    emerging_findings(out, data, period)
    found += trend_findings(out, dated, period, judge, withheld)

    ranked = judge.rank(found, top=10) if judge else []
    out.judgements = [_plain(asdict(j)) for j in ranked]
    out.withheld = _withheld_rows(withheld)
    out.provenance["seconds"] = round(time.time() - started, 2)
    out.provenance["countries"] = {c: country_name(c) for c in sorted(data["country_iso3"].dropna().unique())}
    return out


def _withheld_rows(withheld: list) -> list[dict[str, str]]:
    """Withheld candidates as ``kind, subject, reason`` (reasons in words; no counts, no probabilities)."""
    rows = []
    for j, found in withheld:
        reason = "; ".join(f.reason for f in found if f.action == "withhold")
        rows.append({"kind": j.kind.replace("_", " "), "subject": str(j.subject), "reason": reason})
    return rows


def _plain(value: Any) -> Any:
    """JSON-safe copy (numpy scalars to Python)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
