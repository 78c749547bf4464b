"""Folium maps that draw fully offline.

Exported reports are often read without a network, so these maps

- use no tile server: the Natural Earth country polygons are the basemap;
- inline the vendored Leaflet 1.9.4 JS and CSS instead of folium's CDN links (jQuery,
  Bootstrap, awesome-markers and Font Awesome are dropped altogether, so nothing that
  needs them is used: no ``folium.Marker`` icons, no ``folium.Popup``);
- draw points and cell centres as CircleMarkers (SVG, no images);
- escape every piece of text placed in a tooltip, popup or legend (:func:`escape_text`).
  Text reaches the page only as JSON data (safe inside ``<script>``) and is HTML-escaped
  before Leaflet puts it into ``innerHTML``; it is never pasted into a JS template
  literal (as ``folium.Tooltip`` does). Braces become character references too:
  branca (0.8) renders each element's script and then parses the result *again* as a
  Jinja template, so a ``{{ ... }}`` in the data would otherwise be evaluated, in Python,
  on the analyst's machine.
"""

from __future__ import annotations

import html
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas

#: Fill colours of Gi* classes (diverging red/blue, as in ArcGIS hot spot maps).
CLASS_COLOURS = {
    "hot_99": "#b2182b", "hot_95": "#ef8a62", "hot_90": "#fddbc7",
    "cold_90": "#d1e5f0", "cold_95": "#67a9cf", "cold_99": "#2166ac",
    "not_significant": "#d9d9d9",
}
CLASS_LABELS = {
    "hot_99": "Hotspot, 99% confidence", "hot_95": "Hotspot, 95% confidence", "hot_90": "Hotspot, 90% confidence",
    "cold_90": "Cold spot, 90% confidence", "cold_95": "Cold spot, 95% confidence",
    "cold_99": "Cold spot, 99% confidence", "not_significant": "Not significant",
}
#: How a missing (withheld) value shows in a tooltip or popup.
MISSING_TEXT = "withheld"


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str]:
    base = resources.files("workbench").joinpath("share/vendor/leaflet")
    return base.joinpath("leaflet.js").read_text("utf-8"), base.joinpath("leaflet.css").read_text("utf-8")


@lru_cache(maxsize=1)
def _classes() -> dict[str, type]:
    """Folium subclasses, built on first use so that importing this module stays light."""
    import folium
    from branca.element import Element
    from folium.template import Template

    class RawHtml(Element):
        """Markup placed as is (never parsed as a template)."""

        _template = Template("{{ this.markup }}")

        def __init__(self, markup: str):
            super().__init__()
            self.markup = markup

    class Legend(folium.MacroElement):
        """A Leaflet control holding pre-escaped HTML, passed as a JSON string."""

        _template = Template("""
            {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: "topright"});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "wb-legend");
                div.innerHTML = {{ this.markup|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {% endmacro %}
        """)

        def __init__(self, markup: str):
            super().__init__()
            self._name = "Legend"
            self.markup = markup

    class OfflineMap(folium.Map):
        """A folium Map with Leaflet inlined and no CDN links."""

        default_js: list = []
        default_css: list = []

        def render(self, **kwargs: Any) -> None:
            if not any(type(child).__name__ == "Legend" for child in self._children.values()):  # every map has one
                add_legend(self, "Map", [("Country outlines only: nothing in scope to draw", "#f2f2ef")])
            js, css = _leaflet_assets()
            header = self.get_root().header
            # first in <head>: folium's own header scripts already call L.*
            header.add_child(RawHtml(f"<style>{css}</style>"), name="leaflet_css_inline", index=0)
            header.add_child(RawHtml(f"<script>{js}</script>"), name="leaflet_js_inline", index=1)
            super().render(**kwargs)

    return {"RawHtml": RawHtml, "Legend": Legend, "OfflineMap": OfflineMap}


def escape_text(value: object) -> str:
    """Make a value safe to show through a map's tooltip, popup or legend.

    Parameters
    ----------
    value : object
        Any value; missing values become :data:`MISSING_TEXT`.

    Returns
    -------
    str
        HTML-escaped text in which braces are character references as well, so that no
        template engine on the way (folium renders through Jinja twice) evaluates it.
    """
    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and pd.isna(value)):
        return MISSING_TEXT
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def _to_wgs84(gdf: "geopandas.GeoDataFrame") -> "geopandas.GeoDataFrame":
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf.reset_index(drop=True)


def _detail_fields(frame: pd.DataFrame, cols: Iterable[str],
                   labels: dict[str, dict[Any, str]] | None = None) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Escaped display columns ``f0, f1, ...`` and escaped aliases for a tooltip or popup."""
    labels = labels or {}
    cols = [c for c in cols if c in frame.columns]
    shown = pd.DataFrame(index=frame.index)
    for i, col in enumerate(cols):
        mapping = labels.get(col, {})
        shown[f"f{i}"] = [escape_text(mapping.get(v, v) if isinstance(v, str) else v) for v in frame[col]]
    aliases = [escape_text(str(c).replace("_", " ")) for c in cols]
    return shown, list(shown.columns), aliases


def _fit_to_data(m: "folium.Map", south: float, west: float, north: float, east: float) -> None:
    """Fit the view to everything drawn so far (the union of all layers' bounds)."""
    from folium.map import FitBounds

    old = getattr(m, "_wb_bounds", None)
    if old is not None:
        south, west = min(south, old[0][0]), min(west, old[0][1])
        north, east = max(north, old[1][0]), max(east, old[1][1])
    m._wb_bounds = [[float(south), float(west)], [float(north), float(east)]]
    # one named child, replaced on each call: the view ends up fitted to all the data
    m.add_child(FitBounds(m._wb_bounds, padding=(20, 20), max_zoom=9), name="wb_fit_bounds")


def offline_map(countries: "geopandas.GeoDataFrame | None" = None, center: tuple[float, float] | None = None,
                zoom: int = 2, focus: Iterable[str] | None = None) -> "folium.Map":
    """Create a map with no tiles and the country polygons as a light grey basemap.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame, optional
        Country polygons (``catalog.load("countries")``). Only the geometry and the
        ``name`` (or Natural Earth ``NAME``) column are used; the name is the only
        tooltip.
    center : tuple of float, optional
        ``(lat, lon)`` of the initial view; ``(20, 0)`` by default. Layers with data
        later fit the view to themselves.
    zoom : int
        Initial zoom.
    focus : iterable of str, optional
        ISO3 codes of the report's region: the view opens on them (data layers drawn
        later widen it to themselves); the whole world when None.

    Returns
    -------
    folium.Map
        The map (displayable in a notebook; its exported HTML works offline).
    """
    import folium

    cls = _classes()
    m = cls["OfflineMap"](location=list(center or (20.0, 0.0)), zoom_start=zoom, tiles=None, control_scale=True)
    m.get_root().header.add_child(cls["RawHtml"](
        "<style>.leaflet-container{background:#dbe9f4;}"
        ".wb-legend{background:#fff;padding:6px 8px;border:1px solid #999;border-radius:3px;"
        "font:12px/1.5 sans-serif;color:#222}"
        ".wb-legend i{display:inline-block;width:12px;height:12px;margin-right:6px;"
        "border:1px solid #555;vertical-align:-2px}</style>"), name="wb_style")
    if countries is not None and len(countries):
        base = _to_wgs84(countries)
        name_col = next((c for c in ("name", "NAME") if c in base.columns), None)
        layer = base[["geometry"]].copy()
        if name_col:
            layer["name"] = [escape_text(v) for v in base[name_col]]
        folium.GeoJson(
            layer,
            name="countries",
            style_function=lambda _f: {"fillColor": "#f2f2ef", "color": "#a0a0a0", "weight": 0.6, "fillOpacity": 1},
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False) if name_col else None,
        ).add_to(m)
        region = base[base["iso3"].isin(list(focus))] if focus is not None and "iso3" in base.columns else base[:0]
        if len(region):
            _fit_to_data(m, *region.total_bounds[[1, 0, 3, 2]])
    return m


def add_hotspot_cells(m: "folium.Map", gdf: "geopandas.GeoDataFrame", class_col: str = "hotspot_class",
                      value_col: str = "count", tooltip_cols: Iterable[str] | None = None,
                      show_not_significant: bool = False) -> "folium.Map":
    """Draw H3 hexagons coloured by their Gi* class, with a legend.

    Hot cells are shades of red, cold cells of blue; ``not_significant`` cells are
    hidden unless ``show_not_significant`` (then faint grey). Each drawn cell also gets a
    dot of fixed pixel size at its centre, so that it stays visible at world zoom.

    Parameters
    ----------
    m : folium.Map
        From :func:`offline_map`.
    gdf : geopandas.GeoDataFrame
        Cell polygons with ``class_col`` and ``value_col`` (the latter already
        disclosure-controlled, e.g. from :func:`workbench.share.tables.hotspot_cells`).
    class_col : str
        Column with the class (``hot_99`` ... ``cold_99``, ``not_significant``).
    value_col : str
        Column with the displayed count.
    tooltip_cols : iterable of str, optional
        Columns shown on hover (escaped); ``(class_col, value_col)`` by default.
    show_not_significant : bool
        Draw non-significant cells in faint grey instead of hiding them.

    Returns
    -------
    folium.Map
        ``m``, fitted to the drawn cells.
    """
    import folium
    import geopandas as gpd
    import shapely

    none = [("No cell is a significant hotspot or cold spot in scope", CLASS_COLOURS["not_significant"])]
    cells = _to_wgs84(gdf) if gdf is not None and len(gdf) else None
    if cells is None:
        return add_legend(m, "Gi* hotspots (FDR-controlled)", none)
    classes = cells[class_col].astype("string").fillna("not_significant")
    drawn = classes.isin([c for c in CLASS_COLOURS if c != "not_significant"])
    if show_not_significant:
        drawn |= classes.eq("not_significant")
    cells, classes = cells[drawn], classes[drawn]
    if cells.empty:
        return add_legend(m, "Gi* hotspots (FDR-controlled)", none)
    cols = list(tooltip_cols) if tooltip_cols is not None else [class_col, value_col]
    shown, fields, aliases = _detail_fields(cells, cols, {class_col: CLASS_LABELS})
    shown["_class"] = classes.to_numpy()

    def style(feature: dict) -> dict:
        cls = feature["properties"]["_class"]
        faint = cls == "not_significant"
        return {"fillColor": CLASS_COLOURS[cls], "color": "#999" if faint else "#444", "weight": 0.4,
                "fillOpacity": 0.35 if faint else 0.8}

    def tooltip() -> Any:
        return folium.GeoJsonTooltip(fields=fields, aliases=aliases) if fields else None

    polygons = gpd.GeoDataFrame(shown, geometry=cells.geometry.to_numpy(), crs=4326)
    folium.GeoJson(polygons, name="hotspot cells", style_function=style, tooltip=tooltip()).add_to(m)
    centres = gpd.GeoDataFrame(shown, geometry=shapely.centroid(cells.geometry.to_numpy()), crs=4326)
    folium.GeoJson(
        centres, name="hotspot cell centres",
        marker=folium.CircleMarker(radius=3, weight=0, fill=True, fill_opacity=0.9),
        style_function=lambda f: {"fillColor": CLASS_COLOURS[f["properties"]["_class"]]},
        tooltip=tooltip(),
    ).add_to(m)
    minx, miny, maxx, maxy = cells.total_bounds
    _fit_to_data(m, miny, minx, maxy, maxx)
    present = set(classes)
    add_legend(m, "Gi* hotspots (FDR-controlled)",
               [(CLASS_LABELS[c], CLASS_COLOURS[c]) for c in CLASS_COLOURS if c in present])
    return m


def add_points(m: "folium.Map", df: pd.DataFrame, lat: str = "lat", lon: str = "lon",
               radius_col: str | None = None, popup_cols: Iterable[str] = (),
               colour: str = "#8e44ad") -> "folium.Map":
    """Draw points as CircleMarkers (no marker images needed), with popups on click.

    Parameters
    ----------
    m : folium.Map
        The map.
    df : pandas.DataFrame
        Points; rows without valid coordinates are skipped.
    lat, lon : str
        Coordinate columns (WGS84 degrees).
    radius_col : str, optional
        Column scaling the radius (square-root scale, 3 to 15 pixels).
    popup_cols : iterable of str
        Columns shown in the popup (names and values escaped).
    colour : str
        Stroke and fill colour (a CSS colour).

    Returns
    -------
    folium.Map
        ``m``, fitted to the points as well as earlier layers.
    """
    import folium
    import geopandas as gpd

    la, lo = pd.to_numeric(df[lat], errors="coerce"), pd.to_numeric(df[lon], errors="coerce")
    ok = la.between(-90, 90) & lo.between(-180, 180)
    pts, la, lo = df[ok], la[ok], lo[ok]
    if pts.empty:
        return m
    shown, fields, aliases = _detail_fields(pts, popup_cols)
    if radius_col:
        size = np.sqrt(pd.to_numeric(pts[radius_col], errors="coerce").fillna(0).clip(lower=0).to_numpy(float))
        shown["_r"] = np.round(3 + 12 * size / max(float(size.max()), 1e-9), 1)
    else:
        shown["_r"] = 5.0
    layer = gpd.GeoDataFrame(shown.reset_index(drop=True),
                             geometry=gpd.points_from_xy(lo.to_numpy(float), la.to_numpy(float)), crs=4326)
    folium.GeoJson(
        layer, name="points",
        marker=folium.CircleMarker(radius=5, color=colour, fill=True, fill_color=colour, fill_opacity=0.6, weight=1),
        style_function=lambda f: {"radius": f["properties"]["_r"]},
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases) if fields else None,
    ).add_to(m)
    _fit_to_data(m, la.min(), lo.min(), la.max(), lo.max())
    return m


def add_legend(m: "folium.Map", title: str, items: list[tuple[str, str]]) -> "folium.Map":
    """Add a small legend in the map's upper-right corner, in view when the map opens (plain HTML/CSS).

    Parameters
    ----------
    m : folium.Map
        The map.
    title : str
        Legend title (escaped).
    items : list of tuple
        ``(label, colour)`` pairs; labels and colours are escaped.

    Returns
    -------
    folium.Map
        ``m``.
    """
    rows = "".join(f'<div><i style="background:{escape_text(colour)}"></i>{escape_text(label)}</div>'
                   for label, colour in items)
    _classes()["Legend"](f"<b>{escape_text(title)}</b>{rows}").add_to(m)
    return m


def map_html(m: "folium.Map") -> str:
    """Render a map as a standalone HTML page.

    Parameters
    ----------
    m : folium.Map
        The map.

    Returns
    -------
    str
        The page; with maps from :func:`offline_map` it loads nothing from the network.
    """
    return m.get_root().render()


#: Fill colours of emerging hot spot classes (reds for hot, blues for cold, muted for historical).
EMERGING_COLOURS = {
    "intensifying hot spot": "#a50f15", "persistent hot spot": "#de2d26", "consecutive hot spot": "#fb6a4a",
    "new hot spot": "#fc9272", "oscillating hot spot": "#d94801", "sporadic hot spot": "#fdae6b",
    "diminishing hot spot": "#fcbba1", "historical hot spot": "#c994c7",
    "intensifying cold spot": "#08519c", "persistent cold spot": "#3182bd", "consecutive cold spot": "#6baed6",
    "new cold spot": "#9ecae1", "oscillating cold spot": "#2b8cbe", "sporadic cold spot": "#a6dba0",
    "diminishing cold spot": "#c6dbef", "historical cold spot": "#9e9ac8",
}


def add_emerging_cells(m: "folium.Map", gdf: "geopandas.GeoDataFrame", class_col: str = "pattern",
                       value_col: str = "count", tooltip_cols: Iterable[str] | None = None) -> "folium.Map":
    """Draw H3 hexagons coloured by their emerging hot spot class, with a legend.

    Parameters
    ----------
    m : folium.Map
        From :func:`offline_map`.
    gdf : geopandas.GeoDataFrame
        Cell polygons with ``class_col`` (a class of
        :data:`workbench.analyse.emerging.CLASSES`) and ``value_col`` (already
        disclosure-controlled, e.g. :func:`workbench.share.tables.emerging_cells`).
        Cells without a pattern are not drawn.
    class_col, value_col : str
        Class and displayed-count columns.
    tooltip_cols : iterable of str, optional
        Columns shown on hover (escaped); ``(class_col, value_col)`` by default.

    Returns
    -------
    folium.Map
        ``m``, fitted to the drawn cells.
    """
    import folium
    import geopandas as gpd
    import shapely

    none = [("No cell shows an emerging hot or cold spot pattern", "#d9d9d9")]
    cells = _to_wgs84(gdf) if gdf is not None and len(gdf) else None
    if cells is None:
        return add_legend(m, "Emerging hot spots", none)
    classes = cells[class_col].astype("string").fillna("")
    cells, classes = cells[classes.isin(list(EMERGING_COLOURS))], classes[classes.isin(list(EMERGING_COLOURS))]
    if cells.empty:
        return add_legend(m, "Emerging hot spots", none)
    cols = list(tooltip_cols) if tooltip_cols is not None else [class_col, value_col]
    shown, fields, aliases = _detail_fields(cells, cols)
    shown["_colour"] = classes.map(EMERGING_COLOURS).to_numpy()

    def tooltip() -> Any:
        return folium.GeoJsonTooltip(fields=fields, aliases=aliases) if fields else None

    polygons = gpd.GeoDataFrame(shown, geometry=cells.geometry.to_numpy(), crs=4326)
    folium.GeoJson(polygons, name="emerging hot spots", tooltip=tooltip(),
                   style_function=lambda f: {"fillColor": f["properties"]["_colour"], "color": "#444",
                                             "weight": 0.4, "fillOpacity": 0.8}).add_to(m)
    centres = gpd.GeoDataFrame(shown, geometry=shapely.centroid(cells.geometry.to_numpy()), crs=4326)
    folium.GeoJson(centres, name="emerging hot spot centres", tooltip=tooltip(),
                   marker=folium.CircleMarker(radius=3, weight=0, fill=True, fill_opacity=0.9),
                   style_function=lambda f: {"fillColor": f["properties"]["_colour"]}).add_to(m)
    minx, miny, maxx, maxy = cells.total_bounds
    _fit_to_data(m, miny, minx, maxy, maxx)
    present = set(classes)
    add_legend(m, "Emerging hot spots", [(c.capitalize(), colour) for c, colour in EMERGING_COLOURS.items()
                                         if c in present])
    return m


def add_place_labels(m: "folium.Map", places: pd.DataFrame, label_col: str = "label", lat: str = "lat",
                     lon: str = "lon") -> "folium.Map":
    """Write place names on the map (top hotspots), as plain text labels (no marker images).

    Parameters
    ----------
    m : folium.Map
        The map.
    places : pandas.DataFrame
        One row per label with ``label_col``, ``lat`` and ``lon``.
    label_col, lat, lon : str
        Columns.

    Returns
    -------
    folium.Map
        ``m``.
    """
    import folium
    import geopandas as gpd

    # labels travel escaped as JSON data, never pasted into a script as folium.Tooltip would; one layer
    # per label: Leaflet opens a permanent tooltip on one member of a group only
    for label, y, x in zip(map(escape_text, places[label_col]), places[lat].astype(float), places[lon].astype(float)):
        folium.GeoJson(
            gpd.GeoDataFrame({"label": [label]}, geometry=gpd.points_from_xy([x], [y]), crs=4326), name="label",
            marker=folium.CircleMarker(radius=3, color="#111", weight=1, fill=True, fill_color="#111", fill_opacity=1),
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=False, permanent=True,
                                          direction="right",
                                          style="font:bold 12px sans-serif;background:rgba(255,255,255,0.85);"),
        ).add_to(m)
    return m
