"""Folium maps that draw fully offline.

Exported reports are often read without a network. These maps therefore use no tile
server (the Natural Earth country polygons are the basemap), inline the vendored
Leaflet 1.9.4 JS and CSS instead of folium's CDN links (jQuery, Bootstrap and
awesome-markers are dropped altogether), draw points as CircleMarkers (no icon
images), and escape every piece of text placed in a tooltip, popup or legend.
"""

from __future__ import annotations

import html
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

import pandas as pd

#: Fill colours of Gi* classes (ArcGIS-style bins).
CLASS_COLOURS = {
    "hot_99": "#b2182b", "hot_95": "#ef8a62", "hot_90": "#fddbc7",
    "cold_90": "#d1e5f0", "cold_95": "#67a9cf", "cold_99": "#2166ac",
}
CLASS_LABELS = {
    "hot_99": "Hotspot, 99% confidence", "hot_95": "Hotspot, 95%", "hot_90": "Hotspot, 90%",
    "cold_90": "Cold spot, 90%", "cold_95": "Cold spot, 95%", "cold_99": "Cold spot, 99%",
}


@lru_cache(maxsize=1)
def _leaflet() -> tuple[str, str]:
    base = resources.files("workbench").joinpath("share/vendor/leaflet")
    return base.joinpath("leaflet.js").read_text("utf-8"), base.joinpath("leaflet.css").read_text("utf-8")


def _offline_map_class():
    import folium
    from branca.element import Element

    class OfflineMap(folium.Map):
        """A folium Map with Leaflet inlined and no CDN links."""

        default_js: list = []
        default_css: list = []

        def render(self, **kwargs: Any) -> None:
            js, css = _leaflet()
            header = self.get_root().header
            # inline before folium's own header elements, which call L.*
            header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline", index=0)
            header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js_inline", index=1)
            super().render(**kwargs)

    return OfflineMap


def offline_map(countries=None, center: tuple[float, float] | None = None, zoom: int = 2):  # -> folium.Map
    """Create a map with no tiles and the country polygons as a grey basemap.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame, optional
        Country polygons (``catalog.load("countries")``); only geometry and ``name`` are
        used.
    center : tuple of float, optional
        (lat, lon); (20, 0) by default.
    zoom : int
        Initial zoom.

    Returns
    -------
    folium.Map
        The map (displayable in a notebook; exported HTML works offline).
    """
    import folium

    cls = _offline_map_class()
    m = cls(location=list(center or (20.0, 0.0)), zoom_start=zoom, tiles=None, control_scale=True,
            prefer_canvas=False)
    m.get_root().header.add_child(
        folium.Element("<style>.leaflet-container{background:#dbe9f4;}</style>"), name="wb_bg")
    if countries is not None and len(countries):
        base = countries[["geometry"]].copy()
        base["name"] = countries["name"].astype(str).map(html.escape) if "name" in countries else ""
        folium.GeoJson(
            base.to_json(),
            name="countries",
            style_function=lambda _f: {"fillColor": "#f2f2ef", "color": "#a0a0a0", "weight": 0.6, "fillOpacity": 1},
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False) if "name" in countries else None,
        ).add_to(m)
    return m


def add_hotspot_cells(m, gdf, class_col: str = "hotspot_class", value_col: str = "count",
                      tooltip_cols: Iterable[str] = ("hotspot_class", "count")):
    """Draw H3 hexagons coloured by their Gi* class.

    Parameters
    ----------
    m : folium.Map
        From :func:`offline_map`.
    gdf : geopandas.GeoDataFrame
        Cell polygons with ``class_col`` (cells classed ``not_significant`` are skipped).
    class_col : str
        Column with the class.
    value_col : str
        Column with the (already disclosure-controlled) count.
    tooltip_cols : iterable of str
        Columns shown on hover (escaped).

    Returns
    -------
    folium.Map
        ``m``, with a legend, fitted to the cells.
    """
    import folium

    shown = gdf[gdf[class_col].isin(CLASS_COLOURS)].copy()
    if shown.empty:
        return m
    cols = [c for c in tooltip_cols if c in shown.columns]
    for col in cols:
        shown[col] = shown[col].map(lambda v: html.escape(CLASS_LABELS.get(v, str(v))))
    folium.GeoJson(
        shown[cols + ["geometry"]].assign(_class=gdf.loc[shown.index, class_col]).to_json(),
        name="hotspots",
        style_function=lambda f: {"fillColor": CLASS_COLOURS.get(f["properties"]["_class"], "#999"),
                                  "color": "#444", "weight": 0.4, "fillOpacity": 0.8},
        tooltip=folium.GeoJsonTooltip(fields=cols, aliases=[c.replace("_", " ") for c in cols]) if cols else None,
    ).add_to(m)
    # hexagons vanish at world zoom: mark hot and cold cells with a dot of fixed pixel size too
    for _, cell in shown.iterrows():
        point = cell.geometry.centroid
        folium.CircleMarker(location=[point.y, point.x], radius=3, weight=0, fill=True, fill_opacity=0.9,
                            fill_color=CLASS_COLOURS[gdf.at[_, class_col]]).add_to(m)
    minx, miny, maxx, maxy = shown.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(20, 20))
    add_legend(m, "Gi* hotspots (FDR-controlled)",
               [(CLASS_LABELS[c], CLASS_COLOURS[c]) for c in CLASS_COLOURS if c in set(gdf[class_col])])
    return m


def add_points(m, df: pd.DataFrame, lat: str = "lat", lon: str = "lon", radius_col: str | None = None,
               popup_cols: Iterable[str] = (), colour: str = "#8e44ad"):
    """Draw points as CircleMarkers (no marker images needed).

    Parameters
    ----------
    m : folium.Map
        The map.
    df : pandas.DataFrame
        Points; rows without coordinates are skipped.
    lat, lon : str
        Coordinate columns.
    radius_col : str, optional
        Column scaling the radius (square-root scale).
    popup_cols : iterable of str
        Columns shown on hover (escaped).
    colour : str
        Stroke and fill colour.

    Returns
    -------
    folium.Map
        ``m``.
    """
    import folium

    pts = df.dropna(subset=[lat, lon])
    scale = None
    if radius_col and len(pts):
        scale = pd.to_numeric(pts[radius_col], errors="coerce").fillna(0).clip(lower=0) ** 0.5
        scale = 3 + 12 * scale / max(float(scale.max()), 1e-9)
    for i, (idx, row) in enumerate(pts.iterrows()):
        text = "<br>".join(f"<b>{html.escape(str(c))}</b>: {html.escape(str(row[c]))}" for c in popup_cols)
        folium.CircleMarker(
            location=[float(row[lat]), float(row[lon])],
            radius=float(scale.iloc[i]) if scale is not None else 5,
            color=colour, fill=True, fill_opacity=0.6, weight=1,
            # a tooltip, not a Popup: folium's Popup template needs jQuery, which we do not ship
            tooltip=folium.Tooltip(text) if text else None,
        ).add_to(m)
    return m


def add_legend(m, title: str, items: list[tuple[str, str]]):
    """Add a plain HTML legend (no external assets).

    Parameters
    ----------
    m : folium.Map
        The map.
    title : str
        Legend title (escaped).
    items : list of tuple
        ``(label, colour)`` pairs (labels escaped).

    Returns
    -------
    folium.Map
        ``m``.
    """
    from branca.element import MacroElement, Template

    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;background:{html.escape(c)};'
        f'margin-right:6px;border:1px solid #555"></span>{html.escape(label)}</div>'
        for label, c in items
    )
    box = (f'<div class="wb-legend" style="position:absolute;bottom:18px;left:10px;z-index:9999;background:#fff;'
           f'padding:6px 8px;border:1px solid #999;font:12px sans-serif">'
           f"<b>{html.escape(title)}</b>{rows}</div>")
    legend = MacroElement()
    legend._template = Template("{% macro html(this, kwargs) %}" + box + "{% endmacro %}")
    m.get_root().add_child(legend)
    return m


def map_html(m) -> str:
    """Render a map as a standalone HTML page.

    Parameters
    ----------
    m : folium.Map
        The map.

    Returns
    -------
    str
        The page.
    """
    return m.get_root().render()
