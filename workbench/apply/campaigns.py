"""Where to run geo-targeted prevention campaigns, and the files that brief them.

:class:`CampaignTargeting` ranks places (H3 cells, resolution 5 by default, or cities) by
four components, each in [0, 1], weighted into a score from 0 to 100:

=================  ======  ==============================================================
component          weight  definition
=================  ======  ==============================================================
``hotspot``        0.40    Gi* z of the place (cells: the cell's own; cities: the largest
                           over the cells of their incidents), negative z counted as 0,
                           divided by the largest z among the candidates
``volume``         0.15    ``log(1 + n) / log(1 + max n)``: incidents in the place
``recruitment``    0.25    share of incidents (with a known method) recruited in ways
                           advertising can counter (:data:`COUNTERABLE`: false job
                           offers, online/social media contact, recruitment agencies,
                           study or travel offers)
``vulnerability``  0.20    mean of the child share (child age bands or child exploitation
                           types) and the place's country's outflow of victims exploited
                           abroad (relative to the largest country of origin)
=================  ======  ==============================================================

Shares are shrunk towards the all-places share with a prior of ``prior`` incidents
(empirical Bayes), so a small place with a few matching incidents does not top the list.
Only places with at least ``min_incidents`` (default k = 10) incidents are candidates.

:func:`workbench.apply.campaign_export.export_targets` writes the targets as GeoJSON (a
circle polygon of ``radius_km`` round each centre) and CSV, for advertising platforms. These files leave the building,
so counts are coarsened (rounded down to a multiple of k) and places below k never
appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.places.gazetteer import EARTH_RADIUS_KM, cities, countries, radians
from workbench.places.naming import area_city
from workbench.share import maps
from workbench.share.disclosure import suppress_counts
from workbench.taxonomy import load_taxonomy

#: Default weights of the score components.
WEIGHTS = {"hotspot": 0.40, "volume": 0.15, "recruitment": 0.25, "vulnerability": 0.20}
#: Recruitment methods that awareness advertising can counter.
COUNTERABLE = ("false_job_offer", "online_social_media", "recruitment_agency", "education_or_travel_offer")
#: Age bands and exploitation types that mark child victims.
CHILD_BANDS = ("child_0_11", "child_12_17")
CHILD_TYPES = ("child_exploitation", "online_child_sexual_exploitation")
#: Source types whose report language is the language people of the place write in
#: (partner case files and news are written in the partner's or the paper's language).
LANGUAGE_SOURCES = ("app", "community")


@dataclass
class TargetResults:
    """Results of :class:`CampaignTargeting`.

    Attributes
    ----------
    targets : pandas.DataFrame
        One row per candidate place, best first: ``rank, place_id, place, country_iso3,
        h3_cell, centre_lat, centre_lon, radius_km, language, language_source,
        incidents, gi_z, hotspot_class, recruitment_share, child_share, origin_score,
        score_hotspot, score_volume, score_recruitment, score_vulnerability, score``.
        Exact counts: internal; use :func:`target_table` or
        :func:`workbench.apply.campaign_export.export_targets`
        to show or share them.
    unit : str
        ``h3`` or ``city``.
    resolution : int
        H3 resolution of the cells (and of the Gi* test).
    note : str
        What was left out and how to read the score.
    """

    targets: pd.DataFrame
    unit: str
    resolution: int
    note: str = ""


def country_languages() -> dict[str, str]:
    """Return ISO3 -> main language (ISO 639-1) from the gazetteer's country table.

    Returns
    -------
    dict
        The first language GeoNames lists for each country (e.g. ``ESP -> es``).
    """
    table = countries()
    out = {}
    for iso3, langs in zip(table["iso3"], table["languages"]):
        first = str(langs or "").split(",")[0].strip()
        if first:
            out[iso3] = first.split("-")[0].lower()
    return out


def _mode(values: pd.Series) -> Any:
    values = values.dropna()
    if values.empty:
        return pd.NA
    counts = values.value_counts()
    return sorted(counts[counts == counts.max()].index)[0]


def _origin_outflow(inc: pd.DataFrame) -> pd.Series:
    """Origin outflow per country (victims from it exploited elsewhere), scaled to 1 at the largest."""
    origin = pd.Series(dtype=float)
    if {"origin_country_iso3", "country_iso3"} <= set(inc.columns):
        o = inc.dropna(subset=["origin_country_iso3", "country_iso3"])
        o = o[o["origin_country_iso3"] != o["country_iso3"]]
        origin = o["origin_country_iso3"].value_counts().astype(float)
        origin = origin / origin.max() if len(origin) else origin
    return origin


def _rounded(places: pd.DataFrame) -> pd.DataFrame:
    """Scores and shares rounded for the table (3 decimals; score 1, Gi* z 2)."""
    for col in ("recruitment_share", "child_share", "origin_score", "score_hotspot", "score_volume",
                "score_recruitment", "score_vulnerability"):
        places[col] = places[col].astype(float).round(3)
    places["score"] = places["score"].astype(float).round(1)
    places["gi_z"] = places["gi_z"].astype(float).round(2)
    places["incidents"] = places["incidents"].astype(int)
    return places


def _cells(incidents: pd.DataFrame, resolution: int) -> pd.Series:
    import h3

    cells = pd.Series(pd.NA, index=incidents.index, dtype="object")
    if "h3_cell" in incidents.columns:
        cells = incidents["h3_cell"].astype(object).map(
            lambda c: h3.cell_to_parent(str(c), resolution) if isinstance(c, str) and c
            and h3.get_resolution(c) >= resolution else pd.NA)
    if {"lat", "lon"} <= set(incidents.columns):
        lat = pd.to_numeric(incidents["lat"], errors="coerce")
        lon = pd.to_numeric(incidents["lon"], errors="coerce")
        todo = cells.isna() & lat.between(-90, 90) & lon.between(-180, 180)
        cells.loc[todo] = [h3.latlng_to_cell(a, b, resolution) for a, b in zip(lat[todo], lon[todo])]
    return cells


#: Columns of :attr:`TargetResults.targets`.
TARGET_COLUMNS = ("rank", "place_id", "place", "country_iso3", "h3_cell", "centre_lat", "centre_lon", "radius_km",
                  "language", "language_source", "incidents", "gi_z", "hotspot_class", "recruitment_share",
                  "child_share", "origin_score", "score_hotspot", "score_volume", "score_recruitment",
                  "score_vulnerability", "score")


def _empty_targets() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TARGET_COLUMNS})
    for c in ("rank", "incidents"):
        frame[c] = frame[c].astype(int)
    for c in ("centre_lat", "centre_lon", "radius_km", "gi_z", "recruitment_share", "child_share", "origin_score",
              "score_hotspot", "score_volume", "score_recruitment", "score_vulnerability", "score"):
        frame[c] = frame[c].astype(float)
    return frame


class CampaignTargeting:
    """Rank places for geo-targeted prevention campaigns.

    Parameters
    ----------
    resolution : int
        H3 resolution of the places (``unit="h3"``) and of the Gi* test.
    unit : str
        ``"h3"`` (cells) or ``"city"`` (incidents assigned to the nearest gazetteer city
        of ``min_city_population`` or more within ``city_km``).
    min_incidents : int
        Smallest number of incidents for a candidate place (the disclosure k).
    weights : mapping, optional
        Component weights (keys of :data:`WEIGHTS`), normalised to sum to 1.
    counterable : sequence of str
        Recruitment methods advertising can counter.
    prior : float
        Pseudo-incidents of the all-places share added to each place's shares.
    alpha : float
        False discovery rate of the Gi* test run when no hotspots are given.
    min_city_population, city_km : int, float
        City assignment (``unit="city"``).

    Examples
    --------
    >>> res = CampaignTargeting().fit(incidents)  # doctest: +SKIP
    >>> res.targets.head(15)  # doctest: +SKIP
    """

    def __init__(self, resolution: int = 5, unit: str = "h3", min_incidents: int = 10,
                 weights: Mapping[str, float] | None = None, counterable: Sequence[str] = COUNTERABLE,
                 prior: float = 10.0, alpha: float = 0.05, min_city_population: int = 100000,
                 city_km: float = 50.0) -> None:
        if unit not in ("h3", "city"):
            raise ValueError(f"unit must be 'h3' or 'city', got {unit!r}")
        if not 0 <= int(resolution) <= 15:
            raise ValueError(f"resolution must be 0-15, got {resolution}")
        if int(min_incidents) < 1 or prior < 0:
            raise ValueError("min_incidents must be >= 1 and prior >= 0")
        methods = load_taxonomy().codes("recruitment_methods")
        bad = [m for m in counterable if m not in methods]
        if bad:
            raise ValueError(f"counterable: {bad} not in our recruitment_methods {methods}")
        weights = dict(WEIGHTS if weights is None else weights)
        if set(weights) - set(WEIGHTS) or any(v < 0 for v in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError(f"weights must be non-negative, keyed by {sorted(WEIGHTS)}; got {weights}")
        total = sum(weights.values())
        self.weights = {k: weights.get(k, 0.0) / total for k in WEIGHTS}
        self.resolution, self.unit = int(resolution), unit
        self.min_incidents, self.prior, self.alpha = int(min_incidents), float(prior), alpha
        self.counterable = tuple(counterable)
        self.min_city_population, self.city_km = int(min_city_population), float(city_km)

    def _hotspots(self, incidents: pd.DataFrame, cells: pd.Series, hotspots: Any) -> pd.DataFrame:
        import h3

        if hotspots is None:
            counts = cells.dropna().value_counts().rename_axis("h3_cell").rename("count").reset_index()
            if counts.empty:
                return pd.DataFrame(columns=["h3_cell", "gi_z", "hotspot_class"])
            hotspots = GetisOrdHotspots(alpha=self.alpha, permutations=0).fit(counts)
        table = hotspots.table if hasattr(hotspots, "table") else hotspots
        if not {"h3_cell", "gi_z"} <= set(table.columns):
            raise ValueError(f"hotspots need columns h3_cell and gi_z (Gi* results); got {list(table.columns)}")
        res = {h3.get_resolution(c) for c in table["h3_cell"].head(50)}
        if res and res != {self.resolution}:
            raise ValueError(f"hotspots are at H3 resolution {sorted(res)}, targeting at {self.resolution}; "
                             "use the same resolution")
        cls = table["hotspot_class"] if "hotspot_class" in table.columns else "not_significant"
        return pd.DataFrame({"h3_cell": table["h3_cell"], "gi_z": table["gi_z"].astype(float), "hotspot_class": cls})

    def _incident_frame(self, inc: pd.DataFrame, cells: Any, hot: pd.DataFrame) -> pd.DataFrame:
        """One row per incident: cell, Gi* z, country, language, recruitment and child flags, place."""
        frame = pd.DataFrame({"cell": cells})
        z_by_cell = hot.set_index("h3_cell")["gi_z"]
        frame["z"] = z_by_cell.reindex(frame["cell"]).to_numpy()
        frame["country"] = inc["country_iso3"].astype(object) if "country_iso3" in inc.columns else pd.NA
        frame["language"] = inc["language"].astype(object) if "language" in inc.columns else pd.NA
        if "source_type" in inc.columns:  # partners and news write in their own language, not the place's
            frame["language"] = frame["language"].where(inc["source_type"].isin(LANGUAGE_SOURCES).to_numpy(), pd.NA)
        method = inc["recruitment_method"].astype(object) if "recruitment_method" in inc.columns else pd.Series(
            pd.NA, index=inc.index)
        known = method.notna() & ~method.isin(["unknown"])
        frame["known_method"] = known.to_numpy()
        frame["counterable"] = (known & method.isin(self.counterable)).to_numpy()
        child = pd.Series(False, index=inc.index)
        if "victim_age_band" in inc.columns:
            child |= inc["victim_age_band"].isin(CHILD_BANDS).fillna(False).astype(bool)
        if "exploitation_types" in inc.columns:
            child |= inc["exploitation_types"].map(
                lambda ts: isinstance(ts, (list, tuple, np.ndarray)) and any(t in CHILD_TYPES for t in ts))
        frame["child"] = child.to_numpy()
        if self.unit == "h3":
            frame["place_id"] = frame["cell"]
        else:
            frame["place_id"] = self._assign_cities(inc)
        return frame

    def _place_geometry(self, places: pd.DataFrame) -> pd.DataFrame:
        """Add each place's centre, radius, H3 cell and name (cell centres or gazetteer cities)."""
        import h3

        if self.unit == "h3":
            centres = [h3.cell_to_latlng(c) for c in places["place_id"]]
            places["h3_cell"] = places["place_id"]
            places["radius_km"] = round(float(h3.average_hexagon_edge_length(self.resolution, "km")), 1)
            places["centre_lat"] = [round(a, 4) for a, _ in centres]
            places["centre_lon"] = [round(b, 4) for _, b in centres]
            # the nearest city of the cell's own country and first-level area (never one across a border)
            near = [area_city(a, b, min_population=0) for a, b in zip(places["centre_lat"], places["centre_lon"])]
            places["place"] = [("unnamed area" if c is None else f"near {c['name']}" if c["km"] > 10 else c["name"])
                               for c in near]
        else:
            gaz = cities().set_index("geonameid")
            rows = gaz.loc[places["place_id"].astype(int)]
            places["place"] = rows["name"].to_numpy()
            places["centre_lat"] = rows["lat"].round(4).to_numpy()
            places["centre_lon"] = rows["lon"].round(4).to_numpy()
            places["h3_cell"] = [h3.latlng_to_cell(a, b, self.resolution)
                                 for a, b in zip(places["centre_lat"], places["centre_lon"])]
            places["radius_km"] = float(round(min(self.city_km, 25.0), 1))
        return places

    def fit(self, incidents: pd.DataFrame, hotspots: Any = None,
            languages: Mapping[str, str] | None = None) -> TargetResults:
        """Score every place with enough incidents.

        Parameters
        ----------
        incidents : pandas.DataFrame
            Store incidents (``h3_cell`` or ``lat, lon``; ``country_iso3``,
            ``recruitment_method``, ``victim_age_band``, ``exploitation_types``,
            ``origin_country_iso3``, ``language`` when available).
        hotspots : HotspotResults, optional
            Gi* results at ``resolution``; computed from the incidents when omitted.
        languages : mapping, optional
            ISO3 -> language, used where a place has fewer than ``min_incidents``
            app or community reports with a language (:data:`LANGUAGE_SOURCES`;
            default :func:`country_languages`). Otherwise the most common language of
            those reports is the place's.

        Returns
        -------
        TargetResults
            Candidates ranked by score.
        """
        if incidents is None or len(incidents) == 0:
            raise ValueError("no incidents in scope: nothing to target")
        inc = incidents.reset_index(drop=True)
        cells = _cells(inc, self.resolution)
        hot = self._hotspots(inc, cells, hotspots)
        frame = self._incident_frame(inc, cells, hot)
        located = frame.dropna(subset=["place_id"])
        unlocated = len(frame) - len(located)

        g = located.groupby("place_id")
        places = pd.DataFrame({
            "incidents": g.size(),
            "gi_z": g["z"].max(),
            "country_iso3": g["country"].agg(_mode),
            "language_obs": g["language"].agg(_mode),
            "language_n": g["language"].count(),
            "known": g["known_method"].sum(),
            "counterable": g["counterable"].sum(),
            "child_n": g["child"].sum(),
        })
        places = places[places["incidents"] >= self.min_incidents].copy()
        if places.empty:
            return TargetResults(_empty_targets(), self.unit, self.resolution,
                                 f"no place has {self.min_incidents} or more incidents: no target")
        places = self._scored(places, located, _origin_outflow(inc))
        places = places.reset_index()
        places = self._place_geometry(places)
        cls = hot.set_index("h3_cell")["hotspot_class"]
        places["hotspot_class"] = cls.reindex(places["h3_cell"]).fillna("not_significant").to_numpy()
        fallback = dict(country_languages(), **dict(languages or {}))
        use_obs = places["language_n"] >= self.min_incidents
        places["language"] = np.where(use_obs, places["language_obs"],
                                      places["country_iso3"].map(lambda c: fallback.get(c, pd.NA)))
        places["language_source"] = np.where(use_obs, "reports", "country")
        places = places.sort_values(["score", "incidents"], ascending=[False, False]).reset_index(drop=True)
        places["rank"] = np.arange(1, len(places) + 1)
        places = _rounded(places)
        cols = list(TARGET_COLUMNS)
        note = (f"{len(places)} place(s) with {self.min_incidents}+ incidents ranked"
                + (f"; {unlocated} incident(s) without a location left out" if unlocated else "")
                + ". The score (0-100) weighs hotspot strength, volume, recruitment that advertising can "
                  "counter, and vulnerability; it orders places for planning, it is not a forecast.")
        return TargetResults(places[cols], self.unit, self.resolution, note)

    def _scored(self, places: pd.DataFrame, located: pd.DataFrame, origin: pd.Series) -> pd.DataFrame:
        """The four component scores (shrunk towards the overall shares by ``prior``) and their weighted sum."""
        p_recruit = located["counterable"].sum() / max(located["known_method"].sum(), 1)
        p_child = located["child"].mean() if len(located) else 0.0
        places["recruitment_share"] = (places["counterable"] + self.prior * p_recruit) / (places["known"] + self.prior)
        places["child_share"] = (places["child_n"] + self.prior * p_child) / (places["incidents"] + self.prior)
        places["origin_score"] = origin.reindex(places["country_iso3"]).fillna(0.0).to_numpy()
        zpos = places["gi_z"].fillna(0).clip(lower=0)
        places["score_hotspot"] = zpos / zpos.max() if zpos.max() > 0 else 0.0
        places["score_volume"] = np.log1p(places["incidents"]) / np.log1p(places["incidents"].max())
        places["score_recruitment"] = places["recruitment_share"]
        places["score_vulnerability"] = 0.5 * places["child_share"] + 0.5 * places["origin_score"]
        w = self.weights
        places["score"] = 100 * (w["hotspot"] * places["score_hotspot"] + w["volume"] * places["score_volume"]
                                 + w["recruitment"] * places["score_recruitment"]
                                 + w["vulnerability"] * places["score_vulnerability"])
        return places

    def _assign_cities(self, inc: pd.DataFrame) -> pd.Series:
        from sklearn.neighbors import BallTree

        gaz = cities()
        gaz = gaz[gaz["population"] >= self.min_city_population].reset_index(drop=True)
        out = pd.Series(pd.NA, index=inc.index, dtype="object")
        if not {"lat", "lon"} <= set(inc.columns) or gaz.empty:
            return out
        lat = pd.to_numeric(inc["lat"], errors="coerce")
        lon = pd.to_numeric(inc["lon"], errors="coerce")
        ok = lat.between(-90, 90) & lon.between(-180, 180)
        if not ok.any():
            return out
        tree = BallTree(radians(gaz["lat"].to_numpy(float), gaz["lon"].to_numpy(float)), metric="haversine")
        dist, idx = tree.query(radians(lat[ok].to_numpy(float), lon[ok].to_numpy(float)), k=1)
        near = dist[:, 0] * EARTH_RADIUS_KM <= self.city_km
        ids = gaz["geonameid"].to_numpy()[idx[:, 0]].astype(object)
        ids[~near] = pd.NA
        out.loc[ok[ok].index] = ids
        return out


def circle(lat: float, lon: float, radius_km: float, vertices: int = 64):  # -> shapely.Polygon
    """A geodesic circle as a polygon (lon, lat degrees).

    Parameters
    ----------
    lat, lon : float
        Centre.
    radius_km : float
        Radius on the sphere.
    vertices : int
        Number of vertices.

    Returns
    -------
    shapely.Polygon
        The circle, EPSG:4326 coordinates.
    """
    from shapely.geometry import Polygon

    phi1, lam1 = np.radians(lat), np.radians(lon)
    delta = radius_km / EARTH_RADIUS_KM
    theta = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    phi2 = np.arcsin(np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(theta))
    lam2 = lam1 + np.arctan2(np.sin(theta) * np.sin(delta) * np.cos(phi1), np.cos(delta) - np.sin(phi1) * np.sin(phi2))
    return Polygon(zip(np.degrees(lam2), np.degrees(phi2)))


def target_table(results: TargetResults | None, policy: Any, top: int = 15) -> pd.DataFrame:
    """Ranked targets for a report, safe for the audience.

    Parameters
    ----------
    results : TargetResults or None
        From :meth:`CampaignTargeting.fit` (None: nothing in scope, an empty table).
    policy : DisclosurePolicy
        The audience's policy: counts below k withheld; for audiences without
        coordinates, counts are also coarsened (rounded down to a multiple of k) as in
        the export.
    top : int
        Rows kept.

    Returns
    -------
    pandas.DataFrame
        ``place, country, h3 cell, radius (km), language, incidents, hotspot class,
        counterable recruitment, child share, score`` (no rank column: the order is
        the rank).
    """
    t = (results.targets if results is not None else _empty_targets()).head(top)
    n = t["incidents"].astype(int)
    if policy.drop_coordinates:
        n = (n // policy.k) * policy.k
    out = pd.DataFrame({
        "place": t["place"], "country": t["country_iso3"], "h3 cell": t["h3_cell"],
        "radius (km)": t["radius_km"].map(lambda v: f"{v:.1f}"), "language": t["language"],
        "incidents": n.astype(int), "hotspot class": t["hotspot_class"],
        "counterable recruitment": t["recruitment_share"].map(lambda v: f"{100 * v:.0f}%"),
        "child share": t["child_share"].map(lambda v: f"{100 * v:.0f}%"),
        "score": t["score"].map(lambda v: f"{v:.1f}"),
    }).reset_index(drop=True)
    return suppress_counts(out, ["incidents"], policy.k) if policy.suppress else out


def target_cells(results: TargetResults, top: int = 15):  # -> geopandas.GeoDataFrame
    """Circles of the top targets for a map (no counts).

    Parameters
    ----------
    results : TargetResults
        From :meth:`CampaignTargeting.fit`.
    top : int
        Targets drawn.

    Returns
    -------
    geopandas.GeoDataFrame
        ``place, language, score`` (text) and circle polygons, EPSG:4326.
    """
    import geopandas as gpd

    t = results.targets.head(top)
    return gpd.GeoDataFrame(
        {"place": t["place"].to_numpy(), "language": t["language"].astype(str).to_numpy(),
         "score": t["score"].map(lambda v: f"{v:.1f}").to_numpy(),
         "centre_lat": t["centre_lat"].to_numpy(float), "centre_lon": t["centre_lon"].to_numpy(float)},
        geometry=[circle(a, b, r) for a, b, r in zip(t["centre_lat"], t["centre_lon"], t["radius_km"])], crs=4326)


def add_targets(m: Any, results: TargetResults | None, top: int = 15, colour: str = "#8e44ad") -> Any:
    """Draw the top targets' circles and centres on an offline map.

    Parameters
    ----------
    m : folium.Map
        From :func:`workbench.share.maps.offline_map`.
    results : TargetResults or None
        From :meth:`CampaignTargeting.fit` (None: nothing drawn).
    top : int
        Targets drawn.
    colour : str
        Circle colour.

    Returns
    -------
    folium.Map
        ``m``; tooltips and popups show place, language and score (escaped), no counts.
    """
    import folium

    if results is None:
        return m
    gdf = target_cells(results, top)
    if gdf.empty:
        return m
    shown = gdf[["geometry"]].copy()
    for col in ("place", "language", "score"):
        shown[col] = [maps.escape_text(v) for v in gdf[col]]
    folium.GeoJson(shown, name="campaign targets",
                   style_function=lambda _f: {"color": colour, "weight": 1.2, "fillColor": colour, "fillOpacity": 0.25},
                   tooltip=folium.GeoJsonTooltip(fields=["place", "language", "score"],
                                                 aliases=["place", "language", "score"])).add_to(m)
    maps.add_points(m, pd.DataFrame(gdf.drop(columns="geometry")).rename(
        columns={"centre_lat": "lat", "centre_lon": "lon"}), popup_cols=["place", "language", "score"], colour=colour)
    maps.add_legend(m, "Campaign targets", [(f"top {len(gdf)} places (circle: campaign radius)", colour)])
    return m
