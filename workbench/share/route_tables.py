"""Corridor tables (origin -> transit -> destination), safe for the report's audience."""

from __future__ import annotations

import pandas as pd

from workbench.analyse.routes import DIRECT
from workbench.share.disclosure import DisclosurePolicy, round_counts, suppress_counts
from workbench.share.audience_tables import period_label
from workbench.share.formatting import decimal


def _route_keys(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "origin": frame["origin"].astype(str).to_numpy(),
        "transit": ["direct" if t == DIRECT else str(t) for t in frame["transit"]],
        "destination": frame["destination"].astype(str).to_numpy(),
        "domestic": ["yes" if d else "no" for d in frame["domestic"]],
    })


def route_table(results, policy: DisclosurePolicy, top: int = 15, domestic: bool = True) -> pd.DataFrame:
    """The largest corridors (origin -> transit -> destination), safe for the audience.

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy: counts below k are withheld (``render`` shows "[c]") and
        so are the first and last dates of those corridors.
    top : int
        Corridors listed (largest first).
    domestic : bool
        List domestic corridors (origin = destination) too; they are flagged.

    Returns
    -------
    pandas.DataFrame
        ``origin, transit, destination, domestic, incidents, first seen, last seen``
        (months; quarters for the public); ``transit`` reads "direct" for routes without one.
    """
    flows = results.top(top, domestic=domestic)
    out = _route_keys(flows)
    out["incidents"] = flows["count"].astype("int64").to_numpy()
    out["first seen"] = [period_label(d, policy) for d in pd.to_datetime(flows["first_seen"])]  # quarters: public
    out["last seen"] = [period_label(d, policy) for d in pd.to_datetime(flows["last_seen"])]
    if policy.suppress:
        out = suppress_counts(out, ["incidents"], policy.k, base=policy.rounding)
        withheld = out["incidents"].isna()
        out.loc[withheld, ["first seen", "last seen"]] = pd.NA  # a lone date would date the incident
    return out


def route_change_table(results, policy: DisclosurePolicy, labels: tuple[str, ...] | None = None,
                       top: int | None = 20) -> pd.DataFrame:
    """Corridor counts now against the baseline, with the change test, safe for the audience.

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy. A count below k is withheld; then the corridor's other
        count, rate ratio and q-value are withheld too (with the ratio or the other
        count, a withheld count could be worked out). The growth label stays.
    labels : tuple of str, optional
        Growth labels kept (e.g. ``("growing", "declining")`` or ``("new",)``); all by
        default.
    top : int, optional
        Rows kept, in the order of the change table (growing, new, declining, ended,
        unchanged; most significant first). None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``origin, transit, destination, domestic, baseline, current, rate ratio,
        95% interval, q value, growth``.
    """
    change = results.change
    if labels is not None:
        change = change[change["growth"].isin(labels)]
    if top is not None:
        change = change.head(int(top))
    out = _route_keys(change)
    out["baseline"] = change["baseline"].astype("int64").to_numpy()
    out["current"] = change["current"].astype("int64").to_numpy()
    out["rate ratio"] = [decimal(v) for v in change["rate_ratio"]]
    out["95% interval"] = [f"{decimal(lo)} to {decimal(hi)}" for lo, hi in
                           zip(change["ratio_low"], change["ratio_high"])]
    out["q value"] = [decimal(q, 3) for q in change["q_value"]]
    out["growth"] = change["growth"].astype(str).to_numpy()
    if policy.suppress:
        small = (out[["baseline", "current"]].gt(0) & out[["baseline", "current"]].lt(policy.k)).any(axis=1)
        out = suppress_counts(out, ["baseline", "current"], policy.k, base=policy.rounding)
        for col in ("baseline", "current"):
            out[col] = out[col].mask(small & out[col].gt(0).fillna(False))
        out.loc[small, ["rate ratio", "95% interval", "q value"]] = pd.NA
    return out


def route_hubs_table(results, policy: DisclosurePolicy, top: int = 10) -> pd.DataFrame:
    """Countries central to the corridor network (transit hubs first).

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy: when suppressing, the network is rebuilt from corridors
        of at least k incidents only (:meth:`RouteResults.restrict`), so no figure
        includes a smaller corridor.
    top : int
        Countries listed (highest route share first).

    Returns
    -------
    pandas.DataFrame
        ``country, incidents out, incidents in, through (transit), domestic, share of
        international incidents routed through``, plus ``shortest-path betweenness`` only
        when some country has one above 0 (a column of zeros would say nothing).
        ``attrs["note"]`` says in words what the measures show, and ``attrs["hubs"]``
        whether any country is a transit hub (without one, no claim about hubs is made).
    """
    net = (results.restrict(policy.k) if policy.suppress else results).network
    has_share = "route_share" in net.columns
    net = net.head(int(top))
    out = pd.DataFrame({
        "country": net["country"].astype(str).to_numpy(),
        "incidents out": net["out_strength"].astype("int64").to_numpy(),
        "incidents in": net["in_strength"].astype("int64").to_numpy(),
        "through (transit)": net["through"].astype("int64").to_numpy(),
        "domestic": net["domestic"].astype("int64").to_numpy(),
    })
    if has_share:
        digits = ".0%" if policy.suppress and policy.rounding > 1 else ".1%"  # no exact count back from a rounded one
        out["share of international incidents routed through"] = [format(v, digits) for v in net["route_share"]]
    positive = net["betweenness"].astype(float).gt(0).any()
    if positive:
        out["shortest-path betweenness"] = [decimal(b, 3) for b in net["betweenness"]]
    hubs = bool(net["through"].astype(int).gt(0).any())
    if not hubs:
        note = "No incident in scope records a transit country, so no country is shown as a transit hub."
    elif positive:
        note = ("Transit hubs are the countries most international incidents were routed through; shortest-path "
                "betweenness is how often a country lies on the shortest path between two others.")
    else:
        note = ("Transit hubs are the countries most international incidents were routed through. Shortest-path "
                "betweenness is 0 for every country here and is not shown: wherever a route runs through a transit "
                "country, a leg also runs straight from the country before it to the one after it, and that "
                "direct leg is the shorter path.")
    if policy.suppress:
        out = suppress_counts(out, ["incidents out", "incidents in", "through (transit)", "domestic"], policy.k,
                              base=policy.rounding)
        if has_share:  # a share beside a withheld count would give the count back
            out.loc[out["through (transit)"].isna(), "share of international incidents routed through"] = pd.NA
    out.attrs.update(note=note, hubs=hubs)
    return out


def route_map_flows(results, policy: DisclosurePolicy) -> pd.DataFrame:
    """The legs to draw on a flow map, safe for the audience.

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy: when suppressing, only corridors of at least k incidents
        are drawn (their legs summed), so no line carries a smaller corridor.

    Returns
    -------
    pandas.DataFrame
        ``source, target, count`` between different countries, largest first (input of
        :func:`workbench.share.flow_maps.add_flows`).
    """
    legs = (results.restrict(policy.k) if policy.suppress else results).legs
    legs = legs[legs["source"] != legs["target"]]
    out = legs.groupby(["source", "target"], as_index=False)["count"].sum()
    if policy.suppress:  # the same rounding as the tables' counts
        out = round_counts(out, ["count"], policy.rounding, policy.k)
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def route_unknown_table(results, policy: DisclosurePolicy) -> pd.DataFrame:
    """Incidents whose origin is unknown, by destination (never given an origin).

    Parameters
    ----------
    results : RouteResults
        From :class:`~workbench.analyse.routes.RouteFlows`.
    policy : DisclosurePolicy
        The audience's policy (counts below k withheld).

    Returns
    -------
    pandas.DataFrame
        ``destination, incidents``.
    """
    out = results.unknown_origin.rename(columns={"count": "incidents"}).reset_index(drop=True)
    out["incidents"] = out["incidents"].astype("int64")
    return suppress_counts(out, ["incidents"], policy.k, base=policy.rounding) if policy.suppress else out
