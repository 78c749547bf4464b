"""Supply-chain risk: how exposed is each supplier site to trafficking incidents nearby?

A company lists its supplier sites (name, product, sector, and coordinates or a city and
country). :class:`SupplyChainRisk` measures, for every site, the incidents around it
(great-circle distances through a haversine BallTree, all sites at once), and combines
four components, each in [0, 1], into a score from 0 to 100:

========================  ======  =====================================================
component                 weight  definition
========================  ======  =====================================================
``density``               0.25    ``D / (D + half_density)``, ``D`` the distance-decayed
                                  incident density ``sum exp(-d / decay_km)`` over the
                                  incidents within the widest band
``sector``                0.35    ``S / (D + 1)``, ``S`` the same density counting only
                                  incidents of the site's own sector: the share of nearby
                                  incidents in the site's sector, shrunk towards 0 when
                                  there are few
``recency``               0.15    ``R / (D + 1)``, ``R`` the density of incidents of the
                                  last ``recency_months``: the recent share, shrunk alike
``hotspot``               0.25    the class of the site's H3 cell: emerging hot spots
                                  (new, intensifying) 1.0, consecutive 0.9, persistent 0.8,
                                  sporadic/oscillating 0.6, diminishing 0.4, historical 0.3;
                                  Gi* ``hot_99`` 1.0, ``hot_95`` 0.85, ``hot_90`` 0.6; else 0.
                                  A site whose own cell is not hot but touches a hot cell
                                  gets half that cell's value (``ADJACENT_FACTOR``): cell
                                  edges are arbitrary, a site 1 km from a hot cell is exposed
========================  ======  =====================================================

The sector component weighs most: for due diligence on a supplier, exploitation in its own
industry nearby matters more than incidents of any kind (a farm in a city with many
incidents in bars is less exposed than a farm among greenhouses where farm workers are
exploited). The weights can be changed (``weights=``); they are normalised to sum to 1. Risk levels:
``high`` from 50, ``medium`` from 25, else ``low``. The score ranks sites for due
diligence; it is not a probability, and a low score is no evidence that a site is free of
exploitation (incidents are reported where someone reports them).

Hotspot classes come either from an emerging hot spot analysis (a table ``h3_cell,
pattern``, with patterns such as ``"new hot spot"`` or ``"intensifying_hot"``, or the
hot/cold side in a separate column) or from Gi* (:class:`~workbench.analyse.getis_ord.
HotspotResults` or its ``table`` with ``hotspot_class``). A site inside an emerging
(new, consecutive or intensifying) hot spot, or a significant Gi* hot spot, raises an
alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.apply.sites import company_sites, validate_sites
from workbench.places.gazetteer import EARTH_RADIUS_KM, fold, radians
from workbench.share import maps
from workbench.share.disclosure import suppress_counts
from workbench.taxonomy import load_taxonomy

#: Default weights of the score components.
WEIGHTS = {"density": 0.25, "sector": 0.35, "recency": 0.15, "hotspot": 0.25}
#: Pattern words of emerging hot spot analysis, in the order they are searched for.
PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating",
            "historical")
#: Hotspot component of each (hot) emerging pattern; cold patterns score 0.
PATTERN_WEIGHTS = {"new": 1.0, "intensifying": 1.0, "consecutive": 0.9, "persistent": 0.8, "sporadic": 0.6,
                   "oscillating": 0.6, "diminishing": 0.4, "historical": 0.3}
#: Hotspot component of each Gi* class.
GI_WEIGHTS = {"hot_99": 1.0, "hot_95": 0.85, "hot_90": 0.6}
#: Share of a hot spot's weight given to a site whose own cell is not hot but touches one.
ADJACENT_FACTOR = 0.5
#: Emerging patterns that raise an alert (hot side only).
EMERGING = ("new", "consecutive", "intensifying")
#: Score thresholds of the risk levels.
LEVELS = ((50.0, "high"), (25.0, "medium"), (0.0, "low"))
#: Columns a hot/cold side may be given in, next to ``pattern``.
SIDE_COLUMNS = ("hot_cold", "side", "direction", "kind", "spot_type", "spot")


@dataclass
class SupplyChainResults:
    """Results of :class:`SupplyChainRisk`.

    Attributes
    ----------
    sites : pandas.DataFrame
        One row per site, highest score first: ``site_id, name, product, sector,
        country_iso3, lat, lon, location_source, h3_cell, nearest_km, within_<b>km``
        (one per band), ``same_sector, recent, density, hotspot_class,
        score_density, score_sector, score_recency, score_hotspot, score, risk_level,
        alert``.
    evidence : pandas.DataFrame
        Aggregated counts per site: ``site_id, name, dimension, category, incidents``;
        dimensions ``band`` (within each band), ``sector``, ``type`` (exploitation type)
        and ``period`` (recent or earlier), the last three within the widest band. No
        text from incidents.
    alerts : pandas.DataFrame
        ``site_id, name, hotspot_class, h3_cell, reason, score`` for sites inside an
        emerging or significant hot spot.
    bands_km : tuple of float
        Distance bands.
    as_of : pandas.Timestamp
        End of the recency window.
    note : str
        What was left out (incidents without coordinates) and how to read the score.
    """

    sites: pd.DataFrame
    evidence: pd.DataFrame
    alerts: pd.DataFrame
    bands_km: tuple[float, ...]
    as_of: pd.Timestamp
    note: str = ""


def _side_of(row_text: str, side_value: Any) -> str:
    if side_value is not None and not (isinstance(side_value, float) and np.isnan(side_value)):
        if isinstance(side_value, (bool, np.bool_)):
            return "hot" if side_value else "cold"
        text = str(side_value).lower()
        if "cold" in text:
            return "cold"
        if "hot" in text:
            return "hot"
    if "cold" in row_text:
        return "cold"
    return "hot"  # emerging hot spot tables often list hot patterns only


def hotspot_lookup(hotspots: Any) -> pd.DataFrame:
    """Normalise emerging-hotspot patterns or Gi* classes to one lookup table.

    Parameters
    ----------
    hotspots : pandas.DataFrame or HotspotResults
        ``h3_cell, pattern`` (emerging hot spot analysis; patterns like ``"new hot
        spot"``, ``"intensifying_hot"``, ``"persistent cold spot"``, or the side in a
        column ``hot_cold``/``side``/``direction``/``kind``/``spot_type``/``spot`` or a
        boolean ``hot``/``is_hot``), or Gi* results / a table with ``h3_cell,
        hotspot_class`` (and optionally ``significant``).

    Returns
    -------
    pandas.DataFrame
        ``h3_cell, hotspot_class, weight, alert, reason``: the class as a canonical
        label (``new_hot``, ``persistent_cold``, ``hot_99``, ...), its hotspot component,
        whether it raises an alert, and why. Cells without a pattern are left out.

    Raises
    ------
    ValueError
        On a missing column, an invalid H3 cell or an unknown pattern (row named).
    """
    import h3

    table = hotspots.table if hasattr(hotspots, "table") and not isinstance(hotspots, pd.DataFrame) else hotspots
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"hotspot_classes must be a DataFrame or Gi* HotspotResults, got {type(hotspots).__name__}")
    if "h3_cell" not in table.columns or not ({"pattern", "hotspot_class"} & set(table.columns)):
        raise ValueError(f"hotspot_classes needs columns h3_cell and pattern (or hotspot_class); "
                         f"it has {list(table.columns)}")
    rows = []
    gi = "pattern" not in table.columns
    side_col = next((c for c in SIDE_COLUMNS + ("hot", "is_hot") if c in table.columns), None)
    for i, rec in enumerate(table.itertuples(index=False)):
        cell = getattr(rec, "h3_cell")
        if not isinstance(cell, str) or not h3.is_valid_cell(cell):
            raise ValueError(f"hotspot_classes row {i}: field 'h3_cell'={cell!r}: expected a valid H3 cell")
        if gi:
            cls = getattr(rec, "hotspot_class")
            significant = bool(getattr(rec, "significant", True))
            if not isinstance(cls, str) or not cls.startswith("hot"):
                continue
            alert = significant and cls in GI_WEIGHTS
            rows.append((cell, cls, GI_WEIGHTS.get(cls, 0.0), alert,
                         f"significant Gi* hot spot ({cls})" if alert else ""))
            continue
        raw = getattr(rec, "pattern")
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            continue
        text = fold(str(raw)).replace("_", " ").replace("-", " ")
        if not text or text.startswith("no pattern") or text in ("none", "not significant", "no trend"):
            continue
        word = next((p for p in PATTERNS if p in text.split()), None)
        if word is None:
            raise ValueError(f"hotspot_classes row {i}: field 'pattern'={raw!r}: expected one of "
                             f"{list(PATTERNS)} with hot/cold (e.g. 'new hot spot')")
        side = _side_of(text, getattr(rec, side_col) if side_col else None)
        alert = side == "hot" and word in EMERGING
        rows.append((cell, f"{word}_{side}", PATTERN_WEIGHTS[word] if side == "hot" else 0.0, alert,
                     f"{'emerging' if alert else ''} {word} hot spot".strip() if alert else ""))
    out = pd.DataFrame(rows, columns=["h3_cell", "hotspot_class", "weight", "alert", "reason"])
    return out.sort_values("weight", ascending=False).drop_duplicates("h3_cell").reset_index(drop=True)


class SupplyChainRisk:
    """Score supplier sites by the trafficking incidents around them.

    Settings go to the constructor; the data (sites, incidents, hot spot classes) to
    :meth:`fit`, which returns a :class:`SupplyChainResults`.

    Parameters
    ----------
    bands_km : sequence of float
        Distance bands, increasing; counts are "within b km"; the widest band bounds
        everything else.
    recency_months : int
        Incidents of the last ``recency_months`` before ``as_of`` count as recent.
    as_of : str or Timestamp, optional
        End of the recency window (default: the latest ``occurred_on``).
    decay_km : float
        Distance scale of the density's exponential decay.
    half_density : float
        Decayed density at which the density component is 0.5.
    h3_resolution : int
        Resolution of the site's ``h3_cell`` column (hotspot tables are looked up at
        their own resolution).
    weights : mapping, optional
        Component weights (keys of :data:`WEIGHTS`); normalised to sum to 1.

    Examples
    --------
    >>> res = SupplyChainRisk().fit(sites, incidents)  # doctest: +SKIP
    >>> res.sites[["name", "score", "risk_level"]].head()  # doctest: +SKIP
    """

    def __init__(self, bands_km: Sequence[float] = (10, 50, 150),
                 recency_months: int = 12, as_of: str | pd.Timestamp | None = None,
                 decay_km: float = 25.0, half_density: float = 5.0, h3_resolution: int = 5,
                 weights: Mapping[str, float] | None = None) -> None:
        bands = tuple(float(b) for b in bands_km)
        if not bands or any(b <= 0 for b in bands) or list(bands) != sorted(set(bands)):
            raise ValueError(f"bands_km must be positive and increasing, got {tuple(bands_km)}")
        if int(recency_months) < 1:
            raise ValueError(f"recency_months must be >= 1, got {recency_months}")
        if decay_km <= 0 or half_density <= 0:
            raise ValueError("decay_km and half_density must be positive")
        weights = dict(WEIGHTS if weights is None else weights)
        unknown = set(weights) - set(WEIGHTS)
        if unknown or any(v < 0 for v in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError(f"weights must be non-negative, keyed by {sorted(WEIGHTS)}; got {weights}")
        self.bands_km = bands
        self.recency_months = int(recency_months)
        self.as_of = as_of
        self.decay_km = float(decay_km)
        self.half_density = float(half_density)
        self.h3_resolution = int(h3_resolution)
        total = sum(weights.values())
        self.weights = {k: weights.get(k, 0.0) / total for k in WEIGHTS}

    @staticmethod
    def _located(inc: pd.DataFrame) -> tuple[pd.DataFrame, int]:
        missing = {"lat", "lon"} - set(inc.columns)
        if missing:
            raise ValueError(f"incidents lack column(s) {sorted(missing)}")
        lat = pd.to_numeric(inc["lat"], errors="coerce")
        lon = pd.to_numeric(inc["lon"], errors="coerce")
        ok = lat.between(-90, 90) & lon.between(-180, 180)
        types = inc["exploitation_types"] if "exploitation_types" in inc.columns else pd.Series(
            [[]] * len(inc), index=inc.index)
        out = pd.DataFrame({
            "lat": lat, "lon": lon,
            "sector": (inc["sector"].astype("object").where(inc["sector"].notna(), "unknown")
                       if "sector" in inc.columns else "unknown"),
            "occurred_on": pd.to_datetime(inc["occurred_on"]) if "occurred_on" in inc.columns else pd.NaT,
            "types": types,
        })[ok.to_numpy()].reset_index(drop=True)
        return out, int((~ok).sum())

    def fit(self, sites: pd.DataFrame, incidents: pd.DataFrame, hotspot_classes: Any = None) -> SupplyChainResults:
        """Locate the sites, measure the incidents around them and score them.

        Parameters
        ----------
        sites : pandas.DataFrame
            See :func:`validate_sites`.
        incidents : pandas.DataFrame
            Store incidents (``lat, lon, sector, exploitation_types, occurred_on``); rows
            without coordinates are left out (counted in the note).
        hotspot_classes : pandas.DataFrame, HotspotResults or a list of them, optional
            Emerging hot spot patterns and/or Gi* results (see :func:`hotspot_lookup`); with
            several, a cell keeps its strongest class and alerts when any source alerts.

        Returns
        -------
        SupplyChainResults
            Sites ranked by score, aggregated evidence and alerts.
        """
        import h3

        table = validate_sites(sites)
        inc, unlocated = self._located(incidents)
        as_of = pd.Timestamp(self.as_of) if self.as_of else (
            inc["occurred_on"].max() if inc["occurred_on"].notna().any() else pd.Timestamp.now().normalize())
        recent_from = as_of - pd.DateOffset(months=self.recency_months)
        widest = self.bands_km[-1]
        n_sites = len(table)
        nearest, pairs = _site_pairs(table, inc, widest)
        pairs["sector"] = inc["sector"].to_numpy()[pairs["inc"].to_numpy()] if len(pairs) else []
        pairs["occurred_on"] = inc["occurred_on"].to_numpy()[pairs["inc"].to_numpy()] if len(pairs) else []
        pairs["weight"] = np.exp(-pairs["km"].to_numpy(float) / self.decay_km)
        site_sector = table.set_index("site_id")["sector"]
        pairs["same_sector"] = pairs["sector"].to_numpy() == site_sector.reindex(pairs["site_id"]).to_numpy()
        pairs["recent"] = (pd.to_datetime(pairs["occurred_on"]) > recent_from).fillna(False).to_numpy(bool) & \
                          (pd.to_datetime(pairs["occurred_on"]) <= as_of).fillna(False).to_numpy(bool)

        out = table.copy()  # site_id is 0..n-1: per-site sums are bincounts over the pairs
        out["h3_cell"] = [h3.latlng_to_cell(a, b, self.h3_resolution) for a, b in zip(out["lat"], out["lon"])]
        out["nearest_km"] = np.round(nearest, 2)
        sid, km = pairs["site_id"].to_numpy(int), pairs["km"].to_numpy(float)
        weight, same, recent = pairs["weight"].to_numpy(float), pairs["same_sector"].to_numpy(bool), \
            pairs["recent"].to_numpy(bool)

        def per_site(values: np.ndarray) -> np.ndarray:
            return np.bincount(sid, weights=values, minlength=n_sites)

        for b in self.bands_km:
            out[f"within_{b:g}km"] = per_site((km <= b).astype(float)).round().astype(int)
        out["same_sector"] = per_site(same.astype(float)).round().astype(int)
        out["recent"] = per_site(recent.astype(float)).round().astype(int)
        dens, sect, rec = per_site(weight), per_site(weight * same), per_site(weight * recent)
        out["density"] = np.round(dens, 3)

        hot = self._hotspots(out, hotspot_classes)
        out["hotspot_class"] = hot["cls"]
        out["adjacent_hotspot_class"] = hot["adjacent"]
        out["score_density"] = dens / (dens + self.half_density)
        out["score_sector"] = sect / (dens + 1.0)
        out["score_recency"] = rec / (dens + 1.0)
        out["score_hotspot"] = hot["weight"]
        w = self.weights
        score = 100 * (w["density"] * out["score_density"] + w["sector"] * out["score_sector"]
                       + w["recency"] * out["score_recency"] + w["hotspot"] * out["score_hotspot"])
        out["score"] = np.round(score.to_numpy(float), 1)
        for col in ("score_density", "score_sector", "score_recency", "score_hotspot"):
            out[col] = out[col].astype(float).round(3)
        out["risk_level"] = [next(label for cut, label in LEVELS if s >= cut) for s in out["score"]]
        out["alert"] = hot["alert"]
        out = out.sort_values(["score", "name"], ascending=[False, True]).reset_index(drop=True)
        alerts = out.loc[out["alert"], ["site_id", "name", "hotspot_class", "h3_cell", "score"]].copy()
        alerts.insert(4, "reason", [hot["reason"][i] for i in alerts["site_id"]])
        note = (f"{len(inc)} located incidents scored within {widest:g} km of {n_sites} site(s)"
                + (f"; {unlocated} incident(s) without coordinates left out" if unlocated else "")
                + f". Recent means after {recent_from.date()}. The score (0-100) ranks sites for due "
                  "diligence; it is not a probability, and a low score does not show a site is free of "
                  "exploitation.")
        return SupplyChainResults(sites=out, evidence=self._evidence(pairs, inc, table), alerts=alerts.reset_index(
            drop=True), bands_km=self.bands_km, as_of=as_of, note=note)

    @staticmethod
    def _hotspots(sites: pd.DataFrame, hotspot_classes: Any) -> dict[str, Any]:
        import h3

        n = len(sites)
        out: dict[str, Any] = {"cls": [pd.NA] * n, "adjacent": [pd.NA] * n, "weight": np.zeros(n),
                               "alert": np.zeros(n, dtype=bool), "reason": {}}
        if hotspot_classes is None:
            return out
        sources = hotspot_classes if isinstance(hotspot_classes, (list, tuple)) else [hotspot_classes]
        lookup = pd.concat([hotspot_lookup(s) for s in sources if s is not None], ignore_index=True)
        if lookup.empty:
            return out
        # a cell named by several sources (Gi* and emerging) keeps its strongest class; any alert stands
        alert = lookup.groupby("h3_cell")["alert"].transform("any")
        lookup = (lookup.assign(alert=alert).sort_values(["weight", "alert"], ascending=False)
                  .drop_duplicates("h3_cell").reset_index(drop=True))
        lookup["resolution"] = [h3.get_resolution(c) for c in lookup["h3_cell"]]
        by_cell = lookup.set_index("h3_cell")
        resolutions = sorted(set(lookup["resolution"]))
        for i, (site_id, lat, lon) in enumerate(zip(sites["site_id"], sites["lat"], sites["lon"])):
            inside = adjacent = 0.0
            for res in resolutions:
                cell = h3.latlng_to_cell(lat, lon, int(res))
                if cell in by_cell.index and by_cell.at[cell, "weight"] >= inside:
                    hit = by_cell.loc[cell]
                    out["cls"][i], inside = hit["hotspot_class"], float(hit["weight"])
                    if hit["alert"]:
                        out["alert"][i] = True
                        text = hit["reason"]
                        out["reason"][int(site_id)] = f"inside an {text}" if text[0] in "aeiou" else f"inside a {text}"
                for ring in h3.grid_ring(cell, 1):
                    if ring in by_cell.index and by_cell.at[ring, "weight"] > adjacent:
                        adjacent = float(by_cell.at[ring, "weight"])
                        out["adjacent"][i] = by_cell.at[ring, "hotspot_class"]
            out["weight"][i] = max(inside, ADJACENT_FACTOR * adjacent)
        return out

    def _evidence(self, pairs: pd.DataFrame, inc: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for b in self.bands_km:
            within = pairs[pairs["km"] <= b].groupby("site_id").size()
            parts.append(pd.DataFrame({"site_id": table["site_id"], "dimension": "band",
                                       "category": f"within {b:g} km",
                                       "incidents": within.reindex(table["site_id"]).fillna(0).astype(int).to_numpy()}))
        if len(pairs):
            sector = pairs.groupby(["site_id", "sector"]).size().rename("incidents").reset_index()
            parts.append(sector.rename(columns={"sector": "category"}).assign(dimension="sector"))
            types = pd.DataFrame({"site_id": pairs["site_id"],
                                  "category": inc["types"].to_numpy()[pairs["inc"].to_numpy()]})
            types = types.explode("category").dropna(subset=["category"])
            parts.append(types.groupby(["site_id", "category"]).size().rename("incidents").reset_index()
                         .assign(dimension="type"))
            period = np.where(pairs["recent"], f"last {self.recency_months} months", "earlier")
            parts.append(pd.DataFrame({"site_id": pairs["site_id"], "category": period}).groupby(
                ["site_id", "category"]).size().rename("incidents").reset_index().assign(dimension="period"))
        ev = pd.concat(parts, ignore_index=True)
        ev["incidents"] = ev["incidents"].astype(int)
        ev = ev.merge(table[["site_id", "name"]], on="site_id")
        order = {"band": 0, "period": 1, "sector": 2, "type": 3}
        ev = ev.assign(_o=ev["dimension"].map(order)).sort_values(
            ["site_id", "_o", "incidents"], ascending=[True, True, False])
        return ev[["site_id", "name", "dimension", "category", "incidents"]].reset_index(drop=True)


def _site_pairs(table: pd.DataFrame, inc: pd.DataFrame, widest: float) -> tuple[np.ndarray, pd.DataFrame]:
    """Distance to each site's nearest incident, and every (site, incident) pair within ``widest`` km."""
    from sklearn.neighbors import BallTree

    site_xy = radians(table["lat"].to_numpy(float), table["lon"].to_numpy(float))
    if not len(inc):
        return np.full(len(table), np.nan), pd.DataFrame({"site_id": pd.Series(dtype=int), "inc": pd.Series(dtype=int),
                                                          "km": pd.Series(dtype=float)})
    tree = BallTree(radians(inc["lat"].to_numpy(float), inc["lon"].to_numpy(float)), metric="haversine")
    nearest = tree.query(site_xy, k=1)[0][:, 0] * EARTH_RADIUS_KM
    idx, dist = tree.query_radius(site_xy, r=widest / EARTH_RADIUS_KM, return_distance=True)
    lengths = np.array([len(a) for a in idx])
    return nearest, pd.DataFrame({
        "site_id": np.repeat(table["site_id"].to_numpy(), lengths),
        "inc": np.concatenate(idx).astype(int) if lengths.sum() else np.array([], dtype=int),
        "km": np.concatenate(dist) * EARTH_RADIUS_KM if lengths.sum() else np.array([], dtype=float),
    })


def site_table(results: SupplyChainResults, policy: Any, top: int | None = None) -> pd.DataFrame:
    """Sites ranked by risk, safe to show to the policy's audience.

    Parameters
    ----------
    results : SupplyChainResults
        From :meth:`SupplyChainRisk.fit`.
    policy : DisclosurePolicy
        The audience's policy: counts below k are withheld; when it drops coordinates,
        the nearest incident distance is shown as a band only.
    top : int, optional
        Rows kept.

    Returns
    -------
    pandas.DataFrame
        ``site, product, sector, country, located`` (given or city), ``nearest``
        (incident, as a band), ``within <b> km`` counts, ``same sector, recent, hot spot``
        (class of the site's cell), ``next to`` (strongest class of the adjacent cells),
        ``score, risk``; no rank column (the order is the
        rank) and no coordinates.
    """
    s = results.sites if top is None else results.sites.head(top)
    bands = [f"within_{b:g}km" for b in results.bands_km]
    out = pd.DataFrame({"site": s["name"], "product": s["product"], "sector": s["sector"],
                        "country": s["country_iso3"], "located": s["location_source"]})
    if policy.drop_coordinates:
        out["nearest"] = [_band_label(d, results.bands_km) for d in s["nearest_km"]]
    else:
        out["nearest (km)"] = s["nearest_km"].round(1)
    for col in bands:
        out[col.replace("_", " ").replace("km", " km")] = s[col].astype(int)
    out["same sector"] = s["same_sector"].astype(int)
    out["recent"] = s["recent"].astype(int)
    out["hot spot"] = s["hotspot_class"].fillna("none").astype(str)
    out["next to"] = s["adjacent_hotspot_class"].fillna("none").astype(str)
    out["score"] = s["score"].map(lambda v: f"{v:.1f}")
    out["risk"] = s["risk_level"]
    counts = [c for c in out.columns if pd.api.types.is_integer_dtype(out[c])]
    return (suppress_counts(out, counts, policy.k) if policy.suppress else out).reset_index(drop=True)


def _band_label(km: float, bands: tuple[float, ...]) -> str:
    if km is None or pd.isna(km):
        return "none known"
    lower = 0.0
    for b in bands:
        if km <= b:
            return f"{lower:g}-{b:g} km"
        lower = b
    return f"over {bands[-1]:g} km"


def evidence_table(results: SupplyChainResults, policy: Any, site: str | None = None) -> pd.DataFrame:
    """The aggregated evidence behind the scores, safe for the audience.

    Parameters
    ----------
    results : SupplyChainResults
        From :meth:`SupplyChainRisk.fit`.
    policy : DisclosurePolicy
        Counts below k are withheld.
    site : str, optional
        One site's name (default: every site).

    Returns
    -------
    pandas.DataFrame
        ``site, dimension, category, incidents`` with sector and type codes labelled;
        counts below k withheld, and within each site's sectors and periods (which add up
        to the widest band's shown total) a lone withheld count is joined by the next
        smallest, so that it cannot be worked out by subtraction.
    """
    tax = load_taxonomy()
    ev = results.evidence if site is None else results.evidence[results.evidence["name"] == site]
    label = {"sector": "sectors", "type": "exploitation_types"}
    out = pd.DataFrame({
        "site": ev["name"], "dimension": ev["dimension"],
        "category": [tax.label(label[d], c) if d in label else c for d, c in zip(ev["dimension"], ev["category"])],
        "incidents": ev["incidents"].astype(int),
    }).reset_index(drop=True)
    if not policy.suppress:
        return out
    safe = suppress_counts(out, ["incidents"], policy.k)
    # sectors and periods partition the widest band, whose total is shown: a lone withheld
    # cell among them would follow by subtraction, so withhold the next smallest as well
    for (_site, dim), group in safe.groupby(["site", "dimension"], sort=False):
        if dim not in ("sector", "period"):
            continue
        withheld = group["incidents"].isna()
        if int(withheld.sum()) == 1 and len(group) > 1:
            open_rows = group.loc[~withheld, "incidents"].astype(float)
            safe.loc[open_rows.idxmin(), "incidents"] = pd.NA
    return safe


#: Map colours of the risk levels.
LEVEL_COLOURS = {"high": "#762a83", "medium": "#e08214", "low": "#1b7837"}  # not the hot spot reds


def add_sites(m: Any, results: SupplyChainResults) -> Any:
    """Draw the sites on an offline map, coloured by risk level, with a legend.

    Parameters
    ----------
    m : folium.Map
        From :func:`workbench.share.maps.offline_map`.
    results : SupplyChainResults
        From :meth:`SupplyChainRisk.fit`.

    Returns
    -------
    folium.Map
        ``m``; each site's popup shows its name, product, score and risk level (escaped),
        no incident data.
    """
    s = results.sites
    shown = pd.DataFrame({"lat": s["lat"], "lon": s["lon"], "site": s["name"], "product": s["product"],
                          "score": s["score"].map(lambda v: f"{v:.1f}"), "risk": s["risk_level"]})
    for level, colour in LEVEL_COLOURS.items():
        part = shown[shown["risk"] == level]
        if len(part):
            maps.add_points(m, part, popup_cols=["site", "product", "score", "risk"], colour=colour)
    maps.add_legend(m, "Supplier sites by risk",
                    [(level, colour) for level, colour in LEVEL_COLOURS.items() if (shown["risk"] == level).any()])
    return m


def alert_table(results: SupplyChainResults) -> pd.DataFrame:
    """Alerts for a report.

    Parameters
    ----------
    results : SupplyChainResults
        From :meth:`SupplyChainRisk.fit`.

    Returns
    -------
    pandas.DataFrame
        ``site, hotspot class, h3 cell, reason, score`` (text; no counts).
    """
    a = results.alerts
    return pd.DataFrame({"site": a["name"], "hotspot class": a["hotspot_class"], "h3 cell": a["h3_cell"],
                         "reason": a["reason"], "score": a["score"].map(lambda v: f"{v:.1f}")}).reset_index(drop=True)


def weights_table(model: SupplyChainRisk) -> pd.DataFrame:
    """The score's components and weights, for a report's method note.

    Parameters
    ----------
    model : SupplyChainRisk
        The fitted model's settings.

    Returns
    -------
    pandas.DataFrame
        ``component, weight, meaning``.
    """
    meaning = {
        "density": f"incidents nearby, decayed with distance (scale {model.decay_km:g} km)",
        "sector": "share of nearby incidents in the site's own sector",
        "recency": f"share of nearby incidents in the last {model.recency_months} months",
        "hotspot": "hot spot class of the site's H3 cell",
    }
    return pd.DataFrame({"component": list(model.weights), "weight": [f"{w:.2f}" for w in model.weights.values()],
                         "meaning": [meaning[k] for k in model.weights]})
