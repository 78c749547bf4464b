"""Flow maps: corridors between countries as curved lines, drawn offline.

Part of the offline map toolkit (:mod:`workbench.share.maps`: no tiles, Leaflet inlined,
every text escaped): each corridor is a quadratic Bezier curve between country points,
its width by count, with a dot near the destination end, a legend and labels on the
largest flows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.analyse.routes import country_points
from workbench.share.maps import _fit_to_data, add_legend, add_place_labels, escape_text

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas


def _bezier(start: tuple[float, float], end: tuple[float, float], bend: float, n: int = 24) -> np.ndarray:
    """Points ``(lon, lat)`` of a quadratic Bezier curve bowing to one side of start -> end."""
    (x0, y0), (x2, y2) = start, end
    if x2 - x0 > 180:  # take the short way round; Leaflet draws longitudes beyond +-180
        x2 -= 360
    elif x0 - x2 > 180:
        x2 += 360
    dx, dy = x2 - x0, y2 - y0
    x1, y1 = (x0 + x2) / 2 - bend * dy, (y0 + y2) / 2 + bend * dx  # perpendicular offset, |d| * bend
    t = np.linspace(0.0, 1.0, n + 1)[:, None]
    pts = (1 - t) ** 2 * np.array([x0, y0]) + 2 * (1 - t) * t * np.array([x1, y1]) + t ** 2 * np.array([x2, y2])
    pts[:, 1] = np.clip(pts[:, 1], -85.0, 85.0)
    return pts


def add_flows(m: "folium.Map", flows: pd.DataFrame, countries: "geopandas.GeoDataFrame",
              source: str | None = None, target: str | None = None, value_col: str = "count",
              colour: str = "#b2182b", max_width: float = 10.0, bend: float = 0.2,
              title: str = "Flows (line width: incidents)", note: str = "", labels: int = 3) -> "folium.Map":
    """Draw flows between countries as curved lines, width by count, with a dot near each head.

    Each flow is a quadratic Bezier curve between the two countries' anchor points (a
    point inside each country's largest polygon, see
    :func:`workbench.analyse.routes.country_points`), bowing to the left of its
    direction so that A -> B and B -> A stay apart; a small circle at 90% of the way
    marks the destination end. Only vector layers (no icons, plugins or external JS);
    names and values reach the page escaped, through GeoJSON properties.

    Parameters
    ----------
    m : folium.Map
        From :func:`offline_map`.
    flows : pandas.DataFrame
        One row per flow (already disclosure-controlled, e.g. from
        :func:`workbench.share.tables.route_map_flows`): ISO3 codes in ``source`` and
        ``target`` and a count in ``value_col``. Flows whose ends are the same country
        or not among ``countries`` are not drawn.
    countries : geopandas.GeoDataFrame
        Country polygons with ``iso3`` and ``name`` (``catalog.load("countries")``).
    source, target : str, optional
        Columns of the two ends; ``source``/``target`` or else ``origin``/``destination``.
    value_col : str
        Count column (sets the width; shown in the tooltip).
    colour : str
        Line colour (a CSS colour).
    max_width : float
        Width in pixels of the largest flow (the smallest is 1.5; square-root scale).
    bend : float
        How far the curve bows, as a share of the distance between the ends.
    title : str
        Legend title (escaped).
    note : str
        Extra legend line (escaped), e.g. which flows were left out.
    labels : int
        The largest flows labelled on the map ("Romania to United Kingdom: 50"), at their
        destination ends.

    Returns
    -------
    folium.Map
        ``m``, fitted to the drawn flows as well as earlier layers.
    """
    source, target = _flow_ends(flows, source, target, value_col)
    points = country_points(countries).set_index("iso3")
    drawable = flows[flows[source].isin(points.index) & flows[target].isin(points.index)
                     & (flows[source] != flows[target])]
    if drawable.empty:
        return add_legend(m, title, [("No flow between countries to draw in scope", "#ffffff")]
                          + ([(note, "#ffffff")] if note else []))
    values = pd.to_numeric(drawable[value_col], errors="coerce").fillna(0).clip(lower=0).to_numpy(float)
    widths = np.round(1.5 + (max_width - 1.5) * np.sqrt(values / max(float(values.max()), 1e-9)), 1)
    lines, heads = _flow_curves(drawable, points, source, target, bend)
    _draw_flow_layers(m, drawable, points, source, target, value_col, widths, lines, heads, colour)
    _label_largest_flows(m, drawable, points, source, target, values, heads, labels)
    items = [(f"line width: incidents ({int(values.min()):,} to {int(values.max()):,} per leg); dot: destination end",
              colour)]
    return add_legend(m, title, items + ([(note, "#ffffff")] if note else []))


def _flow_ends(flows: pd.DataFrame, source: str | None, target: str | None, value_col: str) -> tuple[str, str]:
    """The flows' end columns (``source``/``target`` or else ``origin``/``destination``), checked present."""
    if source is None or target is None:
        pair = ("source", "target") if {"source", "target"} <= set(flows.columns) else ("origin", "destination")
        source, target = source or pair[0], target or pair[1]
    missing = [c for c in (source, target, value_col) if c not in flows.columns]
    if missing:
        raise ValueError(f"flows lack column(s) {missing}")
    return source, target


def _flow_curves(drawable: pd.DataFrame, points: pd.DataFrame, source: str, target: str,
                 bend: float) -> tuple[list[Any], list[Any]]:
    """Curved line of each flow and the point 90% of the way along it (its head)."""
    import shapely

    lines, heads = [], []
    for a, b in zip(drawable[source], drawable[target]):
        curve = _bezier((points.at[a, "lon"], points.at[a, "lat"]), (points.at[b, "lon"], points.at[b, "lat"]),
                        bend)
        lines.append(shapely.LineString(curve))
        heads.append(shapely.Point(curve[int(round(0.9 * (len(curve) - 1)))]))
    return lines, heads


def _draw_flow_layers(m: "folium.Map", drawable: pd.DataFrame, points: pd.DataFrame, source: str, target: str,
                      value_col: str, widths: np.ndarray, lines: list[Any], heads: list[Any], colour: str) -> None:
    """Add the flow lines and head dots (escaped tooltips) to ``m`` and fit it to the lines."""
    import folium
    import geopandas as gpd
    import shapely

    shown = pd.DataFrame({
        "f0": [escape_text(points.at[a, "name"]) for a in drawable[source]],
        "f1": [escape_text(points.at[b, "name"]) for b in drawable[target]],
        "f2": [escape_text(f"{int(v):,}" if isinstance(v, (int, float, np.integer, np.floating)) and not pd.isna(v)
                           else v) for v in drawable[value_col]],
        "_w": widths,
    })
    fields, aliases = ["f0", "f1", "f2"], [escape_text("from"), escape_text("to"),
                                                  escape_text("incidents" if value_col == "count" else value_col)]
    folium.GeoJson(
        gpd.GeoDataFrame(shown, geometry=lines, crs=4326), name="flows",
        style_function=lambda f: {"color": colour, "weight": f["properties"]["_w"], "opacity": 0.7},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
    ).add_to(m)
    folium.GeoJson(
        gpd.GeoDataFrame(shown, geometry=heads, crs=4326), name="flow heads",
        marker=folium.CircleMarker(radius=3, color="#333", weight=1, fill=True, fill_color=colour, fill_opacity=1),
        style_function=lambda f: {"radius": 2 + f["properties"]["_w"] / 3},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
    ).add_to(m)
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(lines, dtype=object))
    _fit_to_data(m, miny, minx, maxy, maxx)


def _label_largest_flows(m: "folium.Map", drawable: pd.DataFrame, points: pd.DataFrame, source: str, target: str,
                         values: np.ndarray, heads: list[Any], labels: int) -> None:
    """Label the ``labels`` largest flows ("Romania to United Kingdom: 50") at their heads."""
    top = np.argsort(-values, kind="stable")[:max(int(labels), 0)]
    names = list(zip(drawable[source], drawable[target], values))
    add_place_labels(m, pd.DataFrame({
        "label": [f"{points.at[names[i][0], 'name']} to {points.at[names[i][1], 'name']}: {int(names[i][2]):,}"
                  for i in top], "lat": [heads[i].y for i in top], "lon": [heads[i].x for i in top]}))
