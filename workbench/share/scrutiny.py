"""Artefact checks a Key Judgement must pass before it is written.

A change in reported incidents is often a change in reporting. Before a judgement is
printed, :func:`scrutinise` looks at the records behind it for four artefacts:

source start/stop
    A source supplying at least :data:`SOURCE_SHARE` of the records behind a trend,
    surge or corridor judgement starts or stops reporting inside the judged window (its
    first record after the window's first period, or its last before the window's last).
    A fall that coincides with a source stopping, or a rise with one starting, is
    *withheld*; otherwise the judgement is *downgraded* to low confidence.
date precision
    Records dated only to the year or quarter carry the first day of their period, so
    they pile up in January (or a quarter's first month). When at least
    :data:`PRECISION_SHARE` of the records in a judged period are such coarse dates, a
    surge (or a trend) is withheld; from half that share it is downgraded.
one source or outlet
    When a single source (or, for open sources, a single outlet: the web domain) supplies
    at least :data:`DOMINANT_SHARE` of the records, the judgement rests on one voice: it
    is downgraded to low confidence.
geocoding
    When at least :data:`COARSE_PLACE_SHARE` of the records behind a hotspot are located
    only to a country or first-level region (``location_precision``), the cluster may be
    a centroid: withheld; from half that share, downgraded.

Each finding names its reason in words (source types, never source names; shares in
words, never a percentage of a possibly small total).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import urlparse

import pandas as pd

from workbench.share.judgements import KeyJudgement

#: Share of a judgement's records a source must supply for its start/stop to matter.
SOURCE_SHARE = 0.10
#: Share of coarse (year/quarter) dates in a judged period that withholds a judgement.
PRECISION_SHARE = 0.20
#: Share of records from one source or outlet that makes a judgement one-voiced.
DOMINANT_SHARE = 0.80
#: Share of records located only to a country or region that withholds a hotspot.
COARSE_PLACE_SHARE = 0.50


@dataclass(frozen=True)
class Finding:
    """One artefact found behind a judgement.

    Attributes
    ----------
    check : str
        ``source_change``, ``date_precision``, ``dominant_source`` or ``geocoding``.
    action : str
        ``withhold`` or ``downgrade``.
    reason : str
        Plain words for the report.
    """

    check: str
    action: Literal["withhold", "downgrade"]
    reason: str


def _portion(share: float) -> str:
    """A share in words (no percentage of a possibly small total leaves in a report)."""
    return "almost all" if share >= 0.9 else "most" if share > 0.5 else "a large share" if share >= 0.25 \
        else "a share"


def _months(stamp: pd.Timestamp) -> str:
    return f"{pd.Timestamp(stamp):%B %Y}"


def source_changes(records: pd.DataFrame, everything: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                   falling: bool | None) -> list[Finding]:
    """Sources behind ``records`` that start or stop reporting inside ``[start, end]``.

    Parameters
    ----------
    records : pandas.DataFrame
        The records behind the judgement (``source_name``, ``source_type``).
    everything : pandas.DataFrame
        All dated records, to find each source's first and last report.
    start, end : pandas.Timestamp
        First and last day of the judged window.
    falling : bool or None
        The judged direction (True: a fall, False: a rise, None: no direction).

    Returns
    -------
    list of Finding
        Withhold when the change explains the direction, else downgrade.
    """
    if records.empty or "source_name" not in records or "source_name" not in everything:
        return []
    shares = records["source_name"].value_counts(normalize=True)
    dated = everything.dropna(subset=["occurred_on"])
    spans = dated.groupby("source_name")["occurred_on"].agg(["min", "max"])
    kinds = dated.groupby("source_name")["source_type"].first() if "source_type" in dated else {}
    out = []
    margin = pd.Timedelta(days=45)  # a source is not "stopping" because its last report came last week
    for name, share in shares.items():
        if share < SOURCE_SHARE or name not in spans.index:
            continue
        first, last = spans.loc[name, "min"], spans.loc[name, "max"]
        kind = str(kinds.get(name, "source")) if len(kinds) else "source"
        if last < end - margin and last >= start:
            action = "withhold" if falling in (True, None) else "downgrade"
            out.append(Finding("source_change", action,
                               f"a {kind} source supplying {_portion(share)} of these records stopped reporting after "
                               f"{_months(last)}: the change may be in reporting, not in exploitation"))
        if first > start + margin and first <= end:
            action = "withhold" if falling in (False, None) else "downgrade"
            out.append(Finding("source_change", action,
                               f"a {kind} source supplying {_portion(share)} of these records started reporting in "
                               f"{_months(first)}: the change may be in reporting, not in exploitation"))
    return out


def coarse_dates(records: pd.DataFrame) -> list[Finding]:
    """Records whose date is known only to the year or quarter (first day of the period).

    Parameters
    ----------
    records : pandas.DataFrame
        The records counted in the judged period (``occurred_precision``).

    Returns
    -------
    list of Finding
        Withhold from :data:`PRECISION_SHARE`, downgrade from half of it.
    """
    return _coarse_share(records, "occurred_precision", ("year", "quarter"), PRECISION_SHARE, "date_precision",
                         "dated only to the year or quarter",
                         " and sit on its first day: the period's count is a dating artefact")


def _outlet(url: Any) -> str | None:
    if not isinstance(url, str) or not url:
        return None
    host = urlparse(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host or None


def dominant_voice(records: pd.DataFrame, min_records: int = 5) -> list[Finding]:
    """A single source, or a single open-source outlet, behind most of the records.

    Parameters
    ----------
    records : pandas.DataFrame
        The records behind the judgement (``source_name``, ``source_type``, ``url``).
    min_records : int
        Fewer records than this are not checked (confidence is low anyway).

    Returns
    -------
    list of Finding
        A downgrade when one source or outlet supplies :data:`DOMINANT_SHARE` or more.
    """
    if len(records) < min_records or "source_name" not in records:
        return []
    out = []
    top = records["source_name"].value_counts(normalize=True)
    if top.iloc[0] >= DOMINANT_SHARE and records["source_name"].nunique() < len(records):
        kind = str(records.loc[records["source_name"] == top.index[0], "source_type"].iloc[0]) \
            if "source_type" in records else "one"
        out.append(Finding("dominant_source", "downgrade",
                           f"{_portion(top.iloc[0]).capitalize()} of the records come from a single {kind} source"))
    if "url" in records:
        outlets = records["url"].map(_outlet).dropna()
        if len(outlets) >= min_records:
            share = outlets.value_counts(normalize=True)
            if share.iloc[0] >= DOMINANT_SHARE:
                out.append(Finding("dominant_source", "downgrade",
                                   f"{_portion(share.iloc[0]).capitalize()} of the open-source records come "
                                   "from one outlet"))
    return out


def coarse_places(records: pd.DataFrame) -> list[Finding]:
    """Records located only to a country or first-level region behind a hotspot.

    Parameters
    ----------
    records : pandas.DataFrame
        The records in the hot area (``location_precision``).

    Returns
    -------
    list of Finding
        Withhold from :data:`COARSE_PLACE_SHARE`, downgrade from half of it.
    """
    return _coarse_share(records, "location_precision", ("country", "admin1"), COARSE_PLACE_SHARE, "geocoding",
                         "placed only at a country or region centre", ": the cluster may be a geocoding artefact")


def _coarse_share(records: pd.DataFrame, column: str, coarse: tuple[str, ...], threshold: float, check: str,
                  what: str, why: str) -> list[Finding]:
    """Withhold when ``threshold`` of the records are coarse in ``column``, downgrade from half of it."""
    if records.empty or column not in records:
        return []
    share = float(records[column].isin(list(coarse)).mean())
    said = f"{_portion(share).capitalize()} of the records are {what}"
    if share >= threshold:
        return [Finding(check, "withhold", said + why)]
    if share >= threshold / 2:
        return [Finding(check, "downgrade", said)]
    return []


def scrutinise(judgement: KeyJudgement, records: pd.DataFrame, everything: pd.DataFrame | None = None,
               window: tuple[pd.Timestamp, pd.Timestamp] | None = None,
               period: pd.DataFrame | None = None) -> list[Finding]:
    """Run the artefact checks that apply to a judgement's kind.

    Parameters
    ----------
    judgement : KeyJudgement
        The candidate judgement.
    records : pandas.DataFrame
        The records behind it (its window and subject).
    everything : pandas.DataFrame, optional
        All records in scope (for source spans).
    window : (Timestamp, Timestamp), optional
        First and last day of the judged window (trends, corridors, surges).
    period : pandas.DataFrame, optional
        The records of the single judged period (a surge's month), for the date check.

    Returns
    -------
    list of Finding
        Empty when the judgement is clean.
    """
    falling = None
    words = judgement.statement
    if " fell " in words or "shrank" in words:
        falling = True
    elif " rose " in words or " grew " in words or "real rise" in words:
        falling = False
    found: list[Finding] = []
    if judgement.kind in ("trend", "surge", "corridor_growth") and window is not None and everything is not None:
        found += source_changes(records, everything, window[0], window[1], falling)
    if judgement.kind in ("trend", "surge"):
        found += coarse_dates(period if period is not None else records)
    if judgement.kind in ("hotspot", "new_hotspot"):
        found += coarse_places(records)
    found += dominant_voice(records)
    return found


def apply_findings(judgement: KeyJudgement, findings: list[Finding]) -> KeyJudgement | None:
    """The judgement as it may be written: None when withheld, else with its caveats.

    Parameters
    ----------
    judgement : KeyJudgement
        The candidate.
    findings : list of Finding
        From :func:`scrutinise`.

    Returns
    -------
    KeyJudgement or None
        None when any finding withholds it; otherwise a copy with ``caveats`` set and,
        when there is any finding, confidence lowered to ``low``.
    """
    if any(f.action == "withhold" for f in findings):
        return None
    if not findings:
        return judgement
    return replace(judgement, confidence="low", caveats=[*judgement.caveats, *(f.reason for f in findings)])


def withheld_table(withheld: list[tuple[KeyJudgement, list[Finding]]]) -> pd.DataFrame:
    """Judgements that failed scrutiny, for a report (no probabilities, no counts).

    Parameters
    ----------
    withheld : list of (KeyJudgement, list of Finding)
        Withheld candidates and why.

    Returns
    -------
    pandas.DataFrame
        ``subject, kind, reason`` per withheld judgement.
    """
    return pd.DataFrame({
        "subject": [j.subject for j, _ in withheld],
        "kind": [j.kind.replace("_", " ") for j, _ in withheld],
        "reason": ["; ".join(f.reason for f in found if f.action == "withhold") for _, found in withheld],
    }, columns=["subject", "kind", "reason"])
