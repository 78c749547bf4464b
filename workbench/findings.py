"""The findings ledger: every finding of a run computed once per scope, stored, and read by every report.

Reports used to run their own analyses with their own windows and models, so two reports of
one run could disagree (one said no series was above its forecast interval while another
listed surges; one ignored the nationality fallback for corridors). Here the findings of a
**scope** are computed once by :func:`compute_findings` and written to the store
(``<store>/findings/<key>.json``) with their parameters and provenance; every report calls
:func:`findings_for`, which reads the stored ledger when one exists for the same scope and
the same store contents, and computes (and stores) it otherwise.

A scope is what defines the data: ``region``, ``exploitation_type``, ``sources`` (catalog
source entries, e.g. ``"app_reports,partner_hla"``), the last month judged (``end_month``, default the last
complete month), the window lengths and the H3 ``resolution`` (the audience's). The
ledger's key hashes these and the SHA-256 of the store manifest, so new data gives a new
ledger and an old one is never read against new data.

What the ledger holds (one definition each, used by every report):

``surges``
    Monthly series per country over the 36 months to ``end_month``, the forecasting ladder
    (``"auto"``) per series, and a surge when the latest month is above its one-step
    forecast interval.

When the records are dated only to the year (:func:`workbench.analyse.scope.frequency_for`
gives ``"Y"``; ``frequency`` says so), every window is a whole year: the latest year
against the year before for hotspots, corridors and per-country changes ("in 2021 against
2020"); no month is checked for a surge.
``hotspots``
    Gi* over the H3 cells of the latest ``window_months``, significant hot cells grouped
    into areas named after a well-known place; an area is new when none of its cells was
    hot in the window before.
``corridors``
    Origin -> transit -> destination corridors (origin falling back to the victims'
    nationality) in the latest quarter against the same quarter a year before, with the
    exact Poisson rate test (FDR controlled); ``top_corridors`` lists the largest over the
    latest ``window_months``.
``trends``
    Quasi-Poisson trend per country over ``trend_months``.
``emerging``
    Emerging hot spot classes (Gi* per month over the last 12 months, Mann-Kendall trend
    per cell) at the scope's resolution.
``judgements``
    Key Judgements built from exactly these results (a corridor is judged to have grown
    only when the corridor table says it grew), ranked. Every candidate, corridors
    included, passes the artefact checks of :mod:`workbench.share.scrutiny` (a source
    starting or stopping, year-only dates, one dominant source, coarse geocoding): it is
    written with its caveats, or withheld.
``withheld``
    The candidates the artefact checks withheld: ``kind, subject, reason`` (words only,
    no counts), listed by the key_judgements report.
``hotspot_inference``
    Which p-values the hot spots rest on and why (conditional permutation with FDR on
    sparse counts, the normal approximation otherwise), as the reports print it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import catalog
from workbench.analyse.emerging import recent_emerging
from workbench.analyse.forecast import Forecaster
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.analyse.routes import RouteFlows
from workbench.analyse.scope import Scope
from workbench.analyse.series import incident_series
from workbench.grid import connected_areas
from workbench.places.gazetteer import area_city, country_name

#: Version of the ledger's layout and definitions (part of the key).
LEDGER_VERSION = 3
#: Months of history behind the surge check.
SURGE_HISTORY_MONTHS = 36
#: Monthly steps of the emerging hot spot analysis.
EMERGING_STEPS = 12
#: Corridors with fewer incidents over both quarters are listed but never judged.
MIN_CORRIDOR_INCIDENTS = 20
#: Conditional permutations of the hotspot test when counts are sparse (seeded; as assess(); 199 cannot
#: reach FDR 5% over a few dozen cells, since its smallest p-value is 1/200).
HOTSPOT_PERMUTATIONS = 999


def _code_hash() -> str:
    """Hash of the modules that define the findings (a changed definition never reads an old ledger)."""
    from functools import lru_cache

    @lru_cache(maxsize=1)
    def digest() -> str:
        root = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for rel in ("findings.py", "share/assessment.py", "analyse/routes.py", "analyse/getis_ord.py",
                    "analyse/emerging.py", "analyse/forecast/ladder.py"):
            path = root / rel
            if path.is_file():
                h.update(path.read_bytes())
        return h.hexdigest()[:16]

    return digest()


@dataclass(frozen=True)
class FindingsScope:
    """The parameters that define a ledger's data.

    Attributes
    ----------
    region : str
        ``"ALL"`` or ISO3 codes joined by commas.
    exploitation_type : str
        ``"ALL"`` or a taxonomy code.
    sources : str
        ``"ALL"`` or catalog source entries joined by commas (as the reports' ``sources``).
    end_month : str
        Last month judged (``YYYY-MM``); empty for the last complete month of the data.
    window_months : int
        Length of the hotspot windows and of the top-corridor window.
    trend_months : int
        Length of the trend window.
    resolution : int
        H3 resolution of the hotspot analysis (the audience's).
    """

    region: str = "ALL"
    exploitation_type: str = "ALL"
    sources: str = "ALL"
    end_month: str = ""
    window_months: int = 6
    trend_months: int = 24
    resolution: int = 5

    def key(self, store_hash: str | None) -> str:
        """Return the ledger's file key for this scope and store contents.

        Parameters
        ----------
        store_hash : str or None
            SHA-256 of the store manifest.

        Returns
        -------
        str
            A 20-character hex key.
        """
        raw = json.dumps({"v": LEDGER_VERSION, "code": _code_hash(), "scope": asdict(self), "store": store_hash},
                         sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:20]


@dataclass
class Findings:
    """A run's findings for one scope (see the module docstring).

    Attributes
    ----------
    scope : FindingsScope
        Parameters of the ledger.
    end_month : str
        The last month judged (resolved).
    windows : dict
        ``latest``/``previous`` hotspot windows and the corridor ``current``/``baseline``
        windows, as ``[first day, last day]`` ISO dates.
    totals : dict
        ``incidents`` in scope (all dates), in the ``latest`` and ``previous`` windows.
    surges : pandas.DataFrame
        ``series, country, month, observed, expected, upper, model, beats_baseline``.
    forecast : pandas.DataFrame
        Model choice per series: ``series, country, model, mase, baseline_mase, beats_baseline``.
    hotspots : pandas.DataFrame
        ``place, country_iso3, new, incidents, probability, cells, lat, lon`` (one row per area).
    corridors : pandas.DataFrame
        Corridor change (latest complete quarter against the same quarter a year before):
        ``origin, transit, destination, domestic, baseline, current, rate_ratio,
        q_value, growth, corridor`` (names in ``corridor``).
    top_corridors : pandas.DataFrame
        ``origin, transit, destination, count, from_nationality, corridor`` over the
        latest window, largest first.
    trends : pandas.DataFrame
        ``country, direction, probability, term`` per judged country.
    emerging : pandas.DataFrame
        Emerging hot spot class per H3 cell (12 monthly steps to ``end_month``):
        ``h3_cell, pattern, count`` for cells with a pattern.
    emerging_patterns : pandas.DataFrame
        ``pattern, places``: how many cells fall in each class.
    judgements : list of dict
        Ranked Key Judgements (``KeyJudgement`` fields).
    withheld : list of dict
        Candidates withheld by the artefact checks: ``kind, subject, reason``.
    hotspot_inference : str
        The hotspot test's inference note (:attr:`HotspotResults.inference_note`).
    frequency : str
        ``"M"``, or ``"Y"`` when the records are dated only to the year
        (:func:`workbench.analyse.scope.frequency_for`): windows are then whole years
        (the latest year against the year before) and statements say so.
    provenance : dict
        Store manifest SHA-256, git commit, computing time.
    key : str
        The ledger's key in the store.
    """

    scope: FindingsScope
    end_month: str
    windows: dict[str, list[str]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    surges: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecast: pd.DataFrame = field(default_factory=pd.DataFrame)
    hotspots: pd.DataFrame = field(default_factory=pd.DataFrame)
    corridors: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_corridors: pd.DataFrame = field(default_factory=pd.DataFrame)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    emerging: pd.DataFrame = field(default_factory=pd.DataFrame)
    emerging_patterns: pd.DataFrame = field(default_factory=pd.DataFrame)
    judgements: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    withheld: list[dict[str, str]] = field(default_factory=list)
    hotspot_inference: str = ""
    frequency: str = "M"

    _TABLES = ("surges", "forecast", "hotspots", "corridors", "top_corridors", "trends", "emerging",
               "emerging_patterns")

    def growing_corridors(self) -> pd.DataFrame:
        """Corridors the change test calls growing or new (the only ones any report may call so).

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`corridors`.
        """
        if self.corridors.empty:
            return self.corridors
        return self.corridors[self.corridors["growth"].isin(["growing", "new"])].reset_index(drop=True)

    def finding_ids(self) -> set[str]:
        """Identifiers of every finding in the ledger (reports tag their statements with them).

        Returns
        -------
        set of str
            ``surge:<series>:<YYYY-MM>``, ``hotspot:<place>``, ``corridor:<O>-<T>-<D>:<growth>``,
            ``trend:<country>:<direction>``, ``judgement:<kind>:<subject>``, ``total:incidents``.
        """
        ids = {"total:incidents", "total:latest", "total:previous"}
        ids |= {f"surge:{r.series}:{r.month}" for r in self.surges.itertuples()}
        ids |= {f"hotspot:{r.place}" for r in self.hotspots.itertuples()}
        ids |= {corridor_id(r.origin, r.transit, r.destination, r.growth) for r in self.corridors.itertuples()}
        ids |= {f"trend:{r.country}:{r.direction}" for r in self.trends.itertuples()}
        ids |= {f"emerging:{r.pattern}" for r in self.emerging_patterns.itertuples()}
        ids |= {corridor_id(r.origin, r.transit, r.destination, "largest") for r in self.top_corridors.itertuples()}
        ids |= {f"judgement:{j['kind']}:{j['subject']}" for j in self.judgements}
        return ids

    def to_json(self) -> str:
        """Serialise the ledger (tables as records).

        Returns
        -------
        str
            JSON text.
        """
        raw: dict[str, Any] = {
            "version": LEDGER_VERSION, "key": self.key, "parameters": asdict(self.scope), "end_month": self.end_month,
            "windows": self.windows, "totals": self.totals, "judgements": self.judgements,
            "withheld": self.withheld, "hotspot_inference": self.hotspot_inference, "frequency": self.frequency,
            "provenance": self.provenance,
        }
        for name in self._TABLES:
            raw[name] = json.loads(getattr(self, name).to_json(orient="records", date_format="iso"))
        return json.dumps(raw, indent=1, default=str)

    @classmethod
    def from_json(cls, text: str) -> "Findings":
        """Read a ledger written by :meth:`to_json`.

        Parameters
        ----------
        text : str
            JSON text.

        Returns
        -------
        Findings
            The ledger.
        """
        raw = json.loads(text)
        tables = {name: pd.DataFrame(raw.get(name) or [], columns=_COLUMNS[name]) for name in cls._TABLES}
        return cls(scope=FindingsScope(**raw["parameters"]), end_month=raw["end_month"], windows=raw["windows"],
                   totals=raw["totals"], judgements=raw["judgements"], provenance=raw["provenance"],
                   key=raw["key"], withheld=raw.get("withheld") or [],
                   hotspot_inference=raw.get("hotspot_inference") or "", frequency=raw.get("frequency") or "M",
                   **tables)


_COLUMNS = {
    "surges": ["series", "country", "month", "observed", "expected", "upper", "model", "beats_baseline"],
    "forecast": ["series", "country", "model", "mase", "baseline_mase", "beats_baseline"],
    "hotspots": ["place", "country_iso3", "new", "incidents", "probability", "cells", "lat", "lon"],
    "corridors": ["origin", "transit", "destination", "domestic", "baseline", "current", "rate_ratio", "q_value", "growth",
                  "corridor"],
    "top_corridors": ["origin", "transit", "destination", "count", "from_nationality", "corridor"],
    "trends": ["country", "direction", "probability", "term"],
    "emerging": ["h3_cell", "pattern", "count"],
    "emerging_patterns": ["pattern", "places"],
}


def corridor_id(origin: str, transit: str, destination: str, growth: str = "") -> str:
    """Identifier of a corridor finding.

    Parameters
    ----------
    origin, transit, destination : str
        ISO3 codes (``transit`` empty for a direct route).
    growth : str
        Growth label.

    Returns
    -------
    str
        ``corridor:<origin>-<transit or direct>-<destination>:<growth>``.
    """
    return f"corridor:{origin}-{transit or 'direct'}-{destination}:{growth}"


def corridor_name(origin: str, transit: str, destination: str) -> str:
    """A corridor in words: ``"Nigeria -> Libya -> Italy"`` (countries by name).

    Parameters
    ----------
    origin, transit, destination : str
        ISO3 codes (``transit`` empty for a direct route).

    Returns
    -------
    str
        The names joined by arrows.
    """
    return " -> ".join(country_name(c) for c in (origin, transit, destination) if c)


def _git_commit() -> str:
    import subprocess

    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _in_scope(incidents: pd.DataFrame, scope: FindingsScope) -> pd.DataFrame:
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
    from scipy import stats

    started = time.time()
    data = _in_scope(incidents, scope)
    dated = data[data["occurred_on"].notna()]
    key = scope.key(store_hash)
    empty = Findings(scope=scope, end_month="", key=key,
                     **{name: pd.DataFrame(columns=cols) for name, cols in _COLUMNS.items()})
    empty.totals = {"incidents": int(len(data)), "latest": 0, "previous": 0}
    empty.provenance = {"store_manifest_sha256": store_hash, "git_commit": _git_commit(),
                        "computed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seconds": 0.0}
    if dated.empty:
        return empty
    from workbench.analyse.scope import frequency_for

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
    latest = dated[(dated["occurred_on"] >= mid) & (dated["occurred_on"] < stop)]
    earlier = dated[(dated["occurred_on"] >= start) & (dated["occurred_on"] < mid)]
    day = pd.Timedelta(days=1)
    out = empty
    out.end_month = f"{end:%Y-%m}"
    out.frequency = "Y" if yearly else "M"
    out.windows = {"latest": [str(mid.date()), str((stop - day).date())],
                   "previous": [str(start.date()), str((mid - day).date())]}
    out.totals = {"incidents": int(len(data)), "latest": int(len(latest)), "previous": int(len(earlier))}

    # hotspots: Gi* over the latest window against the window before (inference chosen from the counts)
    withheld: list = []

    def gi(frame: pd.DataFrame):
        counts = hex_counts(frame, resolution=scope.resolution)
        return (GetisOrdHotspots(permutations=HOTSPOT_PERMUTATIONS, seed=0, inference="auto").fit(counts)
                if len(counts) > 1 else None)

    type_label = ("trafficking" if scope.exploitation_type.upper() == "ALL"
                  else scope.exploitation_type.replace("_", " "))
    current = gi(latest)
    out.hotspot_inference = getattr(current, "inference_note", "") if current is not None else ""
    hot_judgements = (judge.hotspot_judgements(current, gi(earlier), latest, type_label, withheld=withheld)
                      if judge else [])
    out.hotspots = _hotspot_rows(current, hot_judgements)

    # surges: the forecasting ladder on monthly country series
    first = (end.to_period("M") - (SURGE_HISTORY_MONTHS - 1)).to_timestamp()
    series = incident_series(dated, freq="MS", by=("country_iso3",), start=str(first.date()), end=str(end.date()),
                             **_coarse_drop(incident_series))  # year-dated records never placed in January
    series = series[~series["unique_id"].astype(str).str.contains("ALL")]
    ladder = Forecaster(season_length=12, horizon=3).fit(series) if len(series) and not yearly else None
    surge_judgements = (judge.surge_judgements(ladder, dated, month=end, withheld=withheld)
                        if judge and ladder is not None else [])
    out.forecast, out.surges = _forecast_rows(ladder)

    # corridors: latest quarter against the same quarter a year before, nationality fallback
    quarter_end = ((end + pd.offsets.MonthBegin(1)).to_period("Q") - 1).end_time.normalize()  # last complete quarter
    routes = (RouteFlows(freq="YS", compare="previous", end=stop - day) if yearly
              else RouteFlows(freq="QS", compare="previous_year", end=quarter_end)).fit(data)
    now_words = f"in {end.year} against {end.year - 1}" if yearly else \
        f"in the quarter to {quarter_end:%B %Y} compared with the same quarter a year before"
    n1_words, n0_words = (f"incidents, {end.year}", f"incidents, {end.year - 1}") if yearly else \
        ("incidents, latest quarter", "incidents, same quarter a year before")
    if routes.current_window:
        out.windows["corridor_current"] = [str(d.date()) for d in routes.current_window]
        out.windows["corridor_baseline"] = [str(d.date()) for d in routes.baseline_window]
    change = routes.change.copy()
    change["corridor"] = [corridor_name(o, t, d) for o, t, d in
                          zip(change["origin"], change["transit"], change["destination"])]
    out.corridors = change[_COLUMNS["corridors"]].reset_index(drop=True)
    window_routes = RouteFlows(freq="QS", compare="previous_year", start=mid, end=stop - day).fit(data)
    top = window_routes.flows[~window_routes.flows["domestic"]].head(15).copy()
    top["corridor"] = [corridor_name(o, t, d) for o, t, d in zip(top["origin"], top["transit"], top["destination"])]
    out.top_corridors = top[_COLUMNS["top_corridors"]].reset_index(drop=True)
    corridor_judgements = []
    for row in out.corridors.itertuples():
        n0, n1 = int(row.baseline), int(row.current)
        if (judge is None or row.growth not in ("growing", "declining", "new") or row.domestic
                or n0 + n1 < MIN_CORRIDOR_INCIDENTS):
            continue
        p_up = float(stats.beta.sf(0.5, n1 + 0.5, n0 + 0.5))
        grew = row.growth != "declining"
        p = p_up if grew else 1 - p_up
        records = _corridor_records(dated, row.origin, row.transit, row.destination, routes)
        summary = judge.source_summary(records) if len(records) else \
            {"incidents": n0 + n1, "well_graded_share": 0.0, "types": [], "n_types": 0}
        candidate = judge.judgement(
            "corridor_growth", row.corridor,
            f"the {row.corridor} corridor {'grew' if grew else 'shrank'} {now_words}",
            p, judge.confidence(summary),
            f"exact Poisson rate test (q = {float(row.q_value):.3f}, FDR controlled) and Poisson rates with "
            f"Jeffreys priors: P(rate now {'>' if grew else '<'} rate before) = {p:.3f}",
            evidence={n1_words: n1, n0_words: n0},
            sources={**summary, "incidents": n0 + n1},
            assumptions=["Origin (or, failing it, nationality) is recorded as consistently now as before.",
                         "The corridor's sources reported with the same effort in both quarters."],
            indicators=["The next quarter's count back at the earlier level.",
                        "A new source reporting on this origin (a partner in the destination country)."],
        )
        span = (routes.baseline_window[0], routes.current_window[1]) if routes.current_window else None
        if yearly and span:  # year-only records sit on 1 January: a source "stops" only before the latest year
            span = (span[0], routes.current_window[0])
        kept = judge.screen(candidate, records, dated, span, withheld)
        if kept is not None:
            corridor_judgements.append(kept)

    # emerging hot spot classes: 12 monthly steps to the end month
    emerging = recent_emerging(data, resolution=scope.resolution, steps=EMERGING_STEPS, freq="MS", end=stop - day)
    if emerging is not None:
        table = emerging.table[emerging.table["pattern"] != "no pattern detected"]
        out.emerging = table[["h3_cell", "pattern", "count"]].reset_index(drop=True)
        patterns = emerging.patterns[emerging.patterns["places"] > 0]
        out.emerging_patterns = patterns[["pattern", "places"]].reset_index(drop=True)

    # trends
    if yearly:
        trend_judgements = _yearly_changes(dated, end.year, judge, withheld) if judge else []
    else:
        trend_judgements = judge.trend_judgements(dated, scope.trend_months, end, withheld=withheld) if judge else []
    out.trends = pd.DataFrame([{
        "country": j.subject, "direction": "rising" if " rose " in j.statement else "falling",
        "probability": j.probability, "term": j.term} for j in trend_judgements], columns=_COLUMNS["trends"])

    found = hot_judgements + surge_judgements + corridor_judgements + trend_judgements
    ranked = judge.rank(found, top=10) if judge else []
    out.judgements = [_plain(asdict(j)) for j in ranked]
    out.withheld = _withheld_rows(withheld)
    out.provenance["seconds"] = round(time.time() - started, 2)
    out.provenance["countries"] = {c: country_name(c) for c in sorted(data["country_iso3"].dropna().unique())}
    return out


def _yearly_changes(dated: pd.DataFrame, year: int, judge: Any, withheld: list,
                    min_incidents: int = MIN_CORRIDOR_INCIDENTS, min_probability: float = 0.8) -> list:
    """Per country, the latest year against the year before (records dated to the year; Jeffreys priors)."""
    from scipy import stats

    this = dated[dated["occurred_on"].dt.year == year]
    before = dated[dated["occurred_on"].dt.year == year - 1]
    n1s, n0s = this["country_iso3"].value_counts(), before["country_iso3"].value_counts()
    out = []
    for iso3 in sorted(set(n1s.index) | set(n0s.index)):
        n1, n0 = int(n1s.get(iso3, 0)), int(n0s.get(iso3, 0))
        if n0 + n1 < min_incidents or iso3 == "UNK":
            continue
        p_up = float(stats.beta.sf(0.5, n1 + 0.5, n0 + 0.5))
        rising = p_up >= 0.5
        p = p_up if rising else 1 - p_up
        if p < min_probability:
            continue
        name = country_name(iso3)
        records = dated[dated["occurred_on"].dt.year.isin([year - 1, year]) & (dated["country_iso3"] == iso3)]
        summary = judge.source_summary(records)
        candidate = judge.judgement(
            "trend", name,
            f"reported incidents in {name} {'rose' if rising else 'fell'} in {year} against {year - 1}",
            p, judge.confidence(summary),
            f"yearly counts (records dated to the year); Poisson rates with Jeffreys priors: P(rate in {year} "
            f"{'>' if rising else '<'} rate in {year - 1}) = {p:.3f}",
            evidence={f"incidents in {year}": n1, f"incidents in {year - 1}": n0},
            sources=summary,
            assumptions=["The sources reported with the same effort in both years.",
                         "Records are dated by the year the exploitation occurred, not the year it was reported."],
            indicators=[f"The next year's count back at the {year - 1} level.",
                        "A source joining or leaving between the two years."],
        )
        # year-only dates sit on 1 January: a source stops only if its last record is before the latest year;
        # at yearly frequency the dates are exact for the period (no date-precision artefact)
        kept = judge.screen(candidate, records, dated, (pd.Timestamp(f"{year - 1}-01-01"),
                                                       pd.Timestamp(f"{year}-01-01")), withheld,
                            period=records.iloc[0:0])
        if kept is not None:
            out.append(kept)
    return out


def _corridor_records(dated: pd.DataFrame, origin: str, transit: str, destination: str,
                      routes: Any) -> pd.DataFrame:
    """The records behind a corridor in its two comparison windows (origin falling back to nationality)."""
    if not routes.current_window or "country_iso3" not in dated:
        return dated.iloc[0:0]
    origin_col = dated["origin_country_iso3"] if "origin_country_iso3" in dated else pd.Series(None, index=dated.index)
    if "victim_nationality_iso3" in dated:
        origin_col = origin_col.fillna(dated["victim_nationality_iso3"])
    mask = (origin_col == origin) & (dated["country_iso3"] == destination)
    if transit and "transit_country_iso3" in dated:
        mask &= dated["transit_country_iso3"] == transit
    when = dated["occurred_on"]
    in_window = ((when >= routes.baseline_window[0]) & (when <= routes.baseline_window[1])) | \
        ((when >= routes.current_window[0]) & (when <= routes.current_window[1]))
    return dated[mask & in_window]


def _withheld_rows(withheld: list) -> list[dict[str, str]]:
    """Withheld candidates as ``kind, subject, reason`` (reasons in words; no counts, no probabilities)."""
    rows = []
    for j, found in withheld:
        reason = "; ".join(f.reason for f in found if f.action == "withhold")
        rows.append({"kind": j.kind.replace("_", " "), "subject": str(j.subject), "reason": reason})
    return rows


def _coarse_drop(builder: Any) -> dict[str, str]:
    """``coarse="drop"`` when the series builder takes it (records dated more coarsely than a month left out)."""
    import inspect

    return {"coarse": "drop"} if "coarse" in inspect.signature(builder).parameters else {}


def _plain(value: Any) -> Any:
    """JSON-safe copy (numpy scalars to Python)."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _hotspot_rows(current: Any, judged: list) -> pd.DataFrame:
    """One row per judged hot area, with the place name the judgement uses."""
    import h3
    import numpy as np

    if current is None or not judged:
        return pd.DataFrame(columns=_COLUMNS["hotspots"])
    table = current.table
    hot = table[table["significant"] & (table["gi_z"] > 0)]
    rows = []
    for j in judged:
        # the areas are rebuilt from the cells the judgement counted (same grouping, same order)
        rows.append({"place": j.subject, "new": j.kind == "new_hotspot",
                     "incidents": int(j.evidence.get("incidents in the area", 0)), "probability": j.probability})
    areas = connected_areas(list(hot["h3_cell"]))
    for row, area in zip(rows, areas):
        lat, lon = np.mean([h3.cell_to_latlng(c) for c in area], axis=0)
        city = area_city(float(lat), float(lon))
        row.update({"country_iso3": city["country_iso3"] if city else None, "cells": list(area),
                    "lat": round(float(lat), 4), "lon": round(float(lon), 4)})
    return pd.DataFrame(rows, columns=_COLUMNS["hotspots"])


def _forecast_rows(ladder: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    if ladder is None:
        return pd.DataFrame(columns=_COLUMNS["forecast"]), pd.DataFrame(columns=_COLUMNS["surges"])
    sel = ladder.selection
    forecast = pd.DataFrame({
        "series": sel["unique_id"].astype(str), "country": [country_name(u) for u in sel["unique_id"]],
        "model": sel["model"], "mase": sel["mase"].astype(float).round(3),
        "baseline_mase": sel["baseline_mase"].astype(float).round(3), "beats_baseline": sel["beats_baseline"].astype(bool),
    })
    steps = ladder.one_step
    hit = steps[steps["y"] > steps["yhat_upper"]]
    chosen = dict(zip(sel["unique_id"], sel["model"]))
    beats = dict(zip(sel["unique_id"], sel["beats_baseline"]))
    surges = pd.DataFrame({
        "series": hit["unique_id"].astype(str), "country": [country_name(u) for u in hit["unique_id"]],
        "month": pd.to_datetime(hit["ds"]).dt.strftime("%Y-%m"), "observed": hit["y"].astype(int),
        "expected": hit["yhat"].astype(float).round(1), "upper": hit["yhat_upper"].astype(float).round(1),
        "model": [chosen.get(u, "") for u in hit["unique_id"]],
        "beats_baseline": [bool(beats.get(u, False)) for u in hit["unique_id"]],
    })
    return forecast.reset_index(drop=True), surges.sort_values("observed", ascending=False).reset_index(drop=True)


def _write_atomic(path: Path, text: str) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def ledger_dir() -> Path:
    """Folder of stored ledgers: ``<store>/findings``.

    Returns
    -------
    Path
        The folder (created on first write).
    """
    return catalog.store_root() / "findings"


def findings_for(region: str = "ALL", exploitation_type: str = "ALL", sources: str = "ALL", end_month: str = "",
                 window_months: int = 6, trend_months: int = 24, resolution: int = 5,
                 recompute: bool = False, judge: Any = None) -> Findings:
    """Return the ledger of a scope: read from the store, or computed once and stored.

    Parameters
    ----------
    region, exploitation_type, sources, end_month, window_months, trend_months, resolution
        The scope (see :class:`FindingsScope`).
    recompute : bool
        Compute even when a stored ledger exists (it is then replaced).
    judge : module-like, optional
        Judgement builders (see :func:`compute_findings`); reports go through
        :func:`workbench.share.report.findings_for`, which passes them.

    Returns
    -------
    Findings
        The ledger; its ``key`` names ``<store>/findings/<key>.json``.
    """
    scope = FindingsScope(str(region or "ALL"), str(exploitation_type or "ALL"), str(sources or "ALL"),
                          str(end_month or "")[:7], int(window_months), int(trend_months), int(resolution))
    store_hash = catalog.entry_hash("incidents")
    path = ledger_dir() / f"{scope.key(store_hash)}{'' if judge else '-nojudge'}.json"
    if path.is_file() and not recompute:
        catalog.load("incidents", where="1 = 0")  # the report read the store: keep it in the provenance
        return Findings.from_json(path.read_text(encoding="utf-8"))
    found = compute_findings(catalog.load("incidents"), scope, store_hash, judge)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, found.to_json())
    return Findings.from_json(found.to_json())  # exactly what later readers will see
