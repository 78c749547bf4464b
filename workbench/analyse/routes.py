"""Routes and corridors: origin -> transit -> destination flows, their change and network.

A **corridor** is a distinct ``(origin, transit, destination)`` triple of ISO3 codes:
the origin is ``origin_country_iso3`` (falling back, when it is missing, to
``victim_nationality_iso3``; rows where that happened are counted in
``from_nationality``), the transit is ``transit_country_iso3`` (empty string for a
direct route; a transit equal to the origin or the destination is treated as direct) and
the destination is ``country_iso3``, the place of exploitation. Counts are incidents.

- Domestic cases (origin = destination) are kept and flagged (``domestic``); they are
  self-loops, so they are left out of the graph's edges and measures but kept as the
  node attribute ``domestic``.
- An incident with no origin (and no nationality to fall back on) is never given one:
  it is counted in ``unknown_origin`` (by destination). One with no destination is
  counted in ``n_unknown_destination``.
- **Legs** split each corridor into its edges: ``origin -> transit`` and ``transit ->
  destination`` for routes with a transit, ``origin -> destination`` for direct routes.

**Change.** The latest period (calendar quarter ``"QS"``, year ``"YS"`` or month
``"MS"``, the one holding ``end``) is compared with a baseline: the period before
(``compare="previous"``) or the same period a year before (``"previous_year"``). When
``end`` falls inside its period, only the elapsed part is compared with the same part of
the baseline period (e.g. 1 Jan - 31 Oct against 1 Jan - 31 Oct of the year before).
Each corridor's two counts are treated as Poisson with rates per day and tested for a
change of rate with the exact conditional test: given ``n = current + baseline``, the
current count is binomial with ``p = t1 / (t1 + t0)`` under no change (``t`` are the
windows' lengths in days); the two-sided p-value is ``scipy.stats.binomtest``'s and the
rate ratio's confidence interval comes from the Clopper-Pearson interval of ``p``.
P-values are adjusted with Benjamini-Hochberg across all corridors seen in either
window (q-values). Labels: ``new`` (none in the baseline), ``ended`` (none now),
``growing``/``declining`` (q <= alpha), else ``no significant change``. Incidents dated
more coarsely than the period (e.g. only the year, for quarters) are left out of the
comparison; the comparison assumes reporting is as complete in both windows (recent
incidents may still be coming in).

**Network.** The graph's edges are the legs (self-loops dropped), weighted by incidents.
Strength is the weighted degree (incidents leaving / entering a country along legs),
``through`` counts incidents routed via a country as transit.

Two measures of how central a country is to the routes between others:

- ``route_share`` (route betweenness): the share of international incidents (origin and
  destination different) whose *recorded* route passes through the country as transit.
  The routes are known, so nothing is assumed about which way people travel; a transit hub
  scores high.
- ``betweenness``: the directed, unweighted, normalised shortest-path betweenness
  centrality of the leg graph (how often a country lies on the *shortest* paths between
  others). It is 0 for a transit country whenever each of its corridors has a direct
  counterpart (``A -> T -> B`` and ``A -> B`` both recorded: the direct edge is the
  shortest path), as in most real corridor data; so it is kept for the graph, and the
  reports state the route share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.analyse.fdr import bh_qvalues

if TYPE_CHECKING:  # pragma: no cover
    import geopandas
    import networkx

#: Supported ``freq`` -> pandas period.
FREQS = {"MS": "M", "QS": "Q", "YS": "Y"}
#: Supported baselines.
COMPARES = ("previous", "previous_year")
#: ``occurred_precision`` values precise enough for each ``freq``.
PRECISE_ENOUGH = {"MS": {"day", "month"}, "QS": {"day", "month"}, "YS": {"day", "month", "year"}}
#: Growth labels, in the order change tables list them.
GROWTH_LABELS = ("growing", "new", "declining", "ended", "no significant change")
#: Value of ``transit`` for a direct route.
DIRECT = ""

_ISO3 = re.compile(r"^[A-Z]{3}$")
_KEYS = ["origin", "transit", "destination"]
_FLOW_COLUMNS = ["origin", "transit", "destination", "domestic", "count", "from_nationality", "first_seen",
                 "last_seen"]
_LEG_COLUMNS = ["source", "target", "leg", "count"]
_NETWORK_COLUMNS = ["country", "out_strength", "in_strength", "through", "domestic", "route_share", "betweenness"]
_CHANGE_COLUMNS = ["origin", "transit", "destination", "domestic", "baseline", "current", "rate_ratio",
                   "ratio_low", "ratio_high", "p_value", "q_value", "growth"]


@dataclass
class RouteResults:
    """Results of :class:`RouteFlows`.

    Attributes
    ----------
    flows : pandas.DataFrame
        One row per corridor in ``[start, end]``, largest first: ``origin, transit,
        destination, domestic, count, from_nationality, first_seen, last_seen``
        (``transit`` is ``""`` for a direct route).
    legs : pandas.DataFrame
        ``source, target, leg, count`` with ``leg`` one of ``"origin->transit"``,
        ``"transit->destination"``, ``"origin->destination"`` (direct routes, domestic
        self-loops included).
    change : pandas.DataFrame
        One row per corridor seen in either comparison window: ``origin, transit,
        destination, domestic, baseline, current, rate_ratio, ratio_low, ratio_high,
        p_value, q_value, growth`` (``rate_ratio`` is per day; missing when the
        baseline is 0).
    network : pandas.DataFrame
        One row per country: ``country, out_strength, in_strength, through, domestic,
        route_share, betweenness``, highest route share first (see the module notes).
    unknown_origin : pandas.DataFrame
        ``destination, count`` of incidents in ``[start, end]`` with no origin.
    n_incidents : int
        Incidents in ``[start, end]``.
    n_unknown_destination : int
        Of those, incidents with no destination.
    current_window, baseline_window : tuple of Timestamp
        Inclusive ``(first day, last day)`` of the compared windows (``None`` when
        nothing is dated).
    freq, compare : str
        Period and baseline used.
    alpha : float
        False discovery rate of ``growing``/``declining``.
    note : str
        Caveats (baseline not covered by the data, dates left out, ...); empty if none.
    """

    flows: pd.DataFrame
    legs: pd.DataFrame
    change: pd.DataFrame
    network: pd.DataFrame
    unknown_origin: pd.DataFrame
    n_incidents: int
    n_unknown_destination: int
    current_window: tuple[pd.Timestamp, pd.Timestamp] | None
    baseline_window: tuple[pd.Timestamp, pd.Timestamp] | None
    freq: str
    compare: str
    alpha: float
    note: str = ""
    min_count: int = field(default=1)

    @property
    def table(self) -> pd.DataFrame:
        """The corridors (:attr:`flows`), largest first."""
        return self.flows

    @property
    def new_corridors(self) -> pd.DataFrame:
        """Corridors present in the current window and absent from the baseline window.

        Returns
        -------
        pandas.DataFrame
            The ``new`` rows of :attr:`change` (largest first) with ``first_seen`` from
            :attr:`flows` (an earlier sighting, before the baseline, shows there).
        """
        new = self.change[self.change["growth"] == "new"].sort_values("current", ascending=False, kind="stable")
        seen = self.flows[_KEYS + ["first_seen"]]
        out = new.merge(seen, on=_KEYS, how="left")
        return out[_KEYS + ["domestic", "current", "first_seen", "p_value", "q_value"]].reset_index(drop=True)

    def top(self, n: int = 15, domestic: bool = True) -> pd.DataFrame:
        """The ``n`` largest corridors.

        Parameters
        ----------
        n : int
            Number of corridors.
        domestic : bool
            Include domestic corridors (origin = destination).

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`flows`, largest first.
        """
        flows = self.flows if domestic else self.flows[~self.flows["domestic"]]
        return flows.head(int(n)).reset_index(drop=True)

    def restrict(self, min_count: int) -> "RouteResults":
        """Keep only corridors with at least ``min_count`` incidents (e.g. the threshold k).

        Legs and network measures are rebuilt from the kept corridors, so no figure
        depends on a smaller corridor; ``change`` and ``unknown_origin`` are unchanged.

        Parameters
        ----------
        min_count : int
            Smallest corridor count kept.

        Returns
        -------
        RouteResults
            A copy.
        """
        flows = self.flows[self.flows["count"] >= int(min_count)].reset_index(drop=True)
        legs = legs_of(flows)
        return replace(self, flows=flows, legs=legs, network=network_measures(legs, flows),
                       min_count=max(int(min_count), self.min_count))

    def graph(self, countries: "geopandas.GeoDataFrame | None" = None) -> "networkx.DiGraph":
        """The corridor network as a directed graph.

        Parameters
        ----------
        countries : geopandas.GeoDataFrame, optional
            Country polygons with ``iso3`` and ``name`` (``catalog.load("countries")``),
            for node names and coordinates (a representative point of each country's
            largest polygon).

        Returns
        -------
        networkx.DiGraph
            Nodes: ISO3 codes with ``name``, ``lat``, ``lon`` (NaN when unknown),
            ``in_flow``, ``out_flow``, ``through``, ``domestic``, ``route_share``,
            ``betweenness``.
            Edges: legs between different countries with ``weight`` (incidents),
            ``direct`` and ``via_transit`` (incidents on the edge as a direct route / as
            a leg of a route with a transit).
        """
        graph = _digraph(self.legs)
        points = country_points(countries) if countries is not None else pd.DataFrame(
            columns=["iso3", "name", "lat", "lon"])
        points = points.set_index("iso3")
        measures = self.network.set_index("country")
        for code in measures.index:
            graph.add_node(code)
        for code in graph.nodes:
            has_point = code in points.index
            row = measures.loc[code] if code in measures.index else None
            graph.nodes[code].update(
                name=str(points.at[code, "name"]) if has_point else code,
                lat=float(points.at[code, "lat"]) if has_point else float("nan"),
                lon=float(points.at[code, "lon"]) if has_point else float("nan"),
                in_flow=int(row["in_strength"]) if row is not None else 0,
                out_flow=int(row["out_strength"]) if row is not None else 0,
                through=int(row["through"]) if row is not None else 0,
                domestic=int(row["domestic"]) if row is not None else 0,
                route_share=float(row["route_share"]) if row is not None else 0.0,
                betweenness=float(row["betweenness"]) if row is not None else 0.0,
            )
        return graph


class RouteFlows:
    """Origin -> transit -> destination flows, their change and their network.

    Settings are given here; the incidents to :meth:`fit` (scikit-learn style).

    Parameters
    ----------
    origin : str
        Origin column.
    fallback : str or None
        Column used when ``origin`` is missing (None: no fallback).
    transit : str or None
        Transit column (None: every route is direct).
    destination : str
        Destination column (place of exploitation).
    freq : str
        Comparison period: ``"QS"``, ``"YS"`` or ``"MS"``.
    compare : str
        Baseline: ``"previous"`` period or the same period a year before
        (``"previous_year"``).
    start, end : str or Timestamp, optional
        Inclusive period of the flows, legs and network (open when empty; with a bound,
        undated incidents are left out). ``end`` also fixes the current period (default:
        the latest ``occurred_on``).
    alpha : float
        False discovery rate for ``growing``/``declining``.

    Examples
    --------
    >>> res = RouteFlows(freq="YS", compare="previous_year").fit(incidents)  # doctest: +SKIP
    >>> res.top(10)  # doctest: +SKIP
    >>> res.change[res.change["growth"] == "growing"]  # doctest: +SKIP
    """

    def __init__(self, origin: str = "origin_country_iso3",
                 fallback: str | None = "victim_nationality_iso3", transit: str | None = "transit_country_iso3",
                 destination: str = "country_iso3", freq: str = "QS", compare: str = "previous_year",
                 start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None,
                 alpha: float = 0.05) -> None:
        if freq not in FREQS:
            raise ValueError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
        if compare not in COMPARES:
            raise ValueError(f"compare must be one of {list(COMPARES)}, got {compare!r}")
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha}")
        self.origin, self.fallback, self.transit, self.destination = origin, fallback, transit, destination
        self.freq, self.compare, self.alpha = freq, compare, alpha
        self.start = pd.Timestamp(start) if start not in (None, "") else None
        self.end = pd.Timestamp(end) if end not in (None, "") else None
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"start {self.start.date()} is after end {self.end.date()}")

    def _routes(self, inc: pd.DataFrame) -> pd.DataFrame:
        """One row per incident: origin, transit, destination, date, precision, from_nationality."""
        ids = inc["incident_id"] if "incident_id" in inc.columns else pd.Series(inc.index, index=inc.index)

        def codes(col: str | None) -> pd.Series:
            if col is None:
                return pd.Series(pd.NA, index=inc.index, dtype="string")
            values = inc[col].astype("string").str.strip().replace("", pd.NA)
            bad = values.notna() & ~values.fillna("").str.fullmatch(_ISO3)
            if bad.any():
                row = bad.idxmax()
                raise ValueError(f"record {ids.loc[row]}: field {col!r}={inc.at[row, col]!r}: "
                                 "expected an ISO 3166-1 alpha-3 code (three capital letters)")
            return values

        origin = codes(self.origin)
        from_nat = origin.isna()
        if self.fallback:
            origin = origin.fillna(codes(self.fallback))
        from_nat &= origin.notna()
        destination = codes(self.destination)
        transit = codes(self.transit)
        transit = transit.mask((transit == origin).fillna(False) | (transit == destination).fillna(False))
        dates = pd.to_datetime(inc["occurred_on"], errors="coerce")
        bad_date = inc["occurred_on"].notna() & dates.isna()
        if bad_date.any():
            row = bad_date.idxmax()
            raise ValueError(f"record {ids.loc[row]}: field 'occurred_on'={inc.at[row, 'occurred_on']!r}: "
                             "expected a date")
        precision = (inc["occurred_precision"].astype("string") if "occurred_precision" in inc.columns
                     else pd.Series("day", index=inc.index, dtype="string"))
        return pd.DataFrame({
            "origin": origin.to_numpy(object), "transit": transit.fillna(DIRECT).to_numpy(object),
            "destination": destination.to_numpy(object), "from_nationality": from_nat.to_numpy(bool),
            "date": dates.to_numpy(), "precision": precision.fillna("day").to_numpy(object),
        })

    def _windows(self, routes: pd.DataFrame) -> tuple[tuple, tuple, str] | None:
        dated = routes["date"].dropna()
        if self.end is None and dated.empty:
            return None
        as_of = (self.end if self.end is not None else dated.max()).normalize()
        period = FREQS[self.freq]
        cur_start = as_of.to_period(period).start_time
        cur_end = as_of
        length = (cur_end - cur_start).days + 1
        base_start = (cur_start - pd.DateOffset(years=1) if self.compare == "previous_year"
                      else (cur_start.to_period(period) - 1).start_time)
        base_period_end = base_start.to_period(period).end_time.normalize()
        if as_of == as_of.to_period(period).end_time.normalize():  # a whole period: the whole baseline
            base_end = base_period_end
        elif self.compare == "previous_year":  # the same calendar days a year before
            base_end = min(as_of - pd.DateOffset(years=1), base_period_end)
        else:  # as many days from the baseline's start
            base_end = min(base_start + pd.Timedelta(days=length - 1), base_period_end)
        note = ""
        if not dated.empty and dated.min().to_period("M") > base_start.to_period("M"):
            note = (f"The data start on {dated.min().date()}, after the baseline window starts "
                    f"({base_start.date()}): corridors labelled new may only be new to the data.")
        return (cur_start, cur_end), (base_start, base_end), note

    def fit(self, incidents: pd.DataFrame) -> RouteResults:
        """Count corridors and legs, test their change and measure the network.

        Parameters
        ----------
        incidents : pandas.DataFrame
            Store incidents (already scoped by region and type, but not by period, so
            that the baseline before ``start`` can be seen).

        Returns
        -------
        RouteResults
            See the class attributes.

        Raises
        ------
        ValueError
            On missing columns, a code that is not ISO3 or a date that is not a date
            (the record and field are named).
        """
        needed = [c for c in (self.origin, self.fallback, self.transit, self.destination, "occurred_on") if c]
        missing = [c for c in needed if c not in incidents.columns]
        if missing:
            raise ValueError(f"incidents lack column(s) {missing}")
        routes = self._routes(incidents)
        notes: list[str] = []
        in_period = pd.Series(True, index=routes.index)
        if self.start is not None:
            in_period &= (routes["date"] >= self.start).fillna(False).astype(bool)
        if self.end is not None:
            in_period &= (routes["date"] <= self.end).fillna(False).astype(bool)
        period = routes[in_period]
        known = period.dropna(subset=["origin", "destination"])
        unknown = period[period["origin"].isna() & period["destination"].notna()]
        unknown_origin = (unknown.groupby("destination").size().rename("count").reset_index()
                          .sort_values(["count", "destination"], ascending=[False, True], kind="stable")
                          .reset_index(drop=True))
        flows = _flows(known)
        legs = legs_of(flows)
        windows = self._windows(routes)
        if windows is None:
            change, current_window, baseline_window = _empty(_CHANGE_COLUMNS), None, None
        else:
            current_window, baseline_window, note = windows
            if note:
                notes.append(note)
            precise = routes["precision"].isin(PRECISE_ENOUGH[self.freq])
            if (~precise & routes["date"].notna()).any():  # no number: it may be a small count
                notes.append(f"Incidents dated too coarsely for {self.freq} periods are left out of the "
                             "comparison.")
            usable = routes[precise].dropna(subset=["origin", "destination", "date"])
            change = _change(usable, current_window, baseline_window, self.alpha)
        return RouteResults(
            flows=flows, legs=legs, change=change, network=network_measures(legs, flows),
            unknown_origin=unknown_origin, n_incidents=int(len(period)),
            n_unknown_destination=int(period["destination"].isna().sum()),
            current_window=current_window, baseline_window=baseline_window, freq=self.freq,
            compare=self.compare, alpha=self.alpha, note=" ".join(notes),
        )


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def _flows(known: pd.DataFrame) -> pd.DataFrame:
    if known.empty:
        out = _empty(_FLOW_COLUMNS)
        return out.astype({"count": "int64", "from_nationality": "int64", "domestic": bool,
                           "first_seen": "datetime64[ns]", "last_seen": "datetime64[ns]"})
    grouped = known.groupby(_KEYS, sort=False)
    flows = grouped.agg(count=("destination", "size"), from_nationality=("from_nationality", "sum"),
                        first_seen=("date", "min"), last_seen=("date", "max")).reset_index()
    flows["domestic"] = flows["origin"] == flows["destination"]
    flows = flows.sort_values(["count", "origin", "transit", "destination"], ascending=[False, True, True, True],
                              kind="stable")
    flows[["count", "from_nationality"]] = flows[["count", "from_nationality"]].astype("int64")
    return flows[_FLOW_COLUMNS].reset_index(drop=True)


def legs_of(flows: pd.DataFrame) -> pd.DataFrame:
    """Split corridors into their legs (edges).

    Parameters
    ----------
    flows : pandas.DataFrame
        ``origin, transit, destination, count`` (``transit`` ``""`` for a direct route).

    Returns
    -------
    pandas.DataFrame
        ``source, target, leg, count``, summed over corridors, largest first.
    """
    if flows.empty:
        return _empty(_LEG_COLUMNS).astype({"count": "int64"})
    via = flows[flows["transit"] != DIRECT]
    direct = flows[flows["transit"] == DIRECT]
    parts = [
        pd.DataFrame({"source": via["origin"], "target": via["transit"], "leg": "origin->transit",
                      "count": via["count"]}),
        pd.DataFrame({"source": via["transit"], "target": via["destination"], "leg": "transit->destination",
                      "count": via["count"]}),
        pd.DataFrame({"source": direct["origin"], "target": direct["destination"], "leg": "origin->destination",
                      "count": direct["count"]}),
    ]
    legs = pd.concat([p for p in parts if len(p)], ignore_index=True)
    legs = legs.groupby(["source", "target", "leg"], as_index=False)["count"].sum()
    legs["count"] = legs["count"].astype("int64")
    return legs.sort_values(["count", "source", "target"], ascending=[False, True, True],
                            kind="stable").reset_index(drop=True)


def _digraph(legs: pd.DataFrame) -> "networkx.DiGraph":
    import networkx as nx

    graph = nx.DiGraph()
    for row in legs.itertuples(index=False):
        if row.source == row.target:
            continue
        if not graph.has_edge(row.source, row.target):
            graph.add_edge(row.source, row.target, weight=0, direct=0, via_transit=0)
        edge = graph.edges[row.source, row.target]
        edge["weight"] += int(row.count)
        edge["direct" if row.leg == "origin->destination" else "via_transit"] += int(row.count)
    return graph


def network_measures(legs: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """Per-country strength, transit volume and betweenness of the corridor network.

    Parameters
    ----------
    legs : pandas.DataFrame
        From :func:`legs_of`.
    flows : pandas.DataFrame
        The corridors the legs come from (for ``through`` and ``domestic``).

    Returns
    -------
    pandas.DataFrame
        ``country, out_strength, in_strength, through, domestic, route_share,
        betweenness``, highest route share first (then betweenness, most incidents
        through, most out). ``route_share`` is ``through`` over the international
        incidents (0 when there are none).
    """
    import networkx as nx

    if flows.empty:
        return _empty(_NETWORK_COLUMNS).astype({c: "int64" for c in _NETWORK_COLUMNS[1:5]}
                                               | {"route_share": "float64", "betweenness": "float64"})
    graph = _digraph(legs)
    codes = sorted(set(flows["origin"]) | set(flows["destination"]) | (set(flows["transit"]) - {DIRECT}))
    between = nx.betweenness_centrality(graph, normalized=True) if graph.number_of_nodes() else {}
    out_s = dict(graph.out_degree(weight="weight"))
    in_s = dict(graph.in_degree(weight="weight"))
    through = flows[flows["transit"] != DIRECT].groupby("transit")["count"].sum()
    domestic = flows[flows["domestic"]].groupby("origin")["count"].sum()
    international = int(flows.loc[~flows["domestic"].astype(bool), "count"].sum())
    table = pd.DataFrame({
        "country": codes,
        "out_strength": [int(out_s.get(c, 0)) for c in codes],
        "in_strength": [int(in_s.get(c, 0)) for c in codes],
        "through": [int(through.get(c, 0)) for c in codes],
        "domestic": [int(domestic.get(c, 0)) for c in codes],
        "route_share": [int(through.get(c, 0)) / international if international else 0.0 for c in codes],
        "betweenness": [float(between.get(c, 0.0)) for c in codes],
    })
    return table.sort_values(["route_share", "betweenness", "through", "out_strength", "country"],
                             ascending=[False, False, False, False, True], kind="stable").reset_index(drop=True)


def _rate_test(current: int, baseline: int, t1: float, t0: float) -> tuple[float, float, float, float]:
    """Exact conditional test of equal Poisson rates: (ratio, low, high, p)."""
    from scipy.stats import binomtest

    n = current + baseline
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 1.0
    p0 = t1 / (t1 + t0)
    res = binomtest(current, n, p0, alternative="two-sided")
    ci = res.proportion_ci(confidence_level=0.95, method="exact")

    def ratio(p: float) -> float:
        return float("inf") if p >= 1 else p / (1 - p) * t0 / t1

    rr = float("nan") if baseline == 0 else (current / t1) / (baseline / t0)
    return rr, ratio(ci.low), ratio(ci.high), float(res.pvalue)


def _change(usable: pd.DataFrame, current: tuple, baseline: tuple, alpha: float) -> pd.DataFrame:
    t1 = float((current[1] - current[0]).days + 1)
    t0 = float((baseline[1] - baseline[0]).days + 1)
    in_cur = usable["date"].between(current[0], current[1])
    in_base = usable["date"].between(baseline[0], baseline[1])
    cur = usable[in_cur].groupby(_KEYS).size().rename("current")
    base = usable[in_base].groupby(_KEYS).size().rename("baseline")
    both = pd.concat([base, cur], axis=1).fillna(0).astype("int64")
    if both.empty:
        return _empty(_CHANGE_COLUMNS)
    both = both.reset_index()
    both.columns = _KEYS + ["baseline", "current"]
    tests = [_rate_test(int(c), int(b), t1, t0) for c, b in zip(both["current"], both["baseline"])]
    both["rate_ratio"], both["ratio_low"], both["ratio_high"], both["p_value"] = map(list, zip(*tests))
    both["q_value"] = bh_qvalues(both["p_value"].to_numpy(float))
    both["domestic"] = both["origin"] == both["destination"]
    significant = both["q_value"] <= alpha
    faster = both["current"] / t1 > both["baseline"] / t0
    both["growth"] = np.select(
        [both["baseline"] == 0, both["current"] == 0, significant & faster, significant & ~faster],
        ["new", "ended", "growing", "declining"], default="no significant change")
    order = both["growth"].map({g: i for i, g in enumerate(GROWTH_LABELS)})
    both = both.assign(_o=order).sort_values(["_o", "q_value", "current"], ascending=[True, True, False],
                                             kind="stable")
    return both[_CHANGE_COLUMNS].reset_index(drop=True)


def country_points(countries: "geopandas.GeoDataFrame") -> pd.DataFrame:
    """A point inside each country's largest polygon, to anchor flows and nodes.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        Country polygons with ``iso3`` and ``name`` (``catalog.load("countries")``);
        reprojected to WGS84 if needed.

    Returns
    -------
    pandas.DataFrame
        ``iso3, name, lat, lon``, one row per code (rows without a code are dropped).
    """
    gdf = countries
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    name_col = "name" if "name" in gdf.columns else "iso3"
    parts = gdf[["iso3", name_col, "geometry"]].rename(columns={name_col: "name"})
    parts = parts[parts["iso3"].notna() & parts.geometry.notna()].explode(index_parts=False)
    import shapely

    parts = parts.assign(_area=shapely.area(parts.geometry.to_numpy()))  # degrees^2: only to rank parts
    parts = parts.sort_values("_area", ascending=False, kind="stable")
    largest = parts.drop_duplicates("iso3")
    point = largest.geometry.representative_point()
    out = pd.DataFrame({"iso3": largest["iso3"].astype(str).to_numpy(), "name": largest["name"].to_numpy(),
                        "lat": point.y.to_numpy(float), "lon": point.x.to_numpy(float)})
    return out.sort_values("iso3").reset_index(drop=True)
