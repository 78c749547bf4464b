import geopandas as gpd
import h3
import pandas as pd
import pytest

from tests.browser import open_offline
from tests.workspace import REPO
from workbench.analyse.hexbin import cell_polygons
from workbench.share import maps
from workbench.share.export import external_references

pytestmark = pytest.mark.browser

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>${alert(2)}`{{ 7*7 }}'
ALMERIA = (36.78, -2.61)


@pytest.fixture(scope="module")
def countries():
    frame = gpd.read_file(REPO / "data" / "reference" / "ne_110m_admin_0_countries.geojson")
    return frame.rename(columns={"NAME": "name"})[["name", "geometry"]]


@pytest.fixture
def cells():
    centre = h3.latlng_to_cell(*ALMERIA, 5)
    gdf = cell_polygons([centre] + sorted(set(h3.grid_disk(centre, 1)) - {centre}))
    gdf["hotspot_class"] = ["hot_99", "hot_95", "hot_95", "hot_90", "cold_95", "cold_99", "not_significant"]
    gdf["count"] = ["<10", "12", "15", "20", "31", "40", "11"]
    return gdf


def hover(page, m, lat, lon, zoom):
    """Centre the map on a place, move the mouse there and return the tooltip's text."""
    page.evaluate(f"() => {{ {m.get_name()}.setView([{lat}, {lon}], {zoom}, {{animate: false}}); }}")
    box = page.page.locator(f"#{m.get_name()}").bounding_box()
    page.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.page.wait_for_timeout(150)
    return " ".join(page.page.locator(".leaflet-tooltip").all_inner_texts())


def test_map_draws_offline_with_cells_and_points(tmp_path, browser, countries, cells):
    m = maps.offline_map(countries)
    maps.add_hotspot_cells(m, cells.to_crs(3857))  # reprojected to WGS84 for Leaflet
    points = pd.DataFrame({"lat": [40.4, 41.4, None], "lon": [-3.7, 2.2, 0.0], "n": [5, 20, 1]})
    maps.add_points(m, points, radius_col="n")
    html = maps.map_html(m)
    # nothing to fetch; the one link is Leaflet's attribution, inside the inlined leaflet.js
    assert external_references(html) == [("link", "https://leafletjs.com")]
    for cdn in ("cdn.", "jquery", "bootstrap", "font-awesome", "awesome-markers", "unpkg", "googleapis"):
        assert cdn not in html.lower()
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    with open_offline(browser, path) as page:
        assert page.problems == []
        assert page.count_in_frames(".leaflet-pane") >= 5
        # countries + 6 significant cells + their 6 centre dots + 2 points with coordinates
        assert page.count_in_frames("path.leaflet-interactive") == len(countries) + 6 + 6 + 2
        assert page.count_in_frames("img") == 0  # no tiles, no marker icons
        legend = page.page.locator(".wb-legend").inner_text()
        assert "Hotspot, 99% confidence" in legend and "Cold spot, 99% confidence" in legend
        assert "Not significant" not in legend
        zoom, has_cells, has_points = page.evaluate(
            f"() => {{ const b = {m.get_name()}.getBounds(); return [{m.get_name()}.getZoom(), "
            f"b.contains({list(ALMERIA)}), b.contains([41.4, 2.2])]; }}")
        assert zoom >= 5 and has_cells and has_points  # fitted to all the data
        tooltip = hover(page, m, *ALMERIA, 9)
        assert "Hotspot, 99% confidence" in tooltip and "<10" in tooltip


def test_text_from_outside_is_shown_as_text(tmp_path, browser, countries, cells):
    named = countries.assign(name=countries["name"].where(countries["name"] != "Afghanistan", EVIL))
    m = maps.offline_map(named)
    maps.add_hotspot_cells(m, cells.assign(note=EVIL), tooltip_cols=["hotspot_class", "note"])
    maps.add_points(m, pd.DataFrame({"lat": [10.0], "lon": [10.0], "place": [EVIL]}), popup_cols=["place"])
    maps.add_legend(m, EVIL, [(EVIL, "red")])
    path = tmp_path / "evil.html"
    path.write_text(maps.map_html(m), encoding="utf-8")
    with open_offline(browser, path) as page:
        page.page.click("path.leaflet-interactive >> nth=-1")  # the point: drawn last
        assert EVIL in page.page.locator(".leaflet-popup-content").inner_text()
        assert " ".join(page.page.locator(".wb-legend").all_inner_texts()).count(EVIL) == 2
        assert EVIL in hover(page, m, 34.0, 66.0, 6)  # Afghanistan
        assert EVIL in hover(page, m, *ALMERIA, 9)  # the hot cell
        assert page.problems == []  # no alert, no error
        assert page.count_in_frames("img") == 0 and "49" not in page.text_in_frames()


def test_nothing_to_draw_leaves_a_world_map_whose_legend_says_so(countries, cells):
    m = maps.offline_map(None)
    maps.add_hotspot_cells(m, cells[cells["hotspot_class"] == "not_significant"])
    maps.add_points(m, pd.DataFrame({"lat": [None, 95.0], "lon": [1.0, 1.0]}))
    html = maps.map_html(m)
    assert f"{m.get_name()}.fitBounds(" not in html and "L.geoJson(" not in html
    # a legend on every map: here it says that nothing in scope was drawn (no empty map without a word)
    assert html.count("L.control(") == 1 and "No cell is a significant hotspot or cold spot in scope" in html
    plain = maps.map_html(maps.offline_map(None))
    assert plain.count("L.control(") == 1 and "Country outlines only" in plain
    shown = maps.offline_map(None)
    maps.add_hotspot_cells(shown, cells, show_not_significant=True)
    assert "Not significant" in maps.map_html(shown)


def test_data_is_never_evaluated_as_a_template(tmp_path):
    # branca parses rendered scripts as Jinja again: data must not reach Python code
    payload = "{{ cycler.__init__.__globals__.os.getcwd() }}"
    m = maps.offline_map(None)
    maps.add_points(m, pd.DataFrame({"lat": [1.0], "lon": [1.0], payload: [payload]}), popup_cols=[payload])
    maps.add_legend(m, payload, [(payload, "red")])
    html = maps.map_html(m)
    assert str(REPO) not in html and str(tmp_path) not in html
    assert "{{ cycler" not in html  # braces are character references
    assert html.count("cycler.__init__.__globals__.os.getcwd()") == 3  # popup value, legend title and label
