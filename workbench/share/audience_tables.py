"""What differs between audiences: named sources for law enforcement, quarters for the public.

- Law enforcement (``policy.drop_source_names`` False) sees which source each count came
  from, per hotspot area and per corridor (:func:`sources_by_area`,
  :func:`sources_by_corridor`); other audiences get an empty table and a sentence saying
  so.
- The public (``policy.period_grid == "Q"``) sees quarters, never months
  (:func:`period_label`); month-level counts (a surge month) are not shown to it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.places.gazetteer import country_name
from workbench.share.disclosure import DisclosurePolicy, suppress_counts

#: What an audience that may not see source names reads instead of the table.
NO_SOURCE_NAMES = "Source names are shown to law enforcement only."


def quarterly(policy: DisclosurePolicy) -> bool:
    """Whether the audience sees quarters instead of months (the public).

    Parameters
    ----------
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    bool
        True for ``period_grid == "Q"``.
    """
    return getattr(policy, "period_grid", None) == "Q"


def period_label(value: Any, policy: DisclosurePolicy, long: bool = False) -> str:
    """A date as the audience's period: ``"2026-10"`` (``"October 2026"`` when long) or ``"Q4 2026"``.

    Parameters
    ----------
    value : date-like
        A date or ``YYYY-MM`` text; missing values give ``""``.
    policy : DisclosurePolicy
        The audience's policy (quarters for the public).
    long : bool
        Month in words.

    Returns
    -------
    str
        The label.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return ""
    ts = pd.Timestamp(value + "-01" if isinstance(value, str) and len(value) == 7 else value)
    if quarterly(policy):
        return f"Q{ts.quarter} {ts.year}"
    return ts.strftime("%B %Y" if long else "%Y-%m")


def _source_counts(rows: pd.DataFrame, keys: pd.DataFrame, key_cols: list[str], policy: DisclosurePolicy,
                   top_sources: int) -> pd.DataFrame:
    """Incidents per key and source name, largest first within each key."""
    frame = keys.assign(source=rows["source_name"].fillna("(unnamed source)").astype(str).to_numpy(),
                        kind=rows["source_type"].fillna("").astype(str).to_numpy())
    out = frame.groupby([*key_cols, "source", "kind"], sort=False).size().rename("incidents").reset_index()
    size = out.groupby(key_cols)["incidents"].transform("sum")  # largest area or corridor first
    out = (out.assign(_size=size).sort_values(["_size", *key_cols, "incidents"], ascending=[False, True, False],
                                              kind="stable").drop(columns="_size"))
    out = out.groupby(key_cols, sort=False).head(int(top_sources)).reset_index(drop=True)
    out["incidents"] = out["incidents"].astype("int64")
    return out.rename(columns={"kind": "kind of source"})


def _empty(columns: list[str], note: str) -> pd.DataFrame:
    out = pd.DataFrame(columns=columns)
    out.attrs["note"] = note
    return out


def sources_by_area(incidents: pd.DataFrame, found: Any, policy: DisclosurePolicy,
                    top_sources: int = 5) -> pd.DataFrame:
    """Which sources the incidents of each hotspot area came from (law enforcement only).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents of the ledger's latest window (with ``h3_cell``, ``source_name``,
        ``source_type``).
    found : Findings
        The findings ledger (its ``hotspots``: ``place`` and ``cells``).
    policy : DisclosurePolicy
        The audience's policy; an audience that may not see source names gets an empty
        table.
    top_sources : int
        Sources listed per area (most incidents first).

    Returns
    -------
    pandas.DataFrame
        ``area, source, kind of source, incidents``; ``attrs["note"]`` says what it shows.
    """
    import h3

    cols = ["area", "source", "kind of source", "incidents"]
    if policy.drop_source_names:
        return _empty(cols, NO_SOURCE_NAMES)
    hot = found.hotspots
    if incidents.empty:
        return _empty(cols, "No incident in the latest window.")
    if hot is None or hot.empty or "cells" not in hot.columns:  # no hotspot: the countries are the areas
        keys = pd.DataFrame({"area": [country_name(c) if isinstance(c, str) else "country unknown"
                                      for c in incidents["country_iso3"]]})
        largest = keys["area"].value_counts().head(10).index
        chosen = keys["area"].isin(largest).to_numpy()
        out = _source_counts(incidents[chosen], keys[chosen].reset_index(drop=True), ["area"], policy,
                             top_sources)[cols]
        out.attrs["note"] = ("No hotspot area at this resolution: incidents of the latest window by country of "
                             f"exploitation (the 10 largest) and the source that reported them (at most {top_sources} "
                             "sources per country). Law enforcement only.")
        return _controlled(out, policy)
    located = incidents[incidents["h3_cell"].notna()]
    parts = []
    for row in hot.itertuples(index=False):
        cells = set(row.cells or [])
        if not cells:
            continue
        res = h3.get_resolution(next(iter(cells)))
        inside = located[located["h3_cell"].map(lambda c: h3.cell_to_parent(c, res) in cells)]
        if len(inside):
            keys = pd.DataFrame({"area": [_place(row.place)] * len(inside)})
            parts.append(_source_counts(inside, keys, ["area"], policy, top_sources))
    if not parts:
        return _empty(cols, "No incident of the latest window lies in a hotspot area.")
    out = pd.concat(parts, ignore_index=True)[cols]
    out.attrs["note"] = ("Incidents of the latest window in each hotspot area, by the source that reported them "
                         f"(at most {top_sources} sources per area). Law enforcement only.")
    return _controlled(out, policy)


def sources_by_corridor(incidents: pd.DataFrame, policy: DisclosurePolicy, top: int = 10,
                        top_sources: int = 3) -> pd.DataFrame:
    """Which sources the incidents of each of the largest corridors came from (law enforcement only).

    A corridor is origin (or, when missing, the victims' nationality) -> transit ->
    country of exploitation, as in :class:`~workbench.analyse.routes.RouteFlows`.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents in scope.
    policy : DisclosurePolicy
        The audience's policy; an audience that may not see source names gets an empty
        table.
    top : int
        Corridors listed (most incidents first).
    top_sources : int
        Sources listed per corridor.

    Returns
    -------
    pandas.DataFrame
        ``corridor, source, kind of source, incidents``; ``attrs["note"]`` says what it shows.
    """
    cols = ["corridor", "source", "kind of source", "incidents"]
    if policy.drop_source_names:
        return _empty(cols, NO_SOURCE_NAMES)
    origin = incidents["origin_country_iso3"]
    if "victim_nationality_iso3" in incidents:
        origin = origin.fillna(incidents["victim_nationality_iso3"])
    dest = incidents["country_iso3"]
    transit = incidents["transit_country_iso3"] if "transit_country_iso3" in incidents else pd.Series(
        pd.NA, index=incidents.index)
    known = origin.notna() & dest.notna() & (origin != dest)
    if not known.any():
        return _empty(cols, "No incident in scope has both an origin and a country of exploitation.")
    rows = incidents[known]

    def name(o: str, t: Any, d: str) -> str:
        via = f" via {country_name(t)}" if isinstance(t, str) and t and t not in (o, d) else ""
        return f"{country_name(o)} to {country_name(d)}{via}"

    keys = pd.DataFrame({"corridor": [name(o, t, d) for o, t, d in zip(origin[known], transit[known], dest[known])]})
    largest = keys["corridor"].value_counts().head(int(top)).index
    chosen = keys["corridor"].isin(largest).to_numpy()
    out = _source_counts(rows[chosen], keys[chosen].reset_index(drop=True), ["corridor"], policy, top_sources)
    out = out[cols]
    out.attrs["note"] = (f"The {len(largest)} largest corridors in scope, by the source that reported their incidents "
                         f"(at most {top_sources} sources per corridor). Law enforcement only.")
    return _controlled(out, policy)


def _controlled(out: pd.DataFrame, policy: DisclosurePolicy) -> pd.DataFrame:
    """Counts below k withheld when the audience's policy suppresses (the note is kept)."""
    if not policy.suppress:
        return out
    note = out.attrs.get("note", "")
    out = suppress_counts(out, ["incidents"], policy.k, base=policy.rounding)
    out.attrs["note"] = note
    return out


def _place(subject: str) -> str:
    """``"Lagos (Nigeria)"`` as ``"Lagos, Nigeria"``."""
    if subject.endswith(")") and " (" in subject:
        place, country = subject[:-1].rsplit(" (", 1)
        return f"{place}, {country}"
    return subject
